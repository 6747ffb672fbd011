#!/usr/bin/python3
"""report_oracle.py WS NOW REPORT [--since T] [--until T] [--by DIM] [--channel C] [--team T]
[--table NAME] - the figures sm-report should print, computed again here from the rows of
WS/store.db and WS/config, straight from the definitions in sm-report(1), as JSON lines of the
table named (else the report's first). T is a date or an RFC 3339 time in UTC.
report_oracle.py --compare GOT WANT - compare two such files row by row (numbers within
the rounding sm-report applies); exit 1 with the differences."""
import json
import math
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone


def parse(t):
    if t is None:
        return None
    if len(t) == 10:
        t += "T00:00:00Z"
    return datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def compare(got_path, want_path):
    got = [json.loads(l) for l in open(got_path) if l.strip()]
    want = [json.loads(l) for l in open(want_path) if l.strip()]
    bad = []
    if len(got) != len(want):
        bad.append("%d rows, want %d" % (len(got), len(want)))
    for i, (g, w) in enumerate(zip(got, want)):
        if set(g) != set(w):
            bad.append("row %d: keys %s, want %s" % (i + 1, sorted(g), sorted(w)))
            continue
        for k in w:
            a, b = g[k], w[k]
            if isinstance(b, float) or (isinstance(b, int) and not isinstance(b, bool)):
                if not isinstance(a, (int, float)) or isinstance(a, bool) or \
                        abs(a - b) > max(0.051, 1e-4 * abs(b)):
                    bad.append("row %d (%s): %s = %r, want %r" % (i + 1, list(w.values())[0], k, a, b))
            elif a != b:
                bad.append("row %d (%s): %s = %r, want %r" % (i + 1, list(w.values())[0], k, a, b))
    for b in bad[:20]:
        print(b)
    sys.exit(1 if bad else 0)


if sys.argv[1] == "--compare":
    compare(sys.argv[2], sys.argv[3])

WS, NOW, REPORT = sys.argv[1], parse(sys.argv[2]), sys.argv[3]
opt = {"since": None, "until": None, "by": None, "channel": None, "team": None, "table": None}
args = sys.argv[4:]
while args:
    opt[args[0][2:]] = args[1]
    args = args[2:]
SINCE, UNTIL = parse(opt["since"]), parse(opt["until"])
db = sqlite3.connect(WS + "/store.db")
db.row_factory = sqlite3.Row


def config(key, all_=False):
    r = subprocess.run(["git", "config", "-f", WS + "/config", "--get-all" if all_ else "--get", key],
                       capture_output=True, text=True)
    v = r.stdout.splitlines()
    return v if all_ else (v[0] if v else None)


def config_names(section):
    r = subprocess.run(["git", "config", "-f", WS + "/config", "--name-only", "--get-regexp",
                        "^%s\\." % section], capture_output=True, text=True)
    out = []
    for line in r.stdout.splitlines():
        name = line[len(section) + 1:].rsplit(".", 1)[0]
        if name not in out:
            out.append(name)
    return out


def in_period(t):
    return t is not None and (SINCE is None or t >= SINCE) and (UNTIL is None or t < UNTIL)


def period(t, by):
    if by == "day":
        return t.strftime("%Y-%m-%d")
    if by == "week":
        y, w, _ = t.isocalendar()
        return "%04d-W%02d" % (y, w)
    return t.strftime("%Y-%m")


def fill(groups, by, first, last, make):
    """every period from the first data (or --since) to now (or --until), as the man page says"""
    if first is None:
        return
    start = max(first, SINCE) if SINCE else first
    end = UNTIL - timedelta(seconds=1) if UNTIL else NOW
    end = max(end, last)
    t = datetime(start.year, start.month, start.day, tzinfo=timezone.utc)
    while t <= end:
        groups.setdefault(period(t, by), make())
        t += timedelta(days=1)


def key_order(k):
    return (k == "(none)", k)


def stats(v):
    """mean, median, p90, p95; None for an empty sample"""
    if not v:
        return [None] * 4
    v = sorted(v)
    n = len(v)
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    pct = lambda p: v[max(1, math.ceil(p / 100 * n - 1e-9)) - 1]
    return [sum(v) / n, med, pct(90), pct(95)]


