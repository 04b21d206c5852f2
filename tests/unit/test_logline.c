/* test_logline - Postfix log lines, real and malformed, into events */
#include "tests/unit/testutil.h"

#include <time.h>

#include "core/log/logline.h"
#include "core/postfix/postfix_log.h"

static struct log_clock clock_;

/* parse - parse a NUL-terminated line with a 2026-11-25 reference */
static enum log_kind parse(const char *line, struct log_event *ev)
{
	return logline_parse(&clock_, line, strlen(line), ev);
}

static int setup(void **state)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 25, .tm_hour = 12, .tm_isdst = -1 };

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	log_clock_init(&clock_, mktime(&tm));
	clock_.dialect = &postfix_log_dialect;
	return 0;
}

static void test_real_deferral(void **state)
{
	struct log_event ev;
	const char *line = "Nov 22 12:57:38 mx1 postfix/smtp[4881]: 4621CA7211A: to=<user0@gmail.com>, "
		"relay=127.0.0.1[127.0.0.1]:2526, delay=0.03, delays=0.01/0/0.01/0, dsn=4.7.28, "
		"status=deferred (host 127.0.0.1[127.0.0.1] said: 421-4.7.28 [127.0.0.1      15] Our system "
		"(x) 421 4.7.28 gsmtp (in reply to RCPT TO command))";

	(void)state;
	assert_int_equal(parse(line, &ev), LOG_DELIVERY);
	assert_string_equal(ev.queue_id, "4621CA7211A");
	assert_true(span_eq(ev.host, "mx1"));
	assert_true(span_eq(ev.syslog_name, "postfix"));
	assert_true(span_eq(ev.service, "smtp"));
	assert_int_equal(ev.pid, 4881);
	assert_true(span_eq(ev.to, "user0@gmail.com"));
	assert_true(span_eq(ev.relay, "127.0.0.1[127.0.0.1]:2526"));
	assert_true(span_eq(ev.dsn, "4.7.28"));
	assert_int_equal(ev.status, STATUS_DEFERRED);
	assert_true(ev.delay > 0.029 && ev.delay < 0.031);
	assert_true(ev.delays[2] > 0.009 && ev.delays[2] < 0.011);
	/* the reason runs to the last ')' and keeps inner parentheses */
	assert_int_equal(strncmp(ev.reason.p, "host 127.0.0.1", 14), 0);
	assert_int_equal(ev.reason.p[ev.reason.n - 1], ')');
	assert_true(span_eq((struct span){ ev.reason.p + ev.reason.n - 29, 29 },
			    "(in reply to RCPT TO command)"));
	/* 2026-11-22 12:57:38 UTC */
	assert_int_equal((long)ev.time, 1795352258L);
}

static void test_orig_to_and_instance(void **state)
{
	struct log_event ev;
	const char *line = "Nov  2 01:02:03 mx-out postfix-slow/smtp[77]: 4jXTw44sBqz1bgHY: to=<a@b.example>, "
		"orig_to=<alias@b.example>, relay=none, delay=300, delays=300/0/0/0, dsn=4.4.1, "
		"status=deferred (connect to mx.b.example[192.0.2.1]:25: Connection refused)";

	(void)state;
	assert_int_equal(parse(line, &ev), LOG_DELIVERY);
	assert_string_equal(ev.queue_id, "4jXTw44sBqz1bgHY");
	assert_true(span_eq(ev.syslog_name, "postfix-slow"));
	assert_true(span_eq(ev.orig_to, "alias@b.example"));
	assert_true(span_eq(ev.relay, "none"));
	assert_true(span_eq(ev.reason, "connect to mx.b.example[192.0.2.1]:25: Connection refused"));
}

static void test_rfc3339_stamp(void **state)
{
	struct log_event ev;
	const char *line = "2026-11-22T13:57:38.123456+01:00 mx1 postfix/smtp[1]: ABCDEF123: to=<x@y.z>, "
		"relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (connect to y.z[192.0.2.9]:25: "
		"Connection timed out)";

	(void)state;
	assert_int_equal(parse(line, &ev), LOG_DELIVERY);
	assert_int_equal((long)ev.time, 1795352258L);
	assert_int_equal(ev.usec, 123456);
}

static void test_year_inference(void **state)
{
	struct log_event ev;

	(void)state;
	/* December lines read in November 2026 belong to 2025 */
	assert_int_equal(parse("Dec 31 23:59:59 h postfix/qmgr[1]: ABCDEF: removed", &ev), LOG_REMOVED);
	assert_int_equal((long)ev.time, 1767225599L);
}

