"""Published warehouse snapshots and the atomic switch between them.

Layout under `settings.warehouse_dir`:
- `snapshots/<snapshot_id>.duckdb` — published snapshots, never opened read-write again;
- `CURRENT` — one line naming the live snapshot; replaced atomically (write, fsync, rename, fsync
  the directory), so a reader sees either the old or the new name, never a torn file;
- `building/<snapshot_id>.duckdb` — the snapshot a load is writing; moved into `snapshots/` only
  when complete, removed by the next load if its writer died;
- `load.lock` — held (flock) by the one process that may build or switch snapshots; the kernel
  releases it when that process ends, however it ends.

Snapshot ids sort by build time: `YYYYMMDDTHHMMSS.mmmZ-<run id>` (UTC).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboard.core.settings import Settings

SNAPSHOT_SUFFIX = ".duckdb"
_SNAPSHOT_ID = re.compile(r"^(\d{8}T\d{6}\.\d{3})Z-([0-9a-z]+)$")


class LoadBusy(RuntimeError):
    """Another process holds the load lock."""


@dataclass(frozen=True)
class SnapshotInfo:
    snapshot_id: str
    path: Path
    built_at: dt.datetime  # UTC, from the id


@dataclass(frozen=True)
class WarehousePaths:
    root: Path

    @property
    def snapshots(self) -> Path:
        return self.root / "snapshots"

    @property
    def building(self) -> Path:
        return self.root / "building"

    @property
    def current(self) -> Path:
        return self.root / "CURRENT"

    @property
    def lock(self) -> Path:
        return self.root / "load.lock"

    def snapshot_path(self, snapshot_id: str) -> Path:
        return self.snapshots / f"{snapshot_id}{SNAPSHOT_SUFFIX}"

    def building_path(self, snapshot_id: str) -> Path:
        return self.building / f"{snapshot_id}{SNAPSHOT_SUFFIX}"


def paths(settings: Settings) -> WarehousePaths:
    return WarehousePaths(settings.warehouse_dir)


def new_snapshot_id(run_id: str, now: dt.datetime | None = None) -> str:
    """A snapshot id that sorts by build time (millisecond resolution), then by run id."""
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z-{run_id}"


def is_snapshot_id(text: str) -> bool:
    """Ids are validated before they become file names (rollback takes one from the command line)."""
    return bool(_SNAPSHOT_ID.match(text))


def built_at(snapshot_id: str) -> dt.datetime:
    stamp = _SNAPSHOT_ID.match(snapshot_id)
    if not stamp:
        raise ValueError(f"not a snapshot id: {snapshot_id!r}")
    return dt.datetime.strptime(stamp.group(1), "%Y%m%dT%H%M%S.%f").replace(tzinfo=dt.UTC)


def _info(wp: WarehousePaths, snapshot_id: str) -> SnapshotInfo:
    return SnapshotInfo(snapshot_id, wp.snapshot_path(snapshot_id), built_at(snapshot_id))


def list_snapshots(settings: Settings) -> list[SnapshotInfo]:
    """Published snapshots, oldest first."""
    wp = paths(settings)
    if not wp.snapshots.is_dir():
        return []
    ids = sorted(p.name[: -len(SNAPSHOT_SUFFIX)] for p in wp.snapshots.glob(f"*{SNAPSHOT_SUFFIX}"))
    return [_info(wp, i) for i in ids if is_snapshot_id(i)]


def previous_snapshot_id(settings: Settings, snapshot_id: str) -> str | None:
    """The kept snapshot published before `snapshot_id` (the load before it), or None when it is
    the first (or the earlier ones were pruned)."""
    earlier = [s.snapshot_id for s in list_snapshots(settings) if s.snapshot_id < snapshot_id]
    return earlier[-1] if earlier else None


def get_snapshot(settings: Settings, snapshot_id: str) -> SnapshotInfo | None:
    """A kept snapshot by id, or None."""
    wp = paths(settings)
    if not is_snapshot_id(snapshot_id) or not wp.snapshot_path(snapshot_id).is_file():
        return None
    return _info(wp, snapshot_id)


def record_audit_head(con: duckdb.DuckDBPyConnection, last_id: int, head_mac: str) -> None:
    """Write the audit chain's head (last entry id and its MAC) into the snapshot being sealed
    (table meta_audit_head): each published snapshot is a checkpoint of the audit log outside the
    operational store, checked by `audit verify`."""
    con.execute(
        "CREATE OR REPLACE TABLE meta_audit_head AS "
        "SELECT CAST($last_id AS BIGINT) AS last_id, CAST($head AS VARCHAR) AS head_mac",
        {"last_id": int(last_id), "head": head_mac},
    )


def audit_head_of(path: Path) -> tuple[int, str] | None:
    """The audit head a published snapshot recorded, or None (built before heads were recorded,
    or no audit entry existed then)."""
    con = connect_readonly(path)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "meta_audit_head" not in tables:
            return None
        row = con.execute("SELECT last_id, head_mac FROM meta_audit_head").fetchone()
    finally:
        con.close()
    return None if row is None or not row[0] else (int(row[0]), str(row[1]))


def current_name(settings: Settings) -> str | None:
    """What CURRENT says, whether or not that snapshot is still there; None before the first publish."""
    try:
        return paths(settings).current.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def current_snapshot(settings: Settings) -> SnapshotInfo | None:
    """The live snapshot named by CURRENT; None before the first publish (or if its file is gone)."""
    snapshot_id = current_name(settings)
    return None if snapshot_id is None else get_snapshot(settings, snapshot_id)


def connect_readonly(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published snapshot (many processes may hold one at once)."""
    return duckdb.connect(str(path), read_only=True)


