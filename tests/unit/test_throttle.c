/* test_throttle - issue 12 #1-#3: throttle states, the log line that shows a throttle working,
 * mqmon's own pause text, and the expiry job that needs no running mqmon */
#include "tests/unit/testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/mta/expiry_timer.h"
#include "core/log/logline.h"
#include "core/mta/throttle.h"
#include "core/postfix/postfix_log.h"
#include "core/postfix/postfix_throttle.h"

/* #3: the pause entry's deferral text is mqmon's own, never a remote reply */
static void test_pause_reason(void **state)
{
	(void)state;
	assert_true(postfix_throttle_own(THROTTLE_PAUSE_TEXT, strlen(THROTTLE_PAUSE_TEXT)));
	assert_true(postfix_throttle_own(" paused by operator (mqmon) ", 28));
	assert_true(postfix_throttle_own(THROTTLE_PAUSE_REASON, strlen(THROTTLE_PAUSE_REASON)));
	assert_false(postfix_throttle_own("421 4.7.0 paused by operator (mqmon) and more", 45));
	assert_false(postfix_throttle_own("host x said: paused by operator (mqmon)", 39));
	assert_false(postfix_throttle_own("", 0));
}

/* #1 #2: pending until the log shows the route, then the mode with the time left, expired at once */
static void test_state_text(void **state)
{
	struct throttle t = { .domain = "gmail.com", .mode = THROTTLE_PAUSE, .since = 1000, .until = 1300 };
	char buf[48];

	(void)state;
	assert_string_equal(throttle_state_text(&t, 1100, buf, sizeof buf), "pause 3m20s");	/* log unread */
	t.log_checked = 1;
	assert_string_equal(throttle_state_text(&t, 1100, buf, sizeof buf), "pending");
	t.seen = 1001;
	assert_string_equal(throttle_state_text(&t, 1100, buf, sizeof buf), "pause 3m20s");
	assert_string_equal(throttle_state_text(&t, 1300, buf, sizeof buf), "expired");
	t.seen = 0;
	assert_string_equal(throttle_state_text(&t, 1301, buf, sizeof buf), "expired");
	t.mode = THROTTLE_SLOW;
	t.until = 0;
	t.seen = 1001;
	assert_string_equal(throttle_state_text(&t, 99999, buf, sizeof buf), "slow");
}

/* parse - one log line into ev (the clock's reference year is the line's) */
static void parse(const char *line, struct log_event *ev)
{
	struct log_clock clock;

	log_clock_init(&clock, time(NULL));

	clock.dialect = &postfix_log_dialect;
	logline_parse(&clock, line, strlen(line), ev);
}

/* #2: which delivery attempt shows Postfix routing a domain through mqmon's transport */
static void test_routes(void **state)
{
	struct throttle pause = { .domain = "gmail.com", .mode = THROTTLE_PAUSE };
	struct throttle slow = { .domain = "gmail.com", .mode = THROTTLE_SLOW };
	struct log_event ev;

	(void)state;
	parse("Dec  2 06:59:22 mx postfix/error[3004]: 008FCA744E3: to=<user0@gmail.com>, relay=none, "
	      "delay=275, delays=275/0.05/0/0.03, dsn=4.7.0, status=deferred (paused by operator (mqmon))", &ev);
	pause.since = slow.since = ev.time;
	assert_true(postfix_throttle_routes(&pause, &ev));
	assert_false(postfix_throttle_routes(&slow, &ev));
	pause.since = ev.time + 1;	/* before the throttle began: not its doing */
	assert_false(postfix_throttle_routes(&pause, &ev));
	pause.since = ev.time;
	strcpy(pause.domain, "mail.com");	/* another domain ending the same way */
	assert_false(postfix_throttle_routes(&pause, &ev));
	strcpy(pause.domain, "gmail.com");
	parse("Dec  2 06:59:19 mx postfix/smtp[2734]: 000B0A7424E: to=<user4@gmail.com>, relay=127.0.0.1[127.0.0.1]:4886, "
	      "delay=272, delays=272/0.02/0/0, dsn=4.7.28, status=deferred (host 127.0.0.1[127.0.0.1] said: 421 4.7.28 "
	      "rate limited (in reply to RCPT TO command))", &ev);
	pause.since = slow.since = ev.time;
	assert_false(postfix_throttle_routes(&pause, &ev));
	assert_false(postfix_throttle_routes(&slow, &ev));
	parse("Dec  2 06:59:19 mx postfix/slow/smtp[2734]: 000B0A7424E: to=<user4@gmail.com>, relay=127.0.0.1[127.0.0.1]:4886, "
	      "delay=272, delays=272/0.02/0/0, dsn=2.0.0, status=sent (250 ok)", &ev);
	assert_true(postfix_throttle_routes(&slow, &ev));
	assert_false(postfix_throttle_routes(&pause, &ev));
}

