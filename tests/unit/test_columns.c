/* test_columns - the Messages view's column list and layout (pure, no curses), and the
 * [console] columns key checked with the column table */
#include "tests/unit/testutil.h"

#include <unistd.h>

#include "core/base/config.h"
#include "tui/columns.h"

/* parse - a list that must parse */
static struct column_list parse(const char *text)
{
	struct column_list l = { 0 };
	struct why why;

	assert_int_equal(columns_parse(text, &l, &why), 0);
	return l;
}

/* shown - the layout of text at width as "name:width name:width ..." */
static const char *shown(const char *text, int width)
{
	static char buf[400];
	struct column_list l = parse(text);
	struct column_place p[COL_COUNT];
	int n = columns_layout(&l, width, 0, p), i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		o += snprintf(buf + o, sizeof buf - (size_t)o, "%s%s:%d", i ? " " : "", column_defs[p[i].id].name,
			      p[i].w);
	return buf;
}

/* fits - the placed columns are in order, one space apart, and end within width */
static void assert_fits(const char *text, int width)
{
	struct column_list l = parse(text);
	struct column_place p[COL_COUNT];
	int n = columns_layout(&l, width, 0, p), i;

	assert_true(n >= 1);
	for (i = 1; i < n; i++)
		assert_int_equal(p[i].x, p[i - 1].x + p[i - 1].w + 1);
	assert_int_equal(p[0].x, 0);
	assert_true(p[n - 1].x + p[n - 1].w <= width);
}

static void test_default_at_80_shows_what_operators_asked_for(void **state)
{
	(void)state;
	/* ID, whole queue names, the recipient, the retry, the reply's code and the cause */
	assert_string_equal(shown(config_default(CFG_COLUMNS), 80),
			    "id:12 queue:8 recipient:20 next:10 code:10 cause:15");
	assert_fits(config_default(CFG_COLUMNS), 80);
}

static void test_default_at_100_and_120_adds_the_reply(void **state)
{
	(void)state;
	assert_string_equal(shown(config_default(CFG_COLUMNS), 100),
			    "id:12 queue:8 recipient:20 next:10 code:10 cause:15 reply:19");
	/* 120: the age, attempts and expiry too; only the sender does not fit */
	assert_string_equal(shown(config_default(CFG_COLUMNS), 120),
			    "id:12 queue:8 recipient:19 age:7 attempts:4 next:10 expires:8 code:10 cause:15 reply:18");
	assert_fits(config_default(CFG_COLUMNS), 100);
	assert_fits(config_default(CFG_COLUMNS), 120);
}

