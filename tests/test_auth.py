"""Sign-in on the Streamlit side (AppTest): the sign-in screen, lock-out, idle timeout, sign-out,
one-time passwords, OIDC mapping, page and grant guards, URL parameters that try to widen scope."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from streamlit.testing.v1 import AppTest

from dashboard.access import audit, auth, users
from dashboard.core import settings as settings_module
from dashboard.core.scope import Scope
from tests.access_kit import APP_FILE, PAGES_DIR, TEST_PASSWORD, make_user, sign_in, texts_of

OIDC_SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "s" * 32,
        "client_id": "dashboard",
        "client_secret": "x",
        "server_metadata_url": "http://idp.invalid/.well-known/openid-configuration",
    }
}


def probe_script():
    """A page that shows who the viewer is, what they may do, and the scope a URL asks for."""
    import streamlit as st

    from dashboard.access import auth

    viewer = auth.require_viewer()
    auth.sign_out_button(viewer)
    scope = auth.requested_scope(viewer, st.query_params.get("department"), page="probe")
    st.markdown(f"VIEWER {viewer.username} {viewer.role} {viewer.scope.cache_key} -> {scope.cache_key}")
    if st.query_params.get("page"):
        auth.require_page(viewer, st.query_params["page"])
        st.markdown("PAGE OPEN")


def run_probe(query=None, session_user=None, **kwargs):
    at = AppTest.from_function(probe_script, default_timeout=30)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if session_user:
        sign_in(at, session_user)
    for key, value in kwargs.items():
        setattr(at, key, value)
    return at.run()


def body(at) -> str:
    return "\n".join(texts_of(at))


def submit(at, username, password):
    at.text_input(key="_auth_username").input(username)
    at.text_input(key="_auth_password").input(password)
    next(b for b in at.button if b.label == "登录").click()
    return at.run()


def actions(engine):
    return [(r.user, r.action, json.loads(r.detail)) for r in audit.search(engine).sort_values("id").itertuples()]


def test_unauthenticated_run_shows_only_the_sign_in_screen(store):
    at = run_probe()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert [b.label for b in at.button] == ["登录"]
    assert at.title[0].value == "城市信用监测驾驶舱"
    assert "VIEWER" not in body(at)
    assert "尚未创建任何账号" in body(at)  # and how to create the first one


def test_unauthenticated_app_shows_nothing_but_sign_in(store):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = AppTest.from_file(str(APP_FILE), default_timeout=30).run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert [b.label for b in at.button] == ["登录"]
    assert not at.sidebar.markdown and not at.dataframe and not at.metric


def test_sign_in_with_the_form_then_sign_out(store):
    make_user(store.engine, "tax1", "department", ["tax"], display_name="税务局张三")
    at = submit(run_probe(), "tax1", TEST_PASSWORD)
    assert "VIEWER tax1 department tax|pd=0 -> tax|pd=0" in body(at)
    assert "当前用户：税务局张三（责任单位：市税务局）" in at.sidebar.caption[0].value
    next(b for b in at.sidebar.button if b.label == "退出登录").click()
    at.run()
    assert "VIEWER" not in body(at) and "已退出登录。" in body(at)
    assert [(u, a) for u, a, _ in actions(store.engine)][-2:] == [("tax1", "sign_in"), ("tax1", "sign_out")]


def test_wrong_password_and_lock_out_are_shown_and_logged(store):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = run_probe()
    for _ in range(4):
        at = submit(at, "tax1", "not-the-password")
        assert at.error[0].value == "用户名或密码错误。"
    at = submit(at, "tax1", "not-the-password")
    assert at.error[0].value.startswith("登录失败次数过多，该账号已暂时锁定，请于 ")
    at = submit(at, "tax1", TEST_PASSWORD)
    assert "VIEWER" not in body(at) and at.error[0].value.startswith("登录失败次数过多")
    reasons = [d["reason"] for _, a, d in actions(store.engine) if a == "sign_in_failed"]
    assert reasons == ["wrong_password"] * 5 + ["locked"]


def test_demo_accounts_are_listed_only_in_demo_mode(store):
    assert "当前为演示数据" not in body(run_probe())
    users.ensure_demo_accounts(store.engine, store.access)
    at = run_probe()
    assert "当前为演示数据，可使用以下演示账号登录" in body(at)
    table = at.table[0].value
    assert table["用户名"].tolist() == ["demo_leader", "demo_office", "demo_tax", "demo_market", "demo_admin"]
    assert table["密码"].tolist()[2] == "demo-tax"
    at = submit(at, "demo_tax", "demo-tax")
    assert "VIEWER demo_tax department tax|pd=0" in body(at)
    users.remove_demo_accounts(store.engine)
    assert "当前为演示数据" not in body(run_probe())


def test_idle_session_times_out(store, monkeypatch):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = run_probe(session_user="tax1")
    assert "VIEWER tax1" in body(at)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=store.access.idle_timeout_minutes + 1)
    monkeypatch.setattr(auth, "_now", lambda: later)
    at.run()
    assert "VIEWER" not in body(at)
    assert "超过 30 分钟未操作，已自动退出，请重新登录。" in body(at)
    assert actions(store.engine)[-1] == ("tax1", "sign_out", {"idle_minutes": 30, "reason": "idle_timeout"})


def test_a_session_ends_after_its_absolute_lifetime_however_active(store, monkeypatch):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = run_probe(session_user="tax1")
    hours = store.access.absolute_session_hours
    state = at.session_state[auth.SESSION_KEY]
    now = dt.datetime.now(dt.UTC).timestamp()
    # active a second ago, signed in a minute less than the lifetime ago: still in
    at.session_state[auth.SESSION_KEY] = {**state, "signed_in_at": now - hours * 3600 + 60, "last_seen": now - 1}
    at.run()
    assert "VIEWER tax1" in body(at)
    # active a second ago, signed in a minute more than the lifetime ago: must sign in again
    at.session_state[auth.SESSION_KEY] = {**state, "signed_in_at": now - hours * 3600 - 60, "last_seen": now - 1}
    at.run()
    assert "VIEWER" not in body(at)
    assert f"本次登录已超过 {hours:g} 小时，为保障信息安全，请重新登录。" in body(at)
    assert any(b.label == "登录" for b in at.button)
    assert actions(store.engine)[-1] == ("tax1", "sign_out", {"reason": "absolute_timeout", "session_hours": hours})


def test_the_absolute_lifetime_is_the_setting(store, monkeypatch):
    make_user(store.engine, "tax1", "department", ["tax"])
    short = dataclasses.replace(store.settings, access=dataclasses.replace(store.access, absolute_session_hours=0.5))
    monkeypatch.setattr(settings_module, "_cached", short)
    at = run_probe(session_user="tax1")
    now = dt.datetime.now(dt.UTC).timestamp()
    at.session_state[auth.SESSION_KEY] = {
        **at.session_state[auth.SESSION_KEY],
        "signed_in_at": now - 31 * 60,
        "last_seen": now,
    }
    at.run()
    assert "本次登录已超过 0.5 小时" in body(at)


def test_a_disabled_account_is_signed_out_at_the_next_interaction(store):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = run_probe(session_user="tax1")
    users.set_disabled(store.engine, "tax1", True, "admin1")
    at.run()
    assert "VIEWER" not in body(at) and "账号已被停用或删除" in body(at)


def test_a_one_time_password_must_be_changed_before_anything_else(store):
    users.add_user(store.engine, "new1", "office", "admin1", password=TEST_PASSWORD, access=store.access)
    at = submit(run_probe(), "new1", TEST_PASSWORD)
    assert at.title[0].value == "修改密码" and "VIEWER" not in body(at)
    at.text_input[0].input(TEST_PASSWORD)
    at.text_input[1].input("my-own-secret-22")
    at.text_input[2].input("my-own-secret-22")
    next(b for b in at.button if b.label == "修改密码").click()
    at.run()
    assert "VIEWER new1 office *|pd=0" in body(at)
    assert users.authenticate(store.engine, "new1", "my-own-secret-22", store.access).ok


def test_oidc_button_when_configured_and_identities_mapped_to_local_users(store):
    make_user(store.engine, "feng", "department", ["market"], password=None, email="feng@hegang.gov.cn")
    at = run_probe(secrets=OIDC_SECRETS, user={"is_logged_in": False})
    assert "使用统一身份认证登录" in [b.label for b in at.button]
    at = run_probe(secrets=OIDC_SECRETS, user={"is_logged_in": True, "email": "feng@hegang.gov.cn", "sub": "s1"})
    assert "VIEWER feng department market|pd=0" in body(at)
    assert actions(store.engine)[-1] == ("feng", "sign_in", {"method": "oidc"})


def test_an_unknown_or_unverified_oidc_identity_gets_nothing_but_unauthorised(store):
    make_user(store.engine, "feng", "office", password=None, email="feng@hegang.gov.cn")
    for claims in (
        {"is_logged_in": True, "email": "stranger@example.org", "sub": "s9"},
        {"is_logged_in": True, "email": "feng@hegang.gov.cn", "email_verified": False, "sub": "s9"},
    ):
        at = run_probe(secrets=OIDC_SECRETS, user=claims)
        assert "VIEWER" not in body(at)
        assert at.error[0].value.startswith("未授权")
        assert not at.text_input  # no way in but the administrator
    assert [a for _, a, _ in actions(store.engine)][-2:] == ["access_denied", "access_denied"]


def test_without_oidc_configuration_st_user_is_ignored(store):
    at = run_probe(user={"is_logged_in": True, "email": "feng@hegang.gov.cn"})
    assert "VIEWER" not in body(at) and [t.label for t in at.text_input] == ["用户名", "密码"]


def test_viewer_scope_per_role(store):
    cases = {
        ("leader", (), False): Scope.all(details=False),  # aggregates only (roles.toml details = false)
        ("office", (), True): Scope.all(personal_data=True),
        ("admin", (), False): Scope.all(),
        ("department", ("tax", "market"), True): Scope.of("market", "tax", personal_data=True),
    }
    for (role, deps, grant), expected in cases.items():
        record = make_user(store.engine, f"u_{role}", role, deps, personal_data=grant)
        viewer = auth.viewer_for(record)
        assert viewer.scope == expected
        assert viewer.allowed_pages == users.load_roles()[role].pages


def test_a_page_the_role_lacks_is_refused_and_logged(store):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = run_probe(query={"page": "admin"}, session_user="tax1")
    assert "PAGE OPEN" not in body(at)
    assert at.error[0].value.startswith("未授权：您的角色无权访问此页面")
    at.run()  # a rerun is not a second attempt
    assert [(u, a, d) for u, a, d in actions(store.engine) if a == "access_denied"] == [
        ("tax1", "access_denied", {"page": "admin"})
    ]
    at = run_probe(query={"page": "warnings"}, session_user="tax1")
    assert "PAGE OPEN" in body(at)


def test_a_department_in_the_url_never_widens_the_scope(store):
    make_user(store.engine, "tax1", "department", ["tax"])
    make_user(store.engine, "office1", "office")
    at = run_probe(query={"department": "market"}, session_user="tax1")
    assert "VIEWER tax1 department tax|pd=0 -> tax|pd=0" in body(at)
    assert "无权查看以下部门的数据，已忽略：市市场监管局" in at.warning[0].value
    at = run_probe(query={"department": "tax,market"}, session_user="tax1")
    assert "-> tax|pd=0" in body(at)
    assert (
        run_probe(query={"department": "market"}, session_user="office1").markdown[0].value.endswith("-> market|pd=0")
    )
    denied = [(u, d) for u, a, d in actions(store.engine) if a == "access_denied"]
    assert denied == [("tax1", {"page": "probe", "requested_departments": ["market"]})] * 2


def test_admin_page_is_admin_only(store):
    make_user(store.engine, "tax1", "department", ["tax"])
    at = AppTest.from_file(str(PAGES_DIR / "admin.py"), default_timeout=30)
    sign_in(at, "tax1")
    at.run()
    assert at.error[0].value.startswith("未授权") and not at.dataframe


def test_admin_page_adds_users_and_searches_and_exports_the_audit_log(store):
    make_user(store.engine, "root1", "admin")
    at = AppTest.from_file(str(PAGES_DIR / "admin.py"), default_timeout=30)
    sign_in(at, "root1")
    at.run()
    assert not at.exception
    assert at.dataframe[0].value["用户名"].tolist() == ["root1"]
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["新用户名"].input("tax2")
    form_inputs["姓名或单位"].input("税务局李四")
    next(s for s in at.selectbox if s.label == "角色").select("department")
    next(m for m in at.multiselect if m.label.startswith("所属责任单位（")).select("tax")
    next(b for b in at.button if b.label == "新增").click()
    at.run()
    assert not at.exception
    created = users.get_user(store.engine, "tax2")
    assert (created.role, created.departments, created.must_change_password) == ("department", frozenset({"tax"}), True)
    one_time = at.code[0].value
    assert users.authenticate(store.engine, "tax2", one_time, store.access).ok
    log = at.dataframe[1].value
    assert log[["用户", "操作"]].values.tolist() == [["root1", "新增用户"], ["test", "新增用户"]]
    assert one_time not in log.to_csv()
    assert audit.search(store.engine, action="user_added")["user"].tolist() == ["root1", "test"]
    next(b for b in at.button if b.label == "校验审计日志完整性").click()
    at.run()
    assert at.success[-1].value.startswith("审计日志校验通过")
