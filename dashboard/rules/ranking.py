"""Rule N1, the ranking of responsible departments (责任单位排名) behind the monthly 通报
(001 九(三)): which departments pull the city's indicators and warning follow-up down, worst first
(`ranking_of`, the 责任单位 page), and the departments the 通报 names as 工作推进不力 by criteria
(a)–(d) (`named_departments`). See docs/rules.md N1."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import duckdb
import pandas as pd
from sqlalchemy import Engine

from dashboard.core import formatting as fmt
from dashboard.core.dates import month_end
from dashboard.core.scope import Scope
from dashboard.core.settings import Settings, get_settings
from dashboard.rules import feedback, followup, indicators, warning_summary
from dashboard.rules.feedback import LATE_OR_MISSING
from dashboard.rules.reference import department_short_names

# Indicators of the 双公示 units (001 (四)(五)) shown on every department's scorecard.
DISCLOSURE_INDICATORS = ("I04a", "I04b", "I04c", "I05")
RANKING_COLUMNS = (
    "rank",
    "department_code",
    "department_name",
    "n_indicators",
    "n_red",
    "n_amber",
    "i04a",
    "i04b",
    "i04c",
    "i05",
    "n_open",
    "n_overdue",
    "median_days_to_first_action",
    "lagging_on",
)


def _long_breakdowns(by_department: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """indicator_id, department_code, value, status: every department row of every breakdown."""
    frames = [
        f.loc[f["department_code"].notna(), ["department_code", "value", "status"]].assign(indicator_id=i)
        for i, f in by_department.items()
        if not f.empty
    ]
    if not frames:
        return pd.DataFrame(columns=["indicator_id", "department_code", "value", "status"])
    return pd.concat(frames, ignore_index=True)


def ranking_of(
    catalogue: pd.DataFrame,
    by_department: Mapping[str, pd.DataFrame],
    counts: pd.DataFrame,
    median_days: pd.Series,
    names: Mapping[str, str],
) -> pd.DataFrame:
    """One row per department for the monthly 通报 (001 九(三)), worst first: the indicators it is
    measured on (department breakdowns, `by_department`: indicator id → indicator_by_department),
    how many are red / amber, its I04 rates and I05, warnings open and overdue (warning_counts),
    median working days to first action (`median_days`: department code → days,
    warning_summary.median_days_by_department), and the text of what it lags on. Aggregates only.
    Order: most red indicators, then most overdue warnings, then lowest I04 及时率, then code."""
    units = dict(zip(catalogue["indicator_id"], catalogue["unit"]))
    labels = dict(zip(catalogue["indicator_id"], catalogue["name"]))
    order = {i: n for n, i in enumerate(catalogue["indicator_id"])}
    long = _long_breakdowns(by_department)
    codes = set(long["department_code"])
    if not counts.empty:
        codes.update(c for c in counts["department_code"] if isinstance(c, str))
    if not codes:
        return pd.DataFrame(columns=list(RANKING_COLUMNS))
    out = pd.DataFrame({"department_code": sorted(codes)}).set_index("department_code")
    grouped = long.groupby("department_code")["status"]
    out["n_indicators"] = grouped.size()
    out["n_red"] = grouped.agg(lambda s: int((s == "red").sum()))
    out["n_amber"] = grouped.agg(lambda s: int((s == "amber").sum()))
    rates = long[long["indicator_id"].isin(DISCLOSURE_INDICATORS)].pivot_table(
        index="department_code", columns="indicator_id", values="value", aggfunc="first"
    )
    for indicator_id in DISCLOSURE_INDICATORS:
        out[indicator_id.lower()] = rates.get(indicator_id, math.nan)
    if not counts.empty:
        summed = counts.groupby("department_code")[["n_open", "n_overdue"]].sum()
        out["n_open"], out["n_overdue"] = summed["n_open"], summed["n_overdue"]
    if len(median_days):
        out["median_days_to_first_action"] = median_days
    out = out.reindex(
        columns=[c for c in RANKING_COLUMNS if c not in ("rank", "department_code", "department_name", "lagging_on")]
    )
    for column in ("n_indicators", "n_red", "n_amber", "n_open", "n_overdue"):
        out[column] = out[column].fillna(0).astype(int)
    red = long[long["status"] == "red"].assign(_order=lambda f: f["indicator_id"].map(order)).sort_values("_order")
    lag = {
        code: [
            f"{r.indicator_id} {labels.get(r.indicator_id, '')} {fmt.fmt_value(r.value, units.get(r.indicator_id, 'pct'))}"
            for r in rows.itertuples()
        ]
        for code, rows in red.groupby("department_code")
    }
    out["lagging_on"] = [
        "；".join(lag.get(code, []) + ([f"超期未处置预警 {n} 条"] if n else []))
        for code, n in zip(out.index, out["n_overdue"])
    ]
    out = out.reset_index()
    out.insert(1, "department_name", [names.get(c, c) for c in out["department_code"]])
    out["_i04c"] = pd.to_numeric(out["i04c"], errors="coerce").fillna(2.0)
    out = out.sort_values(
        ["n_red", "n_overdue", "_i04c", "department_code"], ascending=[False, False, True, True]
    ).drop(columns="_i04c")
    out.insert(0, "rank", range(1, len(out) + 1))
    return out[list(RANKING_COLUMNS)].reset_index(drop=True)


def department_ranking(con: duckdb.DuckDBPyConnection, engine: Engine, as_of: dt.date, scope: Scope) -> pd.DataFrame:
    """ranking_of over every indicator's department breakdown and the warning summary at `as_of`:
    the ranking of departments for the monthly 通报 (aggregates: every viewer may ask)."""
    catalogue = indicators.indicator_catalogue()
    by_department = {i: indicators.indicator_by_department(con, i, as_of, scope) for i in catalogue["indicator_id"]}
    summary = warning_summary.warning_summary(con, engine, as_of, scope)
    return ranking_of(catalogue, by_department, summary.counts, summary.median_days, department_short_names(con))


# ---- N1: the departments named in the 通报 (工作推进不力) -------------------------------------------

CRITERIA = ("a", "b", "c", "d")
NAMED_COLUMNS = (
    "rank",
    "department_code",
    "department_name",
    "n_criteria",
    "criteria",
    "reasons",
    "red_worse",
    "n_open",
    "n_overdue",
    "overdue_share",
    "feedback",
    "no_grading",
)
# I10a per department is criterion (d) itself: it does not count again under (a).
GRADING_INDICATOR = "I10a"


def _worse(now: float, before: float, direction: str) -> bool:
    if pd.isna(now) or pd.isna(before):
        return False
    return bool(now < before - 1e-12) if direction == "higher" else bool(now > before + 1e-12)


def _red_and_worse(
    catalogue: pd.DataFrame,
    now_by_department: pd.DataFrame,
    before_by_department: pd.DataFrame,
    city_now: pd.DataFrame,
    city_before: pd.DataFrame,
) -> dict[str, list[str]]:
    """department → the '<id> <name> <value>（上月 <value>）' of each indicator it answers for that
    is red at M and worse than at the month-end before (criterion (a)), catalogue order: its own
    row where the indicator is broken down by department, else the city value for the
    departments the catalogue names."""
    out: dict[str, list[str]] = {}
    before_dep = {
        (r.indicator_id, r.department_code): r.value
        for r in before_by_department.itertuples()
        if isinstance(r.department_code, str)
    }
    now_dep = now_by_department[now_by_department["department_code"].notna()]
    city_before_value = dict(zip(city_before["indicator_id"], city_before["value"])) if not city_before.empty else {}
    city_now_rows = city_now.set_index("indicator_id") if not city_now.empty else pd.DataFrame()
    for entry in catalogue.itertuples():
        indicator_id = entry.indicator_id
        if indicator_id == GRADING_INDICATOR:
            continue

        def text(value: float, before: float, entry: Any = entry) -> str:
            return (
                f"{entry.indicator_id} {entry.name} {fmt.fmt_value(value, entry.unit)}"
                f"（上月 {fmt.fmt_value(before, entry.unit)}）"
            )

        if "department" in entry.breakdowns:
            rows = now_dep[(now_dep["indicator_id"] == indicator_id) & (now_dep["status"] == "red")]
            for r in rows.itertuples():
                before = before_dep.get((indicator_id, r.department_code), math.nan)
                if _worse(r.value, before, entry.direction):
                    out.setdefault(r.department_code, []).append(text(r.value, before))
        elif indicator_id in city_now_rows.index and city_now_rows.at[indicator_id, "status"] == "red":
            value = city_now_rows.at[indicator_id, "value"]
            before = city_before_value.get(indicator_id, math.nan)
            if _worse(value, before, entry.direction):
                for code in entry.responsible_departments:
                    if code != "*":
                        out.setdefault(code, []).append(text(value, before))
    return out


def named_of(
    catalogue: pd.DataFrame,
    now_by_department: pd.DataFrame,
    before_by_department: pd.DataFrame,
    city_now: pd.DataFrame,
    city_before: pd.DataFrame,
    counts: pd.DataFrame,
    feedback_states: Mapping[str, str],
    names: Mapping[str, str],
    settings: Settings | None = None,
) -> pd.DataFrame:
    """N1 for month M from its inputs: `now_by_department` / `before_by_department` are
    indicators.indicators_by_department at M and at the month-end before, `city_now` /
    `city_before` indicators_at of the same two days, `counts` followup.warning_counts at M and
    `feedback_states` department → feedback.timeliness of its feedback for M. A department is named
    when at least one criterion holds: (a) an indicator it answers for is red at M and worse than
    the month before; (b) of its warnings in force, at least `naming.overdue_share` are overdue, and
    at least `naming.min_overdue`; (c) its feedback for M is late or missing; (d) it is a grading
    department (I10a) without a grading result in the window. One row per named department
    (NAMED_COLUMNS), ordered by criteria met, then overdue warnings, then code; `criteria` lists
    the letters met ('a,c'), `reasons` says each in words."""
    settings = settings or get_settings()
    red_worse = _red_and_worse(catalogue, now_by_department, before_by_department, city_now, city_before)
    if counts.empty:
        held = pd.DataFrame(columns=["n_open", "n_overdue"])
    else:
        held = counts[counts["department_code"].notna()].groupby("department_code")[["n_open", "n_overdue"]].sum()
    grading = now_by_department[
        (now_by_department["indicator_id"] == GRADING_INDICATOR) & now_by_department["department_code"].notna()
    ]
    no_grading = {r.department_code for r in grading.itertuples() if not pd.isna(r.value) and r.value <= 0}
    window = settings.windows.indicator_months
    codes = set(red_worse) | set(held.index) | {c for c, s in feedback_states.items() if s in LATE_OR_MISSING}
    codes |= no_grading
    rows = []
    for code in sorted(codes):
        n_open = int(held.at[code, "n_open"]) if code in held.index else 0
        n_overdue = int(held.at[code, "n_overdue"]) if code in held.index else 0
        share = n_overdue / n_open if n_open else math.nan
        met, reasons = [], []
        if red_worse.get(code):
            met.append("a")
            reasons.append("指标未达标且较上月下滑：" + "、".join(red_worse[code]))
        if n_open and n_overdue >= settings.naming.min_overdue and share >= settings.naming.overdue_share - 1e-12:
            met.append("b")
            reasons.append(f"超期未处置预警 {n_overdue} 条，占在办预警 {fmt.fmt_pct(share)}")
        state = feedback_states.get(code)
        if state in LATE_OR_MISSING:
            met.append("c")
            reasons.append(f"月度工作反馈{state}")
        if code in no_grading:
            met.append("d")
            reasons.append(f"近{window}个月无信用评价结果（应实施未实施）")
        if not met:
            continue
        rows.append(
            {
                "department_code": code,
                "department_name": names.get(code, code),
                "n_criteria": len(met),
                "criteria": ",".join(met),
                "reasons": "；".join(reasons),
                "red_worse": "、".join(red_worse.get(code, [])),
                "n_open": n_open,
                "n_overdue": n_overdue,
                "overdue_share": share,
                "feedback": state or "",
                "no_grading": code in no_grading,
            }
        )
    if not rows:
        return pd.DataFrame(columns=list(NAMED_COLUMNS))
    out = pd.DataFrame(rows).sort_values(
        ["n_criteria", "n_overdue", "department_code"], ascending=[False, False, True], kind="stable"
    )
    out.insert(0, "rank", range(1, len(out) + 1))
    return out[list(NAMED_COLUMNS)].reset_index(drop=True)


def named_departments(
    con: duckdb.DuckDBPyConnection,
    engine: Engine,
    month: dt.date,
    scope: Scope,
    settings: Settings | None = None,
    *,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """N1: the departments named in the 通报 for `month` (named_of over the indicators at its
    month-end and the one before, the warning counts at its month-end and the feedback board as
    seen on `today`, default today in China), limited to the viewer's departments."""
    settings = settings or get_settings()
    as_of = month_end(month)
    before = followup.previous_month_end(as_of)
    counts = followup.warning_counts(con, engine, as_of, scope, settings=settings)
    board = feedback.feedback_board(
        engine, as_of, feedback.departments_owing(counts, settings), scope=scope, today=today, settings=settings
    )
    named = named_of(
        indicators.indicator_catalogue(settings),
        indicators.indicators_by_department(con, as_of, scope, settings=settings),
        indicators.indicators_by_department(con, before, scope, settings=settings),
        indicators.indicators_at(con, as_of, scope, settings=settings),
        indicators.indicators_at(con, before, scope, settings=settings),
        counts,
        dict(zip(board["department_code"], board["timeliness"])),
        department_short_names(con),
        settings,
    )
    if not scope.sees_all:
        named = named[named["department_code"].isin(scope.department_list)].reset_index(drop=True)
        named["rank"] = range(1, len(named) + 1)
    return named
