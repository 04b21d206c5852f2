/* ingest - follow mail logs into the store; see ingest.h
 *
 * Design: two threads while ingest_process() runs. The caller's thread
 * reads lines (logwatch), parses and classifies them, and packs the rows
 * they make into chunks (fixed op arrays plus a string arena); a writer
 * thread takes the chunks in order and hands their rows to the store.
 * Parsing a line costs about as much as storing its row, so on two cores a
 * backlog goes in about the time of the slower half alone.
 *
 * Exactly once: every chunk carries the position, per followed file, of its
 * last line. The writer commits only between chunks, once the batch is half
 * of STORE_BATCH_ROWS (so the store never commits by itself mid-chunk), and
 * saves those positions in the same transaction; a crash loses rows only
 * together with their position, and they are read again. ingest_process()
 * returns when the writer is idle, then saves the final positions and
 * commits on the caller's thread: the store is never used by two threads at
 * once, and between calls it belongs to the caller alone.
 *
 * Group commit: syslog writes a live log line by line, and a commit per
 * wake-up would write the same 16 KiB pages (attempts, the queue_id index)
 * again for every few lines. With ingest_set_hold(), the rows of a partly
 * filled chunk stay in memory (not in an open transaction: other writers
 * are not locked out) for up to that many seconds; the positions saved are
 * those of the last chunk written, so a crash reads the held lines again.
 *
 * First load: when a log is read from its start into an empty history, the
 * first ingest_process() stores the backlog without the attempts' queue ID
 * index and builds it once at the end (store_bulk_begin, store_bulk_end).
 */
#include "core/history/ingest.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/lease.h"
#include "core/log/logline.h"
#include "core/log/logtail.h"
#include "core/base/pathname.h"
#include "core/base/sanitize.h"
#include "core/base/thread.h"

#define MAX_PATHS 16
#define CHUNK_OPS 8192		/* rows per chunk */
#define CHUNK_BYTES (4 << 20)	/* string arena per chunk */
#define MAX_CHUNKS 4		/* chunks in flight: bounds memory and how far reading runs ahead */
#define COMMIT_ROWS (STORE_BATCH_ROWS / 2)
#define NO_STR UINT32_MAX

_Static_assert(COMMIT_ROWS + CHUNK_OPS + MAX_PATHS < STORE_BATCH_ROWS,
	       "the writer commits before the store would on its own");

enum op_kind { OP_ATTEMPT, OP_SEEN, OP_REPLACED };
/* an attempt's strings */
enum { S_QUEUE_ID, S_RECIPIENT, S_DOMAIN, S_PROVIDER, S_DSN, S_RELAY, S_TEXT, S_COUNT };

/* one store call; strings are arena offsets (NO_STR = NULL), words are static */
struct op {
	enum op_kind kind;
	time_t time;
	enum delivery_status status;		/* OP_ATTEMPT */
	enum message_state state;		/* OP_SEEN */
	const char *cause, *stage;		/* OP_ATTEMPT */
	uint32_t str[S_COUNT];			/* OP_SEEN: id, sender; OP_REPLACED: old, new */
};

struct chunk {
	struct op ops[CHUNK_OPS];
	size_t nops, used;
	char text[CHUNK_BYTES];
	struct logtail_pos pos[MAX_PATHS];	/* of the last line of each file in this chunk */
	unsigned char has_pos[MAX_PATHS];
	struct chunk *next;
};

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
	char status[512];

	/* reader side (caller's thread) */
	struct chunk *cur;			/* being filled */
	struct logtail_pos pos[MAX_PATHS];	/* of the last line read, per file */
	unsigned char has_pos[MAX_PATHS];
	struct logtail_pos sub_pos[MAX_PATHS];	/* of the last line of the last chunk submitted */
	unsigned char sub_has[MAX_PATHS];
	int submitted;				/* a chunk was submitted since the last commit */
	int unsaved;				/* lines were read since positions were last saved */
	int hold_seconds;			/* ingest_set_hold */
	time_t held_since;			/* when cur got its first row (monotonic) */
	unsigned long commits;			/* ingest_commits */
	int first_load;				/* a log is read from its start: try store_bulk_begin once */
	int bulk;				/* store_bulk_begin dropped the index: store_bulk_end is due */
	unsigned long long rows_read, rows_done;	/* ingest_rows_read, ingest_rows_done */
	struct lease *leases[MAX_PATHS];	/* held while this ingest stores the paths */
	char standby[PATH_MAX + 128];		/* ingest_standby, "" when storing */

	/* shared, under mu */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct chunk *queue, *queue_tail;	/* full, oldest first */
	struct chunk *spare;			/* written, for reuse */
	int nchunks, busy, stop, store_failed, thread_ok;
	int broken;				/* the store failed (store_fault): nothing more is written */
	enum store_fault fault;			/* ingest_fault */
	char store_err[256];
	pthread_t writer;
};

