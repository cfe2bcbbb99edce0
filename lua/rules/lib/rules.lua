-- lib/rules.lua — the rule library: declarative match passes, checked where they are written
-- and compiled to the SQL that `misswitch match` runs (and `match --show-sql` prints). Rules
-- never touch the platform: their SQL reads misswitch_staging and writes misswitch_work, and
-- runs as the misswitch_rules role (see lib/match_sql.lua for the SQL of each kind of pass).
local sql = require("lib.match_sql")

local usernames = require("lib.usernames")
local groups = require("lib.groups")
local M = {}
M.quote = sql.quote

-- Columns a pass may name: the prepared platform account's (misswitch_work.account_person:
-- staff codes, phones and postcode come from the old MIS extract when it is loaded) and each
-- role's new record columns ("array": any element matches).
local ACCOUNT_COLUMNS = {
  account_id = true, username = true, forename = true, surname = true, dob = true, email = true,
  upn = true, mis_source = true, mis_id = true, staff_code = true, teacher_number = true,
  ni_number = true, postcode = true,
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

-- Errors name the rule file and line that wrote the pass: level 3 is the caller of the
-- library function that called fail().
local function fail(message, level)
  error(message, level or 3)
end

local function identifier(spec, what)
  if type(spec) ~= "table" then fail(what .. ": expected a table", 4) end
  if type(spec.name) ~= "string" or not spec.name:match("^[%a_][%w_]*$") then
    fail(what .. ": 'name' must be a plain identifier", 4)
  end
end

local function needRole(spec, allowed)
  if not allowed[spec.role] then
    local names = {}
    for role in pairs(allowed) do names[#names + 1] = role end
    table.sort(names)
    fail("pass " .. spec.name .. ": unknown role '" .. tostring(spec.role) .. "' ("
         .. table.concat(names, ", ") .. ")", 4)
  end
end

local function needNumber(spec, key, low, high)
  local value = spec[key]
  if type(value) ~= "number" or value ~= value or value < low or value > high then
    fail("pass " .. spec.name .. ": '" .. key .. "' must be a number from " .. low .. " to " .. high
         .. " (got " .. tostring(value) .. ")", 5)
  end
end

-- level: 4 when called from a pass constructor, 5 from thresholds().
local function needList(spec, key, allowed, what, level)
  local list = spec[key]
  if type(list) ~= "table" or #list == 0 then
    fail("pass " .. spec.name .. ": '" .. key .. "' must list " .. what, level or 4)
  end
  for _, item in ipairs(list) do
    if not allowed[item] then
      fail("pass " .. spec.name .. ": unknown " .. what .. " '" .. tostring(item) .. "' in '" .. key .. "'",
           level or 4)
    end
  end
end

--[[
An exact-key pass: links an account to the new record that shares a key, when the key is unique
on both sides; a key shared by several accounts or records goes to review instead.
  name      = "pupil_upn"                unique among the passes
  role      = "pupil"                    pupil, staff or parent
  account   = "upn"                      the platform account's field
  record    = { "upn", "former_upns" }   record fields to compare with (arrays: any element)
  normalise = "code"                     none (default), email, code, name, phone or postcode
  same_school = true                     the record must be in the account's school (codes that
                                         are unique per school only, such as staff codes)
  ambiguous = "review"                   a key shared by several accounts or records: "review"
                                         (default) or "next" (leave them to the next passes)
  dob_agrees = true                      a pair whose dates of birth are both known and differ
                                         (more than a typing slip: the 'different' level) is
                                         not linked by this key (left to the next passes): for
                                         keys two people can share, such as an email
  reason    = "same UPN"                 what the report says
]]
function M.exact(spec)
  identifier(spec, "exact pass")
  needRole(spec, sql.RECORDS)
  if not ACCOUNT_COLUMNS[spec.account] then
    fail("pass " .. spec.name .. ": unknown account field '" .. tostring(spec.account) .. "'")
  end
  if type(spec.record) ~= "table" or #spec.record == 0 then
    fail("pass " .. spec.name .. ": 'record' must list the record fields to compare")
  end
  local arrays = {}
  for _, column in ipairs(spec.record) do
    local kind = RECORD_COLUMNS[spec.role][column]
    if not kind then
      fail("pass " .. spec.name .. ": unknown " .. spec.role .. " record field '" .. tostring(column) .. "'")
    end
    arrays[column] = kind == "array"
  end
  if spec.normalise ~= nil and not sql.NORMALISERS[spec.normalise] then
    fail("pass " .. spec.name .. ": unknown normaliser '" .. tostring(spec.normalise) .. "'")
  end
  if spec.dob_agrees ~= nil and type(spec.dob_agrees) ~= "boolean" then
    fail("pass " .. spec.name .. ": 'dob_agrees' must be true or false")
  end
  if spec.dob_agrees and not RECORD_COLUMNS[spec.role].dob then
    fail("pass " .. spec.name .. ": 'dob_agrees': " .. spec.role .. " records have no date of birth")
  end
  if spec.ambiguous ~= nil and spec.ambiguous ~= "review" and spec.ambiguous ~= "next" then
    fail("pass " .. spec.name .. ": 'ambiguous' must be \"review\" or \"next\"")
  end
  return { kind = "exact", name = spec.name, role = spec.role, account = spec.account,
           record = spec.record, arrays = arrays, normalise = spec.normalise,
           same_school = spec.same_school == true, ambiguous = spec.ambiguous or "review",
           dob_agrees = spec.dob_agrees == true,
           reason = spec.reason or ("same " .. spec.account) }
end

local SCORED_ROLES = { pupil = true, staff = true }

local function thresholds(spec, pass)
  pass.likely = spec.likely
  pass.possible = spec.possible
  pass.margin = spec.margin
  pass.required = spec.required or {}
  pass.min_anchors = spec.min_anchors or 30
  pass.priors = spec.priors
  needNumber(pass, "likely", -100, 200)
  needNumber(pass, "possible", -100, 200)
  needNumber(pass, "margin", 0, 200)
  needNumber(pass, "min_anchors", 1, 1e9)
  if pass.possible > pass.likely then
    fail("pass " .. pass.name .. ": 'possible' (" .. pass.possible .. ") must not exceed 'likely' ("
         .. pass.likely .. ")", 4)
  end
  local fieldSet = {}
  for _, f in ipairs(pass.fields) do fieldSet[f] = true end
  if #pass.required > 0 then needList(pass, "required", fieldSet, "field of this pass", 5) end
  if pass.priors ~= nil and type(pass.priors) ~= "table" then
    fail("pass " .. pass.name .. ": 'priors' must be a table { field = { level = m } }", 4)
  end
  if type(pass.required) ~= "table" then
    fail("pass " .. pass.name .. ": 'required' must list fields", 4)
  end
  return pass
end

--[[
A scored pass (Fellegi-Sunter) for what the exact keys left: blocked candidate pairs compared
field by field; each field's agreement level weighs log2(m/u), with m estimated from the role's
exact-key matches and u from pseudo-random pairs; one-to-one assignment with thresholds.
  name     = "pupil_scored"
  role     = "pupil"                       pupil or staff
  fields   = { "forename", "surname", "dob", "sex", "email" }
  blocking = { { "dob" }, { "surname_sound", "forename_sound" } }  pairs share one of these
  likely   = 9       auto-accept at this many bits of posterior odds (see size_aware)
  possible = 0       review at this many
  margin   = 6       a runner-up closer than this (in score) sends the best to review
  required = { "dob" }  a field that must not disagree for auto-accept
  size_aware = true  likely and possible are posterior odds: the score must also pay log2 of the
                     larger of the pass's open accounts and open records (a record in a bigger
                     trust can be confused with more people); false: likely and possible are
                     plain scores
]]
function M.scored(spec)
  identifier(spec, "scored pass")
  needRole(spec, SCORED_ROLES)
  local pass = { kind = "scored", name = spec.name, role = spec.role, fields = spec.fields,
                 blocking = spec.blocking, anchor_limit = spec.anchor_limit or 20000,
                 random_pairs = spec.random_pairs or 20000, size_aware = spec.size_aware ~= false }
  if spec.size_aware ~= nil and type(spec.size_aware) ~= "boolean" then
    fail("pass " .. pass.name .. ": 'size_aware' must be true or false")
  end
  local plain = {}
  for field in pairs(sql.FIELDS) do plain[field] = not sql.PAIR_FIELDS[field] end
  needList(pass, "fields", plain, "field")
  if type(pass.blocking) ~= "table" or #pass.blocking == 0 then
    fail("pass " .. pass.name .. ": 'blocking' must list at least one key (a list of columns)")
  end
  for _, key in ipairs(pass.blocking) do
    if type(key) ~= "table" or #key == 0 then
      fail("pass " .. pass.name .. ": each blocking key must be a list of columns")
    end
    for _, column in ipairs(key) do
      if not sql.BLOCKING_COLUMNS[column] then
        fail("pass " .. pass.name .. ": unknown blocking column '" .. tostring(column) .. "'")
      end
    end
  end
  return thresholds(spec, pass)
