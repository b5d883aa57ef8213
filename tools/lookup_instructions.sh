#!/bin/sh
# lookup_instructions.sh: instructions per lookup of get() by username and by
# id, and of the C API's same lookups (issue 9's figures in bench/RESULTS.md).
# Each kind runs under callgrind twice, with N lookups and with none (the
# same setup and warm-up); (Ir(N) - Ir(0)) / N is one lookup's cost.
#   tools/lookup_instructions.sh [build dir=builddev] [N=5000]
# Needs valgrind; builds bench/folio-lookup-cost in the build dir first.
set -eu
build=${1:-builddev}
n=${2:-5000}
ninja -C "$build" bench/folio-lookup-cost >/dev/null
driver="$build/bench/folio-lookup-cost"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Total instructions of one run ("events: Ir" summary of callgrind).
instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$driver" "$1" "$2" 2>"$tmp/log" >/dev/null || {
        cat "$tmp/log" >&2
        exit 1
    }
    sed -n 's/^summary: *//p' "$tmp/out"
}

printf '%-14s %12s\n' kind "Ir/lookup"
for kind in username raw-username id raw-id; do
    with=$(instructions "$kind" "$n")
    without=$(instructions "$kind" 0)
    printf '%-14s %12d\n' "$kind" $(( (with - without) / n ))
done
