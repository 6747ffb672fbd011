#!/bin/sh
# 0800-report.t - sm-report's figures on a fixed, generated store (report_store.py) against
# the same figures computed again from its rows by report_oracle.py; CSV read back by
# Python's csv module, JSON lines by jq; text from the store never reaching a terminal raw;
# an empty store; the audit chain; files written whole; usage errors.
. "${SM_SRC:-.}/tests/lib/test.sh"

export SM_NOW=2026-11-23T12:00:00Z SM_DIR=$TMP/ws
ORACLE=$SM_SRC/tests/lib/report_oracle.py
sm-init -q ws && /usr/bin/python3 "$SM_SRC/tests/lib/report_store.py" ws ||
	{ fail "the generated store"; done_testing; }

# agree WHAT ARGS...: sm-report ARGS -f jsonl prints the oracle's rows
agree() {
	_what=$1
	shift
	sm-report "$@" -f jsonl >got.jsonl 2>err &&
		/usr/bin/python3 "$ORACLE" ws "$SM_NOW" "$@" >want.jsonl &&
		/usr/bin/python3 "$ORACLE" --compare got.jsonl want.jsonl >diff 2>&1
	_rc=$?
	if [ "$_rc" -eq 0 ] && [ -s want.jsonl ]; then pass "$_what"; else
		fail "$_what"; diag "sm-report $*: exit $_rc, $(wc -l <got.jsonl) rows, $(wc -l <want.jsonl) wanted" \
			"$(cat err diff | head -20)"; fi
}

# --- the figures -------------------------------------------------------------------------
agree "volume by day" volume
agree "volume by channel" volume --by channel
agree "volume by tag (an item once per tag)" volume --by tag
agree "volume by team (the case's, else the rule's)" volume --by team
agree "volume by agent, since a date" volume --by agent --since 2026-11-10
agree "volume by month" volume --by month
agree "volume of one channel" volume --channel forum
agree "response by team" response
agree "response by agent" response --by agent
agree "response by network" response --by network
agree "response by day, a period" response --by day --since 2026-11-01 --until 2026-11-20
agree "response by week" response --by week
agree "response of a team" response --by agent --team tech
agree "sla by team" sla
agree "sla by agent" sla --by agent
agree "sla by week" sla --by week
agree "sla by day, until a date" sla --by day --until 2026-11-20
agree "sla: the cases breached and due soon" sla --table breached
agree "backlog by team" backlog
agree "backlog by agent" backlog --by agent
agree "backlog: the queue" backlog --table queue
agree "agents" agents
agree "agents of a team, since a date" agents --team tech --since 2026-11-10
agree "topics by day" topics
agree "topics by day since a date (the window reaches back)" topics --since 2026-11-15
agree "topics by week" topics --by week
agree "topics by month" topics --by month
agree "superusers" superusers
agree "approvals by agent" approvals
agree "approvals by day" approvals --by day
agree "approvals by channel, since a date" approvals --by channel --since 2026-11-05
agree "publishing by channel" publishing
agree "publishing: the plan ahead" publishing --table ahead
agree "benchmark by channel" benchmark

# a few figures the generator made on purpose, said plainly
sm-report topics --since 2026-11-20 --until 2026-11-21 -f jsonl >t.jsonl
is "topics: the storm of outage complaints is a spike" \
	"$(jq -r 'select(.kind == "tag" and .topic == "outage") | [.count > 10, .spike] | @tsv' t.jsonl)" "true	true"
sm-report superusers -f jsonl >s.jsonl
is "superusers: the group's member without activity is listed" \
	"$(jq -r 'select(.author == "discourse:quiet") | [.super, .contributions, .helped] | @tsv' s.jsonl)" "true	0	0"
is "superusers: helper1 helped most, and is in the group (matched without regard to case)" \
	"$(jq -r '[.author, .super] | @tsv' s.jsonl | head -1)" "discourse:helper1	true"
is "superusers: our own account is none of them" "$(jq -r 'select(.author == "mastodon:service")' s.jsonl)" ""
sm-report benchmark -f jsonl >b.jsonl
is "benchmark: own and competitor sides" "$(jq -r '[.channel, .side] | @tsv' b.jsonl | tr '\n' ' ')" \
	"forum	own mail	own rival	competitor support	own "

# --- formats for programs ----------------------------------------------------------------
sm-report sla -f csv >sla.csv && sm-report sla -f jsonl >sla.jsonl && sm-report sla -f tsv >sla.tsv
cat >same.py <<'EOF'
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[2])]
if sys.argv[1].endswith(".csv"):
    got = list(csv.reader(open(sys.argv[1], newline="")))
else:
    unesc = lambda s: s.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")
    got = [[unesc(f) for f in l.rstrip("\n").split("\t")] for l in open(sys.argv[1])]
