#!/bin/sh
# sm-fetch over HTTP: feed channels against tests/lib/feedserver.py on loopback.
# Incremental fetching with conditional GET, one broken channel among healthy ones
# (5xx, timeout, truncated body, garbage, 4xx, refused), redirects, gzip, max-size,
# several urls per channel, HTML to text and relative links.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-fetch >/dev/null && command -v sm-init >/dev/null || skip_all "sm-fetch not built"
command -v jq >/dev/null || skip_all "jq not installed"

WS=$TMP/ws
NOW=$(date +%s)

# --- helpers ---------------------------------------------------------------------------

# start the feed server on a free port; sets U to its base URL
mkdir -p www
/usr/bin/python3 "$SM_SRC/tests/lib/feedserver.py" --root "$TMP/www" --port 0 \
	--port-file "$TMP/port" --pid-file "$TMP/feedserver.pid" --log "$TMP/server.log" \
	2>"$TMP/server.err" &
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$TMP/port" ] || { echo "Bail out! feedserver did not start: $(cat server.err)"; exit 1; }
U=http://127.0.0.1:$(cat "$TMP/port")

# run_fetch NAME STATUS ARGS...: sm-fetch on the workspace, stdout to out, stderr to err
run_fetch() {
	_rn=$1 _rw=$2
	shift 2
	_t0=$(date +%s)
	timeout 60 sm-fetch --dir "$WS" "$@" >out 2>err
	_rc=$?
	ELAPSED=$(($(date +%s) - _t0))
	if [ "$_rc" -eq "$_rw" ]; then pass "$_rn"; else
		fail "$_rn"
		diag "exit $_rc, want $_rw; stderr:" "$(head -c 1500 err)"
	fi
}
# objects FILE: every line of FILE is a JSON object
objects() { jq -s -e 'length > 0 and all(type == "object")' "$1" >/dev/null; }
lines() { if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
cfg() { git config -f "$WS/config" "$@"; }
# field ID KEY: a field of the item ID as printed on stdout (file out)
field() { jq -r --arg id "$1" "select(.id == \$id) | .$2" out; }
# the server log: how many requests for PATH, and with what status
nreq() { jq -s --arg p "$1" '[.[] | select(.path == $p)] | length' server.log; }
lastreq() { jq -s -r --arg p "$1" '[.[] | select(.path == $p)] | last | "\(.status) inm=\(.inm) ims=\(.ims)"' server.log; }
# a channel's cursor columns, to compare before and after a failing run
cursor() { sqlval "select coalesce(etag,'')||'|'||coalesce(last_modified,'')||'|'||coalesce(cursor,'') from cursors where channel='$1' order by source"; }
count() { sqlval "select count(*) from items where channel='$1'"; }

# gen_rss FILE NAME COUNT: a feed of COUNT generated posts, its mtime growing with COUNT
gen_rss() {
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>\n'
		printf '<title>%s</title><link>/%s/</link><description>Kundenfragen</description>\n' "$2" "$2"
		_i=1
		while [ "$_i" -le "$3" ]; do
			printf '<item><title>%s: Frage %d</title><link>/%s/t/%d</link><guid>%s-%d</guid>' \
				"$2" "$_i" "$2" "$_i" "$2" "$_i"
			printf '<pubDate>Mon, 23 Nov 2026 %02d:%02d:00 +0100</pubDate>' $((_i / 60 + 8)) $((_i % 60))
			printf '<description>&lt;p&gt;Wann kommt mein Paket Nr. %d? &lt;b&gt;Dringend&lt;/b&gt;&lt;/p&gt;</description></item>\n' "$_i"
			_i=$((_i + 1))
		done
		printf '</channel></rss>\n'
	} >"www/$1.tmp" && mv "www/$1.tmp" "www/$1"
	touch -d "@$((NOW - 86400 + $3 * 60))" "www/$1"
}

# --- fixtures ------------------------------------------------------------------------

