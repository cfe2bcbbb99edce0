#!/bin/sh
# apply when things go wrong: a conflicting row, a failing check, two applies at once, kill -9
# at a named step and at random moments. After each, the target is either untouched or fully
# applied, and a re-run works.
set -eu
misswitch=${1:?usage: apply_failures.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {
    want=$1; shift
    set +e; "$@" >"$work/out" 2>"$work/err"; got=$?; set -e
    [ "$got" -eq "$want" ] || { cat "$work/err" >&2; fail "'$*' exited $got, expected $want"; }
}
relinked() { sql -c "SELECT count(*) FROM platform.users WHERE mis_source = 'Arbor'"; }
# (every account the plan relinks: pupils, staff and parents)
applied_runs() { sql -c "SELECT count(*) FROM misswitch.run WHERE kind = 'plan' AND status = 'applied'"; }
# Waits until process $1 is stopped (SIGSTOP from MISSWITCH_TEST_PAUSE_AT) or gone.
wait_stopped() {
    for _ in $(seq 1 200); do
        state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || echo gone)
        [ "$state" = T ] || [ "$state" = gone ] && return 0
        sleep 0.05
    done
    fail "process $1 never paused"
}
# Waits until no misswitch backend is left (a killed client's transaction is rolled back).
wait_no_backend() {
    for _ in $(seq 1 200); do
        [ "$(sql -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'misswitch'")" -eq 0 ] && return 0
        sleep 0.05
    done
    fail "a misswitch backend outlived its client"
}

"$misswitch" -q gen --pupils 200 --seed 31 --out "$work/data"
sql -f "$work/data/platform.sql" >/dev/null
"$misswitch" -q init --test-copy
"$misswitch" -q freeze
"$misswitch" -q load extract "$work/data/new-extract.xml"
"$misswitch" -q load platform
"$misswitch" -q match
"$misswitch" -q plan --out "$work/plan"
pupils=$(sql -c "SELECT count(*) FROM misswitch_work.plan_relinks()")

# 1. A row changed since the snapshot: the run stops with nothing changed and lists it.
victim=$(sql -c "SELECT account_id FROM misswitch_work.plan_relinks() ORDER BY account_id LIMIT 1")
sql -c "UPDATE platform.users SET mis_id = 'changed-by-hand' WHERE user_id = $victim"
expect_exit 8 "$misswitch" apply --plan "$work/plan"
grep -q "changed since the snapshot" "$work/err" || fail "conflict message: $(cat "$work/err")"
grep -q "relink $victim" "$work/err" || fail "the conflict does not name account $victim"
[ "$(relinked)" -eq 0 ] && [ "$(applied_runs)" -eq 0 ] || fail "a conflicting run changed something"
# ... and with --skip-conflicts the rest applies, the skipped row recorded, the checks pass.
run=$("$misswitch" -q --json apply --plan "$work/plan" --skip-conflicts | sed -n 's/.*"run": \([0-9]*\).*/\1/p')
[ "$(relinked)" -eq $((pupils - 1)) ] || fail "--skip-conflicts relinked $(relinked) of $((pupils - 1))"
[ "$(sql -c "SELECT count(*) FROM misswitch.run_conflict WHERE run_id = $run AND skipped")" -eq 1 ] ||
    fail "the skipped row was not recorded"
"$misswitch" -q revert "$run"
sql -c "UPDATE platform.users SET mis_id = (SELECT expect_mis_id FROM misswitch.run_relink WHERE account_id = '$victim' LIMIT 1) WHERE user_id = $victim"

