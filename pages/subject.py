"""主体画像: search the registry by name (contains, Chinese) or USCC, then one subject's credit
profile at the as-of month: identity, grade per department and its history, a timeline of
penalties (publicity, date it may apply for repair, repair status), licences (expiry), lists
(abnormal operations, executees, serious dishonest, campaigns), repairs, objections, commitments,
loans, tax grades, and the warnings it is in. Natural persons masked (P6); every profile viewed
is recorded in the audit log. URL: q, subject, month (and the drill path: from, indicator,
department, type)."""

import streamlit as st

from dashboard.app import charts, columns, page_queries, ui
from dashboard.app.exports import Col
from dashboard.core import formatting as fmt
from dashboard.core import glossary
from dashboard.rules import profile

ctx = ui.context()
SEARCH_LIMIT = 200

subject = ui.param("subject")
sections = ui.cached(profile.subject_profile, subject, ctx.as_of) if subject else None
identity = sections["identity"] if sections is not None else None
found_name = identity["name"].iloc[0] if identity is not None and not identity.empty else None
ui.breadcrumbs(ui.trail("subject", found_name or subject))
st.title(found_name or "主体画像")

with st.expander("检索主体", expanded=found_name is None, icon=":material/search:"):
    query = ui.text_param(
        "名称关键字、统一社会信用代码或法定代表人",
        "q",
        placeholder="例如：鹤岗市 工农区 或 91230400（多个关键字以空格分隔）",
    )
    if query:
        # one more than shown, to know that the list was cut
        results = ui.cached(profile.search_subjects, query, limit=SEARCH_LIMIT + 1)
        if (results["matched_by"] == "legal_rep").any():
            ui.audit_once(
                "subject_searched", {"by": "legal_rep", "rows": int((results["matched_by"] == "legal_rep").sum())}
            )
        if len(results) == 1 and results["uscc"].iloc[0] != subject and ui.param("opened") != query:
            # a single match opens its profile at once (once per search text: back stays possible)
            st.query_params["opened"] = query
            st.query_params["subject"] = results["uscc"].iloc[0]
            st.rerun()
        if len(results) > SEARCH_LIMIT:
            st.warning(
                f"匹配的主体超过 {SEARCH_LIMIT} 个，仅显示前 {SEARCH_LIMIT} 个（存续主体在前）。请增加关键字（以空格分隔）缩小范围。"
            )
        else:
            st.caption(f"共 {len(results)} 个匹配主体（存续主体在前）。点击一行查看{glossary.PROFILE}。")
        row = ui.table(
            results.head(SEARCH_LIMIT),
            columns.pick(
                "name",
                "uscc",
                "status",
                "district_name",
                "industry_name",
                "matched_by",
                name="主体名称",
                status="登记状态",
                matched_by=Col("匹配方式", labels=tuple(profile.MATCHED_BY_LABELS.items())),
            ),
            key=f"search_{query}",
            title="主体检索结果",
            selectable=True,
            page_size=20,
        )
        if row is not None and row["uscc"] != subject:
            st.query_params["subject"] = row["uscc"]
            st.rerun()

if not subject:
    st.info("请输入主体名称关键字或统一社会信用代码进行检索。")
    st.stop()
if found_name is None:
    st.warning(f"登记库中没有统一社会信用代码为 {subject} 的主体。")
    st.stop()

me = identity.iloc[0]
ui.audit_once("profile_viewed", {"uscc": subject, "month": fmt.month_param(ctx.as_of)})
st.caption(
    f"统一社会信用代码 {me['uscc']}　登记状态 {me['status']}　成立日期 {fmt.fmt_date(me['established_date'])}　"
    f"{me['district_name'] or '未填报区划'}　{me['industry_name'] or '未填报行业'}　"
    f"监管部门 {me['supervising_department_name'] or fmt.MISSING}　法定代表人 {me['legal_rep'] or fmt.MISSING}"
)
if len(identity) > 1:
    st.warning(f"该统一社会信用代码登记了 {len(identity)} 个名称（重码，I03）：" + "、".join(identity["name"]))
summary = page_queries.profile_summary(sections)
cols = st.columns(4)
cols[0].metric("公示中的行政处罚", fmt.fmt_count(summary["penalties_in_publicity"]), border=True)
cols[1].metric("在列名单", fmt.fmt_count(summary["active_lists"]), border=True)
cols[2].metric("有效行政许可", fmt.fmt_count(summary["valid_licenses"]), border=True)
cols[3].metric(f"信用预警（{fmt.fmt_month(ctx.as_of)}）", fmt.fmt_count(summary["warnings"]), border=True)

