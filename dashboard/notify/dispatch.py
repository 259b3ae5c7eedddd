"""Delivering reminders you can trust: queue once, send when allowed, retry, respect the robots'
limits, log every attempt.

- **Once.** `queue` inserts one outbox row per event and channel with the dedup key
  rule|department|period|channel *before* anything is sent; the unique constraint refuses a second
  insert, so a second load of the same data, a restart or two schedulers never send a reminder
  twice. A row is then *claimed* by one process (an UPDATE from pending to sending that only one
  process can win) before it is sent; a claim older than STALE_CLAIM (a process that died while
  sending) may be taken over.
- **When allowed.** Rows are queued with `not_before` = the next moment outside the quiet hours
  (notify.quiet_start–quiet_end, Beijing time) on a working day (PRC statutory calendar, when
  notify.working_days_only); the scheduler's next pass sends what is due.
- **Retries.** A failure that may pass (HTTP 5xx, a timeout, no connection, an SMTP 4xx) is tried
  again after notify.retry_base_seconds, doubling each time, up to notify.max_attempts attempts; a
  robot's rate-limit answer (企业微信 45009, 钉钉 130101, HTTP 429) puts the row back for a minute.
  A permanent refusal (a wrong key, a bad signature) fails at once.
- **Rate limits.** Before each request the attempts of the same channel in the last 60 seconds are
  counted in the store (so every process sees them): at notify.<kind>_per_minute the row waits.
- **Log.** Every attempt is a row of notify_attempts: sent, retried or failed, with the channel's
  answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from dashboard.access import audit
from dashboard.core.dates import DISPLAY_TZ, as_utc, default_month
from dashboard.core.settings import Notify, Settings
from dashboard.core.workdays import is_workday
from dashboard.notify import channels as channel_io
from dashboard.notify import events as ev
from dashboard.notify import outbox
from dashboard.notify.outbox import notify_attempts, notify_deliveries
from dashboard.rules import reference
from dashboard.store import snapshots
from dashboard.store.opstore import get_engine

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
Sleep = Callable[[float], None]
STALE_CLAIM = dt.timedelta(minutes=10)
RATE_WINDOW = dt.timedelta(seconds=60)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Report:
    """What one run did (counts), for the command line and the tests."""

    queued: int = 0
    duplicates: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    held: int = 0
    events: list[ev.Event] = field(default_factory=list)

    def text(self) -> str:
        return (
            f"提醒：新排队 {self.queued} 条（重复已忽略 {self.duplicates} 条），已发送 {self.sent} 条，"
            f"重试 {self.retried} 次，失败 {self.failed} 条，延后 {self.held} 条"
        )


# ---- when reminders may go out -------------------------------------------------------------------


def _clock_time(text: str) -> dt.time:
    hour, minute = text.strip().split(":")
    return dt.time(int(hour), int(minute))


def in_quiet_hours(moment: dt.datetime, notify: Notify) -> bool:
    start, end, t = _clock_time(notify.quiet_start), _clock_time(notify.quiet_end), moment.astimezone(DISPLAY_TZ).time()
    if start == end:
        return False
    return (t >= start or t < end) if start > end else (start <= t < end)


def allowed_at(moment: dt.datetime, notify: Notify) -> bool:
    """Whether a reminder may go out at `moment`: outside quiet hours, on a working day if asked."""
    local = moment.astimezone(DISPLAY_TZ)
    if notify.working_days_only and not is_workday(local.date()):
        return False
    return not in_quiet_hours(local, notify)


def next_allowed(moment: dt.datetime, notify: Notify) -> dt.datetime:
    """`moment` when reminders may go out then, else the next end of quiet hours that falls on an
    allowed day (UTC)."""
    local = moment.astimezone(DISPLAY_TZ)
    end = _clock_time(notify.quiet_end)
    for _ in range(60):
        if allowed_at(local, notify):
            return local.astimezone(dt.UTC)
        boundary = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        local = boundary if boundary > local else boundary + dt.timedelta(days=1)
    return local.astimezone(dt.UTC)


# ---- queueing ------------------------------------------------------------------------------------


def dedup_key(rule: str, department_code: str, period: str, channel_id: int) -> str:
    key = f"{rule}|{department_code}|{period}|{channel_id}"
    return key if len(key) <= 255 else key[:200] + "#" + hashlib.sha1(key.encode()).hexdigest()


def _stored(moment: dt.datetime, engine: Engine) -> dt.datetime:
    # SQLite keeps timestamps as naive text; compare like with like (UTC).
    utc = as_utc(moment).astimezone(dt.UTC)
    return utc.replace(tzinfo=None) if engine.dialect.name == "sqlite" else utc


def queue(engine: Engine, settings: Settings, events: Iterable[ev.Event], now: dt.datetime, report: Report) -> None:
    """One outbox row per event and enabled channel of its department, unless its dedup key is
    already there (then counted as a duplicate and left alone)."""
    by_department: dict[str, list[outbox.Channel]] = {}
    for c in outbox.channels_of(engine, enabled_only=True):
        by_department.setdefault(c.department_code, []).append(c)
    not_before = next_allowed(now, settings.notify)
    for e in events:
        for c in by_department.get(e.department_code, []):
            values = dict(
                dedup_key=dedup_key(e.rule, e.department_code, e.period, c.channel_id),
                rule=e.rule,
                department_code=e.department_code,
                period=e.period,
                channel_id=c.channel_id,
                channel_kind=c.kind,
                title=e.title,
                body=e.body,
                link=e.link,
                status=outbox.PENDING,
                attempts=0,
                created_at=now,
                not_before=not_before,
            )
            try:
                with engine.begin() as conn:
                    conn.execute(insert(notify_deliveries).values(**values))
            except IntegrityError:
                report.duplicates += 1
            else:
                report.queued += 1


# ---- sending -------------------------------------------------------------------------------------


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _due_ids(engine: Engine, now: dt.datetime) -> list[int]:
    d = notify_deliveries
    stmt = (
        select(d.c.delivery_id)
        .where(
            or_(
                and_(d.c.status == outbox.PENDING, d.c.not_before <= _stored(now, engine)),
                and_(d.c.status == outbox.SENDING, d.c.claimed_at < _stored(now - STALE_CLAIM, engine)),
            )
        )
        .order_by(d.c.delivery_id)
    )
    with engine.connect() as conn:
        return [int(r[0]) for r in conn.execute(stmt)]


def _claim(engine: Engine, delivery_id: int, now: dt.datetime, owner: str) -> Any | None:
    d = notify_deliveries
    with engine.begin() as conn:
        done = conn.execute(
            update(d)
            .where(
                d.c.delivery_id == delivery_id,
                or_(
                    and_(d.c.status == outbox.PENDING, d.c.not_before <= _stored(now, engine)),
                    and_(d.c.status == outbox.SENDING, d.c.claimed_at < _stored(now - STALE_CLAIM, engine)),
                ),
            )
            .values(status=outbox.SENDING, claimed_at=now, claimed_by=owner)
        )
        if done.rowcount != 1:
            return None
        return conn.execute(select(d).where(d.c.delivery_id == delivery_id)).first()


def _log_attempt(engine: Engine, row: Any, outcome: str, answer: str, at: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(notify_attempts).values(
                delivery_id=row.delivery_id, channel_id=row.channel_id, at=at, outcome=outcome, answer=answer
            )
        )


def _finish(engine: Engine, row: Any, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(notify_deliveries).where(notify_deliveries.c.delivery_id == row.delivery_id).values(**values)
        )


def _per_minute(notify: Notify, kind: str) -> int:
    return {
        outbox.WECOM: notify.wecom_per_minute,
        outbox.DINGTALK: notify.dingtalk_per_minute,
        outbox.EMAIL: notify.email_per_minute,
    }.get(kind, 20)


def _window_opens(engine: Engine, channel_id: int, now: dt.datetime, limit: int) -> dt.datetime | None:
    """None when the channel may send now; else when the oldest of its `limit` requests of the last
    minute leaves the window."""
    a = notify_attempts
    with engine.connect() as conn:
        times = [
            as_utc(r[0])
            for r in conn.execute(
                select(a.c.at)
                .where(a.c.channel_id == channel_id, a.c.at > _stored(now - RATE_WINDOW, engine))
                .order_by(a.c.at.desc())
                .limit(limit)
            )
        ]
    if len(times) < limit:
        return None
    return min(times) + RATE_WINDOW


def _message(row: Any) -> channel_io.Message:
    return channel_io.Message(row.title, row.body)


def _deliver_one(
    engine: Engine,
    settings: Settings,
    row: Any,
    clock: Clock,
    sleep: Sleep,
    env: Mapping[str, str] | None,
    report: Report,
) -> None:
    notify = settings.notify
    found = outbox.channel(engine, row.channel_id) if row.channel_id is not None else None
    if found is None or not found.enabled:
        _log_attempt(engine, row, outbox.OUTCOME_FAILED, "渠道已删除或已停用", clock())
        _finish(engine, row, status=outbox.FAILED, last_answer="渠道已删除或已停用")
        report.failed += 1
        return
    try:
        secret = None if found.kind == outbox.EMAIL else outbox.open_secret(found.secret_token, env)
    except outbox.ReminderSetupError as exc:
        _log_attempt(engine, row, outbox.OUTCOME_FAILED, str(exc), clock())
        _finish(engine, row, status=outbox.FAILED, last_answer=str(exc))
        report.failed += 1
        return
    attempts = int(row.attempts or 0)
    while True:
        now = clock()
        opens = _window_opens(engine, found.channel_id, now, _per_minute(notify, found.kind))
        if opens is not None:
            _finish(engine, row, status=outbox.PENDING, not_before=opens, claimed_at=None, claimed_by=None)
            report.held += 1
            return
        answer = channel_io.send(notify, found.kind, secret, found.recipients, _message(row), env)
        attempts += 1
        at = clock()
        if answer.delivered:
            _log_attempt(engine, row, outbox.OUTCOME_SENT, answer.text, at)
            _finish(engine, row, status=outbox.SENT, attempts=attempts, sent_at=at, last_answer=answer.text)
            report.sent += 1
            return
        if answer.retryable and attempts < notify.max_attempts:
            _log_attempt(engine, row, outbox.OUTCOME_RETRIED, answer.text, at)
            report.retried += 1
            if answer.rate_limited:
                later = next_allowed(at + RATE_WINDOW, notify)
                _finish(
                    engine,
                    row,
                    status=outbox.PENDING,
                    attempts=attempts,
                    not_before=later,
                    claimed_at=None,
                    claimed_by=None,
                    last_answer=answer.text,
                )
                return
            _finish(engine, row, attempts=attempts, last_answer=answer.text)
            sleep(notify.retry_base_seconds * 2 ** (attempts - 1))
            continue
        _log_attempt(engine, row, outbox.OUTCOME_FAILED, answer.text, at)
        _finish(engine, row, status=outbox.FAILED, attempts=attempts, last_answer=answer.text)
        report.failed += 1
        log.info("提醒发送失败（%s，%s）：%s", row.rule, found.kind, answer.text)
        return


def deliver_due(
    engine: Engine,
    settings: Settings,
    report: Report | None = None,
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    env: Mapping[str, str] | None = None,
) -> Report:
    """Send every queued reminder that is due and that this process wins the claim of."""
    report = report or Report()
    owner = _owner()
    for delivery_id in _due_ids(engine, clock()):
        row = _claim(engine, delivery_id, clock(), owner)
        if row is not None:
            _deliver_one(engine, settings, row, clock, sleep, env, report)
    return report


def send_test(
    engine: Engine,
    settings: Settings,
    channel_id: int,
    user: Any,
    env: Mapping[str, str] | None = None,
    clock: Clock = utc_now,
) -> channel_io.Answer:
    """测试发送: one short message on a channel now (quiet hours do not apply, one attempt), logged
    in the delivery log and the audit log. Raises ReminderSetupError when the channel is unusable."""
    found = outbox.channel(engine, channel_id)
    if found is None:
        raise outbox.ReminderSetupError("该渠道不存在（可能已被删除）")
    secret = None if found.kind == outbox.EMAIL else outbox.open_secret(found.secret_token, env)
    now = clock()
    link = ev.page_link(settings, ev.WARNINGS_PATH)
    title = "【测试】城市信用监测驾驶舱提醒"
    body = f"这是一条测试消息：{outbox.CHANNEL_KINDS[found.kind]}“{found.label}”可以收到驾驶舱的提醒。\n[打开驾驶舱]({link})"
    stamp = now.strftime("%Y%m%dT%H%M%S.%f")
    with engine.begin() as conn:
        delivery_id = conn.execute(
            insert(notify_deliveries).values(
                dedup_key=f"TEST|{found.department_code}|{stamp}|{found.channel_id}",
                rule="TEST",
                department_code=found.department_code,
                period=stamp,
                channel_id=found.channel_id,
                channel_kind=found.kind,
                title=title,
                body=body,
                link=link,
                status=outbox.SENDING,
                attempts=0,
                created_at=now,
                not_before=now,
                claimed_at=now,
                claimed_by=_owner(),
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        row = conn.execute(select(notify_deliveries).where(notify_deliveries.c.delivery_id == delivery_id)).first()
    answer = channel_io.send(
        settings.notify, found.kind, secret, found.recipients, channel_io.Message(title, body), env
    )
    at = clock()
    outcome = outbox.OUTCOME_SENT if answer.delivered else outbox.OUTCOME_FAILED
    _log_attempt(engine, row, outcome, answer.text, at)
    _finish(
        engine,
        row,
        status=outbox.SENT if answer.delivered else outbox.FAILED,
        attempts=1,
        sent_at=at if answer.delivered else None,
        last_answer=answer.text,
    )
    audit.record(
        engine,
        user,
        "reminder_test_sent",
        {
            "channel": found.channel_id,
            "department": found.department_code,
            "kind": found.kind,
            "delivered": answer.delivered,
        },
    )
    return answer


# ---- a reminder run ------------------------------------------------------------------------------


def _has_channels(engine: Engine) -> bool:
    c = outbox.notify_channels
    with engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(c).where(c.c.enabled.is_(True))).scalar())


def _previous(settings: Settings, snapshot_id: str) -> snapshots.SnapshotInfo | None:
    kept = [s for s in snapshots.list_snapshots(settings) if s.snapshot_id < snapshot_id]
    return kept[-1] if kept else None


def _as_of(con: Any, info: snapshots.SnapshotInfo) -> dt.date:
    return default_month(info.built_at, reference.data_horizon(con))


def events_due(settings: Settings, engine: Engine, published: Iterable[str], now: dt.datetime) -> list[ev.Event]:
    """The events of a run: R1 and R3 for each newly published snapshot; R2 (from
    notify.overdue_time) and R4 on the live snapshot, on working days when
    notify.working_days_only."""
    found: list[ev.Event] = []
    for snapshot_id in published:
        info = snapshots.get_snapshot(settings, snapshot_id)
        if info is None:
            continue
        con = snapshots.connect_readonly(info.path)
        try:
            names = reference.department_short_names(con)
            as_of = _as_of(con, info)
            before = _previous(settings, snapshot_id)
            con_before = snapshots.connect_readonly(before.path) if before else None
            try:
                found += ev.new_warning_events(con, con_before, as_of, names, settings)
            finally:
                if con_before is not None:
                    con_before.close()
            found += ev.indicator_events(con, as_of, names, settings)
        finally:
            con.close()
    local = now.astimezone(DISPLAY_TZ)
    live = snapshots.current_snapshot(settings)
    if live is None or (settings.notify.working_days_only and not is_workday(local.date())):
        return found
    con = snapshots.connect_readonly(live.path)
    try:
        names = reference.department_short_names(con)
        if local.time() >= _clock_time(settings.notify.overdue_time):
            as_of = _as_of(con, live)
            found += ev.overdue_events(
                ev.overdue_status(con, engine, as_of, settings), as_of, local.date(), names, settings
            )
        found += ev.feedback_events(engine, local.date(), names, settings)
    finally:
        con.close()
    return found


def run_reminders(
    settings: Settings,
    published: Iterable[str] = (),
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    env: Mapping[str, str] | None = None,
) -> Report:
    """One reminder run: work out the events (when any channel is set up), queue them once, send
    what is due. Called by the command line after a load publishes, after every scheduler pass and
    by `python -m dashboard remind`."""
    engine = get_engine(settings)
    report = Report()
    if _has_channels(engine):
        now = clock()
        report.events = events_due(settings, engine, list(published), now)
        queue(engine, settings, report.events, now, report)
    return deliver_due(engine, settings, report, clock=clock, sleep=sleep, env=env)


def announce_briefing(
    settings: Settings,
    month: dt.date,
    named: Iterable[str],
    names: Mapping[str, str],
    recipients: Iterable[str] = (),
    clock: Clock = utc_now,
    sleep: Sleep = time.sleep,
    env: Mapping[str, str] | None = None,
) -> Report:
    """R5 hook for the 通报's publisher: queue and send "the month's 通报 is published"."""
    engine = get_engine(settings)
    report = Report(events=ev.briefing_events(month, named, names, settings, recipients))
    queue(engine, settings, report.events, clock(), report)
    return deliver_due(engine, settings, report, clock=clock, sleep=sleep, env=env)
