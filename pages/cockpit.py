"""总览 (cockpit) for leadership, readable on a projector: the city's national score and rank (I00)
beside the province's other cities, one tile per indicator (value, target, status, change from last
month), the three weakest indicators with their responsible departments, and the warnings opened
this month by type. A tile drills to 监测指标; a warning-type bar to 信用预警."""

import streamlit as st

from dashboard.app import charts, page_queries, ui
from dashboard.core import formatting as fmt
from dashboard.rules import credit_warnings

ctx = ui.context()
month_text = fmt.fmt_month(ctx.as_of)
st.title(f"城市信用监测总览 · {month_text}")

# ---- I00 national score and rank --------------------------------------------------------------
inputs = ui.cockpit_inputs(ctx.as_of)
scores = inputs["scores"]
latest = page_queries.home_city_latest(scores)
st.subheader("全国城市信用监测排名（I00）")
if latest is None:
    st.caption("暂无全国城市信用监测结果。")
else:
    cols = st.columns(4)
    cols[0].metric(
        "综合信用指数",
        f"{latest['score']:.2f}",
        border=True,
        delta_description="较上月",
        delta=None if latest["score_change"] is None else f"{latest['score_change']:+.2f}",
    )
    cols[1].metric(
        "全国排名",
        f"第{int(latest['rank'])}名",
        border=True,
        delta_description="较上月",
        delta=None if latest["rank_change"] is None else f"{-latest['rank_change']:+d}位",
    )
    cols[2].metric(
        "省内排名",
        fmt.MISSING if fmt.is_missing(latest["rank_in_province"]) else f"第{int(latest['rank_in_province'])}名",
        border=True,
    )
    cols[3].metric("结果月份", fmt.fmt_month(latest["month"]), border=True)
    left, right = st.columns([3, 2])
    with left:
        ui.plot(charts.city_score_trend(scores, title="综合信用指数（与省内城市对比）"), key="i00_scores")
    with right:
        ui.plot(charts.city_rank_trend(scores, title=f"{latest['city']}排名走势"), key="i00_rank")

# ---- one tile per indicator -------------------------------------------------------------------
st.subheader("监测指标")
tiles = ui.derived(page_queries.indicator_tiles, inputs["now"], inputs["before"])
PER_ROW = 4
for start in range(0, len(tiles), PER_ROW):
    cols = st.columns(PER_ROW)
    for col, tile in zip(cols, tiles.iloc[start : start + PER_ROW].itertuples()):
        with col.container(border=True):
            st.markdown(f"{charts.status_badge(tile.status)}　**{tile.indicator_id}** {tile.name}")
            st.metric(
                f"{tile.indicator_id} {tile.name}",
                fmt.fmt_value(tile.value, tile.unit),
                label_visibility="collapsed",
                **ui.change_delta(tile.change, tile.unit, tile.direction),
            )
            st.caption(f"目标 {charts.target_text(tile.target, tile.direction, tile.unit)}")
            if st.button("查看详情", key=f"tile_{tile.indicator_id}", width="stretch"):
                ui.goto("indicators", indicator=tile.indicator_id)

left, right = st.columns(2)

# ---- the three weakest indicators ---------------------------------------------------------------
with left:
    st.subheader("最需关注的三项指标")
    weakest = ui.derived(page_queries.weakest_indicators, tiles, ctx.departments)
    if weakest.empty:
        st.success("全部指标达到目标。")
    for row in weakest.itertuples():
        with st.container(border=True):
            st.markdown(
                f"{charts.status_badge(row.status)}　**{row.indicator_id} {row.name}**："
                f"{fmt.fmt_value(row.value, row.unit)}（目标 {charts.target_text(row.target, row.direction, row.unit)}）"
            )
            st.caption(f"责任单位：{row.responsible_names}")
            if st.button("查看责任单位", key=f"weak_{row.indicator_id}"):
                ui.goto("indicators", indicator=row.indicator_id)

# ---- warnings opened this month by type ---------------------------------------------------------
with right:
    st.subheader(f"{month_text}新产生的信用预警")
    opened = ui.derived(page_queries.warnings_opened, inputs["warnings"], ctx.as_of, credit_warnings.WARNING_TYPES)
    st.metric("本月新增预警", f"{fmt.fmt_count(page_queries.total(opened, 'n_warnings'))} 条")
    drill = "warnings" in ctx.allowed_pages
    event = ui.plot(
        charts.count_bar(opened, "warning_type", "type_name", "n_warnings"),
        key=f"opened_{fmt.month_param(ctx.as_of)}",
        selectable=drill,
    )
    picked = charts.selected_key(event) if drill else None
    if picked:
        ui.goto("warnings", type=picked)
