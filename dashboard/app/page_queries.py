"""What the pages need beyond the rules engine's API.

Compositions of the rules engine's results (indicator tiles with last month's change, the
  weakest indicators, warnings opened in a month, warning lists with their follow-up, a
  department's scorecard, the ranking of departments for the monthly 通报). These take the frames
  the rules engine returned — the pages fetch each through the cache once (dashboard.app.ui.cached),
  so one computation of, say, warning_status serves every view built on it — and return
  DataFrames with English snake_case columns.

The arithmetic and ordering of the views live here so that pages only lay out what comes back.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from dashboard.core import formatting as fmt
from dashboard.core.dates import month_end
from dashboard.rules.followup import STATE_COUNT_COLUMNS
from dashboard.rules.ranking import DISCLOSURE_INDICATORS

TILE_COLUMNS = (
    "indicator_id",
    "name",
    "value",
    "numerator",
    "denominator",
    "target",
    "tolerance",
    "direction",
    "unit",
    "status",
    "responsible_departments",
    "source",
    "previous_value",
    "change",
    "shortfall",
)
# Follow-up states a warning list can be narrowed to (URL parameter `status`).
WARNING_STATES = {"open": "未处置", "acted": "已处置", "overdue": "超期未处置", "resolved": "已解除"}


# ---- small helpers ------------------------------------------------------------------------------------


def total(frame: pd.DataFrame, column: str) -> int:
    """The sum of a count column (0 for an empty frame)."""
    return int(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum()) if not frame.empty else 0


def _codes(value: Any) -> list[str]:
    """responsible_departments as a list of codes (the API gives a list; '|' text is accepted)."""
    if isinstance(value, str):
        value = value.split("|")
    elif hasattr(value, "tolist"):
        value = value.tolist()
    elif value is None or not isinstance(value, (list, tuple)):
        return []
    return [str(v) for v in value if str(v)]


def responsible_names(responsible: Any, names: Mapping[str, str]) -> str:
    """Responsible departments in words ('*' = every 双公示 unit)."""
    codes = _codes(responsible)
    return "全部双公示单位" if "*" in codes else "、".join(names.get(c, c) for c in codes)


def shortfall(value: Any, target: Any, tolerance: Any, direction: str) -> float:
    """How far an indicator misses its target, in units of its amber tolerance (0 when met;
    NaN without data). Dividing by the tolerance puts ratios and counts on one scale: a red
    indicator is more than one tolerance away."""
    if fmt.is_missing(value) or fmt.is_missing(target):
        return math.nan
    gap = float(target) - float(value) if direction == "higher" else float(value) - float(target)
    if gap <= 0:
        return 0.0
    tol = 0.0 if fmt.is_missing(tolerance) else float(tolerance)
    return gap / tol if tol > 0 else gap * 1000.0


# ---- indicators -------------------------------------------------------------------------------------


def untimed_records(at: pd.DataFrame) -> int | None:
    """How many reported 双公示 records carry no 上报时间 (I04c counts only those that do): I04b's
    denominator (every reported record) minus I04c's, from indicators_at; None without I04 data."""
    by_id = at.set_index("indicator_id")
    if not {"I04b", "I04c"} <= set(by_id.index):
        return None
    reported, timed = by_id.at["I04b", "denominator"], by_id.at["I04c", "denominator"]
    if pd.isna(reported) or pd.isna(timed):
        return None
    return max(int(reported) - int(timed), 0)


