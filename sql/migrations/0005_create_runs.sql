-- 0005: applied runs, their journal, the data plans carry, and the conversion checks.
-- These live in the tool's schema on test copies and on live alike: plan.sql writes them
-- itself, so a plan run by hand (psql -1 -f plan.sql) is journaled and checked the same way.

CREATE TABLE misswitch.run (
    run_id      bigserial   PRIMARY KEY,
    kind        text        NOT NULL DEFAULT 'plan' CHECK (kind IN ('plan', 'freeze')),
    plan_hash   text        NOT NULL,   -- a freeze run: 'freeze' (so one freeze at a time)
    database    text        NOT NULL DEFAULT pg_catalog.current_database(),
    applied_by  text        NOT NULL DEFAULT current_user,
    started_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    finished_at timestamptz,
    status      text        NOT NULL DEFAULT 'applying'
                CHECK (status IN ('applying', 'applied', 'reverted')),
    reverted_at timestamptz,
    summary     jsonb       NOT NULL DEFAULT '{}'  -- rows changed per step
);
-- A plan applies once: a second attempt finds its run instead.
CREATE UNIQUE INDEX run_plan_once ON misswitch.run (plan_hash) WHERE status <> 'reverted';

-- Every changed row, whole: enough to play a run backwards under the same guards.
CREATE TABLE misswitch.journal (
    journal_id bigserial PRIMARY KEY,
    run_id     bigint    NOT NULL REFERENCES misswitch.run,
    step       text      NOT NULL,
    operation  text      NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    table_name text      NOT NULL,
    row_key    jsonb     NOT NULL,
    old_row    jsonb,
    new_row    jsonb
);
CREATE INDEX journal_run ON misswitch.journal (run_id, journal_id);

-- The relinks a plan carries (plan.sql inserts them): the guard values and the new link.
CREATE TABLE misswitch.run_relink (
    run_id            bigint NOT NULL REFERENCES misswitch.run,
    account_id        text   NOT NULL,
    account_type      text   NOT NULL,
    expect_mis_source text,
    expect_mis_id     text,
    new_mis_source    text   NOT NULL,
    new_mis_id        text   NOT NULL,
    PRIMARY KEY (run_id, account_id)
);

-- Rows the target no longer holds as the snapshot showed them.
CREATE TABLE misswitch.run_conflict (
    run_id     bigint NOT NULL REFERENCES misswitch.run,
    step       text   NOT NULL,
    item_id    text   NOT NULL,   -- the account (or school) whose row changed
    expected   jsonb  NOT NULL,
    found      jsonb,            -- NULL: the row is gone
    skipped    boolean NOT NULL DEFAULT false
);

CREATE TABLE misswitch.run_check (
    run_id     bigint  NOT NULL REFERENCES misswitch.run,
    check_name text    NOT NULL,
    ok         boolean NOT NULL,
    detail     text    NOT NULL,
    PRIMARY KEY (run_id, check_name)
);

-- The run this transaction is applying (set by run_begin, transaction-local).
CREATE FUNCTION misswitch.current_run() RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    value text := pg_catalog.current_setting('misswitch.run_id', true);
BEGIN
    IF value IS NULL OR value = '' THEN
        RAISE EXCEPTION 'no misswitch run is active in this transaction'
              USING HINT = 'plan.sql starts its run with misswitch.run_begin()';
    END IF;
    RETURN value::bigint;
END
$$;

-- Starts a run: takes the advisory lock (two runs never overlap), refuses a plan this database
-- already applied, and records the run for this transaction.
CREATE FUNCTION misswitch.run_begin(plan_hash text) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    previous bigint;
    created  bigint;
BEGIN
    IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext('misswitch')) THEN
        RAISE EXCEPTION 'another misswitch run holds database %', pg_catalog.current_database()
              USING ERRCODE = 'MSREF', HINT = 'wait for it to finish, then run again';
    END IF;
    SELECT r.run_id INTO previous FROM misswitch.run r
     WHERE r.plan_hash = run_begin.plan_hash AND r.status = 'applied';
    IF previous IS NOT NULL THEN
        RAISE EXCEPTION 'plan % was already applied to this database as run %', plan_hash, previous
              USING ERRCODE = 'MSREF', DETAIL = pg_catalog.format('run %s', previous);
    END IF;
    INSERT INTO misswitch.run (plan_hash) VALUES (plan_hash)
    RETURNING run_id INTO created;
    PERFORM pg_catalog.set_config('misswitch.run_id', created::text, true);
    -- Journaled rows are compared as jsonb on revert: one time zone for every run.
    PERFORM pg_catalog.set_config('TimeZone', 'UTC', true);
    RETURN created;
