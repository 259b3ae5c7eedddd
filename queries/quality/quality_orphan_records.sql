-- rule: docs/data-contract.md (records referring to subjects; data-quality page: orphans)
-- returns: one row per entity that carries a USCC and has records with one: records with a USCC,
--          those whose USCC is not in the registry (subjects), and the distinct USCCs concerned
-- parameters: none
-- source: docs/data-contract.md ("a row referring to … the reference data does not know is accepted and shown");
--         counted once per load: marts/50_quality_orphan_records.sql
SELECT
    entity,
    n_records,
    n_orphans,
    n_orphan_usccs
FROM orphan_record_counts
