-- rule: I08a, I08b (detail)
-- returns: one row per commitment: for I08a those signed in the window ($window_months months up
--          to $as_of); for I08b the broken ones (未履约) due on or before $as_of. Columns:
--          commitment_id, uscc, subject_name (registry), kind, department_code, district_code,
--          signed_date, due_date, fulfilment.
-- parameters: $as_of, $window_months, $indicator_id ('I08a' | 'I08b'), $department_code (NULL = all),
--             $district_code (NULL = all)
-- source: docs/rules.md I08; 001 三(八)
WITH commitment_facts AS (
    SELECT
        c.commitment_id,
        c.uscc,
        s.subject_name,
        c.kind,
        dn.department_code,
        s.district_code,
        c.signed_date,
        c.due_date,
        c.fulfilment
    FROM commitments AS c
    LEFT JOIN ref_department_names AS dn ON dn.name = TRIM(c.department)
    LEFT JOIN indicator_subjects AS s ON s.uscc = c.uscc
)

SELECT *
FROM commitment_facts
WHERE ((CAST($indicator_id AS VARCHAR) = 'I08a'
        AND signed_date > CAST(CAST($as_of AS DATE) - $window_months * INTERVAL 1 MONTH AS DATE)
        AND signed_date <= CAST($as_of AS DATE))
       OR (CAST($indicator_id AS VARCHAR) = 'I08b'
           AND due_date <= CAST($as_of AS DATE)
           AND fulfilment = '未履约'))
  AND (CAST($department_code AS VARCHAR) IS NULL OR department_code = $department_code)
  AND (CAST($district_code AS VARCHAR) IS NULL OR district_code = $district_code)
ORDER BY department_code, signed_date, commitment_id
