/* test_exim_retry - exim_dumpdb retry output (EXIM-FACTS.md and a real capture) and retry rule arithmetic
 *
 * tests/golden/exim/dumpdb-retry.txt is `exim_dumpdb SPOOL retry` on the Exim 4.96 test bed (UTC).
 */
#include "tests/unit/testutil.h"

#include <time.h>

#include "core/exim/exim_retry.h"
#include "core/exim/exim_time.h"

#define T0 1796187176L	/* 02-Dec-2026 04:52:56 UTC */

static const char facts_dump[] =
	"  R:alice@gmail.com:<sender@example.org> -44 5441 H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail "
	"server after RCPT TO:<alice@gmail.com>: 421-4.7.28 ...\n"
	"02-Dec-2026 04:52:56  02-Dec-2026 04:52:56  02-Dec-2026 05:07:56\n"
	"  T:127.0.0.1:127.0.0.1:7568 0 65 H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after initial "
	"connection: 421 4.7.0 [TSS04] ...\n"
	"02-Dec-2026 04:54:27  02-Dec-2026 04:54:27  02-Dec-2026 05:09:27\n"
	"  R:busy.example -1 0 domain throttled by operator\n";

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

/* next_for - exim_retry_next for one recipient (and optional host key) */
static time_t next_for(const struct exim_retry_db *db, const char *id, const char *sender, const char *rcpt,
		       const char *host_key, const struct exim_retry_rec **which)
{
	const char *rcpts[1] = { rcpt };
	const char *hosts[1] = { host_key };
	struct exim_retry_query q = { id, sender, rcpts, rcpt ? 1 : 0, hosts, host_key ? 1 : 0 };

	return exim_retry_next(db, &q, which);
}

static void test_dates_and_durations(void **state)
{
	(void)state;
	assert_int_equal((long)exim_date_parse("02-Dec-2026 04:52:56", 20), T0);
	assert_int_equal((long)exim_date_parse("02-Dec-2026 04:52:5", 19), -1);
	assert_int_equal((long)exim_date_parse("02-Dex-2026 04:52:56", 20), -1);
	assert_int_equal((long)exim_date_parse("32-Dec-2026 04:52:56", 20), -1);
	assert_int_equal((long)exim_date_parse("02-Dec-2026 24:52:56", 20), -1);
	assert_int_equal((long)exim_date_parse("02-Dec-20x6 04:52:56", 20), -1);
	assert_int_equal(exim_duration_parse("15m", 3), 900);
	assert_int_equal(exim_duration_parse("1h30m", 5), 5400);
	assert_int_equal(exim_duration_parse("1w2d", 4), 9 * 86400);
	assert_int_equal(exim_duration_parse("4d", 2), 345600);
	assert_int_equal(exim_duration_parse("15", 2), -1);	/* Exim wants a unit */
	assert_int_equal(exim_duration_parse("1h30", 4), -1);
	assert_int_equal(exim_duration_parse("m", 1), -1);
	assert_int_equal(exim_duration_parse("", 0), -1);
	assert_int_equal(exim_duration_parse("1x", 2), -1);
	assert_int_equal(exim_duration_parse("99999999999999999999w", 21), -1);
	assert_int_equal(exim_duration_parse("3653d", 5), EXIM_DURATION_MAX);
	assert_int_equal(exim_duration_parse("3653d1s", 7), -1);
}

