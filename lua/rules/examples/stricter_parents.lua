-- Example: a trust that wants every parent a person has not confirmed to go through review
-- unless the evidence is overwhelming: a higher auto-accept threshold and a wider margin,
-- and the email must not disagree either.
local rules = require("lib.rules")
local ruleset = require("default")

rules.set(ruleset, "parents", { likely = 20, margin = 12, required = { "forename", "email" } })

return ruleset
