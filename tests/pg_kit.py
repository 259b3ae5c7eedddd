"""The test PostgreSQL server, in one place: whether it is there (`pg_url`), private schemas on it
(`pg_schema`, `pg_cursor`), and the helpers that run transpiled DuckDB SQL on it.

scripts/test.sh evals scripts/test_postgres.sh, which starts the machine's cluster and exports
TEST_POSTGRES_URL. When that variable is missing or the server does not answer, the PostgreSQL
tests are skipped with the reason on a developer's machine, and fail under CI (CI=true, as CI runs
.ci/run): a CI run must never pass without having run them.

Every test gets its own schema (named after the xdist worker and a random suffix, dropped
afterwards), so workers running in parallel never see each other's tables.

Registered as a plugin by tests/conftest.py: test modules use the fixtures without importing them.
"""

from __future__ import annotations

import functools
import os
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, make_url, text

# The one transpile of DuckDB SQL to PostgreSQL and the normalisation under which both engines'
# results compare, shared with the benchmark (`bench all`); re-exported for the tests.
from dashboard.bench.postgres import PG_TYPES, pg_sql, plain_rows

__all__ = ["PG_TYPES", "copy_table", "pg_sql", "plain_rows"]

URL_VARIABLE = "TEST_POSTGRES_URL"
HOW_TO_START = 'run scripts/test.sh, or eval "$(bash scripts/test_postgres.sh)" before pytest'


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def worker_tag() -> str:
    """The xdist worker running this process (gw0, gw1…), or 'main' without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def unique_name(prefix: str) -> str:
    """A schema or table name no other test, worker or earlier run uses."""
    return f"{prefix}_{worker_tag()}_{uuid.uuid4().hex[:8]}"


@functools.cache
def _unreachable(url: str) -> str | None:
    """Why the server at `url` cannot be used (None when it answers), asked once per process."""
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 — any failure means: no usable server
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        shown = make_url(url).render_as_string(hide_password=True)
        return f"the PostgreSQL server at {shown} does not answer ({type(exc).__name__}: {first_line})"
    finally:
        engine.dispose()
    return None


def postgres_url() -> str:
    """TEST_POSTGRES_URL when its server answers; otherwise skips the calling test (fails it under
    CI=true)."""
    url = os.environ.get(URL_VARIABLE, "").strip()
    reason = f"{URL_VARIABLE} is not set: {HOW_TO_START}" if not url else _unreachable(url)
    if reason is None:
        return url
    if in_ci():
        pytest.fail(f"CI=true and the PostgreSQL tests cannot run: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The URL of the test PostgreSQL server (see the module docstring for skip / fail)."""
    return postgres_url()


@pytest.fixture
def pg_schema(pg_url):
    """A fresh, empty schema of its own on the test server, dropped afterwards: `name`, `url` (the
    server's URL, search_path not set) and `engine` (search_path = the schema)."""
    name = unique_name("t")
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    engine = create_engine(pg_url, connect_args={"options": f"-csearch_path={name}"})
    try:
        yield SimpleNamespace(name=name, url=pg_url, engine=engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def pg_cursor(pg_schema):
    """A DB-API (psycopg2) cursor whose search_path is a private schema; rolled back at the end."""
    raw = pg_schema.engine.raw_connection()
    try:
        yield raw.cursor()
    finally:
        raw.rollback()
        raw.close()


# --- DuckDB SQL on PostgreSQL ---------------------------------------------------------------


def copy_table(duck, pg_cur, name: str) -> None:
    """Copy one warehouse table or view into PostgreSQL (names come from the tests' fixed lists)."""
    relation = duck.table(name)
    wanted = [(c, PG_TYPES[str(t)]) for c, t in zip(relation.columns, relation.types) if str(t) in PG_TYPES]
    columns = ", ".join(f'"{c}"' for c, _ in wanted)
    create = f'CREATE TABLE "{name}" (' + ", ".join(f'"{c}" {t}' for c, t in wanted) + ")"
    pg_cur.execute(create)
    rows = relation.select(*[c for c, _ in wanted]).fetchall()
    if rows:
        statement = f'INSERT INTO "{name}" ({columns}) VALUES (' + ", ".join(["%s"] * len(wanted)) + ")"
        pg_cur.executemany(statement, rows)