# 2. A failing check rolls everything back: an account the plan does not touch already holds
#    a new MIS ID.
new_id=$(sql -c "SELECT new_mis_id FROM misswitch_work.plan_relinks() ORDER BY account_id LIMIT 1")
other=$(sql -c "SELECT user_id FROM platform.users WHERE user_id::text NOT IN
               (SELECT account_id FROM misswitch_work.plan_relinks()) ORDER BY user_id LIMIT 1")
old_source=$(sql -c "SELECT coalesce(mis_source, '') FROM platform.users WHERE user_id = $other")
old_link=$(sql -c "SELECT coalesce(mis_id, '') FROM platform.users WHERE user_id = $other")
sql -c "UPDATE platform.users SET mis_source = 'Arbor', mis_id = '$new_id' WHERE user_id = $other"
expect_exit 7 "$misswitch" apply --plan "$work/plan"
grep -q "conversion checks failed" "$work/err" && grep -q "unique_mis_id" "$work/err" ||
    fail "failing check message: $(cat "$work/err")"
[ "$(relinked)" -eq 1 ] && [ "$(applied_runs)" -eq 0 ] || fail "a run whose check failed changed something"
sql -c "UPDATE platform.users SET mis_source = NULLIF('$old_source', ''), mis_id = NULLIF('$old_link', '') WHERE user_id = $other"

# 3. Two applies at once: the second is refused while the first holds the database.
MISSWITCH_TEST_PAUSE_AT=conflicts "$misswitch" -q apply --plan "$work/plan" >"$work/first.out" 2>&1 &
first=$!
wait_stopped $first
expect_exit 9 "$misswitch" apply --plan "$work/plan"
grep -q "another misswitch run holds" "$work/err" || fail "concurrent apply: $(cat "$work/err")"
kill -CONT $first
wait $first || fail "the first apply failed after it was resumed: $(cat "$work/first.out")"
[ "$(relinked)" -eq "$pupils" ] || fail "the first apply relinked $(relinked) of $pupils"
run=$(sql -c "SELECT max(run_id) FROM misswitch.run WHERE kind = 'plan' AND status = 'applied'")
"$misswitch" -q revert "$run"

# 4. kill -9 at a named step: nothing is left applied, and a re-run works.
for step in data conflicts relink_pupils checks commit; do
    MISSWITCH_TEST_PAUSE_AT=$step "$misswitch" -q apply --plan "$work/plan" >/dev/null 2>&1 &
    pid=$!
    wait_stopped $pid
    kill -9 $pid
    wait $pid 2>/dev/null || true
    wait_no_backend
    [ "$(relinked)" -eq 0 ] && [ "$(applied_runs)" -eq 0 ] || fail "kill -9 before step $step left changes"
done

# 4b. ^C (SIGINT) between steps: the run stops there and rolls back.
MISSWITCH_TEST_PAUSE_AT=relink_staff "$misswitch" -q apply --plan "$work/plan" >/dev/null 2>"$work/int.err" &
pid=$!
wait_stopped $pid
kill -INT $pid
kill -CONT $pid
set +e; wait $pid; status=$?; set -e
[ "$status" -ne 0 ] || fail "apply interrupted with SIGINT exited 0"
grep -q "interrupted" "$work/int.err" || fail "SIGINT: $(cat "$work/int.err")"
wait_no_backend
[ "$(relinked)" -eq 0 ] && [ "$(applied_runs)" -eq 0 ] || fail "SIGINT left changes"

# 5. kill -9 at random moments: either untouched or fully applied, never half.
for delay in 0.01 0.03 0.05 0.08 0.12 0.2; do
    "$misswitch" -q apply --plan "$work/plan" >/dev/null 2>&1 &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    wait_no_backend
    n=$(relinked); runs=$(applied_runs)
    if [ "$n" -eq "$pupils" ] && [ "$runs" -eq 1 ]; then
        "$misswitch" -q revert "$(sql -c "SELECT max(run_id) FROM misswitch.run WHERE status = 'applied' AND kind = 'plan'")"
    elif [ "$n" -ne 0 ] || [ "$runs" -ne 0 ]; then
        fail "kill -9 after ${delay}s left $n accounts relinked and $runs applied runs"
    fi
done

run=$("$misswitch" -q --json apply --plan "$work/plan" | sed -n 's/.*"run": \([0-9]*\).*/\1/p')
[ "$(relinked)" -eq "$pupils" ] || fail "the final re-run relinked $(relinked) of $pupils"
echo "ok: conflicts, failing check, concurrent apply, kill -9 at 5 steps, SIGINT, 6 random kills; run $run"
