-- rule: G1 (distribution)
-- returns: one row per group, grade and department at T: the number of subjects. With $by =
--          'department' every grading department's subjects count under that department; with
--          'industry' or 'district' each subject counts once, by the grade its supervising
--          department gives it (its industry's department; 公共信用综合评价 where that department has
--          not graded it). department_code is kept for the viewer's scope; sum over it for totals.
-- parameters: $as_of, $by ('department' | 'industry' | 'district')
-- source: docs/rules.md G1 (002 §三(一)1, 3); the changes by day of marts/50_grade_distribution_changes.sql
--         (built from marts/40_grade_intervals.sql once per load), summed up to T
WITH counted AS (
    SELECT
        group_code,
        grade,
        department_code,
        SUM(n_change) AS n_subjects
    FROM grade_distribution_changes
    WHERE grouped_by = $by
      AND change_date <= $as_of
    GROUP BY group_code, grade, department_code
)

SELECT
    c.group_code,
    CASE $by
        WHEN 'industry' THEN i.name
        WHEN 'district' THEN r.name
        ELSE d.short_name
    END AS group_name,
    c.grade,
    c.department_code,
    CAST(c.n_subjects AS BIGINT) AS n_subjects
FROM counted AS c
LEFT JOIN ref_industries AS i ON i.industry_code = c.group_code
LEFT JOIN ref_districts AS r ON r.district_code = c.group_code
LEFT JOIN ref_departments AS d ON d.department_code = c.group_code
WHERE c.n_subjects > 0
