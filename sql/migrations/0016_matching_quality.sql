-- 0016: matching quality. Comparison helpers the default rules use (one-letter slips and short
-- forms of a name, addresses made from a person's name), more nicknames, the size-aware
-- thresholds of the scored passes (pass_threshold, shown by explain), and plans that carry the
-- leavers their relinked parents are still linked to (a link to a child who left is not
-- contradicted by the new extract: nothing there speaks of the child).

-- Two spellings of one name that a keyboard slip or a short form explains: one letter dropped,
-- added or changed (not the first: people rarely mistype the letter they start with), or one
-- the start of the other (Art, Arthur). Both at least three letters. Normalised names in; one
-- expression, so the planner inlines it into the comparisons.
-- (Not STRICT: a STRICT SQL function whose body is not strict is not inlined, and a call per
-- pair cost 4 µs, 1.4 s over the parents' candidates at 100 k pupils.)
CREATE FUNCTION misswitch_work.name_slip(a text, b text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT LEAST(pg_catalog.length(a), pg_catalog.length(b)) >= 3
       AND pg_catalog.left(a, 1) = pg_catalog.left(b, 1)
       AND (pg_catalog.starts_with(a, b) OR pg_catalog.starts_with(b, a)
            OR misswitch_work.levenshtein(a, b) = 1)
$$;

-- True when an email address is made from the person's name: its local part, letters only,
-- starts with the forename's first letter and holds the surname (zoe.obrien12@,
-- w.allen2@, isla.evans30@). Normalised email and names in. A school hands such an address to
-- whoever has the name (the joiner who takes a leaver's name takes the address too), so when
-- the names already agree, the address agreeing says nothing more about the person.
-- prepare works it out once per account (account_person.email_from_name), not once per pair.
CREATE FUNCTION misswitch_work.email_from_name(email text, forename text, surname text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.left(pg_catalog.regexp_replace(pg_catalog.split_part(email, '@', 1), '[^a-z]', '', 'g'), 1)
             = pg_catalog.left(forename, 1)
       AND pg_catalog.strpos(pg_catalog.regexp_replace(pg_catalog.split_part(email, '@', 1), '[^a-z]', '', 'g'),
                             pg_catalog.replace(surname, ' ', '')) > 0
$$;

ALTER TABLE misswitch_work.account_person ADD COLUMN email_from_name boolean NOT NULL DEFAULT false;

-- More short forms, from the larger communities of English schools as well as English names.
INSERT INTO misswitch_work.nickname (variant, canonical)
SELECT v, g[1] FROM (VALUES
    ('{jacob,jake,jakey}'::text[]), ('{arthur,art,artie}'), ('{oliver,ollie,olly,noll}'),
    ('{harrison,harry}'), ('{benedict,ben,benny}'), ('{maximilian,max}'), ('{maxwell,max}'),
    ('{nathan,nate,nat}'), ('{elliot,eli}'), ('{jasmine,jas,jaz,jazz}'), ('{penelope,penny,poppy}'),
    ('{georgina,georgie,gina}'), ('{george,georgie}'), ('{madeleine,maddie,maddy}'),
    ('{madison,maddie,maddy}'), ('{natalie,nat,tally}'), ('{natasha,tasha,tash}'),
    ('{gwendolyn,gwen}'), ('{bethany,beth}'), ('{siobhan,shiv}'), ('{caoimhe,keeva}'),
    ('{agnieszka,aga,agnes}'), ('{wojciech,wojtek}'), ('{katarzyna,kasia}'), ('{malgorzata,gosia,malgosia}'),
    ('{aleksander,olek,alek}'), ('{aleksandra,ola,ala}'), ('{krzysztof,krzys}'), ('{magdalena,magda}'),
    ('{oluwaseun,seun}'), ('{oluwadamilare,dami,damilare}'), ('{oluwatobi,tobi}'), ('{oluwafemi,femi}'),
    ('{olumide,mide}'), ('{oluwakemi,kemi}'), ('{adebayo,bayo}'), ('{chukwuemeka,emeka}'),
    ('{mohammed,mo}'), ('{abdullah,abdul}'), ('{abdulrahman,abdul}')
) AS groups(g), pg_catalog.unnest(g) AS v
ON CONFLICT DO NOTHING;

-- The thresholds a pass assigned with. A scored pass states its thresholds as posterior odds
-- in bits and adds log2 of the number of people a record could be confused with (the larger
-- of its open accounts and open records): a random account-record pair is a match with odds
-- of about 1 in that number, so a bigger trust needs more evidence for the same certainty.
-- The parents pass compares only the contacts of the parent's own children and estimates u
-- from those very competitors, so its thresholds are used as written (size_bits 0).
CREATE TABLE misswitch_work.pass_threshold (
    pass          text PRIMARY KEY,
    open_accounts bigint NOT NULL,
    open_records  bigint NOT NULL,
    size_bits     double precision NOT NULL,   -- added to likely and possible
    likely        double precision NOT NULL,   -- as the rules state them
    possible      double precision NOT NULL,
    likely_at     double precision NOT NULL,   -- what assignment used
    possible_at   double precision NOT NULL,
    margin        double precision NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON misswitch_work.pass_threshold TO misswitch_rules;
GRANT EXECUTE ON FUNCTION misswitch_work.name_slip(text, text), misswitch_work.email_from_name(text, text, text)
   TO misswitch_rules;

-- explain: as 0008's, plus the thresholds the deciding pass used and why they are what they are.
CREATE OR REPLACE FUNCTION misswitch_work.explain_account(account text)
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
    SELECT 3, 'thresholds', NULL, NULL, NULL, NULL, NULL,
           pg_catalog.format('pass %s: auto-accept at %s, review at %s, margin %s%s', t.pass,
                             pg_catalog.round(t.likely_at::numeric, 1), pg_catalog.round(t.possible_at::numeric, 1),
                             t.margin,
                             CASE WHEN t.size_bits > 0
                                  THEN pg_catalog.format(' (%s and %s, plus %s bits: %s open accounts, %s open records)',
                                                         t.likely, t.possible, pg_catalog.round(t.size_bits::numeric, 1),
                                                         t.open_accounts, t.open_records)
                                  ELSE '' END)
      FROM misswitch_work.pass_threshold t
     WHERE t.pass = (SELECT coalesce((SELECT c.pass FROM shown c ORDER BY c.rank LIMIT 1), d.pass) FROM d)
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

-- Leavers a plan's relinked parents are still linked to: the report lists them (Leavers) for the
-- school to confirm, and the plan changes nothing on them or on the links to them.
CREATE TABLE misswitch.run_leaver (
    run_id     bigint NOT NULL REFERENCES misswitch.run,
    account_id text   NOT NULL,
    PRIMARY KEY (run_id, account_id)
);

-- As 0010's, plus the leavers (misswitch_work.leavers()) that a relinked parent is linked to.
CREATE OR REPLACE FUNCTION misswitch_work.plan_data_statements()
RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    SELECT 'INSERT INTO misswitch.run_merge (run_id, account_id, keep_account_id, account_type)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L, %L, %L)', d.account_id, d.keep_account_id,
                                                      a.account_type), E',\n' ORDER BY d.account_id)
           || E'\n) AS v(account_id, keep_account_id, account_type);'
      FROM misswitch_work.duplicate d
      JOIN misswitch_staging.platform_account a USING (account_id)
    HAVING count(*) > 0
    UNION ALL
    SELECT 'INSERT INTO misswitch.run_relationship (run_id, parent_account, child_account)' || E'\n'
           || 'SELECT misswitch.current_run(), v.* FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L, %L)', x.parent_account, x.child_account),
                                    E',\n' ORDER BY x.parent_account, x.child_account)
           || E'\n) AS v(parent_account, child_account);'
      FROM (SELECT DISTINCT pd.account_id AS parent_account, cd.account_id AS child_account
              FROM misswitch_work.plan_relinks() pr
              JOIN misswitch_work.decision pd ON pd.account_id = pr.account_id AND pr.account_type = 'parent'
              JOIN misswitch_staging.extract_relationship rel
                ON rel.load_id = pd.new_load_id AND rel.contact_mis_id = pd.new_mis_id
              JOIN misswitch_work.decision cd
                ON cd.new_load_id = rel.load_id AND cd.new_mis_id = rel.pupil_mis_id
               AND cd.tier IN ('exact', 'likely')) x
    HAVING count(*) > 0
    UNION ALL
    SELECT 'INSERT INTO misswitch.run_review (run_id, account_id)' || E'\n'
           || 'SELECT misswitch.current_run(), v.account_id FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L)', d.account_id), E',\n' ORDER BY d.account_id)
           || E'\n) AS v(account_id);'
      FROM misswitch_work.decision d WHERE d.tier = 'possible'
    HAVING count(*) > 0
    UNION ALL
    SELECT 'INSERT INTO misswitch.run_leaver (run_id, account_id)' || E'\n'
           || 'SELECT misswitch.current_run(), v.account_id FROM (VALUES' || E'\n'
           || pg_catalog.string_agg(pg_catalog.format('(%L)', x.account_id), E',\n' ORDER BY x.account_id)
           || E'\n) AS v(account_id);'
      FROM (SELECT DISTINCT lv.account AS account_id
              FROM misswitch_work.leavers() lv
              JOIN misswitch_staging.platform_parent_link l ON l.child_account = lv.account
              JOIN misswitch_work.plan_relinks() pr ON pr.account_type = 'parent'
               AND pr.account_id IN (l.parent_account,
                                     (SELECT d.keep_account_id FROM misswitch_work.duplicate d
                                       WHERE d.account_id = l.parent_account))
             WHERE lv.account_type = 'pupil') x
    HAVING count(*) > 0
