"""月度反馈: the monthly feedback of rule N0 (001 九(二): 每月20日前反馈到市信用办). A department fills in
and submits its own report for the month; the credit office sees the board of who submitted on
time, late or not at all (Excel download), reads each report with its history and returns it for
correction or confirms it. A department sees only its own reports. URL: month, department."""

import streamlit as st

from dashboard.access import users
from dashboard.app import columns, feedback_forms, ui
from dashboard.core import formatting as fmt
from dashboard.rules import credit_warnings, feedback, followup, indicators

ctx = ui.context()
engine = ctx.engine
catalogue = ui.cached(indicators.indicator_catalogue, scoped=False, con=False)
names = dict(zip(catalogue["indicator_id"], catalogue["name"]))
counts = ui.cached(followup.warning_counts, ctx.as_of, live=True)
owing = feedback.departments_owing(counts)
board = feedback.feedback_board(engine, ctx.as_of, owing, scope=ctx.scope)
may_submit, may_review = ui.may("submit_feedback"), ui.may("review_feedback")
due = feedback.due_date(ctx.as_of)

st.title(f"月度工作反馈 · {fmt.fmt_month(ctx.as_of)}")
notice = st.session_state.pop("_feedback_notice", None)
if notice:
    st.success(notice)
st.caption(
    f"各责任单位应于 {fmt.fmt_date_cn(due)} 前（次月{due.day}日，遇节假日不顺延）向市信用办反馈本月工作成果和存在的问题"
    "（001 九(二)）。按首次提交时间判断是否按时；退回修改后再次提交不影响按时认定。"
)

if ctx.scope.sees_all:
    codes = list(board["department_code"])
else:
    codes = sorted(ctx.scope.departments or ())
department = (
    ui.select_param(
        "责任单位",
        ["", *codes] if ctx.scope.sees_all else codes,
        "department",
        none_value="" if ctx.scope.sees_all else None,
        format_func=lambda c: ctx.department_name(c) if c else "请选择责任单位",
    )
    or None
)

# ---- the office's board --------------------------------------------------------------------------
if ctx.scope.sees_all:
    totals = feedback_forms.board_totals(board)
    cols = st.columns(5)
    cols[0].metric("应反馈单位", fmt.fmt_count(totals["n_departments"]), border=True)
    cols[1].metric("按时报送", fmt.fmt_count(totals[feedback.ON_TIME]), border=True)
    cols[2].metric("逾期报送", fmt.fmt_count(totals[feedback.LATE]), border=True)
    cols[3].metric("逾期未报 / 未报送", fmt.fmt_count(totals[feedback.OVERDUE] + totals[feedback.MISSING]), border=True)
    cols[4].metric("未到期未报", fmt.fmt_count(totals[feedback.PENDING]), border=True)
    st.subheader("反馈情况")
    st.caption("点击一行查看该单位的反馈。")
    row = ui.table(
        feedback_forms.board_view(board, users.display_names(engine)),
        columns.pick(
            "department_name",
            "status",
            "timeliness",
            "due_date",
            "first_submitted_date",
            "days_late",
            "updated_by",
            "updated_at",
            status="反馈状态",
            timeliness="报送情况",
            due_date=("截止日期", "date"),
            first_submitted_date=("首次提交日期", "date"),
            days_late=("逾期天数", "count"),
            updated_by="最后操作人",
            updated_at="最后操作时间",
        ),
        key="feedback_board",
        title="月度工作反馈情况",
        selectable=True,
        page_size=None,
    )
    if row is not None and row["department_code"] != department:
        st.query_params["department"] = row["department_code"]
        st.rerun()

if not department:
    if not ctx.scope.sees_all:
        st.info("当前账号未绑定责任单位，请联系市信用办。")
    st.stop()

# ---- one department's report ---------------------------------------------------------------------
report = feedback.report_of(engine, department, ctx.as_of, ctx.scope)
status = report["status"] if report else feedback.NOT_STARTED
mine = board[board["department_code"] == department]
state = mine["timeliness"].iloc[0] if not mine.empty else feedback.timeliness(ctx.as_of, None, feedback.today_local())
st.header(f"{ctx.department_name(department)} · {fmt.fmt_month(ctx.as_of)}工作反馈")
cols = st.columns(3)
cols[0].metric("反馈状态", status, border=True)
cols[1].metric("报送情况", state, border=True)
cols[2].metric("截止日期", fmt.fmt_date(due), border=True)
if report and report["status"] == feedback.RETURNED and report.get("comment"):
    st.warning(f"市信用办退回修改：{report['comment']}")
if report and report["status"] == feedback.CONFIRMED:
    st.success("市信用办已确认本月反馈。" + (f"（{report['comment']}）" if report.get("comment") else ""))

editable = may_submit and status in (feedback.NOT_STARTED, feedback.DRAFT, feedback.RETURNED)
content = feedback_forms.form_content(report, feedback.indicators_owned(department), counts, department)
in_force = feedback_forms.open_counts(counts, department)

