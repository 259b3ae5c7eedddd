-- rule: I03 (data-quality page: 错码 and 重码 registry records)
-- returns: one row per registry record (uscc + name) that fails P3 (错码) or shares its USCC with
--          another subject name (重码, every record of the group): the number of names on the
--          USCC, the registering-authority character and the department it routes to
-- parameters: $department_for_1, $department_for_3, $department_for_9 (registering authority 1x
--             机构编制 → 市委编办, 3x 司法行政 → 市司法局, 9x 市场监管 → 市市场监管局)
-- source: docs/rules.md I03 (001 (三)), P3; GB 32100-2015 登记管理部门码
WITH names_per_uscc AS (
    SELECT
        uscc,
        COUNT(DISTINCT name) AS n_names
    FROM subject_facts
    GROUP BY uscc
),

problems AS (
    SELECT
        s.uscc,
        s.name,
        s.status,
        NOT s.is_uscc_valid AS is_wrong_code,
        n.n_names >= 2 AS is_duplicate_code,
        n.n_names AS n_names_on_uscc,
        SUBSTR(s.uscc, 1, 1) AS registering_authority_code
    FROM subject_facts AS s
    INNER JOIN names_per_uscc AS n ON n.uscc = s.uscc
    WHERE NOT s.is_uscc_valid OR n.n_names >= 2
)

SELECT
    p.uscc,
    p.name,
    p.status,
    p.is_wrong_code,
    p.is_duplicate_code,
    p.n_names_on_uscc,
    p.registering_authority_code,
    CASE p.registering_authority_code
        WHEN '1' THEN $department_for_1
        WHEN '3' THEN $department_for_3
        WHEN '9' THEN $department_for_9
    END AS department_code,
    dep.short_name AS department_name
FROM problems AS p
LEFT JOIN ref_departments AS dep ON dep.department_code = CASE p.registering_authority_code
    WHEN '1' THEN $department_for_1
    WHEN '3' THEN $department_for_3
    WHEN '9' THEN $department_for_9
END
ORDER BY department_code NULLS LAST, p.uscc, p.name
