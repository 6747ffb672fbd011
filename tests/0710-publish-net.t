#!/bin/sh
# 0710-publish-net.t - sm-publish against the local peers of the adapters' tests: for
# Mastodon (mastodon_replay.py, script mode), Bluesky (bsky_server.py), Discourse
# (discourse_server.py) and e-mail (smtpd.py, a real SMTP server) an item is stored, its
# case opened, a reply drafted, approved and published: it lands in the item's thread with
# the network's fields, once, counted on the server; the result record, the case (pending,
# first response), the audit log; a second run sends nothing. -n prints the request the
# adapter would make, byte for byte the one it then makes, and sends and changes nothing.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/publish.sh"

$PY -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed (mastodon_replay.py needs it)"

pubws || { fail "workspace"; done_testing; }

# dry NAME ID: sm-publish -n ID as otto sends nothing (no POST logged by peer LOG) and
# changes nothing; the would_send record is left in dry.out
dry() {
	_dn=$1 _dl=$2
	shift 2
	_dp=$(nposts "$_dl")
	snap
	publish "$_dn -n: exit 0" 0 -n "$@"
	cp out dry.out
	is "$_dn -n: prints the draft as it is, with the request" "$(jq -c '[.state, (.would_send | keys)]' dry.out)" \
		'["approved",["body","method","url"]]'
	is "$_dn -n: no POST reached the server" "$(nposts "$_dl")" "$_dp"
	unchanged "$_dn -n: the store is unchanged"
}

# --- Mastodon ----------------------------------------------------------------------------

export SM_TEST_MASTODON_TOKEN=tok-mastodon-1
cat >masto.script <<'EOF'
{"method": "GET", "path": "/api/v1/accounts/verify_credentials", "times": 0, "body": {"id": "1", "username": "smkit", "acct": "smkit"}}
EOF
peer masto mastodon_replay.py --script masto.script --token "$SM_TEST_MASTODON_TOKEN"
M=http://127.0.0.1:$PORT
cfg channel.masto.kind mastodon
cfg channel.masto.url "$M"
cfg channel.masto.token-env SM_TEST_MASTODON_TOKEN
MI=masto:110000000000000001
printf '%s\n' '{"id":"masto:110000000000000001","channel":"masto","network":"mastodon","kind":"mention","ext_id":"110000000000000001","url":"https://social.example/@kunde/110000000000000001","author":{"id":"mastodon:kunde@social.example","handle":"@kunde@social.example","name":"Kunde"},"text":"@smkit Seit gestern kein Internet","visibility":"unlisted","lang":"de","created_at":"2026-11-23T09:58:00Z"}' |
	sm-assign >/dev/null 2>err
is "mastodon: the item's case is open" "$(case_of $MI)" "open -"
d=$(draft $MI "Das tut uns leid, wir prüfen Ihre Leitung.")
approve "$d"
is "mastodon: the draft is approved" "$(state "$d")" approved

dry mastodon masto "$d"
is "mastodon -n: the request" "$(jq -r '.would_send | .method + " " + .url' dry.out)" "POST $M/api/v1/statuses"
is "mastodon -n: the body, threaded, the visibility and language of the item" "$(jq -r .would_send.body dry.out)" \
	'{"status":"@kunde@social.example Das tut uns leid, wir prüfen Ihre Leitung.","visibility":"unlisted","in_reply_to_id":"110000000000000001","language":"de"}'

publish "mastodon: published, exit 0" 0
is "mastodon: one POST, one status created" \
	"$(jq -s -c '[.[] | select(.method == "POST") | [.path, .created, .statuses_created]]' "$TMP/masto.log")" \
	'[["/api/v1/statuses",true,1]]'
posted=$(jq -s -r '[.[] | select(.method == "POST")] | last | .body' "$TMP/masto.log")
is "mastodon: the body sent is byte for byte the one -n printed" "$posted" "$(jq -r .would_send.body dry.out)"
is "mastodon: sent with an Idempotency-Key, the draft's send key" \
	"$(jq -s -r '[.[] | select(.method == "POST")] | last | .idempotency_key' "$TMP/masto.log")" \
	"$(sqlval "select send_key from drafts where id = $d")"
