#!/bin/sh
# End to end, the demo's path, asserted exactly against truth.csv:
#   gen -> platform -> init --test-copy -> load extract -> load platform -> match -> plan -> apply
# Every pupil the truth matches is relinked to the right new ID, every relinked staff member and
# parent is relinked to the ID truth.csv gives (only exact/likely decisions are relinked; the
# rest wait in review), leavers are untouched, nothing else in the platform changed (freeze then thaw leave the importer as it was), and applying
# the same plan again changes nothing.
# Runs in the database of tests/with-database.sh (PGDATABASE).
set -eu
misswitch=${1:?usage: demo_path.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }

"$misswitch" -q gen --pupils 300 --seed 7 --out "$work/data"
sql -f "$work/data/platform.sql" >/dev/null

# The platform as it was, to prove what changed and what did not.
sql <<'SQL'
CREATE SCHEMA e2e;
CREATE TABLE e2e.users_before AS SELECT * FROM platform.users;
CREATE TABLE e2e.other_before AS
SELECT 'school' AS t, md5(string_agg(s::text, '|' ORDER BY s.school_id)) AS digest FROM platform.school s
UNION ALL SELECT 'parent_child', md5(string_agg(p::text, '|' ORDER BY p.parent_id, p.child_id)) FROM platform.parent_child p
UNION ALL SELECT 'groups', md5(string_agg((to_jsonb(g) - 'mis_source' - 'mis_id')::text, '|' ORDER BY g.group_id)) FROM platform.groups g
UNION ALL SELECT 'group_members', md5(string_agg(m::text, '|' ORDER BY m.group_id, m.user_id)) FROM platform.group_members m
UNION ALL SELECT 'content', md5(string_agg(c::text, '|' ORDER BY c.content_id)) FROM platform.content c
UNION ALL SELECT 'importer_schedule', md5(string_agg(i::text, '|' ORDER BY i.school_id)) FROM platform.importer_schedule i;
CREATE TABLE e2e.truth (role text, account text, new_id text, kind text, noise text);
SQL
sql -c "\\copy e2e.truth FROM '$work/data/truth.csv' WITH (FORMAT csv, HEADER true)"

"$misswitch" -q init --test-copy
"$misswitch" -q freeze
"$misswitch" -q load extract "$work/data/new-extract.xml"
"$misswitch" -q load platform
"$misswitch" -q match
"$misswitch" -q plan --out "$work/plan"
run=$("$misswitch" --json apply --plan "$work/plan" | sed -n 's/.*"run": \([0-9]*\).*/\1/p')
[ -n "$run" ] || { echo "FAIL: apply reported no run" >&2; exit 1; }
"$misswitch" -q thaw

