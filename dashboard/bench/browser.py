"""First impressions in a real browser: `python -m dashboard bench browser --scale city|province --runs 3
[--url URL] [--wait SECONDS]` (a separate command, never part of the tests).

Each run starts a fresh dashboard server (`python -m dashboard serve` on a free loopback port, over
the benchmark warehouse of the scale — dashboard.bench.rules_twin.bench_warehouse — as after a
restart or the first minutes after a publish), or measures the server at `--url`. Debian's Chromium
(/usr/bin/chromium, headless, 1920×1080, through Playwright) then plays each role in turn — leader,
office, department, the first role rotating from run to run so that each pays the cold start once:

1. opens the app, fills in the sign-in form and clicks 登录; the clock runs from the click until the
   page has **settled** (`settled`: Streamlit's script state is notRunning, no element is stale, the
   sidebar's 退出登录 and the landing page's title are shown, and this lasts STABLE_SECONDS);
2. then, for every item of the landing page — each indicator tile of 总览 (its drill to 监测指标),
   each link of a department's 本单位工作台 — clicks it, waits until the target page has settled
   (its own title shown), and goes back through the sidebar menu (not timed as a first click).

The user signs in right away: nothing waits for the server's warm-up unless `--wait` asks for it.
The report (Chinese): per role the sign-in median and maximum over the runs, the first-click median
over the items (each item's median over the runs) and the slowest item, then every item; the
machine's cores and load average. Budgets (issue 12, item 8): sign-in → settled under 2 s and no
first click over 3 s at city scale (judged on the medians over the runs).

The accounts `bench_leader`, `bench_office`, `bench_department` (bound to `--department`) are
prepared in the server's operational store with fresh passwords and disabled when the run ends,
both audited as `system:bench`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dashboard.access import users
from dashboard.bench.sessions import Account, prepare_account, retire_accounts
from dashboard.core.settings import PROJECT_DIR, Settings
from dashboard.store import opstore

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT = {"width": 1920, "height": 1080}
ROLES = ("leader", "office", "department")
ROLE_LABELS = {"leader": "领导", "office": "信用办", "department": "责任单位"}
DEFAULT_DEPARTMENT = "tax"
SIGN_IN_BUDGET = 2.0  # seconds, city scale (issue 12, item 8)
FIRST_CLICK_BUDGET = 3.0
BUDGET_SCALE = "city"
STEP_TIMEOUT_S = 180.0  # a step not settled by then counts as failed
READY_TIMEOUT_S = 300.0  # the server's start (a rebuild of the warehouse's marts may come first)
STABLE_SECONDS = 0.4  # a settled page must stay settled this long (a run that reruns is not settled)
MAX_RUNS = 10
MAX_WAIT_SECONDS = 600.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SIGN_OUT = "退出登录"

# The landing page's items, found in the page as the browser shows it. Cockpit tiles are buttons
# keyed tile_<indicator> (the three worst: weak_<indicator>); a department's home lists page links.
ITEMS_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return [];
  const found = new Map();
  for (const el of main.querySelectorAll('[class*="st-key-tile_"], [class*="st-key-weak_"]')) {
    const cls = Array.from(el.classList).find(c => /^st-key-(tile|weak)_/.test(c));
    const id = cls.replace(/^st-key-(tile|weak)_/, '');
    if (!found.has(id) || cls.startsWith('st-key-tile_')) {
      found.set(id, {kind: 'tile', key: cls.slice('st-key-'.length), label: id, path: null, prefix: id});
    }
  }
  const items = Array.from(found.values());
  main.querySelectorAll('[data-testid="stPageLink"] a').forEach((a, i) => {
    const url = new URL(a.href, location.href);
    const indicator = url.searchParams.get('indicator');
    items.push({kind: 'link', key: String(i), label: a.innerText.trim(), path: url.pathname,
                prefix: indicator, href: a.getAttribute('href')});
  });
  return items;
}"""

