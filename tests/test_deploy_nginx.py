"""The production layout for many users (README "Operating at scale"), started for real on loopback:
two dashboard processes over one data folder behind nginx with deploy/nginx.conf (only its
addresses rewritten), and the `bench sessions` harness against a live server with two users for a
few seconds (no timing assertions: the figures are the benchmark's business, not the tests').
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import websockets

from dashboard.access import users
from dashboard.bench import sessions
from dashboard.core.settings import PROJECT_DIR, Settings
from dashboard.demo.generate import generate_drop
from dashboard.load.loading import load_drop
from dashboard.store import opstore
from tests.loadkit import cli

NGINX = Path("/usr/sbin/nginx")
NGINX_CONF = PROJECT_DIR / "deploy" / "nginx.conf"
READY_TIMEOUT_S = 90
USER = "office1"
PASSWORD = "Layout-test-2024"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"not ready after {READY_TIMEOUT_S} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def nginx_config(work: Path, listen: int, backends: tuple[int, int]) -> Path:
    """A main nginx.conf in `work` that includes deploy/nginx.conf with its addresses rewritten to
    loopback test ports (each address must be found exactly once: the shipped file is what runs)."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    for old, new in (
        ("listen 8501;", f"listen 127.0.0.1:{listen};"),
        ("server 127.0.0.1:8601 ", f"server 127.0.0.1:{backends[0]} "),
        ("server 127.0.0.1:8602 ", f"server 127.0.0.1:{backends[1]} "),
    ):
        assert text.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    site = work / "dashboard.conf"
    site.write_text(text, encoding="utf-8")
    temp = work / "nginx-temp"
    temp.mkdir(exist_ok=True)
    main = work / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")  # workers must reach the private temp folder
        + f"daemon off;\npid {work / 'nginx.pid'};\nerror_log {work / 'nginx-error.log'} warn;\n"
        + "events { worker_connections 256; }\n"
        + "http {\n"
        + f"  access_log {work / 'nginx-access.log'};\n"
        + "".join(
            f"  {kind}_temp_path {temp / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {site};\n"
        + "}\n",
        encoding="utf-8",
    )
    return main


def _streamlit(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "dashboard" / "app" / "main.py")]
            + ["--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"]
            + ["--browser.gatherUsageStats", "false"],
            cwd=PROJECT_DIR,  # .streamlit/config.toml of the product applies, as under `serve`
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


