"""Scheduled loads of the named sources in sources.toml.

A source is due when its cron expression (server local time) has fired since the latest load of
that source started — so a source never loaded is due at once, a missed time (machine off) is
caught up by one load, and running `schedule --once` from cron every few minutes is harmless.
Loads go one at a time through the same load lock as `python -m dashboard load` (waiting for it).
When a source database cannot be reached the load is retried with exponentially growing delays;
every attempt is a recorded run. Nothing a source does stops the scheduler.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from pathlib import Path
from typing import Callable, Mapping

from croniter import croniter

from . import runs
from .loading import LoadOutcome, load_source
from .opstore import get_engine
from .settings import Settings, get_settings
from .sources import SourceConfig, SourcesError, load_sources

log = logging.getLogger(__name__)

# The forever loop wakes at least this often, so edits of sources.toml and clock changes are seen.
MAX_SLEEP_SECONDS = 300.0

Sleep = Callable[[float], None]
Progress = Callable[[str], None]


def local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


def previous_due(cron: str, now: dt.datetime) -> dt.datetime:
    """The latest time at or before `now` at which the cron expression fires."""
    it = croniter(cron, now + dt.timedelta(microseconds=1))
    return it.get_prev(dt.datetime)


def next_due(cron: str, now: dt.datetime) -> dt.datetime:
    """The first time after `now` at which the cron expression fires."""
    return croniter(cron, now).get_next(dt.datetime)


def is_due(cron: str, last_attempt: dt.datetime | None, now: dt.datetime) -> bool:
    """Due when the expression fired since the last attempt started (or there was none)."""
    return last_attempt is None or last_attempt < previous_due(cron, now)


def scheduled(sources: Mapping[str, SourceConfig]) -> list[SourceConfig]:
    return [s for s in sources.values() if s.schedule is not None]


def due_sources(settings: Settings, sources: Mapping[str, SourceConfig], now: dt.datetime) -> list[SourceConfig]:
    """The scheduled sources due now, in file order."""
    engine = get_engine(settings)
    return [s for s in scheduled(sources)
            if is_due(s.schedule.cron, runs.last_attempt_at(engine, s.name), now)]


def run_job(settings: Settings, config: SourceConfig, sleep: Sleep = time.sleep,
            progress: Progress | None = None, env: Mapping[str, str] | None = None) -> LoadOutcome | None:
    """Load one source, retrying with backoff while its database is unreachable. Returns the last
    attempt's outcome, or None when the source could not even be started (logged)."""
    say = progress or log.info
    schedule = config.schedule
    attempts = 1 + (schedule.retries if schedule else 0)
    outcome = None
    for attempt in range(1, attempts + 1):
        try:
            outcome = load_source(settings, config, wait=True, progress=progress, env=env)
        except SourcesError as exc:
            say(f"数据源 {config.name} 无法装载：{exc}")
            return None
        except Exception:  # a bug must not stop the other sources or later runs
            log.exception("scheduled load of %s failed", config.name)
            return None
        say(f"数据源 {config.name} 第 {attempt} 次尝试：{runs.STATUS_LABELS[outcome.status]}"
            + (f"（{outcome.error}）" if outcome.error else ""))
        if not outcome.retryable:
            return outcome
        if attempt < attempts:
            delay = schedule.delay(attempt)
            say(f"数据源 {config.name} 暂时无法连接，{delay:g} 秒后重试（剩余 {attempts - attempt} 次）")
            sleep(delay)
    return outcome


def run_due(settings: Settings, sources: Mapping[str, SourceConfig], now: dt.datetime | None = None,
            sleep: Sleep = time.sleep, progress: Progress | None = None,
            env: Mapping[str, str] | None = None) -> dict[str, LoadOutcome | None]:
    """Run every due source once (with its retries), one after another."""
    now = now or local_now()
    return {s.name: run_job(settings, s, sleep, progress, env) for s in due_sources(settings, sources, now)}


def seconds_until_next(sources: Mapping[str, SourceConfig], now: dt.datetime) -> float:
    times = [next_due(s.schedule.cron, now) for s in scheduled(sources)]
    if not times:
        return MAX_SLEEP_SECONDS
    return min(max((min(times) - now).total_seconds(), 0.0), MAX_SLEEP_SECONDS)


def run_forever(settings: Settings, sources_file: Path | None = None, sleep: Sleep = time.sleep,
                progress: Progress | None = None) -> None:
    """Run due sources, sleep until the next due time, forever. The sources file is re-read each
    round; when an edit breaks it, the last good version stays in force."""
    say = progress or log.info
    sources: Mapping[str, SourceConfig] = {}
    while True:
        try:
            sources = load_sources(sources_file)
        except SourcesError as exc:
            say(f"sources.toml 有误，继续使用上一版配置：{exc}")
        run_due(settings, sources, sleep=sleep, progress=progress)
        sleep(seconds_until_next(sources, local_now()) + 1.0)


def _stderr(message: str) -> None:
    print(f"[{dt.datetime.now():%Y-%m-%d %H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _cmd_schedule(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not args.once:
        _stderr("调度已启动（按 Ctrl+C 停止）")
        try:
            run_forever(settings, args.sources, progress=_stderr)
        except KeyboardInterrupt:
            return 0
    try:
        sources = load_sources(args.sources)
    except SourcesError as exc:
        _stderr(str(exc))
        return 1
    if not scheduled(sources):
        _stderr("sources.toml 中没有配置 schedule 的数据源")
        return 0
    results = run_due(settings, sources, progress=_stderr)
    if not results:
        _stderr("没有到期的数据源")
    return 1 if any(o is None or o.status == runs.FAILED for o in results.values()) else 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schedule", help="按 sources.toml 中的 cron 计划定时装载（常驻运行）")
    p.add_argument("--once", action="store_true", help="只运行一次到期的数据源后退出（供测试与系统 cron 使用）")
    p.add_argument("--sources", type=Path, help="数据源配置文件（默认 $DASHBOARD_SOURCES 或 sources.toml）")
    p.set_defaults(func=_cmd_schedule)
