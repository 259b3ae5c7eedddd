"""Rule N1, the ranking of responsible departments (责任单位排名) behind the monthly 通报
(001 九(三)): which departments pull the city's indicators and warning follow-up down, worst first.
See docs/rules.md N1."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import duckdb
import pandas as pd
from sqlalchemy import Engine

from dashboard.core import formatting as fmt
from dashboard.core.scope import Scope
from dashboard.rules import followup, indicators
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
    status: pd.DataFrame,
    names: Mapping[str, str],
) -> pd.DataFrame:
    """One row per department for the monthly 通报 (001 九(三)), worst first: the indicators it is
    measured on (department breakdowns, `by_department`: indicator id → indicator_by_department),
    how many are red / amber, its I04 rates and I05, warnings open and overdue (warning_counts),
    median working days to first action (warning_status), and the text of what it lags on.
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
    holding = status[status["holds"].astype(bool)] if not status.empty else status
    if not holding.empty:
        days = pd.to_numeric(holding["working_days_to_first_action"], errors="coerce")
        out["median_days_to_first_action"] = days.groupby(holding["department_code"]).median()
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
    """ranking_of over every indicator's department breakdown, warning_counts and warning_status at
    `as_of`: the ranking of departments for the monthly 通报."""
    catalogue = indicators.indicator_catalogue()
    by_department = {i: indicators.indicator_by_department(con, i, as_of, scope) for i in catalogue["indicator_id"]}
    return ranking_of(
        catalogue,
        by_department,
        followup.warning_counts(con, engine, as_of, scope),
        followup.warning_status(con, engine, as_of, scope),
        department_short_names(con),
    )
