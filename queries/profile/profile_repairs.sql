-- rule: P11, G4 (subject profile: credit repair applications, 信用修复)
-- returns: one row per repair application of the subject made on or before $as_of, newest first;
--          status_at is the status at T (a decision taken after T is still 申请中 at T); routed to
--          the department of the repaired record: the penalty's issuer, the list's recognising
--          department, or the market regulator for the 经营异常名录
-- parameters: $uscc, $as_of, $abnormal_department
-- source: docs/rules.md P11, G4 (002 §三(五)); 004 §(六); docs/data-contract.md repairs
WITH listing_departments AS (
    SELECT
        s.uscc,
        s.list_name,
        MIN(n.department_code) AS department_code
    FROM serious_dishonest AS s
    INNER JOIN ref_department_names AS n ON n.name = TRIM(s.department)
    GROUP BY s.uscc, s.list_name
)

SELECT
    r.repair_id,
    r.record_type,
    r.record_ref,
    r.applied_date,
    r.status,
    CASE
        WHEN r.status <> '申请中' AND COALESCE(r.decided_date, r.applied_date) <= $as_of THEN r.status
        ELSE '申请中'
    END AS status_at,
    CASE WHEN r.decided_date <= $as_of THEN r.decided_date END AS decided_date,
    CASE r.record_type
        WHEN 'penalty' THEN p.department_code
        WHEN 'abnormal' THEN $abnormal_department
        ELSE ld.department_code
    END AS department_code,
    dep.short_name AS department_name
FROM repairs AS r
LEFT JOIN penalty_facts AS p ON r.record_type = 'penalty' AND p.decision_no = r.record_ref
LEFT JOIN listing_departments AS ld
    ON r.record_type = 'serious_dishonest' AND ld.uscc = r.uscc AND ld.list_name = r.record_ref
LEFT JOIN ref_departments AS dep
    ON dep.department_code = CASE r.record_type
        WHEN 'penalty' THEN p.department_code
        WHEN 'abnormal' THEN $abnormal_department
        ELSE ld.department_code
    END
WHERE r.uscc = $uscc AND r.applied_date <= $as_of
ORDER BY r.applied_date DESC, r.repair_id
