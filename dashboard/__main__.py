"""Command line: `python -m dashboard COMMAND …`. Each command is a thin shell over importable
functions; the modules below each register their own sub-commands through `add_cli`."""
from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute sub-commands (each defines add_cli(subparsers)).
CLI_MODULES = (
    "dashboard.demo",
    "dashboard.loading",
    "dashboard.scheduler",
    "dashboard.indicators",
    "dashboard.credit_warnings",
    "dashboard.grading",
    "dashboard.profile",
    "dashboard.users",
    "dashboard.audit",
    "dashboard.bench",
    "dashboard.serve",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="城市信用监测驾驶舱 command line")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in CLI_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # module not part of this build
                continue
            raise
        module.add_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # only commands that pass arguments on (serve → streamlit) accept unknown ones
        if not getattr(args, "pass_through", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.extra = extra
    try:
        return int(args.func(args) or 0)
    except SystemExit as exc:  # a command's own refusal (e.g. no snapshot yet): message on stderr, exit 1
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