# A German forum feed: escaped HTML, CDATA, entities, relative links, time zones.
cat >www/de.rss <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Kundenforum – Neueste Beiträge</title>
  <link>/forum/</link>
  <description>Fragen und Antworten rund um Internet, Telefon und TV</description>
  <language>de-de</language>
  <item>
    <title>Seit heute Morgen kein Internet in Köln-Ehrenfeld</title>
    <link>/forum/t/stoerung-koeln/4711</link>
    <guid isPermaLink="false">forum-post-4711</guid>
    <pubDate>Mon, 23 Nov 2026 10:58:00 +0100</pubDate>
    <dc:creator>kunde_koeln</dc:creator>
    <description>&lt;p&gt;Hallo zusammen,&lt;/p&gt;&lt;p&gt;seit heute Morgen &lt;b&gt;kein Internet&lt;/b&gt;, der Router blinkt rot. Gr&amp;uuml;&amp;szlig;e &amp;amp; danke!&lt;/p&gt;</description>
  </item>
  <item>
    <title>Rechnung doppelt abgebucht?</title>
    <link>t/rechnung/4712</link>
    <guid isPermaLink="false">forum-post-4712</guid>
    <pubDate>Mon, 23 Nov 2026 08:15:30 GMT</pubDate>
    <description><![CDATA[<p>Mir wurde die Novemberrechnung <em>zweimal</em> abgebucht. Siehe <a href="/konto/rechnungen">Rechnungen</a>.</p>
<script>alert("x")</script>]]></description>
  </item>
  <item>
    <title>Danke für die schnelle Hilfe!</title>
    <link>/forum/t/danke/4713</link>
    <guid isPermaLink="false">forum-post-4713</guid>
    <pubDate>Sun, 22 Nov 2026 19:05:00 +0100</pubDate>
    <description>Der Techniker war da, alles läuft wieder. 👍</description>
  </item>
</channel>
</rss>
EOF
touch -d "@$((NOW - 7200))" www/de.rss

# An English Atom feed with xml:base and HTML titles and content.
cat >www/en.atom <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/">
  <title>Acme Support Community</title>
  <id>tag:support.acme.example,2026:feed</id>
  <updated>2026-11-23T09:45:00Z</updated>
  <link rel="self" href="/en.atom"/>
  <entry>
    <title type="html">Refund still not received &amp;mdash; order #55821</title>
    <id>tag:support.acme.example,2026:post-901</id>
    <link rel="alternate" type="text/html" href="posts/901.html"/>
    <published>2026-11-23T10:30:00+01:00</published>
    <updated>2026-11-23T10:45:00+01:00</updated>
    <author><name>jane_d</name></author>
    <content type="html">&lt;p&gt;I returned the headset on &lt;strong&gt;Nov 2&lt;/strong&gt; and still no refund.&lt;br/&gt;The &lt;a href="/orders/55821"&gt;order page&lt;/a&gt; says &amp;quot;processing&amp;quot;.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Outage: app login failing</title>
    <id>tag:support.acme.example,2026:post-902</id>
    <link href="posts/902.html"/>
    <updated>2026-11-23T08:05:00Z</updated>
    <author><name>m.chen</name></author>
    <summary>Can't log in since this morning, error 503. Anyone else?</summary>
  </entry>
</feed>
EOF

# A JSON Feed with one status post.
cat >www/status.json <<'EOF'
{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Acme status",
  "home_page_url": "https://status.acme.example/",
  "items": [
    {
      "id": "incident-2026-11-23-1",
      "url": "https://status.acme.example/incidents/77",
      "title": "Degraded performance in EU-West",
      "content_html": "<p>We are investigating <b>slow</b> logins &amp; failed payments.</p>",
      "date_published": "2026-11-23T07:12:00-05:00"
    }
  ]
}
EOF
mkdir -p www/alt
gen_rss alt/news.rss news 1

# --- a workspace with one feed channel -------------------------------------------------

