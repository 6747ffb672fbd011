#!/usr/bin/python3
"""smtpd.py - an SMTP server on 127.0.0.1 for the tests (Debian: python3-aiosmtpd).

Each message accepted is written, bytes as received (after dot-unstuffing), to
--maildir DIR as NNNN.eml (0001.eml, 0002.eml, ... written as .tmp and renamed), and its
envelope is one JSON line in --log: {t, file, mail_from, rcpt_tos, mail_options,
rcpt_options, size, helo, peer, auth_user, smtputf8}.  Every refusal is logged too
({t, refused, code, ...}).  SMTPUTF8 and 8BITMIME are offered; no TLS.

  --auth USER:PASSWORD   require AUTH (PLAIN or LOGIN, allowed without TLS) with these
                         credentials before MAIL (530 otherwise; bad ones 535)
  --reject ADDR          answer RCPT TO:<ADDR> with 550 (repeatable)
  --tempfail N           answer the first N DATA with 451 (a client should retry)
  --size-limit BYTES     refuse bigger messages with 552 (default 10 MB)
  --port N (0: any; see --port-file), --port-file F, --pid-file F

Exit: SIGTERM or SIGINT.  Exit status 2 when python3-aiosmtpd is missing (tests skip).
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import sys
import threading
import time
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword  # Debian: python3-aiosmtpd
except ImportError:
    sys.stderr.write("smtpd.py: python3-aiosmtpd is not installed\n")
    sys.exit(2)

lock = threading.Lock()
warnings.simplefilter("ignore")  # "AUTH without TLS" is what the tests want
logging.getLogger("mail.log").setLevel(logging.ERROR)


class Handler:
    def __init__(self, a):
        self.a, self.count, self.tempfails = a, 0, a.tempfail
        self.reject = {r.lower() for r in a.reject}

    def log(self, rec):
        rec["t"] = time.time()
        with lock, open(self.a.log, "a") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            self.log({"refused": "rcpt", "code": 550, "address": address, "peer": list(session.peer)})
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or b""
        if self.tempfails > 0:
            self.tempfails -= 1
            self.log({"refused": "data", "code": 451, "mail_from": envelope.mail_from,
                      "rcpt_tos": envelope.rcpt_tos, "size": len(content)})
            return "451 4.3.0 Temporary failure, try again later"
        with lock:
            self.count += 1
            name = "%04d.eml" % self.count
        path = os.path.join(self.a.maildir, name)
        with open(path + ".tmp", "wb") as f:
            f.write(content)
        os.rename(path + ".tmp", path)
        auth = session.auth_data
        self.log({"file": path, "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "mail_options": envelope.mail_options, "rcpt_options": envelope.rcpt_options,
                  "size": len(content), "helo": session.host_name, "peer": list(session.peer),
                  "auth_user": auth.login.decode("utf-8", "replace") if isinstance(auth, LoginPassword) else None,
                  "smtputf8": envelope.smtp_utf8})
        return "250 2.0.0 OK: queued as %s" % name


def make_authenticator(handler, user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        if not ok:
            handler.log({"refused": "auth", "code": 535, "mechanism": mechanism,
                         "login": auth_data.login.decode("utf-8", "replace")
                         if isinstance(auth_data, LoginPassword) else None})
        return AuthResult(success=ok, handled=ok, auth_data=auth_data if ok else None)
    return authenticate


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description="SMTP sink for smkit tests")
    ap.add_argument("--maildir", required=True)
    ap.add_argument("--log", default=os.devnull)
    ap.add_argument("--auth", help="USER:PASSWORD")
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--tempfail", type=int, default=0)
    ap.add_argument("--size-limit", type=int, default=10 * 1024 * 1024)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--pid-file")
    a = ap.parse_args()
    a.maildir = os.path.abspath(a.maildir)
    os.makedirs(a.maildir, exist_ok=True)
    handler = Handler(a)
    kw = {}
    if a.auth:
        user, _, password = a.auth.partition(":")
        kw = {"auth_required": True, "auth_require_tls": False,
              "authenticator": make_authenticator(handler, user, password)}
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(handler, hostname="smtpd.test", enable_SMTPUTF8=True, decode_data=False,
                    data_size_limit=a.size_limit, loop=loop, **kw)

    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", a.port))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    if a.pid_file:
        write_atomic(a.pid_file, "%d\n" % os.getpid())
    if a.port_file:  # written last: a test waiting for it may connect at once
        write_atomic(a.port_file, "%d\n" % server.sockets[0].getsockname()[1])
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
