-- 0019: eval and plan at 100 k pupils: the same figures, without the plans that grew with the
-- square of the data.
--
-- eval: 0013's functions read the truth through CTEs the planner cannot estimate (a CTE scan
-- with two equality filters is "2 rows"), so it chose nested loops that probed
-- extract_relationship's (load_id, pupil_mis_id) index on its second column — a whole index
-- scan per child, 96 k times at 100 k pupils — and the joiners' and missed duplicates' EXISTS
-- inside an aggregate FILTER ran as a correlated sub-plan, one index or table scan per row.
-- The bodies below are 0013's, with those EXISTS turned into joins against distinct keys
-- (the same counts: each truth row meets at most one key), and each entry point runs without
-- nested loops (every join a hash or merge join, linear whatever the estimates) and without JIT
-- (compiling the large plans cost more than running them). eval_outcomes itself has no SET, so
-- it is still inlined into its callers and planned under their settings.

-- 0013's outcomes, judged the same way; the children of a parent person and of a contact record
-- are gathered only for the parent links that are not the truth's own (the only rows whose
-- judgement compares them): 0013 built both lists for every one of 160 k parents.
CREATE OR REPLACE FUNCTION misswitch_work.eval_outcomes()
RETURNS TABLE (role text, account text, truth_kind text, truth_new_id text, keep_account text,
               tier text, decided_new_id text, right_candidate boolean, outcome text,
               severity integer, noise text)
LANGUAGE sql STABLE
AS $$
    WITH truth AS (
        SELECT t.role, t.account, t.kind, t.new_id, t.keep_account, t.noise,
               coalesce(t.keep_account, t.account) AS person
          FROM misswitch_work.eval_truth t
         WHERE t.account IS NOT NULL),
    child_new AS (
        SELECT t.account, t.new_id FROM truth t WHERE t.role = 'pupil' AND t.kind = 'match'),
    decided AS (
        SELECT t.*, d.tier, d.new_mis_id, d.new_load_id,
               k.new_id AS person_new_id
          FROM truth t
          LEFT JOIN misswitch_work.all_decision d
                 ON d.account_id = t.account AND d.account_type = t.role
          LEFT JOIN truth k ON k.account = t.keep_account AND k.role = t.role),
    -- parent links to a record other than the truth's: judged by their children below
    suspect AS (
        SELECT x.person, x.new_load_id, x.new_mis_id
          FROM decided x
         WHERE x.role = 'parent' AND x.tier IN ('exact', 'likely')
           AND (x.kind = 'match' AND x.new_mis_id = x.new_id) IS NOT TRUE),
    -- the new IDs of the children a parent person has on the platform (leavers left out)
    person_children AS (
        SELECT p.person, pg_catalog.array_agg(DISTINCT c.new_id ORDER BY c.new_id) AS children
          FROM truth p
          JOIN misswitch_staging.platform_parent_link l ON l.parent_account = p.account
          JOIN child_new c ON c.account = l.child_account
         WHERE p.role = 'parent' AND p.person IN (SELECT s.person FROM suspect s)
         GROUP BY p.person),
    -- the children of a contact record in its extract that have accounts (joiners left out)
    record_children AS (
        SELECT r.load_id, r.contact_mis_id,
               pg_catalog.array_agg(DISTINCT r.pupil_mis_id ORDER BY r.pupil_mis_id) AS children
          FROM misswitch_staging.extract_relationship r
          JOIN child_new c ON c.new_id = r.pupil_mis_id
         WHERE (r.load_id, r.contact_mis_id) IN (SELECT s.new_load_id, s.new_mis_id FROM suspect s)
         GROUP BY r.load_id, r.contact_mis_id),
    judged AS (
        SELECT x.*,
               CASE
                 WHEN x.tier IN ('exact', 'likely') THEN
                   CASE
                     WHEN x.kind = 'match' AND x.new_mis_id = x.new_id THEN 'correct'
                     WHEN x.role = 'parent'
                          AND coalesce(rc.children, '{}') <> coalesce(pc.children, '{}')
                       THEN 'wrong_parent_child'
                     WHEN x.kind = 'duplicate' AND x.new_mis_id = x.person_new_id
                       THEN 'duplicate_linked'
                     ELSE 'wrong_person'
                   END
                 WHEN x.tier = 'possible' THEN 'review'
                 WHEN x.kind = 'match' THEN 'missed'
                 ELSE 'correct_none'
               END AS outcome
          FROM decided x
          LEFT JOIN record_children rc
                 ON rc.load_id = x.new_load_id AND rc.contact_mis_id = x.new_mis_id
          LEFT JOIN person_children pc ON pc.person = x.person)
    SELECT j.role, j.account, j.kind, j.new_id, j.keep_account, j.tier, j.new_mis_id,
           j.new_mis_id IS NOT DISTINCT FROM coalesce(j.new_id, j.person_new_id),
           j.outcome,
           CASE j.outcome WHEN 'wrong_parent_child' THEN 1 WHEN 'wrong_person' THEN 2
                          WHEN 'duplicate_linked' THEN 3 END,
           j.noise
      FROM judged j
