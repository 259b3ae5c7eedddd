-- rule: W1 (episodes as validity spans)
-- returns: repeated_penalty_spans — for every subject with a USCC (not a natural person), one row
--          per span of days on which the W1 condition holds, counting its penalties that are
--          public credit information (P7) while each is in its window, in publicity (P9) and not
--          repaired: at least $short_min_decisions in the last $short_months months or at least
--          $long_min_decisions in the last $long_months months. A penalty counts in a window from
--          its decision day until the first of: leaving the window (decision + N months, or the day
--          after when that month end was clamped), the day after its publicity ends, its repair
--          approval. span_from is a day the counts change, span_until the next such day
--          (exclusive; NULL = open); episode_start is the day the condition last began to hold
--          without a break, opening_decision_no the smallest decision number of that day. None of
--          this depends on T, so the W1 query looks the episode up:
--          span_from <= T AND (span_until IS NULL OR span_until > T).
-- parameters: $short_months, $short_min_decisions, $long_months, $long_min_decisions
-- source: docs/rules.md W1, P7, P9 (marts/25_penalty_publicity_spans.sql); 000 §二(一) 一
--         ("半年内受到两次及以上行政处罚、或一年内受到3次及以上行政处罚且行政处罚信息还在公示期")
CREATE OR REPLACE TABLE repeated_penalty_spans AS
WITH history AS (
    -- public credit information only (P7), with the day it leaves publicity or is repaired (P9)
    SELECT uscc, decision_no, decision_date, in_publicity_until
    FROM penalty_publicity_spans
    WHERE uscc IS NOT NULL
      AND NOT is_natural_person
),

window_exits AS (
    SELECT
        uscc,
        decision_date,
        in_publicity_until,
        CASE
            WHEN EXTRACT(DAY FROM CAST(decision_date + $short_months * INTERVAL 1 MONTH AS DATE))
                 < EXTRACT(DAY FROM decision_date)
                THEN CAST(decision_date + $short_months * INTERVAL 1 MONTH + INTERVAL 1 DAY AS DATE)
            ELSE CAST(decision_date + $short_months * INTERVAL 1 MONTH AS DATE)
        END AS short_exit,
        CASE
            WHEN EXTRACT(DAY FROM CAST(decision_date + $long_months * INTERVAL 1 MONTH AS DATE))
                 < EXTRACT(DAY FROM decision_date)
                THEN CAST(decision_date + $long_months * INTERVAL 1 MONTH + INTERVAL 1 DAY AS DATE)
            ELSE CAST(decision_date + $long_months * INTERVAL 1 MONTH AS DATE)
        END AS long_exit
    FROM history
),

events AS (
    -- each penalty enters both windows on its decision day and leaves each on its own day
    SELECT
        x.uscc,
        CASE k.kind WHEN 0 THEN x.decision_date WHEN 1 THEN x.short_until ELSE x.long_until END AS day,
        CASE k.kind WHEN 0 THEN 1 WHEN 1 THEN -1 ELSE 0 END AS short_change,
        CASE k.kind WHEN 0 THEN 1 WHEN 2 THEN -1 ELSE 0 END AS long_change
    FROM (
        SELECT
            uscc,
            decision_date,
            -- a penalty that never counts (repaired on its decision day) enters and leaves that day
            GREATEST(decision_date, LEAST(short_exit, in_publicity_until)) AS short_until,
            GREATEST(decision_date, LEAST(long_exit, in_publicity_until)) AS long_until
        FROM window_exits
    ) AS x
    CROSS JOIN (VALUES (0), (1), (2)) AS k (kind)
),

day_changes AS (
    SELECT uscc, day, SUM(short_change) AS short_change, SUM(long_change) AS long_change
    FROM events
    GROUP BY uscc, day
),

checkpoints AS (
    -- the counts at the end of each change day
    SELECT
        uscc,
        day,
        LEAD(day) OVER (PARTITION BY uscc ORDER BY day) AS next_day,
        SUM(short_change) OVER (PARTITION BY uscc ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            AS n_short,
        SUM(long_change) OVER (PARTITION BY uscc ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
            AS n_long
    FROM day_changes
),

flagged AS (
    SELECT
        uscc,
        day,
        next_day,
        n_short >= $short_min_decisions OR n_long >= $long_min_decisions AS holds
    FROM checkpoints
),

gaps AS (
    SELECT
        uscc,
        day,
        next_day,
        holds,
        MAX(CASE WHEN NOT holds THEN day END)
            OVER (PARTITION BY uscc ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_gap_day
    FROM flagged
),

episodes AS (
    SELECT
        uscc,
        day,
        next_day,
        holds,
        -- the days sharing a last gap day: that day itself, then the episode after it
        MIN(CASE WHEN last_gap_day IS NULL OR day > last_gap_day THEN day END)
            OVER (PARTITION BY uscc, last_gap_day) AS episode_start
    FROM gaps
),

opening_decisions AS (
    SELECT uscc, decision_date, MIN(decision_no) AS opening_decision_no
    FROM history
    GROUP BY uscc, decision_date
)

SELECT
    e.uscc,
    e.day AS span_from,
    e.next_day AS span_until,
    e.episode_start,
    o.opening_decision_no
FROM episodes AS e
LEFT JOIN opening_decisions AS o ON o.uscc = e.uscc AND o.decision_date = e.episode_start
WHERE e.holds
