-- 0017: matching speed, same decisions. The parents pass compares hundreds of thousands of
-- pairs (362 k at 100 k pupils) but they fall into a few dozen combinations of agreement
-- levels: each pair now keeps its combination as a short text key (compared_pair) and each
-- combination is turned into jsonb, counted and scored once (level_pattern), instead of
-- building, hashing and sorting a jsonb per pair.

-- The pairs a pass compared, each with its combination of levels as text: the levels of the
-- pass's fields in their order, '|' between them, '' for a field either side lacks
-- ('exact|similar||different|district|exact'). UNLOGGED scratch like comparison: refilled on
-- every match.
CREATE UNLOGGED TABLE misswitch_work.compared_pair (
    pass       text   NOT NULL,
    account_id text   NOT NULL,
    load_id    bigint NOT NULL,
    mis_id     text   NOT NULL,
    pattern    text   NOT NULL
);

-- Every combination of levels a pass's compared pairs show: the levels as comparison stores
-- them ({"forename": "exact", ...}, a missing field absent) and the number of pairs.
CREATE UNLOGGED TABLE misswitch_work.level_pattern (
    pass    text   NOT NULL,
    pattern text   NOT NULL,
    levels  jsonb  NOT NULL,
    pairs   bigint NOT NULL CHECK (pairs > 0),
    PRIMARY KEY (pass, pattern)
);

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON misswitch_work.compared_pair, misswitch_work.level_pattern
   TO misswitch_rules;

-- As 0009's, and the two tables above.
CREATE OR REPLACE FUNCTION misswitch_work.analyze_work(VARIADIC tables text[] DEFAULT '{}') RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog
AS $$
DECLARE
    known CONSTANT text[] := ARRAY['name_form', 'account_person', 'record_person', 'comparison',
                                   'candidate', 'decision', 'duplicate', 'compared_pair', 'level_pattern'];
    t text;
BEGIN
    FOREACH t IN ARRAY CASE WHEN cardinality(tables) = 0 THEN known ELSE tables END LOOP
        IF NOT t = ANY (known) THEN
            RAISE EXCEPTION 'analyze_work: % is not a work table it refreshes', t
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE format('ANALYZE misswitch_work.%I', t);
    END LOOP;
END
$$;

-- As 0016's score_candidates, for a pass whose pairs are in compared_pair: each combination of
-- levels (level_pattern) is scored once, the best combination per account and record chosen on
-- narrow rows (keys, pattern, score), and only then are the per-field weights (fields) joined
-- on. Same candidates, scores, fields and different_fields as score_candidates would give for
-- the same pairs stored in comparison.
CREATE FUNCTION misswitch_work.score_patterns(pass_name text) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM misswitch_work.candidate WHERE pass = pass_name;
    WITH scored AS MATERIALIZED (
        SELECT p.pattern, coalesce(pg_catalog.sum(w.weight), 0) AS score,
               coalesce(pg_catalog.jsonb_object_agg(f.key, pg_catalog.jsonb_build_object(
                   'level', f.value #>> '{}', 'weight', pg_catalog.round(w.weight::numeric, 2)))
                   FILTER (WHERE f.key IS NOT NULL), '{}') AS fields,
               coalesce(pg_catalog.array_agg(f.key ORDER BY f.key) FILTER (WHERE f.value #>> '{}' = 'different'),
                        '{}') AS different_fields
          FROM misswitch_work.level_pattern p
          LEFT JOIN LATERAL pg_catalog.jsonb_each(p.levels) AS f ON true
          LEFT JOIN misswitch_work.field_weight w
            ON w.pass = pass_name AND w.field = f.key AND w.level = f.value #>> '{}'
         WHERE p.pass = pass_name
         GROUP BY p.pattern
    ), best AS (
        SELECT DISTINCT ON (c.account_id, c.load_id, c.mis_id) c.account_id, c.load_id, c.mis_id, c.pattern, s.score
          FROM misswitch_work.compared_pair c
          JOIN scored s ON s.pattern = c.pattern
         WHERE c.pass = pass_name
         ORDER BY c.account_id, c.load_id, c.mis_id, s.score DESC
    )
    INSERT INTO misswitch_work.candidate (pass, account_id, load_id, mis_id, score, fields, different_fields)
    SELECT pass_name, b.account_id, b.load_id, b.mis_id, b.score, s.fields, s.different_fields
      FROM best b
      JOIN scored s ON s.pattern = b.pattern;
$$;
GRANT EXECUTE ON FUNCTION misswitch_work.score_patterns(text) TO misswitch_rules;

-- No plan reads statistics of a candidate's per-field weights (explain looks candidates up by
-- account), and the wide jsonb was most of what each ANALYZE of candidate cost (0.8 of 1.0 s
-- at 100 k pupils, three times a match): a statistics target of 0 leaves the column out.
ALTER TABLE misswitch_work.candidate ALTER COLUMN fields SET STATISTICS 0;
