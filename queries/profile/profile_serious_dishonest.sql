-- rule: I15, I19 (subject profile: 严重失信主体名单)
-- returns: one row per listing of the subject made on or before $as_of, newest first; is_active
--          when not removed by T; routed to the recognising department
-- parameters: $uscc, $as_of
-- source: docs/rules.md I15a–c, I19 (001 (十五)(十九)); docs/data-contract.md serious_dishonest
SELECT
    s.list_name,
    s.department,
    n.department_code,
    COALESCE(dep.short_name, s.department) AS department_name,
    s.listed_date,
    CASE WHEN s.removed_date <= $as_of THEN s.removed_date END AS removed_date,
    CASE WHEN s.removed_date <= $as_of THEN s.removed_reason END AS removed_reason,
    s.removed_date IS NULL OR s.removed_date > $as_of AS is_active
FROM serious_dishonest AS s
LEFT JOIN ref_department_names AS n ON n.name = TRIM(s.department)
LEFT JOIN ref_departments AS dep ON dep.department_code = n.department_code
WHERE s.uscc = $uscc AND s.listed_date <= $as_of
ORDER BY s.listed_date DESC, s.list_name
