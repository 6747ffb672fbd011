#!/bin/sh
# 1020-full-disk.t - a store on a small file system (a tmpfs with a size) that fills up in
# the middle of a fetch, of a match and of a bulk submit, a full disk under sm-init, and a
# store that cannot be written (a read-only mount, a file of another user). Each ends in a
# clear message and exit 75 (space: try again later) or 73 (cannot write), nothing is
# half-written (PRAGMA integrity_check, foreign keys, all or nothing per transaction), and
# the next run after space is freed completes. Needs root to mount; skipped otherwise.
. "${SM_SRC:-.}/tests/lib/test.sh"

for c in sm-fetch sm-init sm-match sm-approve jq sqlite3; do
	command -v $c >/dev/null || skip_all "$c not found"
done
[ "$(id -u)" -eq 0 ] || skip_all "mounting a small file system needs root"
SMALL=$TMP/small
mkdir -p "$SMALL"
mount -t tmpfs -o size=32m,mode=755 smkit-test "$SMALL" 2>mount.err ||
	skip_all "cannot mount a tmpfs: $(cat mount.err)"
trap 'cd /; umount "$SMALL" 2>/dev/null || umount -l "$SMALL"; _cleanup' EXIT

WS=$SMALL/ws
export SM_DIR=$WS SM_NOW=2026-11-23T10:00:00Z
sm-init -q "$WS" || { fail "sm-init on the small file system"; done_testing; }
for c in $(git config -f "$WS/config" --name-only --get-regexp '^channel\..*\.kind$'); do
	git config -f "$WS/config" --remove-section "channel.${c%.kind}"
done
printf '[security]\n\tidentity = env\n[agent "alice"]\n\trole = agent\n' >>"$WS/config"

