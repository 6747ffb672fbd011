#!/bin/sh
# The whole pipeline under SIGKILL: each trial adds entries to a feed, then runs fetch,
# match, assign, draft (sm-approve submit), approve (sm-approve ok) and publish against
# local servers, killing one of those processes at a random moment; a clean re-run of
# every stage follows. After each trial: the store is sound (integrity_check, foreign
# keys), every entry of the feed is stored exactly once, every approved draft is published
# exactly once as counted by the Mastodon server. SM_KILL_TRIALS sets the number of
# trials (make check: 12; make stress: 200).
. "${SM_SRC:-.}/tests/lib/test.sh"

TRIALS=${SM_KILL_TRIALS:-12}
TOK=tok-PIPE-1357
POST_DELAY=0.02
. "${SM_SRC:-.}/tests/lib/pipeline.sh"
cfg channel.blog.kind feed
cfg channel.blog.url "$FEEDS/feed.xml"
cfg team.support.strategy round-robin
cfg agent.alice.team support
cfg agent.alice.role agent
cfg agent.bob.team support
cfg agent.bob.role approver
cfg agent.otto.role publisher
printf 'Rule: outage\nMatch: störung OR ausfall\nTag: outage\n' > "$WS/rules"

# feed N: the feed with entries 1..N (every third one an outage)
feed() {
	{
		echo '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
		_e=1
		while [ $_e -le "$1" ]; do
			_w=Frage; [ $((_e % 3)) -eq 0 ] && _w=Störung
			printf '<item><guid>e-%d</guid><title>%s %d</title><description>%s Nummer %d</description>' \
				$_e "$_w" $_e "$_w" $_e
			printf '<pubDate>Mon, 23 Nov 2026 09:%02d:%02d +0000</pubDate></item>\n' $((_e / 60 % 60)) $((_e % 60))
			_e=$((_e + 1))
		done
		echo '</channel></rss>'
	} > root/feed.xml.tmp && mv root/feed.xml.tmp root/feed.xml
}

# The stages, each one process reading and writing files (so any one can be killed).
stage_fetch() { sm-fetch -q -c blog > fetched; }
stage_match() { sm-match -a fetched > matched; }
stage_assign() { sm-assign matched > assigned; }
# a post for every stored item that has none yet
stage_draft() {
	sqlite3 "$WS/store.db" "SELECT id FROM items WHERE channel = 'blog' AND NOT EXISTS
		(SELECT 1 FROM drafts WHERE drafts.text = 'Antwort auf ' || items.id) ORDER BY id" |
		while read -r _id; do printf '{"channel":"social","text":"Antwort auf %s"}\n' "$_id"; done > todo
	[ -s todo ] || return 0
	SM_USER=alice sm-approve submit todo > submitted
}
stage_ok() {
	SM_USER=bob sm-approve list --pending > pending
	[ -s pending ] || return 0
	SM_USER=bob sm-approve ok - < pending > okayed
}
stage_publish() { SM_USER=otto sm-publish > published; }
STAGES="fetch match assign draft ok publish"

entries=0 bad=0 killed_n=0
t=0
while [ $t -lt "$TRIALS" ]; do
	t=$((t + 1))
	entries=$((entries + 2))
	feed $entries
	victim=$(( $(od -An -N2 -tu2 /dev/urandom) % 6 + 1 ))
	k=0
	for s in $STAGES; do
		k=$((k + 1))
		if [ $k -eq $victim ]; then
			( exec 2>"kill-$t.err"; "stage_$s" ) &
			pid=$!
			sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 120 )))"
			# the stage's own process (the subshell's child, or the subshell itself)
			pkill -KILL -P $pid 2>/dev/null && killed_n=$((killed_n + 1))
			kill -KILL $pid 2>/dev/null
			wait $pid 2>/dev/null
		else
			"stage_$s" 2>>"trial-$t.err"
		fi
	done
	# the clean re-run: fetch again (nothing new); what was stored but never reached the
	# end of the pipe is matched and assigned from the store (sm-assign leaves the items
	# it has in cases as they are); draft what has no draft, approve, publish
	stage_fetch 2>>"rerun-$t.err"
	sm-match --stored -a 2>>"rerun-$t.err" | sm-assign > assigned 2>>"rerun-$t.err"
	stage_draft 2>>"rerun-$t.err"
	stage_ok 2>>"rerun-$t.err"
	stage_publish 2>>"rerun-$t.err"
	drafts=$(sqlval "SELECT count(*) FROM drafts")
	made=$(jq -r 'select(.created == true) | .status_id' "$TMP/social.log" | wc -l | tr -d ' ')
	problems=""
	[ "$(sqlval 'PRAGMA integrity_check')" = ok ] || problems="$problems integrity"
	[ -z "$(sqlval 'PRAGMA foreign_key_check')" ] || problems="$problems foreign-keys"
	[ "$(sqlval "SELECT count(*) || ':' || count(DISTINCT ext_id) FROM items WHERE channel = 'blog'")" = "$entries:$entries" ] ||
		problems="$problems items($(sqlval "SELECT count(*) || ':' || count(DISTINCT ext_id) FROM items"))"
	[ "$(sqlval "SELECT count(*) FROM case_items")" = "$entries" ] || problems="$problems cases"
	[ "$drafts" = "$entries" ] || problems="$problems drafts($drafts)"
	[ "$(sqlval "SELECT count(*) FROM drafts WHERE state = 'published'")" = "$entries" ] ||
		problems="$problems unpublished($(sqlval "SELECT group_concat(state) FROM drafts WHERE state != 'published'"))"
	[ "$made" = "$entries" ] || problems="$problems server-made-$made"
	if [ -n "$problems" ]; then
		bad=$((bad + 1))
		diag "trial $t (killed stage $victim):$problems" "$(cat "rerun-$t.err" | head -5)"
	fi
done
is "$TRIALS trials, one process killed in each: store sound, items once, drafts published once" "$bad" 0
diag "$killed_n of $TRIALS kills hit a running stage; $entries feed entries, $(sqlval 'SELECT count(*) FROM drafts') drafts"
is "the server made one status per draft, no more" \
	"$(jq -r 'select(.created == true) | .status_id' "$TMP/social.log" | sort -u | wc -l | tr -d ' ')" "$entries"
ok "the audit chain is intact" quiet sm-approve verify

done_testing
