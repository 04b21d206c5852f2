/* qsource - build queue models in the foreground or on a worker thread; see qsource.h
 *
 * A core/base/worker runs the build; each build stores its result in
 * `ready` (replacing an untaken one). The main thread only touches the
 * shared fields under the worker's lock, and the classifier it shares is
 * read-only.
 *
 * Partial models: while the snapshot fills the model, qmodel_add calls
 * on_progress every QMODEL_PROGRESS_EVERY messages; when partials are
 * wanted and one is due (the first PARTIAL_FIRST_MS after the start, then
 * at intervals that grow with the time spent, so copying stays a small
 * share of the build), it stores qmodel_partial() of the messages so far
 * in `partial` and notifies the fd. A partial has message structs of its
 * own and shares only the pool's strings, which are immutable and
 * reference counted: the worker goes on mutating its model while the
 * console draws the partial.
 */
#include "core/queue/qsource.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/history/store.h"
#include "core/base/worker.h"

#define PARTIAL_FIRST_MS 300	/* the first partial model: the console's first screen */
#define PARTIAL_MIN_GAP_MS 500	/* between two partials at least */

struct qsource {
	struct qsource_config cfg;
	struct worker *worker;
	struct qmodel *ready;
	struct why ready_why;
	int ready_new;		/* a build ended since the last take (ready or failed) */
	int ready_failed;
	int ready_mta;		/* enum mta_state of the last build, also a failed one */
	long ready_ms;
	/* progress of the running build (under the lock) */
	int want_partials;
	struct qmodel *partial;	/* the newest untaken partial model */
	size_t read, expected;
	long start_ms, next_partial_ms;	/* monotonic, the worker's own */
};

/* mono_ms - monotonic milliseconds */
static long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* on_progress - the snapshot read more messages: count them, and hand over a partial model when due */
static void on_progress(struct qmodel *m, void *ctx)
{
	struct qsource *qs = ctx;
	struct qmodel *p, *old;
	long now = mono_ms(), gap;
	int want;

	worker_lock(qs->worker);
	qs->read = m->n;
	qs->expected = m->expected;
	want = qs->want_partials;
	old = qs->partial;	/* untaken: replaced by a newer one */
	if (want && now >= qs->next_partial_ms)
		qs->partial = NULL;
	worker_unlock(qs->worker);
	if (!want || now < qs->next_partial_ms)
		return;
	qmodel_free(old);
	p = qmodel_partial(m, time(NULL));
	gap = (mono_ms() - qs->start_ms) / 2;
	qs->next_partial_ms = mono_ms() + (gap > PARTIAL_MIN_GAP_MS ? gap : PARTIAL_MIN_GAP_MS);
	if (p == NULL)
		return;
	worker_lock(qs->worker);
	qs->partial = p;
	worker_unlock(qs->worker);
	worker_notify(qs->worker);
}

/* qsource_default_log - the instance's log as its backend knows it; NULL when none */
const char *qsource_default_log(const struct mta_params *p)
{
	return p->backend != NULL && p->backend->default_log != NULL ? p->backend->default_log(p) : NULL;
}

/* build - one finished model now; NULL with why; *mta gets whether the MTA runs (enum mta_state), also on failure */
static struct qmodel *build(const struct qsource_config *cfg, struct qsource *qs, struct strlist *warn,
			    struct why *why, int *mta)
{
	const struct mta_backend *be = cfg->backend;
	struct mta_params params;
	struct qmodel *m;
	struct why w;
	int i, rc;

	*mta = MTA_UNKNOWN;
	if (be->load_params(cfg->config_dir, cfg->binary, &params, why) < 0)
		return NULL;
	*mta = be->running ? be->running(&params) : MTA_UNKNOWN;
	if ((m = qmodel_new(cfg->cl, &params)) == NULL) {
		why_set(why, "out of memory");
		return NULL;
	}
	if (qs != NULL) {
		m->progress = on_progress;
		m->progress_ctx = qs;
		m->mta_running = *mta;
	}
	if ((rc = be->snapshot(&params, cfg->source, m, why)) < 0) {
		if (rc == MTA_SNAPSHOT_STOPPED)
			*mta = MTA_STOPPED;
		qmodel_free(m);
		return NULL;
	}
	m->progress = NULL;
	if (*mta == MTA_UNKNOWN && strcmp(m->source, be->listing_name) == 0)
		*mta = MTA_RUNNING;	/* its daemons answered the listing */
	m->mta_running = *mta;
	if (cfg->db[0]) {
		/* the console keeps the log in the store: a grouped query instead of a log scan */
		struct store *st = store_open(cfg->db, &w);

		if (st == NULL || qmodel_join_store(m, st, &w) < 0) {
			if (warn != NULL)
				strlist_addf(warn, "%s (attempt counts unavailable)", w.text);
		}
		store_close(st);
	} else if (cfg->use_log && cfg->nlogs == 0) {
		const char *def = qsource_default_log(&params);

		if (def == NULL && warn != NULL)
			strlist_addf(warn, "no mail log found for the instance %s (attempt counts unavailable; --log FILE)",
				     params.config_dir);
		else if (def != NULL && qmodel_join_log(m, def, &w) < 0 && warn != NULL)
			strlist_addf(warn, "%s (attempt counts unavailable)", w.text);
	}
	for (i = 0; !cfg->db[0] && cfg->use_log && i < cfg->nlogs; i++)
		if (qmodel_join_log(m, cfg->logs[i], &w) < 0 && warn != NULL)
			strlist_addf(warn, "%s", w.text);
	qmodel_finish(m, time(NULL));
	return m;
}

