-- lib/usernames.lua — renames the usernames that embed a school code which changes with the
-- move. A ruleset opts in with
--   usernames = { school_code = "dfe" | "lea_dfe" | "lea", position = "prefix" | "suffix" | "anywhere" }
-- and the pass fills misswitch_work.rename from misswitch_work.school_change; plan.sql then
-- renames them (guarded by the old username), and the checks confirm it.
local M = {}

local CODES = {
  dfe = { old = "c.dfe_number", new = "c.new_dfe_number", label = "DfE number" },
  lea = { old = "c.lea_code", new = "c.new_lea_code", label = "LEA code" },
  lea_dfe = { old = "c.lea_code || c.dfe_number", new = "c.new_lea_code || c.new_dfe_number",
              label = "LEA code and DfE number" },
}

function M.check(spec)
  if type(spec) ~= "table" then
    error("ruleset: 'usernames' must be a table like { school_code = \"dfe\", position = \"prefix\" }", 0)
  end
  if not CODES[spec.school_code] then
    error("ruleset: usernames.school_code must be \"dfe\", \"lea\" or \"lea_dfe\", not "
          .. tostring(spec.school_code), 0)
  end
  local position = spec.position or "prefix"
  if position ~= "prefix" and position ~= "suffix" and position ~= "anywhere" then
    error("ruleset: usernames.position must be \"prefix\", \"suffix\" or \"anywhere\", not "
          .. tostring(spec.position), 0)
  end
  return { school_code = spec.school_code, position = position }
end

-- The SQL of the rename pass (runs after every decision is made).
function M.rename_sql(spec)
  spec = M.check(spec)
  local code = CODES[spec.school_code]
  local matches, renamed
  if spec.position == "prefix" then
    matches = "pg_catalog.starts_with(a.username, " .. code.old .. ")"
    renamed = code.new .. " || pg_catalog.substr(a.username, pg_catalog.length(" .. code.old .. ") + 1)"
  elseif spec.position == "suffix" then
    matches = "pg_catalog.right(a.username, pg_catalog.length(" .. code.old .. ")) = " .. code.old
    renamed = "pg_catalog.left(a.username, pg_catalog.length(a.username) - pg_catalog.length("
              .. code.old .. ")) || " .. code.new
  else
    matches = "pg_catalog.strpos(a.username, " .. code.old .. ") > 0"
    renamed = "pg_catalog.replace(a.username, " .. code.old .. ", " .. code.new .. ")"
  end
  return table.concat({
    "-- usernames that embed the old " .. code.label .. " (" .. spec.position .. ") of a school whose codes change",
    "INSERT INTO misswitch_work.rename (account_id, username, new_username, reason)",
    "SELECT a.account_id, a.username, " .. renamed .. ",",
    "       'username embeds the old " .. code.label .. " of ' || c.new_school_key",
    "  FROM misswitch_staging.platform_account a",
    "  JOIN misswitch_work.school_change c USING (school_id)",
    " WHERE " .. matches .. ";",
  }, "\n")
end

return M
