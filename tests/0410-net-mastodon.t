#!/bin/sh
# The mastodon adapter against tests/lib/mastodon_replay.py: the recorded answers of a real
# server (items, cursors, a second run that asks from the cursor), scripted paging (oldest
# page first, ids that overflow 64 bits), faults (429 with Retry-After, 503, a dropped
# connection, 401), config errors, and sending (a lost answer retried with one
# Idempotency-Key, reply threading and visibility, mentions, length, 422). The token must
# never show in output, messages, traces or the store.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-fetch >/dev/null && command -v sm-init >/dev/null || skip_all "sm-fetch not built"
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 not installed"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed (the peer needs it)"
SENDTOOL=$SM_BUILD/tests/unit/sendtool
[ -x "$SENDTOOL" ] || skip_all "sendtool not built"

WS=$TMP/ws
MC=$SM_CORPUS/mastodon
TOK=tok-SECRET-1234
export SM_TEST_MASTODON_TOKEN=$TOK
PEER=$SM_SRC/tests/lib/mastodon_replay.py

# --- helpers ---------------------------------------------------------------------------

# start_peer NAME ARGS...: the peer on a free port, requiring the token; sets BASE
start_peer() {
	_sp=$1
	shift
	/usr/bin/python3 "$PEER" --token "$TOK" "$@" --port 0 --port-file "$TMP/$_sp.port" \
		--pid-file "$TMP/$_sp.pid" --log "$TMP/$_sp.log" 2>"$TMP/$_sp.perr" &
	_i=0
	while [ ! -s "$TMP/$_sp.port" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -s "$TMP/$_sp.port" ] || { echo "Bail out! $_sp did not start: $(cat "$TMP/$_sp.perr")"; exit 1; }
	BASE=http://127.0.0.1:$(cat "$TMP/$_sp.port")
}
# run_fetch NAME STATUS ARGS...: sm-fetch -v -v, stdout to out, stderr to err (both kept
# as fetch-N.* for the secrets check)
_runs=0
run_fetch() {
	_rn=$1 _rw=$2
	shift 2
	_t0=$(date +%s)
	timeout 60 sm-fetch --dir "$WS" -v -v "$@" >out 2>err
	_rc=$?
	ELAPSED=$(($(date +%s) - _t0))
	_runs=$((_runs + 1))
	cp out "fetch-$_runs.out"
	cp err "fetch-$_runs.err"
	if [ "$_rc" -eq "$_rw" ]; then pass "$_rn"; else
		fail "$_rn"
		diag "exit $_rc, want $_rw; stderr:" "$(grep -v 'http: [<>]' err | head -c 1500)"
	fi
}
# send NAME STATUS ARGS...: sendtool --trace, its JSON in sent, stderr in send-N.err
_sends=0
send() {
	_sn=$1 _sw=$2
	shift 2
	_sends=$((_sends + 1))
	timeout 60 "$SENDTOOL" --dir "$WS" --trace "$@" >sent 2>"send-$_sends.err"
	_rc=$?
	cp sent "send-$_sends.out"
	if [ "$_rc" -eq "$_sw" ]; then pass "$_sn"; else
		fail "$_sn"
		diag "exit $_rc, want $_sw; stdout: $(cat sent)" "$(grep -v 'sendtool: [<>]' "send-$_sends.err" | head -c 1500)"
	fi
}
lines() { if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
cfg() { git config -f "$WS/config" "$@"; }
field() { jq -c --arg id "$1" "select(.id == \$id) | $2" out; }
count() { sqlval "select count(*) from items where channel='$1'"; }
cursor() { sqlval "select coalesce(cursor,'') from cursors where channel='$1' and source='$2'"; }
# paths LOG: the request paths the peer logged, one per line
paths() { jq -r '"\(.method) \(.path)"' "$TMP/$1.log"; }
# lastbody LOG: the JSON body of the last POST the peer logged
lastpost() { jq -c -s '[.[] | select(.method == "POST")] | last | .body | fromjson' "$TMP/$1.log"; }
nposts() { jq -s '[.[] | select(.method == "POST")] | length' "$TMP/$1.log"; }

ok "sm-init creates a workspace" quiet sm-init "$WS"
for c in $(cfg --name-only --get-regexp '^channel\..*\.kind$' 2>/dev/null); do
	c=${c#channel.}
	cfg --remove-section "channel.${c%.kind}"
done
cfg fetch.timeout 10s
cfg fetch.max-wait 5s

# --- config errors ---------------------------------------------------------------------

cfg channel.bad.kind mastodon
cfg channel.bad.token-env SM_TEST_MASTODON_TOKEN
run_fetch "a channel without url: exit 78" 78 -c bad
like "... the message names the channel" err "bad.*url"
cfg channel.bad.url https://social.example
cfg channel.bad.fetch timeline:public
run_fetch "an unknown fetch value: exit 78" 78 -c bad
like "... the message names it" err "channel 'bad'.*unknown fetch 'timeline:public'"
cfg channel.bad.fetch hashtag:
run_fetch "hashtag: without a tag: exit 78" 78 -c bad
cfg --unset channel.bad.fetch
cfg channel.bad.token-env SM_TEST_NO_SUCH_VARIABLE
run_fetch "a token-env that is not set: exit 78" 78 -c bad
cfg --remove-section channel.bad

# --- the recordings of a real server ---------------------------------------------------

if [ ! -d "$MC" ]; then
	skip "replay: no corpus at $MC"
else
	start_peer replay --empty-pages --ignore-param limit \
		--cassette "$MC/test_notifications_mentions_only.yaml" --cassette "$MC/test_home_tl.yaml" \
		--cassette "$MC/test_conversations.yaml" --cassette "$MC/test_hashtag_tl.yaml" \
		--cassette "$MC/test_list_timeline.yaml"
	R=$BASE
	cfg channel.support.kind mastodon
	cfg channel.support.url "$R/"
	cfg channel.support.token-env SM_TEST_MASTODON_TOKEN
	for f in mentions home conversations hashtag:hoot list:6; do cfg --add channel.support.fetch "$f"; done

	run_fetch "replay: first fetch exits 0" 0 -c support
	is "replay: 18 distinct statuses printed" "$(jq -r .id out | sort -u | wc -l | tr -d ' '):$(lines out)" "18:18"
	is "replay: ... and stored" "$(count support)" 18
	# every item against the status it came from, as the recordings hold it
	/usr/bin/python3 - "$MC" "$R" out >check.out 2>&1 <<-'EOF'
	import html, json, re, sys, yaml
	corpus, base, out = sys.argv[1:]
	found = {}
	for f in ("test_notifications_mentions_only", "test_home_tl", "test_conversations",
	          "test_hashtag_tl", "test_list_timeline"):
	    for it in yaml.safe_load(open("%s/%s.yaml" % (corpus, f)))["interactions"]:
	        try:
	            b = json.loads(it["response"]["body"]["string"].replace("http://localhost:3000", base))
	        except ValueError:
	            continue
	        for x in b if isinstance(b, list) else []:
	            st = x.get("status") or x.get("last_status") or x
	            if isinstance(st, dict) and "content" in st:
	                found[st["id"]] = st
	bad = 0
	for line in open(out):
	    it = json.loads(line)
	    st = found[it["ext_id"]]
	    text = re.sub(r"<br ?/?>", "\n", st["content"]).replace("</p><p>", "\n\n")
	    text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
	    irt = st["in_reply_to_id"]
	    want = {"id": "support:" + st["id"], "url": st["url"], "text": text, "lang": st["language"],
	            "created_at": st["created_at"][:19] + "Z", "visibility": st["visibility"],
	            "author": {"id": "mastodon:%s@127.0.0.1" % st["account"]["acct"],
	                       "handle": "@" + st["account"]["acct"],
	                       "name": st["account"]["display_name"] or st["account"]["username"],
	                       "url": st["account"]["url"]},
	            "metrics": {"likes": st["favourites_count"], "reposts": st["reblogs_count"],
	                        "replies": st["replies_count"]},
	            "in_reply_to": "support:" + irt if irt else None,
	            "mentions": [m["acct"] for m in st["mentions"]] or None,
	            "hashtags": [t["name"] for t in st["tags"]] or None}
	    got = {k: it.get(k) for k in want}
	    if got != want:
	        bad += 1
	        print("status %s:\n got  %s\n want %s" % (st["id"], got, want))
	print("%d bad" % bad)
	EOF
	is "replay: ids, text, authors, counts, reply targets as recorded" "$(tail -1 check.out)" "0 bad"
	[ "$(tail -1 check.out)" = "0 bad" ] || diag "$(head -20 check.out)"
	is "replay: the mention" "$(field support:117020577157693549 '[.kind, .text, .author.id, .thread]')" \
		'["mention","@mastodonpy_test hello!","mastodon:admin@127.0.0.1","support:117020577157693549"]'
	is "replay: a reply in a direct conversation: kind, thread, reply target" \
		"$(field support:117020588388552703 '[.kind, .thread, .in_reply_to]')" \
		'["direct","support:117020588315335369","support:117020588315335369"]'
	is "replay: a direct status met in the home timeline is direct too" \
		"$(field support:117020592129111851 .kind)" '"direct"'
	is "replay: HTML entities decoded" "$(field support:117020592137523525 .text)" \
		"\"you can't say that on television\""
	is "replay: hashtags" "$(field support:117020593741189701 '[.text, .hashtags]')" '["#hoot (hashtag toot)",["hoot"]]'
	is "replay: fetched_at is the run's time" "$(jq -r .fetched_at out | sort -u | wc -l | tr -d ' ')" 1
	is "replay: the notifications were asked for mentions only, 40 a page" \
		"$(paths replay | grep -c '^GET /api/v1/notifications?types%5B%5D=mention&limit=40$')" 1
	is "replay: a first run reads the newest page only" "$(paths replay | grep -c 'max_id\|min_id')" 0
	is "replay: a cursor per stream, the highest id (notification ids for mentions)" \
		"$(sqlval "select source || '=' || cursor from cursors where channel='support' order by source" | tr '\n' ' ')" \
		"conversations=117020593780198542 hashtag:hoot=117020593741189701 home=117020593473214477 list:6=117020598436551261 mentions=21 "
	is "replay: every request carried the token" \
		"$(jq -r '.headers.Authorization' "$TMP/replay.log" | sort -u)" "Bearer $TOK"

	: >"$TMP/replay.log"
	run_fetch "replay: second fetch exits 0" 0 -c support
	is "replay: ... prints nothing new" "$(lines out)" 0
	is "replay: ... asks each stream from its cursor" "$(paths replay | sort | tr '\n' ' ')" \
		"GET /api/v1/conversations?limit=40&min_id=117020593780198542 GET /api/v1/notifications?types%5B%5D=mention&limit=40&min_id=21 GET /api/v1/timelines/home?limit=40&min_id=117020593473214477 GET /api/v1/timelines/list/6?limit=40&min_id=117020598436551261 GET /api/v1/timelines/tag/hoot?limit=40&min_id=117020593741189701 "
	is "replay: ... the cursors stay" "$(cursor support mentions) $(cursor support home)" "21 117020593473214477"
fi

# --- synthetic statuses ----------------------------------------------------------------

# gen FILE: the peer scripts, statuses built in python
/usr/bin/python3 - <<-'EOF'
import json
L = "http://localhost:3000"  # the peer puts its own address there

def acc(acct, name=""):
    user = acct.split("@")[0]
    return {"id": str(sum(map(ord, acct))), "username": user, "acct": acct, "display_name": name,
            "url": "https://%s/@%s" % (acct.split("@")[1] if "@" in acct else "localhost:3000", user)}

def st(sid, acct, content, vis="public", irt=None, lang="de", **kw):
    s = {"id": sid, "created_at": "2026-11-23T09:58:00.123Z", "in_reply_to_id": irt,
         "visibility": vis, "language": lang, "uri": L + "/users/x/statuses/" + sid,
         "url": L + "/@x/" + sid, "replies_count": 1, "reblogs_count": 2, "favourites_count": 3,
         "content": content, "spoiler_text": "", "account": acc(acct, "Kunde"), "media_attachments": [],
         "mentions": [], "tags": [], "reblog": None, "edited_at": None}
    s.update(kw)
    return s

def note(nid, status, kind="mention"):
    n = {"id": nid, "type": kind, "created_at": "2026-11-23T10:00:00.000Z", "account": acc("kunde@social.example")}
    if status:
        n["status"] = status
    return n

def link(qs, newest):
    u = L + "/api/v1/notifications?"
    return {"Link": '<%smax_id=1&%s>; rel="next", <%smin_id=%s&%s>; rel="prev"' % (u, qs, u, newest, qs)}

def write(name, lines):
    with open(name, "w") as f:
        for x in lines:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")

s1 = st("110000000000000001", "kunde@social.example",
        "<p>@service Seit gestern <b>kein Internet</b> &amp; kein Telefon <a href=\"https://x/tags/st%C3%B6rung\">#störung</a></p>",
        mentions=[{"acct": "service"}], tags=[{"name": "störung"}])
s2 = st("110000000000000002", "anna", "<p>Router getauscht,<br>läuft wieder</p>", lang="de")
boost = {"id": "110000000000000500", "reblog": s2, "account": acc("presse@news.example", "Presse"),
         "content": "", "created_at": "2026-11-23T10:00:00.000Z"}
s3 = st("110000000000000003", "bob@other.example", "<p>Foto vom Ausfall</p>", lang="en",
        spoiler_text="Störung", media_attachments=[
            {"id": "9", "type": "image", "url": "https://files.example/a.png", "description": "Router mit roter LED"},
            {"id": "10", "type": "video", "url": "https://files.example/b.mp4", "description": None}])
s4 = st("110000000000000004", "carla@social.example", "<p>Hat noch jemand kein Internet?</p>", irt="110000000000000001")
write("faults.jsonl", [
    {"method": "GET", "path": "/api/v1/notifications", "status": 429, "headers": {"Retry-After": "1"}},
    {"method": "GET", "path": "/api/v1/notifications", "body": [note("50", s1), note("49", None, "follow")]},
    {"method": "GET", "path": "/api/v1/timelines/home", "status": 503},
    {"method": "GET", "path": "/api/v1/timelines/home", "body": [boost]},
    {"method": "GET", "path": "/api/v1/timelines/tag/störung", "drop": True},
    {"method": "GET", "path": "/api/v1/timelines/tag/störung", "body": [s3]},
    {"method": "GET", "path": "/api/v2/search", "body": {"accounts": [], "statuses": [s4], "hashtags": []}},
])

Q = "types%5B%5D=mention"
P = "/api/v1/notifications?" + Q + "&limit=40"
k = "kunde@social.example"
write("paging.jsonl", [
    {"path": P, "headers": link(Q, "99"), "body": [
        note("99", st("9999999999999999999", "anna", "<p>@care privat: meine Kundennummer ist 4711</p>", vis="direct")),
        note("98", st("9999999999999999998", k, "<p>@care mein Router blinkt rot</p>"))]},
    {"path": P + "&min_id=99", "headers": link(Q, "101"), "body": [
        note("101", st("18446744073709551616", "bob@other.example", "<p>bei mir auch</p>", irt="10000000000000000000")),
        note("100", st("10000000000000000000", k, "<p>immer noch rot</p>", vis="unlisted", irt="9999999999999999998"))]},
    {"path": P + "&min_id=101", "headers": link(Q, "103"), "body": [
        note("103", None, "follow"),
        note("102", st("18446744073709551617", k, "<p>siehe oben</p>", irt="777"))]},
    {"path": P + "&min_id=103", "body": []},
    {"path": "/api/v1/notifications", "status": 401, "body": {"error": "The access token is invalid"},
     "headers": {"WWW-Authenticate": 'Bearer realm="Doorkeeper", error="invalid_token"'}},
    {"method": "POST", "path": "/api/v1/statuses", "drop": "body"},
    {"path": "/api/v1/accounts/verify_credentials", "times": 0, "body": acc("smkit", "Kundenservice")},
])
EOF

# --- faults: each stream fails once, then answers ---------------------------------------

start_peer faults --script faults.jsonl
cfg channel.faults.kind mastodon
cfg channel.faults.url "$BASE"
cfg channel.faults.token-env SM_TEST_MASTODON_TOKEN
for f in mentions home hashtag:störung "search:kein internet"; do cfg --add channel.faults.fetch "$f"; done
run_fetch "faults: 429, 503 and a dropped connection are retried: exit 0" 0 -c faults
is "faults: 4 items" "$(lines out)" 4
ok "faults: Retry-After was waited for" test "$ELAPSED" -ge 1
is "faults: two tries of each failing stream" \
	"$(paths faults | sed 's/?.*//' | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" "2 2 2 1 "
like "faults: the tag is sent UTF-8, percent-encoded" "$TMP/faults.log" '"path": "/api/v1/timelines/tag/st%C3%B6rung\?limit=40"'
like "faults: the search asks for statuses, the query encoded" "$TMP/faults.log" \
	'"path": "/api/v2/search\?type=statuses&q=kein%20internet&limit=40"'
is "faults: the mention" \
	"$(field faults:110000000000000001 '[.kind, .text, .author, .mentions, .hashtags, .created_at, .metrics]')" \
	'["mention","@service Seit gestern kein Internet & kein Telefon #störung",{"id":"mastodon:kunde@social.example","handle":"@kunde@social.example","name":"Kunde","url":"https://social.example/@kunde"},["service"],["störung"],"2026-11-23T09:58:00Z",{"likes":3,"reposts":2,"replies":1}]'
is "faults: a boost is the boosted status, reposted_by its booster" \
	"$(field faults:110000000000000002 '[.kind, .author.id, .reposted_by.handle, .text]')" \
	'["post","mastodon:anna@127.0.0.1","@presse@news.example","Router getauscht,\nläuft wieder"]'
is "faults: media and spoiler_text" "$(field faults:110000000000000003 '[.media, .spoiler_text, .lang]')" \
	'[[{"url":"https://files.example/a.png","type":"image","description":"Router mit roter LED"},{"url":"https://files.example/b.mp4","type":"video"}],"Störung","en"]'
is "faults: a search hit replying to a stored item" \
	"$(field faults:110000000000000004 '[.kind, .in_reply_to, .thread]')" \
	'["post","faults:110000000000000001","faults:110000000000000001"]'
is "faults: the cursors" \
	"$(sqlval "select source || '=' || cursor from cursors where channel='faults' order by source" | tr '\n' ' ')" \
	"hashtag:störung=110000000000000003 home=110000000000000500 mentions=50 search:kein internet=110000000000000004 "

# --- paging: oldest page first, ids past 64 bits, a 401 ----------------------------------

start_peer paging --script paging.jsonl
cfg channel.paging.kind mastodon
cfg channel.paging.url "$BASE"
cfg channel.paging.token-env SM_TEST_MASTODON_TOKEN
run_fetch "paging: first run exits 0" 0 -c paging
is "paging: the newest page only, oldest first" "$(jq -r .ext_id out | tr '\n' ' ')" \
	"9999999999999999998 9999999999999999999 "
is "paging: one request, though the page had a prev link" "$(paths paging | wc -l | tr -d ' ')" 1
is "paging: fetch defaults to mentions" "$(sqlval "select source from cursors where channel='paging'")" mentions
is "paging: cursor 99, not 98" "$(cursor paging mentions)" 99
run_fetch "paging: second run exits 0" 0 -c paging
is "paging: the pages above the cursor, oldest first" "$(jq -r .ext_id out | tr '\n' ' ')" \
	"10000000000000000000 18446744073709551616 18446744073709551617 "
is "paging: min_id from the cursor, then from each prev link, to an empty page" \
	"$(paths paging | sed -n '2,$s/.*&//p' | tr '\n' ' ')" "min_id=99 min_id=101 min_id=103 "
is "paging: threads follow stored replies to their root" \
	"$(jq -c '[.ext_id, .in_reply_to, .thread]' out | tr '\n' ' ')" \
	'["10000000000000000000","paging:9999999999999999998","paging:9999999999999999998"] ["18446744073709551616","paging:10000000000000000000","paging:9999999999999999998"] ["18446744073709551617","paging:777","paging:777"] '
is "paging: the cursor is the highest notification id, a follow's too" "$(cursor paging mentions)" 103
run_fetch "paging: a 401 is exit 69" 69 -c paging
like "paging: ... with the server's message" err "sm-fetch: paging: mentions: HTTP 401: The access token is invalid"
is "paging: ... the cursor stays" "$(cursor paging mentions)" 103
is "paging: ... the error is noted" "$(sqlval "select error from cursors where channel='paging'")" \
	"HTTP 401: The access token is invalid"
is "paging: the direct status is kind direct" "$(sqlval "select kind from items where id='paging:9999999999999999999'")" direct

# --- sending -----------------------------------------------------------------------------

send "send: a lost answer is retried with the same key" 0 --channel paging --text "Wir kümmern uns darum." --key draft-1
FIRST=$(jq -r .ext_id sent)
is "send: the server saw one key twice and created one status" \
	"$(jq -c -s '[.[] | select(.method == "POST") | [.idempotency_key, .created, .statuses_created, .status_id]]' "$TMP/paging.log")" \
	"[[\"draft-1\",true,1,\"$FIRST\"],[\"draft-1\",false,1,\"$FIRST\"]]"
is "send: the status's url" "$(jq -r .url sent)" "$BASE/@smkit/$FIRST"
is "send: a new post is public, JSON with status only" "$(lastpost paging)" '{"status":"Wir kümmern uns darum.","visibility":"public"}'

send "send: a reply" 0 --channel paging --text "Danke für die Geduld" --key draft-2 --reply-to paging:10000000000000000000
is "send: ... mentions the author, keeps the visibility, threads" "$(lastpost paging)" \
	'{"status":"@kunde@social.example Danke für die Geduld","visibility":"unlisted","in_reply_to_id":"10000000000000000000"}'
send "send: a reply to a direct message" 0 --channel paging --text "Hallo @anna, wir melden uns" --key draft-3 \
	--reply-to paging:9999999999999999999
is "send: ... stays direct, no second mention" "$(lastpost paging)" \
	'{"status":"Hallo @anna, wir melden uns","visibility":"direct","in_reply_to_id":"9999999999999999999"}'
send "send: a reply to a status not stored" 0 --channel paging --text "Nachtrag" --key draft-4 --reply-to "paging:$FIRST"
is "send: ... asks the server for its author" "$(paths paging | grep -c "^GET /api/v1/statuses/$FIRST\$")" 1
is "send: ... which is the account itself: no mention" "$(lastpost paging)" \
	"{\"status\":\"Nachtrag\",\"visibility\":\"public\",\"in_reply_to_id\":\"$FIRST\"}"
long=$(printf '%470s' '' | tr ' ' x)
send "send: URLs count 23 characters" 0 --channel paging --text "$long https://example.com/$(printf '%200s' '' | tr ' ' y)" \
	--key draft-5 --visibility private --lang de
is "send: ... visibility and language as given" "$(lastpost paging | jq -c '[.visibility, .language]')" '["private","de"]'
n=$(nposts paging)
send "send: 501 characters are refused" 1 --channel paging --text "${long}$(printf '%31s' '' | tr ' ' z)" --key draft-6
is "send: ... permanently, before sending" "$(jq -c '[.failed, .temporary]' sent) $(nposts paging)" "[true,false] $n"
like "send: ... saying why" sent "501 characters"
send "send: a 422" 1 --channel paging --text "hallo" --key draft-7 --visibility bogus
is "send: ... is permanent, with the server's message" "$(jq -c . sent)" \
	'{"failed":true,"temporary":false,"error":"HTTP 422: Validation failed: Visibility is not included in the list"}'
send "send: no key, no send" 2 --channel paging --text "hallo"
like "send: ... saying why" "send-$_sends.err" "Idempotency-Key"
is "send: ... nothing posted" "$(nposts paging)" $((n + 1))

# --- the token ---------------------------------------------------------------------------

like "the fetch trace shows the Authorization header as ***" "fetch-$_runs.err" "http: > Authorization: \*\*\*$"
like "the send trace too" "send-1.err" "sendtool: > Authorization: \*\*\*$"
leaks=$(grep -a -l -- "$TOK" fetch-*.out fetch-*.err send-*.out send-*.err "$WS/store.db" "$WS/store.db-wal" 2>/dev/null)
is "the token is in no output, message, trace or store file" "$leaks" ""

done_testing
