"""Many users at once: `python -m dashboard bench sessions --users 30 --minutes 3 --url http://127.0.0.1:8501`
(a separate command, never part of the tests).

Each simulated user is a websocket client speaking Streamlit's own protocol to a running dashboard,
as the browser does on `/_stcore/stream`: protobuf `BackMsg.rerun_script` requests out (query
string, page script hash, widget states), `ForwardMsg` deltas back until `script_finished`. No
browser and no rendering: a client costs a few milliseconds of CPU per click, so 30 of them do not
take the server's cores away from it (20 Chromium sessions on the same 2 cores measured mostly the
browsers). A client

1. opens the app (the sign-in screen) and reads the widget ids of the sign-in form from the deltas;
2. signs in as a local account the harness prepared (`bench_NN`, roles office / leader /
   department in turn) by sending the form's widget states with the submit trigger, as the browser
   does;
3. then, until the time is up, opens a page of its menu (the `navigation` message), waits a think
   time, clicks on it — a drill link (`page_link`), a 查看… button, or another month in the frame's
   month picker — and waits again.

Every action is timed from the request to the `script_finished` of the run it caused (a run that
switches page or reruns counts until the last run ends). Meanwhile the harness polls
`/_stcore/health` twice a second and samples the server process's CPU from /proc/<pid>/stat (the
sum over several processes with `--pid` given once per process, for the layout behind nginx).

The report: per page (and per page's clicks) count, p50, p95 and max; sign-in time; health-check
latency; the server's CPU in cores (mean and busiest second); the harness's own CPU. Budgets (issue
11): p95 of every page under 2 s, every sign-in under 3 s, the health check never above 1 s.

Bounded: at most MAX_USERS users for at most MAX_MINUTES minutes, loopback servers only. The bench
accounts are disabled again when the run ends (both audited as `system:bench`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import resource
import secrets
import statistics
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import websockets
from sqlalchemy import Engine
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.typing import Subprotocol

from dashboard.access import users
from dashboard.core.settings import Settings
from dashboard.store.opstore import get_engine

MAX_USERS = 100
MAX_MINUTES = 30.0
PAGE_P95_BUDGET = 2.0
SIGN_IN_BUDGET = 3.0
HEALTH_BUDGET = 1.0
ACTION_TIMEOUT = 180.0  # a run that has not finished by then counts as not finished
HEALTH_INTERVAL = 0.5
CPU_INTERVAL = 1.0
BENCH_ACTOR = "system:bench"
BENCH_PREFIX = "bench_"
ROLE_CYCLE = ("office", "leader", "department")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SIGN_IN = "登录"
# Buttons a simulated user never presses: they change data or end the session.
UNSAFE_LABELS = ("退出", "删除", "停用", "启用", "重置", "装载", "回退", "保存", "记录", "提交", "修改", "确认")
FINISHED_EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN
# The browser offers "streamlit" (then an XSRF token and a session id to resume; neither needed here).
STREAMLIT_SUBPROTOCOL = Subprotocol("streamlit")


class SessionsError(RuntimeError):
    """A refused run of the harness; the message is Chinese, for the command line."""


@dataclass(frozen=True)
class Plan:
    """What to run: `users` clients against `url` for `minutes`, a think time between actions
    (drawn from 0.5–1.5 × `think_seconds`), clients starting evenly over `ramp_seconds`."""

    url: str
    users: int
    minutes: float
    think_seconds: float = 2.0
    ramp_seconds: float = 10.0
    seed: int = 42
    pids: tuple[int, ...] = ()  # server processes whose CPU is reported; default: the one on the port

    def check(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
            raise SessionsError(f"参数错误：--url 只接受本机地址（http://127.0.0.1:端口），收到 {self.url}")
        if not 1 <= self.users <= MAX_USERS:
            raise SessionsError(f"参数错误：--users 须在 1 到 {MAX_USERS} 之间")
        if not 0 < self.minutes <= MAX_MINUTES:
            raise SessionsError(f"参数错误：--minutes 须大于 0 且不超过 {MAX_MINUTES:g}")
        if self.think_seconds < 0 or self.ramp_seconds < 0:
            raise SessionsError("参数错误：--think 与 --ramp 不能为负数")

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def base_path(self) -> str:
        return urlsplit(self.url).path.rstrip("/")

    @property
    def stream_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}{self.base_path}/_stcore/stream"


@dataclass(frozen=True)
class Account:
    username: str
    password: str
    role: str


# ---- accounts -----------------------------------------------------------------------------------


def _departments() -> list[str]:
    return sorted(code for code in users.department_names() if code != "credit_office")


def prepare_account(
    engine: Engine, username: str, role: str, departments: Sequence[str], settings: Settings, display_name: str
) -> Account:
    """An enabled local bench account with a fresh password: created on first use; re-bound to
    `role`/`departments`, re-enabled and given the new password after (audited as BENCH_ACTOR).
    Shared by `bench sessions` and `bench browser`."""
    password = "Bench-" + secrets.token_urlsafe(12)
    existing = users.get_user(engine, username)
    if existing is None:
        users.add_user(
            engine,
            username,
            role,
            BENCH_ACTOR,
            display_name=display_name,
            departments=departments,
            password=password,
            must_change_password=False,
            access=settings.access,
        )
        return Account(username, password, role)
    if existing.role != role or existing.departments != frozenset(departments):
        users.set_role(engine, username, role, BENCH_ACTOR, departments=departments)
    if existing.disabled:
        users.set_disabled(engine, username, False, BENCH_ACTOR)
    # a reset password must be changed at the next sign-in: change it here, as its user would
    one_time = users.reset_password(engine, username, BENCH_ACTOR, access=settings.access)
    users.change_own_password(engine, username, one_time, password, settings.access)
    return Account(username, password, role)


def prepare_accounts(settings: Settings, n: int) -> list[Account]:
    """`n` enabled local accounts bench_01 … with fresh passwords, roles in turn office, leader,
    department (bound to one department each, in turn). Created on first use, re-enabled after."""
    engine = get_engine(settings)
    codes = _departments()
    plans = []
    for i in range(n):
        role = ROLE_CYCLE[i % len(ROLE_CYCLE)]
        departments = [codes[(i // len(ROLE_CYCLE)) % len(codes)]] if role == "department" and codes else []
        plans.append((f"{BENCH_PREFIX}{i + 1:02d}", role, departments))
    # bcrypt releases the GIL: hashing 30 passwords on a few threads takes seconds, not half a minute
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(
            pool.map(
                lambda p: prepare_account(engine, p[0], p[1], p[2], settings, f"压测用户 {p[0][len(BENCH_PREFIX) :]}"),
                plans,
            )
        )


def retire_accounts(settings: Settings, accounts: Iterable[Account]) -> None:
    """Disable the bench accounts again (they sign in only while a run lasts)."""
    engine = get_engine(settings)
    for account in accounts:
        with contextlib.suppress(users.UserError):
            users.set_disabled(engine, account.username, True, BENCH_ACTOR)


# ---- the server process -------------------------------------------------------------------------


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table, encoding="ascii") as handle:
            next(handle, None)
            for line in handle:
                cols = line.split()
                if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(cols[9])
    return inodes


def find_server_pid(port: int) -> int | None:
    """The process listening on this loopback port (None when it is not ours to see)."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in wanted:
                        return int(entry.name)
    return None


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU seconds the processes have used (/proc/<pid>/stat fields 14 and 15)."""
    total = 0
    for pid in pids:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        fields = text[text.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


# ---- measurements -------------------------------------------------------------------------------


@dataclass
class Measurements:
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    sign_ins: list[float] = field(default_factory=list)
    health: list[float] = field(default_factory=list)
    cpu_samples: list[float] = field(default_factory=list)  # cores used in each sampling interval
    server_cpu_seconds: float | None = None
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    signed_in_users: int = 0
    exception_texts: dict[str, str] = field(default_factory=dict)  # the first exception shown per action
    load_average: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load at the start and the end
    server_processes: int = 0

    def error(self, what: str, text: str | None = None) -> None:
        self.errors[what] += 1
        if text:
            self.exception_texts.setdefault(what, text)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95 → p95) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-int(round(share * 1000)) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Row:
    what: str
    count: int
    p50: float
    p95: float
    max: float
    errors: int = 0


@dataclass(frozen=True)
class Report:
    plan: Plan
    pages: list[Row]
    sign_in: Row | None
    health: Row | None
    server_cpu_mean: float | None  # cores, over the run
    server_cpu_peak: float | None  # cores, busiest sampling interval
    client_cpu_mean: float
    signed_in_users: int
    wall_seconds: float
    errors: dict[str, int]
    exception_texts: dict[str, str] = field(default_factory=dict)
    load_average: tuple[float, float] = (0.0, 0.0)
    server_processes: int = 0

    @property
    def page_rows(self) -> list[Row]:
        return [r for r in self.pages if r.count]

    @property
    def ok(self) -> bool:
        return (
            bool(self.page_rows)
            and all(r.p95 < PAGE_P95_BUDGET for r in self.page_rows)
            and self.sign_in is not None
            and self.sign_in.max < SIGN_IN_BUDGET
            and self.signed_in_users == self.plan.users
            and (self.health is not None and self.health.max <= HEALTH_BUDGET)
            and not self.errors
        )

    def as_dict(self) -> dict[str, Any]:
        def row(r: Row | None) -> dict[str, Any] | None:
            return None if r is None else r.__dict__

        return {
            "users": self.plan.users,
            "minutes": self.plan.minutes,
            "think_seconds": self.plan.think_seconds,
            "pages": [row(r) for r in self.pages],
            "sign_in": row(self.sign_in),
            "health": row(self.health),
            "server_cpu_mean_cores": self.server_cpu_mean,
            "server_cpu_peak_cores": self.server_cpu_peak,
            "client_cpu_mean_cores": self.client_cpu_mean,
            "signed_in_users": self.signed_in_users,
            "wall_seconds": self.wall_seconds,
            "errors": dict(self.errors),
            "load_average": list(self.load_average),
            "server_processes": self.server_processes,
            "ok": self.ok,
        }


def _row(what: str, values: Sequence[float], errors: int = 0) -> Row:
    if not values:
        return Row(what, 0, float("nan"), float("nan"), float("nan"), errors)
    return Row(what, len(values), statistics.median(values), percentile(values, 0.95), max(values), errors)


def summarise(plan: Plan, m: Measurements) -> Report:
    pages = [_row(what, values, m.errors.get(what, 0)) for what, values in sorted(m.samples.items())]
    pages += [
        Row(what, 0, float("nan"), float("nan"), float("nan"), n)
        for what, n in m.errors.items()
        if what not in m.samples and what != SIGN_IN
    ]
    mean = None
    if m.server_cpu_seconds is not None and m.wall_seconds > 0:
        mean = m.server_cpu_seconds / m.wall_seconds
    return Report(
        plan=plan,
        pages=pages,
        sign_in=_row(SIGN_IN, m.sign_ins, m.errors.get(SIGN_IN, 0)) if m.sign_ins or m.errors.get(SIGN_IN) else None,
        health=_row("健康检查", m.health) if m.health else None,
        server_cpu_mean=mean,
        server_cpu_peak=max(m.cpu_samples) if m.cpu_samples else None,
        client_cpu_mean=m.client_cpu_seconds / m.wall_seconds if m.wall_seconds > 0 else 0.0,
        signed_in_users=m.signed_in_users,
        wall_seconds=m.wall_seconds,
        errors=dict(m.errors),
        exception_texts=dict(m.exception_texts),
        load_average=m.load_average,
        server_processes=m.server_processes,
    )


def _ljust(text: str, width: int) -> str:
    """Pad to a width in terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - used)


