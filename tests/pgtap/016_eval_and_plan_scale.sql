-- eval and plan at scale (0019). eval's functions must never plan a nested loop or a per-row
-- sub-plan, whatever the estimates: 0013's did both on a truth COPY had just filled (never
-- analysed; its CTEs estimated at 2 rows), and at 100 k pupils eval ran for hours — a whole
-- index scan of extract_relationship per child, one of the decisions per joiner. The plans are
-- checked under each function's own settings, on such a truth. plan's relinks statement and
-- count come from one pass: the statement must stay 0004's, character for character. And
-- plan's leavers (0016) are found by hash joins: 0016 compared every link of a leaver with
-- every relinked parent, a sub-query each time (plan at 100 k pupils: > 15 minutes).
BEGIN;
SELECT plan(11);

-- A truth as eval leaves it: COPY'd in, no statistics.
INSERT INTO misswitch_work.eval_truth (line, role, account, new_id, kind, keep_account, noise)
SELECT n, r.role, CASE WHEN n % 10 = 0 THEN NULL ELSE n::text END,
       CASE WHEN n % 10 = 0 OR n % 10 = 5 THEN 'R' || n END,
       CASE n % 10 WHEN 0 THEN 'joiner' WHEN 5 THEN 'match' WHEN 7 THEN 'duplicate' ELSE 'leaver' END,
       CASE WHEN n % 10 = 7 THEN (n - 2)::text END, NULL
  FROM generate_series(2, 2001) n,
       LATERAL (SELECT (ARRAY['pupil', 'staff', 'parent'])[1 + n % 3] AS role) r;

-- The plan of query under the settings function fn carries (SET clauses), as text.
CREATE FUNCTION pg_temp.plan_under(fn regprocedure, query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    setting text;
    line text;
    result text := '';
BEGIN
    FOREACH setting IN ARRAY coalesce((SELECT proconfig FROM pg_catalog.pg_proc WHERE oid = fn), '{}') LOOP
        PERFORM pg_catalog.set_config(split_part(setting, '=', 1),
                                      substr(setting, strpos(setting, '=') + 1), true);
    END LOOP;
    FOR line IN EXECUTE 'EXPLAIN ' || query LOOP
        result := result || line || E'\n';
    END LOOP;
    RETURN result;
END
$$;

CREATE FUNCTION pg_temp.body(fn regprocedure) RETURNS text
LANGUAGE sql AS $$ SELECT prosrc FROM pg_catalog.pg_proc WHERE oid = fn $$;

SELECT doesnt_match(pg_temp.plan_under('misswitch_work.eval_summary()',
                                       pg_temp.body('misswitch_work.eval_summary()')),
                    'Nested Loop|SubPlan', 'eval_summary: hash joins only, no per-row sub-plan');
SELECT doesnt_match(pg_temp.plan_under('misswitch_work.eval_duplicates()',
                                       pg_temp.body('misswitch_work.eval_duplicates()')),
                    'Nested Loop|SubPlan', 'eval_duplicates: hash joins only, no per-row sub-plan');
SELECT doesnt_match(pg_temp.plan_under('misswitch_work.eval_wrong_links(integer)',
                                       'SELECT * FROM misswitch_work.eval_outcomes()'),
                    'Nested Loop|SubPlan', 'eval_wrong_links: its outcomes with hash joins only');
SELECT doesnt_match(pg_temp.plan_under('misswitch_work.eval_truth_problem()',
                                       pg_temp.body('misswitch_work.eval_truth_problem()')),
                    'Nested Loop|SubPlan', 'eval_truth_problem: hash joins only');
SELECT is((SELECT count(*)::integer FROM misswitch_work.eval_summary()), 5,
          'eval_summary still answers: one row per role and all');

-- plan's relinks: one pass gives 0004's statement and the number of relinks.
RESET enable_nestloop; RESET enable_mergejoin; RESET work_mem; RESET jit;
INSERT INTO misswitch_staging.extract_load (load_id, role, format, school_key, mis_source, source_file)
VALUES (41, 'new', 'native', '801/2001', 'Arbor', 'plan.xml');
INSERT INTO misswitch_staging.platform_account (account_id, account_type, username, mis_source, mis_id)
VALUES ('a1', 'pupil', 'u1', 'SIMS', 'old-1'), ('a2', 'parent', 'u2', 'SIMS', 'old-2'),
       ('a3', 'staff', 'u3', 'Arbor', 'S3'), ('a4', 'pupil', 'u4', 'SIMS', 'it''s');
SELECT is((SELECT relinks FROM misswitch_work.plan_relink_data()), 0::bigint, 'no decisions: no relinks');
SELECT is((SELECT statement FROM misswitch_work.plan_relink_data()), NULL, 'and no statement');
INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, reason)
VALUES ('a1', 'pupil', 'exact', 41, 'P1', 't', 't'), ('a2', 'parent', 'likely', 41, 'C''2', 't', 't'),
       ('a3', 'staff', 'exact', 41, 'S3', 't', 't'), ('a4', 'pupil', 'possible', 41, 'P4', 't', 't');
