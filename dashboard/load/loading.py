"""The load orchestrator: one drop folder or named source in, one new published snapshot out.

A load holds the warehouse's load lock from start to end, builds the next snapshot in a copy of
the live one (building/), ingests entity by entity (a failed entity is recorded and the rest goes
on), rebuilds the marts, and only then publishes atomically. Whatever happens before the publish —
an exception, a kill, a power cut — the live snapshot stays as it was. Every run is recorded in the
operational store (dashboard.store.runs). `rollback` makes an earlier kept snapshot live again.

A full extract that would retire too much of an entity (dashboard.load.ingest.shrink) holds the
whole load: it is recorded as held (待确认) with the figures, nothing is published, and only a load
with `confirm_shrink` (audited) applies it.

CLI: `load`, `status`, `rollback` (exit codes: 0 ok or partial, 1 failed, 3 held, 75 busy).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy.engine import Engine, make_url

from dashboard.access import audit
from dashboard.access.users import after_load
from dashboard.core import os_errors
from dashboard.core.dates import default_month, month_ends
from dashboard.core.settings import Settings
from dashboard.load import onboarding
from dashboard.load.ingest import SourceOptions, SourceUnavailable, find_drop_sources, ingest_entity, unknown_drop_files
from dashboard.load.meter import Stage, StageCost
from dashboard.load.sources import SourceConfig, SourcesError, load_sources
from dashboard.rules import credit_warnings, indicators, reference
from dashboard.rules.credit_warnings import settings_key
from dashboard.store import runs, schema, snapshots
from dashboard.store.db import statement_time_limit
from dashboard.store.opstore import get_engine

log = logging.getLogger(__name__)

EXIT_FAILED = 1
EXIT_BUSY = 75  # EX_TEMPFAIL: another load holds the lock; try again later
EXIT_HELD = 3  # the shrink guard held the load: nothing published, waiting for a confirmation

Progress = Callable[[str], None]
SLOW_MARTS = 5  # marts named with their seconds in the load log


@dataclass
class LoadOutcome:
    """What one load did. `retryable` means the source database could not be reached."""

    run_id: str
    source: str
    status: str
    snapshot_id: str | None = None
    entities: list[Any] = field(default_factory=list)
    error: str | None = None
    notes: str | None = None
    retryable: bool = False
    seconds: float = 0.0

    @property
    def rows_read(self) -> int:
        return sum(e.rows_read for e in self.entities)


class LoadError(RuntimeError):
    """A load that cannot go ahead; the message (Chinese) says why."""


class RollbackError(RuntimeError):
    """Rollback impossible; the message (Chinese) says why."""


def _quiet(_: str) -> None:
    pass


def _copy_base(base: snapshots.SnapshotInfo | None, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if base is not None:
        shutil.copyfile(base.path, target)
        target.chmod(0o644)


def _entity_line(result: Any, cost: StageCost) -> str:
    if result.status != "ok":
        return f"  {result.entity}：{runs.ENTITY_STATUS_LABELS.get(result.status, '失败')} —— {result.error}"
    extra = f"；未知列 {', '.join(result.extra_columns)}" if result.extra_columns else ""
    return (
        f"  {result.entity}：读取 {result.rows_read:,} 行，接受 {result.rows_accepted:,}，"
        f"隔离 {result.rows_quarantined:,}，标记 {result.rows_flagged:,}；新增 {result.rows_inserted:,}，"
        f"替换 {result.rows_replaced:,}，退役 {result.rows_retired:,}，未变 {result.rows_unchanged:,}"
        f"（{cost.text()}）{extra}"
    )


def _redact(text: str | None, secrets: Sequence[str]) -> str | None:
    """Connection URLs and passwords never reach a run record or a message."""
    if text:
        for secret in secrets:
            text = text.replace(secret, "***")
    return text


def _secrets_of(entity_sources: Sequence[Any]) -> list[str]:
    out = set()
    for src in entity_sources:
        if getattr(src, "url", None):
            out.add(src.url)
            try:
                password = make_url(src.url).password
            except Exception:  # an unparseable URL is still hidden as a whole
                password = None
            if password:
                out.add(str(password))
    return sorted(out, key=len, reverse=True)


def _status_of(results: Sequence[Any]) -> str:
    if any(r.status == runs.HELD for r in results):
        return runs.HELD
    failed = sum(r.status != "ok" for r in results)
    if not results or failed == len(results):
        return runs.FAILED
    return runs.PARTIAL if failed else runs.OK


def held_message(source: str, results: Sequence[Any]) -> str:
    """What a held load tells the office: which entities shrank, and how to confirm."""
    held = "、".join(r.entity for r in results if r.status == runs.HELD)
    return (
        f"待确认：{held} 的全量抽取将使大量现有记录退役，疑为导出不完整，本次装载未发布，当前快照保持不变。"
        f"核实数据源后重新导出再装载；如确属正常，请运行 python -m dashboard load {source} --confirm-shrink，"
        "或由系统管理员在“数据状态”页确认"
    )


def _error_text(exc: Exception) -> str:
    """装载出错 and the cause: an operating-system error in Chinese with its path and the fix."""
    described = os_errors.describe(exc)
    return f"装载出错：{described}" if described else f"装载出错：{type(exc).__name__}: {exc}"


def _ingest_all(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    entity_sources: Sequence[Any],
    mode_for: Callable[[str], str],
    run_id: str,
    engine: Engine,
    secrets: Sequence[str],
    progress: Progress,
    confirm_shrink: bool = False,
) -> list[Any]:
    """Ingest entity by entity into the building snapshot, recording each outcome as it comes."""
    results = []
    for i, src in enumerate(entity_sources, 1):
        progress(f"[{i}/{len(entity_sources)}] {src.entity}（{src.label}）")
        stage = Stage()
        result = ingest_entity(
            con, src, mode_for(src.entity), run_id, progress, settings=settings, confirm_shrink=confirm_shrink
        )
        result.error = _redact(result.error, secrets)
        runs.record_entity(engine, run_id, result)
        results.append(result)
        progress(_entity_line(result, stage.cost()))
    return results


def derived_key(settings: Settings) -> str:
    """The digest of what the derived tables depend on besides the data: the settings keys of the
    precomputed warnings and indicators (each covers the marts, its rule files, the reference data
    and the settings they take)."""
    return f"{settings_key(settings)}:{indicators.settings_key(settings)}"


def derived_tables_current(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """Whether the snapshot's marts and precomputed warnings and indicators were built by this
    release under these settings: the digest `_seal` stored (derived_key) is today's."""
    try:
        row = con.execute("SELECT derived_key FROM meta_derived").fetchone()
    except duckdb.CatalogException:  # built before the key was recorded
        return False
    return row is not None and row[0] == derived_key(settings)


