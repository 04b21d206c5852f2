/* store - mqmon's history in one SQLite database (survives restarts)
 *
 * Tables: attempts (one row per delivery attempt seen in the log, its
 * reply text as a shared template and its variable tokens, see
 * core/history/textpack; view attempt_rows), message_events and requeues (queue IDs' state changes and
 * the ID each was requeued to, view messages), actions (the audit trail of
 * operator commands; a command's row is written before it runs, state
 * started, and completed after it) and action_targets (every queue ID of
 * each), throttles (domains slowed or paused) and files
 * (resume positions of followed logs). The schema lives in store.c as a
 * list of migrations numbered by PRAGMA user_version.
 *
 * Writes coming from the log (attempts, messages, file positions) are
 * batched: the first one opens a transaction, store_flush() commits it, and
 * the store commits by itself every STORE_BATCH_ROWS rows. The batch holds
 * the database's write lock, so a log follower flushes whenever it has
 * drained its input. Operator writes (actions, throttles) and store_prune()
 * commit at once, taking any pending batch with them.
 *
 * Statuses, audited verbs, throttle modes and message states cross as the
 * enums of core/base/vocab; store.c alone turns them into what the tables
 * hold (codes or words) and back.
 *
 * Strings passed in are only read during the call; NULL stores SQL NULL
 * ("unknown"). Strings handed to callbacks are valid only during the
 * callback, which must not run another query of the same kind on the same
 * store (that is refused) and returns non-zero to stop the iteration.
 * One struct store per thread; several processes may open the same file.
 * A failure of SQLite itself (lock timeout, disk full, read-only, I/O) is
 * remembered as a store_fault() so callers can tell it from a bad value.
 */
#ifndef MQMON_STORE_H
#define MQMON_STORE_H

#include <stddef.h>
#include <time.h>

#include "core/base/vocab.h"
#include "core/base/why.h"

/* the schema version this code writes (PRAGMA user_version) */
#define STORE_SCHEMA_VERSION 4
/* page size of new database files: larger pages make appends and the queue_id index cheaper */
#define STORE_PAGE_SIZE 16384
/* batched rows after which the store commits without being asked */
#define STORE_BATCH_ROWS 100000
/* rows of each kind store_prune deletes per transaction (other writers get the lock in between) */
#define STORE_PRUNE_CHUNK 20000
/* actions.output is cut (on a UTF-8 boundary) beyond this many bytes */
#define STORE_OUTPUT_MAX 16384

struct store;

struct store_attempt {
	time_t time;
	const char *queue_id, *recipient, *domain, *provider, *cause, *dsn;
	enum delivery_status status;	/* STATUS_DEFERRED ... STATUS_EXPIRED; read back: STATUS_OTHER for a code
					 * this mqmon does not know */
	const char *relay, *stage, *text;
};

/* an audit row's state: an action's row is written before its command runs and completed after */
enum store_action_state {
	STORE_ACTION_DONE,	/* complete (or a refusal) */
	STORE_ACTION_STARTED,	/* its command was started and the row never completed: outcome unknown */
	STORE_ACTION_REFUSED,	/* refused before anything ran (read-only, bad input, not set up): output says why */
};

/* classes of store failures (store_fault), for exit codes and messages */
enum store_fault {
	STORE_FAULT_NONE,
	STORE_FAULT_BUSY,	/* another process held the write lock longer than the busy timeout */
	STORE_FAULT_READONLY,	/* the file or its directory cannot be written */
	STORE_FAULT_FULL,	/* disk (or quota) full */
	STORE_FAULT_IO,		/* an I/O error, a damaged file, anything else */
};

struct store_action {
	long long id;		/* read back: the row's id */
	enum store_action_state state;	/* read back; store_add_action writes DONE or REFUSED */
	long long ntargets;	/* read back: queue IDs in action_targets */
	time_t time;		/* 0 = now */
	const char *user;	/* NULL = the real uid's login name (or number) */
	enum audit_verb action;	/* read back: AUDIT_VERB_UNKNOWN for a word this mqmon does not know */
	const char *target, *args, *output;
	int result;		/* exit code */
	int ok;
};

struct store_throttle {
	const char *domain, *user;
	enum throttle_mode mode;		/* read back: THROTTLE_MODE_UNKNOWN for a word this mqmon does not know */
	time_t since, until;			/* until 0 = no expiry */
};

struct store_file {
	const char *path;
	unsigned long long dev, ino;
	long long offset;
	unsigned long long first_line_hash;
};