/* save_positions - record where each file was read to (into the open batch) */
static void save_positions(struct ingest *in, const struct logtail_pos *pos, const unsigned char *has)
{
	int i;

	for (i = 0; i < in->npaths; i++)
		if (has[i]) {
			struct store_file f = { in->paths[i], pos[i].dev, pos[i].ino, pos[i].offset,
						pos[i].first_line_hash };

			store_save_file(in->st, &f, NULL);
		}
}

/* note_failure - remember the first reason rows were lost (either thread) */
static void note_failure(struct ingest *in, const char *what)
{
	pthread_mutex_lock(&in->mu);
	if (!in->store_failed)
		snprintf(in->store_err, sizeof in->store_err, "%s", what);
	in->store_failed = 1;
	pthread_mutex_unlock(&in->mu);
}

/* note_fault - the store failed (write lock timeout, disk full, ...): stop writing, so that no
 * position past the lost rows is ever committed (either thread, the writer's owning the store) */
static void note_fault(struct ingest *in, const char *what)
{
	pthread_mutex_lock(&in->mu);
	if (!in->broken) {
		snprintf(in->store_err, sizeof in->store_err, "%.250s", what);
		in->fault = store_fault(in->st);
	}
	in->broken = 1;
	pthread_mutex_unlock(&in->mu);
}

/* op_str - an op's string, NULL for none */
static const char *op_str(const struct chunk *c, uint32_t off)
{
	return off == NO_STR ? NULL : c->text + off;
}

/* write_chunk - the chunk's rows into the store (writer thread); -1 with why on the first failure */
static int write_chunk(struct ingest *in, const struct chunk *c, struct why *why)
{
	struct why w;
	int rc = 0, r;
	size_t i;

	for (i = 0; i < c->nops; i++) {
		const struct op *o = &c->ops[i];

		if (o->kind == OP_ATTEMPT) {
			struct store_attempt a = {
				.time = o->time, .status = o->status, .cause = o->cause, .stage = o->stage,
				.queue_id = op_str(c, o->str[S_QUEUE_ID]), .recipient = op_str(c, o->str[S_RECIPIENT]),
				.domain = op_str(c, o->str[S_DOMAIN]), .provider = op_str(c, o->str[S_PROVIDER]),
				.dsn = op_str(c, o->str[S_DSN]), .relay = op_str(c, o->str[S_RELAY]),
			};

			a.text = op_str(c, o->str[S_TEXT]);
			r = store_add_attempt(in->st, &a, &w);
		} else if (o->kind == OP_SEEN) {
			r = store_message_seen(in->st, op_str(c, o->str[0]), o->time, op_str(c, o->str[1]),
					       o->state, &w);
		} else {
			r = store_message_replaced(in->st, op_str(c, o->str[0]), op_str(c, o->str[1]), o->time, &w);
		}
		if (r < 0 && store_fault(in->st) != STORE_FAULT_NONE) {
			note_fault(in, w.text);	/* the batch is lost or unusable: write nothing more */
			return 0;
		}
		if (r < 0 && rc == 0)
			*why = w;	/* a row refused for its values (the first one is told): the others go on */
		if (r < 0)
			rc = -1;
	}
	/* commit only here, between chunks, with the positions these rows reach */
	if (store_pending(in->st) >= COMMIT_ROWS) {
		save_positions(in, c->pos, c->has_pos);
		if (store_flush(in->st, &w) < 0) {
			if (store_fault(in->st) != STORE_FAULT_NONE) {
				note_fault(in, w.text);
				return 0;
			}
			if (rc == 0)
				*why = w;
			rc = -1;
		}
	}
	return rc;
}

