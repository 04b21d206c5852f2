/* test_lease - one process at a time stores a log into a history */
#include "tests/unit/testutil.h"

#include <glob.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/lease.h"

static char dir[] = "/tmp/mqmon-test-lease.XXXXXX";
static char db[256];

/* child_try - lease_take in a child process: its exit status is 10 + the result, 20 on a holder mismatch */
static int child_try(const char *log, pid_t expect_holder)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		struct lease *l;
		pid_t holder;
		int r = lease_take(db, log, &l, &holder, NULL);

		if (r == 0 && holder != expect_holder)
			_exit(20);
		_exit(10 + r);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_one_holder_per_log(void **state)
{
	struct lease *l = NULL, *other = NULL, *l2 = NULL;
	pid_t holder = -1;
	struct stat st;
	char pattern[300];
	glob_t g;

	(void)state;
	assert_int_equal(lease_take(db, "/var/log/mail.log", &l, &holder, NULL), 1);
	assert_non_null(l);
	/* another process: busy, and told who holds it */
	assert_int_equal(child_try("/var/log/mail.log", getpid()), 10);
	/* another log of the same history is a lease of its own */
	assert_int_equal(child_try("/var/log/mail2.log", 0), 11);
	/* a second ingest of the same log in this process is refused too (it would store twice) */
	assert_int_equal(lease_take(db, "/var/log/mail.log", &other, &holder, NULL), 0);
	assert_null(other);
	assert_int_equal(holder, getpid());
	/* the lease file is private, beside the database */
	snprintf(pattern, sizeof pattern, "%s.follow-*", db);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 2);	/* mail.log and mail2.log */
	assert_int_equal(stat(g.gl_pathv[0], &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	globfree(&g);
	lease_release(l);
	assert_int_equal(child_try("/var/log/mail.log", 0), 11);	/* free again */
	assert_int_equal(lease_take(db, "/var/log/mail.log", &l2, &holder, NULL), 1);
	lease_release(l2);
	lease_release(NULL);
}

static void test_holder_exit_frees_it(void **state)
{
	pid_t pid;
	int status, p[2];
	char c;

	(void)state;
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct lease *l;
		pid_t holder;

		close(p[0]);
		if (lease_take(db, "/var/log/crash.log", &l, &holder, NULL) != 1)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		pause();	/* killed below, never releasing */
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	assert_int_equal(child_try("/var/log/crash.log", pid), 10);
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(child_try("/var/log/crash.log", 0), 11);	/* the kernel dropped it */
}

static void test_unusable_directory(void **state)
{
	struct lease *l = (struct lease *)1;
	struct why why = { "" };
	pid_t holder;

	(void)state;
	assert_int_equal(lease_take("/nonexistent-mqmon-dir/x.db", "/var/log/mail.log", &l, &holder, &why), -1);
	assert_null(l);
	assert_non_null(strstr(why.text, "/nonexistent-mqmon-dir/x.db.follow-"));
}

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(db, sizeof db, "%s/mqmon.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char pattern[300];
	glob_t g;
	size_t i;

	(void)state;
	snprintf(pattern, sizeof pattern, "%s/*", dir);
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++)
			unlink(g.gl_pathv[i]);
		globfree(&g);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_holder_per_log),
		cmocka_unit_test(test_holder_exit_frees_it),
		cmocka_unit_test(test_unusable_directory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
