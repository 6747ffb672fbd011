#!/bin/sh
# 0802-report-pipeline.t - sm-report reads what the other commands write: items through
# sm-assign (a case answered by our account, one answered late, one resolved and reopened),
# a reply drafted and approved with sm-approve, the audit chain both keep. The figures are
# worked out by hand from the steps below.
. "${SM_SRC:-.}/tests/lib/test.sh"

export SM_DIR=$TMP/ws
sm-init -q ws || { fail "sm-init"; done_testing; }
cat >>ws/config <<'EOF'
[security]
	identity = env
[channel "support"]
	kind = mastodon
	url = https://social.example
	self = @service
[assign]
	default-team = support
[team "support"]
	strategy = least-loaded
[agent "alice"]
	team = support
[agent "bob"]
	team = support
	role = approver
	capacity = 0
[policy "default"]
	first-response = 1h
	resolution = 24h
EOF

# item ID AT THREAD AUTHOR [IN_REPLY_TO]: one item record
item() {
	printf '{"id":"%s","channel":"support","network":"mastodon","created_at":"%s","thread":"%s","author":{"id":"mastodon:%s","handle":"@%s"},"text":"t"%s}\n' \
		"$1" "$2" "$3" "$4" "$4" "${5:+,\"in_reply_to\":\"$5\"}"
}
step() { SM_NOW=$1 sm-assign >/dev/null 2>>err; }

item s:1 2026-11-23T09:00:00Z s:1 kunde | step 2026-11-23T09:00:00Z
item s:2 2026-11-23T09:10:00Z s:2 kundin | step 2026-11-23T09:10:00Z
item s:3 2026-11-23T09:30:00Z s:1 service s:1 | step 2026-11-23T09:30:00Z # 30 minutes: met
item s:4 2026-11-23T11:00:00Z s:2 service s:2 | step 2026-11-23T11:00:00Z # 110 minutes: breached
SM_NOW=2026-11-23T12:00:00Z SM_USER=alice sm-assign set 1 status=resolved 2>>err
item s:5 2026-11-23T14:00:00Z s:1 kunde s:3 | step 2026-11-23T14:00:00Z   # reopened
item s:6 2026-11-23T14:20:00Z s:1 service s:5 | step 2026-11-23T14:20:00Z # 20 minutes: met
SM_NOW=2026-11-23T14:30:00Z SM_USER=alice sm-approve draft 2 -m 'Sorry for the wait' >/dev/null 2>>err
SM_NOW=2026-11-23T14:45:00Z SM_USER=bob sm-approve ok 1 >/dev/null 2>>err
is "the steps ran quietly" "$(cat err)" ""
is "two cases, the first reopened" "$(sqlval "select count(*) from cases; select count(*) from case_events where what = 'reopened'" | tr '\n' ' ')" "2 1 "

export SM_NOW=2026-11-23T15:00:00Z
sm-report response --by agent >r.jsonl
is "response: alice's two cases, both answered" "$(jq -c '[.agent, .cases, .answered]' r.jsonl)" '["alice",2,2]'
# the reopened case counts from the message that reopened it: 20 minutes, not 5h 20m
is "response: first responses 20 and 110 minutes; the median between" \
	"$(jq -c '[.frt_mean, .frt_median, .frt_p90, .frt_p95]' r.jsonl)" '[3900,3900,6600,6600]'
is "response: the reopened case is no longer resolved" "$(jq -c '[.resolved, .res_median]' r.jsonl)" '[0,null]'
is "response: our replies, s:3, s:6 and s:4" "$(jq -c '[.replies, .replies_per_case]' r.jsonl)" '[3,1.5]'

sm-report sla >s.jsonl
is "sla: one first response met, one breached; resolutions still running" \
	"$(jq -c '[.team, .frt_due, .frt_met, .frt_breached, .frt_met_share, .res_due]' s.jsonl)" '["support",2,1,1,0.5,0]'
is "sla: nothing breached now" "$(sm-report sla --table breached | wc -l)" 0
SM_NOW=2026-11-24T13:10:00Z sm-report sla --table breached >b.jsonl
is "sla a day later: case 2's resolution is breached, case 1's due within the hour" \
	"$(jq -r '[.case, .target, .state, .overdue] | @tsv' b.jsonl | tr '\n' ' ')" \
	"2	resolution	breached	14400 1	resolution	due-soon	-3000 "

sm-report backlog >bl.jsonl
is "backlog: two pending cases, one an hour old since its round began, one almost six" \
	"$(jq -c '[.team, .open, .pending, .total, .age_0_1h, .age_1_4h, .age_4_24h]' bl.jsonl)" '["support",0,2,2,0,1,1]'

sm-report agents >a.jsonl
is "agents: alice's load and capacity; bob's approval" \
	"$(jq -c '[.agent, .cases, .load, .capacity, .approvals]' a.jsonl | tr '\n' ' ')" \
	'["alice",2,2,20,0] ["bob",0,0,0,1] '

sm-report approvals >ap.jsonl
is "approvals: alice wrote one, bob approved it after 15 minutes" \
	"$(jq -c '[.agent, .submitted, .approved, .approvals_given, .tta_median]' ap.jsonl | tr '\n' ' ')" \
	'["alice",1,1,0,null] ["bob",0,0,1,900] '

sm-report volume --by team >v.jsonl
is "volume: six items, all the support team's" "$(jq -c '[.team, .items, .matched, .dropped]' v.jsonl)" '["support",6,0,0]'

sm-report audit --verify >au.jsonl
is "audit --verify: the chain sm-assign and sm-approve wrote is intact" "$?:$(jq -c .intact au.jsonl)" "0:true"
is "audit: every entry" "$(sm-report audit | jq -s length)" "$(sqlval 'select count(*) from audit')"

done_testing
