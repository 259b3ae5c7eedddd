-- rule: I10a, I10b
--       (I10: a departments grading, b enterprises graded)
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
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I10, P2; 001 三(十)
WITH windows AS (
    SELECT as_of_date, CAST(as_of_date - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
    FROM series_points
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

-- I10b. An enterprise counts at a point when it is alive at the point and has an evaluation in the
-- point's window. Rather than a row per enterprise and point (10^6 × 25 at province scale), each
-- enterprise is reduced to two bit masks over the points (bit k = point k + 1): the points it is
-- alive at, and the points whose window holds one of its evaluations; enterprises are then counted
-- per distinct pair of masks. (At most 62 points fit a BIGINT: indicators.MAX_SERIES_MONTHS.)
numbered_points AS (
    SELECT as_of_date, window_start, ROW_NUMBER() OVER (ORDER BY as_of_date) AS point_no
    FROM windows
),

point_bits AS (
    SELECT as_of_date, window_start, point_no, CAST(1 AS BIGINT) << CAST(point_no - 1 AS INTEGER) AS bit
    FROM numbered_points
),

all_points AS (
    SELECT BIT_OR(bit) AS point_mask
    FROM point_bits
),

evaluation_day_masks AS (
    SELECT d.eval_date, BIT_OR(p.bit) AS point_mask
    FROM (SELECT DISTINCT eval_date FROM evaluations) AS d
    INNER JOIN point_bits AS p ON d.eval_date > p.window_start AND d.eval_date <= p.as_of_date
    GROUP BY d.eval_date
),

graded_masks AS (
    SELECT e.uscc, BIT_OR(m.point_mask) AS graded_mask
    FROM evaluations AS e
    INNER JOIN evaluation_day_masks AS m ON m.eval_date = e.eval_date
    GROUP BY e.uscc
),

alive_from_masks AS (
    SELECT f.alive_from, BIT_OR(p.bit) AS point_mask
    FROM (SELECT DISTINCT alive_from FROM indicator_subjects WHERE is_enterprise) AS f
    INNER JOIN point_bits AS p ON f.alive_from <= p.as_of_date
    GROUP BY f.alive_from
),

alive_until_masks AS (
    SELECT u.alive_until, BIT_OR(p.bit) AS point_mask
    FROM (SELECT DISTINCT alive_until FROM indicator_subjects WHERE is_enterprise) AS u
    INNER JOIN point_bits AS p ON u.alive_until > p.as_of_date
    GROUP BY u.alive_until
),

enterprise_masks AS (
    SELECT
        CASE WHEN $breakdown = 'district' THEN s.district_code END AS group_code,
        f.point_mask & CASE WHEN s.alive_until IS NULL THEN a.point_mask ELSE COALESCE(u.point_mask, 0) END
            AS alive_mask,
        COALESCE(g.graded_mask, 0) AS graded_mask
    FROM indicator_subjects AS s
    INNER JOIN alive_from_masks AS f ON f.alive_from = s.alive_from
    LEFT JOIN alive_until_masks AS u ON u.alive_until = s.alive_until
    LEFT JOIN graded_masks AS g ON g.uscc = s.uscc
    CROSS JOIN all_points AS a
    WHERE s.is_enterprise
),

mask_counts AS (
    SELECT group_code, alive_mask, alive_mask & graded_mask AS counted_mask, COUNT(*) AS n_enterprises
    FROM enterprise_masks
    WHERE alive_mask <> 0
    GROUP BY group_code, alive_mask, alive_mask & graded_mask
),

enterprise_coverage AS (
    SELECT
        p.as_of_date,
        m.group_code,
        CAST(SUM(CASE WHEN (m.counted_mask & p.bit) <> 0 THEN m.n_enterprises ELSE 0 END) AS BIGINT) AS numerator,
        CAST(SUM(CASE WHEN (m.alive_mask & p.bit) <> 0 THEN m.n_enterprises ELSE 0 END) AS BIGINT) AS denominator
    FROM mask_counts AS m
    CROSS JOIN point_bits AS p
    GROUP BY p.as_of_date, m.group_code
    HAVING SUM(CASE WHEN (m.alive_mask & p.bit) <> 0 THEN m.n_enterprises ELSE 0 END) > 0
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
