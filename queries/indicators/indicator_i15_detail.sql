-- rule: I15a, I15b, I15c (detail)
-- returns: one row per 严重失信主体名单 listing behind the indicator at $as_of: I15a the listings of
--          enterprises (P1 kind 91) on the list at $as_of; I15b the listings of enterprises whose
--          first listing falls in the window ($window_months months up to $as_of); I15c the
--          listings of subjects that were on the list in the window and still are at $as_of (those
--          that have not exited). Columns: uscc, subject_name, is_enterprise, list_name,
--          department_code (the listing department), district_code, listed_date, removed_date.
-- parameters: $as_of, $window_months, $indicator_id ('I15a' | 'I15b' | 'I15c'),
--             $department_code (NULL = all), $district_code (NULL = all)
-- source: docs/rules.md I15a–c; 001 五(十五)
WITH bounds AS (
    SELECT
        CAST($as_of AS DATE) AS as_of_date,
        CAST(CAST($as_of AS DATE) - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
),

listings AS (
    SELECT
        l.uscc,
        COALESCE(l.subject_name, s.subject_name) AS subject_name,
        (';' || l._flags || ';') NOT LIKE '%;uscc_invalid;%' AND SUBSTR(l.uscc, 1, 2) = '91' AS is_enterprise,
        l.list_name,
        dn.department_code,
        s.district_code,
        l.listed_date,
        l.removed_date,
        l.listed_date <= b.as_of_date AND COALESCE(l.removed_date, DATE '9999-12-31') > b.as_of_date
            AS is_listed_at_as_of,
        MIN(l.listed_date) OVER (PARTITION BY l.uscc) AS first_listed_date,
        b.window_start
    FROM serious_dishonest AS l
    CROSS JOIN bounds AS b
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(l.department)
    LEFT JOIN indicator_subjects AS s ON s.uscc = l.uscc
    WHERE l.listed_date <= b.as_of_date
)

SELECT
    uscc,
    subject_name,
    is_enterprise,
    list_name,
    department_code,
    district_code,
    listed_date,
    removed_date
FROM listings
WHERE ((CAST($indicator_id AS VARCHAR) = 'I15a' AND is_enterprise AND is_listed_at_as_of)
       OR (CAST($indicator_id AS VARCHAR) = 'I15b' AND is_enterprise AND first_listed_date > window_start)
       OR (CAST($indicator_id AS VARCHAR) = 'I15c' AND is_listed_at_as_of))
  AND (CAST($department_code AS VARCHAR) IS NULL OR department_code = $department_code)
  AND (CAST($district_code AS VARCHAR) IS NULL OR district_code = $district_code)
ORDER BY listed_date, uscc, list_name
