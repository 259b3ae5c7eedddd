-- rule: I04a (detail)
-- returns: one row per department and month of the window ($window_months months up to $as_of)
--          in which the department's ledger or its reported records show decisions: month,
--          department_code, ledger_decisions (disclosure_ledger, both kinds), reported_penalties,
--          reported_licenses, reported (records decided that month and reported by $as_of;
--          penalties excluded by P7 do not count), gap (ledger_decisions − reported).
-- parameters: $as_of, $window_months, $department_code (NULL = all)
-- source: docs/rules.md I04; 001 二(四)
WITH bounds AS (
    SELECT
        CAST($as_of AS DATE) AS as_of_date,
        CAST(CAST($as_of AS DATE) - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
),

disclosed AS (
    SELECT '处罚' AS kind, department_code, decision_date, reported_at
    FROM penalty_facts
    WHERE NOT is_excluded_p7
    UNION ALL
    SELECT '许可' AS kind, department_code, decision_date, reported_at
    FROM license_facts
),

reported AS (
    SELECT
        COALESCE(d.department_code, '') AS department_key,
        CAST(DATE_TRUNC('month', d.decision_date) AS DATE) AS month,
        SUM(CASE WHEN d.kind = '处罚' THEN 1 ELSE 0 END) AS reported_penalties,
        SUM(CASE WHEN d.kind = '许可' THEN 1 ELSE 0 END) AS reported_licenses
    FROM disclosed AS d
    CROSS JOIN bounds AS b
    WHERE d.decision_date > b.window_start
      AND d.decision_date <= b.as_of_date
      AND (d.reported_at IS NULL OR d.reported_at <= b.as_of_date)
    GROUP BY 1, 2
),

ledger AS (
    SELECT
        COALESCE(dn.department_code, '') AS department_key,
        l.month,
        SUM(l.decisions) AS ledger_decisions
    FROM disclosure_ledger AS l
    CROSS JOIN bounds AS b
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(l.department)
    WHERE l.month > b.window_start
      AND l.month <= b.as_of_date
    GROUP BY 1, 2
),

combined AS (
    SELECT
        COALESCE(l.month, r.month) AS month,
        NULLIF(COALESCE(l.department_key, r.department_key), '') AS department_code,
        COALESCE(l.ledger_decisions, 0) AS ledger_decisions,
        COALESCE(r.reported_penalties, 0) AS reported_penalties,
        COALESCE(r.reported_licenses, 0) AS reported_licenses
    FROM ledger AS l
    FULL OUTER JOIN reported AS r ON r.department_key = l.department_key AND r.month = l.month
)

SELECT
    month,
    department_code,
    ledger_decisions,
    reported_penalties,
    reported_licenses,
    reported_penalties + reported_licenses AS reported,
    ledger_decisions - reported_penalties - reported_licenses AS gap
FROM combined
WHERE CAST($department_code AS VARCHAR) IS NULL OR department_code = $department_code
ORDER BY department_code, month
