/* test_qorder - the model's sort orders: made on finish, mended by later finishes after messages left,
 * came, were read again or changed in place, always what a fresh sort gives; and the search bits
 * (tui/search): a longer text tests only what the shorter matched, and finds what a full search finds */
#include "tests/unit/testutil.h"
#include "tests/unit/testmodel.h"

#include <limits.h>

#include "core/queue/qmodel.h"
#include "core/queue/qorder.h"
#include "core/postfix/mta_postfix.h"
#include "tui/search.h"



static const char *const replies[] = {
	"host a[192.0.2.1] said: 421-4.7.28 unusual rate of 421-4.7.28 unsolicited mail 421 4.7.28 rate limited. "
	"gsmtp (in reply to RCPT TO command)",
	"host b[192.0.2.2] said: 450 4.2.0 Greylisted, see http://postgrey (in reply to RCPT TO command)",
	"connect to c.example[192.0.2.3]:25: Connection refused",
	"host d[192.0.2.4] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)",
};
static const char *const domains[] = { "gmail.com", "yahoo.com", "b.example", "a.example", "outlook.com" };

static unsigned long rnd_state = 12345;

/* rnd - a small deterministic generator */
static unsigned long rnd(unsigned long n)
{
	rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned long)(rnd_state >> 33) % n;
}

/* add_random - a message with random keys (a few values each, so ties are many) */
static void add_random(struct qmodel *m, const char *id, time_t now)
{
	enum queue_name q = rnd(10) == 0 ? QUEUE_HOLD : QUEUE_DEFERRED;
	struct qmsg *msg = qmodel_add(m, id, q, "s@x", now - 1000 * (time_t)rnd(20), 100 * (long)rnd(5), 0);
	size_t k, nr = 1 + rnd(3);

	assert_non_null(msg);
	for (k = 0; k < nr; k++) {
		char addr[64];
		const char *r = replies[rnd(4)];

		snprintf(addr, sizeof addr, "u%lu@%s", rnd(50), domains[rnd(5)]);
		assert_int_equal(qmodel_add_rcpt(m, msg, addr, r, strlen(r), NULL), 0);
	}
	msg->attempts = (int)rnd(4);
	if (q == QUEUE_DEFERRED && rnd(4) != 0)
		msg->exact_retry = now + 60 * (time_t)rnd(10);
}

static enum qorder_key ref_key;
static int ref_desc;

/* ref_value - the key's value as the console documents it (retry: none last) */
static long long ref_value(const struct qmsg *m)
{
	switch (ref_key) {
	case QORDER_RETRY: return m->next_retry;
	case QORDER_AGE: return -(long long)m->arrival;
	case QORDER_CAUSE: return m->cause;
	case QORDER_ATTEMPTS: return m->attempts;
	case QORDER_SIZE: return m->size;
	default: return 0;
	}
}

/* ref_cmp - the reference order: value (ascending or descending), no retry last, then queue ID */
static int ref_cmp(const void *x, const void *y)
{
	const struct qmsg *a = *(const struct qmsg *const *)x, *b = *(const struct qmsg *const *)y;
	int c = 0;

	if (ref_key == QORDER_RETRY && (a->next_retry == 0) != (b->next_retry == 0))
		return a->next_retry == 0 ? 1 : -1;
	if (ref_key == QORDER_DOMAIN) {
		c = strcmp(a->nrcpts ? a->rcpts[0].domain : "", b->nrcpts ? b->rcpts[0].domain : "");
	} else {
		long long va = ref_value(a), vb = ref_value(b);

		c = va < vb ? -1 : va > vb;
	}
	if (ref_desc)
		c = -c;
	return c ? c : strcmp(a->id, b->id);
}

/* check_orders - every key's order (and its descending one) is the reference sort of the messages */
static void check_orders(const struct qmodel *m)
{
	struct qmsg **ref = malloc((m->n + 1) * sizeof *ref);
	uint32_t *desc = malloc((m->n + 1) * sizeof *desc);
	size_t i;
	int k;

	assert_non_null(m->order);
	assert_int_equal(m->order->n, m->n);
	for (i = 0; i < m->n; i++)
		assert_ptr_equal(qmodel_find(m, m->msgs[i]->id), m->msgs[i]);	/* the index kept through compactions */
	for (k = 0; k < QORDER_COUNT; k++) {
		for (ref_desc = 0; ref_desc < 2; ref_desc++) {
			const uint32_t *got = m->order->asc[k];

			ref_key = (enum qorder_key)k;
			memcpy(ref, m->msgs, m->n * sizeof *ref);
			qsort(ref, m->n, sizeof *ref, ref_cmp);
			if (ref_desc) {
				qorder_descending(m->msgs, got, m->n, (enum qorder_key)k, desc);
				got = desc;
			}
			for (i = 0; i < m->n; i++)
				if (m->msgs[got[i]] != ref[i])
					fail_msg("key %d %s: position %zu is %s, a fresh sort has %s", k, ref_desc ? "desc" : "asc",
						 i, m->msgs[got[i]]->id, ref[i]->id);
		}
	}
	free(ref);
	free(desc);
}

