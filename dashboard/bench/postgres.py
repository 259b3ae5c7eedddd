"""The PostgreSQL baseline of `bench all`: the same rule SQL, transpiled, on a tuned PostgreSQL.

Given a warehouse snapshot and the rules to measure (`measured_rules`: every indicator rule file of
queries/indicators/ and every warning rule file of queries/warnings/), `PostgresCopy.ensure`
copies what those rules read into a schema of its own — the tables and views they name, each with
only the columns they use (dashboard.bench.scan.query_reads), views copied as plain tables — through
DuckDB's CSV writer and `COPY … FROM STDIN`, indexes every column they join or filter on (booleans
excepted), and runs VACUUM ANALYZE. The schema is named after the snapshot id and the copied
columns, so a second run on the same snapshot finds it complete and copies nothing; copies of
older snapshots of the same warehouse are dropped.

`pg_sql` is the one transpile of DuckDB SQL to PostgreSQL (sqlglot), shared with the portability
tests; `plain_rows` is the normalisation under which both engines' answers must be equal.

Which server: `--postgres-url` or DASHBOARD_BENCH_POSTGRES_URL; without either, the machine's own
cluster is started on loopback as scripts/test_postgres.sh starts it (`local_cluster_url`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg2
import sqlglot
from psycopg2 import sql as pgsql
from sqlalchemy import make_url
from sqlglot import ErrorLevel

from dashboard.bench.scan import Catalogue, Reads, merged, query_reads
from dashboard.core.settings import Settings
from dashboard.rules.credit_warnings import WARNING_QUERIES, WARNING_TYPES, warning_params
from dashboard.rules.indicators import DETAIL_QUERIES, RULE_QUERIES, indicator_catalogue, rule_params
from dashboard.store.db import bind, query_text

URL_VARIABLE = "DASHBOARD_BENCH_POSTGRES_URL"
BENCH_ROLE = "dashboard_bench"  # role and database made on the machine's cluster when no URL is given
COPY_FORMAT = 1  # bump when the layout of the copied schema changes: older copies are then rebuilt
MARKER_TABLE = "bench_copy"

# Session settings of every measuring connection (docs/benchmarks.md). shared_buffers cannot be
# set per session; the server's own value is reported with the figures.
SESSION_SETTINGS: dict[str, str] = {
    "work_mem": "256MB",
    "max_parallel_workers_per_gather": "2",
    "jit": "off",
    "random_page_cost": "1.1",
    "effective_cache_size": "8GB",
}

# DuckDB type → PostgreSQL type of the copied columns
PG_TYPES = {
    "VARCHAR": "TEXT",
    "DATE": "DATE",
    "BIGINT": "BIGINT",
    "INTEGER": "INTEGER",
    "BOOLEAN": "BOOLEAN",
    "DOUBLE": "DOUBLE PRECISION",
    "TIMESTAMP": "TIMESTAMP",
}


def pg_sql(sql: str) -> str:
    """A queries/ file (DuckDB SQL) transpiled to PostgreSQL, ready for psycopg2 parameters."""
    out = sqlglot.transpile(sql, read="duckdb", write="postgres", unsupported_level=ErrorLevel.RAISE)[0]
    out = out.replace("CREATE OR REPLACE TABLE", "CREATE TABLE", 1)  # marts: a fresh schema
    return re.sub(r"%(?!\(\w+\)s)", "%%", out)  # literal % next to psycopg2 parameters


def plain_rows(frame: pd.DataFrame) -> list[tuple]:
    """A result's rows as comparable plain values (dates as ISO text, numbers as rounded floats),
    sorted: DuckDB and PostgreSQL results compare equal when they hold the same rows."""

    def plain(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return None
        if hasattr(v, "date") and not isinstance(v, str):
            return (v.date() if isinstance(v, pd.Timestamp) else v).isoformat()
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if isinstance(v, (bool,)) or type(v).__name__ == "bool_":
            return bool(v)
        if isinstance(v, (int, float, decimal.Decimal)) or hasattr(v, "item"):
            return round(float(v), 9)
        return str(v)

    return sorted(
        (tuple(plain(v) for v in row) for row in frame.itertuples(index=False)),
        key=lambda t: tuple("" if v is None else str(v) for v in t),
    )


# --- the rules measured -----------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuredRule:
    """One rule file as `bench all` runs it on both engines: its ids, a Chinese label, the query
    name (file stem), its SQL as run (shared steps inlined) and the bound parameters."""

    ids: tuple[str, ...]
    label: str
    query: str
    sql: str
    params: Mapping[str, Any]


def _indicator_label(ids: tuple[str, ...], names: Mapping[str, str]) -> str:
    span = ids[0] if len(ids) == 1 else f"{ids[0]}～{ids[-1]}"
    return f"{span} {names.get(ids[0], '')}{'等' if len(ids) > 1 else ''}"


def measured_rules(settings: Settings, as_of: dt.date) -> list[MeasuredRule]:
    """Every indicator rule file (city figures at `as_of`, as indicators_at runs them), every
    warning rule file (W1 … W5 at `as_of`, all subjects) and every indicator's detail list (the
    whole city's, as 监测指标 opens it), in catalogue order."""
    names = dict(zip(*(indicator_catalogue(settings)[c] for c in ("indicator_id", "name")), strict=True))
    out = []
    indicator = rule_params(settings, as_of)
    for query, ids in RULE_QUERIES.items():
        sql = query_text(query)
        out.append(MeasuredRule(ids, _indicator_label(ids, names), query, sql, bind(sql, indicator)))
    warning = warning_params(as_of, settings)
    for rule, query in WARNING_QUERIES.items():
        sql = query_text(query)
        out.append(MeasuredRule((rule,), f"{rule} {WARNING_TYPES[rule]}", query, sql, bind(sql, warning)))
    catalogue = indicator_catalogue(settings).set_index("indicator_id")
    for indicator_id, query in DETAIL_QUERIES.items():
        # the detail list as 监测指标 opens it for the whole city (indicators.indicator_detail_rows)
        sql = query_text(query)
        responsible = catalogue.at[indicator_id, "responsible_departments"] or [None]
        params = {
            **indicator,
            "indicator_id": indicator_id,
            "department_code": None,
            "district_code": None,
            "responsible_department": responsible[0],
        }
        out.append(MeasuredRule((indicator_id,), f"{indicator_id} 明细清单", query, sql, bind(sql, params)))
    return out


