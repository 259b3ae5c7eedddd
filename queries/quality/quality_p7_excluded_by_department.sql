-- rule: P7 (data-quality page: penalties that are not public credit information, per department)
-- returns: one row per issuing department (unmapped authorities one row each, department_code
--          NULL) with penalties decided in the window ($as_of − $months months, $as_of]: all
--          decisions, 简易程序, flagged 首违轻微, excluded by P7 (either), revoked, and the P7 share
-- parameters: $as_of, $months (settings windows.indicator_months)
-- source: docs/rules.md P7 (004 §(一) 1: "The data-quality page counts such records per department")
WITH windowed AS (
    SELECT
        p.*,
        CASE WHEN p.department_code IS NULL THEN p.authority END AS unmapped_authority
    FROM penalty_facts AS p
    WHERE
        p.decision_date <= $as_of
        AND p.decision_date > CAST($as_of - $months * INTERVAL 1 MONTH AS DATE)
)

SELECT
    w.department_code,
    COALESCE(MAX(dep.short_name), w.unmapped_authority) AS department_name,
    COUNT(*) AS n_penalties,
    SUM(CASE WHEN w.procedure = '简易' THEN 1 ELSE 0 END) AS n_simple_procedure,
    SUM(CASE WHEN COALESCE(w.minor_first_offence, FALSE) THEN 1 ELSE 0 END) AS n_minor_first_offence,
    SUM(CASE WHEN w.is_excluded_p7 THEN 1 ELSE 0 END) AS n_excluded,
    SUM(CASE WHEN w.is_revoked THEN 1 ELSE 0 END) AS n_revoked,
    CAST(SUM(CASE WHEN w.is_excluded_p7 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS excluded_share
FROM windowed AS w
LEFT JOIN ref_departments AS dep ON dep.department_code = w.department_code
GROUP BY w.department_code, w.unmapped_authority
ORDER BY n_excluded DESC, n_penalties DESC, department_name
