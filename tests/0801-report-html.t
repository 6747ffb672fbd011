#!/bin/sh
# 0801-report-html.t - sm-report -f html: one self-contained page (no script, no external
# font, style or image; its charts inline SVG) that headless Chromium renders without a
# console error into a screenshot that is not blank. The screenshots are kept in
# tests/out/ (report-*.png) to look at.
. "${SM_SRC:-.}/tests/lib/test.sh"

export SM_NOW=2026-11-23T12:00:00Z SM_DIR=$TMP/ws
OUT=$SM_SRC/tests/out
sm-init -q ws && /usr/bin/python3 "$SM_SRC/tests/lib/report_store.py" ws && sm-init -q empty ||
	{ fail "the generated store"; done_testing; }

sm-report sla --by day -o sla.html &&
	sm-report topics --since 2026-11-01 -o topics.html &&
	sm-report superusers -o superusers.html &&
	sm-report benchmark --by week -o benchmark.html &&
	sm-report response -f html >response.html &&
	sm-report --dir empty backlog -o empty.html
is "six reports as HTML" "$?" 0

# static checks: well-formed, nothing loaded from elsewhere, the charts there
cat >check.py <<'EOF'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "img", "input", "link", "hr", "rect", "line", "circle", "polyline", "path"}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.bad, self.tags = [], [], {}
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        a = dict(attrs)
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.bad.append("a <%s>" % tag)
        for k in ("src", "srcset", "xlink:href"):
            if k in a:
                self.bad.append("%s= on <%s>" % (k, tag))
        if "href" in a and tag != "a":
            self.bad.append("href= on <%s>" % tag)
        if any(k.startswith("on") for k in a):
            self.bad.append("an event handler on <%s>" % tag)
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.bad.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
        else:
            self.stack.pop()
p = P()
text = open(sys.argv[1], encoding="utf-8").read()
p.feed(text)
p.close()
if p.stack:
    p.bad.append("unclosed: %s" % p.stack)
for s in ("@import", "url(", "@font-face"):
    if s in text:
        p.bad.append(s)
print("; ".join(p.bad[:5]) if p.bad else "ok %d svg %d polyline %d rect %d table" % (
    p.tags.get("svg", 0), p.tags.get("polyline", 0), p.tags.get("rect", 0), p.tags.get("table", 0)))
EOF
check() { /usr/bin/python3 check.py "$1"; }
like "sla: self-contained, a line chart" sla.html 'Content-Security-Policy'
is "sla: well-formed, nothing external; one chart, two tables" \
	"$(check sla.html | sed 's/ [0-9]* polyline//; s/ [0-9]* rect//')" "ok 1 svg 2 table"
like "sla: the two lines (a day without a verdict breaks one)" sla.html '<polyline fill="none" stroke="#e69f00"'
like "sla: the target is drawn and named" sla.html 'class="target"/><text[^>]*>target 90% \(report\.sla-target\)</text>'
like "topics: spikes are marked" topics.html '<circle [^>]*class="mark"><title>spike: tag outage 2026-11-2[01]'
is "topics: well-formed, nothing external" "$(check topics.html | cut -d' ' -f1)" ok
is "superusers: well-formed, nothing external (a hostile name escaped)" "$(check superusers.html | cut -d' ' -f1)" ok
like "superusers: the escape sequence shown, not sent" superusers.html 'Hugo \\x1b\[31mRed\\x1b\[0m'
like "superusers: contributions link to their items" superusers.html '<a href="https://forum\.example/p/[0-9]+">'
is "benchmark by week: well-formed" "$(check benchmark.html | cut -d' ' -f1)" ok
like "benchmark by week: a line per channel" benchmark.html '<text [^>]*>rival</text>'
is "response: well-formed, a bar chart" "$(check response.html | sed 's/ [0-9]* polyline//; s/ [0-9]* rect//')" "ok 1 svg 1 table"
is "empty: well-formed, no chart" "$(check empty.html)" "ok 0 svg 0 polyline 0 rect 2 table"

# rendering: headless Chromium, a screenshot each, no console message (a blocked load, a
# script error, a CSP violation all are one)
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	skip "headless Chromium: not installed (Debian: apt-get install chromium)"
	done_testing
fi
cat >blank.py <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, rows, i = bytearray(stride), [], 0
for y in range(h):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b, c = prev[x], prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
ink = sum(1 for r in rows for x in range(0, stride, bpp) if r[x] < 200 or r[x + 1] < 200 or r[x + 2] < 200)
colours = len({bytes(r[x:x + 3]) for r in rows[::4] for x in range(0, stride, bpp * 4)})
print("%dx%d %.1f%% ink %d colours" % (w, h, 100.0 * ink / (w * h), colours))
EOF
mkdir -p "$OUT" chrome
shoot() { # NAME: render NAME.html into tests/out/report-NAME.png
	rm -f "$OUT/report-$1.png"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
		--user-data-dir="$TMP/chrome" --enable-logging=stderr --v=0 --window-size=1000,1200 \
		--screenshot="$OUT/report-$1.png" "file://$TMP/$1.html" >chrome.out 2>chrome.err
}
for name in sla topics superusers empty; do
	shoot $name
	is "$name: Chromium renders it" "$?" 0
	if grep -q ':CONSOLE' chrome.err; then
		fail "$name: no console message"
		diag "$(grep ':CONSOLE' chrome.err | head -5)"
	else
		pass "$name: no console message"
	fi
	/usr/bin/python3 blank.py "$OUT/report-$name.png" >png.txt 2>&1
	min=2
	[ $name = empty ] && min=0.05
	if awk -v min=$min '{ exit !($1 == "1000x1200" && $2 + 0 >= min && $4 >= 8) }' png.txt; then
		pass "$name: the screenshot is not blank ($(cat png.txt))"
	else
		fail "$name: the screenshot is not blank"
		diag "$(cat png.txt)"
	fi
done
diag "screenshots: $OUT/report-{sla,topics,superusers,empty}.png"

done_testing
