-- rule: P7 (data-quality page: penalties that are not public credit information, per department)
-- returns: one row per issuing department (unmapped authorities one row each, department_code
--          NULL) with penalties decided in the window ($as_of − $months months, $as_of]: all
--          decisions, 简易程序, flagged 首违轻微, excluded by P7 (either), revoked, and the P7 share
-- parameters: $as_of, $months (settings windows.indicator_months)
-- source: docs/rules.md P7 (004 §(一) 1: "The data-quality page counts such records per department");
--         the counts per department and day, once per load: marts/50_quality_p7_days.sql
WITH windowed AS (
    SELECT
        d.department_code,
        d.unmapped_authority,
        SUM(d.n_penalties) AS n_penalties,
        SUM(d.n_simple_procedure) AS n_simple_procedure,
        SUM(d.n_minor_first_offence) AS n_minor_first_offence,
        SUM(d.n_excluded) AS n_excluded,
        SUM(d.n_revoked) AS n_revoked
    FROM p7_decision_days AS d
    WHERE
        d.decision_date <= $as_of
        AND d.decision_date > CAST($as_of - $months * INTERVAL 1 MONTH AS DATE)
    GROUP BY d.department_code, d.unmapped_authority
)

SELECT
    w.department_code,
    COALESCE(dep.short_name, w.unmapped_authority) AS department_name,
    CAST(w.n_penalties AS BIGINT) AS n_penalties,
    CAST(w.n_simple_procedure AS BIGINT) AS n_simple_procedure,
    CAST(w.n_minor_first_offence AS BIGINT) AS n_minor_first_offence,
    CAST(w.n_excluded AS BIGINT) AS n_excluded,
    CAST(w.n_revoked AS BIGINT) AS n_revoked,
    CAST(w.n_excluded AS DOUBLE) / w.n_penalties AS excluded_share
FROM windowed AS w
LEFT JOIN ref_departments AS dep ON dep.department_code = w.department_code
ORDER BY n_excluded DESC, n_penalties DESC, department_name