static void test_sent_and_bounced(void **state)
{
	struct log_event ev;

	(void)state;
	assert_int_equal(parse("Nov 22 13:11:35 mx1 postfix/smtp[11672]: 17F09A7401C: to=<user8@accept.example>, "
			       "relay=127.0.0.1[127.0.0.1]:2530, delay=0.09, delays=0.01/0.08/0/0, dsn=2.0.0, "
			       "status=sent (250 2.0.0 OK dd377c0e87 - queued)", &ev), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_SENT);
	assert_true(span_eq(ev.reason, "250 2.0.0 OK dd377c0e87 - queued"));
	assert_int_equal(parse("Nov 22 13:11:35 mx1 postfix/smtp[11672]: 17F09A7401D: to=<u@x.example>, "
			       "relay=x[192.0.2.3]:25, delay=1, delays=1/0/0/0, dsn=5.1.1, status=bounced "
			       "(host x[192.0.2.3] said: 550 5.1.1 no such user (in reply to RCPT TO command))",
			       &ev), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_BOUNCED);
}

static void test_queue_life_lines(void **state)
{
	struct log_event ev;

	(void)state;
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/qmgr[4760]: C70C2A720DE: from=<newsletter@shop.testbed.local>, "
			       "size=311, nrcpt=1 (queue active)", &ev), LOG_QUEUED);
	assert_true(span_eq(ev.from, "newsletter@shop.testbed.local"));
	assert_int_equal(ev.size, 311);
	assert_int_equal(ev.nrcpt, 1);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/qmgr[4760]: C70C2A720DE: from=<>, size=2000, nrcpt=1 "
			       "(queue active)", &ev), LOG_QUEUED);
	assert_int_equal(ev.from.n, 0);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/qmgr[4760]: C70C2A720DE: from=<a@b>, status=expired, "
			       "returned to sender", &ev), LOG_EXPIRED);
	assert_true(span_eq(ev.reason, "returned to sender"));
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/pickup[4759]: D70C2A720DE: uid=0 from=<a@b> "
			       "orig_id=C70C2A720DE", &ev), LOG_PICKUP);
	assert_true(span_eq(ev.orig_id, "C70C2A720DE"));
	assert_int_equal(ev.uid, 0);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/cleanup[4878]: C70C2A720DE: message-id=<0.4874@testbed.local>",
			       &ev), LOG_MESSAGE_ID);
	assert_true(span_eq(ev.message_id, "0.4874@testbed.local"));
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/smtpd[1]: C70C2A720DE: client=localhost[127.0.0.1]",
			       &ev), LOG_CLIENT);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/qmgr[1]: C70C2A720DE: removed", &ev), LOG_REMOVED);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/postsuper[9]: C70C2A720DE: placed on hold", &ev), LOG_HOLD);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/postsuper[9]: C70C2A720DE: released from hold", &ev),
			 LOG_RELEASE);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/postsuper[9]: C70C2A720DE: requeued", &ev), LOG_REQUEUE);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/postsuper[9]: C70C2A720DE: removed", &ev), LOG_REMOVED);
	assert_true(span_eq(ev.service, "postsuper"));
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/smtp[9]: C70C2A720DE: host mx2.x.example[192.0.2.5] said: "
			       "421 4.3.0 busy (in reply to MAIL FROM command)", &ev), LOG_ATTEMPT_NOTE);
}

static void test_error_service_suspended(void **state)
{
	struct log_event ev;

	(void)state;
	assert_int_equal(parse("Nov 22 13:09:30 mx1 postfix/error[11000]: 3FAE5BA52FA: to=<u@yahoo.com>, relay=none, "
			       "delay=0.5, delays=0.4/0.1/0/0, dsn=4.7.0, status=deferred (delivery temporarily suspended: "
			       "host 127.0.0.1[127.0.0.1] refused to talk to me: 421 4.7.0 [TSS04] Messages from 127.0.0.1 "
			       "temporarily deferred)", &ev), LOG_DELIVERY);
	assert_true(span_eq(ev.service, "error"));
	assert_int_equal(ev.status, STATUS_DEFERRED);
}

static void test_other_and_unparsed(void **state)
{
	struct log_event ev;

	(void)state;
	assert_int_equal(parse("Nov 22 12:57:00 mx1 postfix/master[4758]: daemon started -- version 3.7.11", &ev),
			 LOG_OTHER);
	assert_int_equal(parse("Nov 22 12:57:00 mx1 postfix/smtpd[1]: connect from localhost[127.0.0.1]", &ev),
			 LOG_OTHER);
	assert_int_equal(parse("Nov 22 12:57:00 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from x", &ev), LOG_OTHER);
	assert_int_equal(parse("Nov 22 12:57:00 mx1 dovecot: imap-login: Login", &ev), LOG_OTHER);
	/* queue ID words that are not IDs */
	assert_int_equal(parse("Nov 22 12:57:00 mx1 postfix/smtp[1]: ALL: to=<a@b>, status=deferred (x)", &ev),
			 LOG_OTHER);
	assert_int_equal(parse("", &ev), LOG_UNPARSED);
	assert_int_equal(parse("garbage", &ev), LOG_UNPARSED);
	assert_int_equal(parse("Nov 22 12:57", &ev), LOG_UNPARSED);
	assert_int_equal(parse("Xyz 22 12:57:00 mx1 postfix/smtp[1]: ABCDEF: removed", &ev), LOG_UNPARSED);
	assert_int_equal(parse("Nov 22 12:57:00 mx1 postfix/smtp[12: ABCDEF: removed", &ev), LOG_UNPARSED);
	assert_int_equal(parse("Nov 22 12:57:00 mx1", &ev), LOG_UNPARSED);
	assert_int_equal(parse("2026-13-45T99:00:00Z h p[1]: x", &ev), LOG_UNPARSED);
}

