"""The frame around every page and the helpers that keep pages thin.

- `PAGES`: the page registry (key, file, Chinese title, icon, URL path, whether the district filter
  applies); `navigation(viewer)` builds st.navigation from the pages the viewer may open.
- `frame(page)`: the sidebar of every page — freshness badge ("数据截至 …", last load status, a
  warning when the last load failed or the data is older than settings.warehouse.stale_after_hours),
  the as-of month picker (default: the latest complete month) and the district filter — and the
  per-run `Context` the page reads with `context()`.
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
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import duckdb
import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit.typing import DataframeState

from dashboard.access import audit, auth
from dashboard.app import app_data, exports, page_queries
from dashboard.app.charts import PLOTLY_CONFIG
from dashboard.core import formatting as fmt
from dashboard.core.dates import add_months, default_month, local_time_text, month_end, month_ends
from dashboard.core.scope import Scope
from dashboard.core.settings import PROJECT_DIR, get_settings
from dashboard.rules import credit_warnings, indicators, reference
from dashboard.store import runs
from dashboard.store.opstore import get_engine

PAGES_DIR = PROJECT_DIR / "pages"
MONTHS_OFFERED = 60
PAGE_SIZE = 50
CONTEXT_KEY = "_frame_context"
# URL parameters carried from page to page (the frame's filters); drill parameters are per link.
FRAME_PARAMS = ("month", "district")


@dataclass(frozen=True)
class PageSpec:
    key: str
    file: str
    title: str
    icon: str
    url_path: str
    uses_district: bool = False
    needs_data: bool = True  # False: the page works before the first load (status, administration)

    @property
    def path(self):
        return PAGES_DIR / self.file


PAGES: tuple[PageSpec, ...] = (
    PageSpec("cockpit", "cockpit.py", "总览", ":material/dashboard:", "cockpit"),
    PageSpec("indicators", "indicators.py", "监测指标", ":material/monitoring:", "indicators", uses_district=True),
    PageSpec("warnings", "warnings.py", "信用预警", ":material/notifications_active:", "warnings"),
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
    return auth.require_viewer()


# ---- navigation -------------------------------------------------------------------------------


def allowed_specs(viewer: Any) -> list[PageSpec]:
    """The pages this viewer may open whose file is part of the build, in menu order."""
    allowed = set(viewer.allowed_pages)
    return [p for p in PAGES if p.key in allowed and p.path.is_file()]


HOME = "cockpit"  # served at the app's root URL for every viewer (Streamlit's default page)


def _st_pages(specs: Sequence[PageSpec], allowed: frozenset[str]) -> dict[Any, PageSpec]:
    """st.Page → spec for `specs`, the home page first and default; pages outside `allowed` (the
    home page, for viewers who may not open it) are registered hidden."""
    ordered = [PAGE_BY_KEY[HOME], *(p for p in specs if p.key != HOME)]
    return {
        st.Page(
            p.path,
            title=p.title,
            icon=p.icon,
            url_path=p.url_path,
            default=(p.key == HOME),
            visibility="visible" if p.key in allowed else "hidden",
        ): p
        for p in ordered
    }


def keep_requested_page() -> None:
    """Register every page, hidden, before sign-in: the sign-in screen then keeps the page of the
    URL (a pasted deep link), and `navigation` narrows the menu to the viewer's pages after."""
    st.navigation(list(_st_pages([p for p in PAGES if p.path.is_file()], frozenset())), position="hidden")


def navigation(viewer: Any) -> tuple[Any, PageSpec]:
    """st.navigation over the viewer's pages; returns (the page to run, its spec). The home page
    (总览) is always the root URL, so a link means the same page for everyone; a viewer who may
    not open it is sent on to the first page they may open, with the link's parameters."""
    specs = allowed_specs(viewer)
    if not specs:
        st.error("当前账号没有可访问的页面，请联系市信用办开通权限。")
        st.stop()
    allowed = frozenset(p.key for p in specs)
    pages = _st_pages(specs, allowed)
    page = st.navigation(list(pages))
    spec = pages[page]
    if spec.key not in allowed:
        st.switch_page(specs[0].path, query_params=dict(st.query_params))
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
    crumbs = [Crumb("总览", "cockpit")]
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
    elif origin in PAGE_BY_KEY and origin != "cockpit":
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
    url_month = fmt.parse_month_param(param("month"))
    month_texts = [fmt.month_param(m) for m in options]
    default = fmt.month_param(latest)
    if url_month is not None and fmt.month_param(url_month) not in month_texts:
        side.warning(f"链接中的月份 {param('month')} 不在可选范围内，已显示 {fmt.fmt_month(latest)}。")
    chosen = select_param(
        "统计月份",
        month_texts,
        "month",
        format_func=lambda m: fmt.fmt_month(fmt.parse_month_param(m)),
        default=default,
        container=side,
    )
    # the month always stands in the URL, so that a link keeps its month when newer data arrives
    st.query_params["month"] = chosen
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
    as_of = fmt.parse_month_param(chosen)
    assert as_of is not None  # chosen is one of month_texts, each a month_param of a month-end
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
    )
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


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


