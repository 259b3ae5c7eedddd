"""What reminders need in the operational store: each department's responsible people (专人) and its
channels (企业微信 group robot, 钉钉 custom robot, e-mail list), and the outbox — one row per reminder
and channel, unique by its dedup key — with every delivery attempt (the delivery log).

Secrets (a robot's webhook key or access token, the 钉钉 signing secret) are stored encrypted
(Fernet: AES-128-CBC + HMAC-SHA256) with the key in the environment variable DASHBOARD_NOTIFY_KEY,
never in the store or in settings.toml; what the page shows back is a hint (the last 4 characters).
Without the key a secret cannot be saved (a clear Chinese message says so) and a robot channel
cannot send. The SMTP password is not per channel: it comes from DASHBOARD_SMTP_PASSWORD.
Secrets are never written to the audit log, to logging, to the delivery log or to an export.

Every change of contacts and channels is recorded in the audit log (action
reminder_contacts_changed) with what changed, secrets reduced to "changed".
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    insert,
    select,
    update,
)

from dashboard.access import audit
from dashboard.core.dates import as_utc
from dashboard.store.opstore import metadata

KEY_ENV = "DASHBOARD_NOTIFY_KEY"
SMTP_PASSWORD_ENV = "DASHBOARD_SMTP_PASSWORD"

WECOM, DINGTALK, EMAIL = "wecom", "dingtalk", "email"
CHANNEL_KINDS = {WECOM: "企业微信群机器人", DINGTALK: "钉钉自定义机器人", EMAIL: "电子邮件"}

# Outbox states and the outcomes of one attempt (the delivery log).
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
STATUS_LABELS = {PENDING: "待发送", SENDING: "发送中", SENT: "已发送", FAILED: "发送失败"}
OUTCOME_SENT, OUTCOME_RETRIED, OUTCOME_FAILED = "sent", "retried", "failed"
OUTCOME_LABELS = {OUTCOME_SENT: "已发送", OUTCOME_RETRIED: "失败，将重试", OUTCOME_FAILED: "失败"}

notify_contacts = Table(
    "notify_contacts",
    metadata,
    Column("contact_id", Integer, primary_key=True, autoincrement=True),
    Column("department_code", String(64), nullable=False, index=True),
    Column("name", String(64), nullable=False),
    Column("phone", String(32)),
    Column("email", String(256)),
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

notify_channels = Table(
    "notify_channels",
    metadata,
    Column("channel_id", Integer, primary_key=True, autoincrement=True),
    Column("department_code", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # wecom | dingtalk | email
    Column("label", String(128), nullable=False),
    Column("recipients", Text),  # e-mail: comma-separated addresses; robots: none
    Column("secret_token", Text),  # Fernet token of the JSON secret (robots)
    Column("secret_hint", String(16)),  # last 4 characters of the key / access token
    Column("enabled", Boolean, nullable=False, default=True),
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

notify_deliveries = Table(
    "notify_deliveries",
    metadata,
    Column("delivery_id", Integer, primary_key=True, autoincrement=True),
    # rule|department|period|channel: inserted before sending, so a reminder goes out once
    Column("dedup_key", String(255), nullable=False),
    Column("rule", String(8), nullable=False),  # R1 … R5, or TEST
    Column("department_code", String(64), nullable=False, index=True),
    Column("period", String(64), nullable=False),
    Column("channel_id", Integer, ForeignKey("notify_channels.channel_id", ondelete="SET NULL")),
    Column("channel_kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),  # markdown; never personal data (P6), never a subject list
    Column("link", Text),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("not_before", DateTime(timezone=True), nullable=False),  # quiet hours / backoff
    Column("claimed_at", DateTime(timezone=True)),
    Column("claimed_by", String(64)),
    Column("sent_at", DateTime(timezone=True)),
    Column("last_answer", Text),
    UniqueConstraint("dedup_key", name="uq_notify_deliveries_dedup"),
)

notify_attempts = Table(
    "notify_attempts",
    metadata,
    Column("attempt_id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, ForeignKey("notify_deliveries.delivery_id"), nullable=False, index=True),
    Column("channel_id", Integer, index=True),
    Column("at", DateTime(timezone=True), nullable=False),  # UTC
    Column("outcome", String(16), nullable=False),  # sent | retried | failed
    Column("answer", Text),  # the channel's answer (HTTP status and body, SMTP reply, or the error)
)


class ReminderSetupError(ValueError):
    """Invalid contact or channel input; the message is Chinese and says what to fix."""


def _user_name(user: Any) -> str:
    return user if isinstance(user, str) else str(getattr(user, "username", user))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ensure_tables(engine: Engine) -> None:
    metadata.create_all(engine, tables=[notify_contacts, notify_channels, notify_deliveries, notify_attempts])


# ---- secrets -------------------------------------------------------------------------------------


def new_key() -> str:
    """A fresh key for DASHBOARD_NOTIFY_KEY (printed by `python -m dashboard remind key`)."""
    return Fernet.generate_key().decode("ascii")


def _fernet(env: Mapping[str, str] | None = None) -> Fernet:
    key = (os.environ if env is None else env).get(KEY_ENV, "").strip()
    if not key:
        raise ReminderSetupError(f"未设置环境变量 {KEY_ENV}（提醒渠道密钥的加密密钥），无法保存或使用机器人密钥")
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, TypeError) as exc:
        raise ReminderSetupError(
            f"环境变量 {KEY_ENV} 不是有效的密钥（用 python -m dashboard remind key 生成）"
        ) from exc


def seal_secret(secret: Mapping[str, str], env: Mapping[str, str] | None = None) -> str:
    return _fernet(env).encrypt(json.dumps(dict(secret), sort_keys=True).encode("utf-8")).decode("ascii")


def open_secret(token: str | None, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The channel's secret; raises ReminderSetupError when there is none or it cannot be read."""
    if not token:
        raise ReminderSetupError("该渠道未保存密钥")
    try:
        return dict(json.loads(_fernet(env).decrypt(token.encode("ascii"))))
    except InvalidToken as exc:
        raise ReminderSetupError(f"无法解密该渠道的密钥（{KEY_ENV} 已更换？请重新填写密钥）") from exc


