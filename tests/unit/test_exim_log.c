/* test_exim_log - Exim main log lines (real ones from EXIM-FACTS.md, richer selectors, hostile input) */
#include "tests/unit/testutil.h"

#include <time.h>

#include "core/exim/exim_log.h"
#include "core/log/deferral.h"

static struct log_clock clock_;

/* parse - parse a NUL-terminated line */
static enum log_kind parse(const char *line, struct log_event *ev, struct exim_log_info *xi)
{
	return exim_log_parse(&clock_, line, strlen(line), ev, xi);
}

/* span_str - a span as a NUL-terminated string in a static buffer, for messages */
static const char *span_str(struct span s)
{
	static char buf[4096];

	span_copy(buf, sizeof buf, s);
	return buf;
}

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	log_clock_init(&clock_, 1796187519);
	return 0;
}

static void test_arrival(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;

	(void)state;
	assert_int_equal(parse("2026-12-02 04:58:39 1xYcQR-00016p-0e <= sender@example.org U=root P=local S=341",
			       &ev, &xi), LOG_QUEUED);
	assert_string_equal(ev.queue_id, "1xYcQR-00016p-0e");
	assert_int_equal((long)ev.time, 1796187519L);
	assert_string_equal(span_str(ev.from), "sender@example.org");
	assert_int_equal(ev.size, 341);
	assert_string_equal(span_str(xi.flag), "<=");
	/* a bounce: null sender, R= names the bounced message; S= is not the first field */
	assert_int_equal(parse("2026-12-02 04:58:39 1xYcQR-00016p-0e <= <> R=1xYcLO-00060F-39 U=Debian-exim "
			       "P=local S=1999 T=\"Mail delivery failed S=7\"", &ev, &xi), LOG_QUEUED);
	assert_int_equal(ev.from.n, 0);
	assert_int_equal(ev.size, 1999);
	/* an absurd size saturates */
	assert_int_equal(parse("2026-12-02 04:58:39 1xYcQR-00016p-0e <= a@b S=99999999999999999999999999999", &ev,
			       NULL), LOG_QUEUED);
	assert_true(ev.size > 0);
}

static void test_delivery(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;

	(void)state;
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 => a1@accept.example R=peers T=remote_smtp "
			       "H=127.0.0.1 [127.0.0.1] C=\"250 2.0.0 OK queued as c73ddf84a1\"", &ev, &xi),
			 LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_SENT);
	assert_string_equal(span_str(ev.to), "a1@accept.example");
	assert_int_equal(ev.orig_to.n, 0);
	assert_string_equal(span_str(ev.relay), "127.0.0.1 [127.0.0.1]");
	assert_string_equal(span_str(xi.host_name), "127.0.0.1");
	assert_string_equal(span_str(xi.host_ip), "127.0.0.1");
	assert_string_equal(span_str(xi.router), "peers");
	assert_string_equal(span_str(xi.transport), "remote_smtp");
	assert_string_equal(span_str(ev.reason), "250 2.0.0 OK queued as c73ddf84a1");
	assert_string_equal(span_str(ev.dsn), "2.0.0");
	assert_string_equal(span_str(ev.status_word), "=>");
	/* -> another address of the same delivery, richer selectors, a generated address with its top address */
	assert_int_equal(parse("2026-12-02 04:58:40 [4711] 1xYcQS-00017m-02 -> b@x.example <list@y.example> "
			       "F=<s@e.org> R=peers T=remote_smtp S=1234 H=mx.x.example DS [192.0.2.7]:2525* "
			       "I=[127.0.0.1]:41000 X=TLS1.3:TLS_AES_256_GCM_SHA384:256 CV=yes K "
			       "C=\"250 2.0.0 Ok: \\\"quoted\\\" id\" QT=2s DT=1s", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(ev.pid, 4711);
	assert_int_equal(ev.status, STATUS_SENT);
	assert_string_equal(span_str(ev.to), "b@x.example");
	assert_string_equal(span_str(ev.orig_to), "list@y.example");
	assert_string_equal(span_str(xi.host_name), "mx.x.example");
	assert_string_equal(span_str(xi.host_ip), "192.0.2.7");
	assert_int_equal(xi.port, 2525);
	assert_string_equal(span_str(ev.reason), "250 2.0.0 Ok: \\\"quoted\\\" id");
	assert_string_equal(span_str(xi.flag), "->");
	/* *> suppressed */
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 *> x@y R=r T=t", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_OTHER);
}

static void test_deferral_rcpt(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;

	(void)state;
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == b1@busy.example R=peers T=remote_smtp "
			       "defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT "
			       "TO:<b1@busy.example>: 421 4.3.0 Temporary System Problem.  Try again later (10). "
			       "e3f66d06b4 - gsmtp", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_DEFERRED);
	assert_string_equal(span_str(ev.to), "b1@busy.example");
	assert_int_equal(xi.defer_errno, -44);
	assert_string_equal(span_str(ev.relay), "127.0.0.1 [127.0.0.1]");
	assert_string_equal(span_str(xi.stage), "RCPT TO:<b1@busy.example>");
	assert_int_equal(xi.stage_kind, STAGE_RCPT);
	assert_string_equal(span_str(ev.reason),
			    "421 4.3.0 Temporary System Problem.  Try again later (10). e3f66d06b4 - gsmtp");
	assert_string_equal(span_str(ev.dsn), "4.3.0");
	assert_string_equal(span_str(ev.status_word), "==");
	assert_true(exim_log_maybe_deferral("x == y", 6));
}

