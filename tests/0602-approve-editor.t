#!/bin/sh
# 0602-approve-editor.t - sm-approve draft and edit without -m: $VISUAL or $EDITOR on a
# file that quotes the item under '#' lines, as git commit does; an emptied file or a
# failing editor saves nothing; canned answers (--template) filled from the item.
# Checks marked TODO are findings: what a user expects and sm-approve does not do yet.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/approve.sh"

mkws || { fail "workspace"; done_testing; }
drafts() { sqlval "select count(*) from drafts"; }

# an editor that keeps a copy of what it was given and writes a reply above the comments
cat >"$TMP/ed-reply" <<'EOF'
#!/bin/sh
cp "$1" "$TMP/seen"
echo "$1" >"$TMP/seen-path"
{
	printf 'Hallo Kunde,\n# a note to myself\nwir kümmern uns.\n\n'
	grep '^#' "$TMP/seen"
} >"$1.new" && mv "$1.new" "$1"
EOF
chmod +x "$TMP/ed-reply"
export TMP

EDITOR=$TMP/ed-reply as alice draft s:1 >out 2>err
is "editor: exit 0, quiet" "$?:$(cat err)" "0:"
is "editor: the draft is what was written, without the '#' lines" "$(jq -r .text out)" \
	"$(printf 'Hallo Kunde,\nwir kümmern uns.')"
is "editor: the file starts empty (no -m, no template)" "$(head -n 1 seen)" ""
like "editor: it explains" seen "^# Write the reply above\\. Lines starting with '#' are left out;$"
like "editor: it names who and where" seen "^# Replying to @kunde on support:$"
like "editor: it quotes the item" seen "^# > Seit gestern kein Internet$"
nok "editor: its file is removed" test -e "$(cat seen-path)"
is "editor: one draft" "$(drafts)" 1

# a multi-line item is quoted line by line
item s:m support 'Zeile eins\nZeile zwei' | sm-match -a >/dev/null
EDITOR=$TMP/ed-reply as alice draft s:m >/dev/null 2>&1
is "editor: each line of the item quoted" "$(grep '^# > ' seen | tr '\n' '|')" "# > Zeile eins|# > Zeile zwei|"

# $VISUAL before $EDITOR; an editor command with arguments, run by the shell
VISUAL='sh -c "printf \"Von VISUAL\\n\" >\"\$1\"" --' EDITOR=false as alice draft s:1 >out 2>err
is "VISUAL: wins over EDITOR, arguments and all" "$?:$(jq -r .text out)" "0:Von VISUAL"
EDITOR='sh -c "printf \"  \\n\\nMit Argumenten\\n\\n\" >\"\$1\"" --' as alice draft s:1 >out 2>err
is "EDITOR: with arguments; blank lines around are trimmed" "$?:$(jq -r .text out)" "0:Mit Argumenten"

# nothing saved: an emptied file, only comments left, a failing editor
n=$(drafts)
snap
EDITOR='sh -c ": >\"\$1\"" --' as alice draft s:1 >out 2>err
is "emptied: exit 65" "$?" 65
like "emptied: says so" err "^sm-approve: the draft is empty: aborted, nothing saved$"
is "emptied: prints nothing" "$(cat out)" ""
is "emptied: no draft" "$(drafts)" "$n"
EDITOR=true as alice draft s:1 >out 2>err
is "left as it was (only comments): exit 65, no draft" "$?:$(drafts)" "65:$n"
EDITOR='sh -c "printf \"   \\n\\t\\n# nur Kommentar\\n\" >\"\$1\"" --' as alice draft s:1 >out 2>err
is "only blanks and comments: exit 65, no draft" "$?:$(drafts)" "65:$n"
EDITOR='sh -c "echo Text >\"\$1\"; exit 3" --' as alice draft s:1 >out 2>err
is "a failing editor: exit 70" "$?" 70
like "a failing editor: says so" err "^sm-approve: the editor '.*' failed; nothing was saved$"
is "a failing editor: nothing printed, no draft" "$(cat out):$(drafts)" ":$n"
EDITOR=/nonexistent/editor as alice draft s:1 >out 2>err
is "an editor that is not there: exit 70, no draft" "$?:$(drafts)" "70:$n"
unchanged "none of these changed the store"
rm -f seen
_asan=${ASAN_OPTIONS-} # the leak of lib/drafts.c on a refusal, see 0600
ASAN_OPTIONS="${_asan:+$_asan:}detect_leaks=0" EDITOR=$TMP/ed-reply SM_USER=mallory sm-approve draft s:1 >out 2>err
is "not an agent: refused, nothing saved" "$?:$(drafts)" "77:$n"
is "not an agent: refused before the editor runs" "$(test -e seen && echo ran)" ""

