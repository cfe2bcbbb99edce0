-- lib/match_sql.lua — the SQL behind each kind of match pass. lib/rules.lua checks passes and
-- calls these; every statement reads misswitch_staging and writes misswitch_work only (it runs
-- as misswitch_rules through misswitch_work.run_rules). Never reads or writes the platform.
local M = {}

function M.quote(text)
  return "'" .. tostring(text):gsub("'", "''") .. "'"
end

local function lines(list) return table.concat(list, "\n") end

local function number(value)
  return string.format("%.17g", value)
end

local function textArray(list)
  local quoted = {}
  for i, v in ipairs(list or {}) do quoted[i] = M.quote(v) end
  return "ARRAY[" .. table.concat(quoted, ", ") .. "]::text[]"
end

-- Staging tables of new records by role.
M.RECORDS = {
  pupil = "misswitch_staging.extract_pupil",
  staff = "misswitch_staging.extract_staff",
  parent = "misswitch_staging.extract_contact",
}

-- How a key is normalised on both sides of an exact pass.
M.NORMALISERS = {
  none = function(x) return x end,
  email = function(x) return "misswitch_work.normalise_email(" .. x .. ")" end,
  code = function(x) return "misswitch_work.normalise_code(" .. x .. ")" end,
  name = function(x) return "misswitch_work.normalise_name(" .. x .. ")" end,
  phone = function(x) return "misswitch_work.normalise_phone(" .. x .. ")" end,
  postcode = function(x) return "misswitch_work.normalise_postcode(" .. x .. ")" end,
}

