-- rule: I04a, I04b, I04c
--       (I04: a 上报率, b 合规率, c 及时率)
-- returns: one row per indicator, as-of point and group: the point T ($as_of) and, when
--          $series_months > 0, every month-end of the $series_months months before it; the group
--          is NULL for the city (pooled over departments) or the issuing department_code when
--          $breakdown = 'department'. Over the window ($window_months months up to the point):
--          I04a reported records ÷ decisions in the departments' own ledger (disclosure_ledger,
--          both kinds, months whose first day falls in the window); I04b reported records with no
--          quality flag (required fields, P3 on every USCC incl. the authority's, dates in order, no
--          placeholders) ÷ reported; I04c reported within $disclosure_working_days working days of
--          the decision ÷ reported: the deadline is a date, the $disclosure_working_days-th working
--          day after the decision day (step deadline_days over ref_calendar, 调休 days included), and
--          a report after that date is late, on a holiday or weekend right after it too.
--          A record is reported at a point when it is in the data and its reported_at is not after
--          the point (a record without reported_at — 上报时间 is optional, docs/data-contract.md — counts as
--          reported; I04c counts only the records that carry one, n_timed, so the indicator page can
--          say how many did not: I04b's denominator minus I04c's);
--          penalties excluded by P7 are not public credit information and do not count.
-- parameters: $as_of, $series_months, $window_months, $breakdown ('city' | 'department'),
--             $disclosure_working_days
-- steps: series_points, deadline_days (T and the month-ends before it: queries/steps/series_points.sql;
--        the deadline of N working days: queries/steps/deadline_days.sql)
-- source: docs/rules.md I04, P7; 001 二(四); 国办发〔2015〕51号, 国发〔2016〕33号 (7 working days);
--         民法典 第201条、第203条 (the deadline is a date)
WITH windows AS (
    SELECT as_of_date, CAST(as_of_date - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
    FROM series_points
),

disclosed AS (
    SELECT department_code, decision_date, reported_at, quality_flags
    FROM penalty_facts
    WHERE NOT is_excluded_p7
    UNION ALL
    SELECT department_code, decision_date, reported_at, quality_flags
    FROM license_facts
),

day_deadlines AS (
    -- each calendar day's deadline, worked out once per day (a few thousand rows) rather than per record
    SELECT decided_day.day, deadline.deadline_date
    FROM ref_calendar AS decided_day
    INNER JOIN deadline_days AS deadline
        ON deadline.workday_seq = decided_day.workday_seq + $disclosure_working_days
),

timed AS (
    SELECT
        d.department_code,
        d.decision_date,
        d.reported_at,
        COALESCE(d.quality_flags, '') = '' AS is_compliant,
        COALESCE(d.reported_at <= dd.deadline_date, FALSE) AS is_timely
    FROM disclosed AS d
    LEFT JOIN day_deadlines AS dd ON dd.day = d.decision_date
),

reported AS (
    SELECT
        w.as_of_date,
        COALESCE(CASE WHEN $breakdown = 'department' THEN t.department_code END, '') AS group_key,
        COUNT(*) AS n_reported,
        SUM(CASE WHEN t.is_compliant THEN 1 ELSE 0 END) AS n_compliant,
        SUM(CASE WHEN t.is_timely THEN 1 ELSE 0 END) AS n_timely,
        SUM(CASE WHEN t.reported_at IS NOT NULL THEN 1 ELSE 0 END) AS n_timed
    FROM windows AS w
    INNER JOIN timed AS t
        ON t.decision_date > w.window_start
        AND t.decision_date <= w.as_of_date
        AND (t.reported_at IS NULL OR t.reported_at <= w.as_of_date)
    GROUP BY 1, 2
),

ledger AS (
    SELECT
        w.as_of_date,
        COALESCE(CASE WHEN $breakdown = 'department' THEN dn.department_code END, '') AS group_key,
        SUM(l.decisions) AS n_decisions
    FROM windows AS w
    INNER JOIN disclosure_ledger AS l
        ON l.month > w.window_start
        AND l.month <= w.as_of_date
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(l.department)
    GROUP BY 1, 2
),

combined AS (
    SELECT
        COALESCE(r.as_of_date, l.as_of_date) AS as_of_date,
        NULLIF(COALESCE(r.group_key, l.group_key), '') AS group_code,
        COALESCE(r.n_reported, 0) AS n_reported,
        COALESCE(r.n_compliant, 0) AS n_compliant,
        COALESCE(r.n_timely, 0) AS n_timely,
        COALESCE(r.n_timed, 0) AS n_timed,
        COALESCE(l.n_decisions, 0) AS n_decisions
    FROM reported AS r
    FULL OUTER JOIN ledger AS l ON l.as_of_date = r.as_of_date AND l.group_key = r.group_key
),

rates AS (
    SELECT 'I04a' AS indicator_id, as_of_date, group_code, n_reported AS numerator, n_decisions AS denominator
    FROM combined
    UNION ALL
    SELECT 'I04b' AS indicator_id, as_of_date, group_code, n_compliant AS numerator, n_reported AS denominator
    FROM combined
    UNION ALL
    SELECT 'I04c' AS indicator_id, as_of_date, group_code, n_timely AS numerator, n_timed AS denominator
    FROM combined
)

SELECT
    indicator_id,
    as_of_date,
    group_code,
    numerator,
    denominator,
    CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM rates
