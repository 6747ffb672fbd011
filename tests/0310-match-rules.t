#!/bin/sh
# 0310-match-rules.t - sm-match with rules files and queries: every rules-file and query
# error with its FILE:LINE:COL and exit status, bad input lines, grep-like output and exit
# statuses (-a -v -c, -q lines byte for byte), annotations in the store, drop and stop,
# priority and team, -n, --stored and --since, --test.
. "${SM_SRC:-.}/tests/lib/test.sh"

sm-init -q ws || { fail "sm-init ws"; done_testing; }
export SM_DIR=$TMP/ws
WS=$TMP/ws

# rules_error NAME RULES WANT: RULES (printf %b) as bad.rules is refused, exit 78, with the
# message WANT
rules_error() {
	printf '%b' "$2" >bad.rules
	sm-match -n -r bad.rules </dev/null >out 2>err
	is "rules: $1" "$? $(cat err)" "78 sm-match: bad.rules:$3"
}

rules_error "unknown field" 'Rule: a\nMatch: x\nFoo: y\n' "3:1: unknown field 'Foo'"
rules_error "Rule given twice" 'Rule: a\nRule: b\nMatch: x\n' \
	"2:1: field 'Rule' given twice in one rule"
rules_error "Match given twice" 'Rule: a\nMatch: x\nTag: t\nMatch: y\n' \
	"4:1: field 'Match' given twice in one rule"
rules_error "duplicate rule name" 'Rule: a\nMatch: x\n\n# again\n\nRule: b\nMatch: y\n\nRule: a\nMatch: z\n' \
	"9:1: duplicate rule name 'a' (first at line 1)"
rules_error "missing Rule:" 'Tag: t\nMatch: x\n' "1:1: a rule needs a 'Rule:' field with its name"
rules_error "missing Rule: in a later paragraph" 'Rule: a\nMatch: x\n\n\nMatch: y\n' \
	"5:1: a rule needs a 'Rule:' field with its name"
rules_error "missing Match:" 'Rule: a\nMatch: x\n\nRule: b\nTag: t\n' "4:1: rule 'b' has no 'Match:' field"
rules_error "empty Rule:" 'Rule: \nMatch: x\n' "1:7: a rule needs a name"
rules_error "bad priority" 'Rule: a\nMatch: x\nPriority: huge\n' \
	"3:11: priority is low, normal, high or urgent, not 'huge'"
rules_error "bad action" 'Rule: a\nMatch: x\nAction: delete\n' "3:9: action is drop or stop, not 'delete'"
rules_error "a line that is no field" 'Rule: a\nMatch: x\nthis is not a field\n' "3:1: expected 'Field: value'"
rules_error "a field name with a space" 'Rule: a\nMatch x: y\n' "2:1: expected 'Field: value'"
rules_error "continuation before any field" '  x\nRule: a\nMatch: x\n' \
	"1:1: a continuation line must follow a field"
rules_error "query error in Match" 'Rule: a\nMatch: (x\n' "2:8: unbalanced '('"
rules_error "query error after blanks" 'Rule: a\nMatch:    x)\n' "2:12: unbalanced ')'"
rules_error "query error on a continuation line" 'Rule: a\nMatch: x OR\n  (y\n' "3:3: unbalanced '('"
rules_error "query error on a tab continuation" 'Rule: a\nMatch: x\n\tOR "y\n' "3:5: unterminated phrase"
rules_error "unknown query field" 'Rule: a\nMatch:   foo:bar\n' "2:10: unknown field 'foo:'"
rules_error "bad regex" 'Rule: a\nMatch: /a(/\n' "2:11: bad /regex/: missing closing parenthesis"
rules_error "empty Match" 'Rule: a\nMatch:\n' "2:7: empty query"
rules_error "NEAR without words" 'Rule: a\nMatch: x NEAR/2 has:link\n' \
	"2:10: NEAR needs words or phrases on both sides"
rules_error "from: a group with no member" 'Rule: a\nMatch: from:nobody\n' \
	"2:8: from:nobody names a group with no member in the config ([group \"NAME\"] member = ...)"
