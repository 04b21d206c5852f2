/* test_fleet_feed - a host's stream lines into its message set, and the merged model (issue 15) */
#include "tests/unit/testutil.h"

#include <stdlib.h>

#include "core/fleet/fleet_feed.h"
#include "core/queue/stream.h"

#define HELLO "{\"type\":\"hello\",\"protocol\":1,\"version\":\"0.1.0\",\"mta\":\"postfix\",\"host\":\"h\",\"config_dir\":\"/etc/postfix\"}\n"
#define BEGIN_FULL "{\"type\":\"begin\",\"full\":true,\"generated_at\":100,\"source\":\"spool\",\"mta_running\":true}\n"
#define BEGIN_PART "{\"type\":\"begin\",\"full\":false,\"generated_at\":200,\"source\":\"spool\",\"mta_running\":false}\n"
#define END(n) "{\"type\":\"end\",\"generated_at\":100,\"messages\":" #n ",\"totals\":{\"messages\":" #n ",\"recipients\":" #n ",\"overdue\":0}}\n"

/* msg_line - a message line of the stream: one recipient with a verdict the local rules would never give */
static char *msg_line(const char *id, const char *queue, const char *cause, const char *reason)
{
	static char buf[2048];

	snprintf(buf, sizeof buf, "{\"type\":\"message\",\"message\":{\"queue_id\":\"%s\",\"queue\":\"%s\","
		 "\"sender\":\"s@x.example\",\"arrival_time\":50,\"size\":1000,\"attempts\":3,\"last_attempt\":90,"
		 "\"relay\":\"mx.example[1.2.3.4]:25\",\"next_retry\":400,\"next_retry_exact\":false,"
		 "\"retry_source\":\"estimated\",\"retry_by\":460,\"expires_at\":9999,\"overdue\":true,"
		 "\"forced_expire\":false,\"cause\":\"%s\",\"provider\":\"acme\",\"paused\":false,\"recipients\":["
		 "{\"address\":\"u@dest.example\",\"domain\":\"dest.example\",\"provider\":\"acme\",\"cause\":\"%s\","
		 "\"dsn\":\"4.7.1\",\"stage\":\"rcpt\",\"reason\":\"%s\",\"rule\":\"host-rule\",\"paused\":false}]}}\n",
		 id, queue, cause, cause, reason);
	return buf;
}

/* feed - text through fleet_feed_input; its result */
static enum feed_event feed(struct fleet_feed *f, const char *text)
{
	return fleet_feed_input(f, text, strlen(text), NULL, NULL);
}

/* a full batch replaces the set at its end line, not before */
static void test_full_batch(void **state)
{
	struct fleet_feed f;

	(void)state;
	fleet_feed_init(&f);
	assert_int_equal(feed(&f, HELLO), FEED_HELLO);
	assert_string_equal(f.mta, "postfix");
	assert_string_equal(f.version, "0.1.0");
	assert_int_equal(feed(&f, BEGIN_FULL), FEED_NONE);
	assert_int_equal(feed(&f, msg_line("AAA111", "deferred", "policy", "550 no")), FEED_NONE);
	assert_int_equal(feed(&f, msg_line("BBB222", "hold", "policy", "550 no")), FEED_NONE);
	assert_int_equal(fleet_feed_messages(&f), 0);	/* not applied before the end */
	assert_int_equal(feed(&f, END(2)), FEED_BATCH);
	assert_int_equal(fleet_feed_messages(&f), 2);
	assert_int_equal(fleet_feed_total(&f, "messages"), 2);
	assert_int_equal(f.mta_running, 1);
	assert_int_equal(feed(&f, "{\"type\":\"heartbeat\",\"time\":5}\n"), FEED_ALIVE);
	fleet_feed_free(&f);
}

/* a later batch changes and removes; lines may arrive in any pieces */
static void test_changes_in_pieces(void **state)
{
	struct fleet_feed f;
	char all[8192];
	size_t i, n;
	size_t q[QUEUE_COUNT];

	(void)state;
	fleet_feed_init(&f);
	snprintf(all, sizeof all, "%s%s%s", HELLO, BEGIN_FULL, msg_line("AAA111", "deferred", "policy", "x"));
	n = strlen(all);
	snprintf(all + n, sizeof all - n, "%s%s", msg_line("BBB222", "deferred", "policy", "x"), END(2));
	n = strlen(all);
	snprintf(all + n, sizeof all - n, "%s%s%s%s", BEGIN_PART, msg_line("AAA111", "hold", "policy", "x"),
		 "{\"type\":\"removed\",\"queue_id\":\"BBB222\"}\n", END(1));
	n = strlen(all);
	for (i = 0; i < n; i += 7)	/* seven bytes at a time */
		fleet_feed_input(&f, all + i, n - i < 7 ? n - i : 7, NULL, NULL);
	assert_int_equal(f.batches, 2);
	assert_int_equal(fleet_feed_messages(&f), 1);
	fleet_feed_queue_counts(&f, q);
	assert_int_equal(q[QUEUE_HOLD], 1);
	assert_int_equal(q[QUEUE_DEFERRED], 0);
	assert_int_equal(f.mta_running, 0);	/* the last begin said the MTA stopped */
	fleet_feed_free(&f);
}

