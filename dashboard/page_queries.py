"""Queries the pages need beyond the rules engine's API: reference lists for the pickers, the data
horizon behind the default month, and views composed from the rules engine's query functions
(indicator tiles with last month's change, the weakest indicators, warnings opened in a month,
the department scorecard and the ranking of departments for the monthly 通报).

Like the rules engine, every function takes a cursor (`con`), the as-of date and the viewer's
scope, and returns a DataFrame with English snake_case columns; SQL runs through
dashboard.db.run_query (queries/page_*.sql). The composition and ranking live here so that pages
only lay out what these functions return.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Iterable

import pandas as pd

from . import formatting as fmt
from .access import Scope
from .db import run_query

# Indicators of the 双公示 units (001 (四)(五)) shown on every department's scorecard.
DISCLOSURE_INDICATORS = ("I04a", "I04b", "I04c", "I05")
TILE_COLUMNS = ("indicator_id", "name", "value", "numerator", "denominator", "target", "tolerance", "direction",
                "unit", "status", "responsible_departments", "source", "previous_value", "change", "shortfall")
RANKING_COLUMNS = ("rank", "department_code", "department_name", "n_indicators", "n_red", "n_amber",
                   "i04a", "i04b", "i04c", "i05", "n_open", "n_overdue", "median_days_to_first_action",
                   "lagging_on")


def departments(con: Any) -> pd.DataFrame:
    """department_code, full_name, short_name, grading_listed, disclosure_unit (reference data)."""
    return run_query(con, "page_departments")


def districts(con: Any) -> pd.DataFrame:
    """district_code, name, kind (P5)."""
    return run_query(con, "page_districts")


def data_horizon(con: Any) -> dt.date | None:
    """The newest decision / evaluation / filing date in the data (None when there is none)."""
    value = run_query(con, "page_data_horizon").iloc[0, 0]
    return fmt.to_date(value)


def _codes(value: Any) -> list[str]:
    """responsible_departments as a list of codes (the API gives a list; '|' text is accepted)."""
    if value is None or (not isinstance(value, (list, tuple)) and not hasattr(value, "tolist") and fmt.is_missing(value)):
        return []
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, str):
        value = value.split("|")
    return [str(v) for v in value if str(v)]


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


def indicator_tiles(con: Any, as_of: dt.date, scope: Scope) -> pd.DataFrame:
    """indicators_at(as_of) with last month's value beside it: previous_value, change
    (value − previous) and shortfall (see `shortfall`); catalogue order."""
    from . import indicators

    now = indicators.indicators_at(con, as_of, scope)
    previous_month = fmt.month_end(fmt.add_months(as_of.replace(day=1), -1))
    before = indicators.indicators_at(con, previous_month, scope)[["indicator_id", "value"]]
    out = now.merge(before.rename(columns={"value": "previous_value"}), on="indicator_id", how="left")
    out["change"] = pd.to_numeric(out["value"], errors="coerce") - pd.to_numeric(out["previous_value"], errors="coerce")
    out["shortfall"] = [shortfall(v, t, tol, d) for v, t, tol, d in
                        zip(out["value"], out["target"], out["tolerance"], out["direction"])]
    return out.loc[:, [c for c in TILE_COLUMNS if c in out.columns]]


def weakest_indicators(con: Any, as_of: dt.date, scope: Scope, n: int = 3) -> pd.DataFrame:
    """The `n` indicators furthest from target (red before amber, then by shortfall), with the
    names of their responsible departments ('*' = every 双公示 unit); only indicators that miss."""
    tiles = indicator_tiles(con, as_of, scope)
    names = departments(con).set_index("department_code")["short_name"].to_dict()
    order = {"red": 0, "amber": 1}
    missing = tiles[tiles["status"].isin(list(order))].copy()
    missing["_order"] = missing["status"].map(order)
    missing = missing.sort_values(["_order", "shortfall"], ascending=[True, False]).head(n)
    missing["responsible_names"] = [
        "全部双公示单位" if "*" in _codes(v) else "、".join(names.get(c, c) for c in _codes(v))
        for v in missing["responsible_departments"]]
    return missing.drop(columns="_order").reset_index(drop=True)


def warnings_opened(con: Any, as_of: dt.date, scope: Scope) -> pd.DataFrame:
    """warning_type, type_name, n_warnings: warnings whose first month is the month of `as_of`,
    one row per type of credit_warnings.WARNING_TYPES (zero where none)."""
    from . import credit_warnings

    found = credit_warnings.warnings_at(con, as_of, scope)
    month = fmt.month_end(as_of)
    if found.empty:
        new = found
    else:
        first = pd.to_datetime(found["first_seen_month"]).dt.date
        new = found[first == month]
    counts = new["warning_type"].value_counts() if not new.empty else pd.Series(dtype="int64")
    return pd.DataFrame([(t, label, int(counts.get(t, 0))) for t, label in credit_warnings.WARNING_TYPES.items()],
                        columns=["warning_type", "type_name", "n_warnings"])


def _responsible(catalogue: pd.DataFrame, department_code: str) -> list[str]:
    return [row.indicator_id for row in catalogue.itertuples()
            if department_code in _codes(row.responsible_departments) or "*" in _codes(row.responsible_departments)]


def department_indicators(con: Any, as_of: dt.date, scope: Scope, department_code: str) -> pd.DataFrame:
    """The department's row of every indicator it is responsible for (and of the 双公示 indicators
    I04a–c, I05): indicator_id, name, unit, direction, value, numerator, denominator, target,
    status. An indicator without a department breakdown shows the city value."""
    from . import indicators

    catalogue = indicators.indicator_catalogue()
    wanted = list(dict.fromkeys([*_responsible(catalogue, department_code), *DISCLOSURE_INDICATORS]))
    city = indicators.indicators_at(con, as_of, scope).set_index("indicator_id")
    rows = []
    for indicator_id in wanted:
        if indicator_id not in city.index:
            continue
        meta = city.loc[indicator_id]
        by_dep = indicators.indicator_by_department(con, indicator_id, as_of, scope)
        mine = by_dep[by_dep["department_code"] == department_code] if not by_dep.empty else by_dep
        if not by_dep.empty and mine.empty:
            continue  # broken down by department, and this one has no records
        source = mine.iloc[0] if not mine.empty else meta
        rows.append({"indicator_id": indicator_id, "name": meta["name"], "unit": meta["unit"],
                     "direction": meta["direction"], "scope_level": "本单位" if not mine.empty else "全市",
                     **{c: source.get(c) for c in ("value", "numerator", "denominator", "target", "status")}})
    out = pd.DataFrame(rows, columns=["indicator_id", "name", "unit", "direction", "scope_level", "value",
                                      "numerator", "denominator", "target", "status"])
    # one table holds ratios and counts: the texts carry each row's own unit
    out["value_text"] = [fmt.fmt_value(v, u) for v, u in zip(out["value"], out["unit"])]
    out["target_text"] = [f"{'≥' if d == 'higher' else '≤'} {fmt.fmt_value(t, u)}"
                          for t, u, d in zip(out["target"], out["unit"], out["direction"])]
    return out


def department_followup(con: Any, engine: Any, as_of: dt.date, scope: Scope, department_code: str) -> pd.DataFrame:
    """warning_type, type_name, n_open, n_acted, n_overdue, n_resolved,
    median_working_days_to_first_action of one department, one row per warning type (zeros
    where it has none), from credit_warnings.warning_counts."""
    from . import credit_warnings

    counts = credit_warnings.warning_counts(con, engine, as_of, scope)
    mine = counts[counts["department_code"] == department_code].set_index("warning_type")
    rows = []
    for wtype, label in credit_warnings.WARNING_TYPES.items():
        found = wtype in mine.index
        rows.append((wtype, label, *(int(mine.at[wtype, c]) if found else 0
                                     for c in ("n_open", "n_acted", "n_overdue", "n_resolved")),
                     float(mine.at[wtype, "median_working_days_to_first_action"]) if found else math.nan))
    return pd.DataFrame(rows, columns=["warning_type", "type_name", "n_open", "n_acted", "n_overdue", "n_resolved",
                                       "median_working_days_to_first_action"])


def department_followup_totals(con: Any, engine: Any, as_of: dt.date, scope: Scope,
                               department_code: str) -> dict[str, Any]:
    """One department's warnings at `as_of`, all types together: n_open, n_acted, n_overdue and
    median_days (median working days from first appearance to first action of the acted ones)."""
    from . import followup

    status = followup.warning_status(con, engine, as_of, scope)
    mine = status[(status["department_code"] == department_code) & status["holds"].astype(bool)]
    days = pd.to_numeric(mine["working_days_to_first_action"], errors="coerce").dropna()
    return {"n_open": len(mine), "n_acted": int(mine["first_action_date"].notna().sum()),
            "n_overdue": int(mine["is_overdue"].fillna(False).astype(bool).sum()),
            "median_days": float(days.median()) if not days.empty else math.nan}


def warning_overview(con: Any, engine: Any, as_of: dt.date, scope: Scope) -> pd.DataFrame:
    """Per department, all warning types together: department_code, department_name, n_open,
    n_acted, n_overdue, n_waiting (open, not acted, not yet overdue); most overdue first."""
    from . import credit_warnings

    counts = credit_warnings.warning_counts(con, engine, as_of, scope)
    columns = ["department_code", "department_name", "n_open", "n_acted", "n_overdue", "n_waiting"]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    keys = counts[["department_code", "department_name"]].fillna("")
    summed = counts.assign(department_code=keys["department_code"], department_name=keys["department_name"]).groupby(
        ["department_code", "department_name"], as_index=False)[["n_open", "n_acted", "n_overdue"]].sum()
    summed["n_waiting"] = (summed["n_open"] - summed["n_acted"] - summed["n_overdue"]).clip(lower=0)
    summed = summed.replace({"department_code": {"": None}, "department_name": {"": "未匹配部门"}})
    summed = summed.sort_values(["n_overdue", "n_open", "department_code"], ascending=[False, False, True])
    return summed[columns].reset_index(drop=True)


def warning_totals(overview: pd.DataFrame) -> dict[str, int]:
    """n_open, n_acted, n_overdue over all departments of warning_overview."""
    return {c: total(overview, c) for c in ("n_open", "n_acted", "n_overdue")}


def warning_counts_of(con: Any, engine: Any, as_of: dt.date, scope: Scope, department_code: str | None = None,
                      warning_type: str | None = None) -> pd.DataFrame:
    """credit_warnings.warning_counts with type_name, narrowed to a department and/or a type."""
    from . import credit_warnings

    counts = credit_warnings.warning_counts(con, engine, as_of, scope)
    if department_code:
        counts = counts[counts["department_code"] == department_code]
    if warning_type:
        counts = counts[counts["warning_type"] == warning_type]
    counts = counts.assign(type_name=counts["warning_type"].map(credit_warnings.WARNING_TYPES))
    return counts.reset_index(drop=True)


def warning_detail(con: Any, engine: Any, as_of: dt.date, scope: Scope, warning_id: str) -> dict[str, Any] | None:
    """One warning's follow-up row (followup.warning_status) with type_name; None when the
    viewer's scope does not reach it at `as_of`."""
    from . import credit_warnings, followup

    status = followup.warning_status(con, engine, as_of, scope)
    rows = status[status["warning_id"] == warning_id]
    if rows.empty:
        return None
    out = rows.iloc[0].to_dict()
    out["type_name"] = credit_warnings.WARNING_TYPES.get(out["warning_type"], out["warning_type"])
    return out


