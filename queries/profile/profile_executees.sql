-- rule: W2 overlay, W4 (subject profile: court enforcement cases, 被执行人 / 失信被执行人)
-- returns: one row per enforcement case party with the subject's USCC filed on or before $as_of,
--          newest first; is_active when filed on or before T and not closed by T; is_dishonest_at
--          when active, flagged 失信 and published (when a date is given) on or before T.
--          Routed to the court's department, else the intermediate court.
-- parameters: $uscc, $as_of, $court_department (settings routing.w4_department)
-- source: docs/rules.md W2, W4 (000 §二(二)(四)); docs/data-contract.md executees
SELECT
    e.case_no,
    e.party_name,
    e.party_id_no,
    e.party_id_no IS NOT NULL AS is_natural_person,
    e.court,
    COALESCE(n.department_code, $court_department) AS department_code,
    COALESCE(dep.short_name, e.court) AS department_name,
    e.filed_date,
    e.is_dishonest,
    e.dishonest_published_date,
    CASE WHEN e.closed_date <= $as_of THEN e.closed_date END AS closed_date,
    e.performance,
    e.closed_date IS NULL OR e.closed_date > $as_of AS is_active,
    (e.closed_date IS NULL OR e.closed_date > $as_of)
    AND e.is_dishonest
    AND (e.dishonest_published_date IS NULL OR e.dishonest_published_date <= $as_of) AS is_dishonest_at
FROM executees AS e
LEFT JOIN ref_department_names AS n ON n.name = TRIM(e.court)
LEFT JOIN ref_departments AS dep ON dep.department_code = COALESCE(n.department_code, $court_department)
WHERE e.uscc = $uscc AND e.filed_date <= $as_of
ORDER BY e.filed_date DESC, e.case_no
