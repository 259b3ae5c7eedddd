-- rule: I14 inputs
-- returns: a_grade_enterprises — one row per tax-credit year and surviving-enterprise candidate graded
--          A in that year (an enterprise of marts/30_indicator_subjects.sql; a USCC graded A twice in a
--          year is one row): the first day its A counts (the earliest published_date of its A
--          records, or April 30 of the next year when a record gives none), its district and the
--          days it is alive (P2: alive_from, alive_until). I14 at a point counts the rows of the
--          point's latest published year whose A counts by the point and that are alive at it: a
--          filter over this table instead of a join of tax_credit to the whole registry.
-- parameters: none
-- source: docs/rules.md I14, P2; docs/data-contract.md tax_credit
CREATE OR REPLACE TABLE a_grade_enterprises AS
WITH a_grades AS (
    SELECT
        year,
        uscc,
        MIN(COALESCE(published_date, CAST(CAST(year + 1 AS VARCHAR) || '-04-30' AS DATE))) AS counts_from
    FROM tax_credit
    WHERE grade = 'A'
      AND uscc IS NOT NULL
    GROUP BY year, uscc
)

SELECT
    a.year,
    a.counts_from,
    s.district_code,
    s.alive_from,
    s.alive_until
FROM a_grades AS a
INNER JOIN indicator_subjects AS s ON s.uscc = a.uscc
WHERE s.is_enterprise
