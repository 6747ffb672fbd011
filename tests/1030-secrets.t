#!/bin/sh
# 1030-secrets.t - secrets and permissions. One recognisable token, given to channels as a
# literal token, token-env, token-file and token-cmd (and as an SMTP password), goes through
# every command there is; all output, the -v -v traces, the store, the workspace and every
# temporary file are searched for it, also when a server echoes it back in an error. A
# literal token in a config others can read is refused by every command. The files the
# toolkit makes take their mode from the workspace directory (a team's 2770 workspace:
# group-writable store and plan; a private one: 600). And no one gets a role they do not
# have: not through --dir on a config of their own, not through SM_USER without
# identity = env, not through a crafted record on sm-approve's stdin.
. "${SM_SRC:-.}/tests/lib/test.sh"

for c in sm-init sm-fetch sm-match sm-assign sm-approve sm-publish jq sqlite3; do
	command -v $c >/dev/null || skip_all "$c not found"
done
[ -d "$SM_CORPUS/mastodon" ] || skip_all "no corpus at $SM_CORPUS"
PY=/usr/bin/python3
SECRET=smkit-Zq7-SECRET-4f9e2a81
export SM_TEST_TOKEN=$SECRET SM_NOW=2026-11-23T10:00:00Z
# every temporary file of the commands lands here, to be searched
export TMPDIR=$TMP/tmpdir
mkdir -p "$TMPDIR" outs

# peer NAME SCRIPT ARGS...: a local peer on a free port; URL in $NAME_URL
peer() {
	_pn=$1 _ps=$2
	shift 2
	$PY "$SM_SRC/tests/lib/$_ps" "$@" --port 0 --port-file "$TMP/$_pn.port" \
		--pid-file "$TMP/$_pn.pid" --log "$TMP/$_pn.log" 2>"$TMP/$_pn.err" &
	_i=0
	while [ ! -s "$TMP/$_pn.port" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -s "$TMP/$_pn.port" ] || { echo "Bail out! $_pn did not start: $(cat "$TMP/$_pn.err")"; exit 1; }
	eval "${_pn}_URL=http://127.0.0.1:$(cat "$TMP/$_pn.port")"
}
peer ma mastodon_replay.py --cassette "$SM_CORPUS/mastodon/test_notifications_mentions_only.yaml" \
	--token "$SECRET" --ignore-param limit --empty-pages
# a server that answers 401 and quotes the token it was sent, as some do
printf '{"method": "GET", "path": "/api/v1/notifications", "status": 401, "times": 0, "body": {"error": "The access token %s is invalid"}}\n' \
	"$SECRET" >echo.jsonl
peer echo mastodon_replay.py --script echo.jsonl

WS=$TMP/ws
sm-init -q "$WS" >outs/init.out 2>outs/init.err || { fail "sm-init"; done_testing; }
export SM_DIR=$WS
cfg() { git config -f "$WS/config" "$@"; }
for c in $(cfg --name-only --get-regexp '^channel\..*\.kind$'); do cfg --remove-section "channel.${c%.kind}"; done
support_team "$WS/config"
cat >>"$WS/config" <<'EOF'
[agent "pat"]
	role = publisher
EOF
cfg fetch.attempts 1
printf '%s\n' "$SECRET" >"$WS/token.secret"
chmod 600 "$WS/token.secret" "$WS/config"
printf '#!/bin/sh\ncat "%s/token.secret"\n' "$WS" >"$WS/token.sh"
for how in literal env file cmd; do
	cfg "channel.m$how.kind" mastodon
	cfg "channel.m$how.url" "$ma_URL/"
	cfg "channel.m$how.fetch" mentions
done
cfg channel.mliteral.token "$SECRET"
cfg channel.menv.token-env SM_TEST_TOKEN
cfg channel.mfile.token-file token.secret
cfg channel.mcmd.token-cmd "sh ./token.sh"
cfg channel.echo.kind mastodon
cfg channel.echo.url "$echo_URL/"
cfg channel.echo.token-cmd "sh ./token.sh"
cfg channel.echo.fetch mentions

# run NAME CMD...: CMD with its stdout and stderr kept in outs/NAME.*
run() { _name=$1; shift; "$@" >"outs/$_name.out" 2>"outs/$_name.err"; }

# --- every command, with the token in every form ---------------------------------------------

run fetch sm-fetch -v -v -c mliteral -c menv -c mfile -c mcmd
is "sm-fetch -v -v with the token from token, token-env, token-file, token-cmd: exit 0" "$?" 0
for how in literal env file cmd; do
	ok "m$how: its items were fetched with the token" test "$(sqlval "select count(*) from items where channel = 'm$how'")" -gt 0