# columns count characters, as query:1:COL does
rules_error "query error column after umlauts" 'Rule: a\nMatch: ö ö (x\n' "2:12: unbalanced '('"
rules_error "query error column on a continuation after umlauts" 'Rule: a\nMatch: x\n  ö ö (x\n' \
	"3:7: unbalanced '('"
# invalid UTF-8 is reported where it is
printf 'Rule: a\nMatch: x\377\n' >bad.rules
sm-match -n -r bad.rules </dev/null >out 2>err
is "rules: invalid UTF-8 exits 78" "$?" 78
like "rules: invalid UTF-8 is reported as FILE:LINE:COL" err '^sm-match: bad\.rules:2:9: .*UTF-8'

# well-formed oddities: comments, " ." lines, continuations, field names in any case, Tag twice
cat >odd.rules <<'EOF'
# a comment before the first rule
rule: joined
MATCH: "kein
 .
   internet"
# a comment inside the rule
tag: a, b
Tag: c,
  d
Test-Match: KEIN INTERNET
Test-No-Match: kein gutes internet
EOF
printf '{"text":"kein internet"}\n' | sm-match -n -r odd.rules >out 2>err
is "rules: continuation lines joined, '.' lines skipped, tags from every Tag" "$?:$(cat out)" \
	'0:{"text":"kein internet","tags":["a","b","c","d"],"rules":["joined"]}'
sm-match -n -r odd.rules --test >out 2>err
is "rules: --test on the odd rules" "$?:$(tr '\n' '|' <out)" \
	"0:ok 1 - joined: matches 'KEIN INTERNET'|ok 2 - joined: does not match 'kein gutes internet'|1..2|"

# query errors: exit 64, query:1:COL
query_error() {
	sm-match -n -q "$2" </dev/null >out 2>err
	is "-q: $1" "$? $(cat err)" "64 sm-match: query:1:$3"
}
query_error "unbalanced (" 'kein (internet' "6: unbalanced '('"
query_error "unbalanced )" 'kein internet)' "14: unbalanced ')'"
query_error "unterminated phrase" 'x "kein internet' "3: unterminated phrase"
query_error "unterminated regex" '/bit\.ly' "1: unterminated /regex/"
query_error "bad regex" '/a(/' "4: bad /regex/: missing closing parenthesis"
query_error "unknown field" 'kein foo:bar' "6: unknown field 'foo:'"
query_error "field without a value" 'x lang:' "3: 'lang:' needs a value"
query_error "has: value" 'has:photo' "1: has: takes link, question or media, not 'photo'"
query_error "is: value" 'is:new' "1: is: takes reply, not 'new'"
query_error "NEAR without distance" 'a NEAR b' "3: NEAR needs a distance, as in NEAR/3"
query_error "NEAR/0" 'a NEAR/0 b' "3: NEAR needs a distance from 1 to 1000, as in NEAR/3"
query_error "NEAR/1001" 'a NEAR/1001 b' "3: NEAR needs a distance from 1 to 1000, as in NEAR/3"
query_error "NEAR with a field" 'a NEAR/2 lang:de' "3: NEAR needs words or phrases on both sides"
query_error "NEAR with an AND group" '(a b) NEAR/2 c' "7: NEAR needs words or phrases on both sides"
query_error "OR first" 'OR x' "1: 'OR' needs a word before it"
query_error "AND first" 'AND x' "1: 'AND' needs a word before it"
query_error "dangling -" 'x -' "3: '-' needs something after it"
query_error "empty query" '' "1: empty query"
query_error "blank query" '   ' "1: empty query"
query_error "prefix of two words" 'e-mail*' "1: a prefix* must be one word"
query_error "nothing to match" 'x !!!' "3: '!!!' has no letters, digits or symbols to match"
query_error "column in characters" 'ö ö (x' "5: unbalanced '('"
query_error "from: without a group" 'from:super' \
	"1: from:super names a group with no member in the config ([group \"NAME\"] member = ...)"
