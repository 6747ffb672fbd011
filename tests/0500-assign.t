#!/bin/sh
# 0500-assign.t - sm-assign as a filter: items into cases (threads; direct messages and
# e-mail per author until resolved), idempotent re-runs, our own replies (pending, first
# response), customers writing back (open), a resolved thread reopened and a resolved DM
# followed by a new case, routing (rule team > policy route-to > default team) and the
# policy that sets the due times, bad input.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-assign >/dev/null || skip_all "sm-assign not built"
command -v jq >/dev/null || skip_all "jq not installed"

# mkws NAME: a new workspace $TMP/NAME with the config on stdin appended; it becomes the
# current one (SM_DIR, and WS for sqlval)
mkws() {
	rm -rf "${TMP:?}/$1" && sm-init -q "$TMP/$1" && cat >>"$TMP/$1/config" || return 1
	WS=$TMP/$1 SM_DIR=$TMP/$1
	export SM_DIR
}
# it ID CHANNEL AUTHOR CREATED_AT [JSON...]: an item; the JSON is added as more fields
it() {
	printf '{"id":"%s","channel":"%s","author":{"id":"%s","handle":"@%s"},"text":"text of %s","created_at":"%s"%s}\n' \
		"$1" "$2" "$3" "$3" "$1" "$4" "${5:-}"
}
# field ID EXPR [FILE]: jq EXPR on the printed item ID (in out)
field() { jq -c --arg id "$1" "select(.id == \$id) | $2" "${3:-out}"; }
# case_of ID: the case the store has item ID in
case_of() { sqlval "select case_id from case_items where item_id = '$1'"; }
# events CASE: the case's history as "actor what old new note" lines, joined by |
events() {
	sqlval "select actor || ' ' || what || ' ' || coalesce(old, '-') || ' ' || coalesce(new, '-')
		|| ' ' || coalesce(note, '-') from case_events where case_id = $1 order by id" | tr '\n' '|'
}

# --- grouping into cases ----------------------------------------------------------------

mkws g <<'EOF' || { fail "workspace g"; done_testing; }
[security]
	identity = env
[assign]
	default-team = support
[team "support"]
	strategy = round-robin
[agent "alice"]
	team = support
[agent "bob"]
	team = support
[agent "root"]
	role = admin
[channel "m"]
	kind = feed
	self = @Acme@social.example
	self = acme-id
[policy "p"]
	first-response = 1h
	resolution = 8h
EOF

{
	it m:1 m u1 2026-11-23T09:00:00Z ',"thread":"m:t1","kind":"mention"'
	it m:2 m u2 2026-11-23T09:05:00Z ',"thread":"m:t2","kind":"mention"'
	it m:3 m u3 2026-11-23T09:10:00Z ',"thread":"m:t1","kind":"reply"'
	it m:4 m d1 2026-11-23T09:15:00Z ',"thread":"m:x1","kind":"direct"'
	it m:5 m d1 2026-11-23T09:20:00Z ',"thread":"m:x2","kind":"direct"'
	it m:6 m d2 2026-11-23T09:20:00Z ',"kind":"direct"'
	it n:1 n d1 2026-11-23T09:25:00Z ',"kind":"direct"'
	it m:7 m e1 2026-11-23T09:30:00Z ',"kind":"email","thread":"<a@x>"'
	it m:8 m e1 2026-11-23T09:35:00Z ',"network":"email","kind":"mention","thread":"<b@x>"'
	it m:9 m u9 2026-11-23T09:40:00Z
} >g1.jsonl
SM_NOW=2026-11-23T10:00:00Z sm-assign g1.jsonl >out 2>err
is "filter: exit 0, nothing on stderr" "$?:$(cat err)" "0:"
is "filter: every item printed, in order" "$(jq -r .id out | tr '\n' ' ')" "m:1 m:2 m:3 m:4 m:5 m:6 n:1 m:7 m:8 m:9 "
is "filter: the input's fields pass through" "$(field m:4 '[.kind, .thread, .author.handle, .text]')" \
	'["direct","m:x1","@d1","text of m:4"]'
is "a new case: case, team, assignee, status, due" \
	"$(field m:1 '[.case, .team, .assignee, .status, .due]')" '[1,"support","alice","open","2026-11-23T10:00:00Z"]'