static void test_truncated_delivery(void **state)
{
	struct log_event ev;
	const char *line = "Nov 22 12:57:38 mx1 postfix/smtp[4881]: 4621CA7211A: to=<user0@gmail.com>, relay=1";

	(void)state;
	/* a line cut before status= is not a delivery */
	assert_int_equal(parse(line, &ev), LOG_OTHER);
	/* cut inside the reason: the reason is what is there */
	assert_int_equal(parse("Nov 22 12:57:38 mx1 postfix/smtp[4881]: 4621CA7211A: to=<u@g.com>, dsn=4.0.0, "
			       "status=deferred (host x[1.2.3.4] said: 421 4.7.0 cut", &ev), LOG_DELIVERY);
	assert_true(span_eq(ev.reason, "host x[1.2.3.4] said: 421 4.7.0 cut"));
}

static void test_every_prefix_of_a_line(void **state)
{
	const char *line = "Nov 22 12:57:38 mx1 postfix/smtp[4881]: 4621CA7211A: to=<user0@gmail.com>, "
		"orig_to=<x@y>, relay=127.0.0.1[127.0.0.1]:2526, delay=0.03, delays=0.01/0/0.01/0, dsn=4.7.28, "
		"status=deferred (host 127.0.0.1[127.0.0.1] said: 421 4.7.28 x (in reply to RCPT TO command))";
	struct log_event ev;
	size_t n, len = strlen(line);

	(void)state;
	/* no prefix may crash or read past its end (ASan checks the latter) */
	for (n = 0; n <= len; n++) {
		char *copy = malloc(n ? n : 1);

		memcpy(copy, line, n);
		logline_parse(&clock_, copy, n, &ev);
		free(copy);
	}
}

static void test_long_line(void **state)
{
	size_t n = 10000;
	char *line = malloc(n + 1);
	const char *head = "Nov 22 12:57:38 mx1 postfix/smtp[4881]: 4621CA7211A: to=<u@gmail.com>, dsn=4.7.0, "
		"status=deferred (host x[1.2.3.4] said: 421 4.7.0 ";
	struct log_event ev;

	(void)state;
	memset(line, 'A', n);
	memcpy(line, head, strlen(head));
	line[n - 1] = ')';
	line[n] = '\0';
	assert_int_equal(logline_parse(&clock_, line, n, &ev), LOG_DELIVERY);
	assert_int_equal(ev.reason.n, n - 1 - (strlen(head) - strlen("host x[1.2.3.4] said: 421 4.7.0 ")));
	free(line);
}

static void test_absurd_numbers(void **state)
{
	struct log_event ev;

	/* found by fuzzing: numbers that do not fit must not overflow */
	(void)state;
	assert_int_equal(parse("Nov 22 13:00:05 mx1 postfix/smtp[61333333333333333333333]: ABCDEF: removed", &ev),
			 LOG_UNPARSED);
	assert_int_equal(parse("Nov 22 12:57:16 mx1 postfix/qmgr[1]: C70C2A720DE: from=<a@b>, "
			       "size=99999999999999999999999999, nrcpt=99999999999 (queue active)", &ev), LOG_QUEUED);
	assert_true(ev.size > 0);
	assert_true(ev.nrcpt > 0);
}

static void test_binary_junk(void **state)
{
	unsigned char junk[512];
	struct log_event ev;
	unsigned x = 12345;
	size_t i, round;

	(void)state;
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < sizeof junk; i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (unsigned char)(x >> 16);
		}
		if (round & 1)
			memcpy(junk, "Nov 22 12:57:38 mx1 postfix/smtp[1]: ABCDEF12: to=<", 51);
		logline_parse(&clock_, (const char *)junk, sizeof junk, &ev);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_deferral),
		cmocka_unit_test(test_orig_to_and_instance),
		cmocka_unit_test(test_rfc3339_stamp),
		cmocka_unit_test(test_year_inference),
		cmocka_unit_test(test_sent_and_bounced),
		cmocka_unit_test(test_queue_life_lines),
		cmocka_unit_test(test_error_service_suspended),
		cmocka_unit_test(test_other_and_unparsed),
		cmocka_unit_test(test_truncated_delivery),
		cmocka_unit_test(test_every_prefix_of_a_line),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_absurd_numbers),
		cmocka_unit_test(test_binary_junk),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
