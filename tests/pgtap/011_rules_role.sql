-- The rules-as-role boundary: rule SQL runs through misswitch_work.run_rules as the NOLOGIN role
-- misswitch_rules, which reads staging, writes misswitch_work and cannot touch the platform.
BEGIN;
SELECT plan(11);

SELECT ok(NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = 'misswitch_rules'), 'misswitch_rules cannot log in');
SELECT ok((SELECT prosecdef FROM pg_proc WHERE oid = 'misswitch_work.run_rules(text)'::regprocedure),
          'run_rules is SECURITY DEFINER');
SELECT is((SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE oid = 'misswitch_work.run_rules(text)'::regprocedure),
          'misswitch_rules', 'run_rules is owned by misswitch_rules');

INSERT INTO platform.school (school_id, name, lea_code, dfe_number) VALUES (1, 'Test', '801', '2001');
INSERT INTO platform.users (user_id, school_id, user_type, username, password_hash)
VALUES (1, 1, 'pupil', 'p1', 'x');

SELECT throws_ok($$SELECT misswitch_work.run_rules('UPDATE platform.users SET username = ''hijacked''')$$,
                 '42501', NULL, 'a rule that updates a platform table is refused: permission denied');
SELECT throws_ok($$SELECT misswitch_work.run_rules('RESET ROLE; UPDATE platform.users SET username = ''x''')$$,
                 NULL, 'a rule cannot leave the role with RESET ROLE');
SELECT throws_ok($$SELECT misswitch_work.run_rules('CREATE FUNCTION misswitch_work.trojan() RETURNS int LANGUAGE sql AS ''SELECT 1''')$$,
                 '42501', NULL, 'a rule cannot plant a function in the work schema');
SELECT lives_ok($$SELECT misswitch_work.run_rules('DELETE FROM misswitch_work.decision; SELECT count(*) FROM misswitch_staging.platform_account')$$,
                'a rule reads staging and writes the work schema');
SELECT is((SELECT username FROM platform.users WHERE user_id = 1), 'p1', 'the platform is unchanged');
SELECT throws_ok($$SELECT misswitch_work.run_rules('SELECT misswitch_work.analyze_work(''../platform.users'')')$$,
                 '22023', NULL, 'analyze_work refreshes only the work tables it lists');
SELECT lives_ok($$SELECT misswitch_work.run_rules('SELECT misswitch_work.analyze_work(''decision'', ''candidate'')')$$,
                'the rules refresh the statistics of the work tables they fill');
SELECT is((SELECT array_agg(c ORDER BY c) FROM pg_proc p, unnest(p.proconfig) c
            WHERE p.oid = 'misswitch_work.run_rules(text)'::regprocedure),
          ARRAY['enable_nestloop=off', 'jit=off', 'search_path=pg_catalog', 'work_mem=128MB'],
          'rule SQL runs with nested loops and JIT off (bulk joins over work tables filled in the same transaction)');

SELECT * FROM finish();
ROLLBACK;
