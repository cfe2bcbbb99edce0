-- The default ruleset. A school's override file requires this one and changes only what
-- differs (see examples/ and docs/rules.md):
--   local ruleset = require("default")
--   ... change ruleset.passes ...
--   return ruleset
local rules = require("lib.rules")

return {
  name = "default",
  passes = {
    -- Pupils by UPN: the new record's UPN, or one of its former UPNs (a temporary UPN made
    -- permanent). A UPN shared by two accounts or two records goes to review.
    rules.exact {
      name = "pupil_upn",
      role = "pupil",
      account = "upn",
      record = { "upn", "former_upns" },
      reason = "same UPN",
    },
  },
}