$$;

CREATE OR REPLACE FUNCTION misswitch_work.eval_summary()
RETURNS TABLE (role text, accounts bigint, truth_links bigint, decisions bigint, links bigint,
               correct bigint, wrong bigint, wrong_parent_child bigint, wrong_person bigint,
               duplicate_linked bigint, missed bigint, review bigint, review_right bigint,
               leavers bigint, leavers_linked bigint, joiners bigint, joiners_linked bigint,
               untracked_decisions bigint, "precision" double precision, recall double precision,
               f1 double precision)
LANGUAGE sql STABLE
SET enable_nestloop = off
SET enable_mergejoin = off
SET work_mem = '128MB'
SET jit = off
AS $$
    WITH roles(role, position) AS (
        VALUES ('pupil', 1), ('staff', 2), ('parent', 3), ('group', 4), ('all', 5)),
    o AS (SELECT * FROM misswitch_work.eval_outcomes()),
    per_role AS (
        SELECT coalesce(o.role, 'all') AS role, count(*) AS accounts,
               count(*) FILTER (WHERE o.truth_kind = 'match') AS truth_links,
               count(*) FILTER (WHERE o.tier IS NOT NULL) AS decisions,
               count(*) FILTER (WHERE o.tier IN ('exact', 'likely')) AS links,
               count(*) FILTER (WHERE o.outcome = 'correct') AS correct,
               count(*) FILTER (WHERE o.severity IS NOT NULL) AS wrong,
               count(*) FILTER (WHERE o.outcome = 'wrong_parent_child') AS wrong_parent_child,
               count(*) FILTER (WHERE o.outcome = 'wrong_person') AS wrong_person,
               count(*) FILTER (WHERE o.outcome = 'duplicate_linked') AS duplicate_linked,
               count(*) FILTER (WHERE o.outcome = 'missed') AS missed,
               count(*) FILTER (WHERE o.outcome = 'review') AS review,
               count(*) FILTER (WHERE o.outcome = 'review' AND o.right_candidate) AS review_right,
               count(*) FILTER (WHERE o.truth_kind = 'leaver') AS leavers,
               count(*) FILTER (WHERE o.truth_kind = 'leaver' AND o.tier IN ('exact', 'likely'))
                   AS leavers_linked
          FROM o
         GROUP BY ROLLUP (o.role)),
    -- the records some link names (any role, any load: as 0013's EXISTS), once each
    linked_record AS (
        SELECT DISTINCT d.new_mis_id
          FROM misswitch_work.all_decision d
         WHERE d.tier IN ('exact', 'likely')),
    joiners AS (
        SELECT coalesce(t.role, 'all') AS role, count(*) AS joiners,
               count(*) FILTER (WHERE l.new_mis_id IS NOT NULL) AS joiners_linked
          FROM misswitch_work.eval_truth t
          LEFT JOIN linked_record l ON l.new_mis_id = t.new_id
         WHERE t.kind = 'joiner'
         GROUP BY ROLLUP (t.role)),
    untracked AS (
        SELECT coalesce(d.account_type, 'all') AS role, count(*) AS untracked
          FROM misswitch_work.all_decision d
         WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.eval_truth t
                            WHERE t.account = d.account_id AND t.role = d.account_type)
         GROUP BY ROLLUP (d.account_type))
    SELECT r.role, coalesce(p.accounts, 0), coalesce(p.truth_links, 0), coalesce(p.decisions, 0),
           coalesce(p.links, 0), coalesce(p.correct, 0), coalesce(p.wrong, 0),
           coalesce(p.wrong_parent_child, 0), coalesce(p.wrong_person, 0),
           coalesce(p.duplicate_linked, 0), coalesce(p.missed, 0), coalesce(p.review, 0),
           coalesce(p.review_right, 0), coalesce(p.leavers, 0), coalesce(p.leavers_linked, 0),
           coalesce(j.joiners, 0), coalesce(j.joiners_linked, 0), coalesce(u.untracked, 0),
           CASE WHEN p.links > 0 THEN p.correct::double precision / p.links END,
           CASE WHEN p.truth_links > 0 THEN p.correct::double precision / p.truth_links END,
           CASE WHEN p.links > 0 AND p.truth_links > 0 AND p.correct > 0
                THEN 2.0 * p.correct::double precision / (p.links + p.truth_links) END
      FROM roles r
      LEFT JOIN per_role p USING (role)
      LEFT JOIN joiners j USING (role)
      LEFT JOIN untracked u USING (role)
     ORDER BY r.position
