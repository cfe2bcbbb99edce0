#!/bin/sh
# The matching pipeline at trust size (issue 5: load + match + plan of a 100 k-pupil trust in
# under 30 s on 2 cores; cost growing at most 12x per 10x data). On fixed generated inputs
# (`gen --pupils N --schools N/10000 --seed 5`) it times each step — load extract, load platform,
# match, plan — and prints their total, the time of every pass `match` prints, then the eval
# figures (eval is timed too, outside the total). With two or more sizes it prints each step's
# growth from the first size to the last. Prints figures only: it never asserts a time.
# Usage (PG* env from scripts/with-cluster.sh):
#   tests/bench/match_pipeline.sh BUILD_DIR [PUPILS...]   (default 100000; 1000000 takes ~15 min
#                                                          and ~8 GB of generated files)
# BENCH_DIR (default /tmp/misswitch-bench) keeps the generated files between runs (delete it
# afterwards); each size gets a fresh database, dropped at the end.
set -eu
build=$(cd "${1:?usage: match_pipeline.sh BUILD_DIR [PUPILS...]}" && pwd); shift
sizes=${*:-100000}
work=${BENCH_DIR:-/tmp/misswitch-bench}
M="$build/misswitch"
mkdir -p "$work"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# step LABEL LOG COMMAND...: runs COMMAND (its output to LOG), prints its wall time and leaves it
# in $seconds
step() {
    label=$1; log=$2; shift 2
    start=$(now)
    if ! "$@" >"$log" 2>&1; then
        echo "FAILED: $label: $(tail -3 "$log")" >&2
        exit 1
    fi
    seconds=$(since "$start")
    printf '  %-14s %8s s\n' "$label" "$seconds"
}

first=""
for n in $sizes; do
    schools=$(( n / 10000 > 0 ? n / 10000 : 1 ))
    dir="$work/pipeline-$n"
    db="misswitch_pipeline_$n"
    [ -f "$dir/truth.csv" ] || "$M" -q gen --pupils "$n" --schools "$schools" --seed 5 --out "$dir"
    dropdb --if-exists "$db" 2>/dev/null
    createdb "$db"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$dir/platform.sql" >/dev/null
    "$M" -q -d "dbname=$db" init --test-copy
    accounts=$(psql -X -qAt -d "$db" -c "SELECT count(*) FROM platform.users")
    echo "pipeline: $n pupils, $schools schools, seed 5 ($accounts platform accounts)"

    step "load extract" "$dir/load-extract.log" "$M" -d "dbname=$db" load extract "$dir/new-extract.xml"
    extract=$seconds
    step "load platform" "$dir/load-platform.log" "$M" -d "dbname=$db" load platform
    platform=$seconds
    step "match" "$dir/match.log" "$M" -d "dbname=$db" match
    match=$seconds
    rm -rf "$dir/plan"
    step "plan" "$dir/plan.log" "$M" -d "dbname=$db" plan --out "$dir/plan"
    plan=$seconds
    total=$(awk -v a="$extract" -v b="$platform" -v c="$match" -v d="$plan" 'BEGIN { printf "%.2f", a + b + c + d }')
    printf '  %-14s %8s s   (load extract + load platform + match + plan)\n' "total" "$total"
    echo "  match passes (match's own figures):"
    sed -n 's/^match: \([a-z_][a-z_ ,]* *[0-9.]* s\)$/    \1/p; s/^match: \([0-9]* passes in .*\) with .*/    \1/p' \
        "$dir/match.log"
    step "eval" "$dir/eval.log" "$M" -d "dbname=$db" eval --truth "$dir/truth.csv" --limit 5
    evaluate=$seconds
    echo "  eval figures (eval --truth truth.csv; not in the total):"
    sed 's/^eval: /    /' "$dir/eval.log"
    dropdb "$db"

    figures="$extract $platform $match $plan $total $evaluate"
    if [ -z "$first" ]; then first=$n; first_figures=$figures; fi
    last=$n; last_figures=$figures
done

if [ "$first" != "$last" ]; then
    echo "growth $last / $first pupils ($(awk -v a="$last" -v b="$first" 'BEGIN { print a / b }')x the data):"
    awk -v before="$first_figures" -v after="$last_figures" 'BEGIN {
        split("load extract|load platform|match|plan|total|eval", label, "|")
        split(before, b, " "); split(after, a, " ")
        for (i = 1; i <= 6; i++) printf "  %-14s %8.1fx\n", label[i], a[i] / b[i] }'
fi
