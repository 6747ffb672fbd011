#!/bin/sh
# The discourse channel against tests/lib/discourse_server.py (the corpus of discourse_api's
# fixtures): latest posts paged back with before= to the cursor, the first run's newest page
# only, incremental runs, a walk cut by a failure and resumed, search streams, threads and
# replies resolved to post ids, a 403 without Api-Key, a 429 with Retry-After; sending
# replies and new topics through the library (sendtool), a second send finding the first
# post instead of posting again; the Api-Key never in output, traces or the store.
. "${SM_SRC:-.}/tests/lib/test.sh"

command -v sm-fetch >/dev/null && command -v sm-init >/dev/null || skip_all "sm-fetch not built"
command -v jq >/dev/null || skip_all "jq not installed"
command -v curl >/dev/null || skip_all "curl not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 not installed"
[ -x /usr/bin/python3 ] || skip_all "/usr/bin/python3 not installed"
[ -d "$SM_CORPUS/discourse" ] || skip_all "no Discourse corpus at $SM_CORPUS/discourse"
SEND=$SM_BUILD/tests/unit/sendtool
[ -x "$SEND" ] || skip_all "sendtool not built"

WS=$TMP/ws
TOKEN=tok-SECRET-1234
export DC_TOKEN=$TOKEN

/usr/bin/python3 "$SM_SRC/tests/lib/discourse_server.py" --corpus "$SM_CORPUS/discourse" \
	--api-key "$TOKEN" --port-file "$TMP/port" --pid-file "$TMP/discourse.pid" \
	--faults "$TMP/faults" --log "$TMP/server.log" 2>"$TMP/server.err" &
i=0
while [ ! -s "$TMP/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$TMP/port" ] || { echo "Bail out! discourse_server did not start: $(cat server.err)"; exit 1; }
PORT=$(cat "$TMP/port")
U=http://127.0.0.1:$PORT

# --- helpers ---------------------------------------------------------------------------

cfg() { git config -f "$WS/config" "$@"; }
lines() { if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }
field() { jq -r --arg id "$1" "select(.id == \$id) | .$2" out; }
cursor() { sqlval "select cursor from cursors where channel = '$1' and source = '$2'"; }
count() { sqlval "select count(*) from items where channel = '$1'"; }
# requests logged since the last mark: "METHOD PATH STATUS" lines
mark() { : >server.log; }
requests() { jq -r 'select(.method) | "\(.method) \(.path) \(.status)"' server.log; }
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
# post USER TOPIC RAW [REPLY_TO_NUMBER]: a post made on the forum by someone else
post() {
	jq -n --arg raw "$3" --argjson t "$2" --arg r "${4:-}" \
		'{raw: $raw, topic_id: $t} + (if $r == "" then {} else {reply_to_post_number: ($r | tonumber)} end)' |
		curl -s -o /dev/null -w '%{http_code}' -H "Api-Key: $TOKEN" -H "Api-Username: $1" \
			-H 'Content-Type: application/json' --data-binary @- "$U/posts.json"
}
# posts COUNT USER TOPIC PREFIX: COUNT posts "PREFIX I ..." at once; prints how many were made
posts() {
	/usr/bin/python3 - "$U" "$TOKEN" "$@" <<'PY'
import json, sys, urllib.request
u, key, n, user, topic, prefix = sys.argv[1:]
made = 0
for i in range(1, int(n) + 1):
    body = json.dumps({"raw": "%s %d: seit heute kein Internet mehr" % (prefix, i), "topic_id": int(topic)})
    rq = urllib.request.Request(u + "/posts.json", body.encode(), {"Api-Key": key, "Api-Username": user,
                                "Content-Type": "application/json"})
    with urllib.request.urlopen(rq) as r:
        made += r.status == 200
print(made)
PY
}
newest() { curl -s -H "Api-Key: $TOKEN" -H "Api-Username: x" "$U/posts.json" | jq '.latest_posts[0].id'; }
# send ARGS...: a send through the library, its JSON to sent, stderr to send.err
send() { "$SEND" --dir "$WS" "$@" >sent 2>send.err; }
posted() { jq -c 'select(.event == "post") | {id, topic_id, post_number, reply_to_post_number, username, raw}' server.log; }

# --- a workspace with one discourse channel --------------------------------------------

