-- rule: I05
-- returns: one row per as-of point and group: the point T ($as_of) and, when $series_months > 0,
--          every month-end of the $series_months months before it; the group is NULL for the city
--          or the handling department_code when $breakdown = 'department'. numerator: objections
--          received in the window ($window_months months up to the point) and answered by the point
--          within $objection_working_days working days of receipt ($grading_objection_working_days
--          for objections concerning a credit evaluation): on or before the deadline date, the N-th
--          working day after the day of receipt (step deadline_days; an answer on a holiday or
--          weekend after it is late); denominator: objections received in the window (one still
--          unanswered counts as not answered in time).
-- parameters: $as_of, $series_months, $window_months, $breakdown ('city' | 'department'),
--             $objection_working_days, $grading_objection_working_days
-- steps: series_points, deadline_days (T and the month-ends before it: queries/steps/series_points.sql;
--        the deadline of N working days: queries/steps/deadline_days.sql)
-- source: docs/rules.md I05; 001 二(五); 002 §三(五)1 (grading objections); 民法典 第201条、第203条
WITH windows AS (
    SELECT as_of_date, CAST(as_of_date - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
    FROM series_points
),

objection_facts AS (
    SELECT
        o.objection_id,
        dn.department_code,
        o.received_date,
        o.answered_date,
        received_day.workday_seq
            + CASE WHEN COALESCE(o.concerns_grading, FALSE) THEN $grading_objection_working_days
                   ELSE $objection_working_days END AS deadline_seq
    FROM objections AS o
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(o.department)
    LEFT JOIN ref_calendar AS received_day ON received_day.day = o.received_date
),

deadlined AS (
    SELECT f.*, deadline.deadline_date
    FROM objection_facts AS f
    LEFT JOIN deadline_days AS deadline ON deadline.workday_seq = f.deadline_seq
),

counted AS (
    SELECT
        w.as_of_date,
        CASE WHEN $breakdown = 'department' THEN f.department_code END AS group_code,
        SUM(CASE WHEN f.answered_date <= w.as_of_date
                  AND f.answered_date <= f.deadline_date THEN 1 ELSE 0 END) AS numerator,
        COUNT(*) AS denominator
    FROM windows AS w
    INNER JOIN deadlined AS f
        ON f.received_date > w.window_start
        AND f.received_date <= w.as_of_date
    GROUP BY 1, 2
)

SELECT
    'I05' AS indicator_id,
    as_of_date,
    group_code,
    numerator,
    denominator,
    CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM counted
