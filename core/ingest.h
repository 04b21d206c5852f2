/* ingest - follow mail logs into the store, exactly once across restarts
 *
 * An ingest follows one or more log files with logtail (inotify, rotation
 * proof) and turns each line into store rows: every delivery attempt
 * (deferred ones classified), message states (queued, hold, removed,
 * expired) and requeue links (pickup orig_id). Positions are saved in the
 * store in the same transaction as the rows they cover, so after a restart
 * (or a rotation while mqmon was down) exactly the missed lines are read.
 * Callers poll ingest_fd() and call ingest_process(); a callback sees each
 * classified deferral (classify --follow prints it, the console counts it).
 * During ingest_process() a thread of the ingest writes to the store; when
 * it returns that thread is idle and the store is the caller's again.
 */
#ifndef MQMON_INGEST_H
#define MQMON_INGEST_H

#include "core/classify.h"
#include "core/deferral.h"
#include "core/store.h"
#include "core/why.h"

enum ingest_start {
	INGEST_RESUME_OR_END,	/* saved position, else only new lines (tail -f) */
	INGEST_RESUME_OR_START,	/* saved position, else the whole file */
};

/* ingest_deferral_fn - a new deferral was read */
typedef void (*ingest_deferral_fn)(void *ctx, const struct deferral *d);

struct ingest;

/* ingest_open - follow paths (the store may be NULL: nothing persists); NULL with why */
struct ingest *ingest_open(struct store *st, const struct classifier *cl, char *const *paths, int npaths,
			   enum ingest_start start, ingest_deferral_fn fn, void *ctx, struct why *why);

/* ingest_fd - poll this for new log data */
int ingest_fd(const struct ingest *in);

/* ingest_process - read whatever is new, store it, save positions; returns lines read or -1 with why */
long ingest_process(struct ingest *in, struct why *why);

/* ingest_status - a problem with a followed file (permission denied, missing ...) or NULL */
const char *ingest_status(const struct ingest *in);

/* ingest_set_classifier - classify new lines with cl (between ingest_process calls) */
void ingest_set_classifier(struct ingest *in, const struct classifier *cl);

/* ingest_unreadable - the status of the first followed file that could not be opened, NULL when all are read */
const char *ingest_unreadable(const struct ingest *in);

/* ingest_close - save positions, flush and release (the store stays open) */
void ingest_close(struct ingest *in);

#endif
