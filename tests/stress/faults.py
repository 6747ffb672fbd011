#!/usr/bin/python3
"""faults.py - the long network-faults run of make stress (tests/1010-fetch-faults.t is the
short one). Eight feed channels on one local feedserver.py; every round each feed gains a
few items and each channel is given a fault drawn at random (or none), then sm-fetch runs.
After every round:

  - sm-fetch exits 0, 69 or 75, and names each channel that failed;
  - the store is intact (PRAGMA integrity_check, foreign keys) and holds no item twice;
  - no cursor is ahead of the items: a channel whose stored ETag is its file's current
    one has every item of that file;
  - a channel that had no fault (or a harmless one) has every item of its file;
  - sm-fetch's peak memory stays under a bound, whatever the server sent.

A last round without faults must bring every item in, each printed exactly once over
the whole run. Usage: faults.py [--rounds N] [--seed S] [--build DIR] [--keep DIR]
Prints a summary line; exit 1 on the first broken promise (with what broke).
"""
import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# fault -> (exit statuses it may cause, all the channel's items must be in after it,
#           it always fails the channel: a message must name it)
FAULTS = {
    "": ({0}, True, False), "gzip": ({0}, True, False), "delay-ms/300": ({0}, True, False),
    "flaky/1": ({0}, True, False), "ctype/png": ({0}, True, False), "ctype/none": ({0}, True, False),
    "ctype/html": ({0}, True, False),
    "slow/4": ({75}, False, True), "timeout": ({75}, False, True), "reset": ({75}, False, True),
    "trickle/50": ({75}, False, True), "truncate": ({75}, False, True),
    "status/500": ({75}, False, True), "status/503": ({75}, False, True), "storm": ({75}, False, True),
    "status/404": ({69}, False, True), "garbage": ({69}, False, True), "badjson": ({69}, False, True),
    "loop": ({69}, False, True), "big/300000": ({69}, False, True),
    "badxml": ({0}, False, False), "trickle/2": ({0, 75}, False, False),
}
CHANNELS = ["c%d" % i for i in range(8)]
MAX_RSS_KB = 256 * 1024


class Broken(Exception):
    pass


def write_feed(path, name, n):
    with open(path + ".tmp", "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>%s</title>\n' % name)
        for i in range(1, n + 1):
            f.write("<item><guid>%s-%d</guid><title>Frage %d</title><description>Seit heute kein "
                    "Internet, Nummer %d, bitte um Rückruf. %s</description></item>\n"
                    % (name, i, i, i, "Lorem ipsum dolor sit amet. " * 8))
        f.write("</channel></rss>\n")
    os.rename(path + ".tmp", path)


def etag_of(path):
    import hashlib
    with open(path, "rb") as f:
        return '"%s"' % hashlib.sha1(f.read()).hexdigest()[:20]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("STRESS_ROUNDS", "100")))
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--build", default=os.environ.get("SM_BUILD", os.path.join(SRC, "build/rel")))
    ap.add_argument("--keep")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    tmp = a.keep or tempfile.mkdtemp(prefix="smkit-faults.")
    os.makedirs(tmp, exist_ok=True)
    env = dict(os.environ, PATH=os.path.join(a.build, "bin") + ":" + os.environ["PATH"],
               LC_ALL="C.UTF-8", TZ="UTC", no_proxy="127.0.0.1", NO_PROXY="127.0.0.1")
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "SM_DIR"):
        env.pop(k, None)
    www, ws = os.path.join(tmp, "www"), os.path.join(tmp, "ws")
    os.makedirs(www, exist_ok=True)
    srv = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/lib/feedserver.py"), "--root", www,
                            "--port-file", os.path.join(tmp, "port"), "--log", os.path.join(tmp, "server.log")],
                           stderr=open(os.path.join(tmp, "server.err"), "w"))
    try:
        return run(a, rnd, tmp, env, www, ws)
    except Broken as e:
        print("faults.py: seed %d: %s (kept in %s)" % (a.seed, e, tmp), file=sys.stderr)
        return 1
    finally:
        srv.terminate()
        srv.wait()


