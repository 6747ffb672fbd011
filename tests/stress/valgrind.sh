#!/bin/sh
# valgrind.sh BUILD OUT TEST... - run the tests with every command and unit test of BUILD
# (build/rel) under valgrind's memcheck: wrappers in OUT/bin and OUT/tests/unit stand in
# for the binaries, each process writes OUT/logs/NAME.PID.log. Afterwards every log is
# read: a definite leak or a memory error anywhere fails the run, and the sums are printed.
set -u
build=$(cd "$1" && pwd) out=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (make deps)" >&2; exit 69; }
rm -rf "$out"
mkdir -p "$out/bin" "$out/tests/unit" "$out/logs"
out=$(cd "$out" && pwd)
wrap() { # wrap REAL WRAPPER
	cat >"$2" <<W
#!/bin/sh
exec valgrind -q --suppressions=$src/tests/valgrind.supp --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \\
	--track-fds=no --child-silent-after-fork=yes --log-file="$out/logs/$(basename "$1").%p.log" \\
	"$1" "\$@"
W
	chmod +x "$2"
}
for b in "$build"/bin/*; do wrap "$b" "$out/bin/$(basename "$b")"; done
for b in "$build"/tests/unit/*; do
	case $b in *.o | *.d) continue ;; esac
	wrap "$b" "$out/tests/unit/$(basename "$b")"
done
start=$(date +%s)
SM_BUILD=$out SM_SRC=$src prove ${PROVE_FLAGS:-} "$@"
status=$?
procs=$(ls "$out/logs" | wc -l)
# a log holds something only when valgrind found something (-q)
bad=$(grep -l -E 'definitely lost: [1-9]|ERROR SUMMARY: [1-9]|Invalid (read|write|free)|uninitialised|Mismatched free' "$out"/logs/*.log 2>/dev/null)
definite=$(cat "$out"/logs/*.log 2>/dev/null | sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' | tr -d , | awk '{s += $1} END {print s + 0}')
echo "valgrind: $# test files, $procs processes under memcheck, $(($(date +%s) - start))s;" \
	"definitely lost: $definite bytes; logs with findings: $(echo "$bad" | grep -c .)"
if [ -n "$bad" ]; then
	for f in $bad; do echo "--- $f"; head -60 "$f"; done
	exit 1
fi
# the verdict is memcheck's: a test that failed here and passes in make check failed on
# a time limit made for native speed (valgrind runs 20 to 50 times slower)
[ "$status" -eq 0 ] || echo "valgrind: prove reported failures (above); memcheck found nothing"
exit 0
