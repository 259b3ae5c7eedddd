-- rule: W4
-- returns: one row per 被执行人 record active at T (filed on or before T, not closed by T) whose
--          party is a government body or one of its departments (the party test of
--          marts/30_government_parties.sql: USCC kind 11/12/13, or by name keyword where the USCC is
--          missing or invalid, never 91/92/93 nor a name with 公司/合作社 whichever way it qualified),
--          routed to settings routing.w4_department (the intermediate court); escalated when the
--          record is also 失信 (失信被执行人). anchor_records = the case number.
-- parameters: $as_of, $uscc (one subject, or NULL for all)
-- source: docs/rules.md W4; 000 §二(四); 001 (十九)
WITH active_records AS (
    SELECT
        g.record_ref AS case_no,
        g.party_name,
        g.uscc,
        g.party_key,
        g.authority AS court,
        g.start_date AS filed_date,
        COALESCE(g.is_dishonest, FALSE) AS is_dishonest,
        g.department_code
    FROM government_party_records AS g
    WHERE g.source_entity = 'executees'
      AND g.start_date <= $as_of
      AND (g.end_date IS NULL OR g.end_date > $as_of)
      AND ($uscc IS NULL OR g.uscc = $uscc)
)

SELECT
    'W4-' || SUBSTR(MD5('W4|' || a.party_key || '|' || COALESCE(a.department_code, '') || '|' || a.case_no), 1, 12)
        AS warning_id,
    'W4' AS warning_type,
    a.uscc,
    CAST(NULL AS VARCHAR) AS party_id_no,
    FALSE AS is_natural_person,
    a.party_name AS subject_name,
    a.department_code,
    d.short_name AS department_name,
    '政府机构（部门）被列为被执行人（' || COALESCE(a.court, '') || '，案号' || a.case_no || '，'
        || CAST(a.filed_date AS VARCHAR) || '立案）'
        || CASE WHEN a.is_dishonest THEN '，已被纳入失信被执行人' ELSE '' END AS reason,
    a.case_no AS anchor_records,
    CAST(NULL AS VARCHAR) AS risk_level,
    a.is_dishonest AS escalated,
    CAST(NULL AS VARCHAR) AS repair_status,
    CAST(NULL AS DATE) AS expiry_date,
    a.filed_date AS first_seen_date,
    LAST_DAY(a.filed_date) AS first_seen_month
FROM active_records AS a
LEFT JOIN ref_departments AS d ON d.department_code = a.department_code
