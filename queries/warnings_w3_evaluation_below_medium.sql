-- rule: W3
-- returns: one row per subject whose latest 公共信用综合评价 on or before T has a grade in
--          $below_medium_grades (中等以下, the middle grade included: C, D, E), routed to the subject's
--          supervising department (industry → department map; none when the subject or its industry
--          is unknown, then only the credit office sees it). The warning is identified by the first
--          evaluation of the unbroken run of below-medium results up to T, so a new C after a D keeps
--          the same warning; anchor_records = the date of the latest evaluation.
-- parameters: $as_of, $public_evaluation_name, $below_medium_grades (';'-joined grades, settings
--             grades.below_medium), $uscc (one subject, or NULL for all)
-- source: RULES.md W3; 000 §二(三) ("公共信用综合评价结果为中等以下等级的企业"); 002 §三(一)1
WITH public_evaluations AS (
    SELECT
        uscc,
        eval_date,
        grade,
        (';' || $below_medium_grades || ';') LIKE ('%;' || grade || ';%') AS is_below_medium
    FROM evaluations
    WHERE evaluator = $public_evaluation_name
      AND eval_date <= $as_of
      AND ($uscc IS NULL OR uscc = $uscc)
),

latest AS (
    SELECT uscc, MAX(eval_date) AS eval_date
    FROM public_evaluations
    GROUP BY uscc
),

latest_below AS (
    SELECT p.uscc, p.eval_date, p.grade
    FROM public_evaluations AS p
    INNER JOIN latest AS l ON l.uscc = p.uscc AND l.eval_date = p.eval_date
    WHERE p.is_below_medium
),

history AS (
    -- the earlier evaluations of the subjects warned at T only
    SELECT p.uscc, p.eval_date, p.is_below_medium
    FROM public_evaluations AS p
    INNER JOIN latest_below AS l ON l.uscc = p.uscc
),

last_good AS (
    SELECT uscc, MAX(eval_date) AS good_date
    FROM history
    WHERE NOT is_below_medium
    GROUP BY uscc
),

run_start AS (
    SELECT h.uscc, MIN(h.eval_date) AS start_date
    FROM history AS h
    LEFT JOIN last_good AS g ON g.uscc = h.uscc
    WHERE g.good_date IS NULL OR h.eval_date > g.good_date
    GROUP BY h.uscc
)

SELECT
    'W3-' || SUBSTR(MD5('W3|' || l.uscc || '|' || COALESCE(s.supervising_department_code, '') || '|'
                        || CAST(r.start_date AS VARCHAR)), 1, 12) AS warning_id,
    'W3' AS warning_type,
    l.uscc,
    CAST(NULL AS VARCHAR) AS party_id_no,
    FALSE AS is_natural_person,
    s.subject_name,
    s.supervising_department_code AS department_code,
    d.short_name AS department_name,
    '公共信用综合评价为' || l.grade || '级（' || CAST(l.eval_date AS VARCHAR) || '评价，中等以下）' AS reason,
    CAST(l.eval_date AS VARCHAR) AS anchor_records,
    CAST(NULL AS VARCHAR) AS risk_level,
    FALSE AS escalated,
    CAST(NULL AS VARCHAR) AS repair_status,
    CAST(NULL AS DATE) AS expiry_date,
    r.start_date AS first_seen_date,
    LAST_DAY(r.start_date) AS first_seen_month
FROM latest_below AS l
INNER JOIN run_start AS r ON r.uscc = l.uscc
LEFT JOIN indicator_subjects AS s ON s.uscc = l.uscc
LEFT JOIN ref_departments AS d ON d.department_code = s.supervising_department_code
