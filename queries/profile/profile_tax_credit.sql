-- rule: I14 (subject profile: 纳税信用等级)
-- returns: one row per evaluation year of the subject published on or before $as_of (published
--          date, else April 30 of the next year), latest year first; routed to the tax department
-- parameters: $uscc, $as_of, $tax_department
-- source: docs/rules.md I14 (001 (十四)); docs/data-contract.md tax_credit
WITH published AS (
    SELECT
        t.year,
        t.grade,
        COALESCE(t.published_date, CAST(CAST(t.year + 1 AS VARCHAR) || '-04-30' AS DATE)) AS published_date
    FROM tax_credit AS t
    WHERE t.uscc = $uscc
)

SELECT
    p.year,
    p.grade,
    p.published_date,
    $tax_department AS department_code,
    dep.short_name AS department_name
FROM published AS p
LEFT JOIN ref_departments AS dep ON dep.department_code = $tax_department
WHERE p.published_date <= $as_of
ORDER BY p.year DESC
