#!/bin/sh
# 0720-publish-outbox.t - sm-publish end to end on outbox channels (no network): publish,
# a second run that sends nothing, -n byte for byte, named drafts, draft records on stdin
# and a bad line there, who may publish (exit 77), a draft changed after its approval, a
# file that cannot be written (failed, revived by sm-approve edit), two runs at once, and a
# draft left `sending` by a killed run, reconciled without a second line.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-publish >/dev/null || skip_all "sm-publish not built"
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"

export SM_NOW=2026-11-23T10:00:00Z
WS=$TMP/ws
OUT=$WS/outbox.jsonl

# alice writes, bob approves, otto publishes; cron's login may publish too
sm-init -q "$WS" && cat >>"$WS/config" <<'EOF' || { fail "workspace"; done_testing; }
[security]
	identity = env
[channel "site"]
	kind = outbox
	path = outbox.jsonl
[channel "other"]
	kind = outbox
	path = other.jsonl
[channel "broken"]
	kind = outbox
	path = broken.jsonl
[assign]
	default-team = support
[agent "alice"]
	team = support
[agent "bob"]
	role = approver
[agent "otto"]
	role = publisher
[publish]
	login = cron
EOF
export SM_DIR=$WS

# items site:1..site:9, each its own case (its own author)
i=1
while [ $i -le 9 ]; do
	printf '{"id":"site:%s","channel":"site","author":{"id":"k%s","name":"K%s"},"text":"Frage %s","created_at":"2026-11-23T09:00:00Z"}\n' \
		$i $i $i $i
	i=$((i + 1))
done | sm-assign >/dev/null 2>&1 || { fail "items and cases"; done_testing; }

