/* qmodel - the queue model; see qmodel.h
 *
 * Messages live in the model's slab (stable addresses, no malloc header
 * each), listed by an array of pointers, with an open-addressing index of
 * 32-bit positions by queue ID. Aggregates are rebuilt from scratch by
 * qmodel_finish(): it is linear in the number of recipients and keeps no
 * incremental state that could drift. The sort orders (core/queue/qorder,
 * when kept) are the exception: a later finish mends them from what was
 * added, forgotten and touched (qmodel_touch), checked against a fresh sort
 * by the unit test.
 */
#include "core/queue/qmodel.h"
#include "core/queue/qorder.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log/deferral.h"
#include "core/base/idset.h"
#include "core/log/logscan.h"
#include "core/base/sanitize.h"
#include "core/base/strpool.h"
#include "core/history/store.h"

static const char *const queue_names[QUEUE_COUNT] = {
	"active", "deferred", "hold", "incoming", "maildrop", "corrupt", "other",
};

/* queue_name_str - "deferred" ... */
const char *queue_name_str(enum queue_name q)
{
	return (unsigned)q < QUEUE_COUNT ? queue_names[q] : "other";
}

/* queue_name_from - inverse of queue_name_str; QUEUE_OTHER when unknown */
enum queue_name queue_name_from(const char *s)
{
	int i;

	for (i = 0; i < QUEUE_COUNT; i++)
		if (strcmp(s, queue_names[i]) == 0)
			return (enum queue_name)i;
	return QUEUE_OTHER;
}

/* qmodel_totals - the header's totals: every message in exactly one queue bucket, so they add up */
void qmodel_totals(const struct qmodel *m, char *buf, size_t n, int longform)
{
	/* the order shown; deferred, hold and active always, the rest when not empty */
	static const struct { enum queue_name q; const char *shortname, *longname; int always; } buckets[] = {
		{ QUEUE_DEFERRED, "def", "deferred", 1 }, { QUEUE_HOLD, "held", "held", 1 },
		{ QUEUE_ACTIVE, "act", "active", 1 }, { QUEUE_INCOMING, "incoming", "incoming", 0 },
		{ QUEUE_MAILDROP, "maildrop", "maildrop", 0 }, { QUEUE_CORRUPT, "corrupt", "corrupt", 0 },
		{ QUEUE_OTHER, "other", "other", 0 },
	};
	size_t i, o;
	int k;

	if (n == 0)
		return;
	k = snprintf(buf, n, "%zu msgs:", m->n);
	o = k < 0 ? 0 : (size_t)k;
	for (i = 0; i < sizeof buckets / sizeof buckets[0] && o < n; i++) {
		size_t c = m->queues[buckets[i].q].messages;

		if (c == 0 && !buckets[i].always)
			continue;
		k = snprintf(buf + o, n - o, " %zu %s", c, longform ? buckets[i].longname : buckets[i].shortname);
		o += k < 0 ? 0 : (size_t)k;
	}
}

/* retry_source_str - "exact", "estimated", "unknown", "none" */
const char *retry_source_str(enum retry_source s)
{
	switch (s) {
	case RETRY_EXACT: return "exact";
	case RETRY_ESTIMATED: return "estimated";
	case RETRY_UNKNOWN: return "unknown";
	default: return "none";
	}
}

/* qrcpt_has_cause - the recipient has a cause: a reply of its own, or its last one kept through a requeue */
int qrcpt_has_cause(const struct qrcpt *r)
{
	return r->reason[0] != '\0' || r->requeued;
}

/* qrcpt_reply - the reply r's cause comes from: its own, or a paused or requeued recipient's last remote one */
const char *qrcpt_reply(const struct qmsg *msg, const struct qrcpt *r)
{
	if ((r->paused || r->requeued) && msg->remote_reason != NULL)
		return msg->remote_reason;
	return r->reason;	/* "" for a requeued one */
}

/* qmodel_new - an empty model using cl to classify and params for the retry rule */
struct qmodel *qmodel_new(const struct classifier *cl, const struct mta_params *params)
{
	struct qmodel *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	if ((m->pool = strpool_new()) == NULL) {
		free(m);
		return NULL;
	}
	slab_init(&m->msg_slab, sizeof(struct qmsg), 0);
	m->cl = cl;
	m->vc = cl ? verdict_cache_new(cl) : NULL;
	if (params != NULL)
		m->params = *params;
	m->source = "";
	m->mta_running = MTA_UNKNOWN;
	return m;
}

/* counts_free - release an aggregate array and its sub-arrays */
static void counts_free(struct qcount *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].sub);
}

/* aggregates_free - release every aggregate */
static void aggregates_free(struct qmodel *m)
{
	counts_free(m->causes, CAUSE_COUNT);
	free(m->providers);
	free(m->domains);
	memset(m->causes, 0, sizeof m->causes);
	memset(m->queues, 0, sizeof m->queues);
	m->providers = m->domains = NULL;
	m->nproviders = m->ndomains = 0;
}

/* msg_free - release one message to the model's slab (its strings belong to the pool) */
static void msg_free(struct qmodel *m, struct qmsg *msg)
{
	if (msg->rcpts != &msg->rcpt1)
		free(msg->rcpts);	/* two or more recipients: an array of their own */
	slab_free(&m->msg_slab, msg);
}

/* qmodel_reclaim - no more partial models; the lent ones back (the snapshot writes into its messages) */
void qmodel_reclaim(struct qmodel *m)
{
	m->progress = NULL;
	if (m->reclaim != NULL)
		m->reclaim(m, m->progress_ctx);
	m->reclaim = NULL;
}

