#!/usr/bin/python3
"""discourse_server.py - a fake Discourse forum API for the tests, from corpus/discourse.

The corpus files (response bodies of discourse_api's spec fixtures) are the initial data:
  posts_latest.json + posts_before.json  the latest-posts stream (posts 15, 14, 10, 2)
  topic.json                             topic 57 and its posts; post.json (post 11),
  create_topic_with_tags.json (post 29)  further posts; topics of posts are synthesised
  latest.json, notifications.json, private_messages.json, replies.json  served verbatim
(topic_posts.json is not loaded: its post 123456 claims post_number 2 of topic 57, which
topic.json gives to post 84.)  Protocol-relative "//localhost/" becomes //127.0.0.1:PORT/.

Every request needs the headers Api-Key (= --api-key) and Api-Username (= --api-username
when given, else any): otherwise 403 {"errors": [...], "error_type": "invalid_access"}.
  GET  /posts.json[?before=ID]   {"latest_posts": [...]}: 50 posts with id < before, newest
                                 first; only the stream above and created posts
  GET  /posts/ID.json            a post;  GET /t/ID.json, /t/SLUG/ID.json  a topic with
                                 post_stream {posts, stream} (created posts included);
                                 /t/ID/N.json, /t/SLUG/ID/N.json: the 20 posts near post
                                 number N (5 before it), as Discourse's TopicView shows them
  GET  /search.json?q=TERMS[&page=N]  the current shape {posts, topics, users, categories,
                                 tags, groups, grouped_search_result}: posts whose raw has
                                 every term (case-insensitive; "key:value" filters ignored),
                                 50 a page.  --legacy-search serves corpus search.json instead
  GET  /latest.json, /notifications.json, /user_actions.json,
       /topics/private-messages/USER.json   the corpus file
  POST /posts.json  (form or JSON) raw, topic_id, reply_to_post_number, or title (+category)
                    for a new topic -> 200 a post like post.json with a new id; 422
                    {"action": "create_post", "errors": [...]} when raw is shorter than
                    --min-post-length (20, Discourse's default), the topic is unknown, or the
                    same user posted the same raw to the topic in the last
                    --unique-posts-mins (5) minutes, as Discourse does (a blind retry gets it)
Unknown paths: 404 {"errors": ["The requested URL or resource could not be found."],
"error_type": "not_found"}.
Faults (--faults FILE, JSON lines, read again whenever the file changes): a request that
matches a line's "method" and "path" (with "?query": that query only; without: any) is
answered with its "status", "headers" ({"Retry-After": "1"}) and "body" (default: an
{"errors": [...], "error_type": ...} as Discourse gives), "times" times (default 1; 0
forever), lines used in order; logged with "fault": true.
Options: --corpus DIR, --api-key K (test-api-key), --api-username U, --port N,
  --port-file F, --pid-file F, --log F: one JSON line per request {t, method, path,
  headers, body, status} and per created post {event: "post", id, topic_id, post_number,
  reply_to_post_number, reply_target_exists, username, raw}.
"""
import argparse
import copy
import html
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.RLock()
NOT_FOUND = {"errors": ["The requested URL or resource could not be found."], "error_type": "not_found"}
FORBIDDEN = {"errors": ["You are not permitted to view the requested resource. "
                        "The API username or key is invalid."], "error_type": "invalid_access"}
VERBATIM = [(r"/latest\.json", "latest.json"), (r"/notifications\.json", "notifications.json"),
            (r"/user_actions\.json", "replies.json"),
            (r"/topics/private-messages/[^/]+\.json", "private_messages.json")]


