"""Scheduled loads of the named sources in sources.toml.

A source is due when its cron expression (server local time) has fired since the latest load of
that source started — so a source never loaded is due at once, a missed time (machine off) is
caught up by one load, and running `schedule --once` from cron every few minutes is harmless.
Loads go one at a time through the same load lock as `python -m dashboard load` (waiting for it).
When a source database cannot be reached the load is retried with exponentially growing delays;
every attempt is a recorded run. Nothing a source does stops the scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from croniter import croniter

from dashboard.core.settings import Settings
from dashboard.load.loading import LoadOutcome, load_source
from dashboard.load.sources import SourceConfig, SourcesError, load_sources
from dashboard.store import runs
from dashboard.store.opstore import get_engine

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


def _cron(source: SourceConfig) -> str:
    """The cron expression of a source `scheduled` returned (so it has a schedule)."""
    assert source.schedule is not None
    return source.schedule.cron


def due_sources(settings: Settings, sources: Mapping[str, SourceConfig], now: dt.datetime) -> list[SourceConfig]:
    """The scheduled sources due now, in file order."""
    engine = get_engine(settings)
    return [s for s in scheduled(sources) if is_due(_cron(s), runs.last_attempt_at(engine, s.name), now)]


def run_job(
    settings: Settings,
    config: SourceConfig,
    sleep: Sleep = time.sleep,
    progress: Progress | None = None,
    env: Mapping[str, str] | None = None,
) -> LoadOutcome | None:
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
        say(
            f"数据源 {config.name} 第 {attempt} 次尝试：{runs.STATUS_LABELS[outcome.status]}"
            + (f"（{outcome.error}）" if outcome.error else "")
        )
        if not outcome.retryable:
            return outcome
        if attempt < attempts:
            assert schedule is not None  # more than one attempt only with a schedule's retries
            delay = schedule.delay(attempt)
            say(f"数据源 {config.name} 暂时无法连接，{delay:g} 秒后重试（剩余 {attempts - attempt} 次）")
            sleep(delay)
    return outcome


def run_due(
    settings: Settings,
    sources: Mapping[str, SourceConfig],
    now: dt.datetime | None = None,
    sleep: Sleep = time.sleep,
    progress: Progress | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, LoadOutcome | None]:
    """Run every due source once (with its retries), one after another."""
    now = now or local_now()
    return {s.name: run_job(settings, s, sleep, progress, env) for s in due_sources(settings, sources, now)}


def seconds_until_next(sources: Mapping[str, SourceConfig], now: dt.datetime) -> float:
    times = [next_due(_cron(s), now) for s in scheduled(sources)]
    if not times:
        return MAX_SLEEP_SECONDS
    return min(max((min(times) - now).total_seconds(), 0.0), MAX_SLEEP_SECONDS)


def run_forever(
    settings: Settings,
    sources_file: Path | None = None,
    sleep: Sleep = time.sleep,
    progress: Progress | None = None,
    after_pass: Callable[[Mapping[str, LoadOutcome | None]], object] | None = None,
) -> None:
    """Run due sources, sleep until the next due time, forever. The sources file is re-read each
    round; when an edit breaks it, the last good version stays in force. `after_pass` (the caller's
    hook, e.g. reminders) gets each pass's outcomes."""
    say = progress or log.info
    sources: Mapping[str, SourceConfig] = {}
    while True:
        try:
            sources = load_sources(sources_file)
        except SourcesError as exc:
            say(f"sources.toml 有误，继续使用上一版配置：{exc}")
        outcomes = run_due(settings, sources, sleep=sleep, progress=progress)
        if after_pass is not None:
            after_pass(outcomes)
        sleep(seconds_until_next(sources, local_now()) + 1.0)
