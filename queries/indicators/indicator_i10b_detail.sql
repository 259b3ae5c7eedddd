-- rule: I10b (detail)
-- returns: one row per surviving enterprise (P2) at $as_of without any evaluation dated in the
--          window ($window_months months up to $as_of): uscc, subject_name, district_code,
--          industry_code, department_code (the supervising department of its industry),
--          last_eval_date (latest on or before $as_of, any time; NULL = never graded).
-- parameters: $as_of, $window_months, $department_code (NULL = all), $district_code (NULL = all)
-- source: docs/rules.md I10, P2; 001 三(十)
WITH evaluated AS (
    SELECT
        uscc,
        MAX(eval_date) AS last_eval_date,
        MAX(CASE WHEN eval_date > CAST(CAST($as_of AS DATE) - $window_months * INTERVAL 1 MONTH AS DATE)
                 THEN 1 ELSE 0 END) AS is_graded_in_window
    FROM evaluations
    WHERE eval_date <= CAST($as_of AS DATE)
    GROUP BY uscc
)

SELECT
    s.uscc,
    s.subject_name,
    s.district_code,
    s.industry_code,
    s.supervising_department_code AS department_code,
    e.last_eval_date
FROM indicator_subjects AS s
LEFT JOIN evaluated AS e ON e.uscc = s.uscc
WHERE s.is_enterprise
  AND s.alive_from <= CAST($as_of AS DATE)
  AND COALESCE(s.alive_until, DATE '9999-12-31') > CAST($as_of AS DATE)
  AND COALESCE(e.is_graded_in_window, 0) = 0
  AND (CAST($department_code AS VARCHAR) IS NULL OR s.supervising_department_code = $department_code)
  AND (CAST($district_code AS VARCHAR) IS NULL OR s.district_code = $district_code)
ORDER BY s.uscc
