"""City monitoring indicators (docs/rules.md §4; seed 001): the value of each indicator at a date, its
monthly series, its department and district breakdowns, the records behind it, and the imported
national score and rank (I00).

Every indicator is computed by one rule file in queries/ (`indicator_i<nn>_*.sql`, one per rule,
possibly several ids such as I04a–c). Each rule file returns the same shape — one row per
indicator id, as-of point and group: indicator_id, as_of_date, group_code, numerator,
denominator, value — for the points T and, for a series, the month-ends before it, so that a
24-month trend is one query rather than 24. Values of unit 'pct' are fractions (0.153 = 15.3%).

Targets and amber tolerances come from settings ([indicators.<id>]); direction, unit, owners and
definitions from dashboard/reference/indicators.csv. City values and district breakdowns are
aggregates every viewer may see; department breakdowns and record lists are limited to the
viewer's departments, and natural-person data is masked (P6) unless the scope grants it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import duckdb
import pandas as pd

from dashboard.core import glossary
from dashboard.core.dates import month_ends
from dashboard.core.privacy import mask_frame
from dashboard.core.scope import Scope, require_details
from dashboard.core.settings import REFERENCE_DIR, Settings, get_settings
from dashboard.store.db import (
    QueryCall,
    as_date,
    as_subquery,
    query_text,
    rule_queries,
    run_queries,
    run_query,
    run_sql,
)
from dashboard.store.schema import mart_params, release_digest
from dashboard.store.schema import precomputed_dates as stored_dates

# Indicator id → its rule file, and rule file → the ids it returns, both from the `-- rule:` lines
# of queries/indicators/ (a rule file names its ids without parenthesis: `-- rule: I04a, I04b, I04c`).
QUERY_OF: dict[str, str] = rule_queries("indicators")
RULE_QUERIES: dict[str, tuple[str, ...]] = {
    query: tuple(i for i, q in QUERY_OF.items() if q == query) for query in dict.fromkeys(QUERY_OF.values())
}

# Indicator id → the query listing the records behind its numerator or its gap (`-- rule: I12 (detail)`).
DETAIL_QUERIES: dict[str, str] = rule_queries("indicators", "detail")
# Detail lists that hold monthly push counts per department, no subject: shown to every viewer.
UNSCOPED_DETAILS = frozenset({"indicator_i02_detail"})

STATUSES = ("green", "amber", "red", "none")
UNMAPPED_DEPARTMENT = glossary.UNMATCHED_DEPARTMENT  # one word on every page
UNKNOWN_DISTRICT = "未填报区划"

CATALOGUE_COLUMNS = [
    "indicator_id",
    "name",
    "source",
    "unit",
    "direction",
    "responsible_departments",
    "breakdowns",
    "definition",
    "target",
    "tolerance",
]
AT_COLUMNS = [
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
]
SERIES_COLUMNS = ["month_end", "value", "numerator", "denominator", "target", "status"]
DEPARTMENT_COLUMNS = ["department_code", "department_name", "value", "numerator", "denominator", "target", "status"]
DISTRICT_COLUMNS = ["district_code", "district_name", "value", "numerator", "denominator", "status"]
CITY_SCORE_COLUMNS = ["month", "city", "province", "score", "rank", "rank_in_province", "is_home_city"]


@lru_cache(maxsize=1)
def _catalogue_rows() -> tuple[dict[str, str], ...]:
    with open(REFERENCE_DIR / "indicators.csv", encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


def _split(text: str) -> list[str]:
    return [part for part in (text or "").split("|") if part]


def indicator_catalogue(settings: Settings | None = None) -> pd.DataFrame:
    """One row per indicator of docs/rules.md §4 (I02a … I19): indicator_id, name, source (seed
    paragraph), unit ('pct' | 'count' | 'months'), direction ('higher' | 'lower'),
    responsible_departments (list of department codes; ['*'] = every 双公示 unit), breakdowns
    (list of 'department' / 'district'), definition (Chinese), target and tolerance (settings)."""
    targets = (settings or get_settings()).indicator_targets
    rows = []
    for r in _catalogue_rows():
        t = targets.get(r["indicator_id"])
        rows.append(
            {
                **r,
                "responsible_departments": _split(r["responsible_departments"]),
                "breakdowns": _split(r["breakdowns"]),
                "target": t.target if t else None,
                "tolerance": t.tolerance if t else None,
            }
        )
    return pd.DataFrame(rows, columns=CATALOGUE_COLUMNS)


def _catalogue_entry(indicator_id: str, settings: Settings) -> dict[str, Any]:
    cat = indicator_catalogue(settings)
    match = cat[cat["indicator_id"] == indicator_id]
    if match.empty or indicator_id not in QUERY_OF:
        raise KeyError(f"unknown indicator {indicator_id!r}")
    return match.iloc[0].to_dict()


def status_of(value: float | None, target: float | None, tolerance: float | None, direction: str) -> str:
    """'green' when the target is met, 'amber' when short of it by at most the tolerance, 'red'
    otherwise, judged in the indicator's direction; 'none' when there is no value or target."""
    value, target = _num(value), _num(target)
    if value is None or target is None:
        return "none"
    shortfall = (target - value) if direction == "higher" else (value - target)
    eps = 1e-9  # ratios such as 3/20 are not exact in binary
    if shortfall <= eps:
        return "green"
    if shortfall <= (tolerance or 0.0) + eps:
        return "amber"
    return "red"