END
$$;

-- Stops the run when rows changed since the snapshot, unless misswitch.skip_conflicts is on,
-- in which case they are recorded as skipped (the guarded steps leave them alone).
CREATE FUNCTION misswitch.run_assert_no_conflicts() RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    conflicts bigint;
    listing   text;
BEGIN
    SELECT count(*), string_agg(pg_catalog.format('%s %s: expected %s, found %s', c.step, c.item_id,
                                                  c.expected, coalesce(c.found::text, 'no row')),
                                E'\n' ORDER BY c.step, c.item_id)
      INTO conflicts, listing
      FROM misswitch.run_conflict c WHERE c.run_id = misswitch.current_run();
    IF conflicts = 0 THEN
        RETURN 0;
    END IF;
    IF coalesce(pg_catalog.current_setting('misswitch.skip_conflicts', true), 'off') = 'on' THEN
        UPDATE misswitch.run_conflict SET skipped = true WHERE run_id = misswitch.current_run();
        RETURN conflicts;
    END IF;
    RAISE EXCEPTION '% row(s) changed since the snapshot the plan was made from; nothing was changed', conflicts
          USING ERRCODE = 'MSCNF', DETAIL = listing,
                HINT = 'make a new plan from a fresh snapshot, or apply with --skip-conflicts';
END
$$;

/*
 * Conversion checks. Each reads only the platform (through pg_temp.misswitch_platform_account,
 * a view plan.sql and `verify` create from the profile's read query), the journal and the data
 * the plan carries, so test copies, live and the pgTAP suites run exactly the same checks.
 */

-- No MIS ID of the new MIS on two accounts.
CREATE FUNCTION misswitch.check_unique_mis_id(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    shared bigint;
    examples text;
BEGIN
    SELECT count(*), string_agg(pg_catalog.format('%s %s on %s accounts', s.mis_source, s.mis_id, s.n), '; ')
      INTO shared, examples
      FROM (SELECT a.mis_source, a.mis_id, count(*) AS n
              FROM pg_temp.misswitch_platform_account a
             WHERE a.mis_id IS NOT NULL
               AND a.mis_source IN (SELECT DISTINCT r.new_mis_source FROM misswitch.run_relink r
                                     WHERE r.run_id = run)
             GROUP BY a.mis_source, a.mis_id
            HAVING count(*) > 1
             ORDER BY a.mis_source, a.mis_id
             LIMIT 20) s;
    RETURN QUERY SELECT 'unique_mis_id'::text, shared = 0,
        CASE WHEN shared = 0 THEN 'no MIS ID of the new MIS is on two accounts'
             ELSE pg_catalog.format('MIS IDs on more than one account: %s', examples) END;
END
$$;

-- Every relinked account carries its new ID (rows skipped as conflicts excepted).
CREATE FUNCTION misswitch.check_relinked(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    expected bigint;
    missing  bigint;
    examples text;
BEGIN
    SELECT count(*),
           count(*) FILTER (WHERE a.account_id IS NULL OR (a.mis_source, a.mis_id)
                                  IS DISTINCT FROM (r.new_mis_source, r.new_mis_id)),
           string_agg(r.account_id, ', ' ORDER BY r.account_id)
               FILTER (WHERE a.account_id IS NULL OR (a.mis_source, a.mis_id)
                             IS DISTINCT FROM (r.new_mis_source, r.new_mis_id))
      INTO expected, missing, examples
      FROM misswitch.run_relink r
      LEFT JOIN pg_temp.misswitch_platform_account a ON a.account_id = r.account_id
     WHERE r.run_id = run
       AND NOT EXISTS (SELECT 1 FROM misswitch.run_conflict c
                        WHERE c.run_id = run AND c.item_id = r.account_id AND c.skipped);
    RETURN QUERY SELECT 'relinked'::text, missing = 0,
        CASE WHEN missing = 0 THEN pg_catalog.format('%s account(s) carry their new MIS ID', expected)
             ELSE pg_catalog.format('%s of %s account(s) lack their new MIS ID: %s', missing, expected,
                                    pg_catalog.left(examples, 500)) END;
END
$$;

-- misswitch.checks(run) and misswitch.run_finish() are defined with the full set of checks in
-- 0011_create_school_changes.sql.