static void test_facts_dump(void **state)
{
	struct exim_retry_db db;
	const struct exim_retry_rec *r;
	struct why why;

	(void)state;
	assert_int_equal(exim_retry_db_parse(facts_dump, strlen(facts_dump), &db, &why), 0);
	assert_int_equal(db.n, 2);
	assert_int_equal(db.bad, 1);	/* R:busy.example has no date line here */
	r = &db.recs[0];
	assert_int_equal(r->type, 'R');
	assert_string_equal(r->key, "R:alice@gmail.com:<sender@example.org>");
	assert_int_equal(r->basic_errno, -44);
	assert_int_equal(r->more_errno, 5441);
	assert_int_equal(strncmp(r->text, "H=127.0.0.1 [127.0.0.1]: SMTP error", 35), 0);
	assert_int_equal((long)r->first_failed, T0);
	assert_int_equal((long)r->last_try, T0);
	assert_int_equal((long)r->next_try, T0 + 900);
	assert_int_equal(r->expired, 0);
	assert_string_equal(r->msgid, "");
	r = &db.recs[1];
	assert_int_equal(r->type, 'T');
	assert_string_equal(r->key, "T:127.0.0.1:127.0.0.1:7568");
	assert_int_equal(r->basic_errno, 0);
	assert_int_equal(r->more_errno, 65);
	assert_int_equal((long)r->next_try, 1796188167L);
	assert_string_equal(r->msgid, "");

	/* lookups: the address record, case-insensitive; the host record only through a host key */
	assert_int_equal((long)next_for(&db, "1xYcK0-0004pt-2q", "sender@example.org", "alice@gmail.com", NULL, &r),
			 T0 + 900);
	assert_string_equal(r->key, "R:alice@gmail.com:<sender@example.org>");
	assert_int_equal((long)next_for(&db, "1xYcK0-0004pt-2q", "Sender@EXAMPLE.org", "alice@Gmail.COM", NULL, NULL),
			 T0 + 900);
	assert_int_equal((long)next_for(&db, "1xYcK0-0004pt-2q", "other@example.org", "alice@gmail.com", NULL, &r), 0);
	assert_null(r);
	assert_int_equal((long)next_for(&db, "1xYcQQ-00016W-3B", "s@x", "user11@yahoo.com", NULL, NULL), 0);
	assert_int_equal((long)next_for(&db, "1xYcQQ-00016W-3B", "s@x", "user11@yahoo.com", "127.0.0.1:127.0.0.1:7568",
					&r), 1796188167L);
	assert_string_equal(r->key, "T:127.0.0.1:127.0.0.1:7568");
	assert_int_equal((long)next_for(&db, "1xYcQQ-00016W-3B", "s@x", NULL, "T:127.0.0.1:127.0.0.1:7568", NULL),
			 1796188167L);
	/* both: the earliest */
	assert_int_equal((long)next_for(&db, "1xYcK0-0004pt-2q", "sender@example.org", "alice@gmail.com",
					"127.0.0.1:127.0.0.1:7568", NULL), T0 + 900);
	assert_non_null(exim_retry_find(&db, "t:127.0.0.1:127.0.0.1:7568"));
	assert_null(exim_retry_find(&db, "T:127.0.0.1:127.0.0.1"));
	exim_retry_db_free(&db);
	exim_retry_db_free(&db);
}

static void test_domain_msgid_and_expired(void **state)
{
	static const char dump[] =
		"  R:busy.example -1 0 domain throttled by operator\n"
		"02-Dec-2026 04:52:56  02-Dec-2026 05:52:56  02-Dec-2026 06:52:56 *\n"
		"  T:mx.example:192.0.2.1:2627:1xYgNt-0004RG-1K -45 5441 H=mx.example [192.0.2.1]: SMTP error\n"
		"02-Dec-2026 04:52:56  02-Dec-2026 04:52:56  02-Dec-2026 05:07:56 \n"
		"  T:mx.example:[2001:db8::1]:1xYgNt-000000004RG-001K -46 5441 x\n"
		"02-Dec-2026 04:52:56  02-Dec-2026 04:52:56  02-Dec-2026 05:00:00\n"
		"** Failed to open database lock file /x: No such file\n"
		"\n";
	struct exim_retry_db db;
	const struct exim_retry_rec *r;

	(void)state;
	assert_int_equal(exim_retry_db_parse(dump, strlen(dump), &db, NULL), 0);
	assert_int_equal(db.n, 3);
	assert_int_equal(db.bad, 1);
	assert_int_equal(db.recs[0].expired, 1);
	assert_int_equal(db.recs[1].expired, 0);
	assert_string_equal(db.recs[1].msgid, "1xYgNt-0004RG-1K");
	assert_string_equal(db.recs[2].msgid, "1xYgNt-000000004RG-001K");
	/* a domain record for any recipient of the domain */
	assert_int_equal((long)next_for(&db, "1xYcK0-0004pt-2q", "", "anyone@Busy.Example", NULL, &r), T0 + 7200);
	assert_string_equal(r->key, "R:busy.example");
	/* message-specific host records by the message's ID, whatever the host; the ID's case matters */
	assert_int_equal((long)next_for(&db, "1xYgNt-0004RG-1K", "s@x", "u@outlook.com", NULL, &r), T0 + 900);
	assert_string_equal(r->key, "T:mx.example:192.0.2.1:2627:1xYgNt-0004RG-1K");
	assert_int_equal((long)next_for(&db, "1xYgNt-0004Rg-1K", "s@x", "u@outlook.com", NULL, NULL), 0);
	assert_int_equal((long)next_for(&db, "1xYgNt-000000004RG-001K", "s@x", NULL, NULL, NULL), T0 + 424);
	assert_non_null(exim_retry_find(&db, "T:MX.EXAMPLE:192.0.2.1:2627:1xYgNt-0004RG-1K"));
	assert_null(exim_retry_find(&db, "T:mx.example:192.0.2.1:2627:1XYGNT-0004RG-1K"));
	exim_retry_db_free(&db);
}

