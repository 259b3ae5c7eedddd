"""Local accounts: validation, bcrypt hashes, lock-out, resets, demo accounts, roles file, CLI."""

from __future__ import annotations

import datetime as dt
import io
import json

import bcrypt
import pytest
from sqlalchemy import select

from dashboard.__main__ import main
from dashboard.access import audit, users
from tests.access_kit import TEST_PASSWORD, make_user


def audit_rows(engine, action=None):
    frame = audit.search(engine, action=action).sort_values("id")
    return [(r.user, r.action, json.loads(r.detail)) for r in frame.itertuples()]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(role="chief"), "未知的角色：chief"),
        (dict(role="department"), "必须绑定至少一个部门代码"),
        (dict(role="office", departments=["tax"]), "可查看全部部门，不应绑定部门"),
        (dict(role="department", departments=["tax", "nowhere"]), "未知的部门代码：nowhere"),
        (dict(role="leader", personal_data=True), "不能被授予查看个人信息的权限"),
        (dict(role="office", password="short"), "密码至少需要 10 个字符"),
        (dict(role="office", password="密" * 25), "密码不能超过 72 个字节"),
        (dict(role="office", password=None), "没有密码的账号须填写电子邮箱"),
    ],
)
def test_add_user_refuses_what_roles_and_policy_do_not_allow(store, kwargs, message):
    kwargs = {"password": TEST_PASSWORD, **kwargs}
    role = kwargs.pop("role")
    with pytest.raises(users.UserError, match=message):
        users.add_user(store.engine, "someone", role, "test", access=store.access, **kwargs)
    assert users.list_users(store.engine) == []


def test_usernames_are_case_insensitive_and_unique(store):
    make_user(store.engine, "Wang.Li", "department", ["tax", "market"])
    with pytest.raises(users.UserError, match="用户已存在：wang.li"):
        make_user(store.engine, "WANG.LI", "office")
    with pytest.raises(users.UserError, match="用户名须为"):
        make_user(store.engine, "王丽", "office")
    user = users.get_user(store.engine, "wang.li")
    assert (user.username, user.role, user.departments) == ("wang.li", "department", frozenset({"tax", "market"}))


def test_passwords_are_stored_as_bcrypt_hashes_and_never_logged(store):
    make_user(store.engine, "zhao", "office")
    with store.engine.connect() as conn:
        stored = conn.execute(select(users.users.c.password_hash)).scalar()
    assert stored.startswith("$2b$04$") and TEST_PASSWORD not in stored
    assert bcrypt.checkpw(TEST_PASSWORD.encode(), stored.encode())
    assert users.authenticate(store.engine, "zhao", "wrong-password", store.access).reason == "invalid"
    result = users.authenticate(store.engine, " ZHAO ", TEST_PASSWORD, store.access)
    assert result.ok and result.user.username == "zhao"
    log = audit.search(store.engine)
    assert (
        not log["detail"].str.contains(TEST_PASSWORD).any() and not log["detail"].str.contains("wrong-password").any()
    )
    assert audit_rows(store.engine)[1:] == [
        ("zhao", "sign_in_failed", {"locked": False, "method": "password", "reason": "wrong_password"}),
        ("zhao", "sign_in", {"method": "password"}),
    ]


def test_five_failures_within_fifteen_minutes_lock_the_name_for_fifteen_minutes(store):
    make_user(store.engine, "qian", "office")
    t0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    reasons = [
        users.authenticate(store.engine, "qian", "bad-password", store.access, now=t0 + dt.timedelta(minutes=i)).reason
        for i in range(5)
    ]
    assert reasons == ["invalid"] * 4 + ["locked"]
    assert users.locked_until(store.engine, "qian", t0 + dt.timedelta(minutes=5)) == t0 + dt.timedelta(minutes=19)
    # the right password does not open a locked name
    locked = users.authenticate(store.engine, "qian", TEST_PASSWORD, store.access, now=t0 + dt.timedelta(minutes=18))
    assert (locked.ok, locked.reason) == (False, "locked")
    assert users.authenticate(
        store.engine, "qian", TEST_PASSWORD, store.access, now=t0 + dt.timedelta(minutes=19, seconds=1)
    ).ok
    assert [d["reason"] for _, _, d in audit_rows(store.engine, "sign_in_failed")][-1] == "locked"