sid=$(jq -s -r '[.[] | select(.method == "POST")] | last | .status_id' "$TMP/masto.log")
curl -s -H "Authorization: Bearer $SM_TEST_MASTODON_TOKEN" "$M/api/v1/statuses/$sid" >status.json
is "mastodon: the server's status replies in the thread, unlisted" \
	"$(jq -c '[.in_reply_to_id, .visibility, .language]' status.json)" '["110000000000000001","unlisted","de"]'
is "mastodon: the result record: published, the status's id and url" \
	"$(rec '[.draft, .state, .published.ext_id, .published.url, .published.at]')" \
	"[$d,\"published\",\"$sid\",\"$M/@smkit/$sid\",\"$SM_NOW\"]"
is "mastodon: the store agrees" \
	"$(sqlval "select state, published_id, published_url, attempts, lease_owner is null from drafts where id = $d")" \
	"published|$sid|$M/@smkit/$sid|1|1"
is "mastodon: the case is pending, first response now" "$(case_of $MI)" "pending $SM_NOW"
is "mastodon: the audit log" "$(audit_of "$d")" "alice draft,bob approve,otto published,"
is "mastodon: ... saying where" "$(sqlval "select detail from audit where object = 'draft:$d' and action = 'published'")" \
	"masto $sid $M/@smkit/$sid"
publish "mastodon: a second run: exit 0" 0
is "mastodon: ... prints nothing and sends nothing" "$(cat out):$(nposts masto)" ":1"
publish "mastodon: the draft named again: exit 0" 0 "$d"
is "mastodon: ... prints it, published, sends nothing" "$(rec '[.state, .published.ext_id]'):$(nposts masto)" \
	"[\"published\",\"$sid\"]:1"

# the channel's visibility is what new posts get; a reply keeps its status's
cfg channel.masto.visibility unlisted
printf '%s\n' '{"id":"masto:110000000000000002","channel":"masto","ext_id":"110000000000000002","author":{"id":"mastodon:anna@social.example","handle":"@anna@social.example"},"text":"Meine Vertragsnummer ist 4711","visibility":"direct","created_at":"2026-11-23T09:58:00Z"}' \
	'{"id":"masto:110000000000000003","channel":"masto","ext_id":"110000000000000003","author":{"id":"mastodon:ben@social.example","handle":"@ben@social.example"},"text":"Wieder Internet!","visibility":"public","created_at":"2026-11-23T09:58:00Z"}' |
	sm-match -a >/dev/null 2>err
a=$(draft masto:110000000000000002 "Danke, wir haben Ihren Vertrag gefunden.")
b=$(draft masto:110000000000000003 "Das freut uns!")
c=$(printf '{"channel":"masto","text":"Wartung heute Nacht."}\n' | SM_USER=alice sm-approve submit | jq -r .draft)
approve "$a" "$b" "$c"
publish "mastodon visibility = unlisted: exit 0" 0
is "mastodon: a reply to a direct message stays direct, one to a public status public, a post unlisted" \
	"$(jq -s -c '[.[] | select(.method == "POST") | .body | fromjson | .visibility] | .[1:]' "$TMP/masto.log")" \
	'["direct","public","unlisted"]'
cfg --unset channel.masto.visibility

# --- Bluesky -----------------------------------------------------------------------------

export SM_TEST_BSKY_PW=tok-bsky-app-pw
P1=at://did:plc:kunde/app.bsky.feed.post/3kpost0000001
P4=at://did:plc:kunde/app.bsky.feed.post/3kpost0000004
$PY - >bsky.json <<'EOF'
import json
acc = [{"handle": "support.example.com", "did": "did:plc:support", "password": "tok-bsky-app-pw"},
       {"handle": "kunde.example.com", "did": "did:plc:kunde", "password": "x", "displayName": "Kunde Köln"}]
