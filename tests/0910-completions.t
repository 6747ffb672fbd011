#!/bin/sh
# 0910-completions.t - the bash, zsh and fish completions exist for every command, parse,
# offer the options --help names, and complete channel names from the workspace.
. "${SM_SRC:-.}/tests/lib/test.sh"

COMP=$SM_SRC/completions

# bash_complete FILE WORD...: the completions bash offers for the line WORD... (the last
# word is the one being completed), one per line
bash_complete() {
	bash -c '
		file=$1; shift
		. "$file" || exit 1
		fn=$(complete -p "$1" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || exit 1
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$@"
}

# has_lines NAME FILE LINE...: FILE holds each LINE as a whole line
has_lines() {
	_name=$1 _file=$2 _missing=
	shift 2
	for _l in "$@"; do
		grep -Fxq -e "$_l" "$_file" || _missing="$_missing '$_l'"
	done
	if [ -z "$_missing" ]; then pass "$_name"; else
		fail "$_name"; diag "missing:$_missing" "offered: $(tr '\n' ' ' <"$_file")"; fi
}

# two workspaces: the default one (SM_DIR) and one named with --dir
sm-init -q ws && sm-init -q other || { fail "sm-init makes the workspaces"; done_testing; }
git config -f ws/config channel.blog.kind feed
git config -f ws/config channel.blog.url "file://$TMP/feed.xml"
git config -f ws/config channel.crm.kind exec
git config -f ws/config channel.crm.command true
git config -f other/config channel.forum.kind feed
mkdir -p "some dir"
export SM_DIR=$TMP/ws

# every command has a completion in each shell
cmds=
for src in "$SM_SRC"/cmd/sm-*.c; do
	[ -e "$src" ] || continue
	c=${src##*/}
	c=${c%.c}
	cmds="$cmds $c"
	ok "$c: bash completion exists" test -f "$COMP/bash/$c"
	ok "$c: fish completion exists" test -f "$COMP/fish/$c.fish"
	ok "$c: zsh completion names it" grep -Eq "^#compdef( .*)? $c( |\$)" "$COMP/zsh/_smkit"
done

# help_options CMD: "SUB --option" for each long option CMD --help names; SUB is the
# subcommand of the usage line it is on ("cmd [--dir DIR] list [--mine]": list), or of
# the usage line above an indented "[--option ...]" line that continues it, else "-"
help_options() {
	"$1" --help 2>/dev/null | awk -v cmd="$1" '
	function opts(t, sub_) {
		while (match(t, /--[a-z][a-z-]*/)) {
			print sub_, substr(t, RSTART, RLENGTH)
			t = substr(t, RSTART + RLENGTH)
		}
	}
	{
		n = split($0, w, /[ \t]+/)
		i = (w[1] == "") ? 2 : 1
		if (w[i] == "usage:")
			i++
		if (w[i] != cmd) {
			opts($0, (w[1] == "" && w[i] ~ /^\[/ && last != "") ? last : "-")
			next
		}
		sub_ = "-"
		for (i++; i <= n; i++) {
			if (sub_ == "-" && w[i] ~ /^[a-z][a-z-]*$/)
				sub_ = w[i]
			else
				opts(w[i], sub_)
		}
		last = sub_
	}' | sort -u
}

# bash
for c in $cmds; do
	[ -f "$COMP/bash/$c" ] || continue
	ok "$c: bash completion parses" bash -n "$COMP/bash/$c"
	# every long option --help names is offered after '-' (after its subcommand, if any)
	help_options "$c" >opts
	if [ ! -s opts ]; then
		fail "$c: bash offers the long options of --help"
		diag "'$c --help' names no long option"
		continue
	fi
	for sub in $(cut -d' ' -f1 opts | sort -u); do
		if [ "$sub" = - ]; then
			bash_complete "$COMP/bash/$c" "$c" - >got 2>err
			what="$c"
		else
			bash_complete "$COMP/bash/$c" "$c" "$sub" - >got 2>err
			what="$c $sub"
		fi
		# shellcheck disable=SC2046
		has_lines "$what: bash offers the long options of --help" got \
			$(awk -v s="$sub" '$1 == s { print $2 }' opts)
	done
done

if [ -f "$COMP/bash/sm-fetch" ]; then
	f=$COMP/bash/sm-fetch
	bash_complete "$f" sm-fetch -c "" >got 2>err
	has_lines "sm-fetch -c: bash offers the default workspace's channels" got blog crm
	unlike "sm-fetch -c: only channels" got 'forum|^-'
	bash_complete "$f" sm-fetch --channel b >got 2>err
	is "sm-fetch --channel b: bash completes the prefix" "$(cat got)" blog
	bash_complete "$f" sm-fetch --dir other -c "" >got 2>err
	is "sm-fetch --dir DIR -c: channels of DIR" "$(cat got)" forum
	bash_complete "$f" sm-fetch --dir = other -q -c "" >got 2>err
	is "sm-fetch --dir=DIR -c: channels of DIR" "$(cat got)" forum
	(unset SM_DIR; XDG_DATA_HOME=$TMP/xdg; export XDG_DATA_HOME
		mkdir -p xdg && cp -R other xdg/smkit &&
		bash_complete "$f" sm-fetch -c "") >got 2>err
	is "sm-fetch -c: the XDG workspace without SM_DIR" "$(cat got)" forum
	bash_complete "$f" sm-fetch --dir "" >got 2>err
	has_lines "sm-fetch --dir: bash offers directories" got ws other "some dir"
	bash_complete "$f" sm-fetch -j "" >got 2>err
	is "sm-fetch -j: nothing to offer" "$(cat got)" ""
fi
if [ -f "$COMP/bash/sm-init" ]; then
	bash_complete "$COMP/bash/sm-init" sm-init "" >got 2>err
	has_lines "sm-init: bash offers directories" got ws other "some dir"
	bash_complete "$COMP/bash/sm-init" sm-init --dir o >got 2>err
	is "sm-init --dir o: bash completes the directory" "$(cat got)" other
fi

if [ -f "$COMP/bash/sm-match" ]; then
	f=$COMP/bash/sm-match
	: >my.rules
	bash_complete "$f" sm-match -r my >got 2>err
	is "sm-match -r: bash completes a file" "$(cat got)" my.rules
	bash_complete "$f" sm-match --rules = my >got 2>err
	is "sm-match --rules=FILE: bash completes a file" "$(cat got)" my.rules
	bash_complete "$f" sm-match --dir "" >got 2>err
	has_lines "sm-match --dir: bash offers directories" got ws other "some dir"
	unlike "sm-match --dir: only directories" got '^my\.rules$'
	bash_complete "$f" sm-match -q "" >got 2>err
	is "sm-match -q: nothing to offer" "$(cat got)" ""
	bash_complete "$f" sm-match -n my >got 2>err
	is "sm-match FILE: bash completes an items file" "$(cat got)" my.rules
fi

if [ -f "$COMP/bash/sm-assign" ]; then
	f=$COMP/bash/sm-assign
	cat >>ws/config <<'EOF'
[assign]
	default-team = support
[team "support"]
	strategy = least-loaded
[team "billing"]
	email = billing@example.com
[agent "alice"]
	team = support
[agent "bob"]
	team = tech
[team "tech"]
	strategy = round-robin
EOF
	git config -f other/config agent.zoe.team far
	git config -f other/config team.far.strategy sticky
	printf '%s\n' '{"id":"b:1","channel":"blog","author":{"id":"u1"},"text":"a"}' \
		'{"id":"b:2","channel":"blog","author":{"id":"u2"},"text":"b"}' \
		'{"id":"b:3","channel":"blog","author":{"id":"u3"},"text":"c"}' >items.jsonl
	# three cases, the second resolved
	sm-assign items.jsonl >/dev/null 2>err &&
		sqlite3 ws/store.db "update cases set status = 'resolved' where id = 2"
	bash_complete "$f" sm-assign "" >got 2>err
	has_lines "sm-assign: bash offers the subcommands" got list take set set-agent forward escalate
	has_lines "sm-assign: and items files" got items.jsonl
	bash_complete "$f" sm-assign items.jsonl "" >got 2>err
	unlike "sm-assign FILE: no subcommand after a file" got '^(list|take)$'
	has_lines "sm-assign FILE: more files" got items.jsonl
	bash_complete "$f" sm-assign list - >got 2>err
	unlike "sm-assign list -: not the filter's options" got '^--explain$'
	bash_complete "$f" sm-assign list --agent "" >got 2>err
	is "sm-assign list --agent: the agents" "$(sort got | tr '\n' ' ')" "alice bob "
	bash_complete "$f" sm-assign list --team "" >got 2>err
	is "sm-assign list --team: sections, agents' teams, the default team" "$(sort got | tr '\n' ' ')" \
		"billing support tech "
	bash_complete "$f" sm-assign list --status p >got 2>err
	is "sm-assign list --status p: pending" "$(cat got)" pending
	bash_complete "$f" sm-assign --dir other list --agent "" >got 2>err
	is "sm-assign --dir DIR list --agent: the agents of DIR" "$(cat got)" zoe
	bash_complete "$f" sm-assign --dir = other forward 1 "" >got 2>err
	is "sm-assign --dir=DIR forward CASE: the teams of DIR" "$(cat got)" far
	if command -v sqlite3 >/dev/null 2>&1; then
		bash_complete "$f" sm-assign take "" >got 2>err
		is "sm-assign take: the cases not resolved" "$(tr '\n' ' ' <got)" "1 3 "
		bash_complete "$f" sm-assign take 1 "" >got 2>err
		is "sm-assign take CASE: nothing more" "$(cat got)" ""
	else
		skip "sm-assign take: cases need sqlite3"
		skip "sm-assign take CASE: cases need sqlite3"
	fi
	bash_complete "$f" sm-assign set 1 "" >got 2>err
	is "sm-assign set CASE: the fields" "$(tr '\n' ' ' <got)" "status= assignee= priority= team= "
	bash_complete "$f" sm-assign set 1 status = "" >got 2>err
	is "sm-assign set CASE status=: the statuses" "$(tr '\n' ' ' <got)" "new open pending resolved "
	bash_complete "$f" sm-assign set 1 priority = u >got 2>err
	is "sm-assign set CASE priority=u: urgent" "$(cat got)" urgent
	bash_complete "$f" sm-assign set 1 status=open assignee = "" >got 2>err
	is "sm-assign set CASE F=V assignee=: the agents" "$(sort got | tr '\n' ' ')" "alice bob "
	bash_complete "$f" sm-assign set 1 team=b >got 2>err
	is "sm-assign set CASE team=b (no '=' word break): prefixed" "$(cat got)" team=billing
	bash_complete "$f" sm-assign set-agent "" >got 2>err
	is "sm-assign set-agent: the agents" "$(sort got | tr '\n' ' ')" "alice bob "
	bash_complete "$f" sm-assign set-agent alice "" >got 2>err
	is "sm-assign set-agent AGENT: away or back" "$(tr '\n' ' ' <got)" "away back "
	bash_complete "$f" sm-assign forward 1 t >got 2>err
	is "sm-assign forward CASE t: the team" "$(cat got)" tech
	bash_complete "$f" sm-assign forward 1 tech -m "" >got 2>err
	is "sm-assign forward -m: nothing to offer" "$(cat got)" ""
	bash_complete "$f" sm-assign escalate "" >got 2>err
	is "sm-assign escalate: nothing to offer" "$(cat got)" ""
fi

# sm-approve: a workspace of its own with drafts in every state, batches, templates, a case
if [ -f "$COMP/bash/sm-approve" ] || [ -f "$COMP/fish/sm-approve.fish" ]; then
	sm-init -q appr && cat >>appr/config <<'EOF'
[security]
	identity = env
[assign]
	default-team = support
[agent "alice"]
	team = support
[agent "bob"]
	role = approver
[channel "social"]
	kind = feed
	url = file:///dev/null
[channel "press"]
	kind = feed
	url = file:///dev/null
EOF
	mkdir -p appr/templates && : >appr/templates/danke && : >appr/templates/sorry
	printf '%s\n' '{"id":"social:1","channel":"social","author":{"id":"k"},"text":"a"}' |
		sm-assign --dir appr >/dev/null 2>&1
	printf '%s\n' '{"reply_to":"social:1","text":"one","batch":"b1"}' \
		'{"reply_to":"social:1","text":"two","batch":"b1"}' \
		'{"reply_to":"social:1","text":"three","batch":"b1"}' \
		'{"reply_to":"social:1","text":"four","batch":"b2"}' \
		'{"reply_to":"social:1","text":"five","batch":"b2"}' |
		SM_USER=alice sm-approve --dir appr submit >/dev/null 2>&1
	SM_USER=bob sm-approve --dir appr ok 2 >/dev/null 2>&1
	SM_USER=bob sm-approve --dir appr reject 4 -m no >/dev/null 2>&1
	sqlite3 appr/store.db "update drafts set state = 'published' where id = 3" 2>/dev/null
fi

if [ -f "$COMP/bash/sm-approve" ]; then
	f=$COMP/bash/sm-approve
	# ac WORD...: bash's completions for sm-approve WORD... in the workspace appr, one line
	ac() { SM_DIR=$TMP/appr bash_complete "$f" sm-approve "$@" 2>err | grep -v '^$' | tr '\n' ' '; }
	is "sm-approve: bash offers the subcommands" "$(ac "")" "draft submit list show ok reject edit verify "
	is "sm-approve -: the options before a subcommand only" "$(ac -)" "-d --dir -h --help --version "
	bash_complete "$f" sm-approve --dir "" >got 2>err
	has_lines "sm-approve --dir: bash offers directories" got ws other appr "some dir"
	is "sm-approve draft: the cases not resolved" "$(ac draft "")" "1 "
	is "sm-approve draft --template: the templates" "$(ac draft 1 --template "")" "danke sorry "
	is "sm-approve draft --channel p: the channel" "$(ac draft 1 --channel p)" "press "
	is "sm-approve draft --batch: the batches" "$(ac draft 1 --batch "")" "b1 b2 "
	is "sm-approve draft -m: nothing to offer" "$(ac draft 1 -m "")" ""
	is "sm-approve draft --at: nothing to offer" "$(ac draft 1 --at "")" ""
	is "sm-approve list --batch=: the batches" "$(ac list --batch = "")" "b1 b2 "
	is "sm-approve ok: the pending drafts, and -" "$(ac ok "")" "1 5 - "
	is "sm-approve ok ID: more of them" "$(ac ok 1 "")" "1 5 - "
	is "sm-approve reject: the pending drafts" "$(ac reject "")" "1 5 "
	is "sm-approve reject ID -: -m" "$(ac reject 1 -)" "-m "
	is "sm-approve reject ID -m: nothing to offer" "$(ac reject 1 -m "")" ""
	is "sm-approve reject ID: nothing more" "$(ac reject 1 "")" ""
	is "sm-approve edit: not the published one" "$(ac edit "")" "1 2 4 5 "
	is "sm-approve show: every draft" "$(ac show "")" "1 2 3 4 5 "
	is "sm-approve show ID: nothing more" "$(ac show 1 "")" ""
	is "sm-approve verify: nothing to offer" "$(ac verify "")" ""
	: >bulk.jsonl
	is "sm-approve submit: files" "$(ac submit bul)" "bulk.jsonl "
	is "sm-approve --dir DIR ok: the drafts of DIR" \
		"$(unset SM_DIR; bash_complete "$f" sm-approve --dir appr ok "" 2>err | tr '\n' ' ')" "1 5 - "
	is "sm-approve --dir=DIR ok: the drafts of DIR" \
		"$(unset SM_DIR; bash_complete "$f" sm-approve --dir = appr ok "" 2>err | tr '\n' ' ')" "1 5 - "
	is "sm-approve --dir DIR without drafts: none" \
		"$(bash_complete "$f" sm-approve --dir other ok "" 2>err | tr '\n' ' ')" "- "
fi

# sm-publish: the drafts it could send (in appr: 2 is approved), channels, stdin
if [ -f "$COMP/bash/sm-publish" ]; then
	f=$COMP/bash/sm-publish
	pc() { SM_DIR=$TMP/appr bash_complete "$f" sm-publish "$@" 2>err | grep -v '^$' | tr '\n' ' '; }
	is "sm-publish: bash offers the approved drafts and -" "$(pc "")" "2 - "
	is "sm-publish ID: more drafts, no -" "$(pc 2 "")" "2 "
	is "sm-publish -c p: the channel" "$(pc -c p)" "press "
	is "sm-publish --channel=: the channels" "$(pc --channel = "" | tr ' ' '\n' | sort | tr '\n' ' ')" "press social "
	is "sm-publish --dir DIR: the drafts of DIR" \
		"$(unset SM_DIR; bash_complete "$f" sm-publish --dir appr "" 2>err | tr '\n' ' ')" "2 - "
	bash_complete "$f" sm-publish --dir "" >got 2>err
	has_lines "sm-publish --dir: bash offers directories" got ws other appr "some dir"
fi
if command -v fish >/dev/null 2>&1 && [ -f "$COMP/fish/sm-publish.fish" ]; then
	fp() {
		SM_DIR=$TMP/appr fish -c "source '$COMP/fish/sm-publish.fish'; complete -C'$1'" 2>err |
			cut -f1 | sort | tr '\n' ' '
	}
	is "sm-publish: fish offers the approved drafts and -" "$(fp 'sm-publish ')" "- 2 "
	is "sm-publish -c: fish offers the channels" "$(fp 'sm-publish -c ')" "press social "
fi

# sm-plan: subcommands, formats, channels, the entries of the reviewed branch
if [ -f "$COMP/bash/sm-plan" ]; then
	f=$COMP/bash/sm-plan
	pc() { bash_complete "$f" sm-plan "$@" 2>err | grep -v '^$' | tr '\n' ' '; }
	is "sm-plan: bash offers the subcommands" "$(pc "")" "add list show check sync "
	is "sm-plan list -f: the formats" "$(pc list -f "")" "table jsonl ics "
	is "sm-plan add --channel c: the channel" "$(pc add --channel c)" "crm "
	mkdir -p ws/plan/posts && printf 'At: 2026-12-01 09:00 UTC\nChannels: blog\n\nx\n' >ws/plan/posts/a.txt &&
		git -C ws/plan add posts && git -C ws/plan -c user.name=t -c user.email=t@x commit -q -m a
	is "sm-plan show: the entries of the reviewed branch" "$(pc show "")" "posts/a.txt "
	is "sm-plan check: the branches" "$(pc check "")" "main HEAD "
fi

# zsh: the file parses (its completion is not driven here)
if command -v zsh >/dev/null 2>&1; then
	ok "zsh: _smkit parses" zsh -n "$COMP/zsh/_smkit"
else
	skip "zsh: not installed"
fi

# fish: the files parse, and sm-fetch -c offers the channels
if command -v fish >/dev/null 2>&1; then
	for c in $cmds; do
		[ -f "$COMP/fish/$c.fish" ] &&
			ok "$c: fish completion parses" fish --no-execute "$COMP/fish/$c.fish"
	done
	if [ -f "$COMP/fish/sm-fetch.fish" ]; then
		fish -c "source '$COMP/fish/sm-fetch.fish'; complete -C'sm-fetch -c '" 2>err |
			cut -f1 >got
		has_lines "sm-fetch -c: fish offers the channels" got blog crm
		fish -c "source '$COMP/fish/sm-fetch.fish'; complete -C'sm-fetch --dir other -c '" 2>err |
			cut -f1 >got
		is "sm-fetch --dir DIR -c: fish offers the channels of DIR" "$(cat got)" forum
	fi
	if [ -f "$COMP/fish/sm-assign.fish" ]; then
		fc() { fish -c "source '$COMP/fish/sm-assign.fish'; complete -C'$1'" 2>err | cut -f1; }
		fc 'sm-assign ' >got
		has_lines "sm-assign: fish offers the subcommands" got list take set set-agent forward escalate
		fc 'sm-assign list --agent ' >got
		is "sm-assign list --agent: fish offers the agents" "$(sort got | tr '\n' ' ')" "alice bob "
		fc 'sm-assign --dir other forward 1 ' >got
		is "sm-assign --dir DIR forward CASE: fish offers the teams of DIR" "$(cat got)" far
		fc 'sm-assign set-agent alice ' >got
		is "sm-assign set-agent AGENT: fish offers away, back" "$(sort got | tr '\n' ' ')" "away back "
		fc 'sm-assign set 1 status=' >got
		is "sm-assign set CASE status=: fish offers the statuses" "$(tr '\n' ' ' <got)" \
			"status=new status=open status=pending status=resolved "
		if command -v sqlite3 >/dev/null 2>&1; then
			fc 'sm-assign take ' >got
			is "sm-assign take: fish offers the cases not resolved" "$(tr '\n' ' ' <got)" "1 3 "
		fi
	fi
	# installed: the completion files in vendor_completions.d, the workspace function they
	# share in vendor_functions.d, where fish loads it by its name
	if [ -f "$COMP/fish/sm-assign.fish" ] && [ -f "$COMP/fish/__smkit_workspace.fish" ]; then
		mkdir -p inst/vc inst/vf
		cp "$COMP/fish/sm-assign.fish" inst/vc/
		cp "$COMP/fish/__smkit_workspace.fish" inst/vf/
		fish -c "set -p fish_function_path '$TMP/inst/vf'; source '$TMP/inst/vc/sm-assign.fish';
			complete -C'sm-assign -d other forward 1 '" 2>err | cut -f1 >got
		is "installed: the shared workspace function is loaded by name (-dDIR too)" "$(cat got)|$(cat err)" "far|"
	fi
	if [ -f "$COMP/fish/sm-approve.fish" ]; then
		fa() {
			SM_DIR=$TMP/appr fish -c "source '$COMP/fish/sm-approve.fish'; complete -C'$1'" 2>err |
				cut -f1 | sort | tr '\n' ' '
		}
		is "sm-approve: fish offers the subcommands" "$(fa 'sm-approve ')" \
			"draft edit list ok reject show submit verify "
		is "sm-approve -: fish offers the options before a subcommand" "$(fa 'sm-approve -')" \
			"--dir --help --version -d -h "
		is "sm-approve draft -: fish offers its options" "$(fa 'sm-approve draft 1 -')" \
			"--at --batch --channel --template -m "
		is "sm-approve draft --template: fish offers the templates" "$(fa 'sm-approve draft 1 --template ')" \
			"danke sorry "
		is "sm-approve list -: fish offers its options" "$(fa 'sm-approve list -')" "--batch --mine --pending "
		is "sm-approve list --batch: fish offers the batches" "$(fa 'sm-approve list --batch ')" "b1 b2 "
		is "sm-approve ok: fish offers the pending drafts and -" "$(fa 'sm-approve ok ')" "- 1 5 "
		is "sm-approve edit: fish offers the drafts not published" "$(fa 'sm-approve edit ')" "1 2 4 5 "
		is "sm-approve show ID: nothing more" "$(fa 'sm-approve show 1 ')" ""
		is "sm-approve --dir DIR ok: fish offers the drafts of DIR" \
			"$(unset SM_DIR; fish -c "source '$COMP/fish/sm-approve.fish'; complete -C'sm-approve --dir appr ok '" 2>err |
				cut -f1 | sort | tr '\n' ' ')" "- 1 5 "
	fi
	if [ -f "$COMP/fish/sm-match.fish" ]; then
		: >my.rules
		fish -c "source '$COMP/fish/sm-match.fish'; complete -C'sm-match -r my'" 2>err |
			cut -f1 >got
		is "sm-match -r: fish completes a file" "$(cat got)" my.rules
	fi
else
	skip "fish: not installed"
fi

done_testing
