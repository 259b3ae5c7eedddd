-- rule: W3 (as validity spans)
-- returns: below_medium_spans — one row per 公共信用综合评价 result in $below_medium_grades (中等以下:
--          C, D, E) that is a subject's latest public evaluation for a span of days: from its
--          evaluation date until valid_until (the subject's next public evaluation date, exclusive;
--          NULL = still the latest). run_start_date is the first evaluation date of the unbroken run
--          of results that are not in a better grade up to it (a run ends at a day with a result
--          outside $below_medium_grades; a day with such a result as well as a below-medium one is
--          not below medium). None of this depends on T, so W3 at T is a lookup:
--          eval_date <= T AND (valid_until IS NULL OR valid_until > T). Each row carries the
--          subject's registry name and supervising department (marts/30_indicator_subjects.sql;
--          NULL for a USCC the registry does not know), so W3 reads this table alone.
-- parameters: $public_evaluation_name, $below_medium_grades (';'-joined, settings grades.below_medium)
-- source: docs/rules.md W3; 000 §二(三) ("公共信用综合评价结果为中等以下等级的企业"); 002 §三(一)1
CREATE OR REPLACE TABLE below_medium_spans AS
WITH public_evaluations AS (
    SELECT
        uscc,
        eval_date,
        grade,
        (';' || $below_medium_grades || ';') LIKE ('%;' || grade || ';%') AS is_below_medium
    FROM evaluations
    WHERE evaluator = $public_evaluation_name
      AND uscc IS NOT NULL
      AND eval_date IS NOT NULL
),

evaluation_days AS (
    -- a result without a grade is neither below medium nor better, but it is an evaluation day
    SELECT uscc, eval_date, BOOL_OR(COALESCE(NOT is_below_medium, FALSE)) AS has_better_result
    FROM public_evaluations
    GROUP BY uscc, eval_date
),

timeline AS (
    SELECT
        uscc,
        eval_date,
        has_better_result,
        LEAD(eval_date) OVER (PARTITION BY uscc ORDER BY eval_date) AS valid_until,
        MAX(CASE WHEN has_better_result THEN eval_date END)
            OVER (PARTITION BY uscc ORDER BY eval_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            AS last_better_date
    FROM evaluation_days
),

runs AS (
    SELECT
        uscc,
        eval_date,
        has_better_result,
        valid_until,
        -- the days sharing a last better day: that day itself, then the run after it
        MIN(CASE WHEN last_better_date IS NULL OR eval_date > last_better_date THEN eval_date END)
            OVER (PARTITION BY uscc, last_better_date) AS run_start_date
    FROM timeline
)

SELECT
    p.uscc,
    p.eval_date,
    p.grade,
    r.valid_until,
    r.run_start_date,
    s.subject_name,
    s.supervising_department_code
FROM public_evaluations AS p
INNER JOIN runs AS r ON r.uscc = p.uscc AND r.eval_date = p.eval_date
LEFT JOIN indicator_subjects AS s ON s.uscc = p.uscc
WHERE p.is_below_medium
  AND NOT r.has_better_result
