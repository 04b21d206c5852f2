/* fleet_feed - one host's stream into its set of messages; the merged model; see fleet_feed.h */
#include "core/fleet/fleet_feed.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "core/classify/cause.h"
#include "core/classify/reply.h"
#include "core/queue/stream.h"

/* fleet_feed_init - an empty feed */
void fleet_feed_init(struct fleet_feed *f)
{
	memset(f, 0, sizeof *f);
	f->mta_running = -1;
	f->msgs = json_object();
}

/* drop_batch - forget the batch being read */
static void drop_batch(struct fleet_feed *f)
{
	json_decref(f->batch_msgs);
	json_decref(f->batch_removed);
	f->batch_msgs = f->batch_removed = NULL;
	f->in_batch = 0;
}

/* fleet_feed_reset - a new connection: partial line and batch dropped, hello wanted again */
void fleet_feed_reset(struct fleet_feed *f)
{
	drop_batch(f);
	f->len = 0;
	f->overlong = 0;
	f->hello = 0;
	f->problem[0] = '\0';
}

/* fleet_feed_free - release everything */
void fleet_feed_free(struct fleet_feed *f)
{
	drop_batch(f);
	json_decref(f->msgs);
	json_decref(f->totals);
	free(f->line);
	memset(f, 0, sizeof *f);
}

/* bad - FEED_BAD with a reason */
static enum feed_event bad(struct fleet_feed *f, const char *why)
{
	snprintf(f->problem, sizeof f->problem, "not mqmon's stream: %s", why);
	return FEED_BAD;
}

