-- 0004: work schema: match decisions and the queries plans and reports are made from.

CREATE SCHEMA misswitch_work;
COMMENT ON SCHEMA misswitch_work IS 'misswitch: match decisions, review queue, plan data';

-- Every record of a new extract a platform account could be linked to, one row per record.
CREATE VIEW misswitch_work.new_record AS
SELECT l.load_id, l.school_key, l.mis_source, 'pupil'::text AS record_type, p.mis_id,
       coalesce(p.preferred_forename, p.legal_forename) AS forename,
       coalesce(p.preferred_surname, p.legal_surname) AS surname, p.email
  FROM misswitch_staging.extract_load l
  JOIN misswitch_staging.extract_pupil p USING (load_id)
 WHERE l.role = 'new'
UNION ALL
SELECT l.load_id, l.school_key, l.mis_source, 'staff', s.mis_id,
       coalesce(s.preferred_forename, s.legal_forename), coalesce(s.preferred_surname, s.legal_surname),
       s.email
  FROM misswitch_staging.extract_load l
  JOIN misswitch_staging.extract_staff s USING (load_id)
 WHERE l.role = 'new'
UNION ALL
SELECT l.load_id, l.school_key, l.mis_source, 'parent', c.mis_id, c.forename, c.surname, c.emails[1]
  FROM misswitch_staging.extract_load l
  JOIN misswitch_staging.extract_contact c USING (load_id)
 WHERE l.role = 'new';

-- One decision per platform account, written by the match passes the rules generate.
-- tier: exact (a unique key), likely (auto-accepted score), possible (review), none.
CREATE TABLE misswitch_work.decision (
    account_id       text   PRIMARY KEY,
    account_type     text   NOT NULL,
    tier             text   NOT NULL CHECK (tier IN ('exact', 'likely', 'possible', 'none')),
    new_load_id      bigint,
    new_mis_id       text,
    pass             text   NOT NULL,           -- the rule pass that decided
    score            double precision,
    runner_up_mis_id text,
    runner_up_score  double precision,
    reason           text   NOT NULL,           -- for people: why, or what to check
    CHECK (tier NOT IN ('exact', 'likely') OR new_mis_id IS NOT NULL)
);
-- Assignment is one-to-one: a new record is linked to at most one account.
CREATE UNIQUE INDEX decision_one_to_one ON misswitch_work.decision (new_load_id, new_mis_id)
    WHERE tier IN ('exact', 'likely');

-- When and with what rules the decisions were made.
CREATE TABLE misswitch_work.match_run (
    singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    rules_file  text        NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()
);

-- The relinks a plan carries: accounts whose MIS link changes, with the values the snapshot
-- showed (the guard) and the new link. Records without an MIS ID never appear here.
CREATE FUNCTION misswitch_work.plan_relinks()
RETURNS TABLE (account_id text, account_type text, expect_mis_source text, expect_mis_id text,
               new_mis_source text, new_mis_id text)
LANGUAGE sql STABLE
AS $$
    SELECT a.account_id, a.account_type, a.mis_source, a.mis_id, l.mis_source, d.new_mis_id
      FROM misswitch_work.decision d
      JOIN misswitch_staging.platform_account a USING (account_id)
      JOIN misswitch_staging.extract_load l ON l.load_id = d.new_load_id
     WHERE d.tier IN ('exact', 'likely')
       AND (a.mis_source, a.mis_id) IS DISTINCT FROM (l.mis_source, d.new_mis_id)
     ORDER BY a.account_type, a.account_id
$$;

-- The same rows as SQL VALUES lines, quoted by the server (format %L), for plan.sql.
CREATE FUNCTION misswitch_work.plan_relink_values()
RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    SELECT pg_catalog.format('(%L, %L, %L, %L, %L, %L)', account_id, account_type,
                             expect_mis_source, expect_mis_id, new_mis_source, new_mis_id)
      FROM misswitch_work.plan_relinks()
$$;

-- One row per platform account: what will happen to it, for report.csv/html.
CREATE FUNCTION misswitch_work.report_accounts()
RETURNS TABLE (account text, account_type text, username text, forename text, surname text,
               school text, decision text, new_id text, pass text, score double precision,
               reason text)
