-- rule: G1 (as validity intervals)
-- returns: grade_intervals — one row per subject, grading department and evaluation that is that
--          department's G1 grade of the subject for a span of days: valid_from (the evaluation
--          date) until valid_until (exclusive; NULL = still valid). A department's own latest
--          行业信用评价 is its grade from the evaluation date on; before its first own evaluation, the
--          department that supervises the subject's industry grades it by the latest
--          公共信用综合评价 (002 §三(一)3). Departments come from the evaluator name
--          (ref_department_names; unmapped evaluators grade nobody). registered_from /
--          registered_until give the subject's registry span (any kind; NULL from = not in the
--          registry), so that queries keep the subjects that exist at T.
--          G1 at T: valid_from <= T AND (valid_until IS NULL OR valid_until > T).
-- parameters: $public_evaluation_name
-- source: docs/rules.md G1 (002 §三(一)1, 3); G4 (002 §三(五)) acts through the new evaluation an
--         evaluator issues after a repair or an upheld objection, which replaces the earlier one here
CREATE OR REPLACE TABLE grade_intervals AS
WITH rated AS (
    SELECT
        e.uscc,
        e.evaluator,
        e.eval_date,
        e.grade,
        e.score,
        e.evaluator = $public_evaluation_name AS is_public,
        n.department_code
    FROM evaluations AS e
    LEFT JOIN ref_department_names AS n ON n.name = TRIM(e.evaluator)
),

own_same_day AS (
    -- one evaluation per subject, department and day (two spellings of one department's name)
    SELECT
        uscc,
        department_code,
        evaluator,
        eval_date,
        grade,
        score,
        ROW_NUMBER() OVER (PARTITION BY uscc, department_code, eval_date ORDER BY evaluator) AS same_day_rank
    FROM rated
    WHERE NOT is_public AND department_code IS NOT NULL
),

own_timeline AS (
    SELECT
        uscc,
        department_code,
        evaluator,
        eval_date,
        grade,
        score,
        LEAD(eval_date) OVER (PARTITION BY uscc, department_code ORDER BY eval_date) AS next_date
    FROM own_same_day
    WHERE same_day_rank = 1
),

first_own AS (
    SELECT uscc, department_code, MIN(eval_date) AS first_own_date
    FROM own_timeline
    GROUP BY uscc, department_code
),

public_timeline AS (
    SELECT
        uscc,
        evaluator,
        eval_date,
        grade,
        score,
        LEAD(eval_date) OVER (PARTITION BY uscc ORDER BY eval_date) AS next_date
    FROM rated
    WHERE is_public
),

supervisors AS (
    SELECT DISTINCT uscc, supervising_department_code AS department_code
    FROM subject_facts
    WHERE supervising_department_code IS NOT NULL
),

public_for_supervisor AS (
    SELECT
        s.uscc,
        s.department_code,
        p.evaluator,
        p.eval_date,
        p.grade,
        p.score,
        '公共信用综合评价' AS grade_source,
        CASE
            WHEN f.first_own_date IS NULL THEN p.next_date
            WHEN p.next_date IS NULL OR p.next_date > f.first_own_date THEN f.first_own_date
            ELSE p.next_date
        END AS valid_until
    FROM supervisors AS s
    INNER JOIN public_timeline AS p ON p.uscc = s.uscc
    LEFT JOIN first_own AS f ON f.uscc = s.uscc AND f.department_code = s.department_code
    WHERE f.first_own_date IS NULL OR p.eval_date < f.first_own_date
),

intervals AS (
    SELECT uscc, department_code, evaluator, eval_date, grade, score, '行业信用评价' AS grade_source,
           next_date AS valid_until
    FROM own_timeline
    UNION ALL
    SELECT uscc, department_code, evaluator, eval_date, grade, score, grade_source, valid_until
    FROM public_for_supervisor
),

registry_spans AS (
    SELECT
        uscc,
        MIN(established_date) AS registered_from,
        -- NULL while any record of the USCC is still open
        CASE WHEN COUNT(closed_on_date) = COUNT(*) THEN MAX(closed_on_date) END AS registered_until
    FROM subject_facts
    GROUP BY uscc
)

SELECT
    i.uscc,
    i.department_code,
    i.evaluator,
    i.grade,
    i.score,
    i.grade_source,
    i.eval_date,
    i.eval_date AS valid_from,
    i.valid_until,
    r.registered_from,
    r.registered_until
FROM intervals AS i
LEFT JOIN registry_spans AS r ON r.uscc = i.uscc
