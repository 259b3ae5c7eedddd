"""Dates for the demo generator: day numbers, calendar month arithmetic with clamping (docs/rules.md
reading conventions), and a vectorised PRC working-day calendar built on dashboard.core.workdays.

Dates inside the generator are int64 day numbers (days since 1970-01-01) so that millions of them
can be shifted, compared and formatted with numpy and pyarrow.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import numpy as np

from dashboard.core.workdays import is_workday

EPOCH = dt.date(1970, 1, 1)
NEVER = 10**6  # day number standing for "no such date" in comparisons (year 4707)


def day_no(day: dt.date) -> int:
    return (day - EPOCH).days


def from_day(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic with clamping: 2022-08-31 minus 6 months is 2022-02-28."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def month_end_before(as_of: dt.date) -> dt.date:
    """T: the last day of the month before the month of `as_of` (the last complete month)."""
    return as_of.replace(day=1) - dt.timedelta(days=1)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months_np(days: np.ndarray, months: int | np.ndarray) -> np.ndarray:
    """Vectorised add_months over day numbers."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype("int64")  # 0-based day of month
    m2 = m + np.asarray(months, dtype="int64")
    length = ((m2 + 1).astype("datetime64[D]") - m2.astype("datetime64[D]")).astype("int64")
    out = m2.astype("datetime64[D]") + np.minimum(dom, length - 1)
    return out.astype("int64")


def year_of(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[Y]").astype("int64") + 1970


def month_no(day: dt.date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


class Calendar:
    """Working days between `start` and `end` as arrays: is_work[i] and seq[i] (working days up to
    and including day start + i), so that adding n working days is one searchsorted."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start = day_no(start)
        n = (end - start).days + 1
        # Weekdays, then the statutory exceptions the calendar package knows (holidays, 调休
        # working days) — the same answer as dashboard.core.workdays.is_workday, without a call per day.
        self.is_work = (np.arange(self.start, self.start + n) + 3) % 7 < 5  # 1970-01-01 was a Thursday
        for day in chinese_calendar.holidays:
            if start <= day <= end:
                self.is_work[(day - start).days] = is_workday(day)
        for day in chinese_calendar.workdays:
            if start <= day <= end:
                self.is_work[(day - start).days] = is_workday(day)
        self.seq = np.cumsum(self.is_work)
        self.end = self.start + n - 1

    def _split(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(days, clipped calendar index, inside mask); days outside the calendar are far future
        dates (no-expiry placeholders, never) that working-day arithmetic leaves as they are."""
        days = np.asarray(days, dtype="int64")
        idx = days - self.start
        inside = (idx >= 0) & (idx < self.seq.size)
        return days, np.clip(idx, 0, self.seq.size - 1), inside

    def add_workdays(self, days: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        """The date n ≥ 1 working days after each day (the day itself not counted)."""
        days, idx, inside = self._split(days)
        n = np.asarray(n, dtype="int64")
        pos = np.searchsorted(self.seq, self.seq[idx] + n, side="left")
        return np.where(inside & (pos < self.seq.size), self.start + pos, days + n * 7 // 5)

    def next_workday(self, days: np.ndarray) -> np.ndarray:
        """Each day itself when it is a working day, else the next working day."""
        days, idx, inside = self._split(days)
        pos = np.searchsorted(self.seq, self.seq[idx] + (~self.is_work[idx]), side="left")
        return np.where(inside & (pos < self.seq.size), self.start + pos, days)

    def workdays_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Working days in (start, end]."""
        return self.seq[self._split(end)[1]] - self.seq[self._split(start)[1]]

    def day_weights(self, first: int, last: int, weekend: float = 0.04) -> tuple[np.ndarray, np.ndarray]:
        """(days, probabilities) over [first, last]: decisions fall on working days, rarely else."""
        days = np.arange(first, last + 1)
        w = np.where(self.is_work[self._split(days)[1]], 1.0, weekend)
        if not w.sum():  # a span of rest days only (as_of on the first of a month after a weekend)
            w = np.ones(days.size)
        return days, w / w.sum()