/* qsource_build - one finished model now; NULL with why; *mta (may be NULL) whether the MTA runs */
struct qmodel *qsource_build(const struct qsource_config *cfg, struct strlist *warn, struct why *why, int *mta)
{
	int state;

	return build(cfg, NULL, warn, why, mta != NULL ? mta : &state);
}

/* build_job - one build on the worker thread, its outcome into ready */
static void build_job(struct worker *w, void *ctx)
{
	struct qsource *qs = ctx;
	struct qsource_config cfg;
	struct qmodel *m;
	struct why why;
	struct timespec t0, t1;
	int mta;

	worker_lock(w);
	cfg = qs->cfg;	/* qsource_set_classifier may change it during the build */
	qs->read = qs->expected = 0;
	worker_unlock(w);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	qs->start_ms = mono_ms();
	qs->next_partial_ms = qs->start_ms + PARTIAL_FIRST_MS;
	m = build(&cfg, qs, NULL, &why, &mta);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	worker_lock(w);
	qmodel_free(qs->partial);	/* the whole model is here: no partial is worth showing */
	qs->partial = NULL;
	qs->ready_new = 1;
	qmodel_free(qs->ready);
	qs->ready = m;
	qs->ready_failed = m == NULL;
	qs->ready_why = why;
	qs->ready_mta = mta;
	qs->ready_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	worker_unlock(w);
}

/* qsource_new - a background builder; its fd becomes readable when a model is ready */
struct qsource *qsource_new(const struct qsource_config *cfg, struct why *why)
{
	struct qsource *qs = calloc(1, sizeof *qs);

	if (qs == NULL) {
		why_set(why, "out of memory");
		return NULL;
	}
	qs->cfg = *cfg;
	qs->ready_mta = MTA_UNKNOWN;
	if ((qs->worker = worker_new("mqmon-model", build_job, qs, why)) == NULL) {
		free(qs);
		return NULL;
	}
	return qs;
}

/* qsource_fd - poll this for "a build finished" */
int qsource_fd(const struct qsource *qs)
{
	return worker_fd(qs->worker);
}

/* qsource_request - ask for a fresh model (coalesced while a build runs) */
void qsource_request(struct qsource *qs)
{
	worker_kick(qs->worker);
}

/* qsource_set_classifier - classify with cl from the next build on (the running one keeps the old) */
void qsource_set_classifier(struct qsource *qs, const struct classifier *cl)
{
	worker_lock(qs->worker);
	qs->cfg.cl = cl;
	worker_unlock(qs->worker);
}

/* qsource_busy - true while a build runs or is wanted */
int qsource_busy(struct qsource *qs)
{
	return worker_busy(qs->worker);
}

/* qsource_mta_state - whether the MTA ran at the last build (enum mta_state), known also when it failed */
int qsource_mta_state(struct qsource *qs)
{
	int mta;

	worker_lock(qs->worker);
	mta = qs->ready_mta;
	worker_unlock(qs->worker);
	return mta;
}

/* qsource_take - the new model (caller owns it) or NULL with why */
struct qmodel *qsource_take(struct qsource *qs, struct why *why, long *build_ms)
{
	struct qmodel *m;

	worker_ack(qs->worker);
	worker_lock(qs->worker);
	m = qs->ready;
	qs->ready = NULL;
	qs->ready_new = 0;
	if (m == NULL && why != NULL)
		*why = qs->ready_failed ? qs->ready_why : (struct why){ "no model ready" };
	if (build_ms)
		*build_ms = qs->ready_ms;
	worker_unlock(qs->worker);
	return m;
}

/* qsource_ended - true when a build ended since the last qsource_take (its model or failure waits) */
int qsource_ended(struct qsource *qs)
{
	int ended;

	worker_lock(qs->worker);
	ended = qs->ready_new;
	worker_unlock(qs->worker);
	return ended;
}

/* qsource_take_partial - the newest partial model (caller owns it), NULL when none waits */
struct qmodel *qsource_take_partial(struct qsource *qs)
{
	struct qmodel *m;

	worker_ack(qs->worker);
	worker_lock(qs->worker);
	m = qs->partial;
	qs->partial = NULL;
	worker_unlock(qs->worker);
	return m;
}

/* qsource_want_partials - whether builds hand over partial models (the console, until it has a whole one) */
void qsource_want_partials(struct qsource *qs, int on)
{
	worker_lock(qs->worker);
	qs->want_partials = on;
	worker_unlock(qs->worker);
}

/* qsource_progress - messages the running build has read so far, and how many it expects (0: unknown) */
void qsource_progress(struct qsource *qs, size_t *read, size_t *expected)
{
	worker_lock(qs->worker);
	*read = qs->read;
	*expected = qs->expected;
	worker_unlock(qs->worker);
}

/* qsource_free - stop the worker (waits for a running build) and release everything */
void qsource_free(struct qsource *qs)
{
	if (qs == NULL)
		return;
	worker_free(qs->worker);
	qmodel_free(qs->ready);
	qmodel_free(qs->partial);
	free(qs);
}
