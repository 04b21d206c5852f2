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
 * at intervals that grow with the time spent), it stores qmodel_partial()
 * of the messages so far in `partial` and notifies the fd. A partial
 * shares the model's sealed message structs (8 bytes a message of its
 * own) and its pool: the worker goes on adding messages, but before it
 * joins the log or finishes the model (which write into every message)
 * it waits until every partial it lent came back (qsource_wants_back,
 * qsource_return_partial). The lending is guarded by a mutex and a
 * condition of the qsource's own (plock, returned).
 */
#include "core/queue/qsource.h"

#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/history/store.h"
#include "core/queue/qcache.h"
#include "core/base/worker.h"

#define PARTIAL_FIRST_MS 150	/* the first partial model: the console's first screen */
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
	/* progress of the running build and the partial models it lends (under plock) */
	pthread_mutex_t plock;
	pthread_cond_t returned;
	int want_partials;
	struct qmodel *partial;	/* the newest untaken partial model */
	int lent;		/* partial models not returned yet (the untaken one too) */
	int want_back;		/* the worker waits for them */
	int stopping;
	int cache_shown;	/* this build handed over the cache's model: no smaller partials after it */
	int preloading;		/* the cache is being read into the model: partials of it, marked cached_at */
	time_t preload_at;	/* when that cache was written */
	char note[512];		/* the last cache warning, until qsource_note (under the worker's lock) */
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

/* drop_untaken - free the partial model nobody took (plock held) */
static void drop_untaken(struct qsource *qs)
{
	if (qs->partial == NULL)
		return;
	qs->lent--;
	qmodel_free(qs->partial);
	qs->partial = NULL;
}

/* on_progress - the snapshot read more messages: count them, and hand over a partial model when due */
static void on_progress(struct qmodel *m, void *ctx)
{
	struct qsource *qs = ctx;
	struct qmodel *p;
	long now = mono_ms(), gap;
	int want;

	pthread_mutex_lock(&qs->plock);
	qs->read = m->n;
	qs->expected = m->expected;
	want = qs->want_partials && !qs->stopping && (!qs->cache_shown || qs->preloading);
	pthread_mutex_unlock(&qs->plock);
	if (!want || now < qs->next_partial_ms)
		return;
	p = qmodel_partial(m, time(NULL));
	gap = (mono_ms() - qs->start_ms) / 2;
	qs->next_partial_ms = mono_ms() + (gap > PARTIAL_MIN_GAP_MS ? gap : PARTIAL_MIN_GAP_MS);
	if (p == NULL)
		return;
	if (qs->preloading) {
		/* the cache read so far: its counts as they were, and not all of them yet */
		p->source = "spool";
		p->cached_at = qs->preload_at;
		p->cache_reading = 1;
	}
	pthread_mutex_lock(&qs->plock);
	drop_untaken(qs);	/* a newer one replaces it */
	qs->partial = p;
	qs->lent++;
	pthread_mutex_unlock(&qs->plock);
	worker_notify(qs->worker);
}

/* partials_back - wait until every partial model lent out came back: the model is about to be written */
static void partials_back(struct qsource *qs)
{
	pthread_mutex_lock(&qs->plock);
	drop_untaken(qs);
	if (qs->lent > 0 && !qs->stopping) {
		qs->want_back = 1;
		pthread_mutex_unlock(&qs->plock);
		worker_notify(qs->worker);
		pthread_mutex_lock(&qs->plock);
		while (qs->lent > 0 && !qs->stopping)
			pthread_cond_wait(&qs->returned, &qs->plock);
		qs->want_back = 0;
	}
	pthread_mutex_unlock(&qs->plock);
}

/* reclaim_partials - qmodel_reclaim's hook: the lent partial models back */
static void reclaim_partials(struct qmodel *m, void *ctx)
{
	(void)m;
	partials_back(ctx);
}

/* qsource_default_log - the instance's log as its backend knows it; NULL when none */
const char *qsource_default_log(const struct mta_params *p)
{
	return p->backend != NULL && p->backend->default_log != NULL ? p->backend->default_log(p) : NULL;
}

