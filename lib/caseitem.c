/*
 * caseitem.c - what sm-assign reads of an item: from a jansson record, or straight from the
 * bytes of a line (sm_jscan) together with the row the store keeps, so the filter's hot
 * path builds no tree; and the members sm-assign adds to a printed item.
 */
#include <stdlib.h>
#include <string.h>

#include "assign.h"

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

void sm_case_item_json(sm_case_item *it, json_t *item)
{
	json_t *au = json_object_get(item, "author"), *tags = json_object_get(item, "tags"), *t;
	size_t i;
	memset(it, 0, sizeof *it);
	it->id = str(item, "id");
	it->channel = str(item, "channel");
	it->network = str(item, "network");
	it->kind = str(item, "kind");
	it->thread = str(item, "thread");
	it->in_reply_to = str(item, "in_reply_to");
	it->author_id = str(au, "id");
	it->author_handle = str(au, "handle");
	it->team = str(item, "team");
	it->priority = str(item, "priority");
	it->lang = str(item, "lang");
	it->created_at = str(item, "created_at");
	json_array_foreach(tags, i, t)
		if (it->ntags < SM_CI_MAXTAGS && json_is_string(t))
			it->tags[it->ntags++] = json_string_value(t);
}

/* A string member: where its text is, as an offset into the arena (decoded there) or, when
   it holds no escapes, into the line itself; -1 when it is absent or no string. */
typedef struct {
	long off;
	int in_line;
	size_t n;
} span;

static span keep(sm_buf *arena, const char *line, const sm_jval *v, int copy)
{
	span s = {-1, 0, 0};
	if (v->type != SM_JSTRING)
		return s;
	if (!v->escaped && !copy) {
		s.off = v->p - line;
		s.in_line = 1;
		s.n = v->n;
		return s;
	}
	s.off = (long)arena->len;
	sm_jstring(v, arena); /* sm_jscan refused what it could fail on */
	s.n = arena->len - (size_t)s.off;
	sm_buf_addc(arena, 0);
	return s;
}

static const char *at(const span *s, const char *line, const sm_buf *arena)
{
	return s->off < 0 ? NULL : s->in_line ? line + s->off : arena->s + s->off;
}

/* The members sm-assign prints: is one of them in the line already? */
static unsigned printed_members(const char *line, size_t len)
{
	static const char *const names[] = {"case", "status", "assignee", "due", "explain", NULL};
	static const unsigned char size[] = {4, 6, 8, 3, 7};
	const char *p = line, *end = line + len;
	int any = 0;
	/* the usual line has none of the names anywhere in it: one pass over its quotes, and
	   a look at the rest only where a name's first letter follows one */
	while (!any && (p = memchr(p, '"', (size_t)(end - p))) && ++p < end) {
		if (*p != 'c' && *p != 's' && *p != 'a' && *p != 'd' && *p != 'e')
			continue;
		for (int i = 0; names[i] && !any; i++) {
			size_t n = size[i];
			any = *p == names[i][0] && p + n < end && !memcmp(p, names[i], n) && p[n] == '"';
		}
	}
	if (!any)
		return 0;
	sm_jval v[5];
	if (sm_jscan(line, len, names, v) < 0)
		return SM_CI_HAS_PRINTED;
	return v[0].type || v[1].type || v[2].type || v[3].type || v[4].type ? SM_CI_HAS_PRINTED : 0;
}

