#!/usr/bin/python3
"""bsky_server.py - a fake Bluesky PDS/AppView for the tests, per corpus/bluesky/lexicons.

XRPC on http://127.0.0.1:PORT/xrpc/NSID:
  POST com.atproto.server.createSession  {identifier (handle, DID or email), password}
       -> {accessJwt, refreshJwt, handle, did, email, active}; bad -> 401 AuthenticationRequired
  POST com.atproto.server.refreshSession Authorization: Bearer REFRESH -> a new pair; the old
       refresh token is revoked (a reuse -> 400 ExpiredToken)
  GET  app.bsky.notification.listNotifications  limit (1-100, 50), cursor, reasons  (auth)
  GET  app.bsky.feed.searchPosts   q (all words, case-insensitive), author, limit (25), cursor
  GET  app.bsky.feed.getAuthorFeed actor (handle or DID), limit (50), cursor, filter
  POST com.atproto.repo.createRecord {repo, collection, rkey?, validate?, record}  (auth)
  GET  com.atproto.repo.getRecord  repo, collection, rkey -> {uri, cid, value}; else 400 RecordNotFound
  GET  com.atproto.identity.resolveHandle  handle -> {did} (accounts and authors known); else
       400 HandleNotFound
  GET  app.bsky.feed.getPosts  uris (repeated, at most 25) -> {posts: [postView]} of those known
  POST com.atproto.repo.uploadBlob  the bytes, Content-Type their type (auth) -> {blob: {"$type":
       "blob", ref: {"$link": CID}, mimeType, size}}, the CID a CIDv1 (raw, sha-256) "bafkrei...";
       over --blob-limit bytes (5000000) -> 413 PayloadTooLarge
  GET  com.atproto.sync.getBlob  did, cid -> the bytes with their type; else 400 BlobNotFound
Tokens are JWT-shaped; an access token expires after --token-ttl seconds -> 400 ExpiredToken;
no token -> 401 AuthenticationRequired; a bad or wrong-kind token -> 400 InvalidToken.
Cursors are opaque; a page has a cursor only when more items follow.  Errors are XRPC's
{"error": NAME, "message": TEXT}; unknown methods 501 MethodNotImplemented.

createRecord validates app.bsky.feed.post records (unless validate: false) and refuses with
400 InvalidRequest "Invalid app.bsky.feed.post record: ...": $type, createdAt (RFC 3339),
text <= 3000 UTF-8 bytes and <= 300 graphemes (extended grapheme clusters with the `regex`
module, Debian python3-regex; without it code points, logged as grapheme_counter), langs
<= 3, tags, facets (byteStart < byteEnd <= len, both on UTF-8 character boundaries, at least
one feature, each a #mention {did}, #link {uri} or #tag {tag <= 64 graphemes}), reply
{root, parent} strong refs {uri at://..., cid}, an app.bsky.embed.images embed (at most 4
images, each {image: blob ref, alt: string, aspectRatio?: {width, height} >= 1}, the blob
image/* of at most 1000000 bytes, uploaded by the account, its mimeType as uploaded; a blob
not uploaded -> 400 BlobNotFound "Could not find blob: CID").  rkey must be a record key; a repeated
rkey -> 400 InvalidSwap "Record already exists" (the lexicon's only error name; a real PDS
answers 500 there, as --duplicate-500 makes this one do).  Created posts join the data: the
author feed and search show them.

--data FILE (JSON): {"accounts": [{handle, did, password, email?}],
  "posts": [{author: HANDLE|DID|{did, handle, displayName}, record: {text, createdAt, ...},
             uri?, cid?, indexedAt?}],
  "notifications": [{author, reason, record, uri?, cid?, reasonSubject?, isRead?, indexedAt?}]}
Without accounts there is one: alice.test / did:plc:alice / password "hunter2".
Options: --data F, --token-ttl S (3600), --refresh-ttl S (86400), --duplicate-500,
  --blob-limit BYTES, --port N,
  --port-file F, --pid-file F, --log F: one JSON line per request {t, method, path, headers,
  body (not for blobs), status, error}, per upload {event: "blob", cid, mimeType, size, sha256}
  and per created record {event: "record", uri, cid, rkey, record, ...}.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import regex  # Debian: python3-regex
    GRAPHEMES, graphemes = "regex", lambda s: len(regex.findall(r"\X", s))
except ImportError:
    GRAPHEMES, graphemes = "codepoints", len

lock = threading.RLock()
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
RKEY = re.compile(r"^[A-Za-z0-9._:~-]{1,512}$")
FACET = "app.bsky.richtext.facet#"


class XrpcError(Exception):
    pass


def bad(message, error="InvalidRequest", status=400):
    e = XrpcError(message)
    e.status, e.error, e.message = status, error, message
    return e


def b64(obj):
    raw = obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_cid(obj):
    """A well-formed CIDv1 (dag-cbor, sha-256) over the JSON text: "bafyrei..."."""
    digest = hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).digest()
    return "b" + base64.b32encode(b"\x01\x71\x12\x20" + digest).decode().lower().rstrip("=")


_last_tid = [0]


def make_tid():
    """A timestamp identifier: 53 bits of microseconds and a clock id, base32-sortable."""
    with lock:
        _last_tid[0] = us = max(int(time.time() * 1e6), _last_tid[0] + 1)
    n, out = (us << 10) | 7, ""
    for _ in range(13):
        out = "234567abcdefghijklmnopqrstuvwxyz"[n & 31] + out
        n >>= 5
    return out


def blob_cid(data):
    """The CID a PDS gives a blob: CIDv1, raw codec, sha-256, base32 ("bafkrei...")."""
    raw = b"\x01\x55\x12\x20" + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


class Store:
    def __init__(self, data):
        self.accounts = data.get("accounts") or [
            {"handle": "alice.test", "did": "did:plc:alice", "password": "hunter2"}]
        self.posts, self.notifications, self.tokens, self.rkeys = [], [], {}, set()
        self.blobs = {}  # cid -> {data, mimeType, size, did}
        for p in data.get("posts", []):
            self.add_post(p)
        for n in data.get("notifications", []):
            n = dict(n, author=self.profile(n["author"]))
            self.notifications.append(dict({
                "uri": "at://%s/app.bsky.feed.post/%s" % (n["author"]["did"], make_tid()),
                "cid": make_cid(n["record"]), "isRead": False, "labels": [],
                "indexedAt": n["record"].get("createdAt", now())}, **n))

    def profile(self, who):
        if isinstance(who, dict):
            return who
        for a in self.accounts:
            if who in (a["did"], a["handle"]):
                return {"did": a["did"], "handle": a["handle"],
                        "displayName": a.get("displayName", a["handle"])}
        if who.startswith("did:"):
            return {"did": who, "handle": "handle.invalid"}
        return {"did": "did:plc:" + hashlib.sha1(who.encode()).hexdigest()[:24], "handle": who}

    def add_post(self, p):
        rec = dict({"$type": "app.bsky.feed.post"}, **p["record"])
        p = dict(p, author=self.profile(p["author"]), record=rec)
        self.posts.append(dict({
            "uri": "at://%s/app.bsky.feed.post/%s" % (p["author"]["did"], make_tid()),
            "cid": make_cid(rec), "indexedAt": rec.get("createdAt", now()), "labels": [],
            "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0}, **p))

    def issue(self, did, ttl, refresh_ttl):
        out = {}
        for kind, life in (("access", ttl), ("refresh", refresh_ttl)):
            t = int(time.time())
            tok = ".".join([b64({"typ": "at+jwt" if kind == "access" else "refresh+jwt", "alg": "HS256"}),
                            b64({"scope": "com.atproto." + kind, "sub": did, "iat": t,
                                 "exp": int(t + life), "jti": secrets.token_hex(8)}),
                            b64(secrets.token_bytes(32))])
            self.tokens[tok] = {"did": did, "kind": kind, "exp": time.time() + life, "revoked": False}
            out[kind + "Jwt"] = tok
        return out


def page(items, key, cursor, limit):
    """Items sorted newest first by key; the cursor is the key of the last item served."""
    items = sorted(items, key=key, reverse=True)
    if cursor:
        if "::" not in cursor:
            raise bad("Malformed cursor")
        items = [i for i in items if key(i) < tuple(cursor.split("::", 1))]
    more = len(items) > limit
    items = items[:limit]
    return items, ("::".join(key(items[-1])) if more and items else None)


def by_time(x):
    return (x["indexedAt"], x["cid"])


def int_param(q, name, default, lo=1, hi=100):
    v = q.get(name, [str(default)])[0]
    if not v.isdigit() or not lo <= int(v) <= hi:
        raise bad("Error: %s must be an integer between %d and %d" % (name, lo, hi))
    return int(v)


def check_images(embed, blobs, did, no):
    """app.bsky.embed.images, its blobs as uploaded by did."""
    images = embed.get("images")
    if not isinstance(images, list) or len(images) > 4:
        raise no("embed/images must be an array of at most 4 images")
    for i, img in enumerate(images):
        w = "embed/images/%d" % i
        if not isinstance(img, dict) or not isinstance(img.get("alt"), str):
            raise no(w + " must have the property \"alt\"")
        ref = img.get("image")
        if not isinstance(ref, dict) or ref.get("$type") != "blob" or not isinstance(ref.get("ref"), dict) \
                or not isinstance(ref["ref"].get("$link"), str) or not isinstance(ref.get("mimeType"), str) \
                or not isinstance(ref.get("size"), int):
            raise no(w + "/image should be a blob ref")
        if not ref["mimeType"].startswith("image/"):
            raise no("%s/image mimeType (%s) does not match accepted types: image/*" % (w, ref["mimeType"]))
        if ref["size"] > 1000000:
            raise no("%s/image file is too big (max 1000000 bytes)" % w)
        ar = img.get("aspectRatio")
        if ar is not None and not (isinstance(ar, dict) and all(
                isinstance(ar.get(k), int) and ar[k] >= 1 for k in ("width", "height"))):
            raise no(w + "/aspectRatio must have integer width and height >= 1")
        stored = blobs.get(ref["ref"]["$link"])
        if not stored or stored["did"] != did:
            raise bad("Could not find blob: " + ref["ref"]["$link"], "BlobNotFound")
        if stored["mimeType"] != ref["mimeType"]:
            raise bad("Referenced Mimetype does not match stored blob. Expected: %s, Got: %s"
                      % (stored["mimeType"], ref["mimeType"]), "InvalidMimeType")


def check_post(rec, blobs=None, did=None):
    """Raise InvalidRequest for what a PDS (and smkit's stricter rules) refuse."""
    def no(msg):
        return bad("Invalid app.bsky.feed.post record: Record/" + msg)
    if rec.get("$type") != "app.bsky.feed.post":
        raise no("$type must be app.bsky.feed.post")
    text = rec.get("text")
    if not isinstance(text, str):
        raise no("text must be a string")
    raw = text.encode("utf-8")
    if len(raw) > 3000:
        raise no("text must not be longer than 3000 characters")
    if graphemes(text) > 300:
        raise no("text must not be longer than 300 graphemes")
    if not isinstance(rec.get("createdAt"), str) or not DATETIME.match(rec["createdAt"]):
        raise no("createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)")
    for name, most in (("langs", 3), ("tags", 8)):
        v = rec.get(name, [])
        if not isinstance(v, list) or len(v) > most or not all(isinstance(x, str) and 0 < graphemes(x) <= 64 for x in v):
            raise no("%s must be an array of at most %d short strings" % (name, most))
    if not isinstance(rec.get("facets", []), list):
        raise no("facets must be an array")
    for i, f in enumerate(rec.get("facets", [])):
        where, idx = "facets/%d" % i, (f.get("index") if isinstance(f, dict) else None) or {}
        s, e = idx.get("byteStart"), idx.get("byteEnd")
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (s, e)):
            raise no(where + "/index must have integer byteStart and byteEnd >= 0")
        if not s < e <= len(raw):
            raise no("%s/index byteStart %d, byteEnd %d out of range (text has %d bytes)" % (where, s, e, len(raw)))
        for name, v in (("byteStart", s), ("byteEnd", e)):
            if v < len(raw) and raw[v] & 0xC0 == 0x80:
                raise no("%s/index/%s %d is not on a UTF-8 character boundary" % (where, name, v))
        feats = f.get("features")
        if not isinstance(feats, list) or not feats:
            raise no(where + "/features must be a non-empty array")
        for j, ft in enumerate(feats):
            t, w = ft.get("$type") if isinstance(ft, dict) else None, "%s/features/%d" % (where, j)
            if t == FACET + "mention":
                if not re.match(r"^did:[a-z]+:[A-Za-z0-9._:%-]+$", str(ft.get("did", ""))):
                    raise no(w + "/did must be a valid did")
            elif t == FACET + "link":
                if not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", str(ft.get("uri", ""))):
                    raise no(w + "/uri must be a valid uri")
            elif t == FACET + "tag":
                if not isinstance(ft.get("tag"), str) or not ft["tag"] or graphemes(ft["tag"]) > 64 \
                        or len(ft["tag"].encode()) > 640:
                    raise no(w + "/tag must be 1 to 64 graphemes")
            else:
                raise no(w + "/$type must be one of %smention, #link, #tag" % FACET)
    if "reply" in rec:
        for part in ("root", "parent"):
            ref = (rec["reply"] or {}).get(part) if isinstance(rec["reply"], dict) else None
            if not isinstance(ref, dict) or not str(ref.get("uri", "")).startswith("at://") \
                    or not isinstance(ref.get("cid"), str) or not ref["cid"]:
                raise no("reply/%s must be a strong ref {uri: at://..., cid}" % part)
    if "embed" in rec:
        embed = rec["embed"]
        if not isinstance(embed, dict) or not isinstance(embed.get("$type"), str):
            raise no("embed must be an object which includes the \"$type\" property")
        if embed["$type"] == "app.bsky.embed.images":
            check_images(embed, blobs or {}, did, no)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bsky_server/1"

    def log_message(self, fmt, *args):
        pass

    def log(self, rec):
        with lock, open(self.server.logfile, "a") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(n) if n > 0 else b""
        u = urllib.parse.urlsplit(self.path)
        nsid = u.path[len("/xrpc/"):] if u.path.startswith("/xrpc/") else None
        try:
            verb, fn = METHODS.get(nsid) or (None, None)
            if not fn:
                raise bad("Method Not Implemented", "MethodNotImplemented", 501)
            if self.command != verb:
                raise bad("Incorrect HTTP method (%s) expected %s" % (self.command, verb))
            status, out = 200, fn(self, urllib.parse.parse_qs(u.query))
        except XrpcError as e:
            status, out = e.status, {"error": e.error, "message": e.message}
        self.log({"t": time.time(), "method": self.command, "path": self.path, "nsid": nsid,
                  "headers": dict(self.headers.items()),
                  "body": "" if nsid == "com.atproto.repo.uploadBlob" else self.body.decode("utf-8", "replace"),
                  "status": status, "error": out.get("error") if status != 200 else None,
                  "size": len(self.body)})
        ctype = "application/json; charset=utf-8"
        if isinstance(out, tuple):  # raw bytes and their type (getBlob)
            ctype, data = out
        else:
            data = json.dumps(out, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any

    def json_input(self):
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip()
        if ctype != "application/json":
            raise bad("Wrong request encoding (Content-Type): %s" % (ctype or "none"))
        try:
            data = json.loads(self.body)
            assert isinstance(data, dict)
            return data
        except (ValueError, AssertionError):
            raise bad("Request body must be a JSON object")

    def auth(self, kind="access", required=True):
        h = self.headers.get("Authorization", "")
        if not h:
            if required:
                raise bad("Authentication Required", "AuthenticationRequired", 401)
            return None
        tok = self.server.store.tokens.get(h[7:] if h.startswith("Bearer ") else None)
        for broken, error, msg in ((tok is None, "InvalidToken", "Token could not be verified"),
                                   (tok and tok["kind"] != kind, "InvalidToken", "Invalid token type"),
                                   (tok and tok["revoked"], "ExpiredToken", "Token has been revoked"),
                                   (tok and time.time() >= tok["exp"], "ExpiredToken", "Token has expired")):
            if broken:
                raise bad(msg, error)
        return tok

    def account(self, did):
        return next(a for a in self.server.store.accounts if a["did"] == did)

    def session(self, a):
        return dict(self.server.store.issue(a["did"], self.server.token_ttl, self.server.refresh_ttl),
                    handle=a["handle"], did=a["did"], email=a.get("email", a["handle"] + "@example.com"),
                    emailConfirmed=True, active=True)

    def create_session(self, q):
        inp = self.json_input()
        who, pw = inp.get("identifier"), inp.get("password")
        if not isinstance(who, str) or not isinstance(pw, str):
            raise bad("Input must have the properties \"identifier\" and \"password\"")
        for a in self.server.store.accounts:
            if who.lower() in (a["handle"].lower(), a["did"], a.get("email", "").lower()) and pw == a["password"]:
                with lock:
                    return self.session(a)
        raise bad("Invalid identifier or password", "AuthenticationRequired", 401)

    def refresh_session(self, q):
        tok = self.auth("refresh")
        with lock:
            tok["revoked"] = True
            return self.session(self.account(tok["did"]))

    def list_notifications(self, q):
        self.auth()
        reasons = set(sum((r.split(",") for r in q.get("reasons", [])), []))
        items = [n for n in self.server.store.notifications if not reasons or n["reason"] in reasons]
        items, cur = page(items, by_time, q.get("cursor", [None])[0], int_param(q, "limit", 50))
        out = {"notifications": items, "priority": False, "seenAt": now()}
        return dict(out, cursor=cur) if cur else out

    def search_posts(self, q):
        self.auth(required=False)
        text = q.get("q", [""])[0]
        if not text.strip():
            raise bad("Params must have the property \"q\"")
        words, author = text.lower().split(), q.get("author", [None])[0]
        hits = sorted((p for p in self.server.store.posts
                       if all(w in p["record"].get("text", "").lower() for w in words)
                       and author in (None, p["author"]["did"], p["author"]["handle"])), key=by_time, reverse=True)
        limit, start = int_param(q, "limit", 25), q.get("cursor", ["0"])[0]
        if not start.isdigit():
            raise bad("Malformed cursor")
        start = int(start)  # as the real search, the cursor is an offset
        out = {"posts": hits[start:start + limit], "hitsTotal": len(hits)}
        return dict(out, cursor=str(start + limit)) if start + limit < len(hits) else out

    def author_feed(self, q):
        self.auth(required=False)
        actor = q.get("actor", [None])[0]
        if not actor:
            raise bad("Params must have the property \"actor\"")
        store = self.server.store
        if not any(actor in (p["author"]["did"], p["author"]["handle"]) for p in store.posts) \
                and not any(actor in (a["did"], a["handle"]) for a in store.accounts):
            raise bad("Profile not found")
        mine = [p for p in store.posts if actor in (p["author"]["did"], p["author"]["handle"])
                and not (q.get("filter", [""])[0] == "posts_no_replies" and "reply" in p["record"])]
        items, cur = page(mine, by_time, q.get("cursor", [None])[0], int_param(q, "limit", 50))
        feed = []
        for p in items:
            fv = {"post": p}
            if "reply" in p["record"]:
                fv["reply"] = {k: next((x for x in store.posts if x["uri"] == p["record"]["reply"][k]["uri"]),
                                       {"$type": "app.bsky.feed.defs#notFoundPost",
                                        "uri": p["record"]["reply"][k]["uri"], "notFound": True})
                               for k in ("root", "parent")}
            feed.append(fv)
        return dict(feed=feed, cursor=cur) if cur else {"feed": feed}

    def create_record(self, q):
        tok = self.auth()
        inp = self.json_input()
        acct = self.account(tok["did"])
        if inp.get("repo") not in (acct["did"], acct["handle"]):
            raise bad("Authentication Required", "AuthenticationRequired", 401)
        coll, rec, rkey = inp.get("collection"), inp.get("record"), inp.get("rkey")
        if not isinstance(coll, str) or not re.match(r"^[a-zA-Z][a-zA-Z0-9-]*(\.[a-zA-Z0-9-]+){2,}$", coll):
            raise bad("Input/collection must be a valid nsid")
        if not isinstance(rec, dict):
            raise bad("Input must have the property \"record\"")
        if rkey is not None and (not isinstance(rkey, str) or not RKEY.match(rkey) or rkey in (".", "..")):
            raise bad("Input/rkey must be a valid Record Key")
        status = "unknown"
        if coll == "app.bsky.feed.post" and inp.get("validate") is not False:
            check_post(rec, self.server.store.blobs, acct["did"])
            status = "valid"
        with lock:
            rkey = rkey or make_tid()
            uri = "at://%s/%s/%s" % (acct["did"], coll, rkey)
            if uri in self.server.store.rkeys:
                if self.server.duplicate_500:
                    raise bad("Internal Server Error", "InternalServerError", 500)
                raise bad("Record already exists: " + uri, "InvalidSwap")
            self.server.store.rkeys.add(uri)
            cid = make_cid(rec)
            if coll == "app.bsky.feed.post":
                self.server.store.add_post({"uri": uri, "cid": cid, "author": acct["did"], "record": rec,
                                            "indexedAt": now()})
        self.log({"t": time.time(), "event": "record", "uri": uri, "cid": cid, "rkey": rkey, "collection": coll,
                  "record": rec, "validationStatus": status, "grapheme_counter": GRAPHEMES})
        return {"uri": uri, "cid": cid, "commit": {"cid": make_cid([uri, cid]), "rev": make_tid()},
                "validationStatus": status}

    def upload_blob(self, q):
        tok = self.auth()
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not ctype:
            raise bad("Wrong request encoding (Content-Type): none")
        if len(self.body) > self.server.blob_limit:
            raise bad("request entity too large", "PayloadTooLarge", 413)
        cid = blob_cid(self.body)
        with lock:
            self.server.store.blobs[cid] = {"data": self.body, "mimeType": ctype, "size": len(self.body),
                                            "did": tok["did"]}
        self.log({"t": time.time(), "event": "blob", "cid": cid, "mimeType": ctype, "size": len(self.body),
                  "sha256": hashlib.sha256(self.body).hexdigest()})
        return {"blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": ctype, "size": len(self.body)}}

    def get_blob(self, q):
        did, cid = (q.get(k, [None])[0] for k in ("did", "cid"))
        if not did or not cid:
            raise bad("Params must have the properties \"did\" and \"cid\"")
        b = self.server.store.blobs.get(cid)
        if not b or b["did"] != did:
            raise bad("Blob not found", "BlobNotFound")
        return (b["mimeType"], b["data"])

    def known_posts(self):
        """Every post the server knows as a postView: the posts, and the notifications' posts."""
        views = list(self.server.store.posts)
        for n in self.server.store.notifications:
            if n["reason"] in ("mention", "reply", "quote") and not any(p["uri"] == n["uri"] for p in views):
                views.append({"uri": n["uri"], "cid": n["cid"], "author": n["author"], "record": n["record"],
                              "indexedAt": n["indexedAt"], "labels": [], "replyCount": 0, "repostCount": 0,
                              "likeCount": 0, "quoteCount": 0})
        return views

    def get_record(self, q):
        self.auth(required=False)
        repo, coll, rkey = (q.get(k, [None])[0] for k in ("repo", "collection", "rkey"))
        if not (repo and coll and rkey):
            raise bad("Params must have the properties \"repo\", \"collection\" and \"rkey\"")
        did = self.server.store.profile(repo)["did"]
        uri = "at://%s/%s/%s" % (did, coll, rkey)
        for p in self.known_posts():
            if p["uri"] == uri:
                return {"uri": uri, "cid": p["cid"], "value": p["record"]}
        raise bad("Could not locate record: " + uri, "RecordNotFound")

    def resolve_handle(self, q):
        self.auth(required=False)
        handle = q.get("handle", [""])[0].lower()
        if not handle:
            raise bad("Params must have the property \"handle\"")
        known = [{"did": a["did"], "handle": a["handle"]} for a in self.server.store.accounts]
        for p in known + [p["author"] for p in self.known_posts()]:
            if p.get("handle", "").lower() == handle:
                return {"did": p["did"]}
        raise bad("Unable to resolve handle", "HandleNotFound")

    def get_posts(self, q):
        self.auth(required=False)
        uris = q.get("uris", [])
        if not uris or len(uris) > 25:
            raise bad("Error: uris must have 1 to 25 elements")
        views = self.known_posts()
        return {"posts": [p for u in uris for p in views if p["uri"] == u][:25]}


