#!/bin/sh
# 0711-publish-faults.t - sm-publish when the network, the config or the store is not as it
# should be, against mastodon_replay.py in script mode: a 429 with Retry-After waited out
# within the run; a 503 that lasts leaves the draft approved with its next attempt (exit
# 75), and a later run publishes it, or gives up after publish.attempts; a 422 and a text
# over the limit end in failed with the reason (exit 65) until sm-approve edit revives the
# draft for approval again; a channel's config error (78) leaves its drafts as they were; a
# draft edited in the store after its approval is refused (77) and stays approved; a user
# without the publisher role is refused (77); publish.login lets cron's login publish.
# Then Discourse (429, 503, 422) and SMTP (451, 550).
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/publish.sh"

$PY -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed (mastodon_replay.py needs it)"

pubws || { fail "workspace"; done_testing; }
export SM_TEST_MASTODON_TOKEN=tok-mastodon-1
cfg channel.masto.kind mastodon
cfg channel.masto.token-env SM_TEST_MASTODON_TOKEN

VERIFY='{"method": "GET", "path": "/api/v1/accounts/verify_credentials", "times": 0, "body": {"id": "1", "username": "smkit", "acct": "smkit"}}'
# masto NAME [SCRIPT-LINE...]: a new peer NAME with these script lines (after one that
# answers verify_credentials), the channel's url set to it; M is its base
masto() {
	_mn=$1
	shift
	printf '%s\n' "$VERIFY" "$@" >"$_mn.script"
	peer "$_mn" mastodon_replay.py --script "$_mn.script" --token "$SM_TEST_MASTODON_TOKEN"
	M=http://127.0.0.1:$PORT
	cfg channel.masto.url "$M"
}
# posts NAME: "STATUS:CREATED" of each POST the peer logged, space-separated
posts() { jq -s -r '[.[] | select(.method == "POST") | "\(.status):\(.created // false)"] | join(" ")' "$TMP/$1.log"; }
# keys NAME: the distinct Idempotency-Keys of its POSTs
keys() { jq -s -r '[.[] | select(.method == "POST") | .idempotency_key] | unique | join(" ")' "$TMP/$1.log"; }
# item N: store the mention masto:11000000000000000N and open its case
item() {
	printf '{"id":"masto:11000000000000000%s","channel":"masto","network":"mastodon","kind":"mention","ext_id":"11000000000000000%s","author":{"id":"mastodon:kunde%s@social.example","handle":"@kunde%s@social.example","name":"Kunde"},"text":"Frage %s","visibility":"public","created_at":"2026-11-23T09:00:00Z"}\n' \
		"$1" "$1" "$1" "$1" "$1" | sm-assign >/dev/null
}
for i in 1 2 3 4 5 6 7; do item $i; done

# --- 429 with Retry-After: waited out in the run ---------------------------------------------

masto m429 '{"method": "POST", "path": "/api/v1/statuses", "status": 429, "headers": {"Retry-After": "1"}}'
d=$(draft masto:110000000000000001 "Wir sind dran.")
approve "$d"
publish "429: published in the same run, exit 0" 0
is "429: the result record" "$(rec '[.draft, .state, (.published.ext_id | length > 0)]')" "[$d,\"published\",true]"
is "429: the server answered 429, then created the status once" "$(posts m429)" "429:false 200:true"
is "429: both tries with the draft's one key" "$(keys m429)" "$(sqlval "select send_key from drafts where id = $d")"
is "429: the second try came after the Retry-After second" \
	"$(jq -s '[.[] | select(.method == "POST") | .t] | .[1] - .[0] >= 1' "$TMP/m429.log")" true
is "429: one attempt in the store (the retry was within it)" "$(sqlval "select attempts from drafts where id = $d")" 1
is "429: the case is answered" "$(case_of masto:110000000000000001)" "pending $SM_NOW"
stop_peer m429

# --- 503 that lasts: left approved for a later run -------------------------------------------