def live_derived_tables_current(settings: Settings) -> bool:
    """derived_tables_current for the live snapshot (True when there is none: nothing to rebuild)."""
    live = snapshots.current_snapshot(settings)
    if live is None:
        return True
    con = snapshots.connect_readonly(live.path)
    try:
        return derived_tables_current(con, settings)
    finally:
        con.close()


def _seal(
    con: duckdb.DuckDBPyConnection, settings: Settings, snapshot_id: str, run_id: str, progress: Progress
) -> None:
    """Marts, the precomputed warnings and indicators, the snapshot's own record, and everything
    flushed into the file."""
    stage = Stage()
    timings = schema.build_marts(con, settings)
    slowest = sorted(timings, key=lambda t: -t[1])[:SLOW_MARTS]
    progress(f"重建指标数据集市完成（{stage.cost().text()}；最慢：{'、'.join(f'{n} {s:.1f} 秒' for n, s in slowest)}）")
    stage = Stage()
    latest = default_month(snapshots.built_at(snapshot_id), reference.data_horizon(con))
    months = month_ends(latest, settings.warehouse.warning_months)
    n_rows = credit_warnings.precompute(con, settings, months)
    progress(f"预先计算 {len(months)} 个月末的信用预警（{n_rows:,} 条）完成（{stage.cost().text()}）")
    stage = Stage()
    n_rows = indicators.precompute(con, settings, months)
    progress(f"预先计算 {len(months)} 个月末的监测指标（{n_rows:,} 行）完成（{stage.cost().text()}）")
    stage = Stage()
    con.execute(
        "CREATE OR REPLACE TABLE meta_derived AS SELECT CAST($key AS VARCHAR) AS derived_key",
        {"key": derived_key(settings)},
    )
    con.execute(
        "INSERT INTO meta_snapshot VALUES ($id, $at, $run)",
        {"id": snapshot_id, "at": snapshots.built_at(snapshot_id).replace(tzinfo=None), "run": run_id},
    )
    # A checkpoint of the audit log outside its database, checked by `audit verify`.
    snapshots.record_audit_head(con, *audit.head(get_engine(settings)))
    con.execute("CHECKPOINT")
    progress(f"写入快照文件完成（{stage.cost().text()}）")


