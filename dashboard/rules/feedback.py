"""Rule N0, the monthly feedback (月度工作反馈) each department owes the credit office (001 九(二):
每月20日前反馈到市信用办; 000 §三 二: 每月将工作成果、存在的问题，报送市信用办). See docs/rules.md N0.

A department's report for month M holds, per indicator it answers for (001's list: the indicator
catalogue's responsible departments), what was done and what blocks it; per warning type routed to
it, how many were handled and how; and free-text problems and next steps. It moves 草稿 → 已提交 →
已退回 (returned by the office for correction, then edited and submitted again) → 已确认; every
change is kept with who and when (table `feedback_history`). The caller records each change in the
audit log too (rules do not import access: dashboard/app/feedback_forms.py does it for the app).

Due date: the `feedback.due_day` (20th) of M+1 — a date, even when it is not a working day (as the
I04 deadline). Timeliness is judged on the first submission (a report returned for correction and
submitted again stays on time): on or before the due date = 按时报送; after it = 逾期报送; nothing
submitted by the end of M+1 = 未报送; nothing yet, past the due date but within M+1 = 逾期未报; before
the due date = 未到期.

A department sees and edits only its own reports: every function takes the viewer's scope and
refuses another department's report (FeedbackAccessError); only a scope of every department (the
credit office) may return or confirm a report.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import weakref
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy import Column, Date, DateTime, Engine, Integer, String, Table, Text, insert, select, update

from dashboard.core.dates import DISPLAY_TZ, add_months, as_utc, month_end
from dashboard.core.scope import Scope
from dashboard.core.settings import REFERENCE_DIR, Settings, get_settings
from dashboard.rules.credit_warnings import WARNING_TYPES
from dashboard.rules.indicators import indicator_catalogue
from dashboard.store.opstore import metadata

DRAFT, SUBMITTED, RETURNED, CONFIRMED = "草稿", "已提交", "已退回", "已确认"
STATUSES = (DRAFT, SUBMITTED, RETURNED, CONFIRMED)
NOT_STARTED = "未填报"  # no report at all yet (the board's status of a department without a row)
# Timeliness of a department's feedback for M, judged at a given day (see the module doc).
ON_TIME, LATE, OVERDUE, MISSING, PENDING = "按时报送", "逾期报送", "逾期未报", "未报送", "未到期"
TIMELINESS = (ON_TIME, LATE, OVERDUE, MISSING, PENDING)
LATE_OR_MISSING = frozenset({LATE, OVERDUE, MISSING})
EDITABLE = frozenset({None, DRAFT, RETURNED})

feedback_reports = Table(
    "feedback_reports",
    metadata,
    Column("department_code", String(64), primary_key=True),
    Column("month", Date, primary_key=True),  # the month-end of M
    Column("status", String(8), nullable=False),
    Column("content", Text, nullable=False),  # canonical JSON (see normalise_content)
    Column("comment", Text),  # the office's note with the last return or confirmation
    Column("first_submitted_at", DateTime(timezone=True)),  # UTC; decides timeliness
    Column("submitted_at", DateTime(timezone=True)),  # UTC; the latest submission
    Column("updated_by", String(128), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

feedback_history = Table(
    "feedback_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("department_code", String(64), nullable=False, index=True),
    Column("month", Date, nullable=False),
    Column("status", String(8), nullable=False),
    Column("content", Text, nullable=False),
    Column("comment", Text),
    Column("user_name", String(128), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

BOARD_COLUMNS = [
    "department_code",
    "department_name",
    "status",
    "timeliness",
    "due_date",
    "first_submitted_date",
    "days_late",
    "updated_by",
    "updated_at",
]
HISTORY_COLUMNS = ["department_code", "month", "status", "comment", "user_name", "at"]


class FeedbackAccessError(PermissionError):
    """A viewer asked for another department's feedback, or a department for an office action."""


# ---- dates -------------------------------------------------------------------------------------


def month_of(month: dt.date | str) -> dt.date:
    """The month-end of the month `month` falls in ('2026-11', '2026-11-05' or a date)."""
    if isinstance(month, str):
        text = month.strip()
        month = dt.date.fromisoformat(text + "-01" if len(text) == 7 else text)
    return month_end(month)


def due_date(month: dt.date | str, settings: Settings | None = None) -> dt.date:
    """The day feedback for `month` is due: `feedback.due_day` of the next month (clamped to its
    length), whether a working day or not."""
    day = (settings or get_settings()).feedback.due_day
    following = add_months(month_of(month).replace(day=1), 1)
    return following.replace(day=min(max(day, 1), month_end(following).day))