# fetch.attempts = 2: two tries in a run, both answered 503
masto m503 '{"method": "POST", "path": "/api/v1/statuses", "status": 503, "times": 2}'
d=$(draft masto:110000000000000002 "Wir melden uns gleich.")
approve "$d"
publish "503: exit 75 (a temporary failure, cron tries again)" 75
is "503: the result record: approved, the next attempt in a minute (publish.retry)" \
	"$(rec '[.draft, .state, .next_attempt, .attempts, has("published")]')" \
	"[$d,\"approved\",\"2026-11-23T10:01:00Z\",1,false]"
like "503: says so on stderr" err "^sm-publish: draft $d: masto: .*503.*tried again later"
is "503: the store: approved, the reason, no claim left" \
	"$(sqlval "select state, next_attempt, lease_owner is null, reason like '%503%' from drafts where id = $d")" \
	"approved|2026-11-23T10:01:00Z|1|1"
is "503: the audit log: a retry" "$(audit_of "$d")" "alice draft,bob approve,otto retry,"
is "503: the case is still open" "$(case_of masto:110000000000000002)" "open -"
is "503: two tries, nothing created" "$(posts m503)" "503:false 503:false"
publish "503: a run before the next attempt: exit 0" 0
is "503: ... sends nothing, prints nothing" "$(cat out):$(posts m503)" ":503:false 503:false"
SM_NOW=2026-11-23T10:01:00Z publish "503: a run at the next attempt: exit 0" 0
is "503: ... published" "$(rec '[.draft, .state, .attempts, .published.at]')" \
	"[$d,\"published\",2,\"2026-11-23T10:01:00Z\"]"
is "503: the server created it once, all tries with one key" "$(posts m503):$(keys m503)" \
	"503:false 503:false 200:true:$(sqlval "select send_key from drafts where id = $d")"
is "503: the case is answered then" "$(case_of masto:110000000000000002)" "pending 2026-11-23T10:01:00Z"
stop_peer m503

# publish.attempts runs of 503: then it is given up, failed
masto mgone '{"method": "POST", "path": "/api/v1/statuses", "status": 503, "times": 0}'
cfg publish.attempts 2
d=$(draft masto:110000000000000001 "Noch eine Antwort.")
approve "$d"
publish "503 always: the first run leaves it for later, exit 75" 75
SM_NOW=2026-11-23T10:01:00Z publish "503 always: the second, the last of publish.attempts = 2: exit 65" 65
is "503 always: failed, saying how often it was tried" "$(rec '[.draft, .state, .reason, .attempts]')" \
	"[$d,\"failed\",\"HTTP 503: Service Unavailable; gave up after 2 attempts\",2]"
SM_NOW=2026-11-23T11:00:00Z publish "503 always: a later run leaves it: exit 0" 0
is "503 always: four tries in two runs, nothing created" "$(posts mgone)" "503:false 503:false 503:false 503:false"
cfg --unset publish.attempts
stop_peer mgone

# --- 422: failed with the server's message; edit revives it ----------------------------------

masto m422
cfg channel.masto.max-chars 1000 # let the server judge the length
long=$(printf 'Lange Antwort %.0s' $(seq 1 40))
d=$(draft masto:110000000000000003 "$long")
approve "$d"
publish "422: exit 65 (failed)" 65
is "422: the result record: failed, the server's message as the reason" "$(rec '[.draft, .state, .reason]')" \
	"[$d,\"failed\",\"HTTP 422: Validation failed: Text character limit of 500 exceeded\"]"
like "422: says so on stderr" err "^sm-publish: draft $d: masto: HTTP 422: Validation failed: Text character limit of 500 exceeded$"
is "422: the store: failed, no next attempt" "$(sqlval "select state, next_attempt is null from drafts where id = $d")" "failed|1"
is "422: the audit log" "$(audit_of "$d")" "alice draft,bob approve,otto failed,"
is "422: the case is still open" "$(case_of masto:110000000000000003)" "open -"
publish "422: a later run leaves it: exit 0" 0
is "422: ... sends nothing" "$(cat out):$(posts m422)" ":422:false"
publish "422: named, a failed draft is refused: exit 77" 77 "$d"
like "422: ... saying why" err "draft $d is failed, not approved: not sent"
SM_USER=alice sm-approve edit "$d" -m "Kurze Antwort: erledigt." >edit.out 2>err
is "422: sm-approve edit revives it: pending, no approval" "$?:$(jq -c '[.state, .approvals, has("reason")]' edit.out)" \
	'0:["pending",[],false]'
