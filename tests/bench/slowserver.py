#!/usr/bin/python3
"""slowserver.py - a loopback HTTP/1.1 server for tests/bench/fetch: serves the files under
--root, each answer delayed by --delay-ms milliseconds, as a feed host far away would.

Unlike tests/lib/feedserver.py it answers with headers and body in one write and sets
TCP_NODELAY: split writes on a kept-alive connection meet Nagle's algorithm and the
client's delayed ACK, which adds about 40 ms to every answer after a connection's first
and would be measured instead of the fetcher. Its listen backlog (128) holds every
connection a fetcher opens at once, so no SYN waits a second to be retried.

Usage: slowserver.py --root DIR [--delay-ms 50] [--port N] [--port-file F]
"""
import argparse
import os
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "slowserver/1"

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        time.sleep(self.server.delay)
        rel = self.path.split("?", 1)[0].lstrip("/")
        full = os.path.realpath(os.path.join(self.server.root, rel))
        if full.startswith(self.server.root + os.sep) and os.path.isfile(full):
            with open(full, "rb") as f:
                status, body, ctype = 200, f.read(), "application/rss+xml"
        else:
            status, body, ctype = 404, b"not found\n", "text/plain"
        head = ("HTTP/1.1 %d %s\r\nServer: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                % (status, "OK" if status == 200 else "Not Found", self.server_version,
                   ctype, len(body)))
        self.wfile.write(head.encode("ascii") + body)  # one write: see the docstring


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description="delaying HTTP server for smkit benchmarks")
    ap.add_argument("--root", required=True)
    ap.add_argument("--delay-ms", type=int, default=50)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    a = ap.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.root = os.path.realpath(a.root)
    srv.delay = a.delay_ms / 1000.0
    if a.port_file:  # written last and atomically: a script waiting for it may connect at once
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
