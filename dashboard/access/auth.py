"""Sign-in and the viewer, on the Streamlit side (004 §(五) 12–13; 003 §五(三); 001 (七)).

`require_viewer()` is called once per script run by the app frame (and may be called again by a
page): it returns the signed-in Viewer, or renders the sign-in screen and stops the run. Identity
comes from a local account (form: 用户名 / 密码 / 登录) or, when `.streamlit/secrets.toml` has an
[auth] section, from OIDC through st.login, mapped to a local user by subject or e-mail claim. An
identity with no local user gets no role: nothing but "未授权".

The Viewer carries the role's pages and grants (roles.toml) and the access Scope that every query
function filters by; pages never widen it (requested_scope), and a refused request is logged.

A password sign-in opens a session record (dashboard.access.sessions) and the page exchanges a
one-time ticket for an HttpOnly cookie naming it (`session_cookie_bridge`, run by the frame), so a
reload or a new tab of the same browser resumes the session (audit: session_resumed, once per
Streamlit session) until it is signed out, disabled, idle or past its lifetime. A session put into
st.session_state without a record (AppTest, OIDC) lasts for the Streamlit session, as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard.access import audit, sessions, users
from dashboard.core.dates import local_time_text
from dashboard.core.scope import Scope
from dashboard.core.settings import get_settings
from dashboard.store.opstore import get_engine

SESSION_KEY = "_auth_session"
_NOTICE_KEY = "_auth_notice"
_LOGGED_KEY = "_auth_logged"
OIDC_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as pages and query functions see them."""

    username: str
    display_name: str
    role: str  # leader | office | department | admin
    departments: frozenset[str]
    personal_data: bool
    allowed_pages: frozenset[str]
    grants: frozenset[str]
    role_label: str = ""
    method: str = "password"  # password | oidc
    details: bool = False  # the role's `details` (roles.toml); False (deny by default): aggregates only

    @property
    def sees_all(self) -> bool:
        return self.role != "department"

    @property
    def scope(self) -> Scope:
        """Leader/office/admin: every department; department: its own codes. Deny by default: a
        department user bound to no department gets an empty scope, hence no rows. A role without
        `details` (leadership) gets aggregates only: detail lists are refused by the query layer."""
        if self.sees_all:
            return Scope.all(personal_data=self.personal_data, details=self.details)
        return Scope.of(*sorted(self.departments), personal_data=self.personal_data, details=self.details)

    def can_open(self, page_key: str) -> bool:
        return page_key in self.allowed_pages

    def may(self, grant: str) -> bool:
        return grant in self.grants

    @property
    def department_label(self) -> str:
        names = users.department_names()
        return "、".join(names.get(c, c) for c in sorted(self.departments))