/* writer_main - take full chunks in order, write them, hand them back */
static void *writer_main(void *arg)
{
	struct ingest *in = arg;
	struct chunk *c;
	struct why why;
	int broken;

	pthread_setname_np(pthread_self(), "mqmon-store");	/* for top -H and perf */
	pthread_mutex_lock(&in->mu);
	for (;;) {
		while (in->queue == NULL && !in->stop)
			pthread_cond_wait(&in->work, &in->mu);
		if (in->queue == NULL)
			break;
		c = in->queue;
		in->queue = c->next;
		if (in->queue == NULL)
			in->queue_tail = NULL;
		in->busy = 1;
		pthread_mutex_unlock(&in->mu);

		why.text[0] = '\0';
		pthread_mutex_lock(&in->mu);
		broken = in->broken;
		pthread_mutex_unlock(&in->mu);
		if (!broken && write_chunk(in, c, &why) < 0)	/* after a fault, chunks are dropped */
			note_failure(in, why.text);

		pthread_mutex_lock(&in->mu);
		c->next = in->spare;
		in->spare = c;
		in->busy = 0;
		pthread_cond_broadcast(&in->done);
	}
	pthread_mutex_unlock(&in->mu);
	return NULL;
}

/* chunk_take - an empty chunk: a spare one, a new one, or wait for the writer; NULL when out of memory */
static struct chunk *chunk_take(struct ingest *in)
{
	struct chunk *c = NULL;

	pthread_mutex_lock(&in->mu);
	while (in->spare == NULL && in->nchunks >= MAX_CHUNKS)
		pthread_cond_wait(&in->done, &in->mu);
	if (in->spare != NULL) {
		c = in->spare;
		in->spare = c->next;
	} else if ((c = malloc(sizeof *c)) != NULL) {
		in->nchunks++;
	}
	pthread_mutex_unlock(&in->mu);
	if (c != NULL) {
		c->nops = c->used = 0;
		memset(c->has_pos, 0, sizeof c->has_pos);
		c->next = NULL;
	}
	return c;
}

/* chunk_submit - queue the current chunk for the writer (with the positions read so far) */
static void chunk_submit(struct ingest *in)
{
	struct chunk *c = in->cur;

	if (c == NULL || c->nops == 0)
		return;
	memcpy(c->pos, in->pos, sizeof c->pos);
	memcpy(c->has_pos, in->has_pos, sizeof c->has_pos);
	memcpy(in->sub_pos, in->pos, sizeof in->sub_pos);
	memcpy(in->sub_has, in->has_pos, sizeof in->sub_has);
	in->submitted = 1;
	in->cur = NULL;
	pthread_mutex_lock(&in->mu);
	if (in->queue_tail != NULL)
		in->queue_tail->next = c;
	else
		in->queue = c;
	in->queue_tail = c;
	pthread_cond_signal(&in->work);
	pthread_mutex_unlock(&in->mu);
}

/* wait_idle - until the writer has written every submitted chunk */
static void wait_idle(struct ingest *in)
{
	pthread_mutex_lock(&in->mu);
	while (in->queue != NULL || in->busy)
		pthread_cond_wait(&in->done, &in->mu);
	pthread_mutex_unlock(&in->mu);
}

/* mono_seconds - a clock for how long rows are held (immune to date changes) */
static time_t mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* op_new - room for one more op (submitting a full chunk first); NULL when out of memory */
static struct op *op_new(struct ingest *in, size_t bytes)
{
	if (bytes > CHUNK_BYTES)
		return NULL;	/* cannot happen: lines are cut at 64 KiB, fields at a few KiB */
	if (in->cur != NULL && (in->cur->nops == CHUNK_OPS || in->cur->used + bytes > CHUNK_BYTES))
		chunk_submit(in);
	if (in->cur == NULL && (in->cur = chunk_take(in)) == NULL)
		return NULL;
	if (in->cur->nops == 0)
		in->held_since = mono_seconds();
	in->rows_read++;
	return &in->cur->ops[in->cur->nops++];
}

/* put_str - copy s (n bytes with its NUL, from str_sizes) into the current chunk's arena; its offset,
 * NO_STR for NULL */
static uint32_t put_str(struct ingest *in, const char *s, size_t n)
{
	struct chunk *c = in->cur;

	if (s == NULL)
		return NO_STR;
	memcpy(c->text + c->used, s, n);
	c->used += n;
	return (uint32_t)(c->used - n);
}

/* str_sizes - each string's arena bytes (with its NUL, 0 for NULL) into size; their sum */
static size_t str_sizes(const char *const *v, int n, size_t *size)
{
	size_t total = 0;
	int i;

	for (i = 0; i < n; i++)
		total += size[i] = v[i] != NULL ? strlen(v[i]) + 1 : 0;
	return total;
}

