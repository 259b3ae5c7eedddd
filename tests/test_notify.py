"""Reminders (docs/rules.md R1–R5; dashboard/notify): delivery to real local servers on loopback —
the 企业微信 and 钉钉 robot endpoints of tests/notify_kit.py and an aiosmtpd SMTP server — with
failures (HTTP 500, a robot's rate-limit errcode, a timeout) and the retries and log entries that
follow; dedup (insert before send) on SQLite and PostgreSQL; quiet hours and working days; secrets
kept encrypted and never shown, logged or exported; the events themselves on hand-made data."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from cryptography.fernet import Fernet
from notify_kit import DINGTALK_SECRET, DINGTALK_TOKEN, WECOM_KEY, notify_settings
from sqlalchemy import select

from dashboard.access import audit
from dashboard.core.dates import DISPLAY_TZ
from dashboard.notify import dispatch, events, outbox
from dashboard.notify.channels import dingtalk_sign

# A working Wednesday morning in Beijing (2026-12-09 10:00 CST).
MONDAY = dt.datetime(2026, 12, 7, 10, 0, tzinfo=DISPLAY_TZ)
NOW = dt.datetime(2026, 12, 9, 10, 0, tzinfo=DISPLAY_TZ).astimezone(dt.UTC)


class Clock:
    def __init__(self, start: dt.datetime):
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv(outbox.KEY_ENV, Fernet.generate_key().decode())


def event(department="tax", period="2026-11", rule="R1", n=3) -> events.Event:
    link = f"http://dashboard.example:8501/warnings?month=2026-11&department={department}"
    return events.Event(rule, department, period, f"【信用预警】新增预警 {n} 条", f"新增 {n} 条\n[查看]({link})", link)


def wecom(store, department="tax"):
    return outbox.save_channel(store.engine, department, outbox.WECOM, "税务局工作群", "office", webhook=WECOM_KEY)


def dingtalk(store, department="tax", secret=DINGTALK_SECRET):
    return outbox.save_channel(
        store.engine,
        department,
        outbox.DINGTALK,
        "钉钉群",
        "office",
        webhook=f"https://oapi.dingtalk.com/robot/send?access_token={DINGTALK_TOKEN}",
        signing_secret=secret,
    )


def send(store, settings, evs, clock, slept=None):
    report = dispatch.Report()
    dispatch.queue(store.engine, settings, evs, clock(), report)
    dispatch.deliver_due(
        store.engine, settings, report, clock=clock, sleep=(slept.append if slept is not None else lambda s: None)
    )
    return report


def log_of(store) -> pd.DataFrame:
    return outbox.delivery_log(store.engine).sort_values("attempt_id")


# ---- delivery to the robots and by mail ----------------------------------------------------------


def test_wecom_robot_gets_markdown_and_the_log_keeps_its_answer(store, robots, key_env):
    settings = notify_settings(store.settings, robots)
    wecom(store)
    report = send(store, settings, [event()], Clock(NOW))
    assert (report.queued, report.sent, report.failed) == (1, 1, 0)
    [message] = robots.received
    assert message["kind"] == "wecom"
    assert message["payload"]["msgtype"] == "markdown"
    content = message["payload"]["markdown"]["content"]
    assert "【信用预警】新增预警 3 条" in content and "department=tax" in content
    log = log_of(store)
    assert list(log["outcome"]) == ["sent"]
    assert '"errcode": 0' in log["answer"].iloc[0]


def test_dingtalk_signature_is_verified_by_the_robot(store, robots, key_env):
    settings = notify_settings(store.settings, robots)
    dingtalk(store)
    report = send(store, settings, [event()], Clock(NOW))
    assert report.sent == 1
    [request] = robots.requests
    assert request["query"]["sign"] == dingtalk_sign(DINGTALK_SECRET, int(request["query"]["timestamp"]))
    payload = robots.received[0]["payload"]
    assert payload["msgtype"] == "markdown" and payload["markdown"]["title"] == "【信用预警】新增预警 3 条"


def test_a_wrong_signing_secret_fails_at_once_without_retrying(store, robots, key_env):
    settings = notify_settings(store.settings, robots)
    dingtalk(store, secret="SECthis-is-not-the-robots-secret")
    report = send(store, settings, [event()], Clock(NOW))
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    log = log_of(store)
    assert list(log["outcome"]) == ["failed"]
    assert "310000" in log["answer"].iloc[0]
    assert robots.received == []


def test_http_500_is_retried_with_backoff_and_logged(store, robots, key_env):
    settings = notify_settings(store.settings, robots, retry_base_seconds=0.5)
    wecom(store)
    robots.plan.extend(["500", "500"])
    slept: list[float] = []
    report = send(store, settings, [event()], Clock(NOW), slept)
    assert (report.sent, report.retried) == (1, 2)
    assert slept == [0.5, 1.0]  # exponential backoff
    log = log_of(store)
    assert list(log["outcome"]) == ["retried", "retried", "sent"]
    assert log["answer"].iloc[0].startswith("HTTP 500")
    assert len(robots.received) == 1


def test_gives_up_after_max_attempts(store, robots, key_env):
    settings = notify_settings(store.settings, robots, max_attempts=3)
    wecom(store)
    robots.plan.extend(["500"] * 5)
    slept: list[float] = []
    report = send(store, settings, [event()], Clock(NOW), slept)
    assert (report.sent, report.retried, report.failed) == (0, 2, 1)
    assert list(log_of(store)["outcome"]) == ["retried", "retried", "failed"]
    with store.engine.connect() as conn:
        row = conn.execute(select(outbox.notify_deliveries)).one()
    assert (row.status, row.attempts) == (outbox.FAILED, 3)


def test_a_timeout_is_retried(store, robots, key_env):
    settings = notify_settings(store.settings, robots, timeout_seconds=0.3)
    robots.timeout_sleep = 1.0
    wecom(store)
    robots.plan.append("timeout")
    report = send(store, settings, [event()], Clock(NOW))
    assert report.sent == 1
    log = log_of(store)
    assert list(log["outcome"]) == ["retried", "sent"]
    assert "超时" in log["answer"].iloc[0]


@pytest.mark.parametrize("kind, code", [("wecom", "45009"), ("dingtalk", "130101")])
def test_a_rate_limit_answer_puts_the_reminder_back_for_a_minute(store, robots, key_env, kind, code):
    settings = notify_settings(store.settings, robots)
    (wecom if kind == "wecom" else dingtalk)(store)
    robots.plan.append("ratelimit")
    clock = Clock(NOW)
    report = send(store, settings, [event()], clock)
    assert (report.sent, report.retried) == (0, 1)
    log = log_of(store)
    assert list(log["outcome"]) == ["retried"] and code in log["answer"].iloc[0]
    clock.advance(30)  # still inside the minute: nothing is sent
    assert dispatch.deliver_due(store.engine, settings, clock=clock).sent == 0
    clock.advance(31)
    assert dispatch.deliver_due(store.engine, settings, clock=clock).sent == 1
    assert list(log_of(store)["outcome"]) == ["retried", "sent"]


def test_the_per_minute_limit_of_a_robot_is_respected(store, robots, key_env):
    settings = notify_settings(store.settings, robots)
    wecom(store)
    clock = Clock(NOW)
    evs = [event(period=f"2026-11:{i}") for i in range(23)]
    report = send(store, settings, evs, clock)
    assert (report.sent, report.held) == (20, 3)
    assert len(robots.received) == 20  # the robot never had to refuse one
    assert all(r["step"] == "ok" for r in robots.requests)
    clock.advance(61)
    robots.recent["wecom"].clear()  # the robot's minute has passed too (it counts in real time)
    assert dispatch.deliver_due(store.engine, settings, clock=clock).sent == 3
    assert len(robots.received) == 23


def test_email_is_delivered_over_smtp(store, smtp_server, key_env):
    settings = notify_settings(store.settings, smtp=smtp_server)
    outbox.save_channel(store.engine, "tax", outbox.EMAIL, "邮件", "office", recipients="a@tax.example, b@tax.example")
    report = send(store, settings, [event()], Clock(NOW))
    assert report.sent == 1
    [mail] = smtp_server.inbox.messages
    assert mail["Subject"] == "【信用预警】新增预警 3 条"
    assert "department=tax" in mail.get_content()
    assert smtp_server.inbox.envelopes[0][1] == ["a@tax.example", "b@tax.example"]
    assert "SMTP 250" in log_of(store)["answer"].iloc[0]


def test_email_server_down_is_retried_then_failed(store, key_env):
    settings = notify_settings(store.settings, smtp_host="127.0.0.1", smtp_port=9, max_attempts=2)
    outbox.save_channel(store.engine, "tax", outbox.EMAIL, "邮件", "office", recipients="a@tax.example")
    report = send(store, settings, [event()], Clock(NOW))
    assert (report.retried, report.failed) == (1, 1)
    assert list(log_of(store)["outcome"]) == ["retried", "failed"]


# ---- once, and only when allowed -----------------------------------------------------------------


def test_the_same_reminder_is_queued_and_sent_once(store, robots, key_env):
    settings = notify_settings(store.settings, robots)
    wecom(store)
    dingtalk(store)
    first = send(store, settings, [event(), event(department="market")], Clock(NOW))
    second = send(store, settings, [event(), event(department="market")], Clock(NOW))
    assert (first.queued, first.sent) == (2, 2)  # tax on two channels; market has none
    assert (second.queued, second.duplicates, second.sent) == (0, 2, 0)
    assert len(robots.received) == 2


def test_dedup_holds_on_postgresql(pg_engine, robots, key_env, store):
    settings = notify_settings(store.settings, robots)
    channel_id = outbox.save_channel(pg_engine, "tax", outbox.WECOM, "群", "office", webhook=WECOM_KEY)
    for _ in range(2):
        report = dispatch.Report()
        dispatch.queue(pg_engine, settings, [event()], NOW, report)
        dispatch.deliver_due(pg_engine, settings, report, clock=lambda: NOW)
    assert len(robots.received) == 1
    log = outbox.delivery_log(pg_engine)
    assert list(log["outcome"]) == ["sent"]
    assert outbox.channel(pg_engine, channel_id).secret_hint == "****5aaa"


def test_quiet_hours_and_non_working_days_hold_reminders(store, robots, key_env):
    settings = notify_settings(store.settings, robots, quiet_start="20:00", quiet_end="08:00", working_days_only=True)
    notify = settings.notify
    friday_night = dt.datetime(2026, 12, 4, 21, 30, tzinfo=DISPLAY_TZ)
    assert dispatch.next_allowed(friday_night, notify) == MONDAY.replace(hour=8).astimezone(dt.UTC)
    # Spring Festival 2026 (Feb 15–23 off, Feb 14 and 28 make-up working days)
    eve = dt.datetime(2026, 2, 15, 9, 0, tzinfo=DISPLAY_TZ)
    assert dispatch.next_allowed(eve, notify) == dt.datetime(2026, 2, 24, 8, 0, tzinfo=DISPLAY_TZ).astimezone(dt.UTC)
    assert dispatch.allowed_at(dt.datetime(2026, 2, 14, 9, 0, tzinfo=DISPLAY_TZ), notify)
    wecom(store)
    clock = Clock(friday_night.astimezone(dt.UTC))
    report = send(store, settings, [event()], clock)
    assert (report.queued, report.sent) == (1, 0)
    clock.now = MONDAY.replace(hour=8).astimezone(dt.UTC)
    assert dispatch.deliver_due(store.engine, settings, clock=clock).sent == 1


def test_a_claimed_reminder_is_not_sent_by_another_process(store, robots, key_env):
    settings = notify_settings(store.settings, robots)
    wecom(store)
    report = dispatch.Report()
    dispatch.queue(store.engine, settings, [event()], NOW, report)
    [delivery_id] = dispatch._due_ids(store.engine, NOW)
    assert dispatch._claim(store.engine, delivery_id, NOW, "other-host:1") is not None
    assert dispatch._claim(store.engine, delivery_id, NOW, "this-host:2") is None
    assert dispatch.deliver_due(store.engine, settings, clock=lambda: NOW).sent == 0
    # a claim left by a process that died is taken over after STALE_CLAIM
    later = NOW + dispatch.STALE_CLAIM + dt.timedelta(seconds=1)
    assert dispatch.deliver_due(store.engine, settings, clock=lambda: later).sent == 1


# ---- secrets -------------------------------------------------------------------------------------


def test_secrets_are_encrypted_masked_and_audited_without_their_value(store, key_env):
    channel_id = dingtalk(store)
    with store.engine.connect() as conn:
        row = conn.execute(select(outbox.notify_channels)).one()
    assert DINGTALK_TOKEN not in (row.secret_token or "") and DINGTALK_SECRET not in (row.secret_token or "")
    assert outbox.open_secret(row.secret_token) == {"access_token": DINGTALK_TOKEN, "secret": DINGTALK_SECRET}
    shown = outbox.channels_frame(store.engine)
    assert shown["target"].tolist() == ["****c9d0"]
    trail = audit.search(store.engine, action="reminder_contacts_changed")
    assert len(trail) == 1 and '"secret":"changed"' in trail["detail"].iloc[0]
    everything = " ".join(trail["detail"]) + shown.to_csv()
    assert DINGTALK_TOKEN not in everything and DINGTALK_SECRET not in everything
    outbox.save_channel(store.engine, "tax", outbox.DINGTALK, "改名", "office", channel_id=channel_id)
    assert outbox.open_secret(outbox.channel(store.engine, channel_id).secret_token)["secret"] == DINGTALK_SECRET


def test_bad_input_and_a_missing_key_give_chinese_messages_and_store_nothing(store, monkeypatch):
    monkeypatch.delenv(outbox.KEY_ENV, raising=False)
    with pytest.raises(outbox.ReminderSetupError, match="DASHBOARD_NOTIFY_KEY"):
        outbox.save_channel(store.engine, "tax", outbox.WECOM, "群", "office", webhook=WECOM_KEY)
    with pytest.raises(outbox.ReminderSetupError, match="电子邮箱地址格式不正确"):
        outbox.save_channel(store.engine, "tax", outbox.EMAIL, "邮件", "office", recipients="not-an-address")
    with pytest.raises(outbox.ReminderSetupError, match="加签"):
        outbox.robot_secret(outbox.DINGTALK, f"access_token={DINGTALK_TOKEN}", "")
    with pytest.raises(outbox.ReminderSetupError, match="联系电话"):
        outbox.add_contact(store.engine, "tax", "王五", "12ab", None, "office")
    assert outbox.channels_of(store.engine) == [] and outbox.contacts(store.engine).empty


def test_test_send_reaches_the_robot_and_is_logged_and_audited(store, robots, key_env):
    settings = notify_settings(store.settings, robots)
    channel_id = wecom(store)
    answer = dispatch.send_test(store.engine, settings, channel_id, "office")
    assert answer.delivered
    assert "测试" in robots.received[0]["payload"]["markdown"]["content"]
    log = log_of(store)
    assert list(zip(log["rule"], log["outcome"])) == [("TEST", "sent")]
    assert len(audit.search(store.engine, action="reminder_test_sent")) == 1


# ---- the events (R1–R5) --------------------------------------------------------------------------

NAMES = {"tax": "市税务局", "market": "市市场监管局", "credit_office": "市营商局"}


def test_r2_counts_overdue_warnings_per_department_with_a_link(store):
    settings = store.settings
    status = pd.DataFrame(
        {
            "warning_id": ["a", "b", "c", "d"],
            "warning_type": ["W1", "W1", "W2", "W1"],
            "department_code": ["tax", "tax", "tax", "market"],
            "is_overdue": [True, True, True, False],
        }
    )
    found = events.overdue_events(status, dt.date(2026, 11, 30), dt.date(2026, 12, 9), NAMES, settings)
    by = {e.department_code: e for e in found}
    assert set(by) == {"tax", "credit_office"}
    assert by["tax"].period == "2026-12-09"
    assert "3 条预警" in by["tax"].title
    assert "多次行政处罚预警：2 条" in by["tax"].body and "行政许可到期风险：1 条" in by["tax"].body
    assert by["tax"].link.endswith("/warnings?month=2026-11&department=tax&status=overdue")


def test_r3_worsened_means_turned_red_or_a_worse_colour():
    now = pd.DataFrame(
        {
            "indicator_id": ["I12", "I14", "I03", "I05", "I19"],
            "status": ["red", "amber", "green", "red", "red"],
        }
    )
    before = pd.DataFrame({"indicator_id": ["I12", "I14", "I03", "I05"], "status": ["amber", "green", "red", "red"]})
    changed = events.worsened_indicators(now, before)
    assert list(changed["indicator_id"]) == ["I12", "I14", "I19"]
    assert list(changed["before_status"]) == ["amber", "green", "none"]


def test_r5_briefing_tells_the_office_and_the_named_departments(store):
    found = events.briefing_events(dt.date(2026, 11, 30), ["tax"], NAMES, store.settings)
    by = {e.department_code: e for e in found}
    assert set(by) == {"tax", "credit_office"}
    assert "工作推进不力" in by["tax"].body and "市税务局" in by["credit_office"].body
    assert by["tax"].link.endswith("/briefing?month=2026-11")


def test_r4_feedback_due_soon_and_overdue(store):
    settings = store.settings
    # feedback for November 2026 is due on 2026-12-20 (a Sunday: the date stands)
    soon = events.feedback_events(store.engine, dt.date(2026, 12, 16), NAMES, settings, departments=["tax"])
    assert [(e.department_code, e.period) for e in soon] == [("tax", "2026-11:due")]
    assert "2026-12-20" in soon[0].body
    early = events.feedback_events(store.engine, dt.date(2026, 12, 9), NAMES, settings, departments=["tax"])
    assert early == []
    late = events.feedback_events(store.engine, dt.date(2026, 12, 22), NAMES, settings, departments=["tax"])
    assert sorted((e.department_code, e.period) for e in late) == [
        ("credit_office", "2026-11:overdue"),
        ("tax", "2026-11:overdue"),
    ]


# ---- no personal data in any message -------------------------------------------------------------

# P6 patterns (dashboard/core/privacy.py masks): an ID number raw or masked, a masked name, a phone
# number raw or masked.
PERSONAL = [
    re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
    re.compile(r"\d{6}\*{4,}\d{3}[\dXx]"),
    re.compile(r"[\u4e00-\u9fff]\*{1,3}(?![\w*])"),
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    re.compile(r"\d{3}\*{4}\d{4}"),
]


BOLD = re.compile(r"\*\*([^*\n]+)\*\*")  # markdown emphasis of a title, not a mask


def personal_data_in(texts) -> list[str]:
    plain = [BOLD.sub(r"\1", t) for t in texts]
    return [m.group(0) for t in plain for p in PERSONAL for m in p.finditer(t)]


def test_the_personal_data_scan_catches_what_it_should():
    assert personal_data_in(["张*", "230402********123X", "13812345678", "138****5678", "230402198005171234"])
    assert not personal_data_in(["**【信用预警】市税务局新增预警 12 条**", "- 多次行政处罚预警：3 条", "month=2026-11"])


def test_r3_events_go_to_the_office_and_the_responsible_departments(pages_env):
    from dashboard.core.scope import Scope
    from dashboard.rules import indicators

    settings, con = pages_env.settings, pages_env.con
    as_of, before_day = dt.date(2026, 6, 30), dt.date(2026, 5, 31)
    changed = events.worsened_indicators(
        indicators.indicators_at(con, as_of, Scope.all(), settings=settings),
        indicators.indicators_at(con, before_day, Scope.all(), settings=settings),
    )
    found = events.indicator_events(con, as_of, NAMES, settings)
    by = {e.department_code: e for e in found}
    if changed.empty:
        assert found == []
        return
    office = by.pop("credit_office")
    assert office.period == "2026-06"
    assert all(f"- {i} " in office.body for i in changed["indicator_id"])
    expected = {c for owners in changed["responsible_departments"] for c in owners if c != "*"}
    assert set(by) == expected
    for code, e in by.items():
        own = changed[[code in owners for owners in changed["responsible_departments"]]]
        assert all(f"- {i} " in e.body for i in own["indicator_id"])
        assert "month=2026-06" in e.link
    assert personal_data_in([e.body for e in found]) == []
