/* test_qfile - Postfix queue file reader against real queue files and postqueue -j
 *
 * tests/golden/qfile/NAME are real queue files from a Postfix 3.7 test bed,
 * NAME.json the `postqueue -j` line for each, taken at the same moment.
 * Git keeps no group-execute bit, so the qfile_read test copies each file
 * to a private directory with mode 0700, plus 0010 when the JSON says
 * forced_expire (what `postsuper -e` sets). Synthetic files built here cover
 * what the bed does not produce: pointer records, padding, deleted
 * recipients, malformed records. Every prefix of every fixture, bit-flipped
 * fixtures and random garbage must give -1 or a sane result, never a crash
 * (run under build-asan/ too).
 */
#include "tests/unit/testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/postfix/qfile.h"

#define FIXDIR "tests/golden/qfile/"

static const char *fixtures[] = {
	"deferred-single",	/* one recipient, deferred */
	"multi-done",		/* 3 recipients, the middle one delivered (D) */
	"hold",			/* postsuper -h */
	"null-sender",		/* sendmail -f '' */
	"extracted",		/* sendmail -t: recipients after the content, one done */
	"quoted",		/* "john doe"@ and a..b@: quoted local parts */
	"long-lines",		/* multi-byte record lengths, L records */
	"smtpd",		/* through smtpd: many A records */
	"forced-expire",	/* postsuper -e (mode 0710) */
};
#define NFIXTURES (sizeof fixtures / sizeof fixtures[0])

/* fixture - a fixture's queue file */
static char *fixture(const char *name, size_t *lenp)
{
	char path[256];

	snprintf(path, sizeof path, FIXDIR "%s", name);
	return test_read_file(path, lenp);
}

/* fixture_json - a fixture's postqueue -j line */
static json_t *fixture_json(const char *name)
{
	char path[256];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof path, FIXDIR "%s.json", name);
	j = json_load_file(path, 0, &err);
	if (j == NULL)
		fail_msg("%s: %s", path, err.text);
	return j;
}

/* cmp_str - qsort comparator for C strings */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* assert_matches_json - sender, arrival, size, (forced_expire) and pending recipients as postqueue -j */
static void assert_matches_json(const char *name, const struct qfile_info *qi, json_t *j,
				int check_expire)
{
	const char *sender = json_string_value(json_object_get(j, "sender"));
	json_t *rcpts = json_object_get(j, "recipients");
	size_t n = json_array_size(rcpts), i;
	const char **want, **got;

	assert_non_null(sender);
	/* qfile gives "" for the null sender where postqueue says MAILER-DAEMON */
	assert_string_equal(qi->sender, strcmp(sender, "MAILER-DAEMON") == 0 ? "" : sender);
	assert_int_equal(qi->arrival, json_integer_value(json_object_get(j, "arrival_time")));
	assert_int_equal(qi->message_size, json_integer_value(json_object_get(j, "message_size")));
	if (check_expire)
		assert_int_equal(qi->forced_expire, json_is_true(json_object_get(j, "forced_expire")));
	if (qi->nrcpts != n)
		fail_msg("%s: %zu recipients, postqueue lists %zu", name, qi->nrcpts, n);
	/* postqueue lists the defer log's recipients first: compare as sets */
	want = calloc(n + 1, sizeof *want);
	got = calloc(n + 1, sizeof *got);
	assert_true(want && got);
	for (i = 0; i < n; i++) {
		want[i] = json_string_value(json_object_get(json_array_get(rcpts, i), "address"));
		got[i] = qi->rcpts[i].address;
		assert_non_null(want[i]);
	}
	qsort(want, n, sizeof *want, cmp_str);
	qsort(got, n, sizeof *got, cmp_str);
	for (i = 0; i < n; i++)
		assert_string_equal(got[i], want[i]);
	free(want);
	free(got);
}

static void test_fixtures_parse(void **state)
{
	size_t k, len;

	(void)state;
	for (k = 0; k < NFIXTURES; k++) {
		struct qfile_info qi;
		struct why why = { "" };
		char *buf = fixture(fixtures[k], &len);
		json_t *j = fixture_json(fixtures[k]);

		if (qfile_parse(buf, len, &qi, &why) != 0)
			fail_msg("%s: %s", fixtures[k], why.text);
		assert_matches_json(fixtures[k], &qi, j, 0);
		assert_int_equal(qi.forced_expire, 0);	/* only the file mode says so */
		qfile_info_free(&qi);
		json_decref(j);
		free(buf);
	}
}