def mask_secret(value: str) -> str:
    """What the page shows of a secret: its last 4 characters."""
    return f"****{value[-4:]}" if len(value) > 4 else "****"


def _query_value(text: str, name: str) -> str:
    """`name`'s value in a pasted webhook address (or a bare query), else the text itself (a bare key)."""
    if f"{name}=" not in text:
        return text
    query = urlsplit(text).query if "?" in text else text
    return parse_qs(query).get(name, [""])[0]


def robot_secret(kind: str, webhook: str, signing_secret: str = "") -> dict[str, str]:
    """The secret of a robot channel from what the office pastes: the whole webhook address (or just
    its key / access_token) and, for 钉钉, the signing secret (SEC…). Raises ReminderSetupError."""
    text = webhook.strip()
    if kind == WECOM:
        token = _query_value(text, "key")
        if not re.fullmatch(r"[0-9A-Za-z-]{8,128}", token or ""):
            raise ReminderSetupError("企业微信机器人的 Webhook 地址或 key 格式不正确（应含 key=…）")
        return {"key": token}
    if kind == DINGTALK:
        token = _query_value(text, "access_token")
        if not re.fullmatch(r"[0-9A-Za-z]{8,128}", token or ""):
            raise ReminderSetupError("钉钉机器人的 Webhook 地址或 access_token 格式不正确（应含 access_token=…）")
        secret = signing_secret.strip()
        if not secret.startswith("SEC") or len(secret) < 8:
            raise ReminderSetupError("钉钉机器人须使用“加签”安全设置：请填写以 SEC 开头的签名密钥")
        return {"access_token": token, "secret": secret}
    raise ReminderSetupError(f"未知的渠道类型：{kind}")