# Whether the page has settled: Date.now() when it has, else false. args: prefix (the main title
# starts with it), differs (the main title is not this text), path (location.pathname ends with it).
SETTLED_JS = """(args) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  const side = document.querySelector('[data-testid="stSidebar"]');
  if (!side || !Array.from(side.querySelectorAll('button')).some(b => b.innerText.includes(args.signOut))) return false;
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!h1) return false;
  const title = h1.innerText.trim();
  if (!title) return false;
  if (args.prefix && !title.startsWith(args.prefix)) return false;
  if (args.differs && title === args.differs) return false;
  if (args.path && !location.pathname.endsWith(args.path)) return false;
  return Date.now();
}"""


class BrowserBenchError(RuntimeError):
    """A refused or failed run of the benchmark; the message is Chinese, for the command line."""


@dataclass(frozen=True)
class Plan:
    """What to measure: `runs` runs at `scale` (each on a fresh server unless `url` names a running
    one), signing in `wait_seconds` after the server answers, as the roles of `roles`."""

    scale: str = "city"
    runs: int = 3
    url: str | None = None
    wait_seconds: float = 0.0
    roles: tuple[str, ...] = ROLES
    department: str = DEFAULT_DEPARTMENT
    max_items: int | None = None  # only the first N items of each landing page (a quick look)
    tree: Path = PROJECT_DIR  # the project checkout whose server is started (another one: a comparison)

    def check(self) -> None:
        if self.url is not None:
            parts = urlsplit(self.url)
            if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
                raise BrowserBenchError(f"参数错误：--url 只接受本机地址（http://127.0.0.1:端口），收到 {self.url}")
        if not 1 <= self.runs <= MAX_RUNS:
            raise BrowserBenchError(f"参数错误：--runs 须在 1 到 {MAX_RUNS} 之间")
        if self.max_items is not None and self.max_items < 1:
            raise BrowserBenchError("参数错误：--items 须为正整数")
        if not 0 <= self.wait_seconds <= MAX_WAIT_SECONDS:
            raise BrowserBenchError(f"参数错误：--wait 须在 0 到 {MAX_WAIT_SECONDS:g} 秒之间")
        if not (self.tree / "dashboard" / "app" / "main.py").is_file():
            raise BrowserBenchError(f"参数错误：--tree 不是本项目的目录（缺少 dashboard/app/main.py）：{self.tree}")
        unknown = [r for r in self.roles if r not in ROLES]
        if unknown or not self.roles:
            raise BrowserBenchError(f"参数错误：--roles 只能是 {'、'.join(ROLES)}，收到 {'、'.join(unknown) or '空'}")


