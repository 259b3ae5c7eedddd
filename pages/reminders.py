"""提醒设置 (credit office and administrators): each department's responsible people (专人) and its
channels (企业微信 group robot, 钉钉 custom robot, e-mail list) with a 测试发送 button per channel,
and the delivery log of every reminder (sent / failed / retried with the channel's answer),
filterable and downloadable. Secrets are shown masked only. URL: department."""

import datetime as dt

import streamlit as st

from dashboard.access import audit, auth
from dashboard.app import exports, ui
from dashboard.app import reminders as rm

viewer = auth.require_viewer()
auth.require_page(viewer, "reminders")
engine = ui.operational_store()
names = rm.department_names()
codes = sorted(names)
FLASH = "_reminders_flash"

st.title("提醒设置")
if message := st.session_state.pop(FLASH, None):
    st.success(message)
setup_tab, log_tab = st.tabs(["联系人与渠道", "发送记录"])


def done(text: str) -> None:
    st.session_state[FLASH] = text
    st.rerun()


with setup_tab:
    department = ui.select_param(
        "责任单位", codes, "department", none_value=codes[0], format_func=lambda c: names.get(c, c)
    )
    name = names.get(department, department)

    st.subheader(f"{name} · 信用工作专人")
    st.dataframe(rm.contacts_table(engine, department), hide_index=True, key="reminder_contacts")
    with st.expander("新增专人"), st.form("reminder_add_contact", clear_on_submit=True):
        person = st.text_input("姓名")
        phone = st.text_input("联系电话")
        email = st.text_input("电子邮箱")
        if st.form_submit_button("保存专人"):
            try:
                rm.add_contact(engine, department, person, phone, email, viewer)
            except rm.ReminderSetupError as exc:
                st.error(str(exc))
            else:
                done(f"已新增 {name} 的专人")
    people = rm.contacts_table(engine, department)
    if not people.empty:
        with st.expander("删除专人"):
            chosen = st.selectbox(
                "专人",
                list(people["编号"]),
                format_func=lambda i: str(people.loc[people["编号"] == i, "姓名"].iloc[0]),
                key="reminder_contact_pick",
            )
            if st.button("删除该专人", key="reminder_contact_remove"):
                rm.remove_contact(engine, int(chosen), viewer)
                done("已删除专人")

    st.subheader(f"{name} · 提醒渠道")
    st.dataframe(rm.channels_table(engine, department), hide_index=True, key="reminder_channels")
    with st.expander("新增渠道"), st.form("reminder_add_channel", clear_on_submit=True):
        kind = st.selectbox("渠道类型", list(rm.CHANNEL_KINDS), format_func=lambda k: rm.CHANNEL_KINDS[k])
        label = st.text_input("名称（如：信用工作群）")
        webhook = st.text_input("机器人 Webhook 地址或其密钥（企业微信 key、钉钉 access_token 的值）", type="password")
        signing = st.text_input("钉钉加签密钥（SEC 开头）", type="password")
        recipients = st.text_area("收件人电子邮箱（电子邮件渠道，逗号或换行分隔）")
        if st.form_submit_button("保存渠道"):
            try:
                rm.save_channel(
                    engine,
                    department,
                    kind,
                    label,
                    viewer,
                    webhook=webhook,
                    signing_secret=signing,
                    recipients=recipients,
                )
            except rm.ReminderSetupError as exc:
                st.error(str(exc))
            else:
                done(f"已新增 {name} 的{rm.CHANNEL_KINDS[kind]}渠道")

    found = rm.channels(engine, department)
    if found:
        by_id = {c.channel_id: c for c in found}
        picked = st.selectbox(
            "选择渠道",
            list(by_id),
            format_func=lambda i: f"{by_id[i].label}（{rm.CHANNEL_KINDS[by_id[i].kind]}）",
            key="reminder_channel_pick",
        )
        chosen_channel = by_id[picked]
        test_col, toggle_col, remove_col = st.columns(3)
        if test_col.button("测试发送", key="reminder_test", icon=":material/send:"):
            try:
                delivered, answer = rm.send_test(engine, picked, viewer)
            except rm.ReminderSetupError as exc:
                st.error(str(exc))
            else:
                if delivered:
                    st.success(f"测试消息已发送：{answer}")
                else:
                    st.error(f"测试发送失败：{answer}")
        toggle = "停用" if chosen_channel.enabled else "启用"
        if toggle_col.button(toggle, key="reminder_toggle"):
            rm.save_channel(
                engine,
                department,
                chosen_channel.kind,
                chosen_channel.label,
                viewer,
                channel_id=picked,
                enabled=not chosen_channel.enabled,
                recipients=",".join(chosen_channel.recipients),
            )
            done(f"已{toggle}渠道 {chosen_channel.label}")
        if remove_col.button("删除渠道", key="reminder_channel_remove"):
            rm.remove_channel(engine, picked, viewer)
            done(f"已删除渠道 {chosen_channel.label}")
    st.caption(
        "机器人密钥加密保存（加密密钥由服务器环境配置），页面只显示末 4 位；发送规则见系统使用说明的“提醒”一节。"
    )

with log_tab:
    today = dt.datetime.now(rm.DISPLAY_TZ).date()
    cols = st.columns(5)
    log_department = cols[0].selectbox(
        "责任单位", ["", *codes], format_func=lambda c: names.get(c, c) if c else "全部", key="reminder_log_department"
    )
    rule = cols[1].selectbox(
        "提醒", ["", *rm.RULE_LABELS], format_func=lambda r: rm.RULE_LABELS.get(r, "全部"), key="reminder_log_rule"
    )
    outcome = cols[2].selectbox(
        "结果",
        ["", *rm.OUTCOME_LABELS],
        format_func=lambda o: rm.OUTCOME_LABELS.get(o, "全部"),
        key="reminder_log_outcome",
    )
    since = cols[3].date_input("起始日期", value=today - dt.timedelta(days=30), key="reminder_log_since")
    until = cols[4].date_input("截止日期", value=today, key="reminder_log_until")
    log = rm.delivery_log_table(
        engine,
        department_code=log_department or None,
        rule=rule or None,
        outcome=outcome or None,
        since=since,
        until=until,
    )
    st.caption(f"共 {len(log):,} 条发送记录")
    st.dataframe(log, hide_index=True, key="reminder_log")
    if not log.empty and viewer.may("export"):
        filters = {
            k: str(v)
            for k, v in (
                ("department", log_department),
                ("rule", rule),
                ("outcome", outcome),
                ("since", since),
                ("until", until),
            )
            if v
        }

        def on_build(kind: str, n_rows: int) -> None:
            audit.record(
                engine, viewer, "export", {"what": "提醒发送记录", "format": kind, "filters": filters}, rows=n_rows
            )

        download = exports.Download(
            key=f"reminder_log|{filters}|{len(log)}", frame=log, kinds={}, sheet_name="提醒发送记录", on_build=on_build
        )
        stem = exports.file_stem(f"提醒发送记录_{since:%Y%m%d}-{until:%Y%m%d}")
        ui.download_buttons(download, stem, "reminder_log")
