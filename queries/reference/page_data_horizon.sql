-- rule: frame (default as-of month: the latest complete month)
-- returns: one row: the newest decision, evaluation or filing date in the current data
--          (NULL for an empty warehouse); the frame offers months up to the last one that ended
--          before it
-- parameters: none
-- source: issue "as-of month picker (default: the latest complete month)"
SELECT max(newest) AS newest_date
FROM (
    SELECT max(decision_date) AS newest FROM penalties
    UNION ALL
    SELECT max(decision_date) AS newest FROM licenses
    UNION ALL
    SELECT max(eval_date) AS newest FROM evaluations
    UNION ALL
    SELECT max(filed_date) AS newest FROM executees
) AS dates