static void test_golden_dump(void **state)
{
	size_t len;
	char *buf = test_read_file("tests/golden/exim/dumpdb-retry.txt", &len);
	struct exim_retry_db db;
	const struct exim_retry_rec *r;
	size_t i, with_id = 0;

	(void)state;
	assert_int_equal(exim_retry_db_parse(buf, len, &db, NULL), 0);
	assert_int_equal(db.n, 13);
	assert_int_equal(db.bad, 0);
	for (i = 0; i < db.n; i++) {
		with_id += db.recs[i].msgid[0] != '\0';
		assert_int_equal(db.recs[i].expired, 0);
		assert_true(db.recs[i].next_try >= db.recs[i].last_try);
	}
	assert_int_equal(with_id, 4);
	/* R:addr:<sender> (-44 at RCPT) */
	assert_int_equal((long)next_for(&db, "1xYgNt-0004RJ-1L", "newsletter@shop.testbed.local", "user3@busy.example",
					NULL, &r), 1796203638L);
	assert_int_equal(r->basic_errno, -44);
	/* alice failed twice: first_failed is the first failure, next_try 15 minutes after the last */
	r = exim_retry_find(&db, "R:alice@gmail.com:<smtp@testbed.local>");
	assert_non_null(r);
	assert_int_equal((long)r->first_failed, 1796202737L);
	assert_int_equal((long)r->last_try, 1796202738L);
	assert_int_equal((long)r->next_try, 1796203638L);
	/* the :defer: router's domain record */
	assert_int_equal((long)next_for(&db, "1xYgNv-0004pg-1M", "newsletter@shop.testbed.local", "user13@full.example",
					NULL, &r), 1796203639L);
	assert_int_equal(r->basic_errno, -1);
	assert_string_equal(r->text, "domain throttled by operator");
	/* -46 after the end of data: by the message ID */
	assert_int_equal((long)next_for(&db, "1xYgNt-0004RP-1O", "newsletter@shop.testbed.local", "user5@icloud.com",
					NULL, &r), 1796203638L);
	assert_string_equal(r->key, "T:127.0.0.1:127.0.0.1:2636:1xYgNt-0004RP-1O");
	assert_int_equal(r->basic_errno, -46);
	/* yahoo at the greeting: the host record, only with its key */
	assert_int_equal((long)next_for(&db, "1xYgNt-0004RD-1J", "newsletter@shop.testbed.local", "user1@yahoo.com", NULL,
					NULL), 0);
	assert_int_equal((long)next_for(&db, "1xYgNt-0004RD-1J", "newsletter@shop.testbed.local", "user1@yahoo.com",
					"127.0.0.1:127.0.0.1:2628", &r), 1796203638L);
	assert_int_equal(r->basic_errno, 0);
	/* the multi-recipient message: m2's record */
	{
		const char *rcpts[2] = { "m2@gmail.com", "m4@yahoo.com" };
		struct exim_retry_query q = { "1xYgNu-0004ZB-0n", "multi@testbed.local", rcpts, 2, NULL, 0 };

		assert_int_equal((long)exim_retry_next(&db, &q, &r), 1796203638L);
		assert_string_equal(r->key, "R:m2@gmail.com:<multi@testbed.local>");
	}
	exim_retry_db_free(&db);
	free(buf);
}

