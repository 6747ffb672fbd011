/*
 * forward.c - handing a case to another team: an e-mail to the team's address (through
 * the SMTP of the e-mail channel [assign] forward-channel names) with the thread quoted,
 * and/or the case as JSON POSTed to the team's webhook (a CRM, a ticket system). Each
 * attempt is a row in `forwards`; one that failed is tried again by the next escalate.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "net.h"

static const char Q_ITEMS[] =
	"SELECT items.record FROM case_items JOIN items ON items.id = case_items.item_id"
	" WHERE case_items.case_id = ?1 ORDER BY items.created_at, items.rowid";
static const char Q_ADD[] = "INSERT INTO forwards (case_id, team, via, target, note, state, created_at,"
			    " forwarded_by) VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)";
static const char Q_DONE[] = "UPDATE forwards SET state = ?2, tries = tries + 1, error = ?3,"
			     " sent_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent_at END WHERE id = ?1";
static const char Q_RETRY[] = "SELECT id, case_id, team, via, target, coalesce(note, ''),"
			      " coalesce(forwarded_by, 'sm-assign') FROM forwards"
			      " WHERE state != 'sent' AND tries < ?1 ORDER BY id";

static json_t *case_items(sm_store *st, long long id)
{
	json_t *all = json_array();
	sqlite3_stmt *s = sm_store_sql(st, Q_ITEMS);
	if (!s)
		return all;
	sqlite3_bind_int64(s, 1, id);
	while (sqlite3_step(s) == SQLITE_ROW) {
		json_t *rec = json_loads((const char *)sqlite3_column_text(s, 0), 0, NULL);
		if (rec)
			json_array_append_new(all, rec);
	}
	sqlite3_reset(s);
	return all;
}

/* The e-mail: the note, the case, then every item of the thread quoted. */
static char *mail_text(const sm_case *c, json_t *items, const char *note, const char *by)
{
	sm_buf b = {0};
	size_t i;
	json_t *it;
	if (note && *note)
		sm_buf_printf(&b, "%s\n\n", note);
	sm_buf_printf(&b, "Case %lld, forwarded by %s\nChannel: %s\nStatus: %s\nOpened: %s\n", c->id, by,
		      c->channel, c->status, c->opened_at);
	if (c->first_response_due[0])
		sm_buf_printf(&b, "First response due: %s\n", c->first_response_due);
	json_array_foreach(items, i, it) {
		const char *who = json_string_value(json_object_get(json_object_get(it, "author"), "handle"));
		const char *text = json_string_value(json_object_get(it, "text"));
		const char *url = json_string_value(json_object_get(it, "url"));
		const char *at = json_string_value(json_object_get(it, "created_at"));
		sm_buf_printf(&b, "\n%s wrote at %s:\n", who ? who : "someone", at ? at : "?");
		for (const char *p = text ? text : ""; *p;) {
			size_t n = strcspn(p, "\n");
			sm_buf_printf(&b, "> %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
		if (url)
			sm_buf_printf(&b, "(%s)\n", url);
	}
	return sm_buf_detach(&b);
}

static int by_mail(sm_assigner *a, const sm_workspace *ws, const sm_case *c, const char *to,
		   const char *note, const char *by, char *err, size_t errn)
{
	const char *channel = sm_config_get(a->cfg, "assign.forward-channel");
	if (!channel)
		return snprintf(err, errn, "no [assign] forward-channel names an e-mail channel to send with"), -1;
	json_t *items = case_items(a->st, c->id);
	char *text = mail_text(c, items, note, by), *subject = sm_asprintf("[case %lld] forwarded to you", c->id);
	char *key = sm_asprintf("smkit-case-%lld-%s-%s", c->id, to, a->now);
	sm_post p = {.text = text, .subject = subject, .to = to, .key = key};
	sm_sent r;
	int rc = sm_net_send(ws, a->cfg, channel, &p, &r, NULL, NULL);
	if (rc < 0)
		snprintf(err, errn, "%s", sm_errmsg());
	else if (r.failed) {
		snprintf(err, errn, "%s", r.error);
		rc = r.temporary ? -2 : -1;
	}
	sm_sent_free(&r);
	json_decref(items);
	free(text);
	free(subject);
	free(key);
	return rc;
}

static int by_webhook(sm_assigner *a, const sm_case *c, const char *url, const char *team,
		      const char *note, const char *by, char *err, size_t errn)
{
	sm_http_opts o;
	sm_http *h;
	json_t *body = json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s,s:o}", "case", (json_int_t)c->id, "team",
				 team, "forwarded_by", by, "forwarded_at", a->now, "note", note,
				 "status", c->status, "items", case_items(a->st, c->id));
	json_object_set_new(body, "channel", json_string(c->channel));
	char *text = json_dumps(body, JSON_COMPACT);
	static const char *const headers[] = {"Content-Type: application/json", "Accept: */*", NULL};
	sm_http_req req = {.url = url, .method = "POST", .body = text, .body_len = strlen(text),
			   .headers = headers, .idempotent = 1};
	int rc = -1;
	if (sm_http_opts_config(a->cfg, &o) == 0 && sm_http_new(&o, &h) == 0) {
		if (sm_http_add(h, &req) == 0) {
			sm_http_run(h);
			rc = req.failed ? (req.temporary ? -2 : -1) : 0;
			if (req.failed)
				snprintf(err, errn, "%s: %s", url, req.error);
		}
		sm_http_req_free(&req);
		sm_http_free(h);
	}
	if (rc == -1 && !err[0])
		snprintf(err, errn, "%s", sm_errmsg());
	free(text);
	json_decref(body);
	return rc;
}

