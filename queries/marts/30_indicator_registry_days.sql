-- rule: I03 (inputs)
-- returns: indicator_registry_days — one row per registering-authority department, district,
--          establishment day and problem day of registry records, with the number of records:
--          a record counts in I03 from its establishment, and is a problem (错码: fails P3; 重码:
--          its USCC carried by two or more names) from then, or for 重码 from the day its code's
--          second name was registered, whichever is later; problem_date NULL = never a problem.
--          department_code routes by the code's first character (1 → establishment 市委编办,
--          3 → justice 市司法局, 9 → market 市市场监管局; else NULL). Registry records are unique per
--          USCC and name (docs/data-contract.md key), so a code on several records is a code on several names.
--          Small (days × districts), so I03 at any date or month-end series is a sum over it.
-- parameters: none
-- source: docs/rules.md I03, P3; 001 二(三); marts/10_subject_facts.sql
CREATE OR REPLACE TABLE indicator_registry_days AS
WITH shared_codes AS (
    SELECT uscc
    FROM subject_facts
    GROUP BY uscc
    HAVING COUNT(*) >= 2
),

duplicated_from AS (
    SELECT uscc, established_date AS duplicated_date
    FROM (
        SELECT
            s.uscc,
            s.established_date,
            ROW_NUMBER() OVER (PARTITION BY s.uscc ORDER BY s.established_date, s.name) AS name_rank
        FROM subject_facts AS s
        INNER JOIN shared_codes AS c ON c.uscc = s.uscc
    ) AS ranked
    WHERE name_rank = 2
),

records AS (
    SELECT
        CASE SUBSTR(s.uscc, 1, 1)
            WHEN '1' THEN 'establishment'
            WHEN '3' THEN 'justice'
            WHEN '9' THEN 'market'
        END AS department_code,
        s.district_code,
        s.established_date,
        CASE
            WHEN NOT s.is_uscc_valid THEN s.established_date
            WHEN d.duplicated_date IS NULL THEN NULL
            WHEN d.duplicated_date > s.established_date THEN d.duplicated_date
            ELSE s.established_date
        END AS problem_date
    FROM subject_facts AS s
    LEFT JOIN duplicated_from AS d ON d.uscc = s.uscc
)

SELECT department_code, district_code, established_date, problem_date, COUNT(*) AS n_records
FROM records
GROUP BY department_code, district_code, established_date, problem_date
