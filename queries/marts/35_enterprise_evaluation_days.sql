-- rule: I10b inputs
-- returns: enterprise_evaluation_days — one row per enterprise of marts/30_indicator_subjects.sql
--          that has a start of life (alive_from) and per day it received any evaluation (the
--          公共信用综合评价 included): its district, the days it is alive (P2), the evaluation day and
--          the enterprise's next evaluation day (next_eval_date, NULL for its latest). At a point T
--          exactly one row of an evaluated enterprise has eval_date <= T < next_eval_date: its latest
--          evaluation by T, so I10b counts enterprises with a filter over this table instead of
--          joining the evaluations (2 M rows at province scale) to the whole registry at every T.
-- parameters: none
-- source: docs/rules.md I10b, P2
CREATE OR REPLACE TABLE enterprise_evaluation_days AS
WITH evaluation_days AS (
    SELECT DISTINCT uscc, eval_date
    FROM evaluations
    WHERE uscc IS NOT NULL
      AND eval_date IS NOT NULL
)

SELECT
    s.district_code,
    s.alive_from,
    s.alive_until,
    d.eval_date,
    LEAD(d.eval_date) OVER (PARTITION BY d.uscc ORDER BY d.eval_date) AS next_eval_date
FROM evaluation_days AS d
INNER JOIN indicator_subjects AS s ON s.uscc = d.uscc
WHERE s.is_enterprise
  AND s.alive_from IS NOT NULL