_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def parse_recipients(text: str) -> list[str]:
    """E-mail addresses separated by commas, semicolons, spaces or new lines; raises on a bad one."""
    found = [p for p in re.split(r"[,;，；\s]+", text or "") if p]
    bad = [p for p in found if not _EMAIL.match(p)]
    if bad:
        raise ReminderSetupError(f"电子邮箱地址格式不正确：{'、'.join(bad)}")
    if not found:
        raise ReminderSetupError("请至少填写一个电子邮箱地址")
    return found


# ---- contacts and channels -----------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    channel_id: int
    department_code: str
    kind: str
    label: str
    recipients: tuple[str, ...]
    secret_token: str | None
    secret_hint: str | None
    enabled: bool


CONTACT_COLUMNS = ["contact_id", "department_code", "name", "phone", "email", "updated_by", "updated_at"]
CHANNEL_COLUMNS = ["channel_id", "department_code", "kind", "kind_label", "label", "target", "enabled"]


def contacts(engine: Engine, department_code: str | None = None) -> pd.DataFrame:
    """The responsible people (专人), per department (CONTACT_COLUMNS), unmasked: for the office's
    contacts page only, never for a message."""
    _ensure_tables(engine)
    stmt = select(notify_contacts).order_by(notify_contacts.c.department_code, notify_contacts.c.contact_id)
    if department_code:
        stmt = stmt.where(notify_contacts.c.department_code == department_code)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
    return pd.DataFrame(rows, columns=CONTACT_COLUMNS)


def _clean_contact(name: str, phone: str | None, email: str | None) -> tuple[str, str | None, str | None]:
    name = (name or "").strip()
    if not name:
        raise ReminderSetupError("请填写联系人姓名")
    phone = re.sub(r"[\s-]", "", phone or "") or None
    if phone and not re.fullmatch(r"\+?\d{5,20}", phone):
        raise ReminderSetupError(f"联系电话格式不正确：{phone}")
    email = (email or "").strip() or None
    if email and not _EMAIL.match(email):
        raise ReminderSetupError(f"电子邮箱地址格式不正确：{email}")
    return name[:64], phone, email


