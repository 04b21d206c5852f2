/* ingest - follow mail logs into the store; see ingest.h */
#include "core/ingest.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logline.h"
#include "core/logtail.h"
#include "core/sanitize.h"

#define MAX_PATHS 16

struct ingest {
	struct store *st;
	const struct classifier *cl;
	struct verdict_cache *vc;
	struct logwatch *w;
	struct log_clock clock;
	char paths[MAX_PATHS][PATH_MAX];
	int npaths;
	ingest_deferral_fn fn;
	void *ctx;
	struct deferral d;
	long lines;
	int store_failed;
	char status[512];
};

/* save_positions - record where each file was read to (batched with the rows) */
static void save_positions(struct ingest *in)
{
	struct logtail_pos pos;
	int i;

	if (in->st == NULL)
		return;
	for (i = 0; i < in->npaths; i++)
		if (logwatch_pos(in->w, in->paths[i], &pos) == 0) {
			struct store_file f = { in->paths[i], pos.dev, pos.ino, pos.offset, pos.first_line_hash };

			store_save_file(in->st, &f, NULL);
		}
}

/* ingest_open - follow paths; NULL with why */
struct ingest *ingest_open(struct store *st, const struct classifier *cl, char *const *paths, int npaths,
			   enum ingest_start start, ingest_deferral_fn fn, void *ctx, struct why *why)
{
	struct ingest *in;
	int i;

	if (npaths > MAX_PATHS) {
		why_set(why, "too many log files (at most %d)", MAX_PATHS);
		return NULL;
	}
	if ((in = calloc(1, sizeof *in)) == NULL) {
		why_set(why, "out of memory");
		return NULL;
	}
	in->st = st;
	in->cl = cl;
	in->vc = verdict_cache_new(cl);
	in->fn = fn;
	in->ctx = ctx;
	log_clock_init(&in->clock, time(NULL));
	if ((in->w = logwatch_new(why)) == NULL) {
		ingest_close(in);
		return NULL;
	}
	for (i = 0; i < npaths; i++) {
		struct store_file f;
		struct logtail_pos pos;
		int mode = start == INGEST_RESUME_OR_START ? LOGTAIL_FROM_START : LOGTAIL_FROM_END;

		snprintf(in->paths[i], sizeof in->paths[i], "%s", paths[i]);
		if (st != NULL && store_load_file(st, paths[i], &f, NULL) == 1) {
			pos = (struct logtail_pos){ f.dev, f.ino, f.offset, f.first_line_hash };
			mode = LOGTAIL_RESUME;
		}
		if (logwatch_add(in->w, in->paths[i], mode, mode == LOGTAIL_RESUME ? &pos : NULL, why) < 0) {
			ingest_close(in);
			return NULL;
		}
		in->npaths++;
	}
	return in;
}

/* ingest_fd - poll this for new log data */
int ingest_fd(const struct ingest *in)
{
	return logwatch_fd(in->w);
}

/* attempt_row - a store row for a delivery line */
static void attempt_row(struct ingest *in, const struct log_event *ev)
{
	struct store_attempt a = { 0 };
	char to[512], dom[256], dsn[16], relay[256], text[2048];
	struct deferral *d = &in->d;

	if (ev->status == STATUS_DEFERRED && deferral_from_event(in->cl, in->vc, ev, d) == 0) {
		a.time = d->time;
		a.queue_id = d->queue_id;
		a.recipient = d->recipient;
		a.domain = d->domain;
		a.provider = d->verdict.provider;
		a.cause = cause_name(d->verdict.cause);
		a.dsn = d->dsn;
		a.status = "deferred";
		a.relay = d->relay;
		a.stage = smtp_stage_name(d->reply.stage);
		a.text = d->reply.text;
		if (in->fn != NULL)
			in->fn(in->ctx, d);
	} else if (ev->status == STATUS_SENT || ev->status == STATUS_BOUNCED || ev->status == STATUS_EXPIRED) {
		sanitize_text(to, sizeof to, ev->to.p, ev->to.n);
		address_domain(dom, sizeof dom, to);
		sanitize_text(dsn, sizeof dsn, ev->dsn.p, ev->dsn.n);
		sanitize_text(relay, sizeof relay, ev->relay.p, ev->relay.n);
		sanitize_text(text, sizeof text, ev->reason.p, ev->reason.n);
		a.time = ev->time;
		a.queue_id = ev->queue_id;
		a.recipient = to;
		a.domain = dom;
		a.provider = classifier_provider(in->cl, dom, NULL);
		a.dsn = dsn;
		a.status = delivery_status_name(ev->status);
		a.relay = relay;
		a.text = text;
	} else {
		return;
	}
	if (in->st != NULL && store_add_attempt(in->st, &a, NULL) < 0)
		in->store_failed = 1;
}

/* on_line - one log line into the store */
static void on_line(void *ctx, const struct logtail_line *l)
{
	struct ingest *in = ctx;
	struct log_event ev;
	char sender[512], old[QUEUE_ID_MAX + 1];

	in->lines++;
	switch (logline_parse(&in->clock, l->text, l->len, &ev)) {
	case LOG_DELIVERY:
		attempt_row(in, &ev);
		break;
	case LOG_QUEUED:
		sanitize_text(sender, sizeof sender, ev.from.p, ev.from.n);
		if (in->st)
			store_message_seen(in->st, ev.queue_id, ev.time, sender, "queued", NULL);
		break;
	case LOG_REMOVED:
		if (in->st)
			store_message_seen(in->st, ev.queue_id, ev.time, NULL, "removed", NULL);
		break;
	case LOG_EXPIRED:
		if (in->st)
			store_message_seen(in->st, ev.queue_id, ev.time, NULL, "expired", NULL);
		break;
	case LOG_HOLD:
		if (in->st)
			store_message_seen(in->st, ev.queue_id, ev.time, NULL, "hold", NULL);
		break;
	case LOG_RELEASE:
		if (in->st)
			store_message_seen(in->st, ev.queue_id, ev.time, NULL, "queued", NULL);
		break;
	case LOG_PICKUP:
		if (ev.orig_id.n > 0 && in->st) {
			span_copy(old, sizeof old, ev.orig_id);
			if (queue_id_valid(old, strlen(old)))
				store_message_replaced(in->st, old, ev.queue_id, NULL);
		}
		break;
	default:
		break;
	}
}

/* ingest_process - read whatever is new, store it, save positions; lines read or -1 with why */
long ingest_process(struct ingest *in, struct why *why)
{
	long before = in->lines;
	int i;

	if (logwatch_process(in->w, on_line, in, why) < 0)
		return -1;
	in->status[0] = '\0';
	for (i = 0; i < in->npaths; i++) {
		const char *s = logwatch_status(in->w, in->paths[i]);

		if (s != NULL)
			snprintf(in->status, sizeof in->status, "%s", s);
	}
	if (in->lines != before)
		save_positions(in);
	if (in->st != NULL && store_flush(in->st, why) < 0)
		return -1;
	if (in->store_failed) {
		in->store_failed = 0;
		return why_set(why, "some log lines could not be stored");
	}
	return in->lines - before;
}

/* ingest_status - a problem with a followed file or NULL */
const char *ingest_status(const struct ingest *in)
{
	return in->status[0] ? in->status : NULL;
}

/* ingest_close - save positions, flush and release (the store stays open) */
void ingest_close(struct ingest *in)
{
	if (in == NULL)
		return;
	if (in->w != NULL) {
		save_positions(in);
		if (in->st != NULL)
			store_flush(in->st, NULL);
		logwatch_free(in->w);
	}
	verdict_cache_free(in->vc);
	free(in);
}