def emit(rows):
    for r in rows:
        print(json.dumps(r, ensure_ascii=False))


def t_(s):
    return parse(s) if s else None


# ---- cases ---------------------------------------------------------------------------------------
def network(channel):
    k = config("channel.%s.kind" % channel)
    if k:
        return k
    r = db.execute("select kind from channels where name = ?", (channel,)).fetchone()
    return r[0] if r else ""


def selves():
    out = set()
    for ch in config_names("channel"):
        for s in config("channel.%s.self" % ch, True):
            for (aid,) in db.execute("select id from authors where lower(id) = lower(?) or lower(handle) = lower(?)",
                                     (s, s)):
                out.add((ch, aid))
    return out


def load_cases(team_filter=True):
    cs = []
    reopen = {}
    for e in db.execute("select e.case_id, e.at, i.created_at from case_events e left join items i on i.id = e.note"
                        " where e.what = 'reopened' order by e.id"):
        reopen[e[0]] = t_(e[2] or e[1])
    for c in db.execute("select * from cases order by id"):
        if opt["channel"] and c["channel"] != opt["channel"]:
            continue
        if team_filter and opt["team"] and c["team"] != opt["team"]:
            continue
        d = dict(c)
        d["start"] = reopen.get(c["id"], t_(c["opened_at"]))
        for k in ("first_response_at", "first_response_due", "resolved_at", "resolution_due", "queued_at"):
            d[k] = t_(c[k])
        d["replies"] = 0
        cs.append(d)
    by_id = {c["id"]: c for c in cs}
    own = selves()
    for (cid, ch, aid) in db.execute("select ci.case_id, i.channel, i.author_id from case_items ci"
                                     " join items i on i.id = ci.item_id"):
        if (ch, aid) in own and cid in by_id:
            by_id[cid]["replies"] += 1
    ids = {r[0] for r in db.execute("select id from items")}
    for d in db.execute("select case_id, channel, published_id from drafts where kind = 'reply'"
                        " and state = 'published' and case_id is not null"):
        if "%s:%s" % (d[1], d[2]) not in ids and d[0] in by_id:
            by_id[d[0]]["replies"] += 1
    return cs


def case_key(c, by, t):
    if by in ("day", "week", "month"):
        return period(t, by)
    v = {"team": c["team"], "agent": c["assignee"], "channel": c["channel"],
         "network": network(c["channel"])}[by]
    return v or "(none)"


def verdict(c, res):
    due = c["resolution_due" if res else "first_response_due"]
    done = c["resolved_at"] if res else (c["first_response_at"] or c["resolved_at"])
    if due is None:
        return None, None
    if done is not None and done <= due:
        return 1, done
    if done is not None or due <= NOW:
        return 0, due
    return None, None


def secs(a, b):
    return max(0.0, (a - b).total_seconds())


def response(by):
    g = {}
    first = last = None
    for c in load_cases():
        if not in_period(c["start"]):
            continue
        if by in ("day", "week", "month"):
            first = min(first or c["start"], c["start"])
            last = max(last or c["start"], c["start"])
        a = g.setdefault(case_key(c, by, c["start"]), [0, [], [], 0])
        a[0] += 1
        a[3] += c["replies"]
        if c["first_response_at"]:
            a[1].append(secs(c["first_response_at"], c["start"]))
        if c["resolved_at"]:
            a[2].append(secs(c["resolved_at"], c["start"]))
    if by in ("day", "week", "month"):
        fill(g, by, first, last, lambda: [0, [], [], 0])
    rows = []
    for k in sorted(g, key=key_order):
        a = g[k]
        f, r = stats(a[1]), stats(a[2])
        rows.append({"period" if by in ("day", "week", "month") else by: k, "cases": a[0],
                     "answered": len(a[1]), "frt_mean": f[0], "frt_median": f[1], "frt_p90": f[2],
                     "frt_p95": f[3], "resolved": len(a[2]), "res_mean": r[0], "res_median": r[1],
                     "res_p90": r[2], "res_p95": r[3], "replies": a[3],
                     "replies_per_case": a[3] / a[0] if a[0] else None})
    return rows


