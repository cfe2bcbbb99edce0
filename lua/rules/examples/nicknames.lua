-- Example: a school whose families use names the built-in nickname table does not know.
-- Run: misswitch match --rules lua/rules/examples/nicknames.lua
local ruleset = require("default")

-- Each group: the canonical name first, then the names that mean the same person.
ruleset.nicknames = {
  { "Siobhan", "Shiv", "Shivvy" },
  { "Oluwaseun", "Seun", "Shaun" },
  { "Oluwadamilare", "Dami", "Damilare" },
  { "Aleksandra", "Ola", "Sasha" },
}

return ruleset
