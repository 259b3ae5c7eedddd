"""Numbers and dates the Chinese way, for every label, tile, table and export of the dashboard.

Counts switch to 万 / 亿 at ten thousand / one hundred million; ratios are shown as percentages;
months read 2024年6月. Every helper returns "—" for a missing value, so a page never shows
"nan" or "None".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboard.core.dates import is_missing, month_end, to_date

MISSING = "—"
UNCHANGED = "持平"
WAN = 10_000
YI = 100_000_000

# Indicator units of the catalogue (dashboard/reference/indicators.csv).
PCT, COUNT, MONTHS = "pct", "count", "months"
# An indicator's status against its target, in words (docs/rules.md §4 "Status colours").
STATUS_LABELS = {"green": "达标", "amber": "临界", "red": "未达标", "none": "无数据"}


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_count(value: Any, digits: int = 2) -> str:
    """1234 → 1,234; 12345 → 1.23万; 123456789 → 1.23亿 (trailing zeros dropped)."""
    if is_missing(value):
        return MISSING
    number = float(value)
    sign = "-" if number < 0 else ""
    size = abs(number)
    if size >= YI:
        return f"{sign}{_trim(f'{size / YI:.{digits}f}')}亿"
    if size >= WAN:
        return f"{sign}{_trim(f'{size / WAN:.{digits}f}')}万"
    if float(size).is_integer():
        return f"{sign}{int(size):,}"
    return f"{sign}{_trim(f'{size:,.{digits}f}')}"


def fmt_wan_yuan(value: Any, digits: int = 2) -> str:
    """An amount held in 万元 (the 双公示 unit): 12.5 → 12.5万元; 25000 → 2.5亿元."""
    if is_missing(value):
        return MISSING
    number = float(value)
    if abs(number) >= WAN:
        return f"{_trim(f'{number / WAN:.{digits}f}')}亿元"
    return f"{_trim(f'{number:,.{digits}f}')}万元"


def fmt_pct(value: Any, digits: int = 1) -> str:
    """A ratio as a percentage: 0.1534 → 15.3%."""
    if is_missing(value):
        return MISSING
    return f"{float(value) * 100:.{digits}f}%"


def fmt_value(value: Any, unit: str, digits: int = 1) -> str:
    """An indicator value in its catalogue unit (pct, count, months)."""
    if is_missing(value):
        return MISSING
    if unit == PCT:
        return fmt_pct(value, digits)
    if unit == MONTHS:
        return f"{fmt_count(value)}个月"
    return fmt_count(value)


def fmt_delta(value: Any, unit: str, digits: int = 1) -> str | None:
    """A change between two values of an indicator: percentage points for ratios ("+1.2个百分点"),
    plain numbers otherwise, 持平 when it rounds to nothing; None when there is nothing to compare
    (st.metric then shows no delta)."""
    if is_missing(value):
        return None
    number = float(value)
    shown = round(number * 100, digits) if unit == PCT else round(number, 2)
    if shown == 0:
        return UNCHANGED
    sign = "+" if number > 0 else ""
    if unit == PCT:
        return f"{sign}{number * 100:.{digits}f}个百分点"
    if unit == MONTHS:
        return f"{sign}{fmt_count(number)}个月"
    return f"{sign}{fmt_count(number)}"


def fmt_date(value: Any) -> str:
    """2024-06-30 (tables and exports sort this spelling correctly)."""
    day = to_date(value)
    return MISSING if day is None else day.isoformat()


def fmt_date_cn(value: Any) -> str:
    """2024年6月30日 (running text)."""
    day = to_date(value)
    return MISSING if day is None else f"{day.year}年{day.month}月{day.day}日"


def fmt_month(value: Any) -> str:
    """2024年6月."""
    day = to_date(value)
    return MISSING if day is None else f"{day.year}年{day.month}月"


def fmt_hours(hours: float) -> str:
    """A duration as the office says it: 5小时, 2天3小时."""
    whole = int(round(hours))
    if whole < 24:
        return f"{whole}小时"
    days, rest = divmod(whole, 24)
    return f"{days}天" + (f"{rest}小时" if rest else "")


def month_param(day: dt.date) -> str:
    """The URL spelling of a month: 2024-06."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_month_param(text: str | None) -> dt.date | None:
    """The month-end named by a URL month (2024-06, also 2024-06-30); None when it does not parse."""
    if not text:
        return None
    try:
        year, month = int(text[:4]), int(text[5:7])
        return month_end(dt.date(year, month, 1))
    except (ValueError, IndexError):
        return None