def _fmt(value: float) -> str:
    return "—" if value != value else f"{value:.2f}"  # NaN: nothing measured


def format_report(report: Report) -> str:
    """The report as the command prints it (Chinese, seconds)."""
    plan = report.plan
    lines = [
        f"并发会话压测：{plan.users} 个用户，{plan.minutes:g} 分钟，思考时间约 {plan.think_seconds:g} 秒，"
        f"已登录 {report.signed_in_users}/{plan.users}",
        "",
        _ljust("操作", 24) + "".join(_ljust(h, 9) for h in ("次数", "p50 秒", "p95 秒", "最大 秒", "出错")),
    ]
    rows = [r for r in (report.sign_in, *report.pages, report.health) if r is not None]
    for r in rows:
        cells = (str(r.count), _fmt(r.p50), _fmt(r.p95), _fmt(r.max), str(r.errors))
        lines.append(_ljust(r.what, 24) + "".join(_ljust(c, 9) for c in cells))
    lines.append("")
    for what, text in sorted(report.exception_texts.items()):
        lines.append(f"{what} 出错示例：{text}")
    if report.server_cpu_mean is not None:
        lines.append(
            f"服务器进程 CPU（{report.server_processes} 个进程合计）：平均 {report.server_cpu_mean:.2f} 核，"
            f"最忙的一秒 {report.server_cpu_peak or 0:.2f} 核"
            f"（本机 {os.cpu_count()} 核）"
        )
    else:
        lines.append("服务器进程 CPU：未能读取（用 --pid 指定服务器进程）")
    lines.append(f"压测客户端自身 CPU：平均 {report.client_cpu_mean:.2f} 核")
    lines.append(
        f"本机负载（1 分钟平均）：开始 {report.load_average[0]:.1f}，结束 {report.load_average[1]:.1f}"
        "（其他进程也在用这些核时，数字会偏高）"
    )
    verdict = (
        "全部在预算内"
        if report.ok
        else "未达预算或有错误"
        + (f"（{'；'.join(f'{k} {v} 次' for k, v in sorted(report.errors.items()))}）" if report.errors else "")
    )
    lines.append(
        f"预算：页面 p95 < {PAGE_P95_BUDGET:g} 秒，登录 < {SIGN_IN_BUDGET:g} 秒，"
        f"健康检查 ≤ {HEALTH_BUDGET:g} 秒 —— {verdict}"
    )
    return "\n".join(lines)


