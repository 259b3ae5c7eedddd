"""Command line: `python -m dashboard COMMAND …`. Each command group is a module of this package
with `add_cli(subparsers)`; each command is a thin shell over importable functions. Messages go
through logging (configured once here) to stderr; results go to stdout."""

from __future__ import annotations

import argparse
import logging
import sys

from dashboard.cli import audit, bench, demo, indicators, load, profile, schedule, serve, spotcheck, users, warnings

COMMAND_GROUPS = (demo, load, schedule, indicators, warnings, spotcheck, profile, users, audit, bench, serve)


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="城市信用监测驾驶舱 command line")
    parser.add_argument("--debug", action="store_true", help="显示调试信息")
    sub = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # only commands that pass arguments on (serve → streamlit) accept unknown ones
        if not getattr(args, "pass_through", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.extra = extra
    configure_logging(args.debug)
    try:
        return int(args.func(args) or 0)
    except SystemExit as exc:  # a command's own refusal (e.g. no snapshot yet): message on stderr, exit 1
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        raise
