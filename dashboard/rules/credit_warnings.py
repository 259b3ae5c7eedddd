"""Credit warnings (信用预警) W1–W5 at an as-of date: one row per warning and routed department.

Each type is one SQL file in queries/ (see WARNING_QUERIES) returning the same columns. A warning's
id is `<type>-` + the first 12 hex digits of MD5(type | subject | routed department | anchor), where
the anchor is the record that opens it: W1 the decision that opened the current episode, W1b the
decision, W1c the campaign, W2 the licence, W3 the first evaluation of the current below-medium run,
W4 the case, W5 the loan. So an id is identical across reloads and as-of dates while the condition
holds, and the follow-up recorded against it (dashboard.rules.followup) survives every load.

first_seen_date is the day the condition last began to hold without a break up to T;
first_seen_month is the month end of that day (the first monthly extraction that lists it).

CLI: `python -m dashboard warnings --as-of YYYY-MM-DD [--type W1 …] [--department CODE]
[--format json|csv]` (personal data masked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from functools import lru_cache
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.core.privacy import mask_frame
from dashboard.core.scope import Scope, require_details
from dashboard.core.settings import Settings, get_settings
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

WARNING_TYPES = {
    "W1": "多次行政处罚预警",
    "W1b": "应修复未修复",
    "W1c": "专项治理名单",
    "W2": "行政许可到期风险",
    "W3": "综合评价中等以下",
    "W4": "政府失信风险",
    "W5": "信易贷违约",
}

# Warning type → its rule file: the file of queries/warnings/ whose header says `-- rule: W1`.
WARNING_QUERIES: dict[str, str] = rule_queries("warnings")

# Columns of warnings_at, in order. anchor_records is a list of record ids.
WARNING_COLUMNS = (
    "warning_id",
    "warning_type",
    "uscc",
    "party_id_masked",
    "subject_name",
    "department_code",
    "department_name",
    "reason",
    "anchor_records",
    "risk_level",
    "escalated",
    "repair_status",
    "expiry_date",
    "first_seen_date",
    "first_seen_month",
)

ANCHOR_SEPARATOR = "|"


def warning_params(as_of: dt.date, settings: Settings, uscc: str | None = None) -> dict[str, Any]:
    """The bound parameters of the warning queries (each query takes the ones it names); `uscc`
    limits them to one subject."""
    w = settings.windows
    return {
        "as_of": as_of,
        "uscc": uscc,
        "short_months": w.short_months,
        "short_min_decisions": w.short_min_decisions,
        "long_months": w.long_months,
        "long_min_decisions": w.long_min_decisions,
        "licence_horizon_months": w.licence_horizon_months,
        "default_buffer_days": settings.default_buffer_days,
        "w5_department": settings.routing["w5_department"],
    }


def split_anchors(joined: pd.Series) -> pd.Series:
    """'|'-joined record ids → a list per row, kept in Arrow (pd.ArrowDtype(list<string>)): each
    value reads as a Python list, but none is built until it is read. Building 10^6 Python strings
    up front took longer than the warning rules themselves at province scale."""
    lists = pc.split_pattern(pa.array(joined, type=pa.string()), ANCHOR_SEPARATOR)
    return pd.Series(pd.arrays.ArrowExtensionArray(lists), index=joined.index, name=joined.name)


def warning_type_of(warning_id: str) -> str | None:
    """The type encoded in a warning id ('W1b-3f…' → 'W1b'), None for anything else."""
    prefix = str(warning_id).split("-", 1)[0]
    return prefix if prefix in WARNING_TYPES else None


def _check_types(types: Iterable[str] | None) -> list[str]:
    chosen = list(WARNING_TYPES) if not types else list(dict.fromkeys(types))
    unknown = [t for t in chosen if t not in WARNING_TYPES]
    if unknown:
        raise ValueError(f"未知的预警类型：{'、'.join(unknown)}（可选 {'、'.join(WARNING_TYPES)}）")
    return chosen


def warnings_at(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | str,
    scope: Scope,
    types: Iterable[str] | None = None,
    department_code: str | None = None,
    uscc: str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Every warning holding at `as_of` that the viewer's scope reaches: one row per warning and
    routed department (WARNING_COLUMNS), grouped by type in WARNING_TYPES order (within a type in no
    particular order: sorting is the caller's, at the size it shows). `types` limits the
    warning types, `department_code` the routed department, `uscc` the subject. Natural persons'
    names and ID numbers are masked unless `scope.personal_data` (P6). Dates are datetime64, text
    is pandas' Arrow-backed str, anchor_records a list per row kept in Arrow (split_anchors), and
    missing values pandas' own (NaN/NaT): at province scale the frame has ~10^5–10^6 rows, and
    per-cell conversion would cost more than the rules themselves. For a month-end the load
    precomputed (precompute) the stored rows are read; for any other date the rules run. A list of
    subjects: refused (DetailsRefused) for a scope of aggregates only (an aggregate reads it under
    scope.for_aggregates())."""
    require_details(scope, "信用预警清单")
    settings = settings or get_settings()
    params = warning_params(as_date(as_of), settings, uscc=uscc)
    if department_code is not None:
        # one department: the scope filter narrowed to it (nothing when the viewer may not see it)
        allowed = scope.sees_all or department_code in scope.department_list
        scope = replace(scope, departments=frozenset([department_code] if allowed else []))
    chosen = _check_types(types)
    if precomputed_dates(con).get(params["as_of"]) == settings_key(settings):
        out = run_query(
            con,
            "warnings_precomputed",
            {**params, "types": ";".join(chosen)},
            scope=scope,
            scope_column="department_code",
        )
        order = {t: i for i, t in enumerate(WARNING_TYPES)}
        out = out.iloc[out["warning_type"].map(order).argsort(kind="stable")].reset_index(drop=True)
    else:
        calls = [QueryCall(WARNING_QUERIES[t], params, scope, scope_column="department_code") for t in chosen]
        frames = run_queries(con, calls)
        frames = [f for f in frames if not f.empty]
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if out.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in WARNING_COLUMNS})
    if not scope.personal_data and out["is_natural_person"].any():
        out = mask_frame(out, scope, {"subject_name": "name", "party_id_no": "id_no"}, person_flag="is_natural_person")
    out = out.rename(columns={"party_id_no": "party_id_masked"})
    out["anchor_records"] = split_anchors(out["anchor_records"])
    out["escalated"] = out["escalated"].astype(bool)
    return out[list(WARNING_COLUMNS)]