# ---- one simulated browser ----------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    title: str
    url_path: str
    script_hash: str


@dataclass
class RunResult:
    """What one request caused: the messages of every run until the last one finished."""

    seconds: float
    messages: list[ForwardMsg]
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of each exception shown

    def elements(self, kind: str) -> list[Any]:
        out = []
        for msg in self.messages:
            if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                if element.WhichOneof("type") == kind:
                    out.append(getattr(element, kind))
        return out


class Client:
    """One websocket session, kept as the browser keeps it: the URL's query string, the page it is
    on, the menu of pages, and the hashes of cacheable messages it already holds."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.query_string = ""
        self.page_hash = ""
        self.menu: list[Page] = []
        self._cache: dict[str, ForwardMsg] = {}

    async def rerun(
        self,
        *,
        page: Page | None = None,
        query_string: str | None = None,
        widgets: Sequence[tuple[str, str, Any]] = (),
        timeout: float = ACTION_TIMEOUT,
    ) -> RunResult:
        """Send a rerun request (optionally to another page, with a query string and widget
        states as (id, value field, value)), and collect messages until a run finishes."""
        back = BackMsg()
        state = back.rerun_script
        if page is not None:
            self.page_hash = page.script_hash
            state.page_name = page.url_path
        state.page_script_hash = self.page_hash
        state.query_string = self.query_string if query_string is None else query_string
        for widget_id, value_field, value in widgets:
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            if value_field == "string_value":
                widget.string_value = value
            elif value_field == "trigger_value":
                widget.trigger_value = bool(value)
        state.cached_message_hashes.extend(self._cache)
        started = time.perf_counter()
        await self.ws.send(back.SerializeToString())
        messages: list[ForwardMsg] = []
        exceptions: list[str] = []
        async with asyncio.timeout(timeout):
            while True:
                msg = ForwardMsg()
                msg.ParseFromString(await self.ws.recv())
                if msg.HasField("ref_hash"):
                    msg = self._cache.get(msg.ref_hash, msg)
                elif msg.metadata.cacheable and msg.hash:
                    self._cache[msg.hash] = msg
                kind = msg.WhichOneof("type")
                messages.append(msg)
                if kind == "page_info_changed":
                    self.query_string = msg.page_info_changed.query_string
                elif kind == "new_session":
                    self.page_hash = msg.new_session.page_script_hash
                elif kind == "navigation":
                    self.page_hash = msg.navigation.page_script_hash or self.page_hash
                    self.menu = [
                        Page(p.page_name, p.url_pathname, p.page_script_hash)
                        for p in msg.navigation.app_pages
                        if not p.is_hidden
                    ]
                elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                    shown = msg.delta.new_element.exception
                    exceptions.append(f"{shown.type}: {shown.message}"[:300])
                elif kind == "script_finished" and msg.script_finished != FINISHED_EARLY_FOR_RERUN:
                    break
        return RunResult(time.perf_counter() - started, messages, exceptions)


def sign_in_widgets(result: RunResult, account: Account) -> list[tuple[str, str, Any]]:
    inputs = {w.label: w.id for w in result.elements("text_input") if w.form_id == "sign_in"}
    submit = [b.id for b in result.elements("button") if b.form_id == "sign_in" and b.is_form_submitter]
    if "用户名" not in inputs or "密码" not in inputs or not submit:
        raise SessionsError("登录页上没有找到“用户名 / 密码 / 登录”表单：服务器不是本驾驶舱，或尚未装载数据")
    return [
        (inputs["用户名"], "string_value", account.username),
        (inputs["密码"], "string_value", account.password),
        (submit[0], "trigger_value", True),
    ]


def signed_in(result: RunResult) -> bool:
    return any(b.id.endswith("-_auth_sign_out") for b in result.elements("button"))


def _click(result: RunResult, client: Client, rng: random.Random) -> tuple[str, dict[str, Any]] | None:
    """What a user clicks on this page: a drill link, a 查看… button, or another month."""
    choices: list[tuple[str, dict[str, Any]]] = []
    by_hash = {p.script_hash: p for p in client.menu}
    for link in result.elements("page_link"):
        target = by_hash.get(link.page_script_hash)
        if target is not None and not link.disabled and not link.external:
            choices.append(("link", {"page": target, "query_string": link.query_string}))
    for button in result.elements("button"):
        if button.is_form_submitter or button.disabled or any(word in button.label for word in UNSAFE_LABELS):
            continue
        choices.append(("button", {"widgets": [(button.id, "trigger_value", True)]}))
    for box in result.elements("selectbox"):
        if box.id.endswith("-_param_month") and len(box.options) > 1:
            month = box.options[rng.randrange(1, min(6, len(box.options)))]
            choices.append(("month", {"widgets": [(box.id, "string_value", month)]}))
    return rng.choice(choices) if choices else None


async def _think(plan: Plan, rng: random.Random, deadline: float) -> bool:
    pause = plan.think_seconds * rng.uniform(0.5, 1.5)
    await asyncio.sleep(max(0.0, min(pause, deadline - time.monotonic())))
    return time.monotonic() < deadline


async def _user(index: int, account: Account, plan: Plan, deadline: float, m: Measurements) -> None:
    rng = random.Random(plan.seed * 1000 + index)
    await asyncio.sleep(plan.ramp_seconds * index / max(1, plan.users))
    try:
        async with websockets.connect(
            plan.stream_url, subprotocols=[STREAMLIT_SUBPROTOCOL], max_size=None, ping_interval=None, open_timeout=60
        ) as ws:
            client = Client(ws)
            first = await client.rerun()
            m.samples["登录页"].append(first.seconds)
            signed = await client.rerun(widgets=sign_in_widgets(first, account))
            if not signed_in(signed):
                m.error(SIGN_IN)
                return
            m.sign_ins.append(signed.seconds)
            m.signed_in_users += 1
            while await _think(plan, rng, deadline):
                page = rng.choice(client.menu)
                opened = await client.rerun(page=page, query_string="")
                m.samples[page.title].append(opened.seconds)
                if opened.exceptions:
                    m.error(page.title, opened.exceptions[0])
                click = _click(opened, client, rng)
                if click is None or not await _think(plan, rng, deadline):
                    continue
                kind, request = click
                clicked = await client.rerun(**request)
                m.samples[f"{page.title}·点击"].append(clicked.seconds)
                if clicked.exceptions:
                    m.error(f"{page.title}·点击", clicked.exceptions[0])
    except TimeoutError:
        m.error(f"未在 {ACTION_TIMEOUT:g} 秒内完成")
    except (OSError, websockets.WebSocketException):
        m.error("连接中断")


# ---- probes of the server -----------------------------------------------------------------------


async def _health_once(plan: Plan) -> float:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(plan.host, plan.port)
    try:
        request = f"GET {plan.base_path}/_stcore/health HTTP/1.1\r\nHost: {plan.host}\r\nConnection: close\r\n\r\n"
        writer.write(request.encode("ascii"))
        await writer.drain()
        await reader.read()
    finally:
        writer.close()
    return time.perf_counter() - started


async def _poll_health(plan: Plan, deadline: float, m: Measurements) -> None:
    while time.monotonic() < deadline:
        try:
            m.health.append(await asyncio.wait_for(_health_once(plan), ACTION_TIMEOUT))
        except (OSError, TimeoutError):
            m.error("健康检查失败")
        await asyncio.sleep(HEALTH_INTERVAL)


async def _sample_cpu(pids: tuple[int, ...], deadline: float, m: Measurements) -> None:
    last, last_at = cpu_seconds(pids), time.monotonic()
    while time.monotonic() < deadline:
        await asyncio.sleep(CPU_INTERVAL)
        with contextlib.suppress(OSError):
            now, now_at = cpu_seconds(pids), time.monotonic()
            m.cpu_samples.append((now - last) / (now_at - last_at))
            last, last_at = now, now_at


async def _run(plan: Plan, accounts: Sequence[Account], pids: tuple[int, ...]) -> Measurements:
    m = Measurements(server_processes=len(pids))
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    deadline = started + plan.minutes * 60
    cpu_before = cpu_seconds(pids) if pids else None
    own_before = resource.getrusage(resource.RUSAGE_SELF)
    probes = [asyncio.create_task(_poll_health(plan, deadline, m))]
    if pids:
        probes.append(asyncio.create_task(_sample_cpu(pids, deadline, m)))
    await asyncio.gather(*(_user(i, a, plan, deadline, m) for i, a in enumerate(accounts)))
    await asyncio.gather(*probes)
    m.wall_seconds = time.monotonic() - started
    if pids and cpu_before is not None:
        with contextlib.suppress(OSError):
            m.server_cpu_seconds = cpu_seconds(pids) - cpu_before
    own_after = resource.getrusage(resource.RUSAGE_SELF)
    m.client_cpu_seconds = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    m.load_average = (load_before, os.getloadavg()[0])
    return m


def check_server(plan: Plan) -> None:
    """Refuse early, in Chinese, when nothing answers the health check at the URL."""
    try:
        asyncio.run(asyncio.wait_for(_health_once(plan), 10))
    except (OSError, TimeoutError) as exc:
        raise SessionsError(
            f"无法连接 {plan.url}（{exc.__class__.__name__}）：请先启动驾驶舱，例如 "
            "`python -m dashboard serve --server.port 端口`，并让本命令使用同一个 DASHBOARD_DATA_DIR"
        ) from exc


def run_sessions(settings: Settings, plan: Plan) -> Report:
    """Prepare the accounts, run the clients and probes for the planned time, disable the accounts
    again, and return the report. The server must use the same operational store as `settings`
    (the same DASHBOARD_DATA_DIR or DASHBOARD_OPSTORE_URL), so that the accounts can sign in."""
    plan.check()
    check_server(plan)
    found = find_server_pid(plan.port)
    pids = plan.pids or (() if found is None else (found,))
    accounts = prepare_accounts(settings, plan.users)
    try:
        measured = asyncio.run(_run(plan, accounts, pids))
    finally:
        retire_accounts(settings, accounts)
    return summarise(plan, measured)


def write_json(report: Report, path: Path) -> None:
    """The report as JSON (for notes and comparisons of runs)."""
    payload = {"measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **report.as_dict()}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
