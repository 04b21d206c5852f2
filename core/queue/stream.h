/* stream - the instance's queue model as JSON lines, kept current: `mqmon stream`
 *
 * The machine interface a fleet console reads over `ssh HOST mqmon stream`.
 * One JSON object a line (protocol STREAM_PROTOCOL):
 *
 *   {"type":"hello","protocol":1,"version":V,"mta":"postfix","host":H,"config_dir":D}
 *   {"type":"begin","full":true,"generated_at":T,"source":S,"mta_running":B}
 *   {"type":"message","message":{...}}      one a message (full), or a changed one
 *   {"type":"removed","queue_id":"ID"}      a message that left the queue (not full)
 *   {"type":"end","generated_at":T,"totals":{...},"messages":N}
 *   {"type":"heartbeat","time":T}           when nothing was sent for STREAM_HEARTBEAT s
 *   {"type":"error","error":TEXT}           a rebuild failed (the last model stands)
 *
 * A reader applies the lines between begin and end as one change: with
 * "full" it replaces its whole model, else it updates and removes. The
 * message object is snapshot.c's (snapshot_message_text), byte for byte
 * what `mqmon snapshot --format json` lists, so both always agree.
 *
 * Changes: the model is rebuilt whole (qsource_build, as `snapshot` does)
 * after an inotify event on the spool's queue directories (root) or the
 * mail log's directory (the log's name only), at most once every
 * max(STREAM_MIN_INTERVAL, twice the last build's time) seconds; with no
 * watch at all, every refresh seconds. Each message's JSON is hashed; only
 * the messages whose text changed, and the IDs that left, are written, so
 * an idle queue costs one heartbeat line (about 40 bytes) every
 * STREAM_HEARTBEAT seconds. The first batch is full; a later batch is full
 * too when it would be no smaller (most messages changed).
 *
 * stream_run() ends with 0 when the reader goes away: a write fails with
 * EPIPE (SIGPIPE must be ignored by the caller), or standard input (the ssh
 * channel) reaches end of file or hangs up; also on SIGTERM/SIGINT/SIGHUP.
 */
#ifndef MQMON_STREAM_H
#define MQMON_STREAM_H

#include <stdio.h>

#include "core/base/why.h"
#include "core/queue/qmodel.h"
#include "core/queue/qsource.h"

#define STREAM_PROTOCOL 1
#define STREAM_HEARTBEAT 5	/* seconds of silence before a heartbeat line */
#define STREAM_MIN_INTERVAL 1	/* seconds between two rebuilds, at least */

struct stream_state;

/* stream_state_new - the memory of what was sent (nothing yet); NULL on out of memory */
struct stream_state *stream_state_new(void);

/* stream_state_free - release it (NULL-safe) */
void stream_state_free(struct stream_state *st);

/* stream_emit_model - one begin..end batch for m: every message when full (or first), else the changed
 * and removed ones; nothing at all when nothing changed and full is 0; bytes written, or -1 when writing
 * failed (errno set) */
long stream_emit_model(struct stream_state *st, const struct qmodel *m, int full, FILE *fp);

/* stream_emit_hello - the version line; -1 when writing failed */
int stream_emit_hello(FILE *fp, const char *version, const char *mta, const char *host, const char *config_dir);

struct stream_options {
	struct qsource_config source;	/* how a model is built */
	const char *version;		/* mqmon's version for the hello line */
	int refresh;			/* seconds between rebuilds with nothing to watch */
	int once;			/* hello and the first batch, then return */
	int watch_stdin;		/* end when standard input reaches end of file */
};

/* stream_run - hello, the full model, then changes and heartbeats on fp until the reader goes away;
 * 0 then (or after the first batch with once), -1 with why when no model can be built at the start */
int stream_run(const struct stream_options *opt, FILE *fp, struct why *why);

#endif