ok "sm-init creates a workspace" sm-init "$WS"
# sm-init's example config must not make us fetch anything but what we configure
for c in $(git config -f "$WS/config" --name-only --get-regexp '^channel\..*\.kind$' 2>/dev/null); do
	c=${c#channel.}
	git config -f "$WS/config" --remove-section "channel.${c%.kind}"
done
cfg fetch.timeout 2s
# one attempt a run: these cases test what one failed transfer does (retries: see the end)
cfg fetch.attempts 1
cfg fetch.connect-timeout 1s
cfg fetch.max-size 64k
cfg channel.de.kind feed
cfg channel.de.url "$U/de.rss"

# --- first run: everything is new ------------------------------------------------------

run_fetch "first fetch exits 0" 0
is "first fetch prints 3 items" "$(lines out)" 3
ok "every line is a JSON object" objects out
is "3 items stored" "$(sqlval 'select count(*) from items')" 3
is "ids are CHANNEL:GUID" "$(jq -r .id out | sort | tr '\n' ' ')" \
	"de:forum-post-4711 de:forum-post-4712 de:forum-post-4713 "
is "stored ids are CHANNEL:GUID" "$(sqlval 'select id from items order by id' | tr '\n' ' ')" \
	"de:forum-post-4711 de:forum-post-4712 de:forum-post-4713 "
is "ext_id is the guid" "$(field de:forum-post-4711 ext_id)" forum-post-4711
is "channel field" "$(jq -r .channel out | sort -u)" de
is "title" "$(field de:forum-post-4711 title)" "Seit heute Morgen kein Internet in Köln-Ehrenfeld"
is "pubDate with an offset becomes UTC" "$(field de:forum-post-4711 created_at)" 2026-11-23T09:58:00Z
is "pubDate in GMT" "$(field de:forum-post-4712 created_at)" 2026-11-23T08:15:30Z
is "pubDate across midnight" "$(field de:forum-post-4713 created_at)" 2026-11-22T18:05:00Z
is "stored created_at" "$(sqlval "select created_at from items where id='de:forum-post-4711'")" \
	2026-11-23T09:58:00Z

# HTML in descriptions arrives as plain text
t1=$(field de:forum-post-4711 text)
t2=$(field de:forum-post-4712 text)
case $t1 in *"kein Internet"*"Grüße & danke!"*) pass "escaped HTML becomes text, entities decoded" ;;
*) fail "escaped HTML becomes text, entities decoded"; diag "text: $t1" ;; esac
case $t1$t2 in *"<"* | *"&amp;"* | *"&lt;"* | *"&uuml;"*) fail "no tags or entities left in text"; diag "$t1" "$t2" ;;
*) pass "no tags or entities left in text" ;; esac
case $t2 in *"Novemberrechnung zweimal abgebucht"*) pass "CDATA HTML becomes text" ;;
*) fail "CDATA HTML becomes text"; diag "text: $t2" ;; esac
case $t2 in *alert*) fail "script content is dropped"; diag "text: $t2" ;; *) pass "script content is dropped" ;; esac
is "plain description kept" "$(field de:forum-post-4713 text)" "Der Techniker war da, alles läuft wieder. 👍"
is "stored text is plain too" "$(sqlval "select text from items where id='de:forum-post-4713'")" \
	"Der Techniker war da, alles läuft wieder. 👍"

# relative links become absolute, against the feed's URL
is "root-relative link made absolute" "$(field de:forum-post-4711 url)" "$U/forum/t/stoerung-koeln/4711"
is "path-relative link made absolute" "$(field de:forum-post-4712 url)" "$U/t/rechnung/4712"
is "stored url is absolute" "$(sqlval "select url from items where id='de:forum-post-4711'")" \
	"$U/forum/t/stoerung-koeln/4711"
is "stored record is the printed one" \
	"$(sqlval "select record from items where id='de:forum-post-4712'" | jq -cS '{id,title,text,url,created_at}')" \
	"$(jq -cS 'select(.id == "de:forum-post-4712") | {id,title,text,url,created_at}' out)"

