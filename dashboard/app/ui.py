"""The frame around every page and the helpers that keep pages thin.

- `PAGES`: the page registry (key, file, Chinese title, icon, URL path, whether the district filter
  applies); `navigation(viewer)` builds st.navigation from the pages the viewer may open.
- `frame(page)`: the sidebar of every page — freshness badge ("数据截至 …", last load status, a
  warning when the last load failed or the data is older than settings.warehouse.stale_after_hours),
  the as-of month picker (default: the latest complete month; 截至今日 — T = today — on the pages
  that offer it) and the district filter — and the per-run `Context` the page reads with
  `context()`. Month and district survive every navigation: the session remembers them and puts
  them back into a URL that lacks them (the sidebar menu drops query parameters).
- Drill state lives in the URL (st.query_params): `month`, `district`, `indicator`, `department`,
  `subject`, `type`, `status`, `by`, `q`, `seed`, `entity`, `reason`, `from`. `select_param` keeps a
  widget and its URL parameter in step both ways; `goto`/`link` carry month and district along;
  `breadcrumbs` shows the drill path (总览 › I14 › 市税务局 › 某公司) as links back.
- `cached` runs a query function with the run's cursor and the viewer's scope, cached on
  (snapshot id, scope cache key, function, arguments) — caches are shared by all sessions, so the
  scope is part of every key.
- `table` shows a list with its Excel / CSV downloads (dashboard.app.exports), paginated when long;
  `file_download` offers one generated file (the repair notice). Both are built on click and audited.
- `audit_once` records a view or an action of the viewer in the audit log once per session.
- `page_work` wraps the frame and the page of every run (dashboard/app/main.py): a query past the
  statement time limit (settings query.statement_seconds) ends the run with a Chinese message instead
  of a traceback; `cached` shows COMPUTING while a result is computed (graceful under load).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import duckdb
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.typing import DataframeState

from dashboard.access import audit, auth, users
from dashboard.app import app_data, exports, page_queries, table_toolbar
from dashboard.app.charts import PLOTLY_CONFIG
from dashboard.core import formatting as fmt
from dashboard.core.dates import DISPLAY_TZ, add_months, default_month, local_time_text, month_end, month_ends
from dashboard.core.scope import Scope
from dashboard.core.settings import PROJECT_DIR, get_settings
from dashboard.rules import credit_warnings, followup, indicators, reference
from dashboard.rules import warning_summary as warning_summary_rules
from dashboard.store import db, runs, snapshots
from dashboard.store.opstore import get_engine

PAGES_DIR = PROJECT_DIR / "pages"
MONTHS_OFFERED = 60
PAGE_SIZE = 50
CONTEXT_KEY = "_frame_context"
# URL parameters carried from page to page (the frame's filters); drill parameters are per link.
# The frame also keeps them in the session (FRAME_STORE) and puts them back into a URL that lacks
# them: Streamlit's sidebar menu opens a page without query parameters.
FRAME_PARAMS = ("month", "district")
FRAME_STORE = "_frame_filters"
TODAY = "today"  # the `month` of the view 截至今日 (T = today), on the pages that offer it


@dataclass(frozen=True)
class PageSpec:
    key: str
    file: str
    title: str
    icon: str
    url_path: str
    uses_district: bool = False
    needs_data: bool = True  # False: the page works before the first load (status, administration)
    offers_today: bool = False  # 统计月份 offers 截至今日 (T = today) besides the month-ends
    opens_on_today: bool = False  # … and opens on it when no month was chosen yet

    @property
    def path(self):
        return PAGES_DIR / self.file


PAGES: tuple[PageSpec, ...] = (
    PageSpec("cockpit", "cockpit.py", "总览", ":material/dashboard:", "cockpit"),
    PageSpec("home", "home.py", "本单位工作台", ":material/home_work:", "home", offers_today=True, opens_on_today=True),
    PageSpec("indicators", "indicators.py", "监测指标", ":material/monitoring:", "indicators", uses_district=True),
    PageSpec("warnings", "warnings.py", "信用预警", ":material/notifications_active:", "warnings", offers_today=True),
    PageSpec("departments", "departments.py", "责任单位", ":material/account_balance:", "departments"),
    PageSpec("feedback", "feedback.py", "月度反馈", ":material/assignment_turned_in:", "feedback"),
    PageSpec("briefing", "briefing.py", "月度通报", ":material/description:", "briefing"),
    PageSpec("present", "present.py", "演示模式", ":material/slideshow:", "present"),
    PageSpec("subject", "subject.py", "主体画像", ":material/person_search:", "subject"),
    PageSpec("grading", "grading.py", "分级分类", ":material/stacked_bar_chart:", "grading", uses_district=True),
    PageSpec("data_quality", "data_quality.py", "数据质量", ":material/rule:", "data_quality"),
    PageSpec("data_status", "data_status.py", "数据状态", ":material/database:", "data_status", needs_data=False),
    PageSpec("reminders", "reminders.py", "提醒设置", ":material/campaign:", "reminders", needs_data=False),
    PageSpec("admin", "admin.py", "系统管理", ":material/admin_panel_settings:", "admin", needs_data=False),
)
PAGE_BY_KEY = {p.key: p for p in PAGES}
PAGE_KEYS = frozenset(PAGE_BY_KEY)


# ---- the viewer ---------------------------------------------------------------------------------


def current_viewer() -> Any:
    """The signed-in viewer (dashboard.access.auth.require_viewer renders the sign-in form and stops the
    run when nobody is signed in)."""
    viewer = auth.require_viewer()
    auth.session_cookie_bridge()  # the page fetches this tab's session cookie (README "Sessions")
    return viewer


# ---- navigation -------------------------------------------------------------------------------


def allowed_specs(viewer: Any) -> list[PageSpec]:
    """The pages this viewer may open whose file is part of the build, in menu order."""
    allowed = set(viewer.allowed_pages)
    return [p for p in PAGES if p.key in allowed and p.path.is_file()]


ROOT_URL_PATH = ""  # the app's root URL: a placeholder page that sends each viewer to their home
NOT_FOUND_KEY = "_page_not_found"  # the unknown URL path a session asked for, told on its home page
PAGE_URL_PATHS = frozenset(p.url_path for p in PAGES)


def _placeholder() -> None:
    """The page behind the root URL and behind an unknown path: never run, `navigation` sends the
    viewer on to their home page first."""


def home_spec(viewer: Any) -> PageSpec | None:
    """The viewer's home page: the first page of the menu they may open (总览 for leadership and
    the credit office, the department's own page for a department); None when they may open none."""
    specs = allowed_specs(viewer)
    return specs[0] if specs else None


