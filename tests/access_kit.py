"""Helpers shared by the access, audit and personal-data tests: an isolated operational store
(SQLite file in tmp_path, or a private schema of the test PostgreSQL server), users, and a
signed-in AppTest session. Its fixtures (store, pg_engine) are registered by tests/conftest.py."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from dashboard.access import auth, users
from dashboard.core import settings as settings_module
from dashboard.core.settings import PROJECT_DIR, Settings
from dashboard.store import opstore

APP_FILE = PROJECT_DIR / "dashboard" / "app" / "main.py"
PAGES_DIR = PROJECT_DIR / "pages"
TEST_PASSWORD = "correct-horse-1"


def isolated_settings(monkeypatch, tmp_path: Path) -> Settings:
    """Settings over a fresh data folder (SQLite operational store inside it) with a cheap bcrypt
    cost, installed as the process-wide settings."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DASHBOARD_OPSTORE_URL", raising=False)
    monkeypatch.delenv("DASHBOARD_SETTINGS", raising=False)
    for name in ("DASHBOARD_AUDIT_KEY", "DASHBOARD_AUDIT_OLD_KEYS", "DASHBOARD_AUDIT_NEW_KEY"):
        monkeypatch.delenv(name, raising=False)  # the audit key comes from the test's own data folder
    opstore.dispose_all()
    loaded = Settings.load()
    fast = dataclasses.replace(loaded, access=dataclasses.replace(loaded.access, bcrypt_rounds=4))
    monkeypatch.setattr(settings_module, "_cached", fast)
    return fast


@pytest.fixture
def store(monkeypatch, tmp_path):
    """settings + engine of an isolated SQLite operational store."""
    settings = isolated_settings(monkeypatch, tmp_path)
    engine = opstore.get_engine(settings)
    yield SimpleNamespace(settings=settings, engine=engine, access=settings.access)
    opstore.dispose_all()


@pytest.fixture
def pg_engine(pg_schema):
    """An engine on a private schema of the test PostgreSQL server (tests/pg_kit.py: skipped, or
    failed under CI, when there is none), with the operational-store tables created."""
    engine = pg_schema.engine
    opstore.metadata.create_all(engine)
    engine.info_schema = pg_schema.name  # for child processes
    return engine


def make_user(
    engine,
    username: str,
    role: str,
    departments=(),
    personal_data: bool = False,
    password: str | None = TEST_PASSWORD,
    **kwargs,
) -> users.UserRecord:
    """A user whose password needs no change at first sign-in."""
    return users.add_user(
        engine,
        username,
        role,
        "test",
        departments=departments,
        personal_data=personal_data,
        password=password,
        must_change_password=False,
        access=settings_module.get_settings().access,
        **kwargs,
    )


def sign_in(at, username: str, method: str = "password") -> None:
    """Put a signed-in session for `username` into an AppTest (as the sign-in form would)."""
    now = time.time()
    at.session_state[auth.SESSION_KEY] = {"username": username, "method": method, "signed_in_at": now, "last_seen": now}


def texts_of(at) -> list[str]:
    """Every piece of text an AppTest run put on screen: markdown, captions, titles, alerts,
    metrics, tables and dataframes (cell values and headers)."""
    out: list[str] = []
    for kind in (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "text",
        "code",
        "info",
        "warning",
        "error",
        "success",
        "exception",
        "latex",
        "json",
    ):
        for el in getattr(at, kind, []):
            out.append(str(getattr(el, "value", "")))
    for el in at.metric:
        out.extend([str(el.label), str(el.value)])
    for kind in ("dataframe", "table"):
        for el in getattr(at, kind, []):
            frame = el.value
            out.append(" ".join(map(str, frame.columns)))
            out.append(frame.astype(str).to_csv(index=False))
    for el in at.selectbox:
        out.extend(str(o) for o in el.options)
    return out
