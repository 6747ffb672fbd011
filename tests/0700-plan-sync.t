#!/bin/sh
# 0700-plan-sync.t - sm-plan sync: only what is committed on the reviewed branch becomes
# drafts (a campaign branch is not drafted until merged, uncommitted files never), one per
# channel and occurrence, under the policy its tags match; an edit after approval voids the
# approval, a rename keeps the drafts, a deletion withdraws them, and drafts that went out
# are never touched. Everything audited.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/plan.sh"

mkws || { fail "workspace"; done_testing; }

# --- a campaign branch is not drafted until it is merged ----------------------------------
as_git alice checkout -q -b campaign
entry posts/black-friday.txt <<'EOF2'
At: 2026-11-27 09:00 Europe/Berlin
Channels: masto, sky
Tags: campaign, sale

Black Friday starts at 9: everything 30% off. https://shop.example/black-friday

--- bluesky
Black Friday: 30% off from 9 o'clock.
EOF2
commit alice posts/black-friday.txt 'plan: Black Friday'
as_git alice checkout -q main
psync >out 2>err
is "campaign branch: sync exit 0, prints nothing" "$?:$(cat out)" "0:"
is "campaign branch: no drafts" "$(ndrafts)" 0

# uncommitted and staged files on the reviewed branch's worktree are not the branch
entry posts/draft-idea.txt <<'EOF2'
At: 2026-11-25 09:00 UTC
Channels: masto

Not committed yet.
EOF2
entry posts/staged.txt <<'EOF2'
At: 2026-11-25 10:00 UTC
Channels: masto

Staged, not committed.
EOF2
as_git alice add posts/staged.txt
psync >out 2>err
is "uncommitted and staged files: no drafts" "$(ndrafts):$(cat out)" "0:"
as_git alice reset -q posts/staged.txt && rm -f "$PLAN/posts/staged.txt" "$PLAN/posts/draft-idea.txt"

# --- the merge drafts them ---------------------------------------------------------------
as_git carol merge -q --no-ff -m 'Merge campaign: Black Friday' campaign
MERGE=$(as_git carol rev-parse HEAD)
BLOB=$(as_git carol rev-parse HEAD:posts/black-friday.txt)
psync >out 2>err
is "merge: sync exit 0, quiet" "$?:$(cat err)" "0:"
is "merge: two drafts, one per channel, printed as draft records" \
	"$(jq -c '[.draft, .kind, .channel, .state, .needs, .policy, .plan, .scheduled_at]' out | tr '\n' ' ')" \
	'[1,"post","masto","pending",2,"campaign","posts/black-friday.txt","2026-11-27T08:00:00Z"] [2,"post","sky","pending",2,"campaign","posts/black-friday.txt","2026-11-27T08:00:00Z"] '
is "the text for each network: the entry's, and Bluesky's own" "$(jq -r .text out)" \
	"Black Friday starts at 9: everything 30% off. https://shop.example/black-friday
Black Friday: 30% off from 9 o'clock."
is "the author is the agent who wrote the entry (by her e-mail), not who merged or synced" \
	"$(jq -r .author out | sort -u)" alice
is "the store: the entry's blob and the merge commit it came from" \
	"$(sqlval "SELECT DISTINCT plan_blob || ' ' || plan_commit FROM drafts")" "$BLOB $MERGE"
is "audit: made by otto from the plan entry, for alice" \
	"$(sqlval "SELECT actor || ': ' || detail FROM audit WHERE object = 'draft:1'")" \
	"otto: post on masto from the plan entry posts/black-friday.txt by alice; needs 2 (policy campaign)"
psync >out 2>err
is "sync again: nothing new, nothing printed" "$?:$(cat out):$(ndrafts)" "0::2"
plan otto sync -v >out 2>err
like "sync -v: the counts on stderr" err "^sm-plan: [0-9a-f]{12}: 0 created, 0 replaced, 0 withdrawn, 2 unchanged, 0 renamed$"

# --- approval: two approvers (6 eyes), never the entry's author --------------------------
SM_USER=alice sm-approve ok 1 >/dev/null 2>err
is "alice wrote the entry: she may not approve its draft (77)" "$?" 77
like "... and is told why" err "alice wrote it"
SM_USER=bob sm-approve ok 1 >/dev/null && SM_USER=carol sm-approve ok 1 >out
is "two approvals: approved" "$(jq -c '[.state, [.approvals[].by]]' out)" '["approved",["bob","carol"]]'
SM_USER=alice sm-approve edit 1 -m 'Better text' >/dev/null 2>err
is "a plan draft is not edited with sm-approve (65)" "$?" 65
like "... it changes in git" err "comes from the plan entry posts/black-friday.txt: change the entry"

# --- an edit after approval voids it ------------------------------------------------------
sed -i 's/30% off\. /30% off, online too. /' "$PLAN/posts/black-friday.txt"
commit dave posts/black-friday.txt 'plan: Black Friday online too'
EDIT=$(as_git dave rev-parse HEAD)
psync >out 2>err
is "edit: the two old drafts replaced, two new ones made" \
	"$(jq -c '[.draft, .state]' out | tr '\n' ' ')" '[1,"rejected"] [2,"rejected"] [3,"pending"] [4,"pending"] '
is "the old, approved one says why" "$(jq -r 'select(.draft == 1) | .reason' out)" \
	"replaced by $EDIT (posts/black-friday.txt changed)"
is "the new one has the new text and no approval" \
	"$(jq -c 'select(.draft == 3) | [.text, .approvals, .needs]' out)" \
	'["Black Friday starts at 9: everything 30% off, online too. https://shop.example/black-friday",[],2]'
