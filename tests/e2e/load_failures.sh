#!/bin/sh
# load extract when things go wrong: kill -9 while the file streams (nothing committed) and
# between the pending tables' commits and the publish (pending tables left behind, swept by the
# next load); a paused load's tables are not swept while it lives, and it still publishes; ^C.
# After each, staging is exactly the previous load, and the next load works.
set -eu
misswitch=${1:?usage: load_failures.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
# Waits until process $1 is stopped (SIGSTOP from MISSWITCH_TEST_PAUSE_AT) or gone.
wait_stopped() {
    for _ in $(seq 1 400); do
        state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone)
        [ "$state" = T ] || [ "$state" = gone ] && return 0
        sleep 0.05
    done
    fail "process $1 never paused"
}
# Waits until no misswitch backend is left (a killed client's transactions are rolled back).
wait_no_backend() {
    for _ in $(seq 1 200); do
        [ "$(sql -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'misswitch'")" -eq 0 ] && return 0
        sleep 0.05
    done
    fail "a misswitch backend outlived its client"
}
# Everything staged, as one digest.
staged() {
    sql -c "SELECT md5(string_agg(x, ';' ORDER BY x)) FROM (
              SELECT l.role || l.format || l.school_key || l.source_file AS x FROM misswitch_staging.extract_load l
              UNION ALL SELECT (p.mis_id, p.upn, p.dob)::text FROM misswitch_staging.extract_pupil p
              UNION ALL SELECT (c.mis_id, c.emails)::text FROM misswitch_staging.extract_contact c
              UNION ALL SELECT (r.contact_mis_id, r.pupil_mis_id)::text FROM misswitch_staging.extract_relationship r
              UNION ALL SELECT (m.group_mis_id, m.member_mis_id)::text FROM misswitch_staging.extract_membership m) t"
}
pending_tables() {
    sql -c "SELECT count(*) FROM pg_class WHERE relnamespace = 'misswitch_staging'::regnamespace
              AND relkind = 'r' AND relname LIKE '%\\_pending\\_%'"
}
registered() { sql -c "SELECT count(*) FROM misswitch_staging.extract_pending"; }

"$misswitch" -q gen --pupils 300 --schools 2 --seed 41 --out "$work/a"
# (the old MIS's extract of the same trust: loaded as "new" it replaces the school the two files
# share and adds the one whose LEA code changed)
other="$work/a/old-extract.xml"
"$misswitch" -q init
"$misswitch" -q load extract "$work/a/new-extract.xml"
before=$(staged)
[ "$(pending_tables)" -eq 0 ] || fail "a good load left pending tables"

# 1. Killed while the file streams: the COPYs' transactions roll back, nothing was committed.
MISSWITCH_TEST_PAUSE_AT=finish "$misswitch" -q load extract "$other" 2>/dev/null &
pid=$!; wait_stopped $pid
kill -9 $pid; wait $pid 2>/dev/null || true
wait_no_backend
[ "$(staged)" = "$before" ] || fail "killed while streaming: staging changed"
[ "$(pending_tables)" -eq 0 ] || fail "killed while streaming: pending tables were left"

# 2. Killed between the commits and the publish: the pending tables stay, registered, staging
#    unchanged; the next load sweeps them before it starts.
MISSWITCH_TEST_PAUSE_AT=publish "$misswitch" -q load extract "$other" 2>/dev/null &
pid=$!; wait_stopped $pid
kill -9 $pid; wait $pid 2>/dev/null || true
wait_no_backend
[ "$(staged)" = "$before" ] || fail "killed before publish: staging changed"
[ "$(pending_tables)" -eq 7 ] || fail "killed before publish: expected its 7 pending tables, found $(pending_tables)"
[ "$(registered)" -eq 7 ] || fail "killed before publish: pending tables not registered"
"$misswitch" -q load extract "$work/a/new-extract.xml"
[ "$(staged)" = "$before" ] || fail "reload after a kill: staging differs"
[ "$(pending_tables)" -eq 0 ] || fail "the sweep left pending tables"
[ "$(registered)" -eq 0 ] || fail "the sweep left registrations"

# 3. A load paused (alive) before its publish keeps its tables while another load runs and
#    sweeps; resumed, it publishes, replacing the same schools.
MISSWITCH_TEST_PAUSE_AT=publish "$misswitch" -q load extract "$other" 2>/dev/null &
pid=$!; wait_stopped $pid
"$misswitch" -q load extract "$work/a/new-extract.xml"
[ "$(pending_tables)" -eq 7 ] || fail "a live load's pending tables were swept"
kill -CONT $pid
wait $pid || fail "the resumed load failed"
"$misswitch" -q load extract "$other"
after_b=$(staged)
[ "$after_b" != "$before" ] || fail "the other file staged nothing new"
[ "$(pending_tables)" -eq 0 ] || fail "pending tables left after the resumed load"

# 4. ^C while streaming: the load stops, nothing changes, and the next load works.
MISSWITCH_TEST_PAUSE_AT=finish "$misswitch" -q load extract "$work/a/new-extract.xml" 2>"$work/int.err" &
pid=$!; wait_stopped $pid
kill -INT $pid; kill -CONT $pid
set +e; wait $pid; code=$?; set -e
[ "$code" -ne 0 ] || fail "^C: the load succeeded"
wait_no_backend
[ "$(staged)" = "$after_b" ] || fail "^C: staging changed"
[ "$(pending_tables)" -eq 0 ] || fail "^C while streaming left pending tables"
"$misswitch" -q load extract "$other"
[ "$(staged)" = "$after_b" ] || fail "reload after ^C differs"

echo "load_failures: ok"