def test_failures_outside_the_window_do_not_count(store):
    make_user(store.engine, "sun", "office")
    t0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    for i in range(4):
        users.authenticate(store.engine, "sun", "bad-password", store.access, now=t0 + dt.timedelta(minutes=i))
    late = users.authenticate(store.engine, "sun", "bad-password", store.access, now=t0 + dt.timedelta(minutes=16))
    assert late.reason == "invalid"
    assert users.locked_until(store.engine, "sun", t0 + dt.timedelta(minutes=16)) is None


def test_unknown_names_are_locked_too_and_look_the_same(store):
    t0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    first = users.authenticate(store.engine, "ghost", "whatever-1", store.access, now=t0)
    assert (first.ok, first.reason, first.user) == (False, "invalid", None)
    for i in range(1, 5):
        users.authenticate(store.engine, "ghost", "whatever-1", store.access, now=t0 + dt.timedelta(seconds=i))
    assert users.locked_until(store.engine, "ghost", t0 + dt.timedelta(minutes=1)) is not None


def test_a_disabled_account_cannot_sign_in_and_can_be_enabled_again(store):
    make_user(store.engine, "li", "department", ["tax"])
    users.set_disabled(store.engine, "li", True, "admin1")
    assert users.authenticate(store.engine, "li", TEST_PASSWORD, store.access).reason == "disabled"
    assert users.authenticate(store.engine, "li", "bad-password", store.access).reason == "invalid"
    users.set_disabled(store.engine, "li", False, "admin1")
    assert users.authenticate(store.engine, "li", TEST_PASSWORD, store.access).ok
    assert [(u, a) for u, a, _ in audit_rows(store.engine) if a.startswith("user_")] == [
        ("test", "user_added"),
        ("admin1", "user_disabled"),
        ("admin1", "user_enabled"),
    ]


def test_reset_password_gives_a_one_time_password_and_lifts_the_lock(store):
    make_user(store.engine, "zhou", "office")
    for _ in range(5):
        users.authenticate(store.engine, "zhou", "bad-password", store.access)
    assert users.locked_until(store.engine, "zhou") is not None
    one_time = users.reset_password(store.engine, "zhou", "admin1", access=store.access)
    assert len(one_time) == 16
    assert users.locked_until(store.engine, "zhou") is None
    assert not users.authenticate(store.engine, "zhou", TEST_PASSWORD, store.access).ok
    signed = users.authenticate(store.engine, "zhou", one_time, store.access)
    assert signed.ok and signed.user.must_change_password
    with pytest.raises(users.UserError, match="当前密码不正确"):
        users.change_own_password(store.engine, "zhou", "not-it-at-all", "brand-new-pass-1", store.access)
    users.change_own_password(store.engine, "zhou", one_time, "brand-new-pass-1", store.access)
    assert not users.get_user(store.engine, "zhou").must_change_password
    assert users.authenticate(store.engine, "zhou", "brand-new-pass-1", store.access).ok
    resets = audit_rows(store.engine, "password_reset")
    assert resets == [
        ("admin1", "password_reset", {"generated": True, "username": "zhou"}),
        ("zhou", "password_reset", {"self": True, "username": "zhou"}),
    ]
    assert one_time not in audit.search(store.engine)["detail"].str.cat()


