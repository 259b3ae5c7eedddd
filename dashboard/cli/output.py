"""What the command line prints: JSON and CSV of result frames, aligned text tables, UTF-8 on
stdout whatever the terminal's locale. The one JSON serialiser of the command line."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def json_value(value: Any, integral_as_int: bool = False) -> Any:
    """A cell as JSON: lists element-wise, missing values (None, NaN, NaT, NA) as null, a timestamp
    at midnight as its date, dates in ISO spelling, numpy scalars as Python numbers; with
    `integral_as_int` a whole float becomes an integer (counts read 12, not 12.0)."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v, integral_as_int) for v in value]
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return json_value(value.item(), integral_as_int)
    if integral_as_int and isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready records (json_value of every cell)."""
    return [{k: json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def frame_text(frame: pd.DataFrame, fmt: str) -> str:
    """A frame as JSON (a list of records, non-ASCII kept) or CSV (lists joined by ';')."""
    records = frame_records(frame)
    if fmt == "json":
        return json_text(records)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(frame.columns), lineterminator="\n")
    writer.writeheader()
    for rec in records:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in rec.items()})
    return out.getvalue()


def json_text(document: Any) -> str:
    """JSON as the command line prints it: indented, non-ASCII kept, one trailing newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def write_text(text: str) -> None:
    """Write to stdout as UTF-8 whatever the terminal's locale; a reader that stops early
    (… | head) is not an error."""
    try:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 — stdout stays open for the interpreter's exit


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table aligned for a terminal (Chinese characters are two columns wide)."""
    cells = [[str(h) for h in headers]] + [
        ["" if v is None else (f"{v:,}" if isinstance(v, int) else str(v)) for v in row] for row in rows
    ]
    widths = [max(_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