def requested_unknown_path() -> str | None:
    """The URL path this run was asked for by name when no page has it (a mistyped or outdated
    link), else None.

    Streamlit resolves the page of a run from the page hash the browser sends (menu, links, every
    rerun) or, when the browser has none yet — the first run of a tab — from the path of the URL.
    For a path no registered page has, st.navigation shows Streamlit's own English "Page not
    found" dialog. Knowing the path before st.navigation lets `_st_pages` register a hidden page
    at it, so that the run resolves, and `navigation` says it in Chinese and goes home instead.
    The requested name is what Streamlit's page manager resolves by (PagesManager.intended_page_name);
    a path with a slash never reaches a script run (the browser cannot load the app there)."""
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    if manager is None or getattr(manager, "intended_page_script_hash", None):
        return None  # asked for by hash: an unknown hash falls back to the root page quietly
    name = (getattr(manager, "intended_page_name", None) or "").strip().strip("/")
    if not name or "/" in name or name in PAGE_URL_PATHS:
        return None
    return name


def _st_pages(specs: Sequence[PageSpec], allowed: frozenset[str]) -> dict[Any, PageSpec | None]:
    """st.Page → spec: the root URL first (default, hidden, spec None), then every page of
    `specs` at its own path (`/cockpit`, `/warnings` …) — visible when in `allowed`, else hidden,
    so that a link to it still resolves — and, when this run was asked for an unknown path, a
    hidden page at that path (spec None)."""
    pages: dict[Any, PageSpec | None] = {
        st.Page(_placeholder, title="首页", url_path=ROOT_URL_PATH, default=True, visibility="hidden"): None
    }
    for p in specs:
        page = st.Page(
            p.path,
            title=p.title,
            icon=p.icon,
            url_path=p.url_path,
            visibility="visible" if p.key in allowed else "hidden",
        )
        pages[page] = p
    unknown = requested_unknown_path()
    if unknown is not None:
        st.session_state[NOT_FOUND_KEY] = unknown
        pages[st.Page(_placeholder, title="页面不存在", url_path=unknown, visibility="hidden")] = None
    return pages


def _built_specs() -> list[PageSpec]:
    return [p for p in PAGES if p.path.is_file()]


def keep_requested_page() -> None:
    """Register every page, hidden, before sign-in: the sign-in screen then keeps the page of the
    URL (a pasted deep link), and `navigation` narrows the menu to the viewer's pages after."""
    st.navigation(list(_st_pages(_built_specs(), frozenset())), position="hidden")


def navigation(viewer: Any) -> tuple[Any, PageSpec]:
    """st.navigation over the viewer's pages; returns (the page to run, its spec).

    Every page has its own path (`/cockpit`, `/indicators` …, PageSpec.url_path), the same for
    everyone, so a link means the same page for every viewer. The root URL opens the viewer's home
    page (`home_spec`) with the link's parameters; so does a page the viewer may not open. An
    unknown path opens the home page with the frame's filters (month, district) and says, in
    Chinese, that the page does not exist (NOT_FOUND_KEY). Also puts the table toolbar's Chinese
    words on the page (dashboard.app.table_toolbar)."""
    specs = allowed_specs(viewer)
    if not specs:
        st.error("当前账号没有可访问的页面，请联系市信用办开通权限。")
        st.stop()
    home = specs[0]
    allowed = frozenset(p.key for p in specs)
    pages = _st_pages(_built_specs(), allowed)
    page = st.navigation(list(pages))
    spec = pages[page]
    if spec is None:  # the root URL or an unknown path
        unknown = st.session_state.get(NOT_FOUND_KEY)
        st.switch_page(home.path, query_params=frame_params() if unknown else dict(st.query_params))
    if spec.key not in allowed:
        st.switch_page(home.path, query_params=dict(st.query_params))
    unknown = st.session_state.pop(NOT_FOUND_KEY, None)
    if unknown:
        st.warning(f"页面不存在：您打开的链接“/{unknown}”没有对应的页面，已为您打开首页“{home.title}”。")
    table_toolbar.install()
    return page, spec


# ---- URL state --------------------------------------------------------------------------------


def param(key: str) -> str | None:
    """A URL parameter ('' counts as absent)."""
    value = st.query_params.get(key)
    return value or None


def _to_url(key: str, widget_key: str, none_value: Any) -> None:
    value = st.session_state.get(widget_key)
    if value is None or value == none_value:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    if key in FRAME_PARAMS:  # a filter set back to none must not be restored (restore_frame_params)
        st.session_state[FRAME_STORE] = {
            **(st.session_state.get(FRAME_STORE) or {}),
            key: st.query_params.get(key) or "",
        }


def select_param(
    label: str,
    options: Sequence[Any],
    key: str,
    format_func: Callable[[Any], str] = str,
    default: Any = None,
    container: Any = None,
    none_value: Any = None,
    **kwargs: Any,
) -> Any:
    """A selectbox whose value is the URL parameter `key`: a pasted link sets it, a change updates
    the link. `none_value` (e.g. '' for '全部') is an option that means 'no parameter'.
    Options are compared with the URL as text."""
    container = container or st
    widget_key = f"_param_{key}"
    by_text = {str(o): o for o in options}
    url = param(key)
    if url is not None and url in by_text:
        wanted = by_text[url]
    elif url is None and none_value is not None and none_value in options:
        wanted = none_value if default is None else default
    else:
        wanted = default if default in options else (options[0] if options else None)
    if st.session_state.get(widget_key) != wanted:
        st.session_state[widget_key] = wanted
    value = container.selectbox(
        label,
        options,
        format_func=format_func,
        key=widget_key,
        on_change=_to_url,
        args=(key, widget_key, none_value),
        **kwargs,
    )
    if value is None or value == none_value:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    return value


def text_param(label: str, key: str, container: Any = None, **kwargs: Any) -> str:
    """A text input whose value is the URL parameter `key`."""
    container = container or st
    widget_key = f"_param_{key}"
    url = param(key) or ""
    if st.session_state.get(widget_key) != url:
        st.session_state[widget_key] = url
    value = container.text_input(label, key=widget_key, on_change=_to_url, args=(key, widget_key, ""), **kwargs)
    value = (value or "").strip()
    if value:
        st.query_params[key] = value
    else:
        st.query_params.pop(key, None)
    return value


