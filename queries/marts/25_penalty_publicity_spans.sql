-- rule: P9, P10, P11 (as validity spans)
-- returns: penalty_publicity_spans — one row per 行政处罚 decision that is public credit information
--          (P7, not revoked) and has a decision date: the days it is in publicity and unrepaired (P9),
--          from in_publicity_from (the decision date) until in_publicity_until (exclusive: the day
--          after its publicity ends, or the day its repair was approved if that is earlier), and
--          the days it is 应修复未修复 (P11 = P10, since P9 already excludes the repaired), from
--          should_repair_from (the end of its minimum period, not before the decision date) until
--          the same day. A span whose end is not after its start (repaired on or before that start)
--          never holds. None of this depends on T, so every rule looks it up:
--          P9 at T:  in_publicity_from <= T AND T < in_publicity_until
--          P11 at T: should_repair_from <= T AND T < in_publicity_until
-- parameters: none
-- source: docs/rules.md P9, P10, P11 (an application in progress still counts: only an approved repair
--         ends the span); marts/20_penalty_facts.sql (publicity end, minimum period, repair)
CREATE OR REPLACE TABLE penalty_publicity_spans AS
WITH public_penalties AS (
    SELECT
        decision_no,
        decision_date,
        repair_eligible_date,
        CAST(publicity_end_date + INTERVAL 1 DAY AS DATE) AS publicity_exit_date,
        repaired_date
    FROM penalty_facts
    WHERE is_public_credit_info
      AND decision_date IS NOT NULL
)

SELECT
    decision_no,
    decision_date AS in_publicity_from,
    CASE
        WHEN repair_eligible_date < decision_date THEN decision_date
        ELSE repair_eligible_date
    END AS should_repair_from,
    CASE
        WHEN repaired_date IS NOT NULL AND repaired_date < publicity_exit_date THEN repaired_date
        ELSE publicity_exit_date
    END AS in_publicity_until
FROM public_penalties