def load(
    settings: Settings,
    source_name: str,
    resolve: Callable[[], Sequence[Any]],
    mode_for: Callable[[str], str],
    wait: bool = False,
    progress: Progress | None = None,
    notes: str | None = None,
    derived_only: bool = False,
    confirm_shrink: bool = False,
    ignored_files: Sequence[str] = (),
) -> LoadOutcome:
    """Run one load under the load lock and record it. `resolve` returns the ingest EntitySources
    (called once the run is recorded, so a source that cannot even be listed is a failed run);
    `mode_for(entity)` gives each entity's mode. Raises snapshots.LoadBusy when another load runs
    and `wait` is false; never raises for bad data or an unreachable source (see the outcome).
    `derived_only` ingests nothing: the live snapshot is republished with its marts and
    precomputed warnings rebuilt (see `rebuild`). `confirm_shrink` applies full extracts that the
    shrink guard would hold (the confirmation is audited); without it such a load ends held. Each
    source's header mapping, and the `ignored_files` of a drop, are recorded per file
    (dashboard.load.onboarding) for the 数据状态 page."""
    progress = progress or _quiet
    started = time.monotonic()
    whole = Stage()
    with snapshots.load_lock(settings, wait=wait, on_wait=progress):
        engine = get_engine(settings)
        runs.mark_interrupted(engine)
        for stale in snapshots.clean_building(settings):
            progress(f"清理上次中断的装载留下的文件 {stale.name}")
        base, named = snapshots.current_snapshot(settings), snapshots.current_name(settings)
        run_id = runs.new_run_id()
        snapshot_id = snapshots.new_snapshot_id(run_id)
        held_before = [r.run_id for r in runs.held_loads(engine) if r.source == source_name]
        runs.start_run(engine, run_id, "load", source_name, named)
        outcome = LoadOutcome(run_id=run_id, source=source_name, status=runs.FAILED, notes=notes)
        building = snapshots.paths(settings).building_path(snapshot_id)
        con = None
        secrets: list[str] = []
        try:
            if base is None and named is not None:
                raise LoadError(
                    f"CURRENT 指向的快照 {named} 不存在：为免丢失历史，本次不装载；"
                    "请用 rollback 指向一个保留的快照，或删除 CURRENT 后重新全量装载"
                )
            if derived_only and base is None:
                raise LoadError("没有已发布的数据快照，无需重建：请先装载数据")
            entity_sources = list(resolve())
            secrets = _secrets_of(entity_sources)
            if not entity_sources and not derived_only:
                raise LoadError("没有可装载的数据：目录中没有以实体命名的文件（如 penalties.csv），或数据源未配置实体")
            if derived_only:
                progress(f"重建快照 {named} 的数据集市与预警（数据不变）")
            else:
                progress(f"装载 {source_name}：{len(entity_sources)} 个实体，基于快照 {named or '（无，首次装载）'}")
            stage = Stage()
            _copy_base(base, building)
            if base is not None:
                progress(f"复制当前快照 {base.snapshot_id} 完成（{stage.cost().text()}）")
            con = snapshots.connect_for_load(settings, building)
            schema.create_warehouse(con)
            schema.load_reference(con)
            outcome.entities = _ingest_all(
                con, settings, entity_sources, mode_for, run_id, engine, secrets, progress, confirm_shrink
            )
            onboarding.record_reports(engine, con, run_id, entity_sources, outcome.entities, ignored_files)
            outcome.status = _status_of(outcome.entities) if entity_sources else runs.OK
            if outcome.status == runs.HELD:
                outcome.error = held_message(source_name, outcome.entities)
                progress(outcome.error)
            elif outcome.status == runs.FAILED:
                outcome.error = "所有实体均装载失败，未发布新快照"
            else:
                progress("重建指标数据集市…")
                with statement_time_limit(0):  # the derived tables run long on purpose: never cut
                    _seal(con, settings, snapshot_id, run_id, progress)
                con.close()
                con = None
                snapshots.install(settings, building, snapshot_id)
                snapshots.publish(settings, snapshot_id)
                outcome.snapshot_id = snapshot_id
                progress(f"已发布快照 {snapshot_id}（装载共 {whole.cost().text()}）")
                for gone in snapshots.prune(settings):
                    progress(f"清理旧快照 {gone}")
        except SourceUnavailable as exc:
            outcome.status, outcome.retryable = runs.FAILED, True
            outcome.error = _redact(str(exc) or "无法连接数据源", secrets)
        except (SourcesError, LoadError) as exc:
            outcome.status, outcome.error = runs.FAILED, str(exc)
        except KeyboardInterrupt:
            outcome.status, outcome.error = runs.FAILED, "装载被中止，未发布新快照"
            raise
        except Exception as exc:  # recorded and reported; the live snapshot is untouched
            log.exception("load %s failed", run_id)
            outcome.status = runs.FAILED
            outcome.error = _redact(_error_text(exc), secrets)
        finally:
            if con is not None:
                con.close()
            building.unlink(missing_ok=True)
            outcome.seconds = time.monotonic() - started
            runs.finish_run(engine, run_id, outcome.status, outcome.snapshot_id, outcome.error, outcome.notes)
    if confirm_shrink:
        _audit_confirmation(settings, outcome, held_before)
    try:
        after_load(settings, outcome)
    except Exception as exc:  # the snapshot is published already: report, never undo or crash
        outcome.notes = (outcome.notes + "；" if outcome.notes else "") + f"装载后处理失败：{exc}"
        if progress is not None:
            progress(f"警告：装载后处理（审计记录、演示账号）失败：{exc}")
    return outcome