publish "422: pending after the edit, not sent: exit 0" 0
is "422: ... nothing sent" "$(cat out):$(posts m422)" ":422:false"
approve "$d"
publish "422: approved again, published: exit 0" 0
is "422: ... the new text" "$(rec '[.state, .text]'):$(jq -s -r '[.[] | select(.method == "POST")] | last | .body | fromjson | .status' "$TMP/m422.log")" \
	'["published","Kurze Antwort: erledigt."]:@kunde3@social.example Kurze Antwort: erledigt.'
cfg --unset channel.masto.max-chars

# a failed draft revived without changing its text (the text was fine, the network was not)
d=$(draft masto:110000000000000003 "Wir prüfen das.")
approve "$d"
sqlite3 "$WS/store.db" "UPDATE drafts SET state = 'failed', reason = 'HTTP 403: gesperrt' WHERE id = $d"
SM_USER=alice sm-approve edit "$d" -m "Wir prüfen das." >edit.out 2>err
is "sm-approve edit with the same text revives a failed draft: pending, no approval" \
	"$?:$(state "$d"):$(jq -c .approvals edit.out)" "0:pending:[]"
sqlite3 "$WS/store.db" "UPDATE drafts SET state = 'rejected' WHERE id = $d"

# over the limit the adapter knows: failed before anything is sent
d=$(draft masto:110000000000000004 "$long")
approve "$d"
n=$(nposts m422)
publish "over 500 characters: exit 65" 65
is "over 500 characters: failed, saying why, nothing sent" "$(rec '[.state, .reason]'):$(nposts m422)" \
	"[\"failed\",\"the text has 568 characters, more than the server's 500\"]:$n"
stop_peer m422

# --- the channel's config is wrong: the drafts stay as they are ------------------------------------

masto mconf
d=$(draft masto:110000000000000004 "Die Leitung ist wieder frei.")
approve "$d"
SM_TEST_MASTODON_TOKEN= publish "the token's variable not set (cron's environment): exit 78" 78
like "... saying why" err "^sm-publish: draft $d: channel 'masto': token-env names SM_TEST_MASTODON_TOKEN, which is not set: not sent$"
is "... nothing printed, nothing sent" "$(cat out):$(nposts mconf)" ":0"
is "... the draft is approved as it was, no attempt counted, no reason" \
	"$(sqlval "select state, attempts, reason is null, next_attempt is null, lease_owner is null from drafts where id = $d")" \
	"approved|0|1|1|1"
cfg channel.gone.kind mastodon
e=$(SM_USER=alice sm-approve submit <<-EOF | jq -r .draft
	{"channel":"gone","text":"Ein Beitrag auf einem Kanal, den es bald nicht mehr gibt."}
	EOF
)
cfg --remove-section channel.gone
approve "$e"
publish "a draft of a channel no longer in the config: exit 78" 78
like "... saying why" err "no channel 'gone'"
is "... the other draft is published all the same" "$(rec '[.draft, .state]')" "[$d,\"published\"]"
is "... the draft of the channel gone stays as it was" "$(sqlval "select state, attempts from drafts where id = $e")" \
	"approved|0"
sqlite3 "$WS/store.db" "UPDATE drafts SET state = 'rejected' WHERE id = $e"
stop_peer mconf

# --- a draft edited in the store after its approval ---------------------------------------------

