#!/usr/bin/python3
"""report_store.py WS [SEED] - fill the workspace WS (made by sm-init) with a fixed,
generated history for the sm-report tests: a config of channels (own, community,
competitor), teams, agents, a super group and a policy; and in the store a month of items
(with a storm of outage complaints on one day), cases with their times and events (some
reopened, some answered by the community), drafts in every state with approvals, plan posts
ahead, and an audit log whose hash chain is right. Deterministic for a SEED. The figures
are known to the tests only by computing them again from these rows (report_oracle.py)."""
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

WS = sys.argv[1]
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=timezone.utc)
START = NOW - timedelta(days=30)


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def cfg(*args):
    subprocess.run(["git", "config", "-f", WS + "/config", *args], check=True)


cfg("security.identity", "env")
for ch, kind in [("support", "mastodon"), ("forum", "discourse"), ("rival", "mastodon"),
                 ("mail", "email")]:
    cfg("channel.%s.kind" % ch, kind)
    cfg("channel.%s.url" % ch, "https://%s.example" % ch)
cfg("channel.support.self", "@Service@social.example")  # a handle, in another case
cfg("channel.forum.community", "true")
cfg("channel.rival.competitor", "true")
cfg("channel.rival.self", "mastodon:rival")
cfg("assign.default-team", "support")
for agent, team, cap in [("alice", "support", 3), ("bob", "support", 20), ("carol", "tech", 5),
                         ("dave", "tech", 20)]:
    cfg("agent.%s.team" % agent, team)
    cfg("agent.%s.capacity" % agent, str(cap))
cfg("agent.carol.role", "approver")
cfg("--add", "agent.carol.role", "agent")
cfg("team.support.strategy", "least-loaded")
cfg("team.tech.strategy", "round-robin")
cfg("group.super.member", "DISCOURSE:helper1")  # compared without regard to case
cfg("--add", "group.super.member", "discourse:quiet")  # a member with nothing in the month
cfg("policy.default.first-response", "1h")
cfg("policy.default.resolution", "24h")

db = sqlite3.connect(WS + "/store.db")
db.execute("PRAGMA foreign_keys = OFF")

# ---- authors --------------------------------------------------------------------------------
authors = {}
for i in range(40):
    net = ["mastodon", "discourse", "email"][i % 3]
    authors["%s:user%d" % (net, i)] = (net, "@user%d" % i, "User %d" % i)
authors["mastodon:service"] = ("mastodon", "@service@social.example", "Our service")
authors["mastodon:rival"] = ("mastodon", "@rival@social.example", "The rival")
authors["discourse:helper1"] = ("discourse", "helper1", "Helga Helper")
authors["discourse:helper2"] = ("discourse", "helper2", "Hugo \x1b[31mRed\x1b[0m")  # hostile name
authors["discourse:quiet"] = ("discourse", "quiet", None)
for aid, (net, handle, name) in authors.items():
    db.execute("INSERT INTO authors (id, network, handle, name, first_seen, last_seen)"
               " VALUES (?, ?, ?, ?, ?, ?)", (aid, net, handle, name, ts(START), ts(NOW)))
customers = {"support": [a for a in authors if a.startswith("mastodon:user")],
             "forum": [a for a in authors if a.startswith("discourse:user")],
             "mail": [a for a in authors if a.startswith("email:user")],
             "rival": [a for a in authors if a.startswith("mastodon:user")]}
NET = {"support": "mastodon", "forum": "discourse", "rival": "mastodon", "mail": "email"}

# ---- items ----------------------------------------------------------------------------------
TOPICS = [(["outage"], ["outage"]), (["billing"], ["billing"]), (["billing", "refund"], ["billing"]),
          (["router"], ["router"]), (None, None), (None, None), (None, None)]
n_items = 0