static void test_hostile_dumps(void **state)
{
	struct exim_retry_db db;
	char junk[700];
	unsigned x = 5;
	size_t i, n, len = strlen(facts_dump);

	(void)state;
	/* every prefix: no crash, no overread, never more records than complete ones */
	for (n = 0; n <= len; n++) {
		char *copy = malloc(n ? n : 1);

		memcpy(copy, facts_dump, n);
		assert_int_equal(exim_retry_db_parse(copy, n, &db, NULL), 0);
		assert_true(db.n <= 2);
		exim_retry_db_free(&db);
		free(copy);
	}
	assert_int_equal(exim_retry_db_parse(NULL, 0, &db, NULL), 0);
	assert_int_equal(db.n, 0);
	assert_int_equal((long)next_for(&db, "1xYcK0-0004pt-2q", "", "a@b", "h:1.2.3.4", NULL), 0);
	exim_retry_db_free(&db);
	/* odd keys and numbers */
	{
		static const char odd[] =
			"  R: 1 2\n02-Dec-2026 04:52:56  02-Dec-2026 04:52:56  02-Dec-2026 05:07:56\n"
			"  R:a b@x 99999999999999 -99999999999 t\n02-Dec-2026 04:52:56  02-Dec-2026 04:52:56  02-Dec-2026 05:07:56\n"
			"  T:x:1xYgNt-0004RG-1K 1 2\n02-Dec-2026 04:52:56  02-Dec-2026 04:52:56  02-Dec-2026 05:07:56 junk\n"
			"  X:y 1 2\n02-Dec-2026 04:52:56  02-Dec-2026 04:52:56  02-Dec-2026 05:07:56\n";

		assert_int_equal(exim_retry_db_parse(odd, strlen(odd), &db, NULL), 0);
		assert_int_equal(db.n, 2);
		assert_string_equal(db.recs[1].key, "R:a b@x");
		assert_int_equal(db.recs[1].basic_errno, 1000000000);
		assert_int_equal(db.recs[1].more_errno, -1000000000);
		assert_string_equal(db.recs[0].msgid, "");
		exim_retry_db_free(&db);
	}
	for (i = 0; i < 2000; i++) {
		size_t k;

		for (k = 0; k < sizeof junk; k++) {
			x = x * 1103515245u + 12345u;
			junk[k] = (char)(x >> 16);
			if ((junk[k] & 3) == 0)
				junk[k] = "\n RT:-1 *"[(x >> 8) % 9];
		}
		if (i % 2)
			memcpy(junk, facts_dump, 300);
		if (exim_retry_db_parse(junk, sizeof junk, &db, NULL) == 0)
			exim_retry_db_free(&db);
	}
}