/* qmodel_str - the model's pooled copy of s */
const char *qmodel_str(struct qmodel *m, const char *s)
{
	return strpool_str(m->pool, s);
}

/* qmodel_forget - drop a message (it left the queue or is about to be read again); 0, -1 when absent */
int qmodel_forget(struct qmodel *m, const char *id)
{
	struct qmsg *msg = qmodel_find(m, id);

	if (msg == NULL)
		return -1;
	msg->gone = 1;	/* freed by compact() at the next finish: views may still point at it */
	return 0;
}

/* qmodel_free - release the model */
void qmodel_free(struct qmodel *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; !m->borrowed && i < m->n; i++)
		if (m->msgs[i]->rcpts != &m->msgs[i]->rcpt1)
			free(m->msgs[i]->rcpts);
	if (!m->borrowed)
		slab_destroy(&m->msg_slab);	/* every message at once */
	free(m->msgs);
	free(m->index);
	aggregates_free(m);
	qorder_free(m->order);
	free(m->touched);
	verdict_cache_free(m->vc);
	strpool_unref(m->pool);
	free(m);
}

/* id_hash - hash of a queue ID */
static size_t id_hash(const char *id)
{
	return (size_t)idset_hash(id);
}

/* index_insert - put position pos into the index */
static void index_insert(struct qmodel *m, size_t pos)
{
	size_t h = id_hash(m->msgs[pos]->id) & m->imask;

	while (m->index[h] != 0)
		h = (h + 1) & m->imask;
	m->index[h] = (uint32_t)(pos + 1);
}

/* index_grow - double the index and re-insert */
static int index_grow(struct qmodel *m)
{
	size_t cap = m->index ? (m->imask + 1) * 2 : 1024, i;
	uint32_t *idx = calloc(cap, sizeof *idx);

	if (idx == NULL)
		return -1;
	free(m->index);
	m->index = idx;
	m->imask = cap - 1;
	for (i = 0; i < m->n; i++)
		index_insert(m, i);
	return 0;
}

/* find_pos - position+1 of the message with queue ID id, 0 when absent */
static size_t find_pos(const struct qmodel *m, const char *id)
{
	size_t h;

	if (m->index == NULL)
		return 0;
	for (h = id_hash(id) & m->imask; m->index[h] != 0; h = (h + 1) & m->imask)
		if (!m->msgs[m->index[h] - 1]->gone && strcmp(m->msgs[m->index[h] - 1]->id, id) == 0)
			return m->index[h];
	return 0;
}

/* qmodel_find - message by queue ID, NULL when absent */
struct qmsg *qmodel_find(const struct qmodel *m, const char *id)
{
	size_t pos = find_pos(m, id);

	return pos ? m->msgs[pos - 1] : NULL;
}

static struct qmsg *append_msg(struct qmodel *m, const char *id, enum queue_name queue, const char *sender,
			       time_t arrival, long size, int forced_expire);

/* qmodel_add - add a message (or return the one with that ID) */
struct qmsg *qmodel_add(struct qmodel *m, const char *id, enum queue_name queue, const char *sender,
			time_t arrival, long size, int forced_expire)
{
	struct qmsg *msg;
	size_t i;

	if (m->params.backend == NULL || !m->params.backend->log->id_valid(id, strlen(id)))
		return NULL;
	if ((msg = qmodel_find(m, id)) != NULL) {
		/* listed twice while moving between queues: keep the first (as it is, once a partial shares it) */
		for (i = 0; i < m->sealed; i++)
			if (m->msgs[i] == msg)
				return NULL;
		return msg;
	}
	return append_msg(m, id, queue, sender, arrival, size, forced_expire);
}

/* append_msg - a new message at the end of the model (no check of its ID); NULL on out of memory */
static struct qmsg *append_msg(struct qmodel *m, const char *id, enum queue_name queue, const char *sender,
			       time_t arrival, long size, int forced_expire)
{
	struct qmsg *msg;
	char buf[512];

	if (m->n >= UINT32_MAX - 1)
		return NULL;	/* the index holds 32-bit positions */
	if (strlen(id) > m->longest_id)
		m->longest_id = strlen(id);
	if ((m->n + 1) * 2 > (m->index ? m->imask + 1 : 0) && index_grow(m) < 0)
		return NULL;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct qmsg **v = realloc(m->msgs, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		m->msgs = v;
		m->cap = cap;
	}
	if ((msg = slab_alloc(&m->msg_slab)) == NULL)
		return NULL;
	snprintf(msg->id, sizeof msg->id, "%s", id);
	msg->queue = (uint8_t)queue;
	msg->rcpts = &msg->rcpt1;
	sanitize_text(buf, sizeof buf, sender ? sender : "", sender ? strlen(sender) : 0);
	if ((msg->sender = strpool_str(m->pool, buf)) == NULL) {
		slab_free(&m->msg_slab, msg);
		return NULL;
	}
	msg->arrival = arrival;
	msg->size = size;
	msg->forced_expire = forced_expire != 0;
	msg->cause = CAUSE_UNCLASSIFIED;
	msg->provider = "other";
	m->msgs[m->n] = msg;
	index_insert(m, m->n);
	m->n++;
	if (m->progress != NULL && m->n % QMODEL_PROGRESS_EVERY == 0)
		m->progress(m, m->progress_ctx);
	return msg;
}

