#!/bin/sh
# A rule error stops the match before anything runs: a syntax error, an unknown field, a bad
# threshold, an option a role cannot have. Each is reported once, as the override file and the
# line of the rule that made it, with the rule-error exit code (3), and the work tables are left
# as they were. Rules are compiled before the database is touched, so no data is needed.
set -eu
misswitch=${1:?usage: rule_errors.sh MISSWITCH SOURCE_DIR}
source_dir=${2:?usage: rule_errors.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$misswitch" -q init --test-copy
psql -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO misswitch_work.match_run (rules_file, started_at) VALUES ('before', now())"

# expect_rule_error NAME LINE MESSAGE BODY: the override file NAME.lua (BODY after a require of
# the default ruleset on line 1) must fail with exit code 3, naming NAME.lua:LINE and MESSAGE.
expect_rule_error() {
    file="$work/$1.lua"
    printf 'local rules = require("lib.rules")\n%s\n' "$4" > "$file"
    status=0
    "$misswitch" match --rules "$file" >"$work/out" 2>"$work/err" || status=$?
    [ "$status" -eq 3 ] || fail "$1: exit code $status, not 3: $(cat "$work/err")"
    grep -q "$1.lua:$2:" "$work/err" || fail "$1: no $1.lua:$2: in: $(cat "$work/err")"
    grep -q "$3" "$work/err" || fail "$1: no '$3' in: $(cat "$work/err")"
    [ "$(grep -c '^misswitch:' "$work/err")" -eq 1 ] || fail "$1: reported more than once: $(cat "$work/err")"
}

expect_rule_error syntax 3 "" 'local ruleset = require("default")
local = 1'
expect_rule_error unknown_field 3 "unknown field 'shoe_size'" 'return { name = "x", passes = {
  rules.scored { name = "s", role = "staff", fields = { "forename", "shoe_size" }, blocking = { { "dob" } },
                 likely = 9, possible = 0, margin = 6 } } }'
expect_rule_error bad_threshold 3 "likely" 'return { name = "x", passes = {
  rules.scored { name = "s", role = "staff", fields = { "forename" }, blocking = { { "dob" } },
                 likely = "high", possible = 0, margin = 6 } } }'
expect_rule_error unknown_blocking 3 "unknown blocking" 'return { name = "x", passes = {
  rules.scored { name = "s", role = "pupil", fields = { "forename" }, blocking = { { "email" } },
                 likely = 9, possible = 0, margin = 6 } } }'
expect_rule_error parent_dob 3 "parent records have no date of birth" 'return { name = "x", passes = {
  rules.exact { name = "e", role = "parent", account = "email", record = { "emails" }, dob_agrees = true } } }'

[ "$(psql -X -At -c "SELECT rules_file FROM misswitch_work.match_run")" = before ] ||
    fail "a rule error changed the work tables"
echo "rule errors: 5 kinds reported as file:line with exit code 3, nothing run"
