"""本单位工作台: a department's landing page, scoped to the viewer's departments — what is new since
the last load (warnings holding at T that did not on the data before), what is overdue, what is
due this week (the action deadlines of the W-lifecycle), and its indicators that are red in the
department breakdowns. Every warning opens its follow-up right here (the steps so far and the form
that records the next one, dashboard.app.followup_panel) and links to 信用预警; every red indicator
links to its drill on 监测指标. Opens 截至今日 (T = today). URL: month, warning."""

import streamlit as st

from dashboard.app import columns, department_home, followup_panel, page_queries, ui
from dashboard.core import formatting as fmt
from dashboard.core.dates import local_time_text
from dashboard.rules import credit_warnings

ctx = ui.context()
TYPES = credit_warnings.WARNING_TYPES
inputs = department_home.home_inputs()
status = inputs.status
codes = ctx.scope.department_list if not ctx.scope.sees_all else None
one_department = codes[0] if codes is not None and len(codes) == 1 else None
week_end = page_queries.week_end(ctx.as_of)

fresh = ui.derived(page_queries.new_warnings, status, inputs.before, TYPES)
overdue = ui.derived(page_queries.overdue_warnings, status, TYPES)
due = ui.derived(page_queries.due_warnings, status, ctx.as_of, week_end, TYPES)
red = ui.derived(page_queries.red_indicators, inputs.catalogue, inputs.breakdowns, codes)
totals = page_queries.followup_totals(status)

whose = "、".join(ctx.department_name(c) for c in codes) if codes else "全部责任单位"
st.title("本单位工作台")
st.caption(f"{whose} · {ctx.period_text}")
followup_panel.show_flash()

cols = st.columns(4)
cols[0].metric("新增预警", fmt.fmt_count(len(fresh)), border=True, help="与上一次装载的数据相比新出现的预警")
cols[1].metric("超期未处置", fmt.fmt_count(len(overdue)), border=True)
cols[2].metric("本周到期", fmt.fmt_count(len(due)), border=True, help="尚未处置、处置期限在本周内的预警")
cols[3].metric("未达标指标", fmt.fmt_count(len(red)), border=True)
st.caption(
    f"预警中 {fmt.fmt_count(totals['n_open'])} 条，其中已处置 {fmt.fmt_count(totals['n_acted'])} 条、"
    f"超期未处置 {fmt.fmt_count(totals['n_overdue'])} 条。点击清单中的一行即可在本页记录处置。"
)

# a picked row opens that warning above the lists; the tables' keys carry the open warning, so
# that picking another row (in any list) starts from a clean selection
opened = ui.param("warning")
WARNING_COLUMNS = ("type_name", "subject_name", "deadline_date", "status", "latest_step", "first_seen_date", "reason")


def warning_list(frame, key: str, title: str, empty_text: str) -> None:
    names = ("department_name", *WARNING_COLUMNS) if codes is None or len(codes) > 1 else WARNING_COLUMNS
    row = ui.table(
        frame,
        columns.pick(*names, status="处置状态", latest_step="最近处置环节"),
        key=f"home_{key}_{opened}",
        title=title,
        selectable=True,
        page_size=10,
        empty_text=empty_text,
        download=False,  # the whole lists, with their downloads, are on 信用预警
    )
    if row is not None and row["warning_id"] != opened:
        st.query_params["warning"] = row["warning_id"]
        st.rerun()


# ---- the warning opened from a list: its follow-up -------------------------------------------------
if opened:
    found = page_queries.warning_detail(status, opened, TYPES)
    with st.container(border=True, key="home_followup"):
        if found is None:
            st.warning(f"该预警不在{ctx.period_text}的可见范围内（可能已解除或不属于本单位）。")
        else:
            st.subheader(f"{found['type_name']}：{found['subject_name']}")
            st.markdown(f"**预警原因**：{found['reason']}")
            st.caption(f"首次出现 {fmt.fmt_date(found['first_seen_date'])}　{followup_panel.status_line(found)}")
            followup_panel.steps_table(opened)
            followup_panel.record_form(found)
        links = st.container(horizontal=True, gap="small")
        if found is not None:
            ui.link(
                "warnings",
                "在信用预警中查看",
                container=links,
                warning=opened,
                department=found["department_code"],
                type=found["warning_type"],
            )
        if links.button("收起", key="home_close"):
            st.query_params.pop("warning", None)
            st.rerun()

# ---- new, overdue, due this week ------------------------------------------------------------------
st.subheader(f"新增预警（{fmt.fmt_count(len(fresh))} 条）")
if inputs.before is None:
    st.caption("没有上一次装载的数据可供比较。")
else:
    previous = local_time_text(inputs.previous_built_at)
    st.caption(f"与上一次装载（{previous}）的数据相比，{ctx.period_text}新出现的预警。")
    warning_list(fresh, "new", "新增预警", "本次装载没有新增预警。")

st.subheader(f"超期未处置（{fmt.fmt_count(len(overdue))} 条）")
warning_list(overdue, "overdue", "超期未处置预警", "没有超期未处置的预警。")
ui.link("warnings", "在信用预警中查看全部超期未处置预警", status="overdue", department=one_department)

st.subheader(f"本周到期（{fmt.fmt_date_cn(ctx.as_of)}至{fmt.fmt_date_cn(week_end)}，{fmt.fmt_count(len(due))} 条）")
warning_list(due, "due", "本周到期预警", "本周没有到期的预警。")
ui.link("warnings", "在信用预警中查看全部未超期未处置预警", status="waiting", department=one_department)

# ---- red indicators ------------------------------------------------------------------------------
st.subheader(f"未达标指标（{fmt.fmt_month(ctx.monthly_as_of)}，{fmt.fmt_count(len(red))} 项）")
if red.empty:
    st.caption("本单位负责的分解指标均已达标或无数据。")
else:
    st.caption("点击指标查看该指标在本单位的明细。")
    for row in red.itertuples():
        label = f"{row.indicator_id} {row.name}：{row.value_text}（目标 {row.target_text}）"
        if codes is None or len(codes) > 1:
            label = f"{row.department_name} · {label}"
        ui.link("indicators", label, indicator=row.indicator_id, department=row.department_code)
