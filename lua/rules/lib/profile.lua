-- lib/profile.lua — checks a platform profile and compiles it into the statements misswitch
-- runs: the COPY pairs of `load platform`, and the guarded, journaled steps of a plan.
--
-- A profile is a table { name = ..., read = {...}, write = {...} } (see profiles/reference.lua).
local M = {}

-- What each read query fills: its staging table and the columns it must return, by name.
M.READS = {
  { kind = "schools", table = "misswitch_staging.platform_school",
    columns = { "school_id", "name", "lea_code", "dfe_number", "urn" } },
  { kind = "accounts", table = "misswitch_staging.platform_account",
    columns = { "account_id", "account_type", "staff_role", "username", "forename", "surname",
                "dob", "email", "upn", "mis_source", "mis_id", "school_id", "created_at",
                "last_login", "disabled" } },
  { kind = "parent_links", table = "misswitch_staging.platform_parent_link",
    columns = { "parent_account", "child_account", "relationship" } },
  { kind = "groups", table = "misswitch_staging.platform_group",
    columns = { "group_id", "school_id", "code", "name", "kind", "academic_year", "mis_source",
                "mis_id" } },
  { kind = "memberships", table = "misswitch_staging.platform_membership",
    columns = { "group_id", "account_id" } },
  { kind = "content", table = "misswitch_staging.platform_content",
    columns = { "account_id", "kind", "items" } },
}

-- The change rows a relink step reads: misswitch.run_relink of the current run.
local RELINK_SOURCE = "misswitch.run_relink"
local RELINK_TYPES = { { type = "pupil", step = "relink_pupils" },
                       { type = "staff", step = "relink_staff" },
                       { type = "parent", step = "relink_parents" } }

local function fail(message)
  error("profile: " .. message, 0)
end

local function needString(value, where)
  if type(value) ~= "string" or value:match("^%s*$") then
    fail(where .. " must be a non-empty string")
  end
  return value
end

-- A qualified table name: schema.table, plain identifiers only.
local function needTable(value, where)
  needString(value, where)
  if not value:match("^[%a_][%w_]*%.[%a_][%w_]*$") then
    fail(where .. " must be a schema-qualified table name, got '" .. value .. "'")
  end
  return value
end

local function needIdentifierList(value, where)
  if type(value) ~= "table" or #value == 0 then
    fail(where .. " must be a non-empty list of column names")
  end
  for i, column in ipairs(value) do
    if type(column) ~= "string" or not column:match("^[%a_][%w_]*$") then
      fail(where .. "[" .. i .. "] must be a plain column name")
    end
  end
  return value
end

local function checkProfile(profile)
  if type(profile.read) ~= "table" then fail("'read' must be a table of queries") end
  for kind in pairs(profile.read) do
    local known = false
    for _, read in ipairs(M.READS) do known = known or read.kind == kind end
    if not known then fail("read." .. tostring(kind) .. " is not a kind of fact misswitch reads") end
  end
  for _, read in ipairs(M.READS) do
    needString(profile.read[read.kind], "read." .. read.kind)
  end
end

