-- rule: G1 (distribution, as changes by day)
-- returns: grade_distribution_changes — the grade distribution of queries/grading/grade_distribution.sql
--          as changes by day, one row per grouping (grouped_by: 'department', 'industry' or 'district'),
--          group_code, grade, grading department and change_date: n_change, the subjects that start to
--          count that day minus those that stop. A grade of grade_intervals counts from the later of its
--          valid_from and the subject's registered_from until the earlier of its valid_until and
--          registered_until (exclusive; NULL = open; a span that ends before it starts never counts).
--          By department every grade counts, under its department; by industry or district only the
--          grade the subject's supervising department gives it (indicator_subjects), under the subject's
--          industry or district. Days whose changes cancel out are left out. Small (groups × grades ×
--          departments × the days grades or registrations change), so the distribution at any T is a sum:
--          SUM(n_change) over change_date <= T per group, grade and department. Spans are counted per
--          department, grade and dates before the changes are formed, and only the supervising
--          department's spans are joined to the subjects' industry and district.
-- parameters: none
-- source: docs/rules.md G1 (002 §三(一)1, 3); marts/40_grade_intervals.sql, marts/30_indicator_subjects.sql
CREATE OR REPLACE TABLE grade_distribution_changes AS
WITH spans AS (
    SELECT
        g.uscc,
        g.department_code,
        g.grade,
        CASE
            WHEN g.registered_from IS NOT NULL AND g.registered_from > g.valid_from THEN g.registered_from
            ELSE g.valid_from
        END AS count_from,
        CASE
            WHEN g.valid_until IS NULL THEN g.registered_until
            WHEN g.registered_until IS NULL OR g.registered_until > g.valid_until THEN g.valid_until
            ELSE g.registered_until
        END AS count_until
    FROM grade_intervals AS g
    WHERE g.valid_from IS NOT NULL
),

counted AS (
    SELECT uscc, department_code, grade, count_from, count_until
    FROM spans
    WHERE count_until IS NULL OR count_until > count_from
),

by_department AS (
    SELECT department_code, grade, count_from, count_until, COUNT(*) AS n_subjects
    FROM counted
    GROUP BY department_code, grade, count_from, count_until
),

by_supervisor AS (
    SELECT
        s.industry_code,
        s.district_code,
        c.department_code,
        c.grade,
        c.count_from,
        c.count_until,
        COUNT(*) AS n_subjects
    FROM counted AS c
    INNER JOIN indicator_subjects AS s
        ON s.uscc = c.uscc AND s.supervising_department_code = c.department_code
    GROUP BY s.industry_code, s.district_code, c.department_code, c.grade, c.count_from, c.count_until
),

grouped AS (
    SELECT
        'department' AS grouped_by,
        department_code AS group_code,
        grade,
        department_code,
        count_from,
        count_until,
        n_subjects
    FROM by_department
    UNION ALL
    SELECT
        'industry' AS grouped_by,
        industry_code AS group_code,
        grade,
        department_code,
        count_from,
        count_until,
        n_subjects
    FROM by_supervisor
    UNION ALL
    SELECT
        'district' AS grouped_by,
        district_code AS group_code,
        grade,
        department_code,
        count_from,
        count_until,
        n_subjects
    FROM by_supervisor
),

changes AS (
    SELECT grouped_by, group_code, grade, department_code, count_from AS change_date, n_subjects AS n_change
    FROM grouped
    UNION ALL
    SELECT grouped_by, group_code, grade, department_code, count_until AS change_date, -n_subjects AS n_change
    FROM grouped
    WHERE count_until IS NOT NULL
)

SELECT
    grouped_by,
    group_code,
    grade,
    department_code,
    change_date,
    CAST(SUM(n_change) AS BIGINT) AS n_change
FROM changes
GROUP BY grouped_by, group_code, grade, department_code, change_date
HAVING SUM(n_change) <> 0