etag=$(curl -s -o /dev/null -D - "$U/de.rss" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p')
is "the cursor keeps the server's ETag" "$(sqlval "select etag from cursors where channel='de'")" "$etag"
is "the cursor's source is the url" "$(sqlval "select source from cursors where channel='de'")" "$U/de.rss"
nbefore=$(nreq /de.rss)

# --- second run: a conditional GET answered 304 -----------------------------------------

run_fetch "second fetch exits 0" 0
is "second fetch prints nothing" "$(lines out)" 0
is "nothing new stored" "$(sqlval 'select count(*) from items')" 3
is "one more request" "$(nreq /de.rss)" $((nbefore + 1))
is "it sent If-None-Match and was answered 304" "$(lastreq /de.rss | cut -d' ' -f1,2)" "304 inm=true"
is "it sent If-Modified-Since too" "$(lastreq /de.rss | cut -d' ' -f3)" "ims=true"

# --- one item more -------------------------------------------------------------------

NEW='  <item>
    <title>Neuer Router, WLAN bricht ständig ab</title>
    <link>/forum/t/wlan/4714</link>
    <guid isPermaLink="false">forum-post-4714</guid>
    <pubDate>Mon, 23 Nov 2026 11:20:00 +0100</pubDate>
    <description>Seit dem Tausch bricht das WLAN alle 10 Minuten ab.</description>
  </item>' awk '!done && /^  <item>$/ { print ENVIRON["NEW"]; done = 1 } { print }' www/de.rss >www/de.new
mv www/de.new www/de.rss
touch -d "@$((NOW - 3600))" www/de.rss
run_fetch "fetch after one new item exits 0" 0 -v
is "exactly one new line" "$(lines out)" 1
is "it is the new item" "$(jq -r .id out)" de:forum-post-4714
is "4 items stored" "$(sqlval 'select count(*) from items')" 4
like "-v prints a per-channel summary" err '^sm-fetch: de: 1 new, 3 known$'
is "the request was conditional, answered 200" "$(lastreq /de.rss | cut -d' ' -f1,2)" "200 inm=true"
run_fetch "fetch again exits 0" 0
is "and prints nothing" "$(lines out)" 0

# --- several urls in one channel: RSS, Atom, JSON Feed --------------------------------

cfg channel.multi.kind feed
cfg --add channel.multi.url "$U/en.atom"
cfg --add channel.multi.url "$U/status.json"
cfg --add channel.multi.url "$U/alt/news.rss"
run_fetch "a channel with three urls exits 0" 0 -c multi
is "items of all three urls printed" "$(lines out)" 4
is "items of all three urls stored" "$(count multi)" 4
is "each url requested once" "$(nreq /en.atom) $(nreq /status.json) $(nreq /alt/news.rss)" "1 1 1"
is "a cursor row per url" "$(sqlval "select count(*) from cursors where channel='multi'")" 3
is "Atom id is the ext_id" "$(field 'multi:tag:support.acme.example,2026:post-901' ext_id)" \
	"tag:support.acme.example,2026:post-901"
a1='multi:tag:support.acme.example,2026:post-901'
is "Atom link resolved against xml:base" "$(field "$a1" url)" "$U/blog/posts/901.html"
is "Atom html title becomes text" "$(field "$a1" title)" "Refund still not received — order #55821"
is "Atom published becomes created_at in UTC" "$(field "$a1" created_at)" 2026-11-23T09:30:00Z
ta=$(field "$a1" text)
case $ta in *"headset on Nov 2 and still no refund."*'"processing"'*) pass "Atom html content becomes text" ;;
*) fail "Atom html content becomes text"; diag "text: $ta" ;; esac
case $ta in *"<"* | *"&quot;"*) fail "no tags in Atom text"; diag "$ta" ;; *) pass "no tags in Atom text" ;; esac
is "Atom without published uses updated" \
	"$(field 'multi:tag:support.acme.example,2026:post-902' created_at)" 2026-11-23T08:05:00Z
is "Atom summary as text" "$(field 'multi:tag:support.acme.example,2026:post-902' text)" \
	"Can't log in since this morning, error 503. Anyone else?"
j1=multi:incident-2026-11-23-1
is "JSON Feed title" "$(field $j1 title)" "Degraded performance in EU-West"
is "JSON Feed content_html becomes text" "$(field $j1 text)" \
	"We are investigating slow logins & failed payments."
