-- rule: I03 (data-quality page: 错码 and 重码 registry records)
-- returns: one row per registry record (uscc + name) that fails P3 (错码) or shares its USCC with
--          another subject name (重码, every record of the group): the number of names on the
--          USCC, the registering-authority character and the department it routes to
-- parameters: $department_for_1, $department_for_3, $department_for_9 (registering authority 1x
--             机构编制 → 市委编办, 3x 司法行政 → 市司法局, 9x 市场监管 → 市市场监管局)
-- source: docs/rules.md I03 (001 (三)), P3; GB 32100-2015 登记管理部门码;
--         the records found once per load: marts/50_quality_uscc_problems.sql
WITH routed AS (
    SELECT
        p.*,
        CASE p.registering_authority_code
            WHEN '1' THEN $department_for_1
            WHEN '3' THEN $department_for_3
            WHEN '9' THEN $department_for_9
        END AS department_code
    FROM uscc_problem_records AS p
)

SELECT
    p.uscc,
    p.name,
    p.status,
    p.is_wrong_code,
    p.is_duplicate_code,
    p.n_names_on_uscc,
    p.registering_authority_code,
    p.department_code,
    dep.short_name AS department_name
FROM routed AS p
LEFT JOIN ref_departments AS dep ON dep.department_code = p.department_code
ORDER BY p.department_code NULLS LAST, p.uscc, p.name
