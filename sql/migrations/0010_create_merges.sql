-- 0010: merging duplicate accounts, and the checks of a whole conversion.
-- A plan carries its merges (duplicate -> kept account) and, for every parent it touches, the
-- new extract's parent-child relationships; steps move content, parent-child links and group
-- memberships to the kept account and disable (never delete) the duplicate. The facts of each
-- merged person are recorded before the steps so the checks can prove nothing was lost.

CREATE TABLE misswitch.run_merge (
    run_id          bigint NOT NULL REFERENCES misswitch.run,
    account_id      text   NOT NULL,   -- merged into keep_account_id, then disabled
    keep_account_id text   NOT NULL,
    account_type    text   NOT NULL,
    PRIMARY KEY (run_id, account_id)
);

-- The new extract's relationships between platform accounts, for every parent a plan touches.
CREATE TABLE misswitch.run_relationship (
    run_id         bigint NOT NULL REFERENCES misswitch.run,
    parent_account text   NOT NULL,
    child_account  text   NOT NULL,
    PRIMARY KEY (run_id, parent_account, child_account)
);

-- Accounts the plan's report leaves for review: the checks accept their links as listed.
CREATE TABLE misswitch.run_review (
    run_id     bigint NOT NULL REFERENCES misswitch.run,
    account_id text   NOT NULL,
    PRIMARY KEY (run_id, account_id)
);

-- Distinct facts of each merged person (kept account and duplicates together), before and
-- after the run: content items per kind, children, groups.
CREATE TABLE misswitch.run_fact (
    run_id          bigint NOT NULL REFERENCES misswitch.run,
    stage           text   NOT NULL CHECK (stage IN ('before', 'after')),
    keep_account_id text   NOT NULL,
    kind            text   NOT NULL,
    fact            text   NOT NULL,
    PRIMARY KEY (run_id, stage, keep_account_id, kind, fact)
);

-- Records the facts of every merged person at this point of the run, from the platform views
-- plan.sql creates through the profile.
CREATE FUNCTION misswitch.record_facts(stage text) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    this_run bigint := misswitch.current_run();
    recorded bigint;
BEGIN
    WITH person AS (
        SELECT m.keep_account_id, m.account_id FROM misswitch.run_merge m WHERE m.run_id = this_run
        UNION
        SELECT m.keep_account_id, m.keep_account_id FROM misswitch.run_merge m WHERE m.run_id = this_run)
    INSERT INTO misswitch.run_fact (run_id, stage, keep_account_id, kind, fact)
    SELECT DISTINCT this_run, record_facts.stage, p.keep_account_id, f.kind, f.fact
      FROM person p
      JOIN (SELECT l.parent_account AS account_id, 'child' AS kind, l.child_account AS fact
              FROM pg_temp.misswitch_platform_parent_link l
            UNION ALL
            SELECT g.account_id, 'group', g.group_id FROM pg_temp.misswitch_platform_membership g) f
        ON f.account_id = p.account_id;
    -- Content is counted, not deduplicated: the items of the whole person, per kind.
    INSERT INTO misswitch.run_fact (run_id, stage, keep_account_id, kind, fact)
    SELECT this_run, record_facts.stage, p.keep_account_id, 'content:' || c.kind, sum(c.items)::text
      FROM (SELECT m.keep_account_id, m.account_id FROM misswitch.run_merge m WHERE m.run_id = this_run
            UNION
            SELECT m.keep_account_id, m.keep_account_id FROM misswitch.run_merge m WHERE m.run_id = this_run) p
      JOIN pg_temp.misswitch_platform_content c ON c.account_id = p.account_id
     GROUP BY p.keep_account_id, c.kind;
    SELECT count(*) INTO recorded FROM misswitch.run_fact f WHERE f.run_id = this_run AND f.stage = record_facts.stage;
    RETURN recorded;
END
$$;