def indicator_tiles(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """indicators_at of the month (`now`) with last month's value beside it (`before`):
    previous_value, change (value − previous) and shortfall; catalogue order."""
    out = now.merge(
        before[["indicator_id", "value"]].rename(columns={"value": "previous_value"}), on="indicator_id", how="left"
    )
    out["change"] = pd.to_numeric(out["value"], errors="coerce") - pd.to_numeric(out["previous_value"], errors="coerce")
    out["shortfall"] = [
        shortfall(v, t, tol, d) for v, t, tol, d in zip(out["value"], out["target"], out["tolerance"], out["direction"])
    ]
    return out.loc[:, [c for c in TILE_COLUMNS if c in out.columns]]


def weakest_indicators(tiles: pd.DataFrame, names: Mapping[str, str], n: int = 3) -> pd.DataFrame:
    """The `n` indicators furthest from target — red before amber, then by shortfall — with the
    names of their responsible departments (responsible_names); only indicators that miss."""
    order = {"red": 0, "amber": 1}
    missing = tiles[tiles["status"].isin(list(order))].copy()
    missing["_order"] = missing["status"].map(order)
    missing = missing.sort_values(["_order", "shortfall"], ascending=[True, False], kind="stable").head(n)
    missing["responsible_names"] = [responsible_names(v, names) for v in missing["responsible_departments"]]
    return missing.drop(columns="_order").reset_index(drop=True)


def department_choices(by_department: pd.DataFrame, responsible: Any) -> list[str]:
    """Departments an indicator's list can be narrowed to: those of its department breakdown,
    else its responsible departments ('*' — every 双公示 unit — offers none)."""
    if not by_department.empty:
        return [c for c in by_department["department_code"] if isinstance(c, str) and c]
    return [c for c in _codes(responsible) if c != "*"]


def indicators_of(catalogue: pd.DataFrame, department_code: str) -> list[str]:
    """The indicators a department answers for: those naming it or '*' (every 双公示 unit), and
    the 双公示 indicators I04a–c, I05 — catalogue order."""
    mine = [
        row.indicator_id
        for row in catalogue.itertuples()
        if department_code in _codes(row.responsible_departments) or "*" in _codes(row.responsible_departments)
    ]
    return [i for i in catalogue["indicator_id"] if i in mine or i in DISCLOSURE_INDICATORS]


def department_indicators(
    now: pd.DataFrame, by_department: Mapping[str, pd.DataFrame], department_code: str, wanted: Iterable[str]
) -> pd.DataFrame:
    """The department's row of each `wanted` indicator: indicator_id, name, unit, direction,
    scope_level (本单位 where the indicator is broken down by department, else 全市 — the city
    value), value, numerator, denominator, target, status, value_text and target_text (in each
    row's own unit). An indicator broken down by department without a row for it is left out."""
    city = now.set_index("indicator_id")
    rows = []
    for indicator_id in wanted:
        if indicator_id not in city.index:
            continue
        meta = city.loc[indicator_id]
        frame = by_department.get(indicator_id, pd.DataFrame())
        mine = frame[frame["department_code"] == department_code] if not frame.empty else frame
        if not frame.empty and mine.empty:
            continue
        source = mine.iloc[0] if not mine.empty else meta
        rows.append(
            {
                "indicator_id": indicator_id,
                "name": meta["name"],
                "unit": meta["unit"],
                "direction": meta["direction"],
                "scope_level": "本单位" if not mine.empty else "全市",
                **{c: source.get(c) for c in ("value", "numerator", "denominator", "target", "status")},
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "indicator_id",
            "name",
            "unit",
            "direction",
            "scope_level",
            "value",
            "numerator",
            "denominator",
            "target",
            "status",
        ],
    )
    # one table holds ratios and counts: the texts carry each row's own unit
    out["value_text"] = [fmt.fmt_value(v, u) for v, u in zip(out["value"], out["unit"])]
    out["target_text"] = [
        f"{'≥' if d == 'higher' else '≤'} {fmt.fmt_value(t, u)}"
        for t, u, d in zip(out["target"], out["unit"], out["direction"])
    ]
    return out


# ---- I00 ------------------------------------------------------------------------------------------


def home_city_latest(scores: pd.DataFrame) -> dict[str, Any] | None:
    """The home city's newest I00 row (indicators.city_scores, is_home_city) with the change from
    the month before: month, city, score, rank, rank_in_province, score_change, rank_change
    (positive = more places down the ranking, i.e. worse)."""
    if scores.empty:
        return None
    home = scores[scores["is_home_city"].fillna(False).astype(bool)].sort_values("month")
    if home.empty:
        return None
    last = home.iloc[-1]
    before = home.iloc[-2] if len(home) > 1 else None
    return {
        "month": last["month"],
        "city": last["city"],
        "score": float(last["score"]),
        "rank": last["rank"],
        "rank_in_province": last.get("rank_in_province"),
        "score_change": None if before is None else float(last["score"]) - float(before["score"]),
        "rank_change": None if before is None else int(last["rank"]) - int(before["rank"]),
    }


# ---- warnings ---------------------------------------------------------------------------------------


def warnings_opened(warnings: pd.DataFrame, as_of: dt.date, types: Mapping[str, str]) -> pd.DataFrame:
    """warning_type, type_name, n_warnings: of warnings_at(as_of), those first seen in the month
    of `as_of`, one row per type of `types` (credit_warnings.WARNING_TYPES; zero where none)."""
    if warnings.empty:
        counts: Mapping[str, int] = {}
    else:
        first = pd.to_datetime(warnings["first_seen_month"]).dt.date
        counts = warnings.loc[first == month_end(as_of), "warning_type"].value_counts().to_dict()
    return pd.DataFrame(
        [(t, label, int(counts.get(t, 0))) for t, label in types.items()],
        columns=["warning_type", "type_name", "n_warnings"],
    )


def overview_of(counts: pd.DataFrame) -> pd.DataFrame:
    """Per department, all types together (from warning_counts): department_code,
    department_name, n_open, n_acted, n_overdue, n_waiting (open, not acted on, not yet overdue);
    most overdue first."""
    columns = ["department_code", "department_name", "n_open", "n_acted", "n_overdue", "n_waiting"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    keyed = counts.assign(
        department_code=counts["department_code"].fillna(""),
        department_name=counts["department_name"].fillna("未匹配部门"),
    )
    summed = keyed.groupby(["department_code", "department_name"], as_index=False)[
        ["n_open", "n_acted", "n_overdue"]
    ].sum()
    summed["n_waiting"] = (summed["n_open"] - summed["n_acted"] - summed["n_overdue"]).clip(lower=0)
    summed["department_code"] = summed["department_code"].replace("", None)
    summed = summed.sort_values(["n_overdue", "n_open", "department_name"], ascending=[False, False, True])
    return summed[columns].reset_index(drop=True)


def warning_totals(overview: pd.DataFrame) -> dict[str, int]:
    """n_open, n_acted, n_overdue over all departments of overview_of."""
    return {c: total(overview, c) for c in ("n_open", "n_acted", "n_overdue")}


def warning_counts_of(
    counts: pd.DataFrame, types: Mapping[str, str], department_code: str | None = None, warning_type: str | None = None
) -> pd.DataFrame:
    """warning_counts with type_name, narrowed to a department and/or a type."""
    if department_code:
        counts = counts[counts["department_code"] == department_code]
    if warning_type:
        counts = counts[counts["warning_type"] == warning_type]
    return counts.assign(type_name=counts["warning_type"].map(types)).reset_index(drop=True)


def warning_list_of(
    status: pd.DataFrame,
    types: Mapping[str, str],
    state: str | None = None,
    warning_type: str | None = None,
    department_code: str | None = None,
) -> pd.DataFrame:
    """A warning list with its follow-up, from `status` (followup.warning_status: every column of
    warnings_at plus status, deadline_date, first_action_date, working_days_to_first_action,
    is_overdue, n_steps), narrowed to a type and department, with type_name. Without `state` it
    lists the warnings holding at T; `state` narrows them: open (no action yet), acted, overdue; or
    it lists the resolved ones (已解除: no longer held)."""
    rows = status[status["holds"].astype(bool) != (state == "resolved")]
    if warning_type:
        rows = rows[rows["warning_type"] == warning_type]
    if department_code:
        rows = rows[rows["department_code"] == department_code]
    if state in ("open", "acted"):
        acted = rows["first_action_date"].notna()
        rows = rows[acted if state == "acted" else ~acted]
    elif state == "overdue":
        rows = rows[rows["is_overdue"].fillna(False).astype(bool)]
    return rows.assign(type_name=rows["warning_type"].map(types)).reset_index(drop=True)


def warning_detail(status: pd.DataFrame, warning_id: str, types: Mapping[str, str]) -> dict[str, Any] | None:
    """One warning's row of warning_status with type_name; None when it is not there (the viewer's
    scope does not reach it, or it neither holds nor was resolved at the month)."""
    rows = status[status["warning_id"] == warning_id]
    if rows.empty:
        return None
    out = rows.iloc[0].to_dict()
    out["type_name"] = types.get(out["warning_type"], out["warning_type"])
    return out


def department_followup(counts: pd.DataFrame, department_code: str, types: Mapping[str, str]) -> pd.DataFrame:
    """One department's warning_counts, one row per warning type of `types` (zeros where it has
    none): warning_type, type_name, n_open, n_acted, n_overdue, n_resolved,
    median_working_days_to_first_action."""
    mine = counts[counts["department_code"] == department_code].set_index("warning_type")
    rows = []
    for wtype, label in types.items():
        found = wtype in mine.index
        rows.append(
            (
                wtype,
                label,
                *(int(mine.at[wtype, c]) if found else 0 for c in STATE_COUNT_COLUMNS),
                float(mine.at[wtype, "median_working_days_to_first_action"]) if found else math.nan,
            )
        )
    return pd.DataFrame(
        rows, columns=["warning_type", "type_name", *STATE_COUNT_COLUMNS, "median_working_days_to_first_action"]
    )


def followup_totals(status: pd.DataFrame, department_code: str | None = None) -> dict[str, Any]:
    """Warnings holding at the month (warning_status), of one department or all: n_open, n_acted,
    n_overdue, and median_days — the median working days from first appearance to first action
    of those acted on (NaN when none)."""
    rows = status[status["holds"].astype(bool)] if not status.empty else status
    if department_code is not None and not rows.empty:
        rows = rows[rows["department_code"] == department_code]
    days = pd.to_numeric(rows["working_days_to_first_action"], errors="coerce").dropna() if not rows.empty else rows
    return {
        "n_open": len(rows),
        "n_acted": int(rows["first_action_date"].notna().sum()) if not rows.empty else 0,
        "n_overdue": int(rows["is_overdue"].fillna(False).astype(bool).sum()) if not rows.empty else 0,
        "median_days": float(days.median()) if len(days) else math.nan,
    }


# ---- departments: the monthly 通报 ---------------------------------------------------------------------


def breakdowns_by_indicator(indicator_ids: Iterable[str], breakdowns: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """indicator id → its rows of `breakdowns` (indicators.indicators_by_department) without the
    indicator_id column: what indicator_by_department gives for it (empty when it has no
    department breakdown)."""
    columns = [c for c in breakdowns.columns if c != "indicator_id"]
    return {i: breakdowns.loc[breakdowns["indicator_id"] == i, columns].reset_index(drop=True) for i in indicator_ids}


# ---- grading and profile ---------------------------------------------------------------------------------


def in_district(frame: pd.DataFrame, district_code: str | None) -> pd.DataFrame:
    """Rows of one district (all rows when none is chosen)."""
    if not district_code or frame.empty:
        return frame
    return frame[frame["district_code"] == district_code].reset_index(drop=True)


def profile_summary(sections: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Headline counts of a subject profile (profile.subject_profile): penalties in publicity,
    active list entries (abnormal, executee, serious dishonest, campaign), valid licences,
    warnings."""

    def active(name: str, flag: str = "is_active") -> int:
        frame = sections.get(name, pd.DataFrame())
        return int(frame[flag].fillna(False).astype(bool).sum()) if flag in frame else 0

    licenses = sections.get("licenses", pd.DataFrame())
    return {
        "penalties_in_publicity": active("penalties", "in_publicity"),
        "active_lists": sum(
            active(n) for n in ("abnormal_operations", "executees", "serious_dishonest", "campaign_lists")
        ),
        "valid_licenses": int((licenses["status"] == "有效").sum()) if "status" in licenses else 0,
        "warnings": len(sections.get("warnings", pd.DataFrame())),
    }
