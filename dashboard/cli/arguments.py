"""The command line's argument parser, in Chinese: bad arguments give `参数错误：…` with the
expected form of the command (its usage line) and exit code 2, never argparse's English and never
a traceback; argument types (dates) say which form they expect."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from typing import Any, NoReturn

EXIT_USAGE = 2
USAGE_PREFIX = "用法："
DATE_FORM = "YYYY-MM-DD"

# argparse's messages (Python 3.11–3.13 spellings) → Chinese; applied in order, each at most once.
_TRANSLATIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^the following arguments are required: (.*)$", r"缺少必需的参数：\1"),
        (r"^one of the arguments (.*) is required$", r"必须给出以下参数之一：\1"),
        (r"^unrecognized arguments: (.*)$", r"无法识别的参数：\1"),
        (r"^ambiguous option: (\S+) could match (.*)$", r"选项 \1 有歧义，可能是：\2"),
        (r"^argument (\S+?): ", r"参数 \1："),
        (r"invalid choice: (.*?) \(choose from (.*)\)$", r"无效的取值 \1（可选：\2）"),
        (r"invalid (\w+) value: (.*)$", r"无效的取值 \2"),
        (r"expected one argument$", "需要一个值"),
        (r"expected at most one argument$", "最多一个值"),
        (r"expected at least one argument$", "至少一个值"),
        (r"expected (\d+) arguments?$", r"需要 \1 个值"),
        (r"not allowed with argument (.*)$", r"不能与参数 \1 同时使用"),
        (r"ignored explicit argument (.*)$", r"不接受值 \1"),
    )
)


def translate(message: str) -> str:
    """An argparse error message in Chinese (a message it does not know stays as it is)."""
    for pattern, replacement in _TRANSLATIONS:
        message = pattern.sub(replacement, message, count=1)
    return message


def iso_date(text: str) -> dt.date:
    """An argument type: a calendar date written YYYY-MM-DD (`--as-of 2026-06-30`)."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”无效，应为 {DATE_FORM} 形式的日期，如 2026-06-30") from None


class ChineseArgumentParser(argparse.ArgumentParser):
    """ArgumentParser whose errors, usage and help headings are Chinese. Subcommand parsers are
    of the same class (argparse creates them with the class of their parent)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs["add_help"] = False  # our own -h, with a Chinese help text
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", USAGE_PREFIX, 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", USAGE_PREFIX, 1)

    def error(self, message: str) -> NoReturn:
        """`参数错误：<what>` and the command's expected form on stderr; exit 2."""
        sys.stderr.write(f"参数错误：{translate(message)}\n{self.format_usage().rstrip()}\n")
        sys.stderr.write(f"（运行 {self.prog} -h 查看说明）\n")
        sys.exit(EXIT_USAGE)


def mark_parsers(parser: argparse.ArgumentParser) -> None:
    """Give every (sub)command parser a default `_parser` naming itself, so that an error found
    after parsing (e.g. arguments a command does not accept) shows that command's usage."""
    parser.set_defaults(_parser=parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                mark_parsers(child)
