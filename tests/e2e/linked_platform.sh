#!/bin/sh
# End to end on the second test platform (persons and accounts apart, MIS links in a link table
# keyed by source), through its own profile: proves nothing outside a profile names platform
# tables. freeze -> load -> match -> plan -> apply -> verify, asserted against truth.csv; then
# revert and thaw leave every table of the platform exactly as it was. Every link the run adds
# is one truth.csv gives that account.
set -eu
misswitch=${1:?usage: linked_platform.sh MISSWITCH SOURCE_DIR}
source_dir=${2:?usage: linked_platform.sh MISSWITCH SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sql() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }
ms() { "$misswitch" -q --profile "$source_dir/lua/rules/profiles/linked.lua" "$@"; }
# A digest of every table of the vle schema, each ordered by its whole row.
digest() {
    sql <<'SQL'
CREATE FUNCTION pg_temp.table_digest(relation regclass) RETURNS text LANGUAGE plpgsql AS $$
DECLARE digest text;
BEGIN
    EXECUTE format('SELECT md5(coalesce(string_agg(t::text, %L ORDER BY t::text), %L)) FROM %s t',
                   '|', '', relation) INTO digest;
    RETURN digest;
END $$;
SELECT string_agg(c.relname || ' ' || pg_temp.table_digest(c.oid), E'\n' ORDER BY c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'vle' AND c.relkind = 'r';
SQL
}

"$misswitch" -q gen --pupils 200 --seed 5 --out "$work/data"
sql -f "$work/data/platform.sql" >/dev/null
sql -f "$source_dir/sql/platform/linked/schema.sql" -f "$source_dir/sql/platform/linked/from_reference.sql"
sql -c "CREATE TABLE public.truth (role text, account text, new_id text, kind text, noise text)" \
    -c "\\copy public.truth FROM '$work/data/truth.csv' WITH (FORMAT csv, HEADER true)"
before=$(digest)

ms init --test-copy
ms freeze
ms load extract "$work/data/new-extract.xml"
ms load platform
ms match
ms plan --out "$work/plan"
run=$(ms --json apply --plan "$work/plan" | sed -n 's/.*"run": \([0-9]*\).*/\1/p')
[ -n "$run" ] || { echo "FAIL: apply reported no run" >&2; exit 1; }
ms verify

problems=$(sql <<'SQL'
WITH newest AS (
    SELECT DISTINCT ON (account_id) account_id, source, external_id
      FROM vle.mis_link ORDER BY account_id, linked_at DESC, source)
SELECT 'pupil ' || t.account || ' not relinked to ' || t.new_id
  FROM public.truth t LEFT JOIN newest n ON n.account_id = t.account::bigint
 WHERE t.role = 'pupil' AND t.kind = 'match' AND n.external_id IS DISTINCT FROM t.new_id
UNION ALL
SELECT 'account ' || l.account_id || ' got link ' || l.external_id || ', which truth.csv does not give it'
  FROM vle.mis_link l
 WHERE l.source = (SELECT mis_source FROM misswitch_staging.extract_load WHERE role = 'new' LIMIT 1)
   AND NOT EXISTS (SELECT 1 FROM public.truth t WHERE t.account = l.account_id::text
                      AND t.kind = 'match' AND t.new_id = l.external_id)
LIMIT 20;
SQL
)
[ -z "$problems" ] || { echo "FAIL: after apply:" >&2; echo "$problems" >&2; exit 1; }
inserted=$(sql -c "SELECT count(*) FROM misswitch.journal WHERE run_id = $run AND operation = 'INSERT' AND table_name = 'vle.mis_link'")
relinks=$(sql -c "SELECT count(*) FROM misswitch.run_relink WHERE run_id = $run")
matched=$(sql -c "SELECT count(*) FROM public.truth WHERE role = 'pupil' AND kind = 'match'")
[ "$inserted" -eq "$relinks" ] || { echo "FAIL: $inserted links inserted for $relinks relinks" >&2; exit 1; }

ms revert "$run"
ms thaw
after=$(digest)
if [ "$before" != "$after" ]; then
    echo "FAIL: after revert and thaw the platform differs:" >&2
    printf '%s\n' "$before" > "$work/before"; printf '%s\n' "$after" > "$work/after"
    diff "$work/before" "$work/after" >&2 || true
    exit 1
fi
echo "ok: linked platform: $inserted accounts ($matched pupils) relinked by INSERT, reverted to the byte"