def _audit_confirmation(settings: Settings, outcome: LoadOutcome, held_run_ids: Sequence[str]) -> None:
    """The audit entry of a load run with the shrink guard confirmed: who, which held runs it
    answers, and what it retired."""
    try:
        audit.record(
            get_engine(settings),
            audit.cli_user(),
            "load",
            {
                "confirm_shrink": True,
                "run_id": outcome.run_id,
                "source": str(outcome.source),
                "confirms_held_runs": list(held_run_ids),
                "status": outcome.status,
                "snapshot_id": outcome.snapshot_id,
                "rows_retired": {e.entity: e.rows_retired for e in outcome.entities if e.rows_retired},
            },
            rows=sum(e.rows_retired for e in outcome.entities),
        )
    except Exception as exc:  # the load is done: report, never undo
        log.exception("audit of the confirmed load %s failed", outcome.run_id)
        outcome.notes = (outcome.notes + "；" if outcome.notes else "") + f"确认记录写入审计日志失败：{exc}"


REBUILD_NOTE = "重建数据集市与预警（数据未变）"


def rebuild(settings: Settings, wait: bool = False, progress: Progress | None = None) -> LoadOutcome:
    """Republish the live snapshot with this release's marts and precomputed warnings — after an
    upgrade or a change of settings.toml — its data untouched: a new snapshot, recorded as a run
    of the same source as the one that built the live snapshot (so demo data stays demo data), with
    REBUILD_NOTE. Raises snapshots.LoadBusy like `load`."""
    live = snapshots.current_snapshot(settings)
    producer = runs.run_producing(get_engine(settings), live.snapshot_id) if live is not None else None
    source = producer.source if producer is not None else "rebuild"
    return load(
        settings,
        source,
        resolve=lambda: [],
        mode_for=lambda entity: "incremental",
        wait=wait,
        progress=progress,
        notes=REBUILD_NOTE,
        derived_only=True,
    )


def load_drop(
    settings: Settings,
    drop_dir: Path | str,
    mode: str = "full",
    modes: Mapping[str, str] | None = None,
    wait: bool = False,
    progress: Progress | None = None,
    source_name: str | None = None,
    confirm_shrink: bool = False,
    options: Mapping[str, SourceOptions] | None = None,
) -> LoadOutcome:
    """Load every entity file of a drop folder (`modes` overrides `mode` per entity; `options`
    are a named source's per-entity settings of sources.toml). Files that are not an entity are
    reported in the run's notes and ignored."""
    drop_dir = Path(drop_dir)
    modes = dict(modes or {})

    def resolve() -> list[Any]:
        if not drop_dir.is_dir():
            raise SourcesError(f"目录不存在：{drop_dir}")
        return find_drop_sources(drop_dir, options)

    unknown = unknown_drop_files(drop_dir, options) if drop_dir.is_dir() else []
    notes = f"未识别的文件（已忽略）：{'、'.join(unknown)}" if unknown else None
    if notes and progress:
        progress(notes)
    return load(
        settings,
        source_name or str(drop_dir),
        resolve,
        lambda e: modes.get(e, mode),
        wait=wait,
        progress=progress,
        notes=notes,
        confirm_shrink=confirm_shrink,
        ignored_files=unknown,
    )


