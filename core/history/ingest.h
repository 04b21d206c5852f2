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
 * Only one process stores a given log into a given store at a time (a
 * lease per log); a second one opens as a standby that stores nothing.
 */
#ifndef MQMON_INGEST_H
#define MQMON_INGEST_H

#include "core/classify/classify.h"
#include "core/log/deferral.h"
#include "core/history/store.h"
#include "core/base/why.h"

/* seconds the rows of a live log may wait in memory for company (group commit) */
#define INGEST_LIVE_HOLD 5

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

/* ingest_standby - NULL when this ingest stores its logs; else why not: another
 * process holds the lease of one of them (see core/base/lease.h) and this ingest
 * follows the logs without storing (callbacks still see every deferral) */
const char *ingest_standby(const struct ingest *in);

/* ingest_fd - poll this for new log data */
int ingest_fd(const struct ingest *in);

/* ingest_process - read whatever is new, store it, save positions; returns lines read or -1 with why */
long ingest_process(struct ingest *in, struct why *why);

/* ingest_fault - why storing stopped (STORE_FAULT_NONE: it did not). A store failure (write lock
 * timeout, disk full, read-only file, I/O error) makes ingest_process() drop the rows not committed
 * and return -1; no position past them is ever saved, and the ingest goes on as a standby (see
 * ingest_standby), so the next ingest of the log reads those lines again. */
enum store_fault ingest_fault(const struct ingest *in);

/* ingest_status - a problem with a followed file (permission denied, missing ...) or NULL */
const char *ingest_status(const struct ingest *in);

/* ingest_set_classifier - classify new lines with cl (between ingest_process calls) */
void ingest_set_classifier(struct ingest *in, const struct classifier *cl);

/* ingest_set_hold - group commit for a live log: rows of a partly filled batch
 * wait in memory up to seconds (0, the default: commit at every ingest_process).
 * The caller then calls ingest_process() about once a second while
 * ingest_holding() says rows are held, so they are stored in time. */
void ingest_set_hold(struct ingest *in, int seconds);

/* ingest_holding - rows read but not yet stored are held in memory */
int ingest_holding(const struct ingest *in);

/* ingest_commits - how many times ingest_process() committed rows (a reader of the store sees them) */
unsigned long ingest_commits(const struct ingest *in);

/* ingest_rows_read - store rows made from the lines read so far; during a deferral
 * callback it counts that deferral's row */
unsigned long long ingest_rows_read(const struct ingest *in);

/* ingest_rows_done - the first this many rows are committed (or lost with an error
 * ingest_process reported): a reader of the store sees a deferral once this reaches
 * the ingest_rows_read() of its callback */
unsigned long long ingest_rows_done(const struct ingest *in);

/* ingest_unreadable - the status of the first followed file that could not be opened, NULL when all are read */
const char *ingest_unreadable(const struct ingest *in);

/* ingest_close - save positions, flush and release (the store stays open) */
void ingest_close(struct ingest *in);

#endif
