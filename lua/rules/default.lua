-- The default ruleset. A school's override file requires this one and changes only what
-- differs (see examples/ and docs/rules.md):
--   local rules = require("lib.rules")
--   local ruleset = require("default")
--   rules.set(ruleset, "parents", { likely = 20 })
--   return ruleset
--
-- Passes run in order; each decides only accounts no earlier pass decided, and a new record is
-- linked to one account at most. Overrides (match --overrides FILE) are applied before them all.
-- Thresholds are in bits: a total of field weights log2(m/u), m and u estimated from the data.
local rules = require("lib.rules")

-- The pairs a scored pass compares: those sharing a date of birth and a school, a date of birth
-- and one sounded name, or both sounded names and a school. Every key splits the trust finely:
-- a key as coarse as the date of birth alone makes pairs that grow with the square of the
-- trust (staff at 1 M pupils: 51 k open accounts and records, 14 k dates of birth). A true
-- match is missed only when its date of birth and both names' sounds change (or it changes
-- school, and its date of birth or both names' sounds). A school whose codes change is still
-- the same school: the pass maps it (misswitch_work.school_key_map) before it compares.
local BLOCKING = {
  { "dob", "school_key" },
  { "dob", "surname_sound" },
  { "dob", "forename_sound" },
  { "surname_sound", "forename_sound", "school_key" },
}

return {
  name = "default",
  -- Nickname groups added to the built-in table (first name = the canonical one), e.g.
  -- { "Siobhan", "Shiv" }. The built-in table has a few dozen English groups.
  nicknames = {},
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
    -- Pupils no UPN links: names (legal and preferred) + date of birth + sex + email. A twin
    -- shares everything but the forename, so the date of birth alone never decides; a joiner
    -- can share a leaver's name (and so the address the school made from it), so a date of
    -- birth that disagrees sends a name-based link to review.
    -- likely/possible are posterior odds in bits (size_aware): auto-accept at 2^9 = 512 to 1,
    -- review from even odds; the score must also pay log2 of the people the record could be
    -- confused with (about 6 bits at 2 k pupils, 12 at 100 k).
    rules.scored {
      name = "pupil_scored",
      role = "pupil",
      fields = { "forename", "surname", "dob", "sex", "email" },
      blocking = BLOCKING,
      likely = 9, possible = 0, margin = 6,
      required = { "forename", "dob" },
    },

    -- Staff: a teacher and a staff account of one person are merged first, so that the keys
    -- below see one account per person.
    rules.duplicates {
      name = "staff_duplicates",
      role = "staff",
      keys = { "mis_link", "staff_code", "name_dob_in_school", "email_dob_in_school" },
    },
    -- Staff codes, teacher reference numbers and NI numbers come from the old MIS extract
    -- (load extract OLD.xml --as old): the platform itself keeps only the old MIS ID. Staff
    -- codes are unique within a school only.
    rules.exact {
      name = "staff_code", role = "staff", account = "staff_code", record = { "staff_code" },
      normalise = "code", same_school = true, reason = "same staff code",
    },
    rules.exact {
      name = "staff_teacher_number", role = "staff", account = "teacher_number",
      record = { "teacher_number" }, normalise = "code", reason = "same teacher reference number",
    },
    rules.exact {
      name = "staff_ni_number", role = "staff", account = "ni_number", record = { "ni_number" },
      normalise = "code", reason = "same National Insurance number",
    },
    -- Two colleagues can share an address (a.khan@ for Amelia and Arthur Khan): a shared
    -- email decides nothing and leaves them to the scored pass. Schools of a trust can share a
    -- domain, so an address can also pass from one person to another (f.king@ for Freya King,
    -- then Florence King): an email whose dates of birth differ is left to the scored pass too.
    rules.exact {
      name = "staff_email", role = "staff", account = "email", record = { "email" },
      normalise = "email", ambiguous = "next", dob_agrees = true, reason = "same email",
    },
    rules.scored {
      name = "staff_scored",
      role = "staff",
      fields = { "forename", "surname", "dob", "sex", "email", "postcode", "school" },
      blocking = { BLOCKING[1], BLOCKING[2], BLOCKING[3], BLOCKING[4], { "postcode" } },
      -- The school is evidence like the other fields (m from the exact-key matches, u about one
      -- in the number of schools): it pays the prior odds' growth with the size of the trust.
      likely = 9, possible = 0, margin = 6,   -- posterior odds in bits, as pupil_scored
      required = { "dob" },
      -- m is estimated from the exact-key matches; email is what staff_email keyed on, so its
      -- m comes from the other exact keys or, when they are too few (no old extract), from
      -- this prior: most staff keep their address when the MIS changes.
      priors = { email = { exact = 0.85, different = 0.15 } },
    },

    -- Parents: one account per child is one person; then through their matched children.
    -- Name and email alone are not enough (two Isla Evanses can both be isla.evans30@), and
    -- merging two parents would give one of them the other's child.
    rules.duplicates {
      name = "parent_duplicates",
      role = "parent",
      keys = { "mis_link", "name_email_phone" },
    },
    -- A wrong parent-child link is a safeguarding incident: auto-accept only a clear winner
    -- among the contacts of the parent's own children whose forename does not disagree.
    rules.parents {
      name = "parents",
      fields = { "forename", "surname", "email", "phone", "postcode", "relationship" },
      likely = 10, possible = 3, margin = 8,
      required = { "forename" },
    },
  },
}
