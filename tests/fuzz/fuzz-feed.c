/*
 * fuzz-feed.c - the feed parser (feed*.c over libxml2 and jansson, html.c, date.c): RSS,
 * Atom and JSON Feed as a server might send them. The first byte of the input picks the
 * Content-Type and base URL it came with; the rest is the document. Whatever it reads must
 * be item records that the record checks accept.
 */
#include "fuzz.h"

static const struct {
	const char *type, *base;
} from[] = {
	{NULL, NULL},
	{"application/rss+xml", "https://blog.example.org/feed.xml"},
	{"application/atom+xml; charset=iso-8859-1", "http://example.com/a/b/atom"},
	{"application/feed+json", "https://example.net/feed.json"},
	{"text/xml; charset=windows-1252", NULL},
	{"text/html", "https://example.org/"},
	{"application/xml; charset=utf-16", "file:///srv/feed.xml"},
	{"text/plain; charset=bogus", "https://a.example/%zz?q=1#f"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	sm_feed f;
	size_t pick = size ? data[0] % (sizeof from / sizeof from[0]) : 0;
	const char *doc = size ? (const char *)data + 1 : "";
	if (sm_feed_parse(doc, size ? size - 1 : 0, from[pick].base, from[pick].type, &f) < 0) {
		fuzz_check(*sm_errmsg(), "refused without a message");
		return 0;
	}
	fuzz_check(json_is_array(f.items), "no item array");
	size_t i;
	json_t *it;
	json_array_foreach(f.items, i, it) {
		fuzz_check(sm_item_check(it) == 0, "item %zu: %s", i, sm_errmsg());
		const char *ext = json_string_value(json_object_get(it, "ext_id"));
		fuzz_check(ext && *ext, "item %zu without an ext_id", i);
		const char *at = json_string_value(json_object_get(it, "created_at"));
		time_t t;
		fuzz_check(!at || sm_date_parse(at, &t) == 0, "item %zu: created_at '%s' is no date", i, at);
		char *line = json_dumps(it, JSON_COMPACT);
		fuzz_check(line, "item %zu cannot be written", i);
		json_t *back = sm_record_parse(line, strlen(line), "fuzz", 1, SM_LOOP_ITEMS);
		fuzz_check(back, "item %zu not read back: %s", i, sm_errmsg());
		json_decref(back);
		free(line);
	}
	fuzz_check(!f.bozo || f.bozo_msg, "ill-formed without a message");
	sm_feed_free(&f);
	return 0;
}
