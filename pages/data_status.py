"""数据状态: how fresh the data is, loads held for confirmation (the shrink guard), what the last load did,
what each file of it made of its headers (the onboarding view), rows per entity, the load history."""

import streamlit as st

from dashboard.app import app_data, load_labels, ui
from dashboard.core import glossary
from dashboard.rules import file_reports

st.title("数据状态")
show_ids = ui.may_in_frame("load")  # snapshot ids and source paths, on hover, for the administrator

live = app_data.live_snapshot()
history = app_data.recent_runs(limit=20)
last_load = next((r for r in history if r.kind == "load"), None)

if live is None:
    st.info(app_data.NO_DATA_MESSAGE)
else:
    # the live snapshot is named by the time it was built, its id only on hover for administrators
    st.subheader(
        f"数据截至 {app_data.snapshot_time_text(live)}（北京时间）",
        help=load_labels.ids_help(show_ids, live.snapshot_id, labels=("快照编号",)),
    )
    if app_data.is_stale(live):
        st.warning("数据已较长时间未更新，请检查定时装载是否正常运行。")

held_loads = app_data.held_loads()
for held in held_loads:
    st.subheader(
        f"待确认的{glossary.LOAD}：{load_labels.source_text(held.source)}",
        help=load_labels.ids_help(show_ids, held.source, labels=("来源（配置）",)),
    )
    st.warning(load_labels.held_text(held))
    st.dataframe(app_data.run_entities_frame(held.run_id), hide_index=True)
    if show_ids:  # the `load` grant: the administrator confirms
        if st.button("确认退役并重新装载", key=f"confirm_shrink_{held.run_id}", type="primary"):
            app_data.confirm_held_load(held, ui.context().viewer)
            st.success("已开始按确认重新装载该数据源（确认已记入审计日志），完成后刷新本页查看结果。")
    else:
        st.caption("如确属正常，请系统管理员在本页确认。")

if last_load is not None:
    st.subheader("最近一次装载")
    cols = st.columns(3)
    cols[0].metric("状态", last_load.status_label)
    cols[1].metric("开始时间", app_data.local_time_text(last_load.started_at))
    cols[2].metric(
        "来源",
        load_labels.source_text(last_load.source),
        help=load_labels.ids_help(
            show_ids, last_load.source, last_load.snapshot_id, labels=("来源（配置）", "快照编号")
        ),
    )
    if last_load.error and last_load not in held_loads:  # a held load is told above
        st.error(last_load.error)
    if last_load.notes:
        st.caption(last_load.notes)
    if last_load not in held_loads:  # a held load's entities are shown above
        st.dataframe(app_data.run_entities_frame(last_load.run_id), hide_index=True)

reported_load, reports = app_data.last_load_file_reports()
if reported_load is not None:
    st.subheader("文件与表头对照")
    st.caption(
        f"{app_data.local_time_text(reported_load.started_at)} 开始的装载（{load_labels.source_text(reported_load.source)}）"
        "逐个文件列出：表头对应到哪个字段、"
        "未识别的列、缺少的必填列和未装载的原因。据此修改数据源配置或重新导出后再装载。"
    )
    st.dataframe(file_reports.summary_frame(reports), hide_index=True)
    for report in reports:
        with st.expander(app_data.file_report_title(report), expanded=report.status != "ok"):
            lines = app_data.file_report_lines(report)
            if lines and report.status != "ok":  # why it was not loaded, first
                st.error(lines.pop(0))
            for line in lines:
                st.markdown(line)
            if report.headers or report.missing_required:
                st.dataframe(
                    file_reports.header_frame(report),
                    hide_index=True,
                    column_config={
                        "第几列": st.column_config.TextColumn(width="small"),
                        "说明": st.column_config.TextColumn(width="large"),
                    },
                )

if live is not None:
    st.subheader("各数据项记录数")
    st.dataframe(app_data.entity_rows_frame(live.snapshot_id), hide_index=True)

st.subheader("装载记录")
if history:
    st.dataframe(app_data.load_history_frame(history, ids=show_ids), hide_index=True)
else:
    st.caption("尚无装载记录。")
