/* test_deferlog - Postfix defer logfiles: blocks, long values cut with a mark, long recipients kept */
#include "tests/unit/testutil.h"

#include "core/postfix/deferlog.h"

struct got {
	char rcpt[8192], status[64], reason[8192];
	int n;
};

/* take - keep the last block handed out */
static int take(void *ctx, const char *recipient, const char *status, const char *reason)
{
	struct got *g = ctx;

	snprintf(g->rcpt, sizeof g->rcpt, "%s", recipient);
	snprintf(g->status, sizeof g->status, "%s", status);
	snprintf(g->reason, sizeof g->reason, "%s", reason);
	g->n++;
	return 0;
}

/* block - a defer log block for rcpt with reason */
static char *block(const char *rcpt, const char *reason)
{
	size_t n = strlen(rcpt) * 4 + strlen(reason) * 2 + 256;
	char *buf = malloc(n);

	snprintf(buf, n, "<%s>: %s\n\nrecipient=%s\noffset=120\ndsn_orig_rcpt=rfc822;%s\norig_rcpt=%s\n"
		 "status=4.7.28\naction=delayed\nreason=%s\n\n", rcpt, reason, rcpt, rcpt, rcpt, reason);
	return buf;
}

static void test_plain_block(void **state)
{
	struct got g = { .n = 0 };
	char *b = block("u7@gmail.com", "host x[1.2.3.4] said: 421 4.7.28 rate limited");

	(void)state;
	deferlog_parse(b, strlen(b), take, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rcpt, "u7@gmail.com");
	assert_string_equal(g.status, "4.7.28");
	assert_string_equal(g.reason, "host x[1.2.3.4] said: 421 4.7.28 rate limited");
	free(b);
}

/* #17: a record over 4 KiB keeps its recipient whole and its reason, cut with a mark */
static void test_long_values(void **state)
{
	struct got g = { .n = 0 };
	char *local = malloc(1501), *rcpt = malloc(1600), *reason = malloc(6010), *b;

	(void)state;
	memset(local, 'a', 1500);
	local[1500] = '\0';
	snprintf(rcpt, 1600, "%s@gmail.com", local);
	strcpy(reason, "host x[1.2.3.4] said: 421 4.7.28 ");
	while (strlen(reason) < 6000)
		strcat(reason, "\xc3\xa9");	/* two-byte characters: a cut must not split one */
	b = block(rcpt, reason);
	deferlog_parse(b, strlen(b), take, &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rcpt, rcpt);	/* whole: it must equal the queue file's address */
	assert_string_equal(g.status, "4.7.28");
	assert_true(strlen(g.reason) < DEFERLOG_VALUE_MAX);
	assert_true(strlen(g.reason) > DEFERLOG_VALUE_MAX - 20);
	assert_memory_equal(g.reason, reason, 30);
	assert_string_equal(g.reason + strlen(g.reason) - strlen(DEFERLOG_TRUNCATED), DEFERLOG_TRUNCATED);
	assert_int_equal((unsigned char)g.reason[strlen(g.reason) - strlen(DEFERLOG_TRUNCATED) - 1], 0xa9);
	free(b);
	free(local);
	free(rcpt);
	free(reason);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_block),
		cmocka_unit_test(test_long_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
