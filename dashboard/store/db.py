"""The one place that runs SQL from `queries/`: named, bound parameters and the scope filter.

A query is named by its file stem, whichever subfolder of queries/ holds it (indicators/, warnings/
…; names are unique across the tree, as dbt model names are), and described by its header:
`-- rule:` the docs/rules.md ids it serves, from which the rule → file maps are derived (rule_queries),
and `-- steps:` the shared steps of queries/steps/ it reads (see query_text)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard.core.scope import Scope
from dashboard.core.settings import QUERIES_DIR

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_RULE_ID = re.compile(r"[A-Z][0-9]+[a-z]?")  # docs/rules.md ids: W1, W1b, I04a, P11, G3 …
_HEADER_FIELD = re.compile(r"-- ([a-z]+):\s*(.*)")  # continuation lines are indented further
MARTS_FOLDER = "marts"  # CREATE statements, built by dashboard.store.schema.build_marts, not run here


@dataclass(frozen=True)
class QueryFile:
    """A query file of queries/ as its header describes it."""

    name: str  # the file stem: the name run_query takes
    folder: str  # the subfolder that holds it: 'indicators', 'warnings', 'steps' …
    path: Path
    rules: tuple[str, ...]  # the docs/rules.md ids its `-- rule:` line names before any parenthesis
    role: str | None  # that parenthesis ('detail', '告知书' …); None on the rule's own file
    steps: tuple[str, ...]  # the shared steps its `-- steps:` line reads


def _header(sql: str) -> dict[str, str]:
    """The `-- field: value` lines of the comment block a query file starts with."""
    fields: dict[str, str] = {}
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER_FIELD.fullmatch(line.rstrip())
        if match:
            fields.setdefault(match.group(1), match.group(2).strip())
    return fields


def _names_and_note(value: str) -> tuple[list[str], str | None]:
    """'I04b, I04c (detail)' → (['I04b', 'I04c'], 'detail'); a value without parenthesis has no note."""
    names, paren, rest = value.partition("(")
    note = rest.rsplit(")", 1)[0].strip() if paren else None
    return [n.strip() for n in names.split(",") if n.strip()], note


@cache
def query_files(queries_dir: Path = QUERIES_DIR) -> dict[str, QueryFile]:
    """Every query file under queries/ but the marts, by name, in (folder, name) order. A name in two
    folders is an error: run_query resolves names without folders."""
    found: dict[str, QueryFile] = {}
    for path in sorted(queries_dir.rglob("*.sql"), key=lambda p: (p.parent.name, p.name)):
        folder = path.parent.relative_to(queries_dir).as_posix()
        if folder == MARTS_FOLDER:
            continue
        if path.stem in found:
            raise ValueError(f"two query files named {path.stem}: {found[path.stem].path} and {path}")
        header = _header(path.read_text(encoding="utf-8"))
        ids, role = _names_and_note(header.get("rule", ""))
        if not ids or not all(_RULE_ID.fullmatch(i) for i in ids):
            ids, role = [], None  # names no rule id ('none (…)', 'docs/data-contract.md …', 'W2 overlay (…)')
        steps, _ = _names_and_note(header.get("steps", ""))
        found[path.stem] = QueryFile(path.stem, folder, path, tuple(ids), role, tuple(steps))
    return found


def rule_queries(folder: str, role: str | None = None, queries_dir: Path = QUERIES_DIR) -> dict[str, str]:
    """docs/rules.md id → the query of queries/<folder>/ whose `-- rule:` line names it with `role`: with
    None the rule's own file (a rule line without parenthesis, `-- rule: W1` or `-- rule: I04a,
    I04b, I04c`), with 'detail' the `-- rule: I12 (detail)` lists. Ordered by file name, then as
    the line names them. An id that two such files name is an error: a rule has one home."""
    out: dict[str, str] = {}
    for query in query_files(queries_dir).values():
        if query.folder != folder or query.role != role:
            continue
        for rule in query.rules:
            if rule in out:
                raise ValueError(f"rule {rule} ({role or 'rule file'}) is in both {out[rule]} and {query.name}")
            out[rule] = query.name
    return out


@cache
def query_text(name: str, queries_dir: Path = QUERIES_DIR) -> str:
    """The SQL of the query file `name` (queries/<folder>/<name>.sql). A shared step its header
    names (`-- steps: series_points`) is put in front of it as a CTE of that name, the way dbt
    inlines an ephemeral model: the step is written once, in queries/steps/, and the file reads
    it as a table."""
    query = query_files(queries_dir).get(name)
    if query is None:
        raise KeyError(f"no query file {name}.sql under {queries_dir}")
    sql = query.path.read_text(encoding="utf-8")
    for step in reversed(query.steps):
        sql = _with_step(sql, step, query_text(step, queries_dir))
    return sql


def _with_step(sql: str, name: str, step_sql: str) -> str:
    """`sql` (header comments, then one statement) with `step_sql` as its first CTE, `name`."""
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"bad step name {name!r}")
    lines = sql.splitlines(keepends=True)
    n_header = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("--")), len(lines))
    header, body = "".join(lines[:n_header]), "".join(lines[n_header:])
    indented = "\n".join(f"    {line}" if line.strip() else "" for line in as_subquery(step_sql).splitlines())
    cte = f"{name} AS (\n{indented}\n)"
    starts_with = re.match(r"WITH\s", body, flags=re.IGNORECASE)
    if starts_with:
        return f"{header}WITH {cte},\n\n{body[starts_with.end() :].lstrip()}"
    return f"{header}WITH {cte}\n{body}"


def bind(sql: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the SQL names; a named parameter with no value is an error, extras are ignored."""
    wanted = set(_PARAM.findall(strip_comments(sql)))
    missing = wanted - set(params)
    if missing:
        raise KeyError(f"missing query parameters: {sorted(missing)}")
    return {k: params[k] for k in wanted}


def strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def as_subquery(sql: str) -> str:
    """A query file's SQL, ready to stand in parentheses as a derived table: comments and the
    trailing semicolon removed."""
    return strip_comments(sql).strip().rstrip(";")


_NULLABLE = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def run_sql(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None, columnar: bool = False
) -> pd.DataFrame:
    """Run SQL with bound named parameters and fetch the whole result.

    With `columnar` the result travels through Arrow: text stays in Arrow buffers instead of
    becoming one Python object per cell, about twice as fast from 10^5 rows on. The frame is the
    same as without it for text, numbers, booleans and dates (datetime64[us]); DECIMAL and HUGEINT
    columns (e.g. SUM of integers) become float64 as they do without it."""
    bound = bind(sql, params or {})
    if not columnar:
        return con.execute(sql, bound).df()
    table = con.sql(sql, params=bound).to_arrow_table()
    decimals = [i for i, f in enumerate(table.schema) if pa.types.is_decimal(f.type)]
    for i in decimals:
        table = table.set_column(i, table.schema[i].name, table.column(i).cast(pa.float64()))
    frame = table.to_pandas(date_as_object=False)
    for i, field in enumerate(table.schema):
        if field.type in _NULLABLE and table.column(i).null_count:
            # integers and booleans with NULLs: pandas' nullable types, as the row path gives them
            frame.isetitem(i, table.column(i).to_pandas(types_mapper=_NULLABLE.get))
    dates = [
        c for c, t in frame.dtypes.items() if t.kind == "M" and getattr(t, "tz", None) is None and t != "datetime64[us]"
    ]
    return frame.astype({c: "datetime64[us]" for c in dates}) if dates else frame


def run_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    scope: Scope | None = None,
    scope_column: str | None = None,
    columnar: bool = False,
) -> pd.DataFrame:
    """Run queries/<name>.sql. With `scope_column`, rows whose department is outside the viewer's
    scope are removed here, in SQL, so no query function can forget it. `columnar`: see run_sql."""
    sql = query_text(name)
    params = dict(params or {})
    if scope_column is not None:
        if scope is None:
            raise ValueError("a scoped query needs the viewer's scope")
        if not re.fullmatch(r"[a-z_]+", scope_column):
            raise ValueError(f"bad scope column {scope_column!r}")
        sql = (
            f"SELECT * FROM ({as_subquery(sql)}) AS scoped "
            f"WHERE $scope_all OR list_contains($scope_departments, scoped.{scope_column})"
        )
        params["scope_all"] = scope.sees_all
        params["scope_departments"] = scope.department_list
    return run_sql(con, sql, params, columnar=columnar)


def as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
