#!/bin/sh
# 0501-assign-strategies.t - how sm-assign picks the agent of a new case: round-robin,
# least-loaded (capacity, ties by the longest since the last case), skills (language and
# the team's skill-tags), sticky (within and beyond assign.sticky-window); away agents;
# the team's queue, handed out oldest first when capacity frees; --explain.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-assign >/dev/null || skip_all "sm-assign not built"
command -v jq >/dev/null || skip_all "jq not installed"

mkws() {
	rm -rf "${TMP:?}/$1" && sm-init -q "$TMP/$1" && cat >>"$TMP/$1/config" || return 1
	WS=$TMP/$1 SM_DIR=$TMP/$1
	export SM_DIR
}
# it ID TEAM [JSON...]: an item of channel c in its own thread, for TEAM, by author "a-ID"
it() {
	printf '{"id":"%s","channel":"c","author":{"id":"a-%s"},"text":"t","team":"%s","created_at":"2026-11-01T09:00:00Z"%s}\n' \
		"$1" "$1" "$2" "${3:-}"
}
field() { jq -c --arg id "$1" "select(.id == \$id) | $2" "${3:-out}"; }
# assign NOW: sm-assign with SM_NOW=NOW on stdin, output in out, stderr in err
assign() { _now=$1; shift; SM_NOW=$_now sm-assign "$@" >out 2>err; }
# who ID...: the assignees printed (in out) for the items, "-" for none
who() {
	jq -r '.id + " " + (.assignee // "-")' out |
		awk -v ids="$*" 'BEGIN { n = split(ids, want, " ") } { a[$1] = $2 }
			END { for (i = 1; i <= n; i++) printf "%s ", (want[i] in a ? a[want[i]] : "?") }'
}
# as AGENT NOW ARGS...: sm-assign ARGS as agent AGENT at NOW
as() { _as=$1 _now=$2; shift 2; SM_USER=$_as SM_NOW=$_now sm-assign "$@"; }
case_of() { sqlval "select case_id from case_items where item_id = '$1'"; }
assignee() { sqlval "select coalesce(assignee, '-') from cases where id = $(case_of "$1")"; }

mkws s <<'EOF' || { fail "workspace s"; done_testing; }
[security]
	identity = env
[assign]
	default-team = rr
	sticky-window = 7d
[team "rr"]
	strategy = round-robin
[team "ll"]
	strategy = least-loaded
[team "sk"]
	strategy = skills
	skill-tag = legal
[team "st"]
	strategy = sticky
[agent "r1"]
	team = rr
	capacity = 3
[agent "r2"]
	team = rr
	capacity = 3
[agent "r3"]
	team = rr
	capacity = 3
[agent "l1"]
	team = ll
	capacity = 2
[agent "l2"]
	team = ll
	capacity = 2
[agent "l3"]
	team = ll
	capacity = 2
[agent "dora"]
	team = sk
	skill = de
[agent "emil"]
	team = sk
	skill = EN
[agent "lea"]
	team = sk
	skill = de
	skill = legal
[agent "sa"]
	team = st
[agent "sb"]
	team = st
[agent "root"]
	role = admin
EOF

# --- round-robin ----------------------------------------------------------------------------

for i in 1 2 3 4; do it rr$i rr; done | assign 2026-11-01T10:00:00Z
is "round-robin: each in turn, in the config's order" "$(who rr1 rr2 rr3 rr4)" "r1 r2 r3 r1 "
as r2 2026-11-01T10:01:00Z set-agent r2 away
is "set-agent: an agent marks themselves away" "$?:$(sqlval "select away from agent_state where agent = 'r2'")" 0:1
for i in 5 6 7; do it rr$i rr; done | assign 2026-11-01T10:02:00Z --explain
is "round-robin: an away agent is skipped" "$(who rr5 rr6 rr7)" "r3 r1 r3 "
is "--explain: the away agent, and why not" "$(field rr5 '.explain.candidates[] | select(.agent == "r2")')" \
	'{"agent":"r2","load":1,"capacity":3,"skills":[],"away":true,"eligible":false,"why_not":"away"}'