is "the new drafts' author: dave, who changed it" "$(jq -r 'select(.draft > 2) | .author' out | sort -u)" dave
is "audit: a replace entry for each" \
	"$(sqlval "SELECT group_concat(object) FROM audit WHERE action = 'replace'")" "draft:1,draft:2"
is "the approvals of the old text count for nothing now" \
	"$(sqlval "SELECT count(*) FROM drafts WHERE state = 'approved'")" 0

# --- what went out is never touched, nor made again ------------------------------------------
SM_USER=bob sm-approve ok 3 >/dev/null && SM_USER=carol sm-approve ok 3 >/dev/null
sqlval "UPDATE drafts SET state = 'published', published_id = '111' WHERE id = 3"
sed -i 's/online too/online and in shops/' "$PLAN/posts/black-friday.txt"
commit dave posts/black-friday.txt 'plan: shops too'
psync >out 2>err
is "after publication: only the waiting draft replaced and made again" \
	"$(jq -c '[.draft, .channel, .state]' out | tr '\n' ' ')" '[4,"sky","rejected"] [5,"sky","pending"] '
is "the published one is as it was" "$(sqlval "SELECT state || ' ' || published_id FROM drafts WHERE id = 3")" "published 111"
is "no second Mastodon draft for the occurrence that went out" \
	"$(ndrafts "WHERE channel = 'masto' AND state != 'rejected'")" 1
sqlval "UPDATE drafts SET state = 'sending' WHERE id = 5"
sed -i 's/and in shops/and in every shop/' "$PLAN/posts/black-friday.txt"
commit dave posts/black-friday.txt 'plan: every shop'
psync >out 2>err
is "a draft being sent is not touched either" "$(cat out):$(sqlval "SELECT state FROM drafts WHERE id = 5")" ":sending"
sqlval "UPDATE drafts SET state = 'pending' WHERE id = 5"
psync >out 2>err
is "(once waiting again, the change replaces it)" "$(jq -c '[.draft, .state]' out | tr '\n' ' ')" '[5,"rejected"] [6,"pending"] '

# --- a rename keeps the drafts; a deletion withdraws them ------------------------------------
mkdir -p "$PLAN/posts/2026"
as_git dave mv posts/black-friday.txt posts/2026/black-friday.txt
as_git dave commit -q -m 'plan: by year'
psync >out 2>err
is "rename: no draft made or replaced" "$(cat out)" ""
is "rename: the waiting draft follows the file" "$(sqlval "SELECT plan FROM drafts WHERE id = 6")" \
	"posts/2026/black-friday.txt"
is "rename: the published one keeps the path it was published from" \
	"$(sqlval "SELECT plan FROM drafts WHERE id = 3")" "posts/black-friday.txt"
is "rename: audited" "$(sqlval "SELECT action || ' ' || object FROM audit WHERE action = 'rename'")" "rename draft:6"
as_git dave rm -q posts/2026/black-friday.txt
as_git dave commit -q -m 'plan: no Black Friday after all'
DEL=$(as_git dave rev-parse HEAD)
psync >out 2>err
is "delete: the waiting draft withdrawn" "$(jq -c '[.draft, .state, .reason]' out)" \
	"[6,\"rejected\",\"withdrawn: the entry was deleted in $DEL\"]"
is "delete: the published one stays published" "$(sqlval "SELECT state FROM drafts WHERE id = 3")" published
is "delete: audited as withdraw" "$(sqlval "SELECT count(*) FROM audit WHERE action = 'withdraw'")" 1

# --- a broken entry gets no drafts and says where; the others do ------------------------------
entry posts/good.txt <<'EOF2'
At: 2026-11-24 12:00 Europe/Berlin
Channels: masto

Lunch deal.
EOF2
entry posts/broken.txt <<'EOF2'
At: 2026-11-24 25:00 Europe/Berlin
Channels: masto

Broken time.
EOF2
as_git alice add posts && as_git alice commit -q -m 'plan: two more'
psync >out 2>err
is "a broken entry: exit 65" "$?" 65
like "... its FILE:LINE on stderr" err "^sm-plan: posts/broken.txt:1: At: '2026-11-24 25:00 Europe/Berlin'"
like "... and how many got no drafts" err "1 entry with problems got no drafts"
is "the good one is drafted, needing one approval (policy posts)" \
	"$(jq -c '[.plan, .needs, .policy]' out)" '["posts/good.txt",1,"posts"]'

# --- who may sync ------------------------------------------------------------------------------
SM_USER=bob sm-plan sync >out 2>err
is "an approver without the agent or publisher role: 77" "$?" 77
like "... says why" err "bob may not make drafts of the plan"
SM_USER=mallory sm-plan sync >out 2>err
is "no agent: 77" "$?:$(cat out)" "77:"

# --- two syncs at once make each draft once ---------------------------------------------------
as_git alice rm -q posts/broken.txt
for d in 1 2 3 4 5 6; do
	printf 'At: 2026-11-2%d 10:00 UTC\nChannels: masto, sky\n\nPost %d\n' "$d" "$d" | entry "posts/many-$d.txt"
done
as_git alice add posts && as_git alice commit -q -m 'plan: six more'
before=$(ndrafts)
psync >p1.out 2>p1.err &
p1=$!
psync >p2.out 2>p2.err &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
is "two syncs: both exit 0" "$r1:$r2" "0:0"
is "twelve drafts made, each once" "$(( $(ndrafts) - before )):$(cat p1.out p2.out | wc -l | tr -d ' ')" "12:12"
unlike "no 'database is locked'" p1.err "locked|BUSY"
ok "the audit chain is intact" quiet sm-approve verify

done_testing
