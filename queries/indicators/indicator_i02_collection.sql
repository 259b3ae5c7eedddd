-- rule: I02a, I02b, I02c, I02d, I02e, I02f
--       (I02: a 纳税, b 水费, c 电费 coverage; d 燃气费, e 不动产, f 科技研发 missing months)
-- returns: one row per indicator, as-of point and group: the point T ($as_of) and, when
--          $series_months > 0, every month-end of the $series_months months before it; the group is
--          NULL for the city or the pushing department_code (collections.department through
--          ref_department_names) when $breakdown = 'department' — every department that has pushed
--          the category by then. Each point is measured on its reference month: the last complete
--          month on or before it (the point's own month when the point is a month-end).
--          I02a–c: subjects covered in the reference month (summed over the group's pushes) ÷
--          surviving enterprises (P2) at the reference month's end (the city's, for departments);
--          I02d–f: months of the $window_months months up to the reference month without a push
--          of records > 0 (numerator and value), over the months looked at (denominator).
-- parameters: $as_of, $series_months, $window_months, $breakdown ('city' | 'department')
-- steps: series_points (T and the month-ends before it: queries/steps/series_points.sql)
-- source: docs/rules.md I02, P2; 001 二(二)
WITH reference_months AS (
    SELECT
        as_of_date,
        CAST(CAST(DATE_TRUNC('month', CAST(as_of_date + INTERVAL 1 DAY AS DATE)) AS DATE)
             - INTERVAL 1 MONTH AS DATE) AS reference_month
    FROM series_points
),

reference_periods AS (
    SELECT
        as_of_date,
        reference_month,
        CAST(CAST(reference_month + INTERVAL 1 MONTH AS DATE) - INTERVAL 1 DAY AS DATE) AS reference_month_end
    FROM reference_months
),

category_indicators AS (
    SELECT '纳税' AS category, 'I02a' AS indicator_id, 'coverage' AS measure
    UNION ALL SELECT '水费', 'I02b', 'coverage'
    UNION ALL SELECT '电费', 'I02c', 'coverage'
    UNION ALL SELECT '燃气费', 'I02d', 'presence'
    UNION ALL SELECT '不动产', 'I02e', 'presence'
    UNION ALL SELECT '科技研发', 'I02f', 'presence'
),

pushes AS (
    SELECT
        COALESCE(dn.department_code, '') AS department_key,
        c.month,
        c.category,
        c.records,
        c.subjects_covered
    FROM collections AS c
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(c.department)
),

-- the groups measured at each point: '*' = the city; '' = pushes of an unmapped department
measured_groups AS (
    SELECT r.as_of_date, r.reference_month, r.reference_month_end, ci.indicator_id, ci.category,
           ci.measure, '*' AS group_key
    FROM reference_periods AS r
    CROSS JOIN category_indicators AS ci
    WHERE $breakdown = 'city'
    UNION
    SELECT r.as_of_date, r.reference_month, r.reference_month_end, ci.indicator_id, ci.category,
           ci.measure, p.department_key AS group_key
    FROM reference_periods AS r
    INNER JOIN pushes AS p ON p.month <= r.reference_month
    INNER JOIN category_indicators AS ci ON ci.category = p.category
    WHERE $breakdown = 'department'
),

surviving AS (
    SELECT r.as_of_date, COUNT(*) AS n_enterprises
    FROM reference_periods AS r
    INNER JOIN indicator_subjects AS s
        ON s.alive_from <= r.reference_month_end
        AND COALESCE(s.alive_until, DATE '9999-12-31') > r.reference_month_end
    WHERE s.is_enterprise
    GROUP BY r.as_of_date
),

coverage AS (
    SELECT
        g.indicator_id,
        g.as_of_date,
        g.group_key,
        COALESCE(SUM(p.subjects_covered), 0) AS numerator
    FROM measured_groups AS g
    LEFT JOIN pushes AS p
        ON p.category = g.category
        AND p.month = g.reference_month
        AND (g.group_key = '*' OR p.department_key = g.group_key)
    WHERE g.measure = 'coverage'
    GROUP BY g.indicator_id, g.as_of_date, g.group_key
),

month_grid AS (
    SELECT g.indicator_id, g.as_of_date, g.group_key, g.category, c.month_start_date AS month
    FROM measured_groups AS g
    INNER JOIN calendar_months AS c
        ON c.month_start_date > CAST(g.reference_month - $window_months * INTERVAL 1 MONTH AS DATE)
        AND c.month_start_date <= g.reference_month
    WHERE g.measure = 'presence'
),

pushed_months AS (
    SELECT
        m.indicator_id,
        m.as_of_date,
        m.group_key,
        m.month,
        COALESCE(SUM(p.records), 0) > 0 AS is_pushed
    FROM month_grid AS m
    LEFT JOIN pushes AS p
        ON p.category = m.category
        AND p.month = m.month
        AND (m.group_key = '*' OR p.department_key = m.group_key)
    GROUP BY m.indicator_id, m.as_of_date, m.group_key, m.month
),

rates AS (
    SELECT
        c.indicator_id,
        c.as_of_date,
        c.group_key,
        c.numerator,
        s.n_enterprises AS denominator,
        CAST(c.numerator AS DOUBLE) / NULLIF(s.n_enterprises, 0) AS value
    FROM coverage AS c
    LEFT JOIN surviving AS s ON s.as_of_date = c.as_of_date
    UNION ALL
    SELECT
        indicator_id,
        as_of_date,
        group_key,
        SUM(CASE WHEN is_pushed THEN 0 ELSE 1 END) AS numerator,
        COUNT(*) AS denominator,
        CAST(SUM(CASE WHEN is_pushed THEN 0 ELSE 1 END) AS DOUBLE) AS value
    FROM pushed_months
    GROUP BY indicator_id, as_of_date, group_key
)

SELECT
    indicator_id,
    as_of_date,
    CASE WHEN group_key IN ('*', '') THEN NULL ELSE group_key END AS group_code,
    numerator,
    denominator,
    value
FROM rates
