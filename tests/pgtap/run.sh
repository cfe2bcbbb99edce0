#!/bin/sh
# Runs the pgTAP suites with pg_prove in the database of tests/with-database.sh: installs
# misswitch's migrations (init --test-copy), pgtap and the reference platform schema first.
set -eu
misswitch=${1:?usage: run.sh MISSWITCH SOURCE_DIR}
source_dir=${2:?usage: run.sh MISSWITCH SOURCE_DIR}
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

"$misswitch" -q init --test-copy
psql -c "CREATE EXTENSION IF NOT EXISTS pgtap"
psql -f "$source_dir/sql/platform/schema.sql" >/dev/null

# The SQL the default rules compile to, for the suites that test it.
"$misswitch" match --show-sql > "${TMPDIR:-/tmp}/misswitch-rules-$$.sql"
psql -c "CREATE SCHEMA pgtap_fixture" \
     -c "CREATE TABLE pgtap_fixture.rules_sql (sql text NOT NULL)"
# (psql interpolates variables only in statements it reads, not in -c)
echo "INSERT INTO pgtap_fixture.rules_sql VALUES (:'sql');" |
    psql -v sql="$(cat "${TMPDIR:-/tmp}/misswitch-rules-$$.sql")"
rm -f "${TMPDIR:-/tmp}/misswitch-rules-$$.sql"

exec pg_prove --failures --comments "$source_dir"/tests/pgtap/[0-9]*.sql
