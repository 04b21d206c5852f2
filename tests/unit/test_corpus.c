/* test_corpus - corpus files, honest folds (leave one source out) and the shipped corpus */
#include "tests/unit/testutil.h"

#include <unistd.h>

#include "core/classify/classify.h"
#include "core/classify/corpus.h"

/* write_tmp - write text to a temporary file named after tag, return its path (static buffer) */
static const char *write_tmp(const char *tag, const char *text)
{
	static char path[2][64];
	static int turn;
	char *p = path[turn++ & 1];
	int fd;

	snprintf(p, 64, "/tmp/mqmon-test-%s-XXXXXX", tag);
	fd = mkstemp(p);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return p;
}

static void test_load_and_errors(void **state)
{
	const char *path = write_tmp("corpus",
		"# cause\tprovider\tformat\tsource\treason\ttext\n"
		"greylisting\tunknown\treply\tsrc-a\tsays greylisted\t450 4.2.0 Greylisted\n"
		"nonsense\tunknown\treply\tsrc-a\tbad cause\t450 x\n"
		"policy\tunknown\treply\tsrc-a\ttoo few fields\n"
		"policy\tunknown\treply\t\tno source\t450 x\n"
		"\n"
		"tls\tgmail\tpostfix\tsrc-b\tTLS\t421 4.7.0 TLS required\n");
	struct corpus c = { 0 };
	struct why why;

	(void)state;
	assert_int_equal(corpus_load(&c, path, &why), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.errors.n, 3);
	assert_non_null(strstr(c.errors.v[0], ":3: unknown cause"));
	assert_non_null(strstr(c.errors.v[1], ":4: want 6"));
	assert_non_null(strstr(c.errors.v[2], ":5: no source"));
	assert_int_equal(c.v[1].cause, CAUSE_TLS);
	assert_string_equal(c.v[1].source, "src-b");
	assert_int_equal(c.v[1].line, 7);
	unlink(path);
	assert_int_equal(corpus_load(&c, "/nonexistent/corpus.tsv", &why), -1);
	assert_int_equal(corpus_load(&c, "/tmp", &why), -1);
	corpus_free(&c);
}

/* a rule is never scored on the texts of the source it was written from */
static void test_leave_one_source_out(void **state)
{
	const char *rules = write_tmp("rules",
		"[provider.acme]\ndomains = acme.example\nmarkers = acme-mx\n"
		"[rule.from-sample]\ncause = greylisting\ntext = wait a bit\nweight = 50\n"
		"sample = 450 please wait a bit\n"
		"[rule.from-key]\ncause = tls\ntext = crypto\nweight = 50\nfrom = src-c\nsample = 421 crypto\n"
		"[rule.generic]\ncause = server-busy\nsmtp = 4xx\nweight = 1\nsample = 421 x\n");
	char rpath[64];
	const char *cpath;
	struct ruleset rs;
	struct corpus c = { 0 };
	struct corpus_result all, loso;
	struct why why;

	(void)state;
	strcpy(rpath, rules);
	cpath = write_tmp("corpus",
		"greylisting\tunknown\treply\tsrc-a\tx\t450 please wait a bit\n"
		"greylisting\tacme\treply\tsrc-b\tx\t450 acme-mx says wait a bit longer\n"
		"tls\tunknown\treply\tsrc-c\tx\t421 crypto needed\n"
		"tls\tunknown\treply\tsrc-d\tx\t421 crypto please\n");
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, rpath, &why), 0);
	assert_int_equal(rs.errors.n, 0);
	assert_int_equal(corpus_load(&c, cpath, &why), 0);
	assert_int_equal(corpus_evaluate(&rs, &c, 0, &all, &why), 0);
	assert_int_equal(all.n, 4);
	assert_int_equal(all.right, 4);
	assert_int_equal(corpus_evaluate(&rs, &c, 1, &loso, &why), 0);
	assert_int_equal(loso.sources, 4);
	/* src-a's text is a sample of from-sample, src-c is named by from-key: both fall to generic */
	assert_int_equal(loso.right, 2);
	assert_int_equal(loso.confusion[CAUSE_GREYLISTING][CAUSE_SERVER_BUSY], 1);
	assert_int_equal(loso.confusion[CAUSE_TLS][CAUSE_SERVER_BUSY], 1);
	assert_int_equal(loso.confusion[CAUSE_TLS][CAUSE_TLS], 1);
	/* providers: acme by its marker; unknown is not scored */
	assert_int_equal(loso.provider_n, 1);
	assert_int_equal(loso.provider_right, 1);
	corpus_result_free(&all);
	corpus_result_free(&loso);
	corpus_free(&c);
	ruleset_free(&rs);
	unlink(rpath);
	unlink(cpath);
}

static void test_expected_provider(void **state)
{
	struct ruleset rs;
	struct why why;
	struct corpus_entry e = { 0 };

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, "rules/causes.ini", &why), 0);
	e.provider = "gmail";
	assert_string_equal(corpus_expected_provider(&rs, &e), "gmail");
	e.provider = "aol";	/* aol.com is a Yahoo domain */
	assert_string_equal(corpus_expected_provider(&rs, &e), "yahoo");
	e.provider = "hotmail";
	assert_string_equal(corpus_expected_provider(&rs, &e), "microsoft");
	e.provider = "orange";
	assert_string_equal(corpus_expected_provider(&rs, &e), "other");
	e.provider = "unknown";
	assert_null(corpus_expected_provider(&rs, &e));
	ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_errors),
		cmocka_unit_test(test_leave_one_source_out),
		cmocka_unit_test(test_expected_provider),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
