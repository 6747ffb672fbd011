#!/bin/sh
# 0503-assign-cases.t - what agents do with cases: sm-assign list and its filters
# (--mine, --agent, --team, --status, --overdue; JSON records, a table on a terminal),
# take, set (rights: the holder or an admin, else 77; bad values 64; all or nothing), and
# the case_events every change leaves, with the right actor.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-assign >/dev/null || skip_all "sm-assign not built"
command -v jq >/dev/null || skip_all "jq not installed"

sm-init -q ws || { fail "sm-init ws"; done_testing; }
export SM_DIR=$TMP/ws
WS=$TMP/ws
cat >>ws/config <<'EOF'
[security]
	identity = env
[assign]
	default-team = support
[team "support"]
	strategy = round-robin
[team "tech"]
	strategy = least-loaded
[team "billing"]
	strategy = least-loaded
[agent "alice"]
	team = support
[agent "bob"]
	team = support
[agent "carol"]
	team = tech
[agent "root"]
	role = admin
[channel "m"]
	self = acme
[policy "p"]
	first-response = 1h
	resolution = 8h
EOF

it() {
	printf '{"id":"%s","channel":"m","thread":"%s","author":{"id":"%s"},"text":"t","created_at":"%s"%s}\n' \
		"$1" "$2" "$3" "$4" "${5:-}"
}
NOW=2026-11-23T10:00:00Z
# as AGENT ARGS...: sm-assign ARGS as AGENT at NOW, output in out and err
as() { _as=$1; shift; SM_USER=$_as SM_NOW=$NOW sm-assign "$@" >out 2>err; }
# cases: the case numbers in out (list's JSON records), space-separated
cases() { sed -n 's/^{"case":\([0-9]*\),.*/\1/p' out | tr '\n' ' '; }
col() { sqlval "select coalesce($2, 'null') from cases where id = $1"; }
nevents() { sqlval "select count(*) from case_events"; }
lastevent() { sqlval "select actor || ' ' || what || ' ' || coalesce(old, '-') || ' ' || coalesce(new, '-') from case_events where case_id = $1 order by id desc limit 1"; }

{
	it m:1 t1 u1 2026-11-23T08:00:00Z
	it m:2 t2 u2 2026-11-23T09:30:00Z
	it m:3 t3 u3 2026-11-23T07:00:00Z ',"team":"tech","priority":"high"'
	it m:3r t3 acme 2026-11-23T07:30:00Z
	it m:4 t4 u4 2026-11-23T09:50:00Z ',"team":"tech"'
	it m:5 t5 u5 2026-11-23T01:00:00Z
	it m:5r t5 acme 2026-11-23T01:20:00Z
	it m:6 t6 u6 2026-11-23T09:00:00Z
	it m:7 t7 u7 2026-11-23T09:40:00Z ',"team":"billing"'
} >items.jsonl
SM_NOW=$NOW sm-assign items.jsonl >out 2>err
is "the cases: exit 0" "$?:$(cat err)" "0:"
is "the cases: agents" "$(sqlval "select group_concat(x, ' ') from (select id || '=' || coalesce(assignee, '-') x from cases order by id)")" \
	"1=alice 2=bob 3=carol 4=carol 5=alice 6=bob 7=-"
as bob set 6 status=resolved
is "set status=resolved by the holder: exit 0, resolved_at is now" "$?:$(col 6 resolved_at)" "0:$NOW"
is "the event of it: by bob" "$(lastevent 6)" "bob status open resolved"

# --- list -----------------------------------------------------------------------------------

as "" list
is "list: the cases not resolved, the earliest due first" "$(cases)" "5 3 1 2 7 4 "
is "list: a JSON record per case" "$(jq -c 'select(.case == 1)' out)" \
	'{"case":1,"conversation":"t1","channel":"m","status":"open","team":"support","assignee":"alice","priority":null,"opened_at":"2026-11-23T08:00:00Z","due":"2026-11-23T09:00:00Z","resolution_due":"2026-11-23T16:00:00Z","first_response_at":null,"queued_at":null}'
is "list: priority, first_response_at, pending" "$(jq -c 'select(.case == 3) | [.priority, .first_response_at, .status]' out)" \
	'["high","2026-11-23T07:30:00Z","pending"]'
is "list: a queued case" "$(jq -c 'select(.case == 7) | [.team, .assignee, .status, .queued_at]' out)" \
	'["billing",null,"new","2026-11-23T10:00:00Z"]'
as alice list --mine
is "list --mine: the acting agent's" "$(cases)" "5 1 "
as "" list --agent bob
is "list --agent" "$(cases)" "2 "
as "" list --team tech
is "list --team" "$(cases)" "3 4 "
as "" list --status resolved
is "list --status resolved" "$(cases)" "6 "
as "" list --status pending
is "list --status pending" "$(cases)" "5 3 "
as "" list --overdue
is "list --overdue: first response or resolution due before now" "$(cases)" "5 1 "
as "" list --overdue --team support --agent alice
is "list --overdue --team --agent: all filters at once" "$(cases)" "5 1 "
SM_NOW=2026-11-23T10:40:00Z sm-assign list --overdue >out 2>err
is "list --overdue later: more are" "$(cases)" "5 1 2 "
as "" list --agent nobody
is "list: nothing to show: no output, exit 0" "$?:$(cat out)" "0:"
exits "list --mine, not an agent: 77" 77 as "" list --mine
exits "list: an unknown option: 64" 64 as "" list --bogus
as "" list --status closed
is "list --status with no such status: 64" "$?" 64
if command -v script >/dev/null 2>&1; then
	SM_NOW=$NOW script -qec "sm-assign list --team tech" /dev/null </dev/null | tr -d '\r' >out 2>err
	is "list on a terminal: a table with a header" "$(head -n 1 out | tr -s ' ')" \
		"CASE STATUS TEAM ASSIGNEE PRIO DUE CONVERSATION"
	is "list on a terminal: a row per case" "$(sed -n 2p out | tr -s ' ')" \
		"3 pending tech carol high 2026-11-23T08:00:00Z t3"
	is "list on a terminal: nothing else" "$(wc -l <out | tr -d ' ')" 3