end

--[[
Parents through their children: candidates are the new contacts of the children the parent's
platform links point to (once those children are matched); scored like a scored pass, with m
and u estimated from the candidates themselves.
  name = "parents", fields = { "forename", "surname", "email", "phone", "postcode", "relationship" },
  likely = 12, possible = 4, margin = 8, required = { "forename" },
  unmatched_children = "accept"   a parent still linked to a child with no new record (a
                                  leaver) is relinked when the score allows; the plan lists the
                                  child as a leaver and leaves that link as it is ("review":
                                  send such parents to review instead)
The thresholds are plain scores: the candidates are the contacts of the parent's own children,
and u is estimated from those very competitors.
]]
function M.parents(spec)
  identifier(spec, "parents pass")
  local pass = { kind = "parents", name = spec.name, role = "parent", fields = spec.fields,
                 unmatched_children = spec.unmatched_children or "accept" }
  if pass.unmatched_children ~= "review" and pass.unmatched_children ~= "accept" then
    fail("pass " .. pass.name .. ": 'unmatched_children' must be \"review\" or \"accept\"")
  end
  local allowed = {}
  for field in pairs(sql.FIELDS) do allowed[field] = true end
  allowed.dob, allowed.sex = nil, nil
  needList(pass, "fields", allowed, "field")
  return thresholds(spec, pass)
