#!/bin/sh
# 0505-assign-simulate.t - sm-assign --simulate: the period replayed under the same config
# gives the real figures back, under another config other ones; nothing is written;
# usage errors.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-assign >/dev/null || skip_all "sm-assign not built"
command -v jq >/dev/null || skip_all "jq not installed"
sm-assign --help 2>/dev/null | grep -q -e --simulate || skip_all "sm-assign has no --simulate"

sm-init -q ws || { fail "sm-init ws"; done_testing; }
export SM_DIR=$TMP/ws
WS=$TMP/ws
cat >>ws/config <<'EOF'
[security]
	identity = env
[assign]
	default-team = support
[team "support"]
	strategy = least-loaded
[agent "alice"]
	team = support
	capacity = 3
[agent "bob"]
	team = support
	capacity = 3
[channel "c"]
	self = acme
[policy "p"]
	first-response = 1h
EOF
# ten inquiries over a morning, one an hour from 06:00; we answer each 30 minutes later;
# alice resolves her cases at 11:00
i=0
while [ $i -lt 10 ]; do
	h=$(printf %02d $((6 + i)))
	printf '{"id":"c:%d","channel":"c","thread":"t%d","author":{"id":"u%d"},"text":"t","created_at":"2026-11-23T%s:00:00Z"}\n' \
		$i $i $i "$h" | SM_NOW=2026-11-23T$h:00:00Z sm-assign >/dev/null 2>>err
	printf '{"id":"c:%dr","channel":"c","thread":"t%d","author":{"id":"acme"},"text":"r","created_at":"2026-11-23T%s:30:00Z"}\n' \
		$i $i "$h" | SM_NOW=2026-11-23T$h:30:00Z sm-assign >/dev/null 2>>err
	if [ "$h" = 11 ]; then
		for c in $(sqlval "select id from cases where assignee = 'alice' and status != 'resolved'"); do
			SM_USER=alice SM_NOW=2026-11-23T11:00:00Z sm-assign set "$c" status=resolved 2>>err
		done
	fi
	i=$((i + 1))
done
is "the morning: no error" "$(cat err)" ""
snapshot() { sqlval "select count(*), group_concat(id || status || coalesce(assignee, '') || updated_at) from cases; select count(*) from case_events; select count(*) from items"; }
before=$(snapshot)

SM_NOW=2026-11-23T18:00:00Z sm-assign --simulate --since 2026-11-23 >out 2>err
is "--simulate: exit 0" "$?:$(cat err)" "0:"
is "--simulate: JSON records, a figure each" "$(jq -r .figure out | tr '\n' ' ')" \
	"cases first-response-breached queued median-first-response-s agent alice agent bob "
is "the same config: the real figures back" "$(jq -c 'select(.real != .simulated)' out)" ""
is "the real figures: ten cases, each answered in about 30 minutes, the last waited" \
	"$(jq -c 'select(.figure == "cases" or .figure == "median-first-response-s" or .figure == "queued") | .real | round' out | tr '\n' ' ')" "10 1 1800 "
is "the median first response in whole seconds" \
	"$(jq -c 'select(.figure == "median-first-response-s") | .real' out)" 1800
is "--simulate writes nothing" "$(snapshot)" "$before"

cp ws/config other.config
git config -f other.config agent.alice.capacity 1
git config -f other.config agent.bob.capacity 1
SM_NOW=2026-11-23T18:00:00Z sm-assign --simulate --since 2026-11-23 --config other.config >out 2>err
is "--config: exit 0" "$?:$(cat err)" "0:"
is "--config: less capacity, more cases wait" \
	"$(jq -r 'select(.figure == "queued") | (.simulated > .real)' out)" true
is "--config: the real figures stay" "$(jq -c 'select(.figure == "cases") | [.real, .simulated]' out)" "[10,10]"
git config -f other.config agent.carol.team support
SM_NOW=2026-11-23T18:00:00Z sm-assign --simulate --since 2026-11-23 --config other.config >out 2>err
is "--config with an agent of its own: the agent has a row" \
	"$(jq -r 'select(.figure == "agent carol") | .figure' out)" "agent carol"
SM_NOW=2026-11-23T18:00:00Z sm-assign --simulate --since 2026-11-24 >out 2>err
is "--simulate over a period with nothing in it: zeros" "$(jq -c 'select(.figure == "cases") | [.real, .simulated]' out)" "[0,0]"

exits "--simulate without --since: 64" 64 quiet sm-assign --simulate
exits "--simulate with a bad --since: 64" 64 quiet sm-assign --simulate --since yesterday
exits "--simulate with files: 64" 64 quiet sm-assign --simulate --since 7d items.jsonl
exits "--simulate with a missing --config: a config error" 78 quiet sm-assign --simulate --since 7d --config nonexistent
is "after all that: nothing written" "$(snapshot)" "$before"

done_testing
