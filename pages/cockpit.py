"""总览 (cockpit) for leadership, to be read at a glance on a 1920×1080 screen or a projector:

- a summary strip: the city's national and provincial rank (I00) and their change from last month,
  the 综合信用指数, how many indicators are 未达标 / 临界 / 达标, and the warnings in force and overdue;
- the indicators ordered by their distance from target (page_queries.worst_first): the three worst
  that miss it first and large, with their responsible departments, then the others as small tiles
  tinted by status, each number with its unit and target;
- the rank trend (全国 and 省内, one rank axis each) and the warnings first seen this month by type.

Every figure is an aggregate: leadership sees aggregates only. A tile drills to 监测指标; a
warning-type bar to 信用预警, for viewers who may open it."""

import streamlit as st

from dashboard.app import charts, page_queries, ui
from dashboard.core import formatting as fmt
from dashboard.core.scope import AGGREGATES_ONLY
from dashboard.core.settings import get_settings

ctx = ui.context()
month_text = fmt.fmt_month(ctx.as_of)
st.html(charts.tile_style(top_padding_rem=1.5))
st.title(f"城市信用监测总览 · {month_text}")

inputs = ui.cockpit_inputs(ctx.as_of)
scores, warnings = inputs["scores"], inputs["warnings"]
latest = page_queries.home_city_latest(scores)
tiles = ui.derived(page_queries.indicator_tiles, inputs["now"], inputs["before"])
ordered = ui.derived(page_queries.worst_first, tiles, ctx.departments)
worst, rest = page_queries.split_worst(ordered)
statuses = page_queries.status_counts(tiles)
statuses_before = page_queries.status_counts(inputs["before"])
overdue = warnings.total("n_overdue")

# ---- summary strip: one row of tiles of one shape ----------------------------------------------------
# tiles of a fixed least width that grow to fill a row and wrap on a narrower screen (all eight in
# one row at 1920 px; two rows at 1440)
strip = st.container(horizontal=True, gap="small")
STRIP_TILE_WIDTH, TILE_WIDTH = 165, 140
sla = get_settings().sla.action_working_days
result_month = "暂无全国城市信用监测结果" if latest is None else f"全国城市信用监测{fmt.fmt_month(latest['month'])}结果"


def strip_tile(status: str, name: str, label: str, value: str, help_text: str, **delta) -> None:
    with strip.container(key=charts.status_tile_key(status, name), width=STRIP_TILE_WIDTH, height="stretch"):
        st.metric(label, value, help=help_text, **delta)


if latest is None:
    for name, label in (("rank", "全国排名"), ("province", "省内排名"), ("score", "综合信用指数")):
        strip_tile("neutral", name, label, fmt.MISSING, result_month)
else:
    province = latest["rank_in_province"]
    strip_tile(
        "neutral",
        "rank",
        "全国排名",
        f"第{int(latest['rank'])}名",
        result_month,
        **page_queries.rank_delta(latest["rank_change"]),
    )
    strip_tile(
        "neutral",
        "province",
        "省内排名",
        fmt.MISSING if fmt.is_missing(province) else f"第{int(province)}名",
        result_month,
        **page_queries.rank_delta(latest["province_rank_change"]),
    )
    strip_tile(
        "neutral",
        "score",
        "综合信用指数",
        f"{latest['score']:.2f}",
        result_month,
        **ui.change_delta(latest["score_change"], fmt.COUNT, "higher"),
    )
for status, better in (("red", "lower"), ("amber", None), ("green", "higher")):
    change = ui.change_delta(statuses[status] - statuses_before[status], fmt.COUNT, better or "higher")
    strip_tile(
        status,
        "count",
        f"{charts.status_label(status)}指标",
        f"{statuses[status]}项",
        f"共{len(tiles)}项监测指标，{month_text}{charts.status_label(status)}的项数",
        **(change if better or not change else {**change, "delta_color": "off"}),  # more 临界 is neither
    )
strip_tile(
    "neutral", "open", "预警中", f"{fmt.fmt_count(warnings.total('n_open'))}条", f"{month_text}末仍成立的信用预警"
)
strip_tile(
    "red" if overdue else "green",
    "overdue",
    "超期未处置",
    f"{fmt.fmt_count(overdue)}条",
    f"预警中超过{sla}个工作日仍未处置的",
)

# ---- the three worst, then the rest ----------------------------------------------------------------
st.subheader("最需关注的三项指标")
if worst.empty:
    st.success("全部指标达到目标。")
for col, row in zip(st.columns(3), worst.itertuples()):
    with col.container(key=charts.status_tile_key(row.status, f"worst-{row.indicator_id}"), height="stretch"):
        st.metric(
            f"{charts.status_word(row.status)}　**{row.indicator_id} {row.name}**",
            fmt.fmt_value(row.value, row.unit),
            **ui.change_delta(row.change, row.unit, row.direction),
        )
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(
                f"目标 {charts.target_text(row.target, row.direction, row.unit)}　·　{row.gap_text}", width="stretch"
            )
            if st.button("查看详情", key=f"weak_{row.indicator_id}", icon=":material/arrow_forward:"):
                ui.goto("indicators", indicator=row.indicator_id)
        st.caption(f"责任单位：{row.responsible_names}")

st.subheader("其余指标（按距目标由远及近）")
grid = st.container(horizontal=True, gap="small")
for tile in rest.itertuples():
    with grid.container(
        key=charts.status_tile_key(tile.status, f"tile-{tile.indicator_id}"), width=TILE_WIDTH, height="stretch"
    ):
        if st.button(f"{tile.indicator_id} {tile.name}", key=f"tile_{tile.indicator_id}", type="tertiary"):
            ui.goto("indicators", indicator=tile.indicator_id)
        st.markdown(f"{charts.status_word(tile.status)}　**{fmt.fmt_value(tile.value, tile.unit)}**")
        st.caption(
            f"目标 {charts.target_text(tile.target, tile.direction, tile.unit)}  \n"
            f"较上月 {fmt.fmt_delta(tile.change, tile.unit) or fmt.MISSING}"
        )

# ---- rank trend and this month's warnings ------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    st.subheader("排名走势")
    if latest is None:
        st.caption("暂无全国城市信用监测结果。")
    else:
        ui.plot(charts.city_rank_trend(scores, height=340), key="i00_rank")
        with st.expander("综合信用指数与省内城市对比"):
            ui.plot(charts.city_score_trend(scores), key="i00_scores")
with right:
    st.subheader(f"本月新增预警 {fmt.fmt_count(warnings.n_opened)} 条")
    drill = "warnings" in ctx.allowed_pages
    event = ui.plot(
        charts.count_bar(warnings.opened, "warning_type", "type_name", "n_warnings", horizontal=True, unit="条"),
        key=f"opened_{fmt.month_param(ctx.as_of)}",
        selectable=drill,
    )
    st.caption("点击柱条查看该类预警清单。" if drill else AGGREGATES_ONLY)
    picked = charts.selected_key(event) if drill else None
    if picked:
        ui.goto("warnings", type=picked)