/* qmodel_add_fleet - a fleet host's message, the same ID on another host kept too */
struct qmsg *qmodel_add_fleet(struct qmodel *m, const char *host, const char *id, enum queue_name queue,
			      const char *sender, time_t arrival, long size, int forced_expire)
{
	const char *h = strpool_str(m->pool, host);
	struct qmsg *msg;

	if (h == NULL || strlen(id) > QUEUE_ID_MAX || (msg = append_msg(m, id, queue, sender, arrival, size,
									forced_expire)) == NULL)
		return NULL;
	msg->host = h;
	return msg;
}

static void compute_times(const struct qmodel *m, struct qmsg *msg, time_t now);
static void settle_msg(const struct qmodel *m, struct qmsg *msg, time_t now);

/* partial_upto - a partial model of msgs[0..upto) (sealed first) */
static struct qmodel *partial_upto(struct qmodel *m, size_t upto, time_t now)
{
	struct qmodel *p = calloc(1, sizeof *p);
	size_t i;

	if (p == NULL)
		return NULL;
	/* seal: what a finish would write into a message, written now, before anyone else can see it */
	for (i = m->sealed; i < upto; i++)
		settle_msg(m, m->msgs[i], now);
	if (upto > m->sealed)
		m->sealed = upto;
	p->cl = m->cl;
	p->params = m->params;
	p->source = m->source;
	p->mta_running = m->mta_running;
	p->longest_id = m->longest_id;
	p->expected = m->expected;
	p->reading = 1;
	p->borrowed = 1;
	p->pool = strpool_ref(m->pool);
	if ((p->msgs = malloc((m->sealed + 1) * sizeof *p->msgs)) == NULL) {
		qmodel_free(p);
		return NULL;
	}
	memcpy(p->msgs, m->msgs, m->sealed * sizeof *p->msgs);
	p->n = p->cap = m->sealed;
	/* no index: a partial model is only looked at, never updated */
	qmodel_finish(p, now);
	return p;
}

/* qmodel_partial - the messages read so far (all but the last, which may still get recipients), sealed
 * and shared, with aggregates of their own */
struct qmodel *qmodel_partial(struct qmodel *m, time_t now)
{
	return partial_upto(m, m->n > 0 ? m->n - 1 : 0, now);
}

/* qmodel_partial_all - qmodel_partial of every message (none is being written) */
struct qmodel *qmodel_partial_all(struct qmodel *m, time_t now)
{
	return partial_upto(m, m->n, now);
}

/* own_deferral - true when text is mqmon's own pause as the model's MTA words it (not a remote reply) */
static int own_deferral(const struct qmodel *m, const char *text, size_t len)
{
	const struct mta_backend *be = m->params.backend;

	return be != NULL && be->own_deferral != NULL && be->own_deferral(text, len);
}

/* dsn_str - the pooled dsn of text[0..len), sanitised when asked, kept to QRCPT_DSN_MAX - 1 characters
 * as the fixed buffer it replaces kept it; NULL on out of memory */
static const char *dsn_str(struct qmodel *m, const char *text, size_t len, int sanitize)
{
	char buf[QRCPT_DSN_MAX];

	if (sanitize)
		sanitize_text(buf, sizeof buf, text, len);
	else
		snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), text);
	return strpool_str(m->pool, buf);
}

/* set_dsn - the recipient's dsn from text[0..len) (unchanged when out of memory) */
static void set_dsn(struct qmodel *m, struct qrcpt *r, const char *text, size_t len, int sanitize)
{
	const char *d = dsn_str(m, text, len, sanitize);

	if (d != NULL)
		r->dsn = d;
}

/* classify_rcpt - (re)classify a recipient from its stored reason and dsn */
static void classify_rcpt(struct qmodel *m, struct qrcpt *r)
{
	struct reply_info reply;
	struct verdict v;

	r->requeued = 0;
	if (r->reason[0] == '\0') {
		r->cause = CAUSE_UNCLASSIFIED;
		r->rule = NULL;
		r->provider = m->cl ? classifier_provider(m->cl, r->domain, NULL) : "other";
		return;
	}
	if (own_deferral(m, r->reason, strlen(r->reason))) {
		/* mqmon's own pause: not a remote reply (apply_remote gives the last remote cause) */
		r->paused = 1;
		r->cause = CAUSE_UNCLASSIFIED;
		r->rule = NULL;
		r->provider = m->cl ? classifier_provider(m->cl, r->domain, NULL) : "other";
		return;
	}
	reply_parse(r->reason, strlen(r->reason), &reply);
	if (r->dsn[0] == '\0' && reply.enhanced[0])
		set_dsn(m, r, reply.enhanced, strlen(reply.enhanced), 0);
	if (reply.stage == STAGE_UNKNOWN)
		reply.stage = r->stage;	/* given by the backend (qmodel_add_rcpt_at) */
	r->stage = reply.stage;
	if (m->cl == NULL) {
		r->cause = CAUSE_UNCLASSIFIED;
		r->provider = "other";
		return;
	}
	classifier_classify_cached(m->cl, m->vc, &reply, r->dsn, r->domain, &v);
	r->cause = v.cause;
	r->provider = v.provider;
	r->rule = v.rule ? v.rule->name : NULL;
}

/* qmodel_add_rcpt - add a pending recipient with its delay reason (raw text) and dsn (may be NULL) */
int qmodel_add_rcpt(struct qmodel *m, struct qmsg *msg, const char *address, const char *reason,
		    size_t reasonlen, const char *dsn)
{
	return qmodel_add_rcpt_at(m, msg, address, reason, reasonlen, dsn, STAGE_UNKNOWN);
}

