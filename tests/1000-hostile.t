#!/bin/sh
# 1000-hostile.t - input from the public internet that tries to break out: item texts and
# names carrying SQL, shell metacharacters and terminal escape sequences, NUL bytes,
# over-long lines and deeply nested JSON, on every command that reads records (sm-match,
# sm-assign, sm-approve submit, sm-fetch's exec channels). Each is refused with FILE:LINE:
# and exit 65, or kept as plain data: stored as it came, never run, and never written raw
# to a terminal by the tables of sm-assign list and sm-approve list, sm-approve show, the
# records printed on a terminal, or a message on stderr.
. "${SM_SRC:-.}/tests/lib/test.sh"

for c in sm-match sm-assign sm-approve sm-fetch jq sqlite3 perl; do
	command -v $c >/dev/null || skip_all "$c not found"
done
export SM_NOW=2026-11-23T10:00:00Z
WS=$TMP/ws
sm-init -q "$WS" || { fail "workspace"; done_testing; }
support_team "$WS/config"
: >"$WS/rules"
export SM_DIR=$WS
cd "$TMP" || exit 1
mkdir -p run && cd run || exit 1 # a command that ran a text would leave files here

# raw FILE: how many bytes of FILE a terminal would take as control: C0 but newline, DEL,
# C1 (UTF-8 C2 80..9F) and the bidirectional controls
raw() {
	perl -0777 -ne '$n = () = /[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c/g;
		print $n, "\n"' "$1"
}
ontty() { _o=$1; shift; /usr/bin/python3 "$SM_SRC/tests/lib/onatty.py" "$_o" "$@"; }

# The payloads, as JSON string contents: an SQL injection, shell metacharacters that
# would leave a file pwned-* in the current directory if anything ran them, a terminal
# escape that sets the window title, clears the screen and rings, the C1 CSI (U+009B) and
# a right-to-left override (U+202E) that shows "txt.exe" as "exe.txt"
SQL="x'); DROP TABLE items; --\\\" OR 1=1; --"
SH='$(touch pwned-dollar) `touch pwned-tick`; touch pwned-semi | touch pwned-pipe && touch pwned-and'
TERM_ESC='\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u009b1m\u202etxt.exe'
ITEMS=$TMP/hostile.jsonl
{
	printf '{"id":"h:1","channel":"support","author":{"id":"a:1","handle":"@%s","name":"%s"},"text":"%s","title":"%s","created_at":"2026-11-23T09:00:00Z"}\n' \
		"robert" "$SQL" "$SH" "$TERM_ESC"
	printf '{"id":"h:2'"'"'--","channel":"support","thread":"t:\\u001b[2J\\u009b31m","author":{"id":"a:2","name":"%s"},"text":"%s %s","created_at":"2026-11-23T09:01:00Z"}\n' \
		"$TERM_ESC" "$SQL" "$TERM_ESC"
	printf '{"id":"h:3","channel":"support","author":{"id":"a:3","name":"Mallory"},"text":"%s","created_at":"2026-11-23T09:02:00Z"}\n' "$SH"
} >"$ITEMS"
tables_before=$(sqlval "select count(*) from sqlite_master")

# --- SQL, shell and escapes are data ------------------------------------------------------

sm-match -a "$ITEMS" | sm-assign >out 2>err
is "hostile items: match and assign take them (exit 0)" "$?" 0
is "all three are printed" "$(jq -r .id out | tr '\n' ' ')" "h:1 h:2'-- h:3 "
is "all three are stored" "$(sqlval "select count(*) from items where id like 'h:%'")" 3
is "no table was dropped or added" "$(sqlval "select count(*) from sqlite_master")" "$tables_before"
is "the store is intact" "$(sqlval "pragma integrity_check")" ok
for id in "h:1" "h:2'--" "h:3"; do
	is "$id: stored exactly as it came" \
		"$(sqlval "select record from items where id = '$(printf %s "$id" | sed "s/'/''/g")'" |
			jq -cS '{text, title, author}')" \
		"$(jq -cS --arg id "$id" 'select(.id == $id) | {text, title, author}' "$ITEMS")"
