-- rule: W1c (subject profile: special-campaign lists, 专项治理名单)
-- returns: one row per campaign listing of the subject made on or before $as_of, newest first;
--          is_active when not closed by T; routed to the department the list names
-- parameters: $uscc, $as_of
-- source: docs/rules.md W1c (000 §二(一) 三); docs/data-contract.md campaign_lists
SELECT
    c.campaign,
    c.department,
    n.department_code,
    COALESCE(dep.short_name, c.department) AS department_name,
    c.listed_date,
    CASE WHEN c.closed_date <= $as_of THEN c.closed_date END AS closed_date,
    c.closed_date IS NULL OR c.closed_date > $as_of AS is_active
FROM campaign_lists AS c
LEFT JOIN ref_department_names AS n ON n.name = TRIM(c.department)
LEFT JOIN ref_departments AS dep ON dep.department_code = n.department_code
WHERE c.uscc = $uscc AND c.listed_date <= $as_of
ORDER BY c.listed_date DESC, c.campaign
