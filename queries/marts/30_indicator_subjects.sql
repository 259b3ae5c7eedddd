-- rule: P2 (as spans), inputs of I02, I08, I10, I12, I14, I15
-- returns: indicator_subjects — one row per USCC of the registry (a USCC on several names, 重码,
--          is one subject here): a representative name and district, the supervising department,
--          whether it is an enterprise (P1 kind 91), and for enterprises the span in which it
--          survives (P2): from its earliest establishment to its last closure, open-ended while any
--          of its records is not closed. P2 at T is then
--          is_enterprise AND alive_from <= T AND (alive_until IS NULL OR alive_until > T).
-- parameters: none
-- source: docs/rules.md P1, P2; marts/10_subject_facts.sql
CREATE OR REPLACE TABLE indicator_subjects AS
WITH registry AS (
    SELECT
        uscc,
        name,
        district_code,
        industry_code,
        supervising_department_code,
        is_enterprise,
        established_date,
        closed_on_date
    FROM subject_facts
),

per_uscc AS (
    SELECT
        uscc,
        MIN(name) AS subject_name,
        COUNT(DISTINCT name) AS n_names,
        MIN(district_code) AS district_code,
        MIN(industry_code) AS industry_code,
        MIN(supervising_department_code) AS supervising_department_code,
        -- validity (and so the kind) is a property of the code, equal on every record of a USCC
        MAX(CASE WHEN is_enterprise THEN 1 ELSE 0 END) = 1 AS is_enterprise,
        MIN(established_date) AS first_established_date,
        -- NULL while any record is still open (COUNT skips NULL closure dates)
        CASE WHEN COUNT(closed_on_date) = COUNT(*) THEN MAX(closed_on_date) END AS last_closed_date
    FROM registry
    GROUP BY uscc
)

SELECT
    uscc,
    subject_name,
    n_names,
    district_code,
    industry_code,
    supervising_department_code,
    is_enterprise,
    CASE WHEN is_enterprise THEN first_established_date END AS alive_from,
    CASE WHEN is_enterprise THEN last_closed_date END AS alive_until
FROM per_uscc