/* what is not the protocol ends the connection, with a reason; a newer or older protocol is "too old" */
static void test_bad_lines(void **state)
{
	static const char *const bad[] = { "not json\n", "{\"no\":\"type\"}\n", "[1,2]\n" };
	struct fleet_feed f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		fleet_feed_init(&f);
		assert_int_equal(feed(&f, HELLO), FEED_HELLO);
		assert_int_equal(feed(&f, bad[i]), FEED_BAD);
		assert_non_null(strstr(f.problem, "not mqmon's stream"));
		fleet_feed_free(&f);
	}
	fleet_feed_init(&f);
	assert_int_equal(feed(&f, BEGIN_FULL), FEED_BAD);	/* no hello first */
	fleet_feed_free(&f);
	fleet_feed_init(&f);
	assert_int_equal(feed(&f, HELLO), FEED_HELLO);
	assert_int_equal(feed(&f, msg_line("AAA111", "deferred", "policy", "x")), FEED_BAD);	/* outside a batch */
	fleet_feed_free(&f);
	fleet_feed_init(&f);
	assert_int_equal(feed(&f, "{\"type\":\"hello\",\"protocol\":99,\"version\":\"9.0\"}\n"), FEED_TOO_OLD);
	assert_non_null(strstr(f.problem, "protocol 99"));
	fleet_feed_free(&f);
	/* an unknown type from a newer mqmon is ignored */
	fleet_feed_init(&f);
	assert_int_equal(feed(&f, HELLO "{\"type\":\"news\"}\n"), FEED_HELLO);
	fleet_feed_free(&f);
}

/* a line longer than the bound is refused, without keeping it in memory */
static void test_overlong_line(void **state)
{
	struct fleet_feed f;
	size_t n = FLEET_FEED_MAX_LINE + 10;
	char *big = malloc(n + 1);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\n';
	fleet_feed_init(&f);
	assert_int_equal(feed(&f, HELLO), FEED_HELLO);
	assert_int_equal(fleet_feed_input(&f, big, n + 1, NULL, NULL), FEED_BAD);
	assert_true(f.cap <= FLEET_FEED_MAX_LINE + 1);
	assert_non_null(strstr(f.problem, "longer than"));
	fleet_feed_free(&f);
	free(big);
}

/* a reconnect keeps the last set: a host that went down keeps its counts until it answers again */
static void test_reset_keeps_set(void **state)
{
	struct fleet_feed f;

	(void)state;
	fleet_feed_init(&f);
	feed(&f, HELLO BEGIN_FULL);
	feed(&f, msg_line("AAA111", "deferred", "policy", "x"));
	feed(&f, END(1) BEGIN_FULL);	/* a second batch cut off by the connection's end */
	fleet_feed_reset(&f);
	assert_int_equal(fleet_feed_messages(&f), 1);
	assert_int_equal(f.hello, 0);
	assert_int_equal(feed(&f, BEGIN_FULL), FEED_BAD);	/* a new connection starts with its hello */
	fleet_feed_free(&f);
}

/* the merged model: every host's messages with their host (the same ID on two hosts is two messages),
 * each recipient's verdict as its host gave it, the host's retry and overdue */
static void test_merge(void **state)
{
	struct fleet_feed a, b;
	struct fleet_feed *feeds[2] = { &a, &b };
	const char *names[2] = { "mxa", "mxb" };
	struct qmodel *m;
	size_t i, onb = 0;

	(void)state;
	fleet_feed_init(&a);
	fleet_feed_init(&b);
	feed(&a, HELLO BEGIN_FULL);
	feed(&a, msg_line("AAA111", "deferred", "policy", "550 5.7.1 local rules would not say policy"));
	feed(&a, msg_line("SAME99", "hold", "auth", "anything"));
	feed(&a, END(2));
	feed(&b, HELLO BEGIN_FULL);
	feed(&b, msg_line("SAME99", "deferred", "tls", "whatever"));
	feed(&b, END(1));
	m = fleet_feed_merge(feeds, names, 2, 1000);
	assert_non_null(m);
	assert_int_equal(m->n, 3);
	for (i = 0; i < m->n; i++) {
		const struct qmsg *msg = m->msgs[i];

		assert_non_null(msg->host);
		if (strcmp(msg->host, "mxb") == 0) {
			onb++;
			assert_string_equal(msg->id, "SAME99");
			assert_int_equal(msg->rcpts[0].cause, CAUSE_TLS);
		}
		if (strcmp(msg->id, "AAA111") == 0) {
			assert_string_equal(msg->host, "mxa");
			assert_int_equal(msg->rcpts[0].cause, CAUSE_POLICY);
			assert_int_equal(msg->cause, CAUSE_POLICY);
			assert_string_equal(msg->rcpts[0].provider, "acme");
			assert_string_equal(msg->rcpts[0].rule, "host-rule");
			assert_int_equal(msg->retry_source, RETRY_ESTIMATED);
			assert_int_equal(msg->next_retry, 400);
			assert_int_equal(msg->overdue, 1);
			assert_int_equal(msg->attempts, 3);
			assert_string_equal(msg->relay, "mx.example[1.2.3.4]:25");
		}
	}
	assert_int_equal(onb, 1);
	assert_int_equal(m->queues[QUEUE_DEFERRED].messages, 2);
	assert_int_equal(m->queues[QUEUE_HOLD].messages, 1);
	assert_int_equal(m->causes[CAUSE_POLICY].messages, 1);
	assert_int_equal(m->causes[CAUSE_TLS].messages, 1);
	assert_int_equal(m->overdue, 3);
	assert_int_equal(m->mta_running, MTA_RUNNING);
	qmodel_free(m);
	fleet_feed_free(&a);
	fleet_feed_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_batch),
		cmocka_unit_test(test_changes_in_pieces),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_reset_keeps_set),
		cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