static void test_deferral_multiline(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;
	const char *reply = "421-4.7.28 [127.0.0.1      15] Our system has detected an unusual rate of\\n"
		"421-4.7.28 unsolicited mail originating from your IP address. To protect our\\n"
		"421 4.7.28 review our Bulk Email Senders Guidelines. 0a72a39436 - gsmtp";
	char line[1024];

	(void)state;
	snprintf(line, sizeof line, "2026-12-02 04:59:35 1xYcQQ-000163-1o == user1@gmail.com R=peers T=remote_smtp "
		 "defer (-44) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT "
		 "TO:<user1@gmail.com>: %s", reply);
	assert_int_equal(parse(line, &ev, &xi), LOG_DELIVERY);
	/* the whole reply, the \n-joined lines included */
	assert_string_equal(span_str(ev.reason), reply);
	assert_string_equal(span_str(ev.dsn), "4.7.28");
}

static void test_host_note_then_deferral(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;

	(void)state;
	/* the flagless host line: an attempt note, never a deferral */
	assert_int_equal(parse("2026-12-02 04:59:35 1xYcQQ-000165-1y H=127.0.0.1 [127.0.0.1]: SMTP error from "
			       "remote mail server after MAIL FROM:<sender@example.org> SIZE=1370: 421 4.7.0 RP-001 "
			       "(BAY004-MC1F18) Unfortunately, some messages from 127.0.0.1 weren't sent.", &ev, &xi),
			 LOG_ATTEMPT_NOTE);
	assert_int_equal(ev.status, STATUS_NONE);
	assert_string_equal(span_str(ev.relay), "127.0.0.1 [127.0.0.1]");
	assert_string_equal(span_str(xi.stage), "MAIL FROM:<sender@example.org> SIZE=1370");
	assert_int_equal(xi.stage_kind, STAGE_MAIL);
	assert_string_equal(span_str(ev.reason), "421 4.7.0 RP-001 (BAY004-MC1F18) Unfortunately, some messages from "
			    "127.0.0.1 weren't sent.");
	assert_string_equal(span_str(ev.dsn), "4.7.0");
	assert_false(exim_log_maybe_deferral("2026-12-02 04:59:35 1xYcQQ-000165-1y H=127.0.0.1 [127.0.0.1]: x", 61));
	/* the == line that follows */
	assert_int_equal(parse("2026-12-02 04:59:35 1xYcQQ-000165-1y == user2@outlook.com R=peers T=remote_smtp "
			       "defer (-45) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after MAIL "
			       "FROM:<sender@example.org> SIZE=1370: 421 4.7.0 RP-001 (BAY004-MC1F18) Unfortunately, "
			       "some messages from 127.0.0.1 weren't sent.", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_DEFERRED);
	assert_int_equal(xi.defer_errno, -45);
	assert_int_equal(xi.stage_kind, STAGE_MAIL);
	/* greeting failure */
	assert_int_equal(parse("2026-12-02 04:59:34 1xYcQQ-00016W-3B == user11@yahoo.com R=peers T=remote_smtp "
			       "defer (0) H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after initial "
			       "connection: 421 4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred due to "
			       "unexpected volume or user complaints - 4.16.55.1; see "
			       "https://postmaster.yahooinc.com/error-codes", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(xi.has_errno, 1);
	assert_int_equal(xi.defer_errno, 0);
	assert_int_equal(xi.stage_kind, STAGE_GREETING);
	assert_string_equal(span_str(xi.stage), "initial connection");
	assert_string_equal(span_str(ev.dsn), "4.7.0");
	/* a connection failure: the note has no colon; the == line has the strerror */
	assert_int_equal(parse("2026-12-02 04:59:34 1xYcQQ-00016W-3B H=mx.example [192.0.2.1] Connection refused",
			       &ev, &xi), LOG_ATTEMPT_NOTE);
	assert_string_equal(span_str(ev.reason), "Connection refused");
	assert_int_equal(parse("2026-12-02 04:59:34 1xYcQQ-00016W-3B == u@example R=dnslookup T=remote_smtp "
			       "defer (111): Connection refused", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(xi.defer_errno, 111);
	assert_string_equal(span_str(ev.reason), "Connection refused");
	assert_int_equal(ev.dsn.n, 0);
	assert_int_equal(parse("2026-12-02 04:59:34 1xYcQQ-00016W-3B == u@example R=dnslookup T=remote_smtp "
			       "defer (110): Connection timed out H=mx.example [192.0.2.1]:25 DT=30s: SMTP timeout "
			       "after RCPT TO:<u@example> (12 bytes written)", &ev, &xi), LOG_DELIVERY);
	assert_string_equal(span_str(xi.errno_text), "Connection timed out");
	assert_int_equal(xi.port, 25);
	assert_string_equal(span_str(ev.reason), "SMTP timeout after RCPT TO:<u@example> (12 bytes written)");
	assert_int_equal(xi.stage_kind, STAGE_RCPT);
	/* an inbound line with an ID is no attempt note */
	assert_int_equal(parse("2026-12-02 04:59:34 1xYcQQ-00016W-3B H=(helo) [192.0.2.9] F=<a@b> rejected after "
			       "DATA: spam", &ev, &xi), LOG_OTHER);
	assert_int_equal(parse("2026-12-02 04:59:34 1xYcQQ-00016W-3B H=name (helo) [192.0.2.9] Warning: x", &ev,
			       &xi), LOG_OTHER);
}

static void test_retry_skips(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;

	(void)state;
	assert_int_equal(parse("2026-12-02 04:59:34 1xYcQQ-000167-28 == user3@yahoo.com R=peers T=remote_smtp "
			       "defer (-54): retry time not reached for any host for 'yahoo.com'", &ev, &xi),
			 LOG_RETRY_SKIP);
	assert_int_equal(xi.defer_errno, -54);
	assert_string_equal(span_str(ev.reason), "retry time not reached for any host for 'yahoo.com'");
	assert_int_equal(parse("2026-12-02 05:00:34 1xYcQQ-000163-1o == user1@gmail.com routing defer (-52): "
			       "retry time not reached", &ev, &xi), LOG_RETRY_SKIP);
	assert_int_equal(xi.defer_errno, -52);
	assert_string_equal(span_str(ev.to), "user1@gmail.com");
	assert_string_equal(span_str(ev.reason), "retry time not reached");
	assert_string_equal(log_kind_name(LOG_RETRY_SKIP), "retry-skip");
}

static void test_own_throttles(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;

	(void)state;
	/* a :defer: router (mqmon's block): a deferral with the router's text */
	assert_int_equal(parse("2026-12-02 04:56:36 1xYcLP-00060r-1i == user1@busy.example R=throttled defer (-1) "
			       "DT=0s: domain throttled by operator", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_DEFERRED);
	assert_int_equal(xi.defer_errno, -1);
	assert_string_equal(span_str(xi.router), "throttled");
	assert_string_equal(span_str(ev.reason), "domain throttled by operator");
	assert_int_equal(ev.relay.n, 0);
	/* hold_domains (mqmon's pause): no router, no transport */
	assert_int_equal(parse("2026-12-02 04:56:36 1xYcLP-00060R-0b == user1@greylist.example defer (-23) DT=0s: "
			       "domain is held", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(xi.defer_errno, -23);
	assert_string_equal(span_str(ev.reason), "domain is held");
	assert_int_equal(ev.dsn.n, 0);
}

static void test_failures(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;

	(void)state;
	assert_int_equal(parse("2026-12-02 04:57:11 1xYcLO-00060F-39 ** user1@yahoo.com: retry timeout exceeded", &ev,
			       &xi), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_EXPIRED);
	assert_string_equal(span_str(ev.to), "user1@yahoo.com");
	assert_string_equal(span_str(ev.reason), "retry timeout exceeded");
	assert_int_equal(parse("2026-12-02 04:57:11 1xYcLO-00060F-39 ** u@x.example <list@y.example>: retry timeout "
			       "exceeded", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_EXPIRED);
	assert_string_equal(span_str(ev.orig_to), "list@y.example");
	assert_int_equal(parse("2026-12-02 04:57:11 1xYcLO-00060F-39 ** u@x.example R=dnslookup T=remote_smtp "
			       "H=mx.x.example [192.0.2.3] X=TLS1.2:ECDHE:256 CV=no : SMTP error from remote mail "
			       "server after RCPT TO:<u@x.example>: 550 5.1.1 <u@x.example>: Recipient address "
			       "rejected: User unknown", &ev, &xi), LOG_DELIVERY);
	assert_int_equal(ev.status, STATUS_BOUNCED);
	assert_string_equal(span_str(ev.reason), "550 5.1.1 <u@x.example>: Recipient address rejected: User unknown");
	assert_string_equal(span_str(ev.dsn), "5.1.1");
	assert_string_equal(span_str(xi.host_name), "mx.x.example");
	/* old Exim (4.7x): the host after the stage */
	assert_int_equal(parse("2012-02-13 14:39:22 1RookS-000Pg8-VO == u@london.com R=dnslookup T=remote_smtp "
			       "defer (-44): SMTP error from remote mail server after RCPT TO:<u@london.com>: host "
			       "mx0.gmx.com [74.208.5.90]: 450 4.3.2 Too many mails (mail bomb)", &ev, &xi),
			 LOG_DELIVERY);
	assert_string_equal(span_str(xi.host_name), "mx0.gmx.com");
	assert_string_equal(span_str(xi.host_ip), "74.208.5.90");
	assert_string_equal(span_str(ev.reason), "450 4.3.2 Too many mails (mail bomb)");
	assert_string_equal(span_str(ev.dsn), "4.3.2");
}

static void test_queue_life(void **state)
{
	struct log_event ev;

	(void)state;
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLO-000605-2Q frozen by root", &ev, NULL), LOG_HOLD);
	assert_int_equal(parse("2026-12-02 04:56:18 1xYcLO-000605-2Q Message is frozen", &ev, NULL), LOG_HOLD);
	assert_int_equal(parse("2026-12-02 04:56:18 1xYcLO-000605-2Q Frozen (delivery error message)", &ev, NULL),
			 LOG_HOLD);
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLO-000607-2Y unfrozen by root", &ev, NULL), LOG_RELEASE);
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLO-000607-2Y Unfrozen by forced delivery", &ev, NULL),
			 LOG_RELEASE);
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLP-00060t-1t removed by root", &ev, NULL), LOG_REMOVED);
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLP-00060v-2a cancelled by root", &ev, NULL), LOG_REMOVED);
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLP-00060t-1t Completed", &ev, NULL), LOG_REMOVED);
	assert_string_equal(ev.queue_id, "1xYcLP-00060t-1t");
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLP-00060t-1t Completed QT=3m2s", &ev, NULL), LOG_REMOVED);
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLP-00060t-1t Completedx", &ev, NULL), LOG_OTHER);
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLP-00060t-1t Frozenx", &ev, NULL), LOG_OTHER);
	/* a 4.97+ ID */
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLP-0000000060t-001t Completed", &ev, NULL), LOG_REMOVED);
	assert_string_equal(ev.queue_id, "1xYcLP-0000000060t-001t");
}

static void test_stamps(void **state)
{
	struct log_event ev;

	(void)state;
	/* log_timezone: exact, whatever the local zone */
	assert_int_equal(parse("2026-12-02 05:58:39 +0100 1xYcQR-00016p-0e Completed", &ev, NULL), LOG_REMOVED);
	assert_int_equal((long)ev.time, 1796187519L);
	assert_int_equal(parse("2026-12-02 00:28:39 -0430 1xYcQR-00016p-0e Completed", &ev, NULL), LOG_REMOVED);
	assert_int_equal((long)ev.time, 1796187519L);
	/* +millisec, zone and pid together */
	assert_int_equal(parse("2026-12-02 05:58:39.123 +0100 [77] 1xYcQR-00016p-0e Completed", &ev, NULL),
			 LOG_REMOVED);
	assert_int_equal((long)ev.time, 1796187519L);
	assert_int_equal(ev.usec, 123000);
	assert_int_equal(ev.pid, 77);
	/* local time through the clock cache (TZ=UTC here) */
	assert_int_equal(parse("2026-12-02 04:58:39.123456 1xYcQR-00016p-0e Completed", &ev, NULL), LOG_REMOVED);
	assert_int_equal((long)ev.time, 1796187519L);
	assert_int_equal(ev.usec, 123456);
	/* lines without an ID */
	assert_int_equal(parse("2026-12-02 04:52:01 exim user lost privilege for using -C option", &ev, NULL),
			 LOG_OTHER);
	assert_string_equal(span_str(ev.text), "exim user lost privilege for using -C option");
	assert_int_equal(ev.queue_id[0], '\0');
	assert_int_equal(parse("2026-12-02 04:52:01 Start queue run: pid=4100", &ev, NULL), LOG_OTHER);
	assert_int_equal(parse("2026-12-02 04:52:01 [4100] Start queue run: pid=4100", &ev, NULL), LOG_OTHER);
	assert_int_equal(ev.pid, 4100);
	/* not Exim */
	assert_int_equal(parse("", &ev, NULL), LOG_UNPARSED);
	assert_int_equal(parse("Nov 22 12:57:38 mx1 postfix/smtp[4881]: 4621CA7211A: to=<u@g.com>", &ev, NULL),
			 LOG_UNPARSED);
	assert_int_equal(parse("2026-11-22T12:57:38.123456+01:00 mx1 postfix/smtp[1]: X: y", &ev, NULL),
			 LOG_UNPARSED);
	assert_int_equal(parse("2026-13-02 04:52:01 x", &ev, NULL), LOG_UNPARSED);
	assert_int_equal(parse("2026-12-02 24:52:01 x", &ev, NULL), LOG_UNPARSED);
	assert_int_equal(parse("2026-12-02 04:52:01", &ev, NULL), LOG_UNPARSED);
	assert_int_equal(parse("2026-12-02 04:52:01.x 1xYcQR-00016p-0e Completed", &ev, NULL), LOG_UNPARSED);
	/* a newline or CRLF at the end is ignored */
	assert_int_equal(parse("2026-12-02 04:56:17 1xYcLP-00060t-1t Completed\r\n", &ev, NULL), LOG_REMOVED);
}

static void test_queue_interval(void **state)
{
	const char *l;

	(void)state;
	l = "2026-12-02 04:50:00 exim 4.96 daemon started: pid=4036, -q1m, listening for SMTP on [127.0.0.1]:7580";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), 60);
	l = "2026-12-02 04:50:00 exim 4.92 daemon started: pid=1, -q30m, listening for SMTP on port 25 (IPv4)";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), 1800);
	l = "2026-12-02 04:50:00 exim 4.98 daemon started: pid=1, -qq1h, listening for SMTP on port 25 (IPv4)";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), 3600);
	l = "2026-12-02 04:50:00 exim 4.98 daemon started: pid=1, -qGslow/5m -q1h30m, not listening for SMTP";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), 5400);
	l = "2026-12-02 04:50:00 exim 4.98 daemon started: pid=1, -qGslow/5m, listening for SMTP on port 25";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), -1);
	l = "2026-12-02 04:50:00 exim 4.96 daemon started: pid=4036, no queue runs, listening for SMTP on port 25";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), -1);
	l = "2026-12-02 04:50:00 exim 4.96 daemon started: pid=4036, -q";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), -1);
	l = "2026-12-02 04:50:00 exim 4.96 daemon started: pid=4036, -q99999999999999999999d, x";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), -1);
	l = "2026-12-02 04:50:00 1xYcLP-00060t-1t Completed";
	assert_int_equal(exim_log_queue_interval(l, strlen(l)), -1);
	assert_int_equal(exim_log_queue_interval("", 0), -1);
}