else
	skip "list on a terminal: script(1) is not installed"
fi

# --- take -----------------------------------------------------------------------------------

n=$(nevents)
as alice take 7
is "take: an agent claims a queued case" "$?:$(col 7 assignee) $(col 7 status) $(col 7 queued_at)" "0:alice open null"
is "take: the events, by the agent" "$(sqlval "select group_concat(actor || ' ' || what, ', ') from case_events where case_id = 7 and id > $n")" \
	"alice taken, alice status"
as bob take 1
is "take: a case another agent holds: 77, says who" "$? $(grep -c 'held by alice' err)" "77 1"
is "take refused: the case is unchanged" "$(col 1 assignee)" alice
n=$(nevents)
exits "take: one's own case: 0" 0 as alice take 1
is "take one's own case: no event" "$(nevents)" "$n"
exits "take: not an agent: 77" 77 as mallory take 2
exits "take: no identity at all: 77" 77 as "" take 2
exits "take: no such case: 65" 65 as alice take 999
exits "take: not a number: 64" 64 as alice take seven
exits "take: no case: 64" 64 as alice take
exits "take: two cases: 64" 64 as alice take 1 2
as root set 6 assignee=
exits "take: a resolved case: 65" 65 as alice take 6

# --- set: rights, values, all or nothing --------------------------------------------------------

as alice set 1 status=pending
is "set by the holder" "$?:$(col 1 status)" "0:pending"
is "set: the event, by the holder" "$(lastevent 1)" "alice status open pending"
as bob set 1 priority=high
is "set by another agent: 77, says who holds it" "$? $(grep -c 'held by alice' err)" "77 1"
is "set refused: nothing changed" "$(col 1 priority)" null
as root set 1 priority=urgent
is "set by an admin" "$?:$(col 1 priority)" "0:urgent"
is "set by an admin: the event, by the admin" "$(lastevent 1)" "root priority - urgent"
exits "set: not an agent: 77" 77 as mallory set 1 status=open
exits "set: a status that is none: 64" 64 as alice set 1 status=closed
like "set: the message lists the statuses" err "status is new, open, pending or resolved, not 'closed'"
exits "set: a priority that is none: 64" 64 as alice set 1 priority=huge
exits "set: an agent that is none: 64" 64 as alice set 1 assignee=nobody
exits "set: a field that is none: 64" 64 as alice set 1 colour=red
exits "set: no FIELD=VALUE: 64" 64 as alice set 1 status
exits "set: nothing to set: 64" 64 as alice set 1
exits "set: case 0: 64" 64 as alice set 0 status=open
exits "set: no such case: 65" 65 as alice set 999 status=open
n=$(nevents)
as alice set 1 status=resolved priority=huge
is "set: one bad value: 64, and nothing of the command is kept" \
	"$?:$(col 1 status) $(col 1 priority) $(col 1 resolved_at) $(nevents)" "64:pending urgent null $n"
as alice set 1 priority=low status=open
is "set: several fields at once" "$?:$(col 1 priority) $(col 1 status)" "0:low open"
as alice set 1 assignee=bob
is "set assignee=: the holder hands the case over" "$?:$(col 1 assignee)" "0:bob"
is "set assignee=: the event" "$(lastevent 1)" "alice assignee alice bob"
exits "set: the former holder may no longer" 77 as alice set 1 status=pending
as root set 4 team=nosuch
is "set team=: a team the config does not know: 64" "$?" 64
as root set 2 assignee=
is "set assignee= (nobody): the case waits in its team's queue again" \
	"$(col 2 assignee) $(col 2 status) $([ "$(col 2 queued_at)" = null ] && echo unqueued || echo queued)" \
	"null new queued"
is "set assignee=: queued, by who took it off" "$(lastevent 2)" "root queued - $NOW"
: | SM_NOW=2026-11-23T10:05:00Z sm-assign >out 2>err
is "set assignee=: the next run hands it out" "$(col 2 status) $([ "$(col 2 assignee)" = null ] && echo nobody || echo someone)" \
	"open someone"
as root set 6 status=open
is "set status=open on a resolved case: resolved_at is cleared" "$(col 6 resolved_at)" null

# every change is in case_events, each with an actor who did it
is "case_events: the actors" "$(sqlval 'select group_concat(distinct actor) from (select actor from case_events order by actor)')" \
	"alice,bob,root,sm-assign"
is "case_events: every event has a time and a what" \
	"$(sqlval "select count(*) from case_events where at = '' or at is null or what = '' or what is null")" 0

done_testing
