-- rule: W2 overlay (subject profile: 经营异常名录)
-- returns: one row per listing of the subject made on or before $as_of, newest first; is_active
--          when listed on or before T and not removed by T; routed to the deciding authority's
--          department, else the market regulator that keeps the list
-- parameters: $uscc, $as_of, $abnormal_department
-- source: docs/rules.md W2 (000 §二(二)); docs/data-contract.md abnormal_operations
SELECT
    a.listed_date,
    a.listed_reason,
    CASE WHEN a.removed_date <= $as_of THEN a.removed_date END AS removed_date,
    CASE WHEN a.removed_date <= $as_of THEN a.removed_reason END AS removed_reason,
    a.decided_by,
    COALESCE(n.department_code, $abnormal_department) AS department_code,
    COALESCE(dep.short_name, a.decided_by) AS department_name,
    a.removed_date IS NULL OR a.removed_date > $as_of AS is_active
FROM abnormal_operations AS a
LEFT JOIN ref_department_names AS n ON n.name = TRIM(a.decided_by)
LEFT JOIN ref_departments AS dep ON dep.department_code = COALESCE(n.department_code, $abnormal_department)
WHERE a.uscc = $uscc AND a.listed_date <= $as_of
ORDER BY a.listed_date DESC