/* One attempt of a recorded forward; its row says how it went. */
static int attempt(sm_assigner *a, const sm_workspace *ws, long long fid, const sm_case *c,
		   const char *team, const char *via, const char *target, const char *note, const char *by)
{
	char err[512] = "";
	int rc = !strcmp(via, "email") ? by_mail(a, ws, c, target, note, by, err, sizeof err)
				       : by_webhook(a, c, target, team, note, by, err, sizeof err);
	sqlite3_stmt *s = sm_store_sql(a->st, Q_DONE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, fid);
	sqlite3_bind_text(s, 2, rc == 0 ? "sent" : "failed", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, rc == 0 ? NULL : err, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, a->now, -1, SQLITE_STATIC);
	if (sm_store_done(a->st, s, "forward") < 0 ||
	    sm_case_event(a->st, c->id, by, rc == 0 ? "forwarded" : "forward-failed", via, target,
			  rc == 0 ? note : err, a->now) < 0)
		return -1;
	if (rc < 0)
		return sm_error_code(rc == -2 ? SM_EX_TEMPFAIL : SM_EX_UNAVAILABLE,
				     "case %lld: forward to %s by %s failed: %s (the next escalate tries again)",
				     c->id, team, via, err);
	return 0;
}

int sm_forward_case(sm_assigner *a, const sm_workspace *ws, long long id, const char *team,
		    const char *note, const char *by)
{
	const sm_team *t = sm_team_named(a, team);
	sm_case c;
	int rc = sm_case_get(a->st, id, &c), failed = 0;
	if (rc <= 0)
		return rc < 0 ? -1 : sm_error_code(SM_EX_DATAERR, "no case %lld", id);
	if (!t || (!t->email && !t->webhook))
		return sm_error_code(SM_EX_CONFIG, "team '%s' has neither an email nor a webhook", team);
	const char *via[2] = {"email", "webhook"}, *target[2] = {t->email, t->webhook};
	for (int i = 0; i < 2; i++) {
		if (!target[i])
			continue;
		sqlite3_stmt *s = sm_store_sql(a->st, Q_ADD);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_text(s, 2, team, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, via[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, target[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, note, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, a->now, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, by, -1, SQLITE_STATIC);
		if (sm_store_done(a->st, s, "forward") < 0)
			return -1;
		/* a failed attempt stays recorded; the other target is still tried */
		if (attempt(a, ws, sm_store_last_id(a->st), &c, team, via[i], target[i], note, by) < 0)
			failed = 1;
	}
	return failed ? -1 : 0;
}

int sm_forward_retry(sm_assigner *a, const sm_workspace *ws, long *retried, long *failed)
{
	enum { MAX_TRIES = 20 };
	sqlite3_stmt *s = sm_store_sql(a->st, Q_RETRY);
	struct fw { long long id, case_id; char *team, *via, *target, *note, *by; } *all = NULL;
	size_t n = 0;
	*retried = *failed = 0;
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, MAX_TRIES);
	while (sqlite3_step(s) == SQLITE_ROW) {
		all = sm_realloc(all, (n + 1) * sizeof *all);
		all[n].id = sqlite3_column_int64(s, 0);
		all[n].case_id = sqlite3_column_int64(s, 1);
		all[n].team = sm_strdup((const char *)sqlite3_column_text(s, 2));
		all[n].via = sm_strdup((const char *)sqlite3_column_text(s, 3));
		all[n].target = sm_strdup((const char *)sqlite3_column_text(s, 4));
		all[n].note = sm_strdup((const char *)sqlite3_column_text(s, 5));
		all[n++].by = sm_strdup((const char *)sqlite3_column_text(s, 6));
	}
	sqlite3_reset(s);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		sm_case c;
		if (rc == 0 && sm_case_get(a->st, all[i].case_id, &c) > 0) {
			(*retried)++;
			if (attempt(a, ws, all[i].id, &c, all[i].team, all[i].via, all[i].target,
				    all[i].note, all[i].by) < 0) {
				(*failed)++;
				if (sm_errcode() == SM_EX_SOFTWARE)
					rc = -1; /* the store failed, not the target */
			}
		}
		free(all[i].team);
		free(all[i].via);
		free(all[i].target);
		free(all[i].note);
		free(all[i].by);
	}
	free(all);
	return rc;
}