is "a thread's items share its case" "$(field m:3 .case)" 1
is "another thread: another case" "$(field m:2 '[.case, .assignee]')" '[2,"bob"]'
is "direct messages of one author: one case, whatever their thread" \
	"$(field m:4 .case) $(field m:5 .case)" "3 3"
is "another author's direct message: another case" "$(field m:6 .case)" 4
is "the same author on another channel: another case" "$(field n:1 .case)" 5
is "e-mail (kind email, network email): one case per author" "$(field m:7 .case) $(field m:8 .case)" "6 6"
is "an item without a thread: a case of its own" "$(field m:9 .case)" 7
is "conversations: thread, or dm:CHANNEL:AUTHOR" \
	"$(sqlval 'select conversation from cases order by id' | tr '\n' ' ')" \
	"m:t1 m:t2 dm:m:d1 dm:m:d2 dm:n:d1 dm:m:e1 m:9 "
is "every item is stored and in one case" \
	"$(sqlval 'select count(*) from items') $(sqlval 'select count(*), count(distinct item_id) from case_items')" "10 10|10"
is "opened_at is the first item's created_at" "$(sqlval 'select opened_at from cases where id = 3')" \
	2026-11-23T09:15:00Z
is "resolution_due from the policy" "$(sqlval 'select resolution_due from cases where id = 1')" \
	2026-11-23T17:00:00Z
is "the events of a new case: opened, assigned, status; by sm-assign" "$(events 1)" \
	"sm-assign opened - m:t1 -|sm-assign assigned - alice round-robin|sm-assign status new open -|"

# --- our own replies, the customer writing back -------------------------------------------

{
	it m:10 m acme-id 2026-11-23T10:30:00Z ',"thread":"m:t1"'
	printf '%s\n' '{"id":"m:11","channel":"m","thread":"m:t1","author":{"id":"x","handle":"@acme@SOCIAL.example"},"text":"more","created_at":"2026-11-23T10:40:00Z"}'
	it m:12 m acme-id 2026-11-23T10:45:00Z ',"thread":"m:t99"'
} >g2.jsonl
SM_NOW=2026-11-23T11:00:00Z sm-assign g2.jsonl >out 2>err
is "our reply (self = author id): the case is pending" "$(field m:10 '[.case, .status]')" '[1,"pending"]'
is "our reply: first_response_at is when we wrote" "$(sqlval 'select first_response_at from cases where id = 1')" \
	2026-11-23T10:30:00Z
is "our second reply (self = handle, any case): first_response_at stays" \
	"$(field m:11 '[.case, .status]') $(sqlval 'select first_response_at from cases where id = 1')" \
	'[1,"pending"] 2026-11-23T10:30:00Z'
is "our post in a thread without a case: printed unchanged, no case" "$(field m:12 .case)" null
is "our post in a thread without a case: no case opened" "$(sqlval 'select count(*) from cases')" 7
it m:14 m u1 2026-11-23T10:50:00Z ',"thread":"m:t1"' | SM_NOW=2026-11-23T11:00:00Z sm-assign >out 2>err
is "the customer writes back: the case is open again" "$(field m:14 '[.case, .status, .assignee]')" '[1,"open","alice"]'
is "events: first response, pending, open (the customer wrote)" "$(events 1 | cut -d'|' -f4-)" \
	"sm-assign first-response - 2026-11-23T10:30:00Z m:10|sm-assign status open pending -|sm-assign status pending open the customer wrote|"
# a reply we sent in a direct-message conversation answers that conversation too
it m:13 m acme-id 2026-11-23T10:35:00Z ',"thread":"m:x1","kind":"direct","in_reply_to":"m:5"' |
	SM_NOW=2026-11-23T11:00:00Z sm-assign >out 2>err
is "our reply in a direct-message conversation: the customer's case, pending" \
	"$(field m:13 .case) $(sqlval 'select status from cases where id = 3')" "3 pending"

# --- idempotent re-runs -------------------------------------------------------------------

