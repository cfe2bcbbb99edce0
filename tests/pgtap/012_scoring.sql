-- Weights, scores, assignment and tie-breaking of scored matching (migration 0008 functions).
BEGIN;
SELECT plan(12);

INSERT INTO misswitch_staging.extract_load (load_id, role, format, school_key, mis_source, source_file)
VALUES (1, 'new', 'native', '801/2001', 'Arbor', 'test.xml');

-- Weights: 4 anchors all agree on forename; 4 random pairs, 1 agrees. Laplace smoothing over
-- the two levels: m(exact) = 5/6, u(exact) = 2/6.
INSERT INTO misswitch_work.comparison (pass, sample, account_id, load_id, mis_id, levels)
SELECT 't', 'anchor', 'a' || g, 1, 'r' || g, '{"forename": "exact"}' FROM generate_series(1, 4) g
UNION ALL
SELECT 't', 'random', 'a' || g, 1, 'x' || g, CASE WHEN g = 1 THEN '{"forename": "exact"}'::jsonb
                                                    ELSE '{"forename": "different"}' END
  FROM generate_series(1, 4) g;
SELECT misswitch_work.estimate_weights('t', 3, '{}', 'test anchors');
SELECT is((SELECT round(m::numeric, 4) FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'),
          round(5 / 6.0, 4), 'm is the smoothed share of anchors at the level');
SELECT is((SELECT round(u::numeric, 4) FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'),
          round(2 / 6.0, 4), 'u is the smoothed share of random pairs at the level');
SELECT is((SELECT round(weight::numeric, 4) FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'),
          round(log(2, 2.5), 4), 'weight = log2(m/u)');
SELECT is((SELECT m_source FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'), 'test anchors',
          'where m came from is recorded');
-- A sample row may stand for several pairs (parents' samples are stored once per combination):
-- the same anchors as one row of 4 pairs give the same m.
DELETE FROM misswitch_work.comparison WHERE sample = 'anchor';
INSERT INTO misswitch_work.comparison (pass, sample, levels, pairs) VALUES ('t', 'anchor', '{"forename": "exact"}', 4);
SELECT misswitch_work.estimate_weights('t', 3, '{}', 'test anchors');
SELECT is((SELECT round(m::numeric, 4) FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'),
          round(5 / 6.0, 4), 'a sample row counts as many pairs as it stands for');
SELECT misswitch_work.estimate_weights('t', 100, '{"forename": {"exact": 0.9, "different": 0.1}}', 'x');
SELECT is((SELECT m FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'), 0.9::double precision,
          'too few anchors: m is the prior');

-- Scores and assignment. Fixed weights: exact +10, different -5; auto-accept at 15, margin 12.
DELETE FROM misswitch_work.comparison;
DELETE FROM misswitch_work.field_weight;
INSERT INTO misswitch_work.field_weight (pass, field, level, m, u, weight, m_pairs, u_pairs, m_source) VALUES
    ('t', 'forename', 'exact', 1, 1, 10, 0, 0, 'test'), ('t', 'forename', 'different', 1, 1, -5, 0, 0, 'test'),
    ('t', 'surname', 'exact', 1, 1, 10, 0, 0, 'test'), ('t', 'surname', 'different', 1, 1, -5, 0, 0, 'test'),
    ('t', 'dob', 'exact', 1, 1, 10, 0, 0, 'test');
INSERT INTO misswitch_work.comparison (pass, sample, account_id, load_id, mis_id, levels) VALUES
    -- clear winner: 20 against 5 (leads by 15)
    ('t', 'candidate', 'win', 1, 'r1', '{"forename": "exact", "surname": "exact"}'),
    ('t', 'candidate', 'win', 1, 'r2', '{"forename": "different", "surname": "exact"}'),
    -- a tie: two records score the same for one account
    ('t', 'candidate', 'tie', 1, 'r3', '{"forename": "exact", "surname": "exact"}'),
    ('t', 'candidate', 'tie', 1, 'r4', '{"forename": "exact", "surname": "exact"}'),
    -- two accounts want one record: 20 and 10, closer than the margin
    ('t', 'candidate', 'one', 1, 'r5', '{"forename": "exact", "surname": "exact"}'),
    ('t', 'candidate', 'two', 1, 'r5', '{"forename": "exact"}'),
    -- a required field disagrees
    ('t', 'candidate', 'req', 1, 'r6', '{"forename": "different", "surname": "exact", "dob": "exact"}'),
    -- below review
    ('t', 'candidate', 'low', 1, 'r7', '{"forename": "different", "surname": "different"}');
SELECT misswitch_work.score_candidates('t');
SELECT is((SELECT score FROM misswitch_work.candidate WHERE account_id = 'win' AND mis_id = 'r1'), 20::double precision,
          'a score is the sum of its field weights');
INSERT INTO misswitch_staging.platform_account (account_id, account_type)
SELECT x, 'pupil' FROM unnest(ARRAY['win', 'tie', 'one', 'two', 'req', 'low']) x;
SELECT misswitch_work.assign_candidates('t', 'pupil', 15, 0, 12, ARRAY['forename']);
SELECT results_eq($$SELECT tier, new_mis_id, runner_up_mis_id FROM misswitch_work.decision WHERE account_id = 'win'$$,
                  $$VALUES ('likely', 'r1', 'r2')$$, 'a clear winner is likely, its runner-up recorded');
SELECT results_eq($$SELECT tier, new_mis_id FROM misswitch_work.decision WHERE account_id = 'tie'$$,
                  $$VALUES ('possible', 'r3')$$, 'a tie goes to review, deterministically (lowest ID shown)');
SELECT results_eq($$SELECT account_id, tier FROM misswitch_work.decision WHERE account_id IN ('one', 'two') ORDER BY 1$$,
                  $$VALUES ('one', 'possible'), ('two', 'possible')$$,
                  'two accounts within the margin for one record both go to review');
SELECT matches((SELECT reason FROM misswitch_work.decision WHERE account_id = 'req'), 'forename disagree',
               'a required field that disagrees sends a high score to review, saying why');
SELECT is((SELECT count(*)::int FROM misswitch_work.decision WHERE account_id = 'low'), 0,
          'below the review threshold the account is left undecided');

SELECT * FROM finish();
ROLLBACK;