# --- which server ------------------------------------------------------------------------------


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server to measure against (the message is for the user, in Chinese)."""


def _run(command: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120, check=False)


def local_cluster_url() -> str:
    """Start the machine's first PostgreSQL cluster if it is down (pg_ctlcluster, as
    scripts/test_postgres.sh does), make the benchmark's role and database on it, and return their
    URL on 127.0.0.1. Needs the rights to run commands as the `postgres` user."""
    try:
        listed = _run(["pg_lsclusters", "-h"]).stdout.split()
    except FileNotFoundError:
        raise PostgresUnavailable(
            "本机未安装 PostgreSQL（找不到 pg_lsclusters）；请用 --postgres-url 指定服务器"
        ) from None
    if len(listed) < 3:
        raise PostgresUnavailable("本机没有 PostgreSQL 集群；请用 --postgres-url 指定服务器")
    version, cluster, port = listed[0], listed[1], listed[2]
    _run(["pg_ctlcluster", version, cluster, "start"])

    def psql(script: str) -> subprocess.CompletedProcess[str]:
        return _run(["su", "postgres", "-c", f"psql -p {int(port)} -v ON_ERROR_STOP=1 -q"], stdin=script)

    for _ in range(60):
        if psql("SELECT 1;").returncode == 0:
            break
        time.sleep(0.5)
    setup = psql(
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{BENCH_ROLE}') THEN
    CREATE ROLE {BENCH_ROLE} LOGIN PASSWORD '{BENCH_ROLE}';
  END IF;
END $$;
SELECT 'CREATE DATABASE {BENCH_ROLE} OWNER {BENCH_ROLE}'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{BENCH_ROLE}')\\gexec
"""
    )
    if setup.returncode != 0:
        detail = (setup.stderr.strip().splitlines() or ["无输出"])[-1]
        raise PostgresUnavailable(f"无法启动或准备本机 PostgreSQL 集群 {version}/{cluster}：{detail}")
    return f"postgresql://{BENCH_ROLE}:{BENCH_ROLE}@127.0.0.1:{int(port)}/{BENCH_ROLE}"