# NOT takes the whole NEAR: -a NEAR/2 b is NOT (a NEAR/2 b)
printf '{"text":"c b"}\n{"text":"a x b"}\n' > near.jsonl
sm-match -n -q '-a NEAR/2 b' near.jsonl >out 2>err
is "-q: -a NEAR/2 b is NOT (a NEAR/2 b)" "$(cat out)" '{"text":"c b"}'
sm-match -n -q 'a NEAR/2 -b' near.jsonl >out 2>err
like "-q: a NOT right after NEAR is refused" err "query:1:10: NEAR/n needs a word or phrase after it, not NOT"

# usage
exits "usage: -r and -q together" 64 quiet sm-match -n -r odd.rules -q x
exits "usage: -a and -v together" 64 quiet sm-match -n -a -v -q x
exits "usage: --since without --stored" 64 quiet sm-match -n --since 7d -q x
exits "usage: --stored with files" 64 quiet sm-match -n --stored -q x odd.rules
exits "missing rules file: 66" 66 quiet sm-match -n -r nonexistent.rules
exits "missing input file: 66" 66 quiet sm-match -n -q x nonexistent.jsonl

# bad input lines: exit 65, FILE:LINE, nothing stored
printf '%s\n' '{"id":"s:1","channel":"s","text":"kein internet"}' 'not json' >bad.jsonl
sm-match bad.jsonl >out 2>err
is "bad line: exit 65" "$?" 65
like "bad line: FILE:LINE" err '^sm-match: bad\.jsonl:2:'
is "bad line: nothing is stored" "$(sqlval 'select count(*) from items')" 0
is "bad line: nothing is printed" "$(cat out)" ""
printf '%s\n' '{"id":"s:1","channel":"s","text":"kein"}' '{"id":"s:2","channel":"s","text":5}' >bad.jsonl
sm-match -n bad.jsonl >out 2>err
is "bad line: a text that is no string" "$? $(cat err)" "65 sm-match: bad.jsonl:2: field 'text' must be a string"
printf '%s\n' '{"text":"kein internet"}' >noid.jsonl
sm-match noid.jsonl >out 2>err
is "bad line: an item to store needs id and channel" "$? $(cat err)" \
	"65 sm-match: noid.jsonl:1: an item to store needs an id and a channel (or use -n)"
exits "bad line: with -n it needs neither" 0 quiet sm-match -n noid.jsonl
# a line the query's words cannot be in is still an error when it is no item
printf '%s\n' '{"text":"kein internet"}' 'garbage' '[1,2]' >bad.jsonl
sm-match -n -q kein bad.jsonl >out 2>err
is "bad line: reported with -n -q too" "$?" 65
like "bad line: with -n -q, FILE:LINE" err '^sm-match: bad\.jsonl:2:'
sm-match -n -v -q kein bad.jsonl >out 2>err
is "bad line: never printed by -v" "$? $(cat out)" "65 "

# the items of the examples below; the workspace's rules are sm-init's (share/rules.example)
cat >items.jsonl <<'EOF'
{"id":"s:1","channel":"s","text":"Seit heute kein Internet in Köln","created_at":"2026-11-20T10:00:00Z"}
{"id":"s:2","channel":"s","text":"Ich habe eine Frage zur Rechnung","created_at":"2026-11-21T10:00:00Z"}
{"id":"s:3","channel":"s","text":"Gratis iPhone bei bit.ly/abc","created_at":"2026-11-22T10:00:00Z"}
{"id":"s:4",  "channel":"s", "created_at":"2026-11-23T10:00:00Z","text":"Sch\u00f6nes Wetter"}
EOF
sed -n 4p items.jsonl >line4

# grep-like exit statuses and output
SM_NOW=2026-11-23T12:00:00Z sm-match items.jsonl >out 2>err
is "match: exit 0 when something matched" "$?" 0
cat >want <<'EOF'
{"id":"s:1","channel":"s","text":"Seit heute kein Internet in Köln","created_at":"2026-11-20T10:00:00Z","tags":["outage","netz"],"priority":"high","team":"tech","rules":["outage"]}
{"id":"s:2","channel":"s","text":"Ich habe eine Frage zur Rechnung","created_at":"2026-11-21T10:00:00Z","tags":["billing"],"team":"support","rules":["billing"]}
EOF
cmp_file "match: the matching items, annotated; the dropped one not" out want
is "store: tags" "$(sqlval "select tags from items where id = 's:1'")" '["outage","netz"]'
is "store: priority" "$(sqlval "select priority from items where id = 's:1'")" high
is "store: team" "$(sqlval "select team from items where id = 's:2'")" support
is "store: rules" "$(sqlval "select rules from items where id = 's:2'")" '["billing"]'
is "store: matched_at" "$(sqlval "select matched_at from items where id = 's:1'")" 2026-11-23T12:00:00Z
is "store: a dropped item is stored as dropped" \
	"$(sqlval "select dropped || ' ' || rules from items where id = 's:3'")" '1 ["spam"]'