class Forum:
    def __init__(self, corpus):
        def load(name):
            with open(os.path.join(corpus, name), encoding="utf-8") as f:
                return json.load(f)
        self.load = load
        self.posts, self.stream, self.topics, self.recent = {}, set(), {}, []
        self.topic57 = load("topic.json")
        for name in ("posts_latest.json", "posts_before.json"):
            for p in load(name)["latest_posts"]:
                self.add(p, stream=True)
        for p in self.topic57["post_stream"]["posts"]:
            self.add(dict(p, topic_id=self.topic57["id"]))
        self.add(load("post.json"))
        self.add(load("create_topic_with_tags.json"))
        t = self.topic57
        self.topics[t["id"]] = {k: v for k, v in t.items() if k not in ("post_stream", "details")}

    def add(self, p, stream=False):
        self.posts[p["id"]] = p
        if stream:
            self.stream.add(p["id"])
        slug = p.get("topic_slug") or "topic-%d" % p["topic_id"]
        title = p.get("topic_title") or slug.replace("-", " ").capitalize()
        self.topics.setdefault(p["topic_id"], {
            "id": p["topic_id"], "title": title, "fancy_title": html.escape(title), "slug": slug,
            "created_at": p["created_at"], "archetype": "regular", "category_id": p.get("category_id"),
            "visible": True, "closed": False, "archived": False, "views": 0, "like_count": 0,
            "highest_post_number": 0})
        t = self.topics[p["topic_id"]]
        t["highest_post_number"] = max(t.get("highest_post_number") or 0, p["post_number"])
        t["last_posted_at"] = max(t.get("last_posted_at") or "", p["created_at"])

    def topic_posts(self, tid):
        return sorted((p for p in self.posts.values() if p["topic_id"] == tid), key=lambda p: p["post_number"])

    def topic(self, tid, near=None):
        posts = self.topic_posts(tid)
        t = dict(self.topics[tid], posts_count=len(posts), reply_count=max(len(posts) - 1, 0))
        if tid == self.topic57["id"]:
            t = dict(copy.deepcopy(self.topic57), **t)
        else:
            t["details"] = {"created_by": self.user(posts[0]) if posts else None,
                            "last_poster": self.user(posts[-1]) if posts else None,
                            "participants": [self.user(p) for p in posts], "can_create_post": True}
        lo = 0
        if near:  # TopicView.filter_posts_near: 5 posts before the closest one, 20 in all
            at = max([i for i, p in enumerate(posts) if p["post_number"] <= near] or [0])
            lo = max(0, min(at - 5, len(posts) - 20))
        t["post_stream"] = {"posts": posts[lo:lo + 20], "stream": [p["id"] for p in posts]}
        return t

    @staticmethod
    def user(p):
        return {"id": p.get("user_id"), "username": p["username"], "avatar_template": p.get("avatar_template")}

    def listed(self, p):
        t = self.topics[p["topic_id"]]
        return dict({"topic_title": t["title"], "topic_html_title": t["fancy_title"],
                     "topic_slug": t["slug"], "category_id": t.get("category_id")}, **p)


