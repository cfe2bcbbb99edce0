#!/bin/sh
# Runs a test command in a database of its own (created, then dropped), so tests run in parallel
# without seeing each other. Needs the PG* environment of a cluster (scripts/with-cluster.sh).
set -eu
name="mstest_$(basename "$1" | tr -c 'a-zA-Z0-9_\n' '_')_$$"
if ! psql -X -q -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null; then
    echo "with-database: cannot create a test database; run the tests with 'make test'" >&2
    exit 1
fi
# The rules role is cluster-wide (migration 0009 creates it when missing): tests that initialise
# their databases at the same moment would race to create it, so it is made once here, first.
psql -X -q -d postgres -c "DO \$\$ BEGIN CREATE ROLE misswitch_rules NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$" \
    >/dev/null 2>&1 || true
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
PGDATABASE="$name" "$@"
