"""One warning's follow-up on screen, shared by 信用预警 and 本单位工作台 (docs/rules.md W-lifecycle):
the steps recorded so far, each with the display name of the user who recorded it, and the form
that records the next step in the operational store (dashboard.rules.followup.record_step),
audited as followup_recorded. After a save the cached follow-up results are cleared and the page
runs again, so a view 截至今日 shows the new state at once; the confirmation is shown by
`show_flash` at the top of the page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from dashboard.access import users
from dashboard.app import columns, page_queries, ui
from dashboard.core import formatting as fmt
from dashboard.rules import followup

FLASH = "_followup_flash"


def show_flash() -> None:
    """The confirmation of the step recorded by the run before (once)."""
    if message := st.session_state.pop(FLASH, None):
        st.success(message)


def steps_table(warning_id: str) -> None:
    """The warning's recorded steps, oldest first, with the recorder's display name."""
    ctx = ui.context()
    steps = page_queries.steps_with_recorders(
        followup.steps_for(ctx.engine, [warning_id]), users.display_names(ctx.engine)
    )
    ui.table(
        steps,
        columns.pick("step", "action_date", "note", "recorder_name", recorder_name="记录人"),
        key=f"steps_{warning_id}",
        title="处置记录",
        page_size=None,
        empty_text="尚无处置记录。",
        download=False,
    )


def record_form(warning: Mapping[str, Any]) -> None:
    """The form that records the next follow-up step of `warning` (a row of warning_status), for
    viewers with the record_followup grant: step, date (today by default, never later) and note."""
    ctx = ui.context()
    if not ctx.viewer.may("record_followup"):
        return
    warning_id = str(warning["warning_id"])
    today = ui.today()
    with st.form(f"step_{warning_id}", clear_on_submit=True):
        st.markdown("**记录处置环节**")
        step = st.selectbox("处置环节", followup.RECORDABLE_STEPS)
        action_date = st.date_input("处置日期", value=today, max_value=today, format="YYYY-MM-DD")
        note = st.text_area("处置说明", max_chars=500)
        if st.form_submit_button("保存"):
            followup.record_step(
                ctx.engine,
                warning_id,
                step,
                action_date,
                note.strip() or None,
                user=ctx.viewer.username,
                department_code=warning["department_code"],
            )
            ui.audit_once(
                "followup_recorded",
                {"warning_id": warning_id, "step": step, "action_date": action_date.isoformat()},
            )
            ui.clear_live_cache()
            st.session_state[FLASH] = f"已记录：{step}（{fmt.fmt_date_cn(action_date)}）"
            st.rerun()


def status_line(warning: Mapping[str, Any]) -> str:
    """The warning's follow-up in one line: its state, the step last recorded and the deadline."""
    latest = warning.get("latest_step")
    parts = [f"处置状态 {warning['status']}"]
    if isinstance(latest, str) and latest:
        parts.append(f"最近处置环节 {latest}")
    if not fmt.is_missing(warning.get("deadline_date")) and warning.get("holds"):
        parts.append(f"处置期限 {fmt.fmt_date(warning['deadline_date'])}")
    return "　".join(parts)
