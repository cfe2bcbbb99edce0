-- Example: the old MIS kept staff codes in the platform username (e.g. "GBA" for George
-- Baker) and no old extract is available. Match staff by username = staff code, in the
-- account's own school, before the other staff keys.
local rules = require("lib.rules")
local ruleset = require("default")

rules.insert(ruleset, rules.exact {
  name = "staff_code_in_username",
  role = "staff",
  account = "username",
  record = { "staff_code" },
  normalise = "code",
  same_school = true,
  reason = "username is the staff code",
}, "staff_code")

return ruleset
