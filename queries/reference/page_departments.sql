-- rule: reference (dashboard/reference/departments.csv; 001 (十) grading departments)
-- returns: one row per department: code, full and short name, whether it is one of the 22
--          grading departments of 001 (十), whether it is a 双公示 unit (I04)
-- parameters: none
-- source: docs/data-contract.md "Reference data shipped with the project"
SELECT department_code, full_name, short_name, grading_listed, disclosure_unit
FROM ref_departments
ORDER BY department_code
