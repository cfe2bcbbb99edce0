#!/bin/sh
# The demo: a synthetic school through the whole pipeline, for real, on the PostgreSQL cluster
# of the environment (make demo runs it inside a throwaway one: scripts/with-cluster.sh).
#   gen -> platform database -> init --test-copy -> freeze -> load extract -> load platform
#   -> match -> plan -> apply (one transaction, checks before COMMIT) -> thaw -> summary
# Leaves the generated data and the plan folder under ./demo-out.
set -eu
misswitch=${1:?usage: scripts/demo.sh PATH/TO/misswitch}
out=${DEMO_OUT:-$PWD/demo-out}
db=misswitch_demo

rm -rf "$out"
mkdir -p "$out"
step() { printf '\n== %s\n' "$*" >&2; }

step "generate a synthetic school (300 pupils, their parents and staff)"
"$misswitch" gen --pupils 300 --seed 1 --out "$out/data"

step "restore the platform as a test copy (here: build it from the generated platform.sql)"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$out/data/platform.sql" >/dev/null
"$misswitch" -d "dbname=$db" init --test-copy

step "freeze the platform's own importer"
"$misswitch" -d "dbname=$db" freeze

step "load the new MIS extract and the platform into staging"
"$misswitch" -d "dbname=$db" load extract "$out/data/new-extract.xml"
"$misswitch" -d "dbname=$db" load platform

step "match accounts to new MIS records"
"$misswitch" -d "dbname=$db" match

step "plan the change"
"$misswitch" -d "dbname=$db" plan --out "$out/plan"

step "apply the plan to the test copy (one transaction, checks before COMMIT)"
"$misswitch" -d "dbname=$db" apply --plan "$out/plan"

step "thaw the importer: the next routine import finds every matched account linked"
"$misswitch" -d "dbname=$db" thaw

step "summary"
psql -X -q -d "$db" -At -F ' ' -c "
    SELECT format('%-7s accounts %4s  relinked %4s  to review %3s  unmatched/leavers %3s  new accounts %3s',
                  role, accounts, relinked, review, unmatched, new_accounts)
      FROM misswitch_work.summary()"
cat <<SUMMARY

The plan folder is $out/plan:
  plan.sql (applied above), report.txt, report.csv, report.html, review.csv, new-accounts.csv
relinked: accounts that keep their login, now linked to the new MIS record
review:   decisions left to a person (review.csv); leavers/unmatched: no new record found
new:      new records the next import creates accounts for (new-accounts.csv)
SUMMARY
