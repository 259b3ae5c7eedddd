"""Dates as the office counts them: Beijing time for display, calendar-month arithmetic, the
month-ends the rules are evaluated at, and the month a view opens on."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Any, overload
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


@overload
def as_utc(value: dt.datetime) -> dt.datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp with its zone: SQLite hands timestamps back without one; they were written in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def local_time_text(value: dt.datetime | None) -> str:
    """A timestamp as the office reads it: Beijing time, to the second."""
    if value is None:
        return ""
    return as_utc(value).astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M:%S")


def is_missing(value: Any) -> bool:
    """None, NaN, NaT and pandas NA are all 'no value'."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        # pandas.NA refuses truth tests
        return str(value) in ("<NA>", "NaT")


def to_date(value: Any) -> dt.date | None:
    """A date from a date, datetime, pandas Timestamp or ISO string; None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def month_end(day: dt.date) -> dt.date:
    """The last day of the month of `day`."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic with clamping (docs/rules.md conventions: 08-31 − 6 months = 02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_complete_month(now: dt.date) -> dt.date:
    """The month-end of the last month that ended before `now` (data built on 2024-07-03 speaks
    completely of June, not yet of July)."""
    return now.replace(day=1) - dt.timedelta(days=1)


def month_ends(last: dt.date, count: int) -> list[dt.date]:
    """`count` month-ends ending with the month of `last`, newest first."""
    end = month_end(last)
    return [month_end(add_months(end.replace(day=1), -i)) for i in range(count)]


def default_month(built_at: dt.datetime, horizon: dt.date | None) -> dt.date:
    """The latest complete month: the last month that ended before both the snapshot was built
    (Beijing date) and the day after the newest record in the data (`horizon`)."""
    built = built_at.astimezone(DISPLAY_TZ).date()
    limit = built if horizon is None else min(built, horizon + dt.timedelta(days=1))
    return latest_complete_month(limit)
