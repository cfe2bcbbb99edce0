-- Migration 0018: score_distinct_pairs, score_patterns without its DISTINCT ON, for pairs that
-- are one per account and record (the parents'). For such pairs it gives the same candidates,
-- scores, fields and different fields as score_patterns.
BEGIN;
SELECT plan(4);

INSERT INTO misswitch_work.field_weight (pass, field, level, m, u, weight, m_pairs, u_pairs, m_source) VALUES
    ('t', 'forename', 'exact', 1, 1, 10, 0, 0, 'test'), ('t', 'forename', 'different', 1, 1, -5, 0, 0, 'test'),
    ('t', 'surname', 'exact', 1, 1, 7.5, 0, 0, 'test'), ('t', 'surname', 'similar', 1, 1, 2.25, 0, 0, 'test'),
    ('t', 'email', 'exact', 1, 1, 6, 0, 0, 'test');
-- key: forename|surname|email, '' for a field one side lacks; one row per account and record
INSERT INTO misswitch_work.compared_pair (pass, account_id, load_id, mis_id, pattern) VALUES
    ('t', 'a1', 1, 'r1', 'exact|exact|exact'),
    ('t', 'a1', 1, 'r2', 'different|exact|'),
    ('t', 'a1', 2, 'r2', 'exact|exact|'),
    ('t', 'a2', 1, 'r2', 'exact|similar|'),
    ('t', 'a2', 1, 'r3', '||'),
    ('t', 'a3', 1, 'r4', 'different|similar|exact');
INSERT INTO misswitch_work.level_pattern (pass, pattern, levels, pairs)
SELECT 't', c.pattern,
       jsonb_strip_nulls(jsonb_build_object('forename', NULLIF(split_part(c.pattern, '|', 1), ''),
                                            'surname', NULLIF(split_part(c.pattern, '|', 2), ''),
                                            'email', NULLIF(split_part(c.pattern, '|', 3), ''))),
       count(*)
  FROM misswitch_work.compared_pair c GROUP BY c.pattern;
-- The same pairs as pass 'p', scored by score_patterns.
INSERT INTO misswitch_work.field_weight (pass, field, level, m, u, weight, m_pairs, u_pairs, m_source)
SELECT 'p', field, level, m, u, weight, m_pairs, u_pairs, m_source FROM misswitch_work.field_weight WHERE pass = 't';
INSERT INTO misswitch_work.compared_pair (pass, account_id, load_id, mis_id, pattern)
SELECT 'p', account_id, load_id, mis_id, pattern FROM misswitch_work.compared_pair WHERE pass = 't';
INSERT INTO misswitch_work.level_pattern (pass, pattern, levels, pairs)
SELECT 'p', pattern, levels, pairs FROM misswitch_work.level_pattern WHERE pass = 't';

SELECT misswitch_work.score_patterns('p');
SELECT misswitch_work.score_distinct_pairs('t');

SELECT results_eq($$SELECT account_id, load_id, mis_id, score, fields, different_fields
                      FROM misswitch_work.candidate WHERE pass = 't' ORDER BY 1, 2, 3$$,
                  $$SELECT account_id, load_id, mis_id, score, fields, different_fields
                      FROM misswitch_work.candidate WHERE pass = 'p' ORDER BY 1, 2, 3$$,
                  'score_distinct_pairs gives the candidates score_patterns gives for pairs one per account and record');
SELECT is((SELECT count(*) FROM misswitch_work.candidate WHERE pass = 't'), 6::bigint, 'one candidate per pair');
SELECT is((SELECT score FROM misswitch_work.candidate WHERE pass = 't' AND account_id = 'a1' AND load_id = 2),
          17.5::double precision, 'the same MIS ID in another load is another candidate');

-- A second run replaces the pass's candidates instead of adding to them.
SELECT misswitch_work.score_distinct_pairs('t');
SELECT is((SELECT count(*) FROM misswitch_work.candidate WHERE pass = 't'), 6::bigint,
          'scoring a pass again replaces its candidates');

SELECT * FROM finish();
ROLLBACK;