is "store: an item no rule matched" \
	"$(sqlval "select dropped || ':' || coalesce(tags, '') || ':' || coalesce(rules, '') from items where id = 's:4'")" '0::'
is "store: every item is stored" "$(sqlval 'select count(*) from items')" 4

sm-match -n -a items.jsonl >out 2>err
is "-a: exit 0" "$?" 0
is "-a: every item but the dropped one" "$(cut -c1-12 out | tr '\n' ' ')" \
	'{"id":"s:1", {"id":"s:2", {"id":"s:4", '
sed -n 3p out >got
cmp_file "-a: an item that matched nothing is printed byte for byte" got line4
sm-match -n -v items.jsonl >out 2>err
is "-v: exit 0 (something matched)" "$?" 0
cmp_file "-v: only the item that matched nothing, unchanged" out line4
sm-match -n -c items.jsonl >out 2>err
printf 'outage\t1\nbilling\t1\nspam\t1\n' >want
cmp_file "-c: RULE<TAB>COUNT for every rule" out want
sm-match -n -q wetter -c items.jsonl >out 2>err
is "-q -c: one number" "$(cat out)" 1
sm-match -n -q 'nirgendwo OR nichts' items.jsonl >out 2>err
is "no match: exit 1, nothing printed" "$?:$(cat out)" "1:"
sm-match -n -c -q nirgendwo items.jsonl >out 2>err
is "-c, no match: exit 1 and 0" "$?:$(cat out)" "1:0"
sm-match -n -v -q nirgendwo items.jsonl >out 2>err
cmp_file "-v, no match: every line unchanged" out items.jsonl
printf '' | sm-match -n -q x >out 2>err
is "no input: exit 1" "$?" 1

# -q prints the matching lines byte for byte: spacing, key order, escapes
cat >raw.jsonl <<'EOF'
{ "text" : "Seit heute KEIN Internet" , "z": [1, 2 ], "id":"q:1" ,"channel":"q" }
{"channel":"q","id":"q:2","text":"alles gut"}
{"id":"q:3","channel":"q","text":"kein\u00a0internet \ud83d\udd25","tags":["old"],"rules":["old"]}
EOF
sed -n '1p;3p' raw.jsonl >want
sm-match -q '"kein internet"' raw.jsonl >out 2>err
is "-q: exit 0" "$?" 0
cmp_file "-q: matching lines byte for byte" out want
is "-q: the items are stored" "$(sqlval "select count(*) from items where channel = 'q'")" 3
is "-q: no annotations stored" "$(sqlval "select count(*) from items where channel = 'q' and rules is not null")" 0
sm-match -n -q '"kein internet"' -a raw.jsonl >out 2>err
cmp_file "-q -a: every line byte for byte" out raw.jsonl
sm-match -n -q '"kein internet"' -v raw.jsonl >out 2>err
sed -n 2p raw.jsonl >want
cmp_file "-q -v: the other line byte for byte" out want
sm-match -n -q '"kein internet"' raw.jsonl - <raw.jsonl >out 2>err
is "-q: files and - (stdin)" "$(wc -l <out | tr -d ' ')" 4

# annotations replace older values of the same keys; unknown fields pass
printf '%s\n' '{"id":"r:1","channel":"r","text":"Störung","tags":["old"],"team":"old","priority":"low","rules":["old"],"x":{"b":1,"a":2}}' |
	sm-match -n >out 2>err
