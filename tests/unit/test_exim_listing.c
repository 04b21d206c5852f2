/* test_exim_listing - `exim -bp` listings: the real sample, every header form, streaming, hostile input */
#include "tests/unit/testutil.h"

#include "core/exim/exim_listing.h"

/* the listing of EXIM-FACTS.md */
static const char sample[] =
	" 3m   246 1xYcK0-0004pt-2q <sender@example.org>\n"
	"          alice@gmail.com\n"
	"\n"
	" 2m   282 1xYcLP-00060x-2l <multi@example.org>\n"
	"          x1@gmail.com\n"
	"        D x3@accept.example\n"
	"\n"
	" 4m   330 1xYcLO-000605-2Q <sender@example.org> *** frozen ***\n"
	"          user2@gmail.com\n"
	"\n";

#define MAX_SEEN 32

/* struct seen - what the callback saw, copied */
struct seen {
	size_t n;
	char id[MAX_SEEN][EXIM_ID_MAX + 1];
	char sender[MAX_SEEN][64];
	int has_sender[MAX_SEEN];
	long age[MAX_SEEN], size[MAX_SEEN];
	int frozen[MAX_SEEN];
	size_t nrcpts[MAX_SEEN], npending[MAX_SEEN], dropped[MAX_SEEN];
	char rcpt0[MAX_SEEN][64], rcptlast[MAX_SEEN][64];
	int delivered_last[MAX_SEEN], generated_last[MAX_SEEN];
	char error[MAX_SEEN][80];
	size_t stop_after;	/* return 7 after this many messages (0: never) */
};

