"""监测指标: pick an indicator → its definition and source paragraph, its 24-month trend against
the target, its breakdown by responsible department and by district, and the list behind the
numerator or the gap. A department (bar or picker) narrows the list; a row opens the subject's
profile. Leadership sees aggregates only: no list (the query layer refuses it), the reason instead.
URL: indicator, department, district, month."""

import streamlit as st

from dashboard.app import charts, columns, page_queries, ui
from dashboard.core import formatting as fmt
from dashboard.core.scope import AGGREGATES_ONLY
from dashboard.core.settings import get_settings
from dashboard.rules import checklist, indicators

ctx = ui.context()
catalogue = ui.cached(indicators.indicator_catalogue, scoped=False, con=False).set_index("indicator_id")
ids = list(catalogue.index)
indicator = ui.select_param(
    "指标", ids, "indicator", default=ids[0], format_func=lambda i: f"{i} {catalogue.at[i, 'name']}"
)
meta = catalogue.loc[indicator]
unit, direction = meta["unit"], meta["direction"]

by_department = ui.cached(indicators.indicator_by_department, indicator, ctx.as_of)
department_codes = page_queries.department_choices(by_department, meta["responsible_departments"])
department = (
    ui.select_param(
        "责任单位",
        ["", *department_codes],
        "department",
        none_value="",
        format_func=lambda c: ctx.department_name(c) if c else "全部责任单位",
        disabled=not department_codes,
    )
    or None
)

ui.breadcrumbs(ui.trail("indicators"))
st.title(f"{indicator} {meta['name']}")

# ---- the figure at the as-of month ------------------------------------------------------------
now = ui.cached(indicators.indicators_at, ctx.as_of).set_index("indicator_id").loc[indicator]
# with a department chosen the headline is that department's row of the breakdown (or says it is the city's)
figure = page_queries.headline_figure(now, by_department, department)
whose = {"本单位": f"{ctx.department_name(department)}，", "全市": "全市，" if department else ""}[figure["level"]]
cols = st.columns(4)
cols[0].metric(f"实际值（{whose}{fmt.fmt_month(ctx.as_of)}）", fmt.fmt_value(figure["value"], unit), border=True)
cols[1].metric("目标", charts.target_text(figure["target"], direction, unit), border=True)
cols[2].metric("状态", charts.status_label(figure["status"]), border=True)
cols[3].metric(
    "分子 / 分母", f"{fmt.fmt_count(figure['numerator'])} / {fmt.fmt_count(figure['denominator'])}", border=True
)
if figure["level"] == "本单位":
    city = figure["city"]
    st.caption(
        f"以上为{ctx.department_name(department)}的数值。全市：{fmt.fmt_value(city['value'], unit)}"
        f"（{charts.status_label(city['status'])}，分子 / 分母 {fmt.fmt_count(city['numerator'])} / "
        f"{fmt.fmt_count(city['denominator'])}）；下方走势为全市数值。"
    )
elif department:
    st.info(f"{figure['why']}，以上为全市数值，不是{ctx.department_name(department)}的数值。")
st.markdown(f"**定义**：{meta['definition']}")
if indicator == "I04c" and (untimed := page_queries.untimed_records(ui.cached(indicators.indicators_at, ctx.as_of))):
    st.caption(f"另有 {fmt.fmt_count(untimed)} 条已上报记录没有上报时间（上报、入库或归集时间），不计入及时率。")
responsible = meta["responsible_departments"]
owners = "全部双公示单位" if "*" in responsible else "、".join(ctx.department_name(c) for c in responsible)
st.caption(f"依据：{meta['source']}（《城市信用状况监测预警指标（2022年版）》）　责任单位：{owners}")

# ---- trend -------------------------------------------------------------------------------------
months = get_settings().windows.trend_months
series = ui.cached(indicators.indicator_series, indicator, ctx.as_of, months=months)
ui.plot(charts.indicator_trend(series, unit, title=f"近{months}个月走势（虚线为目标值）"), key=f"trend_{indicator}")