static void test_rule_parse(void **state)
{
	struct exim_retry_rules rules;
	struct why why;
	char many[1024];
	int i;

	(void)state;
	assert_int_equal(exim_retry_rules_parse("F,2h,15m; G,16h,1h,1.5; F,4d,6h", &rules, &why), 0);
	assert_int_equal(rules.n, 3);
	assert_int_equal(rules.r[0].kind, 'F');
	assert_int_equal(rules.r[0].timeout, 7200);
	assert_int_equal(rules.r[0].p1, 900);
	assert_int_equal(rules.r[1].kind, 'G');
	assert_int_equal(rules.r[1].timeout, 16 * 3600);
	assert_int_equal(rules.r[1].p1, 3600);
	assert_int_equal(rules.r[1].p2, 1500);
	assert_int_equal(rules.r[2].timeout, 4 * 86400);
	assert_int_equal(rules.r[2].p1, 6 * 3600);
	/* exim -brt's line */
	assert_int_equal(exim_retry_rules_parse("Retry rule: *  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h; \n", &rules, &why), 0);
	assert_int_equal(rules.n, 3);
	assert_int_equal(exim_retry_rules_parse("Retry rule: *.example  refused_MX  senders=x@y  h,1h,1m,2.125;", &rules,
						&why), 0);
	assert_int_equal(rules.r[0].kind, 'H');
	assert_int_equal(rules.r[0].p2, 2125);
	assert_int_equal(exim_retry_rules_parse("F,1h30m,1m", &rules, &why), 0);
	assert_int_equal(rules.r[0].timeout, 5400);

	assert_int_equal(exim_retry_rules_parse("", &rules, &why), -1);
	assert_int_equal(exim_retry_rules_parse(NULL, &rules, &why), -1);
	assert_int_equal(exim_retry_rules_parse("F,2h", &rules, &why), -1);
	assert_non_null(strstr(why.text, "has 1 values, not 2"));
	assert_int_equal(exim_retry_rules_parse("G,16h,1h", &rules, &why), -1);
	assert_int_equal(exim_retry_rules_parse("G,16h,1h,0.5", &rules, &why), -1);
	assert_int_equal(exim_retry_rules_parse("F,0s,15m", &rules, &why), -1);
	assert_int_equal(exim_retry_rules_parse("F,2h,15", &rules, &why), -1);
	assert_int_equal(exim_retry_rules_parse("F,2h,15m G,16h,1h,1.5", &rules, &why), -1);
	assert_non_null(strstr(why.text, "semicolon"));
	assert_int_equal(exim_retry_rules_parse("F,2h,15m; X,1h,1m", &rules, &why), -1);
	assert_int_equal(exim_retry_rules_parse("F,2h,15m,3m", &rules, &why), -1);
	assert_int_equal(exim_retry_rules_parse("G,1h,1m,99999999999.5", &rules, &why), -1);
	many[0] = '\0';
	for (i = 0; i < EXIM_RETRY_MAX_RULES + 1; i++)
		strcat(many, "F,1h,1m; ");
	assert_int_equal(exim_retry_rules_parse(many, &rules, &why), -1);
	assert_non_null(strstr(why.text, "more than"));
}

static void test_rule_arithmetic(void **state)
{
	struct exim_retry_rules rules;
	time_t t = T0, n1, n2, n3;
	int out;

	(void)state;
	assert_int_equal(exim_retry_rules_parse("F,2h,15m; G,16h,1h,1.5; F,4d,6h", &rules, NULL), 0);
	/* a first failure: 15 minutes (observed: 04:52:56 -> 05:07:56) */
	assert_int_equal((long)exim_retry_rules_next(&rules, t, t, t, t, 0, t, 0, &out), T0 + 900);
	assert_int_equal(out, 0);
	/* past 2h: G, 1h first (the last gap, 15m, is below it), then 1.5h, 2.25h */
	n1 = exim_retry_rules_next(&rules, t, t + 6300, t + 7200, t, 0, t + 7201, 0, &out);
	assert_int_equal((long)n1, T0 + 7201 + 3600);
	n2 = exim_retry_rules_next(&rules, t, t + 7201, n1, t, 0, n1, 0, &out);
	assert_int_equal((long)(n2 - n1), 5400);
	n3 = exim_retry_rules_next(&rules, t, n1, n2, t, 0, n2, 0, &out);
	assert_int_equal((long)(n3 - n2), 8100);
	/* a late attempt: the predicted gap counts, not the actual one */
	assert_int_equal((long)(exim_retry_rules_next(&rules, t, n1, n2, t, 0, n2 + 20000, 0, &out) - (n2 + 20000)),
			 8100);
	/* past 16h: every 6h */
	assert_int_equal((long)exim_retry_rules_next(&rules, t, t + 60000, t + 64000, t, 0, t + 16 * 3600 + 1, 0, &out),
			 T0 + 16 * 3600 + 1 + 21600);
	assert_int_equal(out, 0);
	/* past 4d: timed out (the address bounces at this attempt) */
	exim_retry_rules_next(&rules, t, t, t, t, 0, t + 4 * 86400 + 1, 0, &out);
	assert_int_equal(out, 1);
	/* an address record counts from the message's arrival when earlier; a host record does not */
	exim_retry_rules_next(&rules, t, t, t, t - 4 * 86400, 0, t + 1, 0, &out);
	assert_int_equal(out, 1);
	assert_int_equal((long)exim_retry_rules_next(&rules, t, t, t, t - 3 * 86400, 1, t, 0, &out), T0 + 900);
	assert_int_equal(out, 0);
	/* a message older than the last cutoff whose host started failing after it arrived: now, timed out */
	assert_int_equal((long)exim_retry_rules_next(&rules, t, t, t, t - 1000, 1, t + 4 * 86400 - 500, 0, &out),
			 T0 + 4 * 86400 - 500);
	assert_int_equal(out, 1);
	/* retry_interval_max caps the interval */
	assert_int_equal(exim_retry_rules_parse("F,30d,3d", &rules, NULL), 0);
	assert_int_equal((long)exim_retry_rules_next(&rules, t, t, t, 0, 0, t, 0, NULL), T0 + 86400);
	assert_int_equal((long)exim_retry_rules_next(&rules, t, t, t, 0, 0, t, 3600, NULL), T0 + 3600);
	/* H: the earliest of its random range */
	assert_int_equal(exim_retry_rules_parse("H,1d,1h,2", &rules, NULL), 0);
	assert_int_equal((long)exim_retry_rules_next(&rules, t, t, t + 7200, 0, 0, t + 7200, 0, NULL),
			 T0 + 7200 + 3600 + (14400 - 3600) / 2);
	/* no rules: now, timed out */
	rules.n = 0;
	assert_int_equal((long)exim_retry_rules_next(&rules, t, t, t, 0, 0, t + 5, 0, &out), T0 + 5);
	assert_int_equal(out, 1);
	assert_int_equal((long)exim_retry_rules_cutoff(&rules, t, 0, 0), 0);
}