$$;

ALTER FUNCTION misswitch_work.eval_wrong_links(integer)
    SET enable_nestloop = off SET enable_mergejoin = off SET work_mem = '128MB' SET jit = off;

CREATE OR REPLACE FUNCTION misswitch_work.eval_duplicates()
RETURNS TABLE (role text, expected bigint, found bigint, correct bigint, other_keep bigint,
               wrong_person bigint, missed bigint)
LANGUAGE sql STABLE
SET enable_nestloop = off
SET enable_mergejoin = off
SET work_mem = '128MB'
SET jit = off
AS $$
    WITH roles(role, position) AS (
        VALUES ('pupil', 1), ('staff', 2), ('parent', 3), ('group', 4), ('all', 5)),
    person AS (
        SELECT t.account, t.role, coalesce(t.keep_account, t.account) AS person, t.keep_account
          FROM misswitch_work.eval_truth t
         WHERE t.account IS NOT NULL AND t.role <> 'group'),
    found AS (
        SELECT coalesce(a.role, 'unknown') AS role,
               CASE WHEN a.keep_account = d.keep_account_id THEN 'correct'
                    WHEN a.person = k.person THEN 'other_keep'
                    ELSE 'wrong_person' END AS outcome
          FROM misswitch_work.duplicate d
          LEFT JOIN person a ON a.account = d.account_id
          LEFT JOIN person k ON k.account = d.keep_account_id AND k.role = a.role),
    found_counts AS (
        SELECT coalesce(f.role, 'all') AS role, count(*) AS found,
               count(*) FILTER (WHERE f.outcome = 'correct') AS correct,
               count(*) FILTER (WHERE f.outcome = 'other_keep') AS other_keep,
               count(*) FILTER (WHERE f.outcome = 'wrong_person') AS wrong_person
          FROM found f
         GROUP BY ROLLUP (f.role)),
    -- duplicate.account_id is its primary key: at most one row per expected duplicate
    expected_counts AS (
        SELECT coalesce(p.role, 'all') AS role, count(*) AS expected,
               count(*) FILTER (WHERE d.account_id IS NULL) AS missed
          FROM person p
          LEFT JOIN misswitch_work.duplicate d ON d.account_id = p.account
         WHERE p.keep_account IS NOT NULL
         GROUP BY ROLLUP (p.role))
    SELECT r.role, coalesce(e.expected, 0), coalesce(f.found, 0), coalesce(f.correct, 0),
           coalesce(f.other_keep, 0), coalesce(f.wrong_person, 0), coalesce(e.missed, 0)
      FROM roles r
      LEFT JOIN expected_counts e USING (role)
      LEFT JOIN found_counts f USING (role)
     ORDER BY r.position
$$;

-- Run on the truth as COPY left it (no statistics yet): hash joins whatever the estimates.
ALTER FUNCTION misswitch_work.eval_truth_problem()
    SET enable_nestloop = off SET enable_mergejoin = off SET work_mem = '128MB' SET jit = off;

