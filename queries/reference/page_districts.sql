-- rule: P5 (Hegang region codes)
-- returns: one row per district / county of the city (and the city itself, kind 'city')
-- parameters: none
-- source: docs/rules.md P5; dashboard/reference/districts.csv
SELECT district_code, name, kind
FROM ref_districts
ORDER BY district_code
