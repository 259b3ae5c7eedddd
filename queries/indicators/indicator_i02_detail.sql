-- rule: I02a, I02b, I02c, I02d, I02e, I02f (detail)
-- returns: one row per month of the window and pushing department for the category of
--          $indicator_id (I02a 纳税 … I02f 科技研发): the $window_months months up to the reference
--          month of $as_of (its last complete month); a month nobody pushed gives one row with
--          department_code NULL and 0 records. Columns: indicator_id, category, month,
--          department_code, records, subjects_covered, is_pushed.
-- parameters: $as_of, $window_months, $indicator_id, $department_code (NULL = all)
-- source: docs/rules.md I02; 001 二(二); months from marts/10_calendar_months.sql
WITH reference_period AS (
    SELECT CAST(CAST(DATE_TRUNC('month', CAST(CAST($as_of AS DATE) + INTERVAL 1 DAY AS DATE)) AS DATE)
                - INTERVAL 1 MONTH AS DATE) AS reference_month
),

category_indicators AS (
    SELECT '纳税' AS category, 'I02a' AS indicator_id
    UNION ALL SELECT '水费', 'I02b'
    UNION ALL SELECT '电费', 'I02c'
    UNION ALL SELECT '燃气费', 'I02d'
    UNION ALL SELECT '不动产', 'I02e'
    UNION ALL SELECT '科技研发', 'I02f'
),

months AS (
    SELECT c.month_start_date AS month
    FROM reference_period AS r
    INNER JOIN calendar_months AS c
        ON c.month_start_date > CAST(r.reference_month - $window_months * INTERVAL 1 MONTH AS DATE)
        AND c.month_start_date <= r.reference_month
),

pushes AS (
    SELECT dn.department_code, c.month, c.records, c.subjects_covered
    FROM collections AS c
    INNER JOIN category_indicators AS ci ON ci.category = c.category
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(c.department)
    WHERE ci.indicator_id = $indicator_id
)

SELECT
    ci.indicator_id,
    ci.category,
    m.month,
    p.department_code,
    COALESCE(p.records, 0) AS records,
    COALESCE(p.subjects_covered, 0) AS subjects_covered,
    COALESCE(p.records, 0) > 0 AS is_pushed
FROM months AS m
CROSS JOIN category_indicators AS ci
LEFT JOIN pushes AS p ON p.month = m.month
WHERE ci.indicator_id = $indicator_id
  AND (CAST($department_code AS VARCHAR) IS NULL OR p.department_code = $department_code)
ORDER BY m.month, p.department_code