@dataclass(frozen=True)
class Click:
    """The first click on one item of a landing page: seconds until the target page settled (None
    when it did not), and the seconds back to the landing page."""

    item: str  # the item as the page names it, the same in every run: a tile's indicator id, a link's text
    seconds: float | None
    back_seconds: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class RoleRun:
    role: str
    run: int  # 1-based
    order: int  # 1 = the first role to sign in on this server
    sign_in_seconds: float | None
    landing_title: str = ""
    clicks: tuple[Click, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ServerStart:
    seconds: float  # process start → /_stcore/health answers
    load_average: tuple[float, float, float]


@dataclass
class Report:
    plan: Plan
    cores: int
    load_start: tuple[float, float, float]
    load_end: tuple[float, float, float] = (0.0, 0.0, 0.0)
    servers: list[ServerStart] = field(default_factory=list)
    role_runs: list[RoleRun] = field(default_factory=list)

    def of_role(self, role: str) -> list[RoleRun]:
        return [r for r in self.role_runs if r.role == role]

    def sign_ins(self, role: str) -> list[float]:
        return [r.sign_in_seconds for r in self.of_role(role) if r.sign_in_seconds is not None]

    def items(self, role: str) -> dict[str, list[Click]]:
        """item → its clicks over the runs, in the landing page's order of the first run."""
        out: dict[str, list[Click]] = {}
        for run in self.of_role(role):
            for click in run.clicks:
                out.setdefault(click.item, []).append(click)
        return out

    def item_medians(self, role: str) -> dict[str, float]:
        """item → median seconds of its first click over the runs (items never settled left out)."""
        out = {}
        for key, clicks in self.items(role).items():
            times = [c.seconds for c in clicks if c.seconds is not None]
            if times:
                out[key] = statistics.median(times)
        return out

    @property
    def errors(self) -> list[str]:
        found = []
        for run in self.role_runs:
            where = f"{ROLE_LABELS[run.role]}第 {run.run} 次"
            if run.error:
                found.append(f"{where}：{run.error}")
            found.extend(f"{where} {c.item}：{c.error}" for c in run.clicks if c.error)
        return found

    @property
    def budgeted(self) -> bool:
        return self.plan.scale == BUDGET_SCALE

    @property
    def within_budget(self) -> bool:
        for role in self.plan.roles:
            times = self.sign_ins(role)
            if not times or statistics.median(times) >= SIGN_IN_BUDGET:
                return False
            if any(t > FIRST_CLICK_BUDGET for t in self.item_medians(role).values()):
                return False
        return True

    @property
    def ok(self) -> bool:
        return not self.errors and (not self.budgeted or self.within_budget)

    def as_dict(self) -> dict[str, Any]:
        return {
            "plan": dataclasses.asdict(self.plan),
            "cores": self.cores,
            "load_start": self.load_start,
            "load_end": self.load_end,
            "servers": [dataclasses.asdict(s) for s in self.servers],
            "role_runs": [dataclasses.asdict(r) for r in self.role_runs],
            "ok": self.ok,
        }


# ---- accounts -----------------------------------------------------------------------------------


def prepare_accounts(settings: Settings, roles: Iterable[str], department: str) -> dict[str, Account]:
    """One enabled local account per role (bench_<role>) with a fresh password, in the operational
    store of `settings`; the department account is bound to `department` (see
    dashboard.bench.sessions.prepare_account)."""
    engine = opstore.get_engine(settings)
    return {
        role: prepare_account(
            engine,
            f"bench_{role}",
            role,
            [department] if role == "department" else [],
            settings,
            f"基准测试（{ROLE_LABELS[role]}）",
        )
        for role in roles
    }


def bench_department(wanted: str) -> str:
    """`wanted` when the reference data knows it, else the first department code."""
    codes = sorted(code for code in users.department_names() if code != "credit_office")
    if wanted in codes or not codes:
        return wanted
    return codes[0]


# ---- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["DASHBOARD_DATA_DIR"] = str(data_dir)
    env.pop("DASHBOARD_OPSTORE_URL", None)  # the benchmark warehouse keeps its own operational store
    return env


def health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return bool(r.status == 200 and r.read().strip() == b"ok")
    except OSError:
        return False


@contextlib.contextmanager
def running_server(data_dir: Path, log_dir: Path, tree: Path = PROJECT_DIR) -> Iterator[tuple[str, ServerStart]]:
    """A fresh `python -m dashboard serve` of the project in `tree` (this one by default; another
    checkout to compare releases) over `data_dir` on a free loopback port, until the block ends:
    (its URL, how long it took to answer the health check)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = log_dir / f"server-{port}.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve", "--server.port", str(port)],
            cwd=tree,
            env=server_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        while not health_ok(url):
            if proc.poll() is not None:
                tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise BrowserBenchError(f"服务器进程已退出（{proc.returncode}）：\n{tail}")
            if time.monotonic() - started > READY_TIMEOUT_S:
                raise BrowserBenchError(f"服务器 {READY_TIMEOUT_S:g} 秒内未就绪（日志：{log.name}）")
            time.sleep(0.1)
        yield url, ServerStart(time.monotonic() - started, os.getloadavg())
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- one role in the browser --------------------------------------------------------------------


def _settled_at(page: Any, since: float, timeout_s: float = STEP_TIMEOUT_S, **expect: Any) -> float:
    """Seconds from `since` (time.time()) until the page settled as `expect` asks (SETTLED_JS) and
    stayed so for STABLE_SECONDS; raises TimeoutError when it did not within `timeout_s`."""
    args = {"signOut": SIGN_OUT, "prefix": None, "differs": None, "path": None, **expect}
    deadline = time.monotonic() + timeout_s
    while True:
        remaining_ms = max(1.0, (deadline - time.monotonic()) * 1000)
        handle = page.wait_for_function(SETTLED_JS, arg=args, timeout=remaining_ms, polling=50)
        at = float(handle.json_value()) / 1000
        page.wait_for_timeout(STABLE_SECONDS * 1000)
        again = page.evaluate(SETTLED_JS, args)
        if again:
            return at - since
        if time.monotonic() > deadline:
            raise TimeoutError("未在限定时间内完成")


def _main_title(page: Any) -> str:
    h1 = page.locator('[data-testid="stMain"] h1').first
    return str(h1.inner_text()).strip() if h1.count() else ""


def _exception_text(page: Any) -> str | None:
    found = page.locator('[data-testid="stException"]')
    if found.count():
        return str(found.first.inner_text()).strip().splitlines()[0][:200]
    return None


def sign_in(page: Any, url: str, account: Account, timeout_s: float = STEP_TIMEOUT_S) -> tuple[float, str]:
    """Open the app, sign in as `account`: (seconds from the click on 登录 to the settled landing
    page, its title)."""
    page.goto(f"{url}/")
    page.get_by_label("用户名", exact=True).wait_for(timeout=timeout_s * 1000)
    page.get_by_label("用户名", exact=True).fill(account.username)
    page.get_by_label("密码", exact=True).fill(account.password)
    button = page.get_by_role("button", name="登录", exact=True)
    since = time.time()
    button.click()
    seconds = _settled_at(page, since, timeout_s)
    return seconds, _main_title(page)


def landing_items(page: Any) -> list[dict[str, Any]]:
    """The items of the landing page as ITEMS_JS finds them."""
    return list(page.evaluate(ITEMS_JS))


def _items_when_drawn(page: Any, timeout_s: float, attempts: int = 3) -> list[dict[str, Any]]:
    """The landing page's items once it has settled again (not timed): a page found without any
    is looked at again after a pause (a run that was still to start when the sign-in settled)."""
    found: list[dict[str, Any]] = []
    for _ in range(attempts):
        _settled_at(page, time.time(), timeout_s)
        found = landing_items(page)
        if found:
            break
        page.wait_for_timeout(1000)
    return found


def _nav_link(page: Any, title: str) -> Any:
    return page.locator('[data-testid="stSidebarNavLink"]').filter(has=page.get_by_text(title, exact=True))


def _back(page: Any, landing_nav: str, landing_title: str, timeout_s: float) -> float:
    """Back to the landing page through its sidebar menu entry: seconds until it settled."""
    since = time.time()
    _nav_link(page, landing_nav).first.click()
    return _settled_at(page, since, timeout_s, differs=None, prefix=landing_title)


def click_item(
    page: Any, item: Mapping[str, Any], landing_nav: str, landing_title: str, timeout_s: float = STEP_TIMEOUT_S
) -> Click:
    """Click one item of the landing page, wait for its page, go back; the timings as a Click."""
    name = item["label"]
    try:
        if item["kind"] == "tile":
            target = page.locator(f".st-key-{item['key']} button").first
            expect = {"prefix": item["prefix"], "path": "/indicators"}
        else:
            target = page.locator('[data-testid="stMain"] [data-testid="stPageLink"] a').nth(int(item["key"]))
            expect = {"prefix": item["prefix"], "differs": landing_title, "path": item["path"]}
        target.scroll_into_view_if_needed()
        since = time.time()
        target.click()
        seconds = _settled_at(page, since, timeout_s, **expect)
        error = _exception_text(page)
    except Exception as exc:  # noqa: BLE001 — a failed item is reported, the others go on
        seconds, error = None, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
    try:
        back = _back(page, landing_nav, landing_title, timeout_s)
    except Exception as exc:  # noqa: BLE001
        return Click(name, seconds, None, error or f"返回失败：{type(exc).__name__}")
    return Click(name, seconds, back, error)


def _landing_nav(page: Any) -> str:
    """The sidebar menu entry of the page shown (aria-current), by its text."""
    current = page.locator('[data-testid="stSidebarNavLink"][aria-current="page"]').first
    if not current.count():
        return ""
    text = str(current.inner_text()).strip()
    return text.splitlines()[-1].strip()


def measure_role(
    browser: Any,
    url: str,
    account: Account,
    run: int,
    order: int,
    max_items: int | None = None,
    timeout_s: float = STEP_TIMEOUT_S,
    say: Callable[[str], None] = lambda _: None,
) -> RoleRun:
    """Sign in as `account` in a fresh browser context (no cookies), then the first click of every
    item of the landing page, each followed by the way back."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.set_default_timeout(timeout_s * 1000)
    page = context.new_page()
    try:
        try:
            seconds, title = sign_in(page, url, account, timeout_s)
        except Exception as exc:  # noqa: BLE001
            return RoleRun(account.role, run, order, None, error=f"登录失败：{type(exc).__name__}: {str(exc)[:160]}")
        error = _exception_text(page)
        say(f"  {ROLE_LABELS[account.role]}：登录→就绪 {seconds:.2f} 秒（{title}）")
        nav = _landing_nav(page)
        items = _items_when_drawn(page, timeout_s)
        items = items[:max_items] if max_items is not None else items
        clicks = []
        for item in items:
            click = click_item(page, item, nav, title, timeout_s)
            clicks.append(click)
            shown = "未完成" if click.seconds is None else f"{click.seconds:.2f} 秒"
            say(f"    {click.item}：{shown}" + (f"（{click.error}）" if click.error else ""))
        return RoleRun(account.role, run, order, seconds, title, tuple(clicks), error)
    finally:
        context.close()


def launch_browser(playwright: Any) -> Any:
    if not CHROMIUM.exists():
        raise BrowserBenchError("未找到 Debian 的 Chromium（/usr/bin/chromium）：请先安装 chromium 软件包")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS))


