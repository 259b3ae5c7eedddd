-- rule: none (the rule rows of the indicators of docs/rules.md §4, as the load computed them)
-- returns: the rule rows of every indicator at one month-end as the load computed them with the
--          rule queries indicator_*.sql (dashboard.rules.indicators.precompute), for one breakdown:
--          'city' (group_code NULL) or 'department' (group_code the department); the columns of
--          those queries (numerator and denominator as DOUBLE).
-- parameters: $as_of, $breakdown
-- source: docs/rules.md §4 (see the rule queries)
SELECT indicator_id, as_of_date, group_code, numerator, denominator, value
FROM indicators_precomputed
WHERE as_of_date = $as_of
  AND breakdown = $breakdown
