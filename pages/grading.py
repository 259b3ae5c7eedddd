"""分级分类: grade distribution (G1, A–E) by department, industry or district; the spot-check plan
of a department (G3, 双随机、一公开) with its recorded seed and the drawn list for download; and the
department's graded subjects (district filter applies). URL: by, department, seed, district, month."""

import streamlit as st

from dashboard.app import charts, columns, page_queries, ui
from dashboard.core import formatting as fmt
from dashboard.core import glossary
from dashboard.rules import grading, reference

ctx = ui.context()
GROUPINGS = {"department": f"按{glossary.DEPARTMENT}", "industry": "按行业", "district": "按区县"}

ui.breadcrumbs(ui.trail("grading"))
st.title(f"分级分类 · {fmt.fmt_month(ctx.as_of)}")

# ---- grade distribution ----------------------------------------------------------------------------
by = ui.select_param("分组方式", list(GROUPINGS), "by", format_func=GROUPINGS.get, default="department")
distribution = ui.cached(grading.grade_distribution, ctx.as_of, by=by)
st.subheader(f"信用等级分布（{GROUPINGS[by]}）")
event = ui.plot(charts.grade_distribution(distribution), key=f"grades_{by}", selectable=by == "department")
picked = charts.selected_key(event)
if picked and picked != ui.param("department"):
    st.query_params["department"] = picked
    st.rerun()
ui.table(
    distribution,
    columns.pick("group_name", "grade", "n_subjects", group_name=GROUPINGS[by].removeprefix("按")),
    key=f"distribution_{by}",
    title=f"信用等级分布{GROUPINGS[by]}",
    page_size=None,
)

# ---- one department: spot-check plan and graded subjects -------------------------------------------
graders = ui.cached(reference.grading_departments, scoped=False)
department = (
    ui.select_param(
        glossary.DEPARTMENT,
        ["", *graders],
        "department",
        none_value="",
        format_func=lambda c: ctx.department_name(c) if c else f"请选择{glossary.DEPARTMENT}",
    )
    or None
)
if department:
    st.subheader(f"{ctx.department_name(department)}双随机抽查计划（G3）")
    seed = ui.int_param(
        "随机种子（公开后可复现抽取结果）",
        "seed",
        default=int(ctx.as_of.strftime("%Y%m")),
        min_value=0,
        max_value=2**31 - 1,
    )
    plan, drawn = ui.cached(grading.spotcheck_plan, department, ctx.as_of, seed)
    st.caption(
        f"随机种子 {seed}：同一种子、同一数据、同一比例可重现相同抽取结果。"
        "各信用等级的抽查比例见下表，由市信用办统一设定，信用等级越低抽查比例越高。"
    )
    ui.table(
        plan,
        columns.pick("grade", "n_subjects", "ratio", "n_drawn"),
        key=f"plan_{department}_{seed}",
        title=f"{ctx.department_name(department)}抽查计划_种子{seed}",
        page_size=None,
    )
    st.markdown("**抽取名单**")
    ui.table(
        drawn,
        columns.pick("draw_order", "uscc", "subject_name", "grade", "grade_source", "eval_date"),
        key=f"drawn_{department}_{seed}",
        title=f"{ctx.department_name(department)}抽查名单_种子{seed}",
        empty_text="本次未抽取主体。",
    )

    where = ctx.districts.get(ctx.district) if ctx.district else "全市"
    st.subheader(f"{ctx.department_name(department)}监管主体信用等级（{where}）")
    graded = page_queries.in_district(ui.cached(grading.grades_at, ctx.as_of, department_code=department), ctx.district)
    row = ui.table(
        graded,
        columns.pick("uscc", "subject_name", "grade", "grade_source", "eval_date", "score"),
        key=f"graded_{department}_{ctx.district}",
        title=f"{ctx.department_name(department)}主体信用等级",
        selectable="subject" in ctx.allowed_pages,
    )
    if row is not None:
        ui.goto("subject", subject=row["uscc"], **{"from": "grading"}, department=department)
