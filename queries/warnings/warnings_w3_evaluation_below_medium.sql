-- rule: W3
-- returns: one row per subject whose latest 公共信用综合评价 on or before T has a grade in
--          $below_medium_grades (中等以下, the middle grade included: C, D, E), routed to the subject's
--          supervising department (industry → department map; none when the subject or its industry
--          is unknown, then only the credit office sees it). The warning is identified by the first
--          evaluation of the unbroken run of below-medium results up to T, so a new C after a D keeps
--          the same warning; anchor_records = the date of the latest evaluation. The runs are
--          computed once per load (marts/35_below_medium_spans.sql, with the evaluator name and
--          the grades from settings, and the subject's registry name and supervising department);
--          here they are looked up at T.
-- parameters: $as_of, $uscc (one subject, or NULL for all)
-- source: docs/rules.md W3; 000 §二(三) ("公共信用综合评价结果为中等以下等级的企业"); 002 §三(一)1
WITH latest_below AS (
    SELECT uscc, eval_date, grade, run_start_date, subject_name, supervising_department_code
    FROM below_medium_spans
    WHERE eval_date <= $as_of
      AND (valid_until IS NULL OR valid_until > $as_of)
      AND ($uscc IS NULL OR uscc = $uscc)
)

SELECT
    'W3-' || SUBSTR(MD5('W3|' || l.uscc || '|' || COALESCE(l.supervising_department_code, '') || '|'
                        || CAST(l.run_start_date AS VARCHAR)), 1, 12) AS warning_id,
    'W3' AS warning_type,
    l.uscc,
    CAST(NULL AS VARCHAR) AS party_id_no,
    FALSE AS is_natural_person,
    l.subject_name,
    l.supervising_department_code AS department_code,
    d.short_name AS department_name,
    '公共信用综合评价为' || l.grade || '级（' || CAST(l.eval_date AS VARCHAR) || '评价，中等以下）' AS reason,
    CAST(l.eval_date AS VARCHAR) AS anchor_records,
    CAST(NULL AS VARCHAR) AS risk_level,
    FALSE AS escalated,
    CAST(NULL AS VARCHAR) AS repair_status,
    CAST(NULL AS DATE) AS expiry_date,
    l.run_start_date AS first_seen_date,
    LAST_DAY(l.run_start_date) AS first_seen_month
FROM latest_below AS l
LEFT JOIN ref_departments AS d ON d.department_code = l.supervising_department_code
