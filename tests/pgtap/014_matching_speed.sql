-- Migration 0017: pairs kept with their combination of levels as a text key (compared_pair),
-- each combination scored once (level_pattern, score_patterns). Scoring the same pairs either
-- way gives the same candidates, scores, fields and different fields.
BEGIN;
SELECT plan(7);

INSERT INTO misswitch_work.field_weight (pass, field, level, m, u, weight, m_pairs, u_pairs, m_source) VALUES
    ('t', 'forename', 'exact', 1, 1, 10, 0, 0, 'test'), ('t', 'forename', 'different', 1, 1, -5, 0, 0, 'test'),
    ('t', 'surname', 'exact', 1, 1, 7.5, 0, 0, 'test'), ('t', 'surname', 'similar', 1, 1, 2.25, 0, 0, 'test'),
    ('t', 'email', 'exact', 1, 1, 6, 0, 0, 'test');
-- key: forename|surname|email, '' for a field one side lacks
INSERT INTO misswitch_work.compared_pair (pass, account_id, load_id, mis_id, pattern) VALUES
    ('t', 'a1', 1, 'r1', 'exact|exact|exact'),
    ('t', 'a1', 1, 'r2', 'different|exact|'),
    ('t', 'a2', 1, 'r2', 'exact|similar|'),
    ('t', 'a2', 1, 'r3', '||'),
    -- two comparisons of one account and record (two name variants): the better one counts
    ('t', 'a3', 1, 'r4', 'different|similar|exact'),
    ('t', 'a3', 1, 'r4', 'exact|similar|exact');
INSERT INTO misswitch_work.level_pattern (pass, pattern, levels, pairs)
SELECT 't', c.pattern,
       jsonb_strip_nulls(jsonb_build_object('forename', NULLIF(split_part(c.pattern, '|', 1), ''),
                                            'surname', NULLIF(split_part(c.pattern, '|', 2), ''),
                                            'email', NULLIF(split_part(c.pattern, '|', 3), ''))),
       count(*)
  FROM misswitch_work.compared_pair c GROUP BY c.pattern;
SELECT is((SELECT levels FROM misswitch_work.level_pattern WHERE pattern = 'different|exact|'),
          '{"forename": "different", "surname": "exact"}'::jsonb,
          'a field one side lacks is absent from the levels, as in comparison');

-- The same pairs in comparison, scored by score_candidates as pass 'c'.
INSERT INTO misswitch_work.field_weight (pass, field, level, m, u, weight, m_pairs, u_pairs, m_source)
SELECT 'c', field, level, m, u, weight, m_pairs, u_pairs, m_source FROM misswitch_work.field_weight WHERE pass = 't';
INSERT INTO misswitch_work.comparison (pass, sample, account_id, load_id, mis_id, levels)
SELECT 'c', 'candidate', c.account_id, c.load_id, c.mis_id, p.levels
  FROM misswitch_work.compared_pair c JOIN misswitch_work.level_pattern p USING (pass, pattern);
SELECT misswitch_work.score_candidates('c');
SELECT misswitch_work.score_patterns('t');

SELECT results_eq($$SELECT account_id, load_id, mis_id, score, fields, different_fields
                      FROM misswitch_work.candidate WHERE pass = 't' ORDER BY 1, 2, 3$$,
                  $$SELECT account_id, load_id, mis_id, score, fields, different_fields
                      FROM misswitch_work.candidate WHERE pass = 'c' ORDER BY 1, 2, 3$$,
                  'score_patterns gives the candidates score_candidates gives for the same pairs');
SELECT is((SELECT score FROM misswitch_work.candidate WHERE pass = 't' AND account_id = 'a1' AND mis_id = 'r1'),
          23.5::double precision, 'a score is the sum of its fields'' weights');
SELECT is((SELECT score FROM misswitch_work.candidate WHERE pass = 't' AND account_id = 'a2' AND mis_id = 'r3'),
          0::double precision, 'a pair with no field compared scores 0');
SELECT is((SELECT count(*) FROM misswitch_work.candidate WHERE pass = 't' AND account_id = 'a3'), 1::bigint,
          'one candidate per account and record');
SELECT is((SELECT score FROM misswitch_work.candidate WHERE pass = 't' AND account_id = 'a3'), 18.25::double precision,
          'the better of two comparisons of one account and record is kept');

SELECT lives_ok($$SELECT misswitch_work.analyze_work('compared_pair', 'level_pattern')$$,
                'analyze_work refreshes the statistics of the new scratch tables');

SELECT * FROM finish();
ROLLBACK;