/* the widths doc/configuration.md gives for the default: where each column comes in */
static void test_default_thresholds(void **state)
{
	static const struct { int width; const char *last_in; } at[] = {
		{ 75, "id:12 queue:8 next:10 code:10 cause:15" },	/* the recipient goes after the code */
		{ 76, "id:12 queue:8 recipient:16 next:10 code:10 cause:15" },
		{ 92, "id:12 queue:8 recipient:32 next:10 code:10 cause:15" },
		{ 93, "id:12 queue:8 recipient:16 next:10 code:10 cause:15 reply:16" },
		{ 101, "id:12 queue:8 recipient:16 age:7 next:10 code:10 cause:15 reply:16" },
		{ 106, "id:12 queue:8 recipient:16 age:7 attempts:4 next:10 code:10 cause:15 reply:16" },
		{ 115, "id:12 queue:8 recipient:16 age:7 attempts:4 next:10 expires:8 code:10 cause:15 reply:16" },
		{ 128, "id:12 queue:8 recipient:16 age:7 attempts:4 next:10 expires:8 code:10 cause:15 reply:16 "
		       "sender:12" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof at / sizeof at[0]; i++)
		assert_string_equal(shown(config_default(CFG_COLUMNS), at[i].width), at[i].last_in);
}

static void test_wide_shows_everything_and_caps_the_flexible(void **state)
{
	(void)state;
	/* 200 columns: recipient stops at its max (40), sender at 32, the reply takes the rest */
	assert_string_equal(shown(config_default(CFG_COLUMNS), 200),
			    "id:12 queue:8 recipient:40 age:7 attempts:4 next:10 expires:8 code:10 cause:15 reply:44 "
			    "sender:32");
	assert_fits(config_default(CFG_COLUMNS), 200);
}

static void test_configured_order_is_kept(void **state)
{
	(void)state;
	assert_string_equal(shown("cause id", 80), "cause:15 id:12");
	assert_string_equal(shown("sender,domain recipient", 80), "sender:25 domain:25 recipient:28");
	/* fixed columns only: the rest of the line stays blank */
	assert_string_equal(shown("id cause", 120), "id:12 cause:15");
}

static void test_narrow_drops_by_priority_not_position(void **state)
{
	(void)state;
	/* the sender goes first wherever it stands; the queue ID stays longest */
	assert_string_equal(shown("sender id queue", 30), "id:12 queue:8");
	assert_string_equal(shown("sender id queue", 21), "id:12 queue:8");
	assert_string_equal(shown("sender id queue", 20), "id:12");
	/* narrower than the last column: it is cut to the width */
	assert_string_equal(shown("id", 8), "id:8");
	assert_fits("id queue recipient domain sender age attempts next expires code cause reply", 40);
}

static void test_parse_errors_name_the_columns(void **state)
{
	struct column_list l = parse("id cause");
	struct why why;

	(void)state;
	assert_int_equal(columns_parse("id bogus cause", &l, &why), -1);
	assert_string_equal(why.text, "unknown column 'bogus' (the columns: id queue recipient domain sender age "
			    "attempts next expires code cause reply host)");
	assert_int_equal(l.n, 2);	/* unchanged */
	assert_int_equal(columns_parse("id cause id", &l, &why), -1);
	assert_string_equal(why.text, "column 'id' is named twice");
	assert_int_equal(columns_parse(" , ", &l, &why), -1);
	assert_non_null(strstr(why.text, "no column named"));
	assert_int_equal(columns_parse("ID", &l, &why), -1);	/* names are lower case, as documented */
}

static void test_format_round_trips(void **state)
{
	struct column_list l = parse("  reply,\tcode cause ");
	char buf[200];

	(void)state;
	columns_format(&l, buf, sizeof buf);
	assert_string_equal(buf, "reply code cause");
}

/* every flexible column has room to share, every keep is distinct (the drop order is total) */
static void test_table_is_consistent(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < COL_COUNT; i++) {
		assert_true(column_defs[i].min > 0);
		assert_true(column_defs[i].max == 0 || column_defs[i].max >= column_defs[i].min);
		assert_true(column_defs[i].keep >= 1 && column_defs[i].keep <= COL_COUNT);
		assert_true((int)strlen(column_defs[i].title) <= column_defs[i].min);
		for (j = 0; j < i; j++)
			assert_int_not_equal(column_defs[i].keep, column_defs[j].keep);
	}
}

/* write_tmp - write text to a temporary file, return its path (static buffer) */
static const char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/mqmon-test-columns-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_config_key_checked_with_the_table(void **state)
{
	const char *path = write_tmp("[console]\ncolumns = id recipent cause\n");
	struct config cfg;
	struct why why;
	char *dump = NULL, *help, *end, word[32];
	size_t len = 0;
	FILE *fp;
	int i;

	(void)state;
	config_set_check(CFG_COLUMNS, columns_check);
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, &why), 0);
	unlink(path);
	assert_int_equal(cfg.errors.n, 1);
	assert_non_null(strstr(cfg.errors.v[0], "console.columns: unknown column 'recipent' (the columns: id queue "
				"recipient domain sender age attempts next expires code cause reply host) (default kept)"));
	assert_string_equal(config_str(&cfg, CFG_COLUMNS), config_default(CFG_COLUMNS));
	assert_int_equal(config_set(&cfg, CFG_COLUMNS, "id cause", &why), 0);
	assert_string_equal(config_str(&cfg, CFG_COLUMNS), "id cause");
	/* --dump-config's help names every column */
	fp = open_memstream(&dump, &len);
	config_dump(&cfg, fp);
	fclose(fp);
	assert_non_null(help = strstr(dump, "; the Messages view's columns"));
	assert_non_null(end = strchr(help, '\n'));
	*end = '\0';
	for (i = 0; i < COL_COUNT; i++) {
		snprintf(word, sizeof word, " %s ", column_defs[i].name);
		assert_non_null(strstr(help, word));
	}
	free(dump);
	config_free(&cfg);
	config_set_check(CFG_COLUMNS, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_at_80_shows_what_operators_asked_for),
		cmocka_unit_test(test_default_at_100_and_120_adds_the_reply),
		cmocka_unit_test(test_default_thresholds),
		cmocka_unit_test(test_wide_shows_everything_and_caps_the_flexible),
		cmocka_unit_test(test_configured_order_is_kept),
		cmocka_unit_test(test_narrow_drops_by_priority_not_position),
		cmocka_unit_test(test_parse_errors_name_the_columns),
		cmocka_unit_test(test_format_round_trips),
		cmocka_unit_test(test_table_is_consistent),
		cmocka_unit_test(test_config_key_checked_with_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
