-- lib/groups.lua — the groups pass: each platform group is matched to the new extract's group
-- of the same school (where its relinked pupils went), by code and academic year, then by name
-- and academic year; a key shared by two groups on either side goes to review; the rest are
-- reported as unmatched. Runs after the account passes (it needs the pupils' decisions).
local M = {}

local function normalised(expression)
  return "pg_catalog.lower(pg_catalog.btrim(" .. expression .. "))"
end

-- One key: candidate pairs not decided yet, unique on both sides -> exact, else review.
local function keyPass(name, platformKey, recordKey, reason)
  return table.concat({
    "-- groups by " .. name,
    "WITH candidate AS (",
    "    SELECT DISTINCT g.group_id, x.load_id, x.mis_id",
    "      FROM misswitch_staging.platform_group g",
    "      JOIN misswitch_work.school_map s ON s.school_id = g.school_id",
    "      JOIN misswitch_staging.extract_group x ON x.load_id = s.new_load_id",
    "       AND " .. platformKey .. " = " .. recordKey,
    "       AND x.academic_year IS NOT DISTINCT FROM g.academic_year",
    "     WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.group_decision d WHERE d.group_id = g.group_id)",
    "       AND NOT EXISTS (SELECT 1 FROM misswitch_work.group_decision d",
    "                        WHERE d.new_load_id = x.load_id AND d.new_mis_id = x.mis_id",
    "                          AND d.tier IN ('exact', 'likely'))),",
    "counted AS (",
    "    SELECT c.*, pg_catalog.count(*) OVER (PARTITION BY c.group_id) AS per_group,",
    "           pg_catalog.count(*) OVER (PARTITION BY c.load_id, c.mis_id) AS per_record",
    "      FROM candidate c)",
    "INSERT INTO misswitch_work.group_decision (group_id, tier, new_load_id, new_mis_id, pass, reason)",
    "SELECT DISTINCT ON (group_id) group_id,",
    "       CASE WHEN per_group = 1 AND per_record = 1 THEN 'exact' ELSE 'possible' END,",
    "       load_id, mis_id, 'groups_" .. name .. "',",
    "       CASE WHEN per_group = 1 AND per_record = 1 THEN '" .. reason .. "'",
    "            ELSE pg_catalog.format('" .. name .. " and year shared by %s platform and %s new groups',",
    "                                   per_record, per_group) END",
    "  FROM counted ORDER BY group_id, load_id, mis_id;",
  }, "\n")
end

function M.sql()
  return table.concat({
    "DELETE FROM misswitch_work.group_decision;",
    keyPass("code", normalised("g.code"), normalised("x.code"), "same code and academic year"),
    keyPass("name", normalised("g.name"), normalised("x.name"), "same name and academic year"),
    "-- every group no key matched",
    "INSERT INTO misswitch_work.group_decision (group_id, tier, pass, reason)",
    "SELECT g.group_id, 'none', 'unmatched',",
    "       CASE WHEN s.school_id IS NULL THEN 'its school has no relinked pupils to place it'",
    "            ELSE 'no group with this code or name in this academic year in the new extract' END",
    "  FROM misswitch_staging.platform_group g",
    "  LEFT JOIN misswitch_work.school_map s ON s.school_id = g.school_id",
    " WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.group_decision d WHERE d.group_id = g.group_id);",
  }, "\n")
end

return M
