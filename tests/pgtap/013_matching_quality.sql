-- Migration 0016: name slips, addresses made from names, pooled levels, different_fields and
-- assignment on them, size-aware thresholds in the default rules' SQL, and the parent-link
-- check accepting links to listed leavers.
BEGIN;
SELECT plan(28);

-- Name slips: one letter dropped, added or changed (not the first), or a short form that starts
-- the name; both at least three letters.
SELECT ok(misswitch_work.name_slip('lily', 'lly'), 'a dropped letter is a slip');
SELECT ok(misswitch_work.name_slip('noah', 'nooah'), 'a doubled letter is a slip');
SELECT ok(misswitch_work.name_slip('art', 'arthur'), 'a short form that starts the name');
SELECT ok(NOT misswitch_work.name_slip('ian', 'jan'), 'a different first letter is not a slip');
SELECT ok(NOT misswitch_work.name_slip('al', 'alan'), 'two letters are too few to tell');
SELECT ok(NOT misswitch_work.name_slip('mia', 'max'), 'two letters changed are not a slip');
SELECT is(misswitch_work.name_slip(NULL, 'max'), NULL, 'a missing name is unknown');

-- Addresses made from the name: the local part starts with the forename's first letter and
-- holds the surname.
SELECT ok(misswitch_work.email_from_name('zoe.obrien12@pupils.hilltop.example.org', 'zoe', 'obrien'),
          'forename.surname + number');
SELECT ok(misswitch_work.email_from_name('w.allen2@hilltop.example.org', 'william', 'allen'), 'initial.surname');
SELECT ok(misswitch_work.email_from_name('maria.dasilva@example.com', 'maria', 'da silva'),
          'a surname of two words, run together');
SELECT ok(NOT misswitch_work.email_from_name('dragonfly99@example.com', 'zoe', 'obrien'), 'a chosen address is not');
SELECT ok(NOT misswitch_work.email_from_name('obrien.zoe@example.com', 'zoe', 'obrien'),
          'not when it starts with another letter than the forename');

SELECT ok(misswitch_work.names_related('jake', 'jacob') AND misswitch_work.names_related('kasia', 'katarzyna'),
          'the nicknames 0016 adds');

-- Pooled levels: 'derived' is estimated as 'exact' (4 anchors: 2 exact, 2 derived; 4 random
-- pairs, 1 exact), then weighs 0 with the same m and u.
INSERT INTO misswitch_work.comparison (pass, sample, levels, pairs) VALUES
    ('t', 'anchor', '{"email": "exact"}', 2), ('t', 'anchor', '{"email": "derived"}', 2),
    ('t', 'random', '{"email": "exact"}', 1), ('t', 'random', '{"email": "different"}', 3);
SELECT misswitch_work.estimate_weights('t', 3, '{}', 'test anchors',
                                       '{"email": {"derived": {"as": "exact", "why": "from the names"}}}');