# ---- breakdowns ----------------------------------------------------------------------------------
by_district = ui.cached(indicators.indicator_by_district, indicator, ctx.as_of)
left, right = st.columns(2)
with left:
    st.subheader("按责任单位")
    if by_department.empty:
        st.caption("该指标不按责任单位分解。")
    else:
        event = ui.plot(
            charts.breakdown_bar(by_department, "department_code", "department_name", unit, now["target"]),
            key=f"by_dep_{indicator}_{department}",
            selectable=True,
        )
        picked = charts.selected_key(event)
        if picked and picked != department:
            st.query_params["department"] = picked
            st.rerun()
        ui.table(
            by_department,
            columns.pick(
                "department_name",
                "value",
                "target",
                "status",
                "numerator",
                "denominator",
                **columns.indicator_values(unit),
            ),
            key=f"dep_table_{indicator}",
            title=f"{indicator}按责任单位",
            page_size=None,
        )
with right:
    st.subheader("按区县")
    if by_district.empty:
        st.caption("该指标不按区县分解。")
    else:
        event = ui.plot(
            charts.breakdown_bar(by_district, "district_code", "district_name", unit, now["target"]),
            key=f"by_district_{indicator}_{ctx.district}",
            selectable=True,
        )
        picked = charts.selected_key(event)
        if picked and picked != ctx.district:
            st.query_params["district"] = picked
            st.rerun()
        ui.table(
            by_district,
            columns.pick(
                "district_name", "value", "status", "numerator", "denominator", **columns.indicator_values(unit)
            ),
            key=f"district_table_{indicator}",
            title=f"{indicator}按区县",
            page_size=None,
        )

# ---- the list behind the number -----------------------------------------------------------------
where = "、".join(
    x
    for x in (
        ctx.department_name(department) if department else None,
        ctx.districts.get(ctx.district) if ctx.district else None,
    )
    if x
)
st.subheader(f"明细清单{f'（{where}）' if where else ''}")
if not ctx.scope.details:
    # leadership sees aggregates only: the query layer refuses the list, so the drill stops here
    st.info(AGGREGATES_ONLY, icon=":material/lock:")
else:
    detail = ui.cached(
        indicators.indicator_detail_rows, indicator, ctx.as_of, department_code=department, district_code=ctx.district
    )
    drill = "uscc" in detail.columns and "subject" in ctx.allowed_pages
    if drill:
        st.caption("点击一行打开该主体的主体画像。")
    row = ui.table(
        detail,
        columns.present(detail, **columns.indicator_values(unit)),
        key=f"detail_{indicator}",
        title=f"{indicator}{meta['name']}明细",
        selectable=drill,
        personal={"subject_name": "name", "party_id_no": "id_no"},
        person_flag="is_natural_person",
    )
    if row is not None and not fmt.is_missing(row.get("uscc")):
        ui.goto("subject", subject=row["uscc"], **{"from": "indicators"}, indicator=indicator, department=department)

# ---- work items (001 一, 六, 七, 九, 十一, 十三, 十六–二十) ----------------------------------------------
st.subheader("工作类指标清单")
st.caption("001 一、六、七、九、十一、十三、十六至二十为工作事项，不由数据计算：由市信用办登记进展和佐证。")
items = checklist.list_work_items(ctx.engine)
picked = ui.table(
    items,
    columns.pick(
        "seed_ref", "title", "owner_names", "frequency", "status", "evidence", "updated_by", "updated_at", status="进展"
    ),
    key="work_items",
    title="工作类指标清单",
    page_size=None,
    selectable=ctx.viewer.may("edit_checklist"),
)
if picked is not None:
    with st.form(f"work_item_{picked['item_id']}"):
        st.markdown(f"**{picked['seed_ref']} {picked['title']}**")
        status = st.selectbox(
            "进展", checklist.WORK_ITEM_STATUSES, index=checklist.WORK_ITEM_STATUSES.index(picked["status"])
        )
        evidence = st.text_area("佐证材料", value=picked["evidence"] or "", max_chars=1000)
        if st.form_submit_button("保存"):
            checklist.update_work_item(ctx.engine, picked["item_id"], status, evidence, ctx.viewer.username)
            ui.audit_once("settings_changed", {"work_item": picked["item_id"], "status": status})
            st.rerun()
