"""信用预警: warnings per department and type (W1–W5) with open / acted / overdue, the list of one
department and type with reasons, and one warning's follow-up: its steps so far, a form to record
the next step (date and note, stored in the operational store), and for W1b the filled-in
行政处罚信用修复告知书. URL: department, type, status, warning, month."""

import datetime as dt

import streamlit as st

from dashboard.app import charts, columns, documents, page_queries, reminders, ui
from dashboard.core import formatting as fmt
from dashboard.rules import credit_warnings, followup, reference

ctx = ui.context()
FLASH = "_warnings_flash"
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
st.title(f"信用预警 · {fmt.fmt_month(ctx.as_of)}")
if message := st.session_state.pop(FLASH, None):
    st.success(message)
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
st.subheader("各责任单位预警处置情况")
totals = page_queries.warning_totals(overview)
cols = st.columns(3)
cols[0].metric("预警中", fmt.fmt_count(totals["n_open"]), border=True)
cols[1].metric("已处置", fmt.fmt_count(totals["n_acted"]), border=True)
cols[2].metric("超期未处置", fmt.fmt_count(totals["n_overdue"]), border=True)
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
        "deadline_date",
        "first_action_date",
        "is_overdue",
        status="处置状态",
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
        st.warning("该预警不在当前月份的可见范围内（可能已解除或不属于本单位）。")
    else:
        with st.container(border=True):
            st.subheader(f"{found['type_name']}：{found['subject_name']}")
            st.markdown(f"**预警原因**：{found['reason']}")
            st.caption(
                f"预警编号 {warning_id}　责任单位 {found['department_name']}　"
                f"首次出现 {fmt.fmt_date(found['first_seen_date'])}　处置状态 {found['status']}"
            )
            steps = followup.steps_for(ctx.engine, [warning_id])
            ui.table(
                steps,
                columns.pick("step", "action_date", "note", "user_name"),
                key=f"steps_{warning_id}",
                title="处置记录",
                page_size=None,
                empty_text="尚无处置记录。",
                download=False,
            )
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
            if ctx.viewer.may("record_followup"):
                with st.form(f"step_{warning_id}", clear_on_submit=True):
                    st.markdown("**记录处置环节**")
                    step = st.selectbox("处置环节", followup.RECORDABLE_STEPS)
                    action_date = st.date_input(
                        "处置日期", value=dt.date.today(), max_value=dt.date.today(), format="YYYY-MM-DD"
                    )
                    note = st.text_area("处置说明", max_chars=500)
                    if st.form_submit_button("保存"):
                        followup.record_step(
                            ctx.engine,
                            warning_id,
                            step,
                            action_date,
                            note.strip() or None,
                            user=ctx.viewer.username,
                            department_code=found["department_code"],
                        )
                        ui.audit_once(
                            "followup_recorded",
                            {"warning_id": warning_id, "step": step, "action_date": action_date.isoformat()},
                        )
                        ui.clear_live_cache()
                        st.session_state[FLASH] = f"已记录：{step}（{fmt.fmt_date_cn(action_date)}）"
                        st.rerun()