is "--explain: team, strategy, chosen, reason" "$(field rr5 '.explain | [.team, .strategy, .chosen, .reason]')" \
	'["rr","round-robin","r3","the next available agent after the last one served, in the team'"'"'s order"]'
is "--explain: every member is a candidate, in order" "$(field rr6 '[.explain.candidates[] | [.agent, .load, .eligible]]')" \
	'[["r1",2,true],["r2",1,false],["r3",2,true]]'
for i in 8 9; do it rr$i rr; done | assign 2026-11-01T10:03:00Z --explain
is "round-robin: at capacity (3) or away, nobody left: the cases wait" "$(who rr8 rr9)" "- - "
is "queued: status new, queued_at set" "$(field rr9 '[.status, .team]') $(sqlval "select queued_at from cases where id = $(case_of rr9)")" \
	'["new","rr"] 2026-11-01T10:03:00Z'
is "--explain of a queued case: nobody chosen, why" "$(field rr9 '.explain | [.chosen, .reason]')" \
	'[null,"every agent is away, at capacity or without the skills: queued"]'
is "--explain: at capacity" "$(field rr9 '.explain.candidates[0] | [.load, .capacity, .why_not]')" '[3,3,"at capacity"]'
is "queued: an event says so" "$(sqlval "select actor || ' ' || what || ' ' || new || ' ' || note from case_events where case_id = $(case_of rr9) and what = 'queued'")" \
	"sm-assign queued 2026-11-01T10:03:00Z rr"
as r2 2026-11-01T10:04:00Z set-agent r2 back
is "set-agent back: the waiting cases go to the agent back" "$?:$(assignee rr8) $(assignee rr9)" "0:r2 r2"
is "handed out of the queue: by sm-assign, queued_at cleared, open" \
	"$(sqlval "select actor || ' ' || new || ' ' || coalesce(c.queued_at, 'null') || ' ' || c.status from case_events e join cases c on c.id = e.case_id where case_id = $(case_of rr9) and what = 'assigned'")" \
	"sm-assign r2 null open"
exits "set-agent: another agent away, not an admin: 77" 77 quiet as r1 2026-11-01T10:05:00Z set-agent r3 away
exits "set-agent: an admin may" 0 quiet as root 2026-11-01T10:05:00Z set-agent r3 away
is "set-agent by an admin: r3 is away" "$(sqlval "select away from agent_state where agent = 'r3'")" 1
exits "set-agent: an unknown agent: 64" 64 quiet as root 2026-11-01T10:05:00Z set-agent nobody away
exits "set-agent: neither away nor back: 64" 64 quiet as root 2026-11-01T10:05:00Z set-agent r3 gone
exits "set-agent: not an agent: 77" 77 quiet as "" 2026-11-01T10:05:00Z set-agent r3 back
as root 2026-11-01T10:05:00Z set-agent r3 back

# --- least-loaded ---------------------------------------------------------------------------

it la ll | assign 2026-11-01T10:00:00Z
it lb ll | assign 2026-11-01T10:01:00Z
it lc ll | assign 2026-11-01T10:02:00Z
it ld ll | assign 2026-11-01T10:03:00Z
is "least-loaded: the fewest open cases; on a tie the longest without one" \
	"$(assignee la) $(assignee lb) $(assignee lc) $(assignee ld)" "l1 l2 l3 l1"
for i in la ld lb; do as root 2026-11-01T10:04:00Z set "$(case_of $i)" status=resolved; done
# now l1: 0 open (last 10:03), l2: 0 open (last 10:01), l3: 1 open (last 10:02)
for i in le lf lg lh li; do it $i ll; done | assign 2026-11-01T10:05:00Z --explain
is "least-loaded: a tie at 0 goes to who waited longest (l2, not l1)" "$(who le)" "l2 "
is "--explain: the least-loaded reason" "$(field le '.explain.reason')" \
	'"the fewest open cases under capacity (on a tie, the longest without a case)"'