# Follow-up states a list can be narrowed to (URL parameter `status`).
WARNING_STATES = {"open": "未处置", "acted": "已处置", "overdue": "超期未处置", "resolved": "已解除"}


def warning_list(con: Any, engine: Any, as_of: dt.date, scope: Scope, warning_type: str | None = None,
                 department_code: str | None = None, state: str | None = None) -> pd.DataFrame:
    """The warnings of one department and/or type at `as_of` with their follow-up:
    credit_warnings.warnings_at columns plus status, deadline_date, first_action_date,
    working_days_to_first_action, is_overdue, n_steps; 已解除 warnings (no longer holding) are
    listed only for state 'resolved'. `state`: open (holding, no action yet), acted, overdue,
    resolved (WARNING_STATES)."""
    from . import credit_warnings, followup

    types = [warning_type] if warning_type else None
    if state == "resolved":
        status = followup.warning_status(con, engine, as_of, scope)
        rows = status[~status["holds"].astype(bool)]
        if warning_type:
            rows = rows[rows["warning_type"] == warning_type]
        if department_code:
            rows = rows[rows["department_code"] == department_code]
        rows = rows.assign(type_name=rows["warning_type"].map(credit_warnings.WARNING_TYPES))
        return rows.reset_index(drop=True)
    found = credit_warnings.warnings_at(con, as_of, scope, types=types, department_code=department_code)
    status = followup.warning_status(con, engine, as_of, scope)
    keep = ["warning_id", "status", "deadline_date", "first_action_date", "working_days_to_first_action",
            "is_overdue", "n_steps"]
    out = found.merge(status[[c for c in keep if c in status.columns]], on="warning_id", how="left")
    out["type_name"] = out["warning_type"].map(credit_warnings.WARNING_TYPES)
    acted = out["first_action_date"].notna()
    if state == "open":
        out = out[~acted]
    elif state == "acted":
        out = out[acted]
    elif state == "overdue":
        out = out[out["is_overdue"].fillna(False).astype(bool)]
    return out.reset_index(drop=True)


