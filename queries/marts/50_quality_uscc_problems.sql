-- rule: I03 (data-quality page: 错码 and 重码 registry records, once per load)
-- returns: uscc_problem_records — one row per registry record (uscc + name) that fails P3 (错码) or
--          shares its USCC with another subject name (重码, every record of the group): status,
--          is_wrong_code, is_duplicate_code, n_names_on_uscc (the distinct names on the USCC) and the
--          registering-authority character (GB 32100-2015 登记管理部门码). The department it routes to
--          is the reading query's (queries/quality/quality_uscc_problems.sql). The few problem records
--          are found first (wrong codes, and the codes indicator_subjects counts two or more names on)
--          and only they are joined to their codes' name counts: no grouping of the whole registry.
-- parameters: none
-- source: docs/rules.md I03 (001 (三)), P3; marts/10_subject_facts.sql, marts/30_indicator_subjects.sql
CREATE OR REPLACE TABLE uscc_problem_records AS
WITH shared_codes AS (
    SELECT uscc
    FROM indicator_subjects
    WHERE n_names >= 2
),

candidates AS (
    SELECT
        s.uscc,
        s.name,
        s.status,
        s.is_uscc_valid
    FROM subject_facts AS s
    WHERE NOT s.is_uscc_valid
       OR s.uscc IN (SELECT uscc FROM shared_codes)
)

SELECT
    c.uscc,
    c.name,
    c.status,
    NOT c.is_uscc_valid AS is_wrong_code,
    n.n_names >= 2 AS is_duplicate_code,
    n.n_names AS n_names_on_uscc,
    SUBSTR(c.uscc, 1, 1) AS registering_authority_code
FROM candidates AS c
INNER JOIN indicator_subjects AS n ON n.uscc = c.uscc
