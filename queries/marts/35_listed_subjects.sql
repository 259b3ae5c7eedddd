-- rule: W1c inputs, W5 inputs
-- returns: listed_subjects — one row per USCC that a 信易贷 loan or a 专项治理 list names and the
--          registry knows: its registry name and supervising department (marts/30_indicator_subjects.sql).
--          W1c and W5 look their subjects up here: a few thousand rows instead of the whole registry
--          (3 M subjects at province scale), which they would otherwise scan at every T.
-- parameters: none
-- source: docs/rules.md W1c, W5; docs/data-contract.md loans, campaign_lists
CREATE OR REPLACE TABLE listed_subjects AS
WITH named AS (
    SELECT uscc FROM loans WHERE uscc IS NOT NULL
    UNION
    SELECT uscc FROM campaign_lists WHERE uscc IS NOT NULL
)

SELECT
    s.uscc,
    s.subject_name,
    s.supervising_department_code
FROM indicator_subjects AS s
WHERE s.uscc IN (SELECT uscc FROM named)
