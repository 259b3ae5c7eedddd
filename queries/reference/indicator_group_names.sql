-- rule: none (reference lookup for indicator breakdowns)
-- returns: one row per department and per district of the reference data: group_kind
--          ('department' | 'district'), group_code, group_name (the department's short name, the
--          district's name)
-- parameters: none
-- source: dashboard/reference/departments.csv, districts.csv (P5)
SELECT 'department' AS group_kind, department_code AS group_code, short_name AS group_name
FROM ref_departments
UNION ALL
SELECT 'district' AS group_kind, district_code AS group_code, name AS group_name
FROM ref_districts
