/* qsource - build a finished queue model from the MTA, in the foreground or on a worker thread
 *
 * qsource_build() is the whole recipe (parameters, snapshot, log join,
 * finish) shared by `mqmon snapshot` and the TUI. The TUI must never freeze
 * while postqueue -j lists 100,000 messages, so a qsource can also build on
 * a worker thread: qsource_request() asks for a fresh model (requests made
 * while a build runs are coalesced into one more build), the worker signals
 * an eventfd the caller polls, and qsource_take() hands the model over.
 * While it reads a big queue, a build can also hand over partial models
 * (qsource_want_partials): finished copies of the messages read so far,
 * marked `reading`, the first within about 0.15 s, so the console shows
 * causes at once and fills them in (qsource_take_partial, qsource_progress).
 *
 * With a model cache (qsource_config.cache), a spool build replays the
 * files the cache holds as they are and reads only the others, then writes
 * the cache again (after the model is handed over) unless every file was
 * replayed and none vanished. A build that wants partial models first
 * hands over the cache's whole model, unverified (qmodel.cached_at: "as of
 * HH:MM:SS, verifying"), and no smaller partial after it: its model is
 * preloaded from the cache (qcache_preload) and lent as a partial model
 * while the walk only verifies it; the backend then takes it back
 * (qmodel_reclaim), forgets what changed and reads it. A cache that
 * cannot be used is a note: a one-line warning when it was ignored (corrupt,
 * foreign, another version), a quieter one when its directory cannot be
 * written (qsource_build: in warn with cfg.verbose; the console: qsource_note).
 */
#ifndef MQMON_QSOURCE_H
#define MQMON_QSOURCE_H

#include "core/classify/classify.h"
#include "core/mta/mta.h"
#include "core/queue/qmodel.h"
#include "core/base/why.h"

#define QSOURCE_MAX_LOGS 16

struct qsource_config {
	const struct classifier *cl;	/* read-only, shared with the worker */
	const struct mta_backend *backend;	/* the instance's MTA */
	char config_dir[PATH_MAX];
	char binary[PATH_MAX];		/* the MTA's command when configured ([mta] binary), else "" */
	enum snapshot_source source;
	int use_log;			/* join a log for attempts */
	char db[PATH_MAX];		/* when set: attempts from this store instead of reading the log */
	int nlogs;			/* 0: the MTA's own log or the usual syslog file */
	char logs[QSOURCE_MAX_LOGS][PATH_MAX];
	char cache[PATH_MAX];		/* the model cache (core/queue/qcache) of spool snapshots; "": none */
	int verbose;			/* qsource_build: the cache's notes go to warn too */
};

/* qsource_default_log - the instance's log as its backend knows it (its own log file, else the usual
 * syslog file); NULL when none */
const char *qsource_default_log(const struct mta_params *p);

/* qsource_build - one finished model now; NULL with why (warnings about logs go to warn, may be NULL);
 * mta (may be NULL) gets whether the MTA runs (enum mta_state), also when the build failed */
struct qmodel *qsource_build(const struct qsource_config *cfg, struct strlist *warn, struct why *why, int *mta);

struct qsource;

/* qsource_new - a background builder; its fd becomes readable when a model is ready */
struct qsource *qsource_new(const struct qsource_config *cfg, struct why *why);

/* qsource_fd - poll this for "a build finished" */
int qsource_fd(const struct qsource *qs);

/* qsource_request - ask for a fresh model (coalesced while a build runs) */
void qsource_request(struct qsource *qs);

/* qsource_take - after qsource_fd is readable: the new model (caller owns it) or NULL with why; build_ms gets the build time */
struct qmodel *qsource_take(struct qsource *qs, struct why *why, long *build_ms);

/* qsource_ended - true when a build ended since the last qsource_take (its model or its failure waits) */
int qsource_ended(struct qsource *qs);

/* qsource_take_partial - the newest partial model of the running build (qmodel.reading set), NULL when
 * none waits; it is lent: it shares the messages of the model being built, so give it back with
 * qsource_return_partial, at the latest when qsource_wants_back says so */
struct qmodel *qsource_take_partial(struct qsource *qs);

/* qsource_return_partial - free a partial model taken with qsource_take_partial (NULL-safe) */
void qsource_return_partial(struct qsource *qs, struct qmodel *m);

/* qsource_wants_back - true when the build has read everything and waits for its partial models to
 * come back before it writes into the messages (join and finish) */
int qsource_wants_back(struct qsource *qs);

/* qsource_want_partials - whether builds hand over partial models while they read (off by default) */
void qsource_want_partials(struct qsource *qs, int on);

/* qsource_progress - messages the running build has read so far, and how many it expects (0: unknown) */
void qsource_progress(struct qsource *qs, size_t *read, size_t *expected);

/* qsource_mta_state - whether the MTA ran at the last build (enum mta_state), known also when it failed */
int qsource_mta_state(struct qsource *qs);

/* qsource_set_classifier - classify with cl from the next build on; models keep the classifier they were
 * built with (qmodel.cl), so the old one must outlive them */
void qsource_set_classifier(struct qsource *qs, const struct classifier *cl);

/* qsource_busy - true while a build runs */
int qsource_busy(struct qsource *qs);

/* qsource_note - the last build's cache warning (a cache it ignored or could not write) into buf, once;
 * 0 when there is none */
int qsource_note(struct qsource *qs, char *buf, size_t n);

/* qsource_free - stop the worker (waits for a running build) and release everything */
void qsource_free(struct qsource *qs);

#endif
