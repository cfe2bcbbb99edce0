-- Example: a school whose LEA/DfE code changes with the move (an academy conversion, say)
-- and whose usernames start with its DfE number ("2001gbaker"). Matching is unchanged: the
-- plan finds the new codes in the new extract by itself (misswitch_work.school_change) and
-- changes the platform school's codes; this rule adds the usernames that embed the old DfE
-- number, so "2001gbaker" becomes "4001gbaker". Passwords and everything else stay.
local ruleset = require("default")

ruleset.usernames = {
  school_code = "dfe",      -- "dfe", "lea" or "lea_dfe" (LEA code then DfE number)
  position = "prefix",      -- "prefix", "suffix" or "anywhere"
}

return ruleset
