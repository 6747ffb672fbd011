#!/bin/sh
# 0705-plan-media.t - a plan entry's media end to end: a real PNG committed with the git CLI
# and its alt text, synced into drafts that carry it, approved, shown by sm-publish -n
# without an upload, then published: on the Mastodon server an attachment with the
# description and the very bytes (through a 202 and the wait for processing), on Bluesky
# an images embed with the alt text and the blob's bytes, in the outbox line a listing.
# A changed image voids the approvals; an image too large for Bluesky, and media for a
# channel kind that cannot send them, fail for good with the reason.
. "${SM_SRC:-.}/tests/lib/test.sh"
. "$SM_SRC/tests/lib/plan.sh"

command -v sm-publish >/dev/null || skip_all "sm-publish not built"
command -v curl >/dev/null || skip_all "curl not installed"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed (the peer needs it)"

# peer NAME SCRIPT ARGS...: a server of tests/lib on a free port, logging to $TMP/NAME.log
peer() {
	_pn=$1 _ps=$2
	shift 2
	: >"$TMP/$_pn.log"
	/usr/bin/python3 "$SM_SRC/tests/lib/$_ps" "$@" --port 0 --port-file "$TMP/$_pn.port" \
		--pid-file "$TMP/$_pn.pid" --log "$TMP/$_pn.log" 2>"$TMP/$_pn.err" &
	_i=0
	while [ ! -s "$TMP/$_pn.port" ] && [ $_i -lt 200 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -s "$TMP/$_pn.port" ] || { echo "Bail out! $_ps did not start: $(cat "$TMP/$_pn.err")"; exit 1; }
	PORT=$(cat "$TMP/$_pn.port")
}

