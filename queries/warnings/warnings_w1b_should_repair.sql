-- rule: W1b
-- returns: one row per penalty that is 应修复未修复 at T (P11: in publicity, past its minimum
--          publicity period, no approved repair) of a subject with a USCC (not natural persons),
--          routed to the issuing department; repair_status 申请中 when an application is in
--          progress, else 未申请. The warning holds from the day the penalty became eligible for
--          repair (first_seen_date). anchor_records = the decision number; subject_name = the
--          record's party name.
-- parameters: $as_of, $uscc (one subject, or NULL for all)
-- source: docs/rules.md W1b, P9–P11; 000 §二(一) 二 ("符合行政处罚信用修复条件，'应修复未修复'的企业信息");
--         P11 at T, and the decisions themselves: marts/25_penalty_publicity_spans.sql
WITH should_repair AS (
    SELECT
        uscc,
        decision_no,
        decision_date,
        repair_eligible_date,
        department_code,
        party_name,
        has_pending_repair
    FROM penalty_publicity_spans
    WHERE uscc IS NOT NULL
      AND NOT is_natural_person
      AND should_repair_from <= $as_of
      AND $as_of < in_publicity_until
      AND ($uscc IS NULL OR uscc = $uscc)
)

SELECT
    'W1b-' || SUBSTR(MD5('W1b|' || r.uscc || '|' || COALESCE(r.department_code, '') || '|' || r.decision_no), 1, 12)
        AS warning_id,
    'W1b' AS warning_type,
    r.uscc,
    CAST(NULL AS VARCHAR) AS party_id_no,
    FALSE AS is_natural_person,
    r.party_name AS subject_name,
    r.department_code,
    d.short_name AS department_name,
    '行政处罚（' || CAST(r.decision_date AS VARCHAR) || '决定）已满最短公示期，自'
        || CAST(r.repair_eligible_date AS VARCHAR) || '起可申请信用修复，尚未修复'
        || CASE WHEN r.has_pending_repair THEN '（修复申请中）' ELSE '' END AS reason,
    r.decision_no AS anchor_records,
    CAST(NULL AS VARCHAR) AS risk_level,
    FALSE AS escalated,
    CASE WHEN r.has_pending_repair THEN '申请中' ELSE '未申请' END AS repair_status,
    CAST(NULL AS DATE) AS expiry_date,
    r.repair_eligible_date AS first_seen_date,
    LAST_DAY(r.repair_eligible_date) AS first_seen_month
FROM should_repair AS r
LEFT JOIN ref_departments AS d ON d.department_code = r.department_code