is "least-loaded: then the fewest (l1), then the longest waiting of 1-1-1 (l3)" "$(who lf lg)" "l1 l3 "
is "least-loaded: resolved cases free capacity" "$(who lh li)" "l1 l2 "
it lj ll | assign 2026-11-01T10:06:00Z
it lk ll | assign 2026-11-01T10:07:00Z
it ll ll | assign 2026-11-01T10:08:00Z
is "least-loaded: everyone at capacity (2): the cases wait" "$(assignee lj) $(assignee lk) $(assignee ll)" "- - -"
is "the queue: waiting since when each came" \
	"$(sqlval "select queued_at from cases where id in ($(case_of lj), $(case_of lk), $(case_of ll)) order by id" | tr '\n' ' ')" \
	"2026-11-01T10:06:00Z 2026-11-01T10:07:00Z 2026-11-01T10:08:00Z "
as l3 2026-11-01T10:09:00Z set "$(case_of lc)" status=resolved
is "capacity frees (set status=resolved): the oldest waiting case goes first" \
	"$(assignee lj) $(assignee lk) $(assignee ll)" "l3 - -"
as l3 2026-11-01T10:09:00Z set "$(case_of lj)" status=pending
is "pending counts against capacity" "$(assignee lk)" "-"
as l3 2026-11-01T10:10:00Z set "$(case_of lg)" status=resolved
is "the next oldest goes when capacity frees again" "$(assignee lk) $(assignee ll)" "l3 -"
git config -f "$WS/config" agent.l1.capacity 3
: | assign 2026-11-01T10:11:00Z
is "the next sm-assign run hands out what waits (a capacity raised)" "$(assignee ll)" "l1"
is "sm-assign with empty input: prints nothing" "$(cat out)$(cat err)" ""

# --- skills ---------------------------------------------------------------------------------

{
	it k1 sk ',"lang":"de"'
	it k2 sk ',"lang":"de"'
	it k3 sk ',"lang":"en-GB"'
	it k4 sk ',"lang":"de","tags":["legal","x"]'
	it k5 sk ',"lang":"fr"'
	it k6 sk ',"lang":"en","tags":["legal"]'
	it k7 sk ',"tags":["other"]'
} >k.jsonl
assign 2026-11-01T10:00:00Z --explain k.jsonl
is "skills: the language, least-loaded among those who have it" "$(who k1 k2)" "dora lea "
is "skills: a language's region is ignored, skills match in any case" "$(who k3)" "emil "
is "skills: a skill-tag of the team needs that skill too" "$(who k4)" "lea "
is "skills: nobody speaks it: the case waits" "$(who k5)" "- "
is "--explain: why not, for each" "$(field k5 '[.explain.candidates[] | .why_not] | unique')" \
	'["lacks a skill the item needs"]'
is "--explain: the candidates' skills" "$(field k5 '[.explain.candidates[] | .skills]')" '[["de"],["EN"],["de","legal"]]'
is "skills: language and skill-tag must both be covered" "$(who k6)" "- "
is "skills: an item without a language, no skill-tag: anyone" "$(who k7)" "dora "
is "--explain: the skills reason" "$(field k1 .explain.reason)" \
	'"has the skills the item needs, and the fewest open cases of those who do"'
# the queue must not let a case nobody can take now hold back one that an agent can
mkws q <<'EOF' || { fail "workspace q"; done_testing; }
[security]
	identity = env
[assign]
	default-team = intl
[team "intl"]
	strategy = skills
[agent "dora"]
	team = intl
	skill = de
	capacity = 1
[agent "emil"]
	team = intl
	skill = en
	capacity = 1
EOF
{ it q1 intl ',"lang":"de"'; it q2 intl ',"lang":"en"'; it q3 intl ',"lang":"de"'; it q4 intl ',"lang":"en"'; } |
	assign 2026-11-01T10:00:00Z