static void test_fixtures_read(void **state)
{
	char dir[] = "/tmp/test_qfile.XXXXXX", path[512];
	size_t k, len;
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	for (k = 0; k < NFIXTURES; k++) {
		struct qfile_info qi;
		struct why why = { "" };
		char *buf = fixture(fixtures[k], &len);
		json_t *j = fixture_json(fixtures[k]);
		int fd;

		snprintf(path, sizeof path, "%s/%s", dir, fixtures[k]);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, buf, len), (ssize_t)len);
		assert_int_equal(fchmod(fd, json_is_true(json_object_get(j, "forced_expire")) ? 0710 : 0700), 0);
		close(fd);
		if (qfile_read(dfd, fixtures[k], &qi, &why) != 0)
			fail_msg("%s: %s", fixtures[k], why.text);
		assert_matches_json(fixtures[k], &qi, j, 1);
		qfile_info_free(&qi);
		unlink(path);
		json_decref(j);
		free(buf);
	}
	close(dfd);
	rmdir(dir);
}

static void test_fixture_details(void **state)
{
	struct qfile_info qi;
	struct why why = { "" };
	size_t len;
	char *buf;

	(void)state;
	/* sendmail a@ u1@gmail u2@accept u3@yahoo: u2 delivered, D record */
	buf = fixture("multi-done", &len);
	assert_int_equal(qfile_parse(buf, len, &qi, &why), 0);
	assert_string_equal(qi.sender, "a@testbed.local");
	assert_int_equal(qi.nrcpts, 2);
	assert_string_equal(qi.rcpts[0].address, "u1@gmail.com");
	assert_string_equal(qi.rcpts[0].orig_address, "u1@gmail.com");
	assert_string_equal(qi.rcpts[1].address, "u3@yahoo.com");
	qfile_info_free(&qi);
	assert_null(qi.rcpts);
	free(buf);

	/* sendmail -t: the recipients live after the message content */
	buf = fixture("extracted", &len);
	assert_int_equal(qfile_parse(buf, len, &qi, &why), 0);
	assert_int_equal(qi.nrcpts, 2);
	assert_string_equal(qi.rcpts[0].address, "x1@gmail.com");
	assert_string_equal(qi.rcpts[1].address, "x3@greylist.example");
	qfile_info_free(&qi);
	free(buf);

	buf = fixture("null-sender", &len);
	assert_int_equal(qfile_parse(buf, len, &qi, &why), 0);
	assert_string_equal(qi.sender, "");
	qfile_info_free(&qi);
	free(buf);
}

/* every proper prefix of every fixture is a truncated file: -1 and a reason */
static void test_truncation_every_offset(void **state)
{
	size_t k, len, cut;

	(void)state;
	for (k = 0; k < NFIXTURES; k++) {
		char *buf = fixture(fixtures[k], &len);

		for (cut = 0; cut < len; cut++) {
			struct qfile_info qi;
			struct why why = { "" };
			char *part = malloc(cut ? cut : 1);

			assert_non_null(part);
			memcpy(part, buf, cut);
			if (qfile_parse(part, cut, &qi, &why) != -1)
				fail_msg("%s cut at %zu: parsed", fixtures[k], cut);
			assert_true(why.text[0] != 0);
			assert_null(qi.sender);
			assert_null(qi.rcpts);
			assert_int_equal(qi.nrcpts, 0);
			free(part);
		}
		free(buf);
	}
}

/* rnd - deterministic xorshift, so a failure can be replayed */
static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* parse_sane - parse buf; either -1 or a result whose strings are all there */
static void parse_sane(const char *buf, size_t len)
{
	struct qfile_info qi;
	struct why why = { "" };
	size_t i;

	if (qfile_parse(buf, len, &qi, &why) != 0) {
		assert_true(why.text[0] != 0);
		assert_null(qi.sender);
		return;
	}
	assert_non_null(qi.sender);
	assert_true(strlen(qi.sender) <= 2 * len + 2);
	assert_true(qi.message_size >= 0);
	for (i = 0; i < qi.nrcpts; i++) {
		assert_non_null(qi.rcpts[i].address);
		assert_true(strlen(qi.rcpts[i].address) <= 2 * len + 2);
		if (qi.rcpts[i].orig_address)
			assert_true(strlen(qi.rcpts[i].orig_address) <= 2 * len + 2);
	}
	qfile_info_free(&qi);
}

