#!/bin/sh
# design_b.sh — what the loader's alternative design (b) would cost: one connection per staging
# table streaming into fresh tables while the file is parsed, published in one short transaction.
# Emulated with the real pieces: our reader parsing the file (read_extract -n: parse and encode,
# no database) runs at the same time as six psql \copy of that file's rows into fresh tables,
# then one transaction registers the loads and ATTACHes the tables (building the indexes).
# It leaves out what (b) would add (the checks for duplicates and dangling links, six
# connections' flushing from one thread, cleaning up orphaned tables), so it flatters (b).
# Usage (PG* env of a cluster initialised by `misswitch init`, after tests/bench/run-all.sh has
# left its files in BENCH_DIR): tests/bench/design_b.sh PUPILS
set -eu
n=$1
work=${BENCH_DIR:-/tmp/misswitch-bench}
dir="$work/$n"
TABLES="extract_pupil extract_staff extract_contact extract_relationship extract_group extract_membership"
ids=$(cut -f1 "$dir/extract_load.tsv" | paste -sd, -)
batch=${ids%%,*}

psql -qc "DELETE FROM misswitch_staging.extract_load"
for t in $TABLES; do
    psql -qc "CREATE TABLE misswitch_staging.${t}_b (LIKE misswitch_staging.$t INCLUDING DEFAULTS)"
done
start=$(date +%s.%N)
"$work/read_extract" -n "$dir/new-extract.xml" 2>/dev/null &
for t in $TABLES; do
    psql -qc "\\copy misswitch_staging.${t}_b FROM '$dir/$t.tsv'" &
done
wait
streamed=$(date +%s.%N)
{ echo "BEGIN;"
  printf '%s\n' "\\copy misswitch_staging.extract_load FROM '$dir/extract_load.tsv'"
  for t in $TABLES; do
      echo "ALTER TABLE misswitch_staging.$t ATTACH PARTITION misswitch_staging.${t}_b FOR VALUES IN ($ids);"
      echo "ALTER TABLE misswitch_staging.${t}_b RENAME TO ${t}_$batch;"
  done
  echo "INSERT INTO misswitch_staging.extract_partition SELECT i, $batch FROM unnest('{$ids}'::bigint[]) i;"
  echo "COMMIT;"; } | psql -q -v ON_ERROR_STOP=1 >/dev/null
done=$(date +%s.%N)
psql -qc "DELETE FROM misswitch_staging.extract_load"
awk -v n="$n" -v a="$start" -v s="$streamed" -v d="$done" 'BEGIN{
    printf "design (b) emulated, %s pupils: parse + 6 parallel COPYs %.2f s, publish (ATTACH, index builds) %.2f s, total %.2f s\n",
           n, s - a, d - s, d - a }'