LANGUAGE sql STABLE
AS $$
    SELECT a.account_id, a.account_type, a.username, a.forename, a.surname, s.name,
           coalesce(d.tier, 'none'), d.new_mis_id, d.pass, d.score,
           coalesce(d.reason, 'not considered by any rule')
      FROM misswitch_staging.platform_account a
      LEFT JOIN misswitch_work.decision d USING (account_id)
      LEFT JOIN misswitch_staging.platform_school s ON s.school_id = a.school_id
     ORDER BY a.account_type, a.surname, a.forename, a.account_id
$$;

-- The review queue: the first four columns are those of an overrides file, so a reviewer
-- fills in `decision` (force, forbid, separate) and `note` and hands the file back.
CREATE FUNCTION misswitch_work.review_queue()
RETURNS TABLE (account text, target text, decision text, note text, reason text,
               score double precision, runner_up text)
LANGUAGE sql STABLE
AS $$
    SELECT d.account_id, d.new_mis_id, ''::text, ''::text, d.reason, d.score, d.runner_up_mis_id
      FROM misswitch_work.decision d
     WHERE d.tier = 'possible'
     ORDER BY d.account_type, d.account_id
$$;

-- Everyone the next routine import will create an account for (and so new credentials): new
-- records no account is linked to - joiners, and the records a review decision is still
-- pending on (resolving the review removes them). For the school's mail merge.
CREATE FUNCTION misswitch_work.new_accounts()
RETURNS TABLE (role text, new_id text, forename text, surname text, email text, school text,
               why text)
LANGUAGE sql STABLE
AS $$
    SELECT r.record_type, r.mis_id, r.forename, r.surname, r.email, r.school_key,
           CASE WHEN review.account_id IS NULL THEN 'no platform account matches'
                ELSE 'in review with account ' || review.account_id END
      FROM misswitch_work.new_record r
      LEFT JOIN LATERAL (SELECT min(d.account_id) AS account_id FROM misswitch_work.decision d
                          WHERE d.new_load_id = r.load_id AND d.new_mis_id = r.mis_id
                            AND d.tier = 'possible') review ON true
     WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.decision d
                        WHERE d.new_load_id = r.load_id AND d.new_mis_id = r.mis_id
                          AND d.tier IN ('exact', 'likely'))
     ORDER BY r.record_type, r.surname, r.forename, r.mis_id
$$;

-- Headline figures per role, for the report and the command summaries.
CREATE FUNCTION misswitch_work.summary()
RETURNS TABLE (role text, accounts bigint, relinked bigint, review bigint, unmatched bigint,
               new_accounts bigint)
LANGUAGE sql STABLE
AS $$
    WITH roles(role) AS (VALUES ('pupil'), ('staff'), ('parent')),
    accounts AS (
        SELECT a.account_type AS role, count(*) AS accounts,
               count(*) FILTER (WHERE d.tier IN ('exact', 'likely')) AS relinked,
               count(*) FILTER (WHERE d.tier = 'possible') AS review,
               count(*) FILTER (WHERE d.tier IS NULL OR d.tier = 'none') AS unmatched
          FROM misswitch_staging.platform_account a
          LEFT JOIN misswitch_work.decision d USING (account_id)
         GROUP BY a.account_type),
    fresh AS (SELECT n.role, count(*) AS new_accounts FROM misswitch_work.new_accounts() n GROUP BY n.role)
    SELECT r.role, coalesce(a.accounts, 0), coalesce(a.relinked, 0), coalesce(a.review, 0),
           coalesce(a.unmatched, 0), coalesce(f.new_accounts, 0)
      FROM roles r LEFT JOIN accounts a USING (role) LEFT JOIN fresh f USING (role)
     ORDER BY array_position(ARRAY['pupil', 'staff', 'parent'], r.role)
$$;

-- The statement plan.sql uses to carry its relinks: one INSERT whose VALUES the server quotes
-- (format %L), so plan.sql never reads staging and runs the same on live.
CREATE FUNCTION misswitch_work.plan_relink_statement()
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT 'INSERT INTO misswitch.run_relink (run_id, account_id, account_type, expect_mis_source, '
           || 'expect_mis_id, new_mis_source, new_mis_id)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(v, E',\n')
           || E'\n) AS v(account_id, account_type, expect_mis_source, expect_mis_id, new_mis_source, new_mis_id);'
      FROM misswitch_work.plan_relink_values() AS v
$$;

