-- rule: W5 (subject profile: 信易贷 loans)
-- returns: one row per loan of the subject, latest due date first; repaid_date only when repaid on
--          or before T; is_in_default at T when not repaid by T and T > due date + buffer days (the
--          record's, else the default); routed to the financial regulator
-- parameters: $uscc, $as_of, $default_buffer_days (settings loans), $loan_department (routing.w5_department)
-- source: docs/rules.md W5 (000 §二(五)); docs/data-contract.md loans
SELECT
    l.loan_id,
    l.lender,
    l.amount_wan_yuan,
    l.due_date,
    CASE WHEN l.repaid_date <= $as_of THEN l.repaid_date END AS repaid_date,
    COALESCE(l.buffer_days, $default_buffer_days) AS buffer_days,
    $loan_department AS department_code,
    dep.short_name AS department_name,
    (l.repaid_date IS NULL OR l.repaid_date > $as_of)
    AND $as_of > CAST(l.due_date + COALESCE(l.buffer_days, $default_buffer_days) * INTERVAL 1 DAY AS DATE)
    AS is_in_default
FROM loans AS l
LEFT JOIN ref_departments AS dep ON dep.department_code = $loan_department
WHERE l.uscc = $uscc
ORDER BY l.due_date DESC, l.loan_id