-- Comparison fields: an SQL expression giving the agreement level of account a
-- (misswitch_work.account_person) and record r (misswitch_work.record_person), NULL when either
-- side is missing. p is the pair (parents only: the children they share).
M.FIELDS = {
  forename = [[CASE WHEN a.forename IS NULL OR r.forename IS NULL THEN NULL
       WHEN pg_catalog.replace(a.forename, ' ', '') = pg_catalog.replace(r.forename, ' ', '') THEN 'exact'
       WHEN pg_catalog.replace(a.forename, ' ', '') = pg_catalog.replace(r.surname, ' ', '')
        AND pg_catalog.replace(a.surname, ' ', '') = pg_catalog.replace(r.forename, ' ', '') THEN 'swapped'
       WHEN a.forename_names OPERATOR(pg_catalog.&&) r.forename_names THEN 'nickname'
       WHEN pg_catalog.split_part(a.forename, ' ', 1) = pg_catalog.split_part(r.forename, ' ', 1)
         OR misswitch_work.trgm_similarity(a.forename, r.forename) >= 0.5
         OR misswitch_work.name_slip(a.forename, r.forename)
         OR (misswitch_work.levenshtein(a.forename, r.forename) <= 2
             AND (LEAST(pg_catalog.length(a.forename), pg_catalog.length(r.forename)) >= 5
                  OR misswitch_work.sorted_letters(a.forename) = misswitch_work.sorted_letters(r.forename))) THEN 'similar'
       ELSE 'different' END]],
  surname = [[CASE WHEN a.surname IS NULL OR r.surname IS NULL THEN NULL
       WHEN pg_catalog.replace(a.surname, ' ', '') = pg_catalog.replace(r.surname, ' ', '') THEN 'exact'
       WHEN pg_catalog.replace(a.surname, ' ', '') = pg_catalog.replace(r.forename, ' ', '')
        AND pg_catalog.replace(a.forename, ' ', '') = pg_catalog.replace(r.surname, ' ', '') THEN 'swapped'
       WHEN pg_catalog.string_to_array(a.surname, ' ') OPERATOR(pg_catalog.&&) pg_catalog.string_to_array(r.surname, ' ')
         OR misswitch_work.trgm_similarity(a.surname, r.surname) >= 0.5
         OR misswitch_work.name_slip(a.surname, r.surname)
         OR (misswitch_work.levenshtein(a.surname, r.surname) <= 2
             AND LEAST(pg_catalog.length(a.surname), pg_catalog.length(r.surname)) >= 5) THEN 'similar'
       ELSE 'different' END]],
  dob = "misswitch_work.dob_level(a.dob, r.dob)",
  sex = [[CASE WHEN a.sex IS NULL OR r.sex IS NULL THEN NULL
       WHEN pg_catalog.upper(pg_catalog.left(a.sex, 1)) = pg_catalog.upper(pg_catalog.left(r.sex, 1)) THEN 'exact'
       ELSE 'different' END]],
  -- 'derived': the same address, made from a name both sides share (zoe.obrien12@ for Zoe
  -- O'Brien): it follows from the names, so it weighs nothing of its own (see POOLED_LEVELS).
  email = [[CASE WHEN a.email IS NULL OR pg_catalog.cardinality(r.emails) = 0 THEN NULL
       WHEN a.email = ANY (r.emails) THEN
         CASE WHEN pg_catalog.replace(a.forename, ' ', '') = pg_catalog.replace(r.forename, ' ', '')
               AND pg_catalog.replace(a.surname, ' ', '') = pg_catalog.replace(r.surname, ' ', '')
               AND a.email_from_name THEN 'derived'
              ELSE 'exact' END
       ELSE 'different' END]],
  phone = [[CASE WHEN pg_catalog.cardinality(a.phones) = 0 OR pg_catalog.cardinality(r.phones) = 0 THEN NULL
       WHEN a.phones OPERATOR(pg_catalog.&&) r.phones THEN 'exact' ELSE 'different' END]],
  postcode = [[CASE WHEN a.postcode IS NULL OR r.postcode IS NULL THEN NULL
       WHEN a.postcode = r.postcode THEN 'exact'
       WHEN pg_catalog.left(a.postcode, -3) = pg_catalog.left(r.postcode, -3) THEN 'district'
       ELSE 'different' END]],
  -- the account's school, or the one it became: a school whose codes change with the move is
  -- mapped to its new extract by where its relinked pupils went (misswitch_work.school_key_map,
  -- refreshed by each pass that compares schools)
  school = [[CASE WHEN a.school_key IS NULL OR r.school_key IS NULL THEN NULL
       WHEN a.school_key = r.school_key
         OR a.school_key || '>' || r.school_key = ANY (ARRAY(SELECT m.school_key || '>' || m.new_school_key
                                                                FROM misswitch_work.school_key_map m)) THEN 'exact'
       ELSE 'different' END]],
  relationship = [[CASE WHEN p.relationship_agrees IS NULL THEN NULL
       WHEN p.relationship_agrees THEN 'exact' ELSE 'different' END]],
}
-- Fields only a pass through children can compare.
M.PAIR_FIELDS = { relationship = true }

-- Levels that follow from other fields of the same pair: estimated together with the level
-- they stand for (as), then weighing nothing themselves (misswitch_work.estimate_weights with
-- pooled levels). Fellegi-Sunter adds fields' weights as if they were independent: a school
-- makes pupils' and staff's addresses from their names and hands a leaver's address to the
-- joiner who has the same name, so an address agreeing with names that agree would otherwise
-- count the names twice.
M.POOLED_LEVELS = {
  email = { derived = { as = "exact", why = "made from the names, which agree: no weight of its own" } },
}

-- Columns both prepared tables share, usable as blocking keys.
M.BLOCKING_COLUMNS = { dob = true, surname_sound = true, forename_sound = true, postcode = true,
                       surname = true, forename = true, school_key = true, email = false }

-- Keys that find duplicate accounts of one person (over misswitch_work.account_person a).
M.DUPLICATE_KEYS = {
  mis_link = { sql = "CASE WHEN a.mis_id IS NOT NULL THEN a.mis_source || '/' || a.mis_id END",
               says = "linked to the same old MIS record" },
  email = { sql = "a.email", says = "same email" },
  name_email = { sql = "CASE WHEN a.email IS NOT NULL THEN a.forename || '|' || a.surname || '|' || a.email END",
                 says = "same name and email" },
  name_dob = { sql = "CASE WHEN a.dob IS NOT NULL THEN a.forename || '|' || a.surname || '|' || a.dob END",
               says = "same name and date of birth" },
  name_email_phone = {
    sql = "CASE WHEN a.email IS NOT NULL AND pg_catalog.cardinality(a.phones) > 0 THEN a.forename || '|' || a.surname || '|' || a.email || '|' || a.phones[1] END",
    says = "same name, email and phone" },
  staff_code = { sql = "a.school_key || '/' || a.staff_code", says = "same staff code in the same school" },
  email_dob = { sql = "CASE WHEN a.dob IS NOT NULL THEN a.email || '|' || a.dob END",
                says = "same email and date of birth" },
  -- The same within one school: a trust of a hundred schools has namesakes born on the same
  -- day in different schools (at 1 M pupils, 61 of 96 k staff), and schools of a trust can
  -- share an email domain (f.king@ for Freya King in one, Florence King in another).
  name_dob_in_school = {
    sql = "CASE WHEN a.dob IS NOT NULL THEN a.school_key || '|' || a.forename || '|' || a.surname || '|' || a.dob END",
    says = "same name and date of birth in the same school" },
  email_dob_in_school = {
    sql = "CASE WHEN a.dob IS NOT NULL THEN a.school_key || '|' || a.email || '|' || a.dob END",
    says = "same email and date of birth in the same school" },
}

local function levelsObject(fields)
  local parts = {}
  for _, field in ipairs(fields) do
    parts[#parts + 1] = M.quote(field) .. ", " .. M.FIELDS[field]
  end
  return "pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(\n       "
         .. table.concat(parts, ",\n       ") .. "))"
end

local function openAccount(alias)
  return "NOT EXISTS (SELECT 1 FROM misswitch_work.decision d WHERE d.account_id = " .. alias .. ".account_id)"
end

local function openRecord(alias)
  return "NOT EXISTS (SELECT 1 FROM misswitch_work.decision d WHERE d.new_load_id = " .. alias
         .. ".load_id AND d.new_mis_id = " .. alias .. ".mis_id AND d.tier IN ('exact', 'likely'))"
end

local function notForbidden(account, misId)
  return "NOT EXISTS (SELECT 1 FROM misswitch_work.override o WHERE o.decision = 'forbid' AND o.account = "
         .. account .. " AND o.target = " .. misId .. ")"
end

-- Start of every match's transaction: forget the previous decisions (the overrides were just
-- loaded by match). TRUNCATE, not DELETE: the match is one transaction, and rows deleted in it
-- stay in the tables for every later scan and ANALYZE of the same transaction to wade through.
function M.reset()
  return lines {
    "TRUNCATE misswitch_work.decision, misswitch_work.duplicate, misswitch_work.candidate,",
    "         misswitch_work.comparison, misswitch_work.field_weight, misswitch_work.match_run,",
    "         misswitch_work.pass_threshold, misswitch_work.compared_pair, misswitch_work.level_pattern,",
    "         misswitch_work.school_key_map;",
  }
end

-- The ruleset's nicknames (prepare looks every forename up in them).
local function nicknameRows(nicknames)
  local out = { "DELETE FROM misswitch_work.nickname WHERE source = 'rules';" }
  if #nicknames > 0 then
    local rows = {}
    for _, group in ipairs(nicknames) do
      for _, variant in ipairs(group) do
        rows[#rows + 1] = "(misswitch_work.normalise_name(" .. M.quote(variant) .. "), misswitch_work.normalise_name("
                          .. M.quote(group[1]) .. "))"
      end
    end
    out[#out + 1] = "INSERT INTO misswitch_work.nickname (variant, canonical, source)\nSELECT v, c, 'rules' FROM (VALUES\n    "
                    .. table.concat(rows, ",\n    ") .. ") AS n(v, c) ON CONFLICT DO NOTHING;"
  end
  return lines(out)
end

-- Normalised persons on both sides. An account borrows what the old MIS extract (when loaded)
-- knew about the record it is linked to: sex, staff codes, phones, postcode. Set-based: every
-- distinct name spelling is normalised, sounded and looked up in the nicknames once
-- (misswitch_work.name_form) and joined back; the other normalisers are single expressions
-- the planner inlines. No function runs its own query per row.
-- prepare_names: the ruleset's nicknames, then every name spelling once; prepare_accounts and
-- prepare_records fill the two tables from it (`match` runs these two at the same time, on two
-- connections, each committed before the passes' transaction: they read only staging and
-- name_form, and no pass writes what they fill); prepare analyses both for the passes.
function M.prepare_names(nicknames)
  return nicknameRows(nicknames) .. "\n" .. [[
TRUNCATE misswitch_work.name_form, misswitch_work.account_person, misswitch_work.record_person;
WITH spelling (raw) AS (
    SELECT a.forename FROM misswitch_staging.platform_account a
    UNION SELECT a.surname FROM misswitch_staging.platform_account a
    UNION SELECT p.legal_forename FROM misswitch_staging.extract_pupil p
    UNION SELECT p.legal_surname FROM misswitch_staging.extract_pupil p
    UNION SELECT p.preferred_forename FROM misswitch_staging.extract_pupil p
    UNION SELECT p.preferred_surname FROM misswitch_staging.extract_pupil p
    UNION SELECT s.legal_forename FROM misswitch_staging.extract_staff s
    UNION SELECT s.legal_surname FROM misswitch_staging.extract_staff s
    UNION SELECT s.preferred_forename FROM misswitch_staging.extract_staff s
    UNION SELECT s.preferred_surname FROM misswitch_staging.extract_staff s
    UNION SELECT c.forename FROM misswitch_staging.extract_contact c
    UNION SELECT c.surname FROM misswitch_staging.extract_contact c
), normalised AS (
    SELECT s.raw, misswitch_work.normalise_name(s.raw) AS name FROM spelling s WHERE s.raw IS NOT NULL
), known AS (
    SELECT DISTINCT n.name, misswitch_work.sound(pg_catalog.split_part(n.name, ' ', 1)) AS sound,
           misswitch_work.forename_names(n.name) AS names
      FROM normalised n
)
INSERT INTO misswitch_work.name_form (raw, name, sound, names)
SELECT n.raw, n.name, k.sound, coalesce(k.names, '{}')
  FROM normalised n LEFT JOIN known k ON k.name = n.name;
SELECT misswitch_work.analyze_work('name_form');]]
end

function M.prepare_accounts()
  return [[
WITH old_person (record_type, mis_source, school_key, mis_id, sex, staff_code, teacher_number, ni_number,
                 phones, postcode) AS (
    SELECT 'pupil', l.mis_source, l.school_key, p.mis_id, p.sex, NULL, NULL, NULL, '{}'::text[], p.address_postcode
      FROM misswitch_staging.extract_pupil p JOIN misswitch_staging.extract_load l USING (load_id) WHERE l.role = 'old'
    UNION ALL
    SELECT 'staff', l.mis_source, l.school_key, s.mis_id, s.sex, s.staff_code, s.teacher_number, s.ni_number,
           '{}'::text[], s.address_postcode
      FROM misswitch_staging.extract_staff s JOIN misswitch_staging.extract_load l USING (load_id) WHERE l.role = 'old'
    UNION ALL
    SELECT 'parent', l.mis_source, l.school_key, c.mis_id, NULL, NULL, NULL, NULL, c.phones, c.address_postcode
      FROM misswitch_staging.extract_contact c JOIN misswitch_staging.extract_load l USING (load_id) WHERE l.role = 'old'
), account AS (
    SELECT a.*, s.lea_code || '/' || s.dfe_number AS school_key, e.email AS email_normalised,
           pg_catalog.regexp_replace(pg_catalog.split_part(e.email, '@', 1), '[^a-z]', '', 'g') AS email_letters
      FROM misswitch_staging.platform_account a
      LEFT JOIN misswitch_staging.platform_school s ON s.school_id = a.school_id
      CROSS JOIN LATERAL (SELECT misswitch_work.normalise_email(a.email) AS email) e
     WHERE NOT a.disabled OR a.disabled IS NULL
), old_match AS (
    SELECT DISTINCT ON (a.account_id) a.account_id, o.*
      FROM account a
      JOIN old_person o ON o.record_type = a.account_type AND o.mis_source = a.mis_source AND o.mis_id = a.mis_id
     -- without an old extract there is nothing to sort 290 k accounts against
     WHERE EXISTS (SELECT 1 FROM misswitch_staging.extract_load l WHERE l.role = 'old')
     ORDER BY a.account_id, (o.school_key = a.school_key) DESC, o.school_key
), content AS (
    SELECT c.account_id, pg_catalog.sum(c.items)::bigint AS items
      FROM misswitch_staging.platform_content c GROUP BY c.account_id
)
INSERT INTO misswitch_work.account_person (account_id, account_type, staff_role, school_key, username, forename,
       surname, forename_sound, surname_sound, forename_names, dob, sex, email, upn, mis_source, mis_id, staff_code,
       teacher_number, ni_number, phones, postcode, content_items, last_login, created_at, email_from_name)
SELECT a.account_id, a.account_type, a.staff_role, a.school_key, a.username, f.name, s.name, f.sound, s.sound,
       coalesce(f.names, '{}'), a.dob, o.sex, a.email_normalised, a.upn, a.mis_source, a.mis_id,
       misswitch_work.normalise_code(o.staff_code), misswitch_work.normalise_code(o.teacher_number),
       misswitch_work.normalise_code(o.ni_number), misswitch_work.normalise_phones(o.phones),
       misswitch_work.normalise_postcode(o.postcode), coalesce(c.items, 0), a.last_login, a.created_at,
       -- misswitch_work.email_from_name(email, forename, surname), the address's letters worked out once
       coalesce(pg_catalog.left(a.email_letters, 1) = pg_catalog.left(f.name, 1)
                AND pg_catalog.strpos(a.email_letters, pg_catalog.replace(s.name, ' ', '')) > 0, false)
  FROM account a
  LEFT JOIN misswitch_work.name_form f ON f.raw = a.forename
  LEFT JOIN misswitch_work.name_form s ON s.raw = a.surname
  LEFT JOIN old_match o USING (account_id)
  LEFT JOIN content c USING (account_id);]]
end

function M.prepare_records()
  return [[
WITH record AS (
    SELECT p.load_id, p.mis_id, 'pupil' AS record_type, l.school_key, l.mis_source, p.legal_forename,
           p.legal_surname, p.preferred_forename, p.preferred_surname, p.dob, p.sex, ARRAY[p.email] AS emails,
           NULL::text[] AS phones, p.address_postcode, NULL AS staff_code, NULL AS teacher_number, NULL AS ni_number
      FROM misswitch_staging.extract_pupil p JOIN misswitch_staging.extract_load l USING (load_id) WHERE l.role = 'new'
    UNION ALL
    SELECT s.load_id, s.mis_id, 'staff', l.school_key, l.mis_source, s.legal_forename, s.legal_surname,
           s.preferred_forename, s.preferred_surname, s.dob, s.sex, ARRAY[s.email], NULL, s.address_postcode,
           s.staff_code, s.teacher_number, s.ni_number
      FROM misswitch_staging.extract_staff s JOIN misswitch_staging.extract_load l USING (load_id) WHERE l.role = 'new'
    UNION ALL
    SELECT c.load_id, c.mis_id, 'parent', l.school_key, l.mis_source, c.forename, c.surname, NULL, NULL, NULL, NULL,
           c.emails, c.phones, c.address_postcode, NULL, NULL, NULL
      FROM misswitch_staging.extract_contact c JOIN misswitch_staging.extract_load l USING (load_id) WHERE l.role = 'new'
), listed AS MATERIALIZED (
    -- the first two emails and phones normalised once each: normalise_emails and
    -- normalise_phones inline into expressions that name every element several times
    SELECT r.*, misswitch_work.normalise_email(r.emails[1]) AS email1, misswitch_work.normalise_email(r.emails[2]) AS email2,
           misswitch_work.normalise_phone(r.phones[1]) AS phone1, misswitch_work.normalise_phone(r.phones[2]) AS phone2
      FROM record r
), variant AS (
    SELECT r.*, v.variant, v.forename, v.surname
      FROM listed r
      CROSS JOIN LATERAL (VALUES ('legal', r.legal_forename, r.legal_surname),
                                 ('preferred', coalesce(r.preferred_forename, r.legal_forename),
                                               coalesce(r.preferred_surname, r.legal_surname))) AS v(variant, forename, surname)
     WHERE v.variant = 'legal' OR r.preferred_forename IS NOT NULL OR r.preferred_surname IS NOT NULL
)
INSERT INTO misswitch_work.record_person (load_id, mis_id, variant, record_type, school_key, mis_source, forename,
       surname, forename_sound, surname_sound, forename_names, dob, sex, emails, phones, postcode, staff_code,
       teacher_number, ni_number)
SELECT v.load_id, v.mis_id, v.variant, v.record_type, v.school_key, v.mis_source, f.name, s.name, f.sound, s.sound,
       coalesce(f.names, '{}'), v.dob, v.sex,
       -- misswitch_work.normalise_emails(v.emails) and normalise_phones(v.phones), from the elements above
       CASE coalesce(pg_catalog.cardinality(v.emails), 0) WHEN 0 THEN '{}'::text[]
            WHEN 1 THEN misswitch_work.distinct_pair(v.email1, NULL)
            WHEN 2 THEN misswitch_work.distinct_pair(v.email1, v.email2)
            ELSE misswitch_work.normalise_email_list(v.emails) END,
       CASE coalesce(pg_catalog.cardinality(v.phones), 0) WHEN 0 THEN '{}'::text[]
            WHEN 1 THEN misswitch_work.distinct_pair(v.phone1, NULL)
            WHEN 2 THEN misswitch_work.distinct_pair(v.phone1, v.phone2)
            ELSE misswitch_work.normalise_phone_list(v.phones) END,
       misswitch_work.normalise_postcode(v.address_postcode),
       misswitch_work.normalise_code(v.staff_code), misswitch_work.normalise_code(v.teacher_number),
       misswitch_work.normalise_code(v.ni_number)
  FROM variant v
  LEFT JOIN misswitch_work.name_form f ON f.raw = v.forename
  LEFT JOIN misswitch_work.name_form s ON s.raw = v.surname;]]
end

function M.prepare()
  return "SELECT misswitch_work.analyze_work('account_person', 'record_person');"
end

-- Manual decisions first: forced links become exact decisions (the record in the account's own
-- school when one MIS ID is in several); forbid and separate are honoured by every later pass.
function M.overrides()
  return [[
INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, reason)
SELECT DISTINCT ON (o.account) o.account, a.account_type, 'exact', r.load_id, r.mis_id, 'override',
       pg_catalog.format('forced by overrides line %s%s', o.line, ': ' || NULLIF(o.note, ''))
  FROM misswitch_work.override o
  JOIN misswitch_work.account_person a ON a.account_id = o.account
  JOIN misswitch_work.new_record r ON r.mis_id = o.target
 WHERE o.decision = 'force'
 ORDER BY o.account, (r.school_key = a.school_key) DESC, (r.record_type = a.account_type) DESC, r.load_id;]]
end

function M.exact(pass)
  local records = M.RECORDS[pass.role]
  local normalise = M.NORMALISERS[pass.normalise or "none"]
  local dob = pass.dob_agrees and "r.dob" or "NULL::date"
  local keys = {}
  for _, column in ipairs(pass.record) do
    local value
    if pass.arrays[column] then
      value = normalise("k.value") .. ", " .. dob .. " FROM " .. records
              .. " r CROSS JOIN LATERAL pg_catalog.unnest(r." .. column .. ") AS k(value)"
    else
      value = normalise("r." .. column) .. ", " .. dob .. " FROM " .. records .. " r"
    end
    keys[#keys + 1] = "    SELECT r.load_id, r.mis_id, " .. value
  end
  local accountValue = normalise("a." .. pass.account)
  return lines {
    "-- pass " .. pass.name .. ": " .. pass.role .. " accounts whose " .. pass.account
      .. " equals a new record's " .. table.concat(pass.record, " or "),
    "WITH record_key (load_id, mis_id, value, dob) AS (",
    table.concat(keys, "\n    UNION ALL\n"),
    "), candidate AS MATERIALIZED (",
    "    SELECT DISTINCT a.account_id, k.load_id, k.mis_id",
    "      FROM misswitch_work.account_person a",
    "      JOIN record_key k ON k.value = " .. accountValue,
    "      JOIN misswitch_staging.extract_load l ON l.load_id = k.load_id AND l.role = 'new'",
    "     WHERE a.account_type = " .. M.quote(pass.role),
    pass.same_school and "       AND l.school_key = a.school_key" or "       -- any school of the trust",
    pass.dob_agrees and "       AND misswitch_work.dob_level(a.dob, k.dob) IS DISTINCT FROM 'different'  -- two people who share the key"
      or "       -- (the date of birth is not compared)",
    "       AND " .. openAccount("a"),
    "       AND " .. openRecord("k"),
    "       AND " .. notForbidden("a.account_id", "k.mis_id"),
    "), counted AS (",
    "    -- counted by hashing (a million pupils: window functions sorted them twice)",
    "    SELECT c.*, pa.n AS per_account, pr.n AS per_record",
    "      FROM candidate c",
    "      JOIN (SELECT c.account_id, pg_catalog.count(*) AS n FROM candidate c GROUP BY 1) pa USING (account_id)",
    "      JOIN (SELECT c.load_id, c.mis_id, pg_catalog.count(*) AS n FROM candidate c GROUP BY 1, 2) pr",
    "     USING (load_id, mis_id)",
    ")",
    "INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, reason)",
    "SELECT account_id, " .. M.quote(pass.role) .. ", 'exact', load_id, mis_id, " .. M.quote(pass.name) .. ", "
      .. M.quote(pass.reason),
    pass.ambiguous == "next" and "  FROM counted WHERE per_account = 1 AND per_record = 1;  -- a shared key is left to the next passes"
    or lines {
    "  FROM counted WHERE per_account = 1 AND per_record = 1",
    "UNION ALL  -- a shared key goes to review, with the first of the account's records",
    "(SELECT DISTINCT ON (account_id) account_id, " .. M.quote(pass.role) .. ", 'possible', load_id, mis_id, "
      .. M.quote(pass.name) .. ",",
    "        CASE WHEN per_account > 1 THEN pg_catalog.format('" .. pass.account
      .. " matches %s new records', per_account)",
    "             ELSE pg_catalog.format('" .. pass.account .. " shared with %s other account(s)', per_record - 1) END",
    "   FROM counted WHERE per_account > 1 OR per_record > 1",
    "  ORDER BY account_id, load_id, mis_id);" },
  }
end

-- Pairs (account_id, load_id, mis_id, variant) to compare for a scored pass: open accounts and
-- open records sharing any blocking key (equality joins on indexed columns, never a cross join).
local function blockedPairs(pass)
  local unions = {}
  for _, key in ipairs(pass.blocking) do
    local on = {}
    for _, column in ipairs(key) do
      -- the account's school as the school it became (school_key_map): a school whose codes
      -- change is still the same school
      on[#on + 1] = "r." .. column .. " = a." .. (column == "school_key" and "block_school_key" or column)
    end
    unions[#unions + 1] = "    SELECT a.account_id, r.load_id, r.mis_id, r.variant FROM open_account a"
                          .. " JOIN open_record r ON " .. table.concat(on, " AND ")
  end
  return lines {
    "WITH open_account AS (",
    "    SELECT a.*, coalesce((SELECT pg_catalog.min(m.new_school_key) FROM misswitch_work.school_key_map m",
    "                           WHERE m.school_key = a.school_key), a.school_key) AS block_school_key",
    "      FROM misswitch_work.account_person a",
    "     WHERE a.account_type = " .. M.quote(pass.role) .. " AND " .. openAccount("a"),
    "), open_record AS (",
    "    SELECT r.* FROM misswitch_work.record_person r",
    "     WHERE r.record_type = " .. M.quote(pass.role) .. " AND " .. openRecord("r"),
    "), pair AS (",
    table.concat(unions, "\n    UNION\n"),
    ")",
  }
end

local function priorsJson(pass)
  local parts = {}
  for field, levels in pairs(pass.priors or {}) do
    local inner = {}
    for level, m in pairs(levels) do inner[#inner + 1] = string.format("%q: %s", level, number(m)) end
    table.sort(inner)
    parts[#parts + 1] = string.format("%q: {%s}", field, table.concat(inner, ", "))
  end
  table.sort(parts)
  return M.quote("{" .. table.concat(parts, ", ") .. "}") .. "::jsonb"
end

-- The compared field each exact pass keyed on (e.g. staff_email: email), as a CASE over d.pass.
local function keyFieldCase(pass)
  local whens = {}
  for passName, field in pairs(pass.key_fields or {}) do
    whens[#whens + 1] = "WHEN " .. M.quote(passName) .. " THEN " .. M.quote(field)
  end
  table.sort(whens)
  if #whens == 0 then return "''" end
  return "CASE x.pass " .. table.concat(whens, " ") .. " ELSE '' END"
end

local function assign(pass)
  return "SELECT misswitch_work.assign_candidates(t.pass, " .. M.quote(pass.role) .. ", t.likely_at, t.possible_at, t.margin, "
         .. textArray(pass.required) .. ")\n  FROM misswitch_work.pass_threshold t WHERE t.pass = " .. M.quote(pass.name) .. ";"
end

-- The thresholds a pass assigns with (misswitch_work.pass_threshold, shown by explain). A
-- size-aware pass adds log2 of the larger of its open accounts and open records to likely and
-- possible: the odds that a random account-record pair is a match are about one in that
-- number, so likely and possible are posterior odds in bits. Counted before the pass decides.
local function threshold(pass, sizeAware)
  local role = M.quote(pass.role)
  local bits = sizeAware and "pg_catalog.log(2.0, GREATEST(a.n, r.n, 2)::numeric)::double precision" or "0"
  return lines {
    "INSERT INTO misswitch_work.pass_threshold (pass, open_accounts, open_records, size_bits, likely, possible,",
    "                                           likely_at, possible_at, margin)",
    "SELECT " .. M.quote(pass.name) .. ", a.n, r.n, s.bits, " .. number(pass.likely) .. ", " .. number(pass.possible) .. ",",
    "       " .. number(pass.likely) .. " + s.bits, " .. number(pass.possible) .. " + s.bits, " .. number(pass.margin),
    "  FROM (SELECT pg_catalog.count(*) AS n FROM misswitch_work.account_person a",
    "         WHERE a.account_type = " .. role .. " AND " .. openAccount("a") .. ") a,",
    "       (SELECT pg_catalog.count(*) AS n FROM (SELECT DISTINCT r.load_id, r.mis_id FROM misswitch_work.record_person r",
    "         WHERE r.record_type = " .. role .. " AND " .. openRecord("r") .. ") r) r,",
    "       LATERAL (SELECT " .. bits .. " AS bits) s;",
  }
end

-- The pooled levels (M.POOLED_LEVELS) of the pass's fields, as jsonb for estimate_weights.
local function pooledJson(pass)
  local parts = {}
  for _, field in ipairs(pass.fields) do
    local inner = {}
    for level, pool in pairs(M.POOLED_LEVELS[field] or {}) do
      inner[#inner + 1] = string.format("%q: {\"as\": %q, \"why\": %q}", level, pool.as, pool.why)
    end
    table.sort(inner)
    if #inner > 0 then parts[#parts + 1] = string.format("%q: {%s}", field, table.concat(inner, ", ")) end
  end
  return M.quote("{" .. table.concat(parts, ", ") .. "}") .. "::jsonb"
end

-- The schools whose codes the move changes (misswitch_work.school_change: the extract most of a
-- platform school's relinked pupils went to), for the school field and the blocking keys that
-- name the school. Empty when no code changes.
local function usesSchool(pass)
  for _, field in ipairs(pass.fields) do
    if field == "school" then return true end
  end
  for _, key in ipairs(pass.blocking) do
    for _, column in ipairs(key) do
      if column == "school_key" then return true end
    end
  end
  return false
end

local function schoolMap(pass)
  if not usesSchool(pass) then return "-- (no school compared or blocked on: no school map)" end
  return lines {
    "TRUNCATE misswitch_work.school_key_map;",
    "INSERT INTO misswitch_work.school_key_map (school_key, new_school_key)",
    "SELECT DISTINCT c.lea_code || '/' || c.dfe_number, c.new_school_key FROM misswitch_work.school_change c;",
  }
end

-- A scored pass for pupils or staff: compare blocked pairs field by field; m from the exact-key
-- matches of the role (up to anchor_limit, chosen deterministically), u from as many
-- deterministic pseudo-random pairs of the role's accounts and records; score; assign.
function M.scored(pass)
  local levels = levelsObject(pass.fields)
  local role = M.quote(pass.role)
  local name = M.quote(pass.name)
  return lines {
    "-- pass " .. pass.name .. ": " .. pass.role .. " accounts no exact key matched, scored on "
      .. table.concat(pass.fields, ", "),
    "DELETE FROM misswitch_work.comparison WHERE pass = " .. name .. ";",
    "SELECT misswitch_work.analyze_work('decision');",
    threshold(pass, pass.size_aware),
    schoolMap(pass),
    blockedPairs(pass),
    "INSERT INTO misswitch_work.comparison (pass, sample, account_id, load_id, mis_id, levels)",
    "SELECT " .. name .. ", 'candidate', a.account_id, r.load_id, r.mis_id,",
    "       " .. levels,
    "  FROM pair p",
    "  JOIN misswitch_work.account_person a ON a.account_id = p.account_id",
    "  JOIN misswitch_work.record_person r ON (r.load_id, r.mis_id, r.variant) = (p.load_id, p.mis_id, p.variant)",
    " WHERE " .. notForbidden("p.account_id", "p.mis_id") .. ";",
    "SELECT misswitch_work.analyze_work('comparison');",
    "-- m: pairs an exact key already linked (their best name variant)",
    "INSERT INTO misswitch_work.comparison (pass, sample, account_id, load_id, mis_id, levels)",
    "-- (leave-one-out: a field the anchor's own exact key compared says nothing about m)",
    "SELECT DISTINCT ON (x.account_id) " .. name .. ", 'anchor', x.account_id, x.load_id, x.mis_id,",
    "       x.levels - " .. keyFieldCase(pass) .. "",
    "  FROM (SELECT a.account_id, r.load_id, r.mis_id, d.pass, " .. levels .. " AS levels",
    "          FROM (SELECT d.account_id, d.new_load_id, d.new_mis_id, d.pass FROM misswitch_work.decision d",
    "                 WHERE d.account_type = " .. role .. " AND d.tier = 'exact' AND d.pass <> 'override'",
    "                 ORDER BY pg_catalog.md5(d.account_id) LIMIT " .. pass.anchor_limit .. ") d",
    "          JOIN misswitch_work.account_person a ON a.account_id = d.account_id",
    "          JOIN misswitch_work.record_person r ON r.load_id = d.new_load_id AND r.mis_id = d.new_mis_id) x",
    " ORDER BY x.account_id, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_each_text(x.levels) e",
    "                          WHERE e.value = 'exact') DESC, x.load_id,",
    "          x.levels::text;  -- (two name variants as good as each other: the same one every run)",
    "-- u: deterministic pseudo-random pairs of this role's accounts and records: both sides",
    "-- numbered in a fixed pseudo-random order (keys only, so the sort stays narrow), the g-th",
    "-- pair drawn by two strides through them, then joined back by key (linear: hash joins)",
    "WITH account AS (",
    "    SELECT a.account_id, pg_catalog.row_number() OVER (ORDER BY pg_catalog.md5(a.account_id)) - 1 AS n,",
    "           pg_catalog.count(*) OVER () AS total",
    "      FROM misswitch_work.account_person a WHERE a.account_type = " .. role,
    "), record AS (",
    "    SELECT r.load_id, r.mis_id, r.variant,",
    "           pg_catalog.row_number() OVER (ORDER BY pg_catalog.md5(r.mis_id || r.variant), r.load_id) - 1 AS n,",
    "           pg_catalog.count(*) OVER () AS total",
    "      FROM misswitch_work.record_person r WHERE r.record_type = " .. role,
    "), draw AS (",
    "    SELECT g, (g * 7919) % (SELECT pg_catalog.max(total) FROM account) AS account_n,",
    "           (g * 104729 + 17) % (SELECT pg_catalog.max(total) FROM record) AS record_n",
    "      FROM pg_catalog.generate_series(1, " .. pass.random_pairs .. ") AS g",
    "     WHERE EXISTS (SELECT 1 FROM account) AND EXISTS (SELECT 1 FROM record)",
    "), drawn AS MATERIALIZED (",
    "    -- the drawn keys first, so that the joins back hash these few instead of whole tables:",
    "    -- every draw finds exactly one account and one record (n runs from 0 to total - 1), and",
    "    -- the LIMIT, which keeps them all, tells the planner how few they are",
    "    SELECT da.account_id, dr.load_id, dr.mis_id, dr.variant",
    "      FROM draw JOIN account da ON da.n = draw.account_n JOIN record dr ON dr.n = draw.record_n",
    "     LIMIT " .. pass.random_pairs,
    ")",
    "INSERT INTO misswitch_work.comparison (pass, sample, account_id, load_id, mis_id, levels)",
    "SELECT " .. name .. ", 'random', a.account_id, r.load_id, r.mis_id, " .. levels,
    "  FROM drawn p",
    "  JOIN misswitch_work.account_person a ON a.account_id = p.account_id",
    "  JOIN misswitch_work.record_person r ON (r.load_id, r.mis_id, r.variant) = (p.load_id, p.mis_id, p.variant)",
    " WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.decision d WHERE d.account_id = a.account_id",
    "                    AND d.new_load_id = r.load_id AND d.new_mis_id = r.mis_id);",
    "SELECT misswitch_work.estimate_weights(" .. name .. ", " .. pass.min_anchors .. ", " .. priorsJson(pass)
      .. ", 'exact-key matches of this role', " .. pooledJson(pass) .. ");",
    "SELECT misswitch_work.score_candidates(" .. name .. ");",
    "SELECT misswitch_work.analyze_work('candidate', 'decision');",
    assign(pass),
  }
end

-- The levels of a pass's fields as one text key (compared_pair.pattern): each field's level
-- (M.FIELDS) in the pass's order, '|' between them, '' for a field either side lacks.
local function levelsKey(fields)
  local parts = {}
  for _, field in ipairs(fields) do
    parts[#parts + 1] = "coalesce(" .. M.FIELDS[field] .. ", '')"
  end
  return table.concat(parts, "\n       || '|' || ")
end

-- The jsonb levels of a key made by levelsKey: the object levelsObject builds for the same pair.
local function keyLevels(fields, key)
  local parts = {}
  for i, field in ipairs(fields) do
    parts[#parts + 1] = M.quote(field) .. ", NULLIF(pg_catalog.split_part(" .. key .. ", '|', " .. i .. "), '')"
  end
  return "pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(" .. table.concat(parts, ", ") .. "))"
end

-- Parents through their children: a platform parent's candidates are the new contacts related
-- to the new records its linked children (its own links and its duplicates') were matched to.
-- A contact in two schools of a trust (one MIS ID) is one person: the load of the parent's own
-- school is taken. m and u come from the candidates themselves: a pair is an anchor for field f
-- when at least two other identity fields agree exactly (leave-one-out); the other candidates
-- of an account with a strong anchor (three identity fields exact) are its non-matches (the
-- other contacts of the same children: what the score must tell apart).
-- The pairs (362 k at 100 k pupils) show a few dozen combinations of levels: each pair keeps
-- its combination as a text key (misswitch_work.compared_pair), and each combination is made
-- jsonb, counted, sampled and scored once (misswitch_work.level_pattern, score_distinct_pairs).
function M.parents(pass)
  local name = M.quote(pass.name)
  local identity = {}
  for _, f in ipairs({ "forename", "surname", "email", "phone" }) do identity[#identity + 1] = M.quote(f) end
  local identitySet = "ARRAY[" .. table.concat(identity, ", ") .. "]"
  return lines {
    "-- pass " .. pass.name .. ": parents through their matched children, scored on " .. table.concat(pass.fields, ", "),
    "DELETE FROM misswitch_work.comparison WHERE pass = " .. name .. ";",
    "DELETE FROM misswitch_work.compared_pair WHERE pass = " .. name .. ";",
    "DELETE FROM misswitch_work.level_pattern WHERE pass = " .. name .. ";",
    "SELECT misswitch_work.analyze_work('decision', 'duplicate');",
    threshold(pass, false),
    "WITH family AS (",
    "    SELECT coalesce(dup.keep_account_id, l.parent_account) AS account_id, l.child_account, l.relationship",
    "      FROM misswitch_staging.platform_parent_link l",
    "      LEFT JOIN misswitch_work.duplicate dup ON dup.account_id = l.parent_account",
    "), child_record AS (",
    "    -- the open parent account joined (one row: its key), not tested with EXISTS, so that its",
    "    -- school comes along and pair need not join account_person a second time",
    "    SELECT f.account_id, a.school_key AS account_school, f.relationship, d.new_load_id, d.new_mis_id",
    "      FROM family f",
    "      JOIN misswitch_work.decision d ON d.account_id = f.child_account AND d.tier IN ('exact', 'likely')",
    "      JOIN misswitch_work.account_person a ON a.account_id = f.account_id",
    "     WHERE a.account_type = 'parent' AND " .. openAccount("a"),
    "), related AS (",
    "    SELECT c.account_id, c.account_school, l.mis_source, rel.contact_mis_id AS mis_id, rel.load_id, l.school_key,",
    "           pg_catalog.lower(rel.relationship) = pg_catalog.lower(c.relationship) AS same_relationship",
    "      FROM child_record c",
    "      JOIN misswitch_staging.extract_relationship rel",
    "        ON rel.load_id = c.new_load_id AND rel.pupil_mis_id = c.new_mis_id",
    "      JOIN misswitch_staging.extract_load l ON l.load_id = rel.load_id",
    "), pair AS (",
    "    SELECT r.account_id, r.mis_id,",
    "           coalesce(pg_catalog.min(r.load_id) FILTER (WHERE r.school_key = r.account_school), pg_catalog.min(r.load_id)) AS load_id,",
    "           pg_catalog.bool_or(r.same_relationship) AS relationship_agrees",
    "      FROM related r",
    "     WHERE " .. notForbidden("r.account_id", "r.mis_id"),
    "     GROUP BY r.account_id, r.mis_source, r.mis_id",
    ")",
    "INSERT INTO misswitch_work.compared_pair (pass, account_id, load_id, mis_id, pattern)",
    "SELECT " .. name .. ", a.account_id, r.load_id, r.mis_id,",
    "       " .. levelsKey(pass.fields),
    "  FROM pair p",
    "  JOIN misswitch_work.account_person a ON a.account_id = p.account_id",
    "  JOIN misswitch_work.record_person r ON r.load_id = p.load_id AND r.mis_id = p.mis_id",
    " WHERE " .. openRecord("r") .. ";",
    "-- each combination of levels once, with the number of pairs that show it",
    "INSERT INTO misswitch_work.level_pattern (pass, pattern, levels, pairs)",
    "SELECT " .. name .. ", c.pattern, " .. keyLevels(pass.fields, "c.pattern") .. ", c.pairs",
    "  FROM (SELECT c.pattern, pg_catalog.count(*) AS pairs FROM misswitch_work.compared_pair c",
    "         WHERE c.pass = " .. name .. " GROUP BY c.pattern) c;",
    "SELECT misswitch_work.analyze_work('compared_pair', 'level_pattern');",
    "-- m: leave-one-out anchors (two other identity fields exact), stored once per combination",
    "-- of levels with the number of pairs it stands for",
    "INSERT INTO misswitch_work.comparison (pass, sample, levels, pairs)",
    "SELECT " .. name .. ", 'anchor', x.levels, c.pairs",
    "  FROM (SELECT p.levels, p.pairs FROM misswitch_work.level_pattern p WHERE p.pass = " .. name .. ") c",
    "  CROSS JOIN LATERAL (",
    "      SELECT pg_catalog.jsonb_object_agg(f.key, f.value) AS levels",
    "        FROM pg_catalog.jsonb_each(c.levels) AS f",
    "       WHERE (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_each_text(c.levels) AS g",
    "               WHERE g.key <> f.key AND g.key = ANY (" .. identitySet .. ") AND g.value IN ('exact', 'derived', 'swapped')) >= 2",
    "         -- one of them a forename or an email: two parents share a surname and a landline",
    "         AND EXISTS (SELECT 1 FROM pg_catalog.jsonb_each_text(c.levels) AS g",
    "                      WHERE g.key <> f.key AND g.key IN ('forename', 'email') AND g.value IN ('exact', 'derived', 'swapped'))) AS x",
    " WHERE x.levels IS NOT NULL;",
    "-- u: the other candidates of accounts with a strong anchor (three identity fields exact)",
    "WITH pattern AS (",
    "    SELECT p.pattern, p.levels, (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_each_text(p.levels) AS g",
    "                       WHERE g.key = ANY (" .. identitySet .. ") AND g.value IN ('exact', 'derived', 'swapped')) AS exact_fields",
    "      FROM misswitch_work.level_pattern p WHERE p.pass = " .. name,
    "), anchored AS (",
    "    SELECT DISTINCT c.account_id FROM misswitch_work.compared_pair c JOIN pattern p ON p.pattern = c.pattern",
    "     WHERE c.pass = " .. name .. " AND p.exact_fields >= 3",
    ")",
    "INSERT INTO misswitch_work.comparison (pass, sample, levels, pairs)",
    "SELECT " .. name .. ", 'random', p.levels, pg_catalog.count(*)",
    "  FROM misswitch_work.compared_pair c JOIN pattern p ON p.pattern = c.pattern",
    " WHERE c.pass = " .. name .. " AND p.exact_fields < 3",
    "   AND c.account_id IN (SELECT a.account_id FROM anchored a)",
    " GROUP BY p.levels;",
    "SELECT misswitch_work.estimate_weights(" .. name .. ", " .. pass.min_anchors .. ", " .. priorsJson(pass)
      .. ", 'candidates agreeing on two other identity fields', " .. pooledJson(pass) .. ");",
    "-- one pair per account and record (pair is grouped by them): nothing to choose among",
    "SELECT misswitch_work.score_distinct_pairs(" .. name .. ");",
    "-- decision is as the ANALYZE at the start of this pass left it: only candidate is new",
    "SELECT misswitch_work.analyze_work('candidate');",
    assign(pass),
    pass.unmatched_children == "accept" and "-- unmatched_children = accept: links to leavers stay as they are"
    or lines {
    "-- A parent still linked on the platform to a child with no new record (a leaver, or a",
    "-- child in review) is confirmed by a person: the plan keeps that link.",
    "UPDATE misswitch_work.decision d",
    "   SET tier = 'possible',",
    "       reason = pg_catalog.format('linked to child account %s, which has no new record: confirm this parent (%s)',",
    "                                  u.child, d.reason)",
    "  FROM (SELECT coalesce(dup.keep_account_id, l.parent_account) AS account_id, pg_catalog.min(l.child_account) AS child",
    "          FROM misswitch_staging.platform_parent_link l",
    "          LEFT JOIN misswitch_work.duplicate dup ON dup.account_id = l.parent_account",
    "         WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.decision c WHERE c.account_id = l.child_account",
    "                            AND c.tier IN ('exact', 'likely'))",
    "         GROUP BY 1) u",
    " WHERE d.account_id = u.account_id AND d.pass = " .. name .. " AND d.tier = 'likely';",
    },
  }
end

-- Duplicate accounts of one person, key by key: accounts of the role sharing a key are one
-- person; the kept account is the one with content, then the latest login, then the oldest.
-- A `separate` override keeps two accounts apart. Duplicates get decision 'none' naming the
-- kept account, so the plan merges instead of relinking them.
function M.duplicates(pass)
  local out = { "-- pass " .. pass.name .. ": duplicate " .. pass.role .. " accounts by "
                .. table.concat(pass.keys, ", then ") }
  for _, key in ipairs(pass.keys) do
    local k = M.DUPLICATE_KEYS[key]
    out[#out + 1] = lines {
      "WITH keyed AS (",
      "    SELECT a.account_id, a.username, " .. k.sql .. " AS k, a.content_items, a.last_login, a.created_at",
      "      FROM misswitch_work.account_person a",
      "     WHERE a.account_type = " .. M.quote(pass.role),
      "       AND NOT EXISTS (SELECT 1 FROM misswitch_work.duplicate d WHERE d.account_id = a.account_id)",
      "       AND NOT EXISTS (SELECT 1 FROM misswitch_work.decision d WHERE d.account_id = a.account_id AND d.pass = 'override')",
      "), grouped AS (",
      "    SELECT g.*, pg_catalog.first_value(g.account_id) OVER w AS keep,",
      "           pg_catalog.first_value(g.username) OVER w AS keep_username,",
      "           pg_catalog.count(*) OVER (PARTITION BY g.k) AS members",
      "      FROM keyed g WHERE g.k IS NOT NULL",
      "    WINDOW w AS (PARTITION BY g.k ORDER BY g.content_items DESC, g.last_login DESC NULLS LAST,",
      "                                       g.created_at, g.account_id)",
      ")",
      "INSERT INTO misswitch_work.duplicate (account_id, keep_account_id, pass, reason)",
      "SELECT g.account_id, g.keep, " .. M.quote(pass.name) .. ",",
      "       pg_catalog.format('%s as account %s (%s), which is kept: it has the content or the latest login', "
        .. M.quote(k.says) .. ", g.keep, g.keep_username)",
      "  FROM grouped g",
      " WHERE g.members > 1 AND g.account_id <> g.keep",
      "   AND NOT EXISTS (SELECT 1 FROM misswitch_work.override o WHERE o.decision = 'separate'",
      "                    AND ((o.account, o.target) = (g.account_id, g.keep) OR (o.account, o.target) = (g.keep, g.account_id)));",
    }
  end
  out[#out + 1] = lines {
    "INSERT INTO misswitch_work.decision (account_id, account_type, tier, pass, reason)",
    "SELECT d.account_id, " .. M.quote(pass.role) .. ", 'none', d.pass, 'duplicate: ' || d.reason",
    "  FROM misswitch_work.duplicate d",
    "  JOIN misswitch_work.account_person a USING (account_id)",
    " WHERE a.account_type = " .. M.quote(pass.role),
    "   AND NOT EXISTS (SELECT 1 FROM misswitch_work.decision x WHERE x.account_id = d.account_id);",
  }
  return table.concat(out, "\n")
end

-- Every account no pass decided: 'none', with a reason a person can act on.
function M.unmatched(covered)
  local reasons = {
    "WHEN 'parent' THEN " .. M.quote(covered.parent
      and "no contact of this parent's matched children fits: a leaver, or check the children's links"
      or "no rule matches parent accounts in this ruleset"),
    "WHEN 'pupil' THEN " .. M.quote(covered.pupil and "no new record found: a leaver, or check the record"
      or "no rule matches pupil accounts in this ruleset"),
    "WHEN 'staff' THEN " .. M.quote(covered.staff and "no new record found: a leaver, or check the record"
      or "no rule matches staff accounts in this ruleset"),
  }
  return lines {
    "-- every account no pass decided",
    "INSERT INTO misswitch_work.decision (account_id, account_type, tier, pass, reason, score, runner_up_mis_id,",
    "                                     runner_up_score)",
    "SELECT a.account_id, a.account_type, 'none', 'unmatched',",
    "       CASE WHEN c.account_id IS NOT NULL",
    "            THEN pg_catalog.format('best candidate %s scored %s, below review', c.mis_id, pg_catalog.round(c.score::numeric, 1))",
    "            WHEN a.disabled THEN 'account disabled on the platform'",
    "            ELSE CASE a.account_type " .. table.concat(reasons, " ") .. " END END,",
    "       pg_catalog.round(c.score::numeric, 2), NULL, NULL",
    "  FROM misswitch_staging.platform_account a",
    "  LEFT JOIN LATERAL (SELECT c.* FROM misswitch_work.candidate c WHERE c.account_id = a.account_id",
    "                      ORDER BY c.score DESC, c.mis_id LIMIT 1) c ON true",
    " WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.decision d WHERE d.account_id = a.account_id);",
  }
end

return M
