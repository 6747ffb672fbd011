#!/usr/bin/python3
"""feedcorpus.py FEEDDUMP CORPUS - runs sm_feed_parse (through tests/unit/feeddump) over every
document of the feed corpus (feedparser's test documents) and checks each Expect: line that is
about our fields, translated to them. TAP on stdout; used by tests/0140-feed-corpus.t.

How feedparser's names are read (anything else makes a case "not ours" and it is not counted):
  entries[i]['id'|'guid']                       ext_id
  entries[i]['title'], ['title_detail']['value'] title
  entries[i]['link']                            url
  entries[i]['content'][0]['value']             text, when the entry has a content element
  entries[i]['summary'|'description']           text, when it has none (we keep one text)
  entries[i]['published'|'created'][_parsed]    created_at
  entries[i]['updated'][_parsed]                updated_at, else created_at (feedparser calls
                                                dc:date "updated"; for us it is the creation)
  entries[i]['author'], ['author_detail']       author {name, email, url}
  entries[i]['tags'][k]['term'], ['category']   categories
  entries[i]['language'], feed['language']      lang (not where the language came by HTTP)
  feed['title'|'title_detail'|'link'], version, len(entries)
feedparser keeps HTML in titles and content where we give plain text: where its value is
HTML (decided from the source element the way feedparser decides), the expected value goes
through our own sm_html_to_text before the comparison; where it is text, it is compared as is.
"not bozo" means our bozo flag must be clear; "bozo" is checked only under illformed/, where it
means an XML syntax error as ours does (feedparser's bozo also covers encodings and HTTP).
"""
import ast
import calendar
import datetime
import email.utils
import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import urljoin

# Cases whose expectation cannot hold for smkit's model, with the reason.
EXCLUDED = {
    'wellformed/rss/item_summary_and_description.xml':
        'feedparser turns <description> into content when a <summary> exists; we keep one text',
    'encoding/bozo_linenoise.xml':
        'UTF-8 with a stray byte: feedparser re-reads the whole document as windows-1252 '
        '(mojibake), we keep the UTF-8 and read only the stray byte so',
}

CATEGORY = [  # (feedparser key, category), most specific first
    ('id', 'identity'), ('guid', 'identity'), ('version', 'format'), ('count', 'count'),
    ('published', 'date'), ('published_parsed', 'date'), ('updated', 'date'),
    ('updated_parsed', 'date'), ('created', 'date'), ('created_parsed', 'date'),
    ('link', 'link'), ('title', 'title'), ('title_detail', 'title'), ('content', 'content'),
    ('summary', 'content'), ('summary_detail', 'content'), ('description', 'content'),
    ('author', 'author'), ('author_detail', 'author'), ('tags', 'categories'),
    ('category', 'categories'), ('language', 'lang'), ('bozo', 'wellformed'),
]


class NotOurs(Exception):
    """the expectation reads something smkit does not produce"""


def decode(raw):
    """the document as text, for reading its test header and elements"""
    for bom, enc in ((b'\0\0\xfe\xff', 'utf-32-be'), (b'\xff\xfe\0\0', 'utf-32-le'),
                     (b'\0\0\0<', 'utf-32-be'), (b'<\0\0\0', 'utf-32-le'),
                     (b'\xfe\xff', 'utf-16-be'), (b'\xff\xfe', 'utf-16-le'),
                     (b'\0<', 'utf-16-be'), (b'<\0', 'utf-16-le')):
        if raw.startswith(bom):
            return raw.decode(enc, 'replace').lstrip('\ufeff')
    return raw.decode('utf-8', 'replace')


def test_header(src):
    """the Key: value lines of the document's first comment (or JSON "__TEST__")"""
    m = re.search(r'<!--(.*?)-->', src, re.S)
    if not m:
        m = re.search(r'"__TEST__"\s*:\s*"((?:[^"\\]|\\.)*)"', src)
        text = re.sub(r'\s+(?=[A-Z][A-Za-z-]*:)', '\n', m.group(1)) if m else ''
    else:
        text = m.group(1)
    hdr = {'Header': []}
    for line in text.splitlines():
        k, sep, v = line.strip().partition(':')
        if sep and re.fullmatch(r'[A-Z][A-Za-z-]*', k):
            v = v.strip()
            if k == 'Expect':
                v = v.rstrip('->').strip()
            if k == 'Header':
                hdr['Header'].append(v)
            else:
                hdr.setdefault(k, v)
    return hdr


def base_and_type(rel, headers):
    """the URL feedparser's test server gives the document, and its Content-Type"""
    url, ctype, lang = 'http://127.0.0.1:8097/tests/' + rel, '', False
    for h in headers:
        k, _, v = h.partition(':')
        k, v = k.strip().lower(), v.strip()
        if k == 'content-location' and not re.match(r'(?i)\s*(javascript|data|vbscript):', v):
            url = urljoin(url, v)  # as a fetcher would, and never an unsafe one
        elif k == 'content-type':
            ctype = v
        elif k == 'content-language':
            lang = True
    return url, ctype, lang


