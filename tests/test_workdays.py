"""The PRC working-day calendar: statutory holidays and 调休 make-up days of the Spring Festival and
National Day weeks 2022–2026 (State Council notices), add_workdays / workdays_between, and the
ref_calendar numbering that rule SQL uses."""

import datetime as dt

import pandas as pd
import pytest

from dashboard.core.workdays import (
    add_workdays,
    calendar_rows,
    deadline_date,
    deadline_dates,
    is_workday,
    workdays_between,
)

D = dt.date

# (holiday days off, make-up working days on a weekend), per the yearly notices
WEEKS = {
    "2022 春节": ((D(2022, 1, 31), D(2022, 2, 6)), (D(2022, 1, 29), D(2022, 1, 30))),
    "2022 国庆": ((D(2022, 10, 1), D(2022, 10, 7)), (D(2022, 10, 8), D(2022, 10, 9))),
    "2023 春节": ((D(2023, 1, 21), D(2023, 1, 27)), (D(2023, 1, 28), D(2023, 1, 29))),
    "2023 中秋国庆": ((D(2023, 9, 29), D(2023, 10, 6)), (D(2023, 10, 7), D(2023, 10, 8))),
    "2024 春节": ((D(2024, 2, 10), D(2024, 2, 17)), (D(2024, 2, 4), D(2024, 2, 18))),
    "2024 国庆": ((D(2024, 10, 1), D(2024, 10, 7)), (D(2024, 9, 29), D(2024, 10, 12))),
    "2025 春节": ((D(2025, 1, 28), D(2025, 2, 4)), (D(2025, 1, 26), D(2025, 2, 8))),
    "2025 国庆中秋": ((D(2025, 10, 1), D(2025, 10, 8)), (D(2025, 9, 28), D(2025, 10, 11))),
    "2026 春节": ((D(2026, 2, 15), D(2026, 2, 23)), (D(2026, 2, 14), D(2026, 2, 28))),
    "2026 国庆": ((D(2026, 10, 1), D(2026, 10, 7)), (D(2026, 9, 20), D(2026, 10, 10))),
}


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize("week", sorted(WEEKS))
def test_holiday_weeks_and_make_up_days(week):
    (first, last), make_up = WEEKS[week]
    assert [d for d in days(first, last) if is_workday(d)] == []
    assert all(d.weekday() >= 5 and is_workday(d) for d in make_up)
    # the working days just around the week are ordinary weekdays
    assert is_workday(first - dt.timedelta(1)) or (first - dt.timedelta(1)).weekday() >= 5
    assert is_workday(last + dt.timedelta(1)) or (last + dt.timedelta(1)).weekday() >= 5


def test_add_workdays_over_the_spring_festival():
    # 2024-02-08 (Thu) + 5 working days: 02-09, 02-18 (Sunday, 调休), 02-19, 02-20, 02-21
    assert add_workdays(D(2024, 2, 8), 5) == D(2024, 2, 21)
    # a weekday-only count would have said 2024-02-15, in the middle of the holiday
    assert add_workdays(D(2024, 2, 8), 1) == D(2024, 2, 9)
    assert add_workdays(D(2024, 2, 9), 1) == D(2024, 2, 18)
    # 2025: from the last working day before the holiday, the make-up Saturday counts
    assert add_workdays(D(2025, 1, 27), 4) == D(2025, 2, 8)  # 02-05, 02-06, 02-07, 02-08
    assert add_workdays(D(2025, 1, 27), 5) == D(2025, 2, 10)
    # National Day 2023: 9-28 (Thu) + 1 → 10-07 (Saturday, 调休)
    assert add_workdays(D(2023, 9, 28), 1) == D(2023, 10, 7)
    assert add_workdays(D(2024, 2, 8), 0) == D(2024, 2, 8)


@pytest.mark.parametrize(
    "event, n, deadline",
    [
        (D(2024, 12, 20), 7, D(2024, 12, 31)),  # a report on 2025-01-01 (holiday) is after it: late
        (D(2025, 1, 1), 7, D(2025, 1, 10)),  # the event on a holiday: the next working day is the 1st
        (D(2025, 1, 4), 5, D(2025, 1, 10)),  # the event on a Saturday
        (D(2025, 1, 24), 7, D(2025, 2, 10)),  # 01-26 (Sun) and 02-08 (Sat) are 调休 working days
        (D(2024, 9, 24), 5, D(2024, 9, 30)),  # 09-29 (Sun, 调休) counts; the deadline precedes National Day
        (D(2024, 2, 8), 5, D(2024, 2, 21)),  # over the Spring Festival
    ],
)
def test_deadline_is_the_nth_working_day_after_the_event(event, n, deadline):
    assert deadline_date(event, n) == deadline
    got = deadline_dates(pd.Series([event, None, pd.Timestamp(event)], dtype=object), n)
    assert got.tolist() == [deadline, None, deadline]


def test_workdays_between_counts_the_half_open_interval():
    assert workdays_between(D(2024, 2, 8), D(2024, 2, 21)) == 5
    assert workdays_between(D(2024, 2, 8), D(2024, 2, 8)) == 0
    assert workdays_between(D(2024, 2, 21), D(2024, 2, 8)) == -5
    # a whole holiday week adds nothing
    assert workdays_between(D(2026, 2, 14), D(2026, 2, 23)) == 0
    assert workdays_between(D(2022, 9, 30), D(2022, 10, 9)) == 2  # the two make-up weekend days


def test_ref_calendar_sequence_matches_python(warehouse):
    rows = calendar_rows()
    seqs = [seq for _, _, seq in rows]
    assert seqs == sorted(seqs) and rows[0][0] == D(2015, 1, 1) and rows[-1][0] == D(2030, 12, 31)
    got = warehouse.execute(
        """
        SELECT b.workday_seq - a.workday_seq
        FROM ref_calendar AS a, ref_calendar AS b
        WHERE a.day = $start AND b.day = $end""",
        {"start": D(2024, 2, 8), "end": D(2024, 2, 21)},
    ).fetchone()[0]
    assert got == workdays_between(D(2024, 2, 8), D(2024, 2, 21)) == 5
    for (first, last), make_up in WEEKS.values():
        flags = warehouse.execute(
            "SELECT COUNT(*) FILTER (WHERE is_workday) FROM ref_calendar WHERE day BETWEEN $a AND $b",
            {"a": first, "b": last},
        ).fetchone()[0]
        assert flags == 0
        assert warehouse.execute(
            "SELECT bool_and(is_workday) FROM ref_calendar WHERE day IN ($a, $b)", {"a": make_up[0], "b": make_up[1]}
        ).fetchone()[0]
