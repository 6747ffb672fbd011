#!/bin/sh
# 0701-plan-check.t - sm-plan check, the lint a plan repository's CI runs before a merge:
# every problem exits 65 and names FILE:LINE; lengths counted as each network counts
# (Mastodon 500 with a link as 23, Bluesky 300 graphemes, X 280 weighted); and sm-plan add,
# which lints before it commits as the acting agent.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/plan.sh"

mkws || { fail "workspace"; done_testing; }

# rep CHAR N: CHAR N times
rep() { awk -v c="$1" -v n="$2" 'BEGIN { s = ""; for (i = 0; i < n; i++) s = s c; printf "%s", s }'; }

# lint NAME FILE LINE REGEX: the entry in the file in, committed on a branch of its own, fails
# check there with exit 65 and "sm-plan: FILE:LINE: REGEX" (3 checks)
lint() {
	_ln=$1 _lf=$2 _ll=$3 _lr=$4
	as_git alice checkout -q -B "lint" main
	entry "$_lf" <in
	as_git alice add -A . && as_git alice commit -q -m "lint: $_ln"
	plan alice check lint >out 2>err
	is "$_ln: exit 65" "$?" 65
	like "$_ln: $_lf:$_ll" err "^sm-plan: $_lf:$_ll: $_lr"
	like "$_ln: the count" err "^sm-plan: [0-9]+ problems? in [0-9]+ entr"
	as_git alice checkout -q main && as_git alice branch -q -D lint
}
# clean NAME FILE: the entry in the file in passes (exit 0, nothing said)
clean() {
	as_git alice checkout -q -B "lint" main
	entry "$2" <in
	as_git alice add -A . && as_git alice commit -q -m "clean: $1"
	plan alice check lint >out 2>err
	is "$1: passes, quietly" "$?:$(cat err)" "0:"
	as_git alice checkout -q main && as_git alice branch -q -D lint
}

printf 'At: 2026-12-01 09:00 Europe/Berlin\nChannels: masto\n\nfine\n' >in; clean "a plain entry" posts/a.txt
printf 'At: 2026-12-01 09:00 Europe/Berlin\nChannel: nope\n\nhi\n' >in; lint "unknown channel" posts/a.txt 2 "unknown channel 'nope'"
printf 'At: 2026-11-01 09:00 Europe/Berlin\nChannels: masto\n\nlate\n' >in; lint "a time in the past on a new entry" posts/a.txt 1 \
	"At: 2026-11-01 09:00 Europe/Berlin is in the past"
printf 'At: 2026-11-01 09:00 UTC\nChannels: masto\nRepeat: weekly\nUntil: 2026-11-15\n\nover\n' >in
	lint "a repetition that ended" posts/a.txt 4 "Until: 2026-11-15 is in the past"
printf 'At: 2026-11-01 09:00 UTC\nChannels: masto\nRepeat: weekly\n\nstill on\n' >in
	clean "a past start that repeats on" posts/a.txt

# the past is only wrong for what is new: an old entry on main may lie in the past
printf 'At: 2026-11-18 09:00 UTC\nChannels: masto\n\nwas yesterday\n' | entry posts/old.txt
commit alice posts/old.txt 'plan: old'
plan alice check >out 2>err
is "an entry on the reviewed branch that lies in the past: no problem" "$?:$(cat err)" "0:"
as_git alice checkout -q -b moved
mkdir -p "$PLAN/archive" && as_git alice mv posts/old.txt archive/old.txt && as_git alice commit -q -m moved
plan alice check moved >out 2>err
is "... nor once renamed (git's rename detection)" "$?:$(cat err)" "0:"
as_git alice checkout -q main

# lengths, as each network counts them
url=https://shop.example/$(rep x 100)
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\n\n%s %s\n' "$(rep a 476)" "$url" >in
	clean "Mastodon: 476 + space + a long link counted 23 = 500" posts/m.txt
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\n\n%s %s\n' "$(rep a 477)" "$url" >in
	lint "Mastodon: 501" posts/m.txt 4 "the text for 'masto' has 501 characters, Mastodon takes 500"
git config -f "$WS/config" channel.masto.max-chars 1000
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\n\n%s\n' "$(rep a 900)" >in
	clean "Mastodon: a server's own max-chars" posts/m.txt
