-- rule: docs/data-contract.md (records referring to subjects; data-quality page: orphans, once per load)
-- returns: orphan_record_counts — one row per entity that carries a USCC and has records with one:
--          entity, n_records (current records with a USCC), n_orphans (those whose USCC is not in the
--          registry, subjects) and n_orphan_usccs (the distinct USCCs concerned). At most twelve rows, read by
--          queries/quality/quality_orphan_records.sql. One pass: the records of every entity in one
--          union, joined once to the registry's codes as indicator_subjects holds them (one row per
--          USCC, no DISTINCT over the registry); measured cheaper than one join per entity.
-- parameters: none
-- source: docs/data-contract.md ("a row referring to … the reference data does not know is accepted and shown");
--         marts/30_indicator_subjects.sql
CREATE OR REPLACE TABLE orphan_record_counts AS
WITH registry AS (
    -- the registry's codes, one row each (a USCC on several names is one row there)
    SELECT uscc AS registry_uscc FROM indicator_subjects
),

records AS (
    SELECT 'penalties' AS entity, x.uscc FROM penalties AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'licenses' AS entity, x.uscc FROM licenses AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'abnormal_operations' AS entity, x.uscc FROM abnormal_operations AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'executees' AS entity, x.uscc FROM executees AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'serious_dishonest' AS entity, x.uscc FROM serious_dishonest AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'tax_credit' AS entity, x.uscc FROM tax_credit AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'evaluations' AS entity, x.uscc FROM evaluations AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'repairs' AS entity, x.uscc FROM repairs AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'objections' AS entity, x.uscc FROM objections AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'commitments' AS entity, x.uscc FROM commitments AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'loans' AS entity, x.uscc FROM loans AS x WHERE x.uscc IS NOT NULL
    UNION ALL
    SELECT 'campaign_lists' AS entity, x.uscc FROM campaign_lists AS x WHERE x.uscc IS NOT NULL
)

SELECT
    r.entity,
    COUNT(*) AS n_records,
    CAST(SUM(CASE WHEN g.registry_uscc IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS n_orphans,
    COUNT(DISTINCT CASE WHEN g.registry_uscc IS NULL THEN r.uscc END) AS n_orphan_usccs
FROM records AS r
LEFT JOIN registry AS g ON g.registry_uscc = r.uscc
GROUP BY r.entity
