"""`python -m dashboard users`: local accounts (add, disable, enable, set-role, reset-password, list)."""

from __future__ import annotations

import argparse
import sys

from dashboard.access import audit
from dashboard.access.users import (
    ROLE_NAMES,
    UserError,
    UserRecord,
    add_user,
    department_names,
    list_users,
    load_roles,
    normalise_username,
    one_time_password,
    reset_password,
    set_disabled,
    set_role,
)
from dashboard.cli.output import text_table
from dashboard.core.dates import local_time_text
from dashboard.core.settings import get_settings
from dashboard.store.opstore import get_engine


def _read_stdin_password() -> str:
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _role_text(user: UserRecord) -> str:
    roles = load_roles()
    label = roles[user.role].label if user.role in roles else user.role
    if user.departments:
        names = department_names()
        label += "：" + "、".join(names.get(c, c) for c in sorted(user.departments))
    return label


def _cmd_add(args: argparse.Namespace) -> int:
    engine = get_engine(get_settings())
    password = None
    if not args.no_password:
        password = _read_stdin_password() if args.stdin else one_time_password()
    user = add_user(
        engine,
        args.username,
        args.role,
        audit.cli_user(),
        display_name=args.name,
        departments=args.department or (),
        personal_data=args.personal_data,
        email=args.email,
        oidc_subject=args.oidc_subject,
        password=password,
        must_change_password=not args.stdin,
    )
    print(f"已新增用户 {user.username}（{_role_text(user)}{'，可查看个人信息' if user.personal_data else ''}）")
    if password is not None and not args.stdin:
        print(f"一次性密码（首次登录后须修改，不会再次显示）：{password}")
    return 0


def _cmd_disable(args: argparse.Namespace) -> int:
    user = set_disabled(get_engine(get_settings()), args.username, True, audit.cli_user())
    print(f"已停用用户 {user.username}")
    return 0


def _cmd_enable(args: argparse.Namespace) -> int:
    user = set_disabled(get_engine(get_settings()), args.username, False, audit.cli_user())
    print(f"已启用用户 {user.username}")
    return 0


def _cmd_set_role(args: argparse.Namespace) -> int:
    user = set_role(
        get_engine(get_settings()),
        args.username,
        args.role,
        audit.cli_user(),
        departments=args.department,
        personal_data=args.personal_data,
    )
    print(f"用户 {user.username} 的角色：{_role_text(user)}；个人信息：{'可查看' if user.personal_data else '脱敏'}")
    return 0


def _cmd_reset_password(args: argparse.Namespace) -> int:
    password = _read_stdin_password() if args.stdin else None
    new = reset_password(get_engine(get_settings()), args.username, audit.cli_user(), password)
    if args.stdin:
        print(f"已重置用户 {normalise_username(args.username)} 的密码（下次登录后须修改）")
    else:
        print(f"用户 {normalise_username(args.username)} 的一次性密码（下次登录后须修改，不会再次显示）：{new}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    rows = [
        (
            u.username,
            u.display_name,
            _role_text(u),
            "是" if u.personal_data else "否",
            "停用" if u.disabled else "正常",
            "演示" if u.is_demo else "",
            u.email or "",
            local_time_text(u.last_sign_in_at),
        )
        for u in list_users(get_engine(get_settings()))
    ]
    if not rows:
        print("尚无用户。新增管理员：python -m dashboard users add <用户名> --role admin")
        return 0
    print(text_table(("用户名", "姓名", "角色", "个人信息", "状态", "演示", "电子邮箱", "最近登录"), rows))
    return 0


def _run_guarded(func):
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except UserError as exc:
            print(str(exc), file=sys.stderr)
            return 1

    return run


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="本地账号：新增、停用、启用、修改角色、重置密码、列表")
    us = p.add_subparsers(dest="users_command", required=True)
    a = us.add_parser("add", help="新增用户（默认打印一次性密码）")
    a.add_argument("username")
    a.add_argument("--role", required=True, choices=ROLE_NAMES)
    a.add_argument(
        "--department",
        action="append",
        metavar="CODE",
        help="部门代码（角色 department 必填，可重复或用逗号分隔），见 dashboard/reference/departments.csv",
    )
    a.add_argument("--name", help="显示名称（默认为用户名）")
    a.add_argument("--personal-data", action="store_true", help="授予查看未脱敏个人信息的权限")
    a.add_argument("--email", help="统一身份认证（OIDC）登录时用于匹配的电子邮箱")
    a.add_argument("--oidc-subject", help="统一身份认证（OIDC）登录时用于匹配的 sub 标识")
    g = a.add_mutually_exclusive_group()
    g.add_argument("--stdin", action="store_true", help="从标准输入读取密码（一行），而不是生成一次性密码")
    g.add_argument("--no-password", action="store_true", help="不设本地密码（仅可通过统一身份认证登录）")
    a.set_defaults(func=_run_guarded(_cmd_add))
    d = us.add_parser("disable", help="停用用户")
    d.add_argument("username")
    d.set_defaults(func=_run_guarded(_cmd_disable))
    e = us.add_parser("enable", help="重新启用用户")
    e.add_argument("username")
    e.set_defaults(func=_run_guarded(_cmd_enable))
    r = us.add_parser("set-role", help="修改用户的角色、部门或个人信息权限")
    r.add_argument("username")
    r.add_argument("role", choices=ROLE_NAMES)
    r.add_argument("--department", action="append", metavar="CODE", help="部门代码（可重复或用逗号分隔）")
    r.add_argument(
        "--personal-data", dest="personal_data", action="store_true", default=None, help="授予查看未脱敏个人信息的权限"
    )
    r.add_argument("--no-personal-data", dest="personal_data", action="store_false", help="收回该权限")
    r.set_defaults(func=_run_guarded(_cmd_set_role))
    pw = us.add_parser("reset-password", help="重置密码：打印一次性密码，或用 --stdin 从标准输入读取")
    pw.add_argument("username")
    pw.add_argument("--stdin", action="store_true", help="从标准输入读取新密码（一行）")
    pw.set_defaults(func=_run_guarded(_cmd_reset_password))
    ls = us.add_parser("list", help="列出用户")
    ls.set_defaults(func=_run_guarded(_cmd_list))
