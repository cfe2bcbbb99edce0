#!/bin/sh
# Fuzzes each extract format reader (native, CTF, IMS) with libFuzzer for a bounded time: builds
# tests/fuzz/fuzz_reader.c with clang -fsanitize=fuzzer,address,undefined against the reader
# modules (no database), starts from the committed seed corpus tests/fuzz/corpus/FORMAT and the
# dictionary tests/fuzz/FORMAT.dict, and prints per reader the executions, coverage (libFuzzer's
# cov = edges, ft = features) and corpus size. Exits 1 if any reader crashed, leaked, hung or
# broke the harness's contract checks; the input that did it is left in OUT/crashes/.
#
# Usage: tests/fuzz/run.sh [--smoke | --seconds N] [--out DIR] [FORMAT...]
#   default: 600 s (10 minutes) per reader; --smoke: 30 s per reader
#   OUT (default /tmp/misswitch-fuzz) keeps the binaries, the growing working corpora (the
#   committed seeds are never written) and the logs; a later run continues from its corpora.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=600
out=/tmp/misswitch-fuzz
while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) seconds=30; shift ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
formats=${*:-"native ctf ims"}
CC=${CC:-clang}
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "run.sh: $CC not found" >&2
    echo "HINT: apt-get install clang (libFuzzer ships with Debian's clang)" >&2
    exit 2
fi
mkdir -p "$out/crashes"

# The reader and what it needs: every extract_* module but the three that talk to the database.
sources="upn.c error.c"
for path in "$root"/loader/extract_*.c; do
    case "$path" in
    */extract_load.c|*/extract_stream.c|*/extract_command.c) ;;
    *) sources="$sources $(basename "$path")" ;;
    esac
done
failed=0
printf '%-7s %8s %12s %8s %8s %7s %s %s\n' reader seconds executions exec/s cov ft corpus result
for format in $formats; do
    binary="$out/fuzz_$format"
    paths=""
    for s in $sources; do paths="$paths $root/loader/$s"; done
    # shellcheck disable=SC2086 # (word splitting of the source list and pkg-config is meant)
    "$CC" -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fno-omit-frame-pointer \
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -DFUZZ_FORMAT="\"$format\"" -I"$root/loader" $(pkg-config --cflags libxml-2.0) \
        -o "$binary" "$here/fuzz_reader.c" $paths $(pkg-config --libs libxml-2.0)
    corpus="$out/corpus/$format"
    mkdir -p "$corpus"
    log="$out/$format.log"
    result=ok
    # -timeout: an input that takes 10 s is a hang; -max_len: well above the seeds (7 KiB).
    if ! "$binary" -max_total_time="$seconds" -timeout=10 -max_len=20000 -rss_limit_mb=1024 \
            -print_final_stats=1 -dict="$here/$format.dict" \
            -artifact_prefix="$out/crashes/$format-" "$corpus" "$here/corpus/$format" \
            >"$log" 2>&1; then
        result="FAILED (see $log and $out/crashes)"
        failed=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    units=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
    printf '%-7s %8s %12s %8s %8s %7s %s %s\n' "$format" "$seconds" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "${units:-?}" "$result"
done
exit $failed