-- `load platform`: "truncate", then "<kind>.out" (COPY ... TO STDOUT, run on the platform) and
-- "<kind>.in" (COPY ... FROM STDIN, run on the working database) for every kind of fact.
function M.read_statements(profile)
  checkProfile(profile)
  local statements, targets = {}, {}
  for _, read in ipairs(M.READS) do targets[#targets + 1] = read.table end
  statements[1] = { name = "truncate", sql = "TRUNCATE " .. table.concat(targets, ", ") }
  for _, read in ipairs(M.READS) do
    local columns = table.concat(read.columns, ", ")
    statements[#statements + 1] = {
      name = read.kind .. ".out",
      sql = "COPY (SELECT " .. columns .. " FROM (" .. profile.read[read.kind]
            .. "\n) AS q) TO STDOUT",
    }
    statements[#statements + 1] = {
      name = read.kind .. ".in",
      sql = "COPY " .. read.table .. " (" .. columns .. ") FROM STDIN",
    }
  end
  return statements
end

-- The views of the platform the conversion checks read: pg_temp.misswitch_platform_<view>.
local CHECK_VIEWS = { schools = "school", accounts = "account", parent_links = "parent_link",
                      groups = "group", memberships = "membership", content = "content" }

local function quote(text)
  return "'" .. text:gsub("'", "''") .. "'"
end

-- Recorded with the run (misswitch.run_view), then created: verify and the pgTAP suites
-- recreate them from the run, so they read the platform exactly as the run did.
local function checkViews(profile)
  local values = {}
  for _, read in ipairs(M.READS) do
    local view = CHECK_VIEWS[read.kind]
    if view then
      values[#values + 1] = "(misswitch.current_run(), 'misswitch_platform_" .. view .. "', "
        .. quote("SELECT " .. table.concat(read.columns, ", ") .. " FROM (" .. profile.read[read.kind]
                 .. "\n) AS q") .. ")"
    end
  end
  return {
    { name = "view:platform",
      sql = "INSERT INTO misswitch.run_view (run_id, view_name, definition) VALUES\n"
            .. table.concat(values, ",\n") .. ";\n"
            .. "SELECT misswitch.create_check_views(misswitch.current_run());" },
  }
end

-- Rows of a change source the platform no longer holds as the snapshot showed them: conflicts,
-- recorded per step before anything changes. `spec` is an update template (table, key, match,
-- guard); `source` names the plan's change table, its id column and the expected values.
local function updateConflicts(stepName, spec, source)
  local firstKey = "target." .. spec.key[1]
  return table.concat({
    "INSERT INTO misswitch.run_conflict (run_id, step, item_id, expected, found)",
    "SELECT c.run_id, '" .. stepName .. "', c." .. source.id .. ", " .. source.expected .. ",",
    "       CASE WHEN " .. firstKey .. " IS NULL THEN NULL ELSE pg_catalog.to_jsonb(target) END",
    "  FROM " .. source.table .. " c",
    "  LEFT JOIN " .. spec.table .. " target ON " .. spec.match,
    " WHERE c.run_id = misswitch.current_run()",
    "   AND (" .. firstKey .. " IS NULL OR NOT (" .. spec.guard .. "));",
  }, "\n")
end

local RELINK_EXPECTED = "pg_catalog.jsonb_build_object('mis_source', c.expect_mis_source, 'mis_id', c.expect_mis_id)"

-- An "update" relink compares the joined target row; an "insert" relink (a link-table
-- platform) evaluates the profile's guard and `found` expressions over the change row alone.
local function relinkConflicts(relink)
  if relink.operation ~= "insert" then
    return updateConflicts("relink", relink,
                           { table = RELINK_SOURCE, id = "account_id", expected = RELINK_EXPECTED })
  end
  return table.concat({
    "INSERT INTO misswitch.run_conflict (run_id, step, item_id, expected, found)",
    "SELECT c.run_id, 'relink', c.account_id, " .. RELINK_EXPECTED .. ",",
    "       " .. relink.found,
    "  FROM " .. RELINK_SOURCE .. " c",
    " WHERE c.run_id = misswitch.current_run() AND NOT (" .. relink.guard .. ");",
  }, "\n")
end

-- One set-based, guarded, journaled INSERT (a relink on a platform whose MIS links live in a
-- link table keyed by source): the journal records the new row; revert deletes it.
local function journaledInsert(change)
  local keyPairs = {}
  for _, column in ipairs(change.key) do
    keyPairs[#keyPairs + 1] = "'" .. column .. "', changed." .. column
  end
  return table.concat({
    "WITH changed AS (",
    "    INSERT INTO " .. change.table .. " AS target (" .. table.concat(change.columns, ", ") .. ")",
    "    SELECT " .. table.concat(change.values, ", "),
    "      FROM " .. change.from,
    "     WHERE " .. change.where,
    "    RETURNING target.*)",
    "INSERT INTO misswitch.journal (run_id, step, operation, table_name, row_key, old_row, new_row)",
    "SELECT misswitch.current_run(), '" .. change.step .. "', 'INSERT', '" .. change.table .. "',",
    "       pg_catalog.jsonb_build_object(" .. table.concat(keyPairs, ", ") .. "),",
    "       NULL, pg_catalog.to_jsonb(changed)",
    "  FROM changed;",
  }, "\n")
end

-- One set-based, guarded, journaled UPDATE: the WITH's UPDATE and the outer SELECT share one
-- snapshot, so `old` reads each row as it was before the change.
--   change = { step, table, key, set, from (optional extra FROM), where }
local function journaledUpdate(change)
  local keyPairs, keyJoin = {}, {}
  for _, column in ipairs(change.key) do
    keyPairs[#keyPairs + 1] = "'" .. column .. "', changed." .. column
    keyJoin[#keyJoin + 1] = "old." .. column .. " = changed." .. column
  end
  local lines = { "WITH changed AS (",
                  "    UPDATE " .. change.table .. " AS target SET " .. change.set }
  if change.from then lines[#lines + 1] = "      FROM " .. change.from end
  lines[#lines + 1] = "     WHERE " .. change.where
  for _, line in ipairs({
    "    RETURNING target.*)",
    "INSERT INTO misswitch.journal (run_id, step, operation, table_name, row_key, old_row, new_row)",
    "SELECT misswitch.current_run(), '" .. change.step .. "', 'UPDATE', '" .. change.table .. "',",
    "       pg_catalog.jsonb_build_object(" .. table.concat(keyPairs, ", ") .. "),",
    "       pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(changed)",
    "  FROM changed JOIN " .. change.table .. " AS old ON " .. table.concat(keyJoin, " AND ") .. ";",
  }) do lines[#lines + 1] = line end
  return table.concat(lines, "\n")
end

local function relinkStep(step, accountType, relink)
  if relink.operation == "insert" then
    return journaledInsert {
      step = step, table = relink.table, key = relink.key, columns = relink.columns,
      values = relink.values, from = RELINK_SOURCE .. " c",
      where = "c.run_id = misswitch.current_run() AND c.account_type = '" .. accountType .. "'\n"
              .. "       AND " .. relink.guard,
    }
  end
  return journaledUpdate {
    step = step, table = relink.table, key = relink.key, set = relink.set,
    from = RELINK_SOURCE .. " c",
    where = "c.run_id = misswitch.current_run() AND c.account_type = '" .. accountType .. "'\n"
            .. "       AND " .. relink.match .. "\n       AND " .. relink.guard,
  }
end

-- School code changes, username renames and group relinks: guarded UPDATE templates over the
-- plan's misswitch.run_school (school_id, expect_lea_code, expect_dfe_number, new_lea_code,
-- new_dfe_number, new_urn), misswitch.run_rename (account_id, expect_username, new_username)
-- and misswitch.run_group_relink (group_id, expect_mis_source, expect_mis_id, new_mis_source,
-- new_mis_id).
local SIMPLE_UPDATES = {
  { name = "school_codes", source = { table = "misswitch.run_school", id = "school_id",
      expected = "pg_catalog.jsonb_build_object('lea_code', c.expect_lea_code, 'dfe_number', c.expect_dfe_number)" } },
  { name = "rename_usernames", profile = "rename", source = { table = "misswitch.run_rename", id = "account_id",
      expected = "pg_catalog.jsonb_build_object('username', c.expect_username)" } },
  { name = "relink_groups", profile = "group_relink", source = { table = "misswitch.run_group_relink",
      id = "group_id", expected = "pg_catalog.jsonb_build_object('mis_source', c.expect_mis_source, "
                                  .. "'mis_id', c.expect_mis_id)" } },
}

local function checkUpdate(spec, where)
  if type(spec) ~= "table" then fail(where .. " must describe a guarded update (table, key, match, guard, set)") end
  needTable(spec.table, where .. ".table")
  needIdentifierList(spec.key, where .. ".key")
  needString(spec.match, where .. ".match")
  needString(spec.guard, where .. ".guard")
  needString(spec.set, where .. ".set")
  return spec
end

local function checkImporter(profile)
  local importer = type(profile.write) == "table" and profile.write.importer
  if type(importer) ~= "table" then
    fail("write.importer must describe the platform's importer (table, key, frozen, freeze)")
  end
  needTable(importer.table, "write.importer.table")
  needIdentifierList(importer.key, "write.importer.key")
  needString(importer.frozen, "write.importer.frozen")
  needString(importer.freeze, "write.importer.freeze")
  return importer
end

-- The statement every plan runs before changing anything: stop unless the importer is frozen.
local function requireFrozen(importer)
  return "SELECT misswitch.require_frozen((SELECT pg_catalog.count(*) FROM " .. importer.table
         .. " AS target WHERE NOT (" .. importer.frozen .. ")));"
end

-- `freeze`: stop every importer schedule still active, journaled (thaw reverts this run).
function M.freeze_steps(profile)
  checkProfile(profile)
  local importer = checkImporter(profile)
  return {
    { name = "step:freeze", sql = journaledUpdate {
        step = "freeze", table = importer.table, key = importer.key, set = importer.freeze,
        where = "NOT (" .. importer.frozen .. ")" } },
    { name = "freeze:check", sql = requireFrozen(importer) },
  }
end

-- Merging a duplicate into the kept account: rows that would repeat one the person already
-- has are deleted (journaled), the rest re-pointed (journaled UPDATE; the key may change, so
-- each old row is found by its unchanged columns and the account it belonged to).
local MERGE_SOURCE = "misswitch.run_merge"

local function mergeMove(move, idType)
  local cast = function(expression) return expression .. "::" .. idType end
  local statements = {}
  local others = {}
  for _, column in ipairs(move.key) do
    if column ~= move.column then others[#others + 1] = column end
  end
  if move.unique then
    local same = {}
    for _, column in ipairs(move.unique) do same[#same + 1] = "other." .. column .. " = target." .. column end
    local keyPairs = {}
    for _, column in ipairs(move.key) do keyPairs[#keyPairs + 1] = "'" .. column .. "', removed." .. column end
    statements[#statements + 1] = table.concat({
      "WITH removed AS (",
      "    DELETE FROM " .. move.table .. " AS target USING " .. MERGE_SOURCE .. " c",
      "     WHERE c.run_id = misswitch.current_run() AND target." .. move.column .. " = " .. cast("c.account_id"),
      "       AND EXISTS (SELECT 1 FROM " .. move.table .. " other",
      "                    WHERE " .. table.concat(same, " AND "),
      "                      AND (other." .. move.column .. " = " .. cast("c.keep_account_id"),
      "                           OR other." .. move.column .. " IN (SELECT " .. cast("m.account_id") .. " FROM " .. MERGE_SOURCE .. " m",
      "                                WHERE m.run_id = c.run_id AND m.keep_account_id = c.keep_account_id",
      "                                  AND m.account_id < c.account_id)))",
      "    RETURNING target.*)",
      "INSERT INTO misswitch.journal (run_id, step, operation, table_name, row_key, old_row, new_row)",
      "SELECT misswitch.current_run(), 'merge_" .. move.name .. "', 'DELETE', '" .. move.table .. "',",
      "       pg_catalog.jsonb_build_object(" .. table.concat(keyPairs, ", ") .. "), pg_catalog.to_jsonb(removed), NULL",
      "  FROM removed;",
    }, "\n")
  end
  local keyPairs, oldJoin = {}, {}
  for _, column in ipairs(move.key) do keyPairs[#keyPairs + 1] = "'" .. column .. "', changed." .. column end
  for _, column in ipairs(others) do oldJoin[#oldJoin + 1] = "old." .. column .. " = changed." .. column end
  oldJoin[#oldJoin + 1] = "old." .. move.column .. "::text = changed.misswitch_from"
  statements[#statements + 1] = table.concat({
    "WITH changed AS (",
    "    UPDATE " .. move.table .. " AS target SET " .. move.column .. " = " .. cast("c.keep_account_id"),
    "      FROM " .. MERGE_SOURCE .. " c",
    "     WHERE c.run_id = misswitch.current_run() AND target." .. move.column .. " = " .. cast("c.account_id"),
    "    RETURNING target.*, c.account_id AS misswitch_from)",
    "INSERT INTO misswitch.journal (run_id, step, operation, table_name, row_key, old_row, new_row)",
    "SELECT misswitch.current_run(), 'merge_" .. move.name .. "', 'UPDATE', '" .. move.table .. "',",
    "       pg_catalog.jsonb_build_object(" .. table.concat(keyPairs, ", ") .. "),",
    "       pg_catalog.to_jsonb(old), pg_catalog.to_jsonb(changed) - 'misswitch_from'",
    "  FROM changed JOIN " .. move.table .. " AS old ON " .. table.concat(oldJoin, " AND ") .. ";",
  }, "\n")
  return table.concat(statements, "\n")
end

local function checkMerge(profile)
  local merge = profile.write.merge
  if type(merge) ~= "table" then
    fail("write.merge must describe how to merge duplicate accounts (id_type, moves, disable)")
  end
  needString(merge.id_type, "write.merge.id_type")
  if type(merge.moves) ~= "table" then fail("write.merge.moves must list the tables to move") end
  for i, move in ipairs(merge.moves) do
    local where = "write.merge.moves[" .. i .. "]"
    needString(move.name, where .. ".name")
    needTable(move.table, where .. ".table")
    needIdentifierList(move.key, where .. ".key")
    needString(move.column, where .. ".column")
    if move.unique then needIdentifierList(move.unique, where .. ".unique") end
  end
  local disable = merge.disable
  if type(disable) ~= "table" then fail("write.merge.disable must describe how to disable an account") end
  needTable(disable.table, "write.merge.disable.table")
  needIdentifierList(disable.key, "write.merge.disable.key")
  needString(disable.match, "write.merge.disable.match")
  needString(disable.set, "write.merge.disable.set")
  return merge
end

-- A plan's platform-specific statements, in order: "view:*" (set up before any change),
-- "freeze:check" (the importer must be frozen), "conflicts:*" (compare every guarded row
-- first), "facts:before" (what each merged person has), "step:*" (one savepointed step each:
-- relinks per role, then merges, then disabling the duplicates).
function M.write_steps(profile)
  checkProfile(profile)
  if type(profile.write) ~= "table" or type(profile.write.relink) ~= "table" then
    fail("write.relink must describe how to relink an account")
  end
  local relink = profile.write.relink
  needTable(relink.table, "write.relink.table")
  needIdentifierList(relink.key, "write.relink.key")
  needString(relink.guard, "write.relink.guard")
  if relink.operation == "insert" then
    needIdentifierList(relink.columns, "write.relink.columns")
    if type(relink.values) ~= "table" or #relink.values ~= #relink.columns then
      fail("write.relink.values must give one expression per column")
    end
    needString(relink.found, "write.relink.found")
  elseif relink.operation == nil or relink.operation == "update" then
    needString(relink.match, "write.relink.match")
    needString(relink.set, "write.relink.set")
  else
    fail("write.relink.operation must be 'update' or 'insert'")
  end

  local importer = checkImporter(profile)
  local merge = checkMerge(profile)

  local statements = checkViews(profile)
  statements[#statements + 1] = { name = "freeze:check", sql = requireFrozen(importer) }
  statements[#statements + 1] = { name = "conflicts:relink", sql = relinkConflicts(relink) }
  local updates = {}
  for _, update in ipairs(SIMPLE_UPDATES) do
    local key = update.profile or update.name
    local spec = checkUpdate(profile.write[key], "write." .. key)
    updates[#updates + 1] = { name = update.name, spec = spec, source = update.source }
    statements[#statements + 1] = { name = "conflicts:" .. update.name,
                                    sql = updateConflicts(update.name, spec, update.source) }
  end
  statements[#statements + 1] = { name = "conflicts:assert", sql = "SELECT misswitch.run_assert_no_conflicts();" }
  statements[#statements + 1] = { name = "facts:before", sql = "SELECT misswitch.record_facts('before');" }
  for _, kind in ipairs(RELINK_TYPES) do
    statements[#statements + 1] = { name = "step:" .. kind.step,
                                    sql = relinkStep(kind.step, kind.type, relink) }
  end
  for _, move in ipairs(merge.moves) do
    statements[#statements + 1] = { name = "step:merge_" .. move.name, sql = mergeMove(move, merge.id_type) }
  end
  for _, update in ipairs(updates) do
    statements[#statements + 1] = {
      name = "step:" .. update.name,
      sql = journaledUpdate {
        step = update.name, table = update.spec.table, key = update.spec.key, set = update.spec.set,
        from = update.source.table .. " c",
        where = "c.run_id = misswitch.current_run()\n       AND " .. update.spec.match
                .. "\n       AND " .. update.spec.guard,
      },
    }
  end
  statements[#statements + 1] = {
    name = "step:disable_duplicates",
    sql = journaledUpdate {
      step = "disable_duplicates", table = merge.disable.table, key = merge.disable.key,
      set = merge.disable.set, from = MERGE_SOURCE .. " c",
      where = "c.run_id = misswitch.current_run() AND " .. merge.disable.match,
    },
  }
  return statements
end

return M
