-- rule: P1, P2 (the date-independent part)
-- returns: subject_facts — one row per current registry record (uscc + name; a USCC on several
--          names gives several rows, I03): kind from the USCC (P1), whether it is an enterprise,
--          the date it stopped existing, district and supervising department (industry map)
-- parameters: none
-- source: docs/rules.md P1, P2; docs/data-contract.md subjects. P2 at T is then
--          is_enterprise AND established_date <= T AND (closed_on_date IS NULL OR closed_on_date > T)
CREATE OR REPLACE TABLE subject_facts AS
WITH registry AS (
    SELECT
        uscc,
        name,
        status,
        established_date,
        closed_date,
        district_code,
        industry_code,
        legal_rep,
        (';' || _flags || ';') NOT LIKE '%;uscc_invalid;%' AS is_uscc_valid
    FROM subjects
)
SELECT
    r.uscc,
    r.name,
    r.status,
    r.established_date,
    -- a 注销/吊销 record without its date is taken as closed from registration on; a subject that
    -- moved out of the city (迁出) stopped existing here on its 核准日期 (dashboard/reference/subject_status.csv)
    CASE WHEN r.status IN ('注销', '吊销', '迁出') THEN COALESCE(r.closed_date, r.established_date) END AS closed_on_date,
    r.district_code,
    r.industry_code,
    r.legal_rep,
    r.is_uscc_valid,
    CASE WHEN r.is_uscc_valid THEN SUBSTR(r.uscc, 1, 2) END AS uscc_kind,
    COALESCE(r.is_uscc_valid AND SUBSTR(r.uscc, 1, 2) = '91', FALSE) AS is_enterprise,
    i.supervising_department AS supervising_department_code
FROM registry AS r
LEFT JOIN ref_industries AS i ON i.industry_code = r.industry_code