def _value_of(frame: pd.DataFrame, department_code: str) -> Any:
    if frame.empty:
        return math.nan
    rows = frame[frame["department_code"] == department_code]
    return rows["value"].iloc[0] if not rows.empty else math.nan


def department_ranking(con: Any, engine: Any, as_of: dt.date, scope: Scope,
                       department_codes: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per department for the monthly 通报 (001 九(三)), worst first: indicators it is
    measured on (department breakdowns), how many are red / amber, its I04 rates and I05, warnings
    open and overdue, median working days to first action, and the text of what it lags on.
    Order: most red indicators, then most overdue warnings, then lowest I04 及时率."""
    from . import credit_warnings, followup, indicators

    catalogue = indicators.indicator_catalogue()
    units = dict(zip(catalogue["indicator_id"], catalogue["unit"]))
    names = dict(zip(catalogue["indicator_id"], catalogue["name"]))
    by_indicator = {i: indicators.indicator_by_department(con, i, as_of, scope) for i in catalogue["indicator_id"]}
    counts = credit_warnings.warning_counts(con, engine, as_of, scope)
    follow = followup.warning_status(con, engine, as_of, scope)
    follow = follow[follow["holds"].astype(bool)] if not follow.empty else follow
    dep_names = departments(con).set_index("department_code")["short_name"].to_dict()
    codes = set(department_codes) if department_codes is not None else set()
    if department_codes is None:
        for frame in by_indicator.values():
            if not frame.empty:
                codes.update(frame["department_code"].dropna())
        if not counts.empty:
            codes.update(counts["department_code"].dropna())
    if not scope.sees_all:
        codes &= set(scope.departments or ())
    rows = []
    for code in sorted(codes):
        statuses = {i: f[f["department_code"] == code]["status"].iloc[0]
                    for i, f in by_indicator.items() if not f.empty and (f["department_code"] == code).any()}
        red = [i for i, s in statuses.items() if s == "red"]
        amber = [i for i, s in statuses.items() if s == "amber"]
        mine = counts[counts["department_code"] == code] if not counts.empty else counts
        n_open = int(mine["n_open"].sum()) if not mine.empty else 0
        n_overdue = int(mine["n_overdue"].sum()) if not mine.empty else 0
        days = pd.to_numeric(follow.loc[follow["department_code"] == code, "working_days_to_first_action"],
                             errors="coerce").dropna()
        lag = [f"{i} {names.get(i, '')} {fmt.fmt_value(_value_of(by_indicator[i], code), units.get(i, 'pct'))}"
               for i in red]
        if n_overdue:
            lag.append(f"超期未处置预警 {n_overdue} 条")
        rows.append({"department_code": code, "department_name": dep_names.get(code, code),
                     "n_indicators": len(statuses), "n_red": len(red), "n_amber": len(amber),
                     "i04a": _value_of(by_indicator.get("I04a", pd.DataFrame()), code),
                     "i04b": _value_of(by_indicator.get("I04b", pd.DataFrame()), code),
                     "i04c": _value_of(by_indicator.get("I04c", pd.DataFrame()), code),
                     "i05": _value_of(by_indicator.get("I05", pd.DataFrame()), code),
                     "n_open": n_open, "n_overdue": n_overdue,
                     "median_days_to_first_action": float(days.median()) if not days.empty else math.nan,
                     "lagging_on": "；".join(lag)})
    out = pd.DataFrame(rows, columns=[c for c in RANKING_COLUMNS if c != "rank"])
    if out.empty:
        return pd.DataFrame(columns=list(RANKING_COLUMNS))
    out["_i04c"] = pd.to_numeric(out["i04c"], errors="coerce").fillna(2.0)
    out = out.sort_values(["n_red", "n_overdue", "_i04c", "department_code"],
                          ascending=[False, False, True, True]).drop(columns="_i04c")
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.reset_index(drop=True)


def grades_in_district(con: Any, as_of: dt.date, scope: Scope, department_code: str | None,
                       district_code: str | None) -> pd.DataFrame:
    """grading.grades_at, restricted to one district when given."""
    from . import grading

    grades = grading.grades_at(con, as_of, scope, department_code=department_code)
    if district_code and not grades.empty:
        grades = grades[grades["district_code"] == district_code]
    return grades.reset_index(drop=True)


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
    return {"month": last["month"], "city": last["city"], "score": float(last["score"]), "rank": last["rank"],
            "rank_in_province": last.get("rank_in_province"),
            "score_change": None if before is None else float(last["score"]) - float(before["score"]),
            "rank_change": None if before is None else int(last["rank"]) - int(before["rank"])}


def total(frame: pd.DataFrame, column: str) -> int:
    """The sum of a count column (0 for an empty frame)."""
    return int(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum()) if not frame.empty else 0


def profile_summary(sections: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Headline counts of a subject profile (profile.subject_profile): penalties in publicity,
    active list entries (abnormal, executee, serious dishonest, campaign), valid licences,
    warnings."""
    def active(name: str, flag: str = "is_active") -> int:
        frame = sections.get(name, pd.DataFrame())
        return int(frame[flag].fillna(False).astype(bool).sum()) if flag in frame else 0

    lists = sum(active(n) for n in ("abnormal_operations", "executees", "serious_dishonest", "campaign_lists"))
    licenses = sections.get("licenses", pd.DataFrame())
    return {"penalties_in_publicity": active("penalties", "in_publicity"), "active_lists": lists,
            "valid_licenses": int((licenses["status"] == "有效").sum()) if "status" in licenses else 0,
            "warnings": len(sections.get("warnings", pd.DataFrame()))}


def grading_departments(con: Any) -> list[str]:
    """Codes of the 22 grading departments of 001 (十) (reference data), in code order."""
    frame = departments(con)
    return list(frame.loc[frame["grading_listed"].astype(bool), "department_code"])
