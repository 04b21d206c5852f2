/* test_actions - the pure parts of operator actions and throttles: ID and
 * domain validation, argv building (with a command prefix), the stdin ID
 * list, audit target text, the transport map text round trip; plus refusals
 * that must run nothing, and a harmless run through an "echo" prefix so the
 * real argv is seen without Postfix.
 */
#include "tests/unit/testutil.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/exim/mta_exim.h"
#include "core/mta/actions.h"
#include "core/mta/mta.h"
#include "core/history/store.h"
#include "core/mta/throttle.h"
#include "core/postfix/mta_postfix.h"
#include "core/postfix/postfix_throttle.h"

static char tmpdir[64];

/* rm_entry - nftw callback removing one file or directory */
static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* setup_dir - a fresh directory for maps and databases */
static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mqmon-test-actions.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* teardown_dir - remove it */
static int teardown_dir(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* check_ids - action_check_ids on a NULL-terminated list of literals */
static int check_ids(const char *first, ...)
{
	char *ids[16];
	size_t n = 0;
	va_list ap;
	const char *s;

	va_start(ap, first);
	for (s = first; s != NULL && n < 16; s = va_arg(ap, const char *))
		ids[n++] = (char *)s;
	va_end(ap);
	return action_check_ids(&mta_postfix, ids, n, NULL);
}

static void test_ids(void **state)
{
	struct why why;
	char *bad[] = { "4621CA7211A", "ALL" };

	(void)state;
	assert_int_equal(check_ids("4621CA7211A", "C70C2A720DE", "4jXTw44sBqz1bgHY", NULL), 0);
	assert_int_equal(check_ids("4621CA7211A", "ALL", NULL), -1);
	assert_int_equal(check_ids("-", NULL), -1);
	assert_int_equal(check_ids("4621CA7211A", "-", NULL), -1);
	assert_int_equal(check_ids("../x", NULL), -1);
	assert_int_equal(check_ids("", NULL), -1);
	assert_int_equal(check_ids("ABCDEF0123456789ABCDEF0123456789ABCDEF01", NULL), -1);	/* 40 chars */
	assert_int_equal(check_ids("4621CA7211A 4621CA7211B", NULL), -1);
	assert_int_equal(check_ids("4621CA7211A\n", NULL), -1);
	assert_int_equal(action_check_ids(&mta_postfix, NULL, 0, &why), -1);
	assert_non_null(strstr(why.text, "no queue ID"));
	assert_int_equal(action_check_ids(&mta_postfix, bad, 2, &why), -1);
	assert_non_null(strstr(why.text, "'ALL'"));
	assert_non_null(strstr(why.text, "nothing done"));
}

static void test_argv(void **state)
{
	struct mta_params p = { .backend = &mta_postfix, .config_dir = "/etc/postfix-x" };
	char *prefix[] = { "sudo", "-n", NULL };
	char *one[] = { "4621CA7211A" };
	struct action_ctx ctx = { .params = &p };
	char *argv[16], text[512];
	int n;

	(void)state;
	n = action_build_argv(&ctx, ACTION_HOLD, NULL, 0, argv, 16, NULL);
	assert_int_equal(n, 5);
	action_argv_text(argv, text, sizeof text);
	assert_string_equal(text, "postsuper -c /etc/postfix-x -h -");
	assert_null(argv[n]);
	action_build_argv(&ctx, ACTION_RELEASE, NULL, 0, argv, 16, NULL);
	assert_string_equal(argv[3], "-H");
	action_build_argv(&ctx, ACTION_DELETE, NULL, 0, argv, 16, NULL);
	assert_string_equal(argv[3], "-d");
	action_build_argv(&ctx, ACTION_REQUEUE, NULL, 0, argv, 16, NULL);
	assert_string_equal(argv[3], "-r");
	ctx.prefix = prefix;
	n = action_build_argv(&ctx, ACTION_RETRY, one, 1, argv, 16, NULL);
	assert_int_equal(n, 7);
	action_argv_text(argv, text, sizeof text);
	assert_string_equal(text, "sudo -n postqueue -c /etc/postfix-x -i 4621CA7211A");
	assert_int_equal(action_build_argv(&ctx, ACTION_RETRY, one, 1, argv, 5, NULL), -1);
	/* display quoting */
	{
		char *odd[] = { "postconf", "-e", "transport_maps=hash:/x, texthash:/y", "it's", NULL };

		action_argv_text(odd, text, sizeof text);
		assert_string_equal(text, "postconf -e 'transport_maps=hash:/x, texthash:/y' 'it'\\''s'");
	}
}

static void test_prefix_parse(void **state)
{
	char **v;

	(void)state;
	assert_null(action_prefix_parse(""));
	assert_null(action_prefix_parse("   "));
	assert_null(action_prefix_parse(NULL));
	v = action_prefix_parse("  sudo   -n\t-u root ");
	assert_non_null(v);
	assert_string_equal(v[0], "sudo");
	assert_string_equal(v[1], "-n");
	assert_string_equal(v[2], "-u");
	assert_string_equal(v[3], "root");
	assert_null(v[4]);
	action_prefix_free(v);
	action_prefix_free(NULL);
}

static void test_stdin_and_target(void **state)
{
	char *ids[300], buf[ACTION_TARGET_MAX + 64], *in;
	char names[300][16];
	size_t len, i;

	(void)state;
	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof names[i], "ABCDEF%05zu", i);
		ids[i] = names[i];
	}
	in = action_stdin(ids, 3, &len);
	assert_string_equal(in, "ABCDEF00000\nABCDEF00001\nABCDEF00002\n");
	assert_int_equal(len, 36);
	free(in);
	in = action_stdin(ids, 300, &len);
	assert_int_equal(len, 300 * 12);
	free(in);
	action_target_text(ids, 2, buf, sizeof buf, ACTION_TARGET_MAX);
	assert_string_equal(buf, "ABCDEF00000 ABCDEF00001");
	action_target_text(ids, 300, buf, sizeof buf, ACTION_TARGET_MAX);
	assert_true(strlen(buf) <= ACTION_TARGET_MAX + 48);
	assert_non_null(strstr(buf, "ABCDEF00000 "));
	assert_non_null(strstr(buf, "more, 300 IDs)"));
	action_target_text(ids, 300, buf, 60, 1000);	/* a small buffer is never overrun */
	assert_true(strlen(buf) < 60);
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_int_equal(action_kind_from("hold"), ACTION_HOLD);
	assert_int_equal(action_kind_from("requeue"), ACTION_REQUEUE);
	assert_int_equal(action_kind_from("flush"), -1);
	assert_string_equal(action_kind_name(ACTION_DELETE), "delete");
}