/* op_begin - a new op of kind at t with room for bytes of strings; NULL (the failure noted) when out of memory */
static struct op *op_begin(struct ingest *in, enum op_kind kind, time_t t, size_t bytes)
{
	struct op *o = op_new(in, bytes);

	if (o == NULL) {
		note_failure(in, "out of memory");
		return NULL;
	}
	o->kind = kind;
	o->time = t;
	return o;
}

/* queue_attempt - an attempt row for the writer (which splits its reply text, textpack: the
 * reader, which parses and classifies, is the busier thread) */
static void queue_attempt(struct ingest *in, time_t t, enum delivery_status status, const char *cause,
			  const char *stage, const char *const str[S_COUNT])
{
	size_t size[S_COUNT];
	struct op *o;
	int i;

	if ((o = op_begin(in, OP_ATTEMPT, t, str_sizes(str, S_COUNT, size))) == NULL)
		return;
	o->status = status;
	o->cause = cause;
	o->stage = stage;
	for (i = 0; i < S_COUNT; i++)
		o->str[i] = put_str(in, str[i], size[i]);
}

/* queue_message - an OP_SEEN (state) or OP_REPLACED (state MESSAGE_STATE_UNKNOWN) row for the writer */
static void queue_message(struct ingest *in, enum op_kind kind, const char *a, const char *b, time_t t,
			  enum message_state state)
{
	const char *v[2] = { a, b };
	size_t size[2];
	struct op *o = op_begin(in, kind, t, str_sizes(v, 2, size));

	if (o == NULL)
		return;
	o->state = state;
	o->str[0] = put_str(in, a, size[0]);
	o->str[1] = put_str(in, b, size[1]);
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
	in->cl = cl;
	in->vc = verdict_cache_new(cl);
	in->fn = fn;
	in->ctx = ctx;
	log_clock_init(&in->clock, time(NULL));
	pthread_mutex_init(&in->mu, NULL);
	pthread_cond_init(&in->work, NULL);
	pthread_cond_init(&in->done, NULL);
	/* positions and leases are keyed by the absolute path, the directory's links resolved (core/pathname) */
	for (i = 0; i < npaths; i++)
		if (path_log_key(paths[i], in->paths[i], sizeof in->paths[i]) < 0)
			snprintf(in->paths[i], sizeof in->paths[i], "%s", paths[i]);
	/* one process stores a log into a history: another one already doing it makes this a standby */
	for (i = 0; st != NULL && strcmp(store_path(st), ":memory:") != 0 && i < npaths; i++) {
		pid_t holder;
		int r = lease_take(store_path(st), in->paths[i], &in->leases[i], &holder, why);

		if (r < 0) {
			ingest_close(in);
			return NULL;
		}
		if (r == 0) {
			if (holder > 0)
				snprintf(in->standby, sizeof in->standby, "another mqmon (pid %ld) is storing %s into %s",
					 (long)holder, in->paths[i], store_path(st));
			else
				snprintf(in->standby, sizeof in->standby, "another mqmon is storing %s into %s",
					 in->paths[i], store_path(st));
			st = NULL;	/* follow without storing: lines are seen, the other stores them */
		}
	}
	for (i = 0; st == NULL && i < MAX_PATHS; i++) {
		lease_release(in->leases[i]);
		in->leases[i] = NULL;
	}
	in->st = st;
	if (st != NULL) {
		if (thread_spawn(&in->writer, writer_main, in) != 0) {
			why_set(why, "cannot start the store writer thread");
			ingest_close(in);
			return NULL;
		}
		in->thread_ok = 1;
	}
	if ((in->w = logwatch_new(why)) == NULL) {
		ingest_close(in);
		return NULL;
	}
	for (i = 0; i < npaths; i++) {
		struct store_file f;
		struct logtail_pos pos;
		/* a standby only watches what comes: the holder stores (and has stored) the rest */
		int mode = start == INGEST_RESUME_OR_START && !in->standby[0] ? LOGTAIL_FROM_START : LOGTAIL_FROM_END;

		/* a position saved under the name as given (before names were made absolute) still counts */
		if (st != NULL && (store_load_file(st, in->paths[i], &f, NULL) == 1
				   || (strcmp(paths[i], in->paths[i]) != 0 && store_load_file(st, paths[i], &f, NULL) == 1))) {
			pos = (struct logtail_pos){ f.dev, f.ino, f.offset, f.first_line_hash };
			mode = LOGTAIL_RESUME;
		}
		if (st != NULL && mode == LOGTAIL_FROM_START)
			in->first_load = 1;
		if (logwatch_add(in->w, in->paths[i], mode, mode == LOGTAIL_RESUME ? &pos : NULL, why) < 0) {
			ingest_close(in);
			return NULL;
		}
		in->npaths++;
	}
	return in;
}