/* callbacks: return non-zero to stop the iteration */
typedef int (*store_attempt_fn)(void *ctx, const struct store_attempt *a);
/* store_stats_fn - one queue ID's deferral attempts, and the time, relay and dsn of the last (may be NULL) */
typedef int (*store_stats_fn)(void *ctx, const char *queue_id, int attempts, time_t last, const char *relay,
			      const char *dsn);

/* store_attempt_stats - per queue ID: deferral attempts (distinct seconds), the last one with its relay and dsn, since a time; rows passed or -1 */
int store_attempt_stats(struct store *s, time_t since, store_stats_fn fn, void *ctx, struct why *why);

typedef int (*store_action_fn)(void *ctx, const struct store_action *a);
typedef int (*store_target_fn)(void *ctx, const char *queue_id);
typedef int (*store_throttle_fn)(void *ctx, const struct store_throttle *t);

/* the Postfix instance whose history keeps the plain name mqmon.db */
#define STORE_DEFAULT_INSTANCE "/etc/postfix"

/* store_instance_file - the history's file name for an instance (an absolute, clean configuration directory):
 * "mqmon.db" for STORE_DEFAULT_INSTANCE or NULL, else "mqmon@" + the path without its first '/', '/' as '_'
 * and every byte but [A-Za-z0-9.-] as %XX (so two directories never share a file), ".db"; a name over
 * 200 bytes is cut and ends in a hash of the whole path; -1 when n is too small */
int store_instance_file(const char *config_dir, char *buf, size_t n);

/* store_default_path - the history of the Postfix instance at config_dir (NULL: the default instance):
 * $XDG_DATA_HOME/mqmon/FILE, else ~/.local/share/mqmon/FILE, FILE from store_instance_file for the directory
 * with its symbolic links resolved (relative XDG_DATA_HOME and HOME ignored: core/pathname path_xdg,
 * path_home); one history per instance, so a report for one never shows another's mail; -1 when unknown
 * or too long */
int store_default_path(const char *config_dir, char *buf, size_t n);

/* store_open - open (creating file, parent directories and schema as needed); NULL path = default; NULL on error */
struct store *store_open(const char *path, struct why *why);

/* store_migration_fn - told before (done 0) and after (done 1, ok or not) an existing
 * history is converted to a newer schema, which can take a while on a large file */
typedef void (*store_migration_fn)(const char *path, int from, int to, int done);

/* store_path - the database file's path (":memory:" for a memory store) */
const char *store_path(const struct store *s);

/* store_on_migration - who is told of conversions (NULL: nobody, the default); set once at start */
void store_on_migration(store_migration_fn fn);

/* store_close - flush (best effort: call store_flush first to see errors), finalize, close; NULL-safe */
void store_close(struct store *s);

/* store_flush - commit the pending batch, if any */
int store_flush(struct store *s, struct why *why);

/* store_pending - rows written in the open batch (0 when none is open) */
int store_pending(const struct store *s);

/* store_rollback - drop the open batch (its rows are not stored); rows dropped */
int store_rollback(struct store *s);

/* store_fault - the class of the last SQLite failure since store_clear_fault (STORE_FAULT_NONE: none);
 * errors in the values given (an unknown status ...) are not faults */
enum store_fault store_fault(const struct store *s);

/* store_clear_fault - forget the last fault */
void store_clear_fault(struct store *s);

/* store_fault_name - a few words for a fault class ("the disk is full") */
const char *store_fault_name(enum store_fault f);

/* store_bulk_begin - a first load: when the history holds no attempt yet, drop the index on
 * attempts(queue_id) (committed at once, with no batch open) so that a large backlog is appended
 * without keeping it sorted row by row; store_bulk_end builds it in one sorted pass. 1 when the index
 * was dropped, 0 when the history is not empty (nothing changes), -1 with why. Rows are the same
 * either way; a process killed in between leaves the history without that index until the next
 * store_open, which builds it (only queries by queue ID are slower meanwhile). */
int store_bulk_begin(struct store *s, struct why *why);

/* store_bulk_end - commit the pending batch and build the index store_bulk_begin dropped (no-op when it
 * is there); -1 with why */
int store_bulk_end(struct store *s, struct why *why);

/* store_add_attempt - append one delivery attempt (batched) */
int store_add_attempt(struct store *s, const struct store_attempt *a, struct why *why);

/* store_message_seen - a queue ID's state at a time, with its sender when known (batched); repeats of the
 * last state are not written */
int store_message_seen(struct store *s, const char *queue_id, time_t when, const char *sender,
		       enum message_state state, struct why *why);