def viewer_for(user: users.UserRecord, method: str = "password") -> Viewer:
    """The Viewer of a user record, with its role's pages and grants from roles.toml. An unknown
    role gives no pages, no grants and (as a department) an empty scope."""
    role = users.load_roles().get(user.role)
    if role is None:
        return Viewer(
            user.username,
            user.display_name,
            "department",
            frozenset(),
            False,
            frozenset(),
            frozenset(),
            "未授权",
            method,
            details=False,
        )
    grant = user.personal_data and role.personal_data_grantable
    departments = frozenset() if role.sees_all else user.departments
    return Viewer(
        user.username,
        user.display_name,
        user.role,
        departments,
        grant,
        role.pages,
        role.grants,
        role.label,
        method,
        details=role.details,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _engine():
    return get_engine(get_settings())


# ---- OIDC ---------------------------------------------------------------------------------------


def oidc_configured() -> bool:
    """Whether .streamlit/secrets.toml (or the test's secrets) has an [auth] section for st.login."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all: local accounts only
        return False
    if not section:
        return False
    return all(k in section for k in OIDC_KEYS) or any(isinstance(v, Mapping) for v in section.values())


def _oidc_identity() -> dict[str, Any] | None:
    try:
        if not st.user.get("is_logged_in", False):
            return None
        return dict(st.user.to_dict())
    except Exception:
        return None


def _map_identity(engine: Engine, claims: Mapping[str, Any]) -> users.UserRecord | None:
    # An e-mail the provider says is unverified maps to nobody: anyone could claim it.
    email = claims.get("email") if claims.get("email_verified", True) is not False else None
    return users.find_by_identity(engine, subject=claims.get("sub"), email=email)


# ---- session ------------------------------------------------------------------------------------


def _start_session(username: str, method: str, record: sessions.SessionRecord | None = None) -> None:
    now = _now().timestamp()
    state = {"username": username, "method": method, "signed_in_at": now, "last_seen": now}
    if record is not None:
        state.update(session=record.session_id, signed_in_at=record.started_at.timestamp())
    st.session_state[SESSION_KEY] = state


def _end_session(notice: str | None = None) -> dict | None:
    """Sign this Streamlit session out: nothing of the previous user stays in it (widget values,
    filters, the log of audited views) for whoever signs in next in this tab; the URL stays."""
    state = st.session_state.get(SESSION_KEY)
    for key in list(st.session_state.keys()):
        if key != _COOKIE_SEEN_KEY:
            del st.session_state[key]
    if state and state.get("session"):
        st.session_state[_COOKIE_KEY] = _CLEAR  # the sign-in screen has the page remove the cookie
    if notice:
        st.session_state[_NOTICE_KEY] = notice
    return state


def _session_viewer(engine: Engine) -> Viewer | None:
    state = st.session_state.get(SESSION_KEY)
    if not state:
        return None
    if state.get("session"):
        return _record_viewer(engine, state)
    access = get_settings().access
    now = _now().timestamp()
    if now - float(state.get("last_seen", 0)) > access.idle_timeout_minutes * 60:
        audit.record(
            engine,
            state["username"],
            "sign_out",
            {"reason": "idle_timeout", "idle_minutes": access.idle_timeout_minutes},
        )
        _end_session(f"超过 {access.idle_timeout_minutes} 分钟未操作，已自动退出，请重新登录。")
        if state.get("method") == "oidc":
            st.logout()
            st.stop()
        return None
    lifetime_hours = access.absolute_session_hours
    if now - float(state.get("signed_in_at", 0)) > lifetime_hours * 3600:
        # However active: a session left open on a shared office PC ends at a known time.
        audit.record(
            engine, state["username"], "sign_out", {"reason": "absolute_timeout", "session_hours": lifetime_hours}
        )
        _end_session(f"本次登录已超过 {lifetime_hours:g} 小时，为保障信息安全，请重新登录。")
        if state.get("method") == "oidc":
            st.logout()
            st.stop()
        return None
    user = users.get_user(engine, state["username"])
    if user is None or user.disabled:
        audit.record(engine, state["username"], "sign_out", {"reason": "account_disabled"})
        _end_session("账号已被停用或删除，请联系系统管理员。")
        return None
    state["last_seen"] = now
    viewer = viewer_for(user, state.get("method", "password"))
    if user.must_change_password and state.get("method") == "password":
        _render_change_password(engine, viewer)
        st.stop()
    return viewer


# ---- sessions with a record and a cookie (dashboard.access.sessions; README "Sessions") ----------

_COOKIE_KEY = "_auth_cookie"  # the ticket this tab's page is to exchange for the cookie, or _CLEAR
_COOKIE_SEEN_KEY = "_auth_cookie_seen"  # the browser's cookie this Streamlit session already tried
_CLEAR = "clear"
# Tickets one Streamlit session may be issued for its cookie: served without the session routes
# (AppTest, a script run some other way) the page stops asking, and the session lasts as long as
# the Streamlit session.
MAX_TICKETS = 3

_END_NOTICES = {
    sessions.SIGNED_OUT: "已退出登录。",
    sessions.DISABLED: "账号已被停用或删除，请联系系统管理员。",
    sessions.ROLE_CHANGED: "您的角色或权限已调整，请重新登录。",
    sessions.PASSWORD_RESET: "您的密码已被重置，请重新登录。",
}


def _end_notice(reason: str | None) -> str:
    """Why the sign-in screen is back, in the words of the legacy session's notices."""
    access = get_settings().access
    if reason == sessions.IDLE:
        return f"超过 {access.idle_timeout_minutes} 分钟未操作，已自动退出，请重新登录。"
    if reason == sessions.LIFETIME:
        return f"本次登录已超过 {access.absolute_session_hours:g} 小时，为保障信息安全，请重新登录。"
    return _END_NOTICES.get(reason or "", "登录已失效，请重新登录。")


def _checked(engine: Engine, record: sessions.SessionRecord | None, now: dt.datetime) -> users.UserRecord | None:
    """The user of a session record that is still on, after ending it (audited, with the notice
    for the sign-in screen) when it is past its idle timeout or lifetime or its user is disabled
    or gone; None when it is not on."""
    if record is None:
        return None
    if not record.is_open:
        st.session_state[_NOTICE_KEY] = _end_notice(record.end_reason)
        return None
    access = get_settings().access
    reason = sessions.expiry(record, access, now)
    user = users.get_user(engine, record.username) if reason is None else None
    if reason is None and (user is None or user.disabled):
        reason = sessions.DISABLED
    if reason is not None:
        sessions.end(engine, record.session_id, reason, now, sessions.expiry_detail(reason, access))
        st.session_state[_NOTICE_KEY] = _end_notice(reason)
        return None
    sessions.touch(engine, record, now)
    return user


def _record_viewer(engine: Engine, state: dict) -> Viewer | None:
    """The viewer of this Streamlit session's record, checked on every run (another tab may have
    signed it out, an administrator disabled the user); asks the page for the cookie until the
    browser holds it."""
    now = _now()
    record = sessions.get(engine, state["session"])
    user = _checked(engine, record, now)
    if user is None or record is None:
        _end_session(st.session_state.get(_NOTICE_KEY))
        return None
    state["last_seen"] = now.timestamp()
    _want_cookie(engine, record, now)
    viewer = viewer_for(user, record.method)
    if user.must_change_password:
        _render_change_password(engine, viewer)
        st.stop()
    return viewer


def _browser_cookie() -> str | None:
    try:
        return st.context.cookies.get(sessions.COOKIE_NAME)
    except Exception:  # no browser behind this run (AppTest, bare mode): no cookie
        return None


def _resumed_viewer(engine: Engine) -> Viewer | None:
    """A new Streamlit session whose browser sent the cookie of a record still on: that session,
    resumed (audit: session_resumed). Each cookie is tried once per Streamlit session (the
    websocket keeps the cookie it was opened with, also after a sign-out)."""
    cookie = _browser_cookie()
    if not cookie or st.session_state.get(_COOKIE_SEEN_KEY) == cookie:
        return None
    st.session_state[_COOKIE_SEEN_KEY] = cookie
    now = _now()
    record = sessions.find_by_cookie(engine, cookie, sessions.signing_key(get_settings()))
    user = _checked(engine, record, now)
    if user is None or record is None:
        st.session_state[_COOKIE_KEY] = _CLEAR
        return None
    _start_session(user.username, record.method, record)
    audit.record(engine, user.username, "session_resumed", {"session": record.session_id})
    viewer = viewer_for(user, record.method)
    if user.must_change_password:
        _render_change_password(engine, viewer)
        st.stop()
    return viewer


def _want_cookie(engine: Engine, record: sessions.SessionRecord, now: dt.datetime) -> None:
    """Keep a live ticket in this session's state while the record has no cookie yet (a new one
    when the last ran out, at most MAX_TICKETS), for session_cookie_bridge to hand to the page."""
    pending = st.session_state.get(_COOKIE_KEY)
    if record.has_token:
        st.session_state.pop(_COOKIE_KEY, None)
        return
    if isinstance(pending, dict) and now.timestamp() < pending["expires"]:
        return
    tries = pending["tries"] if isinstance(pending, dict) else 0
    if tries >= MAX_TICKETS:
        return
    ticket = sessions.issue_ticket(engine, record.session_id, now)
    # asked for again a few seconds before the server would refuse it
    expires = now.timestamp() + sessions.TICKET_SECONDS - 5
    st.session_state[_COOKIE_KEY] = {"ticket": ticket, "expires": expires, "tries": tries + 1}


def _run_in_page(path: str, body: Mapping[str, str] | None, once: str) -> None:
    """Have the page post `body` to one of the session routes, once per `once` (Streamlit keeps
    an unchanged element across reruns; a redrawn one must not post again). Drawn in a container
    the page hides, so it takes no room."""
    url = sessions.route_url(st.get_option("server.baseUrlPath"), path)

    def js(value: Any) -> str:
        return json.dumps(value).replace("<", "\\u003c")  # nothing in it can close the script

    script = (
        "<script>(function () {"
        f"var once = {js(once)};"
        "if (window.__dashboardSessionPost === once) { return; }"
        "window.__dashboardSessionPost = once;"
        f"fetch({js(url)}, {{method: 'POST', credentials: 'same-origin', cache: 'no-store',"
        f" headers: {{'Content-Type': 'application/json', {js(sessions.REQUEST_HEADER)}: '1'}},"
        f" body: {js(json.dumps(body or {}))}}});"
        "})();</script>"
    )
    st.html('<style>[data-testid="stLayoutWrapper"]:has(> .st-key-auth_session_bridge) {display: none}</style>')
    with st.container(key="auth_session_bridge"):
        st.html(script, unsafe_allow_javascript=True)


def session_cookie_bridge() -> None:
    """Called once per script run by the frame after require_viewer: while this tab's session
    record has no cookie yet, the page posts the pending ticket to /_session/start, which answers
    with the cookie (the script itself can set no HttpOnly cookie)."""
    pending = st.session_state.get(_COOKIE_KEY)
    if isinstance(pending, dict) and _now().timestamp() < pending["expires"]:
        _run_in_page(sessions.START_PATH, {"ticket": pending["ticket"]}, pending["ticket"])


def require_viewer() -> Viewer:
    """The signed-in viewer. If nobody is signed in (or the session timed out, or the account was
    disabled), renders the sign-in screen and stops the script run: nothing after this call runs
    for an unauthenticated request. A new Streamlit session (a reload, a new tab) whose browser
    holds the cookie of a session record still on resumes it."""
    engine = _engine()
    viewer = _session_viewer(engine) or _resumed_viewer(engine)
    if viewer is not None:
        return viewer
    if oidc_configured():
        claims = _oidc_identity()
        if claims is not None:
            user = _map_identity(engine, claims)
            if user is not None and not user.disabled:
                _start_session(user.username, "oidc")
                users.mark_signed_in(engine, user.username)
                audit.record(engine, user.username, "sign_in", {"method": "oidc"})
                return viewer_for(user, "oidc")
            _render_unauthorised(engine, claims, user)
            st.stop()
    _render_sign_in(engine)
    st.stop()
    raise RuntimeError("unreachable: st.stop() ends the run")  # pragma: no cover


def sign_out(viewer: Viewer, reason: str = "user") -> None:
    """End the session (audit: sign_out; its record too, so that no tab or reload of this browser
    resumes it) and return to the sign-in screen, which has the page remove the cookie."""
    sid = (st.session_state.get(SESSION_KEY) or {}).get("session")
    if sid:
        sessions.end(_engine(), sid, sessions.SIGNED_OUT, _now())  # audited there, once
    else:
        audit.record(_engine(), viewer, "sign_out", {"reason": reason})
    state = _end_session("已退出登录。")
    if state and state.get("method") == "oidc":
        st.logout()
        st.stop()
    st.rerun()


def sign_out_button(viewer: Viewer | None = None) -> None:
    """The signed-in user's name and role, and a 退出登录 button, in the sidebar."""
    viewer = viewer or require_viewer()
    scope_text = f"：{viewer.department_label}" if viewer.departments else ""
    st.sidebar.caption(f"当前用户：{viewer.display_name}（{viewer.role_label}{scope_text}）")
    if st.sidebar.button("退出登录", key="_auth_sign_out"):
        sign_out(viewer)


# ---- guards used by pages -----------------------------------------------------------------------


def audit_once(
    viewer: Viewer, action: str, detail: Mapping[str, Any] | str | None = None, rows: int | None = None
) -> bool:
    """Record an entry unless this session already recorded the same one (reruns caused by widget
    clicks do not flood the log). Returns whether it was recorded."""
    key = hashlib.sha256(
        json.dumps([viewer.username, action, detail, rows], ensure_ascii=False, sort_keys=True, default=str).encode(
            "utf-8"
        )
    ).hexdigest()
    logged = st.session_state.setdefault(_LOGGED_KEY, set())
    if key in logged:
        return False
    audit.record(_engine(), viewer, action, detail, rows)
    logged.add(key)
    return True


def require_page(viewer: Viewer, page_key: str) -> None:
    """Stop the run with 未授权 (and an access_denied entry) unless the viewer's role may open this
    page. Call before any query of the page runs."""
    if viewer.can_open(page_key):
        return
    audit_once(viewer, "access_denied", {"page": page_key})
    st.error("未授权：您的角色无权访问此页面。如需访问，请联系系统管理员。")
    st.stop()


def require_grant(viewer: Viewer, grant: str, what: str) -> bool:
    """Whether the viewer holds a grant of roles.toml; when not, a note and an access_denied entry."""
    if viewer.may(grant):
        return True
    audit_once(viewer, "access_denied", {"grant": grant, "what": what})
    st.info(f"您的角色无权{what}。")
    return False


def _codes(requested: Iterable[str] | str | None) -> frozenset[str]:
    if requested is None:
        return frozenset()
    items = [requested] if isinstance(requested, str) else list(requested)
    return frozenset(c.strip() for item in items for c in str(item).split(",") if c.strip())


def requested_scope(viewer: Viewer, requested: Iterable[str] | str | None, page: str) -> Scope:
    """The scope for a page given departments requested by a widget or a URL parameter
    (st.query_params): the request can only narrow the viewer's scope, never widen it. Departments
    outside the viewer's scope are refused — logged as access_denied (once per session) with a
    warning on screen — and the viewer's own scope is used instead."""
    codes = _codes(requested)
    if not codes:
        return viewer.scope
    if viewer.sees_all:
        return Scope.of(*sorted(codes), personal_data=viewer.personal_data)
    denied, allowed = codes - viewer.departments, codes & viewer.departments
    if denied:
        audit_once(viewer, "access_denied", {"page": page, "requested_departments": sorted(denied)})
        names = users.department_names()
        st.warning("无权查看以下部门的数据，已忽略：" + "、".join(names.get(c, c) for c in sorted(denied)))
    if not allowed:
        return viewer.scope
    return Scope.of(*sorted(allowed), personal_data=viewer.personal_data)


DEPARTMENT_PARAMS = ("department",)


def guard_department_params(viewer: Viewer, page: str) -> frozenset[str]:
    """Called by the frame before any page runs: a URL parameter naming a department outside the
    viewer's scope (a tampered or forwarded link) is removed from st.query_params, so no widget or
    query of the page ever sees it, and the attempt is logged as access_denied (once per session)
    with a warning on screen. Returns the refused department codes."""
    if viewer.sees_all:
        return frozenset()
    refused: set[str] = set()
    for key in DEPARTMENT_PARAMS:
        codes = _codes(st.query_params.get_all(key))
        denied = codes - viewer.departments
        if denied:
            refused |= denied
            kept = sorted(codes & viewer.departments)
            if kept:
                st.query_params[key] = ",".join(kept)
            else:
                st.query_params.pop(key, None)
    if refused:
        audit_once(viewer, "access_denied", {"page": page, "requested_departments": sorted(refused)})
        names = users.department_names()
        st.warning("无权查看以下部门的数据，已忽略：" + "、".join(names.get(c, c) for c in sorted(refused)))
    return frozenset(refused)


def audit_personal_data_shown(viewer: Viewer, what: str, rows: int, detail: Mapping[str, Any] | None = None) -> None:
    """Record that unmasked natural-person data was put on screen or in a file (P6). Nothing is
    recorded for a viewer without the grant (they only ever get masked values) or for no rows."""
    if viewer.personal_data and rows:
        audit_once(viewer, "personal_data_shown", {"what": what, **(detail or {})}, rows)


# ---- screens ------------------------------------------------------------------------------------


def _lock_message(until: dt.datetime | None) -> str:
    when = f"，请于 {local_time_text(until)[11:16]} 后再试" if until else "，请稍后再试"
    return f"登录失败次数过多，该账号已暂时锁定{when}。"


SIGN_IN_MESSAGES = {
    "invalid": "用户名或密码错误。",
    "disabled": "该账号已停用，请联系系统管理员。",
}


def _render_sign_in(engine: Engine) -> None:
    if st.session_state.get(_COOKIE_KEY) == _CLEAR:
        st.session_state.pop(_COOKIE_KEY)
        _run_in_page(sessions.END_PATH, None, f"end-{_now().timestamp()}")
    st.title("城市信用监测驾驶舱")
    st.caption("鹤岗市社会信用体系建设 · 请先登录")
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.info(notice)
    if oidc_configured():
        if st.button("使用统一身份认证登录", key="_auth_oidc", type="primary"):
            st.login()
        st.caption("或使用本地账号登录：")
    with st.form("sign_in", clear_on_submit=False):
        username = st.text_input("用户名", key="_auth_username")
        password = st.text_input("密码", type="password", key="_auth_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        if not username.strip() or not password:
            st.error("请输入用户名和密码。")
        else:
            access = get_settings().access
            sid = sessions.new_session_id()
            result = users.authenticate(engine, username, password, access, session=sid)
            if result.ok:
                assert result.user is not None  # authenticate returns the user whenever ok
                record = sessions.start(engine, result.user.username, "password", access, _now(), sid)
                _start_session(result.user.username, "password", record)
                st.rerun()
            elif result.reason == "locked":
                st.error(_lock_message(result.locked_until))
            else:
                st.error(SIGN_IN_MESSAGES.get(result.reason, SIGN_IN_MESSAGES["invalid"]))
    demo = users.active_demo_accounts(engine)
    if demo:
        roles = users.load_roles()
        st.info("当前为演示数据，可使用以下演示账号登录")
        st.table(
            pd.DataFrame(
                [
                    (
                        a.username,
                        a.password,
                        roles[a.role].label,
                        a.display_name,
                        "可查看" if a.personal_data else "脱敏",
                    )
                    for a in demo
                ],
                columns=["用户名", "密码", "角色", "说明", "个人信息"],
            )
        )
    elif not oidc_configured() and not users.has_users(engine):
        st.warning(
            "尚未创建任何账号。系统管理员请在服务器上运行："
            "`python -m dashboard users add <用户名> --role admin`，再用打印出的一次性密码登录。"
        )


def _render_unauthorised(engine: Engine, claims: Mapping[str, Any], user: users.UserRecord | None) -> None:
    st.title("城市信用监测驾驶舱")
    if not st.session_state.get("_auth_unauthorised_logged"):
        who = str(claims.get("email") or claims.get("sub") or "?")
        audit.record(
            engine,
            f"oidc:{who}",
            "access_denied",
            {"reason": "disabled" if user is not None else "no_local_user", "method": "oidc"},
        )
        st.session_state["_auth_unauthorised_logged"] = True
    st.error("未授权：您的统一身份认证账号尚未在本系统开通或已被停用，请联系市信用办系统管理员。")
    if st.button("退出统一身份认证", key="_auth_oidc_logout"):
        st.logout()


def _render_change_password(engine: Engine, viewer: Viewer) -> None:
    st.title("修改密码")
    st.info("您正在使用一次性密码登录，请先设置新密码。")
    with st.form("change_password"):
        current = st.text_input("当前密码", type="password")
        new = st.text_input("新密码", type="password")
        confirm = st.text_input("确认新密码", type="password")
        submitted = st.form_submit_button("修改密码")
    if submitted:
        if new != confirm:
            st.error("两次输入的新密码不一致。")
        else:
            try:
                users.change_own_password(engine, viewer.username, current, new, get_settings().access)
            except users.UserError as exc:
                st.error(str(exc))
            else:
                st.session_state[_NOTICE_KEY] = "密码已修改。"
                st.rerun()
    if st.button("退出登录", key="_auth_sign_out_pw"):
        sign_out(viewer)
