-- rule: I08 (subject profile: credit commitments, 信用承诺)
-- returns: one row per commitment of the subject signed on or before $as_of, newest first; is_due
--          when its due date is on or before T
-- parameters: $uscc, $as_of
-- source: docs/rules.md I08 (001 (八)); docs/data-contract.md commitments
SELECT
    c.commitment_id,
    c.kind,
    c.department,
    n.department_code,
    COALESCE(dep.short_name, c.department) AS department_name,
    c.signed_date,
    c.due_date,
    c.fulfilment,
    COALESCE(c.due_date <= $as_of, FALSE) AS is_due
FROM commitments AS c
LEFT JOIN ref_department_names AS n ON n.name = TRIM(c.department)
LEFT JOIN ref_departments AS dep ON dep.department_code = n.department_code
WHERE c.uscc = $uscc AND c.signed_date <= $as_of
ORDER BY c.signed_date DESC, c.commitment_id