# draft ITEM TEXT [CHANNEL]: alice answers ITEM; prints the draft's number
draft() {
	if [ -n "${3:-}" ]; then
		SM_USER=alice sm-approve draft "$1" --channel "$3" -m "$2" | jq -r .draft
	else
		SM_USER=alice sm-approve draft "$1" -m "$2" | jq -r .draft
	fi
}
approve() { SM_USER=bob sm-approve ok "$@" >/dev/null; }
# pub AGENT ARGS...: sm-publish ARGS as AGENT, stdout to out, stderr to err
pub() {
	_who=$1
	shift
	SM_USER=$_who sm-publish "$@" >out 2>err
}
state() { sqlval "select state from drafts where id = $1"; }
lines() { if [ -e "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

# --- publish -------------------------------------------------------------------------------

d1=$(draft site:1 'Wir schauen nach.')
d2=$(draft site:2 'Danke für die Geduld!')
d3=$(draft site:3 'Noch nicht freigegeben.')
approve "$d1" "$d2"
pub otto
is "publish: exit 0, nothing on stderr" "$?:$(cat err)" "0:"
is "publish: a record per approved draft" "$(jq -c '[.draft, .state]' out | tr '\n' ' ')" \
	"[$d1,\"published\"] [$d2,\"published\"] "
is "publish: the pending draft is not sent" "$(state "$d3")" pending
is "outbox: two lines" "$(lines "$OUT")" 2
is "outbox: each line's text, target, channel, time" \
	"$(jq -c '[.text, .reply_to, .channel, .at]' "$OUT" | tr '\n' ' ')" \
	'["Wir schauen nach.","site:1","site","2026-11-23T10:00:00Z"] ["Danke für die Geduld!","site:2","site","2026-11-23T10:00:00Z"] '
is "outbox: plain ASCII, one object per line" "$(LC_ALL=C grep -c '[^ -~]' "$OUT")" 0
is "outbox: each line's key is its draft's send_key" "$(jq -r .key "$OUT" | tr '\n' ' ')" \
	"$(sqlval "select send_key from drafts where id in ($d1, $d2) order by id" | tr '\n' ' ')"
is "record: published with the line number and a file URL" \
	"$(jq -c "select(.draft == $d2) | .published" out)" \
	"{\"ext_id\":\"2\",\"url\":\"file://$OUT#2\",\"at\":\"$SM_NOW\"}"
is "record: one attempt" "$(jq -c '.attempts' out | tr '\n' ' ')" "1 1 "
is "store: published, claim released" \
	"$(sqlval "select state, published_id, lease_owner is null, lease_until is null from drafts where id = $d1")" \
	"published|1|1|1"
is "case: pending, first response at publishing" \
	"$(sqlval "select status, first_response_at from cases where conversation = 'site:1'")" \
	"pending|$SM_NOW"
is "case of the pending draft: still open" \
	"$(sqlval "select status, first_response_at is null from cases where conversation = 'site:3'")" "open|1"
is "audit: published, by otto, naming the line" \
	"$(sqlval "select actor, action, detail from audit where object = 'draft:$d1' and action = 'published'")" \
	"otto|published|site 1 file://$OUT#1"
is "audit: the case's first response and status, by otto" \
	"$(sqlval "select group_concat(action, ',') from audit where actor = 'otto' and object like 'case:%'")" \
	"first-response,status,first-response,status"
ok "audit: the chain is intact" quiet sm-approve verify

# --- a second run sends nothing -----------------------------------------------------------

cp "$OUT" before.jsonl
pub otto
is "second run: exit 0, no output" "$?:$(cat out)$(cat err)" "0:"
cmp_file "second run: the outbox is unchanged" "$OUT" before.jsonl

# --- -n: what would be sent, byte for byte; nothing sent ----------------------------------

d4=$(draft site:4 'Ein Techniker kommt morgen.')
approve "$d4"
sqlite3 "$WS/store.db" .dump >dump.before
pub otto -n
is "-n: exit 0" "$?:$(cat err)" "0:"
is "-n: the draft, still approved, with what would be sent" \
	"$(jq -c '[.draft, .state, .would_send.method, .would_send.url]' out)" \
	"[$d4,\"approved\",\"APPEND\",\"file://$OUT\"]"
jq -j .would_send.body out >would.line
sqlite3 "$WS/store.db" .dump >dump.after
cmp_file "-n: the store is unchanged" dump.after dump.before
cmp_file "-n: the outbox is unchanged" "$OUT" before.jsonl
pub alice -n
is "-n: needs no publisher role" "$?:$(jq -r .draft out)" "0:$d4"
pub otto
is "after -n: a real run sends it" "$?:$(jq -r .state out)" "0:published"
tail -n 1 "$OUT" >sent.line
cmp_file "-n showed the line byte for byte" sent.line would.line

# --- named drafts ---------------------------------------------------------------------------

d5=$(draft site:5 'Eins.')
d6=$(draft site:6 'Zwei.')
approve "$d5" "$d6"
pub otto "$d6"
is "named: exit 0, only that draft" "$?:$(jq -r .draft out)" "0:$d6"
is "named: the other approved draft is not sent" "$(state "$d5")" approved
n=$(lines "$OUT")
pub otto "$d6"
is "named, published already: its record again, exit 0" "$?:$(jq -r '.state + " " + .published.ext_id' out)" \
	"0:published $n"
is "named, published already: nothing appended" "$(lines "$OUT")" "$n"
pub otto "$d3"
is "named, pending: exit 77, no record" "$?:$(cat out)" "77:"
like "named, pending: says so" err "^sm-publish: draft $d3 is pending, not approved: not sent$"
pub otto 999
is "named, no such draft: exit 65" "$?" 65
like "named, no such draft: says so" err "^sm-publish: no draft 999$"
pub otto x1
is "named, not a number: exit 64" "$?" 64
pub otto -c other "$d5"
is "named with --channel: a draft of another channel is left alone" "$?:$(cat out):$(state "$d5")" "0::approved"

# --- draft records on stdin -----------------------------------------------------------------

d7=$(draft site:7 'Drei.')
d8=$(draft site:8 'Vier.')
SM_USER=bob sm-approve ok "$d7" "$d8" | SM_USER=otto sm-publish - >out 2>err
is "stdin: exit 0" "$?:$(cat err)" "0:"
is "stdin: the drafts read are published" "$(jq -c '[.draft, .state]' out | tr '\n' ' ')" \
	"[$d7,\"published\"] [$d8,\"published\"] "
is "stdin: an approved draft not read is not sent" "$(state "$d5")" approved

n=$(lines "$OUT")
printf '%s\n' "{\"draft\":$d5}" 'no json' | SM_USER=otto sm-publish - >out 2>err
is "stdin, a bad line: exit 65" "$?" 65
like "stdin, a bad line: FILE:LINE:" err '^sm-publish: stdin:2:'
is "stdin, a bad line: nothing sent, not even the good line" "$(lines "$OUT"):$(state "$d5")" "$n:approved"
printf '%s\n' '{"id":"site:1"}' | SM_USER=otto sm-publish - >out 2>err
is "stdin, a record that is no draft: exit 65" "$?" 65
like "stdin, a record that is no draft: says so" err '^sm-publish: stdin:1: not a draft record'

# --- who may publish ------------------------------------------------------------------------

for who in alice bob; do
	pub "$who"
	is "$who (no publisher role): exit 77, no output" "$?:$(cat out)" "77:"
	like "$who: says why" err "^sm-publish: $who has not the publisher role$"
done
sm-publish >out 2>err
is "nobody in particular, not named by publish.login: exit 77" "$?" 77
like "nobody: says why" err 'is no agent with the publisher role and not named by publish.login'
is "refused: nothing sent" "$(lines "$OUT"):$(state "$d5")" "$n:approved"
pub cron
is "cron's login, named by publish.login: exit 0" "$?:$(jq -r .draft out)" "0:$d5"
is "audit: published by cron" "$(sqlval "select actor from audit where object = 'draft:$d5' and action = 'published'")" cron

# --- only what was approved -----------------------------------------------------------------

d9=$(draft site:9 'Freigegebener Text.')
approve "$d9"
sqlval "update drafts set text = 'Gefälschter Text.' where id = $d9"
n=$(lines "$OUT")
pub otto
is "changed after its approval: exit 77, no record" "$?:$(cat out)" "77:"
like "changed after its approval: says so" err "^sm-publish: draft $d9: 0 of 1 approvals are for what it says now"
is "changed after its approval: not sent, still approved" "$(lines "$OUT"):$(state "$d9")" "$n:approved"
pub otto -n "$d9"
is "changed after its approval: -n refuses it too" "$?:$(cat out)" "77:"
SM_USER=alice sm-approve edit "$d9" -m 'Neuer Text.' >/dev/null && approve "$d9"
pub otto
is "edited and approved again: sent" "$?:$(jq -r .text out)" "0:Neuer Text."

# --- an outbox that cannot be written ---------------------------------------------------------

mkdir "$WS/broken.jsonl"
db=$(draft site:1 'Kaputt.' broken)
approve "$db"
pub otto
is "unwritable outbox: exit 65" "$?" 65
is "unwritable outbox: the draft failed, with the reason" "$(jq -c '[.draft, .state, .reason]' out)" \
	"[$db,\"failed\",\"$WS/broken.jsonl: Is a directory\"]"
like "unwritable outbox: reported on stderr" err "^sm-publish: draft $db: broken: $WS/broken.jsonl: Is a directory$"
is "audit: failed, with the reason" \
	"$(sqlval "select action, detail from audit where object = 'draft:$db' and action = 'failed'")" \
	"failed|$WS/broken.jsonl: Is a directory"
pub otto
is "failed: the next run leaves it alone" "$?:$(cat out)" "0:"
pub otto "$db"
is "failed, named: refused (77)" "$?" 77
if [ "$(id -u)" -ne 0 ]; then
	git config -f "$WS/config" channel.ro.kind outbox
	git config -f "$WS/config" channel.ro.path ro.jsonl
	: >"$WS/ro.jsonl" && chmod 444 "$WS/ro.jsonl"
	dr=$(draft site:2 'Nur lesbar.' ro)
	approve "$dr"
	pub otto
	is "read-only outbox file: exit 65" "$?" 65
	like "read-only outbox file: reported" err "^sm-publish: draft $dr: ro: $WS/ro.jsonl: Permission denied$"
	is "read-only outbox file: failed, the file untouched" "$(state "$dr"):$(lines "$WS/ro.jsonl")" "failed:0"
else
	skip "read-only outbox file: root writes it anyway"
	skip "read-only outbox file: reported"
	skip "read-only outbox file: failed, the file untouched"
fi
# revived: fixed, edited, approved again, sent
rmdir "$WS/broken.jsonl"
SM_USER=alice sm-approve edit "$db" -m 'Repariert.' >out 2>err
is "sm-approve edit revives the failed draft: pending" "$?:$(jq -r .state out)" "0:pending"
approve "$db"
pub otto
is "revived: published" "$?:$(jq -r '.state + " " + .text' out)" "0:published Repariert."
is "revived: in the outbox once" "$(grep -c Repariert "$WS/broken.jsonl")" 1
# a failed draft revived with its very text: pending, its approvals void, approved anew
dr=$(draft site:2 'Gleicher Text.' broken)
approve "$dr"
sqlval "UPDATE drafts SET state = 'failed', reason = 'the network said no' WHERE id = $dr"
SM_USER=alice sm-approve edit "$dr" -m 'Gleicher Text.' >out 2>err
is "the same text revives a failed draft: pending, no approval left" \
	"$?:$(jq -c '[.state, (.approvals | length)]' out)" '0:["pending",0]'
is "... recorded as revive in the audit log" \
	"$(sqlval "SELECT action FROM audit WHERE object = 'draft:$dr' ORDER BY seq DESC LIMIT 1")" revive
pub otto "$dr"
is "... not sent before it is approved again" "$?:$(grep -c 'Gleicher' "$WS/broken.jsonl")" "77:0"
SM_USER=bob sm-approve ok "$dr" >/dev/null
is "... the earlier approver may approve it again" "$(state "$dr")" approved
pub otto "$dr"
is "... then sent once" "$?:$(grep -c 'Gleicher' "$WS/broken.jsonl")" "0:1"

# --- config ------------------------------------------------------------------------------------

for kv in 'lease 0s' 'lease soon' 'attempts 0' 'retry x'; do
	set -- $kv
	git config -f "$WS/config" "publish.$1" "$2"
	pub otto
	is "publish.$1 = $2: exit 78" "$?" 78
	git config -f "$WS/config" --unset "publish.$1"
done

# --- two runs at once -------------------------------------------------------------------------

i=1
while [ $i -le 30 ]; do
	printf '{"channel":"other","text":"Beitrag %s","batch":"many"}\n' $i
	i=$((i + 1))
done | SM_USER=alice sm-approve submit >/dev/null &&
	SM_USER=bob sm-approve list --batch many | SM_USER=bob sm-approve ok - >/dev/null
SM_USER=otto sm-publish >run1.out 2>run1.err &
p1=$!
SM_USER=otto sm-publish >run2.out 2>run2.err &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
is "two runs at once: both exit 0" "$r1 $r2" "0 0"
is "two runs at once: 30 records in all" "$(cat run1.out run2.out | jq -r .draft | sort -u | wc -l | tr -d ' ')" 30
is "two runs at once: 30 lines, each key once" \
	"$(lines "$WS/other.jsonl") $(jq -r .key "$WS/other.jsonl" | sort -u | wc -l | tr -d ' ')" "30 30"
is "two runs at once: every draft published" \
	"$(sqlval "select count(*) from drafts where batch = 'many' and state = 'published'")" 30

# --- a draft left `sending` by a killed run is reconciled -------------------------------------

host=$(uname -n)
sh -c 'exit 0' &
dead=$!
wait $dead
dk=$(draft site:3 'Nach dem Absturz.')
approve "$dk"
# the killed run had claimed it and appended its line, but not recorded the post
pub otto -n "$dk"
jq -j .would_send.body out >>"$OUT"
key=$(jq -r .would_send.body out | jq -r .key)
n=$(lines "$OUT")
sqlval "update drafts set state = 'sending', lease_owner = '$host:$dead:0',
	lease_until = '2026-11-23T10:10:00Z', send_key = '$key', attempts = 1 where id = $dk"
pub otto -v
is "reconcile: exit 0" "$?" 0
is "reconcile: published as the line already there" "$(jq -c '[.draft, .state, .published.ext_id]' out)" \
	"[$dk,\"published\",\"$n\"]"
is "reconcile: no second line" "$(lines "$OUT"):$(grep -c "$key" "$OUT")" "$n:1"
like "reconcile: a warning says so" err "^sm-publish: draft $dk: a run that was sending it did not finish"
like "reconcile: -v counts it" err ', 1 reconciled$'
is "audit: reconcile names the dead run, then published" \
	"$(sqlval "select action || ': ' || detail from audit where object = 'draft:$dk' and action in ('reconcile', 'published') order by seq")" \
	"reconcile: claimed by $host:$dead:0, which did not finish
published: site $n file://$OUT#$n"
is "reconcile: the case is answered" \
	"$(sqlval "select status from cases where conversation = 'site:3'")" pending

# a claim by a live run whose lease holds is left alone, even when named
sleep 60 &
live=$!
echo $live >"$TMP/live.pid"
ticks=$(sed 's/.*) //' "/proc/$live/stat" | cut -d' ' -f20)
dl=$(draft site:4 'Noch unterwegs.')
approve "$dl"
sqlval "update drafts set state = 'sending', lease_owner = '$host:$live:$ticks',
	lease_until = '2026-11-23T10:10:00Z', send_key = 'smkit-$dl-live', attempts = 1 where id = $dl"
n=$(lines "$OUT")
pub otto "$dl"
is "live claim: exit 0, no record" "$?:$(cat out)" "0:"
like "live claim: named, says who sends it" err "^sm-publish: draft $dl is being sent by $host:$live:$ticks"
is "live claim: still sending, nothing appended" "$(state "$dl"):$(lines "$OUT")" "sending:$n"
# its lease ran out: taken over and sent with its key, once
SM_NOW=2026-11-23T10:11:00Z pub otto
is "lease ran out: reconciled and published" "$?:$(jq -r .state out)" "0:published"
is "lease ran out: one line, with the claim's key" "$(lines "$OUT"):$(grep -c "smkit-$dl-live" "$OUT")" "$((n + 1)):1"
kill "$live" 2>/dev/null

ok "audit: the chain is intact at the end" quiet sm-approve verify

# --- sm-fetch leaves outboxes out -----------------------------------------------------------
sm-fetch -v >out 2>err
is "sm-fetch of every channel: exit 0, no word of the outboxes" "$?:$(grep -c -e "'site'" -e "'broken'" -e 'site:' err)" "0:0"
exits "sm-fetch -c OUTBOX: exit 64" 64 sm-fetch -c site
sm-fetch -c site 2>err
like "... the message says why" err "channel 'site' is an outbox: it is only sent to"

done_testing
