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
from dashboard.rules import followup
from dashboard.rules.followup import STATE_COUNT_COLUMNS
from dashboard.rules.ranking import DISCLOSURE_INDICATORS
from dashboard.rules.warning_summary import WarningSummary

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
# What a warning list can be narrowed to (URL parameter `status`): its label and the follow-up
# states (followup.STATES) it keeps. Without one, a list shows every holding state.
WARNING_FILTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "open": ("未处置", (followup.NEW, followup.VIEWED, followup.OVERDUE)),
    "waiting": ("未处置（未超期）", followup.WAITING_STATES),
    "acted": (followup.ACTED, (followup.ACTED,)),
    "overdue": (followup.OVERDUE, (followup.OVERDUE,)),
    "resolved": (followup.RESOLVED, (followup.RESOLVED,)),
}
WARNING_STATES = {key: label for key, (label, _) in WARNING_FILTERS.items()}


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


# Tolerances counted for each unit of gap of an indicator without tolerance (see distance_from_target).
HARD_TARGET_WEIGHT = 1000.0


def distance_from_target(value: Any, target: Any, tolerance: Any, direction: str) -> float:
    """How far an indicator stands from its target — the one measure 总览 orders indicators by:
    the gap in the indicator's direction (target − value when higher is better, value − target
    when lower is), in units of its amber tolerance (settings [indicators.<id>] tolerance).
    Positive: short of the target (above 1: red; up to 1: amber); 0: exactly on it; negative:
    better than the target by that many tolerances (green). Dividing by the tolerance puts
    ratios, counts and months on one scale and agrees with the status colours (docs/rules.md §4
    "Status colours"): every red indicator is further than every amber one, every amber further
    than every green. An indicator without tolerance (a hard line: I08a ≥ 1, I19 ≤ 0) counts each
    unit of gap as HARD_TARGET_WEIGHT tolerances, so a miss of it comes before the misses of
    indicators with a tolerance. NaN without value or target."""
    if fmt.is_missing(value) or fmt.is_missing(target):
        return math.nan
    gap = float(target) - float(value) if direction == "higher" else float(value) - float(target)
    tol = 0.0 if fmt.is_missing(tolerance) else float(tolerance)
    return gap / tol if tol > 0 else gap * HARD_TARGET_WEIGHT


def shortfall(value: Any, target: Any, tolerance: Any, direction: str) -> float:
    """How far an indicator misses its target (distance_from_target, 0 when met; NaN without data)."""
    distance = distance_from_target(value, target, tolerance, direction)
    return distance if math.isnan(distance) else max(distance, 0.0)


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


# Status order of 总览: red first, indicators without data last.
STATUS_RANK = {"red": 0, "amber": 1, "green": 2, "none": 3}


def gap_text(value: Any, target: Any, direction: str, unit: str) -> str:
    """How far the value stands from the target in words, in the indicator's unit: 距目标差 12.5个百分点
    (short of it), 优于目标 25.0个百分点 (better), 恰好达到目标, 无数据."""
    if fmt.is_missing(value) or fmt.is_missing(target):
        return "无数据"
    gap = float(target) - float(value) if direction == "higher" else float(value) - float(target)
    size = abs(gap)
    if size < 1e-9:
        return "恰好达到目标"
    amount = f"{size * 100:.1f}个百分点" if unit == fmt.PCT else fmt.fmt_value(size, unit)
    return f"距目标差 {amount}" if gap > 0 else f"优于目标 {amount}"