done
is "the case of a hostile thread is kept as it came" \
	"$(jq -r 'select(.id == "h:2'"'"'--") | .case' out | xargs -I{} sqlite3 "$WS/store.db" \
		"select conversation from cases where id = {}" | od -An -tx1 | tr -d ' \n')" \
	"$(printf 't:\033[2J\302\23331m\n' | od -An -tx1 | tr -d ' \n')"
ls pwned-* >/dev/null 2>&1 && fail "nothing of the texts was run" || pass "nothing of the texts was run"

# --- never raw on a terminal ------------------------------------------------------------

ontty list.tty sm-assign list >/dev/null 2>list.err
is "sm-assign list on a terminal: exit 0" "$?" 0
like "sm-assign list on a terminal: a table" list.tty '^CASE +STATUS'
is "sm-assign list on a terminal: no control character reaches it" "$(raw list.tty)" 0
like "sm-assign list: the escape is shown, escaped" list.tty 't:\\x1b\[2J\\u009b31m'
sm-assign list >list.out
is "sm-assign list into a pipe: the conversation as data" \
	"$(jq -r 'select(.conversation | startswith("t:")) | .conversation' list.out | od -An -tx1 | tr -d ' \n')" \
	"$(printf 't:\033[2J\302\23331m\n' | od -An -tx1 | tr -d ' \n')"

printf '{"reply_to":"h:1","text":"Antwort %s\\nzweite Zeile"}\n{"reply_to":"h:3","text":"%s"}\n' \
	"$TERM_ESC" "$SH" >drafts.jsonl
SM_USER=alice sm-approve submit <drafts.jsonl >submit.out 2>submit.err
is "sm-approve submit: hostile drafts are taken (exit 0)" "$?" 0
d1=$(jq -r 'select(.reply_to == "h:1") | .draft' submit.out)
is "sm-approve: the draft's text stored as it came" \
	"$(SM_USER=bob sm-approve show "$d1" | jq -c .text)" "$(jq -c 'select(.reply_to == "h:1") | .text' drafts.jsonl)"
SM_USER=bob ontty alist.tty sm-approve list >/dev/null
is "sm-approve list on a terminal: exit 0" "$?" 0
like "sm-approve list on a terminal: a table" alist.tty '^DRAFT +STATE'
is "sm-approve list on a terminal: no control character reaches it" "$(raw alist.tty)" 0
like "sm-approve list: the text is shown, escaped" alist.tty 'Antwort \\x1b\]0;pwned\\x07'
SM_USER=bob ontty show.tty sm-approve show "$d1" >/dev/null
is "sm-approve show on a terminal: exit 0" "$?" 0
is "sm-approve show on a terminal: no control character reaches it" "$(raw show.tty)" 0
is "sm-approve show on a terminal: the same JSON, escaped" "$(jq -c .text show.tty)" \
	"$(jq -c 'select(.reply_to == "h:1") | .text' drafts.jsonl)"
like "sm-approve show on a terminal: C1 and RLO as \\u escapes" show.tty '\\u009b1m\\u202etxt'
ontty match.tty sm-match -n -a "$ITEMS" >/dev/null
is "records on a terminal (sm-match): no control character" "$(raw match.tty)" 0
is "records on a terminal: the same data" "$(jq -c .title match.tty | head -1)" "$(jq -c .title "$ITEMS" | head -1)"
sm-match -n -a "$ITEMS" >match.pipe
cmp -s match.pipe "$ITEMS" && pass "records into a pipe: byte for byte as they came" ||
	fail "records into a pipe: byte for byte as they came"

ESCNAME=$(printf 'x\033]0;pwned\007\033[2J\302\233y')
sm-fetch -c "$ESCNAME" >/dev/null 2>fetch.err
is "a message quoting a hostile name: exit 78" "$?" 78
is "a message quoting a hostile name: no control character" "$(raw fetch.err)" 0
like "a message quoting a hostile name: shown escaped" fetch.err 'x\\x1b\]0;pwned\\x07\\x1b\[2J\\u009by'
ls pwned-* >/dev/null 2>&1 && fail "still nothing was run" || pass "still nothing was run"

# --- NUL bytes ------------------------------------------------------------------------

printf '{"id":"n:0","channel":"support","text":"fine"}\n{"id":"n:1","channel":"support","text":"a\\u0000b"}\n' >nul1.jsonl
printf '{"id":"n:2","channel":"support","author":{"id":"a\\u0000"},"text":"x"}\n' >nul2.jsonl
printf '{"id":"n:3","channel":"support","text":"a\000b"}\n' >nul3.jsonl
printf '{"reply_to":"h:1","text":"fine"}\n{"reply_to":"h:1","text":"a\\u0000b"}\n' >nul4.jsonl
# nul CMD ARGS...: CMD on the file (last argument) exits 65 and names the place
nul() {
	_f=$(eval echo "\${$#}")
	"$@" >nul.out 2>nul.err
	_rc=$?
	is "NUL ($*): exit 65" "$_rc" 65
	like "NUL ($*): FILE:LINE: in the message" nul.err "^$1: ($_f|stdin):[0-9]+(:[0-9]+)?: "
	is "NUL ($*): nothing printed" "$(wc -c <nul.out | tr -d ' ')" 0
}
nul sm-match nul1.jsonl
like "\\u0000: said plainly, not as jansson's flag" nul.err 'nul1.jsonl:2:[0-9]+: not JSON: \\u0000 in a string'
nul sm-match -n nul1.jsonl
nul sm-match nul2.jsonl
nul sm-match nul3.jsonl
sm-assign <nul1.jsonl >nul.out 2>nul.err
is "NUL (sm-assign): exit 65" "$?" 65
like "NUL (sm-assign): stdin:2:" nul.err '^sm-assign: stdin:2:'
sm-assign <nul3.jsonl >nul.out 2>nul.err
is "a raw NUL byte (sm-assign): exit 65" "$?" 65
like "a raw NUL byte (sm-assign): stdin:1:" nul.err '^sm-assign: stdin:1:'
ndrafts=$(sqlval "select count(*) from drafts")
SM_USER=alice sm-approve submit <nul4.jsonl >nul.out 2>nul.err
is "NUL (sm-approve submit): exit 65" "$?" 65
like "NUL (sm-approve submit): stdin:2:" nul.err '^sm-approve: stdin:2:'
is "NUL (sm-approve submit): not even the good first draft is made" "$(sqlval "select count(*) from drafts")" "$ndrafts"
is "no item of a refused file is stored" "$(sqlval "select count(*) from items where id like 'n:%'")" 0

# --- over-long lines ------------------------------------------------------------------

# a line of 1 MiB + 1 and one just under: SM_MAX_LINE is the limit
long_line() { /usr/bin/python3 -c "import sys; n = $1 - len('{\"id\":\"l:$2\",\"channel\":\"support\",\"text\":\"\"}'); sys.stdout.write('{\"id\":\"l:$2\",\"channel\":\"support\",\"text\":\"' + 'x' * n + '\"}\n')"; }
{ long_line 1000 0; long_line 1048577 1; } >long.jsonl
long_line 1048576 2 >fits.jsonl
sm-match -a long.jsonl >long.out 2>long.err
is "a line over 1 MiB (sm-match): exit 65" "$?" 65
like "a line over 1 MiB (sm-match): long.jsonl:2:" long.err '^sm-match: long.jsonl:2: line longer than 1 MiB'
sm-assign <long.jsonl >long.out 2>long.err
is "a line over 1 MiB (sm-assign): exit 65" "$?" 65
like "a line over 1 MiB (sm-assign): stdin:2:" long.err '^sm-assign: stdin:2: line longer than 1 MiB'
/usr/bin/python3 -c "import sys; sys.stdout.write('{\"reply_to\":\"h:1\",\"text\":\"' + 'y' * 1048600 + '\"}\n')" |
	SM_USER=alice sm-approve submit >long.out 2>long.err
is "a line over 1 MiB (sm-approve submit): exit 65" "$?" 65
like "a line over 1 MiB (sm-approve submit): stdin:1:" long.err '^sm-approve: stdin:1: line longer than 1 MiB'
# 4 MiB without a single newline: the reader must stop, not keep it all
head -c 4194304 /dev/zero | tr '\0' 'z' | sm-match -n >long.out 2>long.err
is "4 MiB without a newline: exit 65" "$?" 65
like "4 MiB without a newline: stdin:1:" long.err '^sm-match: stdin:1: line longer than 1 MiB'
sm-match -a fits.jsonl >fits.out 2>fits.err
is "a line of exactly 1 MiB is read (exit 1: no rule, so nothing matched)" "$?" 1
is "and stored whole" "$(sqlval "select length(text) from items where id = 'l:2'")" \
	"$(jq -r '.text | length' fits.jsonl)"

# --- deeply nested JSON -----------------------------------------------------------------

nest() { /usr/bin/python3 -c "print('{\"id\":\"d:$1\",\"channel\":\"support\",\"text\":\"deep\",\"x\":' + '[' * $2 + ']' * $2 + '}')"; }
nest 1 100000 >deep.jsonl
for args in "sm-match" "sm-match -n" "sm-assign"; do
	# shellcheck disable=SC2086
	$args deep.jsonl >deep.out 2>deep.err </dev/null
	is "nested 100000 deep ($args): exit 65" "$?" 65
	like "nested 100000 deep ($args): FILE:LINE:COL:" deep.err "^${args%% *}: deep.jsonl:1:[0-9]+: not JSON: maximum parsing depth"
done
nest 2 200 >deep2.jsonl # deeper than the scanner goes (64), within jansson's and jq's limits
sm-match -a deep2.jsonl >deep2.out 2>deep2.err
is "nested 200 deep: taken (exit 1: no rule matched)" "$?" 1
is "and printed whole" "$(jq -c '.x | flatten | length' deep2.out)" 0
sm-match -n -a deep2.jsonl >deep3.out
is "sm-match -n (the scanner's path) reads it the same" "$(jq -c '[.id, .text]' deep3.out)" '["d:2","deep"]'

# a number jansson cannot hold: the scanner's path (-n) and the store's refuse it alike
printf '{"id":"big:1","channel":"support","text":"x","n":27777777777777777777777}\n' >big.jsonl
for args in "sm-match -n -a" "sm-match -a"; do
	# shellcheck disable=SC2086
	$args big.jsonl >big.out 2>big.err
	is "an integer beyond 64 bits ($args): exit 65" "$?" 65
	like "an integer beyond 64 bits ($args): big.jsonl:1:" big.err '^sm-match: big.jsonl:1:[0-9]+: not JSON: too big integer'
done

# --- an exec channel printing what the internet sent ------------------------------------

cat >"$WS/feedbad.sh" <<'EOF'
printf '{"ext_id":"e1","text":"fine"}\n'
printf '{"ext_id":"e2","text":"a\\u0000b"}\n'
EOF
cat >"$WS/feedlong.sh" <<'EOF'
printf '{"ext_id":"e3","text":"fine"}\n'
head -c 2000000 /dev/zero | tr '\0' 'q'
printf '\n'
EOF
cat >"$WS/feedesc.sh" <<'EOF'
printf '{"ext_id":"e4","text":"\\u001b]0;pwned\\u0007\\u009b2J\\u202e","author":{"name":"\\u001b[31mX"}}\n'
EOF
git config -f "$WS/config" channel.bad.kind exec
git config -f "$WS/config" channel.bad.command "sh ./feedbad.sh"
git config -f "$WS/config" channel.long.kind exec
git config -f "$WS/config" channel.long.command "sh ./feedlong.sh"
git config -f "$WS/config" channel.esc.kind exec
git config -f "$WS/config" channel.esc.command "sh ./feedesc.sh"
sm-fetch -c bad >fetch.out 2>fetch.err
is "exec: a NUL in the second record fails the channel (exit 69)" "$?" 69
like "exec: the message names the line" fetch.err '^sm-fetch: bad: .*(line 2|:2:)'
is "exec: nothing of that run is stored" "$(sqlval "select count(*) from items where channel = 'bad'")" 0
sm-fetch -c long >fetch.out 2>fetch.err
is "exec: a line over 1 MiB fails the channel (exit 69)" "$?" 69
like "exec: the message says so" fetch.err '^sm-fetch: long: .*longer than 1 MiB'
is "exec: nothing of that run is stored" "$(sqlval "select count(*) from items where channel = 'long'")" 0
ontty fetch.tty sm-fetch -c esc >/dev/null 2>fetch.err
is "exec: escapes in a record are stored (exit 0)" "$?" 0
is "exec: printed on a terminal without a control character" "$(raw fetch.tty)" 0
is "exec: the stored text is the text sent" "$(sqlval "select text from items where channel = 'esc'" | od -An -tx1 | tr -d ' \n')" \
	"$(printf '\033]0;pwned\007\302\2332J\342\200\256\n' | od -An -tx1 | tr -d ' \n')"
ls pwned-* "$WS"/pwned-* >/dev/null 2>&1 && fail "in the end, nothing was run" || pass "in the end, nothing was run"

done_testing