def sla(by):
    g = {}
    first = last = None
    for c in load_cases():
        for res in (0, 1):
            v, at = verdict(c, res)
            if v is None or not in_period(at):
                continue
            if by in ("day", "week", "month"):
                first = min(first or at, at)
                last = max(last or at, at)
            a = g.setdefault(case_key(c, by, at), [0, 0, 0, 0])
            a[2 * res] += 1
            a[2 * res + 1] += v
    if by in ("day", "week", "month"):
        fill(g, by, first, last, lambda: [0, 0, 0, 0])
    rows = []
    for k in sorted(g, key=key_order):
        a = g[k]
        rows.append({"period" if by in ("day", "week", "month") else by: k,
                     "frt_due": a[0], "frt_met": a[1], "frt_breached": a[0] - a[1],
                     "frt_met_share": a[1] / a[0] if a[0] else None,
                     "res_due": a[2], "res_met": a[3], "res_breached": a[2] - a[3],
                     "res_met_share": a[3] / a[2] if a[2] else None})
    return rows


def breached():
    limit = NOW + timedelta(hours=1)
    rows = []
    for c in load_cases():
        if c["status"] == "resolved":
            continue
        for target, due in (("first-response", None if c["first_response_at"] else c["first_response_due"]),
                            ("resolution", c["resolution_due"])):
            if due and due <= limit:
                rows.append({"case": c["id"], "channel": c["channel"], "team": c["team"] or "",
                             "assignee": c["assignee"] or "", "status": c["status"], "target": target,
                             "due": due.strftime("%Y-%m-%dT%H:%M:%SZ"),
                             "state": "breached" if due <= NOW else "due-soon",
                             "overdue": (NOW - due).total_seconds(), "conversation": c["conversation"]})
    rows.sort(key=lambda r: (r["due"], r["case"]))
    return rows


def backlog(by):
    g = {}
    for c in load_cases():
        if c["status"] == "resolved":
            continue
        a = g.setdefault(case_key(c, by, c["start"]), [0, 0] + [0] * 6)
        a[1 if c["status"] == "pending" else 0] += 1
        age = (NOW - c["start"]).total_seconds()
        b = sum(age >= x for x in (3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400))
        a[2 + b] += 1
    names = ["age_0_1h", "age_1_4h", "age_4_24h", "age_1_3d", "age_3_7d", "age_7d_plus"]
    rows = []
    for k in sorted(g, key=key_order):
        a = g[k]
        r = {by: k, "open": a[0], "pending": a[1], "total": a[0] + a[1]}
        r.update(zip(names, a[2:]))
        rows.append(r)
    return rows


