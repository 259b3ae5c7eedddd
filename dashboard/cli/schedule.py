"""`python -m dashboard schedule`: scheduled loads of the sources in sources.toml."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Mapping
from pathlib import Path

from dashboard.app import briefing_keep
from dashboard.cli import remind
from dashboard.core.settings import Settings, get_settings
from dashboard.load.loading import LoadOutcome
from dashboard.load.scheduler import run_due, run_forever, scheduled
from dashboard.load.sources import SourcesError, load_sources
from dashboard.store import runs

log = logging.getLogger("dashboard.schedule")


def published(outcomes: Mapping[str, LoadOutcome | None]) -> list[str]:
    """The snapshots a pass published, for the reminders that follow it."""
    return [o.snapshot_id for o in outcomes.values() if o is not None and o.snapshot_id]


def after_loads(settings: Settings, snapshot_ids: list[str]) -> None:
    """What follows a pass of loads: the reminders, and the draft 通报 and deck of a new month
    (dashboard.app.briefing_keep.draft_after_load)."""
    remind.after_loads(settings, snapshot_ids)
    briefing_keep.draft_after_load(settings, snapshot_ids)


def _cmd_schedule(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not args.once:
        log.info("调度已启动（按 Ctrl+C 停止）")
        try:
            run_forever(
                settings,
                args.sources,
                progress=log.info,
                after_pass=lambda outcomes: after_loads(settings, published(outcomes)),
            )
        except KeyboardInterrupt:
            return 0
    try:
        sources = load_sources(args.sources)
    except SourcesError as exc:
        log.info(str(exc))
        return 1
    if not scheduled(sources):
        log.info("sources.toml 中没有配置 schedule 的数据源")
        remind.after_loads(settings)
        return 0
    results = run_due(settings, sources, progress=log.info)
    if not results:
        log.info("没有到期的数据源")
    after_loads(settings, published(results))
    return 1 if any(o is None or o.status == runs.FAILED for o in results.values()) else 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="按 sources.toml 中的 cron 计划定时装载（常驻运行）")
    p.add_argument("--once", action="store_true", help="只运行一次到期的数据源后退出（供测试与系统 cron 使用）")
    p.add_argument("--sources", type=Path, help="数据源配置文件（默认 $DASHBOARD_SOURCES 或 sources.toml）")
    p.set_defaults(func=_cmd_schedule)
