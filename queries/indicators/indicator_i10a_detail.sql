-- rule: I10a (detail)
-- returns: one row per grading department of ref_departments.grading_listed (the 22 of 001 (十)):
--          department_code, has_results (an evaluation dated in the window, $window_months months
--          up to $as_of), n_evaluations and n_subjects in the window, last_eval_date (latest on or
--          before $as_of, any time).
-- parameters: $as_of, $window_months, $department_code (NULL = all)
-- source: docs/rules.md I10; 001 三(十)
WITH evaluation_facts AS (
    SELECT
        dn.department_code,
        e.uscc,
        e.eval_date,
        e.eval_date > CAST(CAST($as_of AS DATE) - $window_months * INTERVAL 1 MONTH AS DATE) AS is_in_window
    FROM evaluations AS e
    INNER JOIN ref_department_names AS dn ON dn.name = TRIM(e.evaluator)
    WHERE e.eval_date <= CAST($as_of AS DATE)
),

per_department AS (
    SELECT
        department_code,
        SUM(CASE WHEN is_in_window THEN 1 ELSE 0 END) AS n_evaluations,
        COUNT(DISTINCT CASE WHEN is_in_window THEN uscc END) AS n_subjects,
        MAX(eval_date) AS last_eval_date
    FROM evaluation_facts
    GROUP BY department_code
)

SELECT
    d.department_code,
    COALESCE(p.n_evaluations, 0) > 0 AS has_results,
    COALESCE(p.n_evaluations, 0) AS n_evaluations,
    COALESCE(p.n_subjects, 0) AS n_subjects,
    p.last_eval_date
FROM ref_departments AS d
LEFT JOIN per_department AS p ON p.department_code = d.department_code
WHERE d.grading_listed
  AND (CAST($department_code AS VARCHAR) IS NULL OR d.department_code = $department_code)
ORDER BY has_results, d.department_code
