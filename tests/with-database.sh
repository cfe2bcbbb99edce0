#!/bin/sh
# Runs a test command in a database of its own (created, then dropped), so tests run in parallel
# without seeing each other. Needs the PG* environment of a cluster (scripts/with-cluster.sh).
set -eu
name="mstest_$(basename "$1" | tr -c 'a-zA-Z0-9_\n' '_')_$$"
if ! psql -X -q -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null; then
    echo "with-database: cannot create a test database; run the tests with 'make test'" >&2
    exit 1
fi
cleanup() { psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
PGDATABASE="$name" "$@"
