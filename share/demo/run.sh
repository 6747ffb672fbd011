#!/bin/sh
# run.sh BINDIR DEMODIR - make demo: a workspace in DEMODIR with the feeds shipped in
# share/demo/ (file URLs, no account needed) and a script channel, fetched, matched
# against the shipped rules, and fetched again.
set -eu
bin=$1 demo=$2
src=$(cd "$(dirname "$0")" && pwd)
PATH=$bin:$PATH
rm -rf "$demo"
sm-init "$demo"
cfg="$demo/config"
git config -f "$cfg" channel.status.kind feed
git config -f "$cfg" channel.status.url "file://$src/status-blog.xml"
git config -f "$cfg" channel.community.kind feed
git config -f "$cfg" channel.community.url "file://$src/community.atom"
git config -f "$cfg" --add channel.community.url "file://$src/press.json"
git config -f "$cfg" channel.reviews.kind exec
git config -f "$cfg" channel.reviews.command "$src/reviews.sh"
# who answers: two teams, three agents, a policy with business hours
git config -f "$cfg" assign.default-team support
git config -f "$cfg" team.support.strategy least-loaded
git config -f "$cfg" team.tech.strategy round-robin
git config -f "$cfg" agent.alice.team support
git config -f "$cfg" agent.alice.capacity 1
git config -f "$cfg" agent.bob.team support
git config -f "$cfg" agent.bob.capacity 1
git config -f "$cfg" agent.carol.team tech
git config -f "$cfg" policy.default.first-response 2h
git config -f "$cfg" policy.default.hours "Mon-Fri 08:00-18:00 Europe/Berlin"

echo
echo "== sm-fetch --dir $demo -v   (new items, as JSON lines on stdout; first 3 shown)"
sm-fetch --dir "$demo" -v > "$demo/fetched.jsonl"
head -n 3 "$demo/fetched.jsonl"
echo "... $(wc -l < "$demo/fetched.jsonl") new items in all"
echo
echo "== what the store holds now"
sqlite3 -box "$demo/store.db" "SELECT channel, network, substr(created_at, 1, 16) AS created,
	substr(coalesce(title, text), 1, 56) AS 'title or text' FROM items ORDER BY created_at DESC"
echo
echo "== full-text search in the store: 'internet'"
sqlite3 -box "$demo/store.db" "SELECT items.id FROM items_fts JOIN items ON items.rowid = items_fts.rowid
	WHERE items_fts MATCH 'internet' ORDER BY items.id"
echo
echo "== sm-match: the shipped rules ($demo/rules) tag, prioritise and route what was fetched"
sm-match --dir "$demo" "$demo/fetched.jsonl" > "$demo/matched.jsonl" || true
echo "$(wc -l < "$demo/matched.jsonl") of $(wc -l < "$demo/fetched.jsonl") items matched a rule; the store keeps the annotations:"
sqlite3 -box "$demo/store.db" "SELECT rules, tags, priority, team, substr(coalesce(title, text), 1, 44) AS item
	FROM items WHERE rules IS NOT NULL ORDER BY priority = 'high' DESC, created_at DESC"
echo
echo "== sm-assign: the matched items become cases, routed to teams and agents, due in business hours"
sm-assign --dir "$demo" "$demo/matched.jsonl" | jq -c '{case, team, assignee, status, due}' 2>/dev/null ||
	sm-assign --dir "$demo" "$demo/matched.jsonl"
echo
echo "== sm-assign list: open cases, most urgent first (a case no agent has room for waits, queued)"
sm-assign --dir "$demo" list | jq -r '[.case, .status, .team, (.assignee // "(queued)"), .due] | @tsv' 2>/dev/null ||
	sm-assign --dir "$demo" list
echo
# sm-publish: alice answers two matched items, lena approves (4 eyes), otto publishes them to
# an outbox channel, a file, so no account is needed; identity from SM_USER (security.identity env)
echo "== sm-approve, sm-publish: alice answers two items, lena approves, otto publishes to the outbox"
git config -f "$cfg" security.identity env
git config -f "$cfg" channel.outbox.kind outbox
git config -f "$cfg" channel.outbox.path outbox.jsonl
git config -f "$cfg" agent.lena.role approver
git config -f "$cfg" agent.otto.role publisher
for id in $(sqlite3 "$demo/store.db" "SELECT id FROM items WHERE rules IS NOT NULL
	ORDER BY priority = 'high' DESC, created_at DESC LIMIT 2"); do
	SM_USER=alice sm-approve --dir "$demo" draft "$id" --channel outbox \
		-m "Thank you for telling us. We are on it and will answer here."
done > "$demo/drafts.jsonl"
SM_USER=lena sm-approve --dir "$demo" ok - < "$demo/drafts.jsonl" > /dev/null
SM_USER=otto sm-publish --dir "$demo" -v > "$demo/published.jsonl"
jq -c '{draft, reply_to, state, published}' "$demo/published.jsonl" 2>/dev/null || cat "$demo/published.jsonl"
echo "-- $demo/outbox.jsonl, one line per post:"
cat "$demo/outbox.jsonl"
echo "-- sm-publish again: nothing is due, nothing is sent: $(SM_USER=otto sm-publish --dir "$demo" | wc -l) records"
echo "-- the cases answered wait for the customer now (pending), their first response recorded:"
sm-assign --dir "$demo" list --status pending | jq -r '[.case, .status, .first_response_at] | @tsv' 2>/dev/null ||
	sm-assign --dir "$demo" list --status pending
echo
echo "== sm-match --test: the rules' own Test-Match / Test-No-Match lines, as TAP"
sm-match --dir "$demo" --test
echo
echo "== sm-fetch again: nothing is new, nothing is printed"
sm-fetch --dir "$demo" -v | wc -l
echo
echo "== sm-plan: the editorial plan is a git repository; two entries, written on a branch and merged"
git config -f "$cfg" channel.social.kind mastodon
git config -f "$cfg" channel.social.url https://social.example
git config -f "$cfg" channel.sky.kind bluesky
git config -f "$cfg" security.identity env
export SM_NOW=2026-11-23T08:00:00Z SM_USER=alice
g() { git -C "$demo/plan" -c user.name=alice -c user.email=alice@example.org "$@"; }
g checkout -q -b campaign
cp -R "$src/plan/posts" "$demo/plan/"
g add posts && g commit -q -m 'plan: Black Friday, Sunday tips'
sm-plan --dir "$demo" check campaign && echo "sm-plan check campaign: no problem"
g checkout -q main 2>/dev/null || g checkout -q -b main
g merge -q campaign
sm-plan --dir "$demo" sync | jq -c '{draft, channel, needs, scheduled_at, plan}' 2>/dev/null ||
	sm-plan --dir "$demo" sync
sm-plan --dir "$demo" list --to +30d -f table
unset SM_NOW SM_USER
echo
echo "The workspace is $demo; try: sm-match --dir $demo -n -q 'glasfaser OR router' $demo/fetched.jsonl"
echo
echo "== sm-report: the SLA by team, as the policy's business hours judge it, and the cases at risk"
sm-report --dir "$demo" sla -f table
echo
echo "== sm-report: what came in, by channel"
sm-report --dir "$demo" volume --by channel -f table
sm-report --dir "$demo" sla --by day -o "$demo/sla.html"
sm-report --dir "$demo" volume --by day -o "$demo/volume.html"
echo
echo "Reports with charts, one self-contained HTML page each: $demo/sla.html, $demo/volume.html"
