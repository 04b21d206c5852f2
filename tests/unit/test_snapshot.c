/* test_snapshot - CSV cells a spreadsheet would run are neutralised; -o keeps links, modes and
 * refuses what is not a file (issue #11 items 1, 6, 7, 8) */
#include "tests/unit/testutil.h"

#include <sys/stat.h>
#include <unistd.h>

#include "core/postfix/mta_postfix.h"
#include "core/queue/snapshot.h"

static const char reason[] = "host a[192.0.2.1] said: 421 4.7.0 try \xe2\x80\xae" "again later";

/* model - one deferred message per hostile address, no classifier */
static struct qmodel *model(void)
{
	static const char *addrs[] = { "=cmd|calc!A1@yahoo.com", "+1@gmail.com", "-2@gmail.com", "@x@gmail.com",
				       "\tx@gmail.com", "ab\xe2\x80\xae" "cd@gmail.com", "plain@gmail.com" };
	struct mta_params p = { .backend = &mta_postfix, .queue_run_delay = 300, .min_backoff = 300, .max_backoff = 4000,
				.max_queue_lifetime = 432000, .bounce_queue_lifetime = 432000 };
	struct qmodel *m = qmodel_new(NULL, &p);
	char id[16];
	size_t i;

	for (i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		struct qmsg *msg;

		snprintf(id, sizeof id, "AAAAAA%04zu", i + 1);
		msg = qmodel_add(m, id, QUEUE_DEFERRED, "=HYPERLINK(\"x\")@evil.example\xe2\x80\x8b", 1000, 10, 0);
		assert_non_null(msg);
		assert_int_equal(qmodel_add_rcpt(m, msg, addrs[i], reason, sizeof reason - 1, "4.7.0"), 0);
	}
	qmodel_finish(m, 2000);
	return m;
}

/* render - the model in a format, as one string (caller frees) */
static char *render(const struct qmodel *m, enum snapshot_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct why why;

	assert_non_null(fp);
	assert_int_equal(snapshot_write(m, fmt, "host", fp, &why), 0);
	fclose(fp);
	return buf;
}

/* #6: cells starting with = + - @ tab are quoted with a leading ' */
static void test_csv_formula_cells(void **state)
{
	struct qmodel *m = model();
	char *csv = render(m, SNAPSHOT_CSV);

	(void)state;
	assert_non_null(strstr(csv, ",\"'=cmd|calc!A1@yahoo.com\","));
	assert_non_null(strstr(csv, ",\"'+1@gmail.com\","));
	assert_non_null(strstr(csv, ",\"'-2@gmail.com\","));
	assert_non_null(strstr(csv, ",\"'@x@gmail.com\","));
	assert_non_null(strstr(csv, ",plain@gmail.com,"));
	assert_non_null(strstr(csv, ",\"'=HYPERLINK(\"\"x\"\")@evil.example\xef\xbf\xbd\","));	/* the sender too */
	assert_null(strstr(csv, ",=")); /* no bare formula cell anywhere */
	assert_null(strstr(csv, ",+"));
	assert_null(strstr(csv, ",@"));
	free(csv);
	qmodel_free(m);
}

/* #8: no bidi or zero-width character reaches any format */
static void test_no_format_characters(void **state)
{
	struct qmodel *m = model();
	enum snapshot_format f;

	(void)state;
	for (f = SNAPSHOT_JSON; f <= SNAPSHOT_PROM; f++) {
		char *out = render(m, f);

		assert_null(strstr(out, "\xe2\x80\xae"));
		assert_null(strstr(out, "\xe2\x80\x8b"));
		free(out);
	}
	qmodel_free(m);
}

/* mode_of - permission bits of path (lstat when nofollow) */
static unsigned mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return sb.st_mode & 0777;
}

/* #1, #7: new files honour the umask, replaced ones keep their mode, links stay links, a directory is refused */
static void test_write_file(void **state)
{
	struct qmodel *m = model();
	char dir[] = "/tmp/mqmon-test-snapshot.XXXXXX", path[256], link[256], sub[256], target[256];
	struct stat sb;
	struct why why;
	mode_t old;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/new.prom", dir);
	old = umask(077);
	assert_int_equal(snapshot_write_file(m, SNAPSHOT_PROM, "host", path, &why), 0);
	assert_int_equal(mode_of(path), 0600);
	umask(022);
	unlink(path);
	assert_int_equal(snapshot_write_file(m, SNAPSHOT_PROM, "host", path, &why), 0);
	assert_int_equal(mode_of(path), 0644);
	chmod(path, 0640);
	assert_int_equal(snapshot_write_file(m, SNAPSHOT_PROM, "host", path, &why), 0);
	assert_int_equal(mode_of(path), 0640);

	/* a link to a regular file: the link stays, its target is replaced */
	snprintf(link, sizeof link, "%s/link.prom", dir);
	assert_int_equal(symlink("new.prom", link), 0);
	fp = fopen(path, "w");
	fputs("old\n", fp);
	fclose(fp);
	assert_int_equal(snapshot_write_file(m, SNAPSHOT_CSV, "host", link, &why), 0);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(mode_of(path), 0640);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 100);

	/* a dangling link: its target is created */
	snprintf(target, sizeof target, "%s/later.prom", dir);
	snprintf(link, sizeof link, "%s/dangling.prom", dir);
	assert_int_equal(symlink("later.prom", link), 0);
	assert_int_equal(snapshot_write_file(m, SNAPSHOT_PROM, "host", link, &why), 0);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(stat(target, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));

	/* a directory is refused, untouched */
	snprintf(sub, sizeof sub, "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(snapshot_write_file(m, SNAPSHOT_PROM, "host", sub, &why), -2);
	assert_non_null(strstr(why.text, "directory"));
	assert_int_equal(stat(sub, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));

	umask(old);
	unlink(target);
	unlink(link);
	snprintf(link, sizeof link, "%s/link.prom", dir);
	unlink(link);
	unlink(path);
	rmdir(sub);
	assert_int_equal(rmdir(dir), 0);	/* no temporary file left behind */
	qmodel_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_formula_cells),
		cmocka_unit_test(test_no_format_characters),
		cmocka_unit_test(test_write_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