def int_param(label: str, key: str, default: int, container: Any = None, **kwargs: Any) -> int:
    """A whole-number input whose value is the URL parameter `key` (always written to the URL)."""
    container = container or st
    widget_key = f"_param_{key}"
    try:
        wanted = int(param(key) or default)
    except ValueError:
        wanted = default
    if st.session_state.get(widget_key) != wanted:
        st.session_state[widget_key] = wanted
    value = int(
        container.number_input(label, key=widget_key, step=1, on_change=_to_url, args=(key, widget_key, None), **kwargs)
    )
    st.query_params[key] = str(value)
    return value


def frame_params() -> dict[str, str]:
    """The frame's filters as they stand in the URL (carried on every drill link)."""
    return {k: st.query_params[k] for k in FRAME_PARAMS if st.query_params.get(k)}


def link_params(**drill: Any) -> dict[str, str]:
    """Frame filters plus the given drill parameters (None values left out)."""
    out = frame_params()
    out.update({k: str(v) for k, v in drill.items() if v is not None and v != ""})
    return out


def goto(page_key: str, **drill: Any) -> None:
    """Open another page with this drill state (stops the current run)."""
    st.switch_page(PAGE_BY_KEY[page_key].path, query_params=link_params(**drill))


def link(page_key: str, label: str, container: Any = None, **drill: Any) -> None:
    """A link to a page with this drill state, if the viewer may open that page."""
    ctx = st.session_state.get(CONTEXT_KEY)
    if ctx is not None and page_key not in ctx.allowed_pages:
        return
    (container or st).page_link(PAGE_BY_KEY[page_key].path, label=label, query_params=link_params(**drill))


@dataclass(frozen=True)
class Crumb:
    label: str
    page_key: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


def breadcrumbs(crumbs: Sequence[Crumb]) -> None:
    """The drill path as links back; the last crumb (where one is) is plain text."""
    if not crumbs:
        return
    row = st.container(horizontal=True, gap="small", vertical_alignment="center", key="breadcrumbs")
    for i, crumb in enumerate(crumbs):
        if i == len(crumbs) - 1 or crumb.page_key is None:
            row.markdown(f"**{crumb.label}**", width="content")
        else:
            link(crumb.page_key, crumb.label, container=row, **crumb.params)
        if i < len(crumbs) - 1:
            row.markdown("›", width="content")


def trail(here: str, subject_name: str | None = None) -> list[Crumb]:
    """The drill path that led to page `here`, read from the URL: 总览 › indicator › department
    (or 信用预警 › department › warning type) › subject."""
    ctx = context()
    # the path starts at the viewer's home: 总览, or a department's 本单位工作台 (never a bare "›")
    root = next((PAGE_BY_KEY[k] for k in ("cockpit", "home") if k in ctx.allowed_pages), None)
    crumbs = [Crumb(root.title, root.key)] if root is not None else []
    indicator, department = param("indicator"), param("department")
    wtype, origin = param("type"), param("from") or here
    if origin == "indicators" or (here == "indicators"):
        if indicator:
            crumbs.append(Crumb(indicator, "indicators", {"indicator": indicator}))
        else:
            crumbs.append(Crumb("监测指标", "indicators"))
        if department:
            crumbs.append(
                Crumb(ctx.department_name(department), "indicators", {"indicator": indicator, "department": department})
            )
    elif origin == "warnings":
        crumbs.append(Crumb("信用预警", "warnings"))
        if department:
            crumbs.append(Crumb(ctx.department_name(department), "warnings", {"department": department}))
        if wtype:
            crumbs.append(Crumb(wtype, "warnings", {"department": department, "type": wtype}))
    elif origin in PAGE_BY_KEY and origin not in ("cockpit", "home"):
        spec = PAGE_BY_KEY[origin]
        crumbs.append(Crumb(spec.title, spec.key))
        if department:
            crumbs.append(Crumb(ctx.department_name(department), spec.key, {"department": department}))
    if subject_name:
        crumbs.append(Crumb(subject_name))
    return crumbs


# ---- the frame ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a page needs for this run: who views, which data, which month and district."""

    viewer: Any
    page: PageSpec
    snapshot_id: str
    con: duckdb.DuckDBPyConnection
    as_of: dt.date
    month_options: tuple[dt.date, ...]
    district: str | None
    departments: Mapping[str, str]
    districts: Mapping[str, str]
    allowed_pages: frozenset[str]
    is_today: bool = False  # the view 截至今日: as_of is today, not a month-end
    latest_month: dt.date | None = None  # the latest complete month of the data (the default month)

    @property
    def monthly_as_of(self) -> dt.date:
        """The month-end of the monthly figures (indicators): as_of, or the latest complete month
        when the view is 截至今日."""
        return self.latest_month if self.is_today and self.latest_month is not None else self.as_of

    @property
    def period_text(self) -> str:
        """The view's as-of in words: 2026年6月, or 截至今日（2026年7月3日）."""
        return f"截至今日（{fmt.fmt_date_cn(self.as_of)}）" if self.is_today else fmt.fmt_month(self.as_of)

    @property
    def scope(self) -> Scope:
        return self.viewer.scope

    @property
    def engine(self) -> Engine:
        return operational_store()

    def department_name(self, code: Any) -> str:
        """The department's short name (its code when the reference data does not know it)."""
        if code is None or fmt.is_missing(code):
            return "未匹配部门"
        return self.departments.get(str(code), str(code))


def operational_store() -> Engine:
    """The operational store's engine (users, follow-up, audit log) for this process."""
    return get_engine(get_settings())


def context() -> Context:
    """The frame's context of this run (set by `frame` in the entrypoint)."""
    ctx = st.session_state.get(CONTEXT_KEY)
    if ctx is None:
        raise RuntimeError("the page runs outside the dashboard frame (start it through dashboard/app/main.py)")
    return ctx


@st.cache_data(ttl=30, show_spinner=False)
def _last_load(opstore_url: str) -> tuple[str, str, str | None] | None:
    records = runs.recent_runs(get_engine(get_settings()), limit=1, kind="load")
    if not records:
        return None
    r = records[0]
    return r.status, local_time_text(r.started_at), r.error