/* store_message_replaced - record that old_id was requeued as new_id at a time (batched) */
int store_message_replaced(struct store *s, const char *old_id, const char *new_id, time_t when, struct why *why);

/* store_add_action - append an audit row and commit at once (with any pending batch) */
int store_add_action(struct store *s, const struct store_action *a, struct why *why);

/* store_begin_action - the audit row of an action about to run (state started) with every target
 * queue ID (action_targets); committed at once; its id, or -1 with why (nothing written) */
long long store_begin_action(struct store *s, const struct store_action *a, char *const *ids, size_t nids,
			     struct why *why);

/* store_end_action - complete a started row with a's args, result, ok and output; committed at once */
int store_end_action(struct store *s, long long id, const struct store_action *a, struct why *why);

/* store_action_outcome - how an audit row ended, for people: "ok", "FAILED", "refused", or for a row left
 * started (mqmon was killed while the command ran) "interrupted/unknown outcome" */
const char *store_action_outcome(const struct store_action *a);

/* store_action_targets - every queue ID of an audit row, sorted; IDs passed or -1 */
int store_action_targets(struct store *s, long long action_id, store_target_fn fn, void *ctx, struct why *why);

/* store_set_throttle - insert or replace a domain's throttle (until 0 = no expiry); committed at once */
int store_set_throttle(struct store *s, const char *domain, enum throttle_mode mode, time_t since, time_t until,
		       const char *user, struct why *why);

/* store_clear_throttle - remove a domain's throttle (absent is fine); committed at once */
int store_clear_throttle(struct store *s, const char *domain, struct why *why);

/* store_attempts_for - attempts of queue_id and of the IDs it was requeued from, oldest first; rows passed or -1 */
int store_attempts_for(struct store *s, const char *queue_id, store_attempt_fn fn, void *ctx, struct why *why);

/* store_attempts_since - attempts at or after since, of one status (STATUS_NONE = any), oldest first; rows passed or -1 */
int store_attempts_since(struct store *s, time_t since, enum delivery_status status, store_attempt_fn fn, void *ctx,
			 struct why *why);

/* store_attempts_since_brief - the same rows with text NULL: for readers that do not show reply texts
 * (a report), which then cost neither the template's lookup nor rebuilding the text */
int store_attempts_since_brief(struct store *s, time_t since, enum delivery_status status, store_attempt_fn fn,
			       void *ctx, struct why *why);

/* store_actions - audit rows at or after since whose target text contains target_sub or whose
 * target IDs include it (NULL = all), newest first; rows passed or -1 */
int store_actions(struct store *s, time_t since, const char *target_sub, store_action_fn fn, void *ctx, struct why *why);

/* store_throttles - every throttle, by domain; rows passed or -1 */
int store_throttles(struct store *s, store_throttle_fn fn, void *ctx, struct why *why);

/* store_trend_fn - one value's deferrals per bucket (nbuckets counts) */
typedef int (*store_trend_fn)(void *ctx, const char *value, const unsigned *counts);

/* store_trends - deferrals per bucket for every value of key ("cause" "provider" "domain") with one in the
 * window (value NULL), or for one value; buckets as in store_trend; one scan; values passed or -1 */
int store_trends(struct store *s, const char *key, const char *value, time_t end, long bucket_seconds, int nbuckets,
		 store_trend_fn fn, void *ctx, struct why *why);

/* store_trend - deferrals per bucket where key ("cause" "provider" "domain") = value; bucket i covers
 * (end - (nbuckets-i)*bucket_seconds, end - (nbuckets-i-1)*bucket_seconds], so the last one ends at end (inclusive) */
int store_trend(struct store *s, const char *key, const char *value, time_t end, long bucket_seconds, int nbuckets, unsigned *counts, struct why *why);

/* store_save_file - remember a followed log's position (batched, so it commits with the rows read before it) */
int store_save_file(struct store *s, const struct store_file *f, struct why *why);

/* store_load_file - a followed log's saved position; out->path = path; 1 found, 0 none, -1 error */
int store_load_file(struct store *s, const char *path, struct store_file *out, struct why *why);

/* store_prune_some - delete up to limit rows of each kind (attempts, actions, message events, requeues)
 * older than older_than, in one transaction; rows deleted (0: nothing left) or -1 */
int store_prune_some(struct store *s, time_t older_than, int limit, struct why *why);

/* store_prune - delete everything older than older_than, STORE_PRUNE_CHUNK rows per transaction; rows deleted or -1 */
int store_prune(struct store *s, time_t older_than, struct why *why);

#endif
