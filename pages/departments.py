"""责任单位: a scorecard per department — the indicators it is responsible for, its 双公示 rates
(I04a–c), objection handling (I05), warnings open / overdue and time to first action — and the
ranking of departments for the monthly 通报 (001 九(三)), with its Excel download. Aggregates
only (the warnings through warning_summary), so leadership may open it: for them the drill stops
here — an indicator row opens 监测指标 without its detail list, warning types do not open.
URL: department, month."""

import streamlit as st

from dashboard.app import charts, columns, page_queries, ui
from dashboard.core import formatting as fmt
from dashboard.core.scope import AGGREGATES_ONLY
from dashboard.rules import credit_warnings, indicators, ranking

ctx = ui.context()
catalogue = ui.cached(indicators.indicator_catalogue, scoped=False, con=False)
by_department = ui.by_department(catalogue["indicator_id"], ctx.as_of)
summary = ui.warning_summary(ctx.as_of)
counts = summary.counts
ranking = ui.derived(ranking.ranking_of, catalogue, by_department, counts, summary.median_days, ctx.departments)
codes = [c for c in ranking["department_code"] if c] if not ranking.empty else []
department = (
    ui.select_param(
        "责任单位",
        ["", *codes],
        "department",
        none_value="",
        format_func=lambda c: ctx.department_name(c) if c else "请选择责任单位",
    )
    or None
)

ui.breadcrumbs(ui.trail("departments"))
st.title(f"责任单位 · {fmt.fmt_month(ctx.as_of)}")

# ---- one department's scorecard ------------------------------------------------------------------
if department:
    st.header(ctx.department_name(department))
    card = page_queries.department_indicators(
        ui.cached(indicators.indicators_at, ctx.as_of),
        by_department,
        department,
        page_queries.indicators_of(catalogue, department),
    )
    follow = page_queries.department_followup(counts, department, credit_warnings.WARNING_TYPES)
    rates = card.set_index("indicator_id")
    cols = st.columns(4)
    for col, (indicator, label) in zip(
        cols, (("I04a", "双公示上报率"), ("I04b", "双公示合规率"), ("I04c", "双公示及时率"), ("I05", "异议按时处理率"))
    ):
        value = rates.at[indicator, "value"] if indicator in rates.index else None
        state = rates.at[indicator, "status"] if indicator in rates.index else "none"
        col.metric(
            f"{indicator} {label}",
            fmt.fmt_pct(value),
            border=True,
            delta=charts.status_label(state),
            delta_arrow="off",
            delta_color="normal" if state == "green" else ("off" if state == "none" else "inverse"),
        )
    follow_totals = page_queries.department_warning_totals(summary, department)
    cols = st.columns(4)
    cols[0].metric("预警中", fmt.fmt_count(follow_totals["n_open"]), border=True)
    cols[1].metric("已处置", fmt.fmt_count(follow_totals["n_acted"]), border=True)
    cols[2].metric("超期未处置", fmt.fmt_count(follow_totals["n_overdue"]), border=True)
    cols[3].metric(
        "首次处置用时（中位数）",
        fmt.MISSING if fmt.is_missing(follow_totals["median_days"]) else f"{follow_totals['median_days']:.1f}个工作日",
        border=True,
    )

    st.subheader("负责的监测指标")
    st.caption("点击一行查看该指标在本单位的明细。" if ctx.scope.details else "点击一行查看该指标按责任单位的分解。")
    row = ui.table(
        card,
        columns.pick(
            "indicator_id",
            "name",
            "scope_level",
            "value_text",
            "target_text",
            "status",
            "numerator",
            "denominator",
            indicator_id="指标编号",
            name="指标名称",
            status=("状态", "status"),
        ),
        key=f"card_{department}",
        title=f"{ctx.department_name(department)}指标",
        selectable=True,
        page_size=None,
    )
    if row is not None:
        ui.goto("indicators", indicator=row["indicator_id"], department=department)

    st.subheader("信用预警处置")
    st.caption("点击一行查看该类预警清单。" if "warnings" in ctx.allowed_pages else AGGREGATES_ONLY)
    row = ui.table(
        follow,
        columns.pick(
            "type_name", "n_open", "n_acted", "n_overdue", "n_resolved", "median_working_days_to_first_action"
        ),
        key=f"follow_{department}",
        title=f"{ctx.department_name(department)}预警处置",
        selectable="warnings" in ctx.allowed_pages,
        page_size=None,
    )
    if row is not None:
        ui.goto("warnings", department=department, type=row["warning_type"])

# ---- ranking for the monthly briefing -------------------------------------------------------------
st.subheader(f"{fmt.fmt_month(ctx.as_of)}责任单位排名（月度通报）")
st.caption("排序：未达标指标数多者在前，其次超期未处置预警多者在前，再次双公示及时率低者在前。点击一行查看该单位。")
row = ui.table(
    ranking,
    columns.pick(
        "rank",
        "department_name",
        "n_indicators",
        "n_red",
        "n_amber",
        "i04a",
        "i04b",
        "i04c",
        "i05",
        "n_open",
        "n_overdue",
        "median_days_to_first_action",
        "lagging_on",
    ),
    key="ranking",
    title="责任单位月度通报排名",
    selectable=True,
    page_size=None,
)
if row is not None and row["department_code"] != department:
    st.query_params["department"] = row["department_code"]
    st.rerun()
