#!/bin/sh
# 0803-report-completions.t - sm-report's bash and fish completions: the reports, the
# breakdowns each report has, the channels and teams of the workspace, the tables.
. "${SM_SRC:-.}/tests/lib/test.sh"

BASH_COMP=$SM_SRC/completions/bash/sm-report
FISH_COMP=$SM_SRC/completions/fish/sm-report.fish
sm-init -q ws && sm-init -q other || { fail "workspaces"; done_testing; }
git config -f ws/config channel.social.kind mastodon
git config -f ws/config channel.forum.kind discourse
git config -f ws/config team.tech.strategy round-robin
git config -f ws/config agent.alice.team support
git config -f other/config channel.far.kind feed
export SM_DIR=$TMP/ws

# bc WORD...: what bash offers for the line "sm-report WORD...", sorted, on one line
bc() {
	bash -c '. "$0"; COMP_WORDS=(sm-report "$@"); COMP_CWORD=$#; _sm_report
		printf "%s\n" "${COMPREPLY[@]}"' "$BASH_COMP" "$@" 2>&1 | sort | tr '\n' ' '
}
is "bash: the reports" "$(bc "")" \
	"agents approvals audit backlog benchmark publishing response sla superusers topics volume "
is "bash: a prefix" "$(bc s)" "sla superusers "
is "bash: no second report" "$(bc sla "")" " "
is "bash: --by for volume" "$(bc volume --by "")" "agent channel day month network tag team week "
is "bash: --by for topics: periods only" "$(bc topics --by "")" "day month week "
is "bash: --by= for backlog" "$(bc backlog --by = "")" "agent channel network team "
is "bash: --channel: the workspace's channels" "$(bc sla --channel "")" "forum social "
is "bash: --channel of --dir's workspace" "$(bc --dir other sla -c "")" "far "
is "bash: --team: sections and agents' teams" "$(bc sla --team "")" "support tech "
is "bash: -f: the formats" "$(bc sla -f "")" "csv html jsonl md table tsv "
is "bash: --table of sla" "$(bc sla --table "")" "breached sla "
is "bash: --table of superusers" "$(bc superusers --table c)" "contributions "
like_opts=$(bc audit -)
case $like_opts in *--verify*) pass "bash: audit offers --verify" ;; *) fail "bash: audit offers --verify" ;; esac
case $(bc sla -) in *--verify*) fail "bash: sla does not offer --verify" ;; *) pass "bash: sla does not offer --verify" ;; esac

if command -v fish >/dev/null 2>&1; then
	fc() { fish -c "source '$FISH_COMP'; complete -C'$1'" 2>&1 | cut -f1 | sort | tr '\n' ' '; }
	is "fish: the reports" "$(fc 'sm-report ')" \
		"agents approvals audit backlog benchmark publishing response sla superusers topics volume "
	is "fish: --channel: the channels" "$(fc 'sm-report sla --channel ')" "forum social "
	is "fish: --channel of --dir's workspace" "$(fc 'sm-report --dir other sla --channel ')" "far "
	is "fish: --channel of -dDIR's workspace" "$(fc 'sm-report -dother sla --channel ')" "far "
	is "fish: -f: the formats" "$(fc 'sm-report sla -f ')" "csv html jsonl md table tsv "
else
	skip "fish: not installed"
fi
done_testing