assert got[0] == list(rows[0].keys()), (got[0], list(rows[0]))
assert len(got) == len(rows) + 1, (len(got), len(rows))
for g, r in zip(got[1:], rows):
    for f, (k, v) in zip(g, r.items()):
        if v is None:
            assert f == "", (k, f)
        elif isinstance(v, bool):
            assert f == ("true" if v else "false"), (k, f, v)
        elif isinstance(v, (int, float)):
            assert float(f) == v, (k, f, v)
        else:
            assert f == v, (k, f, v)
print("same")
EOF
is "csv: Python's csv module reads what jsonl says" "$(/usr/bin/python3 same.py sla.csv sla.jsonl 2>&1)" same
is "csv: RFC 4180 lines end in CRLF" "$(head -1 sla.csv | od -c | grep -c '\\r  \\n')" 1
is "tsv: the same rows" "$(/usr/bin/python3 same.py sla.tsv sla.jsonl 2>&1)" same
sm-report superusers --table contributions -f csv >c.csv && sm-report superusers --table contributions -f jsonl >c.jsonl
is "csv: text with tabs, quotes and escapes survives the round trip" "$(/usr/bin/python3 same.py c.csv c.jsonl 2>&1)" same
sm-report superusers --table contributions -f tsv >c.tsv
is "tsv: escaped tabs and newlines come back" "$(/usr/bin/python3 same.py c.tsv c.jsonl 2>&1)" same
ok "jsonl: every line is a JSON object jq reads" quiet jq -e -s 'length > 0 and all(type == "object")' sla.jsonl
is "jsonl: numbers are numbers, shares fractions" "$(jq -r 'select(.team == "support") | [(.frt_due | type), (.frt_met_share < 1)] | @tsv' sla.jsonl)" \
	"number	true"
is "jsonl: durations in seconds" "$(sm-report response -f jsonl | jq -r 'select(.team == "tech") | .frt_median')" \
	"$(/usr/bin/python3 "$ORACLE" ws "$SM_NOW" response | jq -r 'select(.team == "tech") | .frt_median | floor')"
is "default on a pipe: jsonl" "$(sm-report volume --by channel | head -1 | jq -r .channel)" forum

# --- text from the store on a terminal ----------------------------------------------------
sm-report superusers -f table >su.txt
sm-report superusers -f md >su.md
sm-report superusers -f html >su.html
cat >raw.py <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8")
bad = re.findall("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]", data)
print("raw: %r" % bad[:5] if bad else "clean")
EOF
is "table: no raw control character reaches the terminal" "$(/usr/bin/python3 raw.py su.txt)" clean
like "table: an escape sequence in a name is shown, escaped" su.txt 'Hugo \\x1b\[31mRed\\x1b\[0m'
like "table: a tab, a bell and a bidi override in a text, escaped" su.txt 'tab\\there, bell\\x07, esc\\x1b\[2J, RLO \\u202e!'
is "markdown: no raw control character" "$(/usr/bin/python3 raw.py su.md)" clean
is "html: no raw control character" "$(/usr/bin/python3 raw.py su.html)" clean
ok "jsonl: the data itself, unchanged" quiet jq -e -s 'map(select(.handle == "helper2"))[0].name == "Hugo \u001b[31mRed\u001b[0m"' s.jsonl
sm-report sla -f table >sla.txt
like "table: numbers right-aligned, shares as per cent" sla.txt '^support +87 +[0-9]+ +[0-9]+ +[0-9.]+%'
if command -v script >/dev/null 2>&1; then
	# a terminal (a pty from script(1)) 70 columns wide
	COLUMNS=70 script -qec "sm-report superusers" /dev/null >tty.txt 2>&1
	like "on a terminal: a table by default, long text cut to fit" tty.txt '^discour… +helper1 +Helga H… +yes'
	tr -d '\r' <tty.txt >tty2.txt
	is "on a terminal: no raw control character" "$(/usr/bin/python3 raw.py tty2.txt)" clean
else
	skip "on a terminal: script(1) is not installed"
	skip "on a terminal: script(1) is not installed"
fi
COLUMNS=60 sm-report superusers -f table >narrow.txt 2>&1
is "table: a plain table to a file is not cut" "$(grep -c '…' narrow.txt)" 0

# --- Markdown pages for the knowledge base ------------------------------------------------
sm-report superusers -f md -o kb 2>err
ok "superusers -f md -o DIR: an index and a page per super user" test -f kb/index.md -a -f kb/discourse-helper1.md
is "superusers -f md: as many pages as super users" "$(ls kb | grep -vc '^index.md$')" "$(jq -s length s.jsonl)"
like "md page: links to each contribution" kb/discourse-helper1.md '^- 2026-1[01]-[0-9-]+T[0-9:]+Z, forum: \[Try a reboot\]\(https://forum\.example/p/[0-9]+\) \*\(answered a question\)\*$'
is "md page: one line per contribution in the period" "$(grep -c '^- 2026' kb/discourse-helper1.md)" \
	"$(jq -r 'select(.author == "discourse:helper1") | .contributions' s.jsonl)"