/* qmodel_add_rcpt_at - add a pending recipient with its reason, dsn and the reason's stage when known */
int qmodel_add_rcpt_at(struct qmodel *m, struct qmsg *msg, const char *address, const char *reason,
		       size_t reasonlen, const char *dsn, enum smtp_stage stage)
{
	struct reply_info reply;
	struct qrcpt *r, *v;
	char buf[512];

	if (msg->nrcpts >= UINT32_MAX)
		return -1;
	if (msg->nrcpts == 0) {
		msg->rcpts = &msg->rcpt1;	/* the usual single recipient: inside the message */
	} else if (msg->rcpts == &msg->rcpt1) {
		if ((v = malloc(2 * sizeof *v)) == NULL)
			return -1;
		v[0] = msg->rcpt1;
		msg->rcpts = v;
	} else {
		if ((v = realloc(msg->rcpts, (msg->nrcpts + 1) * sizeof *v)) == NULL)
			return -1;
		msg->rcpts = v;
	}
	r = &msg->rcpts[msg->nrcpts];
	memset(r, 0, sizeof *r);
	sanitize_text(buf, sizeof buf, address, strlen(address));
	r->address = strpool_str(m->pool, buf);
	address_domain(buf, sizeof buf, r->address ? r->address : "");
	r->domain = strpool_str(m->pool, buf);
	if (reason != NULL && reasonlen > 0) {
		reply_parse(reason, reasonlen, &reply);
		r->reason = strpool_str(m->pool, reply.text);
	} else {
		r->reason = strpool_str(m->pool, "");
	}
	r->dsn = dsn != NULL ? dsn_str(m, dsn, strlen(dsn), 1) : strpool_str(m->pool, "");
	if (r->address == NULL || r->domain == NULL || r->reason == NULL || r->dsn == NULL)
		return -1;
	r->stage = (uint8_t)stage;
	msg->nrcpts++;
	classify_rcpt(m, r);
	msg->paused |= r->paused;
	return 0;
}

/* wants_remote - paused, or a recipient without a reply (requeued): its last remote reply gives the cause */
static int wants_remote(const struct qmsg *msg)
{
	size_t k;

	if (msg->paused)
		return 1;
	for (k = 0; k < msg->nrcpts; k++)
		if (msg->rcpts[k].reason[0] == '\0')
			return 1;
	return 0;
}

/* apply_remote - paused and requeued recipients take the cause, provider and rule of the last remote reply */
static void apply_remote(struct qmodel *m, struct qmsg *msg)
{
	struct reply_info reply;
	struct verdict v;
	size_t k;

	if (msg->remote_reason == NULL || m->cl == NULL)
		return;
	reply_parse(msg->remote_reason, strlen(msg->remote_reason), &reply);
	for (k = 0; k < msg->nrcpts; k++) {
		struct qrcpt *r = &msg->rcpts[k];

		if (!r->paused && r->reason[0] != '\0')
			continue;
		r->requeued = !r->paused;
		classifier_classify_cached(m->cl, m->vc, &reply, reply.enhanced, r->domain, &v);
		r->cause = v.cause;
		r->provider = v.provider;
		r->rule = v.rule ? v.rule->name : NULL;
	}
}

/* set_remote - remember text as the message's last remote reply */
static void set_remote(struct qmodel *m, struct qmsg *msg, const char *text, size_t len)
{
	char buf[2048];

	sanitize_text(buf, sizeof buf, text, len);
	msg->remote_reason = strpool_str(m->pool, buf);
}

/* qmodel_set_remote_reason - the last remote reply of a message whose recipients show mqmon's own pause
 * (a backend that reads it from the spool, e.g. Exim's msglog) */
void qmodel_set_remote_reason(struct qmodel *m, struct qmsg *msg, const char *text, size_t len)
{
	set_remote(m, msg, text, len);
}

/* Log join: per queue ID attempt counts for every ID seen, requeue links. */
struct id_stats {
	uint64_t h;		/* idset_hash of the ID, 0 = empty slot */
	int attempts;
	time_t last;
	uint64_t prev;		/* ID this one was requeued from (pickup orig_id), 0 = none */
};

struct join_ctx {
	struct qmodel *m;
	struct id_stats *t;
	size_t mask, n;
	const char **last_dsn;	/* by message position: the dsn of its latest deferral (NULL until one has one) */
	int failed;
};

/* stats_slot - find or create the slot for hash h */
static struct id_stats *stats_slot(struct join_ctx *j, uint64_t h)
{
	size_t i;

	if ((j->n + 1) * 2 > j->mask + 1) {
		size_t cap = (j->mask + 1) * 2, k;
		struct id_stats *t = calloc(cap, sizeof *t);

		if (t == NULL)
			return NULL;
		for (k = 0; k <= j->mask; k++)
			if (j->t[k].h) {
				for (i = j->t[k].h & (cap - 1); t[i].h; i = (i + 1) & (cap - 1))
					;
				t[i] = j->t[k];
			}
		free(j->t);
		j->t = t;
		j->mask = cap - 1;
	}
	for (i = h & j->mask; j->t[i].h; i = (i + 1) & j->mask)
		if (j->t[i].h == h)
			return &j->t[i];
	j->t[i].h = h;
	j->n++;
	return &j->t[i];
}

/* stats_find - the slot for h, NULL when never seen */
static const struct id_stats *stats_find(const struct join_ctx *j, uint64_t h)
{
	size_t i;

	for (i = h & j->mask; j->t[i].h; i = (i + 1) & j->mask)
		if (j->t[i].h == h)
			return &j->t[i];
	return NULL;
}

/* reply_from_log - a recipient listed without its reply (Exim's exim -bp lists none) takes the last one the
 * log shows for it */
