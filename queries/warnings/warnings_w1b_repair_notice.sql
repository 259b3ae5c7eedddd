-- rule: W1b (告知书)
-- returns: one row per penalty whose decision number is $ref, or whose W1b warning id is $ref (the
--          id formula of warnings_w1b_should_repair.sql): what the 行政处罚信用修复告知书 needs —
--          party, violation, penalty, decision date, issuing department with its full name.
-- parameters: $ref
-- source: docs/rules.md W1b; 000 附件1 (行政处罚信用修复告知书)
WITH penalty AS (
    SELECT
        'W1b-' || SUBSTR(MD5('W1b|' || COALESCE(p.uscc, '') || '|' || COALESCE(p.department_code, '') || '|'
                             || p.decision_no), 1, 12) AS warning_id,
        p.decision_no,
        p.uscc,
        p.party_name,
        p.is_natural_person,
        p.penalty_kinds,
        p.content,
        p.decision_date,
        p.department_code,
        p.authority
    FROM penalty_facts AS p
),

source_fields AS (
    SELECT decision_no, violation_type, basis
    FROM penalties
)

SELECT
    p.warning_id,
    p.decision_no,
    p.uscc,
    COALESCE(s.subject_name, p.party_name) AS subject_name,
    p.is_natural_person,
    f.violation_type,
    f.basis,
    p.penalty_kinds,
    p.content,
    p.decision_date,
    p.department_code,
    COALESCE(d.full_name, p.authority) AS department_full_name
FROM penalty AS p
LEFT JOIN source_fields AS f ON f.decision_no = p.decision_no
LEFT JOIN indicator_subjects AS s ON s.uscc = p.uscc
LEFT JOIN ref_departments AS d ON d.department_code = p.department_code
WHERE p.decision_no = $ref OR p.warning_id = $ref