static void test_bit_flips(void **state)
{
	size_t k, len, round, n;

	(void)state;
	for (k = 0; k < NFIXTURES; k++) {
		char *orig = fixture(fixtures[k], &len);
		char *buf = malloc(len);

		assert_non_null(buf);
		for (round = 0; round < 3000; round++) {
			memcpy(buf, orig, len);
			for (n = 1 + rnd() % 4; n > 0; n--) {
				size_t at = rnd() % len;

				/* mostly near the envelope, where the structure is */
				if (rnd() & 1)
					at %= len < 400 ? len : 400;
				if (rnd() & 1)
					buf[at] = (char)rnd();
				else
					buf[at] = (char)(buf[at] ^ (1 << (rnd() % 8)));
			}
			parse_sane(buf, len);
		}
		free(buf);
		free(orig);
	}
}

static void test_random_garbage(void **state)
{
	static const char types[] = "CTSRODw/pMXNLEAFWK";
	size_t round, len, i;

	(void)state;
	/* plain noise */
	for (round = 0; round < 20000; round++) {
		char *buf;

		len = rnd() % 2048;
		buf = malloc(len ? len : 1);
		assert_non_null(buf);
		for (i = 0; i < len; i++)
			buf[i] = (char)rnd();
		parse_sane(buf, len);
		free(buf);
	}
	/* record-shaped noise: real types, short lengths, pointers anywhere */
	for (round = 0; round < 20000; round++) {
		char *buf;
		size_t cap = 64 + rnd() % 1024;

		buf = malloc(cap);
		assert_non_null(buf);
		for (len = 0; len + 20 < cap;) {
			char t = types[rnd() % (sizeof types - 1)];
			size_t dl = rnd() % 12;

			buf[len++] = t;
			if (t == 'p') {
				buf[len++] = 15;
				snprintf(buf + len, 16, "%15u", (unsigned)(rnd() % (cap + 8)));
				len += 15;
				continue;
			}
			buf[len++] = (char)dl;
			for (i = 0; i < dl; i++)
				buf[len++] = (char)(rnd() & 1 ? 'a' + rnd() % 26 : rnd() % 64 + ' ');
		}
		parse_sane(buf, len);
		free(buf);
	}
}

/* qb - a queue file builder for synthetic cases */
struct qb {
	char buf[16384];
	size_t len;
};

/* qb_rec - append a record of dlen bytes; its offset */
static size_t qb_rec(struct qb *q, int type, const void *data, size_t dlen)
{
	size_t at = q->len, n = dlen;

	assert_true(q->len + dlen + 8 < sizeof q->buf);
	q->buf[q->len++] = (char)type;
	do {
		unsigned char b = n & 0x7f;

		if (n >>= 7)
			b |= 0x80;
		q->buf[q->len++] = (char)b;
	} while (n);
	memcpy(q->buf + q->len, data, dlen);
	q->len += dlen;
	return at;
}

/* qb_str - append a record holding a string */
static size_t qb_str(struct qb *q, int type, const char *s)
{
	return qb_rec(q, type, s, strlen(s));
}

/* qb_ptr - append a pointer record to target (patch later with qb_patch) */
static size_t qb_ptr(struct qb *q, long target)
{
	char tmp[32];

	snprintf(tmp, sizeof tmp, "%15ld", target);
	return qb_rec(q, 'p', tmp, 15);
}

/* qb_patch - point the pointer record at `at` to target */
static void qb_patch(struct qb *q, size_t at, long target)
{
	char tmp[32];

	snprintf(tmp, sizeof tmp, "%15ld", target);
	memcpy(q->buf + at + 2, tmp, 15);
}

/* qb_size - append a C record with the given content size */
static size_t qb_size(struct qb *q, long size)
{
	char tmp[100];

	snprintf(tmp, sizeof tmp, "%15ld %15ld %15ld %15ld %15ld %15ld", size, 0L, 1L, 0L, size, 0L);
	return qb_rec(q, 'C', tmp, strlen(tmp));
}

/* parse_ok - parse a builder's file, which must succeed */
static void parse_ok(struct qb *q, struct qfile_info *qi)
{
	struct why why = { "" };

	if (qfile_parse(q->buf, q->len, qi, &why) != 0)
		fail_msg("%s", why.text);
}