def load_source(
    settings: Settings,
    config: SourceConfig,
    mode: str | None = None,
    wait: bool = False,
    progress: Progress | None = None,
    env: Mapping[str, str] | None = None,
    confirm_shrink: bool = False,
) -> LoadOutcome:
    """Load a named source of sources.toml; `mode` overrides every entity's configured mode."""
    if config.kind == "drop":
        modes = {} if mode else dict(config.modes)
        assert config.path is not None  # parse_sources requires a path of every drop source
        return load_drop(
            settings,
            config.path,
            mode or config.mode,
            modes,
            wait,
            progress,
            config.name,
            confirm_shrink,
            options=config.options,
        )
    return load(
        settings,
        config.name,
        lambda: config.entity_sources(env),
        lambda e: mode or config.mode_for(e),
        wait=wait,
        progress=progress,
        confirm_shrink=confirm_shrink,
    )


def load_target(
    settings: Settings,
    target: str,
    mode: str | None = None,
    wait: bool = False,
    progress: Progress | None = None,
    confirm_shrink: bool = False,
) -> LoadOutcome:
    """`target` is a drop folder, or the name of a source in sources.toml."""
    if Path(target).is_dir():
        return load_drop(settings, target, mode or "full", wait=wait, progress=progress, confirm_shrink=confirm_shrink)
    configured = load_sources()
    if target in configured:
        return load_source(settings, configured[target], mode, wait, progress, confirm_shrink=confirm_shrink)
    raise SourcesError(f"{target} 既不是目录，也不是 sources.toml 中配置的数据源")


def _rollback_target(
    settings: Settings, engine: Engine, live_id: str | None, snapshot_id: str | None
) -> snapshots.SnapshotInfo:
    if snapshot_id:
        target = snapshots.get_snapshot(settings, snapshot_id)
        if target is None:
            raise RollbackError(f"快照 {snapshot_id} 不存在（已被清理或从未发布）")
        if target.snapshot_id == live_id:
            raise RollbackError(f"快照 {snapshot_id} 已是当前快照")
        return target
    if live_id is None:
        raise RollbackError("尚未发布任何快照，无法回退")
    # The snapshot the live one was built from; failing that, the newest kept one before it.
    producer = runs.run_producing(engine, live_id)
    if producer and producer.base_snapshot_id:
        base = snapshots.get_snapshot(settings, producer.base_snapshot_id)
        if base is not None:
            return base
    older = [s for s in snapshots.list_snapshots(settings) if s.snapshot_id < live_id]
    if not older:
        raise RollbackError("没有可回退的更早快照")
    return older[-1]


def rollback(settings: Settings, snapshot_id: str | None = None, wait: bool = False) -> runs.RunRecord:
    """Make the given kept snapshot live, or by default the one the live snapshot was built from.
    Recorded as a run of kind rollback. Raises RollbackError or snapshots.LoadBusy."""
    with snapshots.load_lock(settings, wait=wait):
        engine = get_engine(settings)
        runs.mark_interrupted(engine)
        live_id = snapshots.current_name(settings)  # even when its file is gone: rollback repairs that
        target = _rollback_target(settings, engine, live_id, snapshot_id)
        run_id = runs.new_run_id()
        runs.start_run(engine, run_id, "rollback", target.snapshot_id, live_id)
        try:
            snapshots.publish(settings, target.snapshot_id)
        except Exception as exc:
            runs.finish_run(engine, run_id, runs.FAILED, error=f"回退失败：{exc}")
            _audit_rollback(engine, run_id, target.snapshot_id, live_id, runs.FAILED)
            raise
        runs.finish_run(engine, run_id, runs.OK, target.snapshot_id, notes=f"由 {live_id or '（无）'} 回退")
        _audit_rollback(engine, run_id, target.snapshot_id, live_id, runs.OK)
        record = runs.get_run(engine, run_id)
        assert record is not None  # started above
        return record


def _audit_rollback(engine: Engine, run_id: str, snapshot_id: str, previous_id: str | None, status: str) -> None:
    audit.record(
        engine,
        audit.cli_user(),
        "rollback",
        {"run_id": run_id, "snapshot_id": snapshot_id, "previous_snapshot_id": previous_id, "status": status},
    )