/* what a build says about its model cache */
struct cache_notes {
	char warning[512];	/* the cache was ignored, or could not be written */
	char quiet[512];	/* --verbose: there is no cache (its directory cannot be written), or what it saved */
};

/* cache_open - the build's model cache, loaded when a valid one is there; NULL when there is none to use
 * (none configured, not a spool snapshot, or its directory cannot be written: a quiet note) */
static struct qcache *cache_open(const struct qsource_config *cfg, const struct mta_params *p,
				 struct cache_notes *cn)
{
	struct qcache *qc;
	struct why w;

	if (!cfg->cache[0] || !p->spool_readable || cfg->source == SNAPSHOT_LISTING)
		return NULL;
	if (qcache_usable(cfg->cache, &w) < 0) {
		snprintf(cn->quiet, sizeof cn->quiet, "working without a model cache: %.400s", w.text);
		return NULL;
	}
	if ((qc = qcache_new(cfg->backend->name, p->config_dir, p->queue_dir)) == NULL)
		return NULL;
	if (qcache_load(qc, cfg->cache, &w) < 0)
		snprintf(cn->warning, sizeof cn->warning, "model cache ignored (read again): %.400s", w.text);
	return qc;
}

/* cache_save - write the cache a spool build walked with, unless it holds just what the file does (and
 * free it); a warning when it cannot, else a quiet note of how many files were read */
static void cache_save(const struct qsource_config *cfg, struct qcache *qc, struct cache_notes *cn)
{
	struct why w;

	if (qc == NULL || !qcache_walked(qc)) {
		qcache_free(qc);
		return;
	}
	if (qcache_loaded(qc) == qcache_kept(qc) && qcache_replayed(qc) == qcache_kept(qc)) {
		/* every file as the cache holds it, none gone: the file on disk says the same */
		if (!cn->quiet[0])
			snprintf(cn->quiet, sizeof cn->quiet, "model cache %.300s: %zu queue files, 0 of them read, the "
				 "rest from the cache (unchanged, not written again)", cfg->cache, qcache_kept(qc));
	} else if (qcache_save(qc, cfg->cache, time(NULL), &w) < 0) {
		if (!cn->warning[0])
			snprintf(cn->warning, sizeof cn->warning, "model cache not written: %.400s", w.text);
	} else if (!cn->quiet[0]) {
		snprintf(cn->quiet, sizeof cn->quiet, "model cache %.300s: %zu queue files, %zu of them read, the rest "
			 "from the cache", cfg->cache, qcache_kept(qc), qcache_kept(qc) - qcache_replayed(qc));
	}
	qcache_free(qc);
}

/* hand_cached - the cache's whole model, unverified: preloaded into m (the walk that follows only
 * verifies it, then reads what changed) and lent to the owner as a partial model marked cached_at; no
 * smaller partial follows it in this build */
static void hand_cached(struct qsource *qs, struct qcache *qc, struct qmodel *m)
{
	struct qmodel *p;
	int want;

	pthread_mutex_lock(&qs->plock);
	want = qs->want_partials && !qs->stopping && qcache_loaded(qc) > 0;
	if (want) {
		qs->cache_shown = 1;	/* no smaller partial of the walk after the cache's whole model */
		qs->preloading = 1;	/* but partials of the cache while it is read: a big one takes a while */
		qs->preload_at = qcache_written_at(qc);
	}
	pthread_mutex_unlock(&qs->plock);
	if (!want)
		return;
	m->expected = qcache_loaded(qc);
	qcache_preload(qc, m);
	pthread_mutex_lock(&qs->plock);
	qs->preloading = 0;
	pthread_mutex_unlock(&qs->plock);
	if ((p = qmodel_partial_all(m, time(NULL))) == NULL)
		return;
	p->source = "spool";
	p->cached_at = qcache_written_at(qc);
	pthread_mutex_lock(&qs->plock);
	drop_untaken(qs);
	qs->partial = p;
	qs->lent++;
	pthread_mutex_unlock(&qs->plock);
	worker_notify(qs->worker);
}

