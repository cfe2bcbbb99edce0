-- Example: a school changing its LEA/DfE code (801/2001 -> 802/4001) whose usernames embed
-- the code ("2001gbaker"). Matching itself is unchanged; this file records the rename the plan
-- should make. NOTE: the plan does not read `school_codes` yet (the plan side owns that step);
-- until it does this value is only documentation the report can show.
local ruleset = require("default")

ruleset.school_codes = {
  { from = { lea = "801", dfe = "2001" }, to = { lea = "802", dfe = "4001" },
    username_pattern = "^2001", username_replacement = "4001" },
}

return ruleset