def rule_params(
    settings: Settings,
    as_of: dt.date,
    series_months: int = 0,
    breakdown: str = "city",
    window_months: int | None = None,
) -> dict[str, Any]:
    """The bound parameters of the indicator rule files (each takes the ones it names)."""
    if breakdown not in ("city", "department", "district"):
        raise ValueError(f"unknown breakdown {breakdown!r}")
    return {
        "as_of": as_of,
        "series_months": int(series_months),
        "window_months": int(window_months or settings.windows.indicator_months),
        "breakdown": breakdown,
        "disclosure_working_days": settings.sla.disclosure_working_days,
        "objection_working_days": settings.sla.objection_working_days,
        "grading_objection_working_days": settings.sla.grading_objection_working_days,
    }


def _run_rule(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any], scope: Scope | None = None
) -> pd.DataFrame:
    return _run_rules(con, [query], params, scope)[0]


def _run_rules(
    con: duckdb.DuckDBPyConnection, queries: Iterable[str], params: dict[str, Any], scope: Scope | None = None
) -> list[pd.DataFrame]:
    """The rows of each rule file in `queries` (run side by side: run_queries; _rule_rows); with
    `scope`, groups (departments) outside it removed."""
    calls = [
        QueryCall(query, params) if scope is None else QueryCall(query, params, scope, scope_column="group_code")
        for query in queries
    ]
    return [_rule_rows(frame) for frame in run_queries(con, calls)]


def _rule_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Rule rows as every caller reads them, whichever query (or the stored rows) gave them:
    as_of_date a datetime.date, numerator, denominator and value float64 (NaN when missing)."""
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"]).dt.date
    for column in ("numerator", "denominator", "value"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


def _finish(frame: pd.DataFrame, entry: dict[str, Any]) -> pd.DataFrame:
    """Add target and status to rule rows of one indicator."""
    out = frame.copy()
    out["target"] = entry["target"]
    out["status"] = [status_of(v, entry["target"], entry["tolerance"], entry["direction"]) for v in out["value"]]
    return out


def _num(value: Any) -> float | None:
    """A number as float, or None when absent (None, NaN, pd.NA)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return float(value)


