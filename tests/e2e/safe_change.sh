#!/bin/sh
# The safe change, end to end on a generated trust:
#   live: init, freeze -> encrypted snapshot -> restore as a test copy -> load, match, plan
#   -> the gates refuse what they must -> apply on the test copy (attested) -> verify
#   -> revert: every platform table byte-for-byte as before -> apply again
#   -> apply --live (fresh snapshot first) -> verify on live -> thaw
# PGDATABASE (from tests/with-database.sh) plays live; the test copy is a second database.
set -eu
misswitch=${1:?usage: safe_change.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
copy="${PGDATABASE}_copy"
live="dbname=$PGDATABASE"
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$copy\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() { # CODE COMMAND...: run, require exit CODE
    want=$1; shift
    set +e; "$@" >"$work/out" 2>"$work/err"; got=$?; set -e
    [ "$got" -eq "$want" ] || { cat "$work/err" >&2; fail "'$*' exited $got, expected $want"; }
}
# Ordered digest of every table of the platform schema in database $1.
digest() {
    sql -d "$1" <<'SQL'
CREATE FUNCTION pg_temp.table_digest(relation regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE digest text;
BEGIN
    EXECUTE format('SELECT md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) FROM %s t',
                   '|', '', relation) INTO digest;
    RETURN digest;
END $$;
SELECT string_agg(c.relname || ' ' || pg_temp.table_digest(c.oid), E'\n' ORDER BY c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'platform' AND c.relkind = 'r';
SQL
}

"$misswitch" -q gen --pupils 300 --schools 2 --seed 21 --out "$work/data"
sql -f "$work/data/platform.sql" >/dev/null
"$misswitch" -q -d "$live" init
"$misswitch" -q -d "$live" freeze

# Encrypted snapshot of live, restored as the test copy.
"$misswitch" -q keygen --out "$work/key"
"$misswitch" -q -d "$live" snapshot --key-file "$work/key" --out "$work/live.snapshot"
sql -d postgres -c "CREATE DATABASE \"$copy\""
"$misswitch" -q restore --key-file "$work/key" --in "$work/live.snapshot" --into "dbname=$copy"

"$misswitch" -q -d "dbname=$copy" load extract "$work/data/new-extract.xml"
"$misswitch" -q -d "dbname=$copy" load platform
"$misswitch" -q -d "dbname=$copy" match
"$misswitch" -q -d "dbname=$copy" plan --out "$work/plan"

# The gates: live is no test copy; live needs an attestation the test copy has not written yet.
expect_exit 9 "$misswitch" -d "$live" apply --plan "$work/plan"
grep -q "not marked as a test copy" "$work/err" || fail "apply on live without --live: $(cat "$work/err")"
expect_exit 9 "$misswitch" -d "$live" apply --plan "$work/plan" --live --key-file "$work/key"
grep -q "has no attestation" "$work/err" || fail "live apply of an untested plan: $(cat "$work/err")"

before=$(digest "$copy")
run=$("$misswitch" -q --json -d "dbname=$copy" apply --plan "$work/plan" --key-file "$work/key" |
      sed -n 's/.*"run": \([0-9]*\).*/\1/p')
[ -n "$run" ] || fail "apply on the test copy reported no run"
[ -f "$work/plan/attestation.txt" ] || fail "a passing apply on a test copy wrote no attestation"
grep -q "^snapshot_sha256: [0-9a-f]\{64\}$" "$work/plan/attestation.txt" || fail "attestation names no snapshot"
"$misswitch" -q -d "dbname=$copy" verify
[ "$(digest "$copy")" != "$before" ] || fail "apply changed nothing"

"$misswitch" -q -d "dbname=$copy" revert "$run"
after=$(digest "$copy")
if [ "$after" != "$before" ]; then
    printf '%s\n' "$before" > "$work/before"; printf '%s\n' "$after" > "$work/after"
    diff "$work/before" "$work/after" >&2 || true
    fail "after revert the test copy's platform differs from before apply"
fi
expect_exit 9 "$misswitch" -d "dbname=$copy" revert "$run"   # a reverted run stays reverted

# A forged attestation is refused; the real one (rewritten by a second apply) lets live go.
cp "$work/plan/attestation.txt" "$work/attestation.good"
sed -i 's/^all_checks_ok: true$/all_checks_ok: true /' "$work/plan/attestation.txt"
expect_exit 9 "$misswitch" -d "$live" apply --plan "$work/plan" --live --key-file "$work/key"
grep -q "does not authenticate" "$work/err" || fail "forged attestation: $(cat "$work/err")"
"$misswitch" -q -d "dbname=$copy" apply --plan "$work/plan" --key-file "$work/key" >/dev/null

# Live: frozen importer required, then a fresh snapshot into the plan folder, then the run.
"$misswitch" -q -d "$live" thaw
expect_exit 9 "$misswitch" -d "$live" apply --plan "$work/plan" --live --key-file "$work/key"
grep -q "not frozen" "$work/err" || fail "live apply with a live importer: $(cat "$work/err")"
"$misswitch" -q -d "$live" freeze
MISSWITCH_KEY_FILE="$work/key" "$misswitch" -q -d "$live" apply --plan "$work/plan" --live
ls "$work/plan"/live-before-*.snapshot >/dev/null 2>&1 || fail "apply --live took no snapshot first"
"$misswitch" -q -d "$live" verify
relinked=$(sql -c "SELECT count(*) FROM misswitch.journal j JOIN misswitch.run r USING (run_id) WHERE r.kind = 'plan' AND r.status = 'applied'")
[ "$relinked" -gt 250 ] || fail "live apply relinked only $relinked accounts"
"$misswitch" -q -d "$live" thaw

# plan.sql by hand, as DESIGN promises: psql -1 applies it with the same lock, guards, journal
# and checks; a second time it refuses, naming its run, and changes nothing.
copy_run=$(sql -d "$copy" -c "SELECT misswitch.last_plan_run()")
"$misswitch" -q -d "dbname=$copy" revert "$copy_run"
psql -X -q -1 -v ON_ERROR_STOP=1 -d "$copy" -f "$work/plan/plan.sql" >/dev/null 2>"$work/err" ||
    fail "plan.sql by hand: $(cat "$work/err")"
by_hand=$(sql -d "$copy" -c "SELECT misswitch.last_plan_run()")
[ "$by_hand" -gt "$copy_run" ] || fail "plan.sql by hand recorded no run"
"$misswitch" -q -d "dbname=$copy" verify
if psql -X -q -1 -v ON_ERROR_STOP=1 -d "$copy" -f "$work/plan/plan.sql" >/dev/null 2>"$work/err"; then
    fail "plan.sql applied twice by hand"
fi
grep -q "already applied to this database as run $by_hand" "$work/err" || fail "second run by hand: $(cat "$work/err")"
echo "ok: snapshot -> restore -> plan -> apply -> verify -> revert (byte-for-byte) -> apply --live ($relinked rows) -> plan.sql by hand"
