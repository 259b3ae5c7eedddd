"""数据质量: what was loaded and when, rows per entity, quarantined rows by reason with their
original values and a download for correction, P7-excluded penalties per department, records whose
USCC is not in the registry, and the I03 错码/重码 registry records. Lists of other departments'
records (quarantined originals) are shown to viewers of all departments only.
URL: entity, reason, month."""

import streamlit as st

from dashboard.app import columns, load_labels, ui
from dashboard.app.exports import Col
from dashboard.core import formatting as fmt
from dashboard.core import glossary
from dashboard.rules import quality

ctx = ui.context()
ui.breadcrumbs(ui.trail("data_quality"))
st.title("数据质量")

# ---- loads and rows -------------------------------------------------------------------------------
st.subheader("装载记录")
history = ui.cached(quality.load_history, live=True, con=False, scoped=False)
ui.table(
    history,
    columns.pick(
        "started_at",
        "kind_label",
        "source",
        "status_label",
        "seconds",
        "rows_read",
        "rows_accepted",
        "rows_quarantined",
        "rows_flagged",
        "rows_inserted",
        "rows_replaced",
        "rows_retired",
        "error",
        source=Col("来源", labels=load_labels.source_labels(history["source"])),
    ),
    key="load_history",
    title="装载记录",
    page_size=20,
    empty_text="尚无装载记录。",
)

st.subheader("各数据项记录数")
ui.table(
    ui.cached(quality.rows_per_entity, scoped=False),
    columns.pick("label", "n_current", "n_flagged", "n_replaced", "n_retired", "n_quarantined", "last_loaded_at"),
    key="rows_per_entity",
    title="各数据项记录数",
    page_size=None,
)

# ---- quarantine ------------------------------------------------------------------------------------
st.subheader("隔离数据（未能入库的行）")
summary = ui.cached(quality.quarantine_summary, scoped=False)
st.caption("点击一行查看该类隔离行的原始值，下载后更正再重新报送。")
row = ui.table(
    summary,
    columns.pick("entity_label", "message", "n_rows", "source", message="原因"),
    key="quarantine_summary",
    title="隔离数据汇总",
    selectable=True,
    page_size=None,
    empty_text="最近一次装载没有隔离行。",
)
if row is not None and (row["entity"], row["reason_code"]) != (ui.param("entity"), ui.param("reason")):
    st.query_params["entity"] = row["entity"]
    st.query_params["reason"] = row["reason_code"]
    st.rerun()
entity, reason = ui.param("entity"), ui.param("reason")
if entity:
    if ctx.scope.sees_all:
        rows = ui.cached(quality.quarantine_rows, entity=entity, reason_code=reason)
        ui.table(
            rows,
            columns.present(rows, exclude=("original", "run_id"))
            | {c: columns.Col(c) for c in rows.columns if c not in columns.LABELS},
            key=f"quarantine_{entity}_{reason}",
            title=f"隔离数据_{load_labels.entity_label(entity)}_{quality.reason_label(reason) if reason else '全部原因'}",
            empty_text="没有符合条件的隔离行。",
        )
    else:
        st.info(f"隔离行可能包含其他{glossary.DEPARTMENT}的原始记录，仅市信用办可查看和下载。")

# ---- P7, orphans, I03 --------------------------------------------------------------------------------
st.subheader(f"不纳入公共信用信息的行政处罚（P7，截至{fmt.fmt_month(ctx.as_of)}的近12个月）")
p7 = ui.cached(quality.p7_excluded_by_department, ctx.as_of)
ui.table(
    p7,
    columns.pick(
        "department_name",
        "n_penalties",
        "n_simple_procedure",
        "n_minor_first_offence",
        "n_excluded",
        "n_revoked",
        "excluded_share",
    ),
    key="p7",
    title="P7排除的行政处罚",
    page_size=None,
)

st.subheader("登记库中查无此代码的记录")
ui.table(
    ui.cached(quality.orphan_records, scoped=False),
    columns.pick("label", "n_records", "n_orphans", "n_orphan_usccs", "orphan_share"),
    key="orphans",
    title="登记库查无代码的记录",
    page_size=None,
)

st.subheader("统一社会信用代码错码、重码明细（I03）")
problems = ui.cached(quality.uscc_problems, scoped=False)
drill = "subject" in ctx.allowed_pages
row = ui.table(
    problems,
    columns.pick(
        "uscc",
        "name",
        "status",
        "problem",
        "n_names_on_uscc",
        "registering_authority_code",
        "department_name",
        name="主体名称",
        status="登记状态",
        department_name="登记管理部门",
    ),
    key="uscc_problems",
    title="I03错码重码明细",
    selectable=drill,
    empty_text="没有错码或重码记录。",
)
if row is not None:
    ui.goto("subject", subject=row["uscc"], **{"from": "data_quality"})
