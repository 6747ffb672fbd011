#!/bin/sh
# run.sh BUILD SECONDS NAME... - run each fuzz harness (BUILD/fuzz/fuzz-NAME) for SECONDS,
# one after the other at low priority, on a corpus kept in BUILD/corpus/NAME and seeded
# afresh from the tests (seed.sh). Crashes are kept in BUILD/crashes/NAME; a summary line
# per harness goes to stdout and BUILD/fuzz.log. Exit 1 if any harness crashed.
set -u
build=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
status=0
for name in "$@"; do
	bin=$build/fuzz/fuzz-$name
	[ -x "$bin" ] || { echo "run.sh: no harness '$bin'" >&2; exit 64; }
	rm -rf "$build/seeds/$name"
	sh "$here/seed.sh" "$name" "$build/seeds/$name"
	mkdir -p "$build/corpus/$name" "$build/crashes/$name"
	log=$build/fuzz-$name.log
	# -timeout: an input that takes longer than 10 s is a hang, reported as a crash
	nice -n 15 "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$build/crashes/$name/" \
		"$build/corpus/$name" "$build/seeds/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	crashes=$(ls "$build/crashes/$name" | wc -l)
	line="$(date -u +%Y-%m-%dT%H:%M:%SZ) fuzz-$name: ${seconds}s, ${runs:-?} inputs, $cov, corpus $(ls "$build/corpus/$name" | wc -l), crash files $crashes, exit $rc"
	echo "$line" | tee -a "$build/fuzz.log"
	[ "$rc" -eq 0 ] || { status=1; grep -A15 '^==[0-9]*==ERROR\|^fuzz:\|runtime error' "$log" | head -40; }
done
exit $status
