-- rule: G1 (history)
-- returns: one row per evaluation of one subject (both kinds), newest first: the evaluating
--          department (NULL for the provincial 公共信用综合评价), evaluator, date, grade, score.
--          $public selects the public evaluations (shared with every department, 002 §三(一)2) or
--          the departments' own 行业信用评价 (scoped to the viewer).
-- parameters: $uscc, $public_evaluation_name, $public (boolean)
-- source: docs/rules.md G1; 002 §三(一)2, 3
SELECT
    CASE WHEN e.evaluator = $public_evaluation_name THEN NULL ELSE n.department_code END AS department_code,
    e.evaluator,
    e.eval_date,
    e.grade,
    e.score
FROM evaluations AS e
LEFT JOIN ref_department_names AS n ON n.name = TRIM(e.evaluator)
WHERE e.uscc = $uscc
  AND (e.evaluator = $public_evaluation_name) = $public
