"""The reminder rules R1–R5 (docs/rules.md §7): what happened that a department should be told, as
short Chinese messages with counts and a link to the filtered page. Messages carry department
names, warning types, indicator names and counts only — never a subject, a person or any personal
data (P6) — so that they can go to a chat group.

Each event has a dedup period: the outbox sends one reminder per (rule, department, period,
channel), so recomputing an event (a second load of the same data, a restart, two schedulers)
never sends it twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import pandas as pd
from sqlalchemy import Engine

from dashboard.core.dates import add_months, month_end
from dashboard.core.scope import Scope
from dashboard.core.settings import Settings
from dashboard.core.workdays import workdays_between
from dashboard.rules import feedback, followup, indicators
from dashboard.rules.credit_warnings import WARNING_TYPES, warnings_at

# URL paths of the pages a reminder links to (dashboard/app/ui.py PAGES; notify does not import app).
WARNINGS_PATH, INDICATORS_PATH, FEEDBACK_PATH, BRIEFING_PATH = "warnings", "indicators", "feedback", "briefing"
STATUS_RANK = {"green": 0, "amber": 1, "red": 2}
STATUS_WORDS = {"green": "绿色", "amber": "黄色", "red": "红色", "none": "无数据"}
RULE_LABELS = {
    "R1": "新增预警",
    "R2": "预警超期未处置",
    "R3": "指标转红或变差",
    "R4": "月度反馈到期或逾期",
    "R5": "通报印发",
    "TEST": "测试发送",
}


@dataclass(frozen=True)
class Event:
    """One reminder to one department: rule id, dedup period, title, markdown body, link."""

    rule: str
    department_code: str
    period: str
    title: str
    body: str
    link: str


def page_link(settings: Settings, path: str, **params: str | None) -> str:
    """The shareable URL of a page with its drill state (notify.public_base_url + path + query)."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v})
    base = settings.notify.public_base_url.rstrip("/")
    return f"{base}/{path}" + (f"?{query}" if query else "")


def _month(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def _month_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def _body(lines: Iterable[str], link: str) -> str:
    return "\n".join([*lines, f"[在驾驶舱中查看]({link})"])


def _type_lines(counts: pd.Series) -> list[str]:
    order = {t: i for i, t in enumerate(WARNING_TYPES)}
    return [
        f"- {WARNING_TYPES.get(t, t)}：{int(n)} 条"
        for t, n in sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
    ]


# ---- R1: new warnings after a load ---------------------------------------------------------------


def new_warning_events(
    con_new: duckdb.DuckDBPyConnection,
    con_before: duckdb.DuckDBPyConnection | None,
    as_of: dt.date,
    names: Mapping[str, str],
    settings: Settings,
) -> list[Event]:
    """R1: per department, the warnings in force at `as_of` on the newly published data that were not
    in force at `as_of` on the data before (all of them after the first load), counted by type;
    and one digest for the credit office over every department. Period: the month and a digest
    of the new warnings' ids, so the same new warnings are never announced twice."""
    new = warnings_at(con_new, as_of, Scope.all(), settings=settings)
    if con_before is not None and not new.empty:
        before = warnings_at(con_before, as_of, Scope.all(), settings=settings)
        new = new[~new["warning_id"].isin(set(before["warning_id"]))]
    if new.empty:
        return []
    month = _month(as_of)
    events = []
    for code, rows in new.groupby("department_code", sort=True):
        if not isinstance(code, str) or not code:
            continue
        digest = hashlib.sha1("|".join(sorted(rows["warning_id"])).encode()).hexdigest()[:12]
        name = names.get(code, code)
        link = page_link(settings, WARNINGS_PATH, month=month, department=code)
        counts = rows.groupby("warning_type").size()
        events.append(
            Event(
                "R1",
                code,
                f"{month}:{digest}",
                f"【信用预警】{name}新增预警 {len(rows)} 条",
                _body([f"{_month_cn(as_of)}数据更新后，{name}新增预警 {len(rows)} 条：", *_type_lines(counts)], link),
                link,
            )
        )
    office = settings.routing["credit_office"]
    digest = hashlib.sha1("|".join(sorted(new["warning_id"])).encode()).hexdigest()[:12]
    per_dept = new.groupby("department_code").size().sort_values(ascending=False)
    link = page_link(settings, WARNINGS_PATH, month=month)
    lines = [f"{_month_cn(as_of)}数据更新后，全市新增预警 {len(new)} 条，涉及 {len(per_dept)} 个责任单位："]
    lines += [f"- {names.get(c, c)}：{int(n)} 条" for c, n in per_dept.head(10).items()]
    if len(per_dept) > 10:
        lines.append(f"- 其余 {len(per_dept) - 10} 个单位：{int(per_dept.iloc[10:].sum())} 条")
    events.append(
        Event("R1", office, f"{month}:{digest}", f"【信用预警】全市新增预警 {len(new)} 条", _body(lines, link), link)
    )
    return events


# ---- R2: overdue warnings ------------------------------------------------------------------------


def overdue_events(
    status: pd.DataFrame, as_of: dt.date, today: dt.date, names: Mapping[str, str], settings: Settings
) -> list[Event]:
    """R2: per department with warnings overdue at `as_of` (followup.warning_status is_overdue: no
    action within settings.sla.action_working_days working days), their count by type; and a
    digest for the credit office. Period: `today` — one reminder per department and working day."""
    if status.empty:
        return []
    overdue = status[status["is_overdue"].astype(bool)]
    if overdue.empty:
        return []
    month, sla = _month(as_of), settings.sla.action_working_days
    events = []
    for code, rows in overdue.groupby("department_code", sort=True):
        if not isinstance(code, str) or not code:
            continue
        name = names.get(code, code)
        link = page_link(settings, WARNINGS_PATH, month=month, department=code, status="overdue")
        lines = [
            f"{name}有 {len(rows)} 条预警超过 {sla} 个工作日未处置，请尽快处置并记录：",
            *_type_lines(rows.groupby("warning_type").size()),
        ]
        events.append(
            Event(
                "R2",
                code,
                today.isoformat(),
                f"【超期提醒】{name}{len(rows)} 条预警超期未处置",
                _body(lines, link),
                link,
            )
        )
    office = settings.routing["credit_office"]
    per_dept = overdue.groupby("department_code").size().sort_values(ascending=False)
    link = page_link(settings, WARNINGS_PATH, month=month, status="overdue")
    lines = [f"全市 {len(overdue)} 条预警超期未处置，涉及 {len(per_dept)} 个责任单位："]
    lines += [f"- {names.get(c, c)}：{int(n)} 条" for c, n in per_dept.head(10).items()]
    events.append(
        Event(
            "R2",
            office,
            today.isoformat(),
            f"【超期提醒】全市 {len(overdue)} 条预警超期未处置",
            _body(lines, link),
            link,
        )
    )
    return events


# ---- R3: indicators turning red or worse ---------------------------------------------------------


def _value_text(value: object, unit: str) -> str:
    if value is None or pd.isna(value):
        return "无数据"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:.1%}" if unit == "pct" else f"{number:g}"


