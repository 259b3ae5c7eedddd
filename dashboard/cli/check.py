"""`python -m dashboard check DROP_DIR_OR_SOURCE_NAME`: the dry run of a load. Prints, per file,
which headers map to which field, which are not recognised, which required fields are missing and
why a data item would fail — what the 数据状态 page shows after a load — without loading anything."""

from __future__ import annotations

import argparse
import logging

from dashboard.cli.output import text_table, write_text
from dashboard.core.settings import get_settings
from dashboard.load.onboarding import check
from dashboard.load.sources import SourcesError
from dashboard.rules import file_reports
from dashboard.store import runs

log = logging.getLogger("dashboard.check")

EXIT_WOULD_FAIL = 1  # some data item would not load (or the target holds none)


def check_text(reports: list[runs.FileReport], target: str) -> str:
    """The dry run's report: a summary table of the files, then each file's headers and advice."""
    lines = [f"预检 {target}（只读取、校验，不装载，不写入任何数据）", ""]
    if not reports:
        lines.append("没有找到可装载的文件。")
        return "\n".join(lines) + "\n"
    summary = file_reports.summary_frame(reports, dry_run=True).drop(columns=["说明"])
    lines.append(text_table(list(summary.columns), summary.values.tolist()))
    for report in reports:
        status = file_reports.CHECK_STATUS.get(report.status, report.status)
        item = f"{file_reports.entity_label(report.entity)}：" if report.entity else ""
        lines += ["", f"【{report.file}】{item}{status}"]
        lines += [f"  · {line}" for line in file_reports.advice(report)]
        if report.headers or report.missing_required or report.ignored_headers:
            frame = file_reports.header_frame(report)
            lines.append("  " + text_table(list(frame.columns), frame.values.tolist()).replace("\n", "\n  "))
    return "\n".join(lines) + "\n"


def _cmd_check(args: argparse.Namespace) -> int:
    try:
        outcome = check(get_settings(), args.target)
    except SourcesError as exc:
        log.info(str(exc))
        return EXIT_WOULD_FAIL
    write_text(check_text(outcome.reports, outcome.target))
    return 0 if outcome.ok else EXIT_WOULD_FAIL


def add_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check", help="预检一个数据目录或 sources.toml 中的数据源：各文件表头对照、缺少的必填列、失败原因（不装载）"
    )
    p.add_argument("target", metavar="DROP_DIR_OR_SOURCE_NAME")
    p.set_defaults(func=_cmd_check)
