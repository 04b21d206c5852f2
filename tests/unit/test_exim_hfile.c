/* test_exim_hfile - Exim -H spool files: the real sample, DSN data, trees, and hostile files */
#include "tests/unit/testutil.h"

#include <errno.h>

#include "core/exim/exim_hfile.h"

/* the sample of EXIM-FACTS.md: SMTP-received, not yet tried */
static const char sample[] =
	"1xYcK0-0004pt-2q-H\n"
	"Debian-exim 999 995\n"
	"<sender@example.org>\n"
	"1796187120 0\n"
	"-received_time_usec .883272\n"
	"-received_time_complete 1796187120.890733\n"
	"--helo_name [127.0.0.1]\n"
	"-host_address [127.0.0.1]:55250\n"
	"-interface_address [127.0.0.1]:7580\n"
	"-received_protocol esmtp\n"
	"-body_linecount 1\n"
	"-max_received_linelength 24\n"
	"-deliver_firsttime\n"
	"-host_lookup_failed\n"
	"-tls_resumption A\n"
	"XX\n"
	"1\n"
	"alice@gmail.com\n"
	"\n"
	"182P Received: from [127.0.0.1]\n";

/* parse - exim_hfile_parse on a NUL-terminated text */
static int parse(const char *text, struct exim_hfile *h, struct why *why)
{
	return exim_hfile_parse(text, strlen(text), h, why);
}

/* expect_error - the text must be refused with a why containing the fragment */
static void expect_error(const char *text, size_t len, const char *fragment)
{
	struct exim_hfile h;
	struct why why = { "" };

	errno = 0;
	if (exim_hfile_parse(text, len, &h, &why) != -1)
		fail_msg("accepted, expected an error with \"%s\"", fragment);
	if (strstr(why.text, fragment) == NULL)
		fail_msg("why \"%s\" lacks \"%s\"", why.text, fragment);
	assert_int_equal(errno, EINVAL);
	assert_null(h.rcpts);
	assert_null(h.sender);
	assert_int_equal(h.nrcpts, 0);
}

/* expect_error_s - expect_error on a NUL-terminated text */
static void expect_error_s(const char *text, const char *fragment)
{
	expect_error(text, strlen(text), fragment);
}

static void test_sample(void **state)
{
	struct exim_hfile h;
	struct why why = { "" };

	(void)state;
	assert_int_equal(parse(sample, &h, &why), 0);
	assert_string_equal(h.id, "1xYcK0-0004pt-2q");
	assert_string_equal(h.sender, "sender@example.org");
	assert_int_equal((long)h.arrival, 1796187120L);
	assert_int_equal(h.warnings, 0);
	assert_int_equal(h.frozen, 0);
	assert_int_equal(h.deliver_firsttime, 1);
	assert_int_equal(h.nrcpts, 1);
	assert_string_equal(h.rcpts[0].address, "alice@gmail.com");
	assert_int_equal(h.rcpts[0].done, 0);
	assert_int_equal(h.npending, 1);
	assert_int_equal(h.nnonrcpts, 0);
	exim_hfile_free(&h);
	assert_null(h.rcpts);
	exim_hfile_free(&h);	/* a no-op on an empty h */
}

