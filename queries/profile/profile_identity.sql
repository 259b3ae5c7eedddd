-- rule: P1, P2 (subject profile: identity)
-- returns: one row per registry record carrying the USCC (several rows when the USCC is 重码, I03;
--          none when the USCC is not in the registry)
-- parameters: $uscc, $as_of
-- source: docs/rules.md P1 (GB 32100-2015 registering authority and kind), P2; docs/data-contract.md subjects
SELECT
    s.uscc,
    s.name,
    s.status,
    s.established_date,
    s.closed_on_date AS closed_date,
    s.established_date <= $as_of
    AND (s.closed_on_date IS NULL OR s.closed_on_date > $as_of) AS is_active,
    s.is_enterprise
    AND s.established_date <= $as_of
    AND (s.closed_on_date IS NULL OR s.closed_on_date > $as_of) AS is_surviving_enterprise,
    s.is_uscc_valid,
    s.uscc_kind,
    s.district_code,
    d.name AS district_name,
    s.industry_code,
    i.name AS industry_name,
    s.supervising_department_code,
    dep.short_name AS supervising_department_name,
    s.legal_rep
FROM subject_facts AS s
LEFT JOIN ref_districts AS d ON d.district_code = s.district_code
LEFT JOIN ref_industries AS i ON i.industry_code = s.industry_code
LEFT JOIN ref_departments AS dep ON dep.department_code = s.supervising_department_code
WHERE s.uscc = $uscc
ORDER BY s.name
