-- rule: P7 (data-quality page: penalties that are not public credit information, per department and day)
-- returns: p7_decision_days — one row per issuing department (an authority that maps to none: one row
--          per authority, department_code NULL and unmapped_authority its name) and decision day:
--          decisions, 简易程序, flagged 首违轻微, excluded by P7 (either), revoked. Decisions without a
--          date never fall in a window and are left out. Small (departments × days), so the count of
--          any window ($as_of − $months months, $as_of] of queries/quality/
--          quality_p7_excluded_by_department.sql is a sum over it.
-- parameters: none
-- source: docs/rules.md P7 (004 §(一) 1: "The data-quality page counts such records per department");
--         marts/20_penalty_facts.sql
CREATE OR REPLACE TABLE p7_decision_days AS
WITH decided AS (
    SELECT
        p.department_code,
        CASE WHEN p.department_code IS NULL THEN p.authority END AS unmapped_authority,
        p.decision_date,
        p.procedure,
        p.minor_first_offence,
        p.is_excluded_p7,
        p.is_revoked
    FROM penalty_facts AS p
    WHERE p.decision_date IS NOT NULL
)

SELECT
    department_code,
    unmapped_authority,
    decision_date,
    COUNT(*) AS n_penalties,
    CAST(SUM(CASE WHEN procedure = '简易' THEN 1 ELSE 0 END) AS BIGINT) AS n_simple_procedure,
    CAST(SUM(CASE WHEN COALESCE(minor_first_offence, FALSE) THEN 1 ELSE 0 END) AS BIGINT) AS n_minor_first_offence,
    CAST(SUM(CASE WHEN is_excluded_p7 THEN 1 ELSE 0 END) AS BIGINT) AS n_excluded,
    CAST(SUM(CASE WHEN is_revoked THEN 1 ELSE 0 END) AS BIGINT) AS n_revoked
FROM decided
GROUP BY department_code, unmapped_authority, decision_date