is "JSON Feed date becomes UTC" "$(field $j1 created_at)" 2026-11-23T12:12:00Z
is "JSON Feed url" "$(field $j1 url)" "https://status.acme.example/incidents/77"

# --- an ill-formed feed is read as far as possible, with a warning ------------------------

# a bare '&' and no end: as some forum software writes them
cat >www/sloppy.rss <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Support & Community</title><link>/community/</link>
<item><title>Router & Modem: Lampe blinkt</title><guid>sl-1</guid><link>/community/t/1</link>
<description>Seit dem Gewitter blinkt die DSL-Lampe.</description></item>
<item><title>Vertrag kündigen</title><guid>sl-2</guid><link>/community/t/2</link>
<description>Wie kündige ich fristgerecht?</description></item>
EOF
cfg channel.sloppy.kind feed
cfg channel.sloppy.url "$U/sloppy.rss"
run_fetch "an ill-formed feed: exit 0" 0 -c sloppy
is "its complete items are stored" "$(sqlval "select id from items where channel='sloppy' order by id" | tr '\n' ' ')" \
	"sloppy:sl-1 sloppy:sl-2 "
is "and printed" "$(lines out)" 2
like "a warning names the channel" err '^sm-fetch: sloppy: '

# --- one broken channel among healthy ones -------------------------------------------

gen_rss good.rss good 2
gen_rss bad.rss bad 2
cfg channel.good.kind feed
cfg channel.good.url "$U/good.rss"
cfg channel.bad.kind feed
cfg channel.bad.url "$U/bad.rss"
run_fetch "good and bad channels fetched while both are healthy" 0 -c good -c bad
is "both stored" "$(count good) $(count bad)" "2 2"
bad_cursor=$(cursor bad)
case $bad_cursor in '"'*'|'?*) pass "bad channel has a cursor with an ETag and Last-Modified" ;;
*) fail "bad channel has a cursor with an ETag and Last-Modified"; diag "cursor: '$bad_cursor'" ;; esac

n=2
# broken FAULT STATUS: one new item on each side, the bad side serving FAULT
broken() {
	n=$((n + 1))
	gen_rss good.rss good $n
	gen_rss bad.rss bad $n
	echo "$1" >www/bad.rss.fault
	run_fetch "$1: exit $2" "$2" -c good -c bad
	is "$1: the healthy channel's new item printed" "$(jq -r .id out | tr '\n' ' ')" "good:good-$n "
	is "$1: the healthy channel's new item stored" "$(count good)" "$n"
	is "$1: nothing of the broken channel stored" "$(count bad)" 2
	like "$1: stderr names the failing channel" err '^sm-fetch: bad: '
	unlike "$1: stderr does not blame the healthy one" err '^sm-fetch: good: '
	is "$1: the broken channel's cursor is unchanged" "$(cursor bad)" "$bad_cursor"
	rm www/bad.rss.fault
}
broken status/500 75
broken status/503 75
broken timeout 75
[ "$ELAPSED" -le 8 ] && pass "timeout: fetch.timeout=2s is honoured" ||
	{ fail "timeout: fetch.timeout=2s is honoured"; diag "took ${ELAPSED}s"; }
broken truncate 75
broken garbage 69
broken status/404 69
like "a 4xx is reported with its status" err '^sm-fetch: bad: .*404'
broken status/410 69

run_fetch "the broken channel recovers" 0 -c good -c bad
is "all its missed items arrive" "$(jq -r .id out | sort -t- -k2n | tr '\n' ' ')" \
	"bad:bad-3 bad:bad-4 bad:bad-5 bad:bad-6 bad:bad-7 bad:bad-8 bad:bad-9 "
is "all stored" "$(count bad)" "$n"
nb=$(cursor bad)
[ "$nb" != "$bad_cursor" ] && pass "now its cursor moved" || fail "now its cursor moved"

