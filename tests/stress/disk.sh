#!/bin/sh
# disk.sh BUILD ROUNDS - the long full-disk run of make stress (tests/1020-full-disk.t is
# the short one). A store on a 16 MiB tmpfs; every round four feeds grow, a filler file
# leaves a random amount of space (0 to 3 MiB) and sm-fetch runs. It must exit 0 or 75
# (never another status, never a crash), leave the store intact with every stored record
# whole and no item twice; a channel's cursor is never the ETag of a file it did not
# store all of. A last round with the space freed must bring every item in. Needs root.
set -u
build=$(cd "$1" && pwd) rounds=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
PATH=$build/bin:$PATH
export PATH LC_ALL=C.UTF-8 TZ=UTC
unset SM_DIR
[ "$(id -u)" -eq 0 ] || { echo "disk.sh: skipped: mounting a tmpfs needs root"; exit 0; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smkit-disk.XXXXXX")
small=$tmp/small
mkdir -p "$small" "$tmp/www"
mount -t tmpfs -o size=16m smkit-stress "$small" || { echo "disk.sh: skipped: cannot mount a tmpfs"; exit 0; }
/usr/bin/python3 "$src/tests/lib/feedserver.py" --root "$tmp/www" --port-file "$tmp/port" \
	--pid-file "$tmp/server.pid" 2>"$tmp/server.err" &
trap 'kill "$(cat "$tmp/server.pid")"; cd /; umount "$small" 2>/dev/null || umount -l "$small"; rm -rf "$tmp"' EXIT
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
ws=$small/ws
sm-init -q "$ws" || exit 1
for c in $(git config -f "$ws/config" --name-only --get-regexp '^channel\..*\.kind$'); do
	git config -f "$ws/config" --remove-section "channel.${c%.kind}"
done
for c in a b c d; do
	git config -f "$ws/config" "channel.$c.kind" feed
	git config -f "$ws/config" "channel.$c.url" "http://127.0.0.1:$(cat "$tmp/port")/$c.rss"
	echo 0 >"$tmp/$c.n"
done
broken() { echo "disk.sh: round $r: $*" >&2; exit 1; }
feed() { # feed NAME N: N posts of about 3 KB
	/usr/bin/python3 - "$tmp/www/$1.rss" "$1" "$2" <<'EOF'
import os, sys
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path + ".tmp", "w") as f:
    f.write('<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title>\n' % name)
    for i in range(1, n + 1):
        f.write("<item><guid>%s-%d</guid><title>Post %d</title><description>%s</description></item>\n"
                % (name, i, i, ("Wort%d " % i) * 400))
    f.write("</channel></rss>\n")
os.rename(path + ".tmp", path)
EOF
}
full=0 start=$(date +%s)
r=0
while [ $r -le "$rounds" ]; do
	for c in a b c d; do
		n=$(($(cat "$tmp/$c.n") + $(od -An -N1 -tu1 /dev/urandom | tr -d ' ') % 6))
		echo $n >"$tmp/$c.n"
		feed $c $n
	done
	rm -f "$small/filler"
	if [ $r -lt "$rounds" ]; then
		free=$(df -k "$small" | awk 'NR == 2 { print $4 }')
		leave=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 3072))
		[ "$free" -gt "$leave" ] && dd if=/dev/zero of="$small/filler" bs=1k count=$((free - leave)) 2>/dev/null
	fi
	sm-fetch --dir "$ws" -q >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case $rc in
	0) ;;
	75) full=$((full + 1)); grep -qi 'disk is full\|no space left' "$tmp/err" || broken "exit 75 without a full disk: $(cat "$tmp/err")" ;;
	*) broken "exit $rc: $(cat "$tmp/err")" ;;
	esac
	[ $r -eq "$rounds" ] && [ $rc -ne 0 ] && broken "the last run, with space, failed"
	rm -f "$small/filler" # the checks below need room for sqlite3's own -shm
	[ "$(sqlite3 "$ws/store.db" 'pragma integrity_check')" = ok ] || broken "integrity_check failed"
	[ "$(sqlite3 "$ws/store.db" 'select count(*) - count(distinct id) from items')" = 0 ] || broken "an item twice"
	[ "$(sqlite3 "$ws/store.db" 'select count(*) from items where not json_valid(record) or length(text) < 1000')" = 0 ] ||
		broken "a record not whole"
	for c in a b c d; do
		have=$(sqlite3 "$ws/store.db" "select count(*) from items where channel = '$c'")
		etag=\"$(sha1sum "$tmp/www/$c.rss" | cut -c1-20)\"
		kept=$(sqlite3 "$ws/store.db" "select coalesce(etag, '') from cursors where channel = '$c'")
		[ "$kept" = "$etag" ] && [ "$have" -ne "$(cat "$tmp/$c.n")" ] &&
			broken "$c: the cursor says the file is read, $have of $(cat "$tmp/$c.n") items stored"
		[ $r -eq "$rounds" ] && [ "$have" -ne "$(cat "$tmp/$c.n")" ] &&
			broken "$c: $have of $(cat "$tmp/$c.n") items after the last run"
	done
	r=$((r + 1))
done
total=$(sqlite3 "$ws/store.db" 'select count(*) from items')
echo "disk.sh: $rounds rounds, the disk full in $full of them (exit 75), $total items stored whole, $(($(date +%s) - start))s"