int sm_case_item_line(sm_case_item *it, const char *line, size_t len, sm_buf *arena,
		      sm_item_row *row, unsigned *has)
{
	/* the item fields, in the store's columns, then the ones only sm-assign reads */
	enum { NCOL = SM_COL_RECORD, TEAM = NCOL, PRIORITY, NSPAN };
	static const signed char member[NCOL] = {
		[SM_COL_ID] = SM_M_ID, [SM_COL_CHANNEL] = SM_M_CHANNEL, [SM_COL_NETWORK] = SM_M_NETWORK,
		[SM_COL_KIND] = SM_M_KIND, [SM_COL_EXT_ID] = SM_M_EXT_ID, [SM_COL_URL] = SM_M_URL,
		[SM_COL_THREAD] = SM_M_THREAD, [SM_COL_IN_REPLY_TO] = SM_M_IN_REPLY_TO,
		[SM_COL_AUTHOR_ID] = -1 - SM_A_ID, [SM_COL_AUTHOR_HANDLE] = -1 - SM_A_HANDLE,
		[SM_COL_AUTHOR_NAME] = -1 - SM_A_NAME, [SM_COL_TITLE] = SM_M_TITLE, [SM_COL_TEXT] = SM_M_TEXT,
		[SM_COL_LANG] = SM_M_LANG, [SM_COL_CREATED_AT] = SM_M_CREATED_AT,
		[SM_COL_FETCHED_AT] = SM_M_FETCHED_AT,
	};
	sm_jval m[SM_M_N], au[SM_A_N], e;
	span sp[NSPAN], tag[SM_CI_MAXTAGS];
	size_t ntags = 0;
	if (sm_item_check_line(line, len, m, au) < 0)
		return -1;
	sm_buf_reset(arena);
	/* the fields sm-assign reads as C strings are copied (NUL-terminated); the long ones
	   the store takes with a length stay in the line when they can */
	for (int c = 0; c < NCOL; c++) {
		int copy = c != SM_COL_TITLE && c != SM_COL_TEXT && c != SM_COL_URL;
		sp[c] = keep(arena, line, member[c] < 0 ? &au[-1 - member[c]] : &m[member[c]], copy);
	}
	sp[TEAM] = keep(arena, line, &m[SM_M_TEAM], 1);
	sp[PRIORITY] = keep(arena, line, &m[SM_M_PRIORITY], 1);
	for (const char *pos = NULL; m[SM_M_TAGS].type == SM_JARRAY && ntags < SM_CI_MAXTAGS &&
				     sm_jnext(&m[SM_M_TAGS], &pos, &e);)
		if (e.type == SM_JSTRING)
			tag[ntags++] = keep(arena, line, &e, 1);
	/* the arena has stopped moving: the pointers into it hold */
	memset(row, 0, sizeof *row);
	for (int c = 0; c < NCOL; c++) {
		row->v[c] = at(&sp[c], line, arena);
		row->len[c] = sp[c].n;
	}
	row->v[SM_COL_RECORD] = line; /* stored as it came */
	row->len[SM_COL_RECORD] = len;
	memset(it, 0, sizeof *it);
	it->id = row->v[SM_COL_ID];
	it->channel = row->v[SM_COL_CHANNEL];
	it->network = row->v[SM_COL_NETWORK];
	it->kind = row->v[SM_COL_KIND];
	it->thread = row->v[SM_COL_THREAD];
	it->in_reply_to = row->v[SM_COL_IN_REPLY_TO];
	it->author_id = row->v[SM_COL_AUTHOR_ID];
	it->author_handle = row->v[SM_COL_AUTHOR_HANDLE];
	it->lang = row->v[SM_COL_LANG];
	it->created_at = row->v[SM_COL_CREATED_AT];
	it->team = at(&sp[TEAM], line, arena);
	it->priority = at(&sp[PRIORITY], line, arena);
	for (size_t i = 0; i < ntags; i++)
		it->tags[it->ntags++] = at(&tag[i], line, arena);
	*has = printed_members(line, len) | (m[SM_M_TEAM].type ? SM_CI_HAS_TEAM : 0);
	return 0;
}

/* Append ,"key":"value" with the value escaped as JSON (key: with its quotes and colon). */
static void member_str(sm_buf *b, const char *key, const char *v)
{
	sm_buf_adds(b, key);
	sm_buf_json_str(b, v, strlen(v));
}

int sm_case_splice(sm_buf *out, const char *line, size_t len, unsigned has, const sm_case_item *it,
		   const sm_case *c)
{
	size_t end = len;
	while (end > 0 && line[end - 1] != '}')
		end--;
	/* a member to replace rather than add: the caller prints through jansson */
	if (end == 0 || (has & SM_CI_HAS_PRINTED) ||
	    ((has & SM_CI_HAS_TEAM) && c->team[0] && (!it->team || strcmp(it->team, c->team))))
		return -1;
	char num[24];
	sm_buf_add(out, line, end - 1);
	sm_buf_adds(out, ",\"case\":");
	sm_buf_add(out, num, sm_fmt_ll(num, c->id));
	member_str(out, ",\"status\":", c->status);
	if (c->team[0] && !(has & SM_CI_HAS_TEAM))
		member_str(out, ",\"team\":", c->team);
	if (c->assignee[0])
		member_str(out, ",\"assignee\":", c->assignee);
	if (c->first_response_due[0])
		member_str(out, ",\"due\":", c->first_response_due);
	sm_buf_add(out, "}\n", 2);
	return 0;
}