ok "sm-init creates a workspace" sm-init -q "$WS"
for c in $(cfg --name-only --get-regexp '^channel\..*\.kind$'); do
	c=${c#channel.}
	cfg --remove-section "channel.${c%.kind}"
done
cfg fetch.timeout 5s
cfg fetch.attempts 2
cfg fetch.max-wait 3s
cfg channel.forum.kind discourse
cfg channel.forum.url "$U/"
cfg channel.forum.username care
cfg channel.forum.token-env DC_TOKEN

# --- first run: the newest page --------------------------------------------------------

mark
run_fetch "first fetch exits 0" 0
is "it prints the four latest posts, newest first" "$(jq -r .id out | tr '\n' ' ')" \
	"forum:15 forum:14 forum:10 forum:2 "
is "one request: the newest page" "$(requests)" "GET /posts.json 200"
is "it sent the Api-Key and Api-Username" \
	"$(jq -r 'select(.method) | "\(.headers["Api-Key"]) \(.headers["Api-Username"])"' server.log)" \
	"$TOKEN care"
is "ids, channel, network, ext_id" "$(jq -c 'select(.id == "forum:15") | [.id, .channel, .network, .ext_id]' out)" \
	'["forum:15","forum","discourse","15"]'
is "a topic's first post is kind topic" "$(field forum:14 kind)" topic
is "a reply is kind forum-post" "$(field forum:15 kind)" forum-post
is "the thread is the topic's first post" "$(field forum:15 thread) $(field forum:14 thread)" "forum:14 forum:14"
is "a reply to the topic answers its first post" "$(field forum:15 in_reply_to)" forum:14
is "a first post answers nothing" "$(field forum:14 in_reply_to)" null
is "url: forum, slug, topic, post number" "$(field forum:15 url)" "$U/t/this-is-an-uncategorized-title/11/2"
is "title is the topic's" "$(field forum:15 title)" "This is an uncategorized title"
is "author id and handle" "$(field forum:15 author.id) $(field forum:15 author.handle)" \
	"discourse:johndoe@127.0.0.1:$PORT @johndoe"
is "author name when the forum has one" "$(field forum:10 author.name)" system
is "created_at in UTC to the second" "$(field forum:15 created_at)" 2020-01-25T02:10:07Z
is "extras: topic_id, post_number, category_id" "$(jq -c 'select(.id == "forum:15") | [.topic_id, .post_number, .category_id]' out)" \
	"[11,2,1]"
is "metrics" "$(field forum:15 metrics | jq -c .)" '{"likes":0,"reposts":0,"replies":0}'
t10=$(field forum:10 text)
case $t10 in *"Edit this into a brief description of your community:"*"Who is it for?"*) pass "cooked HTML becomes text" ;;
*) fail "cooked HTML becomes text"; diag "$t10" ;; esac
case $t10 in *"<"* | *"&"*) fail "no tags or entities left"; diag "$t10" ;; *) pass "no tags or entities left" ;; esac
is "4 items stored" "$(count forum)" 4
is "stored record is the printed one" \
	"$(sqlval "select record from items where id = 'forum:15'" | jq -cS .)" "$(jq -cS 'select(.id == "forum:15")' out)"
is "the cursor is the highest post id" "$(cursor forum latest)" 15
is "first posts of topics are remembered" "$(cursor forum topic/11) $(cursor forum topic/7)" "14 10"

mark
run_fetch "second fetch exits 0" 0
is "and prints nothing" "$(lines out)" 0
is "one request again" "$(requests)" "GET /posts.json 200"

# --- many new posts: paged back with before= to the cursor -----------------------------

is "55 posts made on the forum" "$(posts 55 kunde 11 'Frage Nummer')" 55
is "a reply to post 3 of topic 57" "$(post kunde2 57 'Antwort auf Beitrag drei: der Router blinkt rot' 3)" 200
N1=$(newest)
mark
run_fetch "fetch after 56 new posts exits 0" 0
is "all 56 printed once" "$(jq -r .id out | sort -u | wc -l | tr -d ' ') $(lines out)" "56 56"
is "the newest page, then before= the oldest id of it" \
	"$(requests | grep '^GET /posts.json' | tr '\n' ' ')" \
	"GET /posts.json 200 GET /posts.json?before=$((N1 - 49)) 200 "
