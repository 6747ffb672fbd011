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

# bash
for c in $cmds; do
	[ -f "$COMP/bash/$c" ] || continue
	ok "$c: bash completion parses" bash -n "$COMP/bash/$c"
	# every long option --help names is offered after '-'
	bash_complete "$COMP/bash/$c" "$c" - >got 2>err
	opts=$("$c" --help 2>/dev/null | grep -o -e '--[a-z][a-z-]*' | sort -u)
	if [ -z "$opts" ]; then
		fail "$c: bash offers the long options of --help"
		diag "'$c --help' names no long option"
	else
		# shellcheck disable=SC2086
		has_lines "$c: bash offers the long options of --help" got $opts
	fi
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
