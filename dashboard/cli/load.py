"""`python -m dashboard load | rebuild | status | rollback`: loading drops and sources, rebuilding
the derived tables, the live snapshot and recent runs, rolling back."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Mapping
from typing import Any

from dashboard.cli import remind
from dashboard.cli.output import text_table
from dashboard.core.dates import local_time_text
from dashboard.core.settings import Settings, get_settings
from dashboard.load.loading import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_HELD,
    LoadOutcome,
    RollbackError,
    live_derived_tables_current,
    load_target,
    rebuild,
    rollback,
)
from dashboard.load.sources import SourcesError
from dashboard.store import runs, snapshots
from dashboard.store.opstore import get_engine

log = logging.getLogger("dashboard.load")


ENTITY_HEADERS = ("实体", "来源", "模式", "状态", "读取", "接受", "隔离", "标记", "新增", "替换", "退役", "未变")


def _entity_row(r: Mapping[str, Any]) -> list[Any]:
    return [
        r["entity"],
        r["source"],
        r["mode"],
        runs.ENTITY_STATUS_LABELS.get(r["status"], r["status"]),
        *(int(r[f] or 0) for f in runs.COUNT_FIELDS),
    ]


def summary_text(outcome: LoadOutcome) -> str:
    """The end-of-load summary: one row per entity, then the run's outcome."""
    rows = [_entity_row(vars(r)) for r in outcome.entities]
    lines = [text_table(ENTITY_HEADERS, rows)] if rows else []
    lines.append(f"装载 {outcome.run_id}：{runs.STATUS_LABELS[outcome.status]}，用时 {outcome.seconds:.1f} 秒")
    if outcome.snapshot_id:
        lines.append(f"已发布快照 {outcome.snapshot_id}")
    else:
        lines.append("未发布新快照，当前快照保持不变")
    errors = [f"  {r.entity}：{r.error}" for r in outcome.entities if r.status not in ("ok", runs.HELD)]
    if errors:
        lines.append("失败的实体：\n" + "\n".join(errors))
    held = [f"  {r.entity}：{r.error}" for r in outcome.entities if r.status == runs.HELD]
    if held:
        lines.append("待确认的实体：\n" + "\n".join(held))
    if outcome.error:
        lines.append(f"错误：{outcome.error}")
    if outcome.notes:
        lines.append(outcome.notes)
    return "\n".join(lines)


def status_text(settings: Settings, limit: int = 5) -> str:
    """The live snapshot, the kept ones, and the latest runs with per-entity counts."""
    live = snapshots.current_snapshot(settings)
    kept = snapshots.list_snapshots(settings)
    lines = []
    if live is None:
        lines.append("当前快照：无（尚未装载数据，请运行 python -m dashboard load <数据目录>）")
    else:
        lines.append(f"当前快照：{live.snapshot_id}（构建于 {local_time_text(live.built_at)}）")
    lines.append(
        f"保留的快照：{len(kept)} 个" + (f"（{kept[0].snapshot_id} … {kept[-1].snapshot_id}）" if kept else "")
    )
    engine = get_engine(settings)
    recent = runs.recent_runs(engine, limit=limit)
    if not recent:
        lines.append("尚无装载记录")
        return "\n".join(lines)
    lines.append("\n最近的运行：")
    lines.append(
        text_table(
            ("开始时间", "类型", "来源", "状态", "快照", "用时(秒)", "说明"),
            [
                (
                    local_time_text(r.started_at),
                    r.kind_label,
                    r.source,
                    r.status_label,
                    r.snapshot_id or "",
                    "" if r.seconds is None else f"{r.seconds:.1f}",
                    r.error or r.notes or "",
                )
                for r in recent
            ],
        )
    )
    per_run = runs.run_entities(engine, [r.run_id for r in recent if r.kind == "load"])
    for r in recent:
        if per_run.get(r.run_id):
            lines.append(f"\n{r.run_id}（{local_time_text(r.started_at)}，{r.status_label}）：")
            lines.append(text_table(ENTITY_HEADERS, [_entity_row(e) for e in per_run[r.run_id]]))
    return "\n".join(lines)


def _cmd_load(args: argparse.Namespace) -> int:
    settings = get_settings()
    try:
        outcome = load_target(
            settings, args.target, args.mode, wait=args.wait, progress=log.info, confirm_shrink=args.confirm_shrink
        )
    except snapshots.LoadBusy as exc:
        log.info(f"{exc}；可稍后重试，或加 --wait 等待")
        return EXIT_BUSY
    except SourcesError as exc:
        log.info(str(exc))
        return EXIT_FAILED
    print(summary_text(outcome))
    if outcome.snapshot_id:
        remind.after_loads(settings, [outcome.snapshot_id])
    if outcome.status == runs.HELD:
        return EXIT_HELD
    return EXIT_FAILED if outcome.status == runs.FAILED else 0


def _cmd_status(args: argparse.Namespace) -> int:
    print(status_text(get_settings(), limit=args.runs))
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    try:
        record = rollback(get_settings(), args.snapshot_id, wait=args.wait)
    except snapshots.LoadBusy as exc:
        log.info(str(exc))
        return EXIT_BUSY
    except RollbackError as exc:
        log.info(str(exc))
        return EXIT_FAILED
    print(f"已回退：当前快照为 {record.snapshot_id}（{record.notes}）")
    return 0


def _cmd_rebuild(args: argparse.Namespace) -> int:
    settings = get_settings()
    live = snapshots.current_snapshot(settings)
    if args.if_stale and live is not None and live_derived_tables_current(settings):
        log.info(f"快照 {live.snapshot_id} 的数据集市与预警已是本版本、本设置所建，无需重建")
        return 0
    try:
        outcome = rebuild(settings, wait=args.wait, progress=log.info)
    except snapshots.LoadBusy as exc:
        log.info(f"{exc}；可稍后重试，或加 --wait 等待")
        return EXIT_BUSY
    print(summary_text(outcome))
    return EXIT_FAILED if outcome.status == runs.FAILED else 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("load", help="装载一个数据目录或 sources.toml 中的数据源，发布新快照")
    p.add_argument("target", metavar="DROP_DIR_OR_SOURCE_NAME")
    p.add_argument(
        "--mode",
        choices=("full", "incremental"),
        help="全量（本次没有的记录退役）或增量（只新增/更新）；默认：目录为 full，数据源按配置",
    )
    p.add_argument("--wait", action="store_true", help="已有装载在运行时等待，而不是立即退出")
    p.add_argument(
        "--confirm-shrink",
        action="store_true",
        help="确认应用全量抽取中记录数骤减的实体（否则装载待确认、不发布，退出码 3）；确认记入审计日志",
    )
    p.set_defaults(func=_cmd_load)
    p = sub.add_parser("rebuild", help="按本版本程序与当前设置重建当前快照的数据集市与预警（数据不变），发布新快照")
    p.add_argument("--if-stale", action="store_true", help="仅当快照由其他版本或其他设置生成时重建")
    p.add_argument("--wait", action="store_true", help="已有装载在运行时等待")
    p.set_defaults(func=_cmd_rebuild)
    p = sub.add_parser("status", help="当前快照与最近的装载记录")
    p.add_argument("--runs", type=int, default=5, help="显示最近几次运行（默认 5）")
    p.set_defaults(func=_cmd_status)
    p = sub.add_parser("rollback", help="回退到上一个（或指定的）保留快照")
    p.add_argument("snapshot_id", nargs="?", metavar="SNAPSHOT_ID")
    p.add_argument("--wait", action="store_true", help="已有装载在运行时等待")
    p.set_defaults(func=_cmd_rollback)
