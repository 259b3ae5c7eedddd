"""The one place that runs SQL from `queries/`: named, bound parameters, the scope filter, results
through Arrow and the statement time limit (run_sql).

A query is named by its file stem, whichever subfolder of queries/ holds it (indicators/, warnings/
…; names are unique across the tree, as dbt model names are), and described by its header:
`-- rule:` the docs/rules.md ids it serves, from which the rule → file maps are derived (rule_queries),
and `-- steps:` the shared steps of queries/steps/ it reads (see query_text)."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard.core.scope import Scope
from dashboard.core.settings import QUERIES_DIR, get_settings

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
# DuckDB types whose Arrow form becomes other Python objects than DuckDB's own conversion gives
# (an INTERVAL a DateOffset instead of a Timedelta, a MAP a list of pairs, a BLOB bytes): a result
# with one of them is converted by DuckDB. No warehouse query returns them.
_NOT_THROUGH_ARROW = frozenset({"interval", "map", "blob"})
_MICROSECONDS = pa.timestamp("us")

TIME_LIMIT_MESSAGE = "查询超过 {seconds} 秒仍未完成，已停止。请缩小统计范围或稍后重试；如反复出现请联系信用办管理员。"


class QueryTimeLimit(duckdb.InterruptException):
    """A statement ran longer than the statement time limit and was stopped (`run_sql`). `seconds`
    is the limit, `query` the queries/ file name when run by `run_query`; str() is the Chinese
    message a page shows (TIME_LIMIT_MESSAGE). A subclass of DuckDB's own InterruptException, so
    handlers of duckdb.Error see it as the database error it is."""

    def __init__(self, seconds: float, query: str | None = None) -> None:
        self.seconds = seconds
        self.query = query
        super().__init__(TIME_LIMIT_MESSAGE.format(seconds=f"{seconds:g}"))


# None: the limit of settings query.statement_seconds; 0: no limit; > 0: that many seconds.
_time_limit: ContextVar[float | None] = ContextVar("statement_time_limit", default=None)


@contextmanager
def statement_time_limit(seconds: float | None) -> Iterator[None]:
    """Within the block (this thread or task, see contextvars), statements of `run_sql` run under
    `seconds` instead of settings query.statement_seconds: 0 (or None) for none. A load and a
    rebuild wrap their derived-table build in `statement_time_limit(0)` (dashboard.load.loading):
    the precomputed warnings run long on purpose and must never be cut; tests set short limits."""
    token = _time_limit.set(float(seconds or 0))
    try:
        yield
    finally:
        _time_limit.reset(token)


def time_limit_seconds() -> float:
    """The statement time limit in force here: `statement_time_limit`'s, else settings
    query.statement_seconds; 0 means none."""
    chosen = _time_limit.get()
    return max(0.0, get_settings().query.statement_seconds if chosen is None else chosen)


def run_sql(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None, query: str | None = None
) -> pd.DataFrame:
    """Run SQL with bound named parameters and fetch the whole result, through Arrow.

    Text stays in Arrow buffers instead of becoming one Python object per cell (about twice as
    fast as DuckDB's own conversion from 10^5 rows on; README "Operating at scale"). The frame
    is what DuckDB's own conversion gives (tests/test_query_runner.py holds it to that type by
    type): text as pandas' str dtype (missing values NaN), integers as int64 / int32 … and
    booleans as bool, or as pandas' nullable Int64 / boolean … when the column holds a NULL;
    DOUBLE, DECIMAL and HUGEINT (SUM of integers) as float64; DATE and TIMESTAMP as
    datetime64[us], TIMESTAMPTZ tz-aware in the connection's time zone; a LIST as numpy arrays
    (a NULL list None); an empty result keeps its columns and types. A statement without rows
    (INSERT, CREATE) returns what DuckDB reports (a Count column, or nothing).

    The statement runs under the statement time limit (`time_limit_seconds`): when it has not
    finished by then, a timer interrupts the connection and QueryTimeLimit is raised (`query`
    names the file in it); the connection stays usable. DuckDB has no statement timeout of its
    own, and interrupt() stops only the statement of the connection (cursor) it is called on."""
    bound = bind(sql, params or {})
    limit = time_limit_seconds()
    if not limit:
        return _fetch(con, sql, bound)
    fired = threading.Event()
    finished = threading.Event()
    lock = threading.Lock()

    def stop() -> None:
        with lock:  # never after this call returned: the cursor may be running its next statement
            if not finished.is_set():
                fired.set()
                con.interrupt()

    timer = threading.Timer(limit, stop)
    timer.daemon = True
    timer.start()
    try:
        return _fetch(con, sql, bound)
    except duckdb.InterruptException as exc:
        if fired.is_set():
            raise QueryTimeLimit(limit, query) from exc
        raise
    finally:
        with lock:
            finished.set()
        timer.cancel()


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, bound: Mapping[str, Any]) -> pd.DataFrame:
    # A result of con.execute() read only in part (fetchone) would make con.sql refuse to run:
    # run it to its end first, as a next execute() would (nothing to do when none is pending).
    con.complete()
    relation = con.sql(sql, params=bound)
    if relation is None:  # a statement without a result
        return pd.DataFrame()
    if any(t.id in _NOT_THROUGH_ARROW for t in relation.types):
        return relation.df()
    table = relation.to_arrow_table()
    for i, field in enumerate(table.schema):
        # cast in Arrow, before pandas sees the column (cheaper than an astype of the frame after)
        if pa.types.is_decimal(field.type):  # DECIMAL, and HUGEINT (decimal128(38, 0)): float64, as DuckDB does
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
        elif pa.types.is_date(field.type) or (
            pa.types.is_timestamp(field.type) and field.type.tz is None and field.type.unit != "us"
        ):  # DATE as DuckDB converts it, and every other date-time without zone alike: datetime64[us]
            table = table.set_column(i, field.name, table.column(i).cast(_MICROSECONDS))
    frame = table.to_pandas()
    for i, field in enumerate(table.schema):
        if field.type in _NULLABLE and table.column(i).null_count:
            # integers and booleans with NULLs: pandas' nullable types, as DuckDB's conversion gives them
            frame.isetitem(i, table.column(i).to_pandas(types_mapper=_NULLABLE.get))
    return frame


def run_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    scope: Scope | None = None,
    scope_column: str | None = None,
) -> pd.DataFrame:
    """Run queries/<name>.sql through `run_sql` (Arrow, the statement time limit). With
    `scope_column`, rows whose department is outside the viewer's scope are removed here, in SQL,
    so no query function can forget it."""
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
    return run_sql(con, sql, params, query=name)


@dataclass(frozen=True)
class QueryCall:
    """One run_query call of a run_queries batch: the file name, its parameters and the scope
    filter (see run_query)."""

    name: str
    params: Mapping[str, Any]
    scope: Scope | None = None
    scope_column: str | None = None


def run_queries(
    con: duckdb.DuckDBPyConnection, calls: Sequence[QueryCall], workers: int | None = None
) -> list[pd.DataFrame]:
    """run_query for every call, the frames in the order of `calls`. Up to `workers` (default
    settings query.parallel_queries) run at once, each on its own cursor of `con`: DuckDB runs the
    statements of different cursors of one database side by side within its own thread pool, so
    while one result is turned into a frame in Python (which holds the interpreter) the next
    statement runs. Each runs under the caller's statement time limit (its context is copied).
    The cursors see what `con`'s database has committed: call it on a connection without an open
    transaction of its own (every reader of the warehouse is one). With one worker, or one call,
    the calls run one by one on `con` itself. The first error is raised once every call ended."""
    workers = max(1, int(get_settings().query.parallel_queries if workers is None else workers))
    if workers == 1 or len(calls) <= 1:
        return [run_query(con, c.name, c.params, scope=c.scope, scope_column=c.scope_column) for c in calls]

    def run_on_cursor(call: QueryCall) -> pd.DataFrame:
        cursor = con.cursor()
        try:
            return run_query(cursor, call.name, call.params, scope=call.scope, scope_column=call.scope_column)
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=min(workers, len(calls)), thread_name_prefix="query") as pool:
        futures = [pool.submit(copy_context().run, run_on_cursor, call) for call in calls]
        return [f.result() for f in futures]


def as_date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
