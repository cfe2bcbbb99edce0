-- lib/rules.lua — the rule library: declarative match passes, checked and compiled to the SQL
-- that `misswitch match` runs (and `match --show-sql` prints). Rules never touch the platform:
-- they read misswitch_staging and write misswitch_work.decision.
local M = {}

-- Where each role's new records are staged, and the account type that role has on the platform.
local ROLES = {
  pupil = { records = "misswitch_staging.extract_pupil" },
  staff = { records = "misswitch_staging.extract_staff" },
  parent = { records = "misswitch_staging.extract_contact" },
}

-- Columns a rule may name: the platform account's and each role's record columns.
local ACCOUNT_COLUMNS = {
  account_id = true, username = true, forename = true, surname = true, dob = true, email = true,
  upn = true, mis_source = true, mis_id = true, school_id = true,
}
local RECORD_COLUMNS = {
  pupil = { mis_id = true, upn = true, former_upns = "array", legal_forename = true,
            legal_surname = true, preferred_forename = true, preferred_surname = true, dob = true,
            sex = true, email = true },
  staff = { mis_id = true, staff_code = true, teacher_number = true, ni_number = true,
            legal_forename = true, legal_surname = true, preferred_forename = true,
            preferred_surname = true, dob = true, email = true },
  parent = { mis_id = true, forename = true, surname = true, emails = "array", phones = "array" },
}

-- Errors name the rule file and line that declared the pass (level 3: the caller of exact()).
local function fail(message, level)
  error(message, level or 3)
end

function M.quote(text)
  return "'" .. tostring(text):gsub("'", "''") .. "'"
end

--[[
An exact-key pass: links an account to the new record that shares a key, when the key is unique
on both sides; a key shared by several accounts or records goes to review instead.
  name    = "pupil_upn"            unique among the passes
  role    = "pupil"                pupil, staff or parent
  account = "upn"                  the platform account's column
  record  = { "upn", "former_upns" }   record columns to compare with (arrays: any element)
  reason  = "same UPN"             what the report says
]]
function M.exact(spec)
  if type(spec) ~= "table" then fail("exact pass: expected a table") end
  if type(spec.name) ~= "string" or not spec.name:match("^[%a_][%w_]*$") then
    fail("exact pass: 'name' must be a plain identifier")
  end
  local role = ROLES[spec.role]
  if role == nil then
    fail("pass " .. spec.name .. ": unknown role '" .. tostring(spec.role) .. "' (pupil, staff or parent)")
  end
  if not ACCOUNT_COLUMNS[spec.account] then
    fail("pass " .. spec.name .. ": unknown account field '" .. tostring(spec.account) .. "'")
  end
  if type(spec.record) ~= "table" or #spec.record == 0 then
    fail("pass " .. spec.name .. ": 'record' must list the record fields to compare")
  end
  for _, column in ipairs(spec.record) do
    if not RECORD_COLUMNS[spec.role][column] then
      fail("pass " .. spec.name .. ": unknown " .. spec.role .. " record field '" .. tostring(column) .. "'")
    end
  end
  return { kind = "exact", name = spec.name, role = spec.role, account = spec.account,
           record = spec.record, reason = spec.reason or ("same " .. spec.account) }
end

