# pipeline.sh - sourced by the whole-pipeline tests (0990, 0991) after test.sh: the tools
# they need, a feed server (FEEDS, serving the files of ./root) and a Mastodon server
# (SOCIAL, taking statuses after POST_DELAY seconds, counting them) on loopback, and a
# workspace WS (SM_DIR) whose identity comes from SM_USER, with a Mastodon channel
# "social", the team "support" as the default, and cfg to set more of its config.
# usage: TOK=token; POST_DELAY=0.02; . "${SM_SRC:-.}/tests/lib/pipeline.sh"

command -v sm-publish >/dev/null || skip_all "sm-publish not built"
command -v jq >/dev/null || skip_all "jq not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed (the peer needs it)"

WS=$TMP/ws
export SM_TEST_MASTODON_TOKEN=$TOK SM_DIR=$WS
cfg() { git config -f "$WS/config" "$@"; }

mkdir -p root
peer feeds feedserver.py --root root
FEEDS=http://127.0.0.1:$PORT
printf '{"method":"POST","path":"/api/v1/statuses","status":200,"delay":%s,"times":0}\n' \
	"$POST_DELAY" > social.script
peer social mastodon_replay.py --token "$TOK" --script social.script
SOCIAL=http://127.0.0.1:$PORT

sm-init "$WS" >/dev/null 2>&1 || { echo "Bail out! sm-init failed"; exit 1; }
cfg security.identity env
cfg channel.social.kind mastodon
cfg channel.social.url "$SOCIAL/"
cfg channel.social.token-env SM_TEST_MASTODON_TOKEN
cfg assign.default-team support