is "annotations replace older ones" "$(cat out)" \
	'{"id":"r:1","channel":"r","text":"Störung","x":{"b":1,"a":2},"tags":["outage","netz"],"priority":"high","team":"tech","rules":["outage"]}'

# member names are JSON strings: escapes in them are the same names
printf '%s\n' '{"t\u0065xt":"St\u00f6rung"}' | sm-match -n -q störung >out 2>err
is "an escaped member name is the same name (text)" "$? $(cat err)" "0 "
printf '%s\n' '{"text":"Störung","t\u0061gs":["old"],"te\u0061m":"old"}' | sm-match -n >out 2>err
sm-match -n out >out2 2>err
is "annotations replace older ones under escaped names: the output reads again" "$? $(cat err)" "0 "
is "annotations replace older ones under escaped names: one tags key" \
	"$(grep -o '"t[^"]*gs"' out | wc -l | tr -d ' ') $(grep -o '"te[^"]*m":"[a-z]*"' out | tr '\n' ' ')" \
	'1 "team":"tech" '

# -n stores nothing
sqlite3 ws/store.db .dump >before
printf '%s\n' '{"id":"n:1","channel":"n","text":"Störung"}' | sm-match -n >out 2>err
is "-n: exit 0, printed" "$?:$(wc -l <out | tr -d ' ')" "0:1"
sm-match -n items.jsonl >/dev/null 2>&1
sm-match -n --stored -q wetter >/dev/null 2>&1
sqlite3 ws/store.db .dump >after
cmp_file "-n: the store is unchanged" after before
(mkdir -p empty && cd empty && printf '{"text":"Störung"}\n' |
	sm-match --dir "$TMP/empty/none" -n -q störung) >out 2>err
is "-n -q: needs no workspace" "$?:$(cat out)" '0:{"text":"Störung"}'

# Action: drop and stop, Priority (highest wins), Team (first wins)
cat >order.rules <<'EOF'
Rule: first
Match: kein
Tag: a
Team: t1
Priority: low

Rule: halt
Match: internet
Tag: b
Priority: normal
Action: stop

Rule: later
Match: internet OR wetter
Tag: c
Priority: urgent
Team: t3

Rule: spam
Match: gratis
Action: drop

Rule: last
Match: gratis OR wetter
Tag: z
EOF
cat >order.jsonl <<'EOF'
{"id":"o:1","channel":"o","text":"kein internet"}
{"id":"o:2","channel":"o","text":"internet"}
{"id":"o:3","channel":"o","text":"wetter kein"}
{"id":"o:4","channel":"o","text":"wetter"}
{"id":"o:5","channel":"o","text":"gratis kein"}
{"id":"o:6","channel":"o","text":"nichts"}
EOF
sm-match -r order.rules -a order.jsonl >out 2>err
cat >want <<'EOF'
{"id":"o:1","channel":"o","text":"kein internet","tags":["a","b"],"priority":"normal","team":"t1","rules":["first","halt"]}
{"id":"o:2","channel":"o","text":"internet","tags":["b"],"priority":"normal","rules":["halt"]}
{"id":"o:3","channel":"o","text":"wetter kein","tags":["a","c","z"],"priority":"urgent","team":"t1","rules":["first","later","last"]}
{"id":"o:4","channel":"o","text":"wetter","tags":["c","z"],"priority":"urgent","team":"t3","rules":["later","last"]}
{"id":"o:6","channel":"o","text":"nichts"}
EOF
cmp_file "stop, drop, priority and team" out want
is "drop: stored as dropped, no later rule" \
	"$(sqlval "select dropped || ' ' || rules || ' ' || tags || ' ' || team from items where id = 'o:5'")" \
	'1 ["first","spam"] ["a"] t1'
sm-match -n -r order.rules -v order.jsonl >out 2>err
is "drop: not printed by -v either" "$(cat out)" '{"id":"o:6","channel":"o","text":"nichts"}'
sm-match -n -r order.rules -c order.jsonl >out 2>err
printf 'first\t3\nhalt\t2\nlater\t2\nspam\t1\nlast\t2\n' >want
cmp_file "-c counts each rule's matches" out want

