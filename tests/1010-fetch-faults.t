#!/bin/sh
# 1010-fetch-faults.t - sm-fetch against a server that breaks in every way a network does
# (tests/lib/feedserver.py): a time-out, a connection reset, an answer trickling in byte by
# byte, a truncated body, invalid JSON and XML, a 301 loop, a 429 storm, a body over
# fetch.max-size and one that never ends, a wrong Content-Type. Each fault sits beside a
# healthy channel and must end in a message naming the channel, a retry where a retry can
# help (and none where it cannot), the healthy channel's items stored, no cursor moved past
# an item that was not stored, memory bounded. The short version; tests/stress/faults.sh
# is the long one (make stress).
. "${SM_SRC:-.}/tests/lib/test.sh"

for c in sm-fetch sm-init jq sqlite3; do command -v $c >/dev/null || skip_all "$c not found"; done
WS=$TMP/ws

mkdir -p www
/usr/bin/python3 "$SM_SRC/tests/lib/feedserver.py" --root "$TMP/www" --port-file "$TMP/port" \
	--pid-file "$TMP/feedserver.pid" --log "$TMP/server.log" 2>"$TMP/server.err" &
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$TMP/port" ] || { echo "Bail out! feedserver did not start: $(cat server.err)"; exit 1; }
U=http://127.0.0.1:$(cat "$TMP/port")

sm-init -q "$WS" || { echo "Bail out! sm-init"; exit 1; }
for c in $(git config -f "$WS/config" --name-only --get-regexp '^channel\..*\.kind$'); do
	git config -f "$WS/config" --remove-section "channel.${c%.kind}"
done
cfg() { git config -f "$WS/config" "$@"; }
cfg fetch.timeout 2s
cfg fetch.connect-timeout 1s
cfg fetch.attempts 2
cfg fetch.max-wait 3s
cfg fetch.max-size 64K

# rss FILE N: a feed of N posts (ids FILE-1..N), with text enough to be cut in the middle
rss() {
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>%s</title>\n' "$1"
		_i=1
		while [ $_i -le "$2" ]; do
			printf '<item><guid>%s-%d</guid><title>Frage %d</title><description>Seit heute kein Internet, Nummer %d, bitte um Rückruf.</description><pubDate>Mon, 23 Nov 2026 0%d:00:00 GMT</pubDate></item>\n' \
				"$1" $_i $_i $_i $((_i % 10))
			_i=$((_i + 1))
		done
		printf '</channel></rss>\n'
	} >"www/$1.rss"
}
rss good 2
cfg channel.good.kind feed
cfg channel.good.url "$U/good.rss"

nreq() { jq -s --arg p "$1" '[.[] | select(.path == $p)] | length' server.log; }
count() { sqlval "select count(*) from items where channel='$1'"; }
# (a failed source has a row for its last error, with no validator and no cursor)
cursor() { sqlval "select coalesce(etag,'')||coalesce(last_modified,'')||coalesce(cursor,'') from cursors where channel='$1'"; }

# fault NAME PATH WANT-EXIT TRIES MESSAGE: channel NAME fetches PATH beside the healthy
# one; sm-fetch exits WANT-EXIT after TRIES requests for PATH, says MESSAGE about NAME,
# stores the healthy channel's items and nothing of NAME, and moves no cursor of NAME
fault() {
	_fn=$1 _fp=$2 _fx=$3 _ft=$4 _fm=$5
	rss "$_fn" 3
	cfg "channel.$_fn.kind" feed
	cfg "channel.$_fn.url" "$U/$_fp"
	rss good $(($(count good) + 1))
	_t0=$(date +%s)
	timeout 60 sm-fetch -c good -c "$_fn" >out 2>err
	_rc=$?
	ELAPSED=$(($(date +%s) - _t0))
	is "$_fn: exit $_fx" "$_rc" "$_fx"
	like "$_fn: the message" err "^sm-fetch: $_fn: .*$_fm"
	unlike "$_fn: nothing blames the healthy channel" err '^sm-fetch: good: '
	is "$_fn: $_ft request(s)" "$(nreq "/$_fp")" "$_ft"
	is "$_fn: the healthy channel's new item stored and printed" \
		"$(count good):$(jq -r .channel out | sort -u | tr '\n' ' ')" "$(grep -c '<item>' www/good.rss):good "
	is "$_fn: nothing of it stored" "$(count "$_fn")" 0
	is "$_fn: no cursor of it moved" "$(cursor "$_fn")" ""
}

export SM_DIR=$WS