static void reply_from_log(struct qmodel *m, struct qmsg *msg, const struct log_event *ev)
{
	struct reply_info reply;
	size_t i;

	if (ev->to.n == 0 || ev->reason.n == 0 || own_deferral(m, ev->reason.p, ev->reason.n))
		return;
	for (i = 0; i < msg->nrcpts; i++) {
		struct qrcpt *r = &msg->rcpts[i];
		const char *text;

		if ((r->reason[0] != '\0' && !r->reply_from_log) || strlen(r->address) != ev->to.n
		    || strncasecmp(r->address, ev->to.p, ev->to.n) != 0)
			continue;
		reply_parse(ev->reason.p, ev->reason.n, &reply);
		if ((text = strpool_str(m->pool, reply.text)) == NULL)
			return;
		r->reason = text;
		r->reply_from_log = 1;	/* the log is read in order: a later line replaces it */
		set_dsn(m, r, ev->dsn.p, ev->dsn.n, 1);
		r->stage = (uint8_t)ev->stage;	/* Exim logs the stage before the reply */
		classify_rcpt(m, r);
		msg->paused |= r->paused;
	}
}

/* join_event - one log line of interest */
static int join_event(void *arg, const struct log_event *ev)
{
	struct join_ctx *j = arg;
	struct id_stats *s;

	if (ev->kind == LOG_PICKUP && ev->orig_id.n > 0) {
		char old[QUEUE_ID_MAX + 1];

		span_copy(old, sizeof old, ev->orig_id);
		if ((s = stats_slot(j, idset_hash(ev->queue_id))) == NULL)
			goto nomem;
		s->prev = idset_hash(old);
		return 0;
	}
	if (ev->kind != LOG_DELIVERY || ev->status != STATUS_DEFERRED)
		return 0;
	j->m->log_deferrals++;
	if ((s = stats_slot(j, idset_hash(ev->queue_id))) == NULL)
		goto nomem;
	if (ev->time != s->last || s->attempts == 0)
		s->attempts++;
	if (ev->time > s->last)
		s->last = ev->time;
	{
		size_t pos = find_pos(j->m, ev->queue_id);
		struct qmsg *msg = pos ? j->m->msgs[pos - 1] : NULL;

		if (msg != NULL && ev->time >= msg->last_attempt) {
			char buf[256];

			msg->last_attempt = ev->time;
			if (wants_remote(msg) && !own_deferral(j->m, ev->reason.p, ev->reason.n))
				set_remote(j->m, msg, ev->reason.p, ev->reason.n);
			sanitize_text(buf, sizeof buf, ev->relay.p, ev->relay.n);
			msg->relay = strpool_str(j->m->pool, buf);
			if (j->last_dsn == NULL && (j->last_dsn = calloc(j->m->n + 1, sizeof *j->last_dsn)) == NULL)
				goto nomem;
			if ((j->last_dsn[pos - 1] = dsn_str(j->m, ev->dsn.p, ev->dsn.n, 1)) == NULL)
				goto nomem;
		}
		if (msg != NULL)
			reply_from_log(j->m, msg, ev);
	}
	return 0;
nomem:
	j->failed = 1;
	return 1;
}

/* join_scan - pickup lines carry orig_id, so scan those too (not only deferrals) */
static int join_filter_scan(struct join_ctx *j, const char *path, struct logscan_stats *st, struct why *why)
{
	return logscan_path(path, 0, join_event, j, st, why);
}

/* qmodel_join_log - read a log file for attempts of the model's messages; -1 with why */
int qmodel_join_log(struct qmodel *m, const char *path, struct why *why)
{
	struct join_ctx j = { .m = m, .mask = 4095 };
	struct logscan_stats st = { 0 };
	size_t i, k;
	int rc;

	if ((j.t = calloc(j.mask + 1, sizeof *j.t)) == NULL)
		return why_set(why, "out of memory");
	rc = join_filter_scan(&j, path, &st, why);
	m->log_lines += st.lines;
	if (j.failed) {
		free(j.t);
		free(j.last_dsn);
		return why_set(why, "out of memory reading %s", path);
	}
	for (i = 0; i < m->n; i++) {
		struct qmsg *msg = m->msgs[i];
		uint64_t h = idset_hash(msg->id);
		int hops;

		/* the message's own attempts, then those under each ID it was requeued from */
		for (hops = 0; h != 0 && hops < 16; hops++) {
			const struct id_stats *s = stats_find(&j, h);

			if (s == NULL)
				break;
			msg->attempts += s->attempts;
			if (s->last > msg->last_attempt)
				msg->last_attempt = s->last;
			h = s->prev;
		}
		/* the log's dsn helps recipients whose reply had no enhanced code */
		for (k = 0; j.last_dsn != NULL && j.last_dsn[i] != NULL && k < msg->nrcpts; k++)
			if (msg->rcpts[k].dsn[0] == '\0' && j.last_dsn[i][0] && msg->rcpts[k].reason[0]) {
				msg->rcpts[k].dsn = j.last_dsn[i];
				classify_rcpt(m, &msg->rcpts[k]);
			}
		apply_remote(m, msg);
	}
	free(j.t);
	free(j.last_dsn);
	return rc;
}

/* join_stat - one queue ID's stored attempts into its message */
static int join_stat(void *ctx, const char *queue_id, int attempts, time_t last, const char *relay,
		     const char *dsn)
{
	struct qmodel *m = ctx;
	struct qmsg *msg = qmodel_find(m, queue_id);

	if (msg != NULL) {
		msg->attempts = attempts;
		if (last >= msg->last_attempt) {
			msg->last_attempt = last;
			msg->relay = relay ? strpool_str(m->pool, relay) : NULL;
		}
	}
	return 0;
}

