-- Profile of the second test platform (sql/platform/linked/schema.sql): people and accounts in
-- separate tables, MIS links in a link table keyed by source. A relink here is an INSERT of the
-- new source's link (the newest link is the account's current one); revert deletes it.
local CURRENT_LINK = [[
  (SELECT ROW(l.source, l.external_id) FROM vle.mis_link l
    WHERE l.account_id = c.account_id::bigint ORDER BY l.linked_at DESC, l.source LIMIT 1)]]

return {
  name = "linked",

  read = {
    schools = [[
      SELECT e.establishment_id::text AS school_id, e.title AS name, e.la_code AS lea_code,
             e.estab_no AS dfe_number, e.urn
        FROM vle.establishment e]],

    accounts = [[
      SELECT a.account_id::text AS account_id,
             CASE a.kind WHEN 'learner' THEN 'pupil' WHEN 'guardian' THEN 'parent' ELSE 'staff' END
               AS account_type,
             CASE WHEN a.kind IN ('teacher', 'staff') THEN a.kind END AS staff_role,
             a.login AS username, p.given_name AS forename, p.family_name AS surname,
             p.birth_date AS dob, a.email, p.upn, l.source AS mis_source, l.external_id AS mis_id,
             p.establishment_id::text AS school_id, a.created AS created_at,
             a.last_seen AS last_login, NOT a.active AS disabled
        FROM vle.account a
        JOIN vle.person p USING (person_id)
        LEFT JOIN LATERAL (SELECT m.source, m.external_id FROM vle.mis_link m
                            WHERE m.account_id = a.account_id
                            ORDER BY m.linked_at DESC, m.source LIMIT 1) l ON true]],

    parent_links = [[
      SELECT g.guardian_account::text AS parent_account, g.learner_account::text AS child_account,
             g.kind AS relationship
        FROM vle.guardianship g]],

    groups = [[
      SELECT c.cohort_id::text AS group_id, c.establishment_id::text AS school_id,
             c.short_code AS code, c.title AS name, c.cohort_type AS kind,
             c.year_label AS academic_year, c.source AS mis_source, c.external_id AS mis_id
        FROM vle.cohort c]],

    memberships = [[
      SELECT m.cohort_id::text AS group_id, m.account_id::text AS account_id
        FROM vle.cohort_member m]],

    content = [[
      SELECT a.owner::text AS account_id, a.type AS kind, count(*) AS items
        FROM vle.artefact a
       GROUP BY a.owner, a.type]],
  },

  write = {
    relink = {
      operation = "insert",
      table = "vle.mis_link",
      key = { "account_id", "source" },
      columns = { "account_id", "source", "external_id", "linked_at" },
      values = { "c.account_id::bigint", "c.new_mis_source", "c.new_mis_id",
                 "pg_catalog.clock_timestamp()" },
      -- the account still carries the link the snapshot showed, and has none from the new MIS
      guard = CURRENT_LINK .. " IS NOT DISTINCT FROM (c.expect_mis_source, c.expect_mis_id)"
           .. " AND NOT EXISTS (SELECT 1 FROM vle.mis_link n WHERE n.account_id = c.account_id::bigint"
           .. " AND n.source = c.new_mis_source)",
      found = "(SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.linked_at)"
           .. " FROM vle.mis_link l WHERE l.account_id = c.account_id::bigint)",
    },

    school_codes = {
      table = "vle.establishment",
      key = { "establishment_id" },
      match = "target.establishment_id = c.school_id::integer",
      guard = "(target.la_code, target.estab_no) IS NOT DISTINCT FROM (c.expect_lea_code, c.expect_dfe_number)",
      set = "la_code = c.new_lea_code, estab_no = c.new_dfe_number, urn = coalesce(c.new_urn, target.urn)",
    },
    rename = {
      table = "vle.account",
      key = { "account_id" },
      match = "target.account_id = c.account_id::bigint",
      guard = "target.login = c.expect_username",
      set = "login = c.new_username",
    },

    -- A group's MIS link (c: misswitch.run_group_relink); its memberships are left alone.
    group_relink = {
      table = "vle.cohort",
      key = { "cohort_id" },
      match = "target.cohort_id = c.group_id::bigint",
      guard = "target.source IS NOT DISTINCT FROM c.expect_mis_source"
           .. " AND target.external_id IS NOT DISTINCT FROM c.expect_mis_id",
      set = "source = c.new_mis_source, external_id = c.new_mis_id",
    },

    merge = {
      id_type = "bigint",
      moves = {
        { name = "content", table = "vle.artefact", key = { "artefact_id" }, column = "owner" },
        { name = "parent_links", table = "vle.guardianship",
          key = { "guardian_account", "learner_account" }, column = "guardian_account",
          unique = { "learner_account" } },
        { name = "memberships", table = "vle.cohort_member", key = { "cohort_id", "account_id" },
          column = "account_id", unique = { "cohort_id" } },
      },
      disable = {
        table = "vle.account",
        key = { "account_id" },
        match = "target.account_id = c.account_id::bigint AND target.active",
        set = "active = false",
      },
    },

    importer = {
      table = "vle.sync_job",
      key = { "establishment_id" },
      frozen = "target.paused",
      freeze = "paused = true",
    },
  },
}
