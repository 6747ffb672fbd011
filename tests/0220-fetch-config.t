#!/bin/sh
# sm-fetch and its config: errors exit 78 naming the problem; loose secrets are refused;
# which workspace is used (--dir, then $SM_DIR, then $XDG_DATA_HOME/smkit).
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-fetch >/dev/null && command -v sm-init >/dev/null || skip_all "sm-fetch not built"
command -v jq >/dev/null || skip_all "jq not installed"

# run NAME STATUS CMD...: stdout to out, stderr to err
run() {
	_rn=$1 _rw=$2
	shift 2
	timeout 60 "$@" >out 2>err
	_rc=$?
	if [ "$_rc" -eq "$_rw" ]; then pass "$_rn"; else
		fail "$_rn"
		diag "exit $_rc, want $_rw; stderr:" "$(head -c 1500 err)"
	fi
}
lines() { if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
# newws DIR: a workspace without channels
newws() {
	sm-init "$1" >/dev/null || return 1
	for c in $(git config -f "$1/config" --name-only --get-regexp '^channel\..*\.kind$' 2>/dev/null); do
		c=${c#channel.}
		git config -f "$1/config" --remove-section "channel.${c%.kind}"
	done
}
# add_exec DIR NAME EXT_ID: an exec channel printing one item
add_exec() {
	git config -f "$1/config" "channel.$2.kind" exec &&
		git config -f "$1/config" "channel.$2.command" "echo '{\"ext_id\":\"$3\",\"text\":\"Hallo\"}'"
}
ids() { sqlite3 "$1/store.db" 'select id from items order by id' | tr '\n' ' '; }

# --- configuration errors: exit 78, the message names the problem ---------------------------

WS=$TMP/ws
ok "sm-init creates a workspace" newws "$WS"
add_exec "$WS" fine f-1
cp "$WS/config" "$TMP/config.good"

git config -f "$WS/config" channel.pigeons.kind carrier-pigeon
run "an unknown kind: exit 78" 78 sm-fetch --dir "$WS"
like "an unknown kind: the message names the channel and the kind" err '^sm-fetch: .*pigeons.*carrier-pigeon|^sm-fetch: .*carrier-pigeon.*pigeons'
is "an unknown kind: nothing fetched" "$(sqlval 'select count(*) from items')" 0
is "an unknown kind: nothing printed" "$(lines out)" 0

cp "$TMP/config.good" "$WS/config"
git config -f "$WS/config" channel.blog.kind feed
run "a feed channel without url: exit 78" 78 sm-fetch --dir "$WS"
like "a feed channel without url: the message names the channel and url" err '^sm-fetch: .*blog.*url'
is "a feed channel without url: nothing fetched" "$(sqlval 'select count(*) from items')" 0

cp "$TMP/config.good" "$WS/config"
git config -f "$WS/config" channel.script.kind exec
run "an exec channel without command: exit 78" 78 sm-fetch --dir "$WS"
like "an exec channel without command: the message names the channel and command" err '^sm-fetch: .*script.*command'
is "an exec channel without command: nothing fetched" "$(sqlval 'select count(*) from items')" 0

cp "$TMP/config.good" "$WS/config"
git config -f "$WS/config" channel.nokind.url http://127.0.0.1:9/feed.xml
run "a channel without kind: exit 78" 78 sm-fetch --dir "$WS"
like "a channel without kind: the message names the channel and kind" err '^sm-fetch: .*nokind.*kind'

cp "$TMP/config.good" "$WS/config"
git config -f "$WS/config" fetch.timeout soon
run "a bad duration: exit 78" 78 sm-fetch --dir "$WS"
like "a bad duration: the message names the key and value" err "^sm-fetch: .*fetch\.timeout.*soon|^sm-fetch: .*soon.*fetch\.timeout"

cp "$TMP/config.good" "$WS/config"
git config -f "$WS/config" fetch.max-size lots
run "a bad size: exit 78" 78 sm-fetch --dir "$WS"
like "a bad size: the message names the key" err '^sm-fetch: .*fetch\.max-size'

cp "$TMP/config.good" "$WS/config"
git config -f "$WS/config" fetch.parallel many
run "a bad fetch.parallel: exit 78" 78 sm-fetch --dir "$WS"
like "a bad fetch.parallel: the message names the key" err '^sm-fetch: .*fetch\.parallel'

# a syntax error on line 4 of the file
cp "$TMP/config.good" "$WS/config"
cat >"$WS/config" <<'EOF'
[fetch]
	timeout = 2s
[channel "fine"
	kind = exec
	command = echo '{"ext_id":"f-1"}'
EOF
lineno=$(grep -n '^\[channel "fine"$' "$WS/config" | cut -d: -f1)
run "a config syntax error: exit 78" 78 sm-fetch --dir "$WS"
like "a config syntax error: the message names the file" err "^sm-fetch: .*$WS/config"
like "a config syntax error: the message names the line" err "$WS/config(:| line |, line )$lineno([^0-9]|\$)"
is "a config syntax error: nothing fetched" "$(sqlval 'select count(*) from items')" 0

cat >"$WS/config" <<'EOF'
[fetch]
	timeout = 2s
[channel "fine"]
	kind = exec
	command = echo '{"ext_id":"f-1"}'
	this is not a key value line
EOF
lineno=$(grep -n 'this is not' "$WS/config" | cut -d: -f1)
run "a bad line in a section: exit 78" 78 sm-fetch --dir "$WS"
like "a bad line in a section: the message names file and line" err "$WS/config(:| line |, line )$lineno([^0-9]|\$)"

cp "$TMP/config.good" "$WS/config"
run "-c with an unknown channel: exit 78" 78 sm-fetch --dir "$WS" -c nosuch
like "-c with an unknown channel: the message names it" err '^sm-fetch: .*nosuch'

# --- a literal token: refused while the file is readable by others ----------------------------

cp "$TMP/config.good" "$WS/config"
git config -f "$WS/config" channel.fine.token 's3cr3t-T0KEN-4711'
chmod 0644 "$WS/config"
run "a literal token in a 0644 config: exit 78" 78 sm-fetch --dir "$WS"
like "the message names the file and the token" err "^sm-fetch: .*$WS/config.*token"
unlike "the message does not show the secret" err 's3cr3t'
is "nothing fetched" "$(sqlval 'select count(*) from items')" 0
chmod 0640 "$WS/config"
run "a literal token in a 0640 config: exit 78" 78 sm-fetch --dir "$WS"
chmod 0600 "$WS/config"
run "a literal token in a 0600 config is accepted: exit 0" 0 sm-fetch --dir "$WS"
is "and the channel fetched" "$(ids "$WS")" "fine:f-1 "
unlike "the secret is not printed" out 's3cr3t'
unlike "the secret is not in stderr" err 's3cr3t'
is "the secret is not in the store" "$(sqlite3 "$WS/store.db" .dump | grep -c s3cr3t)" 0
chmod 0644 "$WS/config"
git config -f "$WS/config" --unset channel.fine.token
git config -f "$WS/config" channel.fine.token-env SM_TEST_TOKEN
run "token-env in a 0644 config is fine: exit 0" 0 env SM_TEST_TOKEN=abc sm-fetch --dir "$WS"

# --- which workspace: --dir, then $SM_DIR, then $XDG_DATA_HOME/smkit, then ~/.local/share --

A=$TMP/a B=$TMP/b C=$XDG_DATA_HOME/smkit D=$TMP/other-home/.local/share/smkit
for w in a:"$A" b:"$B" c:"$C" d:"$D"; do newws "${w#*:}" && add_exec "${w#*:}" ch "from-${w%%:*}"; done
run "--dir beats \$SM_DIR and \$XDG_DATA_HOME: exit 0" 0 env SM_DIR="$B" sm-fetch --dir "$A"
is "--dir: stored in the --dir workspace" "$(ids "$A")" "ch:from-a "
is "--dir: not in \$SM_DIR's" "$(ids "$B")" ""
is "--dir: not in \$XDG_DATA_HOME's" "$(ids "$C")" ""
run "\$SM_DIR beats \$XDG_DATA_HOME: exit 0" 0 env SM_DIR="$B" sm-fetch
is "\$SM_DIR: stored in \$SM_DIR's workspace" "$(ids "$B")" "ch:from-b "
is "\$SM_DIR: not in \$XDG_DATA_HOME's" "$(ids "$C")" ""
run "\$XDG_DATA_HOME/smkit otherwise: exit 0" 0 sm-fetch
is "\$XDG_DATA_HOME: stored in \$XDG_DATA_HOME/smkit" "$(ids "$C")" "ch:from-c "
is "\$XDG_DATA_HOME: not in ~/.local/share/smkit of another HOME" "$(ids "$D")" ""
run "without \$XDG_DATA_HOME: ~/.local/share/smkit: exit 0" 0 env -u XDG_DATA_HOME HOME="$TMP/other-home" sm-fetch
is "~/.local/share/smkit used" "$(ids "$D")" "ch:from-d "
sqlite3 "$D/store.db" 'delete from items; delete from cursors'
run "an empty \$SM_DIR counts as unset: exit 0" 0 env SM_DIR= XDG_DATA_HOME="$TMP/other-home/.local/share" sm-fetch
is "an empty \$SM_DIR: the XDG workspace is used" "$(ids "$D")" "ch:from-d "

# a --dir that holds no workspace is an error, not a fall back to $SM_DIR
sqlite3 "$B/store.db" 'delete from items; delete from cursors'
timeout 60 env SM_DIR="$B" sm-fetch --dir "$TMP/nowhere" >out 2>err
rc=$?
[ "$rc" -ne 0 ] && pass "--dir without a workspace fails" || fail "--dir without a workspace fails"
like "--dir without a workspace: the message names it" err "^sm-fetch: .*$TMP/nowhere"
is "--dir without a workspace: \$SM_DIR's workspace untouched" "$(ids "$B")" ""
nok "--dir without a workspace: nothing is created there" test -e "$TMP/nowhere"

done_testing