def freshness_badge(info: Any, container: Any) -> None:
    """数据截至 <snapshot time>, the last load's status, and a warning when it failed or the data
    is older than the schedule allows."""
    container.markdown(f"**数据截至 {app_data.snapshot_time_text(info)}**")
    last = _last_load(get_settings().opstore_url)
    if last is not None:
        status, started, error = last
        container.caption(f"最近装载：{started}　{runs.STATUS_LABELS.get(status, status)}")
        if status in (runs.FAILED, runs.INTERRUPTED):
            container.error(
                f"最近一次装载未成功：{error or runs.STATUS_LABELS.get(status, status)}。"
                "当前显示的是上一次成功装载的数据。"
            )
        elif status == runs.HELD:  # the shrink guard: told in full on 数据状态
            container.warning("最近一次装载待确认：全量抽取的记录数骤减，未发布，详见“数据状态”页。")
    if app_data.is_stale(info):
        hours = (dt.datetime.now(dt.UTC) - info.built_at).total_seconds() / 3600
        container.warning(
            f"数据已 {fmt.fmt_hours(hours)} 未更新（应每 {fmt.fmt_count(get_settings().warehouse.stale_after_hours)}"
            " 小时内更新），请检查定时装载。"
        )


@st.cache_resource(show_spinner=False, max_entries=8)  # the same objects every run (see `derived`)
def _reference(snapshot_id: str) -> tuple[dict[str, str], dict[str, str], dt.date | None]:
    con = app_data.snapshot_cursor(snapshot_id)
    deps = reference.departments(con)
    dists = reference.districts(con)
    horizon = reference.data_horizon(con)
    return (
        dict(zip(deps["department_code"], deps["short_name"])),
        dict(zip(dists["district_code"], dists["name"])),
        horizon,
    )


def frame(viewer: Any, spec: PageSpec) -> Context | None:
    """Draw the sidebar frame and store this run's Context; None when no snapshot is live yet
    (a page that needs data then says so and stops)."""
    st.session_state.pop(CONTEXT_KEY, None)
    side = st.sidebar
    side.markdown("### 城市信用监测驾驶舱")
    auth.sign_out_button(viewer)
    auth.guard_department_params(viewer, spec.key)  # a URL never widens the scope; attempts are logged
    wh = app_data.warehouse()
    if wh is None:
        if spec.needs_data:
            st.info(app_data.NO_DATA_MESSAGE)
            st.stop()
        return None
    freshness_badge(wh.info, side)
    deps, dists, horizon = _reference(wh.info.snapshot_id)
    latest = default_month(wh.info.built_at, horizon)
    options = tuple(month_ends(latest, MONTHS_OFFERED))
    restore_frame_params()
    chosen, is_today = _month_picker(spec, latest, options, side)
    district = None
    if spec.uses_district:
        codes = [""] + [c for c in dists if c != "230400"]
        district = (
            select_param(
                "区县",
                codes,
                "district",
                format_func=lambda c: dists.get(c, "全市") if c else "全市",
                default="",
                none_value="",
                container=side,
            )
            or None
        )
    remember_frame_params()
    as_of = today() if is_today else fmt.parse_month_param(chosen)
    assert as_of is not None  # chosen is one of the month_param texts of `options`
    ctx = Context(
        viewer=viewer,
        page=spec,
        snapshot_id=wh.info.snapshot_id,
        con=wh.con,
        as_of=as_of,
        month_options=options,
        district=district,
        departments=deps,
        districts=dists,
        allowed_pages=frozenset(viewer.allowed_pages),
        is_today=is_today,
        latest_month=latest,
    )
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


def today() -> dt.date:
    """Today's date in Beijing: the T of the view 截至今日 and the default date of a follow-up step."""
    return dt.datetime.now(DISPLAY_TZ).date()


def restore_frame_params() -> None:
    """Put the frame's filters the session remembers (remember_frame_params) back into a URL that
    lacks them: a sidebar link opens its page without query parameters, and the month and district
    the viewer chose must survive it. A URL that names a filter keeps its own value."""
    kept = st.session_state.get(FRAME_STORE) or {}
    for key in FRAME_PARAMS:
        if not st.query_params.get(key) and kept.get(key):
            st.query_params[key] = kept[key]


def remember_frame_params() -> None:
    """Remember the frame's filters as the URL holds them after the frame was drawn (a district
    set back to 全市 is remembered as none)."""
    st.session_state[FRAME_STORE] = {key: st.query_params.get(key) or "" for key in FRAME_PARAMS}


def _month_text(value: str) -> str:
    if value == TODAY:
        return f"截至今日（{fmt.fmt_date_cn(today())}）"
    return fmt.fmt_month(fmt.parse_month_param(value))


def _month_picker(spec: PageSpec, latest: dt.date, options: Sequence[dt.date], side: Any) -> tuple[str, bool]:
    """统计月份 in the sidebar, its value the URL parameter `month` (always written, so that a link
    keeps its month when newer data arrives): a month-end of `options`, or TODAY on a page that
    offers it. A page that does not offer TODAY shows the latest month instead and leaves `month`
    at TODAY in the URL, so the next page that offers it shows today again. Returns (the chosen
    month_param text, or TODAY; whether the view is 截至今日)."""
    month_texts = [fmt.month_param(m) for m in options]
    choices = [TODAY, *month_texts] if spec.offers_today else month_texts
    default = TODAY if spec.opens_on_today else fmt.month_param(latest)
    url = param("month")
    keep_today = url == TODAY and not spec.offers_today
    if url is None:
        wanted = default
    elif url in choices:
        wanted = url
    elif keep_today:
        wanted = fmt.month_param(latest)
    else:
        url_month = fmt.parse_month_param(url)
        if url_month is None or fmt.month_param(url_month) not in month_texts:
            side.warning(f"链接中的月份 {url} 不在可选范围内，已显示 {fmt.fmt_month(latest)}。")
            wanted = fmt.month_param(latest)
        else:
            wanted = fmt.month_param(url_month)
    widget_key = "_param_month"
    if st.session_state.get(widget_key) not in choices or st.session_state.get(widget_key) != wanted:
        st.session_state[widget_key] = wanted
    chosen = side.selectbox(
        "统计月份",
        choices,
        format_func=_month_text,
        key=widget_key,
        on_change=_to_url,
        args=("month", widget_key, None),
    )
    if keep_today:
        where = "、".join(p.title for p in PAGES if p.offers_today)
        side.caption(f"本页按月统计，显示最近一个完整月份；{where}仍显示截至今日。")
        st.query_params["month"] = TODAY
        return chosen, False
    st.query_params["month"] = chosen
    return chosen, chosen == TODAY


