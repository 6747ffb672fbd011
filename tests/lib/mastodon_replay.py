#!/usr/bin/python3
"""mastodon_replay.py - a Mastodon API peer for the tests: recorded answers plus a script.

Replay: serves the interactions of vcrpy cassettes (corpus/mastodon/*.yaml, recorded
against http://localhost:3000).  A request matches a recording by method, path (a
trailing "/" ignored) and query (parameter order ignored); the host is ignored.  Among
matches, recordings made with/without an Authorization header are preferred as the
request has/hasn't one, then those whose form body equals the request's.  Several
recordings of one request are served in order, the last one repeating.  In bodies and
headers (Link) "http://localhost:3000" becomes http://127.0.0.1:PORT, so following
pagination stays on the replay.  No match: 404 {"error": ...}, logged.

Script (--script FILE, JSON lines): lines are consumed in order per (method, path):
  {"method": "GET", "path": "/api/v1/notifications", "status": 429,
   "headers": {"Retry-After": "1"}, "body": {...} or "text", "times": N,
   "delay": SECONDS, "drop": true | "body"}
"path" with a "?query" matches that query only, without one any query.  "times"
(default 1) uses the line N times, 0 forever.  "drop": true closes the connection
without answering; "body" sends status and headers, then closes.  A line without
"body" answers {"error": reason} for status >= 400, and for POST /api/v1/statuses
with status 200 the built status below (so "drop": "body" loses a created status).
In script mode POST /api/v1/statuses that no line matches creates a status (ids
increasing; content, in_reply_to_id, visibility, language, spoiler_text, sensitive
from the form or JSON body) and GET /api/v1/statuses/ID returns it.  A repeated
Idempotency-Key returns the first status and creates nothing, as Mastodon does.

Media (script mode), as docs.joinmastodon.org/methods/media documents: POST /api/v2/media
takes multipart/form-data with "file" (it must have a type: image/*, video/*, audio/*,
else 422 "Validation failed: File content type is invalid, File is invalid"; none: 422
"Validation failed: File can't be blank") and "description" (at most 1500 characters) and
answers the MediaAttachment (id, type, url, preview_url, meta.original for a PNG, JPEG or
GIF, description, blurhash): 200 with its url, or with --media-processing N 202 with url
null, after which GET /api/v1/media/ID answers 206 (the attachment, url null) N times, then
200 with the url.  A status posted with media_ids (JSON array, or form media_ids[]) gets
those attachments: more than 4 -> 422 "Cannot attach more than 4 files"; an id unknown or
attached already -> 422 "Media with IDs ... not found or already attached to another post";
one still processing -> 422 "Cannot attach files that have not finished processing. Try
again in a moment!" (the Idempotency-Key is looked at first, as Mastodon does).  Uploads are
logged with media_id, media_type, media_bytes, media_sha256, filename and description;
--media-dir DIR keeps each upload's bytes as DIR/ID; statuses log media_ids.

Rate limit (--rate-limit N/SECONDS), as Mastodon's Rack::Attack throttle: at most N
requests in each window of SECONDS (whole seconds, windows aligned to multiples of it since
the epoch); every answer carries X-RateLimit-Limit, X-RateLimit-Remaining and
X-RateLimit-Reset (ISO 8601 with microseconds: the window's end plus the fraction of a
second of the request's time, as Mastodon computes it); the request over the limit gets
429 {"error": "Too many requests"} with the same headers and no Retry-After, as Mastodon
answers.  Every request counts, whatever its path.

Options: --cassette FILE (repeatable) | --all [--corpus DIR], --script FILE,
  --rate-limit N/SECONDS,
  --token T (every request must carry "Authorization: Bearer T", else 401),
  --ignore-param NAME (repeatable: a query parameter left out when matching, e.g. limit),
  --empty-pages (an unrecorded GET of a recorded list path with max_id/min_id/since_id
  answers [], as the end of a real timeline), --port N, --port-file F, --pid-file F,
  --log F: one JSON line per request: t, method, path, headers (all), body, status,
  source (cassette:FILE#N, script:LINE, status, empty-page, rate-limit, none), dropped,
  idempotency_key; for built statuses also status_id, created, statuses_created; with
  --rate-limit also rate_remaining (what X-RateLimit-Remaining said).
"""
import argparse
import datetime
import email.message
import glob
import hashlib
import html
import json
import os
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml  # Debian: python3-yaml

RECORDED = "http://localhost:3000"
SKIP_HEADERS = {"content-length", "content-encoding", "transfer-encoding", "connection",
                "date", "keep-alive"}