done
like "the trace shows the request headers, the token as ***" outs/fetch.err 'Authorization: \*\*\*'
run fetch-echo sm-fetch -v -v -c echo
is "a server quoting the token in its refusal: exit 69" "$?" 69
like "... the refusal is reported" outs/fetch-echo.err '^sm-fetch: echo: .*401'
sm-fetch -v -v -c menv -c echo >outs/fetch-tty.out 2>outs/fetch-tty.err
run match sh -c 'sqlite3 "$0/store.db" "select record from items" | sm-match -a' "$WS"
run assign sh -c 'sqlite3 "$0/store.db" "select record from items" | sm-assign --explain' "$WS"
is "sm-assign: exit 0" "$?" 0
run assign-list sm-assign list
case=$(jq -r .case outs/assign.out | head -1)
run assign-take env SM_USER=bob sm-assign take "$case"
item=$(jq -r .id outs/assign.out | head -1)
run draft env SM_USER=alice sm-approve draft "$item" -m "Wir kümmern uns."
draft=$(jq -r .draft outs/draft.out)
run approve env SM_USER=bob sm-approve ok "$draft"
is "sm-approve ok: exit 0" "$?" 0
# sm-publish sends it with the channel's token; the replay has no such post recorded, so
# the network refuses it: the trace and the refusal are searched all the same
run publish env SM_USER=pat sm-publish -v -v
like "sm-publish -v -v: the request traced, the token as ***" outs/publish.err 'Authorization: \*\*\*'
run approve-list sm-approve list
run approve-show sm-approve show "$draft"
run approve-verify sm-approve verify
# the editor is a temporary file: its copy is kept, to be searched too
cat >"$TMP/editor.sh" <<EOF
#!/bin/sh
cp "\$1" "$TMP/outs/editor-copy.txt"
printf 'Noch eine Antwort.\n' >"\$1"
EOF
chmod +x "$TMP/editor.sh"
EDITOR=$TMP/editor.sh run editor env SM_USER=alice sm-approve draft "$item"
is "sm-approve draft in \$EDITOR: exit 0" "$?" 0

