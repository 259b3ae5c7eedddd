"""`python -m dashboard demo`: the deterministic demo drop."""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard.cli.arguments import DATE_FORM, iso_date
from dashboard.demo.bulk import SCALES
from dashboard.demo.generate import generate_drop


def add_cli(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "demo",
        help="生成演示数据（同一种子与日期生成完全相同的文件）",
        description="生成鹤岗市演示数据投放目录：每个数据实体一个文件（CSV、XLSX、Parquet）。",
    )
    p.add_argument(
        "--scale",
        choices=list(SCALES),
        default="city",
        help="规模：tiny（测试用）、city（约3万市场主体，默认）、province（约300万市场主体）",
    )
    p.add_argument("--seed", type=int, default=42, help="随机种子（默认 42）")
    p.add_argument("--out", type=Path, required=True, help="输出目录")
    p.add_argument(
        "--as-of",
        type=iso_date,
        metavar=DATE_FORM,
        default=None,
        help="数据截至日期 YYYY-MM-DD（默认今天）；T 为其上月末",
    )
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    generate_drop(args.out, scale=args.scale, seed=args.seed, as_of=args.as_of)
    return 0
