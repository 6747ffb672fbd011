/*
 * sendtool.c - not a test itself: sends one post or reply through sm_net_send, the path
 * sm-publish will take, so the adapter tests can call the library's send side.
 *   sendtool --dir WS --channel C --text TEXT [--reply-to ITEM_ID] [--key KEY]
 *            [--visibility V] [--lang L] [--subject S] [--to ADDR] [--trace]
 * The replied item's record is read from the store when --reply-to is given. Prints the
 * result as one JSON object; exit 0 sent, 1 refused by the network, 2 our own error.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

static void trace(const char *line, void *ctx) { fprintf(stderr, "sendtool: %s\n", line); }

static json_t *stored_item(const sm_workspace *ws, const char *id)
{
	sm_store *st;
	json_t *rec = NULL;
	if (sm_store_open(ws->store, 0, &st) == 0) {
		rec = sm_store_item(st, id);
		sm_store_close(st);
	}
	return rec;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", 1, NULL, 'd'},	      {"channel", 1, NULL, 'c'}, {"text", 1, NULL, 't'},
		{"reply-to", 1, NULL, 'r'},   {"key", 1, NULL, 'k'},	 {"visibility", 1, NULL, 'v'},
		{"lang", 1, NULL, 'l'},	      {"subject", 1, NULL, 's'}, {"to", 1, NULL, 'o'},
		{"trace", 0, NULL, 'T'},      {NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *channel = NULL;
	sm_post p = {0};
	int c, tr = 0, rc;
	sm_workspace ws;
	sm_config *cfg;
	sm_sent r;

	sm_setprog(argv[0]);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		switch (c) {
		case 'd': dir = optarg; break;
		case 'c': channel = optarg; break;
		case 't': p.text = optarg; break;
		case 'r': p.reply_to = optarg; break;
		case 'k': p.key = optarg; break;
		case 'v': p.visibility = optarg; break;
		case 'l': p.lang = optarg; break;
		case 's': p.subject = optarg; break;
		case 'o': p.to = optarg; break;
		case 'T': tr = 1; break;
		default: return 2;
		}
	if (!channel || !p.text || sm_workspace_find(dir, &ws) < 0 || sm_config_open(ws.config, &cfg) < 0) {
		sm_warn("%s", channel && p.text ? sm_errmsg() : "--channel and --text are needed");
		return 2;
	}
	if (p.reply_to && !(p.reply_item = stored_item(&ws, p.reply_to)))
		sm_warn("%s is not in the store; replying with its id only", p.reply_to);
	if (sm_net_send(&ws, cfg, channel, &p, &r, tr ? trace : NULL, NULL) < 0) {
		sm_warn("%s", sm_errmsg());
		rc = 2;
	} else {
		json_t *out = r.failed ? json_pack("{s:b,s:b,s:s}", "failed", 1, "temporary", r.temporary,
						   "error", r.error)
				       : json_pack("{s:s?,s:s?}", "ext_id", r.ext_id, "url", r.url);
		sm_out_record(out);
		json_decref(out);
		rc = r.failed ? 1 : 0;
	}
	sm_sent_free(&r);
	json_decref(p.reply_item);
	sm_config_free(cfg);
	sm_workspace_free(&ws);
	sm_out_close();
	return rc;
}
