"""Benchmarks: `python -m dashboard bench <name> …` (separate commands, never part of the tests).

The `bench` sub-commands are registered by dashboard.cli.bench; this module holds the load benchmark.

`bench load --scale city|province --runs N` generates the seeded demo drop once (cached under
data/bench/<scale>-seed42/), then loads it N times into a fresh warehouse, each time in a child
process exactly as `python -m dashboard load` runs (its peak RSS taken from wait4), and finally
re-loads the same drop into the existing warehouse: the no-change path, which must insert nothing.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from dashboard.core.settings import PROJECT_DIR, Settings
from dashboard.demo.generate import generated_drop
from dashboard.store import runs
from dashboard.store.opstore import dispose_all, get_engine

SEED = 42


@dataclasses.dataclass(frozen=True)
class LoadRun:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    rows_read: int
    rows_inserted: int
    rows_replaced: int
    rows_retired: int
    status: str

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


def bench_drop(settings: Settings, scale: str, seed: int = SEED) -> Path:
    """The benchmark drop of this scale, generated once."""
    target = settings.data_dir / "bench" / f"{scale}-seed{seed}"
    if target.is_dir():
        return target
    t0 = time.monotonic()
    generated_drop(target, scale, seed)
    print(f"生成 {scale} 规模数据：{time.monotonic() - t0:.1f} 秒 → {target}", file=sys.stderr)
    return target


def _child_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DASHBOARD_DATA_DIR"] = str(data_dir)
    env.pop("DASHBOARD_OPSTORE_URL", None)  # each benchmark warehouse keeps its own run records
    return env


def timed_load(drop: Path, data_dir: Path, mode: str = "full") -> LoadRun:
    """One `python -m dashboard load` in a child process: wall seconds, its peak RSS, its counts."""
    command = [sys.executable, "-m", "dashboard", "load", str(drop), "--mode", mode]
    t0 = time.monotonic()
    proc = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=_child_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None  # stderr=subprocess.PIPE
    stderr_tail = proc.stderr.read().decode("utf-8", "replace")[-2000:]
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    settings = Settings.load(env=_child_env(data_dir))
    engine = get_engine(settings)
    last = runs.recent_runs(engine, limit=1, kind="load")
    entities = runs.run_entities(engine, [last[0].run_id])[last[0].run_id] if last else []
    dispose_all()
    if proc.returncode != 0:
        print(stderr_tail, file=sys.stderr)

    def total(field: str) -> int:
        return sum(int(e[field] or 0) for e in entities)

    return LoadRun(
        seconds,
        usage.ru_maxrss / 1024,
        proc.returncode,
        total("rows_read"),
        total("rows_inserted"),
        total("rows_replaced"),
        total("rows_retired"),
        last[0].status if last else "none",
    )


def bench_load(
    settings: Settings, scale: str, n_runs: int = 3, say: Callable[[str], None] = print
) -> Mapping[str, object]:
    """Fresh loads (n_runs) and one no-change reload; prints and returns the figures."""
    drop = bench_drop(settings, scale)
    work = settings.data_dir / "bench" / f"warehouse-{scale}"
    fresh: list[LoadRun] = []
    for i in range(1, n_runs + 1):
        shutil.rmtree(work, ignore_errors=True)
        run = timed_load(drop, work)
        fresh.append(run)
        say(
            f"全新装载 {i}/{n_runs}：{run.seconds:.2f} 秒，读取 {run.rows_read:,} 行，{run.rows_per_second:,.0f} 行/秒，"
            f"峰值内存 {run.peak_rss_mb:,.0f} MB，状态 {run.status}"
        )
    again = timed_load(drop, work)
    say(
        f"同一数据再次装载（无变化）：{again.seconds:.2f} 秒，新增 {again.rows_inserted:,}，替换 {again.rows_replaced:,}，"
        f"退役 {again.rows_retired:,}，峰值内存 {again.peak_rss_mb:,.0f} MB，状态 {again.status}"
    )
    median = statistics.median(r.seconds for r in fresh)
    peak = max(r.peak_rss_mb for r in [*fresh, again])
    rows = fresh[0].rows_read
    say(f"中位数 {median:.2f} 秒，{rows / median:,.0f} 行/秒；峰值内存 {peak:,.0f} MB")
    shutil.rmtree(work, ignore_errors=True)
    return {
        "scale": scale,
        "runs": [r.seconds for r in fresh],
        "median_seconds": median,
        "rows_read": rows,
        "rows_per_second": rows / median if median else 0.0,
        "peak_rss_mb": peak,
        "reload_seconds": again.seconds,
        "reload_changes": again.rows_inserted + again.rows_replaced + again.rows_retired,
        "ok": all(r.exit_code == 0 for r in [*fresh, again]),
    }


# Modules that add a `bench` sub-command through their add_bench(bench_sub) (imported when the
# command line is built, so they may import this module freely).
