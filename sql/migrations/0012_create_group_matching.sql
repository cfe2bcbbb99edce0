-- 0012: groups (registration groups, classes) follow their people: each platform group is
-- matched to the new extract's group of the same school, code and academic year (then name
-- and year), one-to-one, and the plan relinks its MIS ID like an account's. Memberships are
-- never rewritten by a relink (merges move them; see 0010). Unmatched groups are reported.

-- The new extract's school section behind each platform school: where most of its relinked
-- pupils went.
CREATE VIEW misswitch_work.school_map AS
WITH votes AS (
    SELECT a.school_id, d.new_load_id, count(*) AS pupils
      FROM misswitch_work.decision d
      JOIN misswitch_staging.platform_account a USING (account_id)
     WHERE d.tier IN ('exact', 'likely') AND a.account_type = 'pupil'
     GROUP BY a.school_id, d.new_load_id)
SELECT DISTINCT ON (v.school_id) v.school_id, v.new_load_id, v.pupils
  FROM votes v ORDER BY v.school_id, v.pupils DESC, v.new_load_id;

CREATE TABLE misswitch_work.group_decision (
    group_id    text   PRIMARY KEY,
    tier        text   NOT NULL CHECK (tier IN ('exact', 'likely', 'possible', 'none')),
    new_load_id bigint,
    new_mis_id  text,
    pass        text   NOT NULL,
    reason      text   NOT NULL,
    CHECK (tier NOT IN ('exact', 'likely') OR new_mis_id IS NOT NULL)
);
CREATE UNIQUE INDEX group_decision_one_to_one ON misswitch_work.group_decision (new_load_id, new_mis_id)
    WHERE tier IN ('exact', 'likely');

-- Account and group decisions together, as eval and reports read them (account_type 'group').
CREATE VIEW misswitch_work.all_decision AS
SELECT d.account_id, d.account_type, d.tier, d.new_load_id, d.new_mis_id, d.pass, d.reason
  FROM misswitch_work.decision d
UNION ALL
SELECT g.group_id, 'group', g.tier, g.new_load_id, g.new_mis_id, g.pass, g.reason
  FROM misswitch_work.group_decision g;

-- The group relinks a plan carries.
CREATE FUNCTION misswitch_work.plan_group_relinks()
RETURNS TABLE (group_id text, expect_mis_source text, expect_mis_id text, new_mis_source text,
               new_mis_id text)
LANGUAGE sql STABLE
AS $$
    SELECT g.group_id, g.mis_source, g.mis_id, l.mis_source, d.new_mis_id
      FROM misswitch_work.group_decision d
      JOIN misswitch_staging.platform_group g USING (group_id)
      JOIN misswitch_staging.extract_load l ON l.load_id = d.new_load_id
     WHERE d.tier IN ('exact', 'likely')
       AND (g.mis_source, g.mis_id) IS DISTINCT FROM (l.mis_source, d.new_mis_id)
     ORDER BY g.group_id
$$;

CREATE TABLE misswitch.run_group_relink (
    run_id            bigint NOT NULL REFERENCES misswitch.run,
    group_id          text   NOT NULL,
    expect_mis_source text,
    expect_mis_id     text,
    new_mis_source    text   NOT NULL,
    new_mis_id        text   NOT NULL,
    PRIMARY KEY (run_id, group_id)
);

CREATE FUNCTION misswitch_work.plan_group_statements()
RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    SELECT 'INSERT INTO misswitch.run_group_relink (run_id, group_id, expect_mis_source, expect_mis_id, '
           || 'new_mis_source, new_mis_id)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L, %L, %L, %L, %L)', r.group_id,
                                                      r.expect_mis_source, r.expect_mis_id,
                                                      r.new_mis_source, r.new_mis_id), E',\n')
           || E'\n) AS v(group_id, expect_mis_source, expect_mis_id, new_mis_source, new_mis_id);'
      FROM misswitch_work.plan_group_relinks() r
    HAVING count(*) > 0
