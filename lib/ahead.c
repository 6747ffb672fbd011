/*
 * ahead.c - sm_each_line_ahead: the lines read, copied and prepared (scanned) by a thread
 * of their own while the caller's thread works on the lines before them, so a command
 * whose work per line is the store's (sm-assign) does not also spend its time reading.
 *
 * A ring of slots between the two: the reader fills them in the order of the input (a
 * line, or a pause: the input would wait), the caller's thread takes them in that order.
 * Either side sleeps only when the ring is full (the reader) or empty (the caller), and is
 * woken once there is a quarter of the ring to do, not for every line.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "smkit.h"

enum { NSLOTS = 256, WAKE = NSLOTS / 4 };
enum { S_LINE, S_PAUSE, S_END };

typedef struct {
	int kind;
	sm_buf line; /* a copy of the line, NUL-terminated */
	size_t len;
	const char *file;
	long lineno;
	void *data; /* the caller's, slot_size bytes, kept from line to line */
} slot;

typedef struct {
	const sm_ahead *a;
	int nfiles;
	char **files;
	slot s[NSLOTS];
	unsigned long head, tail; /* filled up to head, done up to tail */
	pthread_mutex_t lock;
	pthread_cond_t filled, freed;
	int caller_waits, reader_waits, stop;
	int rc, code; /* the reader's end: its sm_each_line's, and its error */
	char msg[1024];
} ahead;

/* The reader's next slot, once free; NULL when the caller has stopped. */
static slot *take_free(ahead *h)
{
	pthread_mutex_lock(&h->lock);
	while (!h->stop && h->head - h->tail >= NSLOTS) {
		h->reader_waits = 1;
		pthread_cond_wait(&h->freed, &h->lock);
	}
	h->reader_waits = 0;
	slot *s = h->stop ? NULL : &h->s[h->head % NSLOTS];
	pthread_mutex_unlock(&h->lock);
	return s;
}

static void publish(ahead *h)
{
	pthread_mutex_lock(&h->lock);
	h->head++;
	if (h->caller_waits)
		pthread_cond_signal(&h->filled);
	pthread_mutex_unlock(&h->lock);
}

static int reader_line(const char *line, size_t len, const char *file, long lineno, void *ctx)
{
	ahead *h = ctx;
	slot *s = take_free(h);
	if (!s)
		return sm_error("stopped");
	s->kind = S_LINE;
	sm_buf_reset(&s->line);
	sm_buf_add(&s->line, line, len);
	sm_buf_addc(&s->line, 0);
	s->len = len;
	s->file = file;
	s->lineno = lineno;
	h->a->prep(s->data, s->line.s, len);
	publish(h);
	return 0;
}

/* The input would wait: the caller's thread is told so at this place among the lines. */
static int reader_pause(void *ctx)
{
	ahead *h = ctx;
	slot *s = take_free(h);
	if (!s)
		return sm_error("stopped");
	s->kind = S_PAUSE;
	publish(h);
	return 0;
}

static void *reader_main(void *arg)
{
	ahead *h = arg;
	/* cancelled only while it waits in a read (sm_each_line_cancellable) */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	sm_each_line_cancellable(1);
	sm_each_line_on_wait(reader_pause, h);
	int rc = sm_each_line(h->nfiles, h->files, reader_line, h);
	slot *s = take_free(h);
	pthread_mutex_lock(&h->lock);
	h->rc = rc;
	if (rc < 0) {
		h->code = sm_errcode();
		snprintf(h->msg, sizeof h->msg, "%s", sm_errmsg());
	}
	pthread_mutex_unlock(&h->lock);
	if (s) {
		s->kind = S_END;
		publish(h);
	}
	return NULL;
}

/* Without a thread (none could be started): the same, one line at a time. */
typedef struct {
	const sm_ahead *a;
	void *data;
} inline_loop;

static int inline_line(const char *line, size_t len, const char *file, long lineno, void *ctx)
{
	inline_loop *l = ctx;
	l->a->prep(l->data, line, len);
	return l->a->fn(l->data, line, len, file, lineno, l->a->ctx);
}

static int run_inline(int nfiles, char **files, const sm_ahead *a)
{
	inline_loop l = {a, sm_calloc(1, a->slot_size)};
	sm_each_line_on_wait(a->on_wait, a->ctx);
	int rc = sm_each_line(nfiles, files, inline_line, &l);
	sm_each_line_on_wait(NULL, NULL);
	if (a->done)
		a->done(l.data);
	free(l.data);
	return rc;
}

int sm_each_line_ahead(int nfiles, char **files, const sm_ahead *a)
{
	ahead *h = sm_calloc(1, sizeof *h);
	pthread_t reader;
	int rc = 0;
	h->a = a;
	h->nfiles = nfiles;
	h->files = files;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->filled, NULL);
	pthread_cond_init(&h->freed, NULL);
	for (int i = 0; i < NSLOTS; i++)
		h->s[i].data = sm_calloc(1, a->slot_size);
	int started = pthread_create(&reader, NULL, reader_main, h) == 0;
	if (!started)
		rc = run_inline(nfiles, files, a);
	while (started) {
		pthread_mutex_lock(&h->lock);
		while (h->head == h->tail) {
			h->caller_waits = 1;
			pthread_cond_wait(&h->filled, &h->lock);
		}
		h->caller_waits = 0;
		slot *s = &h->s[h->tail % NSLOTS];
		pthread_mutex_unlock(&h->lock);
		if (s->kind == S_END) {
			if ((rc = h->rc) < 0)
				sm_error_code(h->code, "%s", h->msg);
			break;
		}
		if (s->kind == S_LINE)
			rc = a->fn(s->data, s->line.s, s->len, s->file, s->lineno, a->ctx);
		else if ((rc = a->on_wait ? a->on_wait(a->ctx) : 0) == 0)
			fflush(stdout); /* what went before the pause, to the next stage */
		pthread_mutex_lock(&h->lock);
		h->tail++;
		if (h->reader_waits && NSLOTS - (h->head - h->tail) >= WAKE)
			pthread_cond_signal(&h->freed);
		pthread_mutex_unlock(&h->lock);
		if (rc < 0)
			break;
	}
	if (started) {
		pthread_mutex_lock(&h->lock);
		h->stop = 1;
		pthread_cond_signal(&h->freed);
		pthread_mutex_unlock(&h->lock);
		if (rc < 0) /* it may be waiting for input that does not come */
			pthread_cancel(reader);
		pthread_join(reader, NULL);
	}
	for (int i = 0; i < NSLOTS; i++) {
		if (a->done)
			a->done(h->s[i].data);
		free(h->s[i].data);
		sm_buf_free(&h->s[i].line);
	}
	pthread_cond_destroy(&h->freed);
	pthread_cond_destroy(&h->filled);
	pthread_mutex_destroy(&h->lock);
	free(h);
	return rc < 0 ? -1 : 0;
}