/* id_ok - a queue ID as MTAs write them: 1..QUEUE_ID_MAX letters, digits and '-' (Exim) */
static int id_ok(const char *id)
{
	size_t n = id != NULL ? strlen(id) : 0;

	return n > 0 && n <= QUEUE_ID_MAX && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* copy_str - a string member into buf ("" when absent) */
static void copy_str(json_t *o, const char *key, char *buf, size_t n)
{
	const char *s = json_string_value(json_object_get(o, key));

	snprintf(buf, n, "%s", s != NULL ? s : "");
}

/* running_of - a JSON mta_running value: 1, 0, -1 unknown */
static int running_of(json_t *v)
{
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

/* apply_batch - the batch read becomes the set */
static void apply_batch(struct fleet_feed *f, json_t *end)
{
	const char *id;
	json_t *v;
	size_t i;

	if (f->batch_full) {
		json_decref(f->msgs);
		f->msgs = f->batch_msgs;
		f->batch_msgs = NULL;
	} else {
		json_object_update(f->msgs, f->batch_msgs);
		json_array_foreach(f->batch_removed, i, v)
			if ((id = json_string_value(v)) != NULL)
				json_object_del(f->msgs, id);
	}
	json_decref(f->totals);
	f->totals = json_incref(json_object_get(end, "totals"));
	f->generated_at = f->batch_generated_at;
	f->mta_running = f->batch_mta_running;
	f->have_set = 1;
	f->batches++;
	drop_batch(f);
}

/* fleet_feed_line - one line; its event */
enum feed_event fleet_feed_line(struct fleet_feed *f, const char *line, size_t len)
{
	json_error_t err;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err), *v;
	const char *type = json_string_value(json_object_get(o, "type"));
	enum feed_event ev = FEED_NONE;

	f->lines++;
	if (!json_is_object(o) || type == NULL) {
		json_decref(o);
		return bad(f, o == NULL ? err.text : "a line without a type");
	}
	if (strcmp(type, "hello") == 0) {
		v = json_object_get(o, "protocol");
		f->protocol = json_is_integer(v) ? (int)json_integer_value(v) : 0;
		copy_str(o, "version", f->version, sizeof f->version);
		copy_str(o, "mta", f->mta, sizeof f->mta);
		copy_str(o, "host", f->hostname, sizeof f->hostname);
		copy_str(o, "config_dir", f->config_dir, sizeof f->config_dir);
		if (f->protocol != STREAM_PROTOCOL) {
			snprintf(f->problem, sizeof f->problem, "the host's mqmon %.60s speaks stream protocol %d, this "
				 "one %d: install the same mqmon there", f->version[0] ? f->version : "(unknown)",
				 f->protocol, STREAM_PROTOCOL);
			ev = FEED_TOO_OLD;
		} else {
			f->hello = 1;
			ev = FEED_HELLO;
		}
	} else if (!f->hello) {
		ev = bad(f, "no hello line first");
	} else if (strcmp(type, "begin") == 0) {
		drop_batch(f);
		f->in_batch = 1;
		f->batch_full = json_is_true(json_object_get(o, "full"));
		v = json_object_get(o, "generated_at");
		f->batch_generated_at = json_is_integer(v) ? json_integer_value(v) : 0;
		f->batch_mta_running = running_of(json_object_get(o, "mta_running"));
		f->batch_msgs = json_object();
		f->batch_removed = json_array();
	} else if (strcmp(type, "message") == 0) {
		json_t *m = json_object_get(o, "message");
		const char *id = json_string_value(json_object_get(m, "queue_id"));

		if (!f->in_batch)
			ev = bad(f, "a message outside a batch");
		else if (!json_is_object(m) || !id_ok(id) || !json_is_array(json_object_get(m, "recipients")))
			ev = bad(f, "a message without a valid queue ID or recipients");
		else
			json_object_set(f->batch_msgs, id, m);
	} else if (strcmp(type, "removed") == 0) {
		v = json_object_get(o, "queue_id");
		if (!f->in_batch || !id_ok(json_string_value(v)))
			ev = bad(f, "a removed line outside a batch or without an ID");
		else
			json_array_append(f->batch_removed, v);
	} else if (strcmp(type, "end") == 0) {
		if (!f->in_batch)
			ev = bad(f, "an end line outside a batch");
		else {
			apply_batch(f, o);
			ev = FEED_BATCH;
		}
	} else if (strcmp(type, "heartbeat") == 0) {
		ev = FEED_ALIVE;
	} else if (strcmp(type, "error") == 0) {
		copy_str(o, "error", f->problem, sizeof f->problem);
		ev = FEED_ERROR;
	}	/* another type: a newer mqmon's addition, ignored */
	json_decref(o);
	return ev;
}

/* worse - the event fleet_feed_input reports of two */
static enum feed_event worse(enum feed_event a, enum feed_event b)
{
	if (a == FEED_BAD || a == FEED_TOO_OLD)
		return a;
	if (b == FEED_BAD || b == FEED_TOO_OLD || a == FEED_NONE)
		return b;
	if (a == FEED_BATCH || b == FEED_NONE)
		return a;
	return b;
}

/* fleet_feed_input - bytes as they came, cut into lines */
enum feed_event fleet_feed_input(struct fleet_feed *f, const char *data, size_t n, fleet_feed_event_fn fn,
				 void *ctx)
{
	enum feed_event result = FEED_NONE, ev;
	size_t i = 0;

	f->bytes += n;
	while (i < n) {
		const char *nl = memchr(data + i, '\n', n - i);
		size_t take = nl != NULL ? (size_t)(nl - (data + i)) : n - i;

		if (!f->overlong && f->len + take > FLEET_FEED_MAX_LINE)
			f->overlong = 1;
		if (!f->overlong) {
			if (f->len + take + 1 > f->cap) {
				size_t cap = f->cap ? f->cap : 4096;
				char *b;

				while (cap < f->len + take + 1)
					cap *= 2;
				if ((b = realloc(f->line, cap)) == NULL) {
					snprintf(f->problem, sizeof f->problem, "out of memory");
					return FEED_BAD;
				}
				f->line = b;
				f->cap = cap;
			}
			memcpy(f->line + f->len, data + i, take);
			f->len += take;
		}
		i += take;
		if (nl == NULL)
			break;
		i++;	/* the newline */
		if (f->overlong) {
			f->overlong = 0;
			f->len = 0;
			snprintf(f->problem, sizeof f->problem, "not mqmon's stream: a line longer than %u bytes",
				 FLEET_FEED_MAX_LINE);
			ev = FEED_BAD;
		} else {
			ev = fleet_feed_line(f, f->line, f->len);
			f->len = 0;
		}
		if (ev != FEED_NONE && fn != NULL)
			fn(f, ev, ctx);
		result = worse(result, ev);
		if (ev == FEED_BAD || ev == FEED_TOO_OLD)
			break;
	}
	return result;
}

/* fleet_feed_messages - messages in the applied set */
size_t fleet_feed_messages(const struct fleet_feed *f)
{
	return json_object_size(f->msgs);
}

/* fleet_feed_total - a member of the last totals; -1 when unknown */
long long fleet_feed_total(const struct fleet_feed *f, const char *name)
{
	json_t *v = json_object_get(f->totals, name);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/* fleet_feed_queue_counts - messages per queue */
void fleet_feed_queue_counts(const struct fleet_feed *f, size_t *counts)
{
	const char *id;
	json_t *m;

	memset(counts, 0, QUEUE_COUNT * sizeof *counts);
	json_object_foreach(f->msgs, id, m)
		counts[queue_name_from(json_string_value(json_object_get(m, "queue")) != NULL ? json_string_value(json_object_get(m, "queue")) : "")]++;
}

/* num - an integer member, 0 when absent or null */
static long long num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : 0;
}

/* str - a string member, "" when absent or null */
static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* the host's own verdicts of a message, put back after qmodel_finish computed its own */
struct kept {
	struct qmsg *msg;
	enum retry_source retry;
	time_t next_retry, expires_at;
	int overdue;
};

/* retry_of - a retry_source name back */
static enum retry_source retry_of(const char *s)
{
	if (strcmp(s, "exact") == 0)
		return RETRY_EXACT;
	if (strcmp(s, "estimated") == 0)
		return RETRY_ESTIMATED;
	if (strcmp(s, "unknown") == 0)
		return RETRY_UNKNOWN;
	return RETRY_NONE;
}

/* pooled_clean - s made safe for the screen (valid UTF-8, no control characters: a host may be hostile),
 * interned in the model; NULL on out of memory */
static const char *pooled_clean(struct qmodel *m, const char *s)
{
	char buf[1024];

	sanitize_text(buf, sizeof buf, s, strlen(s));
	return qmodel_str(m, buf);
}

/* add_message - one host message into the merged model; 0, -1 when it is not usable */
static int add_message(struct qmodel *m, const char *host, json_t *o, struct kept *k)
{
	const char *sender = str(o, "sender"), *relay = str(o, "relay"), *rel;
	struct qmsg *msg;
	json_t *r;
	size_t i;

	msg = qmodel_add_fleet(m, host, str(o, "queue_id"), queue_name_from(str(o, "queue")), sender,
			       (time_t)num(o, "arrival_time"), (long)num(o, "size"),
			       json_is_true(json_object_get(o, "forced_expire")));
	if (msg == NULL)
		return -1;
	msg->attempts = (int)num(o, "attempts");
	msg->last_attempt = (time_t)num(o, "last_attempt");
	if (*relay && (rel = pooled_clean(m, relay)) != NULL)
		msg->relay = rel;
	msg->paused = json_is_true(json_object_get(o, "paused"));
	json_array_foreach(json_object_get(o, "recipients"), i, r) {
		const char *reason = str(r, "reason"), *cause = str(r, "cause"), *rule = str(r, "rule"), *pooled;
		struct qrcpt *q;
		int c;

		if (qmodel_add_rcpt(m, msg, str(r, "address"), reason, strlen(reason), str(r, "dsn")) < 0)
			return -1;
		q = &msg->rcpts[msg->nrcpts - 1];
		/* the host's rules decided: its verdict as it came (the reason as qmodel_add_rcpt cleaned it) */
		c = *cause ? cause_from_name(cause) : -1;
		q->cause = c >= 0 ? (enum cause)c : CAUSE_UNCLASSIFIED;
		q->requeued = c >= 0 && *reason == '\0';
		pooled = pooled_clean(m, *str(r, "provider") ? str(r, "provider") : "other");
		q->provider = pooled != NULL ? pooled : "other";
		q->rule = *rule ? pooled_clean(m, rule) : NULL;
		q->stage = smtp_stage_from_name(str(r, "stage"));
		q->paused = json_is_true(json_object_get(r, "paused"));
	}
	k->msg = msg;
	k->retry = retry_of(str(o, "retry_source"));
	k->next_retry = (time_t)num(o, "next_retry");
	k->expires_at = (time_t)num(o, "expires_at");
	k->overdue = json_is_true(json_object_get(o, "overdue"));
	msg->exact_retry = k->next_retry;
	return 0;
}

/* fleet_feed_merge - one finished model of every host's set */
struct qmodel *fleet_feed_merge(struct fleet_feed *const *feeds, const char *const *names, size_t n,
				time_t now)
{
	struct qmodel *m = qmodel_new(NULL, NULL);
	struct kept *kept;
	size_t total = 0, nk = 0, i, running = 0, stopped = 0;
	const char *id;
	json_t *o;

	if (m == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		total += json_object_size(feeds[i]->msgs);
	if ((kept = calloc(total + 1, sizeof *kept)) == NULL) {
		qmodel_free(m);
		return NULL;
	}
	m->source = "fleet";
	for (i = 0; i < n; i++) {
		json_object_foreach(feeds[i]->msgs, id, o)
			if (nk < total && add_message(m, names[i], o, &kept[nk]) == 0)
				nk++;
		running += feeds[i]->have_set && feeds[i]->mta_running == 1;
		stopped += feeds[i]->have_set && feeds[i]->mta_running == 0;
	}
	m->mta_running = stopped > 0 ? MTA_STOPPED : running > 0 ? MTA_RUNNING : MTA_UNKNOWN;
	qmodel_finish(m, now);
	/* each message's retry, expiry and overdue flag as its host computed them */
	m->overdue = 0;
	m->soonest = NULL;
	for (i = 0; i < nk; i++) {
		struct qmsg *msg = kept[i].msg;

		msg->retry_source = kept[i].retry;
		msg->next_retry = kept[i].next_retry;
		msg->expires_at = kept[i].expires_at;
		msg->overdue = kept[i].overdue;
		m->overdue += (size_t)msg->overdue;
		if (msg->next_retry && (m->soonest == NULL || msg->next_retry < m->soonest->next_retry))
			m->soonest = msg;
	}
	free(kept);
	return m;
}