$$;

-- Every relinked group carries its new MIS ID (rows skipped as conflicts excepted).
CREATE FUNCTION misswitch.check_groups(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    expected bigint;
    missing  bigint;
BEGIN
    SELECT count(*), count(*) FILTER (WHERE g.group_id IS NULL OR (g.mis_source, g.mis_id)
                                            IS DISTINCT FROM (r.new_mis_source, r.new_mis_id))
      INTO expected, missing
      FROM misswitch.run_group_relink r
      LEFT JOIN pg_temp.misswitch_platform_group g USING (group_id)
     WHERE r.run_id = run
       AND NOT EXISTS (SELECT 1 FROM misswitch.run_conflict c
                        WHERE c.run_id = run AND c.step = 'relink_groups' AND c.item_id = r.group_id
                          AND c.skipped);
    RETURN QUERY SELECT 'groups'::text, missing = 0,
        CASE WHEN missing = 0 THEN pg_catalog.format('%s group(s) carry their new MIS ID', expected)
             ELSE pg_catalog.format('%s of %s group(s) lack their new MIS ID', missing, expected) END;
END
$$;

CREATE OR REPLACE FUNCTION misswitch.checks(run bigint)
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
    UNION ALL SELECT * FROM misswitch.check_groups(run)
$$;

-- The headline figures with a row for groups ("accounts" counts the platform's groups, "new"
-- the new extract's groups no platform group matched).
CREATE OR REPLACE FUNCTION misswitch_work.summary()
RETURNS TABLE (role text, accounts bigint, relinked bigint, review bigint, unmatched bigint,
               new_accounts bigint)
LANGUAGE sql STABLE
AS $$
    WITH roles(role, position) AS (VALUES ('pupil', 1), ('staff', 2), ('parent', 3)),
    accounts AS (
        SELECT a.account_type AS role, count(*) AS accounts,
               count(*) FILTER (WHERE d.tier IN ('exact', 'likely')) AS relinked,
               count(*) FILTER (WHERE d.tier = 'possible') AS review,
               count(*) FILTER (WHERE d.tier IS NULL OR d.tier = 'none') AS unmatched
          FROM misswitch_staging.platform_account a
          LEFT JOIN misswitch_work.decision d USING (account_id)
         GROUP BY a.account_type),
    fresh AS (SELECT n.role, count(*) AS new_accounts FROM misswitch_work.new_accounts() n GROUP BY n.role)
    SELECT role, accounts, relinked, review, unmatched, new_accounts FROM (
    SELECT r.role, r.position, coalesce(a.accounts, 0) AS accounts, coalesce(a.relinked, 0) AS relinked,
           coalesce(a.review, 0) AS review, coalesce(a.unmatched, 0) AS unmatched,
           coalesce(f.new_accounts, 0) AS new_accounts
      FROM roles r LEFT JOIN accounts a USING (role) LEFT JOIN fresh f USING (role)
    UNION ALL
    SELECT 'group', 4, count(*), count(*) FILTER (WHERE d.tier IN ('exact', 'likely')),
           count(*) FILTER (WHERE d.tier = 'possible'),
           count(*) FILTER (WHERE d.tier IS NULL OR d.tier = 'none'),
           (SELECT count(*) FROM misswitch_staging.extract_group x
              JOIN misswitch_staging.extract_load l USING (load_id)
             WHERE l.role = 'new'
               AND NOT EXISTS (SELECT 1 FROM misswitch_work.group_decision gd
                                WHERE gd.new_load_id = x.load_id AND gd.new_mis_id = x.mis_id
                                  AND gd.tier IN ('exact', 'likely', 'possible')))
      FROM misswitch_staging.platform_group g
      LEFT JOIN misswitch_work.group_decision d USING (group_id)) figures
    ORDER BY position
$$;
