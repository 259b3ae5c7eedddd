"""Text cells made safe for spreadsheet software: the one home of formula neutralisation and of
the CSV spelling of every download and export (dashboard.app.exports, the audit log's export).

A spreadsheet runs a cell that begins with = + - @ (and, in some programs, a tab or a carriage
return before one of them) as a formula: `=cmd|' /C calc'!A0` started a program on the office's
machine. Such a text gets a leading apostrophe — at the start of the cell and at the start of every
line inside it, because a program that splits rows on a bare carriage return (as Excel does when it
opens a CSV) makes each line inside a field the first cell of a new row. CSV is written with CR LF
line ends, so that every field holding a CR or an LF is quoted.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A line start (the start of the text, or just after CR LF, CR or LF) followed by a formula prefix.
_LINE_START = re.compile(r"(^|\r\n|\r|\n)(?=[=+\-@\t\r])")
LINE_BREAKS = ("\r", "\n")


def neutralise(value: Any) -> Any:
    """A text cell with an apostrophe before every line that a spreadsheet would read as a formula
    (the first line included); anything else unchanged."""
    if not isinstance(value, str):
        return value
    if not value.startswith(FORMULA_PREFIXES) and "\r" not in value and "\n" not in value:
        return value
    return _LINE_START.sub(lambda m: m.group(1) + "'", value)


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell neutralised (headers included)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise).astype(object)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV, neutralised, with CR LF line ends: a field holding a CR or an LF is quoted
    (a bare CR was written unquoted with LF line ends, and a CR-aware reader started a new row)."""
    data = neutralised(frame)
    out = io.StringIO()
    data.to_csv(out, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return out.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """csv_text as UTF-8 with a BOM (so that Excel opens Chinese headers correctly)."""
    return csv_text(frame).encode("utf-8-sig")
