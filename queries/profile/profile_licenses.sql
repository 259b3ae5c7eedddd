-- rule: W2 (subject profile: licences and their expiry at T)
-- returns: one row per 行政许可 decision for the subject decided on or before $as_of, soonest
--          expiry first: expiry_status 无效 (status not 有效) / 长期有效 (no or placeholder expiry) /
--          已过期 (valid_to < T) / 即将到期 (T <= valid_to < T + horizon, as W2) / 有效; days to expiry
-- parameters: $uscc, $as_of, $horizon_months (settings windows.licence_horizon_months)
-- source: docs/rules.md W2 (000 §二(二)); docs/data-contract.md licenses
SELECT
    l.license_no,
    l.certificate,
    l.license_kind,
    l.decision_date,
    l.valid_from,
    l.valid_to,
    l.status,
    l.department_code,
    COALESCE(dep.short_name, l.authority) AS department_name,
    l.authority,
    CASE
        WHEN NOT l.is_valid_status THEN '无效'
        WHEN l.valid_to IS NULL THEN '长期有效'
        WHEN l.valid_to < $as_of THEN '已过期'
        WHEN l.valid_to < CAST($as_of + $horizon_months * INTERVAL 1 MONTH AS DATE) THEN '即将到期'
        ELSE '有效'
    END AS expiry_status,
    DATE_DIFF('day', $as_of, l.valid_to) AS days_to_expiry
FROM license_facts AS l
LEFT JOIN ref_departments AS dep ON dep.department_code = l.department_code
WHERE l.uscc = $uscc AND l.decision_date <= $as_of
ORDER BY l.valid_to NULLS LAST, l.license_no