def add_contact(
    engine: Engine, department_code: str, name: str, phone: str | None, email: str | None, user: Any
) -> int:
    """Add a responsible person of a department; audited. Returns the contact id."""
    name, phone, email = _clean_contact(name, phone, email)
    _ensure_tables(engine)
    who = _user_name(user)
    with engine.begin() as conn:
        contact_id = conn.execute(
            insert(notify_contacts).values(
                department_code=department_code, name=name, phone=phone, email=email, updated_by=who, updated_at=_now()
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    audit.record(
        engine,
        user,
        "reminder_contacts_changed",
        {"change": "add_contact", "department": department_code, "id": contact_id},
    )
    return int(contact_id)


def remove_contact(engine: Engine, contact_id: int, user: Any) -> None:
    _ensure_tables(engine)
    with engine.begin() as conn:
        row = conn.execute(select(notify_contacts).where(notify_contacts.c.contact_id == contact_id)).first()
        if row is None:
            raise ReminderSetupError("该联系人不存在（可能已被删除）")
        conn.execute(delete(notify_contacts).where(notify_contacts.c.contact_id == contact_id))
    audit.record(
        engine,
        user,
        "reminder_contacts_changed",
        {"change": "remove_contact", "department": row.department_code, "id": contact_id},
    )


def _channel(row: Any) -> Channel:
    recipients = tuple(p for p in (row.recipients or "").split(",") if p)
    return Channel(
        int(row.channel_id),
        row.department_code,
        row.kind,
        row.label,
        recipients,
        row.secret_token,
        row.secret_hint,
        bool(row.enabled),
    )


def channels_of(engine: Engine, department_code: str | None = None, enabled_only: bool = False) -> list[Channel]:
    _ensure_tables(engine)
    stmt = select(notify_channels).order_by(notify_channels.c.department_code, notify_channels.c.channel_id)
    if department_code:
        stmt = stmt.where(notify_channels.c.department_code == department_code)
    if enabled_only:
        stmt = stmt.where(notify_channels.c.enabled.is_(True))
    with engine.connect() as conn:
        return [_channel(r) for r in conn.execute(stmt)]


def channel(engine: Engine, channel_id: int) -> Channel | None:
    _ensure_tables(engine)
    with engine.connect() as conn:
        row = conn.execute(select(notify_channels).where(notify_channels.c.channel_id == channel_id)).first()
    return None if row is None else _channel(row)


def channels_frame(engine: Engine, department_code: str | None = None) -> pd.DataFrame:
    """Channels for the page (CHANNEL_COLUMNS): target is the e-mail list or the masked secret."""
    rows = []
    for c in channels_of(engine, department_code):
        target = "、".join(c.recipients) if c.kind == EMAIL else (c.secret_hint or "未保存密钥")
        rows.append(
            {
                "channel_id": c.channel_id,
                "department_code": c.department_code,
                "kind": c.kind,
                "kind_label": CHANNEL_KINDS.get(c.kind, c.kind),
                "label": c.label,
                "target": target,
                "enabled": c.enabled,
            }
        )
    return pd.DataFrame(rows, columns=CHANNEL_COLUMNS)


def save_channel(
    engine: Engine,
    department_code: str,
    kind: str,
    label: str,
    user: Any,
    *,
    webhook: str = "",
    signing_secret: str = "",
    recipients: str = "",
    channel_id: int | None = None,
    enabled: bool = True,
    env: Mapping[str, str] | None = None,
) -> int:
    """Add a channel (channel_id None) or change one; audited without the secret. For a robot,
    `webhook` (the address or its key / access token) and, for 钉钉, `signing_secret`; an empty
    `webhook` when changing keeps the stored secret. For e-mail, `recipients`. Raises
    ReminderSetupError (Chinese) on bad input; nothing is stored then."""
    if kind not in CHANNEL_KINDS:
        raise ReminderSetupError(f"未知的渠道类型：{kind}")
    label = (label or "").strip() or CHANNEL_KINDS[kind]
    values: dict[str, Any] = {"label": label[:128], "enabled": bool(enabled)}
    changed_secret = False
    if kind == EMAIL:
        values["recipients"] = ",".join(parse_recipients(recipients))
        values["secret_token"], values["secret_hint"] = None, None
    elif webhook.strip() or channel_id is None:
        secret = robot_secret(kind, webhook, signing_secret)
        values["secret_token"] = seal_secret(secret, env)
        values["secret_hint"] = mask_secret(secret.get("key") or secret["access_token"])
        values["recipients"] = None
        changed_secret = True
    _ensure_tables(engine)
    who = _user_name(user)
    values.update(updated_by=who, updated_at=_now())
    with engine.begin() as conn:
        if channel_id is None:
            channel_id = conn.execute(
                insert(notify_channels).values(department_code=department_code, kind=kind, **values)
            ).inserted_primary_key[0]  # type: ignore[index]
            change = "add_channel"
        else:
            done = conn.execute(
                update(notify_channels)
                .where(notify_channels.c.channel_id == channel_id, notify_channels.c.kind == kind)
                .values(**values)
            )
            if done.rowcount != 1:
                raise ReminderSetupError("该渠道不存在（可能已被删除）")
            change = "change_channel"
    detail = {
        "change": change,
        "department": department_code,
        "id": int(channel_id),
        "kind": kind,
        "label": label,
        "enabled": bool(enabled),
    }
    if kind == EMAIL:
        detail["recipients"] = len(values["recipients"].split(","))
    if changed_secret:
        detail["secret"] = "changed"
    audit.record(engine, user, "reminder_contacts_changed", detail)
    return int(channel_id)


def remove_channel(engine: Engine, channel_id: int, user: Any) -> None:
    """Delete a channel; its delivery log stays (channel id set to none)."""
    found = channel(engine, channel_id)
    if found is None:
        raise ReminderSetupError("该渠道不存在（可能已被删除）")
    with engine.begin() as conn:
        conn.execute(
            update(notify_deliveries).where(notify_deliveries.c.channel_id == channel_id).values(channel_id=None)
        )
        conn.execute(delete(notify_channels).where(notify_channels.c.channel_id == channel_id))
    audit.record(
        engine,
        user,
        "reminder_contacts_changed",
        {"change": "remove_channel", "department": found.department_code, "id": channel_id, "kind": found.kind},
    )


# ---- the delivery log ----------------------------------------------------------------------------

LOG_COLUMNS = [
    "attempt_id",
    "at",
    "rule",
    "department_code",
    "period",
    "channel_kind",
    "channel_label",
    "outcome",
    "answer",
    "title",
    "link",
    "delivery_id",
]


def delivery_log(
    engine: Engine,
    *,
    department_code: str | None = None,
    rule: str | None = None,
    outcome: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    departments: frozenset[str] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Every delivery attempt, newest first (LOG_COLUMNS), filtered by department, rule, outcome
    (sent | retried | failed) and time (UTC bounds: since inclusive, until exclusive); `departments`
    limits the rows to those departments (a department viewer's scope). `at` is tz-aware UTC."""
    _ensure_tables(engine)
    a, d, c = notify_attempts, notify_deliveries, notify_channels
    stmt = (
        select(
            a.c.attempt_id,
            a.c.at,
            d.c.rule,
            d.c.department_code,
            d.c.period,
            d.c.channel_kind,
            c.c.label.label("channel_label"),
            a.c.outcome,
            a.c.answer,
            d.c.title,
            d.c.link,
            d.c.delivery_id,
        )
        .select_from(a.join(d, a.c.delivery_id == d.c.delivery_id).outerjoin(c, d.c.channel_id == c.c.channel_id))
        .order_by(a.c.attempt_id.desc())
    )
    if department_code:
        stmt = stmt.where(d.c.department_code == department_code)
    if departments is not None:
        stmt = stmt.where(d.c.department_code.in_(sorted(departments)))
    if rule:
        stmt = stmt.where(d.c.rule == rule)
    if outcome:
        stmt = stmt.where(a.c.outcome == outcome)
    naive = engine.dialect.name == "sqlite"
    if since is not None:
        stmt = stmt.where(a.c.at >= _bound(since, naive))
    if until is not None:
        stmt = stmt.where(a.c.at < _bound(until, naive))
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
    frame = pd.DataFrame(rows, columns=LOG_COLUMNS)
    frame["at"] = [as_utc(v) for v in frame["at"]]
    return frame


def _bound(value: dt.datetime, naive: bool) -> dt.datetime:
    utc = as_utc(value).astimezone(dt.UTC)
    return utc.replace(tzinfo=None) if naive else utc


RECENT_COLUMNS = ["sent_at", "rule", "title", "link", "channel_kind"]


def recent_reminders(engine: Engine, department_code: str, limit: int = 10) -> pd.DataFrame:
    """The reminders sent to one department, newest first (RECENT_COLUMNS): what its staff were
    told and the link to the page; one row per reminder (a reminder sent on two channels counts once)."""
    _ensure_tables(engine)
    d = notify_deliveries
    stmt = (
        select(d.c.sent_at, d.c.rule, d.c.title, d.c.link, d.c.channel_kind, d.c.dedup_key)
        .where(d.c.department_code == department_code, d.c.status == SENT, d.c.rule != "TEST")
        .order_by(d.c.sent_at.desc())
        .limit(limit * 4)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(stmt)]
    seen: set[tuple[str, str]] = set()
    out = []
    for r in rows:
        key = (r["title"], r["link"] or "")
        if key in seen:
            continue
        seen.add(key)
        out.append({**r, "sent_at": as_utc(r["sent_at"])})
    return pd.DataFrame(out[:limit], columns=RECENT_COLUMNS)
