-- rule: I14 (detail)
-- returns: one row per surviving enterprise (P2) at $as_of not graded A in the latest tax-credit
--          year published by $as_of — the gap of I14: uscc, subject_name, district_code,
--          department_code ($responsible_department, the tax office that grades), tax_year,
--          tax_grade (NULL: no grade in that year).
-- parameters: $as_of, $responsible_department, $department_code (NULL = all),
--             $district_code (NULL = all)
-- source: docs/rules.md I14, P2; 001 五(十四)
WITH tax_grades AS (
    SELECT
        uscc,
        year,
        grade,
        COALESCE(published_date, CAST(CAST(year + 1 AS VARCHAR) || '-04-30' AS DATE)) AS published_on
    FROM tax_credit
),

latest_year AS (
    SELECT MAX(year) AS year
    FROM tax_grades
    WHERE published_on <= CAST($as_of AS DATE)
),

latest_grades AS (
    SELECT t.uscc, t.year, MIN(t.grade) AS grade
    FROM tax_grades AS t
    INNER JOIN latest_year AS ly ON ly.year = t.year
    WHERE t.published_on <= CAST($as_of AS DATE)
    GROUP BY t.uscc, t.year
)

SELECT
    s.uscc,
    s.subject_name,
    s.district_code,
    CAST($responsible_department AS VARCHAR) AS department_code,
    (SELECT year FROM latest_year) AS tax_year,
    g.grade AS tax_grade
FROM indicator_subjects AS s
LEFT JOIN latest_grades AS g ON g.uscc = s.uscc
WHERE s.is_enterprise
  AND s.alive_from <= CAST($as_of AS DATE)
  AND COALESCE(s.alive_until, DATE '9999-12-31') > CAST($as_of AS DATE)
  AND COALESCE(g.grade, '') <> 'A'
  AND (CAST($department_code AS VARCHAR) IS NULL OR $responsible_department = $department_code)
  AND (CAST($district_code AS VARCHAR) IS NULL OR s.district_code = $district_code)
ORDER BY s.uscc
