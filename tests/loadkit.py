"""Helpers shared by the load, snapshot and scheduler tests: an isolated data folder, tiny
hand-written drops, and `python -m dashboard` in a real child process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

from dashboard.core import settings as settings_module
from dashboard.core.identifiers import make_uscc
from dashboard.core.settings import DEFAULT_SETTINGS_FILE, PROJECT_DIR, Settings
from dashboard.store import opstore

SUBJECT_HEADER = ("uscc", "name", "status", "established_date")
TAX_CREDIT_HEADER = ("uscc", "year", "grade")


def uscc(i: int) -> str:
    """A valid USCC (P3) of an enterprise of Hegang, numbered i."""
    return make_uscc("91", "230400", f"{i:08d}")


def subject_rows(n: int, start: int = 1) -> list[tuple[str, ...]]:
    return [(uscc(i), f"鹤岗测试企业{i}有限公司", "存续", "2020-01-01") for i in range(start, start + n)]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(str(v) for v in row) + "\n")
    return path


def subjects_drop(folder: Path, n: int, start: int = 1) -> Path:
    """A drop with one entity: n valid subjects."""
    write_csv(folder / "subjects.csv", SUBJECT_HEADER, subject_rows(n, start))
    return folder


def big_subjects_drop(folder: Path, n: int) -> Path:
    """A drop big enough that loading it takes a few seconds (USCCs fail P3: rows are flagged,
    which costs nothing to generate and still loads every row)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "subjects.csv", "w", encoding="utf-8") as f:
        f.write("uscc,name,status,established_date,district_code\n")
        f.writelines(f"91230400{i:010d},鹤岗测试企业{i}有限公司,存续,2020-01-01,230402\n" for i in range(n))
    return folder


def isolate(monkeypatch, tmp_path: Path, keep_snapshots: int | None = None) -> Settings:
    """Point the process (and child processes) at a fresh data folder under tmp_path."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_dir))
    monkeypatch.delenv("DASHBOARD_OPSTORE_URL", raising=False)
    monkeypatch.setenv("DASHBOARD_SOURCES", str(tmp_path / "sources.toml"))
    if keep_snapshots is not None:
        text = DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8")
        assert "keep_snapshots = 5" in text
        custom = tmp_path / "settings.toml"
        custom.write_text(text.replace("keep_snapshots = 5", f"keep_snapshots = {keep_snapshots}"), encoding="utf-8")
        monkeypatch.setenv("DASHBOARD_SETTINGS", str(custom))
    else:
        monkeypatch.delenv("DASHBOARD_SETTINGS", raising=False)
    monkeypatch.setattr(settings_module, "_cached", None)
    opstore.dispose_all()
    return Settings.load()


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m dashboard ARGS` as a child process with this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args],
        cwd=PROJECT_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dashboard", *args],
        cwd=PROJECT_DIR,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def scalar(path: Path, sql: str):
    """One value from a snapshot, read-only (as the dashboard reads it)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()