cat g1.jsonl g2.jsonl >all.jsonl
before=$(sqlval 'select count(*) from case_events') cases0=$(sqlval 'select group_concat(id || status || coalesce(assignee, "") || updated_at) from cases')
SM_NOW=2026-11-23T12:00:00Z sm-assign all.jsonl >out 2>err
is "re-run: exit 0" "$?:$(cat err)" "0:"
is "re-run: each item printed with its case" "$(jq -r '.case' out | tr '\n' ' ')" "1 2 1 3 3 4 5 6 6 7 1 1 null "
is "re-run: what it prints is the case now" "$(field m:1 '[.status, .assignee]')" '["open","alice"]'
is "re-run: no event recorded" "$(sqlval 'select count(*) from case_events')" "$before"
is "re-run: no case changed" "$(sqlval 'select group_concat(id || status || coalesce(assignee, "") || updated_at) from cases')" "$cases0"
is "re-run: items in cases unchanged (the 13 items with a case, and our DM reply m:13)" \
	"$(sqlval 'select count(*) from case_items')" 14
SM_NOW=2026-11-23T12:00:00Z sm-assign --explain g1.jsonl >out 2>err
is "re-run with --explain: nothing to explain, no case is new" "$(jq -c 'select(has("explain"))' out)" ""

# --- resolved: a thread reopens, a direct message opens a new case ---------------------------

SM_NOW=2026-11-23T12:30:00Z SM_USER=root sm-assign set 1 status=resolved &&
	SM_NOW=2026-11-23T12:30:00Z SM_USER=root sm-assign set 3 status=resolved
is "set status=resolved: exit 0" "$?" 0
{
	it m:15 m u1 2026-11-23T13:00:00Z ',"thread":"m:t1"'
	it m:16 m d1 2026-11-23T13:05:00Z ',"kind":"direct"'
} >g3.jsonl
SM_NOW=2026-11-23T13:10:00Z sm-assign g3.jsonl >out 2>err
is "a customer in a resolved thread: the same case, open, same agent" \
	"$(field m:15 '[.case, .status, .assignee, .due]')" '[1,"open","alice","2026-11-23T14:00:00Z"]'
is "reopened: resolved_at cleared, new resolution due" \
	"$(sqlval 'select quote(resolved_at), resolution_due from cases where id = 1')" "NULL|2026-11-23T21:00:00Z"
is "reopened: an event says so, with the item" "$(events 1 | tr '|' '\n' | grep reopened)" \
	"sm-assign reopened resolved open m:15"
is "reopened: first_response_at is NULL again (not '')" \
	"$(sqlval 'select quote(first_response_at) from cases where id = 1')" NULL
is "a direct message after its case was resolved: a new case" "$(field m:16 '[.case, .status]')" '[8,"open"]'
is "the old DM case stays resolved" "$(sqlval 'select status from cases where id = 3')" resolved
is "one case not resolved per conversation" \
	"$(sqlval "select count(*) from cases where conversation = 'dm:m:d1' and status != 'resolved'")" 1

# --- bad input ------------------------------------------------------------------------------

{
	it m:20 m u20 2026-11-23T13:00:00Z ',"thread":"m:t20"'
	printf '%s\n' '{"id":"m:21","text":"no channel"}'
} >bad.jsonl
n0=$(sqlval 'select count(*) from cases')
SM_NOW=2026-11-23T13:10:00Z sm-assign bad.jsonl >out 2>err
is "an item without a channel: exit 65, FILE:LINE" "$? $(cat err)" \
	"65 sm-assign: bad.jsonl:2: an item needs an id and a channel"
is "an item without a channel: nothing printed" "$(cat out)" ""
is "an item without a channel: no case of the batch kept" "$(sqlval 'select count(*) from cases')" "$n0"
printf '%s\n' '{"id":"m:22","channel":"m"' >bad.jsonl
SM_NOW=2026-11-23T13:10:00Z sm-assign bad.jsonl >out 2>err
is "not JSON: exit 65" "$?" 65
like "not JSON: FILE:LINE" err '^sm-assign: bad\.jsonl:1:'
exits "an unknown option: 64" 64 quiet sm-assign --bogus
exits "a missing file: 66" 66 quiet sm-assign nonexistent.jsonl
sm-assign --help >out 2>err
is "--help: exit 0, usage on stdout" "$?:$(head -n 1 out)" "0:usage: sm-assign [--dir DIR] [--explain] [FILE]..."

# --- routing: rule team > policy route-to > default team; the policy of the due times ---------

mkws r <<'EOF' || { fail "workspace r"; done_testing; }
[assign]
	default-team = support
[team "support"]
	strategy = least-loaded
[team "social"]
	strategy = least-loaded
[team "tech"]
	strategy = least-loaded
[agent "s1"]
	team = support
[agent "so1"]
	team = social