# st.cache_resource, not st.cache_data: results are handed out without a copy (unpickling a
# province-scale warning list on every rerun costs seconds). They are shared by every session
# with the same scope, so callers never modify them (page_queries builds new frames).
@st.cache_resource(show_spinner=False, max_entries=256)
def _cached_warehouse(
    snapshot_id: str, scope_key: str, path: str, args: tuple, kwargs: tuple, uses_con: bool, _scope: Scope | None
) -> Any:
    con = app_data.snapshot_cursor(snapshot_id) if uses_con else None
    return _call(path, con, None, args, dict(kwargs), _scope)


@st.cache_resource(show_spinner=False, max_entries=128, ttl=60)
def _cached_live(
    snapshot_id: str, scope_key: str, path: str, args: tuple, kwargs: tuple, uses_con: bool, _scope: Scope | None
) -> Any:
    con = app_data.snapshot_cursor(snapshot_id) if uses_con else None
    return _call(path, con, get_engine(get_settings()), args, dict(kwargs), _scope)


def cached(
    fn: Callable[..., Any], *args: Any, scoped: bool = True, live: bool = False, con: bool = True, **kwargs: Any
) -> Any:
    """fn(cursor, [engine,] *args, scope=viewer scope, **kwargs), cached per snapshot, scope and
    arguments; the result is shared, read-only. `live` functions also read the operational store
    (follow-up steps): they take the engine after the cursor, are cached for a minute only, and
    are cleared when this app records a step. `scoped=False` for functions without a scope
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
    of the last 24 months, and the warnings of the month (for those opened in it)."""
    if snapshot_id is None or scope is None:
        ctx = context()
        snapshot_id, scope = ctx.snapshot_id, ctx.scope
    previous = month_end(add_months(as_of.replace(day=1), -1))
    return {
        "now": cached_for(snapshot_id, scope, indicators.indicators_at, as_of),
        "before": cached_for(snapshot_id, scope, indicators.indicators_at, previous),
        "scores": cached_for(snapshot_id, scope, indicators.city_scores, end_month=as_of, months=24),
        "warnings": cached_for(snapshot_id, scope, credit_warnings.warnings_at, as_of),
    }


def warm_views(snapshot_id: str, as_of: dt.date, scope: Scope | None = None) -> None:
    """Compute into the cache what the first visitors after a load open: 总览 and every
    indicator's department breakdown (监测指标, 责任单位) at the default month, for the office and
    leadership scope."""
    scope = scope or Scope.all()
    cockpit_inputs(as_of, snapshot_id, scope)
    for indicator_id in indicators.indicator_catalogue()["indicator_id"]:
        cached_for(snapshot_id, scope, indicators.indicator_by_department, indicator_id, as_of)
    cached_for(snapshot_id, scope, indicators.indicators_by_department, as_of)


WARM_INTERVAL_SECONDS = 60


def _warm_loop() -> None:
    log = logging.getLogger(__name__)
    warmed = None
    while True:
        try:
            info = app_data.live_snapshot()
            if info is not None and info.snapshot_id != warmed:
                _, _, horizon = _reference(info.snapshot_id)
                warm_views(info.snapshot_id, default_month(info.built_at, horizon))
                warmed = info.snapshot_id
                log.info("warmed views of snapshot %s", info.snapshot_id)
        except Exception:  # a failed warm-up only costs the first visitor time; try again later
            log.exception("warming the views of the live snapshot failed")
        time.sleep(WARM_INTERVAL_SECONDS)


@st.cache_resource(show_spinner=False)
def _warmer() -> threading.Thread:
    thread = threading.Thread(target=_warm_loop, name="dashboard-warm", daemon=True)
    thread.start()
    return thread


def start_warming() -> None:
    """Start, once per server process, the thread that warms the views of every newly published
    snapshot (within WARM_INTERVAL_SECONDS of the publish). Not under AppTest: tests and the page
    benchmark measure the pages themselves."""
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
