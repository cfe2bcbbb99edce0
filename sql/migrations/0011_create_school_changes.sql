-- 0011: a school whose LEA or DfE code changes with the move, and the usernames that embed it.
-- The platform school behind each new extract's school is the one most of its relinked pupils
-- come from; where the codes differ the plan changes them (guarded by the old codes), and
-- renames the usernames the rules say embed the old code (misswitch_work.rename).

CREATE VIEW misswitch_work.school_change AS
WITH votes AS (
    SELECT a.school_id, d.new_load_id, count(*) AS pupils
      FROM misswitch_work.decision d
      JOIN misswitch_staging.platform_account a USING (account_id)
     WHERE d.tier IN ('exact', 'likely') AND a.account_type = 'pupil'
     GROUP BY a.school_id, d.new_load_id),
best AS (
    SELECT DISTINCT ON (v.school_id) v.school_id, v.new_load_id, v.pupils
      FROM votes v ORDER BY v.school_id, v.pupils DESC, v.new_load_id)
SELECT s.school_id, s.lea_code, s.dfe_number, s.urn,
       l.lea_code AS new_lea_code, l.dfe_number AS new_dfe_number, l.urn AS new_urn,
       l.school_key AS new_school_key, b.pupils
  FROM best b
  JOIN misswitch_staging.platform_school s USING (school_id)
  JOIN misswitch_staging.extract_load l ON l.load_id = b.new_load_id
 WHERE (s.lea_code, s.dfe_number) IS DISTINCT FROM (l.lea_code, l.dfe_number);

-- Usernames a rule renames (filled by the rules at match time).
CREATE TABLE misswitch_work.rename (
    account_id   text PRIMARY KEY,
    username     text NOT NULL,
    new_username text NOT NULL,
    reason       text NOT NULL
);

CREATE TABLE misswitch.run_school (
    run_id            bigint NOT NULL REFERENCES misswitch.run,
    school_id         text   NOT NULL,
    expect_lea_code   text,
    expect_dfe_number text,
    new_lea_code      text   NOT NULL,
    new_dfe_number    text   NOT NULL,
    new_urn           text,
    PRIMARY KEY (run_id, school_id)
);

CREATE TABLE misswitch.run_rename (
    run_id          bigint NOT NULL REFERENCES misswitch.run,
    account_id      text   NOT NULL,
    expect_username text   NOT NULL,
    new_username    text   NOT NULL,
    PRIMARY KEY (run_id, account_id)
);

-- The view of schools the school-code check reads is recorded with the run like the others.
CREATE FUNCTION misswitch.check_school_codes(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    expected bigint;
    wrong    bigint;
    renames  bigint;
    unrenamed bigint;
BEGIN
    SELECT count(*), count(*) FILTER (WHERE s.school_id IS NULL
                                      OR (s.lea_code, s.dfe_number) IS DISTINCT FROM (c.new_lea_code, c.new_dfe_number))
      INTO expected, wrong
      FROM misswitch.run_school c
      LEFT JOIN pg_temp.misswitch_platform_school s USING (school_id)
     WHERE c.run_id = run;
    SELECT count(*), count(*) FILTER (WHERE a.username IS DISTINCT FROM r.new_username)
      INTO renames, unrenamed
      FROM misswitch.run_rename r
      LEFT JOIN pg_temp.misswitch_platform_account a USING (account_id)
     WHERE r.run_id = run;
    RETURN QUERY SELECT 'school_codes'::text, wrong = 0 AND unrenamed = 0,
        CASE WHEN wrong = 0 AND unrenamed = 0
             THEN pg_catalog.format('%s school(s) carry their new codes, %s username(s) renamed', expected, renames)
             ELSE pg_catalog.format('%s of %s school(s) lack their new codes, %s of %s username(s) not renamed',
                                    wrong, expected, unrenamed, renames) END;
END
$$;

-- All checks for a run, in a stable order: the one list `apply`, `verify` and the pgTAP
-- conversion suite run.
CREATE FUNCTION misswitch.checks(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE sql STABLE
AS $$
    SELECT * FROM misswitch.check_unique_mis_id(run)
    UNION ALL SELECT * FROM misswitch.check_relinked(run)
    UNION ALL SELECT * FROM misswitch.check_no_old_id(run)
    UNION ALL SELECT * FROM misswitch.check_parent_links(run)
    UNION ALL SELECT * FROM misswitch.check_conserved(run)
    UNION ALL SELECT * FROM misswitch.check_accounts_kept(run)
    UNION ALL SELECT * FROM misswitch.check_school_codes(run)
$$;

-- Ends the run: records the facts after the steps and the checks; any failure raises (so the
-- transaction rolls back, whether `apply` or psql -1 runs the plan); otherwise marks the run
-- applied with the rows changed per step.
CREATE FUNCTION misswitch.run_finish() RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    this_run bigint := misswitch.current_run();
    failing  text;
BEGIN
    PERFORM misswitch.record_facts('after');
    INSERT INTO misswitch.run_check (run_id, check_name, ok, detail)
    SELECT this_run, c.check_name, c.ok, c.detail FROM misswitch.checks(this_run) c;
    SELECT string_agg(pg_catalog.format('%s: %s', c.check_name, c.detail), E'\n' ORDER BY c.check_name)
      INTO failing
      FROM misswitch.run_check c WHERE c.run_id = this_run AND NOT c.ok;
    IF failing IS NOT NULL THEN
        RAISE EXCEPTION 'conversion checks failed; nothing was committed'
              USING ERRCODE = 'MSCHK', DETAIL = failing;
    END IF;
    UPDATE misswitch.run
       SET status = 'applied', finished_at = pg_catalog.clock_timestamp(),
           summary = (SELECT coalesce(pg_catalog.jsonb_object_agg(j.step, j.n), '{}')
                        FROM (SELECT step, count(*) AS n FROM misswitch.journal
                               WHERE run_id = this_run GROUP BY step) j)
     WHERE run_id = this_run;
    RETURN this_run;
END
$$;

-- Plan data for school code changes and renames, quoted by the server.
CREATE FUNCTION misswitch_work.plan_school_statements()
RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    SELECT 'INSERT INTO misswitch.run_school (run_id, school_id, expect_lea_code, expect_dfe_number, '
           || 'new_lea_code, new_dfe_number, new_urn)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L, %L, %L, %L, %L, %L)', c.school_id, c.lea_code,
                                                      c.dfe_number, c.new_lea_code, c.new_dfe_number,
                                                      c.new_urn), E',\n' ORDER BY c.school_id)
           || E'\n) AS v(school_id, expect_lea_code, expect_dfe_number, new_lea_code, new_dfe_number, new_urn);'
      FROM misswitch_work.school_change c
    HAVING count(*) > 0
    UNION ALL
    SELECT 'INSERT INTO misswitch.run_rename (run_id, account_id, expect_username, new_username)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L, %L, %L)', r.account_id, r.username, r.new_username),
                                    E',\n' ORDER BY r.account_id)
           || E'\n) AS v(account_id, expect_username, new_username);'
      FROM misswitch_work.rename r
    HAVING count(*) > 0
$$;
