-- Profile of the reference platform (sql/platform/schema.sql): the only file outside
-- sql/platform/ that names platform tables. A platform of another shape needs only another
-- profile like this one; lib/profile.lua says what each part must provide.
return {
  name = "reference",

  -- One query per kind of fact, each returning the columns of its staging table by name.
  read = {
    schools = [[
      SELECT s.school_id::text AS school_id, s.name, s.lea_code, s.dfe_number, s.urn
        FROM platform.school s]],

    accounts = [[
      SELECT u.user_id::text AS account_id, u.user_type AS account_type, u.staff_role,
             u.username, u.forename, u.surname, u.dob, u.email, u.upn, u.mis_source, u.mis_id,
             u.school_id::text AS school_id, u.created_at, u.last_login, u.disabled
        FROM platform.users u]],

    parent_links = [[
      SELECT pc.parent_id::text AS parent_account, pc.child_id::text AS child_account,
             pc.relationship
        FROM platform.parent_child pc]],

    groups = [[
      SELECT g.group_id::text AS group_id, g.school_id::text AS school_id, g.code, g.name,
             g.kind, g.academic_year, g.mis_source, g.mis_id
        FROM platform.groups g]],

    memberships = [[
      SELECT m.group_id::text AS group_id, m.user_id::text AS account_id
        FROM platform.group_members m]],

    content = [[
      SELECT c.owner_id::text AS account_id, c.kind, count(*) AS items
        FROM platform.content c
       GROUP BY c.owner_id, c.kind]],
  },

  -- Statement templates for each kind of change. `c` is the change row the plan carries
  -- (misswitch.run_relink: account_id, account_type, expect_mis_source, expect_mis_id,
  -- new_mis_source, new_mis_id); `target` names the platform row being changed. A relink is an
  -- "update" (the default, here) or an "insert" into a link table (see profiles/linked.lua).
  write = {
    relink = {
      table = "platform.users",
      key = { "user_id" },
      match = "target.user_id = c.account_id::bigint",
      guard = "target.mis_source IS NOT DISTINCT FROM c.expect_mis_source"
           .. " AND target.mis_id IS NOT DISTINCT FROM c.expect_mis_id",
      set = "mis_source = c.new_mis_source, mis_id = c.new_mis_id",
    },

    -- A school whose LEA/DfE code changes with the move (c: misswitch.run_school), and the
    -- usernames the rules rename because they embed the old code (c: misswitch.run_rename).
    school_codes = {
      table = "platform.school",
      key = { "school_id" },
      match = "target.school_id = c.school_id::integer",
      guard = "(target.lea_code, target.dfe_number) IS NOT DISTINCT FROM (c.expect_lea_code, c.expect_dfe_number)",
      set = "lea_code = c.new_lea_code, dfe_number = c.new_dfe_number, urn = coalesce(c.new_urn, target.urn)",
    },
    rename = {
      table = "platform.users",
      key = { "user_id" },
      match = "target.user_id = c.account_id::bigint",
      guard = "target.username = c.expect_username",
      set = "username = c.new_username",
    },

    -- A group's MIS link (c: misswitch.run_group_relink); its memberships are left alone.
    group_relink = {
      table = "platform.groups",
      key = { "group_id" },
      match = "target.group_id = c.group_id::bigint",
      guard = "target.mis_source IS NOT DISTINCT FROM c.expect_mis_source"
           .. " AND target.mis_id IS NOT DISTINCT FROM c.expect_mis_id",
      set = "mis_source = c.new_mis_source, mis_id = c.new_mis_id",
    },

    -- Merging a duplicate account into the one the person uses: each move re-points a table's
    -- rows from the duplicate to the kept account (`unique`: columns that, with the account,
    -- identify a fact, so a row the kept account already has is deleted instead); then the
    -- duplicate is disabled, never deleted. Account ids are `id_type` in this platform.
    merge = {
      id_type = "bigint",
      moves = {
        { name = "content", table = "platform.content", key = { "content_id" }, column = "owner_id" },
        { name = "parent_links", table = "platform.parent_child", key = { "parent_id", "child_id" },
          column = "parent_id", unique = { "child_id" } },
        { name = "memberships", table = "platform.group_members", key = { "group_id", "user_id" },
          column = "user_id", unique = { "group_id" } },
      },
      disable = {
        table = "platform.users",
        key = { "user_id" },
        match = "target.user_id = c.account_id::bigint AND NOT target.disabled",
        set = "disabled = true",
      },
    },

    -- The platform's own MIS importer: `freeze` stops it (journaled), `thaw` restores exactly
    -- what freeze recorded, and every plan refuses to run while a schedule is still active.
    importer = {
      table = "platform.importer_schedule",
      key = { "school_id" },
      frozen = "NOT target.enabled",
      freeze = "enabled = false",
    },
  },
}