/* record - the callback: copy what is asked of a message */
static int record(void *ctx, const struct exim_listing_msg *m)
{
	struct seen *s = ctx;
	size_t i = s->n;

	if (i < MAX_SEEN) {
		snprintf(s->id[i], sizeof s->id[i], "%s", m->id);
		s->has_sender[i] = m->sender != NULL;
		snprintf(s->sender[i], sizeof s->sender[i], "%s", m->sender ? m->sender : "");
		s->age[i] = m->age;
		s->size[i] = m->size;
		s->frozen[i] = m->frozen;
		s->nrcpts[i] = m->nrcpts;
		s->npending[i] = m->npending;
		s->dropped[i] = m->dropped;
		snprintf(s->rcpt0[i], sizeof s->rcpt0[i], "%s", m->nrcpts ? m->rcpts[0].address : "");
		snprintf(s->rcptlast[i], sizeof s->rcptlast[i], "%s", m->nrcpts ? m->rcpts[m->nrcpts - 1].address : "");
		s->delivered_last[i] = m->nrcpts ? m->rcpts[m->nrcpts - 1].delivered : -1;
		s->generated_last[i] = m->nrcpts ? m->rcpts[m->nrcpts - 1].generated : -1;
		snprintf(s->error[i], sizeof s->error[i], "%s", m->error ? m->error : "");
	}
	s->n++;
	return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

/* parse - exim_listing_parse of a NUL-terminated text into s */
static int parse(const char *text, struct seen *s, unsigned long long *bad)
{
	memset(s, 0, sizeof *s);
	return exim_listing_parse(text, strlen(text), record, s, bad, NULL);
}

static void test_sample(void **state)
{
	struct seen s;
	unsigned long long bad = 99;

	(void)state;
	assert_int_equal(parse(sample, &s, &bad), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.id[0], "1xYcK0-0004pt-2q");
	assert_string_equal(s.sender[0], "sender@example.org");
	assert_int_equal(s.age[0], 180);
	assert_int_equal(s.size[0], 246);
	assert_int_equal(s.nrcpts[0], 1);
	assert_int_equal(s.npending[0], 1);
	assert_string_equal(s.rcpt0[0], "alice@gmail.com");
	assert_int_equal(s.frozen[0], 0);
	assert_string_equal(s.id[1], "1xYcLP-00060x-2l");
	assert_int_equal(s.nrcpts[1], 2);
	assert_int_equal(s.npending[1], 1);
	assert_string_equal(s.rcptlast[1], "x3@accept.example");
	assert_int_equal(s.delivered_last[1], 1);
	assert_string_equal(s.id[2], "1xYcLO-000605-2Q");
	assert_int_equal(s.frozen[2], 1);
	assert_int_equal(s.age[2], 240);
	assert_int_equal(s.size[2], 330);
	assert_string_equal(s.rcpt0[2], "user2@gmail.com");
}

static void test_header_forms(void **state)
{
	struct seen s;
	unsigned long long bad;

	(void)state;
	assert_int_equal(parse("72h  208K 1xYcK0-0000000004p-002q <> *** frozen ***\n"
			       "          MAILER-DAEMON@x\n"
			       "\n"
			       " 3d  1.2K 1xYcK1-0004pt-2q <a b@x> (www-data)\n"
			       "          \"odd user\"@gmail.com\n"
			       "        D y@z\n"
			       "       +D gen@child.example\n"
			       "\n"
			       "-1m  1.2M 1xYcK2-0004pt-2q <s@x>\n"
			       "          a@b\n"
			       "\n"
			       "99m   12M 1xYcK3-0004pt-2q <s@x>\n"
			       "          a@b\n"
			       "\n"
			       " 0m       1xYcK4-0004pt-2q <s@x>\n"
			       "          a@b\n"
			       "\n"
			       "      1xYcK5-0004pt-2q\n"
			       "    *** spool format error: size=14 ***\n"
			       "\n"
			       "      1xYcK6-0004pt-2q <s@x>\n"
			       "    *** spool read error: Permission denied ***\n"
			       "          r@x\n"
			       "\n", &s, &bad), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(s.n, 7);
	assert_string_equal(s.id[0], "1xYcK0-0000000004p-002q");
	assert_true(s.has_sender[0]);
	assert_string_equal(s.sender[0], "");
	assert_int_equal(s.age[0], 72 * 3600);
	assert_int_equal(s.size[0], 208 * 1024);
	assert_int_equal(s.frozen[0], 1);
	assert_string_equal(s.sender[1], "a b@x");
	assert_int_equal(s.age[1], 3 * 86400);
	assert_int_equal(s.size[1], 1229);
	assert_int_equal(s.nrcpts[1], 3);
	assert_int_equal(s.npending[1], 1);
	assert_string_equal(s.rcpt0[1], "\"odd user\"@gmail.com");
	assert_string_equal(s.rcptlast[1], "gen@child.example");
	assert_int_equal(s.generated_last[1], 1);
	assert_int_equal(s.age[2], -60);
	assert_int_equal(s.size[2], 1258291);
	assert_int_equal(s.size[3], 12L * 1024 * 1024);
	assert_int_equal(s.size[4], -1);
	assert_int_equal(s.age[4], 0);
	assert_string_equal(s.id[5], "1xYcK5-0004pt-2q");
	assert_false(s.has_sender[5]);
	assert_int_equal(s.age[5], -1);
	assert_string_equal(s.error[5], "*** spool format error: size=14 ***");
	assert_int_equal(s.nrcpts[5], 0);
	assert_string_equal(s.error[6], "*** spool read error: Permission denied ***");
	assert_int_equal(s.nrcpts[6], 1);
}

static void test_streaming_and_stop(void **state)
{
	struct exim_listing l;
	struct seen s;
	const char *p = sample, *nl;
	size_t fed = 0;

	(void)state;
	memset(&s, 0, sizeof s);
	/* line by line, as from a pipe: a message is handed over when its blank line comes */
	exim_listing_init(&l, record, &s);
	while ((nl = strchr(p, '\n')) != NULL) {
		assert_int_equal(exim_listing_line(&l, p, (size_t)(nl - p) + 1), 0);
		fed++;
		if (fed == 2)
			assert_int_equal(s.n, 0);
		if (fed == 3)
			assert_int_equal(s.n, 1);
		p = nl + 1;
	}
	assert_int_equal(exim_listing_finish(&l), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(l.messages, 3);
	exim_listing_free(&l);

	/* no blank line at the end: finish hands the last one over */
	assert_int_equal(parse(" 3m   246 1xYcK0-0004pt-2q <s@x>\n          a@b", &s, NULL), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.nrcpts[0], 1);
	/* no blank line between two messages */
	assert_int_equal(parse(" 3m   246 1xYcK0-0004pt-2q <s@x>\n          a@b\n 3m   246 1xYcK1-0004pt-2q <s@x>\n"
			       "          c@d\n", &s, NULL), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rcpt0[1], "c@d");

	/* the callback stops the parse: its value comes back, nothing more is handed over */
	memset(&s, 0, sizeof s);
	s.stop_after = 2;
	assert_int_equal(exim_listing_parse(sample, strlen(sample), record, &s, NULL, NULL), 7);
	assert_int_equal(s.n, 2);
	/* an empty queue */
	assert_int_equal(parse("", &s, NULL), 0);
	assert_int_equal(s.n, 0);
}

static void test_bad_lines(void **state)
{
	struct seen s;
	unsigned long long bad;

	(void)state;
	/* an unreadable header: its recipients are not given to anyone */
	assert_int_equal(parse(" 3m   246 1xYcK0-0004pt-2q <s@x>\n          a@b\n\n"
			       " 3m  junk 1xYcK1-0004pt-2q <s@x>\n          stray@x\n\n"
			       "exim: permission denied\n"
			       " 3m   246 1xYcK2-0004pt-2q <s@x> trailing\n"
			       " 3m   246 1xYcK3-0004pt-2q <s@x\n"
			       " 3m   246 1xYcK4-0004pt-2q <s@x>\n          b@c\n          *** not an error\n"
			       "    *** error after recipients ***\n"
			       "    *** second error ***\n\n"
			       "        D \n"
			       " 3m   246 1xYcK5-0004pt-2q-x <s@x>\n", &s, &bad), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.id[0], "1xYcK0-0004pt-2q");
	assert_string_equal(s.id[1], "1xYcK4-0004pt-2q");
	assert_int_equal(s.nrcpts[1], 2);
	assert_string_equal(s.error[1], "*** error after recipients ***");
	assert_int_equal(bad, 8);
}

static void test_many_recipients_and_junk(void **state)
{
	size_t n = EXIM_LISTING_MAX_RCPTS + 5, i, len = 0, cap = n * 24 + 200;
	char *buf = malloc(cap);
	struct seen s;
	unsigned x = 7;
	char junk[400];

	(void)state;
	len += (size_t)snprintf(buf + len, cap - len, " 3m   246 1xYcK0-0004pt-2q <s@x>\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "          u%zu@x\n", i);
	memset(&s, 0, sizeof s);
	assert_int_equal(exim_listing_parse(buf, len, record, &s, NULL, NULL), 0);
	assert_int_equal(s.nrcpts[0], EXIM_LISTING_MAX_RCPTS);
	assert_int_equal(s.dropped[0], 5);
	free(buf);
	/* absurd numbers */
	assert_int_equal(parse("99999999999999999999d 99999999999999999999M 1xYcK0-0004pt-2q <s@x>\n", &s, NULL), 0);
	assert_true(s.age[0] > 0);
	assert_true(s.size[0] > 0);
	/* random bytes */
	for (i = 0; i < 3000; i++) {
		size_t k;

		for (k = 0; k < sizeof junk; k++) {
			x = x * 1103515245u + 12345u;
			junk[k] = (char)(x >> 16);
			if ((junk[k] & 3) == 0)
				junk[k] = " \n<>D*+"[(x >> 8) % 7];
		}
		if (i % 2)
			memcpy(junk, " 3m   246 1xYcK0-0004pt-2q <", 28);
		memset(&s, 0, sizeof s);
		exim_listing_parse(junk, sizeof junk, record, &s, NULL, NULL);
	}
}

static void test_golden_bp(void **state)
{
	size_t len, i, frozen = 0, pending = 0;
	char *buf = test_read_file("tests/golden/exim/bp.txt", &len);
	unsigned long long bad = 1;
	struct seen s;

	(void)state;
	/* tests/golden/exim/bp.txt: exim -bp at the end of the bed's session */
	memset(&s, 0, sizeof s);
	assert_int_equal(exim_listing_parse(buf, len, record, &s, &bad, NULL), 0);
	free(buf);
	assert_int_equal(bad, 0);
	assert_int_equal(s.n, 18);
	for (i = 0; i < s.n; i++) {
		assert_int_equal(s.age[i], 0);
		assert_true(s.size[i] > 200);
		assert_true(s.has_sender[i]);
		frozen += (size_t)s.frozen[i];
		pending += s.npending[i];
	}
	assert_int_equal(frozen, 1);
	assert_int_equal(pending, 17 + 2);
	assert_string_equal(s.id[0], "1xYgNt-0004RA-1H");
	assert_string_equal(s.sender[0], "newsletter@shop.testbed.local");
	assert_int_equal(s.size[0], 417);
	assert_string_equal(s.id[12], "1xYgNu-0004ZB-0n");
	assert_int_equal(s.nrcpts[12], 4);
	assert_int_equal(s.npending[12], 2);
	assert_string_equal(s.rcpt0[12], "m1@accept.example");
	assert_string_equal(s.rcptlast[12], "m4@yahoo.com");
	assert_int_equal(s.delivered_last[12], 0);
	assert_string_equal(s.id[15], "1xYgNv-0004xC-37");
	assert_int_equal(s.frozen[15], 1);
	/* the bounce: sender <>, 1.5K */
	assert_string_equal(s.id[17], "1xYgNw-00055D-1s");
	assert_string_equal(s.sender[17], "");
	assert_int_equal(s.size[17], 1536);
	assert_string_equal(s.rcpt0[17], "giveup@yahoo.com");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_header_forms),
		cmocka_unit_test(test_streaming_and_stop),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_many_recipients_and_junk),
		cmocka_unit_test(test_golden_bp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
