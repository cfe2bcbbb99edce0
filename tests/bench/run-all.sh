#!/bin/sh
# Loader benchmark: for each size, our `load extract` against PostgreSQL XMLTABLE, the Python
# lxml+psycopg2 peer and the floor (xmllint --stream; COPY of the same rows from TSV). Prints wall
# seconds, rows/s, MB/s, peak RSS (KiB, /usr/bin/time of the client) and the ratios.
# Every contender writes the same tables (misswitch_staging.extract_*, with their primary keys and
# indexes; rows written by anything but `load extract` land in their DEFAULT partition, see 0002).
# Two more rows for reference: "parse-only" is our reader alone, no database (read_extract.c:
# the client's share); "copy-attach" is the best the server can do with the same rows — COPY of
# the TSV into fresh tables, then ATTACH PARTITION, which builds the indexes once (what
# `load extract` does after its split) — the stricter floor.
# Usage (PG* env from scripts/with-cluster.sh): tests/bench/run-all.sh BUILD_DIR [PUPILS...]
# Default sizes 10000 100000 1000000 (the last writes ~1.5 GB of extract and takes minutes).
# BENCH_SKIP_XMLTABLE=1 / BENCH_SKIP_PYTHON=1 leave those contenders out; BENCH_DIR (default
# /tmp/misswitch-bench) holds the generated files (delete it afterwards).
# Then the matching pipeline (tests/bench/match_pipeline.sh: load + match + plan + eval of a
# 100 k-pupil trust; BENCH_PIPELINE_SIZES="100000 1000000" adds 1 M pupils and the growth
# ratio; BENCH_SKIP_PIPELINE=1 leaves it out).
set -eu
build=$(cd "$1" && pwd); shift
sizes=${*:-"10000 100000 1000000"}
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_DIR:-/tmp/misswitch-bench}
M="$build/misswitch"
mkdir -p "$work"
"$M" -q init
# our reader alone, without a database (built here from the build's library)
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$here/../../loader" "$here/read_extract.c" \
    "$build/libmisswitch_core.a" $(pkg-config --libs libxml-2.0 libpq lua5.4 libsodium) -lm \
    -o "$work/read_extract"
TABLES="extract_pupil extract_staff extract_contact extract_relationship extract_group extract_membership"

# copy_attach DIR: the TSVs into fresh tables, then one transaction that registers the loads and
# attaches the tables as their partitions (building the indexes), as `load extract` publishes.
copy_attach() {
    ids=$(cut -f1 "$1/extract_load.tsv" | paste -sd, -)
    for t in $TABLES; do
        psql -qc "CREATE TABLE misswitch_staging.${t}_bench (LIKE misswitch_staging.$t INCLUDING DEFAULTS)" &&
        psql -qc "\\copy misswitch_staging.${t}_bench FROM '$1/$t.tsv'" || return 1
    done
    { echo "BEGIN;"
      printf '%s\n' "\\copy misswitch_staging.extract_load FROM '$1/extract_load.tsv'"
      for t in $TABLES; do
          echo "ALTER TABLE misswitch_staging.$t ATTACH PARTITION misswitch_staging.${t}_bench FOR VALUES IN ($ids);"
          echo "ALTER TABLE misswitch_staging.${t}_bench RENAME TO ${t}_${ids%%,*};"
      done
      echo "INSERT INTO misswitch_staging.extract_partition SELECT i, ${ids%%,*} FROM unnest('{$ids}'::bigint[]) i;"
      echo "COMMIT;"; } | psql -q -v ON_ERROR_STOP=1 >/dev/null
}

measure() { # label command...: prints "seconds rss_kib"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || {
        echo "FAILED: $*: $(tail -2 "$work/stderr.txt")" >&2; echo "NA NA"; return 0; }
    cat "$work/time.txt"
}
rows() { psql -qAtc "SELECT (SELECT count(*) FROM misswitch_staging.extract_pupil) + (SELECT count(*) FROM misswitch_staging.extract_staff) + (SELECT count(*) FROM misswitch_staging.extract_contact) + (SELECT count(*) FROM misswitch_staging.extract_relationship) + (SELECT count(*) FROM misswitch_staging.extract_group) + (SELECT count(*) FROM misswitch_staging.extract_membership)"; }

printf '%-8s %-10s %9s %11s %8s %10s\n' pupils tool seconds rows/s MB/s rss_KiB
for n in $sizes; do
    dir="$work/$n"
    [ -f "$dir/new-extract.xml" ] || "$M" -q gen --pupils "$n" --seed 1 --out "$dir" >/dev/null
    file="$dir/new-extract.xml"
    mb=$(awk "BEGIN{print $(stat -c %s "$file")/1048576}")
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    set -- $(measure "$M" -q load extract "$file"); ours=$1; ours_rss=$2
    total=$(rows)
    # the same rows as TSV, for the COPY floor
    for t in extract_load extract_pupil extract_staff extract_contact extract_relationship extract_group extract_membership; do
        psql -qc "\\copy (SELECT * FROM misswitch_staging.$t) TO '$dir/$t.tsv'"
    done
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    set -- $(measure sh -c "for t in extract_load $TABLES; do psql -qc \"\\\\copy misswitch_staging.\$t FROM '$dir/\$t.tsv'\" || exit 1; done")
    copy=$1
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    start=$(date +%s.%N)
    if copy_attach "$dir"; then attach=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'); else attach=NA; fi
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    set -- $(measure xmllint --stream --noout "$file"); lint=$1
    set -- $(measure "$work/read_extract" -n "$file"); parse=$1; parse_rss=$2
    if [ "${BENCH_SKIP_PYTHON:-}" = "" ]; then
        set -- $(measure /usr/bin/python3 "$here/python_peer.py" "$file"); py=$1; py_rss=$2
    else py=NA; py_rss=NA; fi
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    if [ "${BENCH_SKIP_XMLTABLE:-}" = "" ]; then
        set -- $(measure psql -q -v file="$file" -f "$here/xmltable.sql"); xt=$1
    else xt=NA; fi
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    for row in "misswitch $ours $ours_rss" "xmltable $xt NA" "python $py $py_rss" "xmllint $lint NA" "copy-tsv $copy NA" "copy-attach $attach NA" "parse-only $parse $parse_rss"; do
        set -- $row
        awk -v n="$n" -v t="$1" -v s="$2" -v r="$3" -v rows="$total" -v mb="$mb" 'BEGIN{
            if (s == "NA") printf "%-8s %-10s %9s\n", n, t, "failed";
            else printf "%-8s %-10s %9.2f %11.0f %8.1f %10s\n", n, t, s, rows/s, mb/s, r }'
    done
    awk -v n="$n" -v o="$ours" -v x="$xt" -v p="$py" -v l="$lint" -v c="$copy" -v a="$attach" 'BEGIN{
        f = (l > c ? l : c); g = (l > a ? l : a);
        printf "ratios %s: xmltable/ours %s  python/ours %s  ours/max(xmllint,copy-tsv) %.2f  ours/max(xmllint,copy-attach) %s\n",
               n, (x == "NA" ? "n/a (failed)" : sprintf("%.1f", x/o)),
               (p == "NA" ? "n/a" : sprintf("%.2f", p/o)), o/f,
               (a == "NA" ? "n/a" : sprintf("%.2f", o/g)) }'
done

if [ "${BENCH_SKIP_PIPELINE:-}" = "" ]; then
    "$here/match_pipeline.sh" "$build" ${BENCH_PIPELINE_SIZES:-100000}
fi
