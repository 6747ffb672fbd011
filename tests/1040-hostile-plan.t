#!/bin/sh
# 1040-hostile-plan.t - plan entries that reach out of the plan repository: a Media path
# with ../, an absolute one, and a symbolic link committed into the repository (git keeps
# a link as a blob naming its target: read as a picture it would be the path, followed it
# would be any file of the server). sm-plan check refuses each with FILE:LINE, exit 65.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/plan.sh"

mkws || { fail "workspace"; done_testing; }

# refused NAME FILE LINE REGEX: the entry in the file in, committed on a branch of its own
# (with whatever else the test put in the plan), fails check with "sm-plan: FILE:LINE: REGEX"
refused() {
	as_git alice checkout -q -B lint main
	entry "$2" <in
	[ -n "${LINK:-}" ] && ln -s "$LINK" "$PLAN/evil.png"
	as_git alice add -A . && as_git alice commit -q -m "lint: $1"
	plan alice check lint >out 2>err
	is "$1: exit 65" "$?" 65
	like "$1: $2:$3" err "^sm-plan: $2:$3: $4"
	as_git alice checkout -q main && as_git alice branch -q -D lint
}
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nMedia: ../../../../etc/passwd | Passwörter\n\nsee\n' >in
refused "Media with ../" posts/p.txt 3 "Media: '../../../../etc/passwd' is not in the repository"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nMedia: /etc/passwd | Passwörter\n\nsee\n' >in
refused "Media with an absolute path" posts/p.txt 3 "Media: '/etc/passwd' is not in the repository"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nMedia: evil.png | Ein Bild\n\nsee\n' >in
LINK=/etc/passwd refused "Media that is a symbolic link to /etc/passwd" posts/p.txt 3 "Media: 'evil.png' is not in the repository"
LINK=../../../ws/config refused "Media that is a symbolic link out of the repository" posts/p.txt 3 "Media: 'evil.png' is not in the repository"
printf 'At: 2026-12-01 09:00 UTC\nChannels: masto\nTitle: ein \033]0;pwned\007 Titel\n\nText\n' >in
as_git alice checkout -q main && entry posts/e.txt <in && as_git alice add -A . && as_git alice commit -q -m esc
/usr/bin/python3 "$SM_SRC/tests/lib/onatty.py" list.tty env SM_USER=alice sm-plan list --from 2026-11-01 --to 2027-01-01 >/dev/null 2>list.err
like "sm-plan list on a terminal shows the entry" list.tty 'posts/e.txt|Titel'
ok "... and its escape sequence never raw" perl -0777 -ne 'exit(/\x1b|\x07/ ? 1 : 0)' list.tty
done_testing
