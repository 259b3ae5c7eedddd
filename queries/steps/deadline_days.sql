-- rule: none (shared step of I04c, I05: a deadline of N working days is a date)
-- returns: deadline_days — one row per working day of ref_calendar: workday_seq and deadline_date
--          (the day). The deadline of "within N working days" of an event day d is the row whose
--          workday_seq = workday_seq(d) + N, workday_seq(d) read from ref_calendar (the number of
--          working days up to and including d, so d itself never counts, working day or not): the
--          N-th working day after d. Done on or before deadline_date is in time; done on any later
--          day is late, a holiday or weekend right after the deadline included. The SQL twin of
--          dashboard.core.workdays.deadline_date / deadline_dates. A query file whose header says
--          `-- steps: deadline_days` reads it as a table of that name.
-- parameters: none
-- source: docs/rules.md reading conventions (working days); 民法典 第201条、第203条
SELECT workday_seq, day AS deadline_date
FROM ref_calendar
WHERE is_workday
