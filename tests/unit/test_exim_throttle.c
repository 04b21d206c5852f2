/* test_exim_throttle - Exim's throttles: the hold_domains file named by a list, the line setup suggests,
 * the main-log line that shows a pause applied, the file's entries, and set/clear/expire on a real file
 * (slow and read-only refused, nothing written) */
#include "tests/unit/testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/exim/exim_log.h"
#include "core/exim/exim_throttle.h"
#include "core/exim/mta_exim.h"
#include "core/mta/actions.h"
#include "core/mta/throttle.h"

/* file_of - exim_throttle_file_of's answer for a hold_domains value */
static const char *file_of(const char *hold_domains)
{
	static char buf[256];

	exim_throttle_file_of(hold_domains, buf, sizeof buf);
	return buf;
}

/* the file of the first lsearch-type item of the list, whatever the separator; nothing else is a file */
static void test_file_of(void **state)
{
	(void)state;
	assert_string_equal(file_of("partial-lsearch;/etc/exim4/mqmon_hold_domains"), "/etc/exim4/mqmon_hold_domains");
	assert_string_equal(file_of("lsearch;/x/h"), "/x/h");
	assert_string_equal(file_of("partial2-wildlsearch;/x/h"), "/x/h");
	assert_string_equal(file_of("nwildlsearch;/x/h"), "/x/h");
	assert_string_equal(file_of("lsearch*;/x/h"), "/x/h");
	assert_string_equal(file_of("  example.org : partial-lsearch;/x/h : *.test"), "/x/h");
	assert_string_equal(file_of("<; example.org ; partial-lsearch;;/x/h"), "/x/h");
	assert_string_equal(file_of("lsearch;/x/a : lsearch;/x/b"), "/x/a");
	assert_string_equal(file_of(""), "");
	assert_string_equal(file_of("example.org : *.example.net"), "");
	assert_string_equal(file_of("dbm;/x/h"), "");
	assert_string_equal(file_of("lsearch;relative/h"), "");
	assert_string_equal(file_of("lsearchx;/x/h"), "");
	assert_string_equal(file_of("partial-lsearch;"), "");
}

/* setup's line keeps the operator's items and adds mqmon's file with the list's separator */
static void test_suggest(void **state)
{
	char buf[512];

	(void)state;
	exim_throttle_suggest("", "/etc/exim4/mqmon_hold_domains", buf, sizeof buf);
	assert_string_equal(buf, "hold_domains = partial-lsearch;/etc/exim4/mqmon_hold_domains");
	exim_throttle_suggest("example.org", "/e/h", buf, sizeof buf);
	assert_string_equal(buf, "hold_domains = example.org : partial-lsearch;/e/h");
	exim_throttle_suggest("<; example.org", "/e/h", buf, sizeof buf);
	assert_string_equal(buf, "hold_domains = <; example.org ; partial-lsearch;;/e/h");
	/* and what it suggests is read back as the same file */
	assert_string_equal(file_of(buf + strlen("hold_domains = ")), "/e/h");
	exim_throttle_suggest("example.org", "/e/h", buf, sizeof buf);
	assert_string_equal(file_of(buf + strlen("hold_domains = ")), "/e/h");
}

/* parse - one main-log line into ev */
static void parse(const char *line, struct log_event *ev)
{
	struct log_clock clock;

	log_clock_init(&clock, 1796187519);
	exim_log_parse(&clock, line, strlen(line), ev, NULL);
}