def worsened_indicators(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """Indicators of `now` (indicators_at of the month) whose status is red and was not, or is worse
    than in `before` (the previous month-end): green < amber < red; no data is not a status."""
    prev = dict(zip(before["indicator_id"], before["status"]))
    keep = []
    for row in now.itertuples():
        rank = STATUS_RANK.get(row.status)
        if rank is None:
            continue
        old = prev.get(row.indicator_id, "none")
        old_rank = STATUS_RANK.get(old)
        if (old_rank is None and row.status == "red") or (old_rank is not None and rank > old_rank):
            keep.append({**row._asdict(), "before_status": old})
    columns = [*now.columns, "before_status"]
    return pd.DataFrame(keep, columns=columns).drop(columns=["Index"], errors="ignore")


def indicator_events(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, names: Mapping[str, str], settings: Settings
) -> list[Event]:
    """R3: indicators that turned red or worsened at `as_of` against the month before, to the credit
    office (all of them) and to each responsible department (its own; indicators of every 双公示
    unit go to the office only). Period: the month."""
    now = indicators.indicators_at(con, as_of, Scope.all(), settings=settings)
    before = indicators.indicators_at(
        con, month_end(add_months(as_of.replace(day=1), -1)), Scope.all(), settings=settings
    )
    changed = worsened_indicators(now, before)
    if changed.empty:
        return []
    month = _month(as_of)

    def line(r: Mapping[str, object]) -> str:
        return (
            f"- {r['indicator_id']} {r['name']}：{STATUS_WORDS.get(str(r['before_status']), '无数据')} → "
            f"{STATUS_WORDS[str(r['status'])]}（{_value_text(r['value'], str(r['unit']))}，"
            f"目标 {_value_text(r['target'], str(r['unit']))}）"
        )

    rows = changed.to_dict("records")
    recipients: dict[str, list[dict[str, object]]] = {settings.routing["credit_office"]: rows}
    for r in rows:
        for code in r["responsible_departments"] or []:
            if code != "*":
                recipients.setdefault(code, []).append(r)
    events = []
    for code, mine in sorted(recipients.items()):
        single = mine[0]["indicator_id"] if len(mine) == 1 else None
        link = page_link(settings, INDICATORS_PATH, month=month, indicator=str(single) if single else None)
        n_red = sum(1 for r in mine if r["status"] == "red")
        title = f"【指标预警】{_month_cn(as_of)} {len(mine)} 项指标变差" + (f"（{n_red} 项红色）" if n_red else "")
        lines = [f"{_month_cn(as_of)}监测指标（{names.get(code, code)}）较上月变差：", *(line(r) for r in mine)]
        events.append(Event("R3", code, month, title, _body(lines, link), link))
    return events


# ---- R4: monthly feedback due and overdue (N0) ---------------------------------------------------


def feedback_events(
    engine: Engine,
    today: dt.date,
    names: Mapping[str, str],
    settings: Settings,
    departments: Iterable[str] | None = None,
) -> list[Event]:
    """R4: for the feedback of last month (N0, dashboard.rules.feedback), a reminder to each owing
    department that has not submitted when the due date is at most
    notify.feedback_due_working_days working days away (period '<month>:due'), and one when it is
    overdue (period '<month>:overdue'); the office gets the list of overdue departments."""
    month = month_end(add_months(today.replace(day=1), -1))
    owing = list(departments) if departments is not None else feedback.departments_owing(settings=settings)
    board = feedback.feedback_board(engine, month, owing, today=today, settings=settings)
    if board.empty:
        return []
    due = feedback.due_date(month, settings)
    key, link_month = _month(month), _month(month)
    events = []
    soon = settings.notify.feedback_due_working_days
    for r in board.itertuples():
        name = names.get(r.department_code, r.department_code)
        link = page_link(settings, FEEDBACK_PATH, month=link_month, department=r.department_code)
        if r.timeliness == feedback.PENDING and r.first_submitted_date is None and workdays_between(today, due) <= soon:
            lines = [f"{name}{_month_cn(month)}的月度工作反馈应于 {due:%Y-%m-%d} 前报送市信用办（尚未报送）。"]
            events.append(
                Event(
                    "R4",
                    r.department_code,
                    f"{key}:due",
                    f"【反馈提醒】{_month_cn(month)}月度反馈即将到期",
                    _body(lines, link),
                    link,
                )
            )
        elif r.timeliness == feedback.OVERDUE:
            lines = [f"{name}{_month_cn(month)}的月度工作反馈已超过报送期限（{due:%Y-%m-%d}），请尽快报送。"]
            events.append(
                Event(
                    "R4",
                    r.department_code,
                    f"{key}:overdue",
                    f"【反馈提醒】{_month_cn(month)}月度反馈已逾期",
                    _body(lines, link),
                    link,
                )
            )
    late = [r.department_code for r in board.itertuples() if r.timeliness == feedback.OVERDUE]
    if late:
        link = page_link(settings, FEEDBACK_PATH, month=link_month)
        lines = [f"{_month_cn(month)}月度反馈逾期未报 {len(late)} 个单位：", *(f"- {names.get(c, c)}" for c in late)]
        events.append(
            Event(
                "R4",
                settings.routing["credit_office"],
                f"{key}:overdue",
                f"【反馈提醒】{len(late)} 个单位月度反馈逾期",
                _body(lines, link),
                link,
            )
        )
    return events


# ---- R5: a 通报 published ------------------------------------------------------------------------


def briefing_events(
    month: dt.date, named: Iterable[str], names: Mapping[str, str], settings: Settings, recipients: Iterable[str] = ()
) -> list[Event]:
    """R5: the month's 通报 was published: to the credit office and every department in `recipients`,
    and to each department it names (工作推进不力, N1) with that fact. Period: the month. The
    briefing's publisher (the 通报 page) calls this through dashboard.notify.dispatch.announce_briefing."""
    month = month_end(month)
    key = _month(month)
    link = page_link(settings, BRIEFING_PATH, month=key)
    named_set = sorted(set(named))
    everyone = sorted({settings.routing["credit_office"], *recipients, *named_set})
    events = []
    for code in everyone:
        lines = [f"{_month_cn(month)}全市社会信用体系建设工作通报已印发。"]
        if code in named_set:
            lines.append(f"{names.get(code, code)}被列为工作推进不力单位，请对照通报整改。")
        elif code == settings.routing["credit_office"] and named_set:
            lines.append(f"通报点名 {len(named_set)} 个单位：" + "、".join(names.get(c, c) for c in named_set))
        events.append(Event("R5", code, key, f"【通报】{_month_cn(month)}信用工作通报已印发", _body(lines, link), link))
    return events


def overdue_status(con: duckdb.DuckDBPyConnection, engine: Engine, as_of: dt.date, settings: Settings) -> pd.DataFrame:
    """The follow-up status R2 counts (every department)."""
    return followup.warning_status(con, engine, as_of, Scope.all(), settings=settings)