[agent "t1"]
	team = tech
[policy "urgent"]
	priority = urgent
	first-response = 10m
[policy "outage"]
	tag = outage
	first-response = 30m
[policy "tech-sla"]
	team = tech
	first-response = 15m
[policy "twitter"]
	channel = tw
	route-to = social
	first-response = 2h
[policy "billing"]
	channel = bill
	route-to = tech
	first-response = 3h
[policy "all"]
	first-response = 4h
EOF
{
	it tw:1 tw c1 2026-11-23T09:00:00Z ',"team":"tech"'
	it tw:2 tw c2 2026-11-23T09:00:00Z
	it web:1 web c3 2026-11-23T09:00:00Z
	it web:2 web c4 2026-11-23T09:00:00Z ',"team":"social"'
	it web:3 web c5 2026-11-23T09:00:00Z ',"priority":"urgent"'
	it web:4 web c6 2026-11-23T09:00:00Z ',"tags":["netz","outage"]'
	it web:5 web c7 2026-11-23T09:00:00Z ',"tags":["outage"],"priority":"urgent"'
	it bill:1 bill c8 2026-11-23T09:00:00Z
	it web:6 web c9 2026-11-23T11:00:00Z
} >r.jsonl
SM_NOW=2026-11-23T10:00:00Z sm-assign r.jsonl >out 2>err
is "routing: exit 0" "$?:$(cat err)" "0:"
is "the rule's team wins over the policy's route-to" "$(field tw:1 '[.team, .assignee]')" '["tech","t1"]'
is "the policy's route-to when no rule names a team" "$(field tw:2 '[.team, .assignee]')" '["social","so1"]'
is "the default team when neither does" "$(field web:1 '[.team, .assignee]')" '["support","s1"]'
is "the rule's team wins over the default team" "$(field web:2 .team)" '"social"'
is "due: the first policy whose team holds (the rule's team)" "$(field tw:1 .due)" '"2026-11-23T09:15:00Z"'
is "due: the policy of the channel" "$(field tw:2 .due)" '"2026-11-23T11:00:00Z"'
is "due: the catch-all policy" "$(field web:1 .due)" '"2026-11-23T13:00:00Z"'
is "due: a priority condition" "$(field web:3 .due)" '"2026-11-23T09:10:00Z"'
is "due: a tag condition, any of the item's tags" "$(field web:4 .due)" '"2026-11-23T09:30:00Z"'
is "due: the first policy that holds wins" "$(field web:5 .due)" '"2026-11-23T09:10:00Z"'
is "route-to: the case goes to the policy's team" "$(field bill:1 .team)" '"tech"'
is "route-to: due by the first policy that holds for the routed case (team tech: 15m)" \
	"$(field bill:1 .due)" '"2026-11-23T09:15:00Z"'
is "created_at after SM_NOW: due counts from now" "$(field web:6 .due)" '"2026-11-23T14:00:00Z"'
is "the priority is kept on the case" "$(sqlval "select priority from cases c join case_items i on i.case_id = c.id where item_id = 'web:3'")" urgent

# an agent's team that has no [team] section of its own (as in sm-init's example config)
mkws t <<'EOF' || { fail "workspace t"; done_testing; }
[assign]
	default-team = support
[agent "s1"]
	team = support
[agent "t1"]
	team = tech
[agent "b1"]
	team = billing
EOF
it x:1 x c1 2026-11-23T09:00:00Z ',"team":"tech"' | SM_NOW=2026-11-23T10:00:00Z sm-assign >out 2>err
is "an agent's team without a [team] section: the case goes to its agent" \
	"$?:$(field x:1 '[.team, .assignee]' 2>/dev/null)" '0:["tech","t1"]'

# --- cases nobody would pick up: they go somewhere, and sm-assign says where ------------------

git config -f "$WS/config" policy.r.channel route && git config -f "$WS/config" policy.r.route-to gone &&
	git config -f "$WS/config" channel.x.self us && git config -f "$WS/config" agent.b1.capacity 0
{
	it u:1 x c1 2026-11-23T09:00:00Z ',"team":"nosuch","thread":"x:u1"'
	it u:2 route c2 2026-11-23T09:00:00Z
} >u.jsonl
SM_NOW=2026-11-23T10:00:00Z sm-assign u.jsonl >out 2>err
is "an unknown team: exit 0" "$?" 0
is "a rule's team the config does not know: the default team serves it" "$(field u:1 '[.team, .assignee]')" '["support","s1"]'
like "a rule's team the config does not know: a warning, with the item's place" err \
	"^sm-assign: u\.jsonl:1: the item's team, 'nosuch', is no team of the config: the case goes to the default team 'support'\$"
