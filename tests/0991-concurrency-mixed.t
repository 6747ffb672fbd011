#!/bin/sh
# 16 processes of mixed commands on one store at once: fetching, matching and assigning
# (cron), agents taking cases and drafting answers, approvers approving, publishers
# publishing, someone listing: no "database is locked" or SQLITE_BUSY reaches anyone, no
# case is assigned twice, no draft is sent twice (counted by the Mastodon server).
# SM_MIX_SECONDS sets how long they run (make check: 8; make stress: 60).
. "${SM_SRC:-.}/tests/lib/test.sh"

SECONDS_=${SM_MIX_SECONDS:-8}
TOK=tok-MIX-9753
POST_DELAY=0.005
. "${SM_SRC:-.}/tests/lib/pipeline.sh"
cfg team.support.strategy least-loaded
for a in ann ben cem dia; do cfg agent.$a.team support; cfg agent.$a.role agent; cfg agent.$a.capacity 1000; done
for a in vic wim; do cfg agent.$a.role approver; done
for a in pia pit; do cfg agent.$a.role publisher; done
printf 'Rule: outage\nMatch: störung\nTag: outage\n' > "$WS/rules"
for f in 1 2 3 4; do
	cfg --add channel.blog$f.kind feed
	cfg channel.blog$f.url "$FEEDS/feed$f.xml"
done

# a feed that grows while the processes run
grow() {
	_n=0
	while [ ! -e stop ]; do
		_n=$((_n + 1))
		for f in 1 2 3 4; do
			{
				echo '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
				_e=1
				while [ $_e -le $_n ]; do
					printf '<item><guid>f%d-%d</guid><title>Störung %d</title></item>\n' $f $_e $_e
					_e=$((_e + 1))
				done
				echo '</channel></rss>'
			} > root/feed$f.xml.tmp && mv root/feed$f.xml.tmp root/feed$f.xml
		done
		sleep 0.3
	done
}
# loop NAME CMD...: run CMD (a shell function) until the stop file appears
loop() {
	_name=$1; shift
	while [ ! -e stop ]; do "$@" >/dev/null 2>>"err-$_name"; done
}
cron() { sm-fetch -q -c blog$1 | sm-match -a | sm-assign > /dev/null; }
# an agent takes a queued or unassigned case, or drafts an answer to one of theirs
agent() {
	_c=$(sqlite3 "$WS/store.db" "SELECT id FROM cases WHERE assignee = '$1' AND status = 'open'
		AND id NOT IN (SELECT case_id FROM drafts WHERE case_id IS NOT NULL) ORDER BY random() LIMIT 1" 2>/dev/null)
	if [ -n "$_c" ]; then
		printf '{"case":%s,"channel":"social","text":"Antwort von %s auf Fall %s"}\n' "$_c" "$1" "$_c" |
			SM_USER=$1 sm-approve submit
	else
		_q=$(sqlite3 "$WS/store.db" "SELECT id FROM cases WHERE assignee IS NULL ORDER BY random() LIMIT 1" 2>/dev/null)
		[ -z "$_q" ] || SM_USER=$1 sm-assign take "$_q" 2>/dev/null
		sleep 0.1
	fi
}
approver() { SM_USER=$1 sm-approve list --pending | SM_USER=$1 sm-approve ok - 2>/dev/null; sleep 0.05; }
publisher() { SM_USER=$1 sm-publish; sleep 0.05; }
lister() { SM_USER=ann sm-assign list; SM_USER=vic sm-approve list; sleep 0.1; }

pids=
grow & pids="$pids $!"
for f in 1 2 3 4; do loop cron$f cron $f & pids="$pids $!"; done
for a in ann ben cem dia; do loop $a agent $a & pids="$pids $!"; done
for a in vic wim; do loop $a approver $a & pids="$pids $!"; done
for a in pia pit; do loop $a publisher $a & pids="$pids $!"; done
loop list1 lister & pids="$pids $!"
loop list2 lister & pids="$pids $!"
sleep "$SECONDS_"
touch stop
for p in $pids; do wait $p; done
# drain: what was approved is published
SM_USER=pia sm-publish > /dev/null 2>> err-drain

cat err-* > all.err
unlike "16 processes: no 'database is locked' or SQLITE_BUSY reached anyone" all.err "locked|SQLITE_BUSY|busy"
unlike "... and no other error either" all.err "sm-[a-z]+: .*(rror|failed)"
is "every item in exactly one case" \
	"$(sqlval "SELECT count(*) = count(DISTINCT item_id) AND count(*) = (SELECT count(*) FROM items) FROM case_items")" 1
is "no case assigned twice by sm-assign" \
	"$(sqlval "SELECT count(*) FROM (SELECT case_id FROM case_events WHERE what = 'assigned' AND actor NOT IN ('ann','ben','cem','dia') GROUP BY case_id HAVING count(*) > 1)")" 0
is "no case taken twice" \
	"$(sqlval "SELECT count(*) FROM (SELECT case_id FROM case_events WHERE what = 'taken' OR (what = 'assigned' AND actor IN ('ann','ben','cem','dia')) GROUP BY case_id HAVING count(*) > 1)")" 0
is "one draft per case at most" \
	"$(sqlval "SELECT count(*) FROM (SELECT case_id FROM drafts GROUP BY case_id HAVING count(*) > 1)")" 0
published=$(sqlval "SELECT count(*) FROM drafts WHERE state = 'published'")
made=$(jq -r 'select(.created == true) | .status_id' "$TMP/social.log" | wc -l | tr -d ' ')
is "no draft sent twice: the server made one status per published draft" "$made" "$published"
is "every approved draft was published" "$(sqlval "SELECT count(*) FROM drafts WHERE state IN ('approved','sending')")" 0
diag "$(sqlval 'SELECT count(*) FROM items') items, $(sqlval 'SELECT count(*) FROM cases') cases," \
	"$(sqlval 'SELECT count(*) FROM drafts') drafts, $published published in ${SECONDS_}s"
ok "some work was done by every kind of process" \
	test "$published" -gt 0 -a "$(sqlval "SELECT count(*) FROM items")" -gt 0
is "the store is sound" "$(sqlval 'PRAGMA integrity_check')" ok
ok "the audit chain is intact" quiet sm-approve verify

done_testing
