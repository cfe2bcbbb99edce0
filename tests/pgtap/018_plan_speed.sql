-- Migration 0021: plan without the sorts nobody read. relinks() gives plan_relinks()'s rows
-- unsorted; plan_relinks() keeps its order; summary() counts new accounts directly, as many as
-- new_accounts() lists; the leavers a relinked parent is linked to are found from the leavers'
-- own links (016 checks the statement; here: a leaver who is a duplicate is not listed, nor one
-- whose parent keeps its link).
BEGIN;
SELECT plan(5);

INSERT INTO misswitch_staging.platform_load (source, profile) VALUES ('test', 'reference');
INSERT INTO misswitch_staging.extract_load (load_id, role, format, school_key, mis_source, source_file)
VALUES (51, 'new', 'native', '801/2001', 'Arbor', 'plan.xml');
INSERT INTO misswitch_staging.extract_pupil (load_id, mis_id, legal_forename, legal_surname) VALUES
    (51, 'P1', 'Ann', 'Able'), (51, 'P2', 'Ben', 'Best'), (51, 'P9', 'Joe', 'Joiner');
INSERT INTO misswitch_staging.extract_contact (load_id, mis_id, forename, surname) VALUES
    (51, 'C1', 'Cat', 'Able'), (51, 'C8', 'New', 'Parent');
INSERT INTO misswitch_staging.platform_account (account_id, account_type, username, mis_source, mis_id) VALUES
    ('a1', 'pupil', 'a1', 'SIMS', 'o1'), ('a2', 'pupil', 'a2', 'SIMS', 'o2'),
    ('k1', 'pupil', 'k1', 'SIMS', 'ok1'), ('k2', 'pupil', 'k2', 'SIMS', 'ok2'), ('k3', 'pupil', 'k3', 'SIMS', 'ok3'),
    ('p1', 'parent', 'p1', 'SIMS', 'op1'), ('p3', 'parent', 'p3', 'Arbor', 'C3');
INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, reason) VALUES
    ('a1', 'pupil', 'exact', 51, 'P1', 't', 't'), ('a2', 'pupil', 'likely', 51, 'P2', 't', 't'),
    ('p1', 'parent', 'likely', 51, 'C1', 't', 't'), ('p3', 'parent', 'exact', 51, 'C3', 't', 't'),
    ('k1', 'pupil', 'none', NULL, NULL, 'unmatched', 't'), ('k2', 'pupil', 'none', NULL, NULL, 'unmatched', 't'),
    ('k3', 'pupil', 'none', NULL, NULL, 'unmatched', 't');
-- k1: a leaver whose parent p1 is relinked; k2 is a duplicate of a1 (merged, not a leaver);
-- k3's parent p3 keeps its link.
INSERT INTO misswitch_work.duplicate (account_id, keep_account_id, pass, reason) VALUES ('k2', 'a1', 't', 't');
INSERT INTO misswitch_staging.platform_parent_link (parent_account, child_account)
VALUES ('p1', 'k1'), ('p1', 'k2'), ('p3', 'k3');

SELECT results_eq('SELECT account_id, account_type, new_mis_id FROM misswitch_work.plan_relinks()',
                  $$VALUES ('p1', 'parent', 'C1'), ('a1', 'pupil', 'P1'), ('a2', 'pupil', 'P2')$$,
                  'plan_relinks: the relinks in account_type, account_id order');
SELECT is((SELECT count(*)::int FROM misswitch_work.relinks()), 3, 'three relinks (p3 keeps its link)');
SELECT results_eq($$SELECT role, new_accounts FROM misswitch_work.summary() WHERE role <> 'group' ORDER BY role$$,
                  $$SELECT r.role, coalesce(n.count, 0) FROM (VALUES ('parent'), ('pupil'), ('staff')) r(role)
                      LEFT JOIN (SELECT role, count(*) FROM misswitch_work.new_accounts() GROUP BY role) n USING (role)
                     ORDER BY r.role$$,
                  'summary counts the new accounts new_accounts() lists');
SELECT is((SELECT new_accounts FROM misswitch_work.summary() WHERE role = 'pupil'), 1::bigint, 'the joiner');
SELECT is((SELECT s FROM misswitch_work.plan_data_statements() s WHERE s LIKE 'INSERT INTO misswitch.run_leaver%'),
          'INSERT INTO misswitch.run_leaver (run_id, account_id)' || E'\n'
          || 'SELECT misswitch.current_run(), v.account_id FROM (VALUES' || E'\n'
          || $v$('k1')$v$ || E'\n) AS v(account_id);',
          'leavers: k1 only (k2 is merged, k3''s parent keeps its link)');

SELECT * FROM finish();
ROLLBACK;
