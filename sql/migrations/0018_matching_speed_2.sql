-- 0018: matching speed, second round, same decisions.

-- As 0017's score_patterns, for a pass whose compared pairs are already one per account and
-- record: no DISTINCT ON. The parents' pairs are (they are grouped by account, MIS source and
-- MIS ID, and a load has one source), so the sort score_patterns takes to choose among a pair's
-- comparisons (362 k pairs at 100 k pupils, ~0.45 s) chose nothing for them. Same candidates,
-- scores, fields and different_fields as score_patterns for such pairs, in another physical
-- order (assign_candidates orders every candidate it reads). A pass that can compare one
-- account and record twice (name variants) must use score_patterns.
CREATE FUNCTION misswitch_work.score_distinct_pairs(pass_name text) RETURNS void
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
    )
    INSERT INTO misswitch_work.candidate (pass, account_id, load_id, mis_id, score, fields, different_fields)
    SELECT pass_name, c.account_id, c.load_id, c.mis_id, s.score, s.fields, s.different_fields
      FROM misswitch_work.compared_pair c
      JOIN scored s ON s.pattern = c.pattern
     WHERE c.pass = pass_name;
$$;
GRANT EXECUTE ON FUNCTION misswitch_work.score_distinct_pairs(text) TO misswitch_rules;
