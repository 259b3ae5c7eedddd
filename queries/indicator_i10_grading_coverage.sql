-- rule: I10 (I10a departments grading, I10b enterprises graded)
-- returns: one row per indicator, as-of point and group: the point T ($as_of) and, when
--          $series_months > 0, every month-end of the $series_months months before it.
--          I10a (group NULL = city, or each of the grading departments when $breakdown =
--          'department'): departments of ref_departments.grading_listed (the 22 of 001 (十)) with
--          at least one evaluation result (evaluations.evaluator mapped through
--          ref_department_names) dated in the window ($window_months months up to the point) ÷
--          the listed departments. I10b (group NULL = city, or district_code when $breakdown =
--          'district'): surviving enterprises (P2) with any evaluation (incl. the 公共信用综合评价)
--          dated in the window ÷ surviving enterprises.
-- parameters: $as_of, $series_months, $window_months, $breakdown ('city' | 'department' | 'district')
-- source: RULES.md I10, P2; 001 三(十)
WITH points AS (
    SELECT CAST($as_of AS DATE) AS as_of_date
    UNION
    SELECT day AS as_of_date
    FROM ref_calendar
    WHERE day < CAST($as_of AS DATE)
      AND day > CAST(CAST($as_of AS DATE) - $series_months * INTERVAL 1 MONTH AS DATE)
      AND EXTRACT(DAY FROM CAST(day + INTERVAL 1 DAY AS DATE)) = 1
),

windows AS (
    SELECT as_of_date, CAST(as_of_date - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
    FROM points
),

listed_departments AS (
    SELECT department_code
    FROM ref_departments
    WHERE grading_listed
),

-- the days each evaluator gave results (a few thousand rows, mapped to departments once)
evaluator_days AS (
    SELECT dn.department_code, d.eval_date
    FROM (SELECT evaluator, eval_date FROM evaluations GROUP BY evaluator, eval_date) AS d
    INNER JOIN ref_department_names AS dn ON dn.name = TRIM(d.evaluator)
),

grading_departments AS (
    SELECT DISTINCT w.as_of_date, d.department_code
    FROM windows AS w
    INNER JOIN evaluator_days AS d
        ON d.eval_date > w.window_start
        AND d.eval_date <= w.as_of_date
),

department_coverage AS (
    SELECT
        w.as_of_date,
        CASE WHEN $breakdown = 'department' THEN ld.department_code END AS group_code,
        SUM(CASE WHEN g.department_code IS NOT NULL THEN 1 ELSE 0 END) AS numerator,
        COUNT(*) AS denominator
    FROM windows AS w
    CROSS JOIN listed_departments AS ld
    LEFT JOIN grading_departments AS g
        ON g.as_of_date = w.as_of_date
        AND g.department_code = ld.department_code
    GROUP BY 1, 2
),

surviving AS (
    SELECT
        w.as_of_date,
        s.uscc,
        CASE WHEN $breakdown = 'district' THEN s.district_code END AS group_code
    FROM windows AS w
    INNER JOIN indicator_subjects AS s
        ON s.alive_from <= w.as_of_date
        AND COALESCE(s.alive_until, DATE '9999-12-31') > w.as_of_date
    WHERE s.is_enterprise
),

graded_enterprises AS (
    SELECT DISTINCT w.as_of_date, e.uscc
    FROM windows AS w
    INNER JOIN evaluations AS e
        ON e.eval_date > w.window_start
        AND e.eval_date <= w.as_of_date
),

enterprise_coverage AS (
    SELECT
        sv.as_of_date,
        sv.group_code,
        COUNT(g.uscc) AS numerator,
        COUNT(*) AS denominator
    FROM surviving AS sv
    LEFT JOIN graded_enterprises AS g ON g.as_of_date = sv.as_of_date AND g.uscc = sv.uscc
    GROUP BY 1, 2
),

rates AS (
    SELECT 'I10a' AS indicator_id, as_of_date, group_code, numerator, denominator
    FROM department_coverage
    WHERE $breakdown <> 'district'
    UNION ALL
    SELECT 'I10b' AS indicator_id, as_of_date, group_code, numerator, denominator
    FROM enterprise_coverage
    WHERE $breakdown <> 'department'
)

SELECT
    indicator_id,
    as_of_date,
    group_code,
    numerator,
    denominator,
    CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM rates
