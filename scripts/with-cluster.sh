#!/bin/sh
# Runs a command against a throwaway PostgreSQL 15 cluster, removed afterwards whatever happens.
# pg_virtualenv (postgresql-common) creates the cluster, exports PGHOST/PGPORT/PGUSER/PGPASSWORD
# and PGDATABASE for the command, and works as root (initdb itself refuses to). -t keeps the
# cluster in a temporary directory, so two runs never collide on /etc/postgresql/15/regress.
set -eu
if [ $# -eq 0 ]; then
    echo "usage: scripts/with-cluster.sh COMMAND [ARG...]" >&2
    exit 2
fi
exec pg_virtualenv -t -v 15 -o shared_buffers=256MB -o fsync=off -o max_connections=100 "$@"