static void test_bounce_frozen_dsn_and_tree(void **state)
{
	struct exim_hfile h;
	struct why why = { "" };
	const char *text =
		"1xYcLO-0000000605x-002Q-H\n"
		"Debian exim user -1 -1\n"
		"<>\n"
		"1796187206 2\n"
		"--(pgsql)auth_id x\n"
		"-aclc 0 11\n"
		"two\nlines\n!\n"
		"-aclm _v 0\n"
		"\n"
		"-acl 12 3\n"
		"abc\n"
		"-frozen 1796187300\n"
		"-some_future_option with value\n"
		"YY x3@ACCEPT.example\n"
		"NN a1@gmail.com\n"
		"YN z9@gmail.com\n"
		"NN gen@child.example\n"
		"4\n"
		"x1@gmail.com\n"
		"x3@accept.EXAMPLE  0,24  0,-1#3\n"
		"\"odd user\"@gmail.com rfc822;\"odd user\"@gmail.com 27,8 bounce@errors.example 21,-1#3\n"
		"Z9@gmail.com 3\n"
		"\n";

	(void)state;
	assert_int_equal(parse(text, &h, &why), 0);
	assert_string_equal(h.id, "1xYcLO-0000000605x-002Q");
	assert_string_equal(h.sender, "");
	assert_int_equal(h.warnings, 2);
	assert_int_equal(h.frozen, 1);
	assert_int_equal((long)h.frozen_at, 1796187300L);
	assert_int_equal(h.deliver_firsttime, 0);
	assert_int_equal(h.nrcpts, 4);
	assert_string_equal(h.rcpts[0].address, "x1@gmail.com");
	assert_string_equal(h.rcpts[1].address, "x3@accept.EXAMPLE");
	assert_string_equal(h.rcpts[2].address, "\"odd user\"@gmail.com");
	assert_string_equal(h.rcpts[3].address, "Z9@gmail.com");
	/* x3 is in the tree (domain case-insensitive); Z9 is not z9 (local parts are exact) */
	assert_int_equal(h.rcpts[0].done, 0);
	assert_int_equal(h.rcpts[1].done, 1);
	assert_int_equal(h.rcpts[2].done, 0);
	assert_int_equal(h.rcpts[3].done, 0);
	assert_int_equal(h.npending, 3);
	assert_int_equal(h.nnonrcpts, 4);
	exim_hfile_free(&h);
}

static void test_malformed(void **state)
{
	static const char head[] = "1xYcK0-0004pt-2q-H\nu 1 2\n<s@x>\n1796187120 0\n";
	char buf[4096];

	(void)state;
	expect_error("", 0, "truncated");
	expect_error_s("1xYcK0-0004pt-2q-D\n", "line 1");
	expect_error_s("1xYcK0-0004pt-2qq-H\n", "line 1");
	expect_error_s("../../etc/passwd-H\n", "line 1");
	expect_error_s("1xYcK0-0004pt-2q-H\nu x 2\n", "line 2");
	expect_error_s("1xYcK0-0004pt-2q-H\nu 1 2\ns@x\n", "line 3");
	expect_error_s("1xYcK0-0004pt-2q-H\nu 1 2\n<s@x>\nsoon 0\n", "line 4");
	snprintf(buf, sizeof buf, "%sXX\n1\na@b\n", head);
	expect_error_s(buf, "truncated");	/* no blank line */
	snprintf(buf, sizeof buf, "%sXX\n1\na@b\nb@c\n\n", head);
	expect_error_s(buf, "line 8");	/* more recipients than counted */
	snprintf(buf, sizeof buf, "%sXX\nmany\n", head);
	expect_error_s(buf, "line 6: not a recipient count");
	snprintf(buf, sizeof buf, "%sXX\n99999999999\na@b\n\n", head);
	expect_error_s(buf, "more than the file can hold");
	snprintf(buf, sizeof buf, "%sXX\n3\na@b\n\n", head);
	expect_error_s(buf, "more than the file can hold");
	snprintf(buf, sizeof buf, "%sYY a@b\nNN c@d\n1\na@b\n\n", head);
	expect_error_s(buf, "line 7: not a non-recipients tree node");	/* right child missing */
	snprintf(buf, sizeof buf, "%sQN a@b\n1\na@b\n\n", head);
	expect_error_s(buf, "line 5: not a non-recipients tree node");
	snprintf(buf, sizeof buf, "%sXX\n1\n a@b 1,2#3\n\n", head);
	expect_error_s(buf, "line 7: not a recipient line");
	snprintf(buf, sizeof buf, "%sXX\n1\na@b  99,24  0,-1#3\n\n", head);	/* length beyond the line */
	expect_error_s(buf, "line 7: not a recipient line");
	snprintf(buf, sizeof buf, "%sXX\n1\n\n\n", head);
	expect_error_s(buf, "line 7: not a recipient line");
	snprintf(buf, sizeof buf, "%s-aclc x 100\nshort\nXX\n1\na@b\n\n", head);
	expect_error_s(buf, "ACL variable");
	snprintf(buf, sizeof buf, "%s-aclc x\nXX\n1\na@b\n\n", head);
	expect_error_s(buf, "ACL variable");
	snprintf(buf, sizeof buf, "%s--(quoter x\nXX\n1\na@b\n\n", head);
	expect_error_s(buf, "quoter");
	/* a NUL byte */
	memcpy(buf, "1xYcK0-0004pt-2q-H\nu 1 2\n<s\0x>\n", 32);
	expect_error(buf, 32, "NUL");
}