static void test_every_prefix(void **state)
{
	static const char *const lines[] = {
		"2026-12-02 05:58:39.123 +0100 [77] 1xYcQQ-000165-1y == user2@outlook.com (p@x) <top@y> R=peers "
		"T=remote_smtp defer (-45) H=127.0.0.1 DS [127.0.0.1]:25* DT=1s: SMTP error from remote mail server "
		"after MAIL FROM:<sender@example.org> SIZE=1370: 421 4.7.0 RP-001",
		"2026-12-02 04:59:35 1xYcQQ-000165-1y H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after "
		"RCPT TO:<a@b>: host x [1.2.3.4]: 421-4.7.0 x",
		"2026-12-02 04:58:40 1xYcQS-00017m-02 => a1@accept.example R=peers T=remote_smtp H=127.0.0.1 "
		"[127.0.0.1] C=\"250 2.0.0 \\\"OK\"",
		"2026-12-02 04:58:39 1xYcQR-00016p-0e <= sender@example.org U=root P=local S=341",
		"2026-12-02 04:59:34 1xYcQQ-00016W-3B == u@example R=d T=r defer (110): Connection timed out H=m [1]:25",
		"2026-12-02 04:57:11 1xYcLO-00060F-39 ** \"a b\"@x: retry timeout exceeded",
	};
	struct log_event ev;
	struct exim_log_info xi;
	size_t i, n, len;

	(void)state;
	/* no prefix may crash or read past its end (ASan checks the latter: each is a tight copy) */
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		len = strlen(lines[i]);
		for (n = 0; n <= len; n++) {
			char *copy = malloc(n ? n : 1);

			memcpy(copy, lines[i], n);
			exim_log_parse(&clock_, copy, n, &ev, &xi);
			exim_log_queue_interval(copy, n);
			free(copy);
		}
	}
}