is "a route-to the config does not know: the default team" "$(field u:2 .team)" '"support"'
like "a route-to the config does not know: the warning names the policy" err \
	"^sm-assign: u\.jsonl:2: the route-to of policy 'r', 'gone', is no team of the config"
git config -f "$WS/config" --unset assign.default-team
it u:3 y c3 2026-11-23T09:00:00Z | SM_NOW=2026-11-23T10:00:00Z sm-assign >out 2>err
is "no team at all: the case is kept, with none" "$?:$(field u:3 '[.status, .team]')" '0:["new",null]'
like "no team at all: says so" err "^sm-assign: stdin:1: no rule, policy route-to or \[assign\] default-team names a team"
git config -f "$WS/config" assign.default-team support

# a direct message answered by us without in_reply_to: the thread says whose it is
{
	it dm:1 x c4 2026-11-23T09:00:00Z ',"kind":"direct","thread":"x:dm1"'
	it dm:2 x us 2026-11-23T09:30:00Z ',"kind":"direct","thread":"x:dm1"'
} | SM_NOW=2026-11-23T10:00:00Z sm-assign >out 2>err
is "our DM reply in the customer's thread: their case, pending" \
	"$(field dm:2 '[.case, .status]')" "$(field dm:1 '[.case]' | tr -d ']'),\"pending\"]"

# a queued case we answered, then the customer writes again: back in the queue
{
	it q:1 x c5 2026-11-23T09:00:00Z ',"team":"billing","thread":"x:q1"'
	it q:2 x us 2026-11-23T09:10:00Z ',"thread":"x:q1"'
} | SM_NOW=2026-11-23T10:00:00Z sm-assign >out 2>err
is "billing is full: the case waits; our reply makes it pending" \
	"$(field q:1 '[.status, .assignee]') $(field q:2 .status)" '["new",null] "pending"'
it q:3 x c5 2026-11-23T10:30:00Z ',"thread":"x:q1"' | SM_NOW=2026-11-23T10:40:00Z sm-assign >out 2>err
is "the customer writes again: waiting in the team's queue, since it first did" \
	"$(field q:3 '[.status, .assignee]') $(sqlval "select queued_at from cases c join case_items i on i.case_id = c.id where item_id = 'q:3'")" \
	'["new",null] 2026-11-23T10:00:00Z'
git config -f "$WS/config" agent.b1.capacity 5
: | SM_NOW=2026-11-23T10:50:00Z sm-assign >out 2>err
is "when there is room, the next run hands it out" \
	"$(sqlval "select status || ' ' || assignee from cases c join case_items i on i.case_id = c.id where item_id = 'q:3'")" "open b1"

# every change to a case is in the audit chain, written at commit: it verifies
if command -v sm-approve >/dev/null; then
	for w in g r t; do SM_DIR=$TMP/$w sm-approve verify >/dev/null 2>"verify.$w" || echo "$w: $(cat "verify.$w")"; done >verify
	is "the audit chains of all these runs verify" "$(cat verify)" ""
	# the events of one action (opening a case and assigning it) are one entry, each event
	# named in it: the first as the action, the others after " | "
	is "every case event is in an audit entry of its case, by its actor, at its time" \
		"$(sqlite3 "$TMP/g/store.db" "select count(*) from case_events e where not exists (select 1
			from audit a where a.object = 'case:' || e.case_id and a.actor = e.actor and a.at = e.at
			and (a.action = e.what or instr(a.detail, ' | ' || e.what) > 0))")" 0
	is "a case opened and assigned: one audit entry" \
		"$(sqlite3 "$TMP/g/store.db" "select action || ':' || detail from audit where object = 'case:1' order by seq limit 1")" \
		"opened: -> m:t1 | assigned -> alice; round-robin | status new -> open"
	is "fewer audit entries than case events" \
		"$(sqlite3 "$TMP/g/store.db" "select (select count(*) from audit where object like 'case:%') < (select count(*) from case_events)")" 1
else
	skip "sm-approve not built: the audit chain is not verified"
fi

done_testing