def item(channel, author, at, thread=None, in_reply_to=None, text="", topic=None, spam=False,
         metrics=None, title=None, team=None):
    global n_items
    n_items += 1
    iid = "%s:%d" % (channel, n_items)
    tags, rules = topic if topic else (None, None)
    if spam:
        tags, rules = None, ["spam"]
    rec = {"id": iid, "channel": channel, "network": NET[channel], "text": text,
           "author": {"id": author}, "created_at": ts(at)}
    if metrics:
        rec["metrics"] = metrics
    url = "https://%s.example/p/%d" % (channel, n_items)
    db.execute("INSERT INTO items (id, channel, network, kind, ext_id, url, thread, in_reply_to,"
               " author_id, title, text, created_at, fetched_at, record, tags, rules, dropped, team)"
               " VALUES (?, ?, ?, 'post', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (iid, channel, NET[channel], str(n_items), url, thread or iid, in_reply_to, author,
                title, text, ts(at), ts(at + timedelta(minutes=2)), json.dumps(rec),
                json.dumps(tags) if tags else None, json.dumps(rules) if rules else None,
                1 if spam else 0, team))
    return iid


def minutes(a, b):
    return a + timedelta(minutes=rng.randint(0, b))


cases = []  # (id, channel, author, team, assignee, status, opened, fr_at, res_at, conversation)
case_items = []
events = []  # (case, at, actor, what, old, new, note)
agents = {"support": ["alice", "bob"], "tech": ["carol", "dave"]}
case_id = 0

for day in range(30):
    base = START + timedelta(days=day)
    storm = day == 27  # 2026-11-20: the storm of complaints
    n = 30 if storm else rng.randint(5, 9)
    for _ in range(n):
        ch = rng.choice(["support", "support", "forum", "mail", "rival"])
        at = base + timedelta(minutes=rng.randint(0, 1439))
        if at >= NOW:
            at = NOW - timedelta(minutes=rng.randint(1, 600))
        topic = TOPICS[0] if storm and rng.random() < 0.9 else rng.choice(TOPICS)
        spam = not storm and rng.random() < 0.08
        author = rng.choice(customers[ch])
        text = rng.choice(["Seit heute kein Internet", "Rechnung falsch?", "Router blinkt",
                           "Danke!", "Wann kommt der Techniker?", "tab\there, bell\a, "
                           "esc\x1b[2J, RLO \u202e!"])
        team = "tech" if topic[0] and topic[0][0] in ("outage", "router") else None
        first = item(ch, author, at, text=text, topic=topic, spam=spam, team=team,
                     metrics={"likes": rng.randint(0, 5), "reposts": rng.randint(0, 2),
                              "replies": rng.randint(0, 3)})
        if spam:
            continue
        if ch == "rival":
            # a post by the rival, replies to it, some answered by the rival
            post = item("rival", "mastodon:rival", at - timedelta(minutes=30), text="Angebot",
                        metrics={"likes": rng.randint(0, 40), "reposts": rng.randint(0, 9),
                                 "replies": rng.randint(0, 6)})
            db.execute("UPDATE items SET in_reply_to = ?, thread = ? WHERE id = ?", (post, post, first))
            if rng.random() < 0.5:
                item("rival", "mastodon:rival", at + timedelta(minutes=20), thread=post,
                     in_reply_to=first, text="Danke")
            continue
        # a case for the conversation
        case_id += 1
        team = team or "support"
        assignee = rng.choice(agents[team] + [None]) if ch != "forum" else None
        opened = at
        fr_at = res_at = None
        status = "new" if not assignee else "open"
        conv = first
        case_items.append((first, case_id, ts(at)))
        events.append((case_id, ts(at), "sm-assign", "opened", None, conv, None))
        r = rng.random()
        if r < 0.75 and opened + timedelta(minutes=5) < NOW:
            delay = timedelta(minutes=rng.choice([3, 10, 25, 50, 70, 150, 400, 1600]))
            fr_at = min(opened + delay, NOW - timedelta(minutes=1))
            if ch == "forum":
                # the community answers: a helper, or a customer; or we do
                who = rng.choice(["discourse:helper1", "discourse:helper1", "discourse:helper2",
                                  rng.choice(customers["forum"])])
                ans = item("forum", who, fr_at, thread=first, in_reply_to=first, text="Try a reboot")
            else:
                ans = item(ch, "mastodon:service" if ch == "support" else "email:user2", fr_at,
                           thread=first, in_reply_to=first, text="Wir kümmern uns")
            case_items.append((ans, case_id, ts(fr_at)))
            events.append((case_id, ts(fr_at), "sm-assign", "first-response", None, ts(fr_at), ans))
            status = "pending"
            if ch == "support" and rng.random() < 0.4:  # a second reply of ours
                t2 = fr_at + timedelta(minutes=rng.randint(1, 60))
                if t2 < NOW:
                    more = item("support", "mastodon:service", t2, thread=first, in_reply_to=first,
                                text="Update")
                    case_items.append((more, case_id, ts(t2)))
            if rng.random() < 0.6:
                res_at = min(fr_at + timedelta(minutes=rng.choice([20, 200, 900, 2000])),
                             NOW - timedelta(minutes=1))
                status = "resolved"
        cases.append([case_id, ch, author, team if ch != "forum" else None, assignee, status, opened,
                      fr_at, res_at, conv])