is "60 items stored" "$(count forum)" 60
is "the cursor moved to the newest" "$(cursor forum latest)" "$N1"
is "no topic lookup for a topic whose first post is known" "$(requests | grep -c '/t/11')" 0
is "the thread of a reply in a known topic" "$(field "forum:$((N1 - 1))" thread)" forum:14
is "a reply to post 3: its thread is the topic's first post" "$(field "forum:$N1" thread)" forum:83
is "and in_reply_to is post 3's id" "$(field "forum:$N1" in_reply_to)" forum:86
is "reply_to_post_number kept" "$(field "forum:$N1" reply_to_post_number)" 3
is "both learned from the topic around post 3" "$(requests | grep '^GET /t/' | tr '\n' ' ')" "GET /t/57/3.json 200 "
mark
run_fetch "fetch again exits 0" 0
is "and prints nothing" "$(lines out)" 0

# --- a new channel's first run: the newest page only, not the history ------------------

cfg channel.fresh.kind discourse
cfg channel.fresh.url "$U"
cfg channel.fresh.username care
cfg channel.fresh.token-env DC_TOKEN
mark
run_fetch "a new channel's first run exits 0" 0 -c fresh
is "it prints the newest page only" "$(lines out)" 50
is "with one page request" "$(requests | grep -c '^GET /posts.json')" 1
is "its cursor is the newest id" "$(cursor fresh latest)" "$N1"

# --- a walk cut by a failure, resumed by the next run ----------------------------------

is "60 more posts" "$(posts 60 kunde 11 'Noch eine Frage Nummer')" 60
N2=$(newest)
cfg fetch.attempts 1
echo "{\"path\": \"/posts.json?before=$((N2 - 49))\", \"status\": 503, \"times\": 0}" >faults
run_fetch "a walk cut by a 503: exit 75" 75 -c forum
is "the newest page is stored and printed" "$(lines out) $(count forum)" "50 110"
like "the failure names the channel and stream" err "^sm-fetch: forum: latest: .*HTTP 503"
is "the cursor keeps the gap to walk: newest, next before=, old cursor" "$(cursor forum latest)" \
	"$N2 $((N2 - 49)) $N1"
is "the failure is noted with the stream" "$(sqlval "select error is not null from cursors where channel = 'forum' and source = 'latest'")" 1
: >faults
mark
run_fetch "the next run resumes the walk: exit 0" 0 -c forum
is "the other 10 arrive" "$(jq -r .ext_id out | sort -n | tr '\n' ' ')" "$(seq $((N1 + 1)) $((N2 - 50)) | tr '\n' ' ')"
is "from before= where it stopped, then from the newest" "$(requests | grep '^GET /posts.json' | tr '\n' ' ')" \
	"GET /posts.json?before=$((N2 - 49)) 200 GET /posts.json 200 "
is "the cursor is the newest again" "$(cursor forum latest)" "$N2"
is "120 items" "$(count forum)" 120
cfg fetch.attempts 2

# --- 429 with Retry-After, then the page -----------------------------------------------

post kunde 7 "Willkommen, aber mein Router blinkt seit heute morgen" >/dev/null
echo '{"path": "/posts.json", "status": 429, "headers": {"Retry-After": "1"}}' >faults
mark
run_fetch "a 429 with Retry-After, then success: exit 0" 0 -c forum
is "the new post arrives" "$(jq -r .text out)" "Willkommen, aber mein Router blinkt seit heute morgen"
is "429, then 200 after the wait" "$(requests | grep '^GET /posts.json' | cut -d' ' -f3 | tr '\n' ' ')" "429 200 "
[ "$ELAPSED" -ge 1 ] && pass "it waited as Retry-After said" || fail "it waited as Retry-After said"
: >faults

# --- replies resolved from the store, or left open when the forum refuses ------------------

post kunde3 11 "Bei mir auch, seit gestern abend" 3 >/dev/null
post kunde3 57 "Zu Beitrag drei: mein Router blinkt auch" 3 >/dev/null
N3=$(newest)
echo '{"path": "/t/57/3.json", "status": 404}' >faults
mark
run_fetch "a topic lookup refused with 404 does not stop the stream: exit 0" 0 -c forum
is "both posts stored" "$(lines out)" 2
is "a reply to a stored post: in_reply_to from the store" "$(field "forum:$((N3 - 1))" in_reply_to)" \
	"forum:$(sqlval "select ext_id from items where thread = 'forum:14' and record ->> 'post_number' = 3")"