# --stored: a rules change reaches the stored items
cp ws/rules rules.orig
printf '\nRule: wetter\nMatch: wetter\nTag: smalltalk\nPriority: low\n' >>ws/rules
SM_NOW=2026-11-24T00:00:00Z sm-match --stored >out 2>err
is "--stored: exit 0" "$?" 0
like "--stored: prints the newly matching item" out '"id":"s:4".*"tags":\["smalltalk"\],"priority":"low","rules":\["wetter"\]'
unlike "--stored: never prints a dropped item" out '"id":"s:3"'
is "--stored: the tags are updated" "$(sqlval "select tags || ' ' || matched_at from items where id = 's:4'")" \
	'["smalltalk"] 2026-11-24T00:00:00Z'
is "--stored: unchanged annotations keep their time" \
	"$(sqlval "select matched_at from items where id = 's:1'")" 2026-11-23T12:00:00Z
sqlite3 ws/store.db 'select id, tags, priority, team, rules, dropped, matched_at from items order by id' >before
SM_NOW=2026-11-25T00:00:00Z sm-match --stored >out2 2>err
is "--stored again: exit 0" "$?" 0
sqlite3 ws/store.db 'select id, tags, priority, team, rules, dropped, matched_at from items order by id' >after
cmp_file "--stored again: nothing changes in the store" after before
cmp_file "--stored again: the same items printed" out2 out
SM_NOW=2026-11-23T12:00:00Z sm-match --stored --since 2d >out 2>err
is "--since 2d: only items created since then" "$(cut -c1-11 out | tr '\n' ' ')" '{"id":"s:4" '
sm-match --stored --since 2026-11-21 -q 'rechnung OR wetter OR kein' >out 2>err
is "--since DATE with -q" "$(cut -c1-11 out | tr '\n' ' ')" '{"id":"s:2" {"id":"s:4" '
exits "--since: a bad time is a usage error" 64 quiet sm-match --stored --since yesterday-ish
cp rules.orig ws/rules
SM_NOW=2026-11-26T00:00:00Z sm-match --stored >/dev/null 2>&1
is "--stored after the rule is gone: tags cleared" \
	"$(sqlval "select coalesce(tags, 'NULL') || ' ' || matched_at from items where id = 's:4'")" \
	'NULL 2026-11-26T00:00:00Z'

# --test: the shipped example rules pass, as sm-init writes them and as shipped
sm-match --test >out 2>err
is "--test: the workspace's rules pass" "$?" 0
like "--test: TAP plan" out '^1\.\.[1-9][0-9]*$'
unlike "--test: no failure" out '^not ok'
cmp_file "sm-init writes share/rules.example" ws/rules "$SM_SRC/share/rules.example"
exits "--test: share/rules.example passes" 0 quiet sm-match -n --test -r "$SM_SRC/share/rules.example"
# a broken copy: a Test-Match its rule cannot match
awk '{ print } /^Match:/ && !done { print "Test-Match: nothing to see here"; done = 1 }' \
	"$SM_SRC/share/rules.example" >broken.rules
line=$(grep -n '^Test-Match: nothing to see here' broken.rules | cut -d: -f1)
rule=$(grep -m1 '^Rule:' broken.rules | sed 's/^Rule: *//')
sm-match -n --test -r broken.rules >out 2>err
is "--test: a failing Test-Match exits 1" "$?" 1
like "--test: the failure names the rule, the text and FILE:LINE" out \
	"^not ok [0-9]+ - $rule: matches 'nothing to see here' # .*broken\\.rules:$line\$"
is "--test: only that line fails" "$(grep -c '^not ok' out)" 1

