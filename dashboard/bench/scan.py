"""The bare column scan: the floor under a rule's time on DuckDB (part of `bench all`).

For a rule's SQL, `query_reads` lists the warehouse tables and views it reads and, per table, the
columns it reads and the columns it joins or filters on (sqlglot qualifies the statement against
the warehouse's own catalogue, then follows each column to the relation it comes from; columns of
CTEs and derived tables are followed through to the table underneath). `scan_seconds` then reads
exactly those columns once, one `SELECT count(*), min(c1), min(c2) … FROM t` per table: what no
plan can avoid doing. A rule at 1× its scan does nothing but read its input; the issue's budget is
at most 3×.

The same lists tell the PostgreSQL baseline (dashboard.bench.postgres) which tables and columns to
copy and which columns to index.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope

Catalogue = Mapping[str, Mapping[str, str]]  # table or view → column → DuckDB type


@dataclass(frozen=True)
class Reads:
    """What one statement reads: table → its columns (sorted), and table → the columns it joins or
    filters on (JOIN … ON, WHERE)."""

    columns: Mapping[str, tuple[str, ...]]
    filters: Mapping[str, tuple[str, ...]]

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(sorted(self.columns))


def warehouse_catalogue(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Every table and view of the warehouse's main schema with its columns and their types."""
    rows = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
    ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, {})[column] = data_type
    return out


def query_reads(sql: str, catalogue: Catalogue) -> Reads:
    """The warehouse tables and columns one DuckDB statement reads (see the module docstring).
    Every column of the statement that resolves to a relation of `catalogue` is listed; a column
    used inside a join condition or a WHERE clause is also a filter column."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    schema: dict[str, object] = {t: dict(cols) for t, cols in catalogue.items()}
    tree = qualify(tree, schema=schema, dialect="duckdb", validate_qualify_columns=False)
    columns: dict[str, set[str]] = {}
    filters: dict[str, set[str]] = {}
    for scope in traverse_scope(tree):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if not isinstance(source, exp.Table) or source.name not in catalogue:
                continue
            if column.name not in catalogue[source.name]:
                continue
            columns.setdefault(source.name, set()).add(column.name)
            clause = column.find_ancestor(exp.Join, exp.Where, exp.Select)
            if isinstance(clause, (exp.Join, exp.Where)):
                filters.setdefault(source.name, set()).add(column.name)
    return Reads(
        columns={t: tuple(sorted(c)) for t, c in sorted(columns.items())},
        filters={t: tuple(sorted(c)) for t, c in sorted(filters.items())},
    )


def merged(reads: Iterable[Reads]) -> Reads:
    """The union of several statements' reads (what a copy of the tables must hold for all of them)."""
    columns: dict[str, set[str]] = {}
    filters: dict[str, set[str]] = {}
    for r in reads:
        for table, cols in r.columns.items():
            columns.setdefault(table, set()).update(cols)
        for table, cols in r.filters.items():
            filters.setdefault(table, set()).update(cols)
    return Reads(
        columns={t: tuple(sorted(c)) for t, c in sorted(columns.items())},
        filters={t: tuple(sorted(c)) for t, c in sorted(filters.items())},
    )


def _quoted(name: str, catalogue_names: Iterable[str]) -> str:
    """An identifier known to the catalogue, double-quoted (never a name from anywhere else)."""
    if name not in set(catalogue_names):
        raise ValueError(f"unknown relation or column {name!r}")
    return '"' + name.replace('"', '""') + '"'


def scan_sql(table: str, columns: Iterable[str], catalogue: Catalogue) -> str:
    """`SELECT count(*), min(c1), … FROM table`: one pass over exactly these columns."""
    relation = _quoted(table, catalogue)
    mins = [f"min({_quoted(c, catalogue[table])})" for c in columns]
    return f"SELECT {', '.join(['count(*)', *mins])} FROM {relation}"


def scan_once(con: duckdb.DuckDBPyConnection, reads: Reads, catalogue: Catalogue) -> dict[str, int]:
    """Read every column of `reads` once; returns each table's row count."""
    counts = {}
    for table, columns in reads.columns.items():
        rows = con.execute(scan_sql(table, columns, catalogue)).fetchall()  # fetch all: frees the connection
        counts[table] = int(rows[0][0])
    return counts


def scan_seconds(con: duckdb.DuckDBPyConnection, reads: Reads, catalogue: Catalogue, runs: int) -> list[float]:
    """The wall time of `runs` scans of the columns in `reads` (one warm-up pass first, untimed)."""
    scan_once(con, reads, catalogue)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        scan_once(con, reads, catalogue)
        times.append(time.perf_counter() - t0)
    return times
