-- rule: I12
-- returns: one row per as-of point and group: the point T ($as_of) and, when $series_months > 0,
--          every month-end of the $series_months months before it; the group is NULL for the city,
--          the issuing department_code when $breakdown = 'department', or the subject's
--          district_code when 'district'. Over penalties that are public credit information (P7,
--          not revoked) whose minimum publicity period ended in the window ($window_months months
--          up to the point, P10): numerator repaired by the point; denominator repaired by the
--          point + 应修复未修复 at the point (P11: still in publicity, no approved repair — an
--          application in progress still counts). Penalties whose publicity ended unrepaired count
--          in neither.
-- parameters: $as_of, $series_months, $window_months, $breakdown ('city' | 'department' | 'district')
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I12, P9–P11; 001 三(十二); marts/20_penalty_facts.sql, P11 at a point from
--         marts/25_penalty_publicity_spans.sql
WITH windows AS (
    SELECT as_of_date, CAST(as_of_date - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
    FROM series_points
),

eligible AS (
    SELECT
        w.as_of_date,
        CASE
            WHEN $breakdown = 'department' THEN p.department_code
            WHEN $breakdown = 'district' THEN s.district_code
        END AS group_code,
        p.repaired_date IS NOT NULL AND p.repaired_date <= w.as_of_date AS is_repaired,
        p.should_repair_from <= w.as_of_date AND w.as_of_date < p.in_publicity_until AS is_unrepaired_in_publicity
    FROM windows AS w
    -- public credit information only (P7), with its P11 span and the decision's own dates
    INNER JOIN penalty_publicity_spans AS p
        ON p.repair_eligible_date > w.window_start
        AND p.repair_eligible_date <= w.as_of_date
        AND p.decision_date <= w.as_of_date
    -- joined only for the district breakdown (a constant-false condition lets the engine skip it)
    LEFT JOIN indicator_subjects AS s ON s.uscc = p.uscc AND p.has_valid_uscc AND $breakdown = 'district'
),

counted AS (
    SELECT
        as_of_date,
        group_code,
        SUM(CASE WHEN is_repaired THEN 1 ELSE 0 END) AS numerator,
        SUM(CASE WHEN is_repaired OR is_unrepaired_in_publicity THEN 1 ELSE 0 END) AS denominator
    FROM eligible
    GROUP BY as_of_date, group_code
)

SELECT
    'I12' AS indicator_id,
    as_of_date,
    group_code,
    numerator,
    denominator,
    CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM counted
