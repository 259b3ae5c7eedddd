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
import numpy as np
import pandas as pd

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


def deadline_date(event: dt.date, n: int) -> dt.date:
    """The deadline of something due "within n working days" of `event`: the n-th working day
    after the event day (the event day itself not counted, 民法典 第201条, whether or not it is a
    working day). Done on or before this date is in time (a period ends at 24:00 of its last day,
    第203条); done on any later day is late, a holiday or weekend right after the deadline included,
    although no working day passed (docs/rules.md, reading conventions). The one definition of
    such deadlines (n >= 1): I04c, I05 and the W-lifecycle take it from here (deadline_dates
    vectorised; in SQL the step queries/steps/deadline_days.sql, the same numbering through
    ref_calendar)."""
    return add_workdays(event, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: 0 when end is start, negative when end precedes start."""
    if end < start:
        return -workdays_between(end, start)
    return sum(is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


# ---- vectorised over many days -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _calendar() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """calendar_rows as sorted arrays: every day (datetime64[D]) and its
    workday_seq; the working days and their workday_seq."""
    rows = sorted(calendar_rows())
    days = np.array([day for day, _, _ in rows], dtype="datetime64[D]")
    seqs = np.array([seq for _, _, seq in rows], dtype="int64")
    working = np.array([work for _, work, _ in rows], dtype=bool)
    return days, seqs, days[working], seqs[working]


def _lookup(keys: np.ndarray, sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of `keys` in `sorted_keys` and whether each was found there."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype="int64"), np.zeros(len(keys), dtype=bool)
    pos = np.searchsorted(sorted_keys, keys).clip(0, len(sorted_keys) - 1)
    return pos, sorted_keys[pos] == keys


def workday_seq(days: pd.Series) -> pd.Series:
    """The workday_seq of each day (dates or datetimes; <NA> where the day is missing or outside
    the calendar), vectorised: a follow-up status frame has ~10^6 rows at province scale. Working
    days between two days are the difference of their numbers."""
    cal_days, cal_seqs, _, _ = _calendar()
    pos, found = _lookup(pd.to_datetime(days).to_numpy(dtype="datetime64[D]"), cal_days)  # NaT is never found
    seqs = pd.array(np.where(found, cal_seqs[pos] if len(cal_seqs) else 0, 0), dtype="Int64")
    return pd.Series(seqs, index=days.index).where(found, pd.NA)


def working_day_numbered(seqs: pd.Series) -> pd.Series:
    """The working day (a date) numbered `seqs` (workday_seq), None where there is none: the day
    n working days after d is working_day_numbered(workday_seq(d) + n)."""
    _, _, work_days, work_seqs = _calendar()
    known = seqs.notna().to_numpy()
    pos, found = _lookup(seqs.fillna(-1).to_numpy(dtype="int64"), work_seqs)
    found &= known
    days = np.where(found, work_days[pos] if len(work_days) else np.datetime64("NaT"), np.datetime64("NaT"))
    return as_dates(pd.Series(days.astype("datetime64[D]"), index=seqs.index))


def deadline_dates(events: pd.Series, n: int | pd.Series) -> pd.Series:
    """deadline_date of each event day (dates or datetimes), vectorised: the working day numbered
    workday_seq(event) + n; None where the event is missing or the deadline is outside the calendar."""
    return working_day_numbered(workday_seq(events) + n)


def as_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.date.astype(object).where(values.notna(), None)