# ---- the source elements, to tell whether feedparser's value is HTML ----

def blocks(src):
    """the entries (or items) of the document, as source text"""
    return [m.group(0) for m in re.finditer(
        r'<(?:\w+:)?(entry|item)\b[^>]*>.*?</(?:\w+:)?\1\s*>', src, re.S)]


def feed_part(src):
    m = re.search(r'<(?:\w+:)?(entry|item)\b', src)
    return src[:m.start()] if m else src


def element(region, names):
    """(attributes, inner text) of the first element named one of names, or None"""
    pat = r'<((?:\w+:)?(?:%s))\b([^>]*?)(?:/>|>(.*?)</\1\s*>)' % '|'.join(names)
    for m in re.finditer(pat, region, re.S):
        attrs = dict((k.split(':')[-1].lower(), v) for k, _, v in
                     re.findall(r'([\w:]+)\s*=\s*(["\'])(.*?)\2', m.group(2)))
        return attrs, m.group(3) or ''
    return None


def has_children(inner):
    return re.search(r'<[A-Za-z]', re.sub(r'<!\[CDATA\[.*?\]\]>', '', inner, flags=re.S))


def unescape_xml(s):
    s = re.sub(r'<!\[CDATA\[(.*?)\]\]>', lambda m: m.group(1).replace('&', '&amp;'), s, flags=re.S)
    return s.replace('&lt;', '<').replace('&gt;', '>').replace('&quot;', '"').replace('&amp;', '&')


def looks_like_html(s):
    return re.search(r'</\w+>', s) or re.search(r'&#?\w+;', s)


def is_html(kind, region, names, is_json):
    """feedparser's view: is the value of this element HTML?"""
    if is_json:
        return kind == 'content'
    el = element(region, names)
    if el is None:
        return False
    attrs, inner = el
    typ, mode = attrs.get('type', '').lower(), attrs.get('mode', '').lower()
    if has_children(inner) or mode == 'xml':
        return True
    if typ or mode:
        return 'html' in typ or typ.endswith('xml')
    if kind == 'title':
        return bool(looks_like_html(unescape_xml(inner)))
    return True  # RSS description, content:encoded and the like are HTML


# ---- feedparser-like views of our result ----

class View(dict):
    """a feedparser dict with only the keys we map; others raise NotOurs"""

    def __init__(self, known, values, used):
        super().__init__((k, v) for k, v in values.items() if v is not None)
        self.known, self.used = known, used

    def _key(self, k):
        if k not in self.known:
            raise NotOurs(k)
        self.used.append(k)

    def __getitem__(self, k):
        self._key(k)
        return dict.__getitem__(self, k)

    def __getattr__(self, k):
        if k.startswith('__'):
            raise AttributeError(k)
        return self[k]  # a KeyError, not AttributeError: a missing field fails the case

    def get(self, k, default=None):
        self._key(k)
        return dict.get(self, k, default)

    def has_key(self, k):
        self._key(k)
        return dict.__contains__(self, k)

    __contains__ = has_key


