"""Run records of loads and rollbacks in the operational store (tables `load_runs`,
`load_run_entities` of dashboard.store.opstore).

A run is written when it starts (status `running`, with the PID) and completed when it ends, so a
run whose process died shows as interrupted: the next load (holding the load lock, hence sure that
no other load runs) marks it so, and readers treat a `running` run with a dead PID the same way.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, insert, select, update

from dashboard.core import contract
from dashboard.core.dates import as_utc
from dashboard.store.opstore import load_run_entities, load_run_files, load_runs

RUNNING, OK, PARTIAL, FAILED, INTERRUPTED = "running", "ok", "partial", "failed", "interrupted"
# A load held by the shrink guard (dashboard.load.ingest.shrink): nothing published, applied only
# when someone confirms. Not a failure (nothing is retried), not a success either.
HELD = "held"
STATUS_LABELS = {
    RUNNING: "运行中",
    OK: "成功",
    PARTIAL: "部分成功",
    FAILED: "失败",
    INTERRUPTED: "中断",
    HELD: "待确认",
}
KIND_LABELS = {"load": "装载", "rollback": "回退"}
ENTITY_STATUS_LABELS = {"ok": "成功", "failed": "失败", HELD: "待确认"}
COUNT_FIELDS = (
    "rows_read",
    "rows_accepted",
    "rows_quarantined",
    "rows_flagged",
    "rows_inserted",
    "rows_replaced",
    "rows_retired",
    "rows_unchanged",
)


def new_run_id() -> str:
    """A short random id, unique enough to name a run and its snapshot."""
    return uuid.uuid4().hex[:12]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this PID exists on this machine."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    kind: str
    source: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    status: str
    pid: int | None
    snapshot_id: str | None
    base_snapshot_id: str | None
    error: str | None
    notes: str | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def seconds(self) -> float | None:
        return None if self.ended_at is None else (self.ended_at - self.started_at).total_seconds()


def _record(row: Any) -> RunRecord:
    status = row.status
    if status == RUNNING and not pid_alive(row.pid):
        status = INTERRUPTED
    return RunRecord(
        row.run_id,
        row.kind,
        row.source,
        as_utc(row.started_at),
        as_utc(row.ended_at),
        status,
        row.pid,
        row.snapshot_id,
        row.base_snapshot_id,
        row.error,
        row.notes,
    )


def start_run(
    engine: Engine,
    run_id: str,
    kind: str,
    source: str,
    base_snapshot_id: str | None = None,
    started_at: dt.datetime | None = None,
) -> None:
    """Record that a run of this process starts now (status running)."""
    with engine.begin() as conn:
        conn.execute(
            insert(load_runs).values(
                run_id=run_id,
                kind=kind,
                source=source,
                started_at=started_at or utcnow(),
                status=RUNNING,
                pid=os.getpid(),
                base_snapshot_id=base_snapshot_id,
            )
        )


def record_entity(engine: Engine, run_id: str, result: Any) -> None:
    """Record one entity's outcome (an ingest EntityResult)."""
    values = {f: int(getattr(result, f, 0) or 0) for f in COUNT_FIELDS}
    with engine.begin() as conn:
        conn.execute(
            insert(load_run_entities).values(
                run_id=run_id,
                entity=result.entity,
                source=result.source,
                mode=result.mode,
                status=result.status,
                extra_columns=",".join(result.extra_columns or ()),
                error=result.error,
                **values,
            )
        )


def finish_run(
    engine: Engine,
    run_id: str,
    status: str,
    snapshot_id: str | None = None,
    error: str | None = None,
    notes: str | None = None,
) -> None:
    """Record the end of a run: ok, partial or failed, what it made live, and why it failed."""
    with engine.begin() as conn:
        conn.execute(
            update(load_runs)
            .where(load_runs.c.run_id == run_id)
            .values(ended_at=utcnow(), status=status, snapshot_id=snapshot_id, error=error, notes=notes)
        )


def mark_interrupted(engine: Engine) -> int:
    """Close runs still marked running. Only call while holding the load lock: then no run of
    ours is alive, whatever the PIDs say (a PID may have been reused)."""
    with engine.begin() as conn:
        result = conn.execute(
            update(load_runs)
            .where(load_runs.c.status == RUNNING)
            .values(status=INTERRUPTED, error="装载进程意外终止，本次装载未发布")
        )
    return result.rowcount or 0


def recent_runs(engine: Engine, limit: int = 20, source: str | None = None, kind: str | None = None) -> list[RunRecord]:
    """The latest runs, newest first."""
    stmt = select(load_runs).order_by(load_runs.c.started_at.desc(), load_runs.c.run_id.desc()).limit(limit)
    if source is not None:
        stmt = stmt.where(load_runs.c.source == source)
    if kind is not None:
        stmt = stmt.where(load_runs.c.kind == kind)
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(stmt)]