end

--[[
Duplicate accounts of one person (a teacher and a staff account, a parent with an account per
child): accounts of the role sharing any key, tried in order, are grouped; the one with content,
then the latest login, then the oldest is kept.
  name = "staff_duplicates", role = "staff", keys = { "mis_link", "email", "name_dob" }
]]
function M.duplicates(spec)
  identifier(spec, "duplicates pass")
  needRole(spec, sql.RECORDS)
  local pass = { kind = "duplicates", name = spec.name, role = spec.role, keys = spec.keys }
  needList(pass, "keys", sql.DUPLICATE_KEYS, "duplicate key")
  return pass
end

-- Finds a pass of a ruleset by name, to change it in an override file:
--   rules.set(ruleset, "parents", { likely = 20 })
function M.set(ruleset, name, changes)
  if type(ruleset) ~= "table" or type(ruleset.passes) ~= "table" then
    fail("rules.set: the first argument must be a ruleset", 3)
  end
  for i, pass in ipairs(ruleset.passes) do
    if pass.name == name then
      local spec = {}
      for k, v in pairs(pass) do spec[k] = v end
      for k, v in pairs(changes) do spec[k] = v end
      local ok, result = pcall(M[pass.kind], spec)
      if not ok then fail((tostring(result):gsub("^[^:]*:%d+: ", "")), 3) end
      ruleset.passes[i] = result
      return result
    end
  end
  fail("rules.set: no pass named '" .. tostring(name) .. "'", 3)
end

-- Removes a pass by name (e.g. a school without staff codes); returns the ruleset.
function M.remove(ruleset, name)
  for i, pass in ipairs(ruleset.passes) do
    if pass.name == name then
      table.remove(ruleset.passes, i)
      return ruleset
    end
  end
  fail("rules.remove: no pass named '" .. tostring(name) .. "'", 3)
end