# png FILE WIDTH HEIGHT SEED: a real PNG of random pixels (RGB, stored without compression
# when big, so its size is what the test wants)
png() {
	/usr/bin/python3 - "$@" <<'EOF'
import random, struct, sys, zlib
path, w, h, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
raw = b"".join(b"\0" + rnd.randbytes(w * 3) for _ in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
with open(path, "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 0 if w * h > 10000 else 9)) + chunk(b"IEND", b""))
EOF
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
# approved_entry NAME CHANNEL AT WIDTH HEIGHT SEED ALT TEXT: images/NAME.png (a PNG of that
# size) in posts/NAME.txt for CHANNEL at AT, committed by alice, synced, approved by bob;
# D is its draft
approved_entry() {
	png "$PLAN/images/$1.png" "$4" "$5" "$6"
	printf 'At: %s\nChannels: %s\nMedia: images/%s.png | %s\n\n%s\n' "$3" "$2" "$1" "$7" "$8" | entry "posts/$1.txt"
	as_git alice add "images/$1.png" && commit alice "posts/$1.txt" "plan: $1"
	psync >out 2>err
	D=$(jq -r .draft out)
	SM_USER=bob sm-approve ok "$D" >/dev/null
}

TOK=tok-MEDIA-4242
export SM_TEST_MASTODON_TOKEN=$TOK SM_TEST_BSKY_PW=tok-bsky-media
: >"$TMP/masto.script"
mkdir -p "$TMP/uploads"
peer masto mastodon_replay.py --token "$TOK" --script "$TMP/masto.script" --media-processing 1 \
	--media-dir "$TMP/uploads"
M=http://127.0.0.1:$PORT
printf '%s\n' '{"accounts": [{"handle": "shop.example", "did": "did:plc:shop", "password": "tok-bsky-media"}]}' \
	>"$TMP/bsky.json"
peer sky bsky_server.py --data "$TMP/bsky.json"
X=http://127.0.0.1:$PORT

mkws || { fail "workspace"; done_testing; }
cfg() { git config -f "$WS/config" "$@"; }
cfg channel.masto.url "$M/"
cfg channel.masto.token-env SM_TEST_MASTODON_TOKEN
cfg channel.sky.url "$X"
cfg channel.sky.token-env SM_TEST_BSKY_PW
cfg channel.box.kind outbox
cfg channel.box.path outbox.jsonl
cfg channel.forum.kind discourse
cfg channel.forum.url http://127.0.0.1:9
cfg channel.forum.username shop
cfg channel.forum.token-env SM_TEST_NO_TOKEN

ALT='A red poster: 30% off everything, "today only"'
mkdir -p "$PLAN/images"
png "$PLAN/images/sale.png" 3 2 1
entry posts/sale.txt <<EOF2
At: 2026-11-20 10:30 Europe/Berlin
Channels: masto, sky, box
Media: images/sale.png | $ALT

Winter sale: 30% off everything, today only.
EOF2
as_git alice add images/sale.png && commit alice posts/sale.txt 'plan: winter sale with its poster'
# the worktree's image is not what is posted: only the commit's
png "$PLAN/images/sale.png" 3 2 99

psync >out 2>err
is "sync: three drafts" "$(jq -s -c 'map(.channel)' out)" '["masto","sky","box"]'
is "each draft carries the committed image: path, alt, type, size, SHA-256, dimensions" \
	"$(jq -s -c 'map(.media) | unique' out)" \
	"[[{\"path\":\"images/sale.png\",\"alt\":$(printf '%s' "$ALT" | jq -R .),\"type\":\"image/png\",\"bytes\":$(git -C "$PLAN" cat-file -s HEAD:images/sale.png),\"sha256\":\"$(git -C "$PLAN" cat-file blob HEAD:images/sale.png | sha256sum | cut -d' ' -f1)\",\"width\":3,\"height\":2}]]"
git -C "$PLAN" cat-file blob HEAD:images/sale.png >sale.png
SALE=$(sha sale.png)
nok "... read from the commit, not the worktree" test "$SALE" = "$(sha "$PLAN/images/sale.png")"
is "the store keeps each draft's medium with its blob" \
	"$(sqlval "SELECT count(*), count(DISTINCT blob), min(blob) = '$(git -C "$PLAN" rev-parse HEAD:images/sale.png)' FROM draft_media")" "3|1|1"
as_git alice checkout -q images/sale.png

SM_USER=bob sm-approve ok 1 2 3 >/dev/null
is "approved (one approval each)" "$(sqlval "SELECT group_concat(state) FROM drafts ORDER BY id")" \
	"approved,approved,approved"

# -n: the media in the preview, nothing uploaded
SM_USER=otto sm-publish --plan -n >out 2>err
is "-n: exit 0" "$?" 0
is "-n: Mastodon's preview lists the upload with its alt text" \
	"$(jq -c 'select(.channel == "masto") | .would_send.uploads | map([.method, (.url | sub(".*/api"; "/api")), .path, .type, .alt, .sha256 == "'"$SALE"'"])' out)" \
	"[[\"POST\",\"/api/v2/media\",\"images/sale.png\",\"image/png\",$(printf '%s' "$ALT" | jq -R .),true]]"
is "-n: ... and the status it would post names it" \
	"$(jq -r 'select(.channel == "masto") | .would_send.body | fromjson | .media_ids | join(",")' out)" "<media 1>"
is "-n: Bluesky's preview embeds the image with its alt text" \
	"$(jq -c 'select(.channel == "sky") | .would_send.body | fromjson | .record.embed | [."$type", .images[0].alt, .images[0].image.mimeType, .images[0].aspectRatio.width]' out)" \
	"[\"app.bsky.embed.images\",$(printf '%s' "$ALT" | jq -R .),\"image/png\",3]"
is "-n: the outbox line would list it" \
	"$(jq -r 'select(.channel == "box") | .would_send.body | fromjson | .media[0].path' out)" "images/sale.png"
is "-n: nothing uploaded or posted anywhere" \
	"$(jq -s '[.[] | select(.method == "POST")] | length' "$TMP/masto.log"):$(jq -s '[.[] | select(.nsid == "com.atproto.repo.uploadBlob" or .nsid == "com.atproto.repo.createRecord")] | length' "$TMP/sky.log"):$(test -e "$WS/outbox.jsonl" && echo file || echo none)" \
	"0:0:none"

# publish
SM_USER=otto sm-publish --plan >out 2>err
is "sm-publish --plan: exit 0, three published" "$?:$(jq -s -c 'map(.state)' out)" '0:["published","published","published"]'
[ -s err ] && diag "stderr: $(cat err)"

# Mastodon: the upload, the wait for processing, the status with the attachment
UP=$(jq -c 'select(.path == "/api/v2/media")' "$TMP/masto.log")
MID=$(printf '%s\n' "$UP" | jq -r .media_id)
is "mastodon: one upload (202: still processing), its description the alt text" \
	"$(printf '%s\n' "$UP" | jq -c '[.status, .description, .filename, .media_type]')" \
	"[202,$(printf '%s' "$ALT" | jq -R .),\"sale.png\",\"image/png\"]"
cmp_file "mastodon: the uploaded bytes are the committed image" "$TMP/uploads/$MID" sale.png
is "mastodon: asked for the attachment until it was processed (206, then 200)" \
	"$(jq -s -c "[.[] | select(.path == \"/api/v1/media/$MID\") | .status]" "$TMP/masto.log")" "[206,200]"
is "mastodon: the status was posted once, with the attachment" \
	"$(jq -s -c '[.[] | select(.created == true) | .media_ids]' "$TMP/masto.log")" "[[\"$MID\"]]"
SID=$(jq -r 'select(.created == true) | .status_id' "$TMP/masto.log")
curl -s -H "Authorization: Bearer $TOK" "$M/api/v1/statuses/$SID" >status.json
is "mastodon: the status on the server shows the image with its description" \
	"$(jq -c '[.media_attachments[] | [.id, .type, .description, .meta.original.size]]' status.json)" \
	"[[\"$MID\",\"image\",$(printf '%s' "$ALT" | jq -R .),\"3x2\"]]"

# Bluesky: the blob, the embed
BLOB=$(jq -r 'select(.event == "blob") | .cid' "$TMP/sky.log")
is "bluesky: one blob uploaded, raw, with its type" \
	"$(jq -s -c '[.[] | select(.event == "blob") | [.mimeType, .sha256 == "'"$SALE"'"]]' "$TMP/sky.log")" '[["image/png",true]]'
is "bluesky: the post embeds it with the alt text and its aspect ratio" \
	"$(jq -c 'select(.event == "record") | .record.embed | [."$type", .images[0].alt, .images[0].image.ref."$link", .images[0].image.size, .images[0].aspectRatio]' "$TMP/sky.log")" \
	"[\"app.bsky.embed.images\",$(printf '%s' "$ALT" | jq -R .),\"$BLOB\",$(wc -c <sale.png | tr -d ' '),{\"width\":3,\"height\":2}]"
curl -s "$X/xrpc/com.atproto.sync.getBlob?did=did:plc:shop&cid=$BLOB" >blob.png
cmp_file "bluesky: the blob's bytes on the server are the committed image" blob.png sale.png

# outbox: the line lists the media
is "outbox: the line lists the image: path, alt, SHA-256, type" \
	"$(jq -c '.media | map([.path, .alt, .sha256 == "'"$SALE"'", .type, .blob])' "$WS/outbox.jsonl")" \
	"[[\"images/sale.png\",$(printf '%s' "$ALT" | jq -R .),true,\"image/png\",\"$(git -C "$PLAN" rev-parse HEAD:images/sale.png)\"]]"

SM_USER=otto sm-publish --plan >out 2>err
is "again: nothing more uploaded or posted" \
	"$(jq -s '[.[] | select(.method == "POST")] | length' "$TMP/masto.log"):$(jq -s '[.[] | select(.event)] | length' "$TMP/sky.log"):$(wc -l <"$WS/outbox.jsonl" | tr -d ' ')" \
	"2:2:1"

# Mastodon: a status whose answer was lost is sent again with its key: the media are
# uploaded again, the status is posted once, with the first upload (the second is orphaned)
printf '%s\n' '{"method": "POST", "path": "/api/v1/statuses", "status": 200, "drop": "body"}' >"$TMP/masto2.script"
peer masto2 mastodon_replay.py --token "$TOK" --script "$TMP/masto2.script"
cfg channel.masto2.kind mastodon
cfg channel.masto2.url "http://127.0.0.1:$PORT"
cfg channel.masto2.token-env SM_TEST_MASTODON_TOKEN
cfg fetch.attempts 1
approved_entry lost masto2 '2026-11-20 10:35 Europe/Berlin' 2 3 6 'A parcel nobody can find' \
	'Lost a parcel? We find it.'
R=$D
SM_USER=otto sm-publish --plan "$R" >out 2>err
is "the status's answer lost: a passing failure (75), the draft approved for the next attempt" \
	"$?:$(jq -r .state out)" "75:approved"
SM_USER=otto sm-publish --plan "$R" >out 2>err
is "sent again: published" "$?:$(jq -r .state out)" "0:published"
is "... two uploads, one status, with the first upload; the same Idempotency-Key both times" \
	"$(jq -s -c '[[.[] | select(.path == "/api/v2/media") | .media_id], [.[] | select(.created == true) | .media_ids],
		([.[] | select(.path == "/api/v1/statuses") | .idempotency_key] | unique | length)]
		| [(.[0] | length), (.[1] | length), (.[1][0] == [.[0][0]]), .[2]]' "$TMP/masto2.log")" \
	"[2,1,true,1]"
is "... and the draft has the status's id" \
	"$(sqlval "SELECT published_id FROM drafts WHERE id = $R")" \
	"$(jq -r 'select(.created == true) | .status_id' "$TMP/masto2.log")"
cfg --unset fetch.attempts

# a changed image voids the approvals: a new draft, to be approved again
approved_entry later box '2026-11-20 10:50 Europe/Berlin' 4 4 2 "Snow on the shop's roof" \
	'See you at the shop this afternoon.'
L1=$D
is "the later post is approved" "$(sqlval "SELECT state FROM drafts WHERE id = $L1")" approved
# the approval binds the alt text too: a store changed behind our back is refused
sqlite3 "$WS/store.db" "UPDATE draft_media SET alt = 'Something else' WHERE draft_id = $L1"
SM_USER=otto sm-publish "$L1" >out 2>err
is "an alt text changed in the store after approval: refused (77)" "$?:$(sqlval "SELECT state FROM drafts WHERE id = $L1")" "77:approved"
like "... saying why" err "changed after it was approved"
sqlite3 "$WS/store.db" "UPDATE draft_media SET alt = 'Snow on the shop''s roof' WHERE draft_id = $L1"
png "$PLAN/images/later.png" 4 4 3
as_git carol commit -q -a -m 'plan: a better picture'
psync >out 2>err
is "a changed image: the approved draft is replaced" \
	"$(sqlval "SELECT state || ' ' || (reason LIKE 'replaced by %posts/later.txt changed%') FROM drafts WHERE id = $L1")" "rejected 1"
L2=$(sqlval "SELECT id FROM drafts WHERE plan = 'posts/later.txt' AND state != 'rejected'")
is "... by a new draft with the new image, waiting for approval again" \
	"$(sqlval "SELECT d.state || ' ' || (m.sha256 = '$(sha "$PLAN/images/later.png")') || ' ' || (SELECT count(*) FROM approvals WHERE draft_id = d.id) FROM drafts d JOIN draft_media m ON m.draft_id = d.id WHERE d.id = $L2")" \
	"pending 1 0"

# too large for Bluesky: refused for good, nothing uploaded
approved_entry big sky '2026-11-20 10:40 Europe/Berlin' 600 600 4 'The whole shop window' \
	'Look at our shop window.'
B=$D
BIG=$(wc -c <"$PLAN/images/big.png" | tr -d ' ')
SM_USER=otto sm-publish --plan "$B" >out 2>err
is "an image over 1,000,000 bytes for Bluesky: failed for good (65)" \
	"$?:$(jq -r .state out):$BIG" "65:failed:$BIG"
like "... with the reason" out "images/big.png.*has $BIG bytes; a Bluesky image may have at most 1000000"
is "... and nothing uploaded" "$(jq -s '[.[] | select(.event)] | length' "$TMP/sky.log")" 2

# a channel kind that cannot send media: failed for good, saying so
approved_entry forum forum '2026-11-20 10:45 Europe/Berlin' 2 2 5 'Our logo' 'News from the shop.'
F=$D
SM_USER=otto sm-publish --plan "$F" >out 2>err
is "media on a discourse channel: failed for good (65)" "$?:$(jq -r .state out)" "65:failed"
like "... because the kind cannot send media yet" out "a discourse channel cannot send media yet"

# sm-plan check, before the merge: what a channel cannot take, with FILE:LINE
plan alice check >out 2>err
is "check: media a channel cannot take: exit 65" "$?" 65
like "... an image too big for Bluesky" err "posts/big.txt:3: Media: 'images/big.png' has $BIG bytes; 'sky' \(bluesky\) takes at most 1000000"
like "... media on a channel kind that cannot send them" err "posts/forum.txt:3: Media: channel 'forum' \(discourse\) cannot send media yet"
is "... and nothing else" "$(grep -c 'Media:' err)" 2

done_testing
