-- rule: P7, P8, P9, P10, P11 (subject profile: penalty timeline)
-- returns: one row per 行政处罚 decision against the subject decided on or before $as_of, newest
--          first: whether it is public credit information (P7, not revoked), its publicity end
--          (P8), in publicity at T (P9), the date it becomes eligible for repair and whether it is
--          at T (P10 = P11, since P9 already excludes the repaired), and the repair status at T
--          (已修复 approved on or before T / 申请中 applied on or before T, undecided at T / 未申请);
--          penalty_valid_to is the record's own 处罚有效期 (CF_YXQ, NULL when long-term or absent),
--          shown beside the publicity end and not used by P8
-- parameters: $uscc, $as_of
-- source: docs/rules.md P7 (004 §(一) 1), P8–P11; P9 and P11 at T from marts/25_penalty_publicity_spans.sql
WITH pending_at AS (
    SELECT DISTINCT record_ref AS decision_no
    FROM repairs
    WHERE
        record_type = 'penalty'
        AND applied_date <= $as_of
        AND (status = '申请中' OR COALESCE(decided_date, applied_date) > $as_of)
),

timeline AS (
    SELECT
        p.*,
        -- a penalty that is not public credit information (P7) has no span: never in publicity
        COALESCE(s.in_publicity_from <= $as_of AND $as_of < s.in_publicity_until, FALSE) AS in_publicity,
        COALESCE(s.should_repair_from <= $as_of AND $as_of < s.in_publicity_until, FALSE) AS eligible_for_repair
    FROM penalty_facts AS p
    LEFT JOIN penalty_publicity_spans AS s ON s.decision_no = p.decision_no
    WHERE p.uscc = $uscc AND p.decision_date <= $as_of
)

SELECT
    t.decision_no,
    t.decision_date,
    t.department_code,
    COALESCE(dep.short_name, t.authority) AS department_name,
    t.authority,
    t.party_name,
    t.party_category,
    t.is_natural_person,
    t.party_id_no,
    t.penalty_kinds,
    t.severity_class,
    t.procedure,
    t.is_excluded_p7,
    t.is_revoked,
    t.is_public_credit_info,
    t.fine_wan_yuan,
    t.facts,
    t.content,
    t.publicity_end_date,
    pen.penalty_valid_to,
    t.in_publicity,
    t.repair_eligible_date AS eligible_for_repair_date,
    t.eligible_for_repair,
    CASE
        WHEN t.repaired_date <= $as_of THEN '已修复'
        WHEN pa.decision_no IS NOT NULL THEN '申请中'
        ELSE '未申请'
    END AS repair_status,
    CASE WHEN t.repaired_date <= $as_of THEN t.repaired_date END AS repaired_date
FROM timeline AS t
LEFT JOIN pending_at AS pa ON pa.decision_no = t.decision_no
LEFT JOIN ref_departments AS dep ON dep.department_code = t.department_code
LEFT JOIN penalties AS pen ON pen.decision_no = t.decision_no
ORDER BY t.decision_date DESC, t.decision_no
