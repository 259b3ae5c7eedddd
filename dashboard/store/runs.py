"""Run records of loads and rollbacks in the operational store (tables `load_runs`,
`load_run_entities` of dashboard.store.opstore).

A run is written when it starts (status `running`, with the PID) and completed when it ends, so a
run whose process died shows as interrupted: the next load (holding the load lock, hence sure that
no other load runs) marks it so, and readers treat a `running` run with a dead PID the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select, update

from dashboard.core import contract
from dashboard.core.dates import as_utc
from dashboard.store.opstore import load_run_entities, load_runs

RUNNING, OK, PARTIAL, FAILED, INTERRUPTED = "running", "ok", "partial", "failed", "interrupted"
STATUS_LABELS = {RUNNING: "运行中", OK: "成功", PARTIAL: "部分成功", FAILED: "失败", INTERRUPTED: "中断"}
KIND_LABELS = {"load": "装载", "rollback": "回退"}
ENTITY_STATUS_LABELS = {"ok": "成功", "failed": "失败"}
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


def last_attempt_at(engine: Engine, source: str) -> dt.datetime | None:
    """When the latest load of this source started (whatever its outcome): the scheduler's anchor."""
    runs = recent_runs(engine, limit=1, source=source, kind="load")
    return runs[0].started_at if runs else None