local function exactSql(pass)
  local records = ROLES[pass.role].records
  local keys = {}
  for _, column in ipairs(pass.record) do
    local value = RECORD_COLUMNS[pass.role][column] == "array"
                  and "k.value FROM " .. records .. " r CROSS JOIN LATERAL pg_catalog.unnest(r." .. column .. ") AS k(value)"
                  or "r." .. column .. " FROM " .. records .. " r"
    keys[#keys + 1] = "    SELECT r.load_id, r.mis_id, " .. value
  end
  return table.concat({
    "-- pass " .. pass.name .. ": " .. pass.role .. " accounts whose " .. pass.account
      .. " equals a new record's " .. table.concat(pass.record, " or "),
    "WITH record_key (load_id, mis_id, value) AS (",
    table.concat(keys, "\n    UNION\n"),
    "), candidate AS (",
    "    SELECT DISTINCT a.account_id, k.load_id, k.mis_id",
    "      FROM misswitch_staging.platform_account a",
    "      JOIN record_key k ON k.value = a." .. pass.account,
    "      JOIN misswitch_staging.extract_load l ON l.load_id = k.load_id AND l.role = 'new'",
    "     WHERE a.account_type = " .. M.quote(pass.role),
    "       AND NOT EXISTS (SELECT 1 FROM misswitch_work.decision d WHERE d.account_id = a.account_id)",
    "       AND NOT EXISTS (SELECT 1 FROM misswitch_work.decision d",
    "                        WHERE d.new_load_id = k.load_id AND d.new_mis_id = k.mis_id",
    "                          AND d.tier IN ('exact', 'likely'))",
    "), counted AS (",
    "    SELECT c.*, pg_catalog.count(*) OVER (PARTITION BY c.account_id) AS per_account,",
    "           pg_catalog.count(*) OVER (PARTITION BY c.load_id, c.mis_id) AS per_record",
    "      FROM candidate c",
    ")",
    "INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, reason)",
    "SELECT DISTINCT ON (account_id) account_id, " .. M.quote(pass.role) .. ",",
    "       CASE WHEN per_account = 1 AND per_record = 1 THEN 'exact' ELSE 'possible' END,",
    "       load_id, mis_id, " .. M.quote(pass.name) .. ",",
    "       CASE WHEN per_account = 1 AND per_record = 1 THEN " .. M.quote(pass.reason),
    "            WHEN per_account > 1 THEN pg_catalog.format('" .. pass.account
      .. " matches %s new records', per_account)",
    "            ELSE pg_catalog.format('" .. pass.account .. " shared with %s other account(s)', per_record - 1) END",
    "  FROM counted",
    " ORDER BY account_id, load_id, mis_id;",
  }, "\n")
end

local COMPILERS = { exact = exactSql }

-- Every account no pass decided: 'none', with a reason a person can act on.
local function unmatchedSql(ruleset)
  local covered = {}
  for _, pass in ipairs(ruleset.passes) do covered[pass.role] = true end
  local reasons = {}
  for role in pairs(ROLES) do
    reasons[#reasons + 1] = "WHEN " .. M.quote(role) .. " THEN "
      .. M.quote(covered[role] and "no new record found: a leaver, or check the record"
                 or "no rule matches " .. role .. " accounts in this ruleset")
  end
  table.sort(reasons)
  return table.concat({
    "-- every account no pass decided",
    "INSERT INTO misswitch_work.decision (account_id, account_type, tier, pass, reason)",
    "SELECT a.account_id, a.account_type, 'none', 'unmatched',",
    "       CASE a.account_type " .. table.concat(reasons, " ") .. " END",
    "  FROM misswitch_staging.platform_account a",
    " WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.decision d WHERE d.account_id = a.account_id);",
  }, "\n")
end

-- Compiles a ruleset (the table a rules file returns) into the statements `match` runs, in
-- order, inside one transaction. rulesFile names the file in misswitch_work.match_run.
function M.compile(ruleset, rulesFile)
  if type(ruleset.passes) ~= "table" or #ruleset.passes == 0 then
    error("ruleset: 'passes' must list at least one pass", 0)
  end
  local statements = {
    { name = "reset", sql = "DELETE FROM misswitch_work.decision;\nDELETE FROM misswitch_work.match_run;" },
  }
  local seen = {}
  for i, pass in ipairs(ruleset.passes) do
    local compiler = type(pass) == "table" and COMPILERS[pass.kind]
    if not compiler then
      error("ruleset: passes[" .. i .. "] is not a pass (build passes with rules.exact{...})", 0)
    end
    if seen[pass.name] then error("ruleset: two passes are named '" .. pass.name .. "'", 0) end
    seen[pass.name] = true
    statements[#statements + 1] = { name = pass.name, sql = compiler(pass) }
  end
  statements[#statements + 1] = { name = "unmatched", sql = unmatchedSql(ruleset) }
  statements[#statements + 1] = {
    name = "record",
    sql = "INSERT INTO misswitch_work.match_run (rules_file, started_at) VALUES ("
          .. M.quote(rulesFile or "?") .. ", pg_catalog.transaction_timestamp());",
  }
  return statements
end

return M
