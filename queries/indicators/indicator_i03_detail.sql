-- rule: I03 (detail)
-- returns: one row per registry record that is 错码 (fails P3) or 重码 (its USCC is carried by two
--          or more distinct names) among the records established by $as_of, routed by registering
--          authority (1 → establishment, 3 → justice, 9 → market; else NULL). Columns: uscc,
--          subject_name, problem (错码 | 重码 | 错码、重码), n_names, status, established_date,
--          district_code, department_code.
-- parameters: $as_of, $department_code (NULL = all), $district_code (NULL = all)
-- source: docs/rules.md I03, P3; 001 二(三)
WITH records AS (
    SELECT
        uscc,
        name,
        status,
        established_date,
        district_code,
        NOT is_uscc_valid AS is_wrong_code,
        CASE SUBSTR(uscc, 1, 1)
            WHEN '1' THEN 'establishment'
            WHEN '3' THEN 'justice'
            WHEN '9' THEN 'market'
        END AS department_code
    FROM subject_facts
    WHERE established_date <= CAST($as_of AS DATE)
),

-- registry records are unique per USCC and name (docs/data-contract.md key): records per code = names per code
names_per_code AS (
    SELECT uscc, COUNT(*) AS n_names
    FROM records
    GROUP BY uscc
)

SELECT
    r.uscc,
    r.name AS subject_name,
    CASE
        WHEN r.is_wrong_code AND n.n_names >= 2 THEN '错码、重码'
        WHEN r.is_wrong_code THEN '错码'
        ELSE '重码'
    END AS problem,
    n.n_names,
    r.status,
    r.established_date,
    r.district_code,
    r.department_code
FROM records AS r
INNER JOIN names_per_code AS n ON n.uscc = r.uscc
WHERE (r.is_wrong_code OR n.n_names >= 2)
  AND (CAST($department_code AS VARCHAR) IS NULL OR r.department_code = $department_code)
  AND (CAST($district_code AS VARCHAR) IS NULL OR r.district_code = $district_code)
ORDER BY r.uscc, r.name