def temp_directory(settings: Settings) -> Path:
    """The folder DuckDB spills to during a load: `warehouse.temp_directory`, "" meaning
    <data_dir>/tmp and a relative path being inside the data folder."""
    configured = settings.warehouse.temp_directory.strip()
    return settings.data_dir / (configured or "tmp")  # an absolute path replaces data_dir


_MEMORY_SIZE = re.compile(r"[0-9]+(\.[0-9]+)?\s*[KMGT]i?B", re.IGNORECASE)  # DuckDB needs the unit


def load_config(settings: Settings, spill_to: Path | None = None) -> dict[str, str | int]:
    """DuckDB's configuration of a connection a load (or a check of a drop) opens: the memory
    limit, the spill folder (`spill_to` instead of the setting's) and the threads of [warehouse].
    An empty memory limit or 0 threads leaves DuckDB's own default (80 % of the machine's memory,
    one thread per core); with a limit, what a statement holds beyond it (the extract being typed,
    a large join) spills to the folder instead of growing the process."""
    wh = settings.warehouse
    config: dict[str, str | int] = {"temp_directory": str(spill_to or temp_directory(settings))}
    if wh.memory_limit.strip():
        if not _MEMORY_SIZE.fullmatch(wh.memory_limit.strip()):
            raise ValueError(
                f'settings.toml [warehouse] memory_limit 的值“{wh.memory_limit}”无效：应为内存大小，如 "3GB"、"500MB"'
            )
        config["memory_limit"] = wh.memory_limit.strip()
    if wh.threads > 0:
        config["threads"] = wh.threads
    return config


def connect_for_load(
    settings: Settings, path: Path | str = ":memory:", spill_to: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-write connection (to the snapshot being built, or an in-memory scratch database)
    configured by load_config. DuckDB creates the spill folder only when it spills and removes it
    again when the connection closes; the folder above it is made here (DuckDB makes one level)."""
    config: dict[str, str | bool | int | float | list[str]] = dict(load_config(settings, spill_to))
    Path(str(config["temp_directory"])).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config=config)
    con.execute("SET enable_progress_bar = false")  # no terminal bars in a scheduled load's log
    return con


NO_SNAPSHOT_MESSAGE = "尚无已发布的数据快照（尚未装载数据）：请先运行 python -m dashboard load <数据目录>"


def open_live(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the live snapshot for the command line; before the first load
    it exits with status 1 and a Chinese message on stderr."""
    live = current_snapshot(settings)
    if live is None:
        raise SystemExit(NO_SNAPSHOT_MESSAGE)
    return connect_readonly(live.path)


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in this directory durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def install(settings: Settings, building_file: Path, snapshot_id: str) -> SnapshotInfo:
    """Move a complete, closed snapshot file from building/ into snapshots/ (not yet live)."""
    wp = paths(settings)
    wp.snapshots.mkdir(parents=True, exist_ok=True)
    target = wp.snapshot_path(snapshot_id)
    fsync_file(building_file)
    os.replace(building_file, target)
    target.chmod(0o444)  # a published snapshot is never written again
    fsync_dir(wp.snapshots)
    fsync_dir(building_file.parent)
    return _info(wp, snapshot_id)


def publish(settings: Settings, snapshot_id: str) -> None:
    """Make this kept snapshot the live one, atomically."""
    wp = paths(settings)
    if get_snapshot(settings, snapshot_id) is None:
        raise FileNotFoundError(f"snapshot {snapshot_id} is not kept")
    tmp = wp.current.with_name("CURRENT.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(snapshot_id + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, wp.current)
    fsync_dir(wp.root)


def prune(settings: Settings, keep: int | None = None) -> list[str]:
    """Delete all but the newest `keep` snapshots (settings.warehouse.keep_snapshots), never the
    live one. Readers holding a deleted file open keep reading it until they let go."""
    keep = settings.warehouse.keep_snapshots if keep is None else keep
    live = current_snapshot(settings)
    removed = []
    for info in list_snapshots(settings)[::-1][max(keep, 1) :]:
        if live is not None and info.snapshot_id == live.snapshot_id:
            continue
        info.path.unlink(missing_ok=True)
        removed.append(info.snapshot_id)
    if removed:
        fsync_dir(paths(settings).snapshots)
    return removed


def clean_building(settings: Settings) -> list[Path]:
    """Remove what dead loads left in building/ (call only while holding the load lock)."""
    building = paths(settings).building
    if not building.is_dir():
        return []
    removed = [p for p in building.iterdir() if p.is_file()]
    for p in removed:
        p.unlink(missing_ok=True)
    return removed


def _holder_pid(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        text = ""
    return text if text.isdigit() else "未知"


@contextlib.contextmanager
def load_lock(settings: Settings, wait: bool = False, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the warehouse's load lock. Without `wait`, raise LoadBusy at once when another
    process holds it; with `wait`, block until it is free."""
    wp = paths(settings)
    wp.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(wp.lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = f"已有装载任务在运行（PID {_holder_pid(fd)}）"
            if not wait:
                raise LoadBusy(message) from None
            if on_wait:
                on_wait(message + "，等待其结束…")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock
