# test.sh - sourced by every tests/*.t: TAP output, a scratch directory, the built commands.
# Usage in a test:  . "${SM_SRC:-.}/tests/lib/test.sh"; plan 3; ok "what" cmd...; done_testing
set -u
SM_SRC=${SM_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SM_BUILD=${SM_BUILD:-$SM_SRC/build/san}
PATH=$SM_BUILD/bin:$PATH
export SM_SRC SM_BUILD PATH
export LC_ALL=C.UTF-8 TZ=UTC NO_COLOR=1
unset SM_DIR SM_USER VISUAL EDITOR
# the tests talk only to 127.0.0.1 (their own servers), never through a proxy
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
SM_CORPUS=$SM_SRC/../shared/corpus
TMP=$(mktemp -d "${TMPDIR:-/tmp}/smkit-test.XXXXXX")
export HOME=$TMP/home XDG_DATA_HOME=$TMP/home/.local/share
mkdir -p "$HOME"
_n=0
_fail=0
_cleanup() {
	for f in "$TMP"/*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap _cleanup EXIT
cd "$TMP" || exit 1

plan() { echo "1..$1"; }
done_testing() { echo "1..$_n"; [ "$_fail" -eq 0 ]; exit $?; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
diag() { printf '# %s\n' "$@" | sed '2,$s/^/# /' >&2; }
pass() { _n=$((_n + 1)); echo "ok $_n - $1"; }
fail() { _n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $1"; }
skip() { _n=$((_n + 1)); echo "ok $_n # skip $1"; }
# ok NAME CMD...: passes when CMD exits 0
ok() { _name=$1; shift; if "$@"; then pass "$_name"; else fail "$_name"; fi; }
# not_ok NAME CMD...: passes when CMD exits non-zero
nok() { _name=$1; shift; if "$@"; then fail "$_name"; else pass "$_name"; fi; }
# is NAME GOT WANT
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1"; diag "got:  '$2'" "want: '$3'"; fi
}
# exits NAME STATUS CMD...: passes when CMD exits with STATUS
exits() {
	_name=$1 _want=$2; shift 2
	"$@"; _got=$?
	if [ "$_got" -eq "$_want" ]; then pass "$_name"; else
		fail "$_name"; diag "exit $_got, want $_want"; fi
}
# cmp_file NAME GOT WANT: compare two files, show a diff on failure
cmp_file() {
	if cmp -s "$2" "$3"; then pass "$1"; else
		fail "$1"; diag "$(diff -u "$3" "$2" | head -40)"; fi
}
# like NAME FILE REGEX: the file has a line matching the extended regex
like() {
	if grep -Eq -- "$3" "$2"; then pass "$1"; else
		fail "$1"; diag "no line matching /$3/ in:" "$(head -20 "$2")"; fi
}
unlike() {
	if grep -Eq -- "$3" "$2"; then fail "$1"; diag "unexpected: $(grep -E -- "$3" "$2" | head -3)"; else
		pass "$1"; fi
}
# sqlval SQL: one value from the test workspace's store
sqlval() { sqlite3 "${WS:-$TMP/ws}/store.db" "$1"; }
# a free TCP port on 127.0.0.1
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# peer NAME PROGRAM ARGS...: the local server tests/lib/PROGRAM (python3) on a free port,
# its pid, log and stderr as $TMP/NAME.{pid,log,err}; waits for it, sets PORT
peer() {
	_pn=$1 _ps=$2
	shift 2
	rm -f "$TMP/$_pn.port"
	: >"$TMP/$_pn.log"
	/usr/bin/python3 "$SM_SRC/tests/lib/$_ps" "$@" --port 0 --port-file "$TMP/$_pn.port" \
		--pid-file "$TMP/$_pn.pid" --log "$TMP/$_pn.log" 2>"$TMP/$_pn.err" &
	_i=0
	while [ ! -s "$TMP/$_pn.port" ] && [ $_i -lt 200 ] && kill -0 $! 2>/dev/null; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ -s "$TMP/$_pn.port" ] || { echo "Bail out! $_ps did not start: $(cat "$TMP/$_pn.err")"; exit 1; }
	PORT=$(cat "$TMP/$_pn.port")
}
# quiet CMD...: run CMD with its output thrown away (for `ok NAME quiet CMD...`)
quiet() { "$@" >/dev/null 2>&1; }

# support_team CONFIG: append the team several tests start from: identity from SM_USER, the
# default team support, alice in it as an agent, bob in it as an approver
support_team() {
	cat >>"$1" <<'EOF'
[security]
	identity = env
[assign]
	default-team = support
[agent "alice"]
	team = support
[agent "bob"]
	team = support
	role = approver
EOF
}
