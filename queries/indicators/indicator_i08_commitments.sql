-- rule: I08a, I08b
--       (I08: a commitments signed, b fulfilment rate)
-- returns: one row per indicator, as-of point and group: the point T ($as_of) and, when
--          $series_months > 0, every month-end of the $series_months months before it; the group is
--          NULL for the city, the accepting department_code when $breakdown = 'department', or the
--          subject's district_code when 'district'.
--          I08a: commitments signed in the window ($window_months months up to the point), as a
--          count (denominator NULL); I08b: fulfilled (履约) ÷ (fulfilled + broken 未履约) among the
--          commitments due on or before the point (履约中 and undated ones are not yet judged).
--          Fulfilment is the status the data carries now.
-- parameters: $as_of, $series_months, $window_months, $breakdown ('city' | 'department' | 'district')
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I08; 001 三(八)
WITH windows AS (
    SELECT as_of_date, CAST(as_of_date - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
    FROM series_points
),

commitment_facts AS (
    SELECT
        c.commitment_id,
        c.signed_date,
        c.due_date,
        c.fulfilment,
        CASE
            WHEN $breakdown = 'department' THEN dn.department_code
            WHEN $breakdown = 'district' THEN s.district_code
        END AS group_code
    FROM commitments AS c
    -- joined only for their breakdown (a constant-false condition lets the engine skip the join)
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(c.department) AND $breakdown = 'department'
    LEFT JOIN indicator_subjects AS s ON s.uscc = c.uscc AND $breakdown = 'district'
),

signed AS (
    SELECT
        'I08a' AS indicator_id,
        w.as_of_date,
        f.group_code,
        COUNT(*) AS numerator,
        CAST(NULL AS BIGINT) AS denominator
    FROM windows AS w
    INNER JOIN commitment_facts AS f
        ON f.signed_date > w.window_start
        AND f.signed_date <= w.as_of_date
    GROUP BY 1, 2, 3
),

judged AS (
    SELECT
        'I08b' AS indicator_id,
        w.as_of_date,
        f.group_code,
        SUM(CASE WHEN f.fulfilment = '履约' THEN 1 ELSE 0 END) AS numerator,
        COUNT(*) AS denominator
    FROM windows AS w
    INNER JOIN commitment_facts AS f ON f.due_date <= w.as_of_date
    WHERE f.fulfilment IN ('履约', '未履约')
    GROUP BY 1, 2, 3
)

SELECT indicator_id, as_of_date, group_code, numerator, denominator, CAST(numerator AS DOUBLE) AS value
FROM signed
UNION ALL
SELECT indicator_id, as_of_date, group_code, numerator, denominator,
       CAST(numerator AS DOUBLE) / NULLIF(denominator, 0) AS value
FROM judged
