#!/bin/sh
# 0311-pipeline-pauses.t - the stages that store (sm-match, sm-assign) in a pipeline: while
# their input pauses they hold no lock on the store (they commit what they have and print
# it), so the stage before can write the store meanwhile, as sm-fetch does between one
# feed and the next; and what they printed reaches the next stage during the pause.
. "${SM_SRC:-.}/tests/lib/test.sh"

sm-init -q ws || { fail "sm-init ws"; done_testing; }
export SM_DIR=$TMP/ws
WS=$TMP/ws

it() { printf '{"id":"p:%s","channel":"p","text":"Störung %s","created_at":"2026-11-23T09:00:00Z"}\n' "$1" "$1"; }

# the stage before: an item, a pause (sm-match has stored it and waits for more), a write
# to the store that gives up after 3 s, another item
{
	it 1
	sleep 1
	if sqlite3 -cmd ".timeout 3000" "$WS/store.db" \
		"insert into channels (name, kind) values ('other', 'feed')" 2>writer.err; then
		echo wrote >writer.out
	fi
	it 2
} | sm-match -a >out 2>err
is "sm-match: exit 0" "$?" 0
is "the stage before wrote the store while sm-match waited for its input" \
	"$(cat writer.out 2>/dev/null)|$(cat writer.err)" "wrote|"
is "both items went through, in order" "$(jq -r .id out | tr '\n' ' ')" "p:1 p:2 "
is "both stored" "$(sqlite3 "$WS/store.db" "select count(*) from items where id like 'p:%'")" 2
is "nothing on stderr" "$(cat err)" ""

# first_then N M: item N, then item M only once the next stage has item N (or 30 s passed),
# "before" or "after" in ./order
first_then() {
	rm -f got.first
	it "$1"
	_w=0
	while [ ! -e got.first ] && [ $_w -lt 300 ]; do sleep 0.1; _w=$((_w + 1)); done
	if [ -e got.first ]; then echo before; else echo after; fi >order
	it "$2"
}
first_then 5 6 | sm-match -a 2>/dev/null | { read -r first; : >got.first; cat >/dev/null; }
is "sm-match: the first item reached the next stage before the second was written" "$(cat order)" before

# sm-assign the same
{
	it 7
	sleep 1
	if sqlite3 -cmd ".timeout 3000" "$WS/store.db" \
		"insert into channels (name, kind) values ('third', 'feed')" 2>writer.err; then
		echo wrote >writer.out
	else
		rm -f writer.out
	fi
	it 8
} | sm-assign >/dev/null 2>err
is "sm-assign: the stage before wrote the store while it waited" \
	"$(cat writer.out 2>/dev/null)|$(cat writer.err)|$(grep -c -i locked err)" "wrote||0"
first_then 11 12 | sm-assign 2>/dev/null | { read -r first; : >got.first; cat >/dev/null; }
is "sm-assign: the first item reached the next stage before the second was written" "$(cat order)" before
is "sm-assign: both in cases" "$(sqlite3 "$WS/store.db" "select count(*) from case_items where item_id in ('p:7', 'p:8', 'p:11', 'p:12')")" 4

# a bad line stops sm-assign at once, with its place, while the stage before still holds
# the pipe open and writes nothing (the thread that reads for it waits in a read then)
mkfifo in.fifo
{
	it 9
	echo '{"id": "p:10", "channel": '
	sleep 30
} >in.fifo &
writer=$!
start=$(date +%s)
timeout 25 sm-assign <in.fifo >out 2>err
rc=$?
end=$(date +%s)
kill "$writer" 2>/dev/null
is "sm-assign: a bad line while the input stays open: exit 65, with its place" \
	"$rc $(grep -c 'stdin:2:' err)" "65 1"
is "... at once, not when the input ends" "$([ $((end - start)) -lt 20 ] && echo soon || echo late)" soon
is "... nothing of its batch is stored" "$(sqlite3 "$WS/store.db" "select count(*) from items where id = 'p:9'")" 0

done_testing
