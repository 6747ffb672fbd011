#!/bin/sh
# The network peers the adapters are tested against, proven with curl and python alone:
# tests/lib/mastodon_replay.py (recorded cassettes, scripted faults, idempotent POST),
# bsky_server.py (sessions, paging, record validation), discourse_server.py (corpus
# data, API-key auth, posting), dovecot.sh (a real IMAP server) and smtpd.py (SMTP sink).
# Each part skips, saying why, when its corpus or Debian package is missing.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v curl >/dev/null || skip_all "curl not installed"
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 not installed"
LIB=$SM_SRC/tests/lib
PY=/usr/bin/python3

# start_peer NAME SCRIPT ARGS...: a server on a free port, its port, pid and log in
# $TMP/NAME.{port,pid,log} (the pid file gets it killed at exit); sets PORT and BASE
start_peer() {
	_sp=$1
	shift
	$PY "$@" --port 0 --port-file "$TMP/$_sp.port" --pid-file "$TMP/$_sp.pid" \
		--log "$TMP/$_sp.log" 2>"$TMP/$_sp.err" &
	_i=0
	while [ ! -s "$TMP/$_sp.port" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	if [ ! -s "$TMP/$_sp.port" ]; then diag "$_sp did not start:" "$(cat "$TMP/$_sp.err")"; return 1; fi
	PORT=$(cat "$TMP/$_sp.port")
	BASE=http://127.0.0.1:$PORT
}
# req METHOD URL [CURL ARGS...]: body in $TMP/body, headers in $TMP/hdr, status in CODE,
# curl's exit status in RC
req() {
	_m=$1 _u=$2
	shift 2
	CODE=$(curl -s -S -m 10 -X "$_m" -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' "$@" "$_u" 2>"$TMP/curl.err")
	RC=$?
}
# pyq FILE EXPR: print EXPR evaluated with d = the JSON in FILE (l = its lines as objects
# when FILE is a JSON-lines log)
pyq() {
	$PY -c 'import json, sys
t = open(sys.argv[1], encoding="utf-8").read()
try:
    d = json.loads(t)
except ValueError:
    d = None
l = [json.loads(x) for x in t.splitlines() if x.strip().startswith("{")]
print(eval(sys.argv[2]))' "$1" "$2"
}
cassette_body() { # cassette_body FILE N BASE: the recorded body of interaction N, rehosted
	$PY -c 'import sys, yaml
d = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
sys.stdout.write(d["interactions"][int(sys.argv[2])]["response"]["body"]["string"].replace("http://localhost:3000", sys.argv[3]))' "$@"
}

# --- Mastodon: replay ------------------------------------------------------------------
MC=$SM_CORPUS/mastodon
if [ ! -d "$MC" ]; then
	skip "mastodon: no corpus at $MC"
elif ! $PY -c 'import yaml' 2>/dev/null; then
	skip "mastodon: python3-yaml not installed"
elif start_peer mastodon "$LIB/mastodon_replay.py" --all --corpus "$MC" --empty-pages; then
	A="Authorization: Bearer __MASTODON_PY_TEST_ACCESS_TOKEN"
	req GET "$BASE/api/v1/notifications" -H "$A"
	is "mastodon: GET /api/v1/notifications answers 200" "$CODE" 200
	cassette_body "$MC/test_notifications.yaml" 1 "$BASE" >want
	cmp_file "mastodon: the body is the cassette's, rehosted" "$TMP/body" want
	like "mastodon: the Link header points at the replay" "$TMP/hdr" \
		"^link: <http://127\.0\.0\.1:$PORT/api/v1/notifications\?max_id=20>; rel=\"next\""
	unlike "mastodon: nothing left of localhost:3000" "$TMP/body" "localhost:3000"
	req GET "$BASE/api/v1/notifications?max_id=20" -H "$A"
	is "mastodon: --empty-pages ends an unrecorded page with []" "$CODE:$(cat "$TMP/body")" "200:[]"
	U=/api/v1/accounts/117020565966271181/statuses
	req GET "$BASE$U?limit=5" -H "$A"
	next=$(sed -n 's/^link: <\([^>]*\)>; rel="next".*/\1/p' "$TMP/hdr")
	is "mastodon: the next link of a timeline page" "$next" "$BASE$U?limit=5&max_id=117020580489281910"
	req GET "$next" -H "$A"
	is "mastodon: following it is recorded too" "$CODE:$(pyq "$TMP/body" 'len(d), all(int(s["id"]) < 117020580489281910 for s in d)')" "200:(5, True)"
	req GET "$BASE$U?max_id=117020580489281910&limit=5" -H "$A"
	is "mastodon: query parameter order is ignored" "$CODE" 200
	req GET "$BASE/api/v1/timelines/home"
	is "mastodon: without a token, the recorded 401" "$CODE:$(pyq "$TMP/body" 'd["error"]')" "401:The access token is invalid"
	req GET "$BASE/api/v1/timelines/home" -H "$A"
	is "mastodon: with one, the recorded 200" "$CODE" 200
	req GET "$BASE/api/v1/nope" -H "$A"
	is "mastodon: an unknown request is a 404 with a JSON error" "$CODE:$(pyq "$TMP/body" '"error" in d')" "404:True"
	is "mastodon: ... and logged" "$(pyq "$TMP/mastodon.log" '[(x["path"], x["source"]) for x in l][-1]')" \
		"('/api/v1/nope', 'none')"
fi

# --- Mastodon: script mode -------------------------------------------------------------
if [ -d "$MC" ] && $PY -c 'import yaml' 2>/dev/null; then
	cat >script.jsonl <<-'EOF'
	{"method": "GET", "path": "/api/v1/notifications", "status": 429, "headers": {"Retry-After": "1"}}
	{"method": "GET", "path": "/api/v1/timelines/home", "status": 503}
	{"method": "GET", "path": "/api/v1/timelines/public", "drop": true}
	{"method": "POST", "path": "/api/v1/statuses", "drop": "body"}
	EOF
	start_peer script "$LIB/mastodon_replay.py" --script script.jsonl --token sekrit \
		--cassette "$MC/test_notifications.yaml" --cassette "$MC/test_home_tl.yaml"
	A="Authorization: Bearer sekrit"
	req GET "$BASE/api/v1/notifications" -H "$A"
	r1=$CODE:$(sed -n 's/^Retry-After: *\([0-9]*\).*/\1/p' "$TMP/hdr")
	req GET "$BASE/api/v1/notifications" -H "$A"
	is "script: 429 with Retry-After: 1, then the recording" "$r1 $CODE" "429:1 200"
	req GET "$BASE/api/v1/timelines/home" -H "$A"
	r1=$CODE
	req GET "$BASE/api/v1/timelines/home" -H "$A"
	is "script: 503, then 200" "$r1 $CODE" "503 200"
	req GET "$BASE/api/v1/timelines/public" -H "$A"
	is "script: a dropped connection (curl: empty reply)" "$RC" 52
	req GET "$BASE/api/v1/notifications" -H "Authorization: Bearer wrong"
	is "script: --token refuses another token" "$CODE" 401
	post_k1() {
		req POST "$BASE/api/v1/statuses" -H "$A" -H "Idempotency-Key: k-1" --data-urlencode "status=Danke!" \
			-d visibility=unlisted -d language=de -d in_reply_to_id=42
	}
	post_k1
	is "script: POST answered 200, dropped before the body (curl: partial)" "$CODE:$RC" "200:18"
	post_k1
	first=$(pyq "$TMP/body" 'd["id"]')
	is "script: the retry gets the status built from the request" \
		"$CODE $(pyq "$TMP/body" 'd["content"], d["visibility"], d["language"], d["in_reply_to_id"], d["url"] == "'"$BASE"'/@smkit/" + d["id"]')" \
		"200 ('<p>Danke!</p>', 'unlisted', 'de', '42', True)"
	is "script: one status created for the two tries of one Idempotency-Key" \
		"$(pyq "$TMP/script.log" '[(x["idempotency_key"], x["headers"]["Authorization"], x["created"], x["statuses_created"]) for x in l if x["method"] == "POST"]')" \
		"[('k-1', 'Bearer sekrit', True, 1), ('k-1', 'Bearer sekrit', False, 1)]"
	req POST "$BASE/api/v1/statuses" -H "$A" -H "Idempotency-Key: k-2" -d status=again
	is "script: another key, another status with a greater id" \
		"$(pyq "$TMP/body" 'int(d["id"]) > '"$first"'') $(pyq "$TMP/script.log" 'l[-1]["statuses_created"]')" "True 2"
	req POST "$BASE/api/v1/statuses" -H "$A" -d status=
	is "script: an empty status is a 422" "$CODE" 422
fi

# --- Bluesky ---------------------------------------------------------------------------
if [ ! -d "$SM_CORPUS/bluesky/lexicons" ]; then
	skip "bluesky: no corpus at $SM_CORPUS/bluesky/lexicons"
else
	$PY - <<-'EOF'
	import json
	n = [{"author": {"did": "did:plc:cust%d" % i, "handle": "cust%d.example.com" % i},
	      "reason": "mention" if i % 2 else "reply",
	      "record": {"$type": "app.bsky.feed.post", "text": "help %d" % i,
	                 "createdAt": "2026-03-01T10:0%d:00.000Z" % i}} for i in range(5)]
	p = [{"author": "cust1.example.com", "record": {"text": "my parcel is late", "createdAt": "2026-03-01T09:00:00Z"}}]
	json.dump({"accounts": [{"handle": "care.example.com", "did": "did:plc:care", "password": "correct horse"}],
	           "notifications": n, "posts": p}, open("bsky.json", "w"))
	text = "héllo @cust1.example.com"
	b = text.encode()
	s = b.index(b"@")
	def rec(text, facets=None):
	    r = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-03-01T11:00:00Z", "langs": ["de"]}
	    if facets:
	        r["facets"] = facets
	    return {"repo": "did:plc:care", "collection": "app.bsky.feed.post", "record": r}
	mention = [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:cust1"}]
	json.dump(rec(text, [{"index": {"byteStart": s, "byteEnd": len(b)}, "features": mention}]), open("ok.json", "w"))
	json.dump(rec(text, [{"index": {"byteStart": 2, "byteEnd": len(b)}, "features": mention}]), open("offutf8.json", "w"))
	json.dump(rec("e\u0301" * 301), open("g301.json", "w"))
	json.dump(rec("e\u0301" * 300), open("g300.json", "w"))
	json.dump(dict(rec("once"), rkey="3kaaaaaaaaa2a"), open("rkey.json", "w"))
	EOF
	start_peer bsky "$LIB/bsky_server.py" --data bsky.json
	X=$BASE/xrpc
	J="Content-Type: application/json"
	req POST "$X/com.atproto.server.createSession" -H "$J" -d '{"identifier": "care.example.com", "password": "wrong"}'
	is "bluesky: a wrong password is 401 AuthenticationRequired" "$CODE $(pyq "$TMP/body" 'd["error"]')" "401 AuthenticationRequired"
	req POST "$X/com.atproto.server.createSession" -H "$J" -d '{"identifier": "care.example.com", "password": "correct horse"}'
	is "bluesky: createSession" "$CODE $(pyq "$TMP/body" 'd["did"], d["handle"], d["accessJwt"].count("."), bool(d["refreshJwt"])')" \
		"200 ('did:plc:care', 'care.example.com', 2, True)"
	AUTH="Authorization: Bearer $(pyq "$TMP/body" 'd["accessJwt"]')"
	req GET "$X/app.bsky.notification.listNotifications?limit=2"
	is "bluesky: listNotifications needs the token" "$CODE" 401
	seen='' pages=0 cursor=''
	while :; do
		req GET "$X/app.bsky.notification.listNotifications" -G -d limit=2 ${cursor:+--data-urlencode "cursor=$cursor"} -H "$AUTH"
		[ "$CODE" = 200 ] || break
		pages=$((pages + 1))
		seen="$seen$(pyq "$TMP/body" '" ".join(n["record"]["text"].split()[1] for n in d["notifications"])') "
		cursor=$(pyq "$TMP/body" 'd.get("cursor", "")')
		if [ -z "$cursor" ] || [ $pages -ge 5 ]; then break; fi
	done
	is "bluesky: 5 notifications in 3 pages of 2, newest first" "$pages:$seen" "3:4 3 2 1 0 "
	req POST "$X/com.atproto.repo.createRecord" -H "$J" -H "$AUTH" -d @ok.json
	is "bluesky: createRecord with a mention facet" "$CODE $(pyq "$TMP/body" 'd["uri"].startswith("at://did:plc:care/app.bsky.feed.post/"), d["cid"][:7]')" \
		"200 (True, 'bafyrei')"
	req POST "$X/com.atproto.repo.createRecord" -H "$J" -H "$AUTH" -d @offutf8.json
	is "bluesky: a facet off a UTF-8 boundary is refused" "$CODE $(pyq "$TMP/body" 'd["error"], "UTF-8" in d["message"]')" \
		"400 ('InvalidRequest', True)"
	req POST "$X/com.atproto.repo.createRecord" -H "$J" -H "$AUTH" -d @g301.json
	is "bluesky: a 301-grapheme text is refused" "$CODE $(pyq "$TMP/body" '"300 graphemes" in d["message"]')" "400 True"
	if $PY -c 'import regex' 2>/dev/null; then
		req POST "$X/com.atproto.repo.createRecord" -H "$J" -H "$AUTH" -d @g300.json
		is "bluesky: 300 graphemes (600 code points) are fine" "$CODE" 200
	else
		skip "bluesky: python3-regex not installed, graphemes are counted as code points"
	fi
	req POST "$X/com.atproto.repo.createRecord" -H "$J" -H "$AUTH" -d @rkey.json
	r1=$CODE
	req POST "$X/com.atproto.repo.createRecord" -H "$J" -H "$AUTH" -d @rkey.json
	is "bluesky: a repeated rkey is refused" "$r1 $CODE $(pyq "$TMP/body" 'd["error"]')" "200 400 InvalidSwap"
	req GET "$X/app.bsky.feed.searchPosts?q=parcel" -H "$AUTH"
	is "bluesky: searchPosts" "$CODE $(pyq "$TMP/body" '[p["author"]["handle"] for p in d["posts"]]')" "200 ['cust1.example.com']"
	req GET "$X/app.bsky.feed.getAuthorFeed?actor=care.example.com" -H "$AUTH"
	is "bluesky: the author feed shows the created posts" "$(pyq "$TMP/body" 'len(d["feed"])')" \
		"$(pyq "$TMP/bsky.log" 'sum(1 for x in l if x.get("event") == "record")')"
	# tokens that are expired as soon as issued: the refresh path
	start_peer bsky0 "$LIB/bsky_server.py" --data bsky.json --token-ttl 0
	req POST "$BASE/xrpc/com.atproto.server.createSession" -H "$J" -d '{"identifier": "did:plc:care", "password": "correct horse"}'
	R=$(pyq "$TMP/body" 'd["refreshJwt"]')
	req GET "$BASE/xrpc/app.bsky.notification.listNotifications" -H "Authorization: Bearer $(pyq "$TMP/body" 'd["accessJwt"]')"
	is "bluesky: an expired token is 400 ExpiredToken" "$CODE $(pyq "$TMP/body" 'd["error"]')" "400 ExpiredToken"
	req POST "$BASE/xrpc/com.atproto.server.refreshSession" -H "Authorization: Bearer $R"
	is "bluesky: refreshSession with the refresh token" "$CODE $(pyq "$TMP/body" 'd["refreshJwt"] != "'"$R"'"')" "200 True"
	req POST "$BASE/xrpc/com.atproto.server.refreshSession" -H "Authorization: Bearer $R"
	is "bluesky: a used refresh token is refused" "$CODE $(pyq "$TMP/body" 'd["error"]')" "400 ExpiredToken"
fi

# --- Discourse -------------------------------------------------------------------------
DC=$SM_CORPUS/discourse
if [ ! -d "$DC" ]; then
	skip "discourse: no corpus at $DC"
else
	start_peer discourse "$LIB/discourse_server.py" --corpus "$DC" --api-key k3y
	K="Api-Key: k3y"
	N="Api-Username: care"
	req GET "$BASE/posts.json" -H "$K"
	is "discourse: without Api-Username, 403 invalid_access" "$CODE $(pyq "$TMP/body" 'd["error_type"]')" "403 invalid_access"
	# corpus FILE: the file as the server gives it, rehosted
	corpus() { sed "s#//localhost/#//127.0.0.1:$PORT/#g" "$DC/$1"; }
	same_json() { $PY -c 'import json, sys; sys.exit(json.load(open(sys.argv[1])) != json.load(open(sys.argv[2])))' "$1" "$2"; }
	req GET "$BASE/posts.json" -H "$K" -H "$N"
	corpus posts_latest.json >want
	ok "discourse: GET /posts.json is posts_latest.json" same_json "$TMP/body" want
	req GET "$BASE/posts.json?before=15" -H "$K" -H "$N"
	corpus posts_before.json >want
	ok "discourse: GET /posts.json?before=15 is posts_before.json" same_json "$TMP/body" want
	req GET "$BASE/search.json?q=bullhonky" -H "$K" -H "$N"
	is "discourse: search" "$CODE $(pyq "$TMP/body" 'd["grouped_search_result"]["post_ids"], [t["id"] for t in d["topics"]]')" "200 ([15], [11])"
	req POST "$BASE/posts.json" -H "$K" -H "$N" -d topic_id=11 -d reply_to_post_number=2 \
		--data-urlencode "raw=Sorry about that, we are looking into it."
	is "discourse: POST /posts.json creates a reply" \
		"$CODE $(pyq "$TMP/body" 'd["id"], d["topic_id"], d["post_number"], d["reply_to_post_number"], d["username"], d["cooked"]')" \
		"200 (227, 11, 3, 2, 'care', '<p>Sorry about that, we are looking into it.</p>')"
	req GET "$BASE/posts.json" -H "$K" -H "$N"
	is "discourse: it leads the latest posts" "$(pyq "$TMP/body" '[p["id"] for p in d["latest_posts"]]')" "[227, 15, 14, 10, 2]"
	req GET "$BASE/t/11.json" -H "$K" -H "$N"
	is "discourse: and its topic" "$CODE $(pyq "$TMP/body" 'd["post_stream"]["stream"]')" "200 [14, 15, 227]"
	req POST "$BASE/posts.json" -H "$K" -H "$N" -d topic_id=11 -d reply_to_post_number=2 \
		--data-urlencode "raw=Sorry about that, we are looking into it."
	is "discourse: a blind repeat is refused as Discourse does" "$CODE $(pyq "$TMP/body" 'd["errors"]')" \
		"422 ['Body is too similar to what you recently posted']"
	is "discourse: the created post is logged" \
		"$(pyq "$TMP/discourse.log" '[(x["id"], x["reply_target_exists"]) for x in l if x.get("event") == "post"]')" "[(227, True)]"
fi

# --- IMAP: dovecot ---------------------------------------------------------------------
. "$LIB/dovecot.sh"
if ! dovecot_available; then
	skip "imap: dovecot not installed (Debian: dovecot-imapd)"
elif ! dovecot_start care 'imap pass'; then
	fail "imap: dovecot_start"
else
	printf 'From: Kim <kim@example.com>\r\nTo: care@example.com\r\nSubject: order 17\r\nMessage-ID: <m1@example.com>\r\nDate: Sun, 01 Mar 2026 10:00:00 +0000\r\n\r\nWhere is my order?\r\n' >m1.eml
	printf 'From: Lou <lou@example.com>\r\nTo: care@example.com\r\nSubject: =?utf-8?q?R=C3=BCckfrage?=\r\nMessage-ID: <m2@example.com>\r\nDate: Sun, 01 Mar 2026 11:00:00 +0000\r\n\r\nHallo!\r\n' >m2.eml
	ok "imap: dovecot_deliver" dovecot_deliver m1.eml
	dovecot_deliver m2.eml
	$PY - >imap.out 2>&1 <<-'EOF'
	import imaplib, os
	m = imaplib.IMAP4("127.0.0.1", int(os.environ["IMAP_PORT"]))
	try:
	    m.login("care", "wrong")
	except imaplib.IMAP4.error:
	    print("wrong password refused")
	m = imaplib.IMAP4("127.0.0.1", int(os.environ["IMAP_PORT"]))
	print(m.login("care", "imap pass")[0])
	print(m.select("INBOX"))
	print("uidvalidity", m.response("UIDVALIDITY")[1][0].decode().isdigit())
	print(m.uid("SEARCH", None, "ALL"))
	typ, data = m.uid("FETCH", "2", "(UID BODY.PEEK[])")
	print(typ, data[0][0].decode().split(" BODY")[0], data[0][1] == open("m2.eml", "rb").read())
	m.logout()
	EOF
	cat >want <<-'EOF'
	wrong password refused
	OK
	('OK', [b'2'])
	uidvalidity True
	('OK', [b'1 2'])
	OK 2 (UID 2 True
	EOF
	cmp_file "imap: login, SELECT INBOX, UIDVALIDITY, UID SEARCH ALL, UID FETCH" imap.out want
	ok "imap: dovecot_stop" dovecot_stop
fi

# --- SMTP: smtpd.py --------------------------------------------------------------------
if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
	skip "smtp: python3-aiosmtpd not installed"
elif start_peer smtpd "$LIB/smtpd.py" --maildir "$TMP/sent" --auth 'care:smtp pass'; then
	printf 'From: care@example.com\r\nTo: kim@example.com\r\nSubject: Re: order 17\r\nMessage-ID: <r1@example.com>\r\n\r\nIt ships today.\r\n.dot-started line\r\n' >r1.eml
	SMTP_PORT=$PORT $PY - >smtp.out 2>&1 <<-'EOF'
	import os, smtplib
	msg = open("r1.eml", "rb").read()
	s = smtplib.SMTP("127.0.0.1", int(os.environ["SMTP_PORT"]), timeout=10)
	try:
	    s.sendmail("care@example.com", ["kim@example.com"], msg)
	except smtplib.SMTPSenderRefused as e:
	    print("without AUTH", e.smtp_code)
	s.login("care", "smtp pass")
	print("sent", s.sendmail("care@example.com", ["kim@example.com"], msg))
	s.quit()
	EOF
	printf 'without AUTH 530\nsent {}\n' >want
	cmp_file "smtp: AUTH required, then the message is accepted" smtp.out want
	cmp_file "smtp: the message is stored as sent" "$TMP/sent/0001.eml" r1.eml
	is "smtp: its envelope is logged" "$(pyq "$TMP/smtpd.log" '[(x["mail_from"], x["rcpt_tos"], x["auth_user"]) for x in l if "file" in x]')" \
		"[('care@example.com', ['kim@example.com'], 'care')]"
fi

done_testing
