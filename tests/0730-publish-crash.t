#!/bin/sh
# sm-publish never posts twice: SIGKILL at a random moment of a run (before the request,
# while the server holds it, after the answer, before the result is committed), then a
# normal run: every draft is on the server exactly once, counted by the server. Then two
# sm-publish processes started together over 200 approved drafts: each posted once.
# SM_CRASH_TRIALS sets the number of trials (default 50).
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-publish >/dev/null || skip_all "sm-publish not built"
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed (the peer needs it)"

TRIALS=${SM_CRASH_TRIALS:-50}
WS=$TMP/ws
TOK=tok-CRASH-5678
export SM_TEST_MASTODON_TOKEN=$TOK SM_DIR=$WS
cfg() { git config -f "$WS/config" "$@"; }

# the server: every POST of a status held a random 0-60 ms, so a kill lands in every phase
start_peer() {
	printf '%s\n' "$2" > "$TMP/$1.script"
	peer "$1" mastodon_replay.py --token "$TOK" --script "$TMP/$1.script"
	BASE=http://127.0.0.1:$PORT
}
start_peer crash '{"method":"POST","path":"/api/v1/statuses","status":200,"delay":0.03,"times":0}'

sm-init "$WS" >/dev/null 2>&1 || { echo "Bail out! sm-init failed"; exit 1; }
cfg security.identity env
cfg channel.social.kind mastodon
cfg channel.social.url "$BASE/"
cfg channel.social.token-env SM_TEST_MASTODON_TOKEN
cfg agent.alice.role agent
cfg agent.bob.role approver
cfg agent.otto.role publisher
cfg fetch.timeout 10s

# drafts N TAG: N approved posts on social, their ids on stdout
drafts() {
	_k=0
	while [ $_k -lt "$1" ]; do
		_k=$((_k + 1))
		printf '{"channel":"social","text":"%s post %d"}\n' "$2" "$_k"
	done | SM_USER=alice sm-approve submit | SM_USER=bob sm-approve ok - | jq -r .draft
}
# created: the statuses the server made (a repeated Idempotency-Key makes none)
created() { jq -r 'select(.created == true) | .status_id' "$TMP/$1.log" | sort -u | wc -l | tr -d ' '; }
createdall() { jq -r 'select(.created == true) | .status_id' "$TMP/$1.log" | wc -l | tr -d ' '; }

# --- crash trials -----------------------------------------------------------------------
total=0 killed=0 bad=0 reconciled=0
t=0
while [ $t -lt "$TRIALS" ]; do
	t=$((t + 1))
	n=$((t % 3 + 1))
	drafts $n "trial $t" >/dev/null
	total=$((total + n))
	SM_USER=otto sm-publish >/dev/null 2>"crash-$t.err" &
	pid=$!
	# a random moment: 0-150 ms covers start-up, the claim, the held request, the commit
	sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 150 )))"
	kill -KILL $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	SM_USER=otto sm-publish >"rerun-$t.out" 2>"rerun-$t.err"
	rc=$?
	grep -q 'did not finish' "rerun-$t.err" && reconciled=$((reconciled + 1))
	if [ $rc -ne 0 ] || [ "$(created crash)" != "$total" ] || [ "$(createdall crash)" != "$total" ] ||
		[ "$(sqlval "SELECT count(*) FROM drafts WHERE state != 'published'")" != 0 ]; then
		bad=$((bad + 1))
		diag "trial $t: rerun exit $rc, server made $(createdall crash) statuses ($(created crash) distinct) for $total drafts" \
			"$(cat "rerun-$t.err" | head -5)"
	fi
done
is "$TRIALS crash trials: every draft on the server exactly once after the re-run" "$bad" 0
diag "$killed of $TRIALS runs killed mid-way, $reconciled re-runs reconciled a claimed draft"
ok "some trials killed a run that had claimed a draft (reconciled: $reconciled)" [ "$reconciled" -gt 0 ]
is "every draft published, with the server's id" \
	"$(sqlval "SELECT count(*) FROM drafts WHERE state = 'published' AND published_id IS NOT NULL")" "$total"
is "no two drafts share a status" \
	"$(sqlval "SELECT count(DISTINCT published_id) FROM drafts")" "$total"
is "one published audit entry per draft" \
	"$(sqlval "SELECT count(*) FROM audit WHERE action = 'published'")" "$total"
ok "the audit chain is intact" quiet sm-approve verify
is "the store is sound" "$(sqlval 'PRAGMA integrity_check')" ok

# --- two processes over 200 drafts ----------------------------------------------------------
start_peer pair '{"method":"POST","path":"/api/v1/statuses","status":200,"delay":0.002,"times":0}'
cfg channel.social.url "$BASE/"
drafts 200 "pair" > pair.ids
is "200 drafts approved" "$(wc -l < pair.ids | tr -d ' ')" 200
SM_USER=otto sm-publish > p1.out 2> p1.err &
p1=$!
SM_USER=otto sm-publish > p2.out 2> p2.err &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
is "both runs exit 0" "$r1:$r2" "0:0"
is "the server made 200 statuses, each once" "$(createdall pair):$(created pair)" "200:200"
is "the two runs printed 200 results between them, each draft once" \
	"$(cat p1.out p2.out | jq -r .draft | sort -u | wc -l | tr -d ' '):$(cat p1.out p2.out | wc -l | tr -d ' ')" "200:200"
diag "run 1 published $(wc -l < p1.out | tr -d ' '), run 2 $(wc -l < p2.out | tr -d ' ')"
unlike "no 'database is locked' reached the user" p1.err "locked|SQLITE_BUSY"
unlike "... in either run" p2.err "locked|SQLITE_BUSY"
is "no draft left unpublished" "$(sqlval "SELECT count(*) FROM drafts WHERE state != 'published'")" 0

done_testing
