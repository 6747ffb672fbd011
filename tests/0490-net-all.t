#!/bin/sh
# Every kind of channel in one sm-fetch run, at once: feed, exec, mastodon, bluesky,
# discourse and email, each against its local peer; each channel's items stored and
# printed, one secret per network never shown, and one failing network leaving the
# others' items stored.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-fetch >/dev/null || skip_all "sm-fetch not built"
command -v jq >/dev/null || skip_all "jq not installed"
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 not installed"
[ -d "$SM_CORPUS/mastodon" ] && [ -d "$SM_CORPUS/discourse" ] ||
	skip_all "no corpus at $SM_CORPUS"
PY=/usr/bin/python3
export MA_TOKEN=tok-MASTODON-1234 BS_PW=tok-BLUESKY-5678 DC_TOKEN=tok-DISCOURSE-9012 MAIL_PW=tok-MAIL-3456

# start NAME SCRIPT ARGS...: a peer on a free port; its base URL in $NAME_URL
start() {
	pn=$1 ps=$2
	shift 2
	$PY "$SM_SRC/tests/lib/$ps" "$@" --port 0 --port-file "$TMP/$pn.port" \
		--pid-file "$TMP/$pn.pid" --log "$TMP/$pn.log" 2>"$TMP/$pn.err" &
	_i=0
	while [ ! -s "$TMP/$pn.port" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -s "$TMP/$pn.port" ] || { echo "Bail out! $pn did not start: $(cat "$TMP/$pn.err")"; exit 1; }
	eval "${pn}_URL=http://127.0.0.1:$(cat "$TMP/$pn.port")"
}

start ma mastodon_replay.py --cassette "$SM_CORPUS/mastodon/test_notifications_mentions_only.yaml" \
	--token "$MA_TOKEN" --ignore-param limit --empty-pages
cat > bsky.json <<EOF
{"accounts": [{"handle": "support.example.com", "did": "did:plc:support", "password": "$BS_PW"},
              {"handle": "kunde.example.com", "did": "did:plc:kunde", "password": "x"}],
 "notifications": [{"author": "kunde.example.com", "reason": "mention",
   "uri": "at://did:plc:kunde/app.bsky.feed.post/3knote0000001", "indexedAt": "2026-11-23T10:01:00.000Z",
   "record": {"\$type": "app.bsky.feed.post", "text": "@support.example.com Störung in Köln",
              "createdAt": "2026-11-23T10:01:00.000Z"}}]}
EOF
start bs bsky_server.py --data bsky.json
start dc discourse_server.py --corpus "$SM_CORPUS/discourse" --api-key "$DC_TOKEN"

WS=$TMP/ws
sm-init -q "$WS"
cfg() { git config -f "$WS/config" "$@"; }
for c in $(cfg --name-only --get-regexp '^channel\..*\.kind$'); do
	c=${c#channel.}
	cfg --remove-section "channel.${c%.kind}"
done
cfg fetch.attempts 1
printf '<rss version="2.0"><channel><item><guid>g1</guid><title>Feed item</title></item></channel></rss>\n' > feed.xml
cfg channel.blog.kind feed
cfg channel.blog.url "file://$TMP/feed.xml"
cfg channel.script.kind exec
cfg channel.script.command 'printf "{\"ext_id\":\"s1\",\"text\":\"from a script\"}\n"'
cfg channel.social.kind mastodon
cfg channel.social.url "$ma_URL/"
cfg channel.social.token-env MA_TOKEN
cfg channel.sky.kind bluesky
cfg channel.sky.url "$bs_URL/"
cfg channel.sky.identifier support.example.com
cfg channel.sky.token-env BS_PW
cfg channel.forum.kind discourse
cfg channel.forum.url "$dc_URL/"
cfg channel.forum.username care
cfg channel.forum.token-env DC_TOKEN

# e-mail joins when the real IMAP server is here
MAIL=
if [ -r "$SM_SRC/tests/lib/dovecot.sh" ] && . "$SM_SRC/tests/lib/dovecot.sh" && dovecot_available 2>/dev/null; then
	dovecot_start care "$MAIL_PW" >/dev/null 2>&1 && MAIL=yes
fi
if [ -n "$MAIL" ]; then
	printf 'From: Kunde <kunde@example.net>\nTo: care@example.com\nSubject: Rechnung\nMessage-ID: <m1@example.net>\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nMeine Rechnung ist falsch.\n' > m1.eml
	dovecot_deliver m1.eml
	cfg channel.mail.kind email
	cfg channel.mail.url "imap://127.0.0.1:$IMAP_PORT/INBOX"
	cfg channel.mail.user care
	cfg channel.mail.token-env MAIL_PW
fi

KINDS="blog script social sky forum${MAIL:+ mail}"
sm-fetch --dir "$WS" -v -v > out 2> err
is "all kinds in one run: exit 0" "$?" 0
[ -s err ] && diag "$(grep -v ': http: ' err | head -5)"
for ch in $KINDS; do
	n=$(sqlite3 "$WS/store.db" "select count(*) from items where channel = '$ch'")
	ok "$ch: items stored ($n)" [ "$n" -gt 0 ]
	ok "$ch: and printed" quiet grep -q "\"channel\":\"$ch\"" out
done
is "every printed line is a stored item" "$(wc -l < out)" "$(sqlite3 "$WS/store.db" 'select count(*) from items')"
# the networks were asked at the same time: their requests overlap
for peer in ma bs dc; do
	ok "$peer: asked" [ -s "$TMP/$peer.log" ]
done
for s in "$MA_TOKEN" "$BS_PW" "$DC_TOKEN" "$MAIL_PW"; do
	nok "secret ${s%%-*}-…: nowhere in output, trace or store" \
		grep -aq -- "$s" out err "$WS/store.db" "$WS/store.db-wal"
done

# one network down: the others still fetch, the run says 75
kill "$(cat "$TMP/dc.pid")"
sleep 0.2
sqlite3 "$WS/store.db" "delete from cursors where channel = 'script'"
sm-fetch --dir "$WS" -q > out2 2> err2
is "one network down: exit 75" "$?" 75
like "the message names the channel" err2 'forum: .*'
ok "the others still ran: the script's items are known again, not lost" \
	[ "$(sqlite3 "$WS/store.db" "select count(*) from items where channel = 'script'")" -eq 1 ]
[ -n "$MAIL" ] && dovecot_stop >/dev/null 2>&1
done_testing
