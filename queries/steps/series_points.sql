-- rule: none (shared step of the indicator rules: the points of a monthly series)
-- returns: series_points — one row per point of an indicator series: T ($as_of) itself and, when
--          $series_months > 0, every month-end of the reference calendar in the $series_months months
--          before it, i.e. in (T − $series_months months, T). A query file whose header says
--          `-- steps: series_points` reads it as a table of that name: the runner (dashboard.store.db
--          query_text) puts this file in front of it as a CTE, as dbt inlines an ephemeral model.
-- parameters: $as_of, $series_months
-- source: docs/rules.md §4 ("computed at T over the stated window, with a monthly series for trends");
--         marts/10_calendar_months.sql
SELECT CAST($as_of AS DATE) AS as_of_date
UNION
SELECT month_end_date AS as_of_date
FROM calendar_months
WHERE month_end_date < CAST($as_of AS DATE)
  AND month_end_date > CAST(CAST($as_of AS DATE) - $series_months * INTERVAL 1 MONTH AS DATE)