-- plan: the relinks' INSERT and their number from one pass (`plan` counted them in a second
-- pass over the decisions, the platform's accounts and a sort of both). The statement is 0004's,
-- character for character; plan_relink_statement() now reads it from here.
CREATE FUNCTION misswitch_work.plan_relink_data(OUT statement text, OUT relinks bigint)
LANGUAGE sql STABLE
AS $$
    SELECT 'INSERT INTO misswitch.run_relink (run_id, account_id, account_type, expect_mis_source, '
           || 'expect_mis_id, new_mis_source, new_mis_id)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(v, E',\n')
           || E'\n) AS v(account_id, account_type, expect_mis_source, expect_mis_id, new_mis_source, new_mis_id);',
           pg_catalog.count(*)
      FROM misswitch_work.plan_relink_values() AS v
$$;

CREATE OR REPLACE FUNCTION misswitch_work.plan_relink_statement()
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT r.statement FROM misswitch_work.plan_relink_data() r
$$;

-- plan: 0016's plan_data_statements, with its leavers found by hash joins. 0016 joined the
-- relinked parents ON pr.account_id IN (l.parent_account, (SELECT keep_account_id ...)): a
-- condition no hash or merge join can use, so every link of a leaver was compared with every
-- relinked parent, a sub-query each time (at 100 k pupils `plan` had not finished after 15
-- minutes). The same pairs, as an equality: the parent account and the account it is merged
-- into (duplicate.account_id is its key: at most one), each joined to the relinks. The rest of
-- the function is 0016's, unchanged.
CREATE OR REPLACE FUNCTION misswitch_work.plan_data_statements()
RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    SELECT 'INSERT INTO misswitch.run_merge (run_id, account_id, keep_account_id, account_type)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L, %L, %L)', d.account_id, d.keep_account_id,
                                                      a.account_type), E',\n' ORDER BY d.account_id)
           || E'\n) AS v(account_id, keep_account_id, account_type);'
      FROM misswitch_work.duplicate d
      JOIN misswitch_staging.platform_account a USING (account_id)
    HAVING count(*) > 0
    UNION ALL
    SELECT 'INSERT INTO misswitch.run_relationship (run_id, parent_account, child_account)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L, %L)', x.parent_account, x.child_account),
                                    E',\n' ORDER BY x.parent_account, x.child_account)
           || E'\n) AS v(parent_account, child_account);'
      FROM (SELECT DISTINCT pd.account_id AS parent_account, cd.account_id AS child_account
              FROM misswitch_work.plan_relinks() pr
              JOIN misswitch_work.decision pd ON pd.account_id = pr.account_id AND pr.account_type = 'parent'
              JOIN misswitch_staging.extract_relationship rel
                ON rel.load_id = pd.new_load_id AND rel.contact_mis_id = pd.new_mis_id
              JOIN misswitch_work.decision cd
                ON cd.new_load_id = rel.load_id AND cd.new_mis_id = rel.pupil_mis_id
               AND cd.tier IN ('exact', 'likely')) x
    HAVING count(*) > 0
    UNION ALL
    SELECT 'INSERT INTO misswitch.run_review (run_id, account_id)' || E'\n'
           || 'SELECT misswitch.current_run(), v.account_id FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L)', d.account_id), E',\n' ORDER BY d.account_id)
           || E'\n) AS v(account_id);'
      FROM misswitch_work.decision d WHERE d.tier = 'possible'
    HAVING count(*) > 0
    UNION ALL
    SELECT 'INSERT INTO misswitch.run_leaver (run_id, account_id)' || E'\n'
           || 'SELECT misswitch.current_run(), v.account_id FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L)', x.account_id), E',\n' ORDER BY x.account_id)
           || E'\n) AS v(account_id);'
      FROM (SELECT DISTINCT lv.account AS account_id
              FROM misswitch_work.leavers() lv
              JOIN misswitch_staging.platform_parent_link l ON l.child_account = lv.account
              LEFT JOIN misswitch_work.duplicate d ON d.account_id = l.parent_account
              CROSS JOIN LATERAL (VALUES (l.parent_account), (d.keep_account_id)) parent(account_id)
              JOIN misswitch_work.plan_relinks() pr ON pr.account_type = 'parent'
               AND pr.account_id = parent.account_id
             WHERE lv.account_type = 'pupil') x
    HAVING count(*) > 0
$$;