tabs = st.tabs(["信用等级", "行政处罚", "行政许可", "名单", "修复·异议·承诺", "信易贷", "纳税信用", "信用预警"])
name = me["name"]
with tabs[0]:
    st.markdown(f"**当前信用等级（各{glossary.DEPARTMENT}）**")
    ui.table(
        sections["grades"],
        columns.pick("department_name", "grade", "grade_source", "eval_date", "score"),
        key="grades",
        title=f"{name}信用等级",
        page_size=None,
        empty_text="暂无信用评价结果。",
    )
    st.markdown("**评价记录**")
    ui.table(
        sections["grade_history"],
        columns.pick("evaluator", "eval_date", "grade", "score"),
        key="grade_history",
        title=f"{name}评价记录",
        page_size=None,
        empty_text="暂无评价记录。",
    )
with tabs[1]:
    penalties = sections["penalties"]
    if not penalties.empty:
        ui.plot(charts.penalty_timeline(penalties, ctx.as_of, title="处罚公示时间轴"), key="penalty_timeline")
    ui.table(
        penalties,
        columns.pick(
            "decision_no",
            "decision_date",
            "department_name",
            "penalty_kinds",
            "severity_class",
            "fine_wan_yuan",
            "in_publicity",
            "publicity_end_date",
            "penalty_valid_to",
            "eligible_for_repair_date",
            "repair_status",
            "is_excluded_p7",
            "party_name",
            "party_id_no",
            "facts",
        ),
        key="penalties",
        title=f"{name}行政处罚",
        page_size=None,
        empty_text="暂无行政处罚记录。",
        personal={"party_name": "name", "party_id_no": "id_no"},
        person_flag="is_natural_person",
    )
with tabs[2]:
    ui.table(
        sections["licenses"],
        columns.pick(
            "license_no",
            "certificate",
            "license_kind",
            "department_name",
            "decision_date",
            "valid_from",
            "valid_to",
            "status",
            "expiry_status",
            "days_to_expiry",
        ),
        key="licenses",
        title=f"{name}行政许可",
        page_size=None,
        empty_text="暂无行政许可记录。",
    )
with tabs[3]:
    for key, label, cols_spec in (
        (
            "abnormal_operations",
            "经营异常名录",
            ("listed_date", "listed_reason", "removed_date", "removed_reason", "department_name", "is_active"),
        ),
        (
            "executees",
            "被执行人",
            ("case_no", "party_name", "court", "filed_date", "is_dishonest", "closed_date", "performance", "is_active"),
        ),
        (
            "serious_dishonest",
            "严重失信主体名单",
            ("list_name", "department_name", "listed_date", "removed_date", "removed_reason", "is_active"),
        ),
        ("campaign_lists", "专项治理名单", ("campaign", "department_name", "listed_date", "closed_date", "is_active")),
    ):
        st.markdown(f"**{label}**")
        ui.table(
            sections[key],
            columns.pick(*cols_spec),
            key=key,
            title=f"{name}{label}",
            page_size=None,
            empty_text=f"未列入{label}。",
            personal={"party_name": "name"} if key == "executees" else None,
            person_flag="is_natural_person",
        )
with tabs[4]:
    st.markdown("**信用修复**")
    ui.table(
        sections["repairs"],
        columns.pick(
            "repair_id", "record_type", "record_ref", "applied_date", "status_at", "decided_date", "department_name"
        ),
        key="repairs",
        title=f"{name}信用修复",
        page_size=None,
        empty_text="暂无信用修复申请。",
    )
    st.markdown("**异议处理**")
    ui.table(
        sections["objections"],
        columns.pick(
            "objection_id",
            "department_name",
            "received_date",
            "answered_date",
            "working_days_to_answer",
            "answered_within_sla",
            "outcome",
        ),
        key="objections",
        title=f"{name}异议处理",
        page_size=None,
        empty_text="暂无异议记录。",
    )
    st.markdown("**信用承诺**")
    ui.table(
        sections["commitments"],
        columns.pick("commitment_id", "kind", "department_name", "signed_date", "due_date", "fulfilment"),
        key="commitments",
        title=f"{name}信用承诺",
        page_size=None,
        empty_text="暂无信用承诺。",
    )
with tabs[5]:
    ui.table(
        sections["loans"],
        columns.pick("loan_id", "lender", "amount_wan_yuan", "due_date", "repaid_date", "buffer_days", "is_in_default"),
        key="loans",
        title=f"{name}信易贷",
        page_size=None,
        empty_text="暂无信易贷记录。",
    )
with tabs[6]:
    ui.table(
        sections["tax_credit"],
        columns.pick("year", "grade", "published_date", grade="纳税信用等级"),
        key="tax_credit",
        title=f"{name}纳税信用",
        page_size=None,
        empty_text="暂无纳税信用评价。",
    )
with tabs[7]:
    ui.table(
        sections["warnings"],
        columns.pick(
            "warning_type",
            "department_name",
            "reason",
            "anchor_records",
            "risk_level",
            "first_seen_date",
        ),
        key="warnings",
        title=f"{name}信用预警",
        page_size=None,
        empty_text="当前不在任何信用预警中。",
    )
