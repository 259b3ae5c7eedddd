"""The operational store: what the product itself writes (load runs here; warning follow-up, users
and audit are added by their modules to the same `metadata`).

One SQLAlchemy engine per URL from `settings.opstore_url`: a SQLite file by default, PostgreSQL in
production. Tables are created on first use, and again whenever a module has registered more tables
since (create_all only creates what is missing).
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry

from dashboard.core.settings import Settings, get_settings

metadata = MetaData()

load_runs = Table(
    "load_runs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),  # load | rollback
    Column("source", Text, nullable=False),  # source name, or the drop folder as given
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),  # running | ok | partial | failed | interrupted
    Column("pid", Integer),
    Column("snapshot_id", String(64)),  # published (load) or made live (rollback)
    Column("base_snapshot_id", String(64)),  # live when the run started: what rollback returns to
    Column("error", Text),  # Chinese text shown to the office
    Column("notes", Text),  # e.g. files of the drop that are not an entity (ignored)
)

load_run_entities = Table(
    "load_run_entities",
    metadata,
    Column("run_id", String(32), ForeignKey("load_runs.run_id"), primary_key=True),
    Column("entity", String(64), primary_key=True),
    Column("source", Text),
    Column("mode", String(16)),
    Column("status", String(16)),
    Column("rows_read", BigInteger),
    Column("rows_accepted", BigInteger),
    Column("rows_quarantined", BigInteger),
    Column("rows_flagged", BigInteger),
    Column("rows_inserted", BigInteger),
    Column("rows_replaced", BigInteger),
    Column("rows_retired", BigInteger),
    Column("rows_unchanged", BigInteger),
    Column("extra_columns", Text),  # comma-separated headers the contract does not know
    Column("error", Text),
)

# What each file (or table) of a load made of its headers: the onboarding view of the 数据状态 page
# (dashboard.store.runs.FileReport, one JSON document per file; a new table, so create_all adds it
# to an existing store).
load_run_files = Table(
    "load_run_files",
    metadata,
    Column("run_id", String(32), ForeignKey("load_runs.run_id"), primary_key=True),
    Column("position", Integer, primary_key=True),  # the order the load took the files in
    Column("file", Text, nullable=False),
    Column("entity", String(64)),  # None: a file of the drop that is no entity (not loaded)
    Column("status", String(16), nullable=False),
    Column("report", Text, nullable=False),
)

# Modules that add tables to `metadata`. They are imported before the first create_all, so the
# store's schema is complete whichever module happens to ask for the engine first.
TABLE_MODULES = (
    "dashboard.access.audit",
    "dashboard.rules.followup",
    "dashboard.access.users",
    "dashboard.access.sessions",
    "dashboard.rules.feedback",
    "dashboard.store.briefings",
    "dashboard.notify.outbox",
)

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_created: dict[str, frozenset[str]] = {}
_settings: dict[str, Settings] = {}


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # WAL lets the dashboard read run records while a load process writes them.
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _register_tables() -> None:
    for name in TABLE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a module of this build that fails to import is a real error
                raise


def get_engine(settings: Settings | None = None) -> Engine:
    """The engine of the operational store, with every table registered on `metadata` created."""
    url = (settings or get_settings()).opstore_url
    _register_tables()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _make_engine(url)
        _settings[url] = settings or get_settings()
        tables = frozenset(metadata.tables)
        if _created.get(url) != tables:
            metadata.create_all(engine)
            _created[url] = tables
    return engine


def settings_of(engine: Engine) -> Settings | None:
    """The settings whose store this engine is (made by get_engine), or None for an engine made
    elsewhere: what lives beside the store (the audit anchors and key) follows the engine's data
    folder, not whichever settings the process happens to hold."""
    with _lock:
        return next((_settings[url] for url, e in _engines.items() if e is engine and url in _settings), None)


def dispose_all() -> None:
    """Close every pooled connection (tests switch stores between cases)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _created.clear()
        _settings.clear()