# feed NAME N SIZE: an RSS file outside the small file system, N posts of SIZE bytes
mkdir -p www
feed() {
	/usr/bin/python3 - "$@" <<'EOF'
import sys
name, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open("www/%s.rss" % name, "w") as f:
    f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>\n' % name)
    for i in range(n):
        f.write('<item><guid>%s-%d</guid><title>Post %d</title><description>%s</description>'
                '<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>\n'
                % (name, i, i, ("Wort%d " % i) * (size // 7)))
    f.write("</channel></rss>\n")
EOF
}
feed small 5 200
feed huge 400 4000
git config -f "$WS/config" channel.a.kind feed
git config -f "$WS/config" channel.a.url "file://$TMP/www/small.rss"
git config -f "$WS/config" channel.b.kind feed
git config -f "$WS/config" channel.b.url "file://$TMP/www/huge.rss"

# fill KB: leave about KB kilobytes free on the small file system
fill() {
	rm -f "$SMALL/filler"
	_free=$(df -k "$SMALL" | awk 'NR == 2 { print $4 }')
	[ "$_free" -gt "$1" ] && dd if=/dev/zero of="$SMALL/filler" bs=1k count=$((_free - $1)) 2>/dev/null
	:
}
consistent() {
	is "$1: PRAGMA integrity_check" "$(sqlval 'pragma integrity_check')" ok
	is "$1: no foreign key broken" "$(sqlval 'pragma foreign_key_check' | wc -l | tr -d ' ')" 0
}
count() { sqlval "select count(*) from items where channel = '$1'"; }
cursor() { sqlval "select coalesce(etag,'')||coalesce(last_modified,'')||coalesce(cursor,'') from cursors where channel='$1'"; }

# --- the disk fills up in the middle of a fetch ------------------------------------------

fill 500
sm-fetch >out 2>err
is "disk full mid-fetch: exit 75 (cron tries again)" "$?" 75
like "disk full mid-fetch: the channel and the reason" err '^sm-fetch: b: .*(database or disk is full|No space left)'
is "disk full mid-fetch: the channel that fitted is stored" "$(count a)" 5
is "disk full mid-fetch: and printed" "$(jq -r .channel out | sort | uniq -c | tr -s ' ')" " 5 a"
is "disk full mid-fetch: nothing of the one that did not" "$(count b)" 0
is "disk full mid-fetch: its cursor did not move" "$(cursor b)" ""
consistent "disk full mid-fetch"
rm -f "$SMALL/filler"
sm-fetch >out 2>err
is "space freed: the next run completes (exit 0)" "$?" 0
is "space freed: every item of the big feed" "$(count b)" 400
is "space freed: printed once each" "$(jq -r 'select(.channel == "b") | .id' out | sort -u | wc -l | tr -d ' ')" 400
consistent "space freed"

# --- in the middle of a match and of a bulk submit -----------------------------------------

/usr/bin/python3 -c '
import json
for i in range(300):
    print(json.dumps({"id": "m:%d" % i, "channel": "m", "text": ("Zeile %d " % i) * 600}))' >many.jsonl
fill 300
sm-match -a many.jsonl >out 2>err
is "disk full mid-match: exit 75" "$?" 75
like "disk full mid-match: says why" err '^sm-match: .*(database or disk is full|No space left)'
stored=$(count m)
ok "disk full mid-match: at most what was committed is stored ($stored of 300)" test "$stored" -lt 300
is "disk full mid-match: every stored record whole" \
	"$(sqlval "select count(*) from items where channel = 'm' and json_valid(record) and length(text) > 4000")" "$stored"
consistent "disk full mid-match"
rm -f "$SMALL/filler"
sm-match -a many.jsonl >out 2>err
is "space freed: sm-match again (exit 1: no rule, nothing matched)" "$?" 1
is "space freed: all 300 stored" "$(count m)" 300

n0=$(sqlval "select count(*) from drafts")
/usr/bin/python3 -c '
import json
for i in range(300):
    print(json.dumps({"reply_to": "m:%d" % i, "text": ("Antwort %d " % i) * 500}))' >drafts.jsonl
fill 200
SM_USER=alice sm-approve submit <drafts.jsonl >out 2>err
is "disk full mid-submit: exit 75" "$?" 75
like "disk full mid-submit: says why" err '^sm-approve: .*(database or disk is full|No space left)'
is "disk full mid-submit: no draft at all (all or nothing)" "$(sqlval "select count(*) from drafts")" "$n0"
is "disk full mid-submit: nothing printed" "$(wc -c <out | tr -d ' ')" 0
consistent "disk full mid-submit"
rm -f "$SMALL/filler"
SM_USER=alice sm-approve submit <drafts.jsonl >out 2>err
is "space freed: the submit goes through" "$?:$(sqlval "select count(*) from drafts")" "0:$((n0 + 300))"

# --- sm-init on a full disk ------------------------------------------------------------

fill 0
sm-init -q "$SMALL/ws2" >out 2>err
is "sm-init on a full disk: exit 73" "$?" 73
like "sm-init on a full disk: says what it could not write" err "^sm-init: unable to (create|write) '$SMALL/ws2"
if [ -e "$SMALL/ws2/config" ]; then
	ok "sm-init on a full disk: no config, or a whole one" cmp -s "$SMALL/ws2/config" "$SM_SRC/share/config.example"
else
	pass "sm-init on a full disk: no config, or a whole one"
fi
rm -f "$SMALL/filler"
sm-init -q "$SMALL/ws2" >out 2>err
is "space freed: sm-init completes the workspace" "$?" 0
is "space freed: its store is whole" "$(sqlite3 "$SMALL/ws2/store.db" 'pragma integrity_check')" ok

# --- a store that cannot be written ---------------------------------------------------------

feed small 6 200
mount -o remount,ro "$SMALL"
sm-fetch >out 2>err
is "read-only file system: exit 73" "$?" 73
like "read-only file system: says so" err "^sm-fetch: store '$WS/store.db' cannot be written: Read-only file system"
echo '{"id":"r:1","channel":"r","text":"nur lesen"}' | sm-match -n -a >out 2>err
is "read-only file system: sm-match -n still reads and filters" "$?:$(jq -r .id out)" "1:r:1"
mount -o remount,rw "$SMALL"
is "read-only file system: nothing changed" "$(count a)" 5
sm-fetch >out 2>err
is "writable again: the next run completes" "$?:$(count a)" "0:6"
consistent "writable again"

if command -v setpriv >/dev/null; then
	chmod 711 "$TMP" && chmod 644 "$WS/config" && chmod 444 "$WS/store.db"
	setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$PATH" SM_DIR="$WS" \
		HOME=/nonexistent sm-fetch >out 2>err
	is "a store of another user, mode 444: exit 73" "$?" 73
	like "a store of another user: says so" err "^sm-fetch: store '$WS/store.db' cannot be written: Permission denied"
	chmod 600 "$WS/config"
	setpriv --reuid=65534 --regid=65534 --clear-groups env PATH="$PATH" SM_DIR="$WS" \
		HOME=/nonexistent sm-fetch >out 2>err
	is "a config the user cannot read: exit 78" "$?" 78
	like "a config the user cannot read: names it" err "^sm-fetch: unable to read '$WS/config': Permission denied"
	chmod 644 "$WS/store.db"
else
	skip "setpriv not installed: no other user to try"
fi

done_testing
