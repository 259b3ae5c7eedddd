-- rule: I05 (detail)
-- returns: one row per objection received in the window ($window_months months up to $as_of)
--          that was not answered by $as_of within its allowed working days ($objection_working_days;
--          $grading_objection_working_days when it concerns a credit evaluation), i.e. on or before
--          answer_deadline_date, the N-th working day after the day of receipt (step deadline_days;
--          an answer on a holiday or weekend after it is late). Columns: objection_id, uscc,
--          subject_name (registry), department_code, received_date, answered_date,
--          answer_deadline_date, working_days_to_answer, allowed_working_days, concerns_grading,
--          outcome.
-- parameters: $as_of, $window_months, $objection_working_days, $grading_objection_working_days,
--             $department_code (NULL = all)
-- steps: deadline_days (the deadline of N working days: queries/steps/deadline_days.sql)
-- source: docs/rules.md I05; 001 二(五); 002 §三(五)1; 民法典 第201条、第203条
WITH objection_facts AS (
    SELECT
        o.objection_id,
        o.uscc,
        s.subject_name,
        dn.department_code,
        o.received_date,
        o.answered_date,
        answered_day.workday_seq - received_day.workday_seq AS working_days_to_answer,
        CASE WHEN COALESCE(o.concerns_grading, FALSE) THEN $grading_objection_working_days
             ELSE $objection_working_days END AS allowed_working_days,
        COALESCE(o.concerns_grading, FALSE) AS concerns_grading,
        o.outcome,
        received_day.workday_seq
            + CASE WHEN COALESCE(o.concerns_grading, FALSE) THEN $grading_objection_working_days
                   ELSE $objection_working_days END AS deadline_seq
    FROM objections AS o
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(o.department)
    LEFT JOIN indicator_subjects AS s ON s.uscc = o.uscc
    LEFT JOIN ref_calendar AS received_day ON received_day.day = o.received_date
    LEFT JOIN ref_calendar AS answered_day ON answered_day.day = o.answered_date
    WHERE o.received_date > CAST(CAST($as_of AS DATE) - $window_months * INTERVAL 1 MONTH AS DATE)
      AND o.received_date <= CAST($as_of AS DATE)
)

SELECT
    f.objection_id,
    f.uscc,
    f.subject_name,
    f.department_code,
    f.received_date,
    CASE WHEN f.answered_date <= CAST($as_of AS DATE) THEN f.answered_date END AS answered_date,
    deadline.deadline_date AS answer_deadline_date,
    CASE WHEN f.answered_date <= CAST($as_of AS DATE) THEN f.working_days_to_answer END AS working_days_to_answer,
    f.allowed_working_days,
    f.concerns_grading,
    f.outcome
FROM objection_facts AS f
LEFT JOIN deadline_days AS deadline ON deadline.workday_seq = f.deadline_seq
WHERE NOT COALESCE(f.answered_date <= CAST($as_of AS DATE) AND f.answered_date <= deadline.deadline_date, FALSE)
  AND (CAST($department_code AS VARCHAR) IS NULL OR f.department_code = $department_code)
ORDER BY f.department_code, f.received_date, f.objection_id
