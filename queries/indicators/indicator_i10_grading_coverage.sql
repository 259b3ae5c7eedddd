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
-- source: docs/rules.md I10, P2; 001 三(十); the enterprises' evaluation days: marts/35_enterprise_evaluation_days.sql
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

alive_masks AS (
    -- every surviving-enterprise candidate: the points at which it is alive
    SELECT
        CASE WHEN $breakdown = 'district' THEN s.district_code END AS group_code,
        f.point_mask & CASE WHEN s.alive_until IS NULL THEN a.point_mask ELSE COALESCE(u.point_mask, 0) END
            AS alive_mask
    FROM indicator_subjects AS s
    INNER JOIN alive_from_masks AS f ON f.alive_from = s.alive_from
    LEFT JOIN alive_until_masks AS u ON u.alive_until = s.alive_until
    CROSS JOIN all_points AS a
    WHERE s.is_enterprise
),

mask_counts AS (
    SELECT group_code, alive_mask, COUNT(*) AS n_enterprises
    FROM alive_masks
    WHERE alive_mask <> 0
    GROUP BY group_code, alive_mask
),

surviving_counts AS (
    SELECT p.as_of_date, m.group_code, CAST(SUM(m.n_enterprises) AS BIGINT) AS denominator
    FROM mask_counts AS m
    INNER JOIN point_bits AS p ON (m.alive_mask & p.bit) <> 0
    GROUP BY p.as_of_date, m.group_code
),

evaluation_day_masks AS (
    -- the points whose window holds the day
    SELECT d.eval_date, BIT_OR(p.bit) AS point_mask
    FROM (SELECT DISTINCT eval_date FROM enterprise_evaluation_days) AS d
    INNER JOIN point_bits AS p ON d.eval_date > p.window_start AND d.eval_date <= p.as_of_date
    GROUP BY d.eval_date
),

next_evaluation_masks AS (
    -- the points before the enterprise's next evaluation day
    SELECT n.next_eval_date, BIT_OR(p.bit) AS point_mask
    FROM (SELECT DISTINCT next_eval_date FROM enterprise_evaluation_days) AS n
    INNER JOIN point_bits AS p ON n.next_eval_date > p.as_of_date
    GROUP BY n.next_eval_date
),

graded_masks AS (
    -- an evaluated enterprise's row with eval_date <= T < next_eval_date is its latest evaluation by
    -- T (marts/35_enterprise_evaluation_days.sql): it is graded at T when that day is in the window
    -- and it is alive at T; so each enterprise counts once per point, from one of its rows
    SELECT
        CASE WHEN $breakdown = 'district' THEN e.district_code END AS group_code,
        m.point_mask
            & CASE WHEN e.next_eval_date IS NULL THEN a.point_mask ELSE COALESCE(n.point_mask, 0) END
            & f.point_mask
            & CASE WHEN e.alive_until IS NULL THEN a.point_mask ELSE COALESCE(u.point_mask, 0) END
            AS graded_mask
    FROM enterprise_evaluation_days AS e
    INNER JOIN evaluation_day_masks AS m ON m.eval_date = e.eval_date
    LEFT JOIN next_evaluation_masks AS n ON n.next_eval_date = e.next_eval_date
    INNER JOIN alive_from_masks AS f ON f.alive_from = e.alive_from
    LEFT JOIN alive_until_masks AS u ON u.alive_until = e.alive_until
    CROSS JOIN all_points AS a
),

graded_mask_counts AS (
    SELECT group_code, graded_mask, COUNT(*) AS n_enterprises
    FROM graded_masks
    WHERE graded_mask <> 0
    GROUP BY group_code, graded_mask
),

graded_counts AS (
    SELECT p.as_of_date, m.group_code, CAST(SUM(m.n_enterprises) AS BIGINT) AS numerator
    FROM graded_mask_counts AS m
    INNER JOIN point_bits AS p ON (m.graded_mask & p.bit) <> 0
    GROUP BY p.as_of_date, m.group_code
),

enterprise_coverage AS (
    SELECT
        s.as_of_date,
        s.group_code,
        CAST(COALESCE(g.numerator, 0) AS BIGINT) AS numerator,
        s.denominator
    FROM surviving_counts AS s
    LEFT JOIN graded_counts AS g
        ON g.as_of_date = s.as_of_date
        AND COALESCE(g.group_code, '') = COALESCE(s.group_code, '')
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
