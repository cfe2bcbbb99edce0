#!/bin/sh
# Merging duplicate accounts, on both platform shapes: the duplicates truth.csv names (a
# teacher and a staff account, a parent with an account per child) are merged into the account
# the person uses. Their content, parent-child links and memberships move to it (a fact both
# accounts had is kept once), the duplicate is disabled, never deleted; the checks prove
# nothing was lost; revert restores every table to the byte.
# (The duplicates are taken from truth.csv here, so this tests the plan, not the detection.)
set -eu
misswitch=${1:?usage: merge_duplicates.sh MISSWITCH SOURCE_DIR}
source_dir=${2:?usage: merge_duplicates.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
digest() { # SCHEMA
    sql <<SQL
CREATE OR REPLACE FUNCTION pg_temp.table_digest(relation regclass) RETURNS text LANGUAGE plpgsql AS \$\$
DECLARE digest text;
BEGIN
    EXECUTE format('SELECT md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) FROM %s t',
                   '|', '', relation) INTO digest;
    RETURN digest;
END \$\$;
SELECT string_agg(c.relname || ' ' || pg_temp.table_digest(c.oid), E'\n' ORDER BY c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = '$1' AND c.relkind = 'r';
SQL
}

"$misswitch" -q gen --pupils 300 --seed 41 --out "$work/data"
for shape in reference linked; do
    sql -c "DROP SCHEMA IF EXISTS platform, vle, misswitch, misswitch_staging, misswitch_work CASCADE" 2>/dev/null
    sql -f "$work/data/platform.sql" >/dev/null
    schema=platform
    profile="$source_dir/lua/rules/profiles/reference.lua"
    if [ "$shape" = linked ]; then
        sql -f "$source_dir/sql/platform/linked/schema.sql" -f "$source_dir/sql/platform/linked/from_reference.sql"
        schema=vle
        profile="$source_dir/lua/rules/profiles/linked.lua"
    fi
    ms() { "$misswitch" -q --profile "$profile" "$@"; }
    ms init --test-copy
    ms freeze
    ms load extract "$work/data/new-extract.xml"
    ms load platform
    ms match
    sql -c "CREATE TEMP TABLE truth (role text, account text, new_id text, kind text, noise text)" \
        -c "\\copy truth FROM '$work/data/truth.csv' WITH (FORMAT csv, HEADER true)" \
        -c "DELETE FROM misswitch_work.duplicate" \
        -c "INSERT INTO misswitch_work.duplicate (account_id, keep_account_id, pass, reason)
            SELECT account, substr(kind, length('duplicate-of:') + 1), 'truth', 'named by truth.csv'
              FROM truth WHERE kind LIKE 'duplicate-of:%'"
    duplicates=$(sql -c "SELECT count(*) FROM misswitch_work.duplicate")
    [ "$duplicates" -gt 5 ] || fail "$shape: only $duplicates duplicates in the generated school"
    before=$(digest $schema)
    ms plan --out "$work/plan-$shape"
    run=$(ms --json apply --plan "$work/plan-$shape" | sed -n 's/.*"run": \([0-9]*\).*/\1/p')
    [ -n "$run" ] || fail "$shape: apply reported no run"
    ok=$(sql -c "SELECT string_agg(check_name || '=' || ok, ' ' ORDER BY check_name) FROM misswitch.run_check WHERE run_id = $run")
    case "$ok" in *conserved=true*accounts_kept=true*|*accounts_kept=true*conserved=true*) ;;
        *) fail "$shape: checks $ok" ;; esac
    disabled=$(sql -c "SELECT count(*) FROM misswitch.journal WHERE run_id = $run AND step = 'disable_duplicates'")
    [ "$disabled" -eq "$duplicates" ] || fail "$shape: disabled $disabled of $duplicates duplicates"
    moved=$(sql -c "SELECT count(*) FROM misswitch.journal WHERE run_id = $run AND step LIKE 'merge_%'")
    [ "$moved" -gt 0 ] || fail "$shape: the merges moved nothing"
    ms verify
    ms revert "$run"
    [ "$(digest $schema)" = "$before" ] || fail "$shape: revert did not restore the platform"
    echo "ok: $shape: $duplicates duplicates merged ($moved rows moved or folded), disabled, reverted"
done