/* a deferral with the held text (or the :defer: router's) for the domain, at or after the start, shows the pause */
static void test_held(void **state)
{
	struct throttle t = { .domain = "gmail.com", .mode = THROTTLE_PAUSE };
	struct log_event ev;

	(void)state;
	parse("2026-12-02 09:34:40 1xYgjR-0001nl-0f == user0@gmail.com defer (-23): domain is held", &ev);
	t.since = ev.time;
	assert_true(exim_throttle_held(&t, &ev));
	t.since = ev.time + 1;	/* before the pause began: not its doing */
	assert_false(exim_throttle_held(&t, &ev));
	t.since = ev.time;
	strcpy(t.domain, "mail.com");	/* another domain ending the same way */
	assert_false(exim_throttle_held(&t, &ev));
	strcpy(t.domain, "gmail.com");
	parse("2026-12-02 09:34:40 1xYcLP-00060r-1i == user1@gmail.com R=throttled defer (-1) DT=0s: "
	      "domain throttled by operator", &ev);
	assert_true(exim_throttle_held(&t, &ev));
	/* a remote reply, a skipped retry, a delivery: not the pause */
	parse("2026-12-02 09:34:40 1xYgjR-0001nr-0i == user2@gmail.com R=peers T=remote_smtp defer (-44) "
	      "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<user2@gmail.com>: "
	      "421 4.7.28 rate limited", &ev);
	assert_false(exim_throttle_held(&t, &ev));
	parse("2026-12-02 09:34:40 1xYgjR-0001nr-0i == user2@gmail.com routing defer (-52): retry time not reached",
	      &ev);
	assert_false(exim_throttle_held(&t, &ev));
	parse("2026-12-02 09:34:40 1xYgjR-0001nr-0i => user2@gmail.com R=peers T=remote_smtp H=127.0.0.1 "
	      "[127.0.0.1] C=\"250 domain is held\"", &ev);
	assert_false(exim_throttle_held(&t, &ev));
	assert_true(exim_throttle_own(" domain is held\n", 16));
	assert_false(exim_throttle_own("remote said: domain is held", 27));
}

/* the file's entries: "DOMAIN pause" after the comment line, read back; any other value is not mqmon's */
static void test_entries(void **state)
{
	struct throttle_list back = { 0 };
	struct throttle e = { 0 };
	struct why why;

	(void)state;
	assert_int_equal(exim_throttle_entry("pause", &e), 0);
	assert_int_equal(e.mode, THROTTLE_PAUSE);
	assert_int_equal(exim_throttle_entry(" pause \r", &e), 0);
	assert_int_equal(exim_throttle_entry("retry:4.7.0 x", &e), -1);
	assert_int_equal(exim_throttle_entry("pauses", &e), -1);
	assert_int_equal(exim_throttle_entry("", &e), -1);
	assert_int_equal(throttle_parse("# mqmon: gmail.com mode=pause since=5 until=10 user=ops\ngmail.com pause\n",
					&back, exim_throttle_entry, &why), 0);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.v[0].until, 10);
	assert_string_equal(back.v[0].user, "ops");
	throttle_list_free(&back);
	/* an operator's bare domain, or a pattern, is not mqmon's: refused rather than rewritten */
	assert_int_equal(throttle_parse("example.org\n", &back, exim_throttle_entry, &why), -1);
	assert_int_equal(throttle_parse("*.example.org pause\n", &back, exim_throttle_entry, &why), -1);
	throttle_list_free(&back);
}

/* slurp - a whole file (malloc'd), NULL when missing */
static char *slurp(const char *path)
{
	char *text;
	struct why why;

	assert_int_equal(throttle_file_read(path, &text, &why), 0);
	return text;
}