def indicators_at(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """One row per indicator (catalogue order) at `as_of`, city-wide: indicator_id, name, value,
    numerator, denominator, target, tolerance, direction, unit, status ('green' | 'amber' | 'red' |
    'none' when there is no data), responsible_departments, source. City values are aggregates
    shown to every viewer, so `scope` does not filter them. For a month-end the load precomputed
    (precompute) the stored rule rows are read; for any other date the rules run."""
    settings = settings or get_settings()
    as_of = as_date(as_of)
    rules = _precomputed_rules(con, as_of, "city", settings)
    if rules is None:
        rules = pd.concat(_run_rules(con, RULE_QUERIES, rule_params(settings, as_of)), ignore_index=True)
    city = rules[rules["group_code"].isna() & (rules["as_of_date"] == as_of)]
    cat = indicator_catalogue(settings)
    out = cat.merge(city[["indicator_id", "numerator", "denominator", "value"]], on="indicator_id", how="left")
    # a count with no rows at all is a count of zero (e.g. no commitment signed)
    counts = (out["unit"] == "count") & out["value"].isna()
    out.loc[counts, ["numerator", "value"]] = 0
    out["status"] = [status_of(r.value, r.target, r.tolerance, r.direction) for r in out.itertuples()]
    return out[AT_COLUMNS].reset_index(drop=True)


# ---- precomputed month-ends --------------------------------------------------------------------

# The breakdowns the load computes in advance: the city rows (indicators_at, 总览 of the month and
# of the month before) and the department rows (indicators_by_department, 责任单位's league tables)
PRECOMPUTED_BREAKDOWNS = ("city", "department")
PRECOMPUTED_COLUMNS = ["indicator_id", "as_of_date", "group_code", "numerator", "denominator", "value"]


def settings_key(settings: Settings) -> str:
    """A digest of what an indicator's rule rows depend on besides the data: the settings the rule
    queries and the marts take, and the release (store.schema.release_digest of the indicator rule
    files). Precomputed rows are read only while it is unchanged."""
    params = {k: v for k, v in rule_params(settings, dt.date(2000, 1, 1)).items() if k not in ("as_of", "breakdown")}
    blob = json.dumps([params, mart_params(settings), _release_digest()], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=1)
def _release_digest() -> str:
    """The release digest of the indicator rule files (store.schema.release_digest), once per process."""
    return release_digest(query_text(q) for q in RULE_QUERIES)


def precomputed_dates(con: duckdb.DuckDBPyConnection) -> dict[dt.date, str]:
    """Month-end → settings_key of the indicator rows the load computed in advance (empty for a
    warehouse that has none)."""
    return stored_dates(con, "indicators_precomputed_dates")


def _precomputed_rules(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, breakdown: str, settings: Settings, scope: Scope | None = None
) -> pd.DataFrame | None:
    """The stored rule rows of every indicator at `as_of` for `breakdown` (the columns the rule
    files return; with `scope`, groups outside it removed), or None when the load did not compute
    them under these settings."""
    if precomputed_dates(con).get(as_of) != settings_key(settings):
        return None
    params = {"as_of": as_of, "breakdown": breakdown}
    if scope is None:
        frame = run_query(con, "indicators_precomputed", params)
    else:
        frame = run_query(con, "indicators_precomputed", params, scope=scope, scope_column="group_code")
    return _rule_rows(frame)


def precompute(con: duckdb.DuckDBPyConnection, settings: Settings, month_ends: Iterable[dt.date]) -> int:
    """Compute the rule rows of every indicator at each of `month_ends`, for each of
    PRECOMPUTED_BREAKDOWNS, with the rule queries into indicators_precomputed, replacing whatever
    was there (a load does this for the month-ends whose warnings it precomputes). Each rule file
    runs once per breakdown for all the month-ends, as the series of the latest one (its points are
    computed exactly as at each date on its own: indicator_series). Returns the number of rows
    written."""
    con.execute("DELETE FROM indicators_precomputed")
    con.execute("DELETE FROM indicators_precomputed_dates")
    days = sorted({as_date(d) for d in month_ends})
    if not days:
        return 0
    latest = days[-1]
    # the series of `latest` holds it and every month-end of the months before it in the span
    months = (latest.year - days[0].year) * 12 + latest.month - days[0].month + 1
    key = settings_key(settings)
    for breakdown in PRECOMPUTED_BREAKDOWNS:
        params = {**rule_params(settings, latest, series_months=months, breakdown=breakdown), "days": days}
        for query in RULE_QUERIES:
            run_sql(
                con,
                "INSERT INTO indicators_precomputed BY NAME "
                f"SELECT CAST($breakdown AS VARCHAR) AS breakdown, * FROM ({as_subquery(query_text(query))}) AS r "
                "WHERE list_contains($days, r.as_of_date)",
                params,
            )
    run_sql(
        con,
        "INSERT INTO indicators_precomputed_dates "
        "SELECT DISTINCT as_of_date, $key, current_localtimestamp() FROM indicators_precomputed",
        {"key": key},
    )
    row = con.execute("SELECT count(*) FROM indicators_precomputed").fetchone()
    assert row is not None  # count(*) always returns one row
    return int(row[0])


def indicator_series(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    end_month: dt.date,
    scope: Scope,
    months: int | None = None,
    window_months: int | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The city value at each of the `months` month-ends (default settings windows.trend_months,
    24) up to end_month's month, oldest first: month_end, value, numerator, denominator, target,
    status. Each point is computed exactly as indicators_at computes it for that date, in one
    query; `window_months` replaces the rolling window of the windowed indicators (1 gives
    per-month values, e.g. I04 per month)."""
    settings = settings or get_settings()
    entry = _catalogue_entry(indicator_id, settings)
    months = int(months or settings.windows.trend_months)
    points = month_ends(as_date(end_month), months)[::-1]  # oldest first
    params = rule_params(settings, points[-1], series_months=months, window_months=window_months)
    rules = _run_rule(con, QUERY_OF[indicator_id], params)
    rows = rules[(rules["indicator_id"] == indicator_id) & rules["group_code"].isna()]
    frame = pd.DataFrame({"month_end": points}).merge(
        rows.rename(columns={"as_of_date": "month_end"})[["month_end", "numerator", "denominator", "value"]],
        on="month_end",
        how="left",
    )
    if entry["unit"] == "count":
        frame.loc[frame["value"].isna(), ["numerator", "value"]] = 0
    return _finish(frame, entry)[SERIES_COLUMNS]


def group_names(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    """(group_kind, code) → Chinese name, for departments (short name) and districts (P5)."""
    frame = run_query(con, "indicator_group_names")
    return {(r.group_kind, r.group_code): r.group_name for r in frame.itertuples()}


def _names(con: duckdb.DuckDBPyConnection, kind: str, codes: pd.Series, missing: str | None) -> pd.Series:
    """Chinese names of department / district codes; `missing` where the code is absent, the code
    itself where the reference data does not know it. Vectorised: detail lists run to 10^6 rows."""
    names = {code: name for (k, code), name in group_names(con).items() if k == kind}
    found = codes.map(names)
    return found.where(found.notna(), codes).where(codes.notna(), missing)


def _dates_as_date(frame: pd.DataFrame) -> pd.DataFrame:
    """DATE columns as datetime.date (DuckDB hands them to pandas as timestamps)."""
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.date.astype(object).where(frame[column].notna(), None)
    return frame


def _worst_first(frame: pd.DataFrame, direction: str, code: str) -> pd.DataFrame:
    """The weakest groups first: lowest values of a 'higher' indicator, highest of a 'lower' one;
    groups of equal value in the order of their `code` column, whatever order the rows came in."""
    by_code = frame.sort_values(code, na_position="last", kind="stable")
    return by_code.sort_values(
        "value", ascending=(direction == "higher"), na_position="last", kind="stable"
    ).reset_index(drop=True)


def indicator_by_department(
    con: duckdb.DuckDBPyConnection, indicator_id: str, as_of: dt.date, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """The indicator per department at `as_of`, weakest first: department_code, department_name,
    value, numerator, denominator, target, status. Limited to the viewer's departments; records
    whose department the reference data does not know form one row with department_code NULL
    (shown to viewers of all departments). Empty where the indicator has no department breakdown."""
    settings = settings or get_settings()
    entry = _catalogue_entry(indicator_id, settings)
    if "department" not in entry["breakdowns"]:
        return pd.DataFrame(columns=DEPARTMENT_COLUMNS)
    rules = _run_rule(
        con, QUERY_OF[indicator_id], rule_params(settings, as_date(as_of), breakdown="department"), scope=scope
    )
    return _department_rows(con, rules, entry, as_date(as_of))


def indicators_by_department(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """indicator_by_department for every indicator that has a department breakdown, running each
    rule file once (for department league tables): indicator_id plus the columns of
    indicator_by_department, each indicator's rows weakest first. For a month-end the load
    precomputed the stored rule rows are read."""
    settings = settings or get_settings()
    as_of = as_date(as_of)
    cat = indicator_catalogue(settings)
    wanted = cat[[("department" in b) for b in cat["breakdowns"]]]
    entries_of = {
        query: [e for e in wanted.to_dict(orient="records") if e["indicator_id"] in ids]
        for query, ids in RULE_QUERIES.items()
    }
    queries = [query for query, entries in entries_of.items() if entries]
    stored = _precomputed_rules(con, as_of, "department", settings, scope=scope)
    if stored is not None:  # every rule file's rows in one frame: _department_rows picks each indicator's
        results = [stored] * len(queries)
    else:
        results = _run_rules(con, queries, rule_params(settings, as_of, breakdown="department"), scope=scope)
    frames = []
    for query, rules in zip(queries, results, strict=True):
        for entry in entries_of[query]:
            frame = _department_rows(con, rules, entry, as_of)
            frame.insert(0, "indicator_id", entry["indicator_id"])
            frames.append(frame)
    return (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["indicator_id", *DEPARTMENT_COLUMNS])
    )


def _department_rows(
    con: duckdb.DuckDBPyConnection, rules: pd.DataFrame, entry: dict[str, Any], as_of: dt.date
) -> pd.DataFrame:
    rows = rules[(rules["indicator_id"] == entry["indicator_id"]) & (rules["as_of_date"] == as_of)]
    rows = rows.rename(columns={"group_code": "department_code"})
    rows["department_name"] = _names(con, "department", rows["department_code"], UNMAPPED_DEPARTMENT)
    return _worst_first(_finish(rows, entry), entry["direction"], "department_code")[DEPARTMENT_COLUMNS]


def indicator_by_district(
    con: duckdb.DuckDBPyConnection, indicator_id: str, as_of: dt.date, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """The indicator per district (P5) at `as_of`, weakest first: district_code, district_name,
    value, numerator, denominator, status. District figures are aggregates shown to every viewer.
    Empty where the indicator has no district breakdown."""
    settings = settings or get_settings()
    entry = _catalogue_entry(indicator_id, settings)
    if "district" not in entry["breakdowns"]:
        return pd.DataFrame(columns=DISTRICT_COLUMNS)
    as_of = as_date(as_of)
    rules = _run_rule(con, QUERY_OF[indicator_id], rule_params(settings, as_of, breakdown="district"))
    rows = rules[(rules["indicator_id"] == indicator_id) & (rules["as_of_date"] == as_of)]
    rows = rows.rename(columns={"group_code": "district_code"})
    rows["district_name"] = _names(con, "district", rows["district_code"], UNKNOWN_DISTRICT)
    return _worst_first(_finish(rows, entry), entry["direction"], "district_code")[DISTRICT_COLUMNS]


def indicator_detail_rows(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    as_of: dt.date,
    scope: Scope,
    department_code: str | None = None,
    district_code: str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The records behind an indicator at `as_of` — its numerator or its gap, as the office works
    them: I02 the months and pushes of the category; I03 the 错码/重码 records; I04a ledger vs
    reported per month, I04b the non-compliant and I04c the late records; I05 the objections not
    answered in time; I08a the commitments signed, I08b the broken ones; I10a the 22 grading
    departments, I10b the surviving enterprises not graded; I12 the 应修复未修复 penalties; I14
    the surviving enterprises not graded A; I15a/b the listed / newly listed enterprises, I15c the
    subjects not yet exited; I19 the government bodies' records. Rows carry department_code
    (department_name added) and, where they apply, uscc, subject_name and district_code; they are
    limited to the viewer's departments (except I02's monthly counts), filtered by department_code
    / district_code when given, and natural persons are masked unless scope.personal_data. A
    detail list: refused (DetailsRefused) for a scope of aggregates only."""
    require_details(scope, f"{indicator_id}明细清单")
    settings = settings or get_settings()
    entry = _catalogue_entry(indicator_id, settings)
    query = DETAIL_QUERIES[indicator_id]
    params = {
        **rule_params(settings, as_date(as_of)),
        "indicator_id": indicator_id,
        "department_code": department_code,
        "district_code": district_code,
        # I14's gap belongs to the department that grades taxpayers
        "responsible_department": (entry["responsible_departments"] or [None])[0],
    }
    if query in UNSCOPED_DETAILS:
        frame = run_query(con, query, params)
    else:
        frame = run_query(con, query, params, scope=scope, scope_column="department_code")
    if "department_code" in frame.columns:
        frame["department_name"] = _names(con, "department", frame["department_code"], None)
    if "district_code" in frame.columns:
        frame["district_name"] = _names(con, "district", frame["district_code"], None)
    frame = _dates_as_date(frame)
    if "is_natural_person" in frame.columns:
        frame = mask_frame(frame, scope, {"subject_name": "name"}, person_flag="is_natural_person")
    if "party_id_no" in frame.columns:
        frame = mask_frame(frame, scope, {"party_id_no": "id_no"})
    return frame.reset_index(drop=True)


def city_scores(
    con: duckdb.DuckDBPyConnection, scope: Scope, end_month: dt.date | None = None, months: int = 60
) -> pd.DataFrame:
    """I00, imported: the national monitoring score and rank of every city of the home city's
    province, per month, over the `months` months up to end_month (default: the latest month with
    a result for the home city): month, city, province, score, rank, rank_in_province,
    is_home_city. National results are public: `scope` does not filter them."""
    frame = run_query(
        con,
        "indicator_i00_city_scores",
        {"end_month": as_date(end_month) if end_month else None, "months": int(months)},
    )
    return _dates_as_date(frame)[CITY_SCORE_COLUMNS]
