-- rule: I05 (subject profile: objections to published information, 异议)
-- returns: one row per objection of the subject received on or before $as_of, newest first; the
--          answer only when given on or before T; working days from receipt to answer (PRC
--          calendar, ref_calendar) and whether that is within the SLA (grading objections: own SLA)
-- parameters: $uscc, $as_of, $objection_sla_days, $grading_objection_sla_days (settings [sla])
-- source: docs/rules.md I05 (001 (五); 002 §三(五)1); docs/data-contract.md objections
WITH answered AS (
    SELECT
        o.*,
        CASE WHEN o.answered_date <= $as_of THEN o.answered_date END AS answered_at
    FROM objections AS o
    WHERE o.uscc = $uscc AND o.received_date <= $as_of
),

timed AS (
    SELECT
        a.*,
        ca.workday_seq - cr.workday_seq AS working_days_to_answer,
        CASE WHEN COALESCE(a.concerns_grading, FALSE) THEN $grading_objection_sla_days
            ELSE $objection_sla_days END AS sla_days
    FROM answered AS a
    LEFT JOIN ref_calendar AS cr ON cr.day = a.received_date
    LEFT JOIN ref_calendar AS ca ON ca.day = a.answered_at
)

SELECT
    t.objection_id,
    t.department,
    n.department_code,
    COALESCE(dep.short_name, t.department) AS department_name,
    t.received_date,
    t.answered_at AS answered_date,
    CASE WHEN t.answered_at IS NOT NULL THEN t.outcome END AS outcome,
    t.concerns_grading,
    t.working_days_to_answer,
    t.working_days_to_answer <= t.sla_days AS answered_within_sla
FROM timed AS t
LEFT JOIN ref_department_names AS n ON n.name = TRIM(t.department)
LEFT JOIN ref_departments AS dep ON dep.department_code = n.department_code
ORDER BY t.received_date DESC, t.objection_id
