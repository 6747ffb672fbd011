#!/bin/sh
# sm-init: creates every part of a workspace, never overwrites, says so, finds the workspace.
. "${SM_SRC:-.}/tests/lib/test.sh"

exits "creates a workspace" 0 sm-init ws 2>err
like "names what it created" err "created .*/ws/config"
for f in config rules store.db templates plan/.git; do
	ok "has $f" test -e ws/$f
done
is "config is not readable by others" "$(stat -c %a ws/config)" 640
is "store at the newest schema (schema.sql and every migration)" \
	"$(sqlite3 ws/store.db 'pragma user_version')" "$(($(ls "$SM_SRC"/share/migrations/*.sql | wc -l) + 1))"
is "the migrations applied, by name" \
	"$(sqlite3 ws/store.db 'select name from smkit_migrations order by position' | tr '\n' ' ')" \
	"$({ echo schema.sql; cd "$SM_SRC/share/migrations" && ls *.sql | sort; } | tr '\n' ' ')"
is "store in WAL mode" "$(sqlite3 ws/store.db 'pragma journal_mode')" wal
ok "store has the items table and its full-text index" \
	quiet sqlite3 ws/store.db 'select count(*) from items; select count(*) from items_fts'
is "plan repository's branch is main" "$(git -C ws/plan symbolic-ref HEAD)" refs/heads/main
is "plan repository is empty" "$(git -C ws/plan rev-list --all | wc -l)" 0
ok "config parses with git" quiet git config -f ws/config --list
like "example rules are there" ws/rules '^Rule: outage'

echo '# mine' >> ws/config
sum=$(cd ws && find . -path ./plan -prune -o -type f -print | sort | xargs md5sum)
exits "second run succeeds" 0 sm-init ws 2>err
like "and says nothing changed" err "ws: workspace exists, nothing changed"
is "nothing changed" "$(cd ws && find . -path ./plan -prune -o -type f -print | sort | xargs md5sum)" "$sum"

rm ws/rules
sm-init ws 2>err
like "a missing part is created again" err "created .*/ws/rules"
unlike "and only that" err "created .*/ws/config"

exits "-q says nothing" 0 sm-init -q q
is "quiet" "$(sm-init -q q 2>&1)" ""

printf '[broken\n' > bad.cfg
mkdir bad && cp bad.cfg bad/config
exits "an existing config that does not parse: 78" 78 sm-init bad 2>err
like "names the file" err "bad/config"

SM_DIR=$TMP/envws sm-init 2>/dev/null
ok "SM_DIR is used" test -f envws/config
sm-init 2>/dev/null
ok "XDG default" test -f "$XDG_DATA_HOME/smkit/config"
SM_DIR=$TMP/envws sm-init --dir "$TMP/optws" 2>/dev/null
ok "--dir beats SM_DIR" test -f optws/config

exits "usage error: 64" 64 sm-init a b 2>/dev/null
exits "--help: 0" 0 quiet sm-init --help
sm-init --help > out
like "--help shows usage" out "usage: sm-init"
touch afile
exits "uncreatable: 73" 73 sm-init "$TMP/afile/ws" 2>err
like "says why" err "unable to create '.*afile/ws': Not a directory"
done_testing
