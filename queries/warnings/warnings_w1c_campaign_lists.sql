-- rule: W1c
-- returns: one row per subject and special campaign whose listing is active at T (listed on or
--          before T, not closed by T), routed to the department the list names (its name mapped
--          through ref_department_names; unmapped names keep the name as department_name and no
--          code, so only the credit office sees them). anchor_records = the campaign name.
-- parameters: $as_of, $uscc (one subject, or NULL for all)
-- source: docs/rules.md W1c; 000 §二(一) 三 ("省平台推送的本地信用领域突出问题专项治理市场主体名单")
--         the subject's name: marts/35_listed_subjects.sql
WITH active_listings AS (
    SELECT
        c.uscc,
        c.campaign,
        c.department,
        c.listed_date,
        n.department_code
    FROM campaign_lists AS c
    LEFT JOIN ref_department_names AS n ON n.name = TRIM(c.department)
    WHERE c.listed_date <= $as_of
      AND (c.closed_date IS NULL OR c.closed_date > $as_of)
      AND ($uscc IS NULL OR c.uscc = $uscc)
)

SELECT
    'W1c-' || SUBSTR(MD5('W1c|' || a.uscc || '|' || COALESCE(a.department_code, a.department) || '|' || a.campaign), 1, 12)
        AS warning_id,
    'W1c' AS warning_type,
    a.uscc,
    CAST(NULL AS VARCHAR) AS party_id_no,
    FALSE AS is_natural_person,
    s.subject_name,
    a.department_code,
    COALESCE(d.short_name, a.department) AS department_name,
    '列入专项治理名单「' || a.campaign || '」（' || CAST(a.listed_date AS VARCHAR) || '列入）' AS reason,
    a.campaign AS anchor_records,
    CAST(NULL AS VARCHAR) AS risk_level,
    FALSE AS escalated,
    CAST(NULL AS VARCHAR) AS repair_status,
    CAST(NULL AS DATE) AS expiry_date,
    a.listed_date AS first_seen_date,
    LAST_DAY(a.listed_date) AS first_seen_month
FROM active_listings AS a
LEFT JOIN listed_subjects AS s ON s.uscc = a.uscc
LEFT JOIN ref_departments AS d ON d.department_code = a.department_code