def test_set_role_records_before_and_after(store):
    make_user(store.engine, "wu", "department", ["tax"], personal_data=True)
    changed = users.set_role(store.engine, "wu", "office", "admin1")
    assert (changed.role, changed.departments, changed.personal_data) == ("office", frozenset(), True)
    changed = users.set_role(store.engine, "wu", "leader", "admin1")
    assert changed.personal_data is False  # leaders cannot hold the grant
    with pytest.raises(users.UserError, match="必须绑定至少一个部门代码"):
        users.set_role(store.engine, "wu", "department", "admin1")
    changed = users.set_role(store.engine, "wu", "department", "admin1", departments=["market"], personal_data=False)
    assert changed.departments == frozenset({"market"})
    assert audit_rows(store.engine, "role_changed")[0] == (
        "admin1",
        "role_changed",
        {
            "username": "wu",
            "before": {"role": "department", "departments": ["tax"], "personal_data": True},
            "after": {"role": "office", "departments": [], "personal_data": True},
        },
    )


def test_oidc_identities_map_by_subject_then_verified_email(store):
    make_user(store.engine, "feng", "office", password=None, email="Feng@Hegang.gov.cn")
    make_user(store.engine, "chen", "department", ["tax"], password=None, oidc_subject="sub-123")
    assert users.find_by_identity(store.engine, subject="sub-123", email="feng@hegang.gov.cn").username == "chen"
    assert users.find_by_identity(store.engine, subject="other", email="FENG@hegang.gov.cn").username == "feng"
    assert users.find_by_identity(store.engine, subject="other", email="nobody@hegang.gov.cn") is None
    # an account without a local password cannot sign in with the form
    assert users.authenticate(store.engine, "feng", "", store.access).reason == "invalid"


def test_demo_accounts_exist_only_while_demo_data_is_in_use(store):
    make_user(store.engine, "demo_admin", "admin")  # a real account with a demo name is left alone
    ready = users.ensure_demo_accounts(store.engine, store.access)
    assert [a.username for a in ready] == ["demo_leader", "demo_office", "demo_tax", "demo_market"]
    assert users.ensure_demo_accounts(store.engine, store.access) == ready  # idempotent
    tax = users.authenticate(store.engine, "demo_tax", "demo-tax", store.access)
    assert tax.ok and tax.user.departments == frozenset({"tax"}) and tax.user.is_demo
    assert [a.username for a in users.active_demo_accounts(store.engine)] == [a.username for a in ready]
    assert users.remove_demo_accounts(store.engine) == ["demo_leader", "demo_market", "demo_office", "demo_tax"]
    assert users.active_demo_accounts(store.engine) == []
    assert [u.username for u in users.list_users(store.engine)] == ["demo_admin"]
    assert users.remove_demo_accounts(store.engine) == []
    assert audit_rows(store.engine, "user_disabled") == [
        (
            "system:demo",
            "user_disabled",
            {"removed_demo_accounts": ["demo_leader", "demo_market", "demo_office", "demo_tax"]},
        )
    ]


def test_roles_file_lists_known_pages_and_grants_only():
    roles = users.load_roles()
    assert set(roles) == {"leader", "office", "department", "admin"}
    assert roles["admin"].pages >= {"admin"} and all("admin" not in r.pages for k, r in roles.items() if k != "admin")
    assert "subject" not in roles["leader"].pages and "warnings" not in roles["leader"].pages
    assert roles["department"].sees_all is False and roles["office"].sees_all is True
    assert roles["office"].personal_data_grantable and not roles["leader"].personal_data_grantable


def test_roles_file_page_keys_are_the_dashboards_pages():
    ui = pytest.importorskip("dashboard.app.ui")
    assert set(users.PAGE_KEYS) == set(ui.PAGE_KEYS)