-- Content, parent-child links and memberships are conserved across merges (distinct facts of
-- each person before = after) and all of them now sit on the kept account.
CREATE FUNCTION misswitch.check_conserved(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    merged   bigint;
    lost     bigint;
    left_on  bigint;
    examples text;
BEGIN
    SELECT count(DISTINCT m.keep_account_id) INTO merged FROM misswitch.run_merge m WHERE m.run_id = run;
    SELECT count(*), string_agg(DISTINCT d.keep_account_id, ', ')
      INTO lost, examples
      FROM ((SELECT keep_account_id, kind, fact FROM misswitch.run_fact WHERE run_id = run AND stage = 'before'
             EXCEPT SELECT keep_account_id, kind, fact FROM misswitch.run_fact WHERE run_id = run AND stage = 'after')
            UNION ALL
            (SELECT keep_account_id, kind, fact FROM misswitch.run_fact WHERE run_id = run AND stage = 'after'
             EXCEPT SELECT keep_account_id, kind, fact FROM misswitch.run_fact WHERE run_id = run AND stage = 'before')) d;
    SELECT count(*) INTO left_on
      FROM misswitch.run_merge m
     WHERE m.run_id = run
       AND (EXISTS (SELECT 1 FROM pg_temp.misswitch_platform_content c WHERE c.account_id = m.account_id)
            OR EXISTS (SELECT 1 FROM pg_temp.misswitch_platform_parent_link l WHERE l.parent_account = m.account_id)
            OR EXISTS (SELECT 1 FROM pg_temp.misswitch_platform_membership g WHERE g.account_id = m.account_id));
    RETURN QUERY SELECT 'conserved'::text, lost = 0 AND left_on = 0,
        CASE WHEN lost = 0 AND left_on = 0
             THEN pg_catalog.format('%s merged person(s) kept every content item, child and group', merged)
             ELSE pg_catalog.format('%s fact(s) differ for kept account(s) %s; %s duplicate(s) still hold facts',
                                    lost, coalesce(pg_catalog.left(examples, 300), '-'), left_on) END;
END
$$;

-- No account of the run was deleted, and every merged duplicate is disabled.
CREATE FUNCTION misswitch.check_accounts_kept(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    missing  bigint;
    enabled  bigint;
BEGIN
    SELECT count(*) INTO missing
      FROM (SELECT r.account_id FROM misswitch.run_relink r WHERE r.run_id = run
            UNION SELECT m.account_id FROM misswitch.run_merge m WHERE m.run_id = run
            UNION SELECT m.keep_account_id FROM misswitch.run_merge m WHERE m.run_id = run) a
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp.misswitch_platform_account p WHERE p.account_id = a.account_id);
    SELECT count(*) INTO enabled
      FROM misswitch.run_merge m JOIN pg_temp.misswitch_platform_account p USING (account_id)
     WHERE m.run_id = run AND NOT p.disabled;
    RETURN QUERY SELECT 'accounts_kept'::text, missing = 0 AND enabled = 0,
        CASE WHEN missing = 0 AND enabled = 0 THEN 'no account deleted; every merged duplicate disabled'
             ELSE pg_catalog.format('%s account(s) gone, %s merged duplicate(s) still enabled', missing, enabled) END;
END
$$;

-- No old MIS ID left on an account the run relinked, nor moved to another account.
CREATE FUNCTION misswitch.check_no_old_id(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    left_over bigint;
BEGIN
    SELECT count(*) INTO left_over
      FROM misswitch.run_relink r
      JOIN pg_temp.misswitch_platform_account p
        ON (p.mis_source, p.mis_id) = (r.expect_mis_source, r.expect_mis_id)
     WHERE r.run_id = run AND r.expect_mis_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM misswitch.run_conflict c
                        WHERE c.run_id = run AND c.item_id = r.account_id AND c.skipped)
       AND NOT EXISTS (SELECT 1 FROM misswitch.run_merge m WHERE m.run_id = run AND m.account_id = p.account_id);
    RETURN QUERY SELECT 'no_old_id'::text, left_over = 0,
        CASE WHEN left_over = 0 THEN 'no relinked account''s old MIS ID is left on an active account'
             ELSE pg_catalog.format('%s account(s) still carry an old MIS ID the run replaced', left_over) END;
END
$$;

-- Every platform link of a parent the run relinked is backed by a relationship in the new
-- extract, or the parent or child is listed for review. (A wrong parent-child link is a
-- safeguarding incident.)
CREATE FUNCTION misswitch.check_parent_links(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    unbacked bigint;
    examples text;
BEGIN
    SELECT count(*), string_agg(l.parent_account || '->' || l.child_account, ', ')
      INTO unbacked, examples
      FROM pg_temp.misswitch_platform_parent_link l
      JOIN misswitch.run_relink r ON r.run_id = run AND r.account_id = l.parent_account
     WHERE NOT EXISTS (SELECT 1 FROM misswitch.run_relationship x
                        WHERE x.run_id = run AND x.parent_account = l.parent_account
                          AND x.child_account = l.child_account)
       AND NOT EXISTS (SELECT 1 FROM misswitch.run_review v
                        WHERE v.run_id = run AND v.account_id IN (l.parent_account, l.child_account));
    RETURN QUERY SELECT 'parent_links'::text, unbacked = 0,
        CASE WHEN unbacked = 0 THEN 'every link of a relinked parent is backed by the new extract or under review'
             ELSE pg_catalog.format('%s parent-child link(s) not backed by the new extract: %s', unbacked,
                                    pg_catalog.left(examples, 300)) END;
END
$$;

-- Plan data: the merges (from misswitch_work.duplicate), the new extract's relationships of
-- every parent the plan relinks, and the review list, each as one INSERT quoted by the server.
CREATE FUNCTION misswitch_work.plan_data_statements()
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
$$;

-- How a run reads its platform: the profile's read queries the checks use, recorded by
-- plan.sql, so `verify` and the pgTAP suites read the platform exactly as the run did.
CREATE TABLE misswitch.run_view (
    run_id     bigint NOT NULL REFERENCES misswitch.run,
    view_name  text   NOT NULL CHECK (view_name ~ '^misswitch_platform_[a-z_]+$'),
    definition text   NOT NULL,
    PRIMARY KEY (run_id, view_name)
);

-- Creates (in pg_temp) the views run `run` recorded: what the check functions read.
CREATE FUNCTION misswitch.create_check_views(run bigint) RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
    v       record;
    created integer := 0;
BEGIN
    FOR v IN SELECT view_name, definition FROM misswitch.run_view WHERE run_id = run ORDER BY view_name LOOP
        EXECUTE pg_catalog.format('CREATE OR REPLACE TEMP VIEW %I AS %s', v.view_name, v.definition);
        created := created + 1;
    END LOOP;
    IF created = 0 THEN
        RAISE EXCEPTION 'run % recorded no platform views', run USING ERRCODE = 'MSREF';
    END IF;
    RETURN created;
END
$$;

-- The last applied plan run: what `verify` and the pgTAP conversion suite check.
CREATE FUNCTION misswitch.last_plan_run() RETURNS bigint
LANGUAGE sql STABLE
AS $$
    SELECT max(r.run_id) FROM misswitch.run r WHERE r.kind = 'plan' AND r.status = 'applied'
$$;
