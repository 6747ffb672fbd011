#!/bin/sh
# 0502-assign-due.t - the due times sm-assign sets on a new case: first response and
# resolution of the first policy that holds, counted in its business hours from the item's
# created_at: over a weekend, a holiday, both DST changes of Europe/Berlin, a policy in
# America/New_York (and its own DST change), split hours, 24/7; bad hours in the config.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-assign >/dev/null || skip_all "sm-assign not built"
command -v jq >/dev/null || skip_all "jq not installed"
[ -r /usr/share/zoneinfo/Europe/Berlin ] && [ -r /usr/share/zoneinfo/America/New_York ] ||
	skip_all "the time zone database (tzdata) is not installed"

sm-init -q ws || { fail "sm-init ws"; done_testing; }
export SM_DIR=$TMP/ws
WS=$TMP/ws
cat >>ws/config <<'EOF'
[assign]
	default-team = support
[team "support"]
	strategy = least-loaded
[agent "alice"]
	team = support
	capacity = 1000
[policy "us"]
	channel = us
	first-response = 1h
	resolution = 10h
	hours = Mon-Fri 09:00-17:00 America/New_York
[policy "weekend"]
	channel = wk
	first-response = 2h
	hours = Mon-Sun 08:00-18:00 Europe/Berlin
[policy "lunch"]
	channel = lunch
	first-response = 90m
	hours = Mon-Fri 08:00-12:00,13:00-17:00 Europe/Berlin
[policy "always"]
	channel = always
	first-response = 30m
	resolution = 2d
[policy "de"]
	first-response = 2h
	resolution = 20h
	hours = Mon-Fri 08:00-18:00 Europe/Berlin
	holiday = 2026-12-24
	holiday = 2026-12-25
EOF

# due ID CHANNEL CREATED_AT: prints "FIRST_RESPONSE_DUE RESOLUTION_DUE" of the new case
due() {
	printf '{"id":"%s","channel":"%s","author":{"id":"a-%s"},"text":"t","created_at":"%s"}\n' \
		"$1" "$2" "$1" "$3" | SM_NOW=2027-01-31T00:00:00Z sm-assign >out 2>err || {
		echo "exit $?: $(cat err)"
		return
	}
	printf '%s %s' "$(jq -r .due out)" \
		"$(sqlval "select coalesce(resolution_due, '-') from cases c join case_items i on i.case_id = c.id where i.item_id = '$1'")"
}

# Berlin is UTC+1 in winter (CET), UTC+2 in summer (CEST, until 2026-10-25 03:00)
is "in hours: 2h later (Mon 10:00 CET)" "$(due d1 de 2026-11-23T09:00:00Z)" \
	"2026-11-23T11:00:00Z 2026-11-25T09:00:00Z"
is "before the hours open: counted from 08:00 (Mon 06:00 CET)" "$(due d2 de 2026-11-23T05:00:00Z)" \
	"2026-11-23T09:00:00Z 2026-11-24T17:00:00Z"
is "over a weekend: Fri 16:30 + 2h = Mon 08:30 CET" "$(due d3 de 2026-11-27T15:30:00Z)" \
	"2026-11-30T07:30:00Z 2026-12-01T15:30:00Z"
is "on a Saturday: Mon 08:00 + 2h" "$(due d4 de 2026-11-28T12:00:00Z)" \
	"2026-11-30T09:00:00Z 2026-12-01T17:00:00Z"
is "over holidays (Thu 24th, Fri 25th) and the weekend: Wed 17:00 + 2h = Mon 28th 09:00" \
	"$(due d5 de 2026-12-23T16:00:00Z)" "2026-12-28T08:00:00Z 2026-12-29T16:00:00Z"
is "on a holiday: counted from the next working day" "$(due d6 de 2026-12-24T10:00:00Z)" \
	"2026-12-28T09:00:00Z 2026-12-29T17:00:00Z"
is "a holiday is a local date: 23:30Z on the 23rd is the 24th in Berlin" "$(due d7 de 2026-12-23T23:30:00Z)" \
	"2026-12-28T09:00:00Z 2026-12-29T17:00:00Z"
is "over the end of DST: Fri 17:00 CEST + 2h = Mon 09:00 CET (08:00Z, not 07:00Z)" \
	"$(due d8 de 2026-10-23T15:00:00Z)" "2026-10-26T08:00:00Z 2026-10-27T16:00:00Z"
is "on the night DST ends: Sat 17:00 CEST + 2h = Sun 09:00 CET" "$(due d9 wk 2026-10-24T15:00:00Z)" \
	"2026-10-25T08:00:00Z -"
is "on the night DST starts: Sat 17:00 CET + 2h = Sun 09:00 CEST" "$(due d10 wk 2026-03-28T16:00:00Z)" \
	"2026-03-29T07:00:00Z -"
is "over DST's start on a weekday policy: Fri 17:30 CET + 2h = Mon 09:30 CEST" \
	"$(due d11 de 2026-03-27T16:30:00Z)" "2026-03-30T07:30:00Z 2026-03-31T15:30:00Z"
is "split hours: the lunch break does not count (11:30 + 90m = 14:00)" "$(due d12 lunch 2026-11-23T10:30:00Z)" \
	"2026-11-23T13:00:00Z -"
# New York is UTC-5 in winter (EST), UTC-4 in summer (EDT, until 2026-11-01)
is "another time zone: Mon 16:30 EST + 1h = Tue 09:30 EST" "$(due u1 us 2026-11-23T21:30:00Z)" \
	"2026-11-24T14:30:00Z 2026-11-25T15:30:00Z"
is "another time zone over its own DST end: Fri 16:30 EDT + 1h = Mon 09:30 EST" \
	"$(due u2 us 2026-10-30T20:30:00Z)" "2026-11-02T14:30:00Z 2026-11-03T15:30:00Z"
is "another time zone, early: Mon 03:00 EST is before its hours" "$(due u3 us 2026-11-23T08:00:00Z)" \
	"2026-11-23T15:00:00Z 2026-11-24T16:00:00Z"
is "no hours: 24/7 UTC" "$(due a1 always 2026-11-28T23:50:00Z)" "2026-11-29T00:20:00Z 2026-11-30T23:50:00Z"
is "the due times are stored: first_response_due, resolution_due" \
	"$(sqlval "select first_response_due || ' ' || resolution_due from cases where conversation = 'd3'")" \
	"2026-11-30T07:30:00Z 2026-12-01T15:30:00Z"

# no policy holds: no due time
sed -i.bak '/^\[policy "de"\]/,$d' ws/config
is "no policy holds: no due time" "$(due n1 other 2026-11-23T09:00:00Z)" "null -"

# bad hours are a config error (78), named with the policy
cfg_error() {
	cp ws/config.bak ws/config
	git config -f ws/config --replace-all "$2" "$3"
	printf '%s\n' '{"id":"b:1","channel":"de","author":{"id":"x"},"text":"t"}' |
		SM_NOW=2026-11-23T10:00:00Z sm-assign >out 2>err
	is "config: $1: exit 78, names the policy" "$? $(grep -Ec "policy( '|\.)de" err)" "78 1"
}
cfg_error "hours that are no hours" policy.de.hours "Mon-Fri 8-18 Europe/Berlin"
cfg_error "an unknown time zone" policy.de.hours "Mon-Fri 08:00-18:00 Europe/Nowhere"
cfg_error "a holiday that is no date" policy.de.holiday 2026-13-01
cfg_error "a duration that is no duration" policy.de.first-response 2x

done_testing
