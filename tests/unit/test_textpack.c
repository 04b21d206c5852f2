/* test_textpack - reply texts as templates and variable tokens: exact round trips, shared templates */
#include "tests/unit/testutil.h"

#include "core/history/textpack.h"

#define RELAY "mx1.example.com[192.0.2.7]:25"
#define RCPT "ann@example.com"

/* roundtrip - split then join gives the text back; the template into tpl_out (may be NULL) */
static void roundtrip(const char *text, const char *relay, const char *rcpt, char *tpl_out)
{
	size_t n = strlen(text) + 1, cap = 0;
	char *tpl = malloc(n), *vars = malloc(n), *buf = NULL;

	assert_non_null(tpl);
	assert_non_null(vars);
	assert_int_equal(textpack_split(text, relay, rcpt, tpl, vars), 0);
	assert_int_equal(textpack_join(tpl, vars, relay, rcpt, &buf, &cap), 0);
	assert_string_equal(buf, text);
	if (tpl_out != NULL)
		strcpy(tpl_out, tpl);
	free(tpl);
	free(vars);
	free(buf);
}

static void test_roundtrip_is_exact(void **state)
{
	static const char *const texts[] = {
		"",
		" ",
		"250 2.0.0 OK 1763842856 89b9bfffe8e80-d49c6ba9c01si80623425489y.522 - gsmtp",
		"host mx1.example.com[192.0.2.7] said: 452 4.2.2 <ann@example.com> Quota exceeded (in reply to RCPT TO command)",
		"host mx1.example.com[192.0.2.7] said: host mx1.example.com[192.0.2.7] again ann@example.comann@example.com",
		"connect to mx1.example.com[192.0.2.7]:25: Connection timed out",
		"delivery temporarily suspended: connect to mx.crystal-legal.fr[172.24.39.48]:25: Connection refused",
		"4.7.0 421 5.7.650 2.0.0. 4..7 44 4444 1.2.3 x1 1x [] <> 12345678",
		"trailing digits 42",
		"::::9::::",
		"mx1.example.com[192.0.2.7",	/* the relay cut short */
		"ann@example.co",
		"\xc3\xa9t\xc3\xa9 421 caf\xc3\xa9 9",
		"a1.b.c-d2-.-..9 -1- 1. .1 x.y-2",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		roundtrip(texts[i], RELAY, RCPT, NULL);
		roundtrip(texts[i], NULL, NULL, NULL);
		roundtrip(texts[i], "none", "", NULL);
		roundtrip(texts[i], "]", "a", NULL);
	}
}

static void test_variable_parts_share_a_template(void **state)
{
	char a[256], b[256], c[256];

	(void)state;
	roundtrip("host mx1.example.com[192.0.2.7] said: 452 4.2.2 <ann@example.com> Quota exceeded", RELAY, RCPT, a);
	roundtrip("host mx9.other.org[198.51.100.4] said: 452 4.2.2 <bob@other.org> Quota exceeded",
		  "mx9.other.org[198.51.100.4]:25", "bob@other.org", b);
	assert_string_equal(a, b);
	assert_string_equal(a, "host \002 said: 452 4.2.2 <\003> Quota exceeded");
	roundtrip("250 2.0.0 OK 1763842856 89b9bfffe8e80-d49c6ba9c01si80623425489y.522 - gsmtp", NULL, NULL, a);
	roundtrip("250 2.0.0 OK 1763842999 a9a-bbbb1.7 - gsmtp", NULL, NULL, b);
	assert_string_equal(a, b);
	assert_string_equal(a, "250 2.0.0 OK \001 \001-\001.\001 - gsmtp");
	roundtrip("no digits at all here", NULL, NULL, c);
	assert_string_equal(c, "no digits at all here");
}

static void test_variable_tokens_are_joined(void **state)
{
	char tpl[128], vars[128];

	(void)state;
	assert_int_equal(textpack_split("OK 17 x 9a [10.0.0.1]", NULL, NULL, tpl, vars), 0);
	assert_string_equal(tpl, "OK \001 x \001 [\001.\001.\001.\001]");
	assert_string_equal(vars, "17\0379a\03710\0370\0370\0371");
	assert_int_equal(textpack_split("[DB5PEPF7.eurprd02.prod.outlook.com -x-1 .5. a-]", NULL, NULL, tpl, vars), 0);
	assert_string_equal(tpl, "[\001.\001.prod.outlook.com -x-\001 .\001. a-]");
	assert_string_equal(vars, "DB5PEPF7\037eurprd02\0371\0375");
	assert_int_equal(textpack_split("421 4.7.0 try later", NULL, NULL, tpl, vars), 0);
	assert_string_equal(vars, "");
}

static void test_marker_bytes_are_refused(void **state)
{
	char tpl[64] = "untouched", vars[64] = "untouched";

	(void)state;
	assert_int_equal(textpack_split("bad \001 byte", NULL, NULL, tpl, vars), -1);
	assert_int_equal(textpack_split("bad \037 byte", NULL, NULL, tpl, vars), -1);
	assert_int_equal(textpack_split("\002", NULL, NULL, tpl, vars), -1);
	/* a relay or recipient holding a marker byte is not used as one */
	roundtrip("host ab[1.2.3.4] said xy", "a\001b[1.2.3.4]:25", "x\003y", NULL);
}

static void test_missing_tokens_read_empty(void **state)
{
	char *buf = NULL;
	size_t cap = 0;

	(void)state;
	assert_int_equal(textpack_join("a \001 b \001 c", "x", NULL, NULL, &buf, &cap), 0);
	assert_string_equal(buf, "a x b  c");
	assert_int_equal(textpack_join("\002 \003", NULL, NULL, NULL, &buf, &cap), 0);
	assert_string_equal(buf, " ");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_is_exact),
		cmocka_unit_test(test_variable_parts_share_a_template),
		cmocka_unit_test(test_variable_tokens_are_joined),
		cmocka_unit_test(test_marker_bytes_are_refused),
		cmocka_unit_test(test_missing_tokens_read_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
