#!/bin/sh
# 0603-approve-policy.t - which policy a draft falls under (the first whose channel, team,
# tag, priority and kind conditions all hold), how many approvals that makes, and --at:
# the scheduled time stored in UTC and bound into the hash an approval is for.
# Checks marked TODO are findings: what a user expects and sm-approve does not do yet.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/approve.sh"

mkws || { fail "workspace"; done_testing; }
# needs AGENT ARGS...: "needs policy" of the draft made by `sm-approve draft ARGS`
needs() {
	_a=$1
	shift
	as "$_a" draft "$@" | jq -r '"\(.needs) \(.policy // "-")"'
}
# post CHANNEL: "kind needs policy" of a post submitted on CHANNEL
post() {
	printf '{"channel":"%s","text":"Ein Beitrag."}\n' "$1" | as alice submit |
		jq -r '"\(.kind) \(.needs) \(.policy // "-")"'
}

# a press tag needs two approvers; the same channel's other replies need one
is "press tag: 6 eyes" "$(needs alice s:2 -m 'Pressestelle')" "2 press"
is "same channel, no tag: 4 eyes (no policy)" "$(needs alice s:1 -m 'Technik')" "1 -"
is "legal tag" "$(needs alice s:3 -m 'Rechtsabteilung')" "1 legal"
is "urgent priority" "$(needs alice s:4 -m 'Techniker')" "1 urgent"
is "intern channel: none" "$(needs alice i:1 -m 'Kaffee')" "0 intern"

# the first policy that holds wins: a press inquiry on intern falls under intern
item i:2 intern 'Journalistin fragt nach' | sm-match -a >/dev/null
is "the item is tagged press" "$(sqlval "select tags from items where id = 'i:2'")" '["press"]'
is "first match: intern (listed before press)" "$(needs alice i:2 -m 'x')" "0 intern"

# one tag of several is enough; a policy with two tags holds for either
item s:5 support 'Journalist ohne Internet' | sm-match -a >/dev/null
is "an item with several tags" "$(sqlval "select tags from items where id = 's:5'")" '["press"]'
sqlval "update items set tags = '[\"netz\",\"vip\"]' where id = 's:1'"
git config -f ws/config --add policy.press.tag vip
is "a policy's second tag" "$(needs alice s:1 -m 'VIP')" "2 press"
git config -f ws/config --unset policy.press.tag vip
sqlval "update items set tags = NULL where id = 's:1'"

# kind = post: posts (no target) only, not replies
is "post on support: the posts policy" "$(post support)" "post 2 posts"
is "post on intern: posts is listed first" "$(post intern)" "post 2 posts"
is "reply on support: not the posts policy" "$(needs alice s:1 -m 'Antwort')" "1 -"
is "reply on intern: not the posts policy" "$(needs alice i:1 -m 'Antwort')" "0 intern"
git config -f ws/config policy.replies.kind reply
git config -f ws/config policy.replies.channel support
git config -f ws/config policy.replies.approvals 3
is "kind = reply: replies" "$(needs alice s:1 -m 'Antwort')" "3 replies"
is "kind = reply: not posts" "$(post support)" "post 2 posts"
git config -f ws/config --remove-section policy.replies

# team: the item's team (a rule's Team:), or the case's
printf '\nRule: billing\nMatch: rechnung\nTeam: billing\n' >>ws/rules
git config -f ws/config team.billing.strategy least-loaded
git config -f ws/config agent.bert.team billing
git config -f ws/config policy.billing.team billing
git config -f ws/config policy.billing.approvals 2
item s:6 support 'Rechnung falsch' | sm-match -a >/dev/null
is "team: the item's" "$(needs alice s:6 -m 'Wir prüfen')" "2 billing"
item s:7 support 'Rechnung zu hoch' | sm-match | sm-assign >/dev/null 2>&1
cs=$(sqlval "select case_id from case_items where item_id = 's:7'")
is "team: the case's" "$(sqlval "select team from cases where id = $cs")" billing
is "team: a draft to the case" "$(needs alice "$cs" -m 'Wir prüfen')" "2 billing"
sqlval "update cases set team = 'support' where id = $cs"
is "team: the case's team wins over the item's" "$(needs alice "$cs" -m 'x')" "1 -"