$$;

-- As 0010's, and a link to a child the run lists as a leaver is accepted as listed: the new
-- extract has no record of the child, so it neither backs nor contradicts the link, and the
-- plan leaves the link as the platform has it.
CREATE OR REPLACE FUNCTION misswitch.check_parent_links(run bigint)
RETURNS TABLE (check_name text, ok boolean, detail text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    unbacked bigint;
    examples text;
BEGIN
    SELECT count(*), string_agg(l.parent_account || '->' || l.child_account, ', ')
      INTO unbacked, examples
      FROM pg_temp.misswitch_platform_parent_link l
      JOIN misswitch.run_relink r ON r.run_id = run AND r.account_id = l.parent_account
     WHERE NOT EXISTS (SELECT 1 FROM misswitch.run_relationship x
                        WHERE x.run_id = run AND x.parent_account = l.parent_account
                          AND x.child_account = l.child_account)
       AND NOT EXISTS (SELECT 1 FROM misswitch.run_review v
                        WHERE v.run_id = run AND v.account_id IN (l.parent_account, l.child_account))
       AND NOT EXISTS (SELECT 1 FROM misswitch.run_leaver v
                        WHERE v.run_id = run AND v.account_id = l.child_account);
    RETURN QUERY SELECT 'parent_links'::text, unbacked = 0,
        CASE WHEN unbacked = 0
             THEN 'every link of a relinked parent is backed by the new extract, under review or to a listed leaver'
             ELSE pg_catalog.format('%s parent-child link(s) not backed by the new extract: %s', unbacked,
                                    pg_catalog.left(examples, 300)) END;
END
$$;

-- As 0008's estimate_weights, for levels that follow from other fields of the same pair
-- (pooled: {"email": {"derived": {"as": "exact", "why": "..."}}}): such a level is counted as
-- the level it stands for when m and u are estimated (a name-made address that agrees is still
-- an address that agrees), and then weighs 0 itself, with the same m and u and the reason as
-- where they came from. Fellegi-Sunter adds the fields' weights as if they were independent;
-- this is where a ruleset says they are not.
CREATE FUNCTION misswitch_work.estimate_weights(pass_name text, min_anchors integer, priors jsonb,
                                                m_source text, pooled jsonb)
RETURNS void
LANGUAGE sql AS $$
    DELETE FROM misswitch_work.field_weight WHERE pass = pass_name;
    WITH pattern AS (
        SELECT c.sample, c.levels, pg_catalog.sum(c.pairs) AS pairs
          FROM misswitch_work.comparison c
         WHERE c.pass = pass_name AND c.sample IN ('anchor', 'random')
         GROUP BY 1, 2
    ), observed AS (
        SELECT p.sample, f.key AS field,
               coalesce(pooled -> f.key -> (f.value #>> '{}') ->> 'as', f.value #>> '{}') AS level,
               pg_catalog.sum(p.pairs) AS hits
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
    INSERT INTO misswitch_work.field_weight (pass, field, level, m, u, weight, m_pairs, u_pairs, m_source)
    SELECT pass_name, w.field, l.key, w.m, w.u, 0, w.m_pairs, w.u_pairs,
           pg_catalog.format('m and u of %s: %s', w.level, l.value ->> 'why')
      FROM pg_catalog.jsonb_each(pooled) AS f
      CROSS JOIN LATERAL pg_catalog.jsonb_each(f.value) AS l
      JOIN misswitch_work.field_weight w ON w.pass = pass_name AND w.field = f.key AND w.level = l.value ->> 'as';
$$;
GRANT EXECUTE ON FUNCTION misswitch_work.estimate_weights(text, integer, jsonb, text, jsonb) TO misswitch_rules;

-- The fields of a scored candidate at level 'different', worked out once per combination of
-- levels by score_candidates: assignment tests its required fields against this array instead of
-- taking every best candidate's jsonb apart again (and joining candidate a second time to get it).
ALTER TABLE misswitch_work.candidate ADD COLUMN different_fields text[] NOT NULL DEFAULT '{}';

-- As 0008's, plus different_fields. Each distinct combination of levels is found by hashing
-- (MATERIALIZED: found once, not re-planned into the join) and scored once.
CREATE OR REPLACE FUNCTION misswitch_work.score_candidates(pass_name text) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM misswitch_work.candidate WHERE pass = pass_name;
    WITH pattern AS MATERIALIZED (
        SELECT c.levels FROM misswitch_work.comparison c
         WHERE c.pass = pass_name AND c.sample = 'candidate'
         GROUP BY c.levels
    ), scored AS MATERIALIZED (
        SELECT p.levels, coalesce(pg_catalog.sum(w.weight), 0) AS score,
               coalesce(pg_catalog.jsonb_object_agg(f.key, pg_catalog.jsonb_build_object(
                   'level', f.value #>> '{}', 'weight', pg_catalog.round(w.weight::numeric, 2)))
                   FILTER (WHERE f.key IS NOT NULL), '{}') AS fields,
               coalesce(pg_catalog.array_agg(f.key ORDER BY f.key) FILTER (WHERE f.value #>> '{}' = 'different'),
                        '{}') AS different_fields
          FROM pattern p
          LEFT JOIN LATERAL pg_catalog.jsonb_each(p.levels) AS f ON true
          LEFT JOIN misswitch_work.field_weight w
            ON w.pass = pass_name AND w.field = f.key AND w.level = f.value #>> '{}'
         GROUP BY p.levels
    )
    INSERT INTO misswitch_work.candidate (pass, account_id, load_id, mis_id, score, fields, different_fields)
    SELECT DISTINCT ON (c.account_id, c.load_id, c.mis_id) pass_name, c.account_id, c.load_id, c.mis_id,
           s.score, s.fields, s.different_fields
      FROM misswitch_work.comparison c
      JOIN scored s ON s.levels = c.levels
     WHERE c.pass = pass_name AND c.sample = 'candidate'
     ORDER BY c.account_id, c.load_id, c.mis_id, s.score DESC;
$$;

-- As 0008's, with the required fields tested on different_fields (no second pass over the
-- candidates' jsonb): same tiers, same reasons.
CREATE OR REPLACE FUNCTION misswitch_work.assign_candidates(pass_name text, role text, likely_at double precision,
                                                            possible_at double precision, margin double precision,
                                                            required text[])
RETURNS void
LANGUAGE sql AS $$
    WITH open_candidate AS (
        SELECT c.account_id, c.load_id, c.mis_id, c.score, l.mis_source,
               CASE WHEN c.different_fields OPERATOR(pg_catalog.&&) required THEN c.different_fields END AS different_fields
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
    ), judged AS (
        SELECT b.*,
               CASE WHEN b.score < possible_at THEN NULL
                    WHEN b.record_rank > 1 THEN 'possible'
                    WHEN b.score < likely_at THEN 'possible'
                    WHEN b.next_record_score IS NOT NULL AND b.score - b.next_record_score < margin THEN 'possible'
                    WHEN b.next_account_score IS NOT NULL AND b.score - b.next_account_score < margin THEN 'possible'
                    WHEN b.different_fields IS NOT NULL THEN 'possible'
                    ELSE 'likely' END AS tier
          FROM best b
    )
    INSERT INTO misswitch_work.decision (account_id, account_type, tier, new_load_id, new_mis_id, pass, score,
                                         runner_up_mis_id, runner_up_score, reason)
    SELECT j.account_id, role, j.tier, j.load_id, j.mis_id, pass_name, pg_catalog.round(j.score::numeric, 2),
           j.next_record, pg_catalog.round(j.next_record_score::numeric, 2),
           CASE WHEN j.tier = 'likely'
                  THEN pg_catalog.format('scored %s (auto-accept at %s)', pg_catalog.round(j.score::numeric, 1),
                                         pg_catalog.round(likely_at::numeric, 1))
                WHEN j.record_rank > 1
                  THEN pg_catalog.format('record %s scores higher with account %s (%s vs %s): check both',
                                         j.mis_id, j.best_account, pg_catalog.round(j.best_account_score::numeric, 1),
                                         pg_catalog.round(j.score::numeric, 1))
                WHEN j.score < likely_at
                  THEN pg_catalog.format('scored %s, below auto-accept at %s: check the record',
                                         pg_catalog.round(j.score::numeric, 1), pg_catalog.round(likely_at::numeric, 1))
                WHEN j.next_record_score IS NOT NULL AND j.score - j.next_record_score < margin
                  THEN pg_catalog.format('runner-up %s scores %s, within %s of %s: check which is right',
                                         j.next_record, pg_catalog.round(j.next_record_score::numeric, 1), margin,
                                         pg_catalog.round(j.score::numeric, 1))
                WHEN j.next_account_score IS NOT NULL AND j.score - j.next_account_score < margin
                  THEN pg_catalog.format('account %s also scores %s for this record: check which is right',
                                         j.next_account, pg_catalog.round(j.next_account_score::numeric, 1))
                ELSE pg_catalog.format('%s disagree(s): check the record',
                                       pg_catalog.array_to_string(ARRAY(SELECT f FROM pg_catalog.unnest(j.different_fields) AS f
                                                                         WHERE f = ANY (required) ORDER BY f), ', ')) END
      FROM judged j
     WHERE j.tier IS NOT NULL
     ORDER BY j.account_id;
$$;