is "no topic request for it" "$(requests | grep -c '^GET /t/11')" 0
is "the refused lookup: the thread is still known" "$(field "forum:$N3" thread)" forum:83
is "but not the post replied to" "$(field "forum:$N3" in_reply_to) $(field "forum:$N3" reply_to_post_number)" "null 3"
like "a warning says so" err "^sm-fetch: forum: latest: .*/t/57/3.json: HTTP 404"
: >faults

# --- search streams ----------------------------------------------------------------------

cfg channel.such.kind discourse
cfg channel.such.url "$U"
cfg channel.such.username care
cfg channel.such.token-env DC_TOKEN
cfg --add channel.such.fetch "search:router blinkt"
cfg --add channel.such.fetch "search:bullhonky"
mark
run_fetch "search streams: exit 0" 0 -c such
is "the posts found" "$(jq -r .ext_id out | sort -n | tr '\n' ' ')" "15 $N1 $((N2 + 1)) $N3 "
is "the searches asked for the newest first" "$(requests | grep '^GET /search.json' | sort | tr '\n' ' ')" \
	"GET /search.json?q=bullhonky%20order%3Alatest 200 GET /search.json?q=router%20blinkt%20order%3Alatest 200 "
is "each hit read whole" "$(requests | grep -c '^GET /posts/[0-9]*.json 200')" 4
is "a hit has the whole text, not the blurb" "$(field "such:$N1" text)" "Antwort auf Beitrag drei: der Router blinkt rot"
is "and the title of its topic" "$(field "such:$N1" title)" "THIS SITE IS A SANDBOX -- it is reset every day"
is "its thread and reply resolved" "$(field "such:$N1" thread) $(field "such:$N1" in_reply_to)" "such:83 such:86"
is "a cursor per search" "$(cursor such 'search:router blinkt') $(cursor such search:bullhonky)" "$N3 15"
mark
run_fetch "search again: exit 0" 0 -c such
is "nothing new" "$(lines out)" 0
is "no post read again" "$(requests | grep -c '^GET /posts/')" 0

# --- no Api-Key: 403, a permanent failure --------------------------------------------------

cfg channel.anon.kind discourse
cfg channel.anon.url "$U"
mark
run_fetch "no Api-Key: 403, exit 69" 69 -c anon
like "the message names the channel and says what the forum said" err \
	"^sm-fetch: anon: latest: .*HTTP 403: You are not permitted"
is "no Api-Key header was sent" "$(jq -r 'select(.method) | .headers["Api-Key"] // "none"' server.log)" none
is "nothing stored, no cursor" "$(count anon) $(cursor anon latest)" "0 "
run_fetch "a 403 channel does not stop a good one: exit 69" 69 -c anon -c forum

# --- config errors -----------------------------------------------------------------------

cfg channel.bad.kind discourse
cfg channel.bad.url "$U"
cfg channel.bad.fetch "latest-posts"
run_fetch "an unknown fetch value: exit 78" 78 -c bad
like "it names the channel" err "channel 'bad': unknown fetch 'latest-posts'"
cfg channel.bad.fetch latest
cfg --add channel.bad.fetch latest
run_fetch "a fetch value given twice: exit 78" 78 -c bad
like "it says so" err "channel 'bad': fetch 'latest' is given twice"
cfg --unset-all channel.bad.fetch
cfg channel.bad.token-env DC_TOKEN
run_fetch "an Api-Key without a username: exit 78" 78 -c bad
like "it says so" err "channel 'bad': an Api-Key needs a username"
cfg channel.bad.username care
cfg channel.bad.category support
run_fetch "a category that is not an id: exit 78" 78 -c bad
cfg --unset channel.bad.category
cfg --unset channel.bad.url
run_fetch "no url: exit 78" 78 -c bad
like "it names the channel" err "channel 'bad': a discourse channel needs the forum's url"
cfg --remove-section channel.bad

# --- sending a reply ------------------------------------------------------------------------

