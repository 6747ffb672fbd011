#!/bin/sh
# 0702-plan-calendar.t - when entries fall due and the calendar: a repeating entry keeps its
# wall-clock time across the changes to and from summer time; sync drafts only what lies
# within the horizon; list shows each occurrence with its state (table, records, iCalendar
# that Python's icalendar module reads, or checked line by line where it is missing).
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/plan.sh"

export SM_NOW=2026-10-10T10:00:00Z
mkws || { fail "workspace"; done_testing; }

# weekly on Sunday 09:00 in Berlin across 25 October 2026 (CEST to CET)
entry posts/sunday.txt <<'EOF2'
At: 2026-10-11 09:00 Europe/Berlin
Channels: masto
Tags: tips, weekly
Repeat: weekly on Sun
Until: 2026-11-08
Title: Sunday tip

Tip of the week: restart the router; it helps, really. #tips
EOF2
# daily at 08:30 in New York across 1 November 2026 (EDT to EST)
entry posts/daily.txt <<'EOF2'
At: 2026-10-30 08:30 America/New_York
Channels: sky
Repeat: daily
Until: 2026-11-02

Good morning, New York.
EOF2
# monthly on the 31st: months without one are left out
entry posts/monthly.txt <<'EOF2'
At: 2026-10-31 12:00 UTC
Channels: masto
Repeat: monthly
Until: 2027-03-31

Month's end.
EOF2
# every second week on Monday and Thursday, at a fixed offset
entry posts/biweekly.txt <<'EOF2'
At: 2026-10-12T07:15:00+02:00
Channels: xshop
Repeat: every 2 weeks on Mon, Thu
Until: 2026-11-05

Twice a week, every other week.
EOF2
as_git alice add posts && as_git alice commit -q -m 'plan: repeating entries'

at_of() { plan alice list --from 2026-10-01 --to 2027-04-01 -f jsonl | jq -r "select(.entry == \"$1\") | .at" | tr '\n' ' '; }
is "weekly on Sunday in Berlin: 07:00Z in summer time, 08:00Z after 25 October" "$(at_of posts/sunday.txt)" \
	"2026-10-11T07:00:00Z 2026-10-18T07:00:00Z 2026-10-25T08:00:00Z 2026-11-01T08:00:00Z 2026-11-08T08:00:00Z "
is "daily in New York: 12:30Z while EDT, 13:30Z from 1 November" "$(at_of posts/daily.txt)" \
	"2026-10-30T12:30:00Z 2026-10-31T12:30:00Z 2026-11-01T13:30:00Z 2026-11-02T13:30:00Z "
is "monthly on the 31st: only the months that have one" "$(at_of posts/monthly.txt)" \
	"2026-10-31T12:00:00Z 2026-12-31T12:00:00Z 2027-01-31T12:00:00Z 2027-03-31T12:00:00Z "
is "every 2 weeks on Mon, Thu at +02:00" "$(at_of posts/biweekly.txt)" \
	"2026-10-12T05:15:00Z 2026-10-15T05:15:00Z 2026-10-26T05:15:00Z 2026-10-29T05:15:00Z "
is "the local time stays 09:00 in Berlin" \
	"$(plan alice list --to +40d -f jsonl | jq -r 'select(.entry == "posts/sunday.txt") | .local' | sort -u)" \
	"2026-10-11 09:00 Europe/Berlin
2026-10-18 09:00 Europe/Berlin
2026-10-25 09:00 Europe/Berlin
2026-11-01 09:00 Europe/Berlin
2026-11-08 09:00 Europe/Berlin"

# --- sync: the occurrences within the horizon (14 days), not more than an hour late ---------------
git config -f "$WS/config" plan.horizon 14d
psync >out 2>err
is "sync: the occurrences of the next 14 days, each a draft" \
	"$(jq -r '[.plan, .scheduled_at] | join(" ")' out | sort | tr '\n' '|')" \
	"posts/biweekly.txt 2026-10-12T05:15:00Z|posts/biweekly.txt 2026-10-15T05:15:00Z|posts/sunday.txt 2026-10-11T07:00:00Z|posts/sunday.txt 2026-10-18T07:00:00Z|"
SM_NOW=2026-10-25T07:30:00Z psync >out 2>err
is "two weeks later: the next 14 days' (08:00Z today still to come, 8 November beyond)" \
	"$(jq -r '[.plan, .scheduled_at] | join(" ")' out | sort | tr '\n' '|')" \
	"posts/biweekly.txt 2026-10-26T05:15:00Z|posts/biweekly.txt 2026-10-29T05:15:00Z|posts/daily.txt 2026-10-30T12:30:00Z|posts/daily.txt 2026-10-31T12:30:00Z|posts/daily.txt 2026-11-01T13:30:00Z|posts/daily.txt 2026-11-02T13:30:00Z|posts/monthly.txt 2026-10-31T12:00:00Z|posts/sunday.txt 2026-10-25T08:00:00Z|posts/sunday.txt 2026-11-01T08:00:00Z|"
git config -f "$WS/config" plan.grace 30m
entry posts/missed.txt <<'EOF2'
At: 2026-10-25 06:30 UTC
Channels: masto