def queue():
    rows = []
    for c in load_cases():
        if c["status"] == "new" and c["assignee"] is None and c["queued_at"]:
            rows.append({"case": c["id"], "team": c["team"] or "", "channel": c["channel"],
                         "priority": c["priority"] or "",
                         "queued_at": c["queued_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "waiting": (NOW - c["queued_at"]).total_seconds(), "conversation": c["conversation"]})
    rows.sort(key=lambda r: (r["queued_at"], r["case"]))
    return rows


def agents():
    names = config_names("agent")
    acc = {}
    get = lambda n: acc.setdefault(n, {"cases": 0, "resolved": 0, "replies": 0, "frt": [], "due": 0,
                                       "met": 0, "approvals": 0, "load": 0})
    for n in names:
        get(n)
    for c in load_cases(team_filter=False):
        if not c["assignee"]:
            continue
        a = get(c["assignee"])
        if c["status"] in ("open", "pending"):
            a["load"] += 1
        if in_period(c["start"]):
            a["cases"] += 1
            if c["first_response_at"]:
                a["frt"].append(secs(c["first_response_at"], c["start"]))
        if in_period(c["resolved_at"]):
            a["resolved"] += 1
        v, at = verdict(c, 0)
        if v is not None and in_period(at):
            a["due"] += 1
            a["met"] += v
    for d in db.execute("select author, channel, published_at from drafts where kind = 'reply' and state = 'published'"):
        if in_period(t_(d[2])) and (not opt["channel"] or d[1] == opt["channel"]):
            get(d[0])["replies"] += 1
    for a in db.execute("select a.approver, a.at, d.channel from approvals a join drafts d on d.id = a.draft_id"):
        if in_period(t_(a[1])) and (not opt["channel"] or a[2] == opt["channel"]):
            get(a[0])["approvals"] += 1
    away = {r[0] for r in db.execute("select agent from agent_state where away")}
    rows = []
    for n in sorted(acc):
        team = config("agent.%s.team" % n)
        if opt["team"] and team != opt["team"]:
            continue
        a = acc[n]
        cap = int(config("agent.%s.capacity" % n) or 20)
        rows.append({"agent": n, "team": team, "cases": a["cases"], "resolved": a["resolved"],
                     "replies": a["replies"], "frt_median": stats(a["frt"])[1],
                     "frt_met_share": a["met"] / a["due"] if a["due"] else None,
                     "approvals": a["approvals"], "load": a["load"], "capacity": cap,
                     "load_share": a["load"] / cap, "away": n in away})
    return rows


# ---- items ---------------------------------------------------------------------------------------
def items():
    team_of = {}
    for (iid, team, agent) in db.execute("select ci.item_id, c.team, c.assignee from case_items ci"
                                         " join cases c on c.id = ci.case_id"):
        team_of[iid] = (team, agent)
    for r in db.execute("select * from items order by rowid"):
        d = dict(r)
        d["t"] = t_(r["created_at"])
        case = team_of.get(r["id"])
        d["team"] = (case[0] if case and case[0] else r["team"]) or ""
        d["agent"] = (case[1] if case else None) or ""
        if opt["channel"] and d["channel"] != opt["channel"]:
            continue
        if opt["team"] and d["team"] != opt["team"]:
            continue
        yield d


def volume(by):
    g = {}
    first = last = None
    for it in items():
        if not in_period(it["t"]):
            continue
        if by == "tag":
            keys = json.loads(it["tags"]) if it["tags"] else ["(none)"]
        elif by in ("day", "week", "month"):
            keys = [period(it["t"], by)]
            first = min(first or it["t"], it["t"])
            last = max(last or it["t"], it["t"])
        else:
            keys = [it[{"channel": "channel", "network": "network", "team": "team", "agent": "agent"}[by]] or "(none)"]
        for k in keys:
            a = g.setdefault(k, [0, 0, 0])
            a[0] += 1
            a[1] += it["rules"] is not None
            a[2] += it["dropped"]
    if by in ("day", "week", "month"):
        fill(g, by, first, last, lambda: [0, 0, 0])
    return [{"period" if by in ("day", "week", "month") else by: k, "items": a[0], "matched": a[1],
             "dropped": a[2]} for k, a in sorted(g.items(), key=lambda kv: key_order(kv[0]))]


def topics(by):
    k, window, least = 3.0, 28, 3
    counts = {}
    days = set()
    for it in items():
        if it["rules"] is None or it["t"] is None or (UNTIL and it["t"] >= UNTIL):
            continue
        d = it["t"].date()
        days.add(d)
        for kind, col in (("tag", "tags"), ("rule", "rules")):
            for name in (json.loads(it[col]) if it[col] else []):
                counts.setdefault((kind, name), {}).setdefault(d, 0)
                counts[(kind, name)][d] += 1
    if not days:
        return []
    first = SINCE.date() if SINCE else min(days)
    last = (UNTIL - timedelta(seconds=1)).date() if UNTIL else NOW.date()
    last = max(last, max(days))
    c = lambda key, d: counts[key].get(d, 0)

    def spike(key, d):
        prev = [c(key, d - timedelta(days=i)) for i in range(1, window + 1)]
        mean = sum(prev) / window
        sd = math.sqrt(max(0, sum(x * x for x in prev) / window - mean * mean))
        return c(key, d) >= least and c(key, d) > mean + k * sd + 1e-9, mean, sd

    rows = []
    d = first
    while d <= last:
        p = period(datetime(d.year, d.month, d.day, tzinfo=timezone.utc), by)
        e = d
        while e + timedelta(days=1) <= last and period(datetime.combine(e + timedelta(days=1), datetime.min.time(), timezone.utc), by) == p:
            e += timedelta(days=1)
        span = [d + timedelta(days=i) for i in range((e - d).days + 1)]
        if by == "month":
            pe = d - timedelta(days=1)
            ps = pe.replace(day=1)
            prev_span = [ps + timedelta(days=i) for i in range((pe - ps).days + 1)]
        else:
            prev_span = [x - timedelta(days=7) for x in span]
        for key in sorted(counts):
            n = sum(c(key, x) for x in span)
            prev = sum(c(key, x) for x in prev_span)
            if not n and not prev:
                continue
            sp = [spike(key, x) for x in span]
            r = {"period": p, "kind": key[0], "topic": key[1], "count": n, "previous": prev,
                 "change": 100.0 * (n - prev) / prev if prev else None}
            if by == "day":
                r.update({"mean": sp[-1][1], "sd": sp[-1][2], "spike": sp[-1][0]})
            else:
                r["spike_days"] = sum(s[0] for s in sp)
            rows.append(r)
        d = e + timedelta(days=1)
    return rows


def superusers():
    people = {}
    for m in config("group.super.member", True):
        r = db.execute("select id from authors where lower(id) = lower(?)", (m,)).fetchone()
        people.setdefault(r[0] if r else m, [True, set()])
    own = selves()
    community = {ch for ch in config_names("channel") if config("channel.%s.community" % ch) == "true"}
    for (aid, cid, ch, at, cauthor) in db.execute(
            "select i.author_id, c.id, c.channel, i.created_at, c.author_id from case_events e"
            " join cases c on c.id = e.case_id join items i on i.id = e.note where e.what = 'first-response'"):
        if ch in community and aid and aid != cauthor and (ch, aid) not in own and in_period(t_(at)):
            people.setdefault(aid, [False, set()])[1].add(cid)
    rows = []
    for aid, (sup, helped) in people.items():
        a = db.execute("select handle, name from authors where id = ?", (aid,)).fetchone()
        mine = [r for r in db.execute("select created_at, coalesce(thread, id) from items where author_id = ?", (aid,))]
        inp = [r for r in mine if in_period(t_(r[0]))]
        rows.append({"author": aid, "handle": a[0] if a else None, "name": a[1] if a else None,
                     "super": sup, "contributions": len(inp), "threads": len({r[1] for r in inp}),
                     "helped": len(helped), "last_activity": max((r[0] for r in mine), default=None)})
    rows.sort(key=lambda r: (-r["helped"], -r["contributions"], r["author"]))
    return rows


def benchmark():
    own = selves()
    rows = {}
    posts, replies = {}, {}
    for it in sorted(items(), key=lambda i: (i["created_at"], i["rowid"])):
        if not in_period(it["t"]):
            continue
        ch = it["channel"]
        is_own = (ch, it["author_id"]) in own
        has_self = bool(config("channel.%s.self" % ch, True))
        a = rows.setdefault(ch, {"posts": 0, "likes": 0, "reposts": 0, "replies": 0, "received": 0, "answered": 0})
        m = json.loads(it["record"]).get("metrics", {})
        if it["in_reply_to"] is None and (not has_self or is_own):
            posts[it["id"]] = ch
            a["posts"] += 1
            a["likes"] += m.get("likes", 0)
            a["reposts"] += m.get("reposts", 0)
            a["replies"] += m.get("replies", 0)
        elif it["in_reply_to"] is not None and not is_own:
            if it["in_reply_to"] in posts:
                replies[it["id"]] = False
                a["received"] += 1
        elif it["in_reply_to"] in replies and not replies[it["in_reply_to"]]:
            replies[it["in_reply_to"]] = True
            rows[ch]["answered"] += 1
    out = []
    for ch in sorted(rows):
        a = rows[ch]
        out.append({"channel": ch, "side": "competitor" if config("channel.%s.competitor" % ch) == "true" else "own",
                    "posts": a["posts"], "likes": a["likes"], "reposts": a["reposts"], "replies": a["replies"],
                    "engagement_per_post": (a["likes"] + a["reposts"] + a["replies"]) / a["posts"] if a["posts"] else None,
                    "replies_received": a["received"], "answered": a["answered"],
                    "response_share": a["answered"] / a["received"] if a["received"] else None})
    return out


# ---- drafts --------------------------------------------------------------------------------------
def approvals(by):
    g = {}
    seen = []

    def key(t, ch, who):
        seen.append(t)
        return period(t, by) if by in ("day", "week", "month") else (ch if by == "channel" else who) or "(none)"
    new = lambda: [0, 0, 0, 0, 0, 0, []]
    created = {}
    for d in db.execute("select * from drafts"):
        created[d["id"]] = (t_(d["created_at"]), d["channel"])
        if not in_period(t_(d["created_at"])) or (opt["channel"] and d["channel"] != opt["channel"]):
            continue
        a = g.setdefault(key(t_(d["created_at"]), d["channel"], d["author"]), new())
        a[0] += 1
        st = d["state"]
        a[1 if st in ("approved", "sending", "published", "failed") else 2 if st == "rejected" else 3] += 1
        last = db.execute("select max(at) from approvals where draft_id = ?", (d["id"],)).fetchone()[0]
        if by != "agent" and st in ("approved", "sending", "published", "failed") and d["needs"] > 0 and last:
            a[6].append(secs(t_(last), t_(d["created_at"])))
    for ap in db.execute("select * from approvals"):
        t, ch = created[ap["draft_id"]]
        if not in_period(t_(ap["at"])) or (opt["channel"] and ch != opt["channel"]):
            continue
        a = g.setdefault(key(t_(ap["at"]), ch, ap["approver"]), new())
        a[4] += 1
        if by == "agent":
            a[6].append(secs(t_(ap["at"]), t))
    for au in db.execute("select * from audit where action = 'reject'"):
        t, ch = created[int(au["object"][6:])]
        if in_period(t_(au["at"])) and not (opt["channel"] and ch != opt["channel"]):
            g.setdefault(key(t_(au["at"]), ch, au["actor"]), new())[5] += 1
    if by in ("day", "week", "month") and seen:
        fill(g, by, min(seen), max(seen), new)
    rows = []
    for k in sorted(g, key=key_order):
        a = g[k]
        s = stats(a[6])
        rows.append({"period" if by in ("day", "week", "month") else by: k, "submitted": a[0],
                     "approved": a[1], "rejected": a[2], "pending": a[3], "approvals_given": a[4],
                     "rejections_given": a[5], "tta_mean": s[0], "tta_median": s[1], "tta_p90": s[2]})
    return rows


def publishing():
    g = {}
    new = lambda: [0, 0, 0, 0]
    for d in db.execute("select * from drafts"):
        if opt["channel"] and d["channel"] != opt["channel"]:
            continue
        a = None
        if d["state"] == "published" and in_period(t_(d["published_at"])):
            g.setdefault(d["channel"], new())[1 if d["kind"] == "post" else 0] += 1
        elif d["state"] == "failed" and in_period(t_(d["updated_at"])):
            g.setdefault(d["channel"], new())[2] += 1
        elif d["state"] in ("approved", "sending"):
            g.setdefault(d["channel"], new())[3] += 1
    return [{"channel": k, "replies": a[0], "posts": a[1], "failed": a[2], "waiting": a[3]}
            for k, a in sorted(g.items())]


def ahead():
    now = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [{"draft": d["id"], "channel": d["channel"], "scheduled_at": d["scheduled_at"], "state": d["state"],
             "plan": d["plan"]} for d in db.execute(
        "select * from drafts where kind = 'post' and plan is not null and scheduled_at > ? and state != 'published'"
        " order by scheduled_at, id", (now,))]


BY = {"volume": "day", "response": "team", "sla": "team", "backlog": "team", "topics": "day",
      "approvals": "agent"}
by = opt["by"] or BY.get(REPORT)
table = opt["table"]
if REPORT == "response":
    emit(response(by))
elif REPORT == "sla":
    emit(breached() if table == "breached" else sla(by))
elif REPORT == "backlog":
    emit(queue() if table == "queue" else backlog(by))
elif REPORT == "agents":
    emit(agents())
elif REPORT == "volume":
    emit(volume(by))
elif REPORT == "topics":
    emit(topics(by))
elif REPORT == "superusers":
    emit(superusers())
elif REPORT == "benchmark":
    emit(benchmark())
elif REPORT == "approvals":
    emit(approvals(by))
elif REPORT == "publishing":
    emit(ahead() if table == "ahead" else publishing())
else:
    sys.exit("report_oracle: no oracle for " + REPORT)