lock = threading.Lock()
IGNORED = set()  # --ignore-param
URL_RE = re.compile(r"https?://\S+")
REMOTE_MENTION_RE = re.compile(r"(?<!\w)(@\w+)@[\w.-]*\w")


def norm_path(p):
    p = urllib.parse.unquote(p)
    return p.rstrip("/") or "/"


def norm_query(q):
    return tuple(sorted((k, v) for k, v in urllib.parse.parse_qsl(q, keep_blank_values=True)
                        if k not in IGNORED))


def countable(text):
    """The length Mastodon limits: a URL counts as 23, a remote mention as its local part."""
    return len(REMOTE_MENTION_RE.sub(r"\1", URL_RE.sub("x" * 23, text)))


def split(target):
    u = urllib.parse.urlsplit(target)
    return norm_path(u.path), norm_query(u.query)


class Replay:
    def __init__(self, files):
        self.groups, self.served = {}, {}
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for f in files:
            with open(f, encoding="utf-8") as fh:
                doc = yaml.load(fh, Loader=loader)
            for n, it in enumerate(doc.get("interactions") or []):
                rq, rs = it["request"], it["response"]
                path, query = split(rq["uri"])
                body = rq.get("body") or ""
                self.groups.setdefault((rq["method"].upper(), path, query), []).append({
                    "src": "cassette:%s#%d" % (os.path.basename(f), n),
                    "auth": "Authorization" in (rq.get("headers") or {}),
                    "form": norm_query(body) if isinstance(body, str) else None,
                    "status": rs["status"]["code"], "reason": rs["status"].get("message", ""),
                    "headers": rs.get("headers") or {}, "body": rs["body"].get("string") or ""})

    def pick(self, method, path, query, has_auth, body):
        cands = self.groups.get((method, path, query))
        if not cands:
            return None
        cands = [c for c in cands if c["auth"] == has_auth] or cands
        cands = [c for c in cands if c["form"] == norm_query(body)] or cands
        group = tuple(c["src"] for c in cands)
        with lock:
            i = self.served.get(group, 0)
            self.served[group] = i + 1
        return cands[min(i, len(cands) - 1)]

    def is_list(self, method, path):
        return any(k[0] == method and k[1] == path and v[0]["body"].startswith("[")
                   for k, v in self.groups.items())


class Script:
    def __init__(self, fname):
        self.lines = []
        with open(fname, encoding="utf-8") as fh:
            for n, text in enumerate(fh, 1):
                if text.strip() and not text.lstrip().startswith("#"):
                    s = json.loads(text)
                    s["n"], s["left"] = n, s.get("times", 1)
                    s["method"] = s.get("method", "GET").upper()
                    self.lines.append(s)

    def take(self, method, path, query):
        with lock:
            for s in self.lines:
                p, _, q = s["path"].partition("?")
                if s["method"] != method or norm_path(p) != path or s["left"] == -1:
                    continue
                if "?" in s["path"] and norm_query(q) != query:
                    continue
                if s["left"] > 0:
                    s["left"] = s["left"] - 1 or -1  # -1: used up
                return s
        return None


def form_parts(ctype, body):
    """multipart/form-data (RFC 7578) -> {name: (filename or None, part type or None, bytes)}"""
    m = email.message.Message()
    m["Content-Type"] = ctype
    boundary = m.get_param("boundary")
    if m.get_content_type() != "multipart/form-data" or not boundary:
        return {}
    out, delim = {}, b"--" + boundary.encode()
    for chunk in (b"\r\n" + body).split(b"\r\n" + delim)[1:]:  # [0]: the preamble
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.partition(b"\r\n\r\n")
        h = email.message.Message()
        for line in head.decode("utf-8", "replace").split("\r\n")[1:]:
            k, _, v = line.partition(":")
            h[k.strip()] = v.strip()
        name = h.get_param("name", header="content-disposition")
        if name:
            fn = h.get_param("filename", header="content-disposition")
            out[name] = (urllib.parse.unquote(fn) if fn is not None else None, h.get("Content-Type"), data)
    return out