def cook(raw):
    paras = [x for x in raw.replace("\r\n", "\n").split("\n\n") if x.strip()]
    return "\n".join("<p>%s</p>" % html.escape(x.strip(), quote=False).replace("\n", "<br>") for x in paras)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "discourse_server/1"

    def log_message(self, fmt, *args):
        pass

    def log(self, rec):
        rec.setdefault("t", time.time())
        with lock, open(self.server.logfile, "a") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def send(self, status, obj, headers=None, fault=False):
        rec = {"method": self.command, "path": self.path, "headers": dict(self.headers.items()),
               "body": self.body.decode("utf-8", "replace"), "status": status}
        if fault:
            rec["fault"] = True
        self.log(rec)
        data = json.dumps(obj, ensure_ascii=False).replace(
            "//localhost/", "//127.0.0.1:%d/" % self.server.server_address[1]).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(n) if n > 0 else b""
        srv, u = self.server, urllib.parse.urlsplit(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query).items()}
        key, user = self.headers.get("Api-Key"), self.headers.get("Api-Username")
        if key != srv.api_key or not user or (srv.api_username and user != srv.api_username):
            return self.send(403, FORBIDDEN)
        f = srv.faults.take(self.command, u.path, u.query) if srv.faults else None
        if f:
            status = int(f.get("status", 500))
            body = f.get("body") or {"errors": ["You’ve performed this action too many times. "
                                                "Please wait a few seconds before trying again."]
                                     if status == 429 else ["fault %d" % status],
                                     "error_type": "rate_limit" if status == 429 else "fault"}
            return self.send(status, body, f.get("headers"), fault=True)
        with lock:  # answer from a consistent forum, send outside the lock
            status, obj = self.route(u.path, q, user)
        self.send(status, obj)

    def route(self, path, q, user):
        forum, get = self.server.forum, self.command in ("GET", "HEAD")
        if get and path == "/posts.json":
            before = int(q["before"]) if q.get("before", "").isdigit() else None
            ids = sorted((i for i in forum.stream if before is None or i < before), reverse=True)[:50]
            return 200, {"latest_posts": [forum.listed(forum.posts[i]) for i in ids]}
        m = re.fullmatch(r"/posts/(\d+)\.json", path)
        if get and m and int(m.group(1)) in forum.posts:
            return 200, forum.posts[int(m.group(1))]
        m = (re.fullmatch(r"/t/(\d+)(?:/(\d+))?\.json", path) or
             re.fullmatch(r"/t/[^/]+/(\d+)(?:/(\d+))?\.json", path))
        if get and m and int(m.group(1)) in forum.topics:
            return 200, forum.topic(int(m.group(1)), int(m.group(2)) if m.group(2) else None)
        if get and path == "/search.json":
            return self.search(q.get("q", q.get("term", "")), q.get("page", "1"))
        for pattern, name in VERBATIM:
            if get and re.fullmatch(pattern, path):
                return 200, forum.load(name)
        if self.command == "POST" and path in ("/posts.json", "/posts"):
            return self.create(user)
        return 404, NOT_FOUND

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any

    def search(self, term, page):
        forum = self.server.forum
        if self.server.legacy_search:
            return 200, forum.load("search.json")
        if not term.strip():
            return 400, {"errors": ["param is missing or the value is empty: q"]}
        words = [w.lower() for w in term.split() if ":" not in w]
        hits = sorted((p for p in forum.posts.values()
                       if words and all(w in str(p.get("raw") or p.get("cooked", "")).lower() for w in words)),
                      key=lambda p: p["created_at"], reverse=True)
        start = (int(page) - 1) * 50 if page.isdigit() and int(page) > 0 else 0
        shown = hits[start:start + 50]
        posts = [{"id": p["id"], "name": p.get("name"), "username": p["username"],
                  "avatar_template": p.get("avatar_template"), "created_at": p["created_at"],
                  "like_count": 0, "blurb": re.sub(r"\s+", " ", str(p.get("raw") or ""))[:200],
                  "post_number": p["post_number"], "topic_id": p["topic_id"],
                  "topic_title_headline": forum.topics[p["topic_id"]]["title"]} for p in shown]
        tids = list(dict.fromkeys(p["topic_id"] for p in shown))
        topics = [{k: v for k, v in forum.topic(t).items() if k not in ("post_stream", "details")} for t in tids]
        return (200, {"posts": posts, "topics": topics, "users": [], "categories": [], "tags": [],
                        "groups": [], "grouped_search_result": {
                            "more_posts": None, "more_users": None, "more_categories": None,
                            "term": term, "search_log_id": 1, "more_full_page_results": len(hits) > start + 50,
                            "can_create_topic": True, "error": None, "post_ids": [p["id"] for p in shown],
                            "user_ids": [], "category_ids": [], "tag_ids": [], "group_ids": []}})

    def create(self, user):
        srv, forum = self.server, self.server.forum
        text = self.body.decode("utf-8", "replace")
        if self.headers.get("Content-Type", "").startswith("application/json"):
            try:
                a = {k: v for k, v in json.loads(text or "{}").items()}
            except (ValueError, AttributeError):
                return 400, {"errors": ["The request body is not valid JSON"]}
        else:
            a = {k: v[-1] for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}
        raw, title = str(a.get("raw") or "").strip(), str(a.get("title") or "").strip()
        tid = int(a["topic_id"]) if str(a.get("topic_id", "")).isdigit() else None
        errors = []
        if len(raw) < srv.min_post_length:
            errors.append("Body is too short (minimum is %d characters)" % srv.min_post_length
                          if raw else "Body can't be blank")
        if tid is None and not title:
            errors.append("Title can't be blank")
        elif tid is not None and tid not in forum.topics:
            errors.append("Topic not found")
        since = time.time() - srv.unique_mins * 60
        if any(r[0] >= since and r[1:] == (user, tid, raw) for r in forum.recent) and tid is not None:
            errors.append("Body is too similar to what you recently posted")
        if errors:
            return 422, {"action": "create_post", "errors": errors}
        pid, stamp = max(forum.posts) + 1, time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        if tid is None:
            tid = max(forum.topics) + 1
            slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "topic"
            forum.topics[tid] = {"id": tid, "title": title, "fancy_title": html.escape(title), "slug": slug,
                                 "created_at": stamp, "archetype": "regular", "visible": True,
                                 "closed": False, "archived": False, "views": 0, "like_count": 0,
                                 "category_id": int(a["category"]) if str(a.get("category", "")).isdigit() else None,
                                 "highest_post_number": 0}
        rtpn = int(a["reply_to_post_number"]) if str(a.get("reply_to_post_number", "")).isdigit() else None
        exists = rtpn is None or any(p["post_number"] == rtpn for p in forum.topic_posts(tid))
        post = dict(copy.deepcopy(forum.load("post.json")), id=pid, name=user, username=user,
                    display_username=user, avatar_template="/letter_avatar_proxy/v4/letter/%s/{size}.png" % user[0],
                    created_at=stamp, updated_at=stamp, cooked=cook(raw), raw=raw,
                    post_number=forum.topics[tid]["highest_post_number"] + 1, reply_to_post_number=rtpn,
                    topic_id=tid, topic_slug=forum.topics[tid]["slug"], user_id=2, yours=True, reads=0,
                    score=0, moderator=False, admin=False, staff=False, trust_level=1, can_delete=True,
                    actions_summary=[])
        forum.add(post, stream=True)
        forum.recent.append((time.time(), user, tid, raw))
        self.log({"event": "post", "id": pid, "topic_id": tid, "post_number": post["post_number"],
                  "reply_to_post_number": rtpn, "reply_target_exists": exists, "username": user, "raw": raw})
        return 200, post


