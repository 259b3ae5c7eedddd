"""`python -m dashboard remind`: reminders to departments (docs/rules.md R1–R5) — one run for cron,
and `remind key` to make the key that encrypts the channels' secrets. The load and schedule
commands call `after_loads` themselves, so reminders follow every published load and every pass."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterable

from dashboard.core.settings import Settings, get_settings
from dashboard.notify import dispatch, outbox

log = logging.getLogger("dashboard.remind")


def after_loads(settings: Settings, published: Iterable[str | None] = ()) -> dispatch.Report | None:
    """Run reminders after loads (R1, R3 for the published snapshots; R2, R4 when due; queued ones
    that are due). A failure is logged and never fails the load or the scheduler."""
    try:
        report = dispatch.run_reminders(settings, [s for s in published if s])
    except Exception:  # reminders must not break a load that has already published
        log.exception("提醒运行失败")
        return None
    if report.queued or report.sent or report.failed or report.held:
        log.info(report.text())
    return report


def _cmd_remind(args: argparse.Namespace) -> int:
    if args.action == "key":
        print(outbox.new_key())
        return 0
    report = after_loads(get_settings())
    if report is None:
        return 1
    print(report.text())
    return 1 if report.failed else 0


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("remind", help="向责任单位发送到期的提醒（企业微信、钉钉、电子邮件）")
    p.add_argument(
        "action",
        nargs="?",
        choices=("run", "key"),
        default="run",
        help="run：计算并发送到期的提醒（默认）；key：生成渠道密钥的加密密钥（设为 DASHBOARD_NOTIFY_KEY）",
    )
    p.set_defaults(func=_cmd_remind)