/* set, clear and expire on a real hold_domains file: the entry Exim reads, slow and read-only refused */
static void test_file_changes(void **state)
{
	char dir[] = "/tmp/mqmon-test-exim-throttle.XXXXXX", path[128], conf[128], *text;
	struct mta_params p = { .backend = &mta_exim };
	struct action_ctx ctx = { .params = &p, .user = "ops" };
	struct throttle_list l = { 0 };
	struct strlist removed = { 0 };
	enum action_error err;
	struct stat sb;
	struct why why;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/hold_domains", dir);
	snprintf(conf, sizeof conf, "%s/exim.conf", dir);
	snprintf(p.config_dir, sizeof p.config_dir, "%s", conf);

	/* hold_domains names no file: nothing set, nothing to clear, set refused as not set up */
	assert_int_equal(throttle_load(&ctx, &l, &why), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(throttle_clear(&ctx, "gmail.com", &err, &why), 0);
	assert_int_equal(throttle_set(&ctx, "gmail.com", THROTTLE_PAUSE, 0, &err, &why), -1);
	assert_int_equal(err, ACTION_E_CONFIG);
	assert_non_null(strstr(why.text, "throttle --setup"));

	snprintf(p.throttle_file, sizeof p.throttle_file, "%s", path);
	assert_int_equal(throttle_set(&ctx, "gmail.com", THROTTLE_PAUSE, 1796194406, &err, &why), 0);
	text = slurp(path);
	assert_non_null(text);
	assert_non_null(strstr(text, "\n# mqmon: gmail.com mode=pause since="));
	assert_non_null(strstr(text, " until=1796194406 user=ops\ngmail.com pause\n"));
	free(text);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);	/* Exim's delivery processes run as the exim user */
	chmod(path, 0640);
	assert_int_equal(throttle_set(&ctx, "yahoo.com", THROTTLE_PAUSE, 0, &err, &why), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);	/* an existing file's mode is kept */
	assert_int_equal(throttle_load(&ctx, &l, &why), 0);
	assert_int_equal(l.n, 2);
	throttle_list_free(&l);

	/* slow: Exim has none; read-only: nothing changes; a bad domain never reaches the file */
	text = slurp(path);
	assert_int_equal(throttle_set(&ctx, "outlook.com", THROTTLE_SLOW, 0, &err, &why), -1);
	assert_int_equal(err, ACTION_E_UNSUPPORTED);
	assert_non_null(strstr(why.text, "slow is not supported for Exim"));
	assert_non_null(strstr(why.text, "pause"));
	assert_int_equal(throttle_mode_supported(&p, THROTTLE_SLOW, &why), -1);
	assert_int_equal(throttle_mode_supported(&p, THROTTLE_PAUSE, &why), 0);
	ctx.read_only = 1;
	assert_int_equal(throttle_set(&ctx, "outlook.com", THROTTLE_PAUSE, 0, &err, &why), -1);
	assert_int_equal(err, ACTION_E_READ_ONLY);
	assert_int_equal(throttle_clear(&ctx, "gmail.com", &err, &why), -1);
	assert_int_equal(err, ACTION_E_READ_ONLY);
	ctx.read_only = 0;
	assert_int_equal(throttle_set(&ctx, "../x", THROTTLE_PAUSE, 0, &err, &why), -1);
	assert_int_equal(err, ACTION_E_INVALID);
	assert_int_equal(throttle_set(&ctx, "ALL", THROTTLE_PAUSE, 0, &err, &why), -1);
	assert_int_equal(err, ACTION_E_INVALID);
	{
		char *after = slurp(path);

		assert_string_equal(after, text);
		free(after);
	}
	free(text);

	/* clear and expire */
	assert_int_equal(throttle_clear(&ctx, "yahoo.com", &err, &why), 1);
	assert_int_equal(throttle_clear(&ctx, "yahoo.com", &err, &why), 0);
	assert_int_equal(throttle_expire(&ctx, 1796194405, &removed, &why), 0);
	assert_int_equal(throttle_expire(&ctx, 1796194406, &removed, &why), 1);
	assert_int_equal(removed.n, 1);
	assert_string_equal(removed.v[0], "gmail.com");
	text = slurp(path);
	assert_null(strstr(text, "gmail.com pause"));
	assert_null(strstr(text, "yahoo.com"));
	free(text);
	strlist_free(&removed);

	/* a file with an operator's own entry is not rewritten */
	{
		FILE *fp = fopen(path, "w");

		assert_non_null(fp);
		fputs("example.org\n", fp);
		fclose(fp);
	}
	assert_int_equal(throttle_set(&ctx, "gmail.com", THROTTLE_PAUSE, 0, &err, &why), -1);
	assert_non_null(strstr(why.text, "mqmon writes this file alone"));
	text = slurp(path);
	assert_string_equal(text, "example.org\n");
	free(text);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_of),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_file_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
