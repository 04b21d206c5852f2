/* fleet_feed - one host's `mqmon stream`, read line by line into its set of messages; the merged model
 *
 * Pure (no process, no clock, no I/O): the fleet console (fleet_live) hands
 * each host's bytes to fleet_feed_input() as they arrive, and builds the
 * console's model with fleet_feed_merge() when a host's set changed.
 *
 * Lines (core/queue/stream.h, protocol STREAM_PROTOCOL) are cut at '\n'; a
 * partial line waits for the rest; a line longer than FLEET_FEED_MAX_LINE
 * (a message with thousands of recipients fits) is a protocol error. Each
 * line is one event:
 *   hello      its protocol must be STREAM_PROTOCOL, else FEED_TOO_OLD
 *              (the host's mqmon speaks another protocol);
 *   begin      a batch starts (full: it replaces the whole set);
 *   message    a message of the batch (its JSON object kept as it came);
 *   removed    an ID of the batch that left the queue;
 *   end        the batch is applied at once (FEED_BATCH) with its totals;
 *   heartbeat  the host is alive (FEED_ALIVE);
 *   error      the host could not rebuild its model (the last one stands).
 * Anything else (not JSON, no type, a message outside a batch, data before
 * hello) is FEED_BAD with a reason: the caller drops the connection.
 *
 * fleet_feed_merge() builds one finished model of every host's messages:
 * each message keeps its host (qmsg.host), and each recipient the cause,
 * provider and rule the host's own rules gave it, never classified again
 * here; the message's retry source, expiry and overdue flag are the host's.
 * A host with no set yet adds nothing; a host that went down keeps the last
 * set it sent (the caller shows it as stale).
 */
#ifndef MQMON_FLEET_FEED_H
#define MQMON_FLEET_FEED_H

#include <stddef.h>
#include <time.h>

#include "core/queue/qmodel.h"

#define FLEET_FEED_MAX_LINE (16u * 1024 * 1024)

enum feed_event {
	FEED_NONE,		/* a line that changes nothing visible (begin, message, removed) */
	FEED_HELLO,		/* the version line, protocol understood */
	FEED_BATCH,		/* a batch was applied: the host's set changed */
	FEED_ALIVE,		/* a heartbeat */
	FEED_ERROR,		/* the host said its model cannot be rebuilt (problem) */
	FEED_TOO_OLD,		/* the hello names another protocol */
	FEED_BAD,		/* not the protocol (problem): drop the connection */
};

struct fleet_feed {
	/* the host, from its hello */
	int hello;			/* a hello line was read */
	int protocol;
	char version[64], mta[32], hostname[256], config_dir[512];
	/* the applied set */
	void *msgs;			/* json_t object: queue ID -> message object */
	int have_set;			/* a batch was applied at least once */
	long long generated_at;
	int mta_running;		/* 1 running, 0 stopped, -1 unknown */
	void *totals;			/* json_t object: the last end line's totals (NULL before) */
	unsigned long batches;		/* batches applied */
	/* the batch being read */
	int in_batch, batch_full;
	long long batch_generated_at;
	int batch_mta_running;
	void *batch_msgs;		/* json_t object */
	void *batch_removed;		/* json_t array of IDs */
	/* the line being read */
	char *line;
	size_t len, cap;
	int overlong;			/* the current line passed FLEET_FEED_MAX_LINE */
	char problem[512];		/* FEED_BAD, FEED_TOO_OLD, FEED_ERROR: why */
	unsigned long long bytes, lines;
};

/* fleet_feed_init - an empty feed (no hello yet) */
void fleet_feed_init(struct fleet_feed *f);

/* fleet_feed_reset - a new connection: the line and batch being read are dropped, the hello is wanted
 * again; the applied set stays (the last known) */
void fleet_feed_reset(struct fleet_feed *f);

/* fleet_feed_free - release everything */
void fleet_feed_free(struct fleet_feed *f);

/* fleet_feed_line - one line (without '\n'); the event it is */
enum feed_event fleet_feed_line(struct fleet_feed *f, const char *line, size_t len);

/* fleet_feed_input_fn - called with each line's event by fleet_feed_input */
typedef void (*fleet_feed_event_fn)(struct fleet_feed *f, enum feed_event ev, void *ctx);

/* fleet_feed_input - bytes as they came: each complete line is read (fn told of each event other than
 * FEED_NONE, fn may be NULL); the worst event seen: FEED_BAD or FEED_TOO_OLD stops at that line (the
 * rest is dropped), else FEED_BATCH when a batch was applied, else the last event */
enum feed_event fleet_feed_input(struct fleet_feed *f, const char *data, size_t n, fleet_feed_event_fn fn,
				 void *ctx);

/* fleet_feed_messages - messages in the applied set */
size_t fleet_feed_messages(const struct fleet_feed *f);

/* fleet_feed_total - a member of the last totals ("messages", "recipients", "overdue"); -1 when unknown */
long long fleet_feed_total(const struct fleet_feed *f, const char *name);

/* fleet_feed_queue_counts - the applied set's messages per queue (counts[QUEUE_COUNT]) */
void fleet_feed_queue_counts(const struct fleet_feed *f, size_t *counts);

/* fleet_feed_merge - one finished model of the hosts' sets (names[i] is feeds[i]'s host) at now;
 * NULL on out of memory */
struct qmodel *fleet_feed_merge(struct fleet_feed *const *feeds, const char *const *names, size_t n,
				time_t now);

#endif
