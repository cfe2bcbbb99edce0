-- Runs, conflicts and conversion checks: the functions plan.sql calls, on a tiny platform.
BEGIN;
SELECT plan(14);

INSERT INTO platform.school (school_id, name, lea_code, dfe_number) VALUES (1, 'Test School', '801', '2001');
INSERT INTO platform.users (user_id, school_id, user_type, username, password_hash, mis_source, mis_id)
VALUES (1, 1, 'pupil', 'p1', 'x', 'SIMS', 'old-1'),
       (2, 1, 'pupil', 'p2', 'x', 'SIMS', 'old-2'),
       (3, 1, 'pupil', 'p3', 'x', 'SIMS', 'old-3');
-- The views plan.sql creates from the profile's read queries (here: the reference platform's).
CREATE TEMP VIEW misswitch_platform_account AS
SELECT u.user_id::text AS account_id, u.user_type AS account_type, u.username, u.mis_source, u.mis_id, u.disabled
  FROM platform.users u;
CREATE TEMP VIEW misswitch_platform_school AS
SELECT school_id::text AS school_id, lea_code, dfe_number FROM platform.school;
CREATE TEMP VIEW misswitch_platform_group AS
SELECT group_id::text AS group_id, mis_source, mis_id FROM platform.groups;
CREATE TEMP VIEW misswitch_platform_parent_link AS
SELECT parent_id::text AS parent_account, child_id::text AS child_account FROM platform.parent_child;
CREATE TEMP VIEW misswitch_platform_membership AS
SELECT group_id::text AS group_id, user_id::text AS account_id FROM platform.group_members;
CREATE TEMP VIEW misswitch_platform_content AS
SELECT owner_id::text AS account_id, kind, count(*) AS items FROM platform.content GROUP BY 1, 2;

SELECT throws_ok('SELECT misswitch.current_run()', 'P0001', NULL, 'no run outside run_begin');
SELECT ok(misswitch.run_begin('hash-a') > 0, 'run_begin starts a run');
SELECT is(misswitch.current_run(), (SELECT max(run_id) FROM misswitch.run), 'current_run is that run');

INSERT INTO misswitch.run_relink VALUES
    (misswitch.current_run(), '1', 'pupil', 'SIMS', 'old-1', 'Arbor', 'new-1'),
    (misswitch.current_run(), '2', 'pupil', 'SIMS', 'old-2', 'Arbor', 'new-2');

-- Before any change: relinked fails, unique passes.
SELECT is((SELECT ok FROM misswitch.check_relinked(misswitch.current_run())), false,
          'relinked fails while accounts lack their new IDs');
UPDATE platform.users SET mis_source = 'Arbor', mis_id = 'new-' || user_id WHERE user_id IN (1, 2);
SELECT is((SELECT ok FROM misswitch.check_relinked(misswitch.current_run())), true,
          'relinked passes once they carry them');
SELECT is((SELECT ok FROM misswitch.check_unique_mis_id(misswitch.current_run())), true,
          'unique_mis_id passes with one account per new ID');

-- A new ID on two accounts fails the check, and run_finish raises MSCHK.
UPDATE platform.users SET mis_source = 'Arbor', mis_id = 'new-1' WHERE user_id = 3;
SELECT is((SELECT ok FROM misswitch.check_unique_mis_id(misswitch.current_run())), false,
          'unique_mis_id fails when a new ID is on two accounts');
SELECT matches((SELECT detail FROM misswitch.check_unique_mis_id(misswitch.current_run())),
               'Arbor new-1 on 2 accounts', 'and names the ID');
SAVEPOINT before_finish;
SELECT throws_ok('SELECT misswitch.run_finish()', 'MSCHK', 'conversion checks failed; nothing was committed',
                 'run_finish raises MSCHK on a failed check');
ROLLBACK TO SAVEPOINT before_finish;
UPDATE platform.users SET mis_source = 'SIMS', mis_id = 'old-3' WHERE user_id = 3;
SELECT is(misswitch.run_finish(), misswitch.current_run(), 'run_finish passes with every check ok');
SELECT is((SELECT status FROM misswitch.run WHERE run_id = misswitch.current_run()), 'applied',
          'and marks the run applied');

-- A plan applies once.
SELECT throws_ok($$SELECT misswitch.run_begin('hash-a')$$, 'MSREF', NULL,
                 'run_begin refuses a plan already applied');

-- Conflicts stop a run unless misswitch.skip_conflicts is on.
SELECT misswitch.run_begin('hash-b');
INSERT INTO misswitch.run_conflict (run_id, step, item_id, expected, found)
VALUES (misswitch.current_run(), 'relink', '3', '{"mis_id": "gone"}', NULL);
SAVEPOINT before_conflicts;
SELECT throws_ok('SELECT misswitch.run_assert_no_conflicts()', 'MSCNF', NULL,
                 'a conflict stops the run');
ROLLBACK TO SAVEPOINT before_conflicts;
SET LOCAL misswitch.skip_conflicts = on;
SELECT is(misswitch.run_assert_no_conflicts(), 1::bigint, 'with skip_conflicts it is recorded as skipped');

SELECT * FROM finish();
ROLLBACK;
