-- rule: none (which month-ends the load computed the indicators of docs/rules.md §4 for)
-- returns: one row per month-end whose indicator rows the load computed in advance, with the key of
--          the settings they were computed with (dashboard.rules.indicators.settings_key)
-- parameters: none
-- source: docs/rules.md §4; settings [warehouse] warning_months
SELECT as_of_date, settings_key
FROM indicators_precomputed_dates
