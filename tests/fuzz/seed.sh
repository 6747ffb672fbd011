#!/bin/sh
# seed.sh NAME DIR - write the seed corpus of fuzz harness NAME into DIR, taken from the
# tests' fixtures, share/ and ../shared/corpus (the peers' recorded documents).
set -eu
name=$1 dir=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${SM_CORPUS:-$src/../shared/corpus}
mkdir -p "$dir"
n=0
# (a pipe runs put in a subshell: no counter survives it)
put() { cat >"$(mktemp "$dir/seed-XXXXXX")"; }

case $name in
jsonl)
	# item records written in the tests, a few to a file
	grep -ho '{".*}' "$src"/tests/*.t | split -l 4 - "$dir/seed-t"
	if command -v jq >/dev/null; then
		for f in "$corpus"/discourse/*.json; do
			[ -e "$f" ] && jq -c . "$f" 2>/dev/null | head -c 4000 | put
		done
	fi
	printf '{"id":"a:1","channel":"a","text":"caf\\u00e9 \\ud83d\\ude00","author":{"id":"x","name":"N"},"metrics":{"likes":1},"categories":["c"]}\r\n\n{"id":"a:2","channel":"a","title":null}\n' | put
	;;
rules)
	{ cat "$src/share/rules.example"; printf -- '----\nSeit heute morgen KEIN INTERNET in Köln\n{"text":"gratis iphone bit.ly/abc","lang":"de","author":{"id":"mastodon:kunde@social.example"}}\n'; } | put
	# each case of the query tests as a rule and its text
	grep -v '^#' "$src/tests/data/queries.tsv" | grep . | head -400 | while IFS='	' read -r _expect q text; do
		printf 'Rule: r\nMatch: %s\nTag: t\n\n----\n%s\n' "$q" "$text"
	done | split -l 6 - "$dir/seed-q"
	;;
feed)
	find "$corpus/feeds" -type f ! -name 'LICENSE*' | while read -r f; do
		n=$((n + 1))
		{ printf '\001'; cat "$f"; } >"$dir/seed-$n"
	done
	for f in "$src"/share/demo/*.atom "$src"/share/demo/*.xml "$src"/share/demo/*.json; do
		[ -e "$f" ] && { printf '\000'; cat "$f"; } | put
	done
	;;
mime)
	# the messages of the e-mail tests
	awk '/^cat >m[0-9]*\.eml <</ { on = 1; k++; next } on && /^EOF$/ { on = 0; next }
	     on { print > ("'"$dir"'/seed-m" k) }' "$src/tests/0440-net-email.t"
	for f in "$dir"/seed-m*; do
		[ -e "$f" ] || continue
		size=$(wc -c <"$f")
		{ printf '* 1 FETCH (UID 7 BODY[] {%s}\r\n' "$size"; cat "$f"; printf ')\r\nA1 OK done\r\n'; } | put
	done
	printf 'Content-Type: multipart/alternative; boundary="b"\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\n--b\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Gr=FC=DFe</p>\r\n--b--\r\n' | put
	;;
config)
	cp "$src/share/config.example" "$dir/seed-example"
	awk '/^cat >.*config <</ { on = 1; k++; next } on && /^EOF$/ { on = 0; next }
	     on { print > ("'"$dir"'/seed-c" k) }' "$src"/tests/*.t
	printf '[policy "p"]\n\tchannel = support\n\tapprovals = 2\n\tfirst-response = 1h\n\thours = Mon-Fri 08:00-18:00 Europe/Berlin\n[agent "alice"]\n\trole = approver\n\tcapacity = 3\n[security]\n\tidentity = env\n[fetch]\n\tmax-size = 2M\n' | put
	;;
plan)
	# the plan entries the tests write with printf
	grep -ho "printf '[^']*At: [^']*'" "$src"/tests/07*.t | sed "s/^printf '//; s/'\$//" |
		while IFS= read -r fmt; do printf "$fmt" | put; done
	printf 'At: 2026-11-28 09:00 Europe/Berlin\nChannels: company-mastodon, company-bluesky\nTags: black-friday\nRepeat: weekly on Mon, Fri\nUntil: 2027-01-31\n\nUnsere Angebote starten morgen früh …\n' | put
	;;
*)
	echo "seed.sh: no seeds for '$name'" >&2
	exit 64
	;;
esac
