#!/bin/sh
# Match quality on a small fixed dataset: gen (1 500 pupils, 2 schools, fixed seed), load, match,
# then precision and recall per role against truth.csv, in SQL. A wrong link is never allowed
# (a wrong parent-child link is a safeguarding incident); recall and the review queue are held
# to issue 5's targets, so a change that loses matches fails here. Asserts quality, never
# timings (tests/bench measures those).
set -eu
misswitch=${1:?usage: match_quality.sh MISSWITCH SOURCE_DIR}
source_dir=${2:?usage: match_quality.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
ms() { "$misswitch" -q "$@"; }

ms gen --pupils 1500 --schools 2 --seed 11 --out "$work/data"
sql -f "$work/data/platform.sql" >/dev/null
ms init --test-copy
ms load extract "$work/data/new-extract.xml"
ms load platform
ms match

# role | truth links | links | correct | wrong | review, one line per role
figures=$(sql <<SQL
CREATE TEMP TABLE truth (role text, account text, new_id text, kind text, noise text);
\\copy truth FROM '$work/data/truth.csv' WITH (FORMAT csv, HEADER true)
WITH link AS (
    SELECT d.account_type AS role, d.account_id, d.new_mis_id FROM misswitch_work.decision d
     WHERE d.tier IN ('exact', 'likely')
), expected AS (
    SELECT t.role, t.account, t.new_id FROM truth t WHERE t.kind = 'match'
), role AS (
    SELECT unnest(ARRAY['pupil', 'staff', 'parent']) AS role
)
SELECT r.role,
       (SELECT count(*) FROM expected e WHERE e.role = r.role),
       (SELECT count(*) FROM link l WHERE l.role = r.role),
       (SELECT count(*) FROM link l JOIN expected e ON (e.account, e.new_id) = (l.account_id, l.new_mis_id)
         WHERE l.role = r.role),
       (SELECT count(*) FROM link l WHERE l.role = r.role AND NOT EXISTS (
            SELECT 1 FROM expected e WHERE (e.account, e.new_id) = (l.account_id, l.new_mis_id))),
       (SELECT count(*) FROM misswitch_work.decision d WHERE d.account_type = r.role AND d.tier = 'possible')
  FROM role r ORDER BY 1;
SQL
)
echo "$figures" | awk -F'|' '{ printf "match_quality: %-7s truth %5d  links %5d  correct %5d  wrong %d  review %d  recall %.4f\n",
                                      $1, $2, $3, $4, $5, $6, ($2 > 0 ? $4 / $2 : 1) }'

check() { # ROLE MIN_TRUTH RECALL_FLOOR
    line=$(echo "$figures" | grep "^$1|") || fail "$1: no figures"
    truth=$(echo "$line" | cut -d'|' -f2)
    correct=$(echo "$line" | cut -d'|' -f4)
    wrong=$(echo "$line" | cut -d'|' -f5)
    [ "$truth" -ge "$2" ] || fail "$1: only $truth truth links in the generated trust (expected $2 or more)"
    [ "$wrong" -eq 0 ] || fail "$1: $wrong wrong link(s)"
    awk -v c="$correct" -v t="$truth" -v floor="$3" 'BEGIN { exit !(c / t >= floor) }' ||
        fail "$1: recall $correct/$truth is below $3"
}
# Issue 5's targets: no wrong link in any role (stricter than its precision targets: a wrong
# parent-child link is a safeguarding incident), recall pupils >= 0.999, staff >= 0.99,
# parents >= 0.98, and the review queue at most 1 % of the accounts.
check pupil 1300 0.999
check staff 80 0.99
check parent 2000 0.98
review=$(sql -c "SELECT count(*) FILTER (WHERE tier = 'possible') || '|' || count(*) FROM misswitch_work.decision
                  WHERE account_type IN ('pupil', 'staff', 'parent')")
echo "match_quality: review ${review%|*} of ${review#*|} accounts"
awk -v r="${review%|*}" -v n="${review#*|}" 'BEGIN { exit !(n > 0 && r / n <= 0.01) }' ||
    fail "review queue ${review%|*} of ${review#*|} accounts is more than 1 %"

# The same inputs give the same decisions, scores and reasons, whatever the planner's statistics
# (ties between a record's name variants are broken by value, not by plan order) and whatever
# the database's default isolation (match prepares the persons on other connections: a
# REPEATABLE READ snapshot taken before they commit would see the prepared tables empty).
decisions="COPY (SELECT account_id, account_type, tier, new_load_id, new_mis_id, pass, score,
                        runner_up_mis_id, runner_up_score, reason
                   FROM misswitch_work.decision ORDER BY account_id) TO STDOUT"
sql -c "$decisions" >"$work/first.txt"
sql -c "VACUUM ANALYZE"
sql -c "ALTER DATABASE \"$PGDATABASE\" SET default_transaction_isolation = 'repeatable read'"
ms match
sql -c "ALTER DATABASE \"$PGDATABASE\" RESET default_transaction_isolation"
sql -c "$decisions" >"$work/again.txt"
cmp -s "$work/first.txt" "$work/again.txt" ||
    fail "a second match after ANALYZE decided differently: $(diff "$work/first.txt" "$work/again.txt" | head -4)"
echo "match_quality: ok"
