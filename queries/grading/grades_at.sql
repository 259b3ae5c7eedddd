-- rule: G1
-- returns: one row per subject and grading department at T: the department's latest 行业信用评价 on
--          or before T, else (for the department supervising the subject's industry) the latest
--          公共信用综合评价 — with grade_source, the evaluation date, the subject's industry and
--          district. Subjects deregistered or revoked by T, or established after T, are left out;
--          subjects unknown to the registry keep their department's own evaluations.
-- parameters: $as_of, $department (a department code, or NULL for all), $uscc (or NULL for all)
-- source: docs/rules.md G1 (002 §三(一)1, 3); marts/40_grade_intervals.sql
WITH graded AS (
    SELECT *
    FROM grade_intervals
    WHERE valid_from <= $as_of
      AND (valid_until IS NULL OR valid_until > $as_of)
      AND (registered_from IS NULL OR registered_from <= $as_of)
      AND (registered_until IS NULL OR registered_until > $as_of)
      AND ($department IS NULL OR department_code = $department)
      AND ($uscc IS NULL OR uscc = $uscc)
)

SELECT
    g.uscc,
    s.subject_name,
    g.department_code,
    d.short_name AS department_name,
    g.grade,
    g.grade_source,
    g.eval_date,
    g.score,
    s.industry_code,
    s.district_code
FROM graded AS g
LEFT JOIN indicator_subjects AS s ON s.uscc = g.uscc
LEFT JOIN ref_departments AS d ON d.department_code = g.department_code
ORDER BY g.department_code, g.grade, g.uscc