# ---- precomputed month-ends --------------------------------------------------------------------


def settings_key(settings: Settings) -> str:
    """A digest of what the warnings of a date depend on besides the data: the settings the rule
    queries and the marts they read take, the text of those queries and marts, and the reference
    data (departments, industries, districts). Precomputed warnings are read only while it is
    unchanged, so a changed threshold or a new release never shows warnings computed under the
    old ones."""
    params = {k: v for k, v in warning_params(dt.date(2000, 1, 1), settings).items() if k not in ("as_of", "uscc")}
    blob = json.dumps(
        [params, mart_params(settings), _release_digest()], sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=1)
def _release_digest() -> str:
    """The release digest of the warning rule files (store.schema.release_digest): read once per
    process (they are part of the release), not on every warnings_at call."""
    return release_digest(query_text(q) for q in WARNING_QUERIES.values())


def precomputed_dates(con: duckdb.DuckDBPyConnection) -> dict[dt.date, str]:
    """Month-end → settings_key of the warnings the load computed in advance (empty for a
    warehouse that has none)."""
    return stored_dates(con, "warnings_precomputed_dates")


def precompute(con: duckdb.DuckDBPyConnection, settings: Settings, month_ends: Iterable[dt.date]) -> int:
    """Compute the warnings of each of `month_ends` with the rule queries into the table
    warnings_precomputed, replacing whatever was there (a load does this for the months the
    统计月份 picker opens on; warnings_at then reads them instead of evaluating the rules).
    Returns the number of warning rows written."""
    con.execute("DELETE FROM warnings_precomputed")
    con.execute("DELETE FROM warnings_precomputed_dates")
    key = settings_key(settings)
    for day in sorted(set(month_ends)):
        params = warning_params(day, settings)
        for query in WARNING_QUERIES.values():
            run_sql(
                con,
                "INSERT INTO warnings_precomputed BY NAME "
                f"SELECT CAST($as_of AS DATE) AS as_of_date, * FROM ({as_subquery(query_text(query))}) AS rule_rows",
                params,
            )
        run_sql(
            con,
            "INSERT INTO warnings_precomputed_dates VALUES ($as_of, $key, current_localtimestamp())",
            {"as_of": day, "key": key},
        )
    row = con.execute("SELECT count(*) FROM warnings_precomputed").fetchone()
    assert row is not None  # count(*) always returns one row
    return int(row[0])