def role_order(roles: Sequence[str], run: int) -> list[str]:
    """The roles in the order they sign in on run `run` (1-based): rotated, so that each role is
    the first on a cold server once every len(roles) runs."""
    shift = (run - 1) % len(roles)
    return [*roles[shift:], *roles[:shift]]


# ---- the whole run ------------------------------------------------------------------------------


def run_browser(
    settings: Settings,
    plan: Plan,
    data_dir: Path | None = None,
    say: Callable[[str], None] = lambda text: print(text, file=sys.stderr),
) -> Report:
    """Measure as the module doc says. Without `plan.url`, each run starts a server over `data_dir`
    (the data folder of `settings`, whose operational store gets the accounts); with it, the running
    server must use the operational store of `settings`."""
    plan.check()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 — only this command drives a browser

    department = bench_department(plan.department)
    accounts = prepare_accounts(settings, plan.roles, department)
    report = Report(plan, os.cpu_count() or 0, os.getloadavg())
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="bench-browser-") as logs:
            browser = launch_browser(pw)
            try:
                for run in range(1, plan.runs + 1):
                    with contextlib.ExitStack() as stack:
                        if plan.url is None:
                            url, start = stack.enter_context(
                                running_server(data_dir or settings.data_dir, Path(logs), plan.tree)
                            )
                            report.servers.append(start)
                            say(f"第 {run} 次：服务器 {start.seconds:.1f} 秒就绪，负载 {start.load_average[0]:.1f}")
                        else:
                            url = plan.url.rstrip("/")
                            if not health_ok(url):
                                raise BrowserBenchError(f"{url} 没有响应健康检查（/_stcore/health）")
                            say(f"第 {run} 次：使用运行中的服务器 {url}")
                        if plan.wait_seconds:
                            time.sleep(plan.wait_seconds)
                        for order, role in enumerate(role_order(plan.roles, run), start=1):
                            report.role_runs.append(
                                measure_role(browser, url, accounts[role], run, order, plan.max_items, say=say)
                            )
            finally:
                browser.close()
    finally:
        retire_accounts(settings, accounts.values())
        report.load_end = os.getloadavg()
    return report