/* count_rows - store_actions callback */
static int count_rows(void *ctx, const struct store_action *a)
{
	int *n = ctx;

	(void)a;
	(*n)++;
	return 0;
}

/* count_refused - store_actions callback: rows in state refused, saying why */
static int count_refused(void *ctx, const struct store_action *a)
{
	int *n = ctx;

	if (a->state == STORE_ACTION_REFUSED && strcmp(store_action_outcome(a), "refused") == 0
	    && a->output != NULL && a->output[0])
		(*n)++;
	return 0;
}

/* the newest audit row's target and outcome */
struct last_row {
	char target[300], outcome[40];
};

/* last_row - store_actions callback (newest first): keep the first row */
static int last_row(void *ctx, const struct store_action *a)
{
	struct last_row *l = ctx;

	snprintf(l->target, sizeof l->target, "%s", a->target ? a->target : "");
	snprintf(l->outcome, sizeof l->outcome, "%s", store_action_outcome(a));
	return 1;
}

static void test_refusals_run_nothing(void **state)
{
	struct mta_params p = { .backend = &mta_postfix, .config_dir = "/nonexistent/postfix" };
	/* would fail loudly if anything ran: the prefix is a command that does not exist */
	char *prefix[] = { "/nonexistent/must-not-run", NULL };
	struct action_ctx ctx = { .params = &p, .prefix = prefix };
	struct action_result res;
	struct why why;
	char *good[] = { "4621CA7211A" }, *mixed[] = { "4621CA7211A", "ALL" };
	char path[128];
	int rows = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/audit.db", tmpdir);
	ctx.store = store_open(path, &why);
	assert_non_null(ctx.store);

	assert_int_equal(action_run(&ctx, ACTION_HOLD, mixed, 2, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_INVALID);
	assert_int_equal(res.nruns, 0);
	assert_true(res.audited);
	action_result_free(&res);

	assert_int_equal(action_run(&ctx, ACTION_HOLD, good, 0, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_INVALID);
	action_result_free(&res);

	ctx.read_only = 1;
	assert_int_equal(action_run(&ctx, ACTION_DELETE, good, 1, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_READ_ONLY);
	assert_int_equal(res.nruns, 0);
	assert_non_null(strstr(why.text, "read-only"));
	action_result_free(&res);

	ctx.read_only = 0;
	p.config_dir[0] = 'x';	/* relative: postsuper -c refuses it, so do we */
	assert_int_equal(action_run(&ctx, ACTION_HOLD, good, 1, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_INVALID);
	action_result_free(&res);

	assert_int_equal(store_actions(ctx.store, 0, NULL, count_rows, &rows, &why), 4);
	rows = 0;
	store_actions(ctx.store, 0, NULL, count_refused, &rows, &why);
	assert_int_equal(rows, 4);	/* every refusal is in state refused, with its reason */
	store_close(ctx.store);
}

/* a refused throttle (read-only, or not set up) leaves an audit row in state refused with the reason */
static void test_throttle_refusal_audited(void **state)
{
	struct mta_params p = { .backend = &mta_postfix, .config_dir = "/nonexistent/postfix-x" };
	struct action_ctx ctx = { .params = &p, .read_only = 1 };
	struct last_row l = { "", "" };
	struct why why;
	char path[128];
	int rows = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/throttle-audit.db", tmpdir);
	ctx.store = store_open(path, &why);
	assert_non_null(ctx.store);
	assert_int_equal(throttle_set(&ctx, "gmail.com", THROTTLE_PAUSE, time(NULL) + 7200, NULL, &why), -1);
	assert_int_equal(throttle_clear(&ctx, "gmail.com", NULL, &why), -1);
	store_actions(ctx.store, 0, NULL, count_refused, &rows, &why);
	assert_int_equal(rows, 2);
	store_actions(ctx.store, 0, NULL, last_row, &l, &why);
	assert_string_equal(l.target, "gmail.com");
	assert_string_equal(l.outcome, "refused");
	store_close(ctx.store);
}

static void test_run_through_echo(void **state)
{
	struct mta_params p = { .backend = &mta_postfix, .config_dir = "/etc/postfix-x" };
	char *prefix[] = { "/bin/echo", NULL };
	struct action_ctx ctx = { .params = &p, .prefix = prefix };
	char *ids[] = { "4621CA7211A", "C70C2A720DE" };
	struct action_result res;
	struct why why;

	(void)state;
	assert_int_equal(action_run(&ctx, ACTION_RETRY, ids, 2, &res, &why), 0);
	assert_int_equal(res.nruns, 2);	/* one postqueue -i per ID */
	assert_true(res.ok);
	assert_non_null(strstr(res.output, "postqueue -c /etc/postfix-x -i 4621CA7211A"));
	assert_non_null(strstr(res.output, "postqueue -c /etc/postfix-x -i C70C2A720DE"));
	action_result_free(&res);

	assert_int_equal(action_run(&ctx, ACTION_REQUEUE, ids, 2, &res, &why), 0);
	assert_int_equal(res.nruns, 1);	/* one postsuper for every ID */
	assert_string_equal(res.output, "postsuper -c /etc/postfix-x -r -\n");
	action_result_free(&res);

	prefix[0] = "/bin/false";
	assert_int_equal(action_run(&ctx, ACTION_HOLD, ids, 2, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_MTA);
	assert_int_equal(res.status, 1);
	action_result_free(&res);
}

static void test_domains(void **state)
{
	struct why why;
	char long_label[80], long_name[300];

	(void)state;
	assert_int_equal(throttle_domain_valid("gmail.com", NULL), 0);
	assert_int_equal(throttle_domain_valid("mx-1.mail.example.co.uk", NULL), 0);
	assert_int_equal(throttle_domain_valid("xn--bcher-kva.example", NULL), 0);
	assert_int_equal(throttle_domain_valid("ALL", NULL), -1);
	assert_int_equal(throttle_domain_valid("*", NULL), -1);
	assert_int_equal(throttle_domain_valid("../x", NULL), -1);
	assert_int_equal(throttle_domain_valid("a b.com", NULL), -1);
	assert_int_equal(throttle_domain_valid("", NULL), -1);
	assert_int_equal(throttle_domain_valid(NULL, NULL), -1);
	assert_int_equal(throttle_domain_valid("Gmail.com", NULL), -1);
	assert_int_equal(throttle_domain_valid("gmail", NULL), -1);
	assert_int_equal(throttle_domain_valid("gmail.com.", NULL), -1);
	assert_int_equal(throttle_domain_valid("a..b", NULL), -1);
	assert_int_equal(throttle_domain_valid("-a.com", NULL), -1);
	assert_int_equal(throttle_domain_valid("a-.com", NULL), -1);
	assert_int_equal(throttle_domain_valid("a_b.com", NULL), -1);
	assert_int_equal(throttle_domain_valid("gmail.com\n", NULL), -1);
	assert_int_equal(throttle_domain_valid(".gmail.com", &why), -1);
	assert_non_null(strstr(why.text, "subdomain"));
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".com");
	assert_int_equal(throttle_domain_valid(long_label, NULL), -1);
	memset(long_name, 0, sizeof long_name);
	for (size_t i = 0; i < 254; i++)
		long_name[i] = (i % 10 == 9) ? '.' : 'a';
	long_name[253] = 'a';
	assert_int_equal(throttle_domain_valid(long_name, NULL), -1);	/* 254 chars */
	long_name[253] = '\0';
	assert_int_equal(throttle_domain_valid(long_name, NULL), 0);	/* 253 */
}

/* #9, #21: refused domains and IDs are quoted without escape sequences; a non-ASCII domain gets the xn-- hint */
static void test_refusal_messages(void **state)
{
	char *ids[] = { "ABCDEF1234", "\x1b]52;c;cm0gLXJmIC8K\x07\x1b[2J\xe2\x80\xae" };
	struct why why;

	(void)state;
	assert_int_equal(throttle_domain_valid("b\xc3\xbc" "cher.de", &why), -1);
	assert_non_null(strstr(why.text, "xn--"));
	assert_non_null(strstr(why.text, "idn2 b\xc3\xbc" "cher.de"));
	assert_int_equal(throttle_domain_valid("x\x1b]52;c;eA==\x07\x1b[2J.example", &why), -1);
	assert_null(strchr(why.text, '\x1b'));
	assert_null(strchr(why.text, '\x07'));
	assert_non_null(strstr(why.text, "x?]52;c;eA==??[2J.example"));
	assert_int_equal(throttle_domain_valid("b\xc3\xbc" "cher\x1b[2J.de", &why), -1);	/* no idn2 line to paste */
	assert_null(strchr(why.text, '\x1b'));
	assert_null(strstr(why.text, "idn2 b"));
	assert_int_equal(action_check_ids(&mta_postfix, ids, 2, &why), -1);
	assert_null(strchr(why.text, '\x1b'));
	assert_null(strstr(why.text, "\xe2\x80\xae"));
}

static void test_map_text(void **state)
{
	struct throttle_list l = { 0 }, back = { 0 };
	struct throttle *t;
	char value[256], *text;
	struct why why;

	(void)state;
	l.v = calloc(2, sizeof *l.v);
	l.n = l.cap = 2;
	snprintf(l.v[0].domain, sizeof l.v[0].domain, "gmail.com");
	l.v[0].mode = THROTTLE_SLOW;
	snprintf(l.v[0].nexthop, sizeof l.v[0].nexthop, "[127.0.0.1]:3026");
	l.v[0].since = 1700000000;
	snprintf(l.v[0].user, sizeof l.v[0].user, "root");
	snprintf(l.v[1].domain, sizeof l.v[1].domain, "outlook.com");
	l.v[1].mode = THROTTLE_PAUSE;
	l.v[1].since = 1700000000;
	l.v[1].until = 1700001800;

	postfix_throttle_value(&l.v[0], value, sizeof value);
	assert_string_equal(value, "slow:[127.0.0.1]:3026");
	postfix_throttle_value(&l.v[1], value, sizeof value);
	assert_string_equal(value, "retry:4.7.0 paused by operator (mqmon)");

	text = throttle_render(&l, "# test map\n", postfix_throttle_value);
	assert_non_null(text);
	assert_non_null(strstr(text, "\ngmail.com slow:[127.0.0.1]:3026\n"));
	assert_non_null(strstr(text, "\noutlook.com retry:4.7.0 paused by operator (mqmon)\n"));
	assert_int_equal(throttle_parse(text, &back, postfix_throttle_entry, &why), 0);
	assert_int_equal(back.n, 2);
	t = throttle_find(&back, "outlook.com");
	assert_non_null(t);
	assert_int_equal(t->mode, THROTTLE_PAUSE);
	assert_int_equal(t->until, 1700001800);
	assert_int_equal(t->since, 1700000000);
	t = throttle_find(&back, "gmail.com");
	assert_string_equal(t->nexthop, "[127.0.0.1]:3026");
	assert_string_equal(t->user, "root");
	assert_int_equal(t->until, 0);
	assert_null(throttle_find(&back, "yahoo.com"));
	free(text);
	throttle_list_free(&back);

	/* an empty slow next-hop stays empty; a foreign entry is an error */
	assert_int_equal(throttle_parse("example.com slow:\n", &back, postfix_throttle_entry, &why), 0);
	assert_string_equal(back.v[0].nexthop, "");
	throttle_list_free(&back);
	assert_int_equal(throttle_parse("example.com smtp:[10.0.0.1]\n", &back, postfix_throttle_entry, &why), -1);
	assert_int_equal(throttle_parse("ALL retry:x\n", &back, postfix_throttle_entry, &why), -1);
	throttle_list_free(&back);
	throttle_list_free(&l);
}

static void test_load_missing_and_present(void **state)
{
	struct mta_params p = { .backend = &mta_postfix };
	struct action_ctx ctx = { .params = &p };
	struct throttle_list l = { 0 };
	struct why why;
	char path[256];
	FILE *fp;

	(void)state;
	snprintf(p.config_dir, sizeof p.config_dir, "%s", tmpdir);
	assert_int_equal(throttle_load(&ctx, &l, &why), 0);	/* no map yet: empty */
	assert_int_equal(l.n, 0);
	assert_int_equal(postfix_throttle_map_path(&ctx, path, sizeof path), 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("# mqmon: yahoo.com mode=pause since=5 until=10 user=ops\nyahoo.com retry:4.7.0 x\n", fp);
	fclose(fp);
	assert_int_equal(throttle_load(&ctx, &l, &why), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].until, 10);
	assert_string_equal(l.v[0].user, "ops");
	throttle_list_free(&l);
	unlink(path);
}

/* issue 12 #9: an ID that is not in the queue is never reported done (postqueue -i would exit 0 for it) */
static void test_not_in_queue(void **state)
{
	struct mta_params p = { .backend = &mta_postfix, .config_dir = "/etc/postfix-x", .spool_readable = 1 };
	char *prefix[] = { "/bin/echo", NULL };
	char *say0[] = { "/bin/sh", "-c", "echo 'postsuper: Placed on hold: 0 messages' >&2", NULL };
	struct action_ctx ctx = { .params = &p, .prefix = prefix };
	char *queued[] = { "4621CA7211A" }, *gone[] = { "C70C2A720DE" }, *both[] = { "C70C2A720DE", "4621CA7211A" };
	char path[PATH_MAX + 64];
	struct action_result res;
	struct why why;
	FILE *fp;

	(void)state;
	/* a spool with one deferred message (deferred/4/4621CA7211A) */
	snprintf(p.queue_dir, sizeof p.queue_dir, "%s/queue", tmpdir);
	snprintf(path, sizeof path, "%s/deferred", p.queue_dir);
	assert_int_equal(mkdir(p.queue_dir, 0700), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/deferred/4", p.queue_dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/deferred/4/4621CA7211A", p.queue_dir);
	assert_non_null(fp = fopen(path, "w"));
	fclose(fp);

	/* none queued: refused, nothing runs, exit 69 in the CLI */
	assert_int_equal(action_run(&ctx, ACTION_RETRY, gone, 1, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_NOT_QUEUED);
	assert_int_equal(res.nruns, 0);
	assert_non_null(strstr(why.text, "not in the queue: C70C2A720DE"));
	action_result_free(&res);
	assert_int_equal(action_run(&ctx, ACTION_HOLD, gone, 1, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_NOT_QUEUED);
	assert_int_equal(res.nruns, 0);
	action_result_free(&res);

	/* some queued: those run, the others are named */
	assert_int_equal(action_run(&ctx, ACTION_RETRY, both, 2, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_NOT_QUEUED);
	assert_int_equal(res.nruns, 1);
	assert_non_null(strstr(res.output, "-i 4621CA7211A"));
	assert_null(strstr(res.output, "-i C70C2A720DE"));
	assert_non_null(strstr(why.text, "1 of 2 queue IDs not in the queue (skipped): C70C2A720DE"));
	action_result_free(&res);

	/* all queued: as before */
	assert_int_equal(action_run(&ctx, ACTION_RETRY, queued, 1, &res, &why), 0);
	assert_int_equal(res.error, ACTION_E_NONE);
	action_result_free(&res);

	/* postsuper says it did less than asked (the message left meanwhile, or was held already) */
	ctx.prefix = say0;
	assert_int_equal(action_run(&ctx, ACTION_HOLD, queued, 1, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_NOT_QUEUED);
	assert_non_null(strstr(why.text, "0 of 1 message"));
	action_result_free(&res);
}

/* test_unsupported_action - Exim has no requeue: refused by name, audited, nothing run; the others exist */
static void test_unsupported_action(void **state)
{
	struct mta_params p = { .backend = &mta_exim, .config_dir = "/nonexistent/exim.conf" };
	char *prefix[] = { "/nonexistent/must-not-run", NULL };
	struct action_ctx ctx = { .params = &p, .prefix = prefix };
	struct mta_params pf = { .backend = &mta_postfix, .config_dir = "/nonexistent/postfix" };
	struct action_result res;
	struct why why;
	char *ids[] = { "1xYcQS-00017m-02" };
	char path[128];
	int rows = 0, k;

	(void)state;
	for (k = 0; k < ACTION_KIND_COUNT; k++) {
		assert_int_equal(action_supported(&p, (enum action_kind)k), k != ACTION_REQUEUE);
		assert_true(action_supported(&pf, (enum action_kind)k));
	}
	assert_false(action_supported(NULL, ACTION_RETRY));
	snprintf(path, sizeof path, "%s/unsupported.db", tmpdir);
	assert_non_null(ctx.store = store_open(path, &why));
	assert_int_equal(action_run(&ctx, ACTION_REQUEUE, ids, 1, &res, &why), -1);
	assert_int_equal(res.error, ACTION_E_UNSUPPORTED);
	assert_int_equal(res.nruns, 0);
	assert_true(res.audited);
	assert_string_equal(why.text, "requeue: Exim has no requeue (nothing done)");
	action_result_free(&res);
	store_actions(ctx.store, 0, NULL, count_refused, &rows, &why);
	assert_int_equal(rows, 1);
	store_close(ctx.store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_stdin_and_target),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_refusals_run_nothing),
		cmocka_unit_test(test_run_through_echo),
		cmocka_unit_test(test_throttle_refusal_audited),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_refusal_messages),
		cmocka_unit_test(test_map_text),
		cmocka_unit_test(test_load_missing_and_present),
		cmocka_unit_test(test_not_in_queue),
		cmocka_unit_test(test_unsupported_action),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
