"""信用预警: warnings per department and type (W1–W5) with open / acted / overdue — the tiles are
those of the chosen department and type, with the total of all beside them —, the list of one
department and type with reasons and each warning's one follow-up state, and one warning's
follow-up: its steps so far, a form to record the next step (dashboard.app.followup_panel), and for
W1b the filled-in 行政处罚信用修复告知书. 统计月份 offers 截至今日 (T = today): a step recorded today
changes 已处置 / 超期 at once. URL: department, type, status, warning, month."""

import streamlit as st

from dashboard.app import charts, columns, documents, followup_panel, page_queries, reminders, ui
from dashboard.core import formatting as fmt
from dashboard.rules import credit_warnings, followup, reference

ctx = ui.context()
TYPES = credit_warnings.WARNING_TYPES

status = ui.cached(followup.warning_status, ctx.as_of, live=True)
counts = ui.derived(followup.counts_from_status, status, ui.cached(reference.department_short_names, scoped=False))
overview = ui.derived(page_queries.overview_of, counts)
codes = [c for c in overview["department_code"] if c] if not overview.empty else []
if not ctx.scope.sees_all:
    codes = sorted(set(codes) | set(ctx.scope.department_list))
left, middle, right = st.columns(3)
department = (
    ui.select_param(
        "责任单位",
        ["", *codes],
        "department",
        none_value="",
        container=left,
        format_func=lambda c: ctx.department_name(c) if c else "全部责任单位",
    )
    or None
)
wtype = (
    ui.select_param(
        "预警类型",
        ["", *TYPES],
        "type",
        none_value="",
        container=middle,
        format_func=lambda t: f"{t} {TYPES[t]}" if t else "全部类型",
    )
    or None
)
state = (
    ui.select_param(
        "处置状态",
        ["", *page_queries.WARNING_STATES],
        "status",
        none_value="",
        container=right,
        format_func=lambda s: page_queries.WARNING_STATES.get(s, "全部（预警中）"),
    )
    or None
)

ui.breadcrumbs(ui.trail("warnings"))
st.title(f"信用预警 · {ctx.period_text}")
if ctx.is_today:
    st.caption("截至今日：按今天的数据与处置记录计算，今天记录的处置立即计入已处置。")
followup_panel.show_flash()
if not ctx.scope.sees_all:  # a department's recent reminders (企业微信 / 钉钉 / e-mail, dashboard.notify)
    with st.expander("最近的提醒", icon=":material/campaign:"):
        recent = reminders.recent_reminders_for(ctx.engine, ctx.scope.department_list)
        if recent.empty:
            st.caption("本单位尚未收到提醒。")
        else:
            st.dataframe(
                recent,
                hide_index=True,
                key="recent_reminders",
                column_config={"链接": st.column_config.LinkColumn("链接", display_text="打开")},
            )

# ---- per department: open / acted / overdue -------------------------------------------------------
chosen = "、".join(
    x for x in (ctx.department_name(department) if department else None, TYPES.get(wtype) if wtype else None) if x
)
st.subheader(f"预警处置情况（{chosen}）" if chosen else "各责任单位预警处置情况")
tiles = page_queries.warning_tiles(counts, department, wtype)
shown = tiles["shown"]
cols = st.columns(3)
cols[0].metric("预警中", fmt.fmt_count(shown["n_open"]), border=True)
cols[1].metric("已处置", fmt.fmt_count(shown["n_acted"]), border=True)
cols[2].metric("超期未处置", fmt.fmt_count(shown["n_overdue"]), border=True)
if chosen:
    every = tiles["all"]
    st.caption(
        f"以上为{chosen}的预警。{'全部责任单位' if ctx.scope.sees_all else '本单位全部'}合计：预警中 "
        f"{fmt.fmt_count(every['n_open'])} 条，已处置 {fmt.fmt_count(every['n_acted'])} 条，"
        f"超期未处置 {fmt.fmt_count(every['n_overdue'])} 条。"
    )
event = ui.plot(
    charts.stacked_counts(
        overview,
        "department_code",
        "department_name",
        {
            "n_acted": ("已处置", charts.STATUS_COLOURS["green"]),
            "n_waiting": ("未处置（未超期）", charts.STATUS_COLOURS["amber"]),
            "n_overdue": ("超期未处置", charts.STATUS_COLOURS["red"]),
        },
    ),
    key=f"overview_{department}",
    selectable=True,
)
picked = charts.selected_key(event)
if picked and picked != department:
    st.query_params["department"] = picked
    st.rerun()

row = ui.table(
    page_queries.warning_counts_of(counts, TYPES, department, wtype),
    columns.pick(
        "department_name",
        "type_name",
        "n_open",
        "n_acted",
        "n_overdue",
        "n_resolved",
        "median_working_days_to_first_action",
    ),
    key=f"counts_{department}_{wtype}",
    title="预警处置统计",
    selectable=True,
    page_size=None,
)
if row is not None and (row["department_code"] != department or row["warning_type"] != wtype):
    st.query_params["department"] = row["department_code"]
    st.query_params["type"] = row["warning_type"]
    st.rerun()

# ---- the list -----------------------------------------------------------------------------------
heading = "、".join(
    x for x in (ctx.department_name(department) if department else None, TYPES.get(wtype) if wtype else None) if x
)
st.subheader(f"预警清单{f'（{heading}）' if heading else ''}")
listed = ui.derived(page_queries.warning_list_of, status, TYPES, state, wtype, department)
st.caption("点击一行查看预警详情并记录处置。")
picked_row = ui.table(
    listed,
    columns.pick(
        "type_name",
        "subject_name",
        "uscc",
        "party_id_masked",
        "department_name",
        "reason",
        "anchor_records",
        "risk_level",
        "escalated",
        "first_seen_month",
        "status",
        "latest_step",
        "deadline_date",
        "first_action_date",
        status="处置状态",
        latest_step="最近处置环节",
    ),
    key=f"list_{department}_{wtype}_{state}",
    title="信用预警清单",
    selectable=True,
)
if picked_row is not None and picked_row["warning_id"] != ui.param("warning"):
    st.query_params["warning"] = picked_row["warning_id"]
    st.rerun()

# ---- one warning: follow-up ---------------------------------------------------------------------
warning_id = ui.param("warning")
if warning_id:
    found = page_queries.warning_detail(status, warning_id, TYPES)
    if found is None:
        st.warning(f"该预警不在{ctx.period_text}的可见范围内（可能已解除或不属于本单位）。")
    else:
        with st.container(border=True):
            st.subheader(f"{found['type_name']}：{found['subject_name']}")
            st.markdown(f"**预警原因**：{found['reason']}")
            st.caption(
                f"预警编号 {warning_id}　责任单位 {found['department_name']}　"
                f"首次出现 {fmt.fmt_date(found['first_seen_date'])}　{followup_panel.status_line(found)}"
            )
            followup_panel.steps_table(warning_id)
            links = st.columns(3)
            if (
                found.get("uscc")
                and "subject" in ctx.allowed_pages
                and links[0].button("查看主体画像", key="to_subject")
            ):
                ui.goto("subject", subject=found["uscc"], **{"from": "warnings"}, department=department, type=wtype)
            if found["warning_type"] == "W1b":
                ui.file_download(
                    "下载信用修复告知书",
                    ui.deferred(documents.repair_notice_docx, warning_id),
                    file_name=f"行政处罚信用修复告知书_{found['subject_name']}.docx",
                    mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    key=f"notice_{warning_id}",
                    what="行政处罚信用修复告知书",
                    container=links[1],
                )
            followup_panel.record_form(found)