/* ingest_standby - why this ingest does not store (another process does), NULL when it stores */
const char *ingest_standby(const struct ingest *in)
{
	return in->standby[0] ? in->standby : NULL;
}

/* ingest_fd - poll this for new log data */
int ingest_fd(const struct ingest *in)
{
	return logwatch_fd(in->w);
}

/* attempt_row - a store row for a delivery line */
static void attempt_row(struct ingest *in, const struct log_event *ev)
{
	char to[512], dom[256], dsn[16], relay[256], text[2048];
	struct deferral *d = &in->d;

	if (ev->status == STATUS_DEFERRED && deferral_from_event(in->cl, in->vc, ev, d) == 0) {
		const char *str[S_COUNT] = {
			[S_QUEUE_ID] = d->queue_id, [S_RECIPIENT] = d->recipient, [S_DOMAIN] = d->domain,
			[S_PROVIDER] = d->verdict.provider, [S_DSN] = d->dsn, [S_RELAY] = d->relay,
			[S_TEXT] = d->reply.text,
		};

		if (in->st != NULL)
			queue_attempt(in, d->time, STATUS_DEFERRED, cause_name(d->verdict.cause),
				      smtp_stage_name(d->reply.stage), str);
		if (in->fn != NULL)	/* after its row: ingest_rows_read() counts it */
			in->fn(in->ctx, d);
	} else if (ev->status == STATUS_SENT || ev->status == STATUS_BOUNCED || ev->status == STATUS_EXPIRED) {
		const char *str[S_COUNT] = {
			[S_QUEUE_ID] = ev->queue_id, [S_RECIPIENT] = to, [S_DOMAIN] = dom,
			[S_DSN] = dsn, [S_RELAY] = relay, [S_TEXT] = text,
		};

		if (in->st == NULL)
			return;
		sanitize_text(to, sizeof to, ev->to.p, ev->to.n);
		address_domain(dom, sizeof dom, to);
		sanitize_text(dsn, sizeof dsn, ev->dsn.p, ev->dsn.n);
		sanitize_text(relay, sizeof relay, ev->relay.p, ev->relay.n);
		sanitize_text(text, sizeof text, ev->reason.p, ev->reason.n);
		str[S_PROVIDER] = classifier_provider(in->cl, dom, NULL);
		queue_attempt(in, ev->time, ev->status, NULL, NULL, str);
	}
}

/* note_position - remember where the line's file was read to */
static void note_position(struct ingest *in, const struct logtail_line *l)
{
	int i;

	for (i = 0; i < in->npaths; i++)
		if (l->path == in->paths[i] || strcmp(l->path, in->paths[i]) == 0) {
			in->pos[i] = l->pos;
			in->has_pos[i] = 1;
			return;
		}
}

/* on_line - one log line: parsed here, its rows queued for the writer */
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
			queue_message(in, OP_SEEN, ev.queue_id, sender, ev.time, MESSAGE_QUEUED);
		break;
	case LOG_REMOVED:
		if (in->st)
			queue_message(in, OP_SEEN, ev.queue_id, NULL, ev.time, MESSAGE_REMOVED);
		break;
	case LOG_EXPIRED:
		if (in->st)
			queue_message(in, OP_SEEN, ev.queue_id, NULL, ev.time, MESSAGE_EXPIRED);
		break;
	case LOG_HOLD:
		if (in->st)
			queue_message(in, OP_SEEN, ev.queue_id, NULL, ev.time, MESSAGE_HOLD);
		break;
	case LOG_RELEASE:
		if (in->st)
			queue_message(in, OP_SEEN, ev.queue_id, NULL, ev.time, MESSAGE_QUEUED);
		break;
	case LOG_PICKUP:
		if (ev.orig_id.n > 0 && in->st) {
			span_copy(old, sizeof old, ev.orig_id);
			if (in->clock.dialect != NULL && in->clock.dialect->id_valid(old, strlen(old))
			    && strcmp(old, ev.queue_id) != 0)
				queue_message(in, OP_REPLACED, old, ev.queue_id, ev.time, MESSAGE_STATE_UNKNOWN);
		}
		break;
	default:
		break;
	}
	/* after the rows: a chunk submitted from here on carries this line's position */
	note_position(in, l);
}

