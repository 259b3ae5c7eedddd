"""Command line: `python -m dashboard COMMAND …`. Each command group is a module of this package
with `add_cli(subparsers)`; each command is a thin shell over importable functions. Messages go
through logging (configured once here) to stderr; results go to stdout."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from dashboard.cli.arguments import ChineseArgumentParser, mark_parsers
from dashboard.core import os_errors

# The command groups, each a module with add_cli(subparsers), and the commands it registers. A
# command imports only its own module: the benchmarks, the document renderers and Streamlit's test
# harness cost seconds to import that `load` or `status` must not pay.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "dashboard.cli.demo": ("demo",),
    "dashboard.cli.load": ("load", "rebuild", "status", "rollback"),
    "dashboard.cli.check": ("check",),
    "dashboard.cli.schedule": ("schedule",),
    "dashboard.cli.remind": ("remind",),
    "dashboard.cli.indicators": ("indicators",),
    "dashboard.cli.warnings": ("warnings",),
    "dashboard.cli.briefing": ("briefing",),
    "dashboard.cli.spotcheck": ("spotcheck",),
    "dashboard.cli.profile": ("profile",),
    "dashboard.cli.users": ("users",),
    "dashboard.cli.audit": ("audit",),
    "dashboard.cli.bench": ("bench",),
    "dashboard.cli.serve": ("serve",),
}


def _modules_for(argv: list[str] | None) -> list[str]:
    """The command-group modules a command line needs: the one of its command, or every one (for
    help and for a command that does not exist, whose error lists them all)."""
    words = [w for w in (sys.argv[1:] if argv is None else argv) if not w.startswith("-")]
    if words:
        for module, commands in COMMAND_MODULES.items():
            if words[0] in commands:
                return [module]
    return list(COMMAND_MODULES)


def configure_logging(debug: bool = False) -> None:
    """One logging setup for every command, the loads and the scheduler: messages on stderr with
    their time; --debug adds the logger's name and DEBUG messages."""
    fmt = "[%(asctime)s] %(name)s %(levelname)s %(message)s" if debug else "[%(asctime)s] %(message)s"
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format=fmt,
        datefmt="%Y-%m-%d %H:%M:%S",
        stream=sys.stderr,
        force=True,
    )
    if not debug:  # the message of a logged exception, without its traceback
        for handler in logging.getLogger().handlers:
            handler.setFormatter(_WithoutTraceback(fmt, datefmt="%Y-%m-%d %H:%M:%S"))


class _WithoutTraceback(logging.Formatter):
    """A log line without the traceback of `log.exception` (shown only with --debug)."""

    def format(self, record: logging.LogRecord) -> str:
        plain = logging.makeLogRecord(record.__dict__)
        plain.exc_info, plain.exc_text, plain.stack_info = None, None, None
        return super().format(plain)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of `argv`'s command (every command when `argv` names none: help, errors)."""
    parser = ChineseArgumentParser(prog="python -m dashboard", description="城市信用监测驾驶舱 command line")
    parser.add_argument("--debug", action="store_true", help="显示调试信息（出错时显示 Python 调用栈）")
    sub = parser.add_subparsers(dest="command", required=True, title="命令", metavar="COMMAND")
    for module in _modules_for(argv if argv is not None else []):
        importlib.import_module(module).add_cli(sub)
    mark_parsers(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    args, extra = parser.parse_known_args(argv)
    if extra:  # only commands that pass arguments on (serve → streamlit) accept unknown ones
        if not getattr(args, "pass_through", False):
            getattr(args, "_parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
        args.extra = extra
    configure_logging(args.debug)
    try:
        return int(args.func(args) or 0)
    except SystemExit as exc:  # a command's own refusal (e.g. no snapshot yet): message on stderr, exit 1
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        raise
    except OSError as exc:  # disk full, no permission, read-only: a sentence with the path and the fix
        if args.debug:
            raise
        described = os_errors.describe(exc)
        print(f"错误：{described}" if described else f"系统错误：{exc}（加 --debug 查看详细信息）", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug: one line, the traceback only with --debug
        if args.debug:
            raise
        db = sys.modules.get("dashboard.store.db")  # loaded by any command that ran a query
        if db is not None and isinstance(exc, db.QueryTimeLimit):  # not a bug: its own Chinese message
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        print(f"内部错误：{type(exc).__name__}: {exc}（加 --debug 查看详细信息）", file=sys.stderr)
        return 1
