#!/bin/sh
# The proof of the pudding, on a generated trust (one of whose schools changes its LEA code):
# the reference platform's own importer, run on the new extract.
#  - without misswitch it creates a second account for (nearly) everyone;
#  - after freeze, load, match, plan, apply and thaw it creates accounts exactly for the people
#    the plan's new-accounts.csv lists (joiners and everyone left unmatched), and for no one
#    who was matched.
# Runs in the database of tests/with-database.sh (PGDATABASE); makes a second one beside it.
set -eu
misswitch=${1:?usage: importer_proof.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
without="${PGDATABASE}_without"
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$without\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
import() { # DATABASE: run the platform's importer on the new extract, print accounts created
    sql -d "$1" <<SQL
\\set extract \`cat '$work/data/new-extract.xml'\`
CALL platform.run_import(:'extract'::xml);
SELECT sum(created) FROM platform.import_log;
SQL
}

"$misswitch" -q gen --pupils 400 --schools 2 --seed 11 --out "$work/data"
records=$(grep -c -E '<(pupil|member|contact) id=' "$work/data/new-extract.xml")

# Without misswitch (the school whose LEA code changes gets its new codes by hand first, as the
# service desk would, or the importer would not even find it).
sql -d postgres -c "CREATE DATABASE \"$without\""
sql -d "$without" -f "$work/data/platform.sql" >/dev/null
sql -d "$without" <<SQL
\\set extract \`cat '$work/data/new-extract.xml'\`
UPDATE platform.school s SET lea_code = x.lea, dfe_number = x.dfe
  FROM XMLTABLE('/misswitch-extract/school' PASSING (:'extract'::xml)
                COLUMNS lea text PATH '@lea', dfe text PATH '@dfe', urn text PATH '@urn') x
 WHERE s.urn = x.urn;
SQL
created_without=$(import "$without")
if [ "$created_without" -lt $((records * 95 / 100)) ]; then
    echo "FAIL: without misswitch the importer created only $created_without accounts for $records records" >&2
    exit 1
fi

# With misswitch.
sql -f "$work/data/platform.sql" >/dev/null
"$misswitch" -q init --test-copy
"$misswitch" -q freeze
skipped=$(import "$PGDATABASE")
[ "$skipped" -eq 0 ] || { echo "FAIL: a frozen importer created $skipped accounts" >&2; exit 1; }
sql -c "TRUNCATE platform.import_log"
"$misswitch" -q load extract "$work/data/new-extract.xml"
"$misswitch" -q load platform
"$misswitch" -q match
"$misswitch" -q plan --out "$work/plan"
"$misswitch" -q apply --plan "$work/plan" >/dev/null
"$misswitch" -q thaw
expected=$(($(wc -l < "$work/plan/new-accounts.csv") - 1))
created_with=$(import "$PGDATABASE")
if [ "$created_with" -ne "$expected" ]; then
    echo "FAIL: after apply the importer created $created_with accounts; new-accounts.csv lists $expected" >&2
    exit 1
fi
# No account for anyone who was matched: every new account's MIS ID is in new-accounts.csv.
sql -c "CREATE TEMP TABLE listed (role text, new_id text, forename text, surname text, email text, school text, why text)" \
    -c "\\copy listed FROM '$work/plan/new-accounts.csv' WITH (FORMAT csv, HEADER true)" \
    -c "SELECT count(*) FROM platform.users u WHERE u.password_hash = 'new-account' AND u.mis_id NOT IN (SELECT new_id FROM listed)" > "$work/unlisted"
[ "$(tail -n 1 "$work/unlisted")" -eq 0 ] || { echo "FAIL: accounts created for people not in new-accounts.csv" >&2; exit 1; }
# What those accounts are: joiners the truth names, records left in review, other misses.
breakdown=$(sql -c "CREATE TEMP TABLE truth (role text, account text, new_id text, kind text, noise text)" \
    -c "\\copy truth FROM '$work/data/truth.csv' WITH (FORMAT csv, HEADER true)" \
    -c "CREATE TEMP TABLE listed (role text, new_id text, forename text, surname text, email text, school text, why text)" \
    -c "\\copy listed FROM '$work/plan/new-accounts.csv' WITH (FORMAT csv, HEADER true)" \
    -c "SELECT format('%s joiners, %s in review, %s other unmatched records',
               count(*) FILTER (WHERE l.new_id IN (SELECT new_id FROM truth WHERE kind = 'joiner')),
               count(*) FILTER (WHERE l.why LIKE 'in review%'),
               count(*) FILTER (WHERE l.why NOT LIKE 'in review%'
                                  AND l.new_id NOT IN (SELECT new_id FROM truth WHERE kind = 'joiner')))
          FROM listed l" | tail -n 1)
echo "ok: without misswitch $created_without new accounts for $records records; with misswitch $created_with, exactly new-accounts.csv ($breakdown)"