class Faults:
    """The --faults file: its lines, each with the times it has left, reloaded on change."""
    def __init__(self, path):
        self.path, self.stamp, self.lines = path, None, []

    def take(self, method, path, query):
        with lock:
            try:
                st = os.stat(self.path)
                stamp = (st.st_mtime_ns, st.st_size)
            except OSError:
                stamp = None
            if stamp != self.stamp:
                self.stamp, self.lines = stamp, []
                if stamp:
                    with open(self.path, encoding="utf-8") as f:
                        self.lines = [json.loads(x) for x in f if x.strip()]
                    for x in self.lines:  # left: None forever
                        x["left"] = int(x.get("times", 1)) or None
            for x in self.lines:
                p, _, q = x.get("path", "").partition("?")
                if x["left"] == 0 or x.get("method", "GET").upper() != method or p != path or \
                        (q and q != query):
                    continue
                if x["left"] is not None:
                    x["left"] -= 1
                return x
            return None


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description="fake Discourse API for smkit tests")
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "../../../shared/corpus/discourse"))
    ap.add_argument("--api-key", default="test-api-key")
    ap.add_argument("--api-username")
    ap.add_argument("--legacy-search", action="store_true")
    ap.add_argument("--min-post-length", type=int, default=20)
    ap.add_argument("--unique-posts-mins", type=float, default=5)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--pid-file")
    ap.add_argument("--faults")
    ap.add_argument("--log", default=os.devnull)
    a = ap.parse_args()
    ThreadingHTTPServer.daemon_threads = True
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.forum, srv.logfile, srv.api_key, srv.api_username = Forum(a.corpus), a.log, a.api_key, a.api_username
    srv.faults = Faults(a.faults) if a.faults else None
    srv.legacy_search, srv.min_post_length, srv.unique_mins = a.legacy_search, a.min_post_length, a.unique_posts_mins
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
