-- rule: I04b, I04c (detail)
-- returns: one row per reported record (penalty not excluded by P7, or licence) decided in the
--          window ($window_months months up to $as_of) and reported by $as_of that fails the
--          indicator: I04b → it carries a quality flag (not compliant); I04c → it was not reported
--          by its report_deadline_date, the $disclosure_working_days-th working day after the decision day
--          (step deadline_days; a report on a holiday or weekend after that date is late); a record
--          without reported_at is not judged by I04c (counted apart on the indicator page).
--          working_days_to_report counts the working days from decision to report.
--          Columns: record_kind (处罚 | 许可), record_no, uscc, subject_name, is_natural_person,
--          party_id_no, department_code, authority, decision_date, reported_at, report_deadline_date,
--          working_days_to_report, quality_flags, is_compliant, is_timely.
-- parameters: $as_of, $window_months, $indicator_id ('I04b' | 'I04c'), $disclosure_working_days,
--             $department_code (NULL = all)
-- steps: deadline_days (the deadline of N working days: queries/steps/deadline_days.sql)
-- source: docs/rules.md I04; 001 二(四); 国办发〔2015〕51号 (7 working days); 民法典 第201条、第203条
WITH bounds AS (
    SELECT
        CAST($as_of AS DATE) AS as_of_date,
        CAST(CAST($as_of AS DATE) - $window_months * INTERVAL 1 MONTH AS DATE) AS window_start
),

disclosed AS (
    SELECT
        '处罚' AS record_kind, decision_no AS record_no, uscc, party_name, is_natural_person,
        party_id_no, department_code, authority, decision_date, reported_at, quality_flags
    FROM penalty_facts
    WHERE NOT is_excluded_p7
    UNION ALL
    SELECT
        '许可' AS record_kind, license_no AS record_no, uscc, party_name, FALSE AS is_natural_person,
        CAST(NULL AS VARCHAR) AS party_id_no, department_code, authority, decision_date, reported_at,
        quality_flags
    FROM license_facts
),

judged AS (
    SELECT
        d.*,
        deadline.deadline_date AS report_deadline_date,
        reported_day.workday_seq - decided_day.workday_seq AS working_days_to_report,
        COALESCE(d.quality_flags, '') = '' AS is_compliant,
        COALESCE(d.reported_at <= deadline.deadline_date, FALSE) AS is_timely
    FROM disclosed AS d
    CROSS JOIN bounds AS b
    LEFT JOIN ref_calendar AS decided_day ON decided_day.day = d.decision_date
    LEFT JOIN ref_calendar AS reported_day ON reported_day.day = d.reported_at
    LEFT JOIN deadline_days AS deadline
        ON deadline.workday_seq = decided_day.workday_seq + $disclosure_working_days
    WHERE d.decision_date > b.window_start
      AND d.decision_date <= b.as_of_date
      AND (d.reported_at IS NULL OR d.reported_at <= b.as_of_date)
)

SELECT
    record_kind,
    record_no,
    uscc,
    party_name AS subject_name,
    is_natural_person,
    party_id_no,
    department_code,
    authority,
    decision_date,
    reported_at,
    report_deadline_date,
    working_days_to_report,
    quality_flags,
    is_compliant,
    is_timely
FROM judged
WHERE ((CAST($indicator_id AS VARCHAR) = 'I04b' AND NOT is_compliant)
       OR (CAST($indicator_id AS VARCHAR) = 'I04c' AND NOT is_timely AND reported_at IS NOT NULL))
  AND (CAST($department_code AS VARCHAR) IS NULL OR department_code = $department_code)
ORDER BY department_code, decision_date, record_no