git config -f "$WS/config" --unset channel.masto.max-chars
# e + combining acute: 2 code points, one grapheme
printf 'At: 2026-12-01 09:00 UTC\nChannels: sky\n\n%s\n' "$(rep "$(printf 'e\314\201')" 300)" >in
	clean "Bluesky: 300 graphemes of 600 code points" posts/b.txt
printf 'At: 2026-12-01 09:00 UTC\nChannels: sky\n\n%s\n' "$(rep '👍🏽' 301)" >in
	lint "Bluesky: 301 graphemes" posts/b.txt 4 "the text for 'sky' has 301 characters \\(graphemes\\), Bluesky takes 300"
printf 'At: 2026-12-01 09:00 UTC\nChannels: xshop\n\n%s\n' "$(rep '漢' 140)" >in
	clean "X: 140 CJK characters weigh 280" posts/x.txt
printf 'At: 2026-12-01 09:00 UTC\nChannels: xshop\n\n%s\n' "$(rep '漢' 141)" >in
	lint "X: 141 CJK characters weigh 282" posts/x.txt 4 "the text for 'xshop' has 282 weighted characters, X takes 280"
printf 'At: 2026-12-01 09:00 UTC\nChannels: xshop\n\n%s %s\n' "$(rep a 256)" "$url" >in
	clean "X: a link weighs 23" posts/x.txt
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto, sky\n\n%s\n\n--- bluesky\nshort\n' "$(rep a 400)" >in
	clean "a text of Bluesky's own keeps the long one off it" posts/s.txt
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto, sky\n\nshort\n\n--- masto\n%s\n' "$(rep a 501)" >in
	lint "a channel's own text over its limit: the line of its section" posts/s.txt 6 "the text for 'masto' has 501"

# pictures
printf 'one\n' >"$PLAN/img.png"
commit alice img.png 'plan: a picture'
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nMedia: img.png | A red sign saying SALE\n\nsee\n' >in
	clean "a picture with alt text" posts/p.txt
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nMedia: img.png\n\nsee\n' >in
	lint "a picture without alt text" posts/p.txt 3 "Media: 'img.png' has no alt text"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nMedia: nope.png | alt\n\nsee\n' >in
	lint "a picture not in the repository" posts/p.txt 3 "Media: 'nope.png' is not in the repository"

# broken headers
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nthis is no header\n\ntext\n' >in
	lint "a line that is no field" posts/h.txt 3 "a broken header: 'this is no header'"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nColour: red\n\ntext\n' >in
	lint "an unknown field" posts/h.txt 3 "unknown field 'Colour'"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nX-Owner: marketing\n\ntext\n' >in; clean "X- fields are the team's own" posts/h.txt
printf 'At: 2026-12-01 9 Uhr\nChannels: masto\n\ntext\n' >in; lint "a bad time" posts/h.txt 1 "At: '2026-12-01 9 Uhr': not a time"
printf 'At: 2026-12-01 09:00 Mars/Olympus\nChannels: masto\n\ntext\n' >in; lint "an unknown zone" posts/h.txt 1 "At: .*unknown time zone"
printf 'At: 2026-12-01 09:00\nChannels: masto\n\ntext\n' >in; lint "no zone" posts/h.txt 1 "At: .*no time zone"
printf 'At: 2026-02-30 09:00 UTC\nChannels: masto\n\ntext\n' >in; lint "no such day" posts/h.txt 1 "At: .*no such day"
printf 'At: 2026-12-01 09:00 UTC\n\ntext\n' >in; lint "no Channels" posts/h.txt 1 "no Channels: field"
printf 'Channels: masto\n\ntext\n' >in; lint "no At" posts/h.txt 1 "no At: field"
printf 'At: 2026-12-01 09:00 UTC\nAt: 2026-12-02 09:00 UTC\nChannels: masto\n\ntext\n' >in; lint "a field twice" posts/h.txt 2 "At: given twice"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\n\n' >in; lint "no text" posts/h.txt 3 "no text to post"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nRepeat: fortnightly\n\ntext\n' >in; lint "a bad Repeat" posts/h.txt 3 "Repeat: 'fortnightly'"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nRepeat: weekly\nUntil: 2026-11-30\n\ntext\n' >in
	lint "Until before At" posts/h.txt 4 "Until: before At:"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nUntil: 2026-12-30\n\ntext\n' >in; lint "Until without Repeat" posts/h.txt 3 "Until: without Repeat:"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\n\ntext\n\n--- facebook\nhi\n' >in
	lint "a text for no channel of the entry" posts/h.txt 6 "a text for 'facebook', which is neither"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\n\ntext \377\n' >in; lint "not UTF-8" posts/h.txt 4 "not valid UTF-8"

