-- rule: docs/data-contract.md "Reject or flag" (data-quality page: rows per entity)
-- returns: one row per contract entity: current rows, current rows carrying a quality flag,
--          versions ended as replaced or retired, rows quarantined by the entity's latest load,
--          and when the entity last received rows
-- parameters: none
-- source: docs/data-contract.md (entities, quality flags, quarantine); dashboard/store/schema.py (staging metadata);
--         the latest load per entity: marts/10_latest_entity_loads.sql
WITH staged AS (
    SELECT
        'subjects' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_subjects
    UNION ALL
    SELECT
        'penalties' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_penalties
    UNION ALL
    SELECT
        'licenses' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_licenses
    UNION ALL
    SELECT
        'abnormal_operations' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_abnormal_operations
    UNION ALL
    SELECT
        'executees' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_executees
    UNION ALL
    SELECT
        'serious_dishonest' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_serious_dishonest
    UNION ALL
    SELECT
        'tax_credit' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_tax_credit
    UNION ALL
    SELECT
        'evaluations' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_evaluations
    UNION ALL
    SELECT
        'repairs' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_repairs
    UNION ALL
    SELECT
        'objections' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_objections
    UNION ALL
    SELECT
        'commitments' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_commitments
    UNION ALL
    SELECT
        'loans' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_loans
    UNION ALL
    SELECT
        'campaign_lists' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_campaign_lists
    UNION ALL
    SELECT
        'disclosure_ledger' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_disclosure_ledger
    UNION ALL
    SELECT
        'collections' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_collections
    UNION ALL
    SELECT
        'city_scores' AS entity,
        SUM(CASE WHEN _is_current THEN 1 ELSE 0 END) AS n_current,
        SUM(CASE WHEN _is_current AND _flags <> '' THEN 1 ELSE 0 END) AS n_flagged,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'replaced' THEN 1 ELSE 0 END) AS n_replaced,
        SUM(CASE WHEN NOT _is_current AND _end_reason = 'retired' THEN 1 ELSE 0 END) AS n_retired,
        MAX(_loaded_at) AS last_loaded_at
    FROM stg_city_scores
),

quarantined AS (
    SELECT
        q.entity,
        COUNT(DISTINCT q.row_no) AS n_quarantined
    FROM quarantine AS q
    INNER JOIN latest_entity_loads AS l ON l.entity = q.entity AND l.run_id = q.run_id
    GROUP BY q.entity
)

SELECT
    s.entity,
    COALESCE(s.n_current, 0) AS n_current,
    COALESCE(s.n_flagged, 0) AS n_flagged,
    COALESCE(s.n_replaced, 0) AS n_replaced,
    COALESCE(s.n_retired, 0) AS n_retired,
    COALESCE(q.n_quarantined, 0) AS n_quarantined,
    s.last_loaded_at
FROM staged AS s
LEFT JOIN quarantined AS q ON q.entity = s.entity
