"""The PRC working-day calendar (statutory holidays and 调休 make-up working days).

Days come from the `chinesecalendar` package, which carries the State Council's yearly holiday
notices; outside the years it knows, weekdays are working days (and `calendar_coverage` says so).
`workday_seq` numbers working days consecutively, so SQL can count working days between two dates
as a difference of two lookups, portably, without date loops.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

CALENDAR_START = dt.date(2015, 1, 1)
CALENDAR_END = dt.date(2030, 12, 31)


def is_workday(day: dt.date) -> bool:
    """Statutory working day: a weekday that is not a holiday, or a 调休 weekend working day."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def calendar_coverage() -> tuple[dt.date, dt.date]:
    """First and last day for which statutory holidays are known (outside: weekdays only)."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)


@lru_cache(maxsize=1)
def calendar_rows() -> list[tuple[dt.date, bool, int]]:
    """(day, is_workday, workday_seq) for every day of the calendar range; workday_seq is the
    number of working days up to and including the day."""
    rows = []
    seq = 0
    day = CALENDAR_START
    while day <= CALENDAR_END:
        work = is_workday(day)
        seq += work
        rows.append((day, work, seq))
        day += dt.timedelta(days=1)
    return rows


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The date n working days after `start` (start itself not counted)."""
    day = start
    while n > 0:
        day += dt.timedelta(days=1)
        n -= is_workday(day)
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: 0 when end is start, negative when end precedes start."""
    if end < start:
        return -workdays_between(end, start)
    return sum(is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))
