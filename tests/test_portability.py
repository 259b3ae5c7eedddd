"""Every SQL file of queries/ stays portable to a distributed engine (docs/architecture.md, "Portable SQL": larger than one
machine): it has the agreed header, parses as DuckDB SQL, transpiles to Spark SQL and PostgreSQL
without error, avoids the constructs known to fail or mistranslate, and does month arithmetic only in
the form that transpiles correctly. The indicator rules and the marts they read are also run on a
real PostgreSQL server, transpiled, and must give exactly the DuckDB results."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlglot
from indicator_data import D, build, mixed_rows
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from dashboard.core.settings import QUERIES_DIR, Settings
from dashboard.rules import indicators as ind
from dashboard.store.db import MARTS_FOLDER, bind, query_text
from dashboard.store.schema import mart_params
from tests.pg_kit import copy_table, pg_sql, plain_rows

SQL_FILES = sorted(QUERIES_DIR.rglob("*.sql"))
HEADER_FIELDS = ("-- rule:", "-- returns:", "-- parameters:", "-- source:")
# Known to fail in sqlglot or on another engine, or to mistranslate silently (docs/architecture.md)
FORBIDDEN = {
    "QUALIFY (mistranslated with ORDER BY … LIMIT)": r"\bqualify\b",
    "PIVOT": r"\b(un)?pivot\b",
    "to_months / to_days …": r"\bto_(years|months|weeks|days|hours|minutes|seconds)\s*\(",
    "date_add / date_sub variants": r"\b(date_add|date_sub|add_months)\s*\(",
    "make_date": r"\bmake_date\s*\(",
    "quantile functions": r"\bquantile(_cont|_disc)?\s*\(",
    "generate_series / range tables": r"\b(generate_series|range)\s*\(",
    "list functions": r"\b(list_\w+|array_\w+|string_split\w*|unnest|list)\s*\(",
}


def _code(sql: str) -> str:
    """The SQL without comments and string literals (for scanning constructs)."""
    sql = re.sub(r"--[^\n]*", "", sql)
    return re.sub(r"'(?:[^']|'')*'", "''", sql)


def _name(path: Path) -> str:
    return str(path.relative_to(QUERIES_DIR))


@pytest.fixture(params=SQL_FILES, ids=_name)
def sql_file(request) -> tuple[Path, str]:
    return request.param, request.param.read_text(encoding="utf-8")


def test_there_are_rule_files():
    assert {f"{q}.sql" for q in ind.RULE_QUERIES} <= {p.name for p in SQL_FILES}


def test_header_states_rule_grain_parameters_and_source(sql_file):
    path, sql = sql_file
    lines = sql.splitlines()
    assert lines and lines[0].startswith("-- rule:"), f"{path.name} must start with '-- rule:'"
    header = []
    for line in lines:
        if not line.startswith("--"):
            break
        header.append(line)
    for field in HEADER_FIELDS:
        assert any(line.startswith(field) for line in header), f"{path.name} lacks '{field}' in its header"
    text = "\n".join(header)
    for name in sorted(set(re.findall(r"\$([A-Za-z_]\w*)", _code(sql)))):
        assert f"${name}" in text, f"{path.name} uses ${name} without naming it in its header"


def test_parses_and_transpiles_to_spark_and_postgres(sql_file):
    path, sql = sql_file
    if path.parent.name != MARTS_FOLDER:
        sql = query_text(path.stem)  # as run: with the shared steps it reads (queries/steps/)
    statements = sqlglot.parse(sql, read="duckdb", error_level=ErrorLevel.RAISE)
    assert len([s for s in statements if s is not None]) == 1, f"{path.name}: one statement per file"
    for dialect in ("spark", "postgres"):
        out = sqlglot.transpile(
            sql, read="duckdb", write=dialect, unsupported_level=ErrorLevel.RAISE, error_level=ErrorLevel.RAISE
        )
        assert out and out[0].strip()


def test_avoids_constructs_that_do_not_port(sql_file):
    path, sql = sql_file
    code = _code(sql)
    found = [label for label, pattern in FORBIDDEN.items() if re.search(pattern, code, flags=re.IGNORECASE)]
    assert not found, f"{path.name} uses {found}"


def test_interval_arithmetic_is_cast_to_date(sql_file):
    """`date ± INTERVAL` is a TIMESTAMP in DuckDB and a DATE in Spark: every such expression is
    wrapped in CAST(… AS DATE) (month arithmetic with calendar clamping, portable form)."""
    path, sql = sql_file
    tree = sqlglot.parse_one(sql, read="duckdb")
    for interval in tree.find_all(exp.Interval):
        node, cast = interval.parent, None
        while node is not None:
            if isinstance(node, exp.Cast):
                cast = node
                break
            node = node.parent
        assert cast is not None and cast.to.is_type("date"), (
            f"{path.name}: {interval.parent.sql('duckdb')} is not inside CAST(… AS DATE)"
        )


# --- the same results on PostgreSQL ---------------------------------------------------------

SETTINGS = Settings.load(env={})
T = D(2024, 6, 30)
# The marts the indicator rules read, in build order
INDICATOR_MARTS = (
    "10_calendar_months",
    "10_subject_facts",
    "20_penalty_facts",
    "20_license_facts",
    "25_penalty_publicity_spans",
    "30_government_parties",
    *sorted(p.stem for p in (QUERIES_DIR / "marts").glob("30_indicator_*.sql")),
    "35_a_grade_enterprises",
    "35_enterprise_evaluation_days",
)


def _normalized(frame: pd.DataFrame) -> list[tuple]:
    rows = []
    for r in frame.itertuples(index=False):
        value = None if pd.isna(r.value) else round(float(r.value), 9)
        rows.append(
            (
                r.indicator_id,
                pd.Timestamp(r.as_of_date).date(),
                None if pd.isna(r.group_code) else r.group_code,
                None if pd.isna(r.numerator) else int(r.numerator),
                None if pd.isna(r.denominator) else int(r.denominator),
                value,
            )
        )
    return sorted(rows, key=lambda t: tuple("" if v is None else str(v) for v in t))


@pytest.mark.postgres
def test_indicator_rules_give_the_same_rows_on_postgresql(tmp_path, pg_cursor):
    duck = build(tmp_path / "w.duckdb", mixed_rows())
    sources = [
        t
        for t in (
            "subjects",
            "penalties",
            "licenses",
            "tax_credit",
            "evaluations",
            "repairs",
            "objections",
            "commitments",
            "collections",
            "disclosure_ledger",
            "serious_dishonest",
            "executees",
            "ref_calendar",
            "ref_departments",
            "ref_department_names",
            "ref_department_usccs",
            "ref_districts",
            "ref_industries",
        )
    ]
    for name in sources:
        copy_table(duck, pg_cursor, name)
    marts = mart_params(SETTINGS)
    for mart in INDICATOR_MARTS:
        sql = (QUERIES_DIR / "marts" / f"{mart}.sql").read_text(encoding="utf-8")
        pg_cursor.execute(pg_sql(sql), bind(sql, marts))
    compared = 0
    for query in ind.RULE_QUERIES:
        sql = query_text(query)
        for breakdown in ("city", "department", "district"):
            params = ind.rule_params(SETTINGS, T, series_months=3, breakdown=breakdown)
            expected = duck.execute(sql, bind(sql, params)).df()
            pg_cursor.execute(pg_sql(sql), bind(sql, params))
            got = pd.DataFrame(pg_cursor.fetchall(), columns=[c.name for c in pg_cursor.description])
            assert _normalized(got) == _normalized(expected), f"{query} ({breakdown}) differs on PostgreSQL"
            compared += len(expected)
    assert compared > 100
    for indicator_id, query in ind.DETAIL_QUERIES.items():
        sql = query_text(query)
        params = {
            **ind.rule_params(SETTINGS, T),
            "indicator_id": indicator_id,
            "department_code": None,
            "district_code": None,
            "responsible_department": "tax",
        }
        expected = duck.execute(sql, bind(sql, params)).df()
        pg_cursor.execute(pg_sql(sql), bind(sql, params))
        got = pd.DataFrame(pg_cursor.fetchall(), columns=[c.name for c in pg_cursor.description])
        assert list(got.columns) == list(expected.columns)
        assert plain_rows(got) == plain_rows(expected), f"{query} ({indicator_id}) differs on PostgreSQL"