def worst_first(tiles: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """indicator_tiles ordered worst first, for 总览: by status (未达标, 临界, 达标, then no data),
    then by distance_from_target, furthest first (a green indicator with the least margin comes
    first among the greens); ties keep catalogue order. Adds distance, gap_text and
    responsible_names."""
    out = tiles.copy()
    out["distance"] = [
        distance_from_target(v, t, tol, d)
        for v, t, tol, d in zip(out["value"], out["target"], out["tolerance"], out["direction"])
    ]
    out["gap_text"] = [
        gap_text(v, t, d, u) for v, t, d, u in zip(out["value"], out["target"], out["direction"], out["unit"])
    ]
    out["responsible_names"] = [responsible_names(v, names) for v in out["responsible_departments"]]
    out["_rank"] = out["status"].map(STATUS_RANK).fillna(STATUS_RANK["none"])
    out["_distance"] = out["distance"].fillna(-math.inf)
    out = out.sort_values(["_rank", "_distance"], ascending=[True, False], kind="stable")
    return out.drop(columns=["_rank", "_distance"]).reset_index(drop=True)


def split_worst(ordered: pd.DataFrame, n: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the first `n` of worst_first that miss their target — red or amber —, every other
    indicator in worst_first order)."""
    worst = ordered[ordered["status"].isin(["red", "amber"])].head(n)
    return worst.reset_index(drop=True), ordered.drop(index=worst.index).reset_index(drop=True)


def rank_delta(change: Any) -> dict[str, Any]:
    """st.metric arguments for a rank's change from last month (`change` = this month's rank −
    last month's, so negative is better): 上升2位 in green with an up arrow, 下降1位 in red with a
    down arrow, 持平 in grey; nothing without last month."""
    if change is None or fmt.is_missing(change):
        return {}
    steps = int(change)
    if steps == 0:
        return {"delta": fmt.UNCHANGED, "delta_color": "off", "delta_arrow": "off", "delta_description": "较上月"}
    better = steps < 0
    return {
        "delta": f"{'上升' if better else '下降'}{abs(steps)}位",
        "delta_color": "green" if better else "red",
        "delta_arrow": "up" if better else "down",
        "delta_description": "较上月",
    }


def status_counts(tiles: pd.DataFrame) -> dict[str, int]:
    """How many indicators are red, amber, green and without data (keys of STATUS_RANK)."""
    found = tiles["status"].value_counts().to_dict() if not tiles.empty else {}
    return {status: int(found.get(status, 0)) for status in STATUS_RANK}


def department_choices(by_department: pd.DataFrame, responsible: Any) -> list[str]:
    """Departments an indicator's list can be narrowed to: those of its department breakdown,
    else its responsible departments ('*' — every 双公示 unit — offers none)."""
    if not by_department.empty:
        return [c for c in by_department["department_code"] if isinstance(c, str) and c]
    return [c for c in _codes(responsible) if c != "*"]


def headline_figure(
    city: Mapping[str, Any], by_department: pd.DataFrame, department_code: str | None
) -> dict[str, Any]:
    """The figure the indicators page heads with: value, target, status, numerator, denominator and
    `level` — 本单位 (the chosen department's row of the indicator's department breakdown) or 全市
    (`city`, the indicators_at row: no department chosen, the indicator has no department
    breakdown, or the breakdown has no row for the department) — with `city` itself beside it and
    `why` — why a chosen department's figure is the city's ('' otherwise)."""
    keys = ("value", "target", "status", "numerator", "denominator")
    city_figure = {k: city.get(k) for k in keys}
    out = {**city_figure, "level": "全市", "city": city_figure, "why": ""}
    if not department_code:
        return out
    if by_department.empty:
        return {**out, "why": "该指标不按责任单位分解"}
    rows = by_department[by_department["department_code"] == department_code]
    if rows.empty:
        return {**out, "why": "该单位在该指标的分解中没有数据"}
    mine = rows.iloc[0]
    return {**{k: mine.get(k) for k in keys}, "level": "本单位", "city": city_figure, "why": ""}


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
    province_now: Any = last.get("rank_in_province")
    province_before: Any = None if before is None else before.get("rank_in_province")
    return {
        "month": last["month"],
        "city": last["city"],
        "score": float(last["score"]),
        "rank": last["rank"],
        "rank_in_province": province_now,
        "score_change": None if before is None else float(last["score"]) - float(before["score"]),
        "rank_change": None if before is None else int(last["rank"]) - int(before["rank"]),
        "province_rank_change": (
            None
            if fmt.is_missing(province_now) or fmt.is_missing(province_before)
            else int(province_now) - int(province_before)
        ),
    }


# ---- warnings ---------------------------------------------------------------------------------------


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


def warning_tiles(
    counts: pd.DataFrame, department_code: str | None = None, warning_type: str | None = None
) -> dict[str, dict[str, int]]:
    """The figures of the warnings page's tiles, from warning_counts: "shown" — n_open, n_acted,
    n_overdue of the chosen department and type (all of them when none is chosen) — and "all" —
    the same over every department and type the viewer sees, to show beside a narrowed figure."""
    columns = ("n_open", "n_acted", "n_overdue")
    narrowed = warning_counts_of(counts, {}, department_code, warning_type)
    return {
        "shown": {c: total(narrowed, c) for c in columns},
        "all": {c: total(counts, c) for c in columns},
    }


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
    warnings_at plus status — the warning's one state —, latest_step, deadline_date,
    first_action_date, working_days_to_first_action, is_overdue, n_steps), narrowed to a type and
    department, with type_name. Without `state` it lists the warnings holding at T (every state
    but 已解除); `state`, a key of WARNING_FILTERS, keeps the warnings in its states."""
    kept = WARNING_FILTERS[state][1] if state else followup.HOLDING_STATES
    rows = status[status["status"].isin(kept)] if not status.empty else status
    if warning_type:
        rows = rows[rows["warning_type"] == warning_type]
    if department_code:
        rows = rows[rows["department_code"] == department_code]
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


def steps_with_recorders(steps: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """followup.steps_for with recorder_name: the display name of the user who recorded each step
    (the username when the account no longer exists)."""
    return steps.assign(recorder_name=[names.get(u, u) for u in steps["user_name"]])


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
    rows = status[status["status"].isin(followup.HOLDING_STATES)] if not status.empty else status
    if department_code is not None and not rows.empty:
        rows = rows[rows["department_code"] == department_code]
    days = pd.to_numeric(rows["working_days_to_first_action"], errors="coerce").dropna() if not rows.empty else rows
    return {
        "n_open": len(rows),
        "n_acted": int((rows["status"] == followup.ACTED).sum()) if not rows.empty else 0,
        "n_overdue": int((rows["status"] == followup.OVERDUE).sum()) if not rows.empty else 0,
        "median_days": float(days.median()) if len(days) else math.nan,
    }


def department_warning_totals(summary: WarningSummary, department_code: str) -> dict[str, Any]:
    """followup_totals of one department from the aggregates of warning_summary (all a viewer of
    aggregates only has): n_open, n_acted, n_overdue summed over its warning types, and
    median_days (NaN when none of its holding warnings was acted on)."""
    counts = summary.counts
    mine = counts[counts["department_code"] == department_code] if not counts.empty else counts
    median = summary.median_days.get(department_code, math.nan)
    return {
        **{c: total(mine, c) for c in ("n_open", "n_acted", "n_overdue")},
        "median_days": math.nan if fmt.is_missing(median) else float(median),
    }


# ---- a department's home (本单位工作台) -------------------------------------------------------------------


def week_end(day: dt.date) -> dt.date:
    """The last day (Sunday) of the week 本周到期 looks ahead to from `day`: the week of `day`, or on
    a Saturday or Sunday the week after (no deadline falls on a weekend day off, so the week
    ahead is the one still to be worked)."""
    end = day + dt.timedelta(days=6 - day.weekday())
    return end + dt.timedelta(days=7) if day.weekday() >= 5 else end


def _by_deadline(rows: pd.DataFrame, types: Mapping[str, str]) -> pd.DataFrame:
    rows = rows.assign(type_name=rows["warning_type"].map(types), _deadline=pd.to_datetime(rows["deadline_date"]))
    return rows.sort_values(["_deadline", "warning_type", "warning_id"], kind="stable").drop(columns="_deadline")


def new_warnings(status: pd.DataFrame, before: pd.DataFrame | None, types: Mapping[str, str]) -> pd.DataFrame:
    """Warnings holding at T (warning_status) that did not hold at T on the data of the load
    before (`before`: warnings_at of the previous snapshot; the same reading as reminder R1),
    newest first seen first, with type_name; empty when there is no earlier load to compare with."""
    if before is None or status.empty:
        return status.iloc[0:0].assign(type_name=pd.Series(dtype=object))
    rows = status[
        status["status"].isin(followup.HOLDING_STATES) & ~status["warning_id"].isin(set(before["warning_id"]))
    ]
    rows = rows.assign(type_name=rows["warning_type"].map(types), _seen=pd.to_datetime(rows["first_seen_date"]))
    rows = rows.sort_values(["_seen", "warning_type", "warning_id"], ascending=[False, True, True], kind="stable")
    return rows.drop(columns="_seen").reset_index(drop=True)


def overdue_warnings(status: pd.DataFrame, types: Mapping[str, str]) -> pd.DataFrame:
    """Warnings 超期未处置 at T, the longest overdue (earliest deadline) first, with type_name."""
    rows = status[status["status"] == followup.OVERDUE] if not status.empty else status
    return _by_deadline(rows, types).reset_index(drop=True)


def due_warnings(status: pd.DataFrame, start: dt.date, end: dt.date, types: Mapping[str, str]) -> pd.DataFrame:
    """Warnings not yet acted on and not overdue (新产生, 已查看) whose action deadline falls in
    [start, end] — 本周到期 with start = T and end = week_end(T) — earliest deadline first."""
    if status.empty:
        return status.assign(type_name=pd.Series(dtype=object))
    deadline = pd.to_datetime(status["deadline_date"])
    rows = status[
        status["status"].isin(followup.WAITING_STATES)
        & deadline.ge(pd.Timestamp(start))
        & deadline.le(pd.Timestamp(end))
    ]
    return _by_deadline(rows, types).reset_index(drop=True)


def red_indicators(
    catalogue: pd.DataFrame, breakdowns: pd.DataFrame, department_codes: Iterable[str] | None
) -> pd.DataFrame:
    """The indicators red (未达标) in the department breakdowns (indicators.indicators_by_department)
    for the given departments (None: every department), in catalogue order then department:
    department_code, department_name, indicator_id, name, unit, value, target, status,
    value_text, target_text (in each row's own unit)."""
    columns = ["department_code", "department_name", "indicator_id", "name", "unit", "value", "target", "status"]
    rows = breakdowns[breakdowns["status"] == "red"] if not breakdowns.empty else breakdowns
    if department_codes is not None and not rows.empty:
        rows = rows[rows["department_code"].isin(list(department_codes))]
    if rows.empty:
        return pd.DataFrame(columns=[*columns, "direction", "value_text", "target_text"])
    meta = catalogue.set_index("indicator_id")
    order = {i: n for n, i in enumerate(catalogue["indicator_id"])}
    out = rows.assign(
        name=rows["indicator_id"].map(meta["name"]),
        unit=rows["indicator_id"].map(meta["unit"]),
        direction=rows["indicator_id"].map(meta["direction"]),
        _order=rows["indicator_id"].map(order),
    ).sort_values(["_order", "department_code"], kind="stable")
    out["value_text"] = [fmt.fmt_value(v, u) for v, u in zip(out["value"], out["unit"])]
    out["target_text"] = [
        f"{'≥' if d == 'higher' else '≤'} {fmt.fmt_value(t, u)}"
        for t, u, d in zip(out["target"], out["unit"], out["direction"])
    ]
    return out[[*columns, "direction", "value_text", "target_text"]].reset_index(drop=True)


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