fault stalled timeout/stalled.rss 75 2 'no complete answer within 2s \(fetch.timeout\)'
ok "stalled: each try ended at fetch.timeout (2 x 2s)" test "$ELAPSED" -le 9
fault reset reset/reset.rss 75 2 '(reset|receiving data)'
fault trickle trickle/40/trickle.rss 75 2 'no complete answer within 2s'
fault cut truncate/cut.rss 75 2 '(transfer closed|partial|truncat)'
fault looping loop/looping.rss 69 11 'redirect'
fault storm storm/storm.rss 75 2 'HTTP 429'
ok "storm: Retry-After was kept (a second between the tries)" test "$ELAPSED" -ge 1
fault bigger big/70000/bigger.rss 69 1 'larger than 65536 bytes \(fetch.max-size\)'
fault garbled badjson/garbled.rss 69 1 'not a json feed.*Content-Type: application/feed\+json'
printf '<!DOCTYPE html><html><head><title>Login</title></head><body><form>Anmeldung im Hotel-WLAN</form></body></html>\n' >www/portal.html
fault portal ctype/html/portal.html 69 1 "not a feed.*'html'.*Content-Type: text/html"

# a body without a length that never ends: stopped at max-size, and the server could not
# push more than the socket buffers hold beyond it
cfg channel.endless.kind feed
cfg channel.endless.url "$U/endless/endless.rss"
timeout 60 sm-fetch -c endless >out 2>err
is "endless: exit 69" "$?" 69
like "endless: the message" err '^sm-fetch: endless: .*larger than 65536 bytes'
sleep 0.5 # the server logs once its writes fail
sent=$(jq -s '[.[] | select(.fault == "endless") | .sent] | max' server.log)
ok "endless: the client hung up after at most 64 x max-size ($sent bytes sent)" test "${sent:-0}" -gt 0 -a "${sent:-0}" -le 4194304

# a slow server that finishes in time is not a fault: the whole feed, slowly
rss slowpoke 2
cfg channel.slowpoke.kind feed
cfg channel.slowpoke.url "$U/trickle/1/slowpoke.rss"
timeout 60 sm-fetch -c slowpoke >out 2>err
is "a trickle that ends in time: exit 0" "$?" 0
is "a trickle that ends in time: both items" "$(count slowpoke)" 2

# wrong Content-Types on a real feed: the document decides
for t in png json octet none; do
	rss "typed$t" 2
	cfg "channel.typed$t.kind" feed
	cfg "channel.typed$t.url" "$U/ctype/$t/typed$t.rss"
done
timeout 60 sm-fetch -c typedpng -c typedjson -c typedoctet -c typednone >out 2>err
is "a feed sent as image/png, application/json, octet-stream or no type: read (exit 0)" "$?" 0
is "... all of their items" "$(sqlval "select count(*) from items where channel like 'typed%'")" 8

# invalid XML: read as far as it goes, and its validators not kept, so that the next run
# reads the whole document again instead of a 304 (the ETag is the whole file's)
rss part 6
cfg channel.part.kind feed
cfg channel.part.url "$U/part.rss"
echo badxml >www/part.rss.fault
timeout 60 sm-fetch -c part >out 2>err
is "invalid XML: exit 0, read as far as it goes" "$?" 0
like "invalid XML: a warning says so" err '^sm-fetch: part: .*ill-formed feed'
got=$(count part)
ok "invalid XML: some of the items, not all ($got of 6)" test "$got" -ge 1 -a "$got" -lt 6
is "invalid XML: its validators are not kept" "$(cursor part)" ""
rm www/part.rss.fault
timeout 60 sm-fetch -c part >out 2>err
is "invalid XML, next run: exit 0" "$?" 0
is "invalid XML, next run: the rest arrives" "$(count part)" 6
is "invalid XML, next run: a full GET, not a conditional one" \
	"$(jq -s -r '[.[] | select(.path == "/part.rss")] | last | "\(.status) \(.inm)"' server.log)" "200 false"
is "now the cursor moves" "$(cursor part | cut -c1)" '"'

# a storm over many channels of one host: each gives up after fetch.attempts, together
# within max-wait, not one after the other
for k in 1 2 3 4 5 6; do
	cfg "channel.s$k.kind" feed
	cfg "channel.s$k.url" "$U/storm/s$k.rss"
done
t0=$(date +%s)
timeout 60 sm-fetch -c s1 -c s2 -c s3 -c s4 -c s5 -c s6 >out 2>err
rc=$? el=$(($(date +%s) - t0))
is "a 429 storm on six channels: exit 75" "$rc" 75
is "a 429 storm on six channels: six messages" "$(grep -c '^sm-fetch: s[1-6]: .*HTTP 429' err)" 6
is "a 429 storm on six channels: two tries each, twelve in all" \
	"$(jq -s '[.[] | select(.path | test("^/storm/s[0-9]"))] | length' server.log)" 12
ok "a 429 storm on six channels: over in ${el}s, not 6 x 1s" test "$el" -le 5

is "after all the faults the store is intact" "$(sqlval 'pragma integrity_check')" ok
is "no item stored twice" "$(sqlval 'select count(*) - count(distinct id) from items')" 0

done_testing
