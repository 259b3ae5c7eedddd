"""Real-browser harness: one `streamlit run dashboard/app/main.py` for the whole session, on a free
loopback port, over a temp data folder holding a loaded warehouse and an operational store with
test users; Playwright drives Debian's Chromium (/usr/bin/chromium, never a downloaded browser).

Every test module here sets `pytestmark = pytest.mark.browser`. Screenshots go to tests/artifacts/screenshots/ (git-ignored).
Under pytest-xdist all browser tests run on one worker (tests/conftest.py groups them), so there is
still one server and one Chromium; each worker that did run some would have its own server, port
and data folder (its own base temp folder).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest
from browser_kit import PASSWORD, SCREENSHOTS, USERS, open_as

from dashboard.access import sessions, users
from dashboard.core.settings import PROJECT_DIR, Settings
from dashboard.store import opstore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_TIMEOUT_S = 90
STEP_TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo_available() -> bool:
    try:
        from dashboard.demo.generate import generate_drop  # noqa: F401
    except ImportError:
        return False
    return True


def _load_warehouse(settings: Settings, work: Path) -> str:
    """A live snapshot in settings.data_dir: the seeded demo drop at its smallest scale, loaded by
    the real loader, when the generator is part of the build and works; else the small hand-built
    warehouse (with a warning, so that a broken generator does not go unnoticed)."""
    if _demo_available():
        from dashboard.demo.generate import generate_drop
        from dashboard.load.loading import load_drop

        drop = work / "drop"
        try:
            drop.mkdir()
            generate_drop(drop, scale=_smallest_scale(), seed=42)
            outcome = load_drop(settings, drop, wait=True)
            if outcome.snapshot_id is None:
                raise RuntimeError(f"the demo drop did not load: {outcome.error}")
            return "demo"
        except Exception as exc:  # noqa: BLE001 — reported, then the hand-built data is used
            warnings.warn(
                f"demo data unavailable for the browser tests ({type(exc).__name__}: {exc}); "
                "using the small hand-built warehouse"
            )
            shutil.rmtree(drop, ignore_errors=True)
    from small_warehouse import publish_small_warehouse

    publish_small_warehouse(settings)
    return "small"


def _smallest_scale() -> str:
    from dashboard.demo import generate as demo

    scales = getattr(demo, "SCALES", None)
    if isinstance(scales, dict) and scales:
        for name in ("tiny", "test", "small", "smoke"):
            if name in scales:
                return name
        return min(scales, key=lambda k: getattr(scales[k], "subjects", 0) or 0)
    return "small"


def _wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200 and r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit not ready after {READY_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The running dashboard: url, settings (of the server's data folder), users and kind of data."""
    work = tmp_path_factory.mktemp("browser")
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(work / "data")}
    env.pop("DASHBOARD_OPSTORE_URL", None)
    env.pop("DASHBOARD_SETTINGS", None)
    settings = Settings.load(env=env)
    kind = _load_warehouse(settings, work)
    engine = opstore.get_engine(settings)
    cheap = dataclasses.replace(settings.access, bcrypt_rounds=4)
    for name, (role, departments) in USERS.items():
        users.add_user(
            engine,
            name,
            role,
            "test",
            display_name=name,
            departments=departments,
            password=PASSWORD,
            must_change_password=False,
            access=cheap,
        )
    opstore.dispose_all()

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "streamlit.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(PROJECT_DIR / "dashboard" / "app" / "main.py"),
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(url, proc, log)
        yield SimpleNamespace(url=url, settings=settings, kind=kind, log=log, work=work)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    """One Chromium for the session, with a fresh profile folder."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is not installed (/usr/bin/chromium): run scripts/test.sh")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    downloads = tmp_path_factory.mktemp("downloads")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1500, "height": 1000},
            locale="zh-CN",
            accept_downloads=True,
            downloads_path=str(downloads),
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        # without the file-save dialog API the grid's own CSV export falls back to a plain download
        context.add_init_script("delete window.showSaveFilePicker;")
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context):
    """A fresh tab (hence a fresh Streamlit session: nobody signed in — the session cookie an
    earlier test's sign-in left in the shared browser is removed first)."""
    browser_context.clear_cookies(name=sessions.COOKIE_NAME)
    tab = browser_context.new_page()
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def office_tab(browser_context, app_server):
    """A tab signed in as the credit office, shared by tests that only look (each starts by
    switching page through the menu)."""
    tab = browser_context.new_page()
    open_as(tab, app_server.url, "office1")
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def live_warehouse(app_server):
    """A read-only connection to the server's live snapshot, for the expected values."""
    from dashboard.store import snapshots

    con = snapshots.connect_readonly(snapshots.current_snapshot(app_server.settings).path)
    yield con
    con.close()


@pytest.fixture(scope="session")
def screenshots():
    """The screenshot folder, emptied once per test run: by the first xdist worker to get here when
    browser tests are spread over several (the others keep what it has written since)."""
    from filelock import FileLock

    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(SCREENSHOTS.parent / "screenshots.lock")):
        marker = SCREENSHOTS / ".run"
        if not marker.is_file() or marker.read_text() != run_id:
            shutil.rmtree(SCREENSHOTS, ignore_errors=True)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            marker.write_text(run_id)
    return SCREENSHOTS