mark
REPLY="Danke für die Meldung, wir schauen uns das sofort an."
send --channel forum --text "$REPLY" --reply-to forum:15
is "a reply through sendtool: exit 0" "$?" 0
R1=$(jq -r .ext_id sent)
case $R1 in [0-9]*) pass "it returns the new post's id" ;; *) fail "it returns the new post's id"; diag "$(cat sent send.err)" ;; esac
is "and its url" "$(jq -r .url sent)" "$U/t/this-is-an-uncategorized-title/11/$(jq -r 'select(.event == "post") | .post_number' server.log)"
is "the forum got topic_id and reply_to_post_number" \
	"$(posted | jq -c '[.topic_id, .reply_to_post_number, .username, .raw]')" \
	"$(jq -nc --arg r "$REPLY" '[11, 2, "care", $r]')"
is "the body was JSON" "$(jq -r 'select(.method == "POST") | .headers["Content-Type"]' server.log)" application/json
mark
send --channel forum --text "$REPLY" --reply-to forum:15
is "the same reply again: exit 0" "$?" 0
is "it returns the post made before" "$(jq -r .ext_id sent)" "$R1"
is "no second post is made" "$(posted | wc -l | tr -d ' ')" 0
is "found among the topic's last posts (it has more than 20)" "$(requests | grep -c "^GET /t/11/[0-9]*.json?include_raw=1 200")" 1

mark
send --channel forum --text "Der Beitrag ist nicht gespeichert, die Antwort schon" --reply-to forum:86
is "a reply to a post not in the store: exit 0" "$?" 0
like "sendtool says it is not stored" send.err "not in the store"
is "the post's topic and number come from the forum" "$(posted | jq -c '[.topic_id, .reply_to_post_number]')" "[57,3]"

send --channel forum --text "Zu kurz" --reply-to forum:15
is "a text the forum refuses: exit 1" "$?" 1
is "failed, not temporary, with the forum's words" "$(jq -c '[.failed, .temporary, .error]' sent)" \
	'[true,false,"HTTP 422: Body is too short (minimum is 20 characters)"]'

echo '{"method": "POST", "path": "/posts.json", "status": 429, "headers": {"Retry-After": "1"}}' >faults
mark
send --channel forum --text "Nach der Wartezeit kommt diese Antwort an" --reply-to forum:14
is "a 429 on POST, then success: exit 0" "$?" 0
is "429, then 200" "$(requests | grep '^POST' | cut -d' ' -f3 | tr '\n' ' ')" "429 200 "
is "one post made" "$(posted | wc -l | tr -d ' ')" 1
: >faults

# --- sending a new topic ---------------------------------------------------------------------

cfg channel.forum.category 5
mark
send --channel forum --text "Am Montag warten wir die Server von 6 bis 8 Uhr." --subject "Wartung am Montag"
is "a new topic: exit 0" "$?" 0
T1=$(jq -r .ext_id sent)
is "it is the first post of a new topic" "$(posted | jq -c '[.post_number, .reply_to_post_number]')" "[1,null]"
is "with title and category" "$(jq -c 'select(.method == "POST") | .body | fromjson | [.title, .category]' server.log)" \
	'["Wartung am Montag",5]'
case $(jq -r .url sent) in "$U/t/wartung-am-montag/"*/1) pass "its url" ;; *) fail "its url"; diag "$(cat sent)" ;; esac
mark
send --channel forum --text "Am Montag warten wir die Server von 6 bis 8 Uhr." --subject "Wartung am Montag"
is "the same topic again returns the first: exit 0" "$? $(jq -r .ext_id sent)" "0 $T1"
is "no second topic" "$(posted | wc -l | tr -d ' ')" 0
send --channel forum --text "Eine Ankündigung ohne Titel geht nicht."
is "a new topic without a subject: exit 2" "$?" 2

# --- the secret stays secret ----------------------------------------------------------------

post kunde 11 "Noch eine allerletzte Frage zum Anschluss" >/dev/null
run_fetch "sm-fetch -v -v: exit 0" 0 -v -v -c forum -c such
like "it traced the headers, the key hidden" err '^sm-fetch: http: > Api-Key: \*\*\*'
send --channel forum --text "Eine Antwort mit Spur, ohne Geheimnis darin" --reply-to forum:15 --trace
like "sendtool --trace traced the headers, the key hidden" send.err '^sendtool: > Api-Key: \*\*\*'
found=
for f in out err sent send.err "$WS/store.db" "$WS/store.db-wal"; do
	[ -e "$f" ] && grep -aq -- "$TOKEN" "$f" && found="$found $f"
done
is "the token is in no output, trace or store file" "$found" ""
done_testing