# our own posts on support, with the customers' replies to them, some answered by us
for k in range(12):
    at = START + timedelta(days=2 * k + 1, hours=9)
    post = item("support", "mastodon:service", at, text="Neu: Glasfaser in %d Orten" % k,
                metrics={"likes": rng.randint(0, 20), "reposts": rng.randint(0, 5),
                         "replies": rng.randint(0, 4)})
    for j in range(rng.randint(0, 3)):
        r = item("support", rng.choice(customers["support"]), at + timedelta(minutes=10 + j),
                 thread=post, in_reply_to=post, text="Und bei mir?")
        if rng.random() < 0.5:
            item("support", "mastodon:service", at + timedelta(minutes=30 + j), thread=post,
                 in_reply_to=r, text="Bald!")

# reopened cases: a resolved case whose customer wrote again; its round starts then
for c in [c for c in cases if c[5] == "resolved" and c[8] < NOW - timedelta(days=3)][:4]:
    again = c[8] + timedelta(hours=5)
    it = item(c[1], c[2], again, thread=c[9], in_reply_to=c[9], text="Geht wieder nicht")
    case_items.append((it, c[0], ts(again)))
    events.append((c[0], ts(again), "sm-assign", "reopened", "resolved", "open", it))
    c[5], c[7], c[8] = "open", None, None
    c[6] = again  # the round's start (opened_at itself stays)
    if rng.random() < 2:  # answered again within the hour
        fr = again + timedelta(minutes=40)
        ans = item(c[1], "mastodon:service" if c[1] == "support" else c[2], fr, thread=c[9],
                   in_reply_to=it, text="Wir schauen nochmal")
        case_items.append((ans, c[0], ts(fr)))
        events.append((c[0], ts(fr), "sm-assign", "first-response", None, ts(fr), ans))
        c[7] = fr
        c[5] = "pending"

# a queue: two cases of the support team waiting for an agent with room
for k in range(2):
    case_id += 1
    at = NOW - timedelta(hours=3 + k)
    it = item("support", customers["support"][k], at, text="Hallo?")
    case_items.append((it, case_id, ts(at)))
    events.append((case_id, ts(at), "sm-assign", "opened", None, it, None))
    cases.append([case_id, "support", customers["support"][k], "support", None, "new", at, None, None, it,
                  "queued"])

for c in cases:
    reopened = any(e[0] == c[0] and e[3] == "reopened" for e in events)
    opened_at = c[6] if not reopened else min(ts2 for (iid, cid, ts2) in case_items if cid == c[0])
    start = c[6]
    due = lambda h: ts(start + timedelta(hours=h))
    db.execute("INSERT INTO cases (id, conversation, channel, author_id, team, assignee, status, policy,"
               " opened_at, queued_at, first_response_due, resolution_due, first_response_at, resolved_at,"
               " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'default', ?, ?, ?, ?, ?, ?, ?)",
               (c[0], c[9], c[1], c[2], c[3], c[4], c[5], opened_at if reopened else ts(start),
                ts(start) if len(c) > 10 else None, due(1), due(24),
                ts(c[7]) if c[7] else None, ts(c[8]) if c[8] else None, ts(NOW)))
db.executemany("INSERT INTO case_items (item_id, case_id, added_at) VALUES (?, ?, ?)", case_items)
db.executemany("INSERT INTO case_events (case_id, at, actor, what, old, new, note)"
               " VALUES (?, ?, ?, ?, ?, ?, ?)", events)