/* a message being joined with the store, and its model (whose pool keeps the strings) */
struct remote_ctx {
	struct qmodel *m;
	struct qmsg *msg;
};

/* count_attempt - one stored attempt of a message (and the IDs it was requeued from) */
static int count_attempt(void *ctx, const struct store_attempt *a)
{
	struct remote_ctx *c = ctx;
	struct qmsg *msg = c->msg;

	if (a->status != STATUS_DEFERRED)
		return 0;
	if (a->time != msg->last_attempt || msg->attempts == 0)
		msg->attempts++;
	if (a->time >= msg->last_attempt) {
		msg->last_attempt = a->time;
		msg->relay = a->relay ? strpool_str(c->m->pool, a->relay) : NULL;
	}
	return 0;
}

/* remote_attempt - a stored deferral of a paused or requeued message: the last one that is not the pause is its remote reply */
static int remote_attempt(void *ctx, const struct store_attempt *a)
{
	struct remote_ctx *c = ctx;

	if (a->status == STATUS_DEFERRED && a->text != NULL
	    && !own_deferral(c->m, a->text, strlen(a->text)))
		set_remote(c->m, c->msg, a->text, strlen(a->text));
	return 0;
}

/* join_remote - the last remote reply of a paused or requeued message from the store (through requeue links) */
static void join_remote(struct qmodel *m, struct qmsg *msg, struct store *st)
{
	struct remote_ctx c = { m, msg };

	if (!wants_remote(msg) || st == NULL)
		return;
	store_attempts_for(st, msg->id, remote_attempt, &c, NULL);
	apply_remote(m, msg);
}

/* qmodel_join_store_one - the same for one message (after it was read again) */
void qmodel_join_store_one(struct qmodel *m, struct qmsg *msg, struct store *st)
{
	struct remote_ctx c = { m, msg };

	qmodel_touch(m, msg);	/* its attempts and retry time may change */
	msg->attempts = 0;
	msg->last_attempt = 0;
	if (st != NULL)
		store_attempts_for(st, msg->id, count_attempt, &c, NULL);
}

/* qmodel_join_store_one_in - qmodel_join_store_one, and a paused message's last remote cause */
void qmodel_join_store_one_in(struct qmodel *m, struct qmsg *msg, struct store *st)
{
	qmodel_join_store_one(m, msg, st);
	join_remote(m, msg, st);
}

/* qmodel_join_store - attempts and last attempt times from the store's history; -1 with why */
int qmodel_join_store(struct qmodel *m, struct store *st, struct why *why)
{
	/* nothing older than the longest queue lifetime can still be queued */
	long life = m->params.max_queue_lifetime > m->params.bounce_queue_lifetime ?
		m->params.max_queue_lifetime : m->params.bounce_queue_lifetime;
	size_t i;

	if (store_attempt_stats(st, time(NULL) - life - 86400, join_stat, m, why) < 0)
		return -1;
	for (i = 0; i < m->n; i++)
		join_remote(m, m->msgs[i], st);
	return 0;
}

/* Aggregates: a small string -> qcount hash used while counting. */
struct counter {
	struct qcount *v;
	size_t n, cap;
	size_t *slots;		/* position+1 */
	size_t mask;
};

/* counter_get - the qcount for name (created on first use); NULL on out of memory */
static struct qcount *counter_get(struct counter *c, const char *name)
{
	size_t h, i;

