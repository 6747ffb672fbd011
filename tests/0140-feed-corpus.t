#!/bin/sh
# 0140-feed-corpus.t - every document of the feed corpus (feedparser's test suite) parses
# without a crash or sanitizer report, and its expectations about our fields hold.
. "${SM_SRC:-.}/tests/lib/test.sh"
corpus=$SM_CORPUS/feeds
[ -d "$corpus" ] || skip_all "feed corpus not found at $corpus"
/usr/bin/python3 "$SM_SRC/tests/lib/feedcorpus.py" "$SM_BUILD/tests/unit/feeddump" "$corpus"
