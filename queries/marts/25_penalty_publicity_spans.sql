-- rule: P9, P10, P11 (as validity spans); W1, W1b, I12 inputs (the decisions they read)
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
--          Each row also carries what the rules read of the decision (subject, issuing department,
--          party name, minimum period, repair), so W1, W1b and I12 read this table alone instead of
--          joining it back to penalty_facts (3.4 M rows at province scale) at every T. The rows are
--          stored in the order of in_publicity_until: the rules ask for T < in_publicity_until, and
--          the engine skips the blocks of rows whose publicity ended before T.
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
        repaired_date,
        uscc,
        has_valid_uscc,
        COALESCE(is_natural_person, FALSE) AS is_natural_person,
        department_code,
        party_name,
        has_pending_repair
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
    END AS in_publicity_until,
    decision_date,
    uscc,
    has_valid_uscc,
    is_natural_person,
    department_code,
    party_name,
    repair_eligible_date,
    repaired_date,
    has_pending_repair
FROM public_penalties
ORDER BY in_publicity_until, decision_no