Merged too late.
EOF2
commit alice posts/missed.txt 'plan: late'
SM_NOW=2026-10-25T07:30:00Z psync >out 2>err
is "an occurrence more than plan.grace ago is not drafted" "$(cat out)" ""

# --- list: states, table, records ----------------------------------------------------------------
SM_USER=bob sm-approve ok 1 >/dev/null
plan alice list --from 2026-10-11 --to 2026-10-16 -f jsonl >out
is "list: records with each occurrence's state" "$(jq -c '[.entry, .channel, .network, .state, .draft]' out | tr '\n' ' ')" \
	'["posts/sunday.txt","masto","mastodon","pending",3] ["posts/biweekly.txt","xshop","x","approved",1] ["posts/biweekly.txt","xshop","x","pending",2] '
plan alice list --from 2026-10-11 --to 2026-10-16 --channel masto -f jsonl >out
is "list --channel" "$(jq -r .channel out | sort -u)" masto
plan alice list --from 2026-12-20 --to 2027-01-10 -f jsonl >out
is "list: an occurrence not drafted yet is planned" "$(jq -c '[.entry, .state, has("draft")]' out)" '["posts/monthly.txt","planned",false]'
plan alice list --from 2026-10-11 --to 2026-10-16 -f table >out
like "list -f table: a header" out "^AT +CHANNEL +STATE +ENTRY +TITLE"
like "list -f table: not approved for a pending draft" out "^2026-10-11 09:00 Europe/Berlin +masto +not approved +posts/sunday.txt +Sunday tip"
is "list -f bad: 64" "$(plan alice list -f xml >/dev/null 2>&1; echo $?)" 64
is "list --to before --from: 64" "$(plan alice list --from 2026-10-11 --to 2026-10-01 >/dev/null 2>&1; echo $?)" 64

# --- show ---------------------------------------------------------------------------------------
plan alice show --from 2026-10-11 --to 2026-10-20 posts/sunday.txt >out
is "show: the entry" "$(jq -c '[.entry, .at, .first, .channels, .tags, .repeat, .until, .title]' out)" \
	'["posts/sunday.txt","2026-10-11 09:00 Europe/Berlin","2026-10-11T07:00:00Z",["masto"],["tips","weekly"],"weekly on Sun","2026-11-08","Sunday tip"]'
is "show: its occurrences and states" "$(jq -c '[.occurrences[] | [.at, .state]]' out)" \
	'[["2026-10-11T07:00:00Z","pending"],["2026-10-18T07:00:00Z","pending"]]'
is "show of no entry: 65" "$(plan alice show posts/none.txt >/dev/null 2>&1; echo $?)" 65

# --- iCalendar ----------------------------------------------------------------------------------
plan alice list --from 2026-10-01 --to 2026-11-10 -f ics >cal.ics
is "ics: exit 0" "$?" 0
# line by line: CRLF everywhere, no line over 75 octets, balanced components, escaped text
ok "ics: every line ends in CRLF" awk '!/\r$/ { bad = 1 } END { exit bad }' cal.ics
ok "ics: no line longer than 75 octets" awk '{ sub(/\r$/, ""); if (length($0) > 75) bad = 1 } END { exit bad }' cal.ics
is "ics: one calendar, one event per entry occurrence" \
	"$(tr -d '\r' <cal.ics | grep -c '^BEGIN:VEVENT$'):$(tr -d '\r' <cal.ics | grep -c '^END:VEVENT$'):$(head -1 cal.ics | tr -d '\r')" "15:15:BEGIN:VCALENDAR"
like "ics: times in UTC" cal.ics '^DTSTART:20261025T080000Z'
like "ics: a comma in a text escaped" cal.ics 'restart the router\\; it helps\\, really'
if /usr/bin/python3 -c 'import icalendar' 2>/dev/null; then
	/usr/bin/python3 - cal.ics >py.out 2>py.err <<'EOF2'
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for ev in cal.walk('VEVENT'):
    cats = ev.get('CATEGORIES')
    cats = ','.join(str(c) for c in cats.cats) if cats else ''
    print(ev['DTSTART'].dt.isoformat(), ev['SUMMARY'], ev['STATUS'], cats, ev['UID'].endswith('@smkit'), sep='|')
EOF2
	is "icalendar reads it: 15 events" "$(wc -l <py.out | tr -d ' ')" 15
	like "icalendar: the Sunday tip after the change, its categories, tentative" py.out \
		'^2026-10-25T08:00:00\+00:00\|Sunday tip\|TENTATIVE\|tips,weekly\|True$'
	like "icalendar: the approved one confirmed" py.out '^2026-10-12T05:15:00\+00:00\|Twice a week, every other week.\|CONFIRMED\|\|True$'
	desc=$(/usr/bin/python3 -c '
import sys, icalendar
cal = icalendar.Calendar.from_ical(open("cal.ics", "rb").read())
ev = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Sunday tip"][0]
print(ev["DESCRIPTION"])')
	is "icalendar: the description unescaped, with the channels' states" "$(printf '%s\n' "$desc" | head -3)" \
		"Tip of the week: restart the router; it helps, really. #tips

masto (mastodon): pending"
else
	skip "python3-icalendar not installed: checked line by line only"
fi

done_testing
