-- The conversion checks of the last applied run, as a pgTAP suite: run it on a test copy (or in
-- CI) after `misswitch apply` with
--   pg_prove -d DATABASE tests/pgtap/conversion/checks.sql
-- It calls the same functions `apply` runs before COMMIT and `misswitch verify` prints, reading
-- the platform through the views the run recorded. Needs CREATE EXTENSION pgtap (never on live).
BEGIN;
SELECT misswitch.create_check_views(misswitch.last_plan_run());
SELECT plan((SELECT count(*)::integer + 1 FROM misswitch.checks(misswitch.last_plan_run())));

SELECT isnt(misswitch.last_plan_run(), NULL, 'a plan has been applied');
SELECT ok(c.ok, c.check_name || ': ' || c.detail) FROM misswitch.checks(misswitch.last_plan_run()) c;

SELECT * FROM finish();
ROLLBACK;
