/* qmodel - the queue as mqmon sees it: messages, recipients, causes, retry times
 *
 * A model is filled by a backend snapshot (qmodel_add / qmodel_add_rcpt),
 * enriched by the MTA's log (qmodel_join_log: attempts, last attempt, relay,
 * stage), then finished (qmodel_finish): every recipient classified, retry
 * and expiry times computed, aggregates built. Views and exports read a
 * finished model; they never recompute.
 *
 * One provider per recipient, computed here only: the classifier's verdict
 * (which may come from the remote host or the reply text, so busy.example
 * can be gmail); a recipient whose own verdict names none ("other": not
 * deferred yet, or a reply without evidence) takes the provider another
 * recipient of its domain showed, so a domain has one provider in every
 * view, the report and the export (qcount.provider of m->domains).
 *
 * Retry times: a deferred message's next retry is exact when the spool is
 * readable (Postfix sets the deferred file's mtime to it), estimated from the
 * last attempt seen in the log plus Postfix's back-off rule (age clamped to
 * [minimal_backoff_time, maximal_backoff_time]) otherwise, and unknown when
 * neither is available. Postfix scans the deferred queue every
 * queue_run_delay, so a retry really happens by next_retry + queue_run_delay;
 * a message whose retry time passed more than two scan intervals (plus a
 * minute) ago is `overdue`: its retry is not happening (a stuck qmgr).
 *
 * Mail deferred by mqmon's own pause (core/throttle: the reply is
 * THROTTLE_PAUSE_TEXT) is not a remote reply: such a recipient is marked
 * `paused` and keeps the cause, provider and rule of the message's last
 * remote reply, taken from the history (store) or the log; only when none
 * is known is it unclassified (still paused).
 *
 * A requeued message (postsuper -r) loses its delay reasons: it waits in
 * maildrop (pickup takes it within a minute) and gets a new queue ID, which
 * the log links to the old one. Until Postfix replies again, its recipients
 * are `requeued` and keep the cause, provider and rule of the last remote
 * reply in the history of its queue IDs (store: through the requeue links;
 * log: the same ID), so it stays in its cause group. The same holds for any
 * recipient listed without a reply whose message was deferred before (a
 * retry in progress listed by postqueue -j).
 */
#ifndef MQMON_QMODEL_H
#define MQMON_QMODEL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/classify/cause.h"
#include "core/classify/classify.h"
#include "core/mta/mta.h"
#include "core/classify/reply.h"
#include "core/base/slab.h"

enum queue_name {
	QUEUE_ACTIVE, QUEUE_DEFERRED, QUEUE_HOLD, QUEUE_INCOMING, QUEUE_MAILDROP,
	QUEUE_CORRUPT, QUEUE_OTHER, QUEUE_COUNT
};

enum retry_source {
	RETRY_NONE,		/* not waiting for a retry (active, hold, ...) */
	RETRY_UNKNOWN,		/* deferred, but no way to know when */
	RETRY_ESTIMATED,	/* from the log's last attempt and the back-off rule */
	RETRY_EXACT,		/* from the deferred file's mtime */
};

/* Memory layout (issue 14: 1,000,000 messages in at most 250 MB): every string is a pointer into the
 * model's pool (interned: one copy of each text) or the ruleset's; enums are stored in a byte
 * (uint8_t, the enum named beside it) and flags in bits; a message's first recipient lives inside the
 * message (rcpt1), so the usual one-recipient message is one allocation, and messages come from the
 * model's slab (core/base/slab), without a malloc header each. Read the fields as before; write
 * strings through the model (qmodel_str) so that they live as long as it does. */
#define QRCPT_DSN_MAX 16	/* an enhanced status code is kept to 15 characters */

struct qrcpt {
	const char *address;	/* strings of the model's pool (qmodel.pool): shared, never freed one by one */
	const char *domain;	/* lower case */
	const char *reason;	/* sanitised, joined reply text ("" when none) */
	const char *dsn;	/* enhanced status ("" when unknown), a pool string of at most QRCPT_DSN_MAX - 1 */
	const char *provider;	/* owned by the ruleset; its verdict's, else its domain's (qmodel_finish) */
	const char *rule;	/* rule name, NULL when unclassified or no reason */
	uint8_t cause;		/* enum cause */
	uint8_t stage;		/* enum smtp_stage */
	unsigned paused : 1;	/* deferred by mqmon's pause: cause/rule are the last remote reply's */
	unsigned requeued : 1;	/* no reply since a requeue (or retry): cause/rule are the last remote reply's */
	unsigned reply_from_log : 1;	/* the listing had no reply: reason is the log's latest so far */
};