is "skills with capacity 1: two served, two wait" "$(who q1 q2 q3 q4)" "dora emil - - "
as emil 2026-11-01T10:05:00Z set "$(case_of q2)" status=resolved
is "skills: emil's room goes to the English case though a German one waits first" \
	"$(assignee q3) $(assignee q4)" "- emil"

# --- sticky ---------------------------------------------------------------------------------

WS=$TMP/s SM_DIR=$TMP/s
# an old case of author old (2026-11-01, beyond the 7d window at 11-23)
printf '%s\n' '{"id":"so","channel":"c","author":{"id":"old"},"text":"t","team":"st","created_at":"2026-11-01T09:00:00Z"}' |
	assign 2026-11-01T10:00:00Z
is "sticky: a first case of an author: the least loaded" "$(who so)" "sa "
as root 2026-11-01T11:00:00Z set "$(case_of so)" status=resolved
for a in new p1 p2; do
	printf '{"id":"s-%s","channel":"c","author":{"id":"%s"},"text":"t","team":"st","created_at":"2026-11-20T09:00:00Z"}\n' "$a" "$a"
done | assign 2026-11-20T10:00:00Z
# sa holds all three now: least-loaded would pick sb
for a in new p1 p2; do as root 2026-11-20T10:00:00Z set "$(case_of s-$a)" assignee=sa; done
is "set assignee= by an admin" "$(assignee s-new) $(assignee s-p1) $(assignee s-p2)" "sa sa sa"
{
	printf '%s\n' '{"id":"s-new2","channel":"c","thread":"t-new2","author":{"id":"new"},"text":"t","team":"st","created_at":"2026-11-23T09:00:00Z"}'
	printf '%s\n' '{"id":"s-old2","channel":"c","thread":"t-old2","author":{"id":"old"},"text":"t","team":"st","created_at":"2026-11-23T09:00:00Z"}'
} | assign 2026-11-23T10:00:00Z --explain
is "sticky: the agent of the author's last case within the window, though busier" "$(who s-new2)" "sa "
is "--explain: the sticky reason" "$(field s-new2 .explain.reason)" '"served this author before, within assign.sticky-window"'
is "sticky: beyond the window: the least loaded" "$(who s-old2)" "sb "
is "--explain: the fallback reason" "$(field s-old2 .explain.reason)" \
	'"no available agent served this author recently: the least loaded"'
as sa 2026-11-23T10:01:00Z set-agent sa away
printf '%s\n' '{"id":"s-new3","channel":"c","thread":"t-new3","author":{"id":"new"},"text":"t","team":"st","created_at":"2026-11-23T09:30:00Z"}' |
	assign 2026-11-23T10:02:00Z
is "sticky: the author's agent is away: the least loaded of the others" "$(who s-new3)" "sb "
as sa 2026-11-23T10:03:00Z set-agent sa back

# --- the queue goes by waiting time, not by case number -------------------------------------

mkws w <<'EOF' || { fail "workspace w"; done_testing; }
[security]
	identity = env
[team "x"]
	escalate-to = w
[team "w"]
	strategy = least-loaded
[agent "xa"]
	team = x
[agent "wa"]
	team = w
	capacity = 1
[policy "p"]
	first-response = 1h
EOF
{ it wx1 x; it ww1 w; } | assign 2026-11-01T10:00:00Z
it ww2 w | assign 2026-11-01T10:30:00Z
SM_NOW=2026-11-01T11:30:00Z sm-assign escalate >out 2>err
is "escalated into a full team: the case waits there" \
	"$(sqlval "select team || ' ' || coalesce(assignee, '-') || ' ' || queued_at from cases where id = $(case_of wx1)")" \
	"w - 2026-11-01T11:30:00Z"
as wa 2026-11-01T11:40:00Z set "$(case_of ww1)" status=resolved
is "the case waiting since 10:30 goes before the lower-numbered one waiting since 11:30" \
	"$(assignee ww2) $(assignee wx1)" "wa -"

done_testing
