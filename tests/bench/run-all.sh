#!/bin/sh
# Loader benchmark: for each size, our `load extract` against PostgreSQL XMLTABLE, the Python
# lxml+psycopg2 peer and the floor (xmllint --stream; COPY of the same rows from TSV). Prints wall
# seconds, rows/s, MB/s, peak RSS (KiB, /usr/bin/time -v of the client) and the ratios.
# Usage (PG* env from scripts/with-cluster.sh): tests/bench/run-all.sh BUILD_DIR [PUPILS...]
# Default sizes 10000 100000 1000000 (the last writes ~600 MB and takes minutes).
set -eu
build=$(cd "$1" && pwd); shift
sizes=${*:-"10000 100000 1000000"}
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_DIR:-/tmp/misswitch-bench}
M="$build/misswitch"
mkdir -p "$work"
"$M" -q init

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
        psql -qc "\\copy misswitch_staging.$t TO '$dir/$t.tsv'"
    done
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    set -- $(measure sh -c "for t in extract_load extract_pupil extract_staff extract_contact extract_relationship extract_group extract_membership; do psql -qc \"\\\\copy misswitch_staging.\$t FROM '$dir/\$t.tsv'\" || exit 1; done")
    copy=$1
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    set -- $(measure xmllint --stream --noout "$file"); lint=$1
    set -- $(measure /usr/bin/python3 "$here/python_peer.py" "$file"); py=$1; py_rss=$2
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    if [ "${BENCH_SKIP_XMLTABLE:-}" = "" ]; then
        set -- $(measure psql -q -v file="$file" -f "$here/xmltable.sql"); xt=$1
    else xt=NA; fi
    psql -qc "DELETE FROM misswitch_staging.extract_load"
    for row in "misswitch $ours $ours_rss" "xmltable $xt NA" "python $py $py_rss" "xmllint $lint NA" "copy-tsv $copy NA"; do
        set -- $row
        awk -v n="$n" -v t="$1" -v s="$2" -v r="$3" -v rows="$total" -v mb="$mb" 'BEGIN{
            if (s == "NA") printf "%-8s %-10s %9s\n", n, t, "failed";
            else printf "%-8s %-10s %9.2f %11.0f %8.1f %10s\n", n, t, s, rows/s, mb/s, r }'
    done
    awk -v o="$ours" -v x="$xt" -v p="$py" -v l="$lint" -v c="$copy" 'BEGIN{
        f = (l > c ? l : c);
        printf "ratios: xmltable/ours %s  python/ours %.2f  ours/max(xmllint,copy) %.2f\n",
               (x == "NA" ? "n/a" : sprintf("%.1f", x/o)), p/o, o/f }'
done