static void test_orders_made_and_mended(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	time_t now = 1000000;
	char id[QUEUE_ID_MAX + 1];
	size_t i, round;

	(void)state;
	qmodel_keep_order(m);
	for (i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "A%09lu", (unsigned long)rnd(1000000000));
		if (qmodel_find(m, id) == NULL)
			add_random(m, id, now);
	}
	qmodel_finish(m, now);
	check_orders(m);
	for (round = 0; round < 5; round++) {
		size_t n = m->n;

		/* a retry wave: some leave, some are read again with new keys, some change in place, some come */
		for (i = 0; i < 300; i++) {
			struct qmsg *msg = m->msgs[rnd(n)];

			if (msg->gone)
				continue;
			switch (rnd(3)) {
			case 0:
				qmodel_forget(m, msg->id);
				break;
			case 1:
				snprintf(id, sizeof id, "%s", msg->id);
				qmodel_forget(m, id);
				add_random(m, id, now);
				break;
			default:
				/* changed in place, as the log's attempts change it (qmodel_join_store_one) */
				qmodel_touch(m, msg);
				msg->attempts += 1 + (int)rnd(3);
				msg->size += (long)rnd(300);
				break;
			}
		}
		for (i = 0; i < 200; i++) {
			snprintf(id, sizeof id, "B%09lu", (unsigned long)rnd(1000000000));
			if (qmodel_find(m, id) == NULL)
				add_random(m, id, now);
		}
		now += 120;
		qmodel_finish(m, now);
		check_orders(m);
	}
	/* nothing changed: the same orders */
	qmodel_finish(m, now);
	check_orders(m);
	qmodel_free(m);
}

/* a model without qmodel_keep_order (mqmon snapshot) makes no orders */
static void test_no_orders_unless_kept(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);

	(void)state;
	add_random(m, "C000000001", 1000000);
	qmodel_finish(m, 1000000);
	assert_null(m->order);
	qmodel_free(m);
}

/* ref_matches - the search as the console documents it, every text read (no memo, no shortcut) */
static int ref_matches(const struct qmsg *msg, const char *text)
{
	size_t k;

	if (strcasestr(msg->id, text) || strcasestr(msg->sender, text))
		return 1;
	for (k = 0; k < msg->nrcpts; k++)
		if (strcasestr(msg->rcpts[k].address, text) || strcasestr(msg->rcpts[k].reason, text)
		    || strcasestr(cause_name(msg->rcpts[k].cause), text))
			return 1;
	return 0;
}

static void test_search_refines(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	struct search_hits h = { 0 };
	const char *texts[] = { "o", "co", ".com", "gmail.com", "GMAIL.COM", "rate", "d0000000", "nothing at all" };
	char id[QUEUE_ID_MAX + 1];
	size_t i, t, before;

	(void)state;
	for (i = 0; i < 2000; i++) {
		snprintf(id, sizeof id, "D%09zu", i * 7);
		add_random(m, id, 1000000);
	}
	qmodel_finish(m, 1000000);
	for (t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		size_t count = 0;

		before = h.count;
		assert_int_equal(search_hits_update(&h, m, texts[t]), 0);
		for (i = 0; i < m->n; i++) {
			int want = ref_matches(m->msgs[i], texts[t]);

			assert_int_equal(search_msg_matches(m->msgs[i], texts[t]), want);

			count += want;
			assert_int_equal(search_hit(&h, i), want);
		}
		assert_int_equal(h.count, count);
		/* ".com" after "co", "gmail.com" after ".com", "GMAIL.COM" after "gmail.com": only the previous hits */
		if (t == 2 || t == 3)
			assert_int_equal(h.tested, before);
		if (t == 4)
			assert_int_equal(h.tested, before);
		if (t == 5)
			assert_int_equal(h.tested, m->n);	/* not a longer text: every message */
	}
	/* a new version of the model: every message again */
	qmodel_finish(m, 1000001);
	assert_int_equal(search_hits_update(&h, m, "nothing at all"), 0);
	assert_int_equal(h.tested, m->n);
	assert_int_equal(h.count, 0);
	search_hits_free(&h);
	qmodel_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders_made_and_mended),
		cmocka_unit_test(test_no_orders_unless_kept),
		cmocka_unit_test(test_search_refines),
	};

	return cmocka_run_group_tests(tests, model_setup, model_teardown);
}