def get_run(engine: Engine, run_id: str) -> RunRecord | None:
    with engine.connect() as conn:
        row = conn.execute(select(load_runs).where(load_runs.c.run_id == run_id)).first()
    return None if row is None else _record(row)


def run_producing(engine: Engine, snapshot_id: str) -> RunRecord | None:
    """The load run that built this snapshot."""
    stmt = (
        select(load_runs)
        .where(load_runs.c.snapshot_id == snapshot_id, load_runs.c.kind == "load")
        .order_by(load_runs.c.started_at.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else _record(row)


def run_entities(engine: Engine, run_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Per-entity records of these runs, in the contract's entity order."""
    ids = list(run_ids)
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in ids}
    if not ids:
        return out
    stmt = select(load_run_entities).where(load_run_entities.c.run_id.in_(ids))
    with engine.connect() as conn:
        for row in conn.execute(stmt):
            out[row.run_id].append(dict(row._mapping))
    order = {e.name: i for i, e in enumerate(contract.ENTITIES)}
    for rows in out.values():
        rows.sort(key=lambda r: (order.get(r["entity"], len(order)), r["entity"]))
    return out


def held_loads(engine: Engine, limit: int = 50) -> list[RunRecord]:
    """Sources whose latest load is held (待确认), newest first: what waits for a confirmation."""
    latest: dict[str, RunRecord] = {}
    for record in recent_runs(engine, limit=limit, kind="load"):
        latest.setdefault(record.source, record)
    return [r for r in latest.values() if r.status == HELD]


def last_attempt_at(engine: Engine, source: str) -> dt.datetime | None:
    """When the latest load of this source started (whatever its outcome): the scheduler's anchor."""
    runs = recent_runs(engine, limit=1, source=source, kind="load")
    return runs[0].started_at if runs else None


# ---- per-file reports: the onboarding view --------------------------------------------------------

IGNORED = "ignored"  # a file of the drop that is no entity: reported, not loaded


@dataclass(frozen=True)
class FileReport:
    """What one file (or database table) of a load, or of a dry run (`check`), made of its headers,
    so the office can fix a source's configuration without reading logs. Built by
    dashboard.load.onboarding, shown by dashboard.rules.file_reports. Canonical names here; the
    Chinese words are the view's business.

    `headers`: every header of the source in its order, with the canonical column it was mapped to
    (None: not recognised, kept in the raw layer — or, when in `ignored_headers`, neither mapped
    nor kept, e.g. 序号);
    `missing_required` / `missing_optional`: contract columns the source lacks; `constants`:
    columns the source's configuration supplies; `suggestions`: an unrecognised header → the
    canonical column it probably means; `quarantined`: reason code → rows."""

    file: str
    entity: str | None
    status: str  # ok | failed | held | ignored
    headers: list[tuple[str, str | None]] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    constants: list[str] = field(default_factory=list)
    suggestions: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    rows_read: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    rows_flagged: int = 0
    quarantined: dict[str, int] = field(default_factory=dict)

    @property
    def unrecognised(self) -> list[str]:
        """Headers that map to no column and are kept in the raw layer."""
        return [h for h, c in self.headers if c is None and h not in self.ignored_headers]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> FileReport:
        data = json.loads(text)
        data["headers"] = [(h, c) for h, c in data.get("headers", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def record_file_reports(engine: Engine, run_id: str, reports: Iterable[FileReport]) -> None:
    """Record the per-file reports of a run, in the order given."""
    rows = [
        {"run_id": run_id, "position": i, "file": r.file, "entity": r.entity, "status": r.status, "report": r.to_json()}
        for i, r in enumerate(reports)
    ]
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(load_run_files), rows)


def file_reports(engine: Engine, run_id: str) -> list[FileReport]:
    """The per-file reports of one run, in the order the load took the files."""
    stmt = select(load_run_files.c.report).where(load_run_files.c.run_id == run_id).order_by(load_run_files.c.position)
    with engine.connect() as conn:
        return [FileReport.from_json(row.report) for row in conn.execute(stmt)]


def latest_reported_load(engine: Engine) -> RunRecord | None:
    """The newest load run that recorded per-file reports (a rebuild reads no file and has none)."""
    reported = select(load_run_files.c.run_id).where(load_run_files.c.run_id == load_runs.c.run_id).exists()
    stmt = (
        select(load_runs)
        .where(load_runs.c.kind == "load", reported)
        .order_by(load_runs.c.started_at.desc(), load_runs.c.run_id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else _record(row)
