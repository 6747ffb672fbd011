#!/bin/sh
# 0510-assign-concurrency.t - eight sm-assign processes at once over the same 2,000 items
# (about 300 threads and 50 authors of direct messages, each process in its own order):
# every item in exactly one case, one case per conversation, no case assigned twice, no
# "database is locked", every process exits 0 and prints what the store holds.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-assign >/dev/null || skip_all "sm-assign not built"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
P=8

sm-init -q ws || { fail "sm-init ws"; done_testing; }
export SM_DIR=$TMP/ws
WS=$TMP/ws
cat >>ws/config <<'EOF'
[assign]
	default-team = support
[team "support"]
	strategy = least-loaded
[team "tech"]
	strategy = round-robin
[team "intl"]
	strategy = skills
[team "vip"]
	strategy = sticky
[agent "a1"]
	team = support
	capacity = 10000
[agent "a2"]
	team = support
	capacity = 10000
[agent "a3"]
	team = support
	capacity = 10000
[agent "t1"]
	team = tech
	capacity = 10000
[agent "t2"]
	team = tech
	capacity = 10000
[agent "i1"]
	team = intl
	skill = de
	skill = en
	capacity = 10000
[agent "i2"]
	team = intl
	skill = en
	capacity = 10000
[agent "v1"]
	team = vip
	capacity = 10000
[agent "v2"]
	team = vip
	capacity = 10000
[policy "p"]
	first-response = 1h
	resolution = 8h
	hours = Mon-Fri 08:00-18:00 Europe/Berlin
EOF

# items.N.jsonl: the same 2,000 items in P orders; conversations: how many there are
"$PY" - "$P" <<'EOF' || { fail "the items are made"; done_testing; }
import json, random, sys, zlib
r = random.Random(2026)
items, convs = [], set()
teams = [None, None, "tech", "intl", "vip"]
for i in range(2000):
    it = {"id": "c:%d" % i, "channel": "c", "network": "mastodon",
          "text": "item %d" % i, "lang": r.choice(["de", "en"]),
          "created_at": "2026-11-2%dT%02d:%02d:%02dZ" % (r.randrange(3) + 1, r.randrange(24), r.randrange(60), r.randrange(60))}
    if r.random() < 0.2:
        a = "dm-author-%d" % r.randrange(50)
        it.update(kind="direct", author={"id": a, "handle": "@" + a})
        convs.add("dm:c:" + a)
    else:
        t = "c:thread-%d" % r.randrange(300)
        a = "author-%d" % r.randrange(400)
        it.update(kind="mention", thread=t, author={"id": a, "handle": "@" + a})
        convs.add(t)
    team = teams[zlib.crc32(it.get("thread", it["author"]["id"]).encode()) % len(teams)]
    if team:
        it["team"] = team
    items.append(it)
for p in range(int(sys.argv[1])):
    order = items[:]
    random.Random(p).shuffle(order)
    with open("items.%d.jsonl" % p, "w") as f:
        for it in order:
            f.write(json.dumps(it) + "\n")
open("conversations", "w").write("%d\n" % len(convs))
EOF

p=0
while [ "$p" -lt "$P" ]; do
	SM_NOW=2026-11-23T10:00:00Z sm-assign "items.$p.jsonl" >"out.$p" 2>"err.$p" &
	echo $! >"$TMP/assign.$p.pid"
	p=$((p + 1))
done
codes= p=0
while [ "$p" -lt "$P" ]; do
	wait "$(cat "$TMP/assign.$p.pid")"
	codes="$codes$? "
	rm -f "$TMP/assign.$p.pid"
	p=$((p + 1))
done

is "all $P processes exit 0" "$codes" "$(printf '0 %.0s' $(seq $P))"
cat err.* >err
unlike "no 'database is locked' or busy in any stderr" err 'locked|busy|BUSY'
is "nothing on any stderr" "$(head -c 300 err)" ""
is "every item is stored" "$(sqlval 'select count(*) from items')" 2000
is "every item is in a case, none twice" "$(sqlval 'select count(*), count(distinct item_id) from case_items')" "2000|2000"
is "every stored item is in a case" \
	"$(sqlval 'select count(*) from items where id not in (select item_id from case_items)')" 0
is "one case per conversation" "$(sqlval 'select count(*), count(distinct conversation) from cases')" \
	"$(cat conversations)|$(cat conversations)"
is "at most one case not resolved per conversation" \
	"$(sqlval "select count(*) from (select conversation from cases where status != 'resolved' group by 1 having count(*) > 1)")" 0
is "each item is in its conversation's case" \
	"$(sqlval "select count(*) from case_items ci join items i on i.id = ci.item_id join cases c on c.id = ci.case_id
		where c.conversation != case when i.kind = 'direct' then 'dm:' || i.channel || ':' || i.author_id else i.thread end")" 0
is "every case opened once" \
	"$(sqlval "select count(*) from cases where id not in (select case_id from case_events where what = 'opened' group by 1 having count(*) = 1)")" 0
is "no case assigned twice" \
	"$(sqlval "select count(*) from (select case_id from case_events where what = 'assigned' group by 1 having count(*) > 1)")" 0
is "every case has an agent (capacity is ample)" "$(sqlval 'select count(*) from cases where assignee is null')" 0
is "the agent of each case is the one its event names" \
	"$(sqlval "select count(*) from cases c join case_events e on e.case_id = c.id and e.what = 'assigned' where e.new != c.assignee")" 0
is "every case has its due times" "$(sqlval 'select count(*) from cases where first_response_due is null or resolution_due is null')" 0
sqlval "select item_id || ' ' || case_id from case_items order by 1" >stored
p=0 bad=
while [ "$p" -lt "$P" ]; do
	if ! command -v jq >/dev/null 2>&1; then
		break
	fi
	jq -r '.id + " " + (.case | tostring)' "out.$p" | sort >"printed.$p"
	cmp -s "printed.$p" stored || bad="$bad $p"
	p=$((p + 1))
done
if command -v jq >/dev/null 2>&1; then
	is "each process printed every item with the case the store has" "$bad" ""
else
	skip "each process printed every item with its case: jq is not installed"
fi

# In a pipeline the stage before writes to the same store between the lines it prints (as
# sm-match commits a batch, then prints it): sm-assign must not keep the store locked while
# it waits for more input, or that stage waits until its busy timeout and fails.
head -n 20 items.0.jsonl >part1
sed -n 21,40p items.0.jsonl >part2
{
	cat part1
	sleep 1
	sqlite3 -cmd '.timeout 3000' "$WS/store.db" "insert into channels (name, kind) values ('upstream', 'feed')" \
		2>upstream.err && echo committed >upstream.out
	cat part2
} | SM_NOW=2026-11-23T10:00:00Z sm-assign >piped.out 2>piped.err
is "piped: sm-assign exits 0" "$?:$(cat piped.err)" "0:"
is "piped: the stage before could commit while sm-assign waited for its input" \
	"$(cat upstream.out 2>/dev/null)$(cat upstream.err)" committed
if command -v jq >/dev/null 2>&1; then
	is "piped: every line printed with its case" "$(jq -r 'select(.case != null) | .id' piped.out | wc -l | tr -d ' ')" 40
else
	skip "piped: every line printed with its case: jq is not installed"
fi

done_testing