	if (c->slots == NULL || (c->n + 1) * 2 > c->mask + 1) {
		size_t cap = c->slots ? (c->mask + 1) * 2 : 64;
		size_t *s = calloc(cap, sizeof *s);

		if (s == NULL)
			return NULL;
		for (i = 0; i < c->n; i++) {
			for (h = (size_t)idset_hash(c->v[i].name) & (cap - 1); s[h]; h = (h + 1) & (cap - 1))
				;
			s[h] = i + 1;
		}
		free(c->slots);
		c->slots = s;
		c->mask = cap - 1;
	}
	for (h = (size_t)idset_hash(name) & c->mask; c->slots[h]; h = (h + 1) & c->mask)
		if (strcmp(c->v[c->slots[h] - 1].name, name) == 0)
			return &c->v[c->slots[h] - 1];
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct qcount *v = realloc(c->v, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	memset(&c->v[c->n], 0, sizeof *c->v);
	c->v[c->n].name = name;
	c->slots[h] = c->n + 1;
	return &c->v[c->n++];
}

/* count_msg - add one message to a count (oldest arrival, soonest retry) */
static void count_msg(struct qcount *q, const struct qmsg *msg)
{
	q->messages++;
	if (q->oldest_arrival == 0 || (msg->arrival && msg->arrival < q->oldest_arrival))
		q->oldest_arrival = msg->arrival;
	if (msg->next_retry && (q->soonest_retry == 0 || msg->next_retry < q->soonest_retry))
		q->soonest_retry = msg->next_retry;
}

/* by_messages - sort counts by messages desc, then name */
static int by_messages(const void *a, const void *b)
{
	const struct qcount *x = a, *y = b;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* compute_times - expiry, next retry, overdue of one message */
static void compute_times(const struct qmodel *m, struct qmsg *msg, time_t now)
{
	const struct mta_params *p = &m->params;
	long life = msg->sender[0] ? p->max_queue_lifetime : p->bounce_queue_lifetime;

	msg->expires_at = msg->forced_expire ? now : msg->arrival + life;
	msg->next_retry = 0;
	msg->overdue = 0;
	if (msg->queue != QUEUE_DEFERRED) {
		msg->retry_source = RETRY_NONE;
		return;
	}
	if (msg->exact_retry) {
		msg->next_retry = msg->exact_retry;
		msg->retry_source = RETRY_EXACT;
	} else if (msg->last_attempt && p->backend != NULL && p->backend->retry_estimate != NULL
		   && (msg->next_retry = p->backend->retry_estimate(p, msg)) != 0) {
		msg->retry_source = RETRY_ESTIMATED;
	} else {
		msg->retry_source = RETRY_UNKNOWN;
		return;
	}
	msg->overdue = now > msg->next_retry + 2 * p->queue_run_delay + 60;
}

/* settle_msg - what a finish computes for one message: retry, expiry, overdue, its cause and provider */
static void settle_msg(const struct qmodel *m, struct qmsg *msg, time_t now)
{
	size_t k;

	compute_times(m, msg, now);
	msg->cause = CAUSE_UNCLASSIFIED;
	msg->provider = msg->nrcpts ? msg->rcpts[0].provider : "other";
	for (k = 0; k < msg->nrcpts; k++)
		if (qrcpt_has_cause(&msg->rcpts[k])) {
			msg->cause = msg->rcpts[k].cause;
			msg->provider = msg->rcpts[k].provider;
			break;
		}
}

/* index_delete - take position pos out of the index (linear probing: the entries after it that could not
 * sit in their own slot move back, so no look-up needs a tombstone) */
static void index_delete(struct qmodel *m, size_t pos)
{
	size_t i, j, k;

	for (i = id_hash(m->msgs[pos]->id) & m->imask; m->index[i] != pos + 1; i = (i + 1) & m->imask)
		if (m->index[i] == 0)
			return;	/* not there */
	for (j = i;;) {
		j = (j + 1) & m->imask;
		if (m->index[j] == 0)
			break;
		k = id_hash(m->msgs[m->index[j] - 1]->id) & m->imask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;	/* its own slot is between: it stays */
		m->index[i] = m->index[j];
		i = j;
	}
	m->index[i] = 0;
}

/* compact - free forgotten messages; remap (NULL: none wanted) gets each old position's new one
 * (QORDER_GONE for a freed message), marked QORDER_CHANGED for a touched one. The index keeps its
 * entries: the forgotten ones are deleted and the others renumbered, with no ID hashed again but the
 * forgotten ones' and their neighbours' (a retry wave in a big queue forgets thousands) */
static void compact(struct qmodel *m, uint32_t *remap, const struct idset *touched)
{
	size_t i, n = 0, ngone = 0;
	uint32_t *map = remap;

	for (i = 0; i < m->n; i++)
		if (m->msgs[i]->gone) {
			if (m->index != NULL)
				index_delete(m, i);
			ngone++;
		}
	if (ngone > 0 && map == NULL && m->index != NULL)
		map = malloc((m->n + 1) * sizeof *map);	/* NULL (out of memory): the index is made again below */
	for (i = 0; i < m->n; i++) {
		if (map != NULL)
			map[i] = m->msgs[i]->gone ? QORDER_GONE : (uint32_t)n
				 | (touched->n > 0 && idset_has(touched, (uint64_t)(uintptr_t)m->msgs[i] | 1) ? QORDER_CHANGED : 0);
		if (m->msgs[i]->gone)
			msg_free(m, m->msgs[i]);
		else
			m->msgs[n++] = m->msgs[i];
	}
	m->n = n;
	if (ngone > 0 && m->index != NULL && map != NULL) {
		for (i = 0; i <= m->imask; i++)
			if (m->index[i] != 0)
				m->index[i] = (size_t)(map[m->index[i] - 1] & ~QORDER_CHANGED) + 1;
	} else if (ngone > 0 && m->index != NULL) {
		memset(m->index, 0, (m->imask + 1) * sizeof *m->index);
		for (i = 0; i < m->n; i++)
			index_insert(m, i);
	}
	if (map != remap)
		free(map);
}

/* domain_providers - one provider per domain: the first verdict that names one; recipients without one take it */
static void domain_providers(struct qmodel *m, struct counter *dom)
{
	size_t i, k;
	struct qcount *q;

	for (i = 0; i < m->n; i++)
		for (k = 0; k < m->msgs[i]->nrcpts; k++) {
			const struct qrcpt *r = &m->msgs[i]->rcpts[k];

			if ((q = counter_get(dom, r->domain)) != NULL
			    && (q->provider == NULL || strcmp(q->provider, "other") == 0))
				q->provider = r->provider;
		}
	for (i = 0; !m->borrowed && i < m->n; i++)	/* a partial's messages are shared: only read */
		for (k = 0; k < m->msgs[i]->nrcpts; k++) {
			struct qrcpt *r = &m->msgs[i]->rcpts[k];

			if (strcmp(r->provider, "other") == 0 && (q = counter_get(dom, r->domain)) != NULL
			    && q->provider != NULL)
				r->provider = q->provider;
		}
}

/* finish_order - make the sort orders of a whole model, or mend the ones it has (remap: compact's, nremap
 * positions) */
static void finish_order(struct qmodel *m, const uint32_t *remap, size_t nremap)
{
	if (!m->keep_order || m->borrowed)
		return;
	if (m->order != NULL && qorder_update(m->order, m->msgs, m->n, remap, nremap) < 0) {
		qorder_free(m->order);
		m->order = NULL;
	}
	if (m->order == NULL)
		m->order = qorder_build(m->msgs, m->n);
}

/* qmodel_finish - drop forgotten messages, compute retry/expiry/overdue at now, build aggregates */
void qmodel_finish(struct qmodel *m, time_t now)
{
	struct counter prov = { 0 }, dom = { 0 }, cdom[CAUSE_COUNT];
	size_t i, k, j, ordered = m->order != NULL ? m->order->n : 0, nremap = m->n;
	uint32_t *remap = NULL;
	struct idset touched = { 0 };

	static atomic_ulong versions;

	aggregates_free(m);
	m->version = atomic_fetch_add(&versions, 1) + 1;
	for (i = 0; m->order != NULL && i < m->ntouched; i++)
		if (idset_add(&touched, (uint64_t)(uintptr_t)m->touched[i] | 1) < 0)
			m->touch_lost = 1;
	if (m->order != NULL && (m->borrowed || !m->keep_order || ordered > m->n || m->touch_lost
				 || (remap = malloc((m->n + 1) * sizeof *remap)) == NULL)) {
		qorder_free(m->order);	/* no positions to carry: made again below */
		m->order = NULL;
	}
	m->ntouched = 0;
	m->touch_lost = 0;
	if (!m->borrowed)
		compact(m, remap, &touched);
	idset_free(&touched);
	memset(cdom, 0, sizeof cdom);
	m->generated_at = now;
	m->recipients = 0;
	m->oldest = m->soonest = NULL;
	m->overdue = 0;
	for (i = 0; i < CAUSE_COUNT; i++)
		m->causes[i].name = cause_name((enum cause)i);
	for (i = 0; i < QUEUE_COUNT; i++)
		m->queues[i].name = queue_name_str((enum queue_name)i);

	domain_providers(m, &dom);
	for (i = 0; i < m->n; i++) {
		struct qmsg *msg = m->msgs[i];
		unsigned seen_cause = 0;

		if (!m->borrowed)
			settle_msg(m, msg, now);	/* a partial's were settled when it was sealed */
		m->overdue += msg->overdue;
		count_msg(&m->queues[msg->queue], msg);
		m->queues[msg->queue].recipients += msg->nrcpts;
		m->recipients += msg->nrcpts;
		if (m->oldest == NULL || msg->arrival < m->oldest->arrival)
			m->oldest = msg;
		if (msg->next_retry && (m->soonest == NULL || msg->next_retry < m->soonest->next_retry))
			m->soonest = msg;

		for (k = 0; k < msg->nrcpts; k++) {
			const struct qrcpt *r = &msg->rcpts[k];
			struct qcount *q;
			int first_in_msg = 1;

			/* a message counts once per provider, domain and cause it touches */
			for (j = 0; j < k && first_in_msg; j++)
				if (strcmp(msg->rcpts[j].provider, r->provider) == 0)
					first_in_msg = 0;
			if ((q = counter_get(&prov, r->provider)) != NULL) {
				q->recipients++;
				if (first_in_msg)
					count_msg(q, msg);
			}
			first_in_msg = 1;
			for (j = 0; j < k && first_in_msg; j++)
				if (strcmp(msg->rcpts[j].domain, r->domain) == 0)
					first_in_msg = 0;
			if ((q = counter_get(&dom, r->domain)) != NULL) {
				q->recipients++;
				if (first_in_msg)
					count_msg(q, msg);
			}
			if (!qrcpt_has_cause(r))
				continue;	/* not deferred (yet): no cause */
			m->causes[r->cause].recipients++;
			if (!(seen_cause & (1u << r->cause))) {
				seen_cause |= 1u << r->cause;
				count_msg(&m->causes[r->cause], msg);
			}
			first_in_msg = 1;
			for (j = 0; j < k && first_in_msg; j++)
				if (msg->rcpts[j].cause == r->cause && qrcpt_has_cause(&msg->rcpts[j])
				    && strcmp(msg->rcpts[j].domain, r->domain) == 0)
					first_in_msg = 0;
			if ((q = counter_get(&cdom[r->cause], r->domain)) != NULL) {
				q->recipients++;
				if (first_in_msg)
					count_msg(q, msg);
			}
		}
	}
	for (i = 0; i < CAUSE_COUNT; i++) {
		if (cdom[i].n > 1)
			qsort(cdom[i].v, cdom[i].n, sizeof *cdom[i].v, by_messages);
		m->causes[i].sub = cdom[i].v;
		m->causes[i].nsub = cdom[i].n;
		free(cdom[i].slots);
	}
	if (prov.n > 1)
		qsort(prov.v, prov.n, sizeof *prov.v, by_messages);
	if (dom.n > 1)
		qsort(dom.v, dom.n, sizeof *dom.v, by_messages);
	m->providers = prov.v;
	m->nproviders = prov.n;
	m->domains = dom.v;
	m->ndomains = dom.n;
	free(prov.slots);
	free(dom.slots);
	finish_order(m, remap, nremap);
	free(remap);
}

/* qmodel_touch - msg was changed in place: the next finish moves it in the sort orders */
void qmodel_touch(struct qmodel *m, struct qmsg *msg)
{
	if (m->order == NULL)
		return;	/* no orders to mend: the next finish makes them from scratch if kept */
	if (m->ntouched == m->captouched) {
		size_t nc = m->captouched ? m->captouched * 2 : 256;
		struct qmsg **nv = realloc(m->touched, nc * sizeof *nv);

		if (nv == NULL) {
			m->touch_lost = 1;
			return;
		}
		m->touched = nv;
		m->captouched = nc;
	}
	m->touched[m->ntouched++] = msg;
}

/* qmodel_keep_order - every qmodel_finish of m makes m->order */
void qmodel_keep_order(struct qmodel *m)
{
	m->keep_order = 1;
}