/* build - one finished model now; NULL with why; *mta gets whether the MTA runs (enum mta_state), also on
 * failure; the model cache it used goes to *keep (to be saved by the caller) when keep is not NULL, else
 * it is saved here */
static struct qmodel *build(const struct qsource_config *cfg, struct qsource *qs, struct strlist *warn,
			    struct why *why, int *mta, struct cache_notes *cn, struct qcache **keep)
{
	const struct mta_backend *be = cfg->backend;
	struct mta_params params;
	struct qmodel *m;
	struct qcache *qc;
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
		m->reclaim = reclaim_partials;
		m->progress_ctx = qs;
		m->mta_running = *mta;
	}
	qc = cache_open(cfg, &params, cn);
	if (qs != NULL && qc != NULL)
		hand_cached(qs, qc, m);
	rc = be->snapshot(&params, cfg->source, m, qc, why);
	if (qs != NULL)
		qmodel_reclaim(m);	/* from here on the messages are written (or freed) */
	if (rc >= 0 && qcache_preloaded(qc)) {
		/* the backend did not verify the preloaded model (it does not use the cache): read it whole */
		qcache_free(qc);
		qc = NULL;
		qmodel_free(m);
		if ((m = qmodel_new(cfg->cl, &params)) == NULL) {
			why_set(why, "out of memory");
			return NULL;
		}
		m->mta_running = *mta;
		rc = be->snapshot(&params, cfg->source, m, NULL, why);
	}
	if (rc < 0) {
		if (rc == MTA_SNAPSHOT_STOPPED)
			*mta = MTA_STOPPED;
		qcache_free(qc);
		qmodel_free(m);
		return NULL;
	}
	if (strcmp(m->source, "spool") != 0) {
		qcache_free(qc);	/* a listing: nothing to keep */
		qc = NULL;
	} else if (qc != NULL) {
		qcache_drop_loaded(qc);	/* walked: only the next cache is needed */
	}
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
	if (qs != NULL)
		qmodel_keep_order(m);	/* the console's sort keys: sorted here, on the worker */
	qmodel_finish(m, time(NULL));
	if (keep != NULL)
		*keep = qc;
	else
		cache_save(cfg, qc, cn);
	return m;
}

/* qsource_build - one finished model now; NULL with why; *mta (may be NULL) whether the MTA runs */
struct qmodel *qsource_build(const struct qsource_config *cfg, struct strlist *warn, struct why *why, int *mta)
{
	struct cache_notes cn = { "", "" };
	struct qmodel *m;
	int state;

	m = build(cfg, NULL, warn, why, mta != NULL ? mta : &state, &cn, NULL);
	if (cfg->verbose && warn != NULL) {
		if (cn.warning[0])
			strlist_addf(warn, "%s", cn.warning);
		if (cn.quiet[0])
			strlist_addf(warn, "%s", cn.quiet);
	}
	return m;
}