/* parse_fails - parse a builder's file, which must fail with a reason containing `text` */
static void parse_fails(struct qb *q, const char *text)
{
	struct qfile_info qi;
	struct why why = { "" };

	assert_int_equal(qfile_parse(q->buf, q->len, &qi, &why), -1);
	assert_int_equal(errno, EINVAL);
	if (strstr(why.text, text) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", text, why.text);
	assert_null(qi.sender);
}

static void test_pointer_records(void **state)
{
	struct qb q = { .len = 0 };
	struct qfile_info qi;
	size_t c, ptr, m, x, heap, back;

	(void)state;
	c = qb_size(&q, 0);
	qb_str(&q, 'T', "1700000000 12345");
	qb_ptr(&q, 0);				/* placeholder */
	qb_str(&q, 'S', "s@example.com");
	qb_str(&q, 'R', "a@example.com");
	ptr = qb_ptr(&q, 0);			/* cleanup's slot for appended recipients */
	m = qb_str(&q, 'M', "");
	qb_str(&q, 'N', "Subject: x");
	qb_str(&q, 'N', "");
	qb_str(&q, 'N', "body");
	x = qb_str(&q, 'X', "");
	qb_str(&q, 'E', "");
	/* the heap after the end record, as a milter's added recipients */
	heap = qb_str(&q, 'O', "orig-b@example.com");
	qb_str(&q, 'R', "b@example.com");
	qb_str(&q, 'w', "padding");
	qb_str(&q, 'R', "c@example.com");
	back = qb_ptr(&q, 0);
	qb_patch(&q, ptr, (long)heap);
	qb_patch(&q, back, (long)(ptr + 17));
	{	/* now the content size, between M and X */
		char tmp[100];

		snprintf(tmp, sizeof tmp, "%15ld %15ld %15ld %15ld %15ld %15ld",
			 (long)(x - (m + 2)), (long)(m + 2), 3L, 0L, 0L, 0L);
		memcpy(q.buf + c + 2, tmp, strlen(tmp));
	}
	parse_ok(&q, &qi);
	assert_int_equal(qi.arrival, 1700000000);
	assert_int_equal(qi.message_size, (long)(x - (m + 2)));
	assert_int_equal(qi.nrcpts, 3);
	assert_string_equal(qi.rcpts[0].address, "a@example.com");
	assert_null(qi.rcpts[0].orig_address);
	assert_string_equal(qi.rcpts[1].address, "b@example.com");
	assert_string_equal(qi.rcpts[1].orig_address, "orig-b@example.com");
	assert_string_equal(qi.rcpts[2].address, "c@example.com");
	qfile_info_free(&qi);

	/* a pointer back to itself */
	qb_patch(&q, back, (long)back);
	parse_fails(&q, "pointer loop");
	/* past the end of the file */
	qb_patch(&q, back, (long)q.len + 10);
	parse_fails(&q, "past the end");
	/* not a number */
	memcpy(q.buf + back + 2, "          12x34", 15);
	parse_fails(&q, "bad pointer record");
}

static void test_content_skip(void **state)
{
	struct qb q = { .len = 0 };
	struct qfile_info qi;
	size_t c, m, x;

	(void)state;
	c = qb_size(&q, 0);
	qb_str(&q, 'T', "1700000001 0");
	qb_str(&q, 'S', "s@example.com");
	qb_str(&q, 'R', "a@example.com");
	m = qb_str(&q, 'M', "");
	/* not records at all: only the jump over the content gets past them */
	memcpy(q.buf + q.len, "\xff\xff\xff\xff\xff\xff R\x03zz@", 13);
	q.len += 13;
	x = qb_str(&q, 'X', "");
	qb_str(&q, 'R', "extracted@example.com");
	qb_str(&q, 'E', "");
	{
		char tmp[32];

		snprintf(tmp, sizeof tmp, "%15ld", (long)(x - (m + 2)));
		memcpy(q.buf + c + 2, tmp, 15);
	}
	parse_ok(&q, &qi);
	assert_int_equal(qi.message_size, 13);
	assert_int_equal(qi.nrcpts, 2);
	assert_string_equal(qi.rcpts[1].address, "extracted@example.com");
	qfile_info_free(&qi);

	/* content size running past the end: truncated */
	memcpy(q.buf + c + 2, "           9999", 15);
	parse_fails(&q, "truncated");

	/* a malformed size record: showq uses the file size and walks the content */
	q.len = 0;
	qb_str(&q, 'C', "12x");
	qb_str(&q, 'T', "1700000001 0");
	qb_str(&q, 'S', "s@example.com");
	qb_str(&q, 'M', "");
	qb_str(&q, 'N', "Subject: y");
	qb_str(&q, 'L', "long line part");
	qb_str(&q, 'N', "rest");
	qb_str(&q, 'X', "");
	qb_str(&q, 'R', "x@example.com");
	qb_str(&q, 'E', "");
	parse_ok(&q, &qi);
	assert_int_equal(qi.message_size, (long)q.len);
	assert_int_equal(qi.nrcpts, 1);
	qfile_info_free(&qi);
}

static void test_done_and_deleted(void **state)
{
	struct qb q = { .len = 0 };
	struct qfile_info qi;

	(void)state;
	qb_size(&q, 0);
	qb_str(&q, 'T', "0 0");			/* zero: the next non-zero one counts */
	qb_str(&q, 'T', "1700000002 5");
	qb_str(&q, 'T', "1800000000 5");	/* only the first non-zero */
	qb_str(&q, 'S', "s@example.com");
	qb_str(&q, 'O', "o1@example.com");
	qb_str(&q, 'D', "done@example.com");
	qb_str(&q, 'R', "r1@example.com");	/* the O went with the D */
	qb_str(&q, 'O', "o2@example.com");
	qb_str(&q, '/', "deleted@example.com");
	qb_str(&q, 'K', "killed");
	qb_str(&q, 'A', "dsn_orig_rcpt=rfc822;x");
	qb_str(&q, 'O', "o3@example.com");
	qb_str(&q, 'R', "r2@example.com");
	qb_str(&q, 'M', "");
	qb_str(&q, 'X', "");
	qb_str(&q, 'E', "");
	qb_str(&q, 'R', "after-end@example.com");	/* never read */
	parse_ok(&q, &qi);
	assert_int_equal(qi.arrival, 1700000002);
	assert_int_equal(qi.nrcpts, 2);
	assert_string_equal(qi.rcpts[0].address, "r1@example.com");
	assert_null(qi.rcpts[0].orig_address);
	assert_string_equal(qi.rcpts[1].address, "r2@example.com");
	assert_string_equal(qi.rcpts[1].orig_address, "o3@example.com");
	qfile_info_free(&qi);
}

static void test_sender_rules(void **state)
{
	struct qb q = { .len = 0 };
	struct qfile_info qi;

	(void)state;
	/* a second sender ends the listing, as in showq */
	qb_size(&q, 0);
	qb_str(&q, 'S', "s@example.com");
	qb_str(&q, 'R', "r1@example.com");
	qb_str(&q, 'S', "other@example.com");
	qb_str(&q, 'R', "r2@example.com");
	qb_str(&q, 'E', "");
	parse_ok(&q, &qi);
	assert_string_equal(qi.sender, "s@example.com");
	assert_int_equal(qi.arrival, 0);		/* no time record */
	assert_int_equal(qi.nrcpts, 1);
	qfile_info_free(&qi);

	q.len = 0;
	qb_str(&q, 'R', "r1@example.com");
	qb_str(&q, 'S', "s@example.com");
	qb_str(&q, 'E', "");
	parse_fails(&q, "before the sender");

	q.len = 0;
	qb_str(&q, 'T', "1700000000 0");
	qb_str(&q, 'E', "");
	parse_fails(&q, "no sender");

	q.len = 0;
	qb_str(&q, 'S', "s@example.com");
	parse_fails(&q, "no end record");
}

static void test_lengths(void **state)
{
	struct qb q = { .len = 0 };
	struct qfile_info qi;
	char addr[400];

	(void)state;
	memset(addr, 'l', sizeof addr);
	memcpy(addr + sizeof addr - 12, "@example.com", 12);
	qb_size(&q, 0);
	qb_str(&q, 'S', "s@example.com");
	qb_rec(&q, 'R', addr, sizeof addr);		/* 2-byte length */
	qb_str(&q, 'E', "");
	parse_ok(&q, &qi);
	assert_int_equal(strlen(qi.rcpts[0].address), sizeof addr);
	qfile_info_free(&qi);

	/* a length field of 6 bytes */
	q.len = 0;
	qb_str(&q, 'S', "s@example.com");
	memcpy(q.buf + q.len, "R\x80\x80\x80\x80\x80\x01", 7);
	q.len += 7;
	parse_fails(&q, "length field");

	/* a huge length */
	q.len = 0;
	qb_str(&q, 'S', "s@example.com");
	memcpy(q.buf + q.len, "R\xff\xff\xff\xff\x0f", 6);
	q.len += 6;
	parse_fails(&q, "truncated");
}

/* ext - the external form qfile gives for an envelope address */
static void assert_ext(const char *raw, size_t rawlen, const char *want)
{
	struct qb q = { .len = 0 };
	struct qfile_info qi;

	qb_rec(&q, 'S', raw, rawlen);
	qb_rec(&q, 'R', raw, rawlen);
	qb_str(&q, 'E', "");
	parse_ok(&q, &qi);
	assert_string_equal(qi.sender, want);
	assert_string_equal(qi.rcpts[0].address, want);
	qfile_info_free(&qi);
}
#define EXT(raw, want) assert_ext(raw, sizeof raw - 1, want)

static void test_external_form(void **state)
{
	(void)state;
	EXT("user@example.com", "user@example.com");
	EXT("first.last+tag@example.com", "first.last+tag@example.com");
	EXT("postmaster", "postmaster");
	EXT("", "");
	EXT("john doe@gmail.com", "\"john doe\"@gmail.com");	/* as the bed's postqueue */
	EXT("a..b@yahoo.com", "\"a..b\"@yahoo.com");
	EXT(".a@x", "\".a\"@x");
	EXT("a.@x", "\"a.\"@x");
	EXT("a\"b\\c@x", "\"a\\\"b\\\\c\"@x");
	EXT("a@b@x", "\"a@b\"@x");
	EXT("@r1,@r2:u v@d", "@r1,@r2:\"u v\"@d");
	EXT("a\001b@x", "\"a?b\"@x");			/* control: quoted, then masked */
	EXT("j\xc3\xb6rg@x", "j\xc3\xb6rg@x");		/* UTF-8 kept */
	EXT("a\xff@x", "a?@x");				/* not UTF-8 */
	EXT("ab\0cd@x", "ab");				/* C string, as Postfix reads it */
}

static void test_read_errors(void **state)
{
	char dir[] = "/tmp/test_qfile.XXXXXX", path[512];
	struct qfile_info qi;
	struct why why = { "" };
	struct qb q = { .len = 0 };
	struct timeval tv[2] = { { 1600000000, 0 }, { 1600000000, 0 } };
	int dfd, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);

	errno = 0;
	assert_int_equal(qfile_read(dfd, "ABCDEF123", &qi, &why), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(why.text, "ABCDEF123"));

	/* no time record: arrival is the file's mtime; no size record: the file size */
	qb_str(&q, 'S', "s@example.com");
	qb_str(&q, 'R', "r@example.com");
	qb_str(&q, 'E', "");
	snprintf(path, sizeof path, "%s/NOTIME", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, q.buf, q.len), (ssize_t)q.len);
	close(fd);
	assert_int_equal(utimes(path, tv), 0);
	assert_int_equal(qfile_read(dfd, "NOTIME", &qi, &why), 0);
	assert_int_equal(qi.arrival, 1600000000);
	assert_int_equal(qi.message_size, (long)q.len);
	assert_int_equal(qi.forced_expire, 0);
	qfile_info_free(&qi);

	/* mode 0600: cleanup still writing it */
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(qfile_read(dfd, "NOTIME", &qi, &why), -1);
	assert_int_equal(errno, EAGAIN);
	unlink(path);

	/* truncated on disk: EINVAL, the name in the message */
	snprintf(path, sizeof path, "%s/SHORT", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, q.buf, q.len - 3), (ssize_t)q.len - 3);
	close(fd);
	assert_int_equal(qfile_read(dfd, "SHORT", &qi, &why), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(why.text, "SHORT: truncated"));
	unlink(path);

	/* a directory is not a queue file */
	snprintf(path, sizeof path, "%s/SUB", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(qfile_read(dfd, "SUB", &qi, &why), -1);
	assert_int_equal(errno, EINVAL);
	rmdir(path);

	close(dfd);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_parse),
		cmocka_unit_test(test_fixtures_read),
		cmocka_unit_test(test_fixture_details),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_random_garbage),
		cmocka_unit_test(test_pointer_records),
		cmocka_unit_test(test_content_skip),
		cmocka_unit_test(test_done_and_deleted),
		cmocka_unit_test(test_sender_rules),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_external_form),
		cmocka_unit_test(test_read_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