static void test_hostile(void **state)
{
	struct log_event ev;
	struct exim_log_info xi;
	unsigned char junk[512];
	unsigned x = 4242;
	size_t i, round;
	char *big;

	(void)state;
	/* unterminated quotes, brackets and parentheses */
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 => a@b C=\"250 never ends", &ev, &xi),
			 LOG_DELIVERY);
	assert_string_equal(span_str(ev.reason), "250 never ends");
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == a@b H=x [1.2.3.4 defer (", &ev, &xi),
			 LOG_DELIVERY);
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == a@b defer (-99999999999999999)", &ev, &xi),
			 LOG_RETRY_SKIP);
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == a@b (x <y defer (-44)", &ev, &xi),
			 LOG_DELIVERY);
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == a@b <x (y defer (-44", &ev, &xi),
			 LOG_DELIVERY);
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == a@b H=x [::1]:999999999: y", &ev, &xi),
			 LOG_DELIVERY);
	assert_int_equal(xi.port, 0);
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == ", &ev, &xi), LOG_OTHER);
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 ==", &ev, &xi), LOG_OTHER);
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == a@b : SMTP error from remote mail server "
			       "after RCPT TO:<never closed", &ev, &xi), LOG_DELIVERY);
	assert_string_equal(span_str(ev.reason), "SMTP error from remote mail server after RCPT TO:<never closed");
	/* bad UTF-8 and control bytes are carried, not interpreted */
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02 == \xff\xfe@x defer (-44): SMTP error from "
			       "remote mail server after RCPT TO:<\xc3>: 421 4.7.0 \x1b[31m\xed\xa0\x80", &ev, &xi),
			 LOG_DELIVERY);
	assert_string_equal(span_str(ev.dsn), "4.7.0");
	/* overlong ID-like words are no IDs */
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02x Completed", &ev, &xi), LOG_OTHER);
	assert_int_equal(ev.queue_id[0], '\0');
	assert_int_equal(parse("2026-12-02 04:58:40 1xYcQS-00017m-02aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa Completed",
			       &ev, &xi), LOG_OTHER);
	/* a long line */
	big = malloc(100001);
	memset(big, 'x', 100000);
	memcpy(big, "2026-12-02 04:58:40 1xYcQS-00017m-02 == a@b defer (-44): ", 57);
	big[100000] = '\0';
	assert_int_equal(exim_log_parse(&clock_, big, 100000, &ev, &xi), LOG_DELIVERY);
	assert_int_equal(ev.reason.n, 100000 - 57);
	free(big);
	/* random bytes, with and without a valid head */
	for (round = 0; round < 3000; round++) {
		for (i = 0; i < sizeof junk; i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (unsigned char)(x >> 16);
			if (round % 3 == 2 && (junk[i] & 7) == 0)
				junk[i] = " =:[]<>\"(H"[junk[i] % 10];
		}
		if (round % 3)
			memcpy(junk, "2026-12-02 04:58:40 1xYcQS-00017m-02 == a@b ", 44);
		exim_log_parse(&clock_, (const char *)junk, sizeof junk, &ev, &xi);
	}
}

