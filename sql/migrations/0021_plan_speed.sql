-- 0021: plan at a million pupils (93 s, 7 s at 100 k: 13x for 10x the data). What grew faster
-- than the data were sorts no reader needed:
-- * plan_relinks() sorts its rows (plan.sql lists them in order) and plan_data_statements()
--   joined it twice, so every relinked account (2.6 M at 1 M pupils) was sorted twice more just to
--   be joined. The rows come unsorted from relinks(); plan_relinks() sorts them once, for plan.sql.
-- * the leavers that relinked parents are linked to were found from every parent link (4.2 M
--   rows, each link and the account it is merged into) joined to every relink, then cut down to
--   the 35 k pupil leavers: now from the leavers' own links, then the few parents they name.
-- * summary() counted new accounts through new_accounts(), which sorts them by name and looks up
--   each one's review: a count needs neither. `match` and `plan` each print the summary.
-- Same statements, same rows, same order everywhere (pgTAP 016 and 018; plan_data_statements()
-- and summary() compared row by row before and after at 100 k and 1 M pupils, and the plan
-- folder at 100 k, which differs only in its hash and time).

CREATE FUNCTION misswitch_work.relinks()
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
$$;

CREATE OR REPLACE FUNCTION misswitch_work.plan_relinks()
RETURNS TABLE (account_id text, account_type text, expect_mis_source text, expect_mis_id text,
               new_mis_source text, new_mis_id text)
LANGUAGE sql STABLE
AS $$
    SELECT r.* FROM misswitch_work.relinks() r ORDER BY r.account_type, r.account_id
$$;

-- As 0019's, with relinks() for the relationships and the leavers found from their own links.
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
              FROM misswitch_work.relinks() pr
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
    -- pupil leavers (leavers(): unmatched, not a duplicate) a relinked parent, or the account a
    -- parent is merged into, is linked to
    SELECT 'INSERT INTO misswitch.run_leaver (run_id, account_id)' || E'\n'
           || 'SELECT misswitch.current_run(), v.account_id FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L)', x.account_id), E',\n' ORDER BY x.account_id)
           || E'\n) AS v(account_id);'
      FROM (SELECT DISTINCT lp.leaver AS account_id
              FROM (SELECT lv.account_id AS leaver, parent.account_id AS parent
                      FROM misswitch_work.decision lv
                      JOIN misswitch_staging.platform_parent_link l ON l.child_account = lv.account_id
                      LEFT JOIN misswitch_work.duplicate d ON d.account_id = l.parent_account
                      CROSS JOIN LATERAL (VALUES (l.parent_account), (d.keep_account_id)) parent(account_id)
                     WHERE lv.tier = 'none' AND lv.pass = 'unmatched' AND lv.account_type = 'pupil'
                       AND NOT EXISTS (SELECT 1 FROM misswitch_work.duplicate x WHERE x.account_id = lv.account_id)
                       AND parent.account_id IS NOT NULL
                    OFFSET 0) lp   -- (the leavers' parents first: a few per leaver)
              JOIN misswitch_work.decision pd ON pd.account_id = lp.parent AND pd.tier IN ('exact', 'likely')
              JOIN misswitch_staging.platform_account a ON a.account_id = pd.account_id
              JOIN misswitch_staging.extract_load l ON l.load_id = pd.new_load_id
             WHERE a.account_type = 'parent'
               AND (a.mis_source, a.mis_id) IS DISTINCT FROM (l.mis_source, pd.new_mis_id)) x
    HAVING count(*) > 0
$$;

-- As 0012's, with the new accounts counted directly.
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
    fresh AS (
        SELECT r.record_type AS role, count(*) AS new_accounts
          FROM misswitch_work.new_record r
         WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.decision d
                            WHERE d.new_load_id = r.load_id AND d.new_mis_id = r.mis_id
                              AND d.tier IN ('exact', 'likely'))
         GROUP BY r.record_type)
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