static void test_every_prefix_is_refused(void **state)
{
	size_t n, len = strlen(sample);
	const char *blank = strstr(sample, "\n\n");
	struct exim_hfile h;
	struct why why;

	(void)state;
	/* a file caught half written is an error (never a partial message), up to the blank line */
	for (n = 0; n <= len; n++) {
		char *copy = malloc(n ? n : 1);
		int rc;

		memcpy(copy, sample, n);
		rc = exim_hfile_parse(copy, n, &h, &why);
		if (n < (size_t)(blank - sample) + 2)
			assert_int_equal(rc, -1);
		else
			assert_int_equal(rc, 0);
		exim_hfile_free(&h);
		free(copy);
	}
}

static void test_deep_and_big_trees(void **state)
{
	static const char head[] = "1xYcK0-0004pt-2q-H\nu 1 2\n<s@x>\n1796187120 0\n";
	size_t cap = 1 << 20, i, len;
	char *buf = malloc(cap);
	struct exim_hfile h;
	struct why why;

	(void)state;
	/* a left-going chain of 100 nodes: refused at depth 64, no recursion */
	len = (size_t)snprintf(buf, cap, "%s", head);
	for (i = 0; i < 100; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s n%zu@x\n", i < 99 ? "YN" : "NN", i);
	len += (size_t)snprintf(buf + len, cap - len, "1\na@b\n\n");
	assert_int_equal(exim_hfile_parse(buf, len, &h, &why), -1);
	assert_non_null(strstr(why.text, "deeper than 64"));

	/* a right-going chain of 60: fine */
	len = (size_t)snprintf(buf, cap, "%s", head);
	for (i = 0; i < 60; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s n%zu@x\n", i < 59 ? "NY" : "NN", i);
	len += (size_t)snprintf(buf + len, cap - len, "2\nn7@X\nm@x\n\n");
	assert_int_equal(exim_hfile_parse(buf, len, &h, &why), 0);
	assert_int_equal(h.nnonrcpts, 60);
	assert_int_equal(h.npending, 1);
	assert_int_equal(h.rcpts[0].done, 1);
	exim_hfile_free(&h);

	/* a complete tree of 2^14 - 1 nodes (depth 14) and as many recipients, half of them done */
	{
		size_t nodes = (1u << 14) - 1, stack[64], top = 0, next = 0;

		len = (size_t)snprintf(buf, cap, "%s", head);
		stack[top++] = 0;	/* heap-numbered nodes, preorder */
		while (top) {
			size_t k = stack[--top], l = 2 * k + 1, r = 2 * k + 2;

			len += (size_t)snprintf(buf + len, cap - len, "%c%c r%zu@d\n", l < nodes ? 'Y' : 'N',
						r < nodes ? 'Y' : 'N', k);
			if (r < nodes)
				stack[top++] = r;
			if (l < nodes)
				stack[top++] = l;
			next++;
		}
		assert_int_equal(next, nodes);
		len += (size_t)snprintf(buf + len, cap - len, "%zu\n", 2 * nodes);
		for (i = 0; i < nodes; i++)
			len += (size_t)snprintf(buf + len, cap - len, "r%zu@D\ns%zu@d\n", i, i);
		len += (size_t)snprintf(buf + len, cap - len, "\n");
		assert_true(len < cap);
		assert_int_equal(exim_hfile_parse(buf, len, &h, &why), 0);
		assert_int_equal(h.nrcpts, 2 * nodes);
		assert_int_equal(h.npending, nodes);
		assert_int_equal(h.rcpts[0].done, 1);
		assert_int_equal(h.rcpts[1].done, 0);
		exim_hfile_free(&h);
	}
	free(buf);
}

static void test_binary_junk(void **state)
{
	char junk[600];
	struct exim_hfile h;
	struct why why;
	unsigned x = 99;
	size_t i, round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		size_t start = round % 2 ? strlen(sample) - 40 : 0;

		if (start)
			memcpy(junk, sample, start);
		for (i = start; i < sizeof junk; i++) {
			x = x * 1103515245u + 12345u;
			junk[i] = (char)(x >> 16);
			if ((junk[i] & 3) == 0)
				junk[i] = "\nYN #,0 "[(x >> 8) & 7];
		}
		if (exim_hfile_parse(junk, sizeof junk, &h, &why) == 0)
			exim_hfile_free(&h);
	}
}

/* golden - parse tests/golden/exim/NAME (a real -H file of the Exim 4.96 bed) into h */
static void golden(const char *name, struct exim_hfile *h)
{
	char path[256];
	size_t len;
	char *buf;
	struct why why = { "" };

	snprintf(path, sizeof path, "tests/golden/exim/%s", name);
	buf = test_read_file(path, &len);
	if (exim_hfile_parse(buf, len, h, &why) != 0)
		fail_msg("%s: %s", name, why.text);
	free(buf);
}

static void test_golden_files(void **state)
{
	struct exim_hfile h;

	(void)state;
	/* IDs from capture-info.txt, recipients and D marks as in bp.txt */
	golden("queued-local-H", &h);
	assert_string_equal(h.id, "1xYgNt-0004Rm-1X");
	assert_string_equal(h.sender, "plain@testbed.local");
	assert_int_equal((long)h.arrival, 1796202737L);
	assert_int_equal(h.deliver_firsttime, 1);
	assert_int_equal(h.frozen, 0);
	assert_int_equal(h.nrcpts, 1);
	assert_string_equal(h.rcpts[0].address, "user@gmail.com");
	assert_int_equal(h.npending, 1);
	exim_hfile_free(&h);

	golden("deferred-smtp-H", &h);
	assert_string_equal(h.id, "1xYgNt-0004Rv-1a");
	assert_string_equal(h.sender, "smtp@testbed.local");
	assert_int_equal(h.deliver_firsttime, 0);
	assert_string_equal(h.rcpts[0].address, "alice@gmail.com");
	exim_hfile_free(&h);

	golden("multi-rcpt-two-delivered-H", &h);
	assert_string_equal(h.id, "1xYgNu-0004ZB-0n");
	assert_int_equal(h.nrcpts, 4);
	assert_int_equal(h.nnonrcpts, 2);
	assert_int_equal(h.npending, 2);
	assert_string_equal(h.rcpts[0].address, "m1@accept.example");
	assert_int_equal(h.rcpts[0].done, 1);
	assert_int_equal(h.rcpts[1].done, 0);
	assert_string_equal(h.rcpts[2].address, "m3@accept.example");
	assert_int_equal(h.rcpts[2].done, 1);
	assert_string_equal(h.rcpts[3].address, "m4@yahoo.com");
	assert_int_equal(h.rcpts[3].done, 0);
	exim_hfile_free(&h);

	golden("frozen-H", &h);
	assert_string_equal(h.id, "1xYgNv-0004xC-37");
	assert_int_equal(h.frozen, 1);
	assert_int_equal((long)h.frozen_at, 1796202739L);
	assert_int_equal(h.deliver_firsttime, 1);
	assert_string_equal(h.rcpts[0].address, "frozen@gmail.com");
	exim_hfile_free(&h);

	golden("bounce-H", &h);
	assert_string_equal(h.id, "1xYgNw-00055D-1s");
	assert_string_equal(h.sender, "");
	assert_int_equal((long)h.arrival, 1796202740L);
	assert_string_equal(h.rcpts[0].address, "giveup@yahoo.com");
	assert_int_equal(h.npending, 1);
	exim_hfile_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_bounce_frozen_dsn_and_tree),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_every_prefix_is_refused),
		cmocka_unit_test(test_deep_and_big_trees),
		cmocka_unit_test(test_binary_junk),
		cmocka_unit_test(test_golden_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