masto mtamper
d=$(draft masto:110000000000000005 "Ihr Vertrag bleibt unverändert.")
approve "$d"
sqlite3 "$WS/store.db" "UPDATE drafts SET text = 'Ihr Vertrag wird gekündigt.' WHERE id = $d"
snap
publish "edited behind sm-approve's back: exit 77" 77
like "... saying why" err "^sm-publish: draft $d: 0 of 1 approvals are for what it says now: it was changed after it was approved: not sent$"
is "... prints nothing, sends nothing" "$(cat out):$(nposts mtamper)" ":0"
unchanged "... the store is unchanged: still approved"
publish "... named: exit 77 too" 77 "$d"
is "... still nothing sent" "$(nposts mtamper)" 0
sqlite3 "$WS/store.db" "UPDATE drafts SET text = 'Ihr Vertrag bleibt unverändert.', reply_to = 'masto:110000000000000006' WHERE id = $d"
publish "the same text to another item: exit 77" 77 "$d"
is "... nothing sent" "$(nposts mtamper)" 0
sqlite3 "$WS/store.db" "UPDATE drafts SET reply_to = 'masto:110000000000000005' WHERE id = $d"
publish "as approved again: published, exit 0" 0
is "... the approved text, to the approved item" \
	"$(jq -s -c '[.[] | select(.method == "POST") | .body | fromjson | [.status, .in_reply_to_id]]' "$TMP/mtamper.log")" \
	'[["@kunde5@social.example Ihr Vertrag bleibt unverändert.","110000000000000005"]]'

# --- who may publish ---------------------------------------------------------------------------

d=$(draft masto:110000000000000006 "Wir haben den Techniker für morgen bestellt.")
approve "$d"
snap
PUBLISHER=alice publish "an agent without the publisher role: exit 77" 77
like "... saying why" err "^sm-publish: alice has not the publisher role$"
PUBLISHER=bob publish "an approver: exit 77" 77
PUBLISHER=cron publish "a login that is no agent: exit 77" 77
like "... saying why" err "^sm-publish: the login cron is no agent with the publisher role and not named by publish.login$"
is "... none sent anything" "$(cat out):$(nposts mtamper)" ":1"
unchanged "... nor changed the store"
cfg publish.login cron
PUBLISHER=cron publish "[publish] login = cron: cron publishes, exit 0" 0
is "... the draft" "$(rec '[.draft, .state]')" "[$d,\"published\"]"
is "... the audit log names cron" "$(audit_of "$d")" "alice draft,bob approve,cron published,"
d=$(draft masto:110000000000000007 "Der Techniker kommt morgen zwischen 8 und 12 Uhr.")
approve "$d"
cfg --add publish.login "$(id -un)"
PUBLISHER= publish "no SM_USER: the unix login, named by publish.login, publishes: exit 0" 0
is "... the audit log names it" "$(audit_of "$d")" "alice draft,bob approve,$(id -un) published,"
is "all that was sent" "$(posts mtamper)" "200:true 200:true 200:true"

# --- Discourse: 429, 503, 422 -------------------------------------------------------------------

if [ ! -d "$SM_CORPUS/discourse" ]; then
	skip "discourse: no corpus at $SM_CORPUS/discourse"