struct qmsg {
	char id[QUEUE_ID_MAX + 1];
	uint8_t queue;		/* enum queue_name */
	uint8_t retry_source;	/* enum retry_source (qmodel_finish) */
	uint8_t cause;		/* enum cause: the message's cause, its first deferred recipient's */
	int attempts;		/* from the log: delivery attempts seen (deferral lines, one per second) */
	uint32_t nrcpts;
	unsigned forced_expire : 1;
	unsigned paused : 1;	/* a recipient is deferred by mqmon's pause */
	unsigned overdue : 1;	/* qmodel_finish */
	unsigned gone : 1;	/* forgotten: dropped at the next qmodel_finish */
	const char *sender;	/* pool string, like every string of a message */
	const char *relay;	/* from the log: relay= of the last deferral, NULL when none */
	const char *remote_reason;	/* paused or requeued mail: the last remote reply seen (NULL when none) */
	const char *provider;	/* the message's cause's provider (qmodel_finish) */
	struct qrcpt *rcpts;	/* &rcpt1 while there is at most one, else an array of nrcpts */
	time_t arrival;
	long size;
	time_t last_attempt;	/* from the log: 0 when none seen */
	/* retry and expiry (qmodel_finish) */
	time_t exact_retry;	/* the next try the MTA keeps (Postfix: the deferred file mtime; Exim: the retry database), else 0 */
	time_t next_retry;	/* 0 when none/unknown */
	time_t expires_at;
	const char *host;	/* a fleet's merged model: the host that holds it (pool string); NULL otherwise */
	struct qrcpt rcpt1;	/* the first recipient's place (read it through rcpts) */
};

struct qcount {
	const char *name;	/* cause, provider, domain or queue name */
	size_t messages, recipients;
	time_t oldest_arrival, soonest_retry;
	struct qcount *sub;	/* causes: per domain; NULL otherwise */
	const char *provider;	/* domains: the domain's provider (the one every recipient of it shows) */
	size_t nsub;
};

struct strpool;
struct qmodel;
struct qorder;

/* qmodel_progress_fn - called by qmodel_add every QMODEL_PROGRESS_EVERY messages while a snapshot fills m */
typedef void (*qmodel_progress_fn)(struct qmodel *m, void *ctx);

#define QMODEL_PROGRESS_EVERY 512

struct qmodel {
	struct qmsg **msgs;
	struct slab msg_slab;	/* the messages (a borrowed partial model's stays empty) */
	struct strpool *pool;	/* the messages' strings (interned: senders, domains, replies repeat) */
	int reading;		/* a partial model: the snapshot was still being read (counts are not final) */
	time_t cached_at;	/* a model replayed from the model cache as written then, not verified yet (0: not) */
	int cache_reading;	/* a partial model of the cache still being read (cached_at set; counts not final) */
	int borrowed;		/* a partial model: its messages belong to the model being built (never written) */
	size_t sealed;		/* the builder's: msgs[0..sealed) are settled and may be shared by partials */
	size_t expected;	/* messages the backend expects to read (an estimate; 0 when unknown) */
	qmodel_progress_fn progress;	/* NULL: none (set by the builder before the snapshot) */
	qmodel_progress_fn reclaim;	/* takes back every partial model lent out (qmodel_reclaim) */
	void *progress_ctx;
	size_t n, cap;
	size_t longest_id;	/* characters of the longest queue ID added (the console sizes its column by it) */
	uint32_t *index;	/* open addressing: position+1, 0 = empty */
	size_t imask;
	const struct classifier *cl;
	struct verdict_cache *vc;	/* verdicts of reply templates already seen */
	struct mta_params params;
	time_t generated_at;
	unsigned long version;	/* new at every qmodel_finish, unique across models: views cache by it */
	int keep_order;		/* qmodel_keep_order: every finish makes or mends order */
	struct qorder *order;	/* the messages in each sort key's order (core/queue/qorder), NULL when none */
	struct qmsg **touched;	/* changed in place since the last finish (qmodel_touch): their keys may differ */
	size_t ntouched, captouched;
	int touch_lost;		/* a qmodel_touch ran out of memory: the next finish sorts again */
	const char *source;	/* "spool" or "postqueue" */
	int mta_running;	/* enum mta_state when the model was built (MTA_UNKNOWN until set) */
	/* aggregates (qmodel_finish) */
	struct qcount causes[CAUSE_COUNT];
	struct qcount queues[QUEUE_COUNT];
	struct qcount *providers, *domains;
	size_t nproviders, ndomains;
	size_t recipients;
	const struct qmsg *oldest, *soonest;
	size_t overdue;
	unsigned long long log_lines, log_deferrals;
};

/* qrcpt_has_cause - the recipient has a cause: a reply of its own, or its last one kept through a requeue */
int qrcpt_has_cause(const struct qrcpt *r);

/* qrcpt_reply - the reply r's cause comes from: its own, or for a paused or requeued recipient the
 * message's last remote reply (a paused one's own when none is known); "" when there is none */
const char *qrcpt_reply(const struct qmsg *msg, const struct qrcpt *r);

/* qmodel_new - an empty model using cl to classify and params for the retry rule */
struct qmodel *qmodel_new(const struct classifier *cl, const struct mta_params *params);

/* qmodel_partial - the messages read so far as a finished model marked reading and borrowed: it
 * shares m's message structs (sealed first: their retry times, cause and provider are computed, and
 * neither m nor the partial writes them again while a partial lives: qmodel_add returns NULL for a
 * sealed message listed again) and holds a reference to m's string pool; NULL on out of memory.
 * Whoever builds m must not join or finish it until every partial is freed (core/queue/qsource) */