if editable:
    key = f"fb_{department}_{fmt.month_param(ctx.as_of)}"
    with st.form(key):
        st.subheader("一、负责指标推进情况")
        indicator_rows = []
        for r in content["indicators"]:
            st.markdown(f"**{r['indicator_id']} {names.get(r['indicator_id'], '')}**")
            c1, c2 = st.columns(2)
            done = c1.text_area("本月完成情况", value=r["done"], key=f"{key}_done_{r['indicator_id']}", height=80)
            blockers = c2.text_area("存在困难", value=r["blockers"], key=f"{key}_block_{r['indicator_id']}", height=80)
            indicator_rows.append({"indicator_id": r["indicator_id"], "done": done, "blockers": blockers})
        if not content["indicators"]:
            st.caption("本单位没有负责的监测指标。")
        st.subheader("二、预警处置情况")
        warning_rows = []
        for r in content["warnings"]:
            n_open, n_acted = in_force.get(r["warning_type"], (0, 0))
            st.markdown(
                f"**{credit_warnings.WARNING_TYPES.get(r['warning_type'], r['warning_type'])}**"
                f"　预警中 {fmt.fmt_count(n_open)} 条，系统已记录处置 {fmt.fmt_count(n_acted)} 条"
            )
            c1, c2 = st.columns([1, 3])
            handled = c1.number_input(
                "已处置（条）", min_value=0, step=1, value=int(r["n_handled"]), key=f"{key}_n_{r['warning_type']}"
            )
            how = c2.text_input("处置方式", value=r["how"], key=f"{key}_how_{r['warning_type']}")
            warning_rows.append({"warning_type": r["warning_type"], "n_handled": handled, "how": how})
        if not content["warnings"]:
            st.caption("本月没有推送给本单位的预警。")
        st.subheader("三、存在问题和下一步工作")
        problems = st.text_area("存在问题", value=content["problems"], key=f"{key}_problems")
        next_steps = st.text_area("下一步工作", value=content["next_steps"], key=f"{key}_next")
        c1, c2 = st.columns(2)
        save = c1.form_submit_button("保存草稿", icon=":material/save:")
        send = c2.form_submit_button("提交市信用办", type="primary", icon=":material/send:")
    if save or send:
        filled = {
            "indicators": indicator_rows,
            "warnings": warning_rows,
            "problems": problems,
            "next_steps": next_steps,
        }
        try:
            feedback_forms.save_or_submit(engine, ctx.viewer, department, ctx.as_of, filled, submit=bool(send))
        except (ValueError, PermissionError) as exc:
            if send:  # keep what was typed: a refused submission is saved as a draft
                try:
                    feedback_forms.save_or_submit(engine, ctx.viewer, department, ctx.as_of, filled, submit=False)
                    st.error(f"{exc}（已保存为草稿）")
                except (ValueError, PermissionError) as again:
                    st.error(str(again))
            else:
                st.error(str(exc))
        else:
            st.session_state["_feedback_notice"] = "已提交市信用办。" if send else "草稿已保存。"
            st.rerun()
else:
    if report is None:
        st.info("该单位本月尚未填报。")
    else:
        st.subheader("一、负责指标推进情况")
        ui.table(
            feedback_forms.indicator_rows(report["content"], names),
            columns.pick("indicator_id", "name", done="本月完成情况", blockers="存在困难", name="指标名称"),
            key=f"fb_ind_{department}",
            title=f"{ctx.department_name(department)}月度反馈指标",
            page_size=None,
            download=False,
            empty_text="未填写。",
        )
        st.subheader("二、预警处置情况")
        ui.table(
            feedback_forms.warning_rows(report["content"]),
            columns.pick("type_name", n_handled=("已处置（条）", "count"), how="处置方式"),
            key=f"fb_warn_{department}",
            title=f"{ctx.department_name(department)}月度反馈预警",
            page_size=None,
            download=False,
            empty_text="未填写。",
        )
        st.subheader("三、存在问题和下一步工作")
        st.markdown(f"**存在问题：** {report['content'].get('problems') or '未填写'}")
        st.markdown(f"**下一步工作：** {report['content'].get('next_steps') or '未填写'}")

# ---- the office's review -------------------------------------------------------------------------
if may_review and status == feedback.SUBMITTED:
    st.subheader("审核")
    reason = st.text_input("退回原因（退回时必填）", key=f"fb_reason_{department}")
    c1, c2 = st.columns(2)
    if c1.button("确认", type="primary", key=f"fb_confirm_{department}", icon=":material/check:"):
        try:
            feedback_forms.review(engine, ctx.viewer, department, ctx.as_of, "confirm")
        except (ValueError, PermissionError) as exc:
            st.error(str(exc))
        else:
            st.session_state["_feedback_notice"] = "已确认。"
            st.rerun()
    if c2.button("退回修改", key=f"fb_return_{department}", icon=":material/undo:"):
        try:
            feedback_forms.review(engine, ctx.viewer, department, ctx.as_of, "return", reason)
        except (ValueError, PermissionError) as exc:
            st.error(str(exc))
        else:
            st.session_state["_feedback_notice"] = "已退回。"
            st.rerun()

if report is not None:
    with st.expander("修改记录"):
        ui.table(
            feedback_forms.history_view(feedback.history(engine, department, ctx.as_of, ctx.scope)),
            columns.pick("status", "user_name", "at", "comment", user_name="操作人", at="时间", comment="说明"),
            key=f"fb_hist_{department}",
            title=f"{ctx.department_name(department)}月度反馈修改记录",
            page_size=None,
            download=False,
        )
