#!/bin/sh
# A school whose LEA and DfE codes change with the move: the plan changes the platform school's
# codes (guarded by the old ones) and, by the school's rule, the usernames that embed the old
# DfE number; the checks confirm both, revert undoes them, and afterwards the platform's own
# importer finds the school under its new codes.
set -eu
misswitch=${1:?usage: school_codes.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

"$misswitch" -q gen --pupils 200 --seed 51 --out "$work/data"
sql -f "$work/data/platform.sql" >/dev/null
old=$(sql -c "SELECT lea_code || '/' || dfe_number FROM platform.school")
old_lea=${old%/*}; old_dfe=${old#*/}
# The new MIS reports the school under new codes (an academy conversion, say).
sed "s|<school lea=\"$old_lea\" dfe=\"$old_dfe\"|<school lea=\"999\" dfe=\"4999\"|" \
    "$work/data/new-extract.xml" > "$work/new-extract.xml"
grep -q 'lea="999" dfe="4999"' "$work/new-extract.xml" || fail "could not change the school codes"

# Some usernames embed the school's DfE number; the school's rules say so.
sql -c "UPDATE platform.users SET username = '$old_dfe' || username WHERE user_id % 7 = 0"
embedded=$(sql -c "SELECT count(*) FROM platform.users WHERE user_id % 7 = 0")

"$misswitch" -q init --test-copy
"$misswitch" -q freeze
"$misswitch" -q load extract "$work/new-extract.xml"
"$misswitch" -q load platform
"$misswitch" -q match --rules "$2/lua/rules/examples/school_code_change.lua"
"$misswitch" -q plan --out "$work/plan"
grep -q "INSERT INTO misswitch.run_school" "$work/plan/plan.sql" || fail "the plan carries no school change"
run=$("$misswitch" -q --json apply --plan "$work/plan" | sed -n 's/.*"run": \([0-9]*\).*/\1/p')
[ -n "$run" ] || fail "apply reported no run"
# Revert restores the old codes (and apply again puts the new ones back).
"$misswitch" -q revert "$run"
[ "$(sql -c "SELECT lea_code || '/' || dfe_number FROM platform.school")" = "$old" ] ||
    fail "revert did not restore the school's codes"
run=$("$misswitch" -q --json apply --plan "$work/plan" | sed -n 's/.*"run": \([0-9]*\).*/\1/p')
[ "$(sql -c "SELECT lea_code || '/' || dfe_number FROM platform.school")" = "999/4999" ] ||
    fail "the school's codes did not change"
[ "$(sql -c "SELECT ok FROM misswitch.run_check WHERE run_id = $run AND check_name = 'school_codes'")" = t ] ||
    fail "the school_codes check did not pass"
renamed=$(sql -c "SELECT count(*) FROM platform.users WHERE username LIKE '4999%'")
[ "$renamed" -eq "$embedded" ] || fail "$renamed of $embedded usernames renamed to the new DfE number"
[ "$(sql -c "SELECT count(*) FROM platform.users WHERE username LIKE '$old_dfe%'")" -eq 0 ] ||
    fail "usernames with the old DfE number remain"

# The platform's importer now finds the school under its new codes.
"$misswitch" -q thaw
sql <<SQL
\\set extract \`cat '$work/new-extract.xml'\`
CALL platform.run_import(:'extract'::xml);
SQL
[ "$(sql -c "SELECT count(*) FROM platform.import_log WHERE NOT skipped")" -eq 1 ] ||
    fail "the importer did not find the school under its new codes"
[ "$(sql -c "SELECT updated FROM platform.import_log")" -gt 150 ] ||
    fail "the importer updated only $(sql -c "SELECT updated FROM platform.import_log") accounts"

echo "ok: school codes $old -> 999/4999 and $renamed usernames applied, reverted, re-applied, found by the importer"