/* stop_storing - after a store fault: drop the open batch and the rows held, save no position, and
 * follow on as a standby (the leases released: a later ingest, or this console taking over again,
 * reads from the last committed position, so nothing is lost); -1 with why */
static int stop_storing(struct ingest *in, struct why *why)
{
	int i;

	store_rollback(in->st);
	if (in->cur != NULL)
		in->cur->nops = in->cur->used = 0;
	in->rows_done = in->rows_read;	/* nothing more will come of them here */
	why_set(why, "%s (%s): storing stopped; the rows read since the last commit are not stored and no "
		"log position past them was saved, so the next ingest reads those lines again (nothing is lost)",
		in->store_err, store_fault_name(in->fault));
	snprintf(in->standby, sizeof in->standby, "storing into %s stopped (%s)", store_path(in->st),
		 store_fault_name(in->fault));
	for (i = 0; i < MAX_PATHS; i++) {
		lease_release(in->leases[i]);
		in->leases[i] = NULL;
	}
	in->st = NULL;	/* the writer is idle and writes nothing more */
	return -1;
}

/* ingest_fault - the class of the store failure that stopped storing (STORE_FAULT_NONE: none) */
enum store_fault ingest_fault(const struct ingest *in)
{
	return in->fault;
}

/* bulk_start - before the first backlog read from a log's start: an empty history takes it without
 * its queue ID index (store_bulk_begin), built once at the end (bulk_end); the writer is idle */
static void bulk_start(struct ingest *in)
{
	struct why ignored;

	if (in->st == NULL || !in->first_load)
		return;
	in->first_load = 0;
	/* only a shortcut: on failure the rows go in with the index kept up to date, as always */
	in->bulk = store_bulk_begin(in->st, &ignored) == 1;
	store_clear_fault(in->st);
}

/* bulk_end - build the index bulk_start dropped (the writer is idle); -1 with why, the fault noted */
static int bulk_end(struct ingest *in, struct why *why)
{
	if (!in->bulk || in->st == NULL)
		return 0;
	in->bulk = 0;
	if (store_bulk_end(in->st, why) < 0) {
		in->fault = store_fault(in->st);
		return -1;
	}
	return 0;
}

/* ingest_process - read whatever is new, store it, save positions; lines read or -1 with why */
long ingest_process(struct ingest *in, struct why *why)
{
	struct logtail_pos pos[MAX_PATHS];
	unsigned char has[MAX_PATHS] = { 0 };
	long before = in->lines;
	struct why ignored;
	int i, rc = 0, failed, hold = 0, had;

	if (in->st != NULL)
		store_clear_fault(in->st);	/* what a reader of this store met before is not ours */
	bulk_start(in);
	if (logwatch_process(in->w, on_line, in, why) < 0)
		rc = -1;
	if (in->lines != before)
		in->unsaved = 1;
	if (in->st != NULL) {
		/* a partly filled chunk may wait for more rows (group commit) */
		hold = rc == 0 && in->hold_seconds > 0 && in->cur != NULL && in->cur->nops > 0
			&& mono_seconds() - in->held_since < in->hold_seconds;
		if (!hold)
			chunk_submit(in);
		wait_idle(in);
	}
	in->status[0] = '\0';
	for (i = 0; i < in->npaths; i++) {
		const char *s = logwatch_status(in->w, in->paths[i]);

		if (s != NULL)
			snprintf(in->status, sizeof in->status, "%s", s);
	}
	if (in->st != NULL && in->broken)
		return stop_storing(in, why);
	if (rc < 0)
		return -1;
	if (in->st == NULL)
		return in->lines - before;
	/* the writer is idle: the store is this thread's again */
	if (hold) {
		/* the held rows' lines are not covered: only what the chunks written reach */
		if (in->submitted)
			save_positions(in, in->sub_pos, in->sub_has);
	} else if (in->unsaved) {
		for (i = 0; i < in->npaths; i++)
			has[i] = logwatch_pos(in->w, in->paths[i], &pos[i]) == 0;
		save_positions(in, pos, has);
		in->unsaved = 0;
	}
	had = store_pending(in->st) > 0;
	if (store_flush(in->st, why) < 0 || store_fault(in->st) != STORE_FAULT_NONE) {
		note_fault(in, why->text[0] ? why->text : "saving the log positions failed");
		return stop_storing(in, why);
	}
	/* every row not held is now committed */
	in->rows_done = in->rows_read - (in->cur != NULL ? in->cur->nops : 0);
	in->submitted = 0;
	if (had)
		in->commits++;
	pthread_mutex_lock(&in->mu);
	failed = in->store_failed;
	in->store_failed = 0;
	if (failed)
		why_set(why, "some log lines could not be stored: %s", in->store_err);
	in->store_err[0] = '\0';
	pthread_mutex_unlock(&in->mu);
	/* the backlog is in (its rows and positions committed): the index, in one sorted pass */
	if (bulk_end(in, failed ? &ignored : why) < 0 && !failed)
		return -1;
	return failed ? -1 : in->lines - before;
}

