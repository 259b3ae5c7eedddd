-- rule: G3
-- returns: one row per subject a department grades at T (G1): its grade, the grade's ratio and
--          subject count, n_drawn = ceil(ratio × count), its place in the seeded random order
--          (draw_order: ascending MD5 of seed | USCC, ties by USCC) and is_drawn = draw_order <=
--          n_drawn. The same seed gives the same draw on any engine (MD5 is portable).
-- parameters: $as_of, $department, $seed, $ratio_a, $ratio_b, $ratio_c, $ratio_d, $ratio_e
--             (settings [spotcheck] or the caller's)
-- source: docs/rules.md G3 (002 §三(三); 003 §三(四) 双随机、一公开); marts/40_grade_intervals.sql
WITH graded AS (
    SELECT uscc, department_code, grade, grade_source, eval_date
    FROM grade_intervals
    WHERE valid_from <= $as_of
      AND (valid_until IS NULL OR valid_until > $as_of)
      AND (registered_from IS NULL OR registered_from <= $as_of)
      AND (registered_until IS NULL OR registered_until > $as_of)
      AND department_code = $department
),

ordered AS (
    SELECT
        g.*,
        CASE g.grade
            WHEN 'A' THEN $ratio_a
            WHEN 'B' THEN $ratio_b
            WHEN 'C' THEN $ratio_c
            WHEN 'D' THEN $ratio_d
            WHEN 'E' THEN $ratio_e
        END AS ratio,
        COUNT(*) OVER (PARTITION BY g.grade) AS n_subjects,
        ROW_NUMBER() OVER (
            PARTITION BY g.grade
            ORDER BY MD5(CAST($seed AS VARCHAR) || '|' || g.uscc), g.uscc
        ) AS draw_order
    FROM graded AS g
),

sized AS (
    SELECT
        o.*,
        -- rounding first keeps 0.1 × 30 at 3 (binary floating point would give 3.0000000000000004)
        CAST(CEIL(ROUND(o.ratio * o.n_subjects, 6)) AS BIGINT) AS n_drawn
    FROM ordered AS o
)

SELECT
    z.uscc,
    s.subject_name,
    z.department_code,
    z.grade,
    z.grade_source,
    z.eval_date,
    s.industry_code,
    s.district_code,
    z.ratio,
    z.n_subjects,
    z.n_drawn,
    z.draw_order,
    z.draw_order <= z.n_drawn AS is_drawn
FROM sized AS z
LEFT JOIN indicator_subjects AS s ON s.uscc = z.uscc
