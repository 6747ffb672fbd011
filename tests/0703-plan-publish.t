#!/bin/sh
# 0703-plan-publish.t - the plan end to end: an entry merged on the reviewed branch, synced
# into a draft, approved by two (a 6-eyes policy for plan posts), published by sm-publish
# --plan on a local Mastodon server exactly once; run again, nothing more is posted.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/plan.sh"

command -v sm-publish >/dev/null || skip_all "sm-publish not built"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed (the peer needs it)"

TOK=tok-PLAN-4242
export SM_TEST_MASTODON_TOKEN=$TOK
printf '%s\n' '{"method":"POST","path":"/api/v1/statuses","status":200,"times":0}' >"$TMP/peer.script"
/usr/bin/python3 "$SM_SRC/tests/lib/mastodon_replay.py" --token "$TOK" --script "$TMP/peer.script" \
	--port 0 --port-file "$TMP/peer.port" --pid-file "$TMP/peer.pid" --log "$TMP/peer.log" 2>"$TMP/peer.err" &
i=0
while [ ! -s "$TMP/peer.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$TMP/peer.port" ] || { echo "Bail out! the Mastodon server did not start: $(cat "$TMP/peer.err")"; exit 1; }

mkws || { fail "workspace"; done_testing; }
git config -f "$WS/config" channel.masto.url "http://127.0.0.1:$(cat "$TMP/peer.port")/"
git config -f "$WS/config" channel.masto.token-env SM_TEST_MASTODON_TOKEN
posted() { jq -r 'select(.created == true) | .status_id' "$TMP/peer.log" 2>/dev/null | wc -l | tr -d ' '; }

# the entry, written on a campaign branch and merged by carol
as_git alice checkout -q -b campaign
entry posts/advent.txt <<'EOF2'
At: 2026-11-20 10:30 Europe/Berlin
Channels: masto
Tags: campaign

Advent calendar: a new offer every day from 1 December. https://shop.example/advent
EOF2
commit alice posts/advent.txt 'plan: advent'
as_git alice checkout -q main
as_git carol merge -q --no-ff -m 'Merge campaign' campaign
MERGE=$(as_git carol rev-parse HEAD)

psync >out 2>err
is "sync: one draft, needing two approvals (6 eyes)" "$(jq -c '[.draft, .state, .needs, .policy]' out)" '[1,"pending",2,"campaign"]'
SM_USER=otto sm-publish --plan >out 2>err
is "not approved: sm-publish --plan posts nothing" "$(posted):$(cat out)" "0:"
SM_USER=bob sm-approve ok 1 >/dev/null
SM_USER=otto sm-publish --plan >out 2>err
is "one approval of two: still nothing" "$(posted)" 0
SM_USER=carol sm-approve ok 1 >out
is "two approvals: approved" "$(jq -r .state out)" approved
SM_USER=otto sm-publish --plan >out 2>err
is "sm-publish --plan: exit 0" "$?" 0
is "posted once on the Mastodon server" "$(posted)" 1
jq -r 'select(.created == true) | .body' "$TMP/peer.log" >body
like "the text as the entry says" body "Advent calendar: a new offer every day from 1 December"
is "the draft is published with the network's id, from the entry's commit" \
	"$(sqlval "SELECT state, published_id = '$(jq -r 'select(.created == true) | .status_id' "$TMP/peer.log")', plan, plan_commit = '$MERGE' FROM drafts WHERE id = 1")" \
	"published|1|posts/advent.txt|1"
psync >out 2>err
SM_USER=otto sm-publish --plan >out 2>err
is "sync and sm-publish --plan again: nothing more posted" "$(posted):$(cat out)" "1:"
plan alice list --from 2026-11-20 --to 2026-11-21 -f jsonl >out
is "the calendar says published, with the network's id" "$(jq -c '[.state, (.published.ext_id | length > 0)]' out)" '["published",true]'

# sm-publish --plan syncs by itself: an entry merged since is drafted by the run, posted
# once approved, and never by a run that is only shown what it would do (-n)
as_git alice checkout -q -b campaign2
entry posts/winter.txt <<'EOF2'
At: 2026-11-20 10:45 Europe/Berlin
Channels: masto
Tags: campaign

Winter sale: warm socks for everyone.
EOF2
commit alice posts/winter.txt 'plan: winter'
as_git alice checkout -q main
as_git carol merge -q --no-ff -m 'Merge campaign2' campaign2
SM_USER=otto sm-publish --plan -n >out 2>err
is "-n --plan does not sync: no draft of the new entry" "$(sqlval "SELECT count(*) FROM drafts WHERE plan = 'posts/winter.txt'")" 0
SM_USER=otto sm-publish --plan >out 2>err
is "sm-publish --plan drafted the merged entry itself" \
	"$(sqlval "SELECT state FROM drafts WHERE plan = 'posts/winter.txt'")" pending
W=$(sqlval "SELECT id FROM drafts WHERE plan = 'posts/winter.txt'")
SM_USER=bob sm-approve ok "$W" >/dev/null && SM_USER=carol sm-approve ok "$W" >/dev/null
SM_USER=otto sm-publish --plan >out 2>err
is "... and posted it once approved" "$?:$(posted):$(jq -r .state out)" "0:2:published"
git config -f "$WS/config" --unset agent.otto.role
git config -f "$WS/config" publish.login otto-cron
SM_USER=otto-cron sm-publish --plan >out 2>err
is "cron's login (publish.login) may sync and publish the plan" "$?:$(posted)" "0:2"

done_testing