def server_url(option: str | None) -> str:
    """The server to measure: the option, else DASHBOARD_BENCH_POSTGRES_URL, else the machine's cluster."""
    chosen = (option or os.environ.get(URL_VARIABLE, "")).strip()
    return chosen or local_cluster_url()


def connect(url: str, schema: str | None = None) -> Any:
    """A psycopg2 connection (autocommit) to `url` (SQLAlchemy form or plain), with the benchmark's
    session settings and, when given, search_path = `schema`."""
    u = make_url(url)
    try:
        conn = psycopg2.connect(
            host=u.host or "127.0.0.1",
            port=u.port or 5432,
            user=u.username,
            password=u.password,
            dbname=u.database,
            connect_timeout=10,
        )
    except psycopg2.OperationalError as exc:
        shown = u.render_as_string(hide_password=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PostgresUnavailable(f"无法连接 PostgreSQL（{shown}）：{first}") from None
    conn.autocommit = True
    with conn.cursor() as cur:
        for name, value in SESSION_SETTINGS.items():
            cur.execute("SELECT set_config(%s, %s, false)", (name, value))
        if schema is not None:
            cur.execute("SELECT set_config('search_path', %s, false)", (schema,))
    return conn


def server_description(conn: Any) -> dict[str, str]:
    """The server's version and the settings that matter for the figures, as the session sees them."""
    out = {}
    with conn.cursor() as cur:
        cur.execute("SHOW server_version")
        out["server_version"] = cur.fetchone()[0]
        for name in ("shared_buffers", *SESSION_SETTINGS):
            cur.execute("SELECT current_setting(%s)", (name,))
            out[name] = cur.fetchone()[0]
    return out


# --- the copy ------------------------------------------------------------------------------------


def _pg_type(duck_type: str) -> str:
    try:
        return PG_TYPES[duck_type]
    except KeyError:
        raise ValueError(f"no PostgreSQL type for DuckDB type {duck_type}") from None


def _index_columns(reads: Reads, catalogue: Catalogue) -> list[tuple[str, str]]:
    """(table, column) of every joined or filtered column worth a B-tree index (not booleans)."""
    return [
        (table, column)
        for table, columns in reads.filters.items()
        for column in columns
        if catalogue[table][column] != "BOOLEAN"
    ]


def copy_key(snapshot_id: str, reads: Reads, catalogue: Catalogue) -> str:
    """The schema name of a copy: the snapshot and exactly what is copied and indexed."""
    layout = repr(
        (
            COPY_FORMAT,
            snapshot_id,
            sorted((t, c, catalogue[t][c]) for t, cols in reads.columns.items() for c in cols),
            sorted(_index_columns(reads, catalogue)),
        )
    )
    return "bench_" + hashlib.sha256(layout.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class CopyInfo:
    schema: str
    reused: bool  # found complete from an earlier run: nothing copied
    seconds: float  # copy + indexes + VACUUM ANALYZE when done now; as recorded when reused
    rows: Mapping[str, int]
    indexes: int


class PostgresCopy:
    """The warehouse tables the measured rules read, copied into one schema of a PostgreSQL server."""

    def __init__(self, url: str, say: Callable[[str], None] = print) -> None:
        self.url = url
        self.say = say

    def _schemas_of(self, cur: Any, warehouse: str) -> list[str]:
        cur.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = %s AND table_schema LIKE 'bench\\_%%'",
            (MARKER_TABLE,),
        )
        found = []
        for (schema,) in cur.fetchall():
            cur.execute(
                pgsql.SQL("SELECT warehouse FROM {}.{}").format(
                    pgsql.Identifier(schema), pgsql.Identifier(MARKER_TABLE)
                )
            )
            row = cur.fetchone()
            if row is not None and row[0] == warehouse:
                found.append(schema)
        return found

    def _complete(self, cur: Any, schema: str) -> CopyInfo | None:
        cur.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (schema, MARKER_TABLE),
        )
        if cur.fetchone() is None:
            return None
        cur.execute(
            pgsql.SQL("SELECT seconds, rows_json, indexes FROM {}.{}").format(
                pgsql.Identifier(schema), pgsql.Identifier(MARKER_TABLE)
            )
        )
        row = cur.fetchone()
        if row is None:  # an unlogged marker emptied by a crash: the copy is gone too
            return None
        seconds, rows_json, indexes = row
        return CopyInfo(schema, True, float(seconds), json.loads(rows_json), int(indexes))

    def ensure(
        self,
        duck: duckdb.DuckDBPyConnection,
        snapshot: Path,
        reads: Reads,
        catalogue: Catalogue,
        schema: str | None = None,
    ) -> CopyInfo:
        """The copy of `reads` from `snapshot` (open as `duck`): reused when an earlier run left it
        complete, else made now (and older copies of the same warehouse dropped). `schema` names it
        explicitly (the tests' private schemas), otherwise copy_key does."""
        name = schema or copy_key(snapshot.stem, reads, catalogue)
        warehouse = str(snapshot.resolve().parent)
        conn = connect(self.url)
        try:
            with conn.cursor() as cur:
                done = self._complete(cur, name)
                if done is not None:
                    return done
                if schema is None:
                    for old in self._schemas_of(cur, warehouse):
                        self.say(f"  删除同一仓库旧快照的 PostgreSQL 副本：{old}")
                        cur.execute(pgsql.SQL("DROP SCHEMA {} CASCADE").format(pgsql.Identifier(old)))
                cur.execute(pgsql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(pgsql.Identifier(name)))
                cur.execute(pgsql.SQL("CREATE SCHEMA {}").format(pgsql.Identifier(name)))
                t0 = time.perf_counter()
                rows = {}
                with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
                    for table, columns in reads.columns.items():
                        t1 = time.perf_counter()
                        rows[table] = self._copy_table(duck, cur, name, table, columns, catalogue, Path(tmp))
                        self.say(f"  复制 {table}：{rows[table]:,} 行，{time.perf_counter() - t1:.1f} 秒")
                indexes = _index_columns(reads, catalogue)
                t1 = time.perf_counter()
                for table, column in indexes:
                    cur.execute(
                        pgsql.SQL("CREATE INDEX ON {}.{} ({})").format(
                            pgsql.Identifier(name), pgsql.Identifier(table), pgsql.Identifier(column)
                        )
                    )
                self.say(f"  建立 {len(indexes)} 个索引：{time.perf_counter() - t1:.1f} 秒")
                t1 = time.perf_counter()
                for table in reads.columns:
                    cur.execute(
                        pgsql.SQL("VACUUM ANALYZE {}.{}").format(pgsql.Identifier(name), pgsql.Identifier(table))
                    )
                self.say(f"  VACUUM ANALYZE：{time.perf_counter() - t1:.1f} 秒")
                seconds = time.perf_counter() - t0
                cur.execute(
                    pgsql.SQL(
                        "CREATE UNLOGGED TABLE {}.{} (snapshot_id TEXT, warehouse TEXT, copied_at TIMESTAMP, "
                        "seconds DOUBLE PRECISION, rows_json TEXT, indexes INTEGER)"
                    ).format(pgsql.Identifier(name), pgsql.Identifier(MARKER_TABLE))
                )
                cur.execute(
                    pgsql.SQL("INSERT INTO {}.{} VALUES (%s, %s, %s, %s, %s, %s)").format(
                        pgsql.Identifier(name), pgsql.Identifier(MARKER_TABLE)
                    ),
                    (snapshot.stem, warehouse, dt.datetime.now(), seconds, json.dumps(rows), len(indexes)),
                )
                return CopyInfo(name, False, seconds, rows, len(indexes))
        finally:
            conn.close()

    @staticmethod
    def _copy_table(
        duck: duckdb.DuckDBPyConnection,
        cur: Any,
        schema: str,
        table: str,
        columns: tuple[str, ...],
        catalogue: Catalogue,
        tmp: Path,
    ) -> int:
        """One table or view, these columns only: DuckDB writes CSV (NULL unquoted-empty, '' quoted),
        PostgreSQL reads it with COPY FROM STDIN. Unlogged: a benchmark copy needs no WAL."""
        path = tmp / f"{table}.csv"
        duck.table(table).select(*columns).write_csv(str(path), header=False)
        target = pgsql.SQL("{}.{}").format(pgsql.Identifier(schema), pgsql.Identifier(table))
        definition = pgsql.SQL(", ").join(
            pgsql.SQL("{} {}").format(pgsql.Identifier(c), pgsql.SQL(_pg_type(catalogue[table][c]))) for c in columns
        )
        cur.execute(pgsql.SQL("CREATE UNLOGGED TABLE {} ({})").format(target, definition))
        names = pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns)
        with path.open("r", encoding="utf-8") as f:
            cur.copy_expert(
                pgsql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(target, names).as_string(cur), f
            )
        path.unlink()
        cur.execute(pgsql.SQL("SELECT count(*) FROM {}").format(target))
        return int(cur.fetchone()[0])

    def drop(self, schema: str) -> None:
        conn = connect(self.url)
        try:
            with conn.cursor() as cur:
                cur.execute(pgsql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(pgsql.Identifier(schema)))
        finally:
            conn.close()