def image_size(data):
    """(width, height) of a PNG, GIF or JPEG, else None."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    i = 2
    while data[:2] == b"\xff\xd8" and i + 9 < len(data) and data[i] == 0xFF:
        m = data[i + 1]
        if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + struct.unpack(">H", data[i + 2:i + 4])[0]
    return None


class Media:
    """Uploaded attachments: processing for the first `processing` GETs, then ready."""
    def __init__(self, processing, keep_dir):
        self.by_id, self.next_id, self.processing, self.keep_dir = {}, 110000000000000000, processing, keep_dir

    def upload(self, ctype, body, base):
        """multipart/form-data -> (http status, JSON object, log fields)"""
        parts = form_parts(ctype, body)
        f, d = parts.get("file"), parts.get("description")
        if f is None or f[0] is None:
            return 422, {"error": "Validation failed: File can't be blank"}, {}
        filename, mime, data = f[0], (f[1] or "").split(";")[0].strip().lower(), f[2]
        desc = d[2].decode("utf-8") if d is not None else None
        if mime.split("/")[0] not in ("image", "video", "audio") or "/" not in mime:
            return 422, {"error": "Validation failed: File content type is invalid, File is invalid"}, {}
        if desc is not None and len(desc) > 1500:
            return 422, {"error": "Validation failed: Description is too long (maximum is 1500 characters)"}, {}
        with lock:
            self.next_id += 1
            mid = str(self.next_id)
        ext = mime.split("/")[1]
        att = {"id": mid, "type": {"image": "gifv" if mime == "image/gif" else "image", "video": "video",
                                   "audio": "audio"}[mime.split("/")[0]],
               "url": "%s/system/media_attachments/files/%s/original/%s.%s" % (base, mid, mid, ext),
               "preview_url": "%s/system/media_attachments/files/%s/small/%s.%s" % (base, mid, mid, ext),
               "remote_url": None, "preview_remote_url": None, "text_url": None, "meta": {},
               "description": desc, "blurhash": None}
        size = image_size(data)
        if size:
            att["meta"]["original"] = {"width": size[0], "height": size[1], "size": "%dx%d" % size,
                                       "aspect": size[0] / size[1] if size[1] else 0}
        if self.keep_dir:
            with open(os.path.join(self.keep_dir, mid), "wb") as out:
                out.write(data)
        rec = {"att": att, "left": self.processing, "status_id": None}
        with lock:
            self.by_id[mid] = rec
        log = {"media_id": mid, "media_type": mime, "media_bytes": len(data), "filename": filename,
               "media_sha256": hashlib.sha256(data).hexdigest(), "description": desc}
        if self.processing:
            return 202, dict(att, url=None), log
        return 200, att, log

    def get(self, mid):
        """GET /api/v1/media/ID -> (http status, JSON object)"""
        with lock:
            rec = self.by_id.get(mid)
            if not rec or rec["status_id"]:
                return 404, {"error": "Record not found"}
            if rec["left"] > 0:
                rec["left"] -= 1
                return 206, dict(rec["att"], url=None)
            return 200, rec["att"]

    def attach(self, ids):
        """The attachments of a new status, or (422, error) - under the lock."""
        if len(ids) > 4:
            return None, "Cannot attach more than 4 files"
        bad = [i for i in ids if i not in self.by_id or self.by_id[i]["status_id"]]
        if bad:
            return None, "Media with IDs %s not found or already attached to another post" % ", ".join(bad)
        if any(self.by_id[i]["left"] > 0 for i in ids):
            return None, "Cannot attach files that have not finished processing. Try again in a moment!"
        return [self.by_id[i] for i in ids], None


class Statuses:
    """The statuses a script-mode server creates, with Mastodon's Idempotency-Key."""
    def __init__(self, media=None):
        self.by_id, self.by_key, self.next_id = {}, {}, 117100000000000000
        self.media = media

    def post(self, params, key, base):
        """-> (http status, JSON object, created?)"""
        text = str(params.get("status", ""))
        vis = params.get("visibility") or "public"
        ids = params.get("media_ids[]") or params.get("media_ids") or []
        ids = [str(i) for i in (ids if isinstance(ids, list) else [ids])]
        with lock:  # the key first, as PostStatusService: a retry's new uploads are not looked at
            if key and key in self.by_key:
                return 200, self.by_key[key], False
        if not text.strip() and not ids:
            return 422, {"error": "Validation failed: Text can't be blank"}, False
        if countable(text) > 500:
            return 422, {"error": "Validation failed: Text character limit of 500 exceeded"}, False
        if vis not in ("public", "unlisted", "private", "direct"):
            return 422, {"error": "Validation failed: Visibility is not included in the list"}, False
        with lock:
            if key and key in self.by_key:
                return 200, self.by_key[key], False
            atts, why = self.media.attach(ids) if self.media else ([], None)
            if why:
                return 422, {"error": why}, False
            self.next_id += 1
            sid = str(self.next_id)
            irt = params.get("in_reply_to_id") or None
            st = {"id": sid, "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                  "in_reply_to_id": irt, "in_reply_to_account_id": "2" if irt else None,
                  "sensitive": str(params.get("sensitive", "")).lower() in ("1", "true"),
                  "spoiler_text": params.get("spoiler_text", ""), "visibility": vis,
                  "language": params.get("language") or None,
                  "uri": "%s/users/smkit/statuses/%s" % (base, sid), "url": "%s/@smkit/%s" % (base, sid),
                  "replies_count": 0, "reblogs_count": 0, "favourites_count": 0, "edited_at": None,
                  "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
                  "pinned": False, "content": render(text), "filtered": [], "reblog": None,
                  "application": {"name": "smkit", "website": None},
                  "account": {"id": "1", "username": "smkit", "acct": "smkit", "display_name": "smkit",
                              "url": base + "/@smkit", "uri": base + "/users/smkit",
                              "avatar": base + "/avatars/original/missing.png"},
                  "media_attachments": [a["att"] for a in atts], "mentions": [], "tags": [], "emojis": [],
                  "card": None, "poll": None}
            for a in atts:
                a["status_id"] = sid
            self.by_id[sid] = st
            if key:
                self.by_key[key] = st
            return 200, st, True