SELECT is((SELECT relinks FROM misswitch_work.plan_relink_data()), 2::bigint,
          'relinks: the linked accounts whose MIS link changes (a3 keeps its link)');
SELECT is((SELECT statement FROM misswitch_work.plan_relink_data()),
          'INSERT INTO misswitch.run_relink (run_id, account_id, account_type, expect_mis_source, '
          || 'expect_mis_id, new_mis_source, new_mis_id)' || E'\n'
          || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
          || $v$('a2', 'parent', 'SIMS', 'old-2', 'Arbor', 'C''2'),$v$ || E'\n'
          || $v$('a1', 'pupil', 'SIMS', 'old-1', 'Arbor', 'P1')$v$
          || E'\n) AS v(account_id, account_type, expect_mis_source, expect_mis_id, new_mis_source, new_mis_id);',
          'the statement: 0004''s text, rows in account_type, account_id order, quoted by the server');

-- plan's leavers: a pupil who left and whose parent, or the account that parent is merged
-- into, is relinked. k1's parent p1 is merged into p2, k2's parent is p2 (relinked), k3's
-- parent p3 keeps its link.
INSERT INTO misswitch_staging.platform_account (account_id, account_type, username, mis_source, mis_id)
VALUES ('k1', 'pupil', 'k1', 'SIMS', 'k1'), ('k2', 'pupil', 'k2', 'SIMS', 'k2'), ('k3', 'pupil', 'k3', 'SIMS', 'k3'),
       ('p1', 'parent', 'p1', 'SIMS', 'p1'), ('p2', 'parent', 'p2', 'SIMS', 'p2'), ('p3', 'parent', 'p3', 'Arbor', 'C3');
INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, reason)
VALUES ('k1', 'pupil', 'none', NULL, NULL, 'unmatched', 't'), ('k2', 'pupil', 'none', NULL, NULL, 'unmatched', 't'),
       ('k3', 'pupil', 'none', NULL, NULL, 'unmatched', 't'), ('p2', 'parent', 'likely', 41, 'C9', 't', 't'),
       ('p3', 'parent', 'exact', 41, 'C3', 't', 't');
INSERT INTO misswitch_work.duplicate (account_id, keep_account_id, pass, reason) VALUES ('p1', 'p2', 't', 't');
INSERT INTO misswitch_staging.platform_parent_link (parent_account, child_account)
VALUES ('p1', 'k1'), ('p2', 'k2'), ('p3', 'k3');
SELECT is((SELECT s FROM misswitch_work.plan_data_statements() s WHERE s LIKE 'INSERT INTO misswitch.run_leaver%'),
          'INSERT INTO misswitch.run_leaver (run_id, account_id)' || E'\n'
          || 'SELECT misswitch.current_run(), v.account_id FROM (VALUES' || E'\n'
          || $v$('k1'),$v$ || E'\n' || $v$('k2')$v$ || E'\n) AS v(account_id);',
          'leavers: linked to a relinked parent directly or through the account it is merged into');
SET LOCAL work_mem = '128MB'; SET LOCAL enable_nestloop = off; SET LOCAL jit = off;
SELECT doesnt_match(pg_temp.plan_under('misswitch_work.plan_data_statements()',
                                       pg_temp.body('misswitch_work.plan_data_statements()')),
                    'SubPlan', 'plan_data_statements: no per-row sub-plan (plan sets these settings)');

SELECT * FROM finish();
ROLLBACK;
