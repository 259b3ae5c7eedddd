-- rule: P7, P8 (and the inputs of P9–P11)
-- returns: penalty_facts — one row per current 行政处罚 decision: the issuing department, whether
--          it is public credit information at all (P7, not revoked), its publicity end (P8), the
--          date it becomes eligible for repair (minimum period), its approved repair and any
--          application in progress.
-- parameters: $default_severity, $minor_min_months, $minor_max_months, $general_min_months,
--             $general_max_months, $serious_min_months, $serious_max_months (settings [publicity])
-- source: docs/rules.md P7 (004 §(一) 1), P8 (国办发〔2025〕22号; 发改办财金〔2019〕527号)
--         P9–P11 at T are spans built from these columns: marts/25_penalty_publicity_spans.sql
CREATE OR REPLACE TABLE penalty_facts AS
-- The periods sit beside each decision in one pass over penalties: a join of the decisions with
-- their own periods by decision_no held every column of every decision twice (at province scale
-- 3.3 GB and 12 s of processor time; one pass: 1.3 GB and 9 s).
WITH classed AS (
    SELECT
        p.*,
        COALESCE(p.severity, $default_severity) AS severity_class,
        COALESCE(p.procedure = '简易', FALSE) OR COALESCE(p.minor_first_offence, FALSE) AS is_excluded_p7,
        COALESCE(p.revoked, FALSE) AS is_revoked
    FROM penalties AS p
    WHERE p.decision_no IS NOT NULL
),

penalty AS (
    SELECT
        c.*,
        CASE c.severity_class
            WHEN '轻微' THEN $minor_min_months
            WHEN '严重' THEN $serious_min_months
            ELSE $general_min_months
        END AS min_months,
        CASE c.severity_class
            WHEN '轻微' THEN $minor_max_months
            WHEN '严重' THEN $serious_max_months
            ELSE $general_max_months
        END AS max_months
    FROM classed AS c
),

department_by_uscc AS (
    SELECT uscc, department_code FROM ref_department_usccs
),

department_by_name AS (
    SELECT name, department_code FROM ref_department_names
),

approved_repairs AS (
    SELECT record_ref AS decision_no, MIN(COALESCE(decided_date, applied_date)) AS repaired_date
    FROM repairs
    WHERE record_type = 'penalty' AND status = '已修复'
    GROUP BY record_ref
),

pending_repairs AS (
    SELECT DISTINCT record_ref AS decision_no
    FROM repairs
    WHERE record_type = 'penalty' AND status = '申请中'
)

SELECT
    p.decision_no,
    p.party_name,
    p.party_category,
    p.party_category = '自然人' AS is_natural_person,
    p.uscc,
    (';' || p._flags || ';') NOT LIKE '%;uscc_invalid;%' AND p.uscc IS NOT NULL AS has_valid_uscc,
    p.party_id_no,
    p.penalty_kinds,
    p.decision_date,
    p.reported_at,
    p.authority,
    p.authority_uscc,
    COALESCE(by_uscc.department_code, by_name.department_code) AS department_code,
    p.procedure,
    p.severity_class,
    p.minor_first_offence,
    p.is_excluded_p7,
    p.is_revoked,
    NOT p.is_excluded_p7 AND NOT p.is_revoked AS is_public_credit_info,
    p.fine_wan_yuan,
    p.facts,
    p.content,
    p.publicity_end AS declared_publicity_end_date,
    COALESCE(p.publicity_end, CAST(p.decision_date + p.max_months * INTERVAL 1 MONTH AS DATE)) AS publicity_end_date,
    CAST(p.decision_date + p.min_months * INTERVAL 1 MONTH AS DATE) AS repair_eligible_date,
    ar.repaired_date,
    pend.decision_no IS NOT NULL AS has_pending_repair,
    p._flags AS quality_flags
FROM penalty AS p
LEFT JOIN department_by_uscc AS by_uscc ON by_uscc.uscc = p.authority_uscc
LEFT JOIN department_by_name AS by_name ON by_name.name = TRIM(p.authority)
LEFT JOIN approved_repairs AS ar ON ar.decision_no = p.decision_no
LEFT JOIN pending_repairs AS pend ON pend.decision_no = p.decision_no