def missing_after(month: dt.date | str) -> dt.date:
    """The last day of M+1: feedback not submitted by then is 未报送."""
    return month_end(add_months(month_of(month).replace(day=1), 1))


def local_date(at: dt.datetime) -> dt.date:
    """The calendar day of a moment in China (a deadline ends at 24:00 local time)."""
    return as_utc(at).astimezone(DISPLAY_TZ).date()


def today_local() -> dt.date:
    return dt.datetime.now(DISPLAY_TZ).date()


def timeliness(
    month: dt.date | str, first_submitted: dt.datetime | None, today: dt.date, settings: Settings | None = None
) -> str:
    """按时报送 / 逾期报送 / 未报送 / 逾期未报 / 未到期 for feedback of `month` first submitted at
    `first_submitted` (None: not yet), as seen on `today`."""
    due, last = due_date(month, settings), missing_after(month)
    if first_submitted is not None:
        day = local_date(first_submitted)
        if day <= due:
            return ON_TIME
        return LATE if day <= last else MISSING
    if today <= due:
        return PENDING
    return OVERDUE if today <= last else MISSING


# ---- who owes what -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _departments() -> tuple[dict[str, str], ...]:
    with open(REFERENCE_DIR / "departments.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def department_names() -> dict[str, str]:
    """department_code → short name (reference data)."""
    return {d["department_code"]: d["short_name"] for d in _departments()}


def _disclosure_units() -> frozenset[str]:
    return frozenset(d["department_code"] for d in _departments() if d["disclosure_unit"] == "1")


def indicators_owned(department_code: str, settings: Settings | None = None) -> list[str]:
    """The indicators a department answers for in its feedback, catalogue order: those whose
    responsible departments name it, and those of every 双公示 unit ('*') when it is one."""
    units = _disclosure_units()
    return [
        row.indicator_id
        for row in indicator_catalogue(settings).itertuples()
        if department_code in row.responsible_departments
        or ("*" in row.responsible_departments and department_code in units)
    ]


def departments_owing(counts: pd.DataFrame | None = None, settings: Settings | None = None) -> list[str]:
    """Codes of the departments that owe feedback for a month, in code order: every department the
    indicator catalogue names (every 双公示 unit for '*') and every department with a warning in
    force routed to it (`counts`: followup.warning_counts of the month, n_open > 0)."""
    codes: set[str] = set()
    for owners in indicator_catalogue(settings)["responsible_departments"]:
        codes.update(_disclosure_units() if "*" in owners else owners)
    if counts is not None and not counts.empty:
        held = counts[pd.to_numeric(counts["n_open"]).fillna(0) > 0]
        codes.update(c for c in held["department_code"] if isinstance(c, str) and c)
    return sorted(codes)


# ---- content -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()


def empty_content(indicator_ids: Iterable[str], warning_types: Iterable[str]) -> dict[str, Any]:
    """A blank report: one row per indicator and per warning type the department has."""
    return {
        "indicators": [{"indicator_id": i, "done": "", "blockers": ""} for i in indicator_ids],
        "warnings": [{"warning_type": t, "n_handled": 0, "how": ""} for t in warning_types],
        "problems": "",
        "next_steps": "",
    }


def normalise_content(content: Mapping[str, Any]) -> dict[str, Any]:
    """The report in its stored shape (indicators: indicator_id, done, blockers; warnings:
    warning_type, n_handled ≥ 0, how; problems; next_steps), texts stripped. Raises ValueError with
    a Chinese message for an unknown warning type or a count that is not a whole number ≥ 0."""
    indicators = [
        {
            "indicator_id": _text(r.get("indicator_id")),
            "done": _text(r.get("done")),
            "blockers": _text(r.get("blockers")),
        }
        for r in content.get("indicators") or []
        if _text(r.get("indicator_id"))
    ]
    warnings = []
    for r in content.get("warnings") or []:
        warning_type = _text(r.get("warning_type"))
        if warning_type not in WARNING_TYPES:
            raise ValueError(f"未知的预警类型：{warning_type}")
        raw = r.get("n_handled")
        try:
            n_handled = 0 if _text(raw) == "" else int(float(str(raw)))
        except ValueError:
            raise ValueError(f"{warning_type} 已处置数须为整数：{raw}") from None
        if n_handled < 0 or (_text(raw) and float(str(raw)) != n_handled):
            raise ValueError(f"{warning_type} 已处置数须为不小于0的整数：{raw}")
        warnings.append({"warning_type": warning_type, "n_handled": n_handled, "how": _text(r.get("how"))})
    return {
        "indicators": indicators,
        "warnings": warnings,
        "problems": _text(content.get("problems")),
        "next_steps": _text(content.get("next_steps")),
    }


def _has_text(content: Mapping[str, Any]) -> bool:
    return bool(
        content["problems"]
        or content["next_steps"]
        or any(r["done"] or r["blockers"] for r in content["indicators"])
        or any(r["how"] or r["n_handled"] for r in content["warnings"])
    )


def _dump(content: Mapping[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# ---- the store -----------------------------------------------------------------------------------

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def _ensure_tables(engine: Engine) -> None:
    # engines from opstore.get_engine hold the tables already; others (tests) get them here
    if engine not in _ready:
        metadata.create_all(engine, tables=[feedback_reports, feedback_history])
        _ready.add(engine)


def _check_scope(scope: Scope, department_code: str) -> None:
    if not scope.sees_all and department_code not in (scope.departments or frozenset()):
        raise FeedbackAccessError("无权查看或填报其他单位的月度工作反馈。")


def _key(department_code: str, month: dt.date):
    return (feedback_reports.c.department_code == department_code) & (feedback_reports.c.month == month)


def report_of(engine: Engine, department_code: str, month: dt.date | str, scope: Scope) -> dict[str, Any] | None:
    """The department's report for the month (None when it has none): department_code, month,
    status, content (normalised dict), comment, first_submitted_at, submitted_at, updated_by,
    updated_at (UTC). Raises FeedbackAccessError outside the viewer's scope."""
    _check_scope(scope, department_code)
    _ensure_tables(engine)
    month = month_of(month)
    with engine.connect() as conn:
        row = conn.execute(select(feedback_reports).where(_key(department_code, month))).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["content"] = json.loads(out["content"])
    for column in ("first_submitted_at", "submitted_at", "updated_at"):
        out[column] = as_utc(out[column]) if out[column] is not None else None
    return out


def _change(
    engine: Engine,
    department_code: str,
    month: dt.date,
    user: str,
    allowed_from: frozenset[str | None],
    new_status: str,
    content: Mapping[str, Any] | None,
    comment: str | None,
    at: dt.datetime | None,
) -> dict[str, Any]:
    """Move the report to `new_status` (from one of `allowed_from`), in one transaction with its
    history row."""
    if not user or not user.strip():
        raise ValueError("须记录操作人。")
    _ensure_tables(engine)
    at = as_utc(at).astimezone(dt.UTC) if at is not None else dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        row = conn.execute(select(feedback_reports).where(_key(department_code, month)).with_for_update()).first()
        current = row.status if row is not None else None
        if current not in allowed_from:
            shown = current or NOT_STARTED
            raise ValueError(f"该月度工作反馈当前为“{shown}”，不能改为“{new_status}”。")
        body = _dump(content) if content is not None else (row.content if row is not None else _dump({}))
        values: dict[str, Any] = {
            "status": new_status,
            "content": body,
            "updated_by": user.strip(),
            "updated_at": at,
        }
        if comment is not None:
            values["comment"] = comment
        if new_status == SUBMITTED:
            values["submitted_at"] = at
            if row is None or row.first_submitted_at is None:
                values["first_submitted_at"] = at
        if row is None:
            conn.execute(insert(feedback_reports).values(department_code=department_code, month=month, **values))
        else:
            conn.execute(update(feedback_reports).where(_key(department_code, month)).values(**values))
        conn.execute(
            insert(feedback_history).values(
                department_code=department_code,
                month=month,
                status=new_status,
                content=body,
                comment=comment,
                user_name=user.strip(),
                at=at,
            )
        )
    return {"department_code": department_code, "month": month, "status": new_status, "at": at}


def save_draft(
    engine: Engine,
    department_code: str,
    month: dt.date | str,
    content: Mapping[str, Any],
    user: str,
    scope: Scope,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Keep the report's content without submitting it (a new report becomes 草稿; a returned one
    stays 已退回 until submitted again). Refused once submitted or confirmed."""
    _check_scope(scope, department_code)
    month = month_of(month)
    stored = normalise_content(content)
    current = report_of(engine, department_code, month, scope)
    status = RETURNED if current is not None and current["status"] == RETURNED else DRAFT
    return _change(engine, department_code, month, user, EDITABLE, status, stored, None, at)


def submit(
    engine: Engine,
    department_code: str,
    month: dt.date | str,
    content: Mapping[str, Any],
    user: str,
    scope: Scope,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Submit the report (草稿 or 已退回, or a new one → 已提交). Refused when it says nothing."""
    _check_scope(scope, department_code)
    stored = normalise_content(content)
    if not _has_text(stored):
        raise ValueError("反馈内容为空：请至少填写一项工作情况、存在问题或下一步工作后再提交。")
    return _change(engine, department_code, month_of(month), user, EDITABLE, SUBMITTED, stored, None, at)


def _office_only(scope: Scope) -> None:
    if not scope.sees_all:
        raise FeedbackAccessError("只有市信用办可以退回或确认月度工作反馈。")


def return_report(
    engine: Engine,
    department_code: str,
    month: dt.date | str,
    comment: str,
    user: str,
    scope: Scope,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The office returns a submitted report for correction (已提交 → 已退回), saying why."""
    _office_only(scope)
    if not comment or not comment.strip():
        raise ValueError("退回时须写明退回原因。")
    return _change(
        engine, department_code, month_of(month), user, frozenset({SUBMITTED}), RETURNED, None, comment.strip(), at
    )


def confirm(
    engine: Engine,
    department_code: str,
    month: dt.date | str,
    user: str,
    scope: Scope,
    comment: str = "",
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The office confirms a submitted report (已提交 → 已确认)."""
    _office_only(scope)
    return _change(
        engine,
        department_code,
        month_of(month),
        user,
        frozenset({SUBMITTED}),
        CONFIRMED,
        None,
        (comment or "").strip(),
        at,
    )


def history(engine: Engine, department_code: str, month: dt.date | str, scope: Scope) -> pd.DataFrame:
    """Every change of the department's report for the month, oldest first (HISTORY_COLUMNS; `at`
    in UTC)."""
    _check_scope(scope, department_code)
    _ensure_tables(engine)
    month = month_of(month)
    query = (
        select(*[feedback_history.c[c] for c in HISTORY_COLUMNS])
        .where((feedback_history.c.department_code == department_code) & (feedback_history.c.month == month))
        .order_by(feedback_history.c.at, feedback_history.c.id)
    )
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for r in rows:
        r["at"] = as_utc(r["at"])
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS)


def feedback_board(
    engine: Engine,
    month: dt.date | str,
    departments: Iterable[str],
    *,
    scope: Scope | None = None,
    today: dt.date | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """One row per department of `departments` (those owing feedback: departments_owing) that the
    scope reaches, in code order (BOARD_COLUMNS): status (未填报 without a report), timeliness
    at `today` (default: today in China), the due date, the day of the first submission, days_late
    (days past the due date of a late submission, or so far for one not yet submitted; 0 otherwise)
    and who changed it last and when (UTC)."""
    scope = scope if scope is not None else Scope.all()
    today = today or today_local()
    month = month_of(month)
    _ensure_tables(engine)
    wanted = sorted({c for c in departments if scope.sees_all or c in (scope.departments or frozenset())})
    with engine.connect() as conn:
        stored = {
            r.department_code: r
            for r in conn.execute(select(feedback_reports).where(feedback_reports.c.month == month))
            if r.department_code in wanted
        }
    names = department_names()
    due = due_date(month, settings)
    rows = []
    for code in wanted:
        r = stored.get(code)
        first = as_utc(r.first_submitted_at) if r is not None and r.first_submitted_at is not None else None
        state = timeliness(month, first, today, settings)
        if first is not None:
            days_late = max((local_date(first) - due).days, 0)
        else:
            days_late = max((today - due).days, 0)
        rows.append(
            {
                "department_code": code,
                "department_name": names.get(code, code),
                "status": r.status if r is not None else NOT_STARTED,
                "timeliness": state,
                "due_date": due,
                "first_submitted_date": local_date(first) if first is not None else None,
                "days_late": days_late,
                "updated_by": r.updated_by if r is not None else None,
                "updated_at": as_utc(r.updated_at) if r is not None else None,
            }
        )
    return pd.DataFrame(rows, columns=BOARD_COLUMNS)


def late_or_missing(board: pd.DataFrame) -> set[str]:
    """Departments of a feedback_board whose feedback is late or missing (N1 criterion (c))."""
    if board.empty:
        return set()
    return set(board.loc[board["timeliness"].isin(LATE_OR_MISSING), "department_code"])


def reports_of_month(engine: Engine, month: dt.date | str, scope: Scope) -> pd.DataFrame:
    """The month's stored reports the scope reaches: department_code, status, content (dict) —
    for the 通报 and the office's overview."""
    _ensure_tables(engine)
    month = month_of(month)
    with engine.connect() as conn:
        rows = [
            {"department_code": r.department_code, "status": r.status, "content": json.loads(r.content)}
            for r in conn.execute(
                select(feedback_reports)
                .where(feedback_reports.c.month == month)
                .order_by(feedback_reports.c.department_code)
            )
            if scope.sees_all or r.department_code in (scope.departments or frozenset())
        ]
    return pd.DataFrame(rows, columns=["department_code", "status", "content"])
