-- rule: docs/data-contract.md "Reject or flag" (data-quality page: rows per entity, once per load)
-- returns: entity_row_counts — one row per contract entity: current rows, current rows carrying a
--          quality flag, versions ended as replaced or retired, and when the entity last received
--          rows (staging metadata). Sixteen rows, read with the quarantine of each entity's latest
--          load by queries/quality/quality_rows_per_entity.sql.
-- parameters: none
-- source: docs/data-contract.md (entities, quality flags); dashboard/store/schema.py (staging metadata)
CREATE OR REPLACE TABLE entity_row_counts AS
SELECT
    'subjects' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_subjects
UNION ALL
SELECT
    'penalties' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_penalties
UNION ALL
SELECT
    'licenses' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_licenses
UNION ALL
SELECT
    'abnormal_operations' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_abnormal_operations
UNION ALL
SELECT
    'executees' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_executees
UNION ALL
SELECT
    'serious_dishonest' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_serious_dishonest
UNION ALL
SELECT
    'tax_credit' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_tax_credit
UNION ALL
SELECT
    'evaluations' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_evaluations
UNION ALL
SELECT
    'repairs' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_repairs
UNION ALL
SELECT
    'objections' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_objections
UNION ALL
SELECT
    'commitments' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_commitments
UNION ALL
SELECT
    'loans' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_loans
UNION ALL
SELECT
    'campaign_lists' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_campaign_lists
UNION ALL
SELECT
    'disclosure_ledger' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_disclosure_ledger
UNION ALL
SELECT
    'collections' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_collections
UNION ALL
SELECT
    'city_scores' AS entity,
    CAST(SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS BIGINT) AS n_current,
    CAST(SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS BIGINT) AS n_flagged,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS BIGINT) AS n_replaced,
    CAST(SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS BIGINT) AS n_retired,
    MAX(_loaded_at) AS last_loaded_at
FROM stg_city_scores
