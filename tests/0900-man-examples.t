#!/bin/sh
# 0900-man-examples.t - every man page's EXAMPLES run, every page lints clean, and
# every command has a page whose long options its --help mentions.
. "${SM_SRC:-.}/tests/lib/test.sh"

MAN=$SM_SRC/share/man

# examples_script PAGE: a sh script of the `$ ` commands of PAGE's EXAMPLES section,
# each preceded by `_sm_step N`; roff escapes undone, `\` continuation lines kept, and
# the body of a here-document (`<<WORD`, `<<'WORD'`, `<<-WORD`) up to its WORD line.
examples_script() {
	awk '
	function unroff(s,   out, c, n) {
		out = ""
		while ((n = index(s, "\\")) > 0) {
			out = out substr(s, 1, n - 1)
			c = substr(s, n + 1, 1)
			if (c == "e") { out = out "\\"; s = substr(s, n + 2) }
			else if (c == "-") { out = out "-"; s = substr(s, n + 2) }
			else if (c == "&") { s = substr(s, n + 2) }
			else if (c == "(") {
				c = substr(s, n + 2, 2); s = substr(s, n + 4)
				if (c == "aq") out = out "\047"
				else if (c == "dq") out = out "\""
				else if (c == "ti") out = out "~"
				else if (c == "ha") out = out "^"
				else if (c == "ga") out = out "`"
				else if (c == "rs") out = out "\\"
				else out = out "\\(" c
			} else { out = out "\\" c; s = substr(s, n + 2) }
		}
		return out s
	}
	/^\.Sh / { ex = ($0 ~ /^\.Sh +"?EXAMPLES"?$/); next }
	!ex { next }
	/^\.Bd / { lit = 1; next }
	/^\.Ed/ { lit = 0; cont = 0; next }
	!lit { next }
	{
		line = unroff($0)
		if (hd != "") {
			print line
			t = line
			if (hd_tabs) sub(/^\t+/, "", t)
			if (t == hd) hd = ""
			next
		}
		if (cont) { print line }
		else if (substr(line, 1, 2) == "$ ") {
			n++
			print "_sm_step " n
			print substr(line, 3)
		} else next
		cont = (line ~ /\\$/)
		if (match(line, /<<-?[ \t]*[\047"]?[A-Za-z_][A-Za-z0-9_]*/)) {
			w = substr(line, RSTART + 2, RLENGTH - 2)
			hd_tabs = (substr(w, 1, 1) == "-")
			if (hd_tabs) w = substr(w, 2)
			sub(/^[ \t]*[\047"]?/, "", w)
			hd = w
		}
	}' "$1"
}

# step_of SCRIPT N: the text of command N of SCRIPT
step_of() {
	awk -v n="$2" '/^_sm_step / { on = ($2 == n); next } on' "$1"
}

# make_scratch DIR: a fresh directory with a workspace ws and a small RSS 2.0 feed.xml
make_scratch() {
	rm -rf "$1" && mkdir -p "$1" && (cd "$1" && sm-init -q ws) || return 1
	cat >"$1/feed.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
<title>Example Blog</title>
<link>https://blog.example.org/</link>
<description>News from the example company</description>
<language>en</language>
<item>
<title>Outage in the north</title>
<link>https://blog.example.org/posts/outage</link>
<guid isPermaLink="false">post-1</guid>
<pubDate>Fri, 20 Nov 2026 08:00:00 GMT</pubDate>
<category>network</category>
<description>&lt;p&gt;Some customers in the north have &lt;b&gt;no internet&lt;/b&gt; since this morning.&lt;/p&gt;</description>
</item>
<item>
<title>New tariffs from December</title>
<link>https://blog.example.org/posts/tariffs</link>
<guid isPermaLink="false">post-2</guid>
<pubDate>Sat, 21 Nov 2026 09:30:00 GMT</pubDate>
<description>Cheaper &amp; faster: our new tariffs.</description>
</item>
</channel>
</rss>
EOF
}

# 0. the extractor keeps a here-document's body, whose lines have no `$ `
printf '%s\n' .Sh\ EXAMPLES .Bd\ -literal "\$ cat <<'END' >note.txt" 'first line' \
	'$ not a command: still the document' END '$ wc -l <note.txt' .Ed >"$TMP/heredoc.1"
examples_script "$TMP/heredoc.1" >"$TMP/heredoc.sh"
is "examples: a here-document's body is kept, up to its end word" \
	"$(tr '\n' '|' <"$TMP/heredoc.sh")" \
	"_sm_step 1|cat <<'END' >note.txt|first line|\$ not a command: still the document|END|_sm_step 2|wc -l <note.txt|"

TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 120"

# 1. the examples of each page run
for page in "$MAN"/*.[1-9]; do
	name=${page##*/}
	script=$TMP/$name.sh
	{
		echo '_sm_step() { echo "$1" >"$_SM_STATE"; }'
		examples_script "$page"
	} >"$script"
	if ! grep -q '^_sm_step [0-9]' "$script"; then
		fail "$name: EXAMPLES has commands to run"
		diag "no '\$ ' line in a display of the EXAMPLES section"
		continue
	fi
	if ! command -v jq >/dev/null 2>&1 && grep -Eq '(^|[|; ])jq ' "$script"; then
		skip "$name: examples need jq, which is not installed"
		continue
	fi
	dir=$TMP/ex-$name
	if ! make_scratch "$dir" >"$TMP/$name.out" 2>&1; then
		fail "$name: examples (scratch workspace)"
		diag "sm-init ws failed:" "$(cat "$TMP/$name.out")"
		continue
	fi
	echo 0 >"$TMP/$name.step"
	if (cd "$dir" && SM_DIR=$dir/ws _SM_STATE=$TMP/$name.step \
		$TIMEOUT sh -e "$script") >"$TMP/$name.out" 2>&1; then
		pass "$name: examples run"
	else
		rc=$?
		fail "$name: examples run"
		diag "exit $rc from:" "$(step_of "$script" "$(cat "$TMP/$name.step")")" \
			"output:" "$(tail -n 15 "$TMP/$name.out")"
	fi
done

# 2. each page lints without a warning
if command -v mandoc >/dev/null 2>&1; then
	for page in "$MAN"/*.[1-9]; do
		mandoc -T lint -W warning "$page" >"$TMP/lint" 2>&1
		if grep -Eq ': (WARNING|ERROR|UNSUPP|BADARG|SYSERR):' "$TMP/lint"; then
			fail "${page##*/}: mandoc -T lint"
			diag "$(grep -E ': (WARNING|ERROR|UNSUPP|BADARG|SYSERR):' "$TMP/lint")"
		else
			pass "${page##*/}: mandoc -T lint"
		fi
	done
else
	skip "mandoc -T lint: mandoc is not installed"
fi

# long_options PAGE: the long options (--name) a page documents with .Fl
long_options() {
	awk '/^\./ {
		fl = 0
		for (i = 1; i <= NF; i++) {
			t = $i
			sub(/^\./, "", t)
			if (t == "Fl") { fl = 1; continue }
			if (t ~ /^[A-Z][a-z][a-z]?$/) { fl = 0; continue }
			if (fl && t ~ /^\\?-[A-Za-z][A-Za-z0-9-]*/) {
				sub(/^\\?-/, "", t)
				sub(/[^A-Za-z0-9-].*$/, "", t)
				print "--" t
			}
		}
	}' "$1" | sort -u
}

# 3. every command has a page, and its --help names the page's long options
for src in "$SM_SRC"/cmd/sm-*.c; do
	[ -e "$src" ] || continue
	cmd=${src##*/}
	cmd=${cmd%.c}
	page=$MAN/$cmd.1
	if [ ! -f "$page" ]; then
		fail "$cmd: has a man page"
		diag "no $page"
		continue
	fi
	pass "$cmd: has a man page"
	"$cmd" --help >"$TMP/help" 2>&1
	missing=
	for opt in $(long_options "$page"); do
		grep -Fq -e "$opt" "$TMP/help" || missing="$missing $opt"
	done
	if [ -z "$missing" ]; then
		pass "$cmd: --help mentions the page's long options"
	else
		fail "$cmd: --help mentions the page's long options"
		diag "missing from '$cmd --help':$missing" "$(head -20 "$TMP/help")"
	fi
done

done_testing