# the channel a reply goes out on decides, not the item's
is "--channel: the draft's channel" "$(as alice draft s:1 -m 'x' --channel intern | jq -r '"\(.channel) \(.needs) \(.policy)"')" \
	"intern 0 intern"
r=$(as alice draft s:2 -m 'Kein Kommentar.' --channel intern 2>/dev/null)
st=$?
[ $st -eq 0 ] && st=$(echo "$r" | jq -r .needs)
is "--channel: a reply to a press inquiry cannot escape the press policy" "$st" 2

# a bad policy is a config error
git config -f ws/config policy.broken.approvals -1
refused "approvals = -1" alice 78 ".*(policy.broken.approvals|policy 'broken': approvals must be 0 or more)" draft s:1 -m 'x'
git config -f ws/config policy.broken.approvals many
refused "approvals = many" alice 78 "" draft s:1 -m 'x'
git config -f ws/config --remove-section policy.broken

# --- --at: stored in UTC, part of the hash --------------------------------------------

as alice draft s:1 -m 'Wartung morgen.' --at 2026-11-24T08:00:00+01:00 >out 2>err
is "--at: exit 0" "$?" 0
is "--at: scheduled_at in UTC" "$(jq -r .scheduled_at out)" 2026-11-24T07:00:00Z
d=$(jq -r .draft out)
is "--at: in the store" "$(sqlval "select scheduled_at from drafts where id = $d")" 2026-11-24T07:00:00Z
h_at=$(jq -r .hash out)
h_no=$(as alice draft s:1 -m 'Wartung morgen.' | jq -r .hash)
h_other=$(as alice draft s:1 -m 'Wartung morgen.' --at 2026-11-24T08:00:00Z | jq -r .hash)
nok "--at: the hash differs from the same text without a time" test "$h_at" = "$h_no"
nok "--at: and from the same text at another time" test "$h_at" = "$h_other"
h_same=$(as alice draft s:1 -m 'Wartung morgen.' --at 'Tue, 24 Nov 2026 07:00:00 GMT' | jq -r .hash)
is "--at: the same time written otherwise, the same hash" "$h_same" "$h_at"
as bob ok "$d" >/dev/null
is "--at: approved" "$(jf "$d" '[.state, [.approvals[].by]]')" '["approved",["bob"]]'
# the time changed in the store behind sm-approve's back: the approval no longer counts
sqlval "update drafts set scheduled_at = '2026-11-23T23:00:00Z' where id = $d"
is "scheduled_at changed: the approval is not for what the draft says now" "$(jf "$d" .approvals)" '[]'
nok "scheduled_at changed: another hash" test "$(jr "$d" .hash)" = "$h_at"
is "scheduled_at changed: show says an approval is still needed" "$(jf "$d" .still_needed)" 1
sqlval "update drafts set scheduled_at = '2026-11-24T07:00:00Z' where id = $d"
is "scheduled_at back: the approval counts again" "$(jf "$d" '[.approvals[].by]')" '["bob"]'
# the text or the target changed the same way
sqlval "update drafts set text = 'Wartung heute.' where id = $d"
is "text changed in the store: the approval no longer counts" "$(jf "$d" .approvals)" '[]'
sqlval "update drafts set text = 'Wartung morgen.', reply_to = 's:2' where id = $d"
is "target changed in the store: the approval no longer counts" "$(jf "$d" .approvals)" '[]'
sqlval "update drafts set reply_to = 's:1', channel = 'intern' where id = $d"
is "channel changed in the store: the approval no longer counts" "$(jf "$d" .approvals)" '[]'

done_testing
