-- The SQL the default rules generate (pgtap_fixture.rules_sql, from `match --show-sql`):
-- pupils by UPN and former UPN, one-to-one, shared keys to review, everyone else 'none'.
BEGIN;
SELECT plan(9);

INSERT INTO misswitch_staging.platform_load (source, profile) VALUES ('test', 'reference');
INSERT INTO misswitch_staging.platform_account (account_id, account_type, upn, mis_source, mis_id) VALUES
    ('1', 'pupil', 'B801200005001', 'SIMS', 'o1'),   -- same UPN
    ('2', 'pupil', 'H801200001001', 'SIMS', 'o2'),   -- temporary UPN now a former UPN
    ('3', 'pupil', 'R674123101121', 'SIMS', 'o3'),   -- shared with account 4: review
    ('4', 'pupil', 'R674123101121', 'SIMS', 'o4'),
    ('5', 'pupil', 'A000000000000', 'SIMS', 'o5'),   -- a leaver
    ('6', 'staff', NULL, 'SIMS', 's1');
INSERT INTO misswitch_staging.extract_load (load_id, role, format, school_key, mis_source, source_file)
VALUES (1, 'new', 'native', '801/2001', 'Arbor', 'test.xml');
INSERT INTO misswitch_staging.extract_pupil (load_id, mis_id, upn, former_upns) VALUES
    (1, 'n1', 'B801200005001', '{}'),
    (1, 'n2', 'C801200001002', '{H801200001001}'),
    (1, 'n3', 'R674123101121', '{}');

DO $$
BEGIN
    EXECUTE (SELECT sql FROM pgtap_fixture.rules_sql);
END
$$;

SELECT results_eq($$SELECT tier, new_mis_id FROM misswitch_work.decision WHERE account_id = '1'$$,
                  $$VALUES ('exact', 'n1')$$, 'a shared UPN links exactly');
SELECT results_eq($$SELECT tier, new_mis_id FROM misswitch_work.decision WHERE account_id = '2'$$,
                  $$VALUES ('exact', 'n2')$$, 'a former UPN links exactly');
SELECT results_eq($$SELECT tier FROM misswitch_work.decision WHERE account_id IN ('3', '4')$$,
                  $$VALUES ('possible'), ('possible')$$, 'a UPN on two accounts goes to review');
SELECT matches((SELECT reason FROM misswitch_work.decision WHERE account_id = '3'),
               'shared with 1 other', 'with a reason a person can act on');
SELECT is((SELECT tier FROM misswitch_work.decision WHERE account_id = '5'), 'none', 'a leaver is none');
SELECT is((SELECT tier FROM misswitch_work.decision WHERE account_id = '6'), 'none',
          'staff are not matched by the pupil rules');
SELECT is((SELECT count(*)::int FROM misswitch_work.decision), 6, 'one decision per account');
SELECT is((SELECT count(*)::int FROM misswitch_work.match_run), 1, 'the match is recorded');
SELECT throws_ok($$INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, reason)
                   VALUES ('9', 'pupil', 'exact', 1, 'n1', 'test', 'x')$$, '23505', NULL,
                 'a new record links to one account at most');

SELECT * FROM finish();
ROLLBACK;