/* ingest_status - a problem with a followed file or NULL */
const char *ingest_status(const struct ingest *in)
{
	return in->status[0] ? in->status : NULL;
}

/* ingest_set_classifier - classify new lines with cl (between ingest_process calls: the writer is idle) */
void ingest_set_classifier(struct ingest *in, const struct classifier *cl)
{
	verdict_cache_free(in->vc);
	in->vc = verdict_cache_new(cl);	/* NULL is fine: no cache */
	in->cl = cl;
}

/* ingest_set_hold - let a partly filled chunk wait up to seconds for more rows (0: commit at every call) */
void ingest_set_hold(struct ingest *in, int seconds)
{
	in->hold_seconds = seconds > 0 ? seconds : 0;
}

/* ingest_holding - rows are held in memory: call ingest_process() again within a second or so */
int ingest_holding(const struct ingest *in)
{
	return in->cur != NULL && in->cur->nops > 0;
}

/* ingest_commits - transactions ingest_process() committed so far (new rows are visible to other readers) */
unsigned long ingest_commits(const struct ingest *in)
{
	return in->commits;
}

/* ingest_rows_read - rows made from the lines read so far */
unsigned long long ingest_rows_read(const struct ingest *in)
{
	return in->rows_read;
}

/* ingest_rows_done - of those, the first this many are committed (or were lost with an error) */
unsigned long long ingest_rows_done(const struct ingest *in)
{
	return in->rows_done;
}

/* ingest_unreadable - the status of the first followed file that could not be opened, NULL when all are read */
const char *ingest_unreadable(const struct ingest *in)
{
	int i;

	for (i = 0; i < in->npaths; i++)
		if (!logwatch_is_open(in->w, in->paths[i]))
			return logwatch_status(in->w, in->paths[i]) ? logwatch_status(in->w, in->paths[i])
								    : "not followed";
	return NULL;
}

/* ingest_close - save positions, flush and release (the store stays open) */
void ingest_close(struct ingest *in)
{
	struct logtail_pos pos[MAX_PATHS];
	unsigned char has[MAX_PATHS] = { 0 };
	struct why ignored;
	struct chunk *c;
	int i;

	if (in == NULL)
		return;
	if (in->thread_ok) {
		chunk_submit(in);
		pthread_mutex_lock(&in->mu);
		in->stop = 1;
		pthread_cond_signal(&in->work);
		pthread_mutex_unlock(&in->mu);
		pthread_join(in->writer, NULL);	/* it drains the queue before it stops */
	}
	if (in->w != NULL && in->st != NULL) {
		for (i = 0; i < in->npaths; i++)
			has[i] = logwatch_pos(in->w, in->paths[i], &pos[i]) == 0;
		save_positions(in, pos, has);
		store_flush(in->st, NULL);
		bulk_end(in, &ignored);	/* when ingest_process did not get that far */
	}
	logwatch_free(in->w);
	for (i = 0; i < MAX_PATHS; i++)
		lease_release(in->leases[i]);	/* after the last commit */
	free(in->cur);
	while ((c = in->spare) != NULL) {
		in->spare = c->next;
		free(c);
	}
	pthread_cond_destroy(&in->work);
	pthread_cond_destroy(&in->done);
	pthread_mutex_destroy(&in->mu);
	verdict_cache_free(in->vc);
	free(in);
}
