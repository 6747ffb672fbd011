#!/bin/sh
# 0704-plan-remote.t - plan.remote: the reviewed branch is the team's repository's (a bare
# one, as a server holds it), fetched before reading; a commit only in the local clone is
# not drafted; sm-plan add pushes its commit there.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/plan.sh"
# the stacks of libgit2's own leak, so that tests/lsan.supp can name it
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:fast_unwind_on_malloc=0" LSAN_OPTIONS="${LSAN_OPTIONS:-}:print_suppressions=0"

mkws || { fail "workspace"; done_testing; }
git init -q --bare -b main "$TMP/team.git"
as_git alice push -q "$TMP/team.git" main
git clone -q "$TMP/team.git" "$TMP/work" 2>/dev/null
printf 'At: 2026-11-28 09:00 UTC\nChannels: masto\n\nFrom the team repository.\n' >"$TMP/work/team.txt"
git -C "$TMP/work" add team.txt && git -C "$TMP/work" -c user.name=dave -c user.email=d@x commit -q -m team &&
	git -C "$TMP/work" push -q origin main
git config -f "$WS/config" plan.remote "$TMP/team.git"
# a commit in the workspace's own clone, never pushed: not the reviewed branch
printf 'At: 2026-11-28 10:00 UTC\nChannels: masto\n\nOnly here.\n' | entry local.txt
commit alice local.txt 'plan: local only'

psync >out 2>err
is "sync: exit 0" "$?:$(cat err)" "0:"
is "the team repository's entry is drafted, the local-only one is not" "$(jq -r .plan out)" team.txt
plan alice add -b campaign --at '2026-11-29 09:00 UTC' --channel masto -m 'Pushed.' posts/p.txt >out 2>err
is "add with a remote: exit 0" "$?:$(cat err)" "0:"
is "... the commit is on the team repository's branch" "$(git -C "$TMP/team.git" log -1 --format=%s campaign)" "plan: posts/p.txt"
ok "... and not on its reviewed branch" quiet sh -c "! git -C '$TMP/team.git' cat-file -e main:posts/p.txt"
git config -f "$WS/config" plan.remote "$TMP/nowhere.git"
psync >out 2>err
is "an unreachable remote: 69" "$?" 69

done_testing
