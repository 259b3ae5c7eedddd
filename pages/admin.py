"""系统管理 (admin role only): user accounts, and the audit log — search, chain check, export
(004 §(五) 12 建立信息查询使用登记和审查制度)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from dashboard.access import audit, auth, users
from dashboard.app import exports, ui
from dashboard.core import glossary
from dashboard.core.dates import local_time_text

viewer = auth.require_viewer()
auth.require_page(viewer, "admin")
engine = ui.operational_store()
roles = users.load_roles()
department_names = users.department_names()

st.title("系统管理")
users_tab, audit_tab = st.tabs(["用户与权限", "审计日志"])


def role_text(user: users.UserRecord) -> str:
    label = roles[user.role].label if user.role in roles else user.role
    if user.departments:
        label += "：" + "、".join(department_names.get(c, c) for c in sorted(user.departments))
    return label


def show_secret_once() -> None:
    secret = st.session_state.pop("_admin_one_time", None)
    if secret:
        name, password = secret
        st.success(f"用户 {name} 的一次性密码（仅显示这一次，首次登录后须修改）：")
        st.code(password, language=None)


with users_tab:
    if auth.require_grant(viewer, "manage_users", "管理用户"):
        show_secret_once()
        notice = st.session_state.pop("_admin_notice", None)
        if notice:
            st.success(notice)
        records = users.list_users(engine)
        st.dataframe(
            pd.DataFrame(
                [
                    (
                        u.username,
                        u.display_name,
                        role_text(u),
                        "可查看" if u.personal_data else "脱敏",
                        "停用" if u.disabled else "正常",
                        "是" if u.is_demo else "",
                        u.email or "",
                        "是" if u.has_password else "否",
                        local_time_text(u.last_sign_in_at),
                    )
                    for u in records
                ],
                columns=["用户名", "姓名", "角色", "个人信息", "状态", "演示账号", "电子邮箱", "本地密码", "最近登录"],
            ),
            hide_index=True,
        )
        role_names = list(users.ROLE_NAMES)
        dept_codes = sorted(department_names)

        with st.expander("新增用户"), st.form("admin_add_user", clear_on_submit=True):
            username = st.text_input("新用户名")
            display_name = st.text_input("姓名或单位")
            role = st.selectbox("角色", role_names, format_func=lambda r: roles[r].label)
            departments = st.multiselect(
                f"所属{glossary.DEPARTMENT}（{glossary.DEPARTMENT}角色必填）",
                dept_codes,
                format_func=lambda c: department_names.get(c, c),
            )
            personal = st.checkbox("可查看未脱敏个人信息")
            email = st.text_input("电子邮箱（统一身份认证登录时匹配，可不填）")
            local = st.checkbox("设置本地密码（生成一次性密码）", value=True)
            if st.form_submit_button("新增"):
                try:
                    password = users.one_time_password() if local else None
                    created = users.add_user(
                        engine,
                        username,
                        role,
                        viewer,
                        display_name=display_name or None,
                        departments=departments,
                        personal_data=personal,
                        email=email or None,
                        password=password,
                    )
                except users.UserError as exc:
                    st.error(str(exc))
                else:
                    if password:
                        st.session_state["_admin_one_time"] = (created.username, password)
                    st.session_state["_admin_notice"] = f"已新增用户 {created.username}"
                    st.rerun()

        if records:
            names = [u.username for u in records]
            by_name = {u.username: u for u in records}
            with st.expander("修改角色与权限"), st.form("admin_set_role"):
                name = st.selectbox("用户", names, key="_admin_role_user")
                role = st.selectbox("新角色", role_names, format_func=lambda r: roles[r].label, key="_admin_role_role")
                departments = st.multiselect(
                    f"所属{glossary.DEPARTMENT}",
                    dept_codes,
                    format_func=lambda c: department_names.get(c, c),
                    key="_admin_role_deps",
                )
                personal = st.checkbox("可查看未脱敏个人信息", key="_admin_role_pd")
                if st.form_submit_button("保存"):
                    try:
                        users.set_role(engine, name, role, viewer, departments=departments, personal_data=personal)
                    except users.UserError as exc:
                        st.error(str(exc))
                    else:
                        st.session_state["_admin_notice"] = f"已修改用户 {name} 的角色与权限"
                        st.rerun()
            with st.expander("停用、启用与重置密码"):
                name = st.selectbox("用户", names, key="_admin_state_user")
                chosen = by_name[name]
                left, middle, right = st.columns(3)
                if chosen.disabled:
                    if left.button("启用", key="_admin_enable"):
                        users.set_disabled(engine, name, False, viewer)
                        st.session_state["_admin_notice"] = f"已启用用户 {name}"
                        st.rerun()
                elif name == viewer.username:
                    left.caption("不能停用当前登录的账号")
                elif left.button("停用", key="_admin_disable"):
                    users.set_disabled(engine, name, True, viewer)
                    st.session_state["_admin_notice"] = f"已停用用户 {name}"
                    st.rerun()
                if middle.button("重置密码", key="_admin_reset"):
                    try:
                        password = users.reset_password(engine, name, viewer)
                    except users.UserError as exc:
                        st.error(str(exc))
                    else:
                        st.session_state["_admin_one_time"] = (name, password)
                        st.rerun()
        st.caption(
            "也可在服务器上用命令行管理用户（新增、停用、启用、修改角色、重置密码、列出）："
            "运行 `python -m dashboard users --help` 查看用法。"
        )

with audit_tab:
    if auth.require_grant(viewer, "view_audit", "查看审计日志"):
        if st.button("校验审计日志完整性", key="_admin_verify"):
            problems = audit.verify(engine)
            if problems:
                st.error(f"审计日志校验未通过：发现 {len(problems)} 个问题")
                for p in problems:
                    st.markdown(f"- {p.message}")
            else:
                st.success(
                    "审计日志校验通过：签名链完整，与链外检查点（锚点文件、数据快照）一致，没有记录被修改或删除。"
                )
        today = dt.datetime.now(ZoneInfo(audit.DISPLAY_TZ_NAME)).date()
        cols = st.columns(4)
        who = cols[0].text_input("用户", key="_admin_audit_user").strip().lower() or None
        action = cols[1].selectbox(
            "操作",
            [""] + list(audit.ACTIONS),
            key="_admin_audit_action",
            format_func=lambda a: audit.ACTION_LABELS.get(a, "全部"),
        )
        since = cols[2].date_input("起始日期", value=today - dt.timedelta(days=30), key="_admin_audit_since")
        until = cols[3].date_input("截止日期", value=today, key="_admin_audit_until")
        found = audit.search(engine, user=who, action=action or None, since=since, until=until + dt.timedelta(days=1))
        table = audit.display_frame(found)
        limit = 500
        st.caption(f"共 {len(table):,} 条" + (f"，显示最新 {limit} 条；下载包含全部" if len(table) > limit else ""))
        st.dataframe(table.head(limit), hide_index=True)
        if not table.empty:
            filters = {
                k: str(v) for k, v in (("user", who), ("action", action), ("since", since), ("until", until)) if v
            }

            def on_build(kind: str, n_rows: int) -> None:
                audit.record(
                    engine, viewer, "export", {"what": "审计日志", "format": kind, "filters": filters}, rows=n_rows
                )

            download = exports.Download(
                key=f"audit|{found['id'].max()}|{filters}",
                frame=table,
                kinds={},
                sheet_name="审计日志",
                on_build=on_build,
            )
            stem = exports.file_stem(f"审计日志_{since:%Y%m%d}-{until:%Y%m%d}")
            ui.download_buttons(download, stem, "_admin_audit")
