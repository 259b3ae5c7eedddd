-- rule: I12 (detail)
-- returns: one row per 应修复未修复 penalty at $as_of (P11) whose minimum publicity period ended in
--          the window ($window_months months up to $as_of) — the gap of I12. Columns: decision_no,
--          uscc, subject_name, is_natural_person, party_id_no, department_code, district_code,
--          decision_date, severity_class, repair_eligible_date, publicity_end_date,
--          has_pending_repair, repair_status (申请中 | 未申请).
-- parameters: $as_of, $window_months, $department_code (NULL = all), $district_code (NULL = all)
-- source: docs/rules.md I12, P9–P11; 001 三(十二); marts/20_penalty_facts.sql, P11 at T from
--         marts/25_penalty_publicity_spans.sql
SELECT
    p.decision_no,
    p.uscc,
    p.party_name AS subject_name,
    p.is_natural_person,
    p.party_id_no,
    p.department_code,
    s.district_code,
    p.decision_date,
    p.severity_class,
    p.repair_eligible_date,
    p.publicity_end_date,
    p.has_pending_repair,
    CASE WHEN p.has_pending_repair THEN '申请中' ELSE '未申请' END AS repair_status
FROM penalty_facts AS p
INNER JOIN penalty_publicity_spans AS ps ON ps.decision_no = p.decision_no
LEFT JOIN indicator_subjects AS s ON s.uscc = p.uscc AND p.has_valid_uscc
WHERE p.repair_eligible_date > CAST(CAST($as_of AS DATE) - $window_months * INTERVAL 1 MONTH AS DATE)
  AND ps.should_repair_from <= CAST($as_of AS DATE)
  AND CAST($as_of AS DATE) < ps.in_publicity_until
  AND (CAST($department_code AS VARCHAR) IS NULL OR p.department_code = $department_code)
  AND (CAST($district_code AS VARCHAR) IS NULL OR s.district_code = $district_code)
ORDER BY p.department_code, p.repair_eligible_date, p.decision_no
