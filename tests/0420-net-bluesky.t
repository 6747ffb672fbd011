#!/bin/sh
# The bluesky channel against tests/lib/bsky_server.py: notifications, search and author
# feed paged newest first with a cursor per stream (first run: the newest page only; later
# runs: down to what was seen; a walk cut by max-pages goes on next run), sessions kept in
# WS/sessions and renewed (refresh, else a new login), a wrong password, config errors;
# sending posts and replies with facets at UTF-8 byte offsets, one record per draft key,
# the 300-grapheme limit; and no secret in any output, trace or the store.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-fetch >/dev/null && command -v sm-init >/dev/null || skip_all "sm-fetch not built"
SENDTOOL=$SM_BUILD/tests/unit/sendtool
[ -x "$SENDTOOL" ] || skip_all "sendtool not built"
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 not installed"
[ -d "$SM_CORPUS/bluesky/lexicons" ] || skip_all "no bluesky corpus at $SM_CORPUS/bluesky/lexicons"

WS=$TMP/ws
PW=tok-SECRET-1234
export BSKY_PW=$PW BAD_PW=not-the-password
PY=/usr/bin/python3

# --- helpers ---------------------------------------------------------------------------

# gen N [EXTRA]: bsky.json with notifications 1..N (and post P5 when EXTRA is set)
gen() {
	$PY - "$@" <<-'EOF'
	import json, sys
	k, extra = int(sys.argv[1]), len(sys.argv) > 2
	acc = [{"handle": "support.example.com", "did": "did:plc:support", "password": "tok-SECRET-1234"},
	       {"handle": "kunde.example.com", "did": "did:plc:kunde", "password": "x", "displayName": "Kunde Köln"},
	       {"handle": "other.example.com", "did": "did:plc:other", "password": "y"}]
	ours = "at://did:plc:support/app.bsky.feed.post/3kours0000002"
	def rec(text, t, **kw):
	    return dict({"$type": "app.bsky.feed.post", "text": text, "createdAt": t}, **kw)
	def facet(text, part, feature):
	    b, p = text.encode(), part.encode()
	    return {"index": {"byteStart": b.index(p), "byteEnd": b.index(p) + len(p)}, "features": [feature]}
	t1 = "@support.example.com Störung in Köln 👍🏽 #kaputt https://status.example/köln"
	n = []
	for i in range(1, k + 1):
	    t = "2026-11-23T10:%02d:00.000Z" % i
	    r = rec("Frage %d" % i, t)
	    if i == 1:
	        r = rec(t1, t, langs=["de"], facets=[
	            facet(t1, "@support.example.com", {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:support"}),
	            facet(t1, "#kaputt", {"$type": "app.bsky.richtext.facet#tag", "tag": "kaputt"}),
	            facet(t1, "https://status.example/köln", {"$type": "app.bsky.richtext.facet#link", "uri": "https://status.example/k%C3%B6ln"})],
	            embed={"$type": "app.bsky.embed.images", "images": [{"alt": "Router", "image": {"$type": "blob", "ref": {"$link": "bafkreirouter"}, "mimeType": "image/jpeg", "size": 1}}]})
	    if i == 2:
	        r["reply"] = {"root": {"uri": ours, "cid": "bafyours"}, "parent": {"uri": ours, "cid": "bafyours"}}
	    n.append({"author": "kunde.example.com" if i % 2 else "other.example.com",
	              "reason": "reply" if i == 2 else "quote" if i % 3 == 0 else "mention",
	              "uri": "at://did:plc:kunde/app.bsky.feed.post/3knote%07d" % i, "indexedAt": t, "record": r})
	    n.append({"author": "other.example.com", "reason": "like", "record": {"subject": {"uri": ours}},
	              "indexedAt": "2026-11-23T10:%02d:30.000Z" % i})
	p1, t3 = "at://did:plc:kunde/app.bsky.feed.post/3kpost0000001", "@support.example.com wo ist mein Paket?"
	posts = [{"author": "kunde.example.com", "uri": p1, "cid": "bafyp1", "indexedAt": "2026-11-23T09:00:00.000Z",
	          "record": rec("Mein Paket ist weg", "2026-11-23T09:00:00Z")},
	         {"author": "kunde.example.com", "uri": p1[:-1] + "2", "indexedAt": "2026-11-23T09:10:00.000Z",
	          "record": rec("Paket kam an, danke!", "2026-11-23T09:10:00Z"), "likeCount": 3},
	         {"author": "other.example.com", "uri": "at://did:plc:other/app.bsky.feed.post/3kpost0000003",
	          "indexedAt": "2026-11-23T09:20:00.000Z",
	          "record": rec(t3, "2026-11-23T09:20:00Z", facets=[facet(t3, "@support.example.com",
	                        {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:support"})])},
	         {"author": "kunde.example.com", "uri": p1[:-1] + "4", "indexedAt": "2026-11-23T09:30:00.000Z",
	          "replyCount": 1,
	          "record": rec("Noch immer kein Paket", "2026-11-23T09:30:00+01:00",
	                        reply={"root": {"uri": p1, "cid": "bafyp1"}, "parent": {"uri": p1, "cid": "bafyp1"}})}]
	if extra:
	    posts.append({"author": "kunde.example.com", "uri": p1[:-1] + "5", "indexedAt": "2026-11-23T10:30:00.000Z",
	                  "record": rec("Paket ist wieder da", "2026-11-23T10:30:00Z")})
	json.dump({"accounts": acc, "notifications": n, "posts": posts}, open("bsky.json", "w"), ensure_ascii=False)
	EOF
}

# peer NAME ARGS...: (re)start a bsky_server as NAME on its port (a free one the first
# time); sets X to its XRPC base
peer() {
	_pn=$1
	shift
	[ -s "$TMP/$_pn.pid" ] && kill "$(cat "$TMP/$_pn.pid")" 2>/dev/null
	rm -f "$TMP/$_pn.pid" "$TMP/$_pn.portfile"
	[ -s "$TMP/$_pn.port" ] || free_port >"$TMP/$_pn.port"
	_i=0
	while :; do
		$PY "$SM_SRC/tests/lib/bsky_server.py" --data bsky.json --port "$(cat "$TMP/$_pn.port")" \
			--port-file "$TMP/$_pn.portfile" --pid-file "$TMP/$_pn.pid" --log "$TMP/$_pn.log" \
			"$@" 2>"$TMP/$_pn.err" &
		_j=0
		while [ ! -s "$TMP/$_pn.portfile" ] && [ $_j -lt 40 ] && kill -0 $! 2>/dev/null; do
			sleep 0.05
			_j=$((_j + 1))
		done
		[ -s "$TMP/$_pn.portfile" ] && break
		_i=$((_i + 1)) # the old one may still hold the port
		[ $_i -lt 20 ] || { echo "Bail out! bsky_server did not start: $(cat "$TMP/$_pn.err")"; exit 1; }
		sleep 0.1
	done
	X=http://127.0.0.1:$(cat "$TMP/$_pn.port")
}

# run_fetch NAME STATUS ARGS...: sm-fetch on the workspace, stdout to out, stderr to err
run_fetch() {
	_rn=$1 _rw=$2
	shift 2
	timeout 60 sm-fetch --dir "$WS" "$@" >out 2>err
	_rc=$?
	if [ "$_rc" -eq "$_rw" ]; then pass "$_rn"; else
		fail "$_rn"
		diag "exit $_rc, want $_rw; stderr:" "$(head -c 1500 err)"
	fi
}
# send NAME STATUS ARGS...: sendtool on the workspace, stdout to sent, stderr to senterr
send() {
	_sn=$1 _sw=$2
	shift 2
	timeout 60 "$SENDTOOL" --dir "$WS" "$@" >sent 2>senterr
	_rc=$?
	if [ "$_rc" -eq "$_sw" ]; then pass "$_sn"; else
		fail "$_sn"
		diag "exit $_rc, want $_sw; stdout, stderr:" "$(cat sent)" "$(head -c 1500 senterr)"
	fi
}
cfg() { git config -f "$WS/config" "$@"; }
lines() { if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
field() { jq -r --arg id "$1" "select(.id == \$id) | $2" out; }
# the texts printed, sorted
texts() { jq -r .text out | sort | tr '\n' '|'; }
cursor() { sqlval "select cursor from cursors where channel='bs' and source='$1'"; }
# nsids LOG [FROM]: the NSIDs and statuses of the requests logged (from line FROM on)
nsids() { [ -e "$1" ] && tail -n +"${2:-1}" "$1" | jq -r 'select(.nsid) | "\(.nsid | sub(".*\\."; "")):\(.status)"' | tr '\n' ' '; }
# records [RKEY]: the records the server created (with that rkey)
records() { jq -s --arg k "${1:-}" '[.[] | select(.event == "record" and ($k == "" or .rkey == $k))] | length' main.log; }
N1=bs:at://did:plc:kunde/app.bsky.feed.post/3knote0000001
N2=bs:at://did:plc:kunde/app.bsky.feed.post/3knote0000002
P1=at://did:plc:kunde/app.bsky.feed.post/3kpost0000001

# --- a workspace with one bluesky channel ----------------------------------------------

gen 5
peer main
ok "sm-init creates a workspace" quiet sm-init "$WS"
for c in $(cfg --name-only --get-regexp '^channel\..*\.kind$' 2>/dev/null); do
	c=${c#channel.}
	cfg --remove-section "channel.${c%.kind}"
done
cfg fetch.attempts 1
cfg fetch.timeout 5s
cfg channel.bs.kind bluesky
cfg channel.bs.url "$X/"
cfg channel.bs.identifier support.example.com
cfg channel.bs.token-env BSKY_PW
cfg channel.bs.page-size 2
cfg --add channel.bs.fetch notifications
cfg --add channel.bs.fetch search:paket
cfg --add channel.bs.fetch author:kunde.example.com

# --- config errors: 78 before anything is fetched ----------------------------------------

cfg channel.nope.kind bluesky
run_fetch "no identifier: exit 78" 78 -c nope
like "... the message names the channel and the key" err "nope.*identifier"
cfg channel.nope.identifier x.example.com
cfg channel.nope.token-env BSKY_PW
cfg channel.nope.fetch mentions
run_fetch "an unknown fetch value: exit 78" 78
like "... the message names it" err "nope.*fetch 'mentions' is not notifications, search:QUERY or author:HANDLE"
cfg channel.nope.fetch notifications
cfg channel.nope.token-env NO_SUCH_VARIABLE
run_fetch "a token-env that is not set: exit 78" 78
cfg --remove-section channel.nope
is "nothing was asked of the server" "$(nsids main.log)" ""

# --- first run: the newest page of every stream ----------------------------------------

run_fetch "first fetch exits 0" 0
is "5 new items: the newest page of each stream, one post shared" "$(lines out)" 5
is "their texts" "$(texts)" "@support.example.com wo ist mein Paket?|Frage 4|Frage 5|Noch immer kein Paket|Paket kam an, danke!|"
is "stored" "$(sqlval "select count(*) from items where channel='bs'")" 5
is "a session, then one page per stream" \
	"$(nsids main.log | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"createSession:200 getAuthorFeed:200 listNotifications:200 searchPosts:200 "
is "the session file is mode 600 in WS/sessions" "$(stat -c %a "$WS/sessions/bs.json")" 600
is "... and holds the tokens, not the password" \
	"$(jq -r '[.did, .handle, (.accessJwt | split(".") | length), (tostring | contains("SECRET"))] | join(" ")' "$WS/sessions/bs.json")" \
	"did:plc:support support.example.com 3 false"
is "no session in the store" "$(sqlite3 "$WS/store.db" .dump | grep -c -e eyJ -e accessJwt)" 0
is "the notifications' cursor: the newest time seen" "$(cursor notifications)" '{"seen":"2026-11-23T10:05:00.000000Z"}'
P4=$(jq -r 'select(.text == "Noch immer kein Paket") | .id' out)
is "a post: kind, network, channel" "$(field "$P4" '[.kind, .network, .channel] | join(" ")')" "post bluesky bs"
is "... ext_id is the at:// URI, id CHANNEL:URI" "$(field "$P4" '"bs:" + .ext_id == .id')" true
is "... url on bsky.app" "$(field "$P4" .url)" \
	"https://bsky.app/profile/kunde.example.com/post/$(field "$P4" '.ext_id | split("/") | last')"
is "... a reply: thread and in_reply_to are item ids" "$(field "$P4" '[.thread, .in_reply_to] | join(" ")')" "bs:$P1 bs:$P1"
is "... reply_root and cid kept for replies" "$(field "$P4" '[.reply_root.uri, .reply_root.cid, (.cid | startswith("bafyrei"))] | join(" ")')" "$P1 bafyp1 true"
is "... author" "$(field "$P4" '.author | [.id, .handle, .name, .did] | join(" ")')" \
	"bluesky:kunde.example.com @kunde.example.com Kunde Köln did:plc:kunde"
is "... created_at in UTC from the record's createdAt" "$(field "$P4" .created_at)" 2026-11-23T08:30:00Z
is "... metrics" "$(field "$P4" '.metrics | tojson')" '{"likes":0,"reposts":0,"replies":1}'
is "a post found by search that mentions the account is a mention" \
	"$(jq -r 'select(.text | startswith("@support")) | [.kind, .mentions[0]] | join(" ")' out)" "mention support.example.com"
is "a notification: kind, no metrics, its own thread" \
	"$(jq -r 'select(.text == "Frage 5") | [.kind, .metrics == null, .thread == .id] | join(" ")' out)" "mention true true"

# --- second run: nothing new, one page each ----------------------------------------------

n=$(wc -l <main.log)
run_fetch "second fetch exits 0" 0
is "nothing new" "$(lines out)" 0
is "the session reused: no login, one page per stream" "$(nsids main.log $((n + 1)) | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"getAuthorFeed:200 listNotifications:200 searchPosts:200 "

# --- new items: pages down to what was seen; a restarted server refuses the old tokens ---

gen 9 extra
peer main
n=$(wc -l <main.log)
run_fetch "fetch after new notifications exits 0" 0 -v
is "the new ones only" "$(texts)" "Frage 6|Frage 7|Frage 8|Frage 9|Paket ist wieder da|"
like "... the summary" err "bs: 5 new, [0-9]+ known"
is "the unknown token is refused, refreshing fails, a new login" \
	"$(nsids main.log $((n + 1)) | grep -o '[a-zA-Z]*Session:[0-9]*' | tr '\n' ' ')" "refreshSession:400 createSession:200 "
is "3 pages of notifications, down to the one seen" "$(nsids main.log $((n + 1)) | grep -o 'listNotifications:200' | wc -l)" 3
is "... (the first was refused with the old token)" "$(nsids main.log $((n + 1)) | grep -c 'listNotifications:400')" 1
is "the cursor moved to the newest" "$(cursor notifications)" '{"seen":"2026-11-23T10:09:00.000000Z"}'
gen 13 extra
peer main
cfg channel.bs.max-pages 1
run_fetch "with max-pages 1" 0
is "the newest page only" "$(texts)" "Frage 12|Frage 13|"
like "... and a warning" err "bs: notifications: 1 pages read \(max-pages\), the rest on the next run"
is "the cursor keeps what was seen and where to go on" \
	"$(cursor notifications | jq -r '[.seen, .top, (.next | length > 0)] | join(" ")')" \
	"2026-11-23T10:09:00.000000Z 2026-11-23T10:13:00.000000Z true"
cfg --unset channel.bs.max-pages
n=$(wc -l <main.log)
run_fetch "the next run goes on" 0
is "... with the rest" "$(texts)" "Frage 10|Frage 11|"
is "... from the stored API cursor, then once more from the top" \
	"$(tail -n +$((n + 1)) main.log | jq -r 'select(.nsid == "app.bsky.notification.listNotifications") | .path | test("cursor=")' | tr '\n' ' ')" \
	"true true false "
is "... and the cursor is the newest again" "$(cursor notifications)" '{"seen":"2026-11-23T10:13:00.000000Z"}'

# the first notification, from the first page of a fresh workspace's walk (all of it)
cfg channel.all.kind bluesky
cfg channel.all.url "$X"
cfg channel.all.identifier did:plc:support
cfg channel.all.token-env BSKY_PW
cfg channel.all.page-size 100
run_fetch "a second channel on the account" 0 -c all
is "every mention, reply and quote, no like" "$(lines out)" 13
N1=all:at://did:plc:kunde/app.bsky.feed.post/3knote0000001
N2=all:at://did:plc:kunde/app.bsky.feed.post/3knote0000002
is "a mention: kind, lang, created_at" "$(field "$N1" '[.kind, .lang, .created_at] | join(" ")')" "mention de 2026-11-23T10:01:00Z"
is "... mentions as written, hashtags, links from the facets" \
	"$(field "$N1" '[.mentions, .hashtags, .links] | map(join(",")) | join(" ")')" \
	"support.example.com kaputt https://status.example/k%C3%B6ln"
is "... an image as media" "$(field "$N1" '.media | tojson')" \
	'[{"type":"image","url":"https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:kunde/bafkreirouter@jpeg","alt":"Router"}]'
is "a quote" "$(jq -r 'select(.text == "Frage 3") | .kind' out)" quote
is "a reply to our post: thread and in_reply_to" "$(field "$N2" '[.kind, .thread, .in_reply_to] | join(" ")')" \
	"reply all:at://did:plc:support/app.bsky.feed.post/3kours0000002 all:at://did:plc:support/app.bsky.feed.post/3kours0000002"
is "the channels have a session each" "$(ls "$WS/sessions" | tr '\n' ' ')" "all.json bs.json "
cfg --remove-section channel.all

# --- a wrong password ------------------------------------------------------------------

cfg channel.bad.kind bluesky
cfg channel.bad.url "$X"
cfg channel.bad.identifier support.example.com
cfg channel.bad.token-env BAD_PW
run_fetch "a wrong app password: exit 69 (the service refused us)" 69
like "... the network's words, the channel named" err "^sm-fetch: bad: createSession: HTTP 401: AuthenticationRequired: Invalid identifier or password"
is "... the other channel fetched all the same" "$(grep -c '^sm-fetch: bs' err)" 0
nok "... no session kept for it" test -e "$WS/sessions/bad.json"
is "... the error noted in the store" \
	"$(sqlval "select error from cursors where channel='bad' and source='notifications'")" \
	"createSession: HTTP 401: AuthenticationRequired: Invalid identifier or password"
cfg --remove-section channel.bad

# --- expired tokens: refreshed, else a new login ------------------------------------------

gen 3
peer ttl --token-ttl 1 --refresh-ttl 3.5
cfg channel.ttl.kind bluesky
cfg channel.ttl.url "$X"
cfg channel.ttl.identifier support.example.com
cfg channel.ttl.token-env BSKY_PW
run_fetch "a fetch with short-lived tokens" 0 -c ttl
is "... 3 new" "$(lines out)" 3
A1=$(jq -r .accessJwt "$WS/sessions/ttl.json")
sleep 1.2
n=$(wc -l <ttl.log)
run_fetch "the access token expired: exit 0" 0 -c ttl
is "... refreshed and went on" "$(nsids ttl.log $((n + 1)))" \
	"listNotifications:400 refreshSession:200 listNotifications:200 "
nok "... the new tokens kept" test "$(jq -r .accessJwt "$WS/sessions/ttl.json")" = "$A1"
sleep 3.7
n=$(wc -l <ttl.log)
run_fetch "both tokens expired: exit 0" 0 -c ttl
is "... a new login and went on" "$(nsids ttl.log $((n + 1)))" \
	"listNotifications:400 refreshSession:400 createSession:200 listNotifications:200 "
cfg --remove-section channel.ttl

# --- sending -----------------------------------------------------------------------------

n=$(records)
TEXT='Grüße an @kunde.example.com 👍🏽 und @nobody.example.com: #Störung-Köln! Siehe https://status.example/ä?x=1). Danke #1'
send "a post with facets" 0 --channel bs --text "$TEXT" --key draft-1 --lang de
is "... ext_id and url" "$(jq -r '(.ext_id | test("^at://did:plc:support/app.bsky.feed.post/[2-7a-j][2-7a-z]{12}$")), (.url == "https://bsky.app/profile/support.example.com/post/" + (.ext_id | split("/") | last))' sent | tr '\n' ' ')" "true true "
URI1=$(jq -r .ext_id sent)
jq -c 'select(.event == "record") | .record' main.log | tail -1 >rec1
is "... one record with the text and language" "$(jq -r '[.text == $t, .langs[0]] | join(" ")' --arg t "$TEXT" rec1)" "true de"
is "... the facets' byte ranges cover what they annotate" \
	"$($PY -c 'import json, sys
r = json.load(open("rec1"))
b = r["text"].encode()
for f in r["facets"]:
    ft = f["features"][0]
    print(b[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode(), ft["$type"].split("#")[1], ft.get("did") or ft.get("uri") or ft.get("tag"))
')" "@kunde.example.com mention did:plc:kunde
#Störung-Köln tag Störung-Köln
https://status.example/ä?x=1 link https://status.example/ä?x=1"
is "... (an unknown handle and #1 are plain text)" "$(jq '.facets | length' rec1)" 3
send "the same draft again" 0 --channel bs --text "$TEXT" --key draft-1 --lang de
is "... the same post" "$(jq -r .ext_id sent)" "$URI1"
is "... one record for the two tries" "$(($(records) - n)) $(records "${URI1##*/}")" "1 1"
is "... the second refused by the PDS as a repeated rkey" \
	"$(jq -r 'select(.nsid == "com.atproto.repo.createRecord") | "\(.status):\(.error)"' main.log | tail -1)" "400:InvalidSwap"

# a reply to a fetched reply: root from its reply_root, parent the item itself
R=$(sqlval "select id from items where channel='bs' and text='Noch immer kein Paket'")
send "a reply to a fetched reply" 0 --channel bs --text "Wir kümmern uns 😀" --reply-to "$R" --key draft-2
jq -c 'select(.event == "record") | .record.reply' main.log | tail -1 >reply
is "... root is the thread's root, parent the item, with cids" \
	"$(jq -r '[.root.uri, .root.cid, .parent.uri, (.parent.cid | startswith("bafyrei"))] | join(" ")' reply)" \
	"$P1 bafyp1 ${R#bs:} true"
is "... parent cid as fetched" "$(jq -r .parent.cid reply)" "$(sqlval "select json_extract(record, '\$.cid') from items where id='$R'")"
n=$(wc -l <main.log)
send "a reply to an item the store lacks" 0 --channel bs --text "Danke" --reply-to "bs:$P1" --key draft-3
is "... its cid looked up" "$(nsids main.log $((n + 1)))" "getPosts:200 createRecord:200 "
is "... root and parent are the post" \
	"$(jq -c 'select(.event == "record") | .record.reply | [.root.uri, .root.cid, .parent.uri, .parent.cid]' main.log | tail -1)" \
	"[\"$P1\",\"bafyp1\",\"$P1\",\"bafyp1\"]"
send "a reply to something that is no post" 1 --channel bs --text "x" --reply-to "bs:12345" --key draft-4
is "... refused, permanently" "$(jq -r '[.temporary, .error] | join(" ")' sent)" "false cannot reply to 'bs:12345': not a Bluesky post"

# the 300-grapheme limit: checked before anything is sent
G300=$($PY -c 'print("e\u0301" * 299 + "👍🏽", end="")')
n=$(wc -l <main.log)
send "301 graphemes are refused" 1 --channel bs --text "${G300}x" --key draft-5
is "... permanently, with a reason" "$(jq -r '[.temporary, .error] | join(" ")' sent)" \
	"false the text has 301 characters, Bluesky takes at most 300"
is "... without a request" "$(wc -l <main.log)" "$n"
if $PY -c 'import regex' 2>/dev/null; then
	send "300 graphemes (600 code points) are sent" 0 --channel bs --text "$G300" --key draft-6
else
	skip "python3-regex not installed: the server counts code points"
fi

# a PDS that answers a repeated rkey with 500, as the real one does: getRecord tells
gen 1
peer dup --duplicate-500
cfg channel.dup.kind bluesky
cfg channel.dup.url "$X"
cfg channel.dup.identifier support.example.com
cfg channel.dup.token-env BSKY_PW
send "a send to a PDS that fails repeats with 500" 0 --channel dup --text "Hallo" --key draft-7
URI7=$(jq -r .ext_id sent)
send "... the same draft again" 0 --channel dup --text "Hallo" --key draft-7
is "... is found sent" "$(jq -r .ext_id sent)" "$URI7"
is "... 500, then getRecord" "$(nsids dup.log | sed 's/.*createRecord:200 //')" "createRecord:500 getRecord:200 "
is "... one record" "$(jq -s '[.[] | select(.event == "record")] | length' dup.log)" 1
rm "$WS/sessions/dup.json"
export BSKY_PW=wrong
send "a wrong password refuses the send" 1 --channel dup --text "Hallo" --key draft-8
export BSKY_PW=$PW
is "... with the network's words" "$(jq -r '[.temporary, .error] | join(" ")' sent)" \
	"false createSession: HTTP 401: AuthenticationRequired: Invalid identifier or password"
cfg --remove-section channel.dup

# --- secrets ---------------------------------------------------------------------------

gen 3
peer main
rm -f "$WS/sessions/bs.json"
run_fetch "sm-fetch -v -v (HTTP traces)" 0 -v -v
cat out err >all.out
like "... the trace shows headers" err "> Authorization: \*\*\*"
send "sendtool --trace" 0 --channel bs --text "Geheim? @kunde.example.com" --key draft-9 --trace
cat sent senterr >>all.out
like "... the trace shows headers" senterr "> Authorization: \*\*\*"
ACCESS=$(jq -r .accessJwt "$WS/sessions/bs.json")
REFRESH=$(jq -r .refreshJwt "$WS/sessions/bs.json")
for s in password:$PW access-token:$ACCESS refresh-token:$REFRESH; do
	n=$(cat all.out "$WS/store.db" "$WS/store.db-wal" 2>/dev/null | grep -a -c -F -e "${s#*:}")
	is "no ${s%%:*} in output, traces or the store" "$n" 0
done

done_testing