# several problems: all of them, in one run
as_git alice checkout -q -B lint main
printf 'At: 2026-12-01 09:00 UTC\nChannels: nope\n\nx\n' | entry posts/one.txt
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nMedia: img.png\n\nx\n' | entry posts/two.txt
as_git alice add -A . && as_git alice commit -q -m two
plan alice check lint >out 2>err
is "two entries with problems: exit 65, stdout empty" "$?:$(cat out)" "65:"
is "... each named" "$(grep -c '^sm-plan: posts/' err)" 2
like "... and counted" err "^sm-plan: 2 problems in 3 entries$"
as_git alice checkout -q main

# CI: --repo names the repository to check, a workspace's config the channels
git clone -q "$PLAN" "$TMP/ci-clone" 2>/dev/null
git -C "$TMP/ci-clone" checkout -q lint
sm-plan --repo "$TMP/ci-clone" check >out 2>err
is "check --repo PATH: HEAD of that clone" "$?" 65
like "... finds the problems there" err "posts/one.txt:2: unknown channel"
is "check of a revision that does not exist: 64" "$(sm-plan check no-such-rev >/dev/null 2>&1; echo $?)" 64
as_git alice branch -q -D lint

# --- sm-plan add -------------------------------------------------------------------------------
plan alice add --at '2026-12-03 10:00 Europe/Berlin' --channel masto --channel sky --tag campaign \
	--title 'Advent' --media 'img.png | A red sign' -m 'Advent offers from today.' posts/advent.txt >out 2>err
is "add: exit 0, quiet" "$?:$(cat err)" "0:"
is "add: the commit on the reviewed branch" "$(jq -c '[.entry, .branch, .commit == "'"$(as_git alice rev-parse main)"'", .author]' out)" \
	'["posts/advent.txt","main",true,"alice"]'
is "add: the agent is the commit's author" "$(as_git alice log -1 --format='%an <%ae>' main)" "alice <alice@shop.example>"
is "add: the file as written" "$(as_git alice show main:posts/advent.txt)" "At: 2026-12-03 10:00 Europe/Berlin
Channels: masto, sky
Tags: campaign
Title: Advent
Media: img.png | A red sign

Advent offers from today."
is "add: the checked-out worktree follows (nothing shows as changed)" "$(as_git alice status --porcelain)" ""
plan dave add -b campaign-2 --at '2026-12-04 10:00 UTC' --channel masto -m 'On a branch.' posts/b2.txt >out 2>err
is "add -b: a new branch from the reviewed one" "$(as_git alice log --format=%s -2 campaign-2 | tr '\n' '|')" \
	"plan: posts/b2.txt|plan: posts/advent.txt|"
ok "add -b: the reviewed branch does not have it" quiet sh -c "! git -C '$PLAN' cat-file -e main:posts/b2.txt"
plan alice add --at '2026-12-03 10:00 UTC' --channel masto -m 'again' posts/advent.txt >out 2>err
is "add over an existing entry: 73" "$?:$(cat out)" "73:"
snapshot=$(as_git alice rev-parse main)
plan alice add --at '2026-11-03 10:00 UTC' --channel nope -m 'bad' posts/bad.txt >out 2>err
is "add of an entry with problems: 65, nothing committed" "$?:$(as_git alice rev-parse main)" "65:$snapshot"
like "... the problems, FILE:LINE" err "^sm-plan: posts/bad.txt:2: unknown channel 'nope'"
plan bob add --at '2026-12-03 10:00 UTC' --channel masto -m 'x' posts/bob.txt >out 2>err
is "add by an approver without the agent role: 77" "$?" 77
EDITOR='printf "At: 2026-12-05 08:00 UTC\nChannels: sky\n\nWritten in the editor. #advent\n" >' \
	plan alice add posts/edited.txt >out 2>err
is "add with the editor: committed" "$?:$(as_git alice show main:posts/edited.txt | tail -1)" "0:Written in the editor. #advent"

done_testing
