-- rule: W2 inputs, I04 inputs
-- returns: license_facts — one row per current 行政许可 decision with its licensing department;
--          valid_to is NULL when the record's expiry was a placeholder (P8 bounds: "no expiry")
-- parameters: none
-- source: docs/rules.md W2 (000 §二(二)); docs/data-contract.md licenses
CREATE OR REPLACE TABLE license_facts AS
SELECT
    l.license_no,
    l.party_name,
    l.uscc,
    (';' || l._flags || ';') NOT LIKE '%;uscc_invalid;%' AND l.uscc IS NOT NULL AS has_valid_uscc,
    l.certificate,
    l.decision_date,
    l.valid_from,
    l.valid_to,
    l.status,
    l.status = '有效' AS is_valid_status,
    l.authority,
    l.authority_uscc,
    COALESCE(by_uscc.department_code, by_name.department_code) AS department_code,
    l.reported_at,
    l.license_kind,
    l._flags AS quality_flags
FROM licenses AS l
LEFT JOIN ref_department_usccs AS by_uscc ON by_uscc.uscc = l.authority_uscc
LEFT JOIN ref_department_names AS by_name ON by_name.name = TRIM(l.authority)