# edit without -m: the editor starts from the draft's text
d=$(new alice s:1 'Erste Zeile.')
as bob ok "$d" >/dev/null
cat >"$TMP/ed-append" <<'EOF'
#!/bin/sh
cp "$1" "$TMP/seen"
{ sed -n '1p' "$TMP/seen"; echo 'Zweite Zeile.'; grep '^#' "$TMP/seen"; } >"$1"
EOF
chmod +x "$TMP/ed-append"
EDITOR=$TMP/ed-append as alice edit "$d" >out 2>err
is "edit: exit 0" "$?" 0
is "edit: the file starts with the draft's text" "$(head -n 1 seen)" "Erste Zeile."
like "edit: and quotes the item" seen "^# > Seit gestern kein Internet$"
is "edit: the new text" "$(jq -r .text out)" "$(printf 'Erste Zeile.\nZweite Zeile.')"
is "edit: the approval is void" "$(jq -c '[.state, .approvals]' out)" '["pending",[]]'
snap
EDITOR='sh -c ": >\"\$1\"" --' as alice edit "$d" >out 2>err
is "edit: emptied: exit 65" "$?" 65
like "edit: emptied: says so" err "^sm-approve: the draft is empty: aborted, nothing changed$"
EDITOR=false as alice edit "$d" >out 2>err
is "edit: a failing editor: exit 70" "$?" 70
unchanged "edit: neither changed the store"
as bob ok "$d" >/dev/null
EDITOR=true as alice edit "$d" >out 2>err
# the text bob approved, unchanged: it should stay approved, or bob be able to approve it again
st=$(jr "$d" .state)
[ "$st" = approved ] || { as bob ok "$d" >/dev/null 2>&1 && st=approved; }
is "edit: an editor that changes nothing leaves it approved, or approvable by bob" "$st" approved

# a reply that starts with a hashtag
EDITOR='sh -c "printf \"#störung behoben\\nDanke für Ihre Geduld.\\n\" >\"\$1\"" --' as alice draft s:1 >out 2>err
is "editor: a line starting with a hashtag is kept" "$(jq -r .text out | head -n 1)" "#störung behoben"

# --- canned answers ---------------------------------------------------------------------

mkdir -p ws/templates
printf 'Hallo {{author.name}},\n\ndanke für Ihre Nachricht auf {{ channel }}.{{nothing.here}} Wir melden uns.\n' \
	>ws/templates/danke
EDITOR=true as alice draft s:1 --template danke >out 2>err
is "template: exit 0" "$?" 0
is "template: filled from the item" "$(jq -r .text out)" \
	"$(printf 'Hallo Kunde,\n\ndanke für Ihre Nachricht auf support. Wir melden uns.')"
EDITOR=$TMP/ed-append as alice draft s:2 --template danke >out 2>err
is "template: the editor starts from it" "$(head -n 1 seen)" "Hallo Kunde,"
like "template: under the quoted item" seen "^# > Presse hier: was ist los\\?$"
is "template: what the editor made of it" "$(jq -r .text out)" "$(printf 'Hallo Kunde,\nZweite Zeile.')"
printf '%s\n' '{"id":"s:c1","channel":"support","author":{"id":"k:c","name":"Frau Fall"},"text":"hallo","created_at":"2026-11-23T09:00:00Z"}' |
	sm-assign >/dev/null 2>&1
cs=$(sqlval "select case_id from case_items where item_id = 's:c1'")
EDITOR=true as alice draft "$cs" --template danke >out 2>err
is "template: a case, filled from its newest item" "$?:$(jq -r '.text | split("\n")[0]' out):$(jq .case out)" \
	"0:Hallo Frau Fall,:$cs"
n=$(drafts)
rm -f seen
EDITOR=$TMP/ed-reply as alice draft s:1 --template nope >out 2>err
is "template: not there: exit 66" "$?" 66
like "template: not there: says where it looked" err "^sm-approve: no template 'nope' \\($TMP/ws/templates/nope\\)$"
is "template: not there: no editor, no draft" "$(test -e seen && echo ran):$(drafts)" ":$n"

done_testing