static void test_golden_mainlog(void **state)
{
	size_t len, kinds[LOG_KIND_COUNT] = { 0 }, lines = 0, sent = 0, bounced = 0, multiline = 0, prefilter = 0;
	char *buf = test_read_file("tests/golden/exim/mainlog", &len);
	const char *p = buf, *end = buf + len;
	char note_id[QUEUE_ID_MAX + 1] = "";
	long interval = -1;
	struct log_event ev;
	struct exim_log_info xi;

	(void)state;
	/* tests/golden/exim/mainlog: a whole session of the Exim 4.96 test bed (see its README) */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		enum log_kind k = exim_log_parse(&clock_, p, (size_t)(e - p), &ev, &xi);

		lines++;
		kinds[k]++;
		prefilter += exim_log_maybe_deferral(p, (size_t)(e - p));
		if (exim_log_queue_interval(p, (size_t)(e - p)) > 0)
			interval = exim_log_queue_interval(p, (size_t)(e - p));
		if (k == LOG_DELIVERY && ev.status == STATUS_DEFERRED && xi.defer_errno <= 0 && xi.defer_errno >= -46
		    && xi.defer_errno != -23 && xi.defer_errno != -1) {
			/* every remote 4xx: a stage, a reply with an enhanced code, the host */
			assert_int_not_equal(xi.stage_kind, STAGE_UNKNOWN);
			assert_true(ev.reason.n > 0 && ev.reason.p[0] == '4');
			assert_int_equal(ev.dsn.n >= 5, 1);
			assert_string_equal(span_str(ev.relay), "127.0.0.1 [127.0.0.1]");
			if (memmem(ev.reason.p, ev.reason.n, "\\n421", 5) != NULL)
				multiline++;
		}
		if (k == LOG_ATTEMPT_NOTE) {
			assert_true(ev.reason.n > 0);
			snprintf(note_id, sizeof note_id, "%s", ev.queue_id);
		} else if (note_id[0]) {
			/* the line after a host note is the deferral of the same message */
			assert_string_equal(ev.queue_id, note_id);
			assert_int_equal(k, LOG_DELIVERY);
			assert_int_equal(ev.status, STATUS_DEFERRED);
			note_id[0] = '\0';
		}
		if (k == LOG_DELIVERY && ev.status == STATUS_SENT) {
			sent++;
			assert_int_equal(strncmp(span_str(ev.dsn), "2.0.0", 5), 0);
		}
		if (k == LOG_DELIVERY && ev.status == STATUS_BOUNCED) {
			bounced++;
			assert_string_equal(span_str(ev.dsn), "5.1.1");
			assert_int_equal(xi.stage_kind, STAGE_RCPT);
		}
		p = nl ? nl + 1 : end;
	}
	free(buf);
	assert_int_equal(lines, 128);
	assert_int_equal(kinds[LOG_UNPARSED], 0);
	assert_int_equal(kinds[LOG_QUEUED], 24);
	assert_int_equal(kinds[LOG_RETRY_SKIP], 44);
	assert_int_equal(kinds[LOG_ATTEMPT_NOTE], 7);
	assert_int_equal(kinds[LOG_DELIVERY], 18 + 5 + 1);
	assert_int_equal(sent, 5);
	assert_int_equal(bounced, 1);
	assert_int_equal(kinds[LOG_HOLD], 3);
	assert_int_equal(kinds[LOG_RELEASE], 1);
	assert_int_equal(kinds[LOG_REMOVED], 8);
	assert_int_equal(kinds[LOG_OTHER], 17);	/* daemon start, queue runs, "lost privilege" */
	assert_int_equal(multiline, 6);	/* the gmail.com replies (grep -c "== .*421-4.7.28") */
	assert_int_equal(prefilter, 18 + 44);
	assert_int_equal(interval, 60);
}