@pytest.fixture(scope="module")
def layout(tmp_path_factory):
    """Two dashboard processes on one data folder (the tiny demo, loaded) behind nginx."""
    if not NGINX.exists():
        pytest.fail("Debian's nginx is not installed (/usr/sbin/nginx): run scripts/test.sh")
    work = tmp_path_factory.mktemp("layout")
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(work / "data")}
    env.pop("DASHBOARD_OPSTORE_URL", None)
    env.pop("DASHBOARD_SETTINGS", None)
    settings = Settings.load(env=env)
    # cheap password hashes: the tests sign in, they do not measure bcrypt
    settings = dataclasses.replace(settings, access=dataclasses.replace(settings.access, bcrypt_rounds=4))
    drop = work / "drop"
    drop.mkdir()
    generate_drop(drop, scale="tiny", seed=42)
    assert load_drop(settings, drop, wait=True).snapshot_id is not None
    users.add_user(
        opstore.get_engine(settings),
        USER,
        "office",
        "test",
        password=PASSWORD,
        must_change_password=False,
        access=settings.access,
    )
    opstore.dispose_all()

    ports = (_free_port(), _free_port())
    procs = []
    try:
        for i, port in enumerate(ports):
            procs.append(_streamlit(port, env, work / f"streamlit-{i}.log"))
        for proc, port, i in zip(procs, ports, range(2), strict=True):
            _wait_ready(f"http://127.0.0.1:{port}", proc, work / f"streamlit-{i}.log")
        listen = _free_port()
        conf = nginx_config(work, listen, ports)
        check = subprocess.run([str(NGINX), "-t", "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        with open(work / "nginx.out", "w") as out:
            nginx = subprocess.Popen([str(NGINX), "-c", str(conf)], stdout=out, stderr=subprocess.STDOUT)
        procs.append(nginx)
        _wait_ready(f"http://127.0.0.1:{listen}", nginx, work / "nginx-error.log")
        yield SimpleNamespace(
            url=f"http://127.0.0.1:{listen}",
            backends=[f"127.0.0.1:{p}" for p in ports],
            backend_urls=[f"http://127.0.0.1:{p}" for p in ports],
            settings=settings,
            work=work,
        )
    finally:
        for proc in reversed(procs):
            _stop(proc)
        opstore.dispose_all()
        shutil.rmtree(work / "nginx-temp", ignore_errors=True)


def _get(url: str, cookie: str | None = None) -> tuple[str | None, str | None]:
    """(the X-Dashboard-Upstream, the dashboard_route cookie set) of a GET."""
    request = urllib.request.Request(url, headers={"Cookie": f"dashboard_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        routes = [
            c.split(";")[0].partition("=")[2]
            for c in response.headers.get_all("Set-Cookie") or []
            if c.startswith("dashboard_route=")
        ]
        return response.headers.get("X-Dashboard-Upstream"), routes[0] if routes else None


def test_nginx_keeps_a_browser_on_one_process_and_spreads_browsers(layout):
    upstream, route = _get(f"{layout.url}/_stcore/health")
    assert upstream in layout.backends and route  # a first visit is given its route cookie
    # every later request of that browser (pages, downloads, a reconnecting websocket) goes to the same process
    assert {_get(f"{layout.url}/_stcore/health", route)[0] for _ in range(6)} == {upstream}
    # and browsers are spread over both processes
    seen = {_get(f"{layout.url}/_stcore/health", f"browser-{i}")[0] for i in range(16)}
    assert seen == set(layout.backends)


async def _sign_in_and_open(url: str, page_title: str) -> tuple[bool, list[str], list[str]]:
    plan = sessions.Plan(url=url, users=1, minutes=1)
    account = sessions.Account(USER, PASSWORD, "office")
    async with websockets.connect(plan.stream_url, subprotocols=[sessions.STREAMLIT_SUBPROTOCOL], max_size=None) as ws:
        client = sessions.Client(ws)
        first = await client.rerun(timeout=120)
        signed = await client.rerun(widgets=sessions.sign_in_widgets(first, account), timeout=120)
        page = next(p for p in client.menu if p.title == page_title)
        opened = await client.rerun(page=page, query_string="", timeout=120)
        headings = [h.body for h in opened.elements("heading")]
        return sessions.signed_in(signed), headings, opened.exceptions


def test_a_session_signs_in_and_opens_a_page_through_nginx(layout):
    signed_in, headings, exceptions = asyncio.run(_sign_in_and_open(layout.url, "监测指标"))
    assert signed_in
    assert exceptions == []
    assert any("监测指标" in h or "指标" in h for h in headings), headings


def test_bench_sessions_against_a_live_server_with_two_users(layout):
    plan = sessions.Plan(url=layout.backend_urls[0], users=2, minutes=0.15, think_seconds=0.5, ramp_seconds=0.5)
    report = sessions.run_sessions(layout.settings, plan)
    assert report.signed_in_users == 2
    assert report.sign_in is not None and report.sign_in.count == 2
    assert report.page_rows and all(r.count > 0 for r in report.page_rows)
    assert report.health is not None and report.health.count > 0
    assert report.server_cpu_mean is not None  # the server process was found by its port
    assert not report.errors, report.exception_texts
    text = sessions.format_report(report)
    assert "登录" in text and "健康检查" in text and "服务器进程 CPU" in text
    # the bench accounts sign in only while a run lasts
    engine = opstore.get_engine(layout.settings)
    assert all(users.get_user(engine, f"bench_{i:02d}").disabled for i in (1, 2))


@pytest.mark.parametrize(
    "url, n_users, minutes",
    [
        ("http://10.1.2.3:8501", 2, 1),  # not loopback
        ("http://127.0.0.1:8501", 0, 1),
        ("http://127.0.0.1:8501", sessions.MAX_USERS + 1, 1),
        ("http://127.0.0.1:8501", 2, sessions.MAX_MINUTES + 1),
    ],
)
def test_the_harness_stays_bounded_and_on_loopback(url, n_users, minutes):
    with pytest.raises(sessions.SessionsError, match="参数错误"):
        sessions.Plan(url=url, users=n_users, minutes=minutes).check()


def test_the_command_refuses_another_host_in_chinese():
    done = cli("bench", "sessions", "--url", "http://192.0.2.1:8501", "--users", "2", "--minutes", "0.1")
    assert done.returncode == 2
    assert "参数错误" in done.stderr and "Traceback" not in done.stderr


def test_the_server_runs_no_file_watcher_and_no_full_collection_after_every_run():
    """What serialised one process under 30 sessions (README "Operating at scale"): the file watcher
    re-resolving every module's path on the event loop after each run, and a full gc.collect() after
    each run holding the GIL. The product's .streamlit/config.toml turns both off."""
    config = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False
