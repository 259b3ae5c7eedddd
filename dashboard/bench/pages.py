"""Benchmark of the pages: `python -m dashboard bench pages --scale city|province --runs N` (a
separate command, never part of the tests).

Each page's full render through Streamlit's AppTest (dashboard/app/main.py, signed in as the credit
office, the page's usual drill state): cold — every cache emptied, as after a new snapshot is
published (new connection, no cached results) — and warm — the same session rerun, as after a
click. Medians of N runs. Budget (issue): every page under 1.5 s warm and 5 s cold at province
scale; the subject profile under 0.5 s warm.

The warehouse is the seeded demo of that scale, loaded once by dashboard.bench.rules_twin into
data/bench/rules-<scale>-seed42/ (shared with `bench rules`); its operational store gets a
benchmark account.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
import streamlit.config
import streamlit.logger
from streamlit.testing.v1 import AppTest

from dashboard.access import auth, users
from dashboard.app import exports
from dashboard.core import settings as settings_module
from dashboard.core.scope import Scope
from dashboard.core.settings import PACKAGE_DIR, Settings
from dashboard.rules import profile
from dashboard.store import opstore, snapshots
from dashboard.store.opstore import get_engine
from dashboard.store.snapshots import current_snapshot

APP_FILE = PACKAGE_DIR / "app" / "main.py"
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
    os.environ["DASHBOARD_DATA_DIR"] = str(settings.data_dir)
    os.environ.pop("DASHBOARD_OPSTORE_URL", None)
    settings_module._cached = settings
    opstore.dispose_all()


def _bench_account(settings: Settings) -> None:
    engine = get_engine(settings)
    if users.get_user(engine, BENCH_USER) is None:
        users.add_user(
            engine,
            BENCH_USER,
            "office",
            "cli:bench",
            password=os.urandom(12).hex(),
            must_change_password=False,
            access=settings.access,
        )


def drill_states(snapshot: Path) -> dict[str, dict[str, str]]:
    """Each page's URL parameters for the benchmark: the usual drill state on this data."""
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
        "feedback": {},
        "present": {"view": "6"},  # the named departments: the presentation view with the most to compute
    }


def _app(page: str, params: Mapping[str, str], timeout: float):
    at = AppTest.from_file(str(APP_FILE), default_timeout=timeout)
    now = time.time()
    at.session_state[auth.SESSION_KEY] = {
        "username": BENCH_USER,
        "method": "password",
        "signed_in_at": now,
        "last_seen": now,
    }
    at.query_params = dict(params)
    at.switch_page(f"../../pages/{page}.py")
    return at


def _clear_caches() -> None:
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
    _use(snapshot_settings)
    _bench_account(snapshot_settings)
    streamlit.config.set_option("client.showErrorDetails", "full")  # a failing page names its error
    # the caches emptied between runs live outside a server: Streamlit says so on every run, which
    # would bury the figures (a page's own error still reaches the table through AppTest)
    streamlit.logger.set_log_level("error")
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
        say(
            f"{page:<13} 冷启动 {run.cold_median:6.2f} 秒  热 {run.warm_median:6.3f} 秒  "
            f"（预算 冷<{COLD_BUDGET:g} 秒，热<{run.warm_budget:g} 秒）{'' if run.ok else '  超出预算'}"
        )
    return results