like "md index: links to the pages" kb/index.md '^- \[Helga Helper\]\(discourse-helper1\.md\): '
like "md page: a hostile name is escaped" kb/discourse-helper2.md '^# Hugo \\\\x1b\\\[31mRed\\\\x1b\\\[0m$'

# --- the audit log ------------------------------------------------------------------------
is "audit: every entry" "$(sm-report audit | jq -s length)" "$(sqlval 'select count(*) from audit')"
is "audit: entries in a period" "$(sm-report audit --since 2026-11-20 | jq -s length)" \
	"$(sqlval "select count(*) from audit where at >= '2026-11-20T00:00:00Z'")"
sm-report audit --verify >v.jsonl 2>err
is "audit --verify: intact, exit 0" "$?:$(jq -c '[.entries, .intact]' v.jsonl)" "0:[$(sqlval 'select count(*) from audit'),true]"
sqlval "insert into approvals (draft_id, approver, hash, at) select id, 'mallory', 'x', created_at from drafts limit 1"
sm-report audit --verify >v.jsonl 2>err
is "audit --verify: an approval the chain lacks is exit 65" "$?:$(jq -c .intact v.jsonl)" "65:false"
like "... naming it" err "approval is not in it \\(the first: draft [0-9]+, by mallory\\)"
sqlval "delete from approvals where approver = 'mallory'"
sqlval "update audit set detail = 'nothing to see' where seq = 5"
sm-report audit --verify >v.jsonl 2>err
is "audit --verify: an altered entry is exit 65" "$?" 65
like "audit --verify: the message names the entry" err '^sm-report: the audit chain is broken: entry 5: altered'
is "audit --verify: the record says so too" "$(jq -c '[.intact, (.problem | startswith("entry 5"))]' v.jsonl)" '[false,true]'

# --- files --------------------------------------------------------------------------------
sm-report volume -o v.csv && sm-report volume -f csv >v2.csv
cmp_file "-o FILE.csv: CSV from the extension" v.csv v2.csv
sm-report volume -o v.html
like "-o FILE.html: HTML" v.html '^<!DOCTYPE html>'
is "-o: nothing half-written is left beside it" "$(ls | grep -c '\.[A-Za-z0-9]\{6\}$')" 0
umask 027 && sm-report volume -o perm.jsonl && umask 022
is "-o: the file's mode follows the umask" "$(stat -c %a perm.jsonl)" 640
exits "-o in a directory that does not exist: 73" 73 sm-report volume -o nodir/v.csv 2>err
like "-o: the message names the file" err "^sm-report: unable to create 'nodir/v.csv'"

# --- an empty store -----------------------------------------------------------------------
sm-init -q empty
for r in volume response sla backlog agents topics superusers approvals publishing benchmark audit; do
	sm-report --dir empty "$r" -f jsonl >e.jsonl 2>err
	is "empty store: $r is empty, exit 0" "$?:$(wc -c <e.jsonl):$(cat err)" "0:0:"
done
sm-report --dir empty sla -f table >e.txt
like "empty store: a table says none" e.txt '^\(none\)$'
sm-report --dir empty sla -f html >e.html
like "empty store: html too" e.html '<p class="note">None.</p>'

# --- usage ---------------------------------------------------------------------------------
exits "no report named: 64" 64 sm-report 2>err
exits "an unknown report: 64" 64 sm-report nosuch 2>err
like "an unknown report: the message lists them" err "^sm-report: no report 'nosuch' \(volume, response, sla"
exits "a breakdown the report lacks: 64" 64 sm-report topics --by team 2>err
like "a breakdown the report lacks: said" err "^sm-report: topics: --by team is not one of its breakdowns"
exits "--by nonsense: 64" 64 sm-report volume --by year 2>err
exits "--since nonsense: 64" 64 sm-report volume --since yesterday 2>err
like "--since nonsense: said" err "'yesterday' is not a time"
exits "--until before --since: 64" 64 sm-report volume --since 2026-11-10 --until 2026-11-01 2>err
exits "backlog is as of now: --since is 64" 64 sm-report backlog --since 7d 2>err
exits "--verify on another report: 64" 64 sm-report sla --verify 2>err
exits "--table that the report lacks: 64" 64 sm-report sla --table queue 2>err
like "--table: the message lists its tables" err "sla has no table 'queue' \(its tables: sla, breached\)"
exits "-f nonsense: 64" 64 sm-report sla -f pdf 2>err
exits "two reports at once: 64" 64 sm-report sla volume 2>err
exits "no workspace: 78" 78 sm-report --dir "$TMP/nowhere" sla 2>err
mkdir nostore && cp ws/config nostore/
exits "a workspace without a store: 73" 73 sm-report --dir nostore sla 2>err
sm-report --help >help 2>&1
like "--help lists the reports" help '^  benchmark +own channels against competitors'
exits "output to a closed pipe is exit 74" 74 sh -c 'sm-report volume 2>/dev/null >&-'

done_testing
