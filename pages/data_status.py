"""数据状态: how fresh the data is, what the last load did, rows per entity, the load history."""

import streamlit as st

from dashboard.app import app_data

st.title("数据状态")

live = app_data.live_snapshot()
history = app_data.recent_runs(limit=20)
last_load = next((r for r in history if r.kind == "load"), None)

if live is None:
    st.info(app_data.NO_DATA_MESSAGE)
else:
    st.subheader(f"数据截至 {app_data.snapshot_time_text(live)}（北京时间）")
    st.caption(f"当前快照：{live.snapshot_id}")
    if app_data.is_stale(live):
        st.warning("数据已较长时间未更新，请检查定时装载是否正常运行。")

if last_load is not None:
    st.subheader("最近一次装载")
    cols = st.columns(3)
    cols[0].metric("状态", last_load.status_label)
    cols[1].metric("开始时间", app_data.local_time_text(last_load.started_at))
    cols[2].metric("来源", last_load.source)
    if last_load.error:
        st.error(last_load.error)
    if last_load.notes:
        st.caption(last_load.notes)
    st.dataframe(app_data.run_entities_frame(last_load.run_id), hide_index=True)

if live is not None:
    st.subheader("各数据项记录数")
    st.dataframe(app_data.entity_rows_frame(live.snapshot_id), hide_index=True)

st.subheader("装载记录")
if history:
    st.dataframe(app_data.load_history_frame(history), hide_index=True)
else:
    st.caption("尚无装载记录。")
