"""Benchmark of the pages: `python -m dashboard bench pages --scale city|province --runs N` (a
separate command, never part of the tests).

Each page's full render through Streamlit's AppTest (dashboard/app.py, signed in as the credit
office, the page's usual drill state): cold — every cache emptied, as after a new snapshot is
published (new connection, no cached results) — and warm — the same session rerun, as after a
click. Medians of N runs. Budget (issue): every page under 1.5 s warm and 5 s cold at province
scale; the subject profile under 0.5 s warm.

The warehouse is the seeded demo of that scale, loaded once by dashboard.bench_rules into
data/bench/rules-<scale>-seed42/ (shared with `bench rules`); its operational store gets a
benchmark account.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from .settings import PACKAGE_DIR, Settings, get_settings

APP_FILE = PACKAGE_DIR / "app.py"
BENCH_USER = "bench-office"
WARM_BUDGET = 1.5
COLD_BUDGET = 5.0
PROFILE_WARM_BUDGET = 0.5


@dataclass(frozen=True)
class PageRun:
    page: str
    cold: list[float]
    warm: list[float]
    error: str | None = None  # the page raised: no timing

    @property
    def cold_median(self) -> float:
        return statistics.median(self.cold) if self.cold else float("nan")

    @property
    def warm_median(self) -> float:
        return statistics.median(self.warm) if self.warm else float("nan")

    @property
    def warm_budget(self) -> float:
        return PROFILE_WARM_BUDGET if self.page == "subject" else WARM_BUDGET

    @property
    def ok(self) -> bool:
        return self.error is None and self.warm_median < self.warm_budget and self.cold_median < COLD_BUDGET


def _use(settings: Settings) -> None:
    """Make `settings` the process-wide settings (the app reads them through get_settings)."""
    from . import opstore, settings as settings_module

    os.environ["DASHBOARD_DATA_DIR"] = str(settings.data_dir)
    os.environ.pop("DASHBOARD_OPSTORE_URL", None)
    settings_module._cached = settings
    opstore.dispose_all()


def _bench_account(settings: Settings) -> None:
    from . import users
    from .opstore import get_engine

    engine = get_engine(settings)
    if users.get_user(engine, BENCH_USER) is None:
        users.add_user(engine, BENCH_USER, "office", "cli:bench", password=os.urandom(12).hex(),
                       must_change_password=False, access=settings.access)


def drill_states(snapshot: Path) -> dict[str, dict[str, str]]:
    """Each page's URL parameters for the benchmark: the usual drill state on this data."""
    from . import profile, snapshots
    from .access import Scope

    con = snapshots.connect_readonly(snapshot)
    try:
        found = profile.search_subjects(con, "有限公司", Scope.all(), limit=1)
    finally:
        con.close()
    subject = found["uscc"].iloc[0] if not found.empty else ""
    return {
        "cockpit": {},
        "indicators": {"indicator": "I14"},
        "warnings": {"department": "market"},
        "departments": {"department": "market"},
        "subject": {"subject": subject},
        "grading": {"department": "market"},
        "data_quality": {},
    }


def _app(page: str, params: Mapping[str, str], timeout: float):
    from streamlit.testing.v1 import AppTest

    from . import auth

    at = AppTest.from_file(str(APP_FILE), default_timeout=timeout)
    now = time.time()
    at.session_state[auth.SESSION_KEY] = {"username": BENCH_USER, "method": "password", "signed_in_at": now,
                                          "last_seen": now}
    at.query_params = dict(params)
    at.switch_page(f"../pages/{page}.py")
    return at


def _clear_caches() -> None:
    import streamlit as st

    from . import exports

    st.cache_data.clear()
    st.cache_resource.clear()
    exports._cache.clear()


def time_page(page: str, params: Mapping[str, str], runs: int, timeout: float = 300) -> PageRun:
    """Cold and warm render times of one page (seconds), `runs` of each."""
    cold, warm = [], []
    for _ in range(runs):
        _clear_caches()
        at = _app(page, params, timeout)
        t0 = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - t0)
        if at.exception:
            return PageRun(page, [], [], error=at.exception[0].value.splitlines()[-1][:300])
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    return PageRun(page, cold, warm)


def bench_pages(snapshot_settings: Settings, runs: int, say: Callable[[str], None] = print) -> list[PageRun]:
    """Time every page against the live snapshot of `snapshot_settings`; prints one line a page."""
    from .snapshots import current_snapshot

    import streamlit.config

    _use(snapshot_settings)
    _bench_account(snapshot_settings)
    streamlit.config.set_option("client.showErrorDetails", "full")  # a failing page names its error
    info = current_snapshot(snapshot_settings)
    if info is None:
        raise RuntimeError("没有可用的数据快照")
    results = []
    for page, params in drill_states(info.path).items():
        run = time_page(page, params, runs)
        results.append(run)
        if run.error:
            say(f"{page:<13} 出错：{run.error}")
            continue
        say(f"{page:<13} 冷启动 {run.cold_median:6.2f} 秒  热 {run.warm_median:6.3f} 秒  "
            f"（预算 冷<{COLD_BUDGET:g} 秒，热<{run.warm_budget:g} 秒）{'' if run.ok else '  超出预算'}")
    return results


def _cmd_bench_pages(args: argparse.Namespace) -> int:
    from .bench_rules import bench_warehouse

    settings = get_settings()
    runs = max(3, args.runs)
    if args.data_dir is not None:
        bench_settings = Settings.load(env={**os.environ, "DASHBOARD_DATA_DIR": str(args.data_dir)})
    else:
        snapshot = bench_warehouse(settings, args.scale)
        bench_settings = Settings.load(env={**os.environ, "DASHBOARD_DATA_DIR": str(snapshot.parents[2])})
    started = dt.datetime.now()
    results = bench_pages(bench_settings, runs)
    slow = [r.page for r in results if not r.ok]
    print(f"{len(results)} 个页面，每项 {runs} 次取中位数，用时 {(dt.datetime.now() - started).seconds} 秒；"
          + ("全部在预算内" if not slow else f"超出预算：{'、'.join(slow)}"), file=sys.stderr)
    return 0 if not slow else 1


def add_bench(bench_sub: argparse._SubParsersAction) -> None:
    """Register `bench pages` (dashboard.bench lists this function in BENCH_COMMANDS)."""
    p = bench_sub.add_parser("pages", help="各页面渲染耗时（冷/热，AppTest）")
    p.add_argument("--scale", choices=("city", "province"), default="city")
    p.add_argument("--runs", type=int, default=3, help="每页运行次数，取中位数（至少 3）")
    p.add_argument("--data-dir", type=Path, default=None, help="直接使用某个数据目录（含已发布快照）")
    p.set_defaults(func=_cmd_bench_pages)
