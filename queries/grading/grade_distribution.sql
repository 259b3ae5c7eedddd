-- rule: G1 (distribution)
-- returns: one row per group, grade and department at T: the number of subjects. With $by =
--          'department' every grading department's subjects count under that department; with
--          'industry' or 'district' each subject counts once, by the grade its supervising
--          department gives it (its industry's department; 公共信用综合评价 where that department has
--          not graded it). department_code is kept for the viewer's scope; sum over it for totals.
-- parameters: $as_of, $by ('department' | 'industry' | 'district')
-- source: docs/rules.md G1 (002 §三(一)1, 3); marts/40_grade_intervals.sql
WITH graded AS (
    SELECT uscc, department_code, grade
    FROM grade_intervals
    WHERE valid_from <= $as_of
      AND (valid_until IS NULL OR valid_until > $as_of)
      AND (registered_from IS NULL OR registered_from <= $as_of)
      AND (registered_until IS NULL OR registered_until > $as_of)
),

grouped AS (
    SELECT
        g.department_code,
        g.grade,
        CASE $by
            WHEN 'industry' THEN s.industry_code
            WHEN 'district' THEN s.district_code
            ELSE g.department_code
        END AS group_code
    FROM graded AS g
    LEFT JOIN indicator_subjects AS s ON s.uscc = g.uscc
    WHERE $by = 'department' OR g.department_code = s.supervising_department_code
),

named AS (
    SELECT
        g.group_code,
        CASE $by
            WHEN 'industry' THEN i.name
            WHEN 'district' THEN r.name
            ELSE d.short_name
        END AS group_name,
        g.grade,
        g.department_code
    FROM grouped AS g
    LEFT JOIN ref_industries AS i ON i.industry_code = g.group_code
    LEFT JOIN ref_districts AS r ON r.district_code = g.group_code
    LEFT JOIN ref_departments AS d ON d.department_code = g.group_code
)

SELECT
    group_code,
    group_name,
    grade,
    department_code,
    COUNT(*) AS n_subjects
FROM named
GROUP BY group_code, group_name, grade, department_code
