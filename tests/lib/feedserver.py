#!/usr/bin/python3
"""feedserver.py - a small HTTP/1.1 server that plays feed hosts for the tests.

Serves files under --root on 127.0.0.1 with conditional GET (strong ETag from the
content, Last-Modified from the mtime) and logs every request as one JSON line to
--log, so a test can count requests and 304s.  Faults are chosen by URL path
prefixes, which compose (/slow/1/gzip/feed.xml), so one server plays many channels:

  /status/NNN/...    answer NNN with a small body
  /slow/SECONDS/...  sleep, then serve
  /timeout/...       never answer (sleeps 600 s in its own thread)
  /truncate/...      a Content-Length bigger than the body, then close
  /garbage/...       200, random non-XML bytes as application/rss+xml
  /flaky/N/...       503 (Retry-After: 1) for the first N requests of the path, then the file
  /big/N/...         the file padded (after its root element) to N bytes
  /redirect/N/...    a chain of N 302s ending at the file
  /gzip/...          Content-Encoding: gzip when the client accepts it
  /delay-ms/MS/...   delay the answer by MS milliseconds
  /reset/...         headers and half the body, then the connection reset (RST)
  /trickle/MS/...    the answer one byte at a time, MS milliseconds apart
  /badjson/...       200, a JSON Feed that breaks off, as application/feed+json
  /badxml/...        200, the file's first half: XML that breaks off inside an element
  /loop/...          301 to the same URL, for ever
  /storm/...         429 with Retry-After: 1, for ever (/flaky/N with 429: /storm/N)
  /ctype/NAME/...    the file as Content-Type NAME: html, json, png, octet, none
  /endless/...       200 without a length, then bytes for ever (logs how many were
                     sent when the client hung up)

A file ROOT/PATH.fault holding such a prefix (e.g. "status/500") applies it to
every request for /PATH: a test can break a channel without changing its URL.

Usage: feedserver.py --root DIR [--port N] [--port-file F] [--pid-file F] [--log F]
"""
import argparse
import email.utils
import gzip
import hashlib
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# prefix -> number of arguments it takes
FAULTS = {"status": 1, "slow": 1, "timeout": 0, "truncate": 0, "garbage": 0,
          "big": 1, "redirect": 1, "gzip": 0, "delay-ms": 1, "flaky": 1,
          "reset": 0, "trickle": 1, "badjson": 0, "badxml": 0, "loop": 0, "storm": 0,
          "ctype": 1, "endless": 0}
CTYPES = {"html": "text/html; charset=utf-8", "json": "application/json",
          "png": "image/png", "octet": "application/octet-stream", "none": None}
log_lock = threading.Lock()


def parse_faults(segs):
    """Split path segments into [(fault, arg)] and the remaining file segments."""
    faults = []
    while segs and segs[0] in FAULTS:
        name = segs.pop(0)
        arg = segs.pop(0) if FAULTS[name] and segs else None
        faults.append((name, arg))
    return faults, segs


class Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # headers and body leave at once: no 40 ms delayed ACK
    protocol_version = "HTTP/1.1"
    server_version = "feedserver/1"

    def log_message(self, fmt, *args):  # our own JSON log replaces stderr noise
        pass

    def log(self, status, **extra):
        rec = {"method": self.command, "path": self.path, "status": status,
               "inm": "If-None-Match" in self.headers,
               "ims": "If-Modified-Since" in self.headers,
               "ae": self.headers.get("Accept-Encoding", ""),
               "ua": self.headers.get("User-Agent", ""), "t": time.time()}
        rec.update(extra)
        with log_lock, open(self.server.logfile, "a") as f:
            f.write(json.dumps(rec) + "\n")

    def do_HEAD(self):
        self.do_GET()

    def send(self, status, body, ctype="text/plain; charset=utf-8", headers=(), **extra):
        """Answer with a complete body (none for HEAD, 304 or 204)."""
        self.log(status, **extra)
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if status in (204, 304):
            body = b""
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def rst(self):
        """Close the connection with a reset instead of a FIN."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def trickle(self, body, ctype, headers, pause):
        self.log(200, fault="trickle")
        self.send_response(200)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass
        self.close_connection = True

    def endless(self):
        """A body without a length that never ends; logs what was sent before the hang-up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        chunk = b"<!--" + b"x" * 65528 + b"-->"
        sent = 0
        self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        try:
            while sent < (4 << 30):
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        self.log(200, fault="endless", sent=sent)
        self.close_connection = True

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        faults, segs = parse_faults([s for s in path.split("/") if s])
        rel = "/".join(segs)
        f = {}
        fault_file = os.path.join(self.server.root, rel + ".fault")
        if os.path.isfile(fault_file):  # a fault switched on by the test
            with open(fault_file) as fh:
                f.update(parse_faults([s for s in fh.read().strip().split("/") if s])[0])
        f.update(faults)  # the URL's own prefixes win
        # timing faults first: they delay whatever answer follows
        if "delay-ms" in f:
            time.sleep(int(f["delay-ms"]) / 1000.0)
        if "slow" in f:
            time.sleep(float(f["slow"]))
        if "timeout" in f:
            self.log(None, fault="timeout")
            time.sleep(600)
            self.close_connection = True
            return
        if "redirect" in f and int(f["redirect"]) > 0:
            n = int(f["redirect"]) - 1
            # the next hop keeps the URL's other prefixes, one redirect fewer
            # (so a "redirect" in a .fault file would loop: don't)
            rest = "/".join(p for name, a in faults if name != "redirect"
                            for p in ([name, a] if a is not None else [name]))
            hop = ("/redirect/%d" % n if n else "") + ("/" + rest if rest else "")
            loc = hop + "/" + rel
            return self.send(302, b"moved\n", headers=[("Location", loc)])
        if "loop" in f:
            return self.send(301, b"moved\n", headers=[("Location", self.path)])
        if "storm" in f:
            return self.send(429, b"slow down\n", headers=[("Retry-After", "1")])
        if "endless" in f:
            return self.endless()
        if "badjson" in f:
            body = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "cut",'
                    b' "items": [{"id": "1", "content_text": "first"}, {"id": "2", "cont')
            return self.send(200, body, "application/feed+json")
        if "flaky" in f:  # /flaky/N/...: a 503 for the first N requests of a path
            with self.server.lock:
                seen = self.server.flaky.get(path, 0)
                self.server.flaky[path] = seen + 1
            if seen < int(f["flaky"]):
                return self.send(503, b"busy\n", headers=[("Retry-After", "1")])
        if "status" in f:
            code = int(f["status"])
            return self.send(code, ("status %d\n" % code).encode(),
                             headers=[("Retry-After", "1")] if code in (429, 503) else [])
        if "garbage" in f:
            body = b"\x00\xff" + os.urandom(510)  # a NUL is never XML
            etag = '"g-%s"' % hashlib.sha1(body).hexdigest()[:16]
            return self.send(200, body, "application/rss+xml",
                             [("ETag", etag), ("Last-Modified", email.utils.formatdate(usegmt=True))])
        self.serve_file(rel, f)

    def serve_file(self, rel, f):
        full = os.path.realpath(os.path.join(self.server.root, rel))
        if not full.startswith(self.server.root + os.sep) or not os.path.isfile(full):
            return self.send(404, b"not found\n")
        with open(full, "rb") as fh:
            body = fh.read()
        mtime = int(os.stat(full).st_mtime)
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:20]
        lastmod = email.utils.formatdate(mtime, usegmt=True)
        headers = [("ETag", etag), ("Last-Modified", lastmod)]
        ctype = guess_type(rel)
        if "ctype" in f:
            ctype = CTYPES.get(f["ctype"], f["ctype"])
        if "badxml" in f:  # cut inside an element: the parser must stop there
            body = body[: len(body) // 2]
        if not_modified(self.headers, etag, mtime):
            return self.send(304, b"", ctype, headers)
        if "big" in f:  # pad with a comment after the root element: still well-formed
            n = int(f["big"])
            pad = n - len(body) - len(b"<!---->\n")
            body = body + b"<!--" + b"x" * pad + b"-->\n" if pad >= 0 else body[:n]
        if "truncate" in f:
            self.log(200, fault="truncate")
            self.send_response(200)
            if ctype:
                self.send_header("Content-Type", ctype)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body) * 2 + 100))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if "reset" in f:
            self.log(200, fault="reset")
            self.send_response(200)
            if ctype:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.rst()
            return
        if "trickle" in f:
            return self.trickle(body, ctype, headers, float(f["trickle"]) / 1000.0)
        zipped = "gzip" in f and "gzip" in self.headers.get("Accept-Encoding", "")
        if zipped:
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        if "gzip" in f:
            headers.append(("Vary", "Accept-Encoding"))
        self.send(200, body, ctype, headers, gzip=zipped, size=len(body))


def not_modified(h, etag, mtime):
    """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    inm = h.get("If-None-Match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or etag in tags or ("W/" + etag) in tags
    ims = h.get("If-Modified-Since")
    if ims:
        try:
            t = email.utils.parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
        return mtime <= t
    return False


def guess_type(name):
    if name.endswith(".json"):
        return "application/feed+json"
    if name.endswith(".atom"):
        return "application/atom+xml"
    if name.endswith((".rss", ".xml")):
        return "application/rss+xml"
    return "application/octet-stream"


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description="HTTP feed server for smkit tests")
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("port_pos", nargs="?", type=int, help="port (same as --port)")
    ap.add_argument("--port-file")
    ap.add_argument("--pid-file")
    ap.add_argument("--log", default=os.devnull)
    a = ap.parse_args()
    port = a.port_pos if a.port_pos is not None else a.port
    ThreadingHTTPServer.daemon_threads = True  # a hung /timeout never blocks exit
    ThreadingHTTPServer.request_queue_size = 128  # many channels connect at once: no SYN dropped
    srv = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.root = os.path.realpath(a.root)
    srv.flaky, srv.lock = {}, threading.Lock()
    srv.logfile = a.log
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