# from:GROUP, and an item record as a Test-Match line
git config -f ws/config group.super.member mastodon:kunde@social.example
git config -f ws/config --add group.super.member feed:press@example.org
cat >from.rules <<'EOF'
Rule: super
Match: from:super
Tag: superuser
Test-Match: {"author":{"id":"mastodon:kunde@social.example"},"text":"Danke!"}
Test-No-Match: {"author":{"id":"mastodon:other@social.example"},"text":"Danke!"}
Test-No-Match: Danke!
EOF
sm-match --test -r from.rules >out 2>err
is "from: --test with item records" "$?:$(grep -c '^ok' out)" "0:3"
cat >from.jsonl <<'EOF'
{"id":"f:1","channel":"f","author":{"id":"mastodon:kunde@social.example"},"text":"a"}
{"id":"f:2","channel":"f","author":{"id":"mastodon:other@social.example"},"text":"b"}
{"id":"f:3","channel":"f","author":{"id":"feed:press@example.org"},"text":"c"}
EOF
sm-match -r from.rules from.jsonl >out 2>err
is "from:super matches the members" "$? $(cut -c1-11 out | tr '\n' ' ')" '0 {"id":"f:1" {"id":"f:3" '
is "from:super: tags stored" "$(sqlval "select id from items where tags = '[\"superuser\"]' order by id" | tr '\n' ' ')" \
	'f:1 f:3 '
git config -f ws/config --unset-all group.super.member
sm-match -n -r from.rules from.jsonl >out 2>err
is "from: a group without members is a config error" "$?" 78

# every case of tests/data/queries.tsv again, read the way sm-match reads a line (the unit
# test reads its records with jansson): one rule per case, every line in one run; the texts'
# escapes are JSON's, and queries with \u escapes are left to the unit test
git config -f ws/config group.super.member mastodon:kunde@social.example
git config -f ws/config --add group.super.member feed:press@example.org
awk -F'\t' '
	/^#/ || NF < 2 || $2 ~ /\\u/ { next }
	{
		text = $3
		if (substr(text, 1, 6) == "#LONG ") {
			filler = ""
			while (length(filler) < 102400)
				filler = filler "lorem ipsum dolor sit amet, consectetur adipiscing elit. "
			text = filler substr(text, 7)
		}
		if (substr(text, 1, 1) != "{") {
			gsub(/"/, "\\\"", text)
			text = "{\"text\":\"" text "\"}"
		}
		printf "Rule: c%d\nMatch: %s\n\n", NR, $2 >"table.rules"
		print text >"table.jsonl"
		print "c" NR, $1, NR >"table.want"
	}' "$SM_SRC/tests/data/queries.tsv"
sm-match -n -a -r table.rules table.jsonl >table.out 2>err
is "table: sm-match reads every case" "$? $(wc -l <table.out | tr -d ' ') $(cat err)" \
	"0 $(wc -l <table.jsonl | tr -d ' ') "
ok "table: more than 300 cases" test "$(wc -l <table.jsonl)" -gt 300
awk 'NR == FNR { rule[FNR] = $1; want[FNR] = $2; line[FNR] = $3; next }
	{
		at = index($0, "\"rules\":[")
		got = at ? index(substr($0, at), "\"" rule[FNR] "\"") > 0 : 0
		if (got != want[FNR])
			printf "queries.tsv:%d: got %s, want %s\n", line[FNR], got ? "a match" : "no match", want[FNR] ? "a match" : "no match"
	}' table.want table.out >table.diff
is "table: sm-match agrees with every case" "$(head -20 table.diff)" ""

# the complete example of sm-rules(5) is a valid rules file whose tests pass
awk '/^A complete rules file:/ { on = 1; next } on && /^\.Bd/ { next } on && /^\.Ed/ { exit } on' \
	"$SM_SRC/share/man/sm-rules.5" | sed 's/\\e/\\/g' >complete.rules
git config -f ws/config group.press.member feed:press@example.org
git config -f ws/config group.competitor.member mastodon:news@telco.example
sm-match -n --test -r complete.rules >out 2>err
is "sm-rules(5): the complete example passes --test" "$? $(grep -c '^ok' out) $(cat err)" "0 11 "

# -v exits as grep -v does: 0 when it printed a line that did not match
printf '{"text":"nichts"}\n' > plain.jsonl
sm-match -n -v -q 'störung' plain.jsonl >out
is "-v: a non-matching line selected: exit 0" "$?:$(cat out)" '0:{"text":"nichts"}'
printf '{"text":"störung"}\n' > hit.jsonl
sm-match -n -v -q 'störung' hit.jsonl >out
is "-v: every line matched: exit 1, nothing printed" "$?:$(cat out)" "1:"
done_testing
