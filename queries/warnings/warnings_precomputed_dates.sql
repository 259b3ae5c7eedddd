-- rule: W1–W5 (which month-ends the load computed)
-- returns: one row per month-end whose warnings the load computed in advance, with the key of
--          the settings they were computed with (dashboard.credit_warnings.settings_key)
-- parameters: none
-- source: docs/rules.md W1–W5; settings [warehouse] warning_months
SELECT as_of_date, settings_key
FROM warnings_precomputed_dates
