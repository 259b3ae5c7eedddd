"""演示模式: the month on a projector or an office screen, one full-screen view at a time in the order
of the briefing deck (dashboard.app.presentation.VIEWS) — no sidebar, large type; → / ← keys or the
buttons advance; with a rotation (URL `rotate`, default `presentation.rotate_seconds`) the views
advance by themselves, and the screen picks up a newly published snapshot on its own.
URL: month, view (1-based), rotate (seconds; 0 = off)."""

import html
import time

import streamlit as st

from dashboard.app import app_data, charts, page_queries, presentation, ui
from dashboard.core import formatting as fmt
from dashboard.core.settings import get_settings
from dashboard.rules import credit_warnings, feedback, followup, indicators, ranking, reference

ctx = ui.context()
st.html(presentation.STYLE)
st.html(presentation.keyboard_script(), unsafe_allow_javascript=True)

index = presentation.view_index(ui.param("view") or 1)
key, title = presentation.VIEWS[index]
try:
    rotate = int(ui.param("rotate") or get_settings().presentation.rotate_seconds)
except ValueError:
    rotate = get_settings().presentation.rotate_seconds
month_text = fmt.fmt_month(ctx.as_of)


def go(to: int) -> None:
    st.query_params["view"] = str(to % len(presentation.VIEWS) + 1)


# ---- the view: each computes only what it shows (the same cached results as 总览 and the pages) ----
previous = followup.previous_month_end(ctx.as_of)


def scores():
    return ui.cached(indicators.city_scores, end_month=ctx.as_of, months=24)


def tiles():
    now, before = ui.cached(indicators.indicators_at, ctx.as_of), ui.cached(indicators.indicators_at, previous)
    return ui.derived(page_queries.indicator_tiles, now, before)


def counts():
    return ui.warning_summary(ctx.as_of).counts  # aggregates: leadership may see them


view = st.container(key=f"present_{key}")
with view:
    if key == "cover":
        latest = page_queries.home_city_latest(scores())
        info = app_data.live_snapshot()
        as_of_text = app_data.snapshot_time_text(info) if info is not None else fmt.MISSING
        rank = "" if latest is None else f"全国排名第{int(latest['rank'])}名　综合信用指数 {latest['score']:.2f}"
        st.html(
            '<div class="present-cover">'
            f'<div class="org">{html.escape(get_settings().briefing_documents.issuer)}</div>'
            f'<h1 class="title">{month_text}城市信用监测月度调度</h1>'
            f'<div class="meta">数据截至 {as_of_text}</div>'
            f'<div class="meta">{rank}</div>'
            "</div>"
        )
    else:
        st.markdown(f'<div class="present-view"><h1>{title} · {month_text}</h1></div>', unsafe_allow_html=True)
    if key == "rank":
        left, right = st.columns([3, 2])
        with left:
            presentation.plot(
                charts.city_score_trend(scores(), title="综合信用指数（与省内城市对比）"), "present_scores"
            )
        with right:
            presentation.plot(charts.city_rank_trend(scores(), title="全国与省内排名"), "present_ranks")
    elif key == "indicators":
        st.table(presentation.rag_styler(ui.derived(presentation.indicator_table, tiles())))
    elif key == "weakest":
        weakest = ui.derived(page_queries.weakest_indicators, tiles(), ctx.departments)
        if weakest.empty:
            st.success("全部指标达到目标。")
        cols = st.columns(3)
        for col, row in zip(cols, weakest.itertuples()):
            with col.container(border=True):
                st.markdown(f"### {charts.status_badge(row.status)} {row.indicator_id} {row.name}")
                st.metric(
                    row.name,
                    fmt.fmt_value(row.value, row.unit),
                    label_visibility="collapsed",
                    **ui.change_delta(row.change, row.unit, row.direction),
                )
                st.markdown(f"目标 {charts.target_text(row.target, row.direction, row.unit)}")
                st.markdown(f"**责任单位：** {row.responsible_names}")
    elif key == "warnings":
        names = ui.cached(reference.department_short_names, scoped=False)
        held = counts()
        totals = page_queries.warning_totals(page_queries.overview_of(held))
        cols = st.columns(3)
        cols[0].metric("预警中", fmt.fmt_count(totals["n_open"]), border=True)
        cols[1].metric("已处置", fmt.fmt_count(totals["n_acted"]), border=True)
        cols[2].metric("超期未处置", fmt.fmt_count(totals["n_overdue"]), border=True)
        st.caption("每格：预警中 / 已处置 / 超期未处置（条）")
        st.table(
            ui.derived(presentation.warning_matrix, held, credit_warnings.WARNING_TYPES, names).head(12),
            hide_index=True,
        )
    elif key == "named":
        names = ui.cached(reference.department_short_names, scoped=False)
        held = counts()
        board = feedback.feedback_board(ctx.engine, ctx.as_of, feedback.departments_owing(held), scope=ctx.scope)
        named = ranking.named_of(
            ui.cached(indicators.indicator_catalogue, scoped=False, con=False),
            ui.cached(indicators.indicators_by_department, ctx.as_of),
            ui.cached(indicators.indicators_by_department, previous),
            ui.cached(indicators.indicators_at, ctx.as_of),
            ui.cached(indicators.indicators_at, previous),
            held,
            dict(zip(board["department_code"], board["timeliness"])),
            names,
        )
        if named.empty:
            st.success("本月没有工作推进不力的单位。")
        else:
            st.table(presentation.named_styler(presentation.named_table(named).head(10)))
            if len(named) > 10:
                st.caption(f"另有 {len(named) - 10} 个单位，见月度通报。")

# ---- advancing ---------------------------------------------------------------------------------
bar = st.container(horizontal=True, vertical_alignment="center", key="present_nav")
bar.button(
    presentation.PREVIOUS_LABEL,
    icon=":material/arrow_back:",
    key="present_previous",
    on_click=go,
    args=(index - 1,),
)
bar.markdown(f"{index + 1} / {len(presentation.VIEWS)}　{title}", width="content")
bar.button(
    presentation.NEXT_LABEL,
    icon=":material/arrow_forward:",
    key="present_next",
    type="primary",
    on_click=go,
    args=(index + 1,),
)
bar.page_link(ui.PAGE_BY_KEY["cockpit"].path, label="退出演示", query_params=ui.frame_params(), icon=":material/close:")

st.session_state["_present_shown_at"] = time.monotonic()
snapshot_id = ctx.snapshot_id


@st.fragment(run_every=rotate if rotate > 0 else 60)
def _keep_current() -> None:
    """Rotate to the next view every `rotate` seconds, and show a newly published snapshot."""
    live = app_data.live_snapshot()
    if live is not None and live.snapshot_id != snapshot_id:
        st.rerun(scope="app")
    shown = st.session_state.get("_present_shown_at", time.monotonic())
    if rotate > 0 and time.monotonic() - shown >= rotate - 0.5:
        go(index + 1)
        st.rerun(scope="app")


_keep_current()
