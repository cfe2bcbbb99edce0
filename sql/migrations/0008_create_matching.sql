-- 0008: matching: the comparison tools (pg_trgm, fuzzystrmatch, unaccent) in their own schema,
-- IMMUTABLE normalisers, the nickname table, and the work tables and functions behind scored
-- (Fellegi-Sunter) matching: prepared persons, pair comparisons, estimated weights, candidates.
-- The SQL the rules generate calls these; every name is schema-qualified (the session
-- search_path is pg_catalog only).

CREATE SCHEMA IF NOT EXISTS misswitch_ext;
COMMENT ON SCHEMA misswitch_ext IS 'misswitch: contrib extensions the matching uses';
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA misswitch_ext;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch SCHEMA misswitch_ext;
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA misswitch_ext;

-- Thin wrappers so nothing else names the extensions' schema: a platform database may already
-- have an extension installed elsewhere (CREATE EXTENSION IF NOT EXISTS then keeps it there).
DO $do$
DECLARE
    trgm text := (SELECT n.nspname FROM pg_catalog.pg_extension e
                    JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm');
    fuzzy text := (SELECT n.nspname FROM pg_catalog.pg_extension e
                     JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'fuzzystrmatch');
    accents text := (SELECT n.nspname FROM pg_catalog.pg_extension e
                       JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent');
BEGIN
    EXECUTE pg_catalog.format($f$
        CREATE FUNCTION misswitch_work.trgm_similarity(a text, b text) RETURNS real
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT %I.similarity(a, b)'$f$, trgm);
    EXECUTE pg_catalog.format($f$
        CREATE FUNCTION misswitch_work.levenshtein(a text, b text) RETURNS integer
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT %I.levenshtein(a, b)'$f$, fuzzy);
    EXECUTE pg_catalog.format($f$
        CREATE FUNCTION misswitch_work.sound(a text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT %I.dmetaphone(a)'$f$, fuzzy);
    -- unaccent's one-argument form uses the dictionary in its own schema (not search_path),
    -- and costs a C call: naming the dictionary instead would cast text to regdictionary on
    -- every row. STABLE like unaccent itself, so that it and normalise_name inline.
    EXECUTE pg_catalog.format($f$
        CREATE FUNCTION misswitch_work.unaccent_text(a text) RETURNS text
        LANGUAGE sql STABLE STRICT PARALLEL SAFE AS 'SELECT %I.unaccent(a)'$f$, accents);
END
$do$;

-- Names: unaccented, lowercase, apostrophes and dots dropped (O'Brien = OBrien), hyphens and
-- other punctuation as one space (Price-Marshall = price marshall), spaces collapsed.
-- STABLE (unaccent reads its dictionary) and a single expression, so the planner inlines it:
-- no SQL-function call per row. prepare still calls it once per distinct name (name_form).
CREATE FUNCTION misswitch_work.normalise_name(name text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(pg_catalog.btrim(pg_catalog.regexp_replace(pg_catalog.regexp_replace(
               pg_catalog.lower(misswitch_work.unaccent_text(name)),
               '[''`’‘.]', '', 'g'), '[^a-z0-9]+', ' ', 'g')), '')
$$;

CREATE FUNCTION misswitch_work.normalise_email(email text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NULLIF(pg_catalog.lower(pg_catalog.btrim(email)), '')
$$;

-- UK phones: digits only, +44 / 0044 (and +44 (0)) as a leading 0. One expression (inlined).
-- 44 counts as the country code only before 10 or 11 national digits.
CREATE FUNCTION misswitch_work.normalise_phone(phone text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NULLIF(pg_catalog.regexp_replace(pg_catalog.regexp_replace(phone, '[^0-9]', '', 'g'),
                                            '^(?:0044|44(?=[0-9]{10,11}$))0?', '0'), '')
$$;

CREATE FUNCTION misswitch_work.normalise_postcode(postcode text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NULLIF(pg_catalog.upper(pg_catalog.regexp_replace(postcode, '[^A-Za-z0-9]', '', 'g')), '')
$$;

-- Codes (staff codes, teacher and NI numbers): uppercase, no spaces or punctuation.
CREATE FUNCTION misswitch_work.normalise_code(code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT NULLIF(pg_catalog.upper(pg_catalog.regexp_replace(code, '[^A-Za-z0-9]', '', 'g')), '')
$$;

-- Lists of phones and emails: normalised, without NULLs and repeats, sorted. Contacts carry one
-- or two of each, so those cases are plain expressions (the functions inline: no query per
-- row); only a longer list runs the general query.
CREATE FUNCTION misswitch_work.distinct_pair(a text, b text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL AND b IS NULL THEN '{}'::text[]
                WHEN a IS NULL THEN ARRAY[b]
                WHEN b IS NULL OR a = b THEN ARRAY[a]
                ELSE ARRAY[LEAST(a, b), GREATEST(a, b)] END
$$;

CREATE FUNCTION misswitch_work.normalise_phone_list(phones text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(pg_catalog.array_agg(DISTINCT n ORDER BY n) FILTER (WHERE n IS NOT NULL), '{}')
      FROM pg_catalog.unnest(phones) AS p, misswitch_work.normalise_phone(p) AS n
$$;

CREATE FUNCTION misswitch_work.normalise_phones(phones text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE coalesce(pg_catalog.cardinality(phones), 0)
                WHEN 0 THEN '{}'::text[]
                WHEN 1 THEN misswitch_work.distinct_pair(misswitch_work.normalise_phone(phones[1]), NULL)
                WHEN 2 THEN misswitch_work.distinct_pair(misswitch_work.normalise_phone(phones[1]),
                                                         misswitch_work.normalise_phone(phones[2]))
                ELSE misswitch_work.normalise_phone_list(phones) END
$$;

CREATE FUNCTION misswitch_work.normalise_email_list(emails text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(pg_catalog.array_agg(DISTINCT n ORDER BY n) FILTER (WHERE n IS NOT NULL), '{}')
      FROM pg_catalog.unnest(emails) AS e, misswitch_work.normalise_email(e) AS n
$$;

CREATE FUNCTION misswitch_work.normalise_emails(emails text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE coalesce(pg_catalog.cardinality(emails), 0)
                WHEN 0 THEN '{}'::text[]
                WHEN 1 THEN misswitch_work.distinct_pair(misswitch_work.normalise_email(emails[1]), NULL)
                WHEN 2 THEN misswitch_work.distinct_pair(misswitch_work.normalise_email(emails[1]),
                                                         misswitch_work.normalise_email(emails[2]))
                ELSE misswitch_work.normalise_email_list(emails) END
$$;

-- The letters of a word in order: equal for two spellings that only swap letters (Mia, Mai).
CREATE FUNCTION misswitch_work.sorted_letters(word text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT pg_catalog.string_agg(c, '' ORDER BY c) FROM pg_catalog.regexp_split_to_table(word, '') AS c
$$;

-- Date of birth agreement: exact, near (one digit keyed wrong, or day and month swapped),
-- different; NULL when either is missing. Immutable arithmetic only (to_char is STABLE), so the
-- planner inlines it into the comparisons.
CREATE FUNCTION misswitch_work.dob_level(a date, b date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL
                WHEN a = b THEN 'exact'
                WHEN misswitch_work.levenshtein(
                       ((pg_catalog.date_part('year', a) * 10000 + pg_catalog.date_part('month', a) * 100
                         + pg_catalog.date_part('day', a))::integer)::text,
                       ((pg_catalog.date_part('year', b) * 10000 + pg_catalog.date_part('month', b) * 100
                         + pg_catalog.date_part('day', b))::integer)::text) = 1
                  OR (pg_catalog.date_part('year', a) = pg_catalog.date_part('year', b)
                      AND pg_catalog.date_part('month', a) = pg_catalog.date_part('day', b)
                      AND pg_catalog.date_part('day', a) = pg_catalog.date_part('month', b)) THEN 'near'
                ELSE 'different' END
$$;

-- Nicknames: each variant belongs to one or more canonical names. 'default' rows come with
-- the tool; a ruleset adds its own ('rules' rows, replaced on every match).
CREATE TABLE misswitch_work.nickname (
    variant   text NOT NULL,   -- normalised (misswitch_work.normalise_name)
    canonical text NOT NULL,   -- normalised
    source    text NOT NULL DEFAULT 'default' CHECK (source IN ('default', 'rules')),
    PRIMARY KEY (variant, canonical, source)
);
INSERT INTO misswitch_work.nickname (variant, canonical)
SELECT v, g[1] FROM (VALUES
    ('{william,will,bill,billy,liam,willie,wills}'::text[]),
    ('{robert,rob,bob,bobby,robbie,bert}'), ('{elizabeth,liz,lizzie,beth,betty,eliza,libby,lisa,elsie}'),
    ('{margaret,maggie,peggy,meg,madge,maisie}'), ('{james,jim,jimmy,jamie,jem}'),
    ('{john,jack,johnny,jonny}'), ('{jonathan,jon,jonny,nathan}'), ('{richard,rich,rick,dick,richie,ricky}'),
    ('{thomas,tom,tommy}'), ('{charles,charlie,chas,chuck}'), ('{edward,ed,eddie,ted,teddy,ned}'),
    ('{michael,mike,mick,mickey,mikey}'), ('{christopher,chris,kit}'), ('{matthew,matt,matty}'),
    ('{daniel,dan,danny}'), ('{joseph,joe,joey}'), ('{samuel,sam,sammy}'), ('{samantha,sam,sammy}'),
    ('{benjamin,ben,benny,benji}'), ('{alexander,alex,alec,sandy,xander}'), ('{alexandra,alex,lexi,sandra,sasha}'),
    ('{anthony,tony,ant}'), ('{andrew,andy,drew}'), ('{nicholas,nick,nicky}'), ('{nicola,nicky,nikki}'),
    ('{stephen,steve,stevie}'), ('{steven,steve,stevie}'), ('{david,dave,davey}'), ('{peter,pete}'),
    ('{henry,harry,hal,hank}'), ('{harriet,hattie,harry}'), ('{frederick,fred,freddie,freddy}'),
    ('{katherine,kate,katie,kathy,kat,kitty}'), ('{catherine,cathy,kate,katie,cat}'), ('{kathleen,kath,kathy,katie}'),
    ('{rebecca,becky,becca}'), ('{jennifer,jen,jenny}'), ('{victoria,vicky,tori}'), ('{susan,sue,susie}'),
    ('{deborah,debbie,deb}'), ('{patricia,pat,patty,tricia,trish}'), ('{patrick,pat,paddy}'),
    ('{abigail,abby,abbie,gail}'), ('{isabella,bella,izzy,isabel}'), ('{isabel,izzy,bella}'), ('{eleanor,ellie,nell,nora}'),
    ('{amelia,millie,amy}'), ('{emily,em,emmy,millie}'), ('{olivia,liv,livvy}'), ('{charlotte,lottie,charlie}'),
    ('{josephine,jo,josie}'), ('{joanne,jo}'), ('{gregory,greg}'), ('{timothy,tim,timmy}'), ('{lawrence,laurie,larry}'),
    ('{ronald,ron,ronnie}'), ('{donald,don,donny}'), ('{gerald,gerry}'), ('{kenneth,ken,kenny}'),
    ('{mohammed,muhammad,mohammad,mohamed}'), ('{oliver,ollie,olly}'), ('{zachary,zach,zack}'),
    ('{joshua,josh}'), ('{nathaniel,nat,nate,nathan}'), ('{philip,phil,pip}'), ('{sophia,sophie}'), ('{sophie,soph}'),
    ('{jessica,jess,jessie}'), ('{alfred,alfie,alf,fred}'), ('{theodore,theo,ted,teddy}'), ('{archibald,archie}'),
    ('{florence,flo,florrie}'), ('{evelyn,evie,eve}'), ('{gabriel,gabe}'), ('{gabriella,gabby,ella}'),
    ('{louise,lou,lulu}'), ('{louis,lou}'), ('{anne,annie}'), ('{ann,annie}'), ('{mary,molly,polly,mae}'),
    ('{dorothy,dot,dottie,dolly}'), ('{susanna,sue,susie}'), ('{christine,chris,chrissie,tina}'),
    ('{christina,chris,tina}'), ('{jacqueline,jackie,jacqui}'), ('{frances,fran,frankie}'), ('{francis,frank,frankie}'),
    ('{leonard,len,lenny,leo}'), ('{raymond,ray}'), ('{reginald,reg,reggie}'), ('{terence,terry}'), ('{vincent,vince,vinny}')
) AS groups(g), pg_catalog.unnest(g) AS v
ON CONFLICT DO NOTHING;

-- True when two normalised forenames are nicknames of one canonical name.
CREATE FUNCTION misswitch_work.names_related(a text, b text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM misswitch_work.nickname x JOIN misswitch_work.nickname y USING (canonical)
                    WHERE x.variant = a AND y.variant = b)
$$;

-- A normalised forename and every canonical name it is a nickname of (or is): two forenames
-- are nicknames of one name when these arrays overlap.
CREATE FUNCTION misswitch_work.forename_names(name text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN name IS NULL THEN '{}'::text[] ELSE
           ARRAY[name] || coalesce((SELECT pg_catalog.array_agg(DISTINCT n.canonical)
                                      FROM misswitch_work.nickname n WHERE n.variant = name), '{}') END
$$;

-- name_form, account_person, record_person, comparison and candidate are scratch space each
-- match refills from staging: UNLOGGED (no WAL for a million rows and their indexes; a crash
-- empties them, and the next match refills them). The weights and the decisions stay logged.

-- Every distinct name spelling of the accounts and records, normalised once: prepare joins
-- this instead of normalising, sounding and looking up nicknames row by row (a trust of 100 k
-- pupils has ~600 k name fields but only a few thousand distinct spellings).
CREATE UNLOGGED TABLE misswitch_work.name_form (
    raw   text PRIMARY KEY,          -- as the platform or the extract spells it
    name  text,                      -- misswitch_work.normalise_name(raw)
    sound text,                      -- double metaphone of its first word
    names text[] NOT NULL            -- the name and every canonical name it is a nickname of
);

-- Every platform account, prepared for matching: normalised names and keys, plus what the old
-- MIS extract (if loaded) knew about the record the account is linked to (staff codes, phones,
-- address). Filled by the rules' prepare pass.
CREATE UNLOGGED TABLE misswitch_work.account_person (
    account_id     text PRIMARY KEY,
    account_type   text NOT NULL,
    staff_role     text,
    school_key     text,          -- 'LEA/DfE' of the account's school
    username       text,
    forename       text,          -- normalised
    surname        text,          -- normalised
    forename_sound text,
    surname_sound  text,
    forename_names text[] NOT NULL DEFAULT '{}',  -- the forename and the canonical names it is a nickname of
    dob            date,
    sex            text,
    email          text,          -- normalised
    upn            text,
    mis_source     text,
    mis_id         text,
    staff_code     text,          -- normalised codes, from the old extract
    teacher_number text,
    ni_number      text,
    phones         text[] NOT NULL DEFAULT '{}',
    postcode       text,
    content_items  bigint NOT NULL DEFAULT 0,
    last_login     timestamptz,
    created_at     timestamptz
);
-- No index on the blocking keys (dob, sounds, postcode): every pass joins open accounts and
-- open records on them as equi-joins, which run as hash joins (run_rules turns nested loops
-- off), linear in the rows, never a cross join. Maintaining three such indexes made filling
-- record_person five times slower (2.3 of 2.8 s for 280 k rows at 100 k pupils) and no plan used
-- them.

-- Every new record, one row per name variant (legal, preferred; contacts: one).
CREATE UNLOGGED TABLE misswitch_work.record_person (
    load_id        bigint NOT NULL,
    mis_id         text   NOT NULL,
    variant        text   NOT NULL,
    record_type    text   NOT NULL,   -- pupil, staff, parent
    school_key     text,
    mis_source     text,
    forename       text,
    surname        text,
    forename_sound text,
    surname_sound  text,
    forename_names text[] NOT NULL DEFAULT '{}',
    dob            date,
    sex            text,
    emails         text[] NOT NULL DEFAULT '{}',
    phones         text[] NOT NULL DEFAULT '{}',
    postcode       text,
    staff_code     text,
    teacher_number text,
    ni_number      text,
    PRIMARY KEY (load_id, mis_id, variant)
);

-- Field agreement levels of compared pairs. sample: 'candidate' (a blocked pair to decide),
-- 'anchor' (a pair known to match, for m), 'random' (a pair almost surely not, for u).
-- A sample row may stand for several pairs with the same levels (pairs; the parents' samples
-- are stored once per combination of levels, without a pair). No indexes: every reader scans
-- one pass's rows in bulk, and the table holds only the current match.
CREATE UNLOGGED TABLE misswitch_work.comparison (
    pass       text   NOT NULL,
    sample     text   NOT NULL CHECK (sample IN ('candidate', 'anchor', 'random')),
    account_id text,
    load_id    bigint,
    mis_id     text,
    levels     jsonb  NOT NULL,  -- {"forename": "nickname", "dob": "exact", ...}; missing: absent
    pairs      bigint NOT NULL DEFAULT 1 CHECK (pairs > 0),
    CHECK (sample <> 'candidate' OR (account_id IS NOT NULL AND load_id IS NOT NULL AND mis_id IS NOT NULL))
);

-- plan's new_accounts() asks, for every new record no account is linked to, which account has
-- it in review: without an index on the review tier that is a scan of every decision per
-- record (7 minutes at 100 k pupils). Only review rows enter it, so it costs the passes nothing.
CREATE INDEX decision_in_review ON misswitch_work.decision (new_load_id, new_mis_id)
    WHERE tier = 'possible';

-- Parents are found through their children's relationships.
CREATE INDEX IF NOT EXISTS extract_relationship_pupil
    ON misswitch_staging.extract_relationship (load_id, pupil_mis_id);

-- The estimated parameters: m = P(level | match), u = P(level | non-match), weight = log2(m/u).
CREATE TABLE misswitch_work.field_weight (
    pass          text   NOT NULL,
    field         text   NOT NULL,
    level         text   NOT NULL,
    m             double precision NOT NULL,
    u             double precision NOT NULL,
    weight        double precision NOT NULL,
    m_pairs       bigint NOT NULL,   -- pairs the m estimate came from
    u_pairs       bigint NOT NULL,
    m_source      text   NOT NULL,   -- how m was estimated (for explain)
    PRIMARY KEY (pass, field, level)
);

-- Scored candidates: every compared pair with its total and per-field weights, for assignment
-- and for `misswitch explain`.
-- UNLOGGED like the other scratch tables (362 k rows for the parents at 100 k pupils): after a
-- crash it is empty until the next match, and explain then shows decisions without their
-- fields. One row per (pass, account_id, load_id, mis_id) by construction (score_candidates
-- keeps one name variant): a primary key would only double the cost of filling it.
CREATE UNLOGGED TABLE misswitch_work.candidate (
    pass       text   NOT NULL,
    account_id text   NOT NULL,
    load_id    bigint NOT NULL,
    mis_id     text   NOT NULL,
    score      double precision NOT NULL,
    fields     jsonb  NOT NULL    -- {"forename": {"level": "nickname", "weight": 4.1}, ...}
);
CREATE INDEX ON misswitch_work.candidate (account_id);   -- explain, unmatched

-- Manual decisions (`match --overrides FILE`), applied first on every run. line is the file's
-- line number (the header is line 1).
CREATE TABLE misswitch_work.override (
    line     bigint GENERATED BY DEFAULT AS IDENTITY (START WITH 2) PRIMARY KEY,
    account  text,
    target   text,
    decision text,
    note     text,
    reason   text,     -- review.csv's further columns, when a reviewed review.csv comes back
    score    text,
    runner_up text
);

-- Raises an input error ('MSINP') naming the line of the first bad override row; returns the
-- number of rows. Accounts may be given by id or username; targets of force/forbid are new MIS
-- record IDs, of separate another platform account.
CREATE FUNCTION misswitch_work.check_overrides() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- A review.csv handed back decides only the rows a reviewer filled in.
    DELETE FROM misswitch_work.override o WHERE coalesce(pg_catalog.btrim(o.decision), '') = '';
    UPDATE misswitch_work.override o
       SET decision = pg_catalog.lower(pg_catalog.btrim(o.decision)), account = pg_catalog.btrim(o.account),
           target = pg_catalog.btrim(o.target);
    UPDATE misswitch_work.override o SET account = a.account_id
      FROM misswitch_staging.platform_account a
     WHERE a.username = o.account AND o.account IS DISTINCT FROM a.account_id
       AND NOT EXISTS (SELECT 1 FROM misswitch_staging.platform_account b WHERE b.account_id = o.account);
    UPDATE misswitch_work.override o SET target = a.account_id
      FROM misswitch_staging.platform_account a
     WHERE o.decision = 'separate' AND a.username = o.target
       AND NOT EXISTS (SELECT 1 FROM misswitch_staging.platform_account b WHERE b.account_id = o.target);
    FOR bad IN
        SELECT o.line, CASE
             WHEN o.decision IS NULL OR o.decision NOT IN ('force', 'forbid', 'separate')
               THEN pg_catalog.format('unknown decision %L (force, forbid or separate)', o.decision)
             WHEN NOT EXISTS (SELECT 1 FROM misswitch_staging.platform_account a WHERE a.account_id = o.account)
               THEN pg_catalog.format('unknown platform account %L', o.account)
             WHEN o.decision = 'separate'
                  AND NOT EXISTS (SELECT 1 FROM misswitch_staging.platform_account a WHERE a.account_id = o.target)
               THEN pg_catalog.format('separate: unknown platform account %L', o.target)
             WHEN o.decision <> 'separate'
                  AND NOT EXISTS (SELECT 1 FROM misswitch_work.new_record r WHERE r.mis_id = o.target)
               THEN pg_catalog.format('%s: no new MIS record has ID %L', o.decision, o.target)
             WHEN o.decision = 'force' AND EXISTS (SELECT 1 FROM misswitch_work.override p
                   WHERE p.decision = 'force' AND p.line <> o.line
                     AND (p.account = o.account OR p.target = o.target))
               THEN 'force: the account or the target is forced twice'
           END AS problem
          FROM misswitch_work.override o ORDER BY o.line
    LOOP
        IF bad.problem IS NOT NULL THEN
            RAISE EXCEPTION 'overrides line %: %', bad.line, bad.problem
                USING ERRCODE = 'MSINP',
                      HINT = 'columns: account,target,decision,note; decision force or forbid '
                             '(target: a new MIS ID) or separate (target: another platform account)';
        END IF;
    END LOOP;
    RETURN (SELECT pg_catalog.count(*) FROM misswitch_work.override);
END
$$;

-- Estimates m and u per field and level of a pass from its comparison samples and stores the
-- weights. m: the 'anchor' pairs (known matches), Laplace-smoothed; with fewer than min_anchors
-- anchors, m comes from the pass's priors instead. u: the 'random' pairs, Laplace-smoothed.
-- Levels are those of any sample or prior.
CREATE FUNCTION misswitch_work.estimate_weights(pass_name text, min_anchors integer, priors jsonb,
                                                m_source text)
RETURNS void
LANGUAGE sql AS $$
    DELETE FROM misswitch_work.field_weight WHERE pass = pass_name;
    -- Pairs are counted per distinct combination of levels first (a few hundred at most), so
    -- jsonb is taken apart once per combination, not once per pair.
    WITH pattern AS (
        SELECT c.sample, c.levels, pg_catalog.sum(c.pairs) AS pairs
          FROM misswitch_work.comparison c
         WHERE c.pass = pass_name AND c.sample IN ('anchor', 'random')
         GROUP BY 1, 2
    ), observed AS (
        SELECT p.sample, f.key AS field, f.value #>> '{}' AS level, pg_catalog.sum(p.pairs) AS hits
          FROM pattern p, pg_catalog.jsonb_each(p.levels) AS f
         GROUP BY 1, 2, 3
    ), totals AS (
        SELECT o.sample, o.field, pg_catalog.sum(o.hits) AS pairs FROM observed o GROUP BY 1, 2
    ), levels AS (
        SELECT DISTINCT o.field, o.level FROM observed o
        UNION
        SELECT f.key, l.key FROM pg_catalog.jsonb_each(priors) AS f, pg_catalog.jsonb_each(f.value) AS l
    ), level_count AS (
        SELECT field, pg_catalog.count(*) AS levels FROM levels GROUP BY field
    ), counted AS (
        SELECT l.field, l.level, lc.levels,
               coalesce(ma.hits, 0) AS m_hits, coalesce(mt.pairs, 0) AS m_pairs,
               coalesce(ua.hits, 0) AS u_hits, coalesce(ut.pairs, 0) AS u_pairs
          FROM levels l
          JOIN level_count lc USING (field)
          LEFT JOIN observed ma ON ma.sample = 'anchor' AND ma.field = l.field AND ma.level = l.level
          LEFT JOIN totals mt ON mt.sample = 'anchor' AND mt.field = l.field
          LEFT JOIN observed ua ON ua.sample = 'random' AND ua.field = l.field AND ua.level = l.level
          LEFT JOIN totals ut ON ut.sample = 'random' AND ut.field = l.field
    ), estimated AS (
        SELECT field, level, m_pairs, u_pairs,
               CASE WHEN m_pairs >= min_anchors
                    THEN (m_hits + 1.0) / (m_pairs + levels)
                    ELSE coalesce((priors -> field ->> level)::double precision, 1.0 / levels) END AS m,
               (u_hits + 1.0) / (u_pairs + levels) AS u,
               CASE WHEN m_pairs >= min_anchors THEN m_source ELSE 'prior (too few anchors)' END AS source
          FROM counted
    )
    INSERT INTO misswitch_work.field_weight (pass, field, level, m, u, weight, m_pairs, u_pairs, m_source)
    SELECT pass_name, field, level, m, u, pg_catalog.log(2.0, (m / u)::numeric)::double precision,
           m_pairs, u_pairs, source
      FROM estimated;
$$;

-- Scores a pass's candidate comparisons: total = sum of the field weights of their levels
-- (a missing field weighs 0); keeps the best name variant per record. Each distinct combination
-- of levels is scored once and joined back to its pairs (hash join on the jsonb value).
CREATE FUNCTION misswitch_work.score_candidates(pass_name text) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM misswitch_work.candidate WHERE pass = pass_name;
    WITH pattern AS (
        SELECT DISTINCT c.levels FROM misswitch_work.comparison c
         WHERE c.pass = pass_name AND c.sample = 'candidate'
    ), scored AS (
        SELECT p.levels, coalesce(pg_catalog.sum(w.weight), 0) AS score,
               coalesce(pg_catalog.jsonb_object_agg(f.key, pg_catalog.jsonb_build_object(
                   'level', f.value #>> '{}', 'weight', pg_catalog.round(w.weight::numeric, 2)))
                   FILTER (WHERE f.key IS NOT NULL), '{}') AS fields
          FROM pattern p
          LEFT JOIN LATERAL pg_catalog.jsonb_each(p.levels) AS f ON true
          LEFT JOIN misswitch_work.field_weight w
            ON w.pass = pass_name AND w.field = f.key AND w.level = f.value #>> '{}'
         GROUP BY p.levels
    )
    INSERT INTO misswitch_work.candidate (pass, account_id, load_id, mis_id, score, fields)
    SELECT DISTINCT ON (c.account_id, c.load_id, c.mis_id) pass_name, c.account_id, c.load_id, c.mis_id,
           s.score, s.fields
      FROM misswitch_work.comparison c
      JOIN scored s ON s.levels = c.levels
     WHERE c.pass = pass_name AND c.sample = 'candidate'
     ORDER BY c.account_id, c.load_id, c.mis_id, s.score DESC;
$$;

-- One-to-one assignment of a pass's scored candidates. An account's best record is 'likely' when
-- it scores at least likely_at, leads its runner-up (the account's next record, and the record's
-- next account) by at least margin, and no required field disagrees; 'possible' (review) when it
-- scores at least possible_at; otherwise the account is left for later passes. A record is one
-- person across loads (the same MIS ID in two schools of a trust): competition is per MIS ID.
CREATE FUNCTION misswitch_work.assign_candidates(pass_name text, role text, likely_at double precision,
                                                 possible_at double precision, margin double precision,
                                                 required text[])
RETURNS void
LANGUAGE sql AS $$
    -- Rows stay narrow through the two window sorts (fields is joined back for the best only,
    -- and its disagreeing fields worked out once per distinct value). Competition for a record
    -- is a hash anti-join on MIS ID (run_rules keeps nested loops off).
    WITH open_candidate AS (
        SELECT c.account_id, c.load_id, c.mis_id, c.score, l.mis_source
          FROM misswitch_work.candidate c
          JOIN misswitch_staging.extract_load l USING (load_id)
         WHERE c.pass = pass_name
           AND NOT EXISTS (SELECT 1 FROM misswitch_work.decision d WHERE d.account_id = c.account_id)
           AND NOT EXISTS (SELECT 1 FROM misswitch_work.decision d
                            JOIN misswitch_staging.extract_load dl ON dl.load_id = d.new_load_id
                           WHERE d.new_mis_id = c.mis_id AND dl.mis_source = l.mis_source
                             AND d.tier IN ('exact', 'likely'))
    ), ranked AS (
        SELECT c.*,
               pg_catalog.row_number() OVER (PARTITION BY c.account_id
                                             ORDER BY c.score DESC, c.mis_id, c.load_id) AS account_rank,
               pg_catalog.lead(c.score) OVER (PARTITION BY c.account_id
                                              ORDER BY c.score DESC, c.mis_id, c.load_id) AS next_record_score,
               pg_catalog.lead(c.mis_id) OVER (PARTITION BY c.account_id
                                               ORDER BY c.score DESC, c.mis_id, c.load_id) AS next_record
          FROM open_candidate c
    ), best AS (
        SELECT r.*,
               pg_catalog.row_number() OVER (PARTITION BY r.mis_source, r.mis_id
                                             ORDER BY r.score DESC, r.account_id) AS record_rank,
               pg_catalog.lead(r.score) OVER (PARTITION BY r.mis_source, r.mis_id
                                              ORDER BY r.score DESC, r.account_id) AS next_account_score,
               pg_catalog.lead(r.account_id) OVER (PARTITION BY r.mis_source, r.mis_id
                                                   ORDER BY r.score DESC, r.account_id) AS next_account,
               pg_catalog.first_value(r.account_id) OVER (PARTITION BY r.mis_source, r.mis_id
                                                          ORDER BY r.score DESC, r.account_id) AS best_account,
               pg_catalog.first_value(r.score) OVER (PARTITION BY r.mis_source, r.mis_id
                                                     ORDER BY r.score DESC, r.account_id) AS best_account_score
          FROM ranked r
         WHERE r.account_rank = 1
    ), disagreement AS (
        SELECT p.fields, (SELECT pg_catalog.string_agg(f.key, ', ' ORDER BY f.key)
                            FROM pg_catalog.jsonb_each(p.fields) AS f
                           WHERE f.key = ANY (required) AND f.value ->> 'level' = 'different') AS disagreeing
          FROM (SELECT DISTINCT c.fields FROM misswitch_work.candidate c WHERE c.pass = pass_name) AS p
    ), judged AS (
        SELECT b.*, x.disagreeing,
               CASE WHEN b.score < possible_at THEN NULL
                    WHEN b.record_rank > 1 THEN 'possible'
                    WHEN b.score < likely_at THEN 'possible'
                    WHEN b.next_record_score IS NOT NULL AND b.score - b.next_record_score < margin THEN 'possible'
                    WHEN b.next_account_score IS NOT NULL AND b.score - b.next_account_score < margin THEN 'possible'
                    WHEN x.disagreeing IS NOT NULL THEN 'possible'
                    ELSE 'likely' END AS tier
          FROM best b
          JOIN misswitch_work.candidate c
            ON c.pass = pass_name AND c.account_id = b.account_id AND c.load_id = b.load_id AND c.mis_id = b.mis_id
          JOIN disagreement x ON x.fields = c.fields
    )
    INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, score,
                                         runner_up_mis_id, runner_up_score, reason)
    SELECT j.account_id, role, j.tier, j.load_id, j.mis_id, pass_name, pg_catalog.round(j.score::numeric, 2),
           j.next_record, pg_catalog.round(j.next_record_score::numeric, 2),
           CASE WHEN j.tier = 'likely'
                  THEN pg_catalog.format('scored %s (auto-accept at %s)', pg_catalog.round(j.score::numeric, 1), likely_at)
                WHEN j.record_rank > 1
                  THEN pg_catalog.format('record %s scores higher with account %s (%s vs %s): check both',
                                         j.mis_id, j.best_account, pg_catalog.round(j.best_account_score::numeric, 1),
                                         pg_catalog.round(j.score::numeric, 1))
                WHEN j.score < likely_at
                  THEN pg_catalog.format('scored %s, below auto-accept at %s: check the record', pg_catalog.round(j.score::numeric, 1), likely_at)
                WHEN j.next_record_score IS NOT NULL AND j.score - j.next_record_score < margin
                  THEN pg_catalog.format('runner-up %s scores %s, within %s of %s: check which is right',
                                         j.next_record, pg_catalog.round(j.next_record_score::numeric, 1), margin,
                                         pg_catalog.round(j.score::numeric, 1))
                WHEN j.next_account_score IS NOT NULL AND j.score - j.next_account_score < margin
                  THEN pg_catalog.format('account %s also scores %s for this record: check which is right',
                                         j.next_account, pg_catalog.round(j.next_account_score::numeric, 1))
                ELSE pg_catalog.format('%s disagree(s): check the record', j.disagreeing) END
      FROM judged j
     WHERE j.tier IS NOT NULL
     ORDER BY j.account_id;
$$;

-- `misswitch explain ACCOUNT`: the decision behind one account (by id or username), field by
-- field: the chosen record and the runner-up, each field's level, weight, m and u.
CREATE FUNCTION misswitch_work.explain_account(account text)
RETURNS TABLE (line integer, section text, field text, level text, weight double precision,
               m double precision, u double precision, detail text)
LANGUAGE sql STABLE AS $$
    WITH a AS (
        SELECT p.* FROM misswitch_staging.platform_account p
         WHERE p.account_id = account
            OR (p.username = account AND NOT EXISTS (SELECT 1 FROM misswitch_staging.platform_account q
                                                       WHERE q.account_id = account))
         LIMIT 1
    ), d AS (
        SELECT x.* FROM misswitch_work.decision x JOIN a USING (account_id)
    ), shown AS (
        SELECT 1 AS rank, 'decision' AS section, c.* FROM misswitch_work.candidate c JOIN d
            ON c.account_id = d.account_id AND c.mis_id = d.new_mis_id AND c.load_id = d.new_load_id
        UNION ALL
        SELECT 2, 'runner-up', c.* FROM misswitch_work.candidate c JOIN d
            ON c.account_id = d.account_id AND c.mis_id = d.runner_up_mis_id
        UNION ALL
        SELECT * FROM (SELECT 1, 'best candidate', c.* FROM misswitch_work.candidate c JOIN d
            ON c.account_id = d.account_id AND d.new_mis_id IS NULL ORDER BY c.score DESC, c.mis_id LIMIT 1) b
    )
    SELECT 0, 'account', NULL, NULL, NULL::double precision, NULL::double precision, NULL::double precision,
           pg_catalog.format('%s %s (%s): %s %s, born %s, email %s, MIS %s/%s', a.account_type, a.account_id,
                             a.username, a.forename, a.surname, coalesce(a.dob::text, '?'),
                             coalesce(a.email, '-'), a.mis_source, a.mis_id)
      FROM a
    UNION ALL
    SELECT 1, 'decision', NULL, d.tier, d.score, NULL, NULL,
           pg_catalog.format('%s%s by pass %s: %s', coalesce('→ ' || d.new_mis_id || ' ', ''),
                             coalesce('(' || r.forename || ' ' || r.surname || ')', ''), d.pass, d.reason)
      FROM d LEFT JOIN misswitch_work.new_record r ON r.load_id = d.new_load_id AND r.mis_id = d.new_mis_id
    UNION ALL
    SELECT 2, 'duplicate', NULL, NULL, NULL, NULL, NULL,
           pg_catalog.format('account %s is merged into this one (%s)', x.account_id, x.reason)
      FROM misswitch_work.duplicate x JOIN a ON x.keep_account_id = a.account_id
    UNION ALL
    SELECT 10 * s.rank + 1, s.section, NULL, NULL, s.score, NULL, NULL,
           pg_catalog.format('%s (%s %s), pass %s, total %s', s.mis_id, r.forename, r.surname, s.pass,
                             pg_catalog.round(s.score::numeric, 2))
      FROM shown s LEFT JOIN misswitch_work.new_record r ON r.load_id = s.load_id AND r.mis_id = s.mis_id
    UNION ALL
    SELECT 10 * s.rank + 2, s.section, f.key, f.value ->> 'level', (f.value ->> 'weight')::double precision,
           w.m, w.u, w.m_source
      FROM shown s
      CROSS JOIN LATERAL pg_catalog.jsonb_each(s.fields) AS f
      LEFT JOIN misswitch_work.field_weight w ON w.pass = s.pass AND w.field = f.key AND w.level = f.value ->> 'level'
    ORDER BY 1, 3
$$;
