-- 0013: eval: match decisions measured against a generated dataset's ground truth (truth.csv).
-- `misswitch eval` copies the truth into eval_truth inside a transaction it rolls back, calls the
-- functions below and prints what they return: eval measures, it never changes anything.

-- truth.csv as eval read it: one row per platform account or group, and per joiner record.
CREATE TABLE misswitch_work.eval_truth (
    line         integer NOT NULL PRIMARY KEY,  -- line in truth.csv, for messages
    role         text    NOT NULL CHECK (role IN ('pupil', 'staff', 'parent', 'group')),
    account      text,                          -- NULL for a joiner
    new_id       text,                          -- the record the account must be linked to
    kind         text    NOT NULL CHECK (kind IN ('match', 'leaver', 'joiner', 'duplicate')),
    keep_account text,                          -- duplicate: the account the person uses
    noise        text
);

-- Every truth account (and group) with what the match decided for it and what that outcome is.
-- A link (tier exact or likely) is `correct` when it names the truth's record; otherwise it is a
-- wrong link, worst first:
--   1 wrong_parent_child  a parent account linked to a contact record whose children (those on
--                         the platform) are not the children the parent has on the platform
--                         (all the person's accounts together): a safeguarding incident;
--   2 wrong_person        linked to another person's record (or a leaver linked at all);
--   3 duplicate_linked    a duplicate account linked to its own person's record instead of
--                         being merged into the account the person uses.
-- `review` is a possible (review-queue) decision; `missed` a truth link with no decision or
-- tier none; `correct_none` a leaver or duplicate left unlinked.
CREATE FUNCTION misswitch_work.eval_outcomes()
RETURNS TABLE (role text, account text, truth_kind text, truth_new_id text, keep_account text,
               tier text, decided_new_id text, right_candidate boolean, outcome text,
               severity integer, noise text)
LANGUAGE sql STABLE
AS $$
    WITH truth AS (
        SELECT t.role, t.account, t.kind, t.new_id, t.keep_account, t.noise,
               coalesce(t.keep_account, t.account) AS person
          FROM misswitch_work.eval_truth t
         WHERE t.account IS NOT NULL),
    child_new AS (
        SELECT t.account, t.new_id FROM truth t WHERE t.role = 'pupil' AND t.kind = 'match'),
    -- the new IDs of the children a parent person has on the platform (leavers left out)
    person_children AS (
        SELECT p.person, pg_catalog.array_agg(DISTINCT c.new_id ORDER BY c.new_id) AS children
          FROM truth p
          JOIN misswitch_staging.platform_parent_link l ON l.parent_account = p.account
          JOIN child_new c ON c.account = l.child_account
         WHERE p.role = 'parent'
         GROUP BY p.person),
    -- the children of a contact record in its extract that have accounts (joiners left out)
    record_children AS (
        SELECT r.load_id, r.contact_mis_id,
               pg_catalog.array_agg(DISTINCT r.pupil_mis_id ORDER BY r.pupil_mis_id) AS children
          FROM misswitch_staging.extract_relationship r
          JOIN child_new c ON c.new_id = r.pupil_mis_id
         GROUP BY r.load_id, r.contact_mis_id),
    decided AS (
        SELECT t.*, d.tier, d.new_mis_id, d.new_load_id,
               k.new_id AS person_new_id
          FROM truth t
          LEFT JOIN misswitch_work.all_decision d
                 ON d.account_id = t.account AND d.account_type = t.role
          LEFT JOIN truth k ON k.account = t.keep_account AND k.role = t.role),
    judged AS (
        SELECT x.*,
               CASE
                 WHEN x.tier IN ('exact', 'likely') THEN
                   CASE
                     WHEN x.kind = 'match' AND x.new_mis_id = x.new_id THEN 'correct'
                     WHEN x.role = 'parent'
                          AND coalesce(rc.children, '{}') <> coalesce(pc.children, '{}')
                       THEN 'wrong_parent_child'
                     WHEN x.kind = 'duplicate' AND x.new_mis_id = x.person_new_id
                       THEN 'duplicate_linked'
                     ELSE 'wrong_person'
                   END
                 WHEN x.tier = 'possible' THEN 'review'
                 WHEN x.kind = 'match' THEN 'missed'
                 ELSE 'correct_none'
               END AS outcome
          FROM decided x
          LEFT JOIN record_children rc
                 ON rc.load_id = x.new_load_id AND rc.contact_mis_id = x.new_mis_id
          LEFT JOIN person_children pc ON pc.person = x.person)
    SELECT j.role, j.account, j.kind, j.new_id, j.keep_account, j.tier, j.new_mis_id,
           j.new_mis_id IS NOT DISTINCT FROM coalesce(j.new_id, j.person_new_id),
           j.outcome,
           CASE j.outcome WHEN 'wrong_parent_child' THEN 1 WHEN 'wrong_person' THEN 2
                          WHEN 'duplicate_linked' THEN 3 END,
           j.noise
      FROM judged j
$$;

-- Per role and overall: precision = correct / links, recall = correct / truth links,
-- F1 their harmonic mean; wrong links by kind; the review queue; joiners and leavers.
CREATE FUNCTION misswitch_work.eval_summary()
RETURNS TABLE (role text, accounts bigint, truth_links bigint, decisions bigint, links bigint,
               correct bigint, wrong bigint, wrong_parent_child bigint, wrong_person bigint,
               duplicate_linked bigint, missed bigint, review bigint, review_right bigint,
               leavers bigint, leavers_linked bigint, joiners bigint, joiners_linked bigint,
               untracked_decisions bigint, "precision" double precision, recall double precision,
               f1 double precision)
LANGUAGE sql STABLE
AS $$
    WITH roles(role, position) AS (
        VALUES ('pupil', 1), ('staff', 2), ('parent', 3), ('group', 4), ('all', 5)),
    o AS (SELECT * FROM misswitch_work.eval_outcomes()),
    per_role AS (
        SELECT coalesce(o.role, 'all') AS role, count(*) AS accounts,
               count(*) FILTER (WHERE o.truth_kind = 'match') AS truth_links,
               count(*) FILTER (WHERE o.tier IS NOT NULL) AS decisions,
               count(*) FILTER (WHERE o.tier IN ('exact', 'likely')) AS links,
               count(*) FILTER (WHERE o.outcome = 'correct') AS correct,
               count(*) FILTER (WHERE o.severity IS NOT NULL) AS wrong,
               count(*) FILTER (WHERE o.outcome = 'wrong_parent_child') AS wrong_parent_child,
               count(*) FILTER (WHERE o.outcome = 'wrong_person') AS wrong_person,
               count(*) FILTER (WHERE o.outcome = 'duplicate_linked') AS duplicate_linked,
               count(*) FILTER (WHERE o.outcome = 'missed') AS missed,
               count(*) FILTER (WHERE o.outcome = 'review') AS review,
               count(*) FILTER (WHERE o.outcome = 'review' AND o.right_candidate) AS review_right,
               count(*) FILTER (WHERE o.truth_kind = 'leaver') AS leavers,
               count(*) FILTER (WHERE o.truth_kind = 'leaver' AND o.tier IN ('exact', 'likely'))
                   AS leavers_linked
          FROM o
         GROUP BY ROLLUP (o.role)),
    joiners AS (
        SELECT coalesce(t.role, 'all') AS role, count(*) AS joiners,
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM misswitch_work.all_decision d
                    WHERE d.new_mis_id = t.new_id AND d.tier IN ('exact', 'likely')))
                   AS joiners_linked
          FROM misswitch_work.eval_truth t
         WHERE t.kind = 'joiner'
         GROUP BY ROLLUP (t.role)),
    untracked AS (
        SELECT coalesce(d.account_type, 'all') AS role, count(*) AS untracked
          FROM misswitch_work.all_decision d
         WHERE NOT EXISTS (SELECT 1 FROM misswitch_work.eval_truth t
                            WHERE t.account = d.account_id AND t.role = d.account_type)
         GROUP BY ROLLUP (d.account_type))
    SELECT r.role, coalesce(p.accounts, 0), coalesce(p.truth_links, 0), coalesce(p.decisions, 0),
           coalesce(p.links, 0), coalesce(p.correct, 0), coalesce(p.wrong, 0),
           coalesce(p.wrong_parent_child, 0), coalesce(p.wrong_person, 0),
           coalesce(p.duplicate_linked, 0), coalesce(p.missed, 0), coalesce(p.review, 0),
           coalesce(p.review_right, 0), coalesce(p.leavers, 0), coalesce(p.leavers_linked, 0),
           coalesce(j.joiners, 0), coalesce(j.joiners_linked, 0), coalesce(u.untracked, 0),
           CASE WHEN p.links > 0 THEN p.correct::double precision / p.links END,
           CASE WHEN p.truth_links > 0 THEN p.correct::double precision / p.truth_links END,
           CASE WHEN p.links > 0 AND p.truth_links > 0 AND p.correct > 0
                THEN 2.0 * p.correct::double precision / (p.links + p.truth_links) END
      FROM roles r
      LEFT JOIN per_role p USING (role)
      LEFT JOIN joiners j USING (role)
      LEFT JOIN untracked u USING (role)
     ORDER BY r.position