def run(a, rnd, tmp, env, www, ws):
    for _ in range(100):
        if os.path.exists(os.path.join(tmp, "port")):
            break
        time.sleep(0.05)
    base = "http://127.0.0.1:%s" % open(os.path.join(tmp, "port")).read().strip()
    subprocess.run(["sm-init", "-q", ws], env=env, check=True)
    cfg = os.path.join(ws, "config")

    def git_config(*args):
        subprocess.run(["git", "config", "-f", cfg] + list(args), check=True)
    out = subprocess.run(["git", "config", "-f", cfg, "--name-only", "--get-regexp", r"^channel\..*\.kind$"],
                         capture_output=True, text=True).stdout.split()
    for name in out:
        git_config("--remove-section", name.rsplit(".", 1)[0])
    for k, v in (("fetch.timeout", "2s"), ("fetch.connect-timeout", "1s"), ("fetch.attempts", "2"),
                 ("fetch.max-wait", "2s"), ("fetch.max-size", "256K")):
        git_config(k, v)
    sizes = {c: 0 for c in CHANNELS}
    for c in CHANNELS:
        git_config("channel.%s.kind" % c, "feed")
        git_config("channel.%s.url" % c, "%s/%s.rss" % (base, c))
    printed = {}
    faults_injected = 0
    peak = 0
    t0 = time.time()
    db = os.path.join(ws, "store.db")
    for rnum in range(a.rounds + 1):
        last = rnum == a.rounds
        chosen, grew = {}, {}
        for c in CHANNELS:
            grew[c] = rnd.randint(0, 3)
            sizes[c] += grew[c]
            write_feed(os.path.join(www, c + ".rss"), c, sizes[c])
            f = "" if last else rnd.choice(list(FAULTS))
            chosen[c] = f
            fault_file = os.path.join(www, c + ".rss.fault")
            if f:
                faults_injected += 1
                with open(fault_file, "w") as fh:
                    fh.write(f)
            elif os.path.exists(fault_file):
                os.unlink(fault_file)
        with open(os.path.join(tmp, "rounds.log"), "a") as lf:
            lf.write("round %d %.3f %s\n" % (rnum, time.time(), json.dumps(chosen)))
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        trace = ["-v", "-v"] if os.environ.get("STRESS_TRACE") else ["-q"]
        p = subprocess.run(["sm-fetch", "--dir", ws] + trace, env=env, capture_output=True, timeout=120)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak = max(peak, rss if rss > before else peak)
        err = p.stderr.decode("utf-8", "replace")
        with open(os.path.join(tmp, "rounds.log"), "a") as lf:
            lf.write("exit %d\n%s" % (p.returncode, err))
        for line in p.stdout.decode().splitlines():
            rec = json.loads(line)
            printed[rec["id"]] = printed.get(rec["id"], 0) + 1
        allowed = set()
        for f in chosen.values():
            allowed |= FAULTS[f][0]
        if p.returncode not in (0, 69, 75) or (p.returncode != 0 and p.returncode not in allowed) or \
                (last and p.returncode != 0):
            raise Broken("round %d: exit %d with faults %s: %s" % (rnum, p.returncode, chosen, err[-500:]))
        for c, f in chosen.items():
            # an unchanged feed is answered 304 before a fault of its body can act
            body_fault = f in ("reset", "trickle/50", "truncate", "big/300000")
            if FAULTS[f][2] and not (body_fault and not grew[c]) and ("sm-fetch: %s: " % c) not in err:
                raise Broken("round %d: channel %s had fault %s and no message: %s" % (rnum, c, f, err[-300:]))
        con = sqlite3.connect(db)
        if con.execute("pragma integrity_check").fetchone()[0] != "ok":
            raise Broken("round %d: integrity_check failed" % rnum)
        if con.execute("pragma foreign_key_check").fetchall():
            raise Broken("round %d: foreign keys broken" % rnum)
        if con.execute("select count(*) - count(distinct id) from items").fetchone()[0]:
            raise Broken("round %d: an item stored twice" % rnum)
        for c in CHANNELS:
            have = con.execute("select count(*) from items where channel = ?", (c,)).fetchone()[0]
            etag = con.execute("select etag from cursors where channel = ?", (c,)).fetchone()
            current = etag_of(os.path.join(www, c + ".rss"))
            if etag and etag[0] == current and have != sizes[c]:
                raise Broken("round %d: %s's cursor is the file's ETag with %d of %d items stored (fault %s)"
                             % (rnum, c, have, sizes[c], chosen[c]))
            if FAULTS[chosen[c]][1] and have != sizes[c]:
                raise Broken("round %d: %s without a harmful fault (%s) has %d of %d items: %s"
                             % (rnum, c, chosen[c] or "none", have, sizes[c], err[-300:]))
        con.close()
        if peak > MAX_RSS_KB:
            raise Broken("round %d: sm-fetch peaked at %d KiB (bound %d)" % (rnum, peak, MAX_RSS_KB))
    twice = [i for i, n in printed.items() if n > 1]
    total = sum(sizes.values())
    if twice or len(printed) != total:
        raise Broken("printed %d distinct items of %d, %d more than once" % (len(printed), total, len(twice)))
    print("faults.py: seed %d: %d rounds, %d faults injected over %d channels, %d items fetched and "
          "printed once each, peak RSS %d KiB, %.0fs" % (a.seed, a.rounds, faults_injected, len(CHANNELS),
                                                         total, peak, time.time() - t0))
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