p1 = "at://did:plc:kunde/app.bsky.feed.post/3kpost0000001"
rec = lambda text, t, **kw: dict({"$type": "app.bsky.feed.post", "text": text, "createdAt": t}, **kw)
posts = [{"author": "kunde.example.com", "uri": p1, "cid": "bafyp1", "indexedAt": "2026-11-23T09:00:00.000Z",
          "record": rec("Mein Paket ist weg", "2026-11-23T09:00:00Z", langs=["de"])},
         {"author": "kunde.example.com", "uri": p1[:-1] + "4", "indexedAt": "2026-11-23T09:30:00.000Z",
          "record": rec("Noch immer kein Paket", "2026-11-23T09:30:00Z", langs=["de"],
                        reply={"root": {"uri": p1, "cid": "bafyp1"}, "parent": {"uri": p1, "cid": "bafyp1"}})}]
json.dump({"accounts": acc, "posts": posts, "notifications": []}, __import__("sys").stdout, ensure_ascii=False)
EOF
peer sky bsky_server.py --data bsky.json
X=http://127.0.0.1:$PORT
cfg channel.sky.kind bluesky
cfg channel.sky.url "$X"
cfg channel.sky.identifier support.example.com
cfg channel.sky.token-env SM_TEST_BSKY_PW
cfg channel.sky.fetch author:kunde.example.com
sm-fetch -c sky 2>err | sm-assign >fetched 2>>err
is "bluesky: the reply in the thread fetched, with its case" \
	"$(jq -c "select(.ext_id == \"$P4\") | [.id, .reply_root.uri, .status]" fetched)" "[\"sky:$P4\",\"$P1\",\"open\"]"
C4=$(jq -r "select(.ext_id == \"$P4\") | .cid" fetched)
d=$(draft "sky:$P4" "Wir suchen Ihr Paket, bitte schicken Sie uns die Sendungsnummer.")
approve "$d"
dry bluesky sky "$d"
is "bluesky -n: the request" "$(jq -r '.would_send | .method + " " + .url' dry.out)" \
	"POST $X/xrpc/com.atproto.repo.createRecord"
key=$(jq -r .would_send.body dry.out | jq -r .rkey)
is "bluesky -n: the body: our repo, a record key, the post replying to the item in its thread" \
	"$(jq -r .would_send.body dry.out)" \
	"{\"repo\":\"did:plc:support\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"$key\",\"record\":{\"\$type\":\"app.bsky.feed.post\",\"text\":\"Wir suchen Ihr Paket, bitte schicken Sie uns die Sendungsnummer.\",\"createdAt\":\"$SM_NOW\",\"langs\":[\"de\"],\"reply\":{\"root\":{\"uri\":\"$P1\",\"cid\":\"bafyp1\"},\"parent\":{\"uri\":\"$P4\",\"cid\":\"$C4\"}}}}"

publish "bluesky: published, exit 0" 0
is "bluesky: one record created, under the record key -n showed" \
	"$(jq -s -c '[.[] | select(.event == "record") | .rkey]' "$TMP/sky.log")" "[\"$key\"]"
is "bluesky: the body sent is byte for byte the one -n printed" \
	"$(jq -s -r '[.[] | select(.method == "POST" and (.path | endswith("createRecord")))] | last | .body' "$TMP/sky.log")" \
	"$(jq -r .would_send.body dry.out)"
is "bluesky: the server's record: text, reply root and parent" \
	"$(jq -s -c '[.[] | select(.event == "record")] | last | .record | [.text, .reply.root.uri, .reply.parent.uri, .reply.parent.cid]' "$TMP/sky.log")" \
	"[\"Wir suchen Ihr Paket, bitte schicken Sie uns die Sendungsnummer.\",\"$P1\",\"$P4\",\"$C4\"]"
# the record key is the draft's: a TID-shaped digest of its send key, which is made of the
# draft's number, creation time and approved hash, so any retry of this draft uses it again
sqlval "select send_key, id, created_at, approved_hash from drafts where id = $d" | $PY -c '
import hashlib, sys
key, i, created, h = sys.stdin.read().strip().split("|")
want = "smkit-%s-%s" % (i, hashlib.sha256(("smkit-publish-v1\x1f%s\x1f%s\x1f%s" % (i, created, h)).encode()).hexdigest()[:24])
v = int(hashlib.sha1(key.encode()).hexdigest()[:16], 16) & 0x7fffffffffffffff
rkey = ""
for _ in range(13):
    rkey = "234567abcdefghijklmnopqrstuvwxyz"[v & 31] + rkey
    v >>= 5
print(key == want, rkey)' >rkey.out
is "bluesky: the record key follows from the draft alone" "$(cat rkey.out)" "True $key"
is "bluesky: the result record: the at:// URI and the bsky.app URL" \
	"$(rec '[.state, .published.ext_id, .published.url]')" \
	"[\"published\",\"at://did:plc:support/app.bsky.feed.post/$key\",\"https://bsky.app/profile/support.example.com/post/$key\"]"
is "bluesky: the case is pending, first response now" "$(case_of "sky:$P4")" "pending $SM_NOW"
is "bluesky: the audit log" "$(audit_of "$d")" "alice draft,bob approve,otto published,"
publish "bluesky: a second run: exit 0" 0
is "bluesky: ... sends nothing" "$(cat out):$(nposts sky createRecord)" ":1"
# -n with no session yet: reading (the replied post's cid) needs one, so it logs in
d=$(draft "sky:$P4" "Nachtrag: die Sendung ist unterwegs.")
approve "$d"
rm -f "$WS/sessions/sky.json"
n=$(nposts sky)
publish "bluesky -n without a session: exit 0" 0 -n "$d"
is "bluesky -n without a session: no record made; the one POST is the login" \
	"$(nposts sky createRecord):$(jq -s -r --argjson n "$n" '[.[] | select(.method == "POST")] | .[$n:] | map(.path) | join(" ")' "$TMP/sky.log")" \
	"1:/xrpc/com.atproto.server.createSession"
is "bluesky -n without a session: the draft still approved" "$(state "$d")" approved
SM_USER=bob sm-approve show "$d" >draft.json
publish "bluesky: the draft as a record on stdin (-): exit 0" 0 - <draft.json
is "bluesky: ... published, a second record in the thread" \
	"$(rec '[.draft, .state]'):$(jq -s -c '[.[] | select(.event == "record")] | last | .record.reply.parent.uri' "$TMP/sky.log")" \
	"[$d,\"published\"]:\"$P4\""
printf '{"draft":%s}\nnot a record\n' "$d" >bad.jsonl
publish "bluesky: a bad line on stdin: exit 65" 65 - <bad.jsonl
like "bluesky: ... named" err "^sm-publish: stdin:2:"
is "bluesky: ... nothing printed" "$(cat out)" ""

# --- Discourse ---------------------------------------------------------------------------

if [ ! -d "$SM_CORPUS/discourse" ]; then
	skip "discourse: no corpus at $SM_CORPUS/discourse"
else
	export SM_TEST_DC_KEY=tok-discourse-key
	# no 5-minute rule against the same text twice: two customers may get one answer
	peer forum discourse_server.py --corpus "$SM_CORPUS/discourse" --api-key "$SM_TEST_DC_KEY" --unique-posts-mins 0
	U=http://127.0.0.1:$PORT
	cfg channel.forum.kind discourse
	cfg channel.forum.url "$U"
	cfg channel.forum.username care
	cfg channel.forum.token-env SM_TEST_DC_KEY
	sm-fetch -c forum 2>err | sm-assign >fetched 2>>err
	FI=$(jq -r 'select(.ext_id == "15") | .id' fetched)
	is "discourse: post 15 fetched, with its case" "$(jq -r 'select(.ext_id == "15") | .status' fetched)" open
	topic=$(jq -r 'select(.ext_id == "15") | .topic_id' fetched)
	number=$(jq -r 'select(.ext_id == "15") | .post_number' fetched)
	d=$(draft "$FI" "Danke für den Hinweis, wir haben das Problem an die Technik gegeben.")
	approve "$d"
	dry discourse forum "$d"
	is "discourse -n: the request" "$(jq -r '.would_send | .method + " " + .url' dry.out)" "POST $U/posts.json"
	is "discourse -n: the body: the text, the topic and the post answered" "$(jq -r .would_send.body dry.out)" \
		"{\"raw\":\"Danke für den Hinweis, wir haben das Problem an die Technik gegeben.\",\"topic_id\":$topic,\"reply_to_post_number\":$number}"
	publish "discourse: published, exit 0" 0
	is "discourse: one post made, in the topic, replying to the post, as care" \
		"$(jq -s -c '[.[] | select(.event == "post") | [.topic_id, .reply_to_post_number, .reply_target_exists, .username, .raw]]' "$TMP/forum.log")" \
		"[[$topic,$number,true,\"care\",\"Danke für den Hinweis, wir haben das Problem an die Technik gegeben.\"]]"
	is "discourse: the body sent is byte for byte the one -n printed" \
		"$(jq -s -r '[.[] | select(.method == "POST")] | last | .body' "$TMP/forum.log")" "$(jq -r .would_send.body dry.out)"
	pid=$(jq -s -r '[.[] | select(.event == "post")] | last | .id' "$TMP/forum.log")
	pn=$(jq -s -r '[.[] | select(.event == "post")] | last | .post_number' "$TMP/forum.log")
	is "discourse: the result record: the post's id, its URL in the topic" \
		"$(rec '[.state, .published.ext_id, (.published.url | test("^'"$U"'/t/([a-z0-9-]+/)?'"$topic/$pn"'$"))]')" \
		"[\"published\",\"$pid\",true]"
	is "discourse: the case is pending, first response now" "$(case_of "$FI")" "pending $SM_NOW"
	is "discourse: the audit log" "$(audit_of "$d")" "alice draft,bob approve,otto published,"
	publish "discourse: a second run: exit 0" 0
	is "discourse: ... sends nothing" "$(cat out):$(nposts forum)" ":1"
	# bulk replies: one text to two posts of a topic is two posts, each under its own
	t14=$(jq -c 'select(.ext_id == "14") | [.topic_id, .post_number]' fetched)
	t15=$(jq -c 'select(.ext_id == "15") | [.topic_id, .post_number]' fetched)
	is "discourse: posts 14 and 15 are in one topic" "$(echo "$t14 $t15" | jq -s -c 'map(.[0]) | unique | length')" 1
	a=$(draft "$(jq -r 'select(.ext_id == "14") | .id' fetched)" "Danke, wir kümmern uns noch heute darum.")
	b=$(draft "$FI" "Danke, wir kümmern uns noch heute darum.")
	approve "$a" "$b"
	publish "discourse: one text to two posts: exit 0" 0
	is "discourse: ... two posts made, each replying to its post" \
		"$(jq -s -c '[.[] | select(.event == "post")] | .[1:] | map([.topic_id, .reply_to_post_number])' "$TMP/forum.log")" \
		"[$(echo "$t14" | jq -c '[.[0], .[1]]'),$(echo "$t15" | jq -c '[.[0], .[1]]')]"
	is "discourse: ... two published drafts, two post ids" "$(jq -r .published.ext_id out | sort -u | wc -l | tr -d ' ')" 2
fi

# --- e-mail ------------------------------------------------------------------------------

if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
	skip "e-mail: python3-aiosmtpd not installed"
else
	peer smtp smtpd.py --maildir "$TMP/sent" --auth "care:tok-smtp-pw"
	export SM_TEST_SMTP_PW=tok-smtp-pw
	cfg channel.mail.kind email
	cfg channel.mail.url "imap://127.0.0.1:1/INBOX"
	cfg channel.mail.user care
	cfg channel.mail.token-env SM_TEST_SMTP_PW
	cfg channel.mail.smtp "smtp://127.0.0.1:$PORT"
	cfg channel.mail.from "Kundenservice <service@support.example>"
	EI=mail:m2.0815@example.org
	printf '%s\n' '{"id":"mail:m2.0815@example.org","channel":"mail","network":"email","kind":"email","ext_id":"m2.0815@example.org","thread":"mail:m-root.1@example.org","in_reply_to":"mail:m0.0001@support.example","author":{"id":"email:anna@example.org","email":"anna@example.org","name":"Anna Beispiel"},"title":"AW: Re: Rechnung doppelt abgebucht","subject":"AW: Re: Rechnung doppelt abgebucht","references":["m-root.1@example.org","m0.0001@support.example"],"text":"Mir wurde die Rechnung zweimal abgebucht.","lang":"de","created_at":"2026-11-23T08:00:00Z"}' |
		sm-assign >/dev/null 2>err
	is "e-mail: the item's case is open" "$(case_of $EI)" "open -"
	d=$(draft $EI "$(printf 'Hallo Frau Beispiel,\n\ndie doppelte Abbuchung ist storniert.\n\nIhr Kundenservice')")
	approve "$d"
	snap
	publish "e-mail -n: exit 0" 0 -n "$d"
	cp out dry.out
	unchanged "e-mail -n: the store is unchanged"
	is "e-mail -n: no message reached the server" "$(ls "$TMP/sent" 2>/dev/null | wc -l | tr -d ' ')" 0
	is "e-mail -n: the request" "$(jq -r '.would_send | .method + " " + .url' dry.out)" \
		"SMTP smtp://127.0.0.1:$PORT/support.example"
	publish "e-mail: published, exit 0" 0
	is "e-mail: the SMTP server received one message" "$(ls "$TMP/sent" | grep -c '\.eml$')" 1
	msgid=$(jq -r .published.ext_id out)
	is "e-mail: the result record: the Message-ID and its mid: URL" \
		"$(rec '[.state, (.published.ext_id | endswith("@support.example")), .published.url]')" \
		"[\"published\",true,\"mid:$msgid\"]"
	$PY - "$TMP/sent/0001.eml" >parsed 2>&1 <<-'EOF'
	import email, email.policy, sys
	m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
	for h in ("Message-ID", "In-Reply-To", "References", "Subject", "To", "From"):
	    print(h, str(m[h]))
	print("body", repr(m.get_content().replace("\r\n", "\n")))
	EOF
	cat >want <<-EOF
	Message-ID <$msgid>
	In-Reply-To <m2.0815@example.org>
	References <m-root.1@example.org> <m0.0001@support.example> <m2.0815@example.org>
	Subject Re: Rechnung doppelt abgebucht
	To Anna Beispiel <anna@example.org>
	From Kundenservice <service@support.example>
	body 'Hallo Frau Beispiel,\n\ndie doppelte Abbuchung ist storniert.\n\nIhr Kundenservice\n'
	EOF
	cmp_file "e-mail: threaded under the original, Re: subject, to its sender" parsed want
	is "e-mail: the envelope: from us to the customer" \
		"$(jq -r 'select(.file) | "\(.mail_from) \(.rcpt_tos | join(",")) \(.auth_user)"' "$TMP/smtp.log")" \
		"service@support.example anna@example.org care"
	jq -j .would_send.body dry.out >dry.eml
	cmp_file "e-mail: the message sent is byte for byte the one -n printed" "$TMP/sent/0001.eml" dry.eml
	is "e-mail: the case is pending, first response now" "$(case_of $EI)" "pending $SM_NOW"
	is "e-mail: the audit log" "$(audit_of "$d")" "alice draft,bob approve,otto published,"
	publish "e-mail: a second run: exit 0" 0
	is "e-mail: ... sends nothing" "$(cat out):$(ls "$TMP/sent" | grep -c '\.eml$')" ":1"
fi

# --- all at once: a run over every channel --------------------------------------------------

is "every draft published, none left" "$(sqlval "select state, count(*) from drafts group by state")" \
	"published|$(sqlval "select count(*) from drafts")"
ok "the audit chain verifies" quiet env SM_USER=bob sm-approve verify

done_testing