-- Inserts a pass before the pass named `before` (or at the end); returns the ruleset.
function M.insert(ruleset, pass, before)
  if type(pass) ~= "table" or not pass.kind then fail("rules.insert: not a pass", 3) end
  for i, other in ipairs(ruleset.passes) do
    if other.name == before then
      table.insert(ruleset.passes, i, pass)
      return ruleset
    end
  end
  if before ~= nil then fail("rules.insert: no pass named '" .. tostring(before) .. "'", 3) end
  table.insert(ruleset.passes, pass)
  return ruleset
end

local COMPILERS = { exact = sql.exact, scored = sql.scored, parents = sql.parents,
                    duplicates = sql.duplicates }

-- Compiles a ruleset (the table a rules file returns) into the statements `match` runs, in
-- order, each through misswitch_work.run_rules: the "prepare ..." ones first, then the rest
-- inside one transaction. rulesFile names the file in misswitch_work.match_run.
function M.compile(ruleset, rulesFile)
  if type(ruleset) ~= "table" or type(ruleset.passes) ~= "table" or #ruleset.passes == 0 then
    error("ruleset: 'passes' must list at least one pass", 0)
  end
  local nicknames = ruleset.nicknames or {}
  if type(nicknames) ~= "table" then error("ruleset: 'nicknames' must be a list of name lists", 0) end
  for i, group in ipairs(nicknames) do
    if type(group) ~= "table" or #group < 2 then
      error("ruleset: nicknames[" .. i .. "] must list a name and at least one nickname", 0)
    end
    for _, name in ipairs(group) do
      if type(name) ~= "string" then error("ruleset: nicknames[" .. i .. "] must hold names", 0) end
    end
  end
  -- The three "prepare ..." statements come first: `match` runs them before its transaction
  -- (accounts and records at the same time, on two connections); the rest run in it, in order.
  local statements = {
    { name = "prepare names", sql = sql.prepare_names(nicknames) },
    { name = "prepare accounts", sql = sql.prepare_accounts() },
    { name = "prepare records", sql = sql.prepare_records() },
    { name = "reset", sql = sql.reset() },
    { name = "prepare", sql = sql.prepare() },
    { name = "overrides", sql = sql.overrides() },
  }
  local seen = { reset = true, prepare = true, overrides = true, unmatched = true,
                 usernames = true, groups = true, record = true }
  local covered = {}
  local keyFields = {}   -- exact pass name -> the compared field it keyed on (for leave-one-out m)
  for i, pass in ipairs(ruleset.passes) do
    local compiler = type(pass) == "table" and COMPILERS[pass.kind]
    if not compiler then
      error("ruleset: passes[" .. i .. "] is not a pass (build passes with rules.exact{...}, "
            .. "rules.scored{...}, rules.parents{...} or rules.duplicates{...})", 0)
    end
    if seen[pass.name] then error("ruleset: two passes are named '" .. pass.name .. "'", 0) end
    seen[pass.name] = true
    if pass.kind ~= "duplicates" then covered[pass.role] = true end
    if pass.kind == "exact" then
      for _, field in ipairs({ "forename", "surname", "dob", "email", "postcode" }) do
        if pass.account == field then keyFields[pass.name] = field end
      end
    end
    pass.key_fields = keyFields
    statements[#statements + 1] = { name = pass.name, sql = compiler(pass) }
  end
  statements[#statements + 1] = { name = "unmatched", sql = sql.unmatched(covered) }
  -- Groups follow their pupils' schools: after every account decision.
  statements[#statements + 1] = { name = "groups", sql = groups.sql() }
  -- Usernames that embed a school code the move changes (lib/usernames.lua), after every
  -- decision: the schools' new codes come from where their relinked pupils went.
  statements[#statements + 1] = {
    name = "usernames",
    sql = "DELETE FROM misswitch_work.rename;"
          .. (ruleset.usernames and ("\n" .. usernames.rename_sql(ruleset.usernames)) or ""),
  }
  statements[#statements + 1] = {
    name = "record",
    sql = "INSERT INTO misswitch_work.match_run (rules_file, started_at) VALUES ("
          .. M.quote(rulesFile or "?") .. ", pg_catalog.transaction_timestamp());",
  }
  return statements
end

return M