METHODS = {
    "com.atproto.server.createSession": ("POST", Handler.create_session),
    "com.atproto.server.refreshSession": ("POST", Handler.refresh_session),
    "app.bsky.notification.listNotifications": ("GET", Handler.list_notifications),
    "app.bsky.feed.searchPosts": ("GET", Handler.search_posts),
    "app.bsky.feed.getAuthorFeed": ("GET", Handler.author_feed),
    "com.atproto.repo.createRecord": ("POST", Handler.create_record),
    "com.atproto.repo.getRecord": ("GET", Handler.get_record),
    "com.atproto.identity.resolveHandle": ("GET", Handler.resolve_handle),
    "app.bsky.feed.getPosts": ("GET", Handler.get_posts),
    "com.atproto.repo.uploadBlob": ("POST", Handler.upload_blob),
    "com.atproto.sync.getBlob": ("GET", Handler.get_blob),
}


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description="fake Bluesky PDS/AppView for smkit tests")
    for opt in ("--data", "--port-file", "--pid-file"):
        ap.add_argument(opt)
    ap.add_argument("--token-ttl", type=float, default=3600)
    ap.add_argument("--refresh-ttl", type=float, default=86400)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--duplicate-500", action="store_true")
    ap.add_argument("--blob-limit", type=int, default=5000000)
    a = ap.parse_args()
    with open(a.data or os.devnull, encoding="utf-8") as f:
        data = json.loads(f.read() or "{}")
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.store, srv.logfile = Store(data), a.log
    srv.token_ttl, srv.refresh_ttl, srv.duplicate_500 = a.token_ttl, a.refresh_ttl, a.duplicate_500
    srv.blob_limit = a.blob_limit
    if a.pid_file:
        write_atomic(a.pid_file, "%d\n" % os.getpid())
    if a.port_file:
        write_atomic(a.port_file, "%d\n" % srv.server_address[1])
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
