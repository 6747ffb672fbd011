# plan.sh - sourced by the tests/07[04]*.t of sm-plan after test.sh: a workspace ws whose
# plan repository is made with the git CLI, channels of three networks, agents and a
# 6-eyes policy for campaign posts; helpers to write and commit entries as someone.

command -v sm-plan >/dev/null || skip_all "sm-plan not built"
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
command -v git >/dev/null || skip_all "git not installed"

export SM_NOW=2026-11-20T10:00:00Z
WS=$TMP/ws
PLAN=$WS/plan
unset GIT_DIR GIT_WORK_TREE GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

# The agents: alice and dave write, bob and carol approve, otto publishes (cron's).
PLAN_CONFIG='[security]
	identity = env
[channel "masto"]
	kind = mastodon
	url = http://127.0.0.1:9/
	token-env = SM_TEST_NO_TOKEN
[channel "sky"]
	kind = bluesky
	identifier = shop.example
	token-env = SM_TEST_NO_TOKEN
[channel "xshop"]
	kind = exec
	command = true
	network = x
[agent "alice"]
	role = agent
	email = alice@shop.example
[agent "dave"]
	role = agent
[agent "bob"]
	role = approver
[agent "carol"]
	role = approver
[agent "otto"]
	role = publisher
[policy "campaign"]
	kind = post
	tag = campaign
	approvals = 2
[policy "posts"]
	kind = post
	approvals = 1'

# mkws: the workspace, SM_DIR set, the plan repository on branch main with one commit
mkws() {
	rm -rf "$WS" && sm-init -q "$WS" || return 1
	printf '%s\n' "$PLAN_CONFIG" >>"$WS/config"
	export SM_DIR=$WS
	printf '# the editorial plan\n' >"$PLAN/README.md"
	as_git alice add README.md && as_git alice commit -q -m 'plan: start'
}

# as_git WHO GIT-ARGS...: git in the plan repository as WHO (alice's e-mail is configured)
as_git() {
	_who=$1
	shift
	_mail=$_who@example.org
	[ "$_who" = alice ] && _mail=alice@shop.example
	git -C "$PLAN" -c user.name="$_who" -c user.email="$_mail" -c commit.gpgsign=false \
		-c init.defaultBranch=main "$@"
}

# entry PATH: write stdin to the entry file in the worktree (not committed)
entry() { mkdir -p "$(dirname "$PLAN/$1")" && cat >"$PLAN/$1"; }

# commit WHO PATH MESSAGE: commit the file as WHO
commit() { as_git "$1" add "$2" && as_git "$1" commit -q -m "$3"; }

# plan AGENT ARGS...: sm-plan as AGENT
plan() {
	_a=$1
	shift
	SM_USER=$_a sm-plan "$@"
}
psync() { plan otto sync "$@"; }
ndrafts() { sqlval "SELECT count(*) FROM drafts ${1:-}"; }
