#!/bin/sh
# sm-fetch exec channels: a command's JSON lines become items, all or nothing per run.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-fetch >/dev/null && command -v sm-init >/dev/null || skip_all "sm-fetch not built"
command -v jq >/dev/null || skip_all "jq not installed"

WS=$TMP/ws

run_fetch() {
	_rn=$1 _rw=$2
	shift 2
	_t0=$(date +%s)
	timeout 60 sm-fetch --dir "$WS" "$@" >out 2>err
	_rc=$?
	ELAPSED=$(($(date +%s) - _t0))
	if [ "$_rc" -eq "$_rw" ]; then pass "$_rn"; else
		fail "$_rn"
		diag "exit $_rc, want $_rw; stderr:" "$(head -c 1500 err)"
	fi
}
# objects FILE: every line of FILE is a JSON object
objects() { jq -s -e 'length > 0 and all(type == "object")' "$1" >/dev/null; }
lines() { if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
cfg() { git config -f "$WS/config" "$@"; }
count() { sqlval "select count(*) from items where channel='$1'"; }
# exec_channel NAME SCRIPT: a channel running the shell script $TMP/NAME.sh
exec_channel() {
	cat >"$TMP/$1.sh"
	cfg "channel.$1.kind" exec
	cfg "channel.$1.command" "sh $TMP/$1.sh"
}

ok "sm-init creates a workspace" sm-init "$WS"
for c in $(git config -f "$WS/config" --name-only --get-regexp '^channel\..*\.kind$' 2>/dev/null); do
	c=${c#channel.}
	git config -f "$WS/config" --remove-section "channel.${c%.kind}"
done
cfg fetch.exec-timeout 5s

# --- records from a command --------------------------------------------------------------

exec_channel reviews <<'EOF'
cat <<'JSON'
{"ext_id":"r-1001","network":"trustpilot","kind":"review","url":"https://reviews.example/r/1001","author":{"id":"trustpilot:anna.k","name":"Anna K."},"title":"Lieferung verspätet","text":"Meine Bestellung ist seit 2 Wochen unterwegs, keine Antwort vom Support.","lang":"de","created_at":"2026-11-23T07:40:00Z","rating":1}
{"ext_id":"r-1002","channel":"someone-else","network":"trustpilot","kind":"review","title":"Great service","text":"Agent Tom fixed my billing issue in 5 minutes. Thanks!","lang":"en","created_at":"2026-11-23T08:02:11Z","rating":5,"x_custom":{"nested":[1,2.5,{"k":"ü"}],"none":null,"flag":false},"zz_tags":["lob","billing"]}
{"ext_id":"r-1003","text":"Hotline seit einer Stunde in der Warteschleife 😡","created_at":"2026-11-23T09:15:00Z"}
JSON
EOF
run_fetch "an exec channel: exit 0" 0
is "3 items printed" "$(lines out)" 3
ok "every line is a JSON object" objects out
is "3 rows stored" "$(count reviews)" 3
is "ids are CHANNEL:EXT_ID" "$(sqlval "select id from items order by id" | tr '\n' ' ')" \
	"reviews:r-1001 reviews:r-1002 reviews:r-1003 "
is "printed ids are CHANNEL:EXT_ID" "$(jq -r .id out | sort | tr '\n' ' ')" \
	"reviews:r-1001 reviews:r-1002 reviews:r-1003 "
is "the channel field is forced to the channel's name" "$(jq -r .channel out | sort -u)" reviews
is "stored channel is the channel's name" "$(sqlval "select channel from items where id='reviews:r-1002'")" reviews
is "stored record's channel too" \
	"$(sqlval "select record from items where id='reviews:r-1002'" | jq -r .channel)" reviews
is "ext_id stored" "$(sqlval "select ext_id from items where id='reviews:r-1001'")" r-1001
is "text stored" "$(sqlval "select text from items where id='reviews:r-1003'")" \
	"Hotline seit einer Stunde in der Warteschleife 😡"
is "created_at stored" "$(sqlval "select created_at from items where id='reviews:r-1002'")" 2026-11-23T08:02:11Z
want='[{"flag":false,"nested":[1,2.5,{"k":"ü"}],"none":null},["lob","billing"],5]'
is "unknown fields pass through to stdout untouched" \
	"$(jq -cS 'select(.ext_id == "r-1002") | [.x_custom, .zz_tags, .rating]' out)" "$want"
is "unknown fields are stored untouched" \
	"$(sqlval "select record from items where id='reviews:r-1002'" | jq -cS '[.x_custom, .zz_tags, .rating]')" "$want"
is "a known object field passes through" \
	"$(jq -c 'select(.ext_id == "r-1001") | .author' out)" '{"id":"trustpilot:anna.k","name":"Anna K."}'

run_fetch "rerun: exit 0" 0
is "rerun prints nothing new" "$(lines out)" 0
is "rerun stores nothing new" "$(count reviews)" 3

# --- a failing command stores nothing of its run -------------------------------------------

exec_channel calm <<'EOF'
echo '{"ext_id":"c-1","text":"Wie kündige ich meinen Vertrag?"}'
echo '{"ext_id":"c-2","text":"How do I reset my password?"}'
EOF
exec_channel crash <<'EOF'
echo '{"ext_id":"x-1","text":"Paket beschädigt angekommen"}'
echo '{"ext_id":"x-2","text":"Wrong item delivered"}'
echo "scraper: login page changed" >&2
exit 1
EOF
run_fetch "a command exiting 1: exit 69" 69
is "none of its lines stored" "$(count crash)" 0
is "none of its lines printed" "$(jq -r 'select(.channel == "crash") | .id' out)" ""
is "the other channel in the run is stored" "$(count calm)" 2
is "and printed" "$(jq -r .id out | sort | tr '\n' ' ')" "calm:c-1 calm:c-2 "
like "stderr names the failing channel" err '^sm-fetch: crash: '
unlike "stderr does not blame the healthy ones" err '^sm-fetch: (calm|reviews): '
cfg --remove-section channel.crash

# exit 75 is a temporary failure, and still stores nothing of the run
exec_channel later <<'EOF'
echo '{"ext_id":"l-1","text":"Server überlastet?"}'
exit 75
EOF
run_fetch "a command exiting 75: exit 75" 75
is "none of its lines stored" "$(count later)" 0
like "stderr names the channel" err '^sm-fetch: later: '
cfg channel.crash2.kind exec
cfg channel.crash2.command "exit 1"
run_fetch "a command exiting 75 and one exiting 1: exit 69" 69 -c later -c crash2
cfg --remove-section channel.later
cfg --remove-section channel.crash2

# --- a bad line at line 3 fails the channel ------------------------------------------------

# bad_line WHAT LINE3: lines 1 and 2 good, line 3 bad, line 4 good
n=0
bad_line() {
	n=$((n + 1))
	{
		echo "echo '{\"ext_id\":\"b$n-1\",\"text\":\"Rückruf erbeten\"}'"
		echo "echo '{\"ext_id\":\"b$n-2\",\"text\":\"Call me back please\"}'"
		cat
		echo "echo '{\"ext_id\":\"b$n-4\",\"text\":\"noch da?\"}'"
	} | exec_channel bad
	run_fetch "$1: exit 69" 69 -c bad -c calm
	like "$1: reported as command:3:" err '^sm-fetch: bad: command:3:'
	is "$1: nothing of that run stored" "$(count bad)" 0
	is "$1: nothing of it printed" "$(jq -r 'select(.channel == "bad") | .id' out)" ""
}
bad_line "not JSON" <<'EOF'
echo 'Bitte antworten Sie mir endlich'
EOF
bad_line "an array" <<'EOF'
echo '["kein","Objekt"]'
EOF
bad_line "a line over 1 MiB" <<'EOF'
printf '{"ext_id":"long","text":"%s"}\n' "$(head -c 1100000 /dev/zero | tr '\0' a)"
EOF
ok "the long line was really written" sh -c "sh $TMP/bad.sh | sed -n 3p | wc -c | awk '{ exit !(\$1 > 1048576) }'"
bad_line "invalid UTF-8" <<'EOF'
printf '{"ext_id":"u","text":"caf\351 kaputt"}\n'
EOF
ok "the UTF-8 line was really invalid" sh -c "sh $TMP/bad.sh | sed -n 3p | od -An -tx1 | grep -q 'e9 20'"
bad_line '"text": 5' <<'EOF'
echo '{"ext_id":"t","text":5}'
EOF
bad_line "no ext_id" <<'EOF'
echo '{"text":"ohne Kennung"}'
EOF
bad_line "an empty ext_id" <<'EOF'
echo '{"ext_id":"","text":"leere Kennung"}'
EOF
cfg --remove-section channel.bad

# --- unknown fields, -c, exec timeout ---------------------------------------------------------

cat >>"$TMP/reviews.sh" <<'EOF'
printf '%s\n' '{"ext_id":"r-1004","text":"Neue Bewertung","ZZ":{"deep":{"deeper":[true,null,"\u00e4\n"]}},"rating":3}'
EOF
exec_channel other <<EOF
echo '{"ext_id":"o-1","text":"should not be fetched"}'
touch "$TMP/other-ran"
EOF
run_fetch "-c reviews: exit 0" 0 -c reviews
is "-c fetches only that channel" "$(jq -r .id out)" reviews:r-1004
is "the other channel stored nothing" "$(count other)" 0
nok "the other channel's command did not run" test -e "$TMP/other-ran"
is "a nested unknown field passes through to stdout" "$(jq -cS .ZZ out)" '{"deep":{"deeper":[true,null,"ä\n"]}}'
is "and into the store" \
	"$(sqlval "select record from items where id='reviews:r-1004'" | jq -cS .ZZ)" '{"deep":{"deeper":[true,null,"ä\n"]}}'

run_fetch "-c nosuch: exit 78" 78 -c nosuch
like "-c nosuch: the message names it" err '^sm-fetch: .*nosuch'
is "-c nosuch: nothing printed" "$(lines out)" 0
is "-c nosuch: nothing stored, not even other channels" "$(count other)" 0

# a command that outlives fetch.exec-timeout is killed, with its children
cfg fetch.exec-timeout 1s
exec_channel sleepy <<EOF
echo '{"ext_id":"s-1","text":"zu spät"}'
sleep 20 &
echo \$! >"$TMP/sleepy-child.pid"
wait
EOF
run_fetch "exec timeout: exit 75" 75 -c sleepy
[ "$ELAPSED" -le 6 ] && pass "exec timeout: sm-fetch does not wait for the command's children" ||
	{ fail "exec timeout: sm-fetch does not wait for the command's children"; diag "took ${ELAPSED}s"; }
is "exec timeout: nothing stored" "$(count sleepy)" 0
like "exec timeout: stderr names the channel" err '^sm-fetch: sleepy: '
# alive PID: the process runs (a killed child reparented to a PID 1 that does not reap
# it stays a zombie: that counts as dead)
alive() { _st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$_st" ] && [ "${_st#Z}" = "$_st" ]; }
sleep 0.2
nok "exec timeout: the command's child was killed too" alive "$(cat "$TMP/sleepy-child.pid")"

done_testing
