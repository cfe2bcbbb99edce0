#!/bin/sh
# gen.sh — how fast `misswitch gen` writes a dataset: fixed arguments, gen's own figure
# (model + files, from its --json "seconds"), wall time, CPU and peak RSS (/usr/bin/time).
# Usage: tests/bench/gen.sh MISSWITCH [OUT_BASE]   (OUT_BASE default /tmp; each run's files
# are removed after it is measured). Needs no database.
set -eu
misswitch=$1
base=${2:-/tmp}
run() { # label, gen arguments...
    label=$1; shift
    out="$base/misswitch-bench-gen.$$"
    figures=$(/usr/bin/time -f "%e %U %S %M" "$misswitch" -q --json gen "$@" --out "$out" 2>&1 >"$out.json")
    seconds=$(sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$out.json")
    persons=$(sed -n '1s/.*"pupils": \([0-9]*\), "staff": \([0-9]*\), "contacts": \([0-9]*\).*/\1 \2 \3/p' "$out.json" |
              awk '{print $1 + $2 + $3}')
    size=$(du -sm "$out" | cut -f1)
    set -- $figures
    printf '| %s | %s | %s | %s | %s | %s / %s | %s |\n' "$label" "$persons" "$size" "$seconds" "$1" "$2" "$3" "$4"
    rm -rf "$out" "$out.json"
}
echo "| dataset | persons | MB written | gen s | wall s | user / sys s | RSS KiB |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
run "100 k persons (36 400 pupils, 2 schools)" --pupils 36400 --schools 2 --seed 1
run "1 M persons (364 000 pupils, 20 schools)" --pupils 364000 --schools 20 --seed 1
run "1 M persons, one thread" --pupils 364000 --schools 20 --seed 1 --threads 1
run "1 M pupils (50 schools)" --pupils 1000000 --schools 50 --seed 1