# 429 with Retry-After and a refused connection are temporary too
cfg channel.gone.kind feed
cfg channel.gone.url "http://127.0.0.1:$(free_port)/feed.rss"
run_fetch "connection refused: exit 75" 75 -c gone -c good
like "connection refused: stderr names the channel" err '^sm-fetch: gone: '
cfg channel.busy.kind feed
cfg channel.busy.url "$U/status/429/good.rss"
run_fetch "HTTP 429: exit 75" 75 -c busy -c good
like "HTTP 429: stderr names the channel" err '^sm-fetch: busy: '
cfg channel.bad404.kind feed
cfg channel.bad404.url "$U/status/404/good.rss"
run_fetch "a temporary and a permanent failure: exit 69" 69 -c busy -c good -c bad404

# --- redirects, gzip, max-size -----------------------------------------------------------

gen_rss moved.rss moved 3
gen_rss zipped.rss zipped 4
gen_rss roomy.rss roomy 2
gen_rss huge.rss huge 2
cfg channel.moved.kind feed
cfg channel.moved.url "$U/redirect/3/moved.rss"
cfg channel.zipped.kind feed
cfg channel.zipped.url "$U/gzip/zipped.rss"
cfg channel.roomy.kind feed
cfg channel.roomy.url "$U/big/60000/roomy.rss"
run_fetch "redirect, gzip and a body under max-size: exit 0" 0 -c moved -c zipped -c roomy
is "a chain of 3 redirects is followed" "$(count moved)" 3
is "the redirects were 302s" "$(jq -s '[.[] | select(.status == 302)] | length' server.log)" 3
is "a gzip body is decoded" "$(count zipped)" 4
is "gzip was asked for and sent" "$(jq -s -r '[.[] | select(.path == "/gzip/zipped.rss")] | last | .gzip' server.log)" true
is "a body just under max-size is read" "$(count roomy)" 2

cfg channel.huge.kind feed
cfg channel.huge.url "$U/big/200000/huge.rss"
run_fetch "a body over max-size fails the channel: exit 69" 69 -c huge -c roomy
is "nothing of it stored" "$(count huge)" 0
like "stderr names the channel" err '^sm-fetch: huge: '
cfg channel.bomb.kind feed
cfg channel.bomb.url "$U/gzip/big/2000000/huge.rss"
run_fetch "a gzip body that inflates over max-size fails the channel: exit 69" 69 -c bomb
is "nothing of the gzip bomb stored" "$(count bomb)" 0

# --- channels are fetched concurrently -------------------------------------------------

for c in s1 s2 s3 s4; do
	gen_rss "$c.rss" "$c" 1
	cfg channel.$c.kind feed
	cfg channel.$c.url "$U/slow/1/$c.rss"
done
run_fetch "four slow channels: exit 0" 0 -j 4 -c s1 -c s2 -c s3 -c s4
is "all four stored" "$(sqlval "select count(*) from items where channel like 's_'")" 4
[ "$ELAPSED" -le 3 ] && pass "fetched in parallel, not one after another" ||
	{ fail "fetched in parallel, not one after another"; diag "took ${ELAPSED}s for 4 x 1s"; }

# retries within a run: a 503 with Retry-After, then the feed, in one sm-fetch
R=$TMP/retry
sm-init -q "$R"
for c in $(git config -f "$R/config" --name-only --get-regexp '^channel\..*\.kind$'); do
	git config -f "$R/config" --remove-section "channel.${c%.kind}"
done
git config -f "$R/config" fetch.attempts 3
git config -f "$R/config" channel.flaky.kind feed
git config -f "$R/config" channel.flaky.url "${U%/}/flaky/2/de.rss"
sm-fetch --dir "$R" -q > retry.out 2> retry.err
is "retry: two 503s then the feed, in one run: exit 0" "$?" 0
is "retry: its items are stored" "$(sqlite3 "$R/store.db" 'select count(*) from items')" \
	"$(sqlval "select count(*) from items where channel = 'de'")"
git config -f "$R/config" channel.flaky.url "${U%/}/flaky/5/de.rss"
sqlite3 "$R/store.db" 'delete from items; delete from cursors'
sm-fetch --dir "$R" -q > retry.out 2> retry.err
is "retry: still failing after fetch.attempts: exit 75" "$?" 75
like "retry: the message says HTTP 503" retry.err 'flaky: .*HTTP 503'
done_testing
