-- rule: none (the calendar spine of the monthly series and windows, docs/rules.md §4)
-- returns: calendar_months — one row per month of the reference calendar (ref_calendar,
--          dashboard.core.workdays; whole months): month_start_date, its first day, and
--          month_end_date, its last day (the month-end of a monthly series)
-- parameters: none
-- source: docs/rules.md §4 (indicators "with a monthly series for trends"; I02 months of a window);
--         read by queries/steps/series_points.sql and the I02 month grids
CREATE OR REPLACE TABLE calendar_months AS
SELECT
    CAST(DATE_TRUNC('month', day) AS DATE) AS month_start_date,
    day AS month_end_date
FROM ref_calendar
WHERE EXTRACT(DAY FROM CAST(day + INTERVAL 1 DAY AS DATE)) = 1