else
	export SM_TEST_DC_KEY=tok-discourse-key
	: >faults
	peer forum discourse_server.py --corpus "$SM_CORPUS/discourse" --api-key "$SM_TEST_DC_KEY" --faults "$TMP/faults"
	cfg channel.forum.kind discourse
	cfg channel.forum.url "http://127.0.0.1:$PORT"
	cfg channel.forum.username care
	cfg channel.forum.token-env SM_TEST_DC_KEY
	sm-fetch -c forum 2>err | sm-assign >fetched 2>>err
	is "discourse: posts 15, 14 and 10 fetched" "$(jq -r 'select(.ext_id == "15" or .ext_id == "14" or .ext_id == "10") | .ext_id' fetched | sort -n | tr '\n' ' ')" "10 14 15 "
	made() { jq -s '[.[] | select(.event == "post")] | length' "$TMP/forum.log"; }
	answers() { jq -s -r '[.[] | select(.method == "POST") | .status] | join(" ")' "$TMP/forum.log"; }

	echo '{"method": "POST", "path": "/posts.json", "status": 429, "headers": {"Retry-After": "1"}}' >faults
	d=$(draft forum:15 "Danke, die Technik kümmert sich um das Problem.")
	approve "$d"
	publish "discourse 429: published in the same run, exit 0" 0
	is "discourse 429: published" "$(rec '[.draft, .state]')" "[$d,\"published\"]"
	is "discourse 429: the forum answered 429, then made the post once" "$(answers):$(made)" "429 200:1"
	is "discourse 429: the second try after the Retry-After second" \
		"$(jq -s '[.[] | select(.method == "POST") | .t] | .[1] - .[0] >= 1' "$TMP/forum.log")" true

	echo '{"method": "POST", "path": "/posts.json", "status": 503, "times": 2}' >faults
	d=$(draft forum:14 "Wir haben die Störung an die Technik weitergegeben.")
	approve "$d"
	publish "discourse 503: exit 75" 75
	is "discourse 503: approved, next attempt in a minute" "$(rec '[.draft, .state, .next_attempt]')" \
		"[$d,\"approved\",\"2026-11-23T10:01:00Z\"]"
	is "discourse 503: nothing made" "$(answers):$(made)" "429 200 503 503:1"
	SM_NOW=2026-11-23T10:01:00Z publish "discourse 503: the next run publishes it: exit 0" 0
	is "discourse 503: ... once, in the thread" \
		"$(rec .state):$(made):$(jq -s -c '[.[] | select(.event == "post")] | last | [.topic_id, .reply_to_post_number]' "$TMP/forum.log")" \
		"\"published\":2:$(jq -c 'select(.ext_id == "14") | [.topic_id, .post_number]' fetched)"

	: >faults
	d=$(draft forum:10 "Zu kurz.")
	approve "$d"
	publish "discourse 422: exit 65" 65
	is "discourse 422: failed with the forum's message" "$(rec '[.draft, .state, (.reason | startswith("HTTP 422: "))]')" \
		"[$d,\"failed\",true]"
	like "discourse 422: the forum's words" out '"reason":"HTTP 422: [^"]*(short|characters)'
	is "discourse 422: nothing made" "$(made)" 2
fi

# --- e-mail: 451 (try again later), 550 (no such user) ------------------------------------------

if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
	skip "e-mail: python3-aiosmtpd not installed"
else
	peer smtp smtpd.py --maildir "$TMP/sent" --tempfail 1 --reject nobody@example.org
	cfg channel.mail.kind email
	cfg channel.mail.url "imap://127.0.0.1:1/INBOX"
	cfg channel.mail.smtp "smtp://127.0.0.1:$PORT"
	cfg channel.mail.from "Kundenservice <service@support.example>"
	for who in anna nobody; do
		printf '{"id":"mail:%s.1@example.org","channel":"mail","network":"email","kind":"email","ext_id":"%s.1@example.org","author":{"id":"email:%s@example.org","email":"%s@example.org","name":"%s"},"subject":"Rechnung","text":"Frage","created_at":"2026-11-23T08:00:00Z"}\n' \
			$who $who $who $who $who
	done | sm-assign >/dev/null 2>err
	mails() { ls "$TMP/sent" 2>/dev/null | grep -c '\.eml$'; }
	d=$(draft mail:anna.1@example.org "Die Rechnung ist korrigiert.")
	approve "$d"
	publish "smtp 451: exit 75" 75
	is "smtp 451: approved, next attempt in a minute, the server's words" \
		"$(rec '[.draft, .state, .next_attempt]'):$(sqlval "select reason like '%451%' from drafts where id = $d")" \
		"[$d,\"approved\",\"2026-11-23T10:01:00Z\"]:1"
	is "smtp 451: no message accepted" "$(mails)" 0
	SM_NOW=2026-11-23T10:01:00Z publish "smtp 451: the next run sends it: exit 0" 0
	is "smtp 451: published, one message" "$(rec .state):$(mails)" '"published":1'
	d=$(draft mail:nobody.1@example.org "Die Rechnung ist korrigiert.")
	approve "$d"
	SM_NOW=2026-11-23T10:01:00Z publish "smtp 550: exit 65" 65
	is "smtp 550: failed with the server's refusal" "$(rec '[.draft, .state, (.reason | test("550"))]')" \
		"[$d,\"failed\",true]"
	is "smtp 550: no message" "$(mails)" 1
fi

ok "the audit chain verifies" quiet env SM_USER=bob sm-approve verify

done_testing
