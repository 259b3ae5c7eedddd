-- rule: W1–W5 (as computed by the load)
-- returns: the warnings of one month-end as the load computed them with the rule queries
--          warnings_w*.sql (dashboard.credit_warnings.precompute): one row per warning and routed
--          department, the columns of those queries; narrowed to the warning types in $types
--          (';'-joined) and to one subject ($uscc, or NULL for all).
-- parameters: $as_of, $types, $uscc
-- source: docs/rules.md W1–W5 (see the rule queries)
SELECT
    warning_id,
    warning_type,
    uscc,
    party_id_no,
    is_natural_person,
    subject_name,
    department_code,
    department_name,
    reason,
    anchor_records,
    risk_level,
    escalated,
    repair_status,
    expiry_date,
    first_seen_date,
    first_seen_month
FROM warnings_precomputed
WHERE as_of_date = $as_of
  AND (';' || $types || ';') LIKE ('%;' || warning_type || ';%')
  AND ($uscc IS NULL OR uscc = $uscc)