# ---- cached query calls -------------------------------------------------------------------------


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def _path(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def _call(
    path: str,
    con: duckdb.DuckDBPyConnection | None,
    engine: Engine | None,
    args: tuple,
    kwargs: Mapping[str, Any],
    scope: Scope | None,
) -> Any:
    fn = _resolve(path)
    lead: tuple[Any, ...] = (con,) if engine is None else (con, engine)
    if con is None:
        lead = () if engine is None else (engine,)
    extra = {} if scope is None else {"scope": scope}
    return fn(*lead, *args, **extra, **dict(kwargs))


# What a page shows while a result is computed (not cached yet): Streamlit's spinner, at the place
# the result will appear, only after half a second (st.spinner's delay), so cached reads never
# flicker. Without show_time: Streamlit writes the time elapsed in English ("(1.3 seconds)").
COMPUTING = "正在计算，请稍候…"


# st.cache_resource, not st.cache_data: results are handed out without a copy (unpickling a
# province-scale warning list on every rerun costs seconds). They are shared by every session
# with the same scope, so callers never modify them (page_queries builds new frames).
@st.cache_resource(show_spinner=COMPUTING, max_entries=256)
def _cached_warehouse(
    snapshot_id: str, scope_key: str, path: str, args: tuple, kwargs: tuple, uses_con: bool, _scope: Scope | None
) -> Any:
    con = app_data.snapshot_cursor(snapshot_id) if uses_con else None
    return _call(path, con, None, args, dict(kwargs), _scope)


@st.cache_resource(show_spinner=COMPUTING, max_entries=128, ttl=60)
def _cached_live(
    snapshot_id: str, scope_key: str, path: str, args: tuple, kwargs: tuple, uses_con: bool, _scope: Scope | None
) -> Any:
    con = app_data.snapshot_cursor(snapshot_id) if uses_con else None
    return _call(path, con, get_engine(get_settings()), args, dict(kwargs), _scope)


def cached(
    fn: Callable[..., Any], *args: Any, scoped: bool = True, live: bool = False, con: bool = True, **kwargs: Any
) -> Any:
    """fn(cursor, [engine,] *args, scope=viewer scope, **kwargs), cached per snapshot, scope and
    arguments; the result is shared, read-only. While it is computed the page shows COMPUTING;
    its queries run under the statement time limit (a db.QueryTimeLimit ends the run:
    `page_work`). `live` functions also read the operational store (follow-up steps): they take
    the engine after the cursor, are cached for a minute only, and are cleared when this app
    records a step. `scoped=False` for functions without a scope
    argument; `con=False` for functions that take no warehouse cursor."""
    ctx = context()
    return cached_for(ctx.snapshot_id, ctx.scope, fn, *args, scoped=scoped, live=live, con=con, **kwargs)


def cached_for(
    snapshot_id: str,
    scope: Scope,
    fn: Callable[..., Any],
    *args: Any,
    scoped: bool = True,
    live: bool = False,
    con: bool = True,
    **kwargs: Any,
) -> Any:
    """`cached` for a given snapshot and scope (the warm-up after a publish has no viewer)."""
    target = _cached_live if live else _cached_warehouse
    # unscoped results are keyed by scope too: only office pages use them
    return target(
        snapshot_id,
        scope.cache_key,
        _path(fn),
        tuple(args),
        tuple(sorted(kwargs.items())),
        con,
        scope if scoped else None,
    )


@contextmanager
def page_work(spec: PageSpec) -> Iterator[None]:
    """Around the frame and the page of a script run (dashboard/app/main.py): a query that passes
    the statement time limit (dashboard.store.db.QueryTimeLimit, settings query.statement_seconds)
    ends the run with its Chinese message in st.error where the page stood, instead of a traceback.
    What was drawn before stays (the frame, the page's head); the session goes on: the next click
    or a rerun asks again (a failed result is not cached). Each such stop is logged as a warning
    with the page, the query and the viewer."""
    try:
        yield
    except db.QueryTimeLimit as exc:
        st.error(str(exc), icon=":material/hourglass_disabled:")
        ctx = st.session_state.get(CONTEXT_KEY)
        logging.getLogger(__name__).warning(
            "statement time limit of %g s reached on page %s (query %s, viewer %s)",
            exc.seconds,
            spec.key,
            exc.query or "-",
            getattr(getattr(ctx, "viewer", None), "username", "-"),
        )


_derived: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
_derived_lock = threading.Lock()
DERIVED_ENTRIES = 64


def _identity(value: Any) -> Any:
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return ("value", value) if not isinstance(value, pd.DataFrame) else ("id", id(value))


def derived(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """fn(*args, **kwargs) for a page_queries composition over cached results, remembered by the
    identity of its inputs: cached results are the same objects on every rerun, so a view built
    on them (a warning list joined to its follow-up, the department ranking) is built once per
    snapshot and month, not on every click. The inputs are kept alive with the result, so an id
    is never reused while its entry exists. The result is shared, read-only."""
    key = (_path(fn), tuple(_identity(a) for a in args), tuple(sorted((k, _identity(v)) for k, v in kwargs.items())))
    with _derived_lock:
        if key in _derived:
            _derived.move_to_end(key)
            return _derived[key][1]
    result = fn(*args, **kwargs)
    with _derived_lock:
        _derived[key] = ((args, kwargs), result)
        while len(_derived) > DERIVED_ENTRIES:
            _derived.popitem(last=False)
    return result


def by_department(indicator_ids: Iterable[str], as_of: dt.date) -> dict[str, pd.DataFrame]:
    """indicator id → its department breakdown at `as_of` (indicators.indicators_by_department,
    cached once: each rule file runs once for all its indicators), for the scorecards and the
    ranking of 责任单位."""
    return derived(
        page_queries.breakdowns_by_indicator, tuple(indicator_ids), cached(indicators.indicators_by_department, as_of)
    )


def cockpit_inputs(as_of: dt.date, snapshot_id: str | None = None, scope: Scope | None = None) -> dict[str, Any]:
    """What 总览 shows, cached: indicators_at of the month and of the month before, the I00 scores
    of the last 24 months, and the warnings of the month as aggregates (warning_summary: in force,
    overdue, first seen in the month) — aggregates only, so leadership may see all of it."""
    if snapshot_id is None or scope is None:
        ctx = context()
        snapshot_id, scope = ctx.snapshot_id, ctx.scope
    previous = month_end(add_months(as_of.replace(day=1), -1))
    return {
        "now": cached_for(snapshot_id, scope, indicators.indicators_at, as_of),
        "before": cached_for(snapshot_id, scope, indicators.indicators_at, previous),
        "scores": cached_for(snapshot_id, scope, indicators.city_scores, end_month=as_of, months=24),
        "warnings": warning_summary_for(snapshot_id, scope, as_of),
    }


def warning_summary(as_of: dt.date) -> Any:
    """The viewer's warnings at `as_of` as aggregates (dashboard.rules.warning_summary), cached."""
    ctx = context()
    return warning_summary_for(ctx.snapshot_id, ctx.scope, as_of)


def warning_summary_for(snapshot_id: str, scope: Scope, as_of: dt.date) -> Any:
    """warning_summary for a snapshot and scope: built from the cached followup.warning_status
    where the scope may read warning lists (信用预警 holds that frame anyway: one evaluation serves
    both), else asked of the query layer, which returns aggregates only."""
    if scope.details:
        status = cached_for(snapshot_id, scope, followup.warning_status, as_of, live=True)
        names = cached_for(snapshot_id, scope, reference.department_short_names, scoped=False)
        return derived(warning_summary_rules.summary_from_status, status, names, as_of)
    return cached_for(snapshot_id, scope, warning_summary_rules.warning_summary, as_of, live=True)


# ---- warming: what each role lands on, computed before anyone asks ------------------------------

WARM_INTERVAL_SECONDS = 60
# Modules the pages import on top of this one: imported by the warm-up, not by the first visitor.
PAGE_MODULES = ("dashboard.app.columns", "dashboard.app.department_home", "dashboard.app.followup_panel")
WARMED_LANDINGS = ("cockpit", "home")  # the landing pages whose results the warm-up knows
# At most this many results per warm-up in the warehouse result cache (`_cached_warehouse`, 256
# entries): it never evicts what it computed first, and leaves room for what visitors open.
WARM_MAX_RESULTS = 224
# Between two steps the warm-up waits while a viewer's script run is in progress (Streamlit names
# the thread of a script run so), at most this long: on a small server the page someone waits for
# comes first, and under a steady load warming still goes on.
SCRIPT_THREAD = "ScriptRunner.scriptThread"
YIELD_SECONDS = 10.0


@dataclass(frozen=True)
class WarmTarget:
    """A viewer's scope and the page they land on (a PAGES key)."""

    scope: Scope
    landing: str


def warm_targets() -> list[WarmTarget]:
    """Whose landing pages to warm, first things first: each role of roles.toml that sees every
    department, at the role's scope (leadership: aggregates only; the office), then the scope of
    each enabled account of the other roles (a department's), the most recently signed-in first,
    at most settings warm.department_homes of those. The landing page is the viewer's home page
    (`home_spec`): 总览, or a department's 本单位工作台. A scope is the one the viewer's session
    has (auth.viewer_for), so that warming fills the cache keys the viewer reads; an office
    account with the personal-data grant has a scope of its own and is not warmed."""
    targets: list[WarmTarget] = []
    for role in users.load_roles().values():
        if role.sees_all:
            landing = next((p.key for p in _built_specs() if p.key in role.pages), None)
            if landing in WARMED_LANDINGS:
                targets.append(WarmTarget(Scope.all(details=role.details), landing))
    accounts = [u for u in users.list_users(operational_store()) if not u.disabled]
    accounts.sort(key=lambda u: u.last_sign_in_at.timestamp() if u.last_sign_in_at else float("-inf"), reverse=True)
    homes: list[WarmTarget] = []
    for user in accounts:
        viewer = auth.viewer_for(user)
        home = home_spec(viewer)
        if viewer.sees_all or home is None or home.key not in WARMED_LANDINGS or not viewer.scope.departments:
            continue
        target = WarmTarget(viewer.scope, home.key)
        if target not in homes:
            homes.append(target)
    return targets + homes[: max(0, get_settings().warm.department_homes)]


def _warm_cockpit(snapshot_id: str, scope: Scope, month: dt.date) -> None:
    """总览 (pages/cockpit.py) at `month`, and the department breakdowns (责任单位, `by_department`)."""
    cockpit_inputs(month, snapshot_id, scope)
    cached_for(snapshot_id, scope, indicators.indicators_by_department, month)


def _warm_home(snapshot_id: str, scope: Scope, day: dt.date, month: dt.date) -> None:
    """本单位工作台 (pages/home.py) as dashboard.app.department_home.home_inputs reads it: the
    follow-up status at T = `day`, the warnings at T on the snapshot before (for 新增), the
    catalogue and the department breakdowns at the latest complete month."""
    cached_for(snapshot_id, scope, followup.warning_status, day, live=True)
    previous = snapshots.previous_snapshot_id(get_settings(), snapshot_id)
    if previous is not None:
        cached_for(previous, scope, credit_warnings.warnings_at, day)
    cached_for(snapshot_id, scope, indicators.indicator_catalogue, scoped=False, con=False)
    cached_for(snapshot_id, scope, indicators.indicators_by_department, month)


def _warm_indicator_page(snapshot_id: str, scope: Scope, indicator_id: str, month: dt.date) -> None:
    """监测指标 (pages/indicators.py) of one indicator at `month`, no department or district chosen:
    the first click of its 总览 tile. The detail list only for a scope that may read it and with
    settings warm.tile_detail_lists."""
    settings = get_settings()
    cached_for(snapshot_id, scope, indicators.indicator_catalogue, scoped=False, con=False)
    cached_for(snapshot_id, scope, indicators.indicator_by_department, indicator_id, month)
    cached_for(snapshot_id, scope, indicators.indicators_at, month)
    cached_for(
        snapshot_id, scope, indicators.indicator_series, indicator_id, month, months=settings.windows.trend_months
    )
    cached_for(snapshot_id, scope, indicators.indicator_by_district, indicator_id, month)
    if scope.details and settings.warm.tile_detail_lists:
        cached_for(
            snapshot_id,
            scope,
            indicators.indicator_detail_rows,
            indicator_id,
            month,
            department_code=None,
            district_code=None,
        )


def yield_to_viewers(limit_seconds: float = YIELD_SECONDS) -> float:
    """Wait while a viewer's script run is in progress in this process, at most `limit_seconds`;
    returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit_seconds and any(
        t.name == SCRIPT_THREAD and t.is_alive() for t in threading.enumerate()
    ):
        time.sleep(0.05)
    return time.monotonic() - started


def warm_views(
    snapshot_id: str, as_of: dt.date, scope: Scope | None = None, day: dt.date | None = None
) -> list[WarmTarget]:
    """Compute into the shared cache (`cached_for`: the same keys a viewer of that scope reads)
    what the first visitors open after a restart or a publish, first things first:

    1. the landing page of every target of `warm_targets` — 总览 at `as_of` (the default month)
       for the roles that see every department, then each department's 本单位工作台 at T = `day`
       (default today);
    2. with settings warm.tile_drills, the first click of each 总览 tile: 监测指标 of every
       indicator at `as_of` for each 总览 target.

    Before each step it lets a viewer's script run finish first (`yield_to_viewers`); a step
    whose query passes the statement time limit is logged and skipped. With
    `scope`, only 总览 and its drills for that scope. A warm-up adds at most
    WARM_MAX_RESULTS results to the result cache (the steps that would pass it are left out and
    logged), so that it never evicts what it computed first; the defaults need about 220.
    Results that read the operational store (the warning summaries, a home's follow-up status)
    are kept for the live cache's minute only; the others for the snapshot's life or until the
    cache is full. Returns the targets warmed."""
    day = day or today()
    targets = [WarmTarget(scope, "cockpit")] if scope is not None else warm_targets()
    cockpits = [t.scope for t in targets if t.landing == "cockpit"]
    # (at most how many results it adds to the warehouse cache, the step)
    steps: list[tuple[int, Callable[[], None]]] = []
    for target in targets:
        if target.landing == "cockpit":  # indicators_at ×2, city_scores, indicators_by_department, names
            steps.append((5, functools.partial(_warm_cockpit, snapshot_id, target.scope, as_of)))
        elif target.landing == "home":  # catalogue, indicators_by_department, the snapshot before
            steps.append((3, functools.partial(_warm_home, snapshot_id, target.scope, day, as_of)))
    if get_settings().warm.tile_drills:
        ids = list(indicators.indicator_catalogue()["indicator_id"])
        lists = get_settings().warm.tile_detail_lists
        for each in cockpits:
            per_drill = 4 if each.details and lists else 3  # by department, series, by district, list
            steps.extend(
                (per_drill + (i == 0), functools.partial(_warm_indicator_page, snapshot_id, each, indicator_id, as_of))
                for i, indicator_id in enumerate(ids)  # the first also the catalogue
            )
    used = 0
    for n, (cost, step) in enumerate(steps):
        if used + cost > WARM_MAX_RESULTS:
            logging.getLogger(__name__).warning(
                "warming stopped after %d of %d steps: the next would pass %d cached results",
                n,
                len(steps),
                WARM_MAX_RESULTS,
            )
            break
        yield_to_viewers()
        try:
            step()
        except db.QueryTimeLimit as exc:  # one view past the statement time limit: warm the others
            logging.getLogger(__name__).warning(
                "warming step %d of %d stopped at the statement time limit of %g s (query %s)",
                n + 1,
                len(steps),
                exc.seconds,
                exc.query or "-",
            )
        used += cost
    return targets


def warm_live(warmed: tuple[str, dt.date] | None) -> tuple[str, dt.date] | None:
    """One pass of the warm-up thread: warm the live snapshot's views (`warm_views` at the
    default month, T = today) unless `warmed` — (snapshot id, day) of the last warm-up — is
    still the live snapshot and today (a department's home opens on today, so a new day is
    warmed again). Returns what is warm now (None before the first load)."""
    info = app_data.live_snapshot()
    day = today()
    if info is None:
        return None
    if (info.snapshot_id, day) == warmed:
        return warmed
    started = time.monotonic()
    _, _, horizon = _reference(info.snapshot_id)
    targets = warm_views(info.snapshot_id, default_month(info.built_at, horizon), day=day)
    logging.getLogger(__name__).info(
        "warmed the views of snapshot %s for %d landing pages in %.1f s",
        info.snapshot_id,
        len(targets),
        time.monotonic() - started,
    )
    return info.snapshot_id, day


def _warm_loop() -> None:
    """The warm-up thread: the pages' modules first, then `warm_live` every WARM_INTERVAL_SECONDS."""
    log = logging.getLogger(__name__)
    for module in PAGE_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            log.exception("importing %s for the pages failed", module)
    warmed: tuple[str, dt.date] | None = None
    while True:
        try:
            warmed = warm_live(warmed)
        except Exception:  # a failed warm-up only costs the first visitor time; try again later
            log.exception("warming the views of the live snapshot failed")
        time.sleep(WARM_INTERVAL_SECONDS)


WARM_THREAD = "dashboard-warm"


def _not_the_warm_thread(record: logging.LogRecord) -> bool:
    """A logging filter: the warm-up thread has no script run context by design, and Streamlit
    warns of that at each result it computes (the COMPUTING spinner of `cached` asks for one)."""
    return record.threadName != WARM_THREAD


@st.cache_resource(show_spinner=False)
def _warmer() -> threading.Thread:
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_not_the_warm_thread)
    thread = threading.Thread(target=_warm_loop, name=WARM_THREAD, daemon=True)
    thread.start()
    return thread


def start_warming() -> None:
    """Start, once per server process, the background thread of `_warm_loop` (it never blocks a
    viewer: a viewer asking for a result being warmed waits for that computation instead of
    repeating it). Called when the server starts (dashboard.app.lifespan) and by every script run
    (a server started without that lifespan). Not under AppTest: tests and the page benchmark
    measure the pages themselves."""
    if not st.config.get_option("global.appTest"):
        _warmer()


def clear_live_cache() -> None:
    """Forget results that read the operational store (after a follow-up step was recorded)."""
    _cached_live.clear()


# ---- audit --------------------------------------------------------------------------------------


def audit_once(action: str, detail: Mapping[str, Any], rows: int | None = None) -> None:
    """Record an action of the viewer once per session and detail (a rerun of the same view is
    not a new view)."""
    auth.audit_once(context().viewer, action, dict(detail), rows)


def may(grant: str) -> bool:
    """Whether the viewer's role holds a grant of roles.toml (export, record_followup, …)."""
    return bool(context().viewer.may(grant))


def may_in_frame(grant: str) -> bool:
    """`may`, False when the page runs without the frame's context (before the first load, when
    数据状态 runs alone)."""
    ctx = st.session_state.get(CONTEXT_KEY)
    return ctx is not None and bool(ctx.viewer.may(grant))


# ---- tables and downloads ---------------------------------------------------------------------


def _column_config(kinds: Mapping[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for label, kind in kinds.items():
        if kind == exports.PCT:
            config[label] = st.column_config.NumberColumn(label, format="percent")
        elif kind in (exports.COUNT,):
            config[label] = st.column_config.NumberColumn(label, format="localized")
        elif kind in (exports.WAN_YUAN, exports.NUMBER):
            config[label] = st.column_config.NumberColumn(label, format="%.2f")
        elif kind == exports.DATE:
            config[label] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
    return config


def downloads(
    table: Callable[[], pd.DataFrame], kinds: Mapping[str, str], title: str, key: str, container: Any = None
) -> None:
    """Excel and CSV buttons for a list (viewers with the export grant): `table` gives the shown
    frame of the whole list; files are built on click (no rerun) and cached; each download is
    recorded in the audit log with its row count."""
    ctx = context()
    if not ctx.viewer.may("export"):
        return
    container = container or st
    viewer, engine = ctx.viewer, ctx.engine
    month = fmt.month_param(ctx.as_of)

    def on_build(kind: str, n_rows: int) -> None:
        audit.record(engine, viewer, "export", {"what": title, "format": kind, "month": month}, rows=n_rows)

    download = exports.Download(
        key=f"{ctx.snapshot_id}|{ctx.scope.cache_key}|{key}",
        table=table,
        kinds=kinds,
        sheet_name=title,
        on_build=on_build,
    )
    download_buttons(download, exports.file_stem(title, ctx.as_of), key, container)


def download_buttons(download: exports.Download, stem: str, key: str, container: Any = None) -> None:
    """The 下载 Excel / 下载 CSV pair of every list: `download` builds the files on click (no rerun);
    the files are named `stem`.xlsx / .csv; widget keys `key`_xlsx and `key`_csv."""
    row = (container or st).container(horizontal=True, gap="small")
    row.download_button(
        "下载 Excel",
        data=download.xlsx,
        file_name=f"{stem}.xlsx",
        mime=exports.XLSX_MIME,
        on_click="ignore",
        key=f"{key}_xlsx",
        icon=":material/download:",
    )
    row.download_button(
        "下载 CSV",
        data=download.csv,
        file_name=f"{stem}.csv",
        mime=exports.CSV_MIME,
        on_click="ignore",
        key=f"{key}_csv",
        icon=":material/download:",
    )


def deferred(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """A zero-argument callable that runs fn(cursor, *args, scope=viewer scope, **kwargs) when
    called — for downloads built only on click (Streamlit calls it outside the script run)."""
    ctx = context()
    snapshot_id, scope = ctx.snapshot_id, ctx.scope

    def run() -> Any:
        return fn(app_data.snapshot_cursor(snapshot_id), *args, scope=scope, **kwargs)

    return run


def file_download(
    label: str,
    build: Callable[[], bytes],
    file_name: str,
    mime: str,
    key: str,
    what: str,
    rows: int = 1,
    container: Any = None,
) -> None:
    """A download built on click (no rerun) and recorded in the audit log (export grant only)."""
    ctx = context()
    if not ctx.viewer.may("export"):
        return
    viewer, engine = ctx.viewer, ctx.engine

    def data() -> bytes:
        payload = build()
        audit.record(engine, viewer, "export", {"what": what, "file": file_name}, rows=rows)
        return payload

    (container or st).download_button(
        label, data=data, file_name=file_name, mime=mime, on_click="ignore", key=key, icon=":material/description:"
    )


def table(
    frame: pd.DataFrame,
    columns: exports.ColumnSpec,
    *,
    key: str,
    title: str,
    personal: Mapping[str, str] | None = None,
    person_flag: str | None = None,
    selectable: bool = False,
    page_size: int | None = PAGE_SIZE,
    empty_text: str = "没有符合条件的记录。",
    download: bool = True,
    height: int | Literal["auto", "stretch", "content"] = "auto",
) -> pd.Series | None:
    """Show a list with Chinese headers (exports.shown_frame: masked per P6), paginated beyond
    `page_size` rows — only the page on screen is shaped — with its Excel and CSV downloads (the
    whole list, same columns). With `selectable`, a click on a row returns that row of `frame`
    (the caller drills on it); otherwise None."""
    ctx = context()
    if frame.empty:
        st.caption(empty_text)
        return None
    scope = ctx.scope

    def shape(rows: pd.DataFrame) -> pd.DataFrame:
        return exports.shown_frame(rows, columns, scope, personal=personal, person_flag=person_flag)

    if personal and scope.personal_data:
        persons = int(frame[person_flag].fillna(False).astype(bool).sum()) if person_flag in frame else len(frame)
        auth.audit_personal_data_shown(ctx.viewer, title, persons)
    kinds = exports.kinds_by_label(columns)
    with st.container(key=f"table_{key}"):
        start, part = 0, frame
        n_pages = 1 if not page_size else -(-len(frame) // page_size)
        caption = f"共 {fmt.fmt_count(len(frame))} 条"
        if n_pages > 1:
            page_no = st.pagination(n_pages, key=f"{key}_page", max_visible_pages=7)
            assert page_size is not None  # more than one page only with a page size
            start = (page_no - 1) * page_size
            part = frame.iloc[start : start + page_size]
            caption += f"，第 {page_no}/{n_pages} 页"
        st.caption(caption)
        options: dict[str, Any] = {"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}
        event = st.dataframe(
            shape(part),
            hide_index=True,
            column_config=_column_config(kinds),
            key=key,
            height=height,
            placeholder=fmt.MISSING,
            **options,
        )
        if download:
            downloads(lambda: shape(frame), kinds, title, key)
    if selectable:
        # on_select="rerun" (in **options, which st.dataframe's overloads cannot see) returns a DataframeState
        rows = list(cast(DataframeState, event).selection.rows) if event is not None else []
        if rows:
            return frame.iloc[start + rows[0]]
    return None


# ---- small layout helpers -----------------------------------------------------------------------


def change_delta(change: Any, unit: str, direction: str) -> dict[str, Any]:
    """st.metric arguments for the change from last month: green when it moves the right way for
    the indicator's direction, no arrow when unchanged."""
    text = fmt.fmt_delta(change, unit)
    if text is None:
        return {}
    if text == fmt.UNCHANGED:
        return {"delta": text, "delta_color": "off", "delta_arrow": "off", "delta_description": "较上月"}
    return {
        "delta": text,
        "delta_color": "normal" if direction == "higher" else "inverse",
        "delta_description": "较上月",
    }


def plot(fig: Any, key: str | None = None, selectable: bool = False) -> Any:
    """A Plotly figure in the dashboard's style; with `selectable` the click selection is
    returned (read it with charts.selected_key)."""
    if selectable:
        return st.plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", config=PLOTLY_CONFIG)
    st.plotly_chart(fig, key=key, config=PLOTLY_CONFIG)
    return None