class RateLimit:
    """N requests per window of SECONDS, the windows aligned as Rack::Attack aligns them."""
    def __init__(self, spec):
        m = re.match(r"^(\d+)/(\d+)$", spec or "")
        if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
            raise ValueError("--rate-limit wants N/SECONDS, both whole numbers > 0, not %r" % spec)
        self.limit, self.period = int(m.group(1)), int(m.group(2))
        self.window, self.count = None, 0

    def take(self):
        """-> (allowed?, the X-RateLimit-* headers)"""
        now = time.time()
        with lock:
            w = int(now) // self.period
            if w != self.window:
                self.window, self.count = w, 0
            self.count += 1
            used = self.count
        reset = (w + 1) * self.period + (now - int(now))
        stamp = datetime.datetime.fromtimestamp(reset, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return used <= self.limit, [("X-RateLimit-Limit", str(self.limit)),
                                    ("X-RateLimit-Remaining", str(max(self.limit - used, 0))),
                                    ("X-RateLimit-Reset", stamp)]


def render(text):
    """Plain text -> Mastodon's HTML: paragraphs on blank lines, <br /> on newlines."""
    paras = [p for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join("<p>%s</p>" % html.escape(p, quote=False).replace("\n", "<br />") for p in paras)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mastodon_replay/1"
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed ACK

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if not size:
                    while self.rfile.readline().strip():
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def log(self, **rec):
        rec.update(t=time.time(), method=self.command, path=self.path, headers=dict(self.headers.items()),
                   body=self.body.decode("utf-8", "replace"),
                   idempotency_key=self.headers.get("Idempotency-Key"))
        with lock, open(self.server.logfile, "a") as f:
            f.write(json.dumps(rec) + "\n")

    def answer(self, status, body, headers=(), reason=None, drop=None, **extra):
        base = "http://127.0.0.1:%d" % self.server.server_address[1]
        if self.rate:
            headers = list(headers) + self.rate
            extra["rate_remaining"] = int(self.rate[1][1])
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        if isinstance(body, str):
            body = body.replace(RECORDED, base).encode("utf-8")
        self.log(status=status, dropped=drop, **extra)
        if drop is True:
            return self.drop()
        self.send_response(status, reason or None)
        names = {k.lower() for k, _ in headers}
        if "content-type" not in names:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for k, v in headers:
            self.send_header(k, v.replace(RECORDED, base))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if drop:
            return self.drop()
        if self.command != "HEAD":
            self.wfile.write(body)

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def handle_any(self):
        self.body = self.read_body()
        srv, method = self.server, "GET" if self.command == "HEAD" else self.command
        path, query = split(self.path)
        self.rate = None
        if srv.rate_limit:
            allowed, self.rate = srv.rate_limit.take()
            if not allowed:
                return self.answer(429, {"error": "Too many requests"}, source="rate-limit")
        auth = self.headers.get("Authorization")
        if srv.token and auth != "Bearer " + srv.token:
            return self.unauthorized("token")
        s = srv.script.take(method, path, query) if srv.script else None
        if s:
            time.sleep(float(s.get("delay", 0)))
            src, code = "script:%d" % s["n"], int(s.get("status", 200))
            hdrs = list((s.get("headers") or {}).items())
            if "body" in s:
                return self.answer(code, s["body"], hdrs, drop=s.get("drop"), source=src)
            if method == "POST" and path == "/api/v1/statuses" and code == 200:
                return self.post_status(src, hdrs, s.get("drop"))
            return self.answer(code, {"error": self.responses.get(code, ("Error",))[0]}, hdrs,
                               drop=s.get("drop"), source=src)
        if srv.script and path == "/api/v1/statuses" and method == "POST":
            return self.post_status("status", [], None)
        if srv.script and path == "/api/v2/media" and method == "POST":
            return self.post_media()
        if srv.script and method == "GET" and path.startswith("/api/v1/media/"):
            if not self.headers.get("Authorization"):
                return self.unauthorized("media")
            code, att = srv.media.get(path.rsplit("/", 1)[1])
            return self.answer(code, att, source="media", media_id=att.get("id"))
        if srv.script and method == "GET" and path.startswith("/api/v1/statuses/"):
            st = srv.statuses.by_id.get(path.rsplit("/", 1)[1])
            if st:
                return self.answer(200, st, source="status")
        rec = srv.replay.pick(method, path, query, auth is not None, self.body.decode("utf-8", "replace"))
        if rec:
            hdrs = [(k, v) for k, vs in rec["headers"].items() if k.lower() not in SKIP_HEADERS
                    for v in (vs if isinstance(vs, list) else [vs])]
            return self.answer(rec["status"], rec["body"], hdrs, rec["reason"], source=rec["src"])
        if (srv.empty_pages and method == "GET" and srv.replay.is_list(method, path)
                and {"max_id", "min_id", "since_id"} & {k for k, _ in query}):
            return self.answer(200, "[]", source="empty-page")
        self.answer(404, {"error": "Record not found", "replay": "no recording or script line for %s %s"
                          % (method, self.path)}, source="none")

    def unauthorized(self, src):
        self.answer(401, {"error": "The access token is invalid"}, [
            ("WWW-Authenticate", 'Bearer realm="Doorkeeper", error="invalid_token", '
             'error_description="The access token is invalid"')], source=src)

    def post_status(self, src, hdrs, drop):
        if not self.headers.get("Authorization"):
            return self.unauthorized(src)
        text = self.body.decode("utf-8", "replace")
        if self.headers.get("Content-Type", "").startswith("application/json"):
            try:
                params = json.loads(text or "{}")
            except ValueError:
                return self.answer(400, {"error": "Invalid JSON"}, hdrs, source=src)
        else:
            params = {}
            for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True):
                if k.endswith("[]"):
                    params.setdefault(k, []).append(v)
                else:
                    params[k] = v
        code, st, created = self.server.statuses.post(params, self.headers.get("Idempotency-Key"),
                                                      "http://127.0.0.1:%d" % self.server.server_address[1])
        self.answer(code, st, hdrs, drop=drop, source=src, status_id=st.get("id"), created=created,
                    statuses_created=len(self.server.statuses.by_id),
                    media_ids=[a["id"] for a in st.get("media_attachments", [])])

    def post_media(self):
        if not self.headers.get("Authorization"):
            return self.unauthorized("media")
        code, att, log = self.server.media.upload(self.headers.get("Content-Type", ""), self.body,
                                                  "http://127.0.0.1:%d" % self.server.server_address[1])
        self.answer(code, att, source="media", **log)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description="Mastodon replay/script server for smkit tests")
    ap.add_argument("--cassette", action="append", default=[])
    ap.add_argument("--all", action="store_true", help="every cassette in --corpus")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "../../../shared/corpus/mastodon"))
    ap.add_argument("--script")
    ap.add_argument("--token")
    ap.add_argument("--rate-limit", metavar="N/SECONDS")
    ap.add_argument("--ignore-param", action="append", default=[])
    ap.add_argument("--empty-pages", action="store_true")
    ap.add_argument("--media-processing", type=int, default=0, metavar="N")
    ap.add_argument("--media-dir")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--pid-file")
    ap.add_argument("--log", default=os.devnull)
    a = ap.parse_args()
    IGNORED.update(a.ignore_param)
    files = list(a.cassette) + (sorted(glob.glob(os.path.join(a.corpus, "*.yaml"))) if a.all else [])
    if not files and not a.script:
        ap.error("nothing to serve: give --cassette, --all or --script")
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.replay, srv.script = Replay(files), Script(a.script) if a.script else None
    srv.media = Media(a.media_processing, a.media_dir)
    srv.statuses, srv.token, srv.empty_pages, srv.logfile = Statuses(srv.media), a.token, a.empty_pages, a.log
    try:
        srv.rate_limit = RateLimit(a.rate_limit) if a.rate_limit else None
    except ValueError as e:
        ap.error(str(e))
    if a.pid_file:
        write_atomic(a.pid_file, "%d\n" % os.getpid())
    if a.port_file:  # written last: a test waiting for it may connect at once
        write_atomic(a.port_file, "%d\n" % srv.server_address[1])
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
