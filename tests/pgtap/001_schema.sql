-- The tool's schemas, as init leaves them.
BEGIN;
SELECT plan(12);

SELECT has_schema('misswitch');
SELECT has_schema('misswitch_staging');
SELECT has_schema('misswitch_work');
SELECT has_table('misswitch', 'migration', 'migrations are recorded');
SELECT ok((SELECT count(*) FROM misswitch.migration) >= 5, 'every migration recorded');
SELECT ok((SELECT bool_and(length(checksum) = 64) FROM misswitch.migration), 'each with its SHA-256');
SELECT has_table('misswitch', 'journal', 'a journal of changed rows');
SELECT has_table('misswitch_work', 'decision', 'match decisions');
SELECT has_function('misswitch', 'run_begin', ARRAY['text']);
SELECT has_function('misswitch', 'checks', ARRAY['bigint']);
SELECT ok(EXISTS (SELECT 1 FROM misswitch.test_copy), 'init --test-copy marked the database');
SELECT has_index('misswitch_work', 'decision', 'decision_one_to_one', 'assignment is one-to-one');

SELECT * FROM finish();
ROLLBACK;