/* test_stage_goes_with_the_reply - the reason is the reply alone, so the event carries the stage Exim logged
 * before it: a deferral is classified as Postfix's with the same reply at the same stage */
static void test_stage_goes_with_the_reply(void **state)
{
	static const char rcpt[] = "2026-12-02 04:58:40 1xYcQS-00017m-02 == b1@mx.example.org R=peers "
		"T=remote_smtp defer (-44) H=mx.example.org [198.51.100.80]: SMTP error from remote mail server "
		"after RCPT TO:<b1@mx.example.org>: 451 4.7.1 Try again later";
	static const char postfix[] = "host mx.example.org[198.51.100.80] said: 451 4.7.1 Try again later "
		"(in reply to RCPT TO command)";
	struct ruleset rs;
	struct classifier *cl;
	struct reply_info pr;
	struct verdict pv;
	struct deferral d;
	struct log_event ev;

	(void)state;
	assert_int_equal(parse(rcpt, &ev, NULL), LOG_DELIVERY);
	assert_string_equal(span_str(ev.reason), "451 4.7.1 Try again later");
	assert_int_equal(ev.stage, STAGE_RCPT);
	assert_int_equal(parse("2026-12-02 04:59:34 1xYcQQ-00016W-3B == u@yahoo.com R=peers T=remote_smtp defer (0) "
			       "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after initial connection: "
			       "421 4.7.0 [TSS04] Messages deferred", &ev, NULL), LOG_DELIVERY);
	assert_int_equal(ev.stage, STAGE_GREETING);
	assert_int_equal(parse("2026-12-02 04:59:35 1xYcQQ-000165-1y H=127.0.0.1 [127.0.0.1]: SMTP error from remote "
			       "mail server after MAIL FROM:<s@example.org> SIZE=1370: 421 4.7.0 RP-001", &ev, NULL),
			 LOG_ATTEMPT_NOTE);
	assert_int_equal(ev.stage, STAGE_MAIL);
	/* no SMTP error: no stage */
	assert_int_equal(parse("2026-12-02 04:56:36 1xYcLP-00060R-0b == user1@greylist.example defer (-23) DT=0s: "
			       "domain is held", &ev, NULL), LOG_DELIVERY);
	assert_int_equal(ev.stage, STAGE_UNKNOWN);

	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, "rules/causes.ini", NULL), 0);
	assert_non_null(cl = classifier_new(&rs, NULL));
	assert_int_equal(parse(rcpt, &ev, NULL), LOG_DELIVERY);
	assert_int_equal(deferral_from_event(cl, NULL, &ev, &d), 0);
	assert_int_equal(d.reply.stage, STAGE_RCPT);
	reply_parse(postfix, strlen(postfix), &pr);
	classifier_classify(cl, &pr, "4.7.1", "mx.example.org", &pv);
	assert_int_equal(pv.cause, CAUSE_GREYLISTING);
	assert_int_equal(d.verdict.cause, pv.cause);
	classifier_free(cl);
	ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arrival),
		cmocka_unit_test(test_delivery),
		cmocka_unit_test(test_deferral_rcpt),
		cmocka_unit_test(test_deferral_multiline),
		cmocka_unit_test(test_host_note_then_deferral),
		cmocka_unit_test(test_retry_skips),
		cmocka_unit_test(test_own_throttles),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_queue_life),
		cmocka_unit_test(test_stamps),
		cmocka_unit_test(test_queue_interval),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_golden_mainlog),
		cmocka_unit_test(test_stage_goes_with_the_reply),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
