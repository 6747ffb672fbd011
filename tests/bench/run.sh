#!/bin/sh
# run.sh - the benchmarks `make bench` runs: ingest (sm-fetch storing items against the
# sqlite3 CLI importing them), then fetch (sm-fetch fetching 200 slow feeds against curl).
# Each prints a Markdown table to stdout; progress goes to stderr.
#
# usage: SM_BUILD=build/rel SM_SRC=. sh tests/bench/run.sh
# environment: see tests/bench/ingest and tests/bench/fetch (BENCH_N, BENCH_RUNS, ...)
set -eu
SM_SRC=${SM_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SM_BUILD=${SM_BUILD:-$SM_SRC/build/rel}
export SM_SRC SM_BUILD
echo "# smkit benchmarks, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
sh "$SM_SRC/tests/bench/ingest"
sh "$SM_SRC/tests/bench/fetch"
sh "$SM_SRC/tests/bench/match"
[ -f "$SM_SRC/tests/bench/assign" ] && sh "$SM_SRC/tests/bench/assign"
[ -f "$SM_SRC/tests/bench/report" ] && sh "$SM_SRC/tests/bench/report"