class Text(str):
    """our plain text; equal to feedparser's value after converting it as we convert HTML"""

    def __new__(cls, s, html, h2t):
        o = str.__new__(cls, s)
        o.html, o.h2t = html, h2t
        return o

    def __eq__(self, other):
        if not isinstance(other, str):
            return False
        return str(self) == (self.h2t(other) if self.html else other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


class When(str):
    """our RFC 3339 time; equal to a date string that means the same instant"""

    def __eq__(self, other):
        return isinstance(other, str) and parse_date(other) == parse_date(str(self))

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = str.__hash__


def parse_date(s):
    try:
        return email.utils.parsedate_to_datetime(s).timestamp()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.datetime.fromisoformat(s.replace('Z', '+00:00')).timestamp()
    except ValueError:
        return None


def parsed(t):
    if t is None:
        return None
    return time.gmtime(calendar.timegm(time.strptime(t, '%Y-%m-%dT%H:%M:%SZ')))


class Version(str):
    NAMES = {'rss090': 'rss0.90', 'rss091n': 'rss0.91', 'rss091u': 'rss0.91',
             'rss092': 'rss0.92', 'rss093': 'rss0.93', 'rss094': 'rss0.94', 'rss20': 'rss2.0',
             'rss10': 'rss1.0', 'rss': 'rss', 'atom03': 'atom0.3', 'atom10': 'atom1.0',
             'json1': 'json1', 'json11': 'json1.1'}

    def __eq__(self, other):
        return str(self) == self.NAMES.get(other, '?')

    __hash__ = str.__hash__


class Entries(list):
    def __init__(self, items, used):
        super().__init__(items)
        self.used = used

    def __len__(self):
        self.used.append('count')
        return list.__len__(self)


def author_views(item, used):
    a = item.get('author') or {}
    name, mail = a.get('name'), a.get('email')
    text = '%s (%s)' % (name, mail) if name and mail else name or mail
    detail = View({'name', 'email', 'url', 'href'}, {
        'name': name, 'email': mail, 'url': a.get('url'), 'href': a.get('url')}, used)
    return text, detail if a else None


def entry_view(item, block, is_json, http_lang, h2t, used):
    content_names = ['content', 'encoded', 'body', 'fullitem']
    has_content = is_json or element(block, content_names) is not None
    # an absent text or title is empty text: HTML without text, such as <img>, converts to ""
    names = content_names if has_content else ['summary', 'description']
    text = Text(item.get('text', ''), is_html('content', block, names, is_json), h2t)
    title = Text(item.get('title', ''), is_html('title', block, ['title'], is_json), h2t)
    created, updated = item.get('created_at'), item.get('updated_at')
    updated = updated or created
    author, detail = author_views(item, used)
    cats = item.get('categories') or []
    known = {'id', 'guid', 'title', 'title_detail', 'link', 'published', 'published_parsed',
             'created', 'created_parsed', 'updated', 'updated_parsed', 'author',
             'author_detail', 'tags', 'category'}
    known |= {'content'} if has_content else {'summary', 'description', 'summary_detail'}
    if not http_lang:
        known.add('language')
    value = View({'value'}, {'value': text}, used)
    return View(known, {
        'id': item.get('ext_id'), 'guid': item.get('ext_id'), 'link': item.get('url'),
        'title': title, 'title_detail': View({'value'}, {'value': title}, used),
        'published': created and When(created), 'published_parsed': parsed(created),
        'created': created and When(created), 'created_parsed': parsed(created),
        'updated': updated and When(updated), 'updated_parsed': parsed(updated),
        'content': [value],
        'summary': text, 'description': text, 'summary_detail': value,
        'author': author, 'author_detail': detail,
        'tags': [View({'term'}, {'term': c}, used) for c in cats] or None,
        'category': cats[0] if cats else None, 'language': item.get('lang'),
    }, used)


def feed_view(doc, src, is_json, http_lang, h2t, used):
    title = Text(doc.get('title') or '', is_html('title', feed_part(src), ['title'], is_json), h2t)
    known = {'title', 'title_detail', 'link'} | (set() if http_lang else {'language'})
    return View(known, {'title': title, 'link': doc.get('link'), 'language': doc.get('lang'),
                        'title_detail': View({'value'}, {'value': title}, used)}, used)


def split_bozo(expr):
    """(None/True/False for the bozo part, the rest of the expression)"""
    m = re.match(r'\s*(not\s+)?bozo\b(?:\s+and\s+(.*))?\s*$', expr, re.S)
    if not m:
        return None, expr
    return not m.group(1), (m.group(2) or '')


def evaluate(expr, doc, src, is_json, http_lang, h2t):
    """(result, keys used) of a feedparser expression over our result; NotOurs if it reads
    anything we do not produce"""
    used = []
    items = doc.get('items') or []
    bl = blocks(src)
    entries = Entries([entry_view(it, bl[i] if i < len(bl) else '', is_json, http_lang, h2t, used)
                       for i, it in enumerate(items)], used)
    ns = {'feed': feed_view(doc, src, is_json, http_lang, h2t, used), 'entries': entries,
          'version': Version(doc.get('format') or '')}
    builtins = {'len': len, 'ord': ord, 'None': None, 'True': True, 'False': False}
    try:
        result = bool(eval(expr, {'__builtins__': builtins}, ns))
    except (NameError, AttributeError) as e:
        raise NotOurs(str(e))
    except (KeyError, IndexError, TypeError):
        result = False
    if 'version' in expr:
        used.append('version')
    if not used:
        raise NotOurs('no field of ours')
    return result, used


def category(used):
    for key, cat in CATEGORY:
        if key in used:
            return cat
    return 'other'


def literals(expr):
    try:
        return [n.value for n in ast.walk(ast.parse(expr.strip(), mode='eval'))
                if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    except SyntaxError:
        return []


class HtmlToText:
    """sm_html_to_text over the expected strings, run once for all of them"""

    def __init__(self, feeddump, strings):
        strings = sorted(set(strings))
        out = subprocess.run([feeddump, '-H'], input=json.dumps(strings).encode(),
                             stdout=subprocess.PIPE, check=True).stdout
        self.map = dict(zip(strings, json.loads(out)))

    def __call__(self, s):
        return self.map[s]


def run_feeddump(feeddump, jobs):
    """{file: result} for the documents, and the list of (file, status) that crashed"""
    env = dict(os.environ)
    env.setdefault('ASAN_OPTIONS', 'detect_leaks=1:abort_on_error=0:exitcode=86')
    env.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1:halt_on_error=1')
    lines = ''.join('%s\t%s\t%s\n' % job for job in jobs)
    p = subprocess.run([feeddump, '-l'], input=lines.encode(), stdout=subprocess.PIPE, env=env)
    results = {}
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        results[o['file']] = o
    if p.returncode == 0 and len(results) == len(jobs):
        return results, []
    crashed = []  # one process per document, to tell which one it was
    for path, base, ctype in jobs:
        q = subprocess.run([feeddump, '-b', base, '-t', ctype, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env)
        if q.returncode != 0:
            crashed.append((path, q.returncode, q.stderr.decode(errors='replace')[-1500:]))
        else:
            results[path] = json.loads(q.stdout)
    return results, crashed


class Tap:
    def __init__(self):
        self.n = self.failed = 0

    def ok(self, cond, desc, diag=()):
        self.n += 1
        self.failed += not cond
        print('%s %d - %s' % ('ok' if cond else 'not ok', self.n, desc))
        for line in diag:
            print('# ' + line.replace('\n', '\n#   '))


def load(corpus):
    docs = []
    for d, _, files in os.walk(corpus):
        for f in sorted(files):
            if f.endswith(('.xml', '.json')):
                path = os.path.join(d, f)
                rel = os.path.relpath(path, corpus)
                src = decode(open(path, 'rb').read())
                hdr = test_header(src)
                base, ctype, http_lang = base_and_type(rel, hdr['Header'])
                body = re.sub(r'<!--.*?-->', '', src, count=1, flags=re.S)
                docs.append(dict(path=path, rel=rel, src=body, hdr=hdr, base=base, ctype=ctype,
                                 http_lang=http_lang, json=f.endswith('.json')))
    return sorted(docs, key=lambda d: d['rel'])


def check(doc, result, h2t):
    """None if the case is not ours, else (category, passed, what we produced)"""
    expr = doc['hdr'].get('Expect', '')
    want_bozo, rest = split_bozo(expr)
    if want_bozo and not doc['rel'].startswith('illformed/'):
        want_bozo = None  # feedparser's bozo for encodings and HTTP; ours is XML syntax
    passed, cat = True, None
    if rest.strip():
        try:
            passed, used = evaluate(rest, result if result.get('ok') else {}, doc['src'],
                                    doc['json'], doc['http_lang'], h2t)
            cat = category(used)
        except NotOurs:
            if want_bozo is None:
                return None
    if want_bozo is not None:
        bozo = result.get('bozo') or not result.get('ok')  # unreadable is ill-formed too
        passed = passed and bool(bozo) == want_bozo
        cat = cat or 'wellformed'
    if cat is None:
        return None
    return cat, passed


def main():
    feeddump, corpus = sys.argv[1], sys.argv[2]
    tap = Tap()
    docs = load(corpus)
    results, crashed = run_feeddump(feeddump, [(d['path'], d['base'], d['ctype']) for d in docs])
    tap.ok(not crashed, 'all %d documents parse without a crash or sanitizer report' % len(docs),
           ['%s: exit %d\n%s' % c for c in crashed])
    h2t = HtmlToText(feeddump, [s for d in docs for s in literals(d['hdr'].get('Expect', ''))])
    cats, fails = {}, {}
    for d in docs:
        if d['rel'] in EXCLUDED or d['path'] not in results:
            continue
        r = check(d, results[d['path']], h2t)
        if r is None:
            continue
        cat, passed = r
        total, good = cats.get(cat, (0, 0))
        cats[cat] = (total + 1, good + passed)
        if not passed:
            res = results[d['path']]
            fails.setdefault(cat, []).append('%s: %s\n got: %s' % (
                d['rel'], d['hdr'].get('Expect'), json.dumps(
                    {k: res.get(k) for k in ('title', 'link', 'lang', 'format', 'bozo', 'error',
                                             'items') if res.get(k) is not None})[:600]))
    for cat in sorted(cats):
        total, good = cats[cat]
        tap.ok(good == total, '%s: %d of %d expectations hold' % (cat, good, total),
               fails.get(cat, []))
    for rel, why in sorted(EXCLUDED.items()):
        print('# excluded: %s: %s' % (rel, why))
    m = sum(t for t, _ in cats.values())
    p = sum(g for _, g in cats.values())
    parsed = len(docs) - len(crashed)
    read = sum(1 for r in results.values() if r.get('ok'))
    print('# feed corpus: %d documents parsed (%d read as feeds), %d expectations checked, '
          '%d passed' % (parsed, read, m, p))
    tap.ok(p == m, 'every expectation checked holds')
    print('1..%d' % tap.n)
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main())
