"""What the reminder screens need from dashboard.notify (pages import the app, never notify): the
contacts and channels of a department, saving them (audited), 测试发送, the delivery log with
Chinese headers and Beijing time, and the reminders a department got (信用预警 page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from dashboard.access import users
from dashboard.core.dates import DISPLAY_TZ, local_time_text
from dashboard.core.settings import get_settings
from dashboard.notify import dispatch, outbox
from dashboard.notify.events import RULE_LABELS

ReminderSetupError = outbox.ReminderSetupError
CHANNEL_KINDS = outbox.CHANNEL_KINDS
OUTCOME_LABELS = outbox.OUTCOME_LABELS
WECOM, DINGTALK, EMAIL = outbox.WECOM, outbox.DINGTALK, outbox.EMAIL

CONTACT_HEADERS = {
    "contact_id": "编号",
    "name": "姓名",
    "phone": "联系电话",
    "email": "电子邮箱",
    "updated_by": "修改人",
}
CHANNEL_HEADERS = {
    "channel_id": "编号",
    "kind_label": "渠道",
    "label": "名称",
    "target": "接收地址/密钥",
    "enabled": "启用",
}
LOG_HEADERS = {
    "at_local": "时间（北京时间）",
    "rule_label": "提醒",
    "department_name": "责任单位",
    "period": "周期",
    "kind_label": "渠道",
    "channel_label": "渠道名称",
    "outcome_label": "结果",
    "answer": "渠道应答",
    "title": "标题",
    "link": "链接",
}
RECENT_HEADERS = {"sent_local": "发送时间", "rule_label": "提醒", "title": "内容", "link": "链接"}


def department_names() -> dict[str, str]:
    return users.department_names()


def contacts_table(engine: Engine, department_code: str) -> pd.DataFrame:
    frame = outbox.contacts(engine, department_code)
    frame = frame.assign(phone=frame["phone"].fillna(""), email=frame["email"].fillna(""))
    return frame[list(CONTACT_HEADERS)].rename(columns=CONTACT_HEADERS)


def channels(engine: Engine, department_code: str) -> list[outbox.Channel]:
    return outbox.channels_of(engine, department_code)


def channels_table(engine: Engine, department_code: str) -> pd.DataFrame:
    frame = outbox.channels_frame(engine, department_code)
    frame = frame.assign(enabled=frame["enabled"].map({True: "是", False: "否"}))
    return frame[list(CHANNEL_HEADERS)].rename(columns=CHANNEL_HEADERS)


def add_contact(engine: Engine, department_code: str, name: str, phone: str, email: str, viewer: Any) -> int:
    return outbox.add_contact(engine, department_code, name, phone, email, viewer)


def remove_contact(engine: Engine, contact_id: int, viewer: Any) -> None:
    outbox.remove_contact(engine, contact_id, viewer)


def save_channel(engine: Engine, department_code: str, kind: str, label: str, viewer: Any, **kwargs: Any) -> int:
    return outbox.save_channel(engine, department_code, kind, label, viewer, **kwargs)


def remove_channel(engine: Engine, channel_id: int, viewer: Any) -> None:
    outbox.remove_channel(engine, channel_id, viewer)


def send_test(engine: Engine, channel_id: int, viewer: Any) -> tuple[bool, str]:
    """测试发送 on one channel: (delivered, the channel's answer)."""
    answer = dispatch.send_test(engine, get_settings(), channel_id, viewer)
    return answer.delivered, answer.text


def _day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    start = dt.datetime.combine(since, dt.time(), tzinfo=DISPLAY_TZ) if since else None
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=DISPLAY_TZ) if until else None
    return start, end


def delivery_log_table(
    engine: Engine,
    *,
    department_code: str | None = None,
    rule: str | None = None,
    outcome: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """The delivery log (newest first) with Chinese headers, filtered; `since`/`until` are Beijing
    dates, both included."""
    start, end = _day_bounds(since, until)
    frame = outbox.delivery_log(
        engine, department_code=department_code, rule=rule, outcome=outcome, since=start, until=end
    )
    names = department_names()
    frame = frame.assign(
        at_local=[local_time_text(v) for v in frame["at"]],
        rule_label=[RULE_LABELS.get(r, r) for r in frame["rule"]],
        department_name=[names.get(c, c) for c in frame["department_code"]],
        kind_label=[CHANNEL_KINDS.get(k, k) for k in frame["channel_kind"]],
        outcome_label=[OUTCOME_LABELS.get(o, o) for o in frame["outcome"]],
    )
    return frame[list(LOG_HEADERS)].rename(columns=LOG_HEADERS)


def recent_reminders_table(engine: Engine, department_code: str, limit: int = 10) -> pd.DataFrame:
    """The reminders sent to a department, newest first, for the 信用预警 page."""
    frame = outbox.recent_reminders(engine, department_code, limit)
    frame = frame.assign(
        sent_local=[local_time_text(v) for v in frame["sent_at"]],
        rule_label=[RULE_LABELS.get(r, r) for r in frame["rule"]],
    )
    return frame[list(RECENT_HEADERS)].rename(columns=RECENT_HEADERS)


def recent_reminders_for(engine: Engine, department_codes: list[str], limit: int = 10) -> pd.DataFrame:
    """recent_reminders_table of several departments (a user bound to more than one), newest first."""
    frames = [recent_reminders_table(engine, code, limit) for code in department_codes]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=list(RECENT_HEADERS.values()))
    return pd.concat(frames, ignore_index=True).sort_values("发送时间", ascending=False).head(limit)