def rules_reads(rules: list[MeasuredRule], catalogue: Catalogue) -> dict[str, Reads]:
    """Each measured rule's reads, by query name."""
    return {r.query: query_reads(r.sql, catalogue) for r in rules}


def all_reads(reads: Mapping[str, Reads]) -> Reads:
    return merged(reads.values())


# --- running a rule on each engine ------------------------------------------------------------


def run_duckdb_arrow(con: duckdb.DuckDBPyConnection, rule: MeasuredRule) -> Any:
    """The rule's complete result on DuckDB as an Arrow table (the product's columnar fetch)."""
    return con.sql(rule.sql, params=dict(rule.params)).to_arrow_table()


def run_duckdb_rows(con: duckdb.DuckDBPyConnection, rule: MeasuredRule) -> list[tuple]:
    """The rule's complete result on DuckDB as Python tuples (fetchall, PostgreSQL's way)."""
    return con.execute(rule.sql, dict(rule.params)).fetchall()


def run_postgres(conn: Any, rule: MeasuredRule, transpiled: str) -> pd.DataFrame:
    """The rule's complete result on PostgreSQL (psycopg2 fetchall) as a frame."""
    with conn.cursor() as cur:
        cur.execute(transpiled, dict(rule.params))
        rows = cur.fetchall()
        names = [c.name for c in cur.description]
    return pd.DataFrame(rows, columns=names)


def same_result(duck: Any, pg: pd.DataFrame) -> bool:
    """Whether DuckDB's Arrow result and PostgreSQL's rows are the same rows under plain_rows
    (and the same columns in the same order)."""
    frame = duck.to_pandas()
    return list(frame.columns) == list(pg.columns) and plain_rows(frame) == plain_rows(pg)