# forward by mail, the SMTP password from token-cmd
if $PY -c 'import aiosmtpd' 2>/dev/null; then
	SMTP=$(free_port)
	$PY "$SM_SRC/tests/lib/smtpd.py" --port "$SMTP" --maildir "$TMP/mail" --auth "care:$SECRET" \
		--pid-file "$TMP/smtp.pid" --log "$TMP/smtp.log" 2>smtp.err &
	_i=0
	while ! [ -s "$TMP/smtp.pid" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	sleep 0.3
	cfg channel.mail.kind email
	cfg channel.mail.smtp "smtp://127.0.0.1:$SMTP"
	cfg channel.mail.from "Care <care@example.com>"
	cfg channel.mail.starttls never
	cfg channel.mail.user care
	cfg channel.mail.token-cmd "sh ./token.sh"
	cfg assign.forward-channel mail
	cfg team.accounts.email accounts@example.com
	holder=$(sqlval "SELECT assignee FROM cases WHERE id = $case") # only the holder may forward
	run forward env SM_USER="$holder" sm-assign forward "$case" accounts -m "Bitte prüfen"
	is "sm-assign forward by SMTP with AUTH: exit 0" "$?" 0
	ok "... the mail arrived" test -s "$TMP/mail/0001.eml"
else
	skip "python3-aiosmtpd not installed: no forward by mail"
fi

# the plan and the reports read the same config and store: their output is searched too
run plan-sync env SM_USER=alice sm-plan sync -v
run plan-list sm-plan list -f jsonl
run plan-check sm-plan check
run publish-plan env SM_USER=pat sm-publish --plan -v -v
run report-volume sm-report volume
run report-audit sm-report audit
run report-verify sm-report audit --verify
run report-html sm-report sla -o "$TMP/outs/report.html"
is "sm-report: exit 0" "$?" 0
ok "... the page was written" test -s "$TMP/outs/report.html"

leaks=$(grep -rlaF -- "$SECRET" outs "$TMPDIR" "$WS" 2>/dev/null | grep -v -e "^$WS/config\$" -e "^$WS/token.secret\$" -e "^$WS/token.sh\$")
is "the token is in no output, trace, store or temporary file" "$leaks" ""
ok "the searched places are not empty" test -s outs/fetch.err -a -s "$WS/store.db" -a -s outs/editor-copy.txt
is "the refusal shows *** where the server quoted the token" \
	"$(grep -c 'The access token \*\*\* is invalid' outs/fetch-echo.err)" 1

# --- a literal token in a config the group or others may read -------------------------------

chmod 640 "$WS/config"
for c in "sm-fetch -c mliteral" "sm-match -n /dev/null" "sm-assign list" "sm-approve list" \
	"sm-publish -n" "sm-plan list" "sm-report volume"; do
	# shellcheck disable=SC2086
	$c >out 2>err </dev/null
	is "$c with a literal token in a 640 config: exit 78" "$?" 78
	like "$c: says why, and what to do" err "^${c%% *}: $WS/config: holds a literal token and is readable by others; run 'chmod 600"
done
chmod 604 "$WS/config"
exits "a literal token in a 604 config (others may read): 78" 78 quiet sm-fetch -c mliteral
chmod 600 "$WS/config"
exits "at 600 it is taken" 0 quiet sm-fetch -c mliteral

# --- the modes of what the toolkit makes ---------------------------------------------------

grp=$(getent group users >/dev/null && echo users || id -gn)
mkdir team priv
chgrp "$grp" team && chmod 2770 team && chmod 700 priv
(umask 022 && sm-init -q team && sm-init -q priv && sm-init -q open)
is "a team's workspace (2770): the store is group-writable, not for others" "$(stat -c '%a %G' team/store.db)" "660 $grp"
is "a team's workspace: the config is for the group to read only" "$(stat -c %a team/config)" 640
is "a team's workspace: the plan repository is shared with the group" \
	"$(git -C team/plan config core.sharedRepository):$(stat -c %a team/plan/.git/objects)" "1:2775"
is "a team's workspace: the templates too" "$(stat -c %a team/templates)" 2775
is "a private workspace (700): the store is the owner's alone" "$(stat -c %a priv/store.db)" 600
is "a workspace others may enter (755): the group reads the store, others do not" "$(stat -c %a open/store.db)" 640
# the WAL and its index, while a process has the store open, have the store's mode
$PY - team/store.db <<'EOF' >wal.modes
import os, sqlite3, stat, subprocess, sys
db = sys.argv[1]
c = sqlite3.connect(db)
c.execute("select count(*) from items").fetchall()
print(" ".join("%o" % stat.S_IMODE(os.stat(db + s).st_mode) for s in ("-wal", "-shm")))
EOF
is "a team's workspace: -wal and -shm as the store" "$(cat wal.modes)" "660 660"
echo '{"id":"t:1","channel":"t","text":"hallo"}' | (umask 077 && SM_DIR=team sm-match -a >/dev/null)
is "a team's store written under umask 077 keeps its mode" "$(stat -c %a team/store.db)" 660

# --- no role through --dir, SM_USER or stdin ----------------------------------------------

d2=$(SM_USER=alice sm-approve draft "$item" -m "Nur mit Freigabe." | jq -r .draft)
mkdir mine
printf '[security]\n\tidentity = env\n[agent "alice"]\n\trole = approver\n[agent "mallory"]\n\trole = admin\n' >mine/config
ln -s "$WS/store.db" mine/store.db
before=$(sqlval "select count(*) from approvals")
SM_USER=mallory sm-approve --dir mine ok "$d2" >out 2>err
is "--dir on a config of one's own, linked to the team's store: sm-approve refused (77)" "$?" 77
like "... it says why" err "^sm-approve: '$TMP/mine/store.db' is a link to '$WS/store.db', the store of another workspace"
SM_USER=mallory sm-assign --dir mine take "$case" >out 2>err
is "... sm-assign take refused (77)" "$?" 77
SM_USER=mallory sm-publish --dir mine >out 2>err
is "... sm-publish refused (77)" "$?" 77
is "... no approval was written" "$(sqlval "select count(*) from approvals")" "$before"
rm mine/store.db
ln "$WS/store.db" mine/store.db
SM_USER=mallory sm-approve --dir mine ok "$d2" >out 2>err
is "a hard link to the team's store: refused (77)" "$?" 77
like "... it says why" err "has other names \\(hard links\\)"
rm mine/store.db
SM_USER=bob sm-approve list >/dev/null 2>&1
is "the team's own workspace works as before" "$?" 0
ln -s . selfws 2>/dev/null
SM_USER=bob sm-approve --dir "$TMP/selfws/ws" list >/dev/null 2>err
is "the workspace through a linked directory: its own store, accepted" "$?" 0

cfg security.identity login
SM_USER=bob sm-approve ok "$d2" >out 2>err
is "identity = login: SM_USER=bob is not bob for sm-approve (77)" "$?" 77
SM_USER=bob sm-assign take "$case" >out 2>err
is "identity = login: nor for sm-assign take (77)" "$?" 77
is "identity = login: nothing approved" "$(sqlval "select count(*) from approvals")" "$before"
cfg security.identity env

printf '{"reply_to":"%s","text":"Gefälscht.","author":"bob","state":"approved","needs":0,"approvals":[{"by":"bob","at":"2026-11-23T10:00:00Z"}],"draft":%s,"hash":"x","published":{"ext_id":"1"}}\n' \
	"$item" "$d2" | SM_USER=alice sm-approve submit >out 2>err
is "a crafted draft record on submit: taken as a new draft (exit 0)" "$?" 0
is "... by its real author, pending, needing its approval, with none" \
	"$(jq -c --argjson d "$d2" '[.draft != $d, .author, .state, .needs, .approvals]' out)" '[true,"alice","pending",1,[]]'
is "... the draft it named is untouched" "$(SM_USER=bob sm-approve show "$d2" | jq -c '[.author, .state, .text]')" \
	'["alice","pending","Nur mit Freigabe."]'
printf '{"draft":%s,"by":"bob","approvals":[{"by":"bob"}]}\n' "$d2" | SM_USER=alice sm-approve ok - >out 2>err
is "a crafted record on ok -: the author still cannot approve her own draft (77)" "$?" 77
is "... and no approval" "$(sqlval "select count(*) from approvals where draft_id = $d2")" 0

done_testing
