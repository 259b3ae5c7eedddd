"""月度通报: the office's words of the month's 通报 (saved per month; numbers are never typed), the
生成 button that computes the month on the live snapshot and writes the 通报 (.docx, .pdf) and the
briefing deck (.pptx), and the files kept for the month, each version with its snapshot, who
generated it and when, offered for download. Saving, generation and every download are audited.
URL: month."""

import streamlit as st

from dashboard.access import audit
from dashboard.app import app_data, briefing_files, briefing_keep, ui
from dashboard.core import formatting as fmt
from dashboard.core.settings import get_settings
from dashboard.rules import briefing

ctx = ui.context()
st.title(f"月度通报 · {fmt.fmt_month(ctx.as_of)}")

# ---- the office's words, then generation ------------------------------------------------------
st.subheader("通报文字")
st.caption("通报中的数字均由系统按所选月份计算，不能手工填写；这里只填写文字部分，生成时使用最新保存的文字。")
saved = briefing.narrative_of(ctx.engine, ctx.as_of)
if ui.may("edit_briefing"):
    with st.form("briefing_narrative"):
        typed = {
            name: st.text_area(label, saved[name], key=f"narrative_{name}", max_chars=2000, height=120)
            for name, label in briefing.NARRATIVE_FIELDS.items()
        }
        if st.form_submit_button("保存文字", icon=":material/save:"):
            briefing.save_narrative(ctx.engine, ctx.as_of, typed, ctx.viewer.username)
            audit.record(
                ctx.engine,
                ctx.viewer,
                "briefing_narrative_saved",
                {"month": fmt.month_param(ctx.as_of), "fields": sorted(typed)},
            )
            if not typed["next_steps"].strip():
                st.warning("“下一步工作”为空：通报第五部分将显示“（无）”。")
            st.success("已保存。")
else:
    for name, label in briefing.NARRATIVE_FIELDS.items():
        st.markdown(f"**{label}**：{saved[name] or '（无）'}")

live = app_data.live_snapshot()
if st.button(
    f"生成{fmt.fmt_month(ctx.as_of)}通报与幻灯片",
    type="primary",
    icon=":material/description:",
    key="generate_briefing",
):
    if live is None:
        st.error("尚无已发布的数据快照，无法生成通报。")
    else:
        with st.spinner("正在按当前数据计算并生成通报（Word、PDF）和幻灯片…"):
            kept = briefing_keep.generate_and_keep(
                app_data.snapshot_cursor(live.snapshot_id),
                ctx.engine,
                ctx.as_of,
                get_settings(),
                live,
                ctx.viewer,
                publish=True,
            )
        st.success(
            f"已生成 {len(kept)} 个文件（数据快照 {live.snapshot_id}），见下方列表；“通报已印发”的提醒已排入发送队列，下次提醒运行时发出。"
        )

# ---- kept files --------------------------------------------------------------------------------
st.subheader("已生成的通报文件")
briefing_files.kept_files_section(ctx.viewer, ctx.as_of)