/* build_job - one build on the worker thread, its outcome into ready */
static void build_job(struct worker *w, void *ctx)
{
	struct qsource *qs = ctx;
	struct qsource_config cfg;
	struct cache_notes cn = { "", "" };
	struct qcache *qc = NULL;
	struct qmodel *m;
	struct why why;
	struct timespec t0, t1;
	int mta;

	worker_lock(w);
	cfg = qs->cfg;	/* qsource_set_classifier may change it during the build */
	worker_unlock(w);
	pthread_mutex_lock(&qs->plock);
	qs->read = qs->expected = 0;
	qs->cache_shown = 0;
	pthread_mutex_unlock(&qs->plock);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	qs->start_ms = mono_ms();
	qs->next_partial_ms = qs->start_ms + PARTIAL_FIRST_MS;
	m = build(&cfg, qs, NULL, &why, &mta, &cn, &qc);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (qc != NULL) {
		/* the verified model first, then the cache written (the owner sees the build as busy meanwhile) */
		worker_lock(w);
		if (cn.warning[0])
			snprintf(qs->note, sizeof qs->note, "%s", cn.warning);
		cn.warning[0] = '\0';
		qs->ready_new = 1;
		qmodel_free(qs->ready);
		qs->ready = m;
		qs->ready_failed = 0;
		qs->ready_mta = mta;
		qs->ready_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		worker_unlock(w);
		worker_notify(w);
		cache_save(&cfg, qc, &cn);
		if (cn.warning[0]) {
			worker_lock(w);
			snprintf(qs->note, sizeof qs->note, "%s", cn.warning);
			worker_unlock(w);
		}
		return;
	}
	worker_lock(w);
	if (cn.warning[0])
		snprintf(qs->note, sizeof qs->note, "%s", cn.warning);
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
	pthread_mutex_init(&qs->plock, NULL);
	pthread_cond_init(&qs->returned, NULL);
	if ((qs->worker = worker_new("mqmon-model", build_job, qs, why)) == NULL) {
		pthread_cond_destroy(&qs->returned);
		pthread_mutex_destroy(&qs->plock);
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

/* qsource_take_partial - the newest partial model (lent: give it back with qsource_return_partial), NULL when none waits */
struct qmodel *qsource_take_partial(struct qsource *qs)
{
	struct qmodel *m;

	worker_ack(qs->worker);
	pthread_mutex_lock(&qs->plock);
	m = qs->partial;
	qs->partial = NULL;
	pthread_mutex_unlock(&qs->plock);
	return m;
}

/* qsource_return_partial - free a partial model taken with qsource_take_partial (NULL-safe) */
void qsource_return_partial(struct qsource *qs, struct qmodel *m)
{
	if (m == NULL)
		return;
	qmodel_free(m);
	pthread_mutex_lock(&qs->plock);
	qs->lent--;
	pthread_cond_broadcast(&qs->returned);
	pthread_mutex_unlock(&qs->plock);
}

/* qsource_wants_back - true when the build waits for the partial models it lent (the reading is done) */
int qsource_wants_back(struct qsource *qs)
{
	int want;

	pthread_mutex_lock(&qs->plock);
	want = qs->want_back;
	pthread_mutex_unlock(&qs->plock);
	return want;
}

/* qsource_want_partials - whether builds hand over partial models (the console, until it has a whole one) */
void qsource_want_partials(struct qsource *qs, int on)
{
	pthread_mutex_lock(&qs->plock);
	qs->want_partials = on;
	pthread_mutex_unlock(&qs->plock);
}

/* qsource_progress - messages the running build has read so far, and how many it expects (0: unknown) */
void qsource_progress(struct qsource *qs, size_t *read, size_t *expected)
{
	pthread_mutex_lock(&qs->plock);
	*read = qs->read;
	*expected = qs->expected;
	pthread_mutex_unlock(&qs->plock);
}

/* qsource_note - the last build's cache warning, once */
int qsource_note(struct qsource *qs, char *buf, size_t n)
{
	int has;

	worker_lock(qs->worker);
	has = qs->note[0] != '\0';
	if (has) {
		snprintf(buf, n, "%s", qs->note);
		qs->note[0] = '\0';
	}
	worker_unlock(qs->worker);
	return has;
}

/* qsource_free - stop the worker (waits for a running build) and release everything */
void qsource_free(struct qsource *qs)
{
	if (qs == NULL)
		return;
	pthread_mutex_lock(&qs->plock);
	qs->stopping = 1;	/* a build waiting for lent partials goes on (the owner no longer draws them) */
	pthread_cond_broadcast(&qs->returned);
	pthread_mutex_unlock(&qs->plock);
	worker_free(qs->worker);
	qmodel_free(qs->ready);
	qmodel_free(qs->partial);	/* untaken: nobody waits for it any more */
	pthread_cond_destroy(&qs->returned);
	pthread_mutex_destroy(&qs->plock);
	free(qs);
}
