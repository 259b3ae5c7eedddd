"""The app's side of the monthly feedback (N0, dashboard.rules.feedback): each change a viewer makes
is done through the rule's function (which checks the viewer's scope and the status flow) and then
recorded in the audit log; and the frames the 月度反馈 page shows (board, report content, history)
with their texts ready for display."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from dashboard.access import audit
from dashboard.core import formatting as fmt
from dashboard.core.dates import local_time_text
from dashboard.rules import feedback
from dashboard.rules.credit_warnings import WARNING_TYPES

ACTIONS = {
    "save": ("feedback_saved", feedback.save_draft),
    "submit": ("feedback_submitted", feedback.submit),
}


def _audit(engine: Engine, viewer: Any, action: str, department_code: str, month: dt.date, **extra: Any) -> None:
    audit.record(engine, viewer, action, {"department": department_code, "month": fmt.month_param(month)[:7], **extra})


def save_or_submit(
    engine: Engine, viewer: Any, department_code: str, month: dt.date, content: Mapping[str, Any], submit: bool
) -> dict[str, Any]:
    """Save the department's report as a draft or submit it, as `viewer`, and audit it. Raises
    ValueError / feedback.FeedbackAccessError with the Chinese message to show."""
    action, fn = ACTIONS["submit" if submit else "save"]
    result = fn(engine, department_code, month, content, viewer.username, viewer.scope)
    _audit(engine, viewer, action, department_code, month)
    return result


def review(
    engine: Engine, viewer: Any, department_code: str, month: dt.date, decision: str, comment: str = ""
) -> dict[str, Any]:
    """The office returns (`decision` 'return', with a reason) or confirms ('confirm') a submitted
    report, and the change is audited."""
    if decision == "return":
        result = feedback.return_report(engine, department_code, month, comment, viewer.username, viewer.scope)
        _audit(engine, viewer, "feedback_returned", department_code, month, reason=comment)
    elif decision == "confirm":
        result = feedback.confirm(engine, department_code, month, viewer.username, viewer.scope, comment=comment)
        _audit(engine, viewer, "feedback_confirmed", department_code, month)
    else:
        raise ValueError(f"unknown review decision {decision!r}")
    return result


def board_view(board: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The board with the last change as local time text (the table shows it as it stands) and
    the person who made it by display name (`names`: username → display name; a username no
    longer in the users table is shown as it is)."""
    out = board.copy()
    out["updated_at"] = [local_time_text(v) if v is not None and not pd.isna(v) else None for v in out["updated_at"]]
    out["updated_by"] = [
        None if v is None or pd.isna(v) else names.get(str(v), str(v)) for v in out["updated_by"].astype(object)
    ]
    return out


def board_totals(board: pd.DataFrame) -> dict[str, int]:
    """How many departments owe feedback and how many are in each timeliness state."""
    counts = board["timeliness"].value_counts() if not board.empty else pd.Series(dtype=int)
    return {"n_departments": len(board), **{state: int(counts.get(state, 0)) for state in feedback.TIMELINESS}}


def form_content(
    report: Mapping[str, Any] | None,
    indicator_ids: list[str],
    counts: pd.DataFrame,
    department_code: str,
) -> dict[str, Any]:
    """The report the form starts from: the stored content, with a row for every indicator the
    department answers for and every warning type routed to it at the month (handled count
    pre-filled with the follow-up the department recorded in the app)."""
    mine = counts[counts["department_code"] == department_code] if not counts.empty else counts
    types = [t for t in WARNING_TYPES if not mine.empty and t in set(mine["warning_type"])]
    acted = dict(zip(mine["warning_type"], mine["n_acted"])) if not mine.empty else {}
    blank = feedback.empty_content(indicator_ids, types)
    for row in blank["warnings"]:
        row["n_handled"] = int(acted.get(row["warning_type"], 0))
    if report is None:
        return blank
    stored = report["content"]
    by_indicator = {r["indicator_id"]: r for r in stored.get("indicators", [])}
    by_type = {r["warning_type"]: r for r in stored.get("warnings", [])}
    return {
        "indicators": [by_indicator.get(r["indicator_id"], r) for r in blank["indicators"]]
        + [r for i, r in by_indicator.items() if i not in indicator_ids],
        "warnings": [by_type.get(r["warning_type"], r) for r in blank["warnings"]]
        + [r for t, r in by_type.items() if t not in types],
        "problems": stored.get("problems", ""),
        "next_steps": stored.get("next_steps", ""),
    }


def open_counts(counts: pd.DataFrame, department_code: str) -> dict[str, tuple[int, int]]:
    """warning type → (in force, acted on) for the department at the month."""
    mine = counts[counts["department_code"] == department_code] if not counts.empty else counts
    return {r.warning_type: (int(r.n_open), int(r.n_acted)) for r in mine.itertuples()}


def indicator_rows(content: Mapping[str, Any], names: Mapping[str, str]) -> pd.DataFrame:
    """The report's indicator part as a table: indicator_id, name, done, blockers."""
    rows = [
        {
            "indicator_id": r["indicator_id"],
            "name": names.get(r["indicator_id"], ""),
            "done": r.get("done", ""),
            "blockers": r.get("blockers", ""),
        }
        for r in content.get("indicators", [])
    ]
    return pd.DataFrame(rows, columns=["indicator_id", "name", "done", "blockers"])


def warning_rows(content: Mapping[str, Any]) -> pd.DataFrame:
    """The report's warning part as a table: warning_type, type_name, n_handled, how."""
    rows = [
        {
            "warning_type": r["warning_type"],
            "type_name": WARNING_TYPES.get(r["warning_type"], r["warning_type"]),
            "n_handled": int(r.get("n_handled", 0)),
            "how": r.get("how", ""),
        }
        for r in content.get("warnings", [])
    ]
    return pd.DataFrame(rows, columns=["warning_type", "type_name", "n_handled", "how"])


def history_view(history: pd.DataFrame) -> pd.DataFrame:
    """A report's history with local time text."""
    out = history.copy()
    out["at"] = [local_time_text(v) for v in out["at"]]
    out["comment"] = out["comment"].astype(object).where(out["comment"].notna(), "")
    return out