SELECT is((SELECT round(m::numeric, 4) FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'),
          round(5 / 6.0, 4), 'a pooled level counts as the level it stands for in m');
SELECT is((SELECT round(weight::numeric, 4) FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'),
          round(log(2, 2.5), 4), 'the level it stands for keeps its weight');
SELECT results_eq($$SELECT weight, m, u FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'derived'$$,
                  $$SELECT 0::double precision, m, u FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'exact'$$,
                  'the pooled level weighs 0, with the same m and u');
SELECT matches((SELECT m_source FROM misswitch_work.field_weight WHERE pass = 't' AND level = 'derived'),
               'm and u of exact: from the names', 'and says why (for explain)');

-- different_fields, and assignment on it: 'req' has a required field at 'different'.
DELETE FROM misswitch_work.comparison;
DELETE FROM misswitch_work.field_weight;
INSERT INTO misswitch_staging.extract_load (load_id, role, format, school_key, mis_source, source_file)
VALUES (1, 'new', 'native', '801/2001', 'Arbor', 'test.xml');
INSERT INTO misswitch_work.field_weight (pass, field, level, m, u, weight, m_pairs, u_pairs, m_source) VALUES
    ('t', 'forename', 'exact', 1, 1, 10, 0, 0, 'test'), ('t', 'forename', 'different', 1, 1, -5, 0, 0, 'test'),
    ('t', 'surname', 'exact', 1, 1, 10, 0, 0, 'test'), ('t', 'dob', 'exact', 1, 1, 10, 0, 0, 'test'),
    ('t', 'dob', 'different', 1, 1, -1, 0, 0, 'test');
INSERT INTO misswitch_work.comparison (pass, sample, account_id, load_id, mis_id, levels) VALUES
    ('t', 'candidate', 'ok', 1, 'r1', '{"forename": "exact", "surname": "exact", "dob": "exact"}'),
    ('t', 'candidate', 'req', 1, 'r2', '{"forename": "exact", "surname": "exact", "dob": "different"}'),
    ('t', 'candidate', 'both', 1, 'r3', '{"forename": "different", "surname": "exact", "dob": "different"}');
SELECT misswitch_work.score_candidates('t');
SELECT is((SELECT different_fields FROM misswitch_work.candidate WHERE account_id = 'both'), '{dob,forename}',
          'different_fields lists the fields at level different, sorted');
SELECT is((SELECT different_fields FROM misswitch_work.candidate WHERE account_id = 'ok'), '{}',
          'and is empty when nothing disagrees');
SELECT misswitch_work.assign_candidates('t', 'pupil', 15, 0, 5, ARRAY['dob', 'forename']);
SELECT results_eq($$SELECT account_id, tier FROM misswitch_work.decision ORDER BY 1$$,
                  $$VALUES ('both', 'possible'), ('ok', 'likely'), ('req', 'possible')$$,
                  'a required field that disagrees sends the candidate to review');
SELECT is((SELECT reason FROM misswitch_work.decision WHERE account_id = 'req'), 'dob disagree(s): check the record',
          'naming the field');
SELECT matches((SELECT reason FROM misswitch_work.decision WHERE account_id = 'both'), '^scored 4.0, below auto-accept',
               'a low score says so first');

-- The default rules' SQL (run.sh's fixture) on a trust of one pupil: a leaver and a joiner
-- who share a name and the address made from it, but not the date of birth, are not linked
-- (the 100 k pupils' wrong links); the pass records the thresholds it assigned with.
DELETE FROM misswitch_work.decision;
DELETE FROM misswitch_work.candidate;
INSERT INTO misswitch_staging.platform_load (source, profile) VALUES ('test', 'reference');
INSERT INTO misswitch_staging.platform_school (school_id, name, lea_code, dfe_number) VALUES ('s', 'School', '801', '2001');
INSERT INTO misswitch_staging.platform_account (account_id, account_type, forename, surname, dob, email, upn, mis_source, mis_id,
                                                school_id)
VALUES ('L', 'pupil', 'Zoe', 'O''Brien', '2014-03-02', 'zoe.obrien12@pupils.example.org', 'B801200005001', 'SIMS', 'o1', 's');
INSERT INTO misswitch_staging.extract_pupil (load_id, mis_id, upn, former_upns, legal_forename, legal_surname, dob, email)
VALUES (1, 'J', 'R674123101121', '{}', 'Zoe', 'O''Brien', '2016-11-20', 'zoe.obrien12@pupils.example.org');
DO $$
BEGIN
    EXECUTE (SELECT sql FROM pgtap_fixture.rules_sql);
END
$$;
SELECT is((SELECT tier FROM misswitch_work.decision WHERE account_id = 'L'), 'none',
          'same name and name-made address, another date of birth: not linked');
SELECT is((SELECT fields -> 'email' ->> 'level' FROM misswitch_work.candidate WHERE account_id = 'L'), 'derived',
          'the address agreeing is compared as made from the names');
SELECT results_eq($$SELECT open_accounts, open_records, size_bits, likely_at, possible_at
                      FROM misswitch_work.pass_threshold WHERE pass = 'pupil_scored'$$,
                  $$VALUES (1::bigint, 1::bigint, 1::double precision, 10::double precision, 1::double precision)$$,
                  'size-aware thresholds: likely and possible plus log2(max(open accounts, open records, 2))');

-- The parent-link check: a relinked parent's link to a child the run lists as a leaver passes.
CREATE TEMP VIEW misswitch_platform_parent_link AS
SELECT * FROM (VALUES ('P', 'C1'), ('P', 'C2')) AS l(parent_account, child_account);
SELECT ok(misswitch.run_begin('hash-0016') > 0, 'a run');
INSERT INTO misswitch.run_relink VALUES (misswitch.current_run(), 'P', 'parent', 'SIMS', 'op', 'Arbor', 'np');
INSERT INTO misswitch.run_relationship VALUES (misswitch.current_run(), 'P', 'C1');
SELECT is((SELECT ok FROM misswitch.check_parent_links(misswitch.current_run())), false,
          'a link the new extract does not back fails the check');
INSERT INTO misswitch.run_leaver VALUES (misswitch.current_run(), 'C2');
SELECT is((SELECT ok FROM misswitch.check_parent_links(misswitch.current_run())), true,
          'a link to a listed leaver passes');

SELECT * FROM finish();
ROLLBACK;
