-- revert_run: the journal played backwards (UPDATE, INSERT, DELETE), newest step first, guarded;
-- freeze runs are one at a time; require_frozen stops a plan while the importer is live.
BEGIN;
SELECT plan(13);

CREATE TABLE pg_temp.thing (id integer PRIMARY KEY, label text, seen timestamptz);
INSERT INTO pg_temp.thing VALUES (1, 'one', '2026-01-01 10:00+00'), (2, 'two', NULL), (3, 'three', NULL);
CREATE TEMP TABLE before AS SELECT * FROM pg_temp.thing;

-- A run with two steps touching row 1, an INSERT and a DELETE.
SELECT misswitch.run_begin('hash-revert') AS run \gset
WITH changed AS (UPDATE pg_temp.thing t SET label = 'uno' WHERE id = 1 RETURNING t.*)
INSERT INTO misswitch.journal (run_id, step, operation, table_name, row_key, old_row, new_row)
SELECT misswitch.current_run(), 'a', 'UPDATE', 'pg_temp.thing', jsonb_build_object('id', c.id), to_jsonb(o), to_jsonb(c)
  FROM changed c JOIN pg_temp.thing o USING (id);
WITH changed AS (UPDATE pg_temp.thing t SET label = 'eins', seen = now() WHERE id = 1 RETURNING t.*)
INSERT INTO misswitch.journal (run_id, step, operation, table_name, row_key, old_row, new_row)
SELECT misswitch.current_run(), 'b', 'UPDATE', 'pg_temp.thing', jsonb_build_object('id', c.id), to_jsonb(o), to_jsonb(c)
  FROM changed c JOIN pg_temp.thing o USING (id);
WITH added AS (INSERT INTO pg_temp.thing VALUES (4, 'four', NULL) RETURNING *)
INSERT INTO misswitch.journal (run_id, step, operation, table_name, row_key, old_row, new_row)
SELECT misswitch.current_run(), 'b', 'INSERT', 'pg_temp.thing', jsonb_build_object('id', a.id), NULL, to_jsonb(a) FROM added a;
WITH removed AS (DELETE FROM pg_temp.thing WHERE id = 3 RETURNING *)
INSERT INTO misswitch.journal (run_id, step, operation, table_name, row_key, old_row, new_row)
SELECT misswitch.current_run(), 'b', 'DELETE', 'pg_temp.thing', jsonb_build_object('id', r.id), to_jsonb(r), NULL FROM removed r;
UPDATE misswitch.run SET status = 'applied' WHERE run_id = :run;

SELECT throws_ok(format('SELECT * FROM misswitch.revert_run(%s)', :run + 1000), 'MSREF', NULL,
                 'an unknown run cannot be reverted');

-- A row changed since the run is a conflict, and nothing is reverted.
UPDATE pg_temp.thing SET label = 'someone else' WHERE id = 2;
SAVEPOINT s;
UPDATE pg_temp.thing SET label = 'edited' WHERE id = 4;
SELECT throws_ok(format('SELECT * FROM misswitch.revert_run(%s)', :run), 'MSCNF', NULL,
                 'a row changed since the run is a conflict');
ROLLBACK TO SAVEPOINT s;
SAVEPOINT s2;
INSERT INTO pg_temp.thing VALUES (3, 'back already', NULL);
SELECT throws_ok(format('SELECT * FROM misswitch.revert_run(%s)', :run), 'MSCNF', NULL,
                 'a deleted row that came back is a conflict');
ROLLBACK TO SAVEPOINT s2;
UPDATE pg_temp.thing SET label = 'two' WHERE id = 2;

SELECT results_eq(format('SELECT step, operation, rows FROM misswitch.revert_run(%s) ORDER BY step DESC, operation', :run),
                  $$VALUES ('b', 'DELETE', 1::bigint), ('b', 'INSERT', 1::bigint), ('b', 'UPDATE', 1::bigint), ('a', 'UPDATE', 1::bigint)$$,
                  'every journaled change is played backwards');
SELECT results_eq('SELECT * FROM pg_temp.thing ORDER BY id', 'SELECT * FROM before ORDER BY id',
                  'the table is exactly as it was');
SELECT is((SELECT status FROM misswitch.run WHERE run_id = :run), 'reverted', 'the run is marked reverted');
SELECT throws_ok(format('SELECT * FROM misswitch.revert_run(%s)', :run), 'MSREF', NULL,
                 'a reverted run cannot be reverted again');
SELECT lives_ok($$SELECT misswitch.run_begin('hash-revert')$$, 'a reverted plan may be applied again');

-- Freeze runs.
SELECT is(misswitch.active_freeze(), NULL, 'nothing frozen yet');
SELECT ok(misswitch.freeze_begin() > 0, 'freeze_begin starts a freeze run');
SELECT misswitch.freeze_finish() AS freeze_run \gset
SELECT is(misswitch.active_freeze(), :freeze_run::bigint, 'freeze_finish makes it the active freeze');
SELECT throws_ok('SELECT misswitch.freeze_begin()', 'MSREF', NULL, 'one freeze at a time');
SELECT throws_ok('SELECT misswitch.require_frozen(2)', 'MSREF',
                 'the platform''s importer is not frozen (2 schedule(s) still active)',
                 'a plan stops while the importer is live');

SELECT * FROM finish();
ROLLBACK;