db.execute("INSERT INTO agent_state (agent, away) VALUES ('dave', 1)")

# ---- drafts and approvals -------------------------------------------------------------------
audit = []  # (at, actor, action, object, detail)
did = 0
for k in range(36):
    did += 1
    c = rng.choice([c for c in cases if c[1] in ("support", "mail")])
    author = rng.choice(["alice", "bob", "dave"])
    created = START + timedelta(days=rng.randint(0, 29), minutes=rng.randint(0, 1000))
    if created > NOW - timedelta(hours=2):
        created = NOW - timedelta(hours=2, minutes=k)
    needs = 0 if k % 9 == 0 else 1 if k % 5 else 2
    state = rng.choice(["pending", "approved", "rejected", "published", "published", "failed", "sending"])
    if needs == 0 and state in ("pending", "rejected"):
        state = "approved"
    approvers = [a for a in ["carol", "bob", "alice"] if a != author]
    got = [] if state == "pending" and rng.random() < 0.5 else approvers[:needs]
    if state == "pending":
        got = got[:max(0, needs - 1)]
    if state == "rejected":
        got = []
    kind = "reply" if k % 7 else "post"
    published_at = published_id = None
    t = created
    audit.append((ts(created), author, "draft", "draft:%d" % did, "%s on %s" % (kind, c[1])))
    ats = []
    for a in got:
        t = t + timedelta(minutes=rng.randint(5, 300))
        ats.append((a, t))
        # as sm-approve writes it: the count, then the hash the approval is bound to
        audit.append((ts(t), a, "approve", "draft:%d" % did, "%d of %d; h%d" % (len(ats), needs, did)))
    if state == "rejected":
        t = t + timedelta(minutes=rng.randint(5, 300))
        audit.append((ts(t), "carol" if author != "carol" else "bob", "reject", "draft:%d" % did, "no"))
    if state == "published":
        published_at = t + timedelta(minutes=rng.randint(1, 30))
        published_id = "pub%d" % did
    db.execute("INSERT INTO drafts (id, kind, reply_to, case_id, channel, text, author, state, needs,"
               " approver_role, scheduled_at, plan, created_at, updated_at, published_id, published_at,"
               " attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'approver', NULL, NULL, ?, ?, ?, ?, ?)",
               (did, kind, c[9] if kind == "reply" else None, c[0] if kind == "reply" else None, c[1],
                "Antwort %d" % did, author, state, needs, ts(created),
                ts(t + timedelta(minutes=3)), published_id, ts(published_at) if published_at else None,
                1 if state in ("published", "failed") else 0))
    for a, at in ats:
        db.execute("INSERT INTO approvals (draft_id, approver, hash, at) VALUES (?, ?, ?, ?)",
                   (did, a, "h%d" % did, ts(at)))
# plan posts: two ahead, one past and published
for k, (when, state) in enumerate([(NOW + timedelta(days=2), "approved"), (NOW + timedelta(days=5), "pending"),
                                   (NOW - timedelta(days=1), "published")]):
    did += 1
    db.execute("INSERT INTO drafts (id, kind, channel, text, author, state, needs, approver_role,"
               " scheduled_at, plan, created_at, updated_at, published_at) VALUES"
               " (?, 'post', 'support', ?, 'alice', ?, 1, 'approver', ?, ?, ?, ?, ?)",
               (did, "Plan %d" % k, state, ts(when), "posts/p%d.txt" % k, ts(NOW - timedelta(days=3)),
                ts(NOW - timedelta(days=3)), ts(when) if state == "published" else None))

# ---- the audit chain, as lib/audit.c hashes it ----------------------------------------------
audit.sort(key=lambda a: a[0])
prev = "0" * 64
for seq, (at, actor, action, obj, detail) in enumerate(audit, 1):
    h = hashlib.sha256("\x1f".join([str(seq), at, actor, action, obj, detail or "", prev]).encode()).hexdigest()
    db.execute("INSERT INTO audit (seq, at, actor, action, object, detail, prev, hash) VALUES"
               " (?, ?, ?, ?, ?, ?, ?, ?)", (seq, at, actor, action, obj, detail, prev, h))
    prev = h
db.commit()
db.close()