def test_cli_add_list_set_role_disable_reset(store, capsys, monkeypatch):
    assert (
        main(["users", "add", "Ma.Tax", "--role", "department", "--department", "tax,market", "--name", "马税务"]) == 0
    )
    out = capsys.readouterr().out
    assert "已新增用户 ma.tax（责任单位：市市场监管局、市税务局）" in out
    one_time = out.split("：")[-1].strip()
    assert users.authenticate(store.engine, "ma.tax", one_time, store.access).user.must_change_password
    monkeypatch.setattr("sys.stdin", io.StringIO("chosen-password-9\n"))
    assert main(["users", "add", "boss", "--role", "leader", "--stdin"]) == 0
    assert "一次性密码" not in capsys.readouterr().out
    assert not users.authenticate(store.engine, "boss", "chosen-password-9", store.access).user.must_change_password
    assert main(["users", "set-role", "ma.tax", "office", "--personal-data"]) == 0
    assert "用户 ma.tax 的角色：信用办；个人信息：可查看" in capsys.readouterr().out
    assert main(["users", "disable", "boss"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another-pass-77\n"))
    assert main(["users", "reset-password", "ma.tax", "--stdin"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    listing = capsys.readouterr().out
    assert "boss" in listing and "停用" in listing and "ma.tax" in listing and "马税务" in listing
    assert "another-pass-77" not in listing
    assert main(["users", "add", "x1", "--role", "department"]) == 1
    assert "必须绑定至少一个部门代码" in capsys.readouterr().err
    assert {a for _, a, _ in audit_rows(store.engine)} >= {
        "user_added",
        "role_changed",
        "user_disabled",
        "password_reset",
    }
    assert set(audit.search(store.engine, action="user_added")["user"]) == {audit.cli_user()}


@pytest.mark.postgres
def test_accounts_and_lock_out_on_postgresql(pg_engine, store):
    make_user(pg_engine, "pg.user", "department", ["court"])
    t0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
    for i in range(5):
        users.authenticate(pg_engine, "pg.user", "bad-password", store.access, now=t0 + dt.timedelta(minutes=i))
    assert users.locked_until(pg_engine, "pg.user", t0 + dt.timedelta(minutes=5)) == t0 + dt.timedelta(minutes=19)
    assert users.authenticate(pg_engine, "pg.user", TEST_PASSWORD, store.access, now=t0 + dt.timedelta(minutes=20)).ok
    assert users.ensure_demo_accounts(pg_engine, store.access)[0].username == "demo_leader"
    assert len(users.remove_demo_accounts(pg_engine)) == 5
    assert audit.verify(pg_engine) == []


def test_demo_accounts_follow_the_live_data_through_loads(store, tmp_path, monkeypatch):
    from loadkit import subjects_drop

    from dashboard.cli import serve
    from dashboard.load import loading

    demo = subjects_drop(store.settings.demo_drop_dir, 3)
    outcome = loading.load_drop(store.settings, demo)
    assert outcome.snapshot_id and users.active_demo_accounts(store.engine) == []

    class Started(BaseException):  # passes the command line's catch-all of errors, as exec would
        pass

    def exec_streamlit(*_):
        raise Started

    monkeypatch.setattr(serve.os, "execv", exec_streamlit)
    monkeypatch.setattr(serve.os, "chdir", lambda _: None)
    with pytest.raises(Started):  # `python -m dashboard serve` up to the point where streamlit starts
        main(["serve"])
    assert len(users.active_demo_accounts(store.engine)) == 5
    real = loading.load_drop(store.settings, subjects_drop(tmp_path / "drops" / "city", 4))
    assert real.snapshot_id and users.active_demo_accounts(store.engine) == []
    assert users.sync_demo_accounts(store.settings, real.snapshot_id) == []
    loads = audit.search(store.engine, action="load").sort_values("id")
    assert [json.loads(d)["source"] for d in loads["detail"]] == [str(demo), str(tmp_path / "drops" / "city")]
    assert loads["rows"].tolist() == [3, 4] and set(loads["user"]) == {audit.cli_user()}
    loading.rollback(store.settings)
    rollback = audit.search(store.engine, action="rollback")
    assert json.loads(rollback.iloc[0]["detail"])["snapshot_id"] == outcome.snapshot_id
    assert audit.verify(store.engine) == []