failures=$(sql <<'SQL'
WITH new_source AS (SELECT DISTINCT mis_source FROM misswitch_staging.extract_load WHERE role = 'new'),
pupil_matches AS (SELECT account::bigint AS user_id, new_id FROM e2e.truth WHERE role = 'pupil' AND kind = 'match'),
truth_accounts AS (SELECT account::bigint AS user_id, role, new_id, kind FROM e2e.truth
                    WHERE role IN ('pupil', 'staff', 'parent') AND account <> ''),
-- every account whose MIS link the plan changed: only exact/likely decisions are relinked
relinked AS (SELECT u.user_id, u.user_type, u.mis_id FROM platform.users u JOIN e2e.users_before b USING (user_id)
              WHERE (u.mis_source, u.mis_id) IS DISTINCT FROM (b.mis_source, b.mis_id)),
-- accounts the truth calls duplicates of another: the plan may merge and disable them
duplicates AS (SELECT user_id FROM truth_accounts WHERE kind LIKE 'duplicate-of:%'),
problems AS (
    -- every pupil the truth matches carries its new ID from the new MIS
    SELECT 'pupil ' || m.user_id || ' not relinked to ' || m.new_id AS problem
      FROM pupil_matches m JOIN platform.users u USING (user_id)
     WHERE u.mis_id IS DISTINCT FROM m.new_id OR u.mis_source NOT IN (SELECT mis_source FROM new_source)
    UNION ALL
    -- every relinked account (pupils, staff, parents) is relinked to what truth.csv says
    SELECT r.user_type || ' ' || r.user_id || ' relinked to ' || r.mis_id || ', truth says '
           || coalesce(t.kind || ' ' || coalesce(t.new_id, ''), 'nothing')
      FROM relinked r LEFT JOIN truth_accounts t USING (user_id)
     WHERE t.kind IS DISTINCT FROM 'match' OR t.new_id IS DISTINCT FROM r.mis_id
        OR (SELECT u.mis_source FROM platform.users u WHERE u.user_id = r.user_id) NOT IN (SELECT mis_source FROM new_source)
    UNION ALL
    -- relinked accounts changed only their MIS link
    SELECT r.user_type || ' ' || u.user_id || ' changed beyond its MIS link'
      FROM platform.users u JOIN e2e.users_before b USING (user_id) JOIN relinked r USING (user_id)
     WHERE (to_jsonb(u) - 'mis_id' - 'mis_source') <> (to_jsonb(b) - 'mis_id' - 'mis_source')
    UNION ALL
    -- every other account (leavers, review, unmatched) is exactly as it was; duplicates may be
    -- disabled by a merge but never deleted
    SELECT 'account ' || b.user_id || ' (' || b.user_type || ') changed'
      FROM e2e.users_before b LEFT JOIN platform.users u USING (user_id)
     WHERE b.user_id NOT IN (SELECT user_id FROM relinked)
       AND (u.user_id IS NULL
            OR (b.user_id NOT IN (SELECT user_id FROM duplicates) AND to_jsonb(u) <> to_jsonb(b))
            OR (b.user_id IN (SELECT user_id FROM duplicates) AND (to_jsonb(u) - 'disabled') <> (to_jsonb(b) - 'disabled')))
    UNION ALL
    -- every group the truth matches carries its new ID (groups change nothing but their link)
    SELECT 'group ' || t.account || ' not relinked to ' || t.new_id
      FROM e2e.truth t JOIN platform.groups g ON g.group_id = t.account::bigint
     WHERE t.role = 'group' AND t.kind = 'match' AND g.mis_id IS DISTINCT FROM t.new_id
    UNION ALL
    SELECT 'new account ' || u.user_id FROM platform.users u
     WHERE u.user_id NOT IN (SELECT user_id FROM e2e.users_before)
    UNION ALL
    -- no other platform table changed (merges of duplicates may move links, memberships and
    -- content: when the plan merges, those tables are the plan's checks' to verify)
    SELECT 'table ' || o.t || ' changed'
      FROM e2e.other_before o
      JOIN (SELECT 'school' AS t, md5(string_agg(s::text, '|' ORDER BY s.school_id)) AS digest FROM platform.school s
            UNION ALL SELECT 'parent_child', md5(string_agg(p::text, '|' ORDER BY p.parent_id, p.child_id)) FROM platform.parent_child p
            UNION ALL SELECT 'groups', md5(string_agg((to_jsonb(g) - 'mis_source' - 'mis_id')::text, '|' ORDER BY g.group_id)) FROM platform.groups g
            UNION ALL SELECT 'group_members', md5(string_agg(m::text, '|' ORDER BY m.group_id, m.user_id)) FROM platform.group_members m
            UNION ALL SELECT 'content', md5(string_agg(c::text, '|' ORDER BY c.content_id)) FROM platform.content c
            UNION ALL SELECT 'importer_schedule', md5(string_agg(i::text, '|' ORDER BY i.school_id)) FROM platform.importer_schedule i) n
        USING (t)
     WHERE o.digest IS DISTINCT FROM n.digest
       AND (o.t IN ('school', 'groups', 'importer_schedule')
            OR NOT EXISTS (SELECT 1 FROM misswitch.run_merge WHERE true))
)
SELECT problem FROM problems ORDER BY problem LIMIT 20;
SQL
)
if [ -n "$failures" ]; then
    echo "FAIL: the platform after apply differs from what truth.csv says:" >&2
    echo "$failures" >&2
    exit 1
fi

matched=$(sql -c "SELECT count(*) FROM e2e.truth WHERE role = 'pupil' AND kind = 'match'")
leavers=$(sql -c "SELECT count(*) FROM e2e.truth WHERE role = 'pupil' AND kind = 'leaver'")
journaled=$(sql -c "SELECT count(*) FROM misswitch.journal WHERE run_id = $run")
frozen=$(sql -c "SELECT count(*) FROM misswitch.run WHERE kind = 'freeze' AND status = 'reverted'")
[ "$frozen" -eq 1 ] || { echo "FAIL: freeze/thaw left $frozen reverted freeze runs" >&2; exit 1; }
[ "$matched" -gt 200 ] || { echo "FAIL: only $matched pupil matches in the truth" >&2; exit 1; }
[ "$leavers" -gt 0 ] || { echo "FAIL: the generated school has no leavers" >&2; exit 1; }
relinked=$(sql -c "SELECT count(*) FROM e2e.users_before b JOIN platform.users u USING (user_id) WHERE (u.mis_source, u.mis_id) IS DISTINCT FROM (b.mis_source, b.mis_id)")
staff_parents=$(sql -c "SELECT count(*) FROM e2e.users_before b JOIN platform.users u USING (user_id) WHERE b.user_type <> 'pupil' AND (u.mis_source, u.mis_id) IS DISTINCT FROM (b.mis_source, b.mis_id)")
[ "$staff_parents" -gt 0 ] || { echo "FAIL: no staff or parent was relinked" >&2; exit 1; }
[ "$journaled" -ge "$relinked" ] || { echo "FAIL: journal has $journaled rows for $relinked relinks" >&2; exit 1; }

# The same plan again: reports its run, changes nothing.
again=$("$misswitch" --json apply --plan "$work/plan" | sed -n 's/.*"run": \([0-9]*\).*/\1/p')
[ "$again" = "$run" ] || { echo "FAIL: re-apply reported run '$again', expected $run" >&2; exit 1; }
runs=$(sql -c "SELECT count(*) FROM misswitch.run WHERE kind = 'plan'")
[ "$runs" -eq 1 ] || { echo "FAIL: $runs runs recorded after re-apply" >&2; exit 1; }

"$misswitch" -q verify
# The same checks as a pgTAP suite, as CI and a test copy run them.
psql -X -q -c "CREATE EXTENSION IF NOT EXISTS pgtap"
pg_prove --quiet "$2/tests/pgtap/conversion/checks.sql" >&2
echo "ok: $matched pupils and $staff_parents staff/parents relinked exactly as truth.csv says, $leavers leavers untouched, run $run"