static void test_cutoff_and_estimate(void **state)
{
	struct exim_retry_rules rules;
	int out;

	(void)state;
	assert_int_equal(exim_retry_rules_parse("F,2h,15m; G,16h,1h,1.5; F,4d,6h", &rules, NULL), 0);
	assert_int_equal((long)exim_retry_rules_cutoff(&rules, T0, 0, 0), T0 + 4 * 86400);
	assert_int_equal((long)exim_retry_rules_cutoff(&rules, T0, T0 - 100, 0), T0 - 100 + 4 * 86400);
	assert_int_equal((long)exim_retry_rules_cutoff(&rules, T0, T0 - 100, 1), T0 + 4 * 86400);
	/* the schedule when every try came on time: 15m steps to 2h, then 1h, 1.5h, 2.25h ... */
	assert_int_equal((long)exim_retry_rules_estimate(&rules, T0, 0, 0, T0, 0, &out), T0 + 900);
	assert_int_equal((long)exim_retry_rules_estimate(&rules, T0, 0, 0, T0 + 7200, 0, &out), T0 + 8100);
	assert_int_equal((long)exim_retry_rules_estimate(&rules, T0, 0, 0, T0 + 8100, 0, &out), T0 + 8100 + 3600);
	assert_int_equal((long)exim_retry_rules_estimate(&rules, T0, 0, 0, T0 + 11700, 0, &out), T0 + 11700 + 5400);
	/* a try between two scheduled ones (a forced delivery): F counts from it */
	assert_int_equal((long)exim_retry_rules_estimate(&rules, T0, 0, 0, T0 + 1000, 0, &out), T0 + 1900);
	assert_int_equal(out, 0);
	/* past the cutoff */
	exim_retry_rules_estimate(&rules, T0, 0, 0, T0 + 5 * 86400, 0, &out);
	assert_int_equal(out, 1);
	/* a rule with millions of steps: the simulation is bounded, F stays exact */
	assert_int_equal(exim_retry_rules_parse("F,3650d,1s", &rules, NULL), 0);
	assert_int_equal((long)exim_retry_rules_estimate(&rules, T0, 0, 0, T0 + 100000000L, 0, &out),
			 T0 + 100000000L + 1);
	assert_int_equal(exim_retry_rules_parse("G,3650d,1s,1.001", &rules, NULL), 0);
	assert_true(exim_retry_rules_estimate(&rules, T0, 0, 0, T0 + 100000000L, 0, &out) > T0 + 100000000L);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates_and_durations),
		cmocka_unit_test(test_facts_dump),
		cmocka_unit_test(test_domain_msgid_and_expired),
		cmocka_unit_test(test_golden_dump),
		cmocka_unit_test(test_hostile_dumps),
		cmocka_unit_test(test_rule_parse),
		cmocka_unit_test(test_rule_arithmetic),
		cmocka_unit_test(test_cutoff_and_estimate),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