struct qmodel *qmodel_partial(struct qmodel *m, time_t now);

/* qmodel_partial_all - qmodel_partial of every message: none is being written (a model preloaded from
 * the model cache, core/queue/qcache) */
struct qmodel *qmodel_partial_all(struct qmodel *m, time_t now);

/* qmodel_reclaim - a snapshot is about to write into messages it added before the last one (a second
 * pass, such as Postfix's retry times from the spool after postqueue -j): no more partial models, and
 * every one lent out is back when it returns */
void qmodel_reclaim(struct qmodel *m);

/* qmodel_str - the model's pooled copy of s (NULL on out of memory) */
const char *qmodel_str(struct qmodel *m, const char *s);

/* qmodel_free - release the model */
void qmodel_free(struct qmodel *m);

/* qmodel_find - message by queue ID, NULL when absent */
struct qmsg *qmodel_find(const struct qmodel *m, const char *id);

/* qmodel_add - add a message (or return the one with that ID: a message listed twice is kept once) */
struct qmsg *qmodel_add(struct qmodel *m, const char *id, enum queue_name queue, const char *sender,
			time_t arrival, long size, int forced_expire);

/* qmodel_add_fleet - add a message of a fleet host to a merged model (core/fleet): the ID is not checked
 * against a backend and another host's message with the same ID is kept (qmodel_find finds the first);
 * msg->host is host, interned; NULL on out of memory */
struct qmsg *qmodel_add_fleet(struct qmodel *m, const char *host, const char *id, enum queue_name queue,
			      const char *sender, time_t arrival, long size, int forced_expire);

/* qmodel_forget - drop a message (it left the queue or is about to be read again); 0, -1 when absent */
int qmodel_forget(struct qmodel *m, const char *id);

/* qmodel_add_rcpt - add a pending recipient with its delay reason (raw text) and dsn (may be NULL) */
int qmodel_add_rcpt(struct qmodel *m, struct qmsg *msg, const char *address, const char *reason,
		    size_t reasonlen, const char *dsn);

/* qmodel_add_rcpt_at - the same with the SMTP stage of the reason, for an MTA whose reason does not name
 * it (Exim); the reason's own stage wins when it names one */
int qmodel_add_rcpt_at(struct qmodel *m, struct qmsg *msg, const char *address, const char *reason,
		       size_t reasonlen, const char *dsn, enum smtp_stage stage);

/* qmodel_set_remote_reason - the last remote reply of a message whose recipients show mqmon's own pause
 * (a backend that reads it from the spool: Exim's msglog); the log join may replace it with a later one */
void qmodel_set_remote_reason(struct qmodel *m, struct qmsg *msg, const char *text, size_t len);

/* qmodel_join_log - read a log file for attempts of the model's messages (follows requeue NEWIDs); -1 with why */
int qmodel_join_log(struct qmodel *m, const char *path, struct why *why);

struct store;

/* qmodel_join_store - attempts and last attempt times from the store's history; -1 with why */
int qmodel_join_store(struct qmodel *m, struct store *st, struct why *why);

/* qmodel_join_store_one - the same for one message (after it was read again) */
void qmodel_join_store_one(struct qmodel *m, struct qmsg *msg, struct store *st);

/* qmodel_join_store_one_in - qmodel_join_store_one, and for paused mail its last remote cause from the store */
void qmodel_join_store_one_in(struct qmodel *m, struct qmsg *msg, struct store *st);

/* qmodel_finish - drop forgotten messages, compute retry/expiry/overdue at now, build aggregates (and the
 * sort orders when kept: a later finish mends them instead of sorting again) */
void qmodel_finish(struct qmodel *m, time_t now);

/* qmodel_touch - msg (of m) was changed in place after a finish (its attempts, retry time, cause, size or
 * recipients): the next finish moves it in the sort orders. Whoever writes into a finished message of a model
 * with orders calls it (qmodel_join_store_one does) */
void qmodel_touch(struct qmodel *m, struct qmsg *msg);

/* qmodel_keep_order - every qmodel_finish of m makes m->order (the console's sort keys; a partial model never
 * has one); the orders are dropped if memory runs out */
void qmodel_keep_order(struct qmodel *m);

/* queue_name_str - "deferred" ... */
const char *queue_name_str(enum queue_name q);

/* queue_name_from - inverse of queue_name_str; QUEUE_OTHER when unknown */
enum queue_name queue_name_from(const char *s);

/* qmodel_totals - "62 msgs: 58 def 1 held 1 act 2 maildrop" into buf (long: "deferred", "active"):
 * every queue that holds a message, deferred/held/active always; the numbers add up to m->n */
void qmodel_totals(const struct qmodel *m, char *buf, size_t n, int longform);

/* retry_source_str - "exact", "estimated", "unknown", "none" */
const char *retry_source_str(enum retry_source s);

#endif