# ---- the report ---------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Pad to a width in terminal columns (CJK characters take two)."""
    return text + " " * max(0, width - _width(text))


def _cut(text: str, width: int) -> str:
    """`text` cut to `width` terminal columns, with … when cut."""
    if _width(text) <= width:
        return text
    while _width(text) > width - 1:
        text = text[:-1]
    return text + "…"


def _sec(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _load(values: Sequence[float]) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def format_report(report: Report) -> str:
    """The report as the command prints it (Chinese, seconds)."""
    plan = report.plan
    server = (
        f"每次新启动服务器（冷启动），服务器就绪 中位数 {_sec(_median([s.seconds for s in report.servers]))} 秒"
        if plan.url is None
        else f"运行中的服务器 {plan.url}" + ("（第 1 次之后的各次不是冷启动）" if plan.runs > 1 else "")
    )
    if plan.url is None and plan.tree.resolve() != PROJECT_DIR.resolve():
        server += f"；服务器程序取自 {plan.tree}"
    wait = "服务器就绪后立即登录" if not plan.wait_seconds else f"服务器就绪后等待 {plan.wait_seconds:g} 秒再登录"
    lines = [
        f"浏览器首屏基准：{plan.scale} 规模，{plan.runs} 次；{server}；{wait}；"
        f"Chromium 无界面 {VIEWPORT['width']}×{VIEWPORT['height']}，各角色轮流第一个登录",
        "",
        _pad("角色", 10)
        + "".join(_pad(h, 14) for h in ("登录 中位数", "登录 最大", "首次点击项数", "首点 中位数", "首点 最大"))
        + "最慢一项（中位数）",
    ]
    for role in plan.roles:
        medians = report.item_medians(role)
        sign_ins = report.sign_ins(role)
        every = [c.seconds for cs in report.items(role).values() for c in cs if c.seconds is not None]
        slowest = max(medians.items(), key=lambda kv: kv[1]) if medians else None
        cells = (
            _sec(_median(sign_ins)),
            _sec(max(sign_ins) if sign_ins else None),
            str(len(medians)),
            _sec(_median(list(medians.values()))),
            _sec(max(every) if every else None),
        )
        slow_text = "—" if slowest is None else f"{slowest[0]} {slowest[1]:.2f} 秒"
        lines.append(_pad(ROLE_LABELS[role], 10) + "".join(_pad(c, 14) for c in cells) + slow_text)
    lines.append("")
    for role in plan.roles:
        titles = sorted({r.landing_title for r in report.of_role(role) if r.landing_title})
        lines.append(f"{ROLE_LABELS[role]}（登录后：{'、'.join(titles) or '—'}）各项首次点击，秒（各次 → 中位数）：")
        for clicks in report.items(role).values():
            times = [c.seconds for c in clicks if c.seconds is not None]
            shown = " ".join(_sec(c.seconds) for c in clicks)
            lines.append(f"  {_pad(_cut(clicks[0].item, 40), 42)}{_pad(shown, 24)}→ {_sec(_median(times))}")
    lines.append("")
    lines.append(
        f"本机：{report.cores} 核；负载（1/5/15 分钟平均）开始 {_load(report.load_start)}，"
        f"结束 {_load(report.load_end)}（其他进程也在用这些核时，数字会偏高；浏览器本身也占用本机 CPU）"
    )
    for error in report.errors:
        lines.append(f"出错：{error}")
    budget = f"预算（{BUDGET_SCALE} 规模）：登录→就绪 < {SIGN_IN_BUDGET:g} 秒，首次点击 ≤ {FIRST_CLICK_BUDGET:g} 秒（按各次中位数）"
    if not report.budgeted:
        lines.append(f"{budget}；本次为 {plan.scale} 规模，仅供对照")
    else:
        lines.append(f"{budget} —— {'全部在预算内' if report.within_budget else '超出预算'}")
    return "\n".join(lines)


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str), encoding="utf-8")