/* #1: the systemd timer (or cron line) runs `mqmon -c DIR throttles --expire`; unsafe paths are refused */
static void test_expiry_plan(void **state)
{
	char root[] = "/tmp/mqmon-test-expiry.XXXXXX", d[256];
	struct expiry_plan p;
	struct why why;

	(void)state;
	assert_non_null(mkdtemp(root));
	setenv("MQMON_SYSTEM_ROOT", root, 1);
	assert_int_equal(expiry_plan_make("/etc/postfix", "/usr/bin/mqmon", NULL, &p, &why), 0);
	assert_int_equal(p.kind, EXPIRY_NONE);
	snprintf(d, sizeof d, "%s/etc", root);
	mkdir(d, 0755);
	snprintf(d, sizeof d, "%s/etc/cron.d", root);
	mkdir(d, 0755);
	assert_int_equal(expiry_plan_make("/etc/postfix", "/usr/bin/mqmon", "/var/lib/mqmon.db", &p, &why), 0);
	assert_int_equal(p.kind, EXPIRY_CRON);
	assert_string_equal(p.command, "/usr/bin/mqmon -c /etc/postfix throttles --expire --db /var/lib/mqmon.db");
	assert_non_null(strstr(p.text[0], "* * * * * root /usr/bin/mqmon -c /etc/postfix throttles --expire "
				       "--db /var/lib/mqmon.db"));
	assert_null(strchr(strrchr(p.path[0], '/'), '.'));	/* cron.d skips names with dots */
	assert_false(expiry_plan_installed(&p));
	assert_int_equal(expiry_plan_write(&p, &why), 0);
	assert_true(expiry_plan_installed(&p));
	unlink(p.path[0]);
	rmdir(d);
	snprintf(d, sizeof d, "%s/run/systemd/system", root);
	assert_int_equal(system("mkdir -p \"$MQMON_SYSTEM_ROOT/run/systemd/system\""), 0);
	assert_int_equal(expiry_plan_make("/etc/postfix-out", "/usr/bin/mqmon", NULL, &p, &why), 0);
	assert_int_equal(p.kind, EXPIRY_SYSTEMD);
	assert_int_equal(p.system_root, 0);
	assert_non_null(strstr(p.text[0], "ExecStart=/usr/bin/mqmon -c /etc/postfix-out throttles --expire\n"));
	assert_non_null(strstr(p.text[1], "OnCalendar=*-*-* *:*:00/15\n"));
	/* a path a job line would have to quote is refused, not quoted */
	assert_int_equal(expiry_plan_make("/etc/post fix", "/usr/bin/mqmon", NULL, &p, &why), -1);
	assert_int_equal(expiry_plan_make("/etc/postfix;rm", "/usr/bin/mqmon", NULL, &p, &why), -1);
	assert_int_equal(expiry_plan_make("/etc/postfix", "/usr/bin/mq$mon", NULL, &p, &why), -1);
	unsetenv("MQMON_SYSTEM_ROOT");
	snprintf(d, sizeof d, "rm -rf '%s'", root);
	assert_int_equal(system(d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pause_reason),
		cmocka_unit_test(test_state_text),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_expiry_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
