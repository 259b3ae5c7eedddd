"""The warehouse schema, in one place: raw → staging → marts, reference and metadata tables.

Layers (one direction):
- `raw_<entity>`: every accepted row version exactly as received (text), with unknown columns as JSON.
- `stg_<entity>`: typed, validated versions; `_is_current` marks the live version of each natural key,
  earlier versions stay with `_ended_at` and `_end_reason` ('replaced' by a later drop, or 'retired'
  when a full extract no longer carries the key).
- `<entity>` (a view): the current rows only. Rule SQL reads these views and the marts.
- marts: `queries/marts/*.sql`, rebuilt after every load from staging and reference data.
- `quarantine`: rows that could not be used, with reason and original values.
- `ref_*`: reference data shipped in dashboard/reference, reloaded on every build.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.core import contract
from dashboard.core.identifiers import is_valid_resident_id, is_valid_uscc
from dashboard.core.settings import QUERIES_DIR, REFERENCE_DIR, Settings, get_settings
from dashboard.core.workdays import calendar_rows
from dashboard.store.db import MARTS_FOLDER, bind, run_query

SQL_TYPES = {
    contract.TEXT: "VARCHAR",
    contract.DATE: "DATE",
    contract.MONTH: "DATE",
    contract.BOOL: "BOOLEAN",
    contract.INT: "BIGINT",
    contract.DECIMAL: "DOUBLE",
}

# Metadata columns every staging row carries.
STG_META_COLUMNS = (
    ("_key", "VARCHAR NOT NULL"),
    ("_row_hash", "VARCHAR NOT NULL"),
    ("_flags", "VARCHAR NOT NULL DEFAULT ''"),
    ("_run_id", "VARCHAR"),
    ("_source", "VARCHAR"),
    ("_row_no", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
    ("_is_current", "BOOLEAN NOT NULL DEFAULT TRUE"),
    ("_ended_at", "TIMESTAMP"),
    ("_end_reason", "VARCHAR"),
)
RAW_META_COLUMNS = (
    ("_key", "VARCHAR"),
    ("_row_hash", "VARCHAR"),
    ("_extra", "VARCHAR"),
    ("_run_id", "VARCHAR"),
    ("_source", "VARCHAR"),
    ("_row_no", "BIGINT"),
)

OTHER_DDL = (
    """CREATE TABLE IF NOT EXISTS quarantine (
        run_id VARCHAR, entity VARCHAR, source VARCHAR, row_no BIGINT,
        reason_code VARCHAR, message_zh VARCHAR, original VARCHAR, quarantined_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS meta_snapshot (
        snapshot_id VARCHAR, built_at TIMESTAMP, run_id VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS meta_entity_loads (
        run_id VARCHAR, entity VARCHAR, source VARCHAR, mode VARCHAR, rows_read BIGINT,
        rows_accepted BIGINT, rows_quarantined BIGINT, rows_flagged BIGINT, rows_inserted BIGINT,
        rows_replaced BIGINT, rows_retired BIGINT, extra_columns VARCHAR, loaded_at TIMESTAMP)""",
    # the warnings of recent month-ends, computed by each load (dashboard.rules.credit_warnings.precompute)
    """CREATE TABLE IF NOT EXISTS warnings_precomputed (
        as_of_date DATE, warning_id VARCHAR, warning_type VARCHAR, uscc VARCHAR, party_id_no VARCHAR,
        is_natural_person BOOLEAN, subject_name VARCHAR, department_code VARCHAR, department_name VARCHAR,
        reason VARCHAR, anchor_records VARCHAR, risk_level VARCHAR, escalated BOOLEAN, repair_status VARCHAR,
        expiry_date DATE, first_seen_date DATE, first_seen_month DATE)""",
    """CREATE TABLE IF NOT EXISTS warnings_precomputed_dates (
        as_of_date DATE, settings_key VARCHAR, computed_at TIMESTAMP)""",
    # the indicator rule rows of the same month-ends, city-wide and per department
    # (dashboard.rules.indicators.precompute)
    """CREATE TABLE IF NOT EXISTS indicators_precomputed (
        as_of_date DATE, breakdown VARCHAR, indicator_id VARCHAR, group_code VARCHAR,
        numerator DOUBLE, denominator DOUBLE, value DOUBLE)""",
    """CREATE TABLE IF NOT EXISTS indicators_precomputed_dates (
        as_of_date DATE, settings_key VARCHAR, computed_at TIMESTAMP)""",
)


def entity_ddl(entity: contract.Entity) -> list[str]:
    """CREATE statements for one entity's raw and staging tables and its current-rows view."""
    typed = ", ".join(f'"{c.name}" {SQL_TYPES[c.type]}' for c in entity.columns)
    text = ", ".join(f'"{c.name}" VARCHAR' for c in entity.columns)
    stg_meta = ", ".join(f"{n} {t}" for n, t in STG_META_COLUMNS)
    raw_meta = ", ".join(f"{n} {t}" for n, t in RAW_META_COLUMNS)
    return [
        f"CREATE TABLE IF NOT EXISTS raw_{entity.name} ({text}, {raw_meta})",
        f"CREATE TABLE IF NOT EXISTS stg_{entity.name} ({typed}, {stg_meta})",
        f"CREATE OR REPLACE VIEW {entity.name} AS SELECT * FROM stg_{entity.name} WHERE _is_current",
    ]


def added_columns_ddl(con: duckdb.DuckDBPyConnection) -> list[str]:
    """ALTER statements that give the raw_/stg_ tables of a warehouse made by an earlier release
    the columns the contract has added since (a load copies the live snapshot, whose tables keep
    their old columns; the new ones are NULL in old rows)."""
    present = {
        (t, c)
        for t, c in con.execute("SELECT table_name, column_name FROM duckdb_columns() WHERE NOT internal").fetchall()
    }
    out = []
    for entity in contract.ENTITIES:
        for c in entity.columns:
            if (f"raw_{entity.name}", c.name) not in present:
                out.append(f'ALTER TABLE raw_{entity.name} ADD COLUMN "{c.name}" VARCHAR')
            if (f"stg_{entity.name}", c.name) not in present:
                out.append(f'ALTER TABLE stg_{entity.name} ADD COLUMN "{c.name}" {SQL_TYPES[c.type]}')
    return out


def create_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view that does not exist yet (idempotent)."""
    for entity in contract.ENTITIES:
        for stmt in entity_ddl(entity):
            con.execute(stmt)
    added = added_columns_ddl(con)
    for stmt in added:
        con.execute(stmt)
    if added:  # the views bound the old column lists
        for entity in contract.ENTITIES:
            con.execute(entity_ddl(entity)[-1])
    for stmt in OTHER_DDL:
        con.execute(stmt)


def _read_reference(name: str, reference_dir: Path) -> list[dict[str, str]]:
    with open(reference_dir / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _replace_table(con: duckdb.DuckDBPyConnection, name: str, ddl: str, frame: pd.DataFrame) -> None:
    """Recreate a reference table and fill it from a DataFrame in one bulk insert."""
    con.execute(f"CREATE OR REPLACE TABLE {name} ({ddl})")
    con.register("_reference_rows", frame)
    try:
        con.execute(f"INSERT INTO {name} SELECT * FROM _reference_rows")
    finally:
        con.unregister("_reference_rows")


def load_reference(con: duckdb.DuckDBPyConnection, reference_dir: Path = REFERENCE_DIR) -> None:
    """(Re)load reference data: departments with their name aliases and authority USCCs,
    districts (P5), industries with supervising departments, the indicator catalogue, and the
    working-day calendar (dashboard.core.workdays)."""
    deps = _read_reference("departments", reference_dir)
    _replace_table(
        con,
        "ref_departments",
        "department_code VARCHAR PRIMARY KEY, full_name VARCHAR, short_name VARCHAR, "
        "grading_listed BOOLEAN, disclosure_unit BOOLEAN",
        pd.DataFrame(
            [
                (
                    d["department_code"],
                    d["full_name"],
                    d["short_name"],
                    d["grading_listed"] == "1",
                    d["disclosure_unit"] == "1",
                )
                for d in deps
            ]
        ),
    )
    names: dict[str, str] = {}
    for d in deps:
        for n in (d["full_name"], d["short_name"], d["department_code"], *filter(None, d["aliases"].split("|"))):
            names.setdefault(n.strip(), d["department_code"])
    _replace_table(
        con,
        "ref_department_names",
        "name VARCHAR PRIMARY KEY, department_code VARCHAR",
        pd.DataFrame(sorted(names.items())),
    )
    _replace_table(
        con,
        "ref_department_usccs",
        "uscc VARCHAR PRIMARY KEY, department_code VARCHAR",
        pd.DataFrame(
            [(u.strip(), d["department_code"]) for d in deps for u in d["authority_usccs"].split("|") if u.strip()]
        ),
    )
    _replace_table(
        con,
        "ref_districts",
        "district_code VARCHAR PRIMARY KEY, name VARCHAR, kind VARCHAR",
        pd.DataFrame([(d["district_code"], d["name"], d["kind"]) for d in _read_reference("districts", reference_dir)]),
    )
    _replace_table(
        con,
        "ref_industries",
        "industry_code VARCHAR PRIMARY KEY, name VARCHAR, supervising_department VARCHAR",
        pd.DataFrame(
            [
                (d["industry_code"], d["name"], d["supervising_department"])
                for d in _read_reference("industries", reference_dir)
            ]
        ),
    )
    indicator_columns = ("indicator_id", "name", "source", "unit", "direction", "responsible_departments", "definition")
    _replace_table(
        con,
        "ref_indicators",
        ", ".join(f"{c} VARCHAR" for c in indicator_columns).replace(
            "indicator_id VARCHAR", "indicator_id VARCHAR PRIMARY KEY"
        ),
        pd.DataFrame([tuple(d[k] for k in indicator_columns) for d in _read_reference("indicators", reference_dir)]),
    )
    _replace_table(
        con,
        "ref_calendar",
        "day DATE PRIMARY KEY, is_workday BOOLEAN, workday_seq BIGINT",
        pd.DataFrame(calendar_rows(), columns=["day", "is_workday", "workday_seq"]),
    )


def mart_files(queries_dir: Path = QUERIES_DIR) -> list[Path]:
    """Mart definitions, built in file-name order (prefix them 10_, 20_ … when one uses another)."""
    return sorted((queries_dir / MARTS_FOLDER).glob("*.sql"))


def release_digest(query_texts: Iterable[str], queries_dir: Path = QUERIES_DIR) -> str:
    """A digest of what results derived from the data depend on besides the data and the settings:
    the given rule queries' text, every mart file and the reference data (departments, industries,
    districts). Stored with precomputed results, which are read only while it is unchanged."""
    files = [*mart_files(queries_dir), *sorted(REFERENCE_DIR.glob("*.csv"))]
    texts = [*query_texts, *(p.read_text(encoding="utf-8") for p in files)]
    return hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode("utf-8")).hexdigest()


def precomputed_dates(con: duckdb.DuckDBPyConnection, dates_query: str) -> dict[dt.date, str]:
    """Month-end → the settings key of results a load computed in advance, read by `dates_query`
    (warnings_precomputed_dates, indicators_precomputed_dates: as_of_date, settings_key); empty for
    a warehouse built before such results were stored."""
    try:
        frame = run_query(con, dates_query)
    except duckdb.CatalogException:  # a snapshot built before they were precomputed
        return {}
    return {pd.Timestamp(d).date(): k for d, k in zip(frame["as_of_date"], frame["settings_key"])}


def mart_params(settings: Settings) -> dict[str, Any]:
    """The settings that mart SQL may name as $parameters."""
    pub = settings.publicity
    return {
        "default_severity": pub.default_severity,
        "minor_min_months": pub.minor_min_months,
        "minor_max_months": pub.minor_max_months,
        "general_min_months": pub.general_min_months,
        "general_max_months": pub.general_max_months,
        "serious_min_months": pub.serious_min_months,
        "serious_max_months": pub.serious_max_months,
        "public_evaluation_name": settings.grades.public_evaluation_name,
        "below_medium_grades": ";".join(settings.grades.below_medium),
        "short_months": settings.windows.short_months,
        "short_min_decisions": settings.windows.short_min_decisions,
        "long_months": settings.windows.long_months,
        "long_min_decisions": settings.windows.long_min_decisions,
        # W4 / I19 government-body test (marts/30_government_parties.sql): settings lists as
        # regular expressions, since rule SQL may not use list functions
        "government_kind_pattern": _any_of(settings.government.uscc_kinds, whole=True),
        "government_never_kind_pattern": _any_of(settings.government.never_kinds, whole=True),
        "government_name_pattern": _any_of(settings.government.name_keywords),
        "government_exclusion_pattern": _any_of(settings.government.name_exclusions),
        "w4_department": settings.routing["w4_department"],
    }


def _any_of(words: Iterable[str], whole: bool = False) -> str:
    """A regular expression matching text that contains any of `words` (equals one, with `whole`);
    an empty list gives a pattern that matches nothing."""
    alternatives = "|".join(re.escape(w) for w in words if w)
    if not alternatives:
        return "a^"
    return f"^({alternatives})$" if whole else f"({alternatives})"


def build_marts(
    con: duckdb.DuckDBPyConnection, settings: Settings | None = None, queries_dir: Path = QUERIES_DIR
) -> list[tuple[str, float]]:
    """Rebuild every mart from staging and reference data. Mart files hold one CREATE OR REPLACE
    TABLE statement each (or VIEW, for a step over tables a load keeps writing, such as
    latest_entity_loads) and may name settings from mart_params as bound parameters. Returns
    each mart file's stem with the seconds it took, in build order (the load logs the slow ones)."""
    params = mart_params(settings or get_settings())
    timings = []
    for path in mart_files(queries_dir):
        sql = path.read_text(encoding="utf-8")
        started = time.monotonic()
        con.execute(sql, bind(sql, params))
        timings.append((path.stem, time.monotonic() - started))
    return timings


def insert_current_rows(
    con: duckdb.DuckDBPyConnection, entity: str, rows: Iterable[Mapping[str, Any]], run_id: str = "fixture"
) -> None:
    """Put typed rows straight into staging as current versions (tests and fixtures only: the
    loader is the way real data comes in). Missing columns are NULL; the key is built as the
    loader builds it; unless a row gives `_flags`, the P3/P4 check flags are computed as the
    loader sets them."""
    ent = contract.ENTITY_BY_NAME[entity]
    cols = ent.column_names
    now = dt.datetime.now()
    values: list[tuple[Any, ...]] = []
    for row in rows:
        unknown = set(row) - set(cols) - {"_flags"}
        if unknown:
            raise KeyError(f"{entity} has no columns {sorted(unknown)}")
        rec = [row.get(c) for c in cols]
        key = "|".join("" if row.get(k) is None else str(row.get(k)) for k in ent.key)
        flags = row["_flags"] if "_flags" in row else _check_flags(ent, row)
        values.append((*rec, key, f"h{len(values)}", flags, run_id, "fixture", len(values) + 1, now))
    col_list = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in range(len(cols) + 7))
    con.executemany(
        f"INSERT INTO stg_{ent.name} ({col_list}, _key, _row_hash, _flags, _run_id, _source, _row_no, _loaded_at) "
        f"VALUES ({marks})",
        values,
    )


def _check_flags(entity: contract.Entity, row: Mapping[str, Any]) -> str:
    flags: set[str] = set()
    for col in entity.columns:
        value = row.get(col.name)
        if value is None or col.check is None:
            continue
        ok = is_valid_uscc(value) if col.check == contract.CHECK_USCC else is_valid_resident_id(value)
        if not ok:
            flag = contract.check_flag(col)
            assert flag is not None  # col.check is set, and every check has its flag code
            flags.add(flag)
    return ";".join(sorted(flags))
