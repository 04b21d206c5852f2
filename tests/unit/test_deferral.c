/* test_deferral - one classified deferral from a parsed log line, in either MTA's dialect */
#include "tests/unit/testutil.h"

#include "core/classify/rules.h"
#include "core/log/deferral.h"
#include "core/mta/registry.h"

static struct ruleset rs;
static struct classifier *cl;

/* from_line - parse line in whichever dialect reads it, then the classified deferral */
static int from_line(const char *line, struct deferral *d)
{
	struct log_clock clock;
	struct log_event ev;

	log_clock_init(&clock, 1796203323);
	logline_parse(&clock, line, strlen(line), &ev);
	return deferral_from_event(cl, NULL, &ev, d);
}

/* Exim names the host as "name [ip]": the host is the name, without the blank */
static void test_exim_relay_host(void **state)
{
	struct deferral d;

	(void)state;
	assert_int_equal(from_line("2026-12-02 04:59:34 1xYcQQ-00016W-3B == user11@yahoo.com R=peers T=remote_smtp "
				   "defer (0) H=mta5.am0.yahoodns.net [67.195.204.72]: SMTP error from remote mail "
				   "server after initial connection: 421 4.7.0 [TSS04] Messages temporarily deferred",
				   &d), 0);
	assert_string_equal(d.reply.host, "mta5.am0.yahoodns.net");
}

/* Postfix's relay=host[ip]:port when the reason names no host */
static void test_postfix_relay_host(void **state)
{
	struct deferral d;

	(void)state;
	assert_int_equal(from_line("Nov 22 12:57:38 h postfix/smtp[1]: 4B1C2D3E4F: to=<a@b.com>, "
				   "relay=mx.b.com[192.0.2.1]:25, delay=1, delays=0/0/0/0, dsn=4.7.0, "
				   "status=deferred (421 4.7.0 try later)", &d), 0);
	assert_string_equal(d.reply.host, "mx.b.com");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exim_relay_host),
		cmocka_unit_test(test_postfix_relay_host),
	};

	int rc;

	mta_registry_init();
	ruleset_init(&rs);
	if (ruleset_load(&rs, "rules/causes.ini", NULL) < 0 || (cl = classifier_new(&rs, NULL)) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	classifier_free(cl);
	ruleset_free(&rs);
	return rc;
}
