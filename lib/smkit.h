/*
 * smkit.h - the one public header of libsmkit, the code every sm-* command shares.
 * Prototypes are grouped by the file that defines them, lowest layer first.
 */
#ifndef SMKIT_H
#define SMKIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#define SM_VERSION "0.1.0"

/* sysexits.h values, as SPEC §5 uses them */
enum {
	SM_EX_OK = 0,
	SM_EX_NOMATCH = 1,
	SM_EX_USAGE = 64,
	SM_EX_DATAERR = 65,
	SM_EX_NOINPUT = 66,
	SM_EX_UNAVAILABLE = 69,
	SM_EX_SOFTWARE = 70,
	SM_EX_OSERR = 71,
	SM_EX_CANTCREAT = 73,
	SM_EX_IOERR = 74,
	SM_EX_TEMPFAIL = 75,
	SM_EX_NOPERM = 77,
	SM_EX_CONFIG = 78,
};

/* the longest input line a record reader accepts */
#define SM_MAX_LINE (1024 * 1024)

// err.c: error messages for library callers, memory that never returns NULL
/* Set the thread's last error message; always returns -1 so callers can `return sm_error(...)`. */
int sm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *sm_errmsg(void);
/* Like sm_error, but keeps the exit status a command should use (SM_EX_*). */
int sm_error_code(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sm_errcode(void); /* the code of the last error; SM_EX_SOFTWARE if none was given */
/* Commands: print "PROG: MSG\n" to stderr. */
void sm_setprog(const char *argv0);
const char *sm_prog(void);
void sm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *sm_malloc(size_t n);
void *sm_calloc(size_t n, size_t size);
void *sm_realloc(void *p, size_t n);
char *sm_strdup(const char *s);
char *sm_strndup(const char *s, size_t n);
char *sm_strtrim(const char *s, size_t n); /* s[0..n) without blanks and tabs at the ends */
char *sm_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

// buf.c: a growable byte buffer
typedef struct {
	char *s;
	size_t len, cap;
} sm_buf;
void sm_buf_grow(sm_buf *b, size_t extra);
void sm_buf_add(sm_buf *b, const void *p, size_t n);
void sm_buf_adds(sm_buf *b, const char *s);
void sm_buf_addc(sm_buf *b, char c);
void sm_buf_printf(sm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *sm_buf_detach(sm_buf *b); /* NUL-terminated; the buffer is empty afterwards */
void sm_buf_reset(sm_buf *b);
void sm_buf_free(sm_buf *b);
/* s[0..n) as a JSON string, quotes included (UTF-8 passes as it is). */
void sm_buf_json_str(sm_buf *b, const char *s, size_t n);
/* v in decimal, NUL-terminated; its length (the work of "%lld" without printf). */
size_t sm_fmt_ll(char out[24], long long v);

// utf8.c: validation and folding of UTF-8 text
/* 1 if s[0..n) is valid UTF-8 (no overlongs, no surrogates); else 0 and *bad = offset */
int sm_utf8_valid(const char *s, size_t n, size_t *bad);
/*
 * s[0..n) with every byte that is not part of valid UTF-8 read as windows-1252 (the five
 * bytes it leaves undefined as U+0081...), as browsers read such text. Malloc'd and
 * NUL-terminated; *len (if not NULL) is its length.
 */
char *sm_utf8_fix(const char *s, size_t n, size_t *len);

// term.c: outside text made safe for a terminal
/* Append s[0..n) with control characters (C0, DEL, C1), bidirectional controls and bytes
   that are not UTF-8 written as visible escapes (\x1b, \u202e); with SM_TERM_KEEP_NL newline
   and tab stay. SM_TERM_JSON is for a JSON text: the escapes are JSON's (\u0085), and the C0
   characters, which only whitespace between tokens can be, become spaces. */
enum { SM_TERM_KEEP_NL = 1, SM_TERM_JSON = 2 };
void sm_term_escapen(sm_buf *out, const char *s, size_t n, int flags);
/* The same of a string, no flags: newline and tab too as \n, \t (sm-report's cells). */
void sm_term_escape(sm_buf *b, const char *s);
char *sm_term_safe(const char *s, int flags); /* sm_term_escapen, malloc'd */
/* A table cell: escaped (a newline too), cut after max characters (0: not cut); malloc'd. */
char *sm_term_cell(const char *s, size_t max);

// textlen.c: a post's length as a network counts it against its limit
size_t sm_textlen_mastodon(const char *text);           /* code points, a link 23, @user@host as @user */
size_t sm_textlen_graphemes(const char *s, size_t n);   /* extended grapheme clusters (Bluesky) */
size_t sm_textlen_x(const char *text);                  /* twitter-text weights: CJK, emoji 2, link 23 */
size_t sm_textlen(const char *network, const char *text); /* the count the network uses */
long sm_textlen_limit(const char *network);             /* 500, 300, 280; 0: none known */

// sha256.c
void sm_sha256_hex(const void *data, size_t len, char out[65]);

// media.c: media files by their first bytes, and the multipart/form-data they are sent in
typedef struct {
	const char *mime;  /* "image/png"...; "application/octet-stream" when unknown */
	int width, height; /* pixels, when an image's header says; else 0 */
} sm_media_kind;
void sm_media_sniff(const void *data, size_t len, sm_media_kind *k);
/* What a network (or channel kind) takes with a post; 1, or 0 when smkit does not know. */
typedef struct {
	int files;          /* at most, 0: any number */
	long long bytes;    /* each at most, 0: what the server says */
	int images_only;
	int sends;          /* 0: the kind cannot send media (yet) */
} sm_media_limits;
int sm_media_limits_of(const char *network, sm_media_limits *l);
/* A boundary that neither data nor text (may be NULL) holds; out: at most 47 characters. */
void sm_form_boundary(const void *data, size_t len, const char *text, char out[48]);
/* One part of a multipart/form-data body (RFC 7578): a field, or a file with a filename. */
void sm_form_part(sm_buf *b, const char *boundary, const char *name, const char *filename,
		  const char *type, const void *data, size_t len);
void sm_form_end(sm_buf *b, const char *boundary);

// sha1.c: SHA-1 digests
/* The 40 lowercase hex digits of the SHA-1 of data[0..len), NUL-terminated in out. */
void sm_sha1_hex(const void *data, size_t len, char out[41]);

// date.c: times as smkit writes and reads them
#define SM_TIME_LEN 21 /* "2026-11-23T09:58:00Z" plus NUL */
/* Format t as RFC 3339 in UTC, second precision: 2026-11-23T09:58:00Z */
char *sm_time_format(time_t t, char out[SM_TIME_LEN]);
/* The current time, or $SM_NOW (RFC 3339) when set, so tests are repeatable. */
time_t sm_now(void);
/*
 * Parse a date as feeds write it: RFC 822/1123/2822 (with any zone name or offset,
 * two-digit years, missing seconds or weekday), RFC 3339 / ISO 8601 (with or without
 * seconds, fraction or zone; date only), W3C-DTF, and the common broken forms.
 * Returns 0 and sets *t (UTC), or -1 when s is not a date.
 */
int sm_date_parse(const char *s, time_t *t);
/* A time given on a command line: relative ("7d", "24h", "30m", "2w" back from now) or a date. */
int sm_time_arg(const char *s, time_t now, time_t *t);

// hours.c: business hours and response targets in them
typedef struct sm_hours sm_hours;
/* "Mon-Fri 08:00-18:00 Europe/Berlin", "Mon-Sat 08:00-12:00,13:00-17:00 UTC", "24/7 UTC";
   the zone is an IANA name (default UTC). */
int sm_hours_parse(const char *spec, sm_hours **out);
int sm_hours_holiday(sm_hours *h, const char *date); /* YYYY-MM-DD, a local date */
void sm_hours_free(sm_hours *h);
/* The instant `seconds` of business time after `from` (at 0: the next open moment). */
time_t sm_hours_add(const sm_hours *h, time_t from, double seconds);
/* The business seconds between a and b. */
double sm_hours_between(const sm_hours *h, time_t a, time_t b);
/* Make zone (an IANA name, NULL for UTC) the one localtime and mktime use; TZ is switched
   only when the zone changes. Everything that converts local times goes through this. */
void sm_tz_use(const char *zone);
/* 0 if zone names a time zone of the system's database, else -1 with a message. */
int sm_tz_check(const char *zone);

// html.c: HTML to plain text, URL resolution
/*
 * Plain text from an HTML fragment: tags dropped, entities (named, decimal, hex)
 * decoded, <script>/<style> content dropped, block elements and <br> become breaks,
 * whitespace folded (runs of blanks to one space, at most one blank line), trimmed.
 * Returns a malloc'd NUL-terminated string (never NULL).
 */
char *sm_html_to_text(const char *html, size_t len);
/* Decode entities only, keep everything else (for text that is not markup). */
char *sm_entities_decode(const char *s, size_t len);
/* Resolve ref against base (RFC 3986); malloc'd; returns a copy of ref if base is NULL. */
char *sm_url_resolve(const char *base, const char *ref);

// jsonl.c: the shared JSON-lines record loop and record output
/*
 * Called once per record; lineno counts from 1 in each file. Return 0 to go on,
 * a negative value to stop the loop with that error (sm_error set).
 */
typedef int (*sm_record_fn)(json_t *rec, const char *file, long lineno, void *ctx);
/*
 * Read JSON-lines records from each file in files[0..nfiles) ("-" is stdin), or from
 * stdin when nfiles is 0. A bad line (too long, invalid UTF-8, not JSON, not an object,
 * a known item field of the wrong type when SM_LOOP_ITEMS is set) stops the loop and sets
 * the error "FILE:LINE: reason" with code SM_EX_DATAERR. Blank lines are skipped.
 * Returns 0, or -1 with sm_errmsg()/sm_errcode() set.
 */
enum { SM_LOOP_ITEMS = 1 };
int sm_each_record(int nfiles, char **files, int flags, sm_record_fn fn, void *ctx);
/* The same over one open stream; name is used in messages. */
int sm_each_record_fp(FILE *fp, const char *name, int flags, sm_record_fn fn, void *ctx);
/* The raw lines under the same rules (blank lines skipped, over 1 MiB an error). */
typedef int (*sm_line_fn)(const char *line, size_t len, const char *file, long lineno, void *ctx);
int sm_each_line(int nfiles, char **files, sm_line_fn fn, void *ctx);
int sm_each_line_fp(FILE *fp, const char *name, sm_line_fn fn, void *ctx);
/* Before the line readers of this thread wait for input that is not there yet, fn(ctx) runs
   (a command that keeps a transaction open while it reads commits it, so the stage before
   it in a pipeline, which writes to the same store, is not kept waiting); its error stops
   the loop. NULL: nothing. */
void sm_each_line_on_wait(int (*fn)(void *ctx), void *ctx);
/* The line readers of this thread may be cancelled (pthread_cancel) while they wait in a
   read, and there only; what they hold is freed. */
void sm_each_line_cancellable(int on);
/*
 * sm_each_line with the lines read, copied and prepared in a thread of their own while
 * fn works on the lines before them (for a command whose work per line is the store's).
 * prep(slot, line, len) runs in that thread; fn, and on_wait where the input paused, in
 * the caller's, in the order of the input, each line with the slot prep filled. A slot
 * is slot_size bytes, zeroed once and reused from line to line (prep may keep buffers in
 * it; done(slot) frees them at the end). fn's error stops the loop; its return, or the
 * reader's error (FILE:LINE as sm_each_line's), is the loop's.
 */
typedef struct {
	size_t slot_size;
	void (*prep)(void *slot, const char *line, size_t len);
	int (*fn)(void *slot, const char *line, size_t len, const char *file, long lineno, void *ctx);
	int (*on_wait)(void *ctx);
	void (*done)(void *slot);
	void *ctx;
} sm_ahead;
int sm_each_line_ahead(int nfiles, char **files, const sm_ahead *a);
/*
 * Parse one line (without its newline) into an object; on error sets
 * "NAME:LINE: reason" (code SM_EX_DATAERR) and returns NULL.
 */
json_t *sm_record_parse(const char *line, size_t len, const char *name, long lineno, int flags);
/* Write one record as a compact line on stdout; -1 on a write error. */
int sm_out_record(json_t *rec);
int sm_out_line(const char *s, size_t len); /* s is a JSON text without newline */
/* Flush and close stdout; -1 with a message if anything written was lost. */
int sm_out_close(void);
/* The end of a command: the error of rc < 0 on stderr, standard output closed (a write
   error is SM_EX_IOERR); the exit status. */
int sm_finish(int rc);

// jscan.c: a validating JSON scanner that allocates nothing
enum { SM_JSTRING = 1, SM_JINT, SM_JREAL, SM_JOBJECT, SM_JARRAY, SM_JTRUE, SM_JFALSE, SM_JNULL };
typedef struct {
	const char *p; /* strings: between the quotes; else the whole value */
	size_t n;
	int type;      /* 0: absent */
	int escaped;   /* a string holding backslash escapes */
} sm_jval;
/* Check that s is one JSON object; out[i] gets the member names[i] (NULL-terminated list).
   -1 if s is not valid JSON, repeats a member asked for, or has a top-level member name
   with escapes (rare; the caller reads such a line with jansson). */
int sm_jscan(const char *s, size_t n, const char *const *names, sm_jval *out);
/* Iterate the elements of an array or the values of an object: 1 with *elem, 0 at the end. */
int sm_jnext(const sm_jval *v, const char **pos, sm_jval *elem);
/* Append the decoded string; -1 for \u0000 or a lone surrogate. */
int sm_jstring(const sm_jval *v, sm_buf *out);

// item.c: the item record of SPEC §3
/* Check the types of the known item fields; 0, or -1 with a reason (no position). */
int sm_item_check(json_t *item);
/*
 * The same checks on a line's bytes, without a tree: 0 if it is a valid item record. The
 * members are left in m[SM_M_*] and the author's in au[SM_A_*]. -1 says only that the
 * line must be parsed with sm_record_parse to learn what is wrong.
 */
enum {
	SM_M_ID, SM_M_CHANNEL, SM_M_NETWORK, SM_M_KIND, SM_M_EXT_ID, SM_M_URL, SM_M_THREAD,
	SM_M_IN_REPLY_TO, SM_M_TEXT, SM_M_TITLE, SM_M_LANG, SM_M_CREATED_AT, SM_M_FETCHED_AT,
	SM_M_UPDATED_AT, SM_M_IN_REPLY_TO_URL, SM_M_AUTHOR, SM_M_METRICS, SM_M_CATEGORIES,
	SM_M_MEDIA, SM_M_ATTACHMENTS, SM_M_TAGS, SM_M_PRIORITY, SM_M_TEAM, SM_M_RULES, SM_M_N
};
enum { SM_A_ID, SM_A_HANDLE, SM_A_NAME, SM_A_EMAIL, SM_A_URL, SM_A_N };
int sm_item_check_line(const char *line, size_t len, sm_jval *m, sm_jval *au);
/* One item flattened into the columns the store keeps (pointers into the record). */
enum {
	SM_COL_ID, SM_COL_CHANNEL, SM_COL_NETWORK, SM_COL_KIND, SM_COL_EXT_ID, SM_COL_URL,
	SM_COL_THREAD, SM_COL_IN_REPLY_TO, SM_COL_AUTHOR_ID, SM_COL_AUTHOR_HANDLE,
	SM_COL_AUTHOR_NAME, SM_COL_TITLE, SM_COL_TEXT, SM_COL_LANG, SM_COL_CREATED_AT,
	SM_COL_FETCHED_AT, SM_COL_RECORD, SM_NCOLS
};
typedef struct {
	const char *v[SM_NCOLS]; /* NULL when absent */
	size_t len[SM_NCOLS];
	char *owned; /* the record's JSON text, malloc'd by sm_item_flatten */
} sm_item_row;
/* Flatten (item must pass sm_item_check and have an id). Free with sm_item_row_free. */
int sm_item_flatten(json_t *item, sm_item_row *row);
void sm_item_row_free(sm_item_row *row);
/* Write/read a row in a compact binary form (a spool of rows between processes or passes). */
int sm_item_row_write(FILE *fp, const sm_item_row *row);
/* Returns 1 and a row pointing into *buf, 0 at end, -1 on error. */
int sm_item_row_read(FILE *fp, sm_buf *buf, sm_item_row *row);

// gen/embedded.c (tools/embed.sh): files of share/ compiled into the binaries
const char *sm_embedded(const char *path);              /* "share/schema.sql" */
const char *sm_embedded_nth(const char *prefix, int n); /* n-th path under prefix, or NULL */

// workspace.c: finding the workspace and the files in it
typedef struct {
	char *dir;    /* absolute */
	char *config; /* DIR/config */
	char *rules;  /* DIR/rules */
	char *store;  /* DIR/store.db */
	char *plan;   /* DIR/plan */
} sm_workspace;
/* dir from --dir, else $SM_DIR, else ${XDG_DATA_HOME:-$HOME/.local/share}/smkit */
int sm_workspace_find(const char *opt_dir, sm_workspace *ws);
void sm_workspace_free(sm_workspace *ws);
/* Refuse (SM_EX_NOPERM) a store.db that is a link into another workspace, whose config
   would then not be the one that says who may act on it. Commands that check roles call it. */
int sm_workspace_check(const sm_workspace *ws);
/* The parts of a workspace, as bits of sm_workspace_create's *created. */
enum { SM_WS_DIR, SM_WS_CONFIG, SM_WS_RULES, SM_WS_TEMPLATES, SM_WS_STORE, SM_WS_PLAN, SM_WS_NPARTS };
/* Create what is missing, never overwrite; an existing config must parse (SM_EX_CONFIG). */
int sm_workspace_create(const sm_workspace *ws, int *created);
const char *sm_workspace_part(const sm_workspace *ws, int part); /* its path */

// file.c: files written beside the store
/* A new scratch file NAME-?????? in $TMPDIR (else /tmp), mode 0600: its descriptor, and
   its path in *path (malloc'd); -1 with SM_EX_CANTCREAT. */
int sm_tempfile(const char *name, char **path);
/* Replace path with len bytes of data, whole or not at all: a new file beside it, written,
   synced and renamed over it. mode: its mode, or -1 for what a new file gets (0666 less
   the umask). 0, or -1 with SM_EX_CANTCREAT or SM_EX_IOERR. */
int sm_write_atomic(const char *path, const char *data, size_t len, int mode);

// config.c: the workspace's config, in git-config syntax, read through libgit2
typedef struct sm_config sm_config;
int sm_config_open(const char *path, sm_config **out); /* code SM_EX_CONFIG on error */
void sm_config_free(sm_config *cfg);
/* NULL when unset; the string belongs to cfg until it is freed */
const char *sm_config_get(sm_config *cfg, const char *key);
const char *sm_config_get_sub(sm_config *cfg, const char *section, const char *sub, const char *key);
/* All values of a multi-valued key; *n set; NULL-terminated array owned by cfg */
const char *const *sm_config_get_all_sub(sm_config *cfg, const char *section, const char *sub,
					 const char *key, size_t *n);
/* All values of a multi-valued key of a section without subsections ("publish.login") */
const char *const *sm_config_get_all(sm_config *cfg, const char *key, size_t *n);
/* integer with a default; -1 with message (code SM_EX_CONFIG) if not a number */
int sm_config_int(sm_config *cfg, const char *key, long def, long *out);
/* seconds from "30", "30s", "5m", "2h", "1d" */
int sm_config_duration(sm_config *cfg, const char *key, double def, double *out);
int sm_config_bytes(sm_config *cfg, const char *key, long long def, long long *out);
/* names of the subsections of a section, in file order: [channel "a"] [channel "b"] */
const char *const *sm_config_subsections(sm_config *cfg, const char *section, size_t *n);
int sm_config_has_literal_secret(sm_config *cfg); /* any channel.*.token */

// identity.c: who is acting
/* The acting agent (NULL if the login is no agent) and login; [security] identity = env
   takes $SM_USER instead of the unix login. */
int sm_whoami(sm_config *cfg, const char **agent, const char **login);
/* 1 if the agent has the role (agent, approver, publisher, admin); admin is also an agent. */
int sm_agent_has_role(sm_config *cfg, const char *agent, const char *role);

// policy.c: which [policy] applies, and what it says
typedef struct {
	const char *name;
	/* conditions: a list that is empty holds for anything */
	const char *const *channels, *const *teams, *const *tags, *const *priorities, *const *kinds;
	size_t nchannels, nteams, ntags, npriorities, nkinds;
	long approvals;                      /* 0 none, 1 four eyes, 2 six eyes */
	const char *approver_role, *approver_team;
	double first_response, resolution;   /* business seconds; 0: no target */
	double community_window;             /* seconds a community question may wait */
	sm_hours *hours;                     /* 24/7 UTC unless said */
	const char *route_to;                /* the team for items no rule routed */
} sm_policy;
typedef struct {
	sm_policy *p;
	size_t n;
} sm_policies;
typedef struct {
	const char *channel, *team, *priority, *kind; /* kind: reply | post, for drafts */
	const char *const *tags;
	size_t ntags;
} sm_policy_subject;
int sm_policies_load(sm_config *cfg, sm_policies *ps); /* SM_EX_CONFIG on a bad value */
void sm_policies_free(sm_policies *ps);
/* The first policy, in config order, whose conditions hold; NULL if none. */
const sm_policy *sm_policy_match(const sm_policies *ps, const sm_policy_subject *s);

// store.c: the SQLite store
typedef struct sm_store sm_store;
enum { SM_STORE_CREATE = 1, SM_STORE_READONLY = 2, SM_STORE_NOMIGRATE = 4 /* tests */ };
/* Opens (and creates with SM_STORE_CREATE), sets WAL, busy timeout, and migrates. */
int sm_store_open(const char *path, int flags, sm_store **out);
void sm_store_close(sm_store *st);
int sm_store_version(sm_store *st);
int sm_store_begin(sm_store *st);  /* BEGIN IMMEDIATE, retried while busy */
/* Which transaction is open (a number that changes with each), 0 outside one: lets a
   module keep what it read for as long as nobody else can write. */
unsigned long sm_store_tx(sm_store *st);
int sm_store_commit(sm_store *st);
void sm_store_rollback(sm_store *st);
/* fn(st, ctx) runs once in sm_store_commit before COMMIT (a module writes what it kept back
   in the transaction under way); its error fails the commit. A rollback drops it. */
typedef int (*sm_commit_fn)(sm_store *st, void *ctx);
int sm_store_before_commit(sm_store *st, sm_commit_fn fn, void *ctx);
/* For a long run of commits: a thread copies what they wrote into the WAL on into the
   database (SQLite's checkpoint), so the commits need not. Until sm_store_close. */
int sm_store_checkpoint_behind(sm_store *st);
/* Insert the item, or update it if stored with other content. *is_new = 1 if it was new. */
int sm_store_put_row(sm_store *st, const sm_item_row *row, int *is_new);
int sm_store_put_item(sm_store *st, json_t *item, int *is_new);
/* The stored record of an item (as stored: annotations are in their columns), or NULL. */
json_t *sm_store_item(sm_store *st, const char *id);
/* The first stored item of a thread whose record has the number value at a JSON path
   ("$.post_number"), or NULL. */
json_t *sm_store_thread_find(sm_store *st, const char *thread, const char *path, long long value);
/* Fetch cursors: the state of one source (a URL, a stream) of a channel. */
typedef struct {
	char *etag, *last_modified, *cursor;
} sm_cursor;
int sm_store_cursor_get(sm_store *st, const char *channel, const char *source, sm_cursor *c);
int sm_store_cursor_set(sm_store *st, const char *channel, const char *source, const sm_cursor *c);
int sm_store_channel_seen(sm_store *st, const char *channel, const char *kind);
int sm_store_note_error(sm_store *st, const char *channel, const char *source, const char *err);
void sm_cursor_free(sm_cursor *c);
/* What sm-match found in an item; strings may be NULL. tags and rules are JSON arrays. */
typedef struct {
	const char *tags, *priority, *team, *rules;
	int dropped;
} sm_annotation;
/* Set an item's annotations; *changed = 1 if they differed from the stored ones. */
int sm_store_annotate(sm_store *st, const char *id, const sm_annotation *a, int *changed);
/* Every stored item created at or after since (RFC 3339, or NULL for all), oldest first. */
typedef int (*sm_item_fn)(const char *record, const sm_annotation *a, void *ctx);
int sm_store_each_item(sm_store *st, const char *since, sm_item_fn fn, void *ctx);
/* For the other SQL of the library (cases.c...): a cached, reset prepared statement of a
   string constant (cached by its address), a step expecting no row, the error. */
struct sqlite3_stmt;
struct sqlite3_stmt *sm_store_sql(sm_store *st, const char *sql);
int sm_store_done(sm_store *st, struct sqlite3_stmt *s, const char *what);
int sm_store_fail(sm_store *st, const char *what);
long long sm_store_last_id(sm_store *st);
/* PRAGMA data_version: it changes when another connection commits (-1 on error). */
long long sm_store_data_version(sm_store *st);
int sm_store_changes(sm_store *st);
/* Copy the whole store into a new file (a scratch copy to try things on). */
int sm_store_copy(sm_store *st, const char *path);
/* For migration tests: the list of migrations (index i brings user_version to i+1). */
typedef struct {
	const char *name, *sql;
} sm_migration;
int sm_store_migrate(sm_store *st, const sm_migration *m, int n);
void *sm_store_db(sm_store *st); /* the sqlite3 handle, for tests */

// rows.c: rows kept back while a transaction lasts, written before it commits, many an INSERT
enum { SM_ROWS_MANY = 32 };
#define SM_ROWS_4(r) r ", " r ", " r ", " r
#define SM_ROWS_VALUES(r) SM_ROWS_4(SM_ROWS_4(r)) ", " SM_ROWS_4(SM_ROWS_4(r)) /* MANY rows */
typedef struct {
	const char *one, *many; /* an INSERT of one row; the same with SM_ROWS_MANY rows of values */
	const char *types;      /* a letter a column: 'i' integer, 't' text */
	const char *what;       /* for messages */
	/* the transaction whose rows are kept (sm_rows_defer), and the rows */
	sm_store *defer_st, *st;
	unsigned long defer_tx, tx;
	size_t n, cap;
	int ncols;
	long *off;
	sm_buf text;
} sm_rows;
/* From now until the transaction under way ends, rows are to be kept (sm_rows_deferred). */
void sm_rows_defer(sm_rows *r, sm_store *st);
int sm_rows_deferred(const sm_rows *r, sm_store *st);
/* Keep a row (v: a value a column, as text, or NULL) for the transaction under way. */
int sm_rows_add(sm_rows *r, sm_store *st, const char *const *v);
int sm_rows_flush(sm_rows *r, sm_store *st);        /* write what is kept now */
int sm_rows_kept(const sm_rows *r, sm_store *st);   /* 1 if rows are kept for this transaction */

// plan.c: the editorial plan, a git repository read and written through libgit2
/* Create an empty repository at path whose first branch is `branch`; 1 if created, 0 if
   one exists already, -1 on error. */
int sm_plan_init(const char *path, const char *branch);

// secret.c: credentials, and keeping them out of every message
/* The secret of [SECTION "SUB"]: token-cmd, token-env, token-file (relative to dir, refused
   when others can read it) or token. malloc'd; errors never contain it (SM_EX_CONFIG). */
int sm_secret(sm_config *cfg, const char *dir, const char *section, const char *sub, char **out);
void sm_secret_remember(const char *secret); /* one learned elsewhere (a session token) */
/* A copy of s with every secret read so far replaced by ***. */
char *sm_redact(const char *s);

// http.c: HTTP(S) (and IMAP/SMTP) transfers, many at once, on libcurl's multi interface
typedef struct sm_http sm_http;
typedef struct {
	long parallel;          /* connections at once, over all hosts */
	double timeout;         /* seconds for a whole transfer */
	double connect_timeout; /* seconds for the connection phase */
	long long max_size;     /* largest body accepted, bytes */
	const char *cainfo;     /* CA bundle, or NULL for the system's */
	int attempts;           /* tries of a transfer that failed for a passing reason */
	double max_wait;        /* the longest wait for a retry or a rate limit, seconds */
	/* a trace of every request and response header, secrets shown as *** */
	void (*trace)(const char *line, void *ctx);
	void *ctx;
} sm_http_opts;
typedef struct sm_http_req sm_http_req;
struct sm_http_req {
	/* set by the caller */
	const char *url;
	const char *method;               /* NULL: GET, or POST when there is a body */
	const char *body;                 /* request body, body_len bytes */
	size_t body_len;
	const char *const *headers;       /* "Name: value" lines, NULL-terminated, or NULL */
	const char *etag, *last_modified; /* validators for a conditional GET, or NULL */
	int idempotent;                   /* a POST that may be sent again (Idempotency-Key) */
	int max_attempts;                 /* tries at most, if fewer than fetch.attempts; 0: those */
	void (*setup)(void *curl, sm_http_req *req); /* more libcurl options (IMAP, SMTP) */
	void (*done)(sm_http_req *req);   /* called from sm_http_wait when it ends */
	void *data;
	/* set when done */
	long status;              /* HTTP status; 200 for a file read; 0 if no answer */
	sm_buf body_in;           /* the response body */
	char *resp_etag, *resp_last_modified, *content_type, *final_url;
	int failed;               /* 1 if the transfer did not give a usable answer */
	int temporary;            /* with failed: worth trying again later (timeout, 5xx, 429...) */
	char error[256];          /* with failed: what went wrong */
	int attempts;             /* how many times it was sent */
	/* internal */
	void *handle, *hlist;
	sm_http *h;
	double not_before;
	long long max_size;
};
int sm_http_new(const sm_http_opts *opts, sm_http **out);
void sm_http_free(sm_http *h);
int sm_http_add(sm_http *h, sm_http_req *req);
/* A response header of a request that is done (in its done callback), or NULL. */
const char *sm_http_header(sm_http_req *req, const char *name);
/* Run transfers until one ends or timeout_ms passes; calls the done callbacks of the ended
   ones. Returns the number of transfers still under way or waiting to start. */
int sm_http_wait(sm_http *h, int timeout_ms);
/* Since the last call: the wait (seconds) of the last request given up because the
   network asked for longer than max_wait (rate limit, Retry-After), 0 if none; *unsent 1 if
   it was given up before being sent. Read and reset. */
void sm_http_hint(sm_http *h, double *wait, int *unsent);
void sm_http_wakeup(sm_http *h); /* from any thread: end a sm_http_wait early */
/* Run until every transfer has ended (for a single request outside a fetch run). */
void sm_http_run(sm_http *h);
void sm_http_req_free(sm_http_req *req); /* the results, not req itself */
/* The "next" URL of an RFC 8288 Link header, or NULL; malloc'd. */
char *sm_link_next(const char *link);
double sm_monotonic(void);

// audit.c: the hash-chained audit log (in the store's transaction)
int sm_audit(sm_store *st, const char *actor, const char *action, const char *object,
	     const char *detail, const char *now);
/* Until the transaction under way ends, keep its entries and write them as it commits (the
   chain is computed as they come, so it is the same); nothing may read the audit table
   meanwhile but sm_audit_verify. */
void sm_audit_defer(sm_store *st);
/* Recompute the chain: 0 intact, 1 broken (what names the first bad entry), -1 error. */
int sm_audit_verify(sm_store *st, long long *entries, char *what, size_t n);
/* The hash of the last entry ("" when there is none): kept elsewhere, it shows a chain
   rewritten from some entry on. */
int sm_audit_head(sm_store *st, char out[65]);

// feed.c: RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.x into item records
typedef struct {
	char *title;   /* feed title, plain text; may be NULL */
	char *link;    /* the feed's home page, absolute; may be NULL */
	char *lang;
	json_t *items; /* array of item records, see below */
	int bozo;      /* 1 if the document was ill-formed (read as far as possible) */
	char *bozo_msg;
	char *format;  /* "rss2.0", "rss0.91", "rss1.0", "atom1.0", "atom0.3", "json1", "json1.1" */
} sm_feed;
/*
 * Parse a feed document. base is the URL it came from (for relative links; may be NULL),
 * content_type the HTTP Content-Type or NULL. Each item record has: "ext_id" (guid /
 * atom:id / JSON Feed id, else the link, else "sha1:" + hex of title and date), "title"
 * (plain text), "text" (plain text of content, else summary/description), "url" (absolute),
 * "created_at" (RFC 3339 UTC: published, else updated, else dc:date, else pubDate) and
 * "updated_at" when known, "lang" when known, "author" {"name","email","url"} when known,
 * "categories" [..] when any, "in_reply_to_url" for Atom threading when present.
 * Returns 0, or -1 if nothing at all could be read (sm_error set).
 */
int sm_feed_parse(const char *data, size_t len, const char *base, const char *content_type,
		  sm_feed *out);
void sm_feed_free(sm_feed *f);

#endif