$$;

-- The wrong links themselves, worst first (then by role and account), at most max_rows.
CREATE FUNCTION misswitch_work.eval_wrong_links(max_rows integer)
RETURNS TABLE (severity integer, outcome text, role text, account text, decided_new_id text,
               tier text, truth_kind text, truth_new_id text, noise text)
LANGUAGE sql STABLE
AS $$
    SELECT o.severity, o.outcome, o.role, o.account, o.decided_new_id, o.tier, o.truth_kind,
           o.truth_new_id, o.noise
      FROM misswitch_work.eval_outcomes() o
     WHERE o.severity IS NOT NULL
     ORDER BY o.severity, array_position(ARRAY['parent', 'pupil', 'staff', 'group'], o.role),
              length(o.account), o.account
     LIMIT max_rows
$$;

-- Duplicates found (misswitch_work.duplicate) against those expected (truth's duplicate-of),
-- per role and overall. correct: the expected account merged into the expected kept one;
-- other_keep: one person's accounts, merged into another of them; wrong_person: accounts of
-- different people (or of one person the truth keeps apart, such as a parent's records in two
-- schools) merged: as bad as a wrong link; missed: an expected duplicate not found.
CREATE FUNCTION misswitch_work.eval_duplicates()
RETURNS TABLE (role text, expected bigint, found bigint, correct bigint, other_keep bigint,
               wrong_person bigint, missed bigint)
LANGUAGE sql STABLE
AS $$
    WITH roles(role, position) AS (
        VALUES ('pupil', 1), ('staff', 2), ('parent', 3), ('group', 4), ('all', 5)),
    person AS (
        SELECT t.account, t.role, coalesce(t.keep_account, t.account) AS person, t.keep_account
          FROM misswitch_work.eval_truth t
         WHERE t.account IS NOT NULL AND t.role <> 'group'),
    found AS (
        SELECT coalesce(a.role, 'unknown') AS role,
               CASE WHEN a.keep_account = d.keep_account_id THEN 'correct'
                    WHEN a.person = k.person THEN 'other_keep'
                    ELSE 'wrong_person' END AS outcome
          FROM misswitch_work.duplicate d
          LEFT JOIN person a ON a.account = d.account_id
          LEFT JOIN person k ON k.account = d.keep_account_id AND k.role = a.role),
    found_counts AS (
        SELECT coalesce(f.role, 'all') AS role, count(*) AS found,
               count(*) FILTER (WHERE f.outcome = 'correct') AS correct,
               count(*) FILTER (WHERE f.outcome = 'other_keep') AS other_keep,
               count(*) FILTER (WHERE f.outcome = 'wrong_person') AS wrong_person
          FROM found f
         GROUP BY ROLLUP (f.role)),
    expected_counts AS (
        SELECT coalesce(p.role, 'all') AS role, count(*) AS expected,
               count(*) FILTER (WHERE NOT EXISTS (
                   SELECT 1 FROM misswitch_work.duplicate d WHERE d.account_id = p.account))
                   AS missed
          FROM person p
         WHERE p.keep_account IS NOT NULL
         GROUP BY ROLLUP (p.role))
    SELECT r.role, coalesce(e.expected, 0), coalesce(f.found, 0), coalesce(f.correct, 0),
           coalesce(f.other_keep, 0), coalesce(f.wrong_person, 0), coalesce(e.missed, 0)
      FROM roles r
      LEFT JOIN expected_counts e USING (role)
      LEFT JOIN found_counts f USING (role)
     ORDER BY r.position
$$;

-- The first thing wrong with a loaded truth that no single line shows, or no row: an account
-- listed twice, a duplicate-of naming an account the truth does not have (in the same role),
-- or naming another duplicate, a new record listed twice.
CREATE FUNCTION misswitch_work.eval_truth_problem()
RETURNS TABLE (line integer, problem text)
LANGUAGE sql STABLE
AS $$
    SELECT * FROM (
        SELECT max(t.line),
               pg_catalog.format('%s account %s is listed twice (first on line %s)', t.role,
                                 t.account, min(t.line))
          FROM misswitch_work.eval_truth t
         WHERE t.account IS NOT NULL
         GROUP BY t.role, t.account
        HAVING count(*) > 1
        UNION ALL
        SELECT max(t.line),
               pg_catalog.format('%s record %s is listed twice (first on line %s)', t.role,
                                 t.new_id, min(t.line))
          FROM misswitch_work.eval_truth t
         WHERE t.new_id IS NOT NULL
         GROUP BY t.role, t.new_id
        HAVING count(*) > 1
        UNION ALL
        SELECT t.line,
               CASE WHEN k.line IS NULL
                    THEN pg_catalog.format('duplicate-of:%s names no %s account of this file',
                                           t.keep_account, t.role)
                    ELSE pg_catalog.format('duplicate-of:%s names another duplicate (line %s)',
                                           t.keep_account, k.line) END
          FROM misswitch_work.eval_truth t
          LEFT JOIN misswitch_work.eval_truth k
                 ON k.account = t.keep_account AND k.role = t.role
         WHERE t.kind = 'duplicate' AND (k.line IS NULL OR k.kind = 'duplicate')
    ) problems(line, problem)
    ORDER BY line
    LIMIT 1
$$;
