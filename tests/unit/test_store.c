/* test_store - the SQLite history: schema migrations, refusals, batching and
 * durability, requeue chains, audit rows, throttles, trends, file positions,
 * pruning, hostile strings and two handles on one file.
 *
 * Every database lives in a fresh directory under /tmp made by the group
 * setup and removed by the group teardown. A second, plain sqlite3
 * connection checks what another process would see.
 */
#include "tests/unit/testutil.h"

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/history/store.h"

/* the speed bound: sanitizers slow malloc and our loop, not the store */
#if defined(__SANITIZE_ADDRESS__)
#define SPEED_LIMIT 4.0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SPEED_LIMIT 4.0
#endif
#endif
#ifndef SPEED_LIMIT
#define SPEED_LIMIT 2.0
#endif

static char tmpdir[64];

/* dbpath - NAME inside the test directory (static buffer, one at a time per slot) */
static const char *dbpath(const char *name)
{
	static char buf[4][256];
	static int slot;
	char *p = buf[slot++ % 4];

	snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
	return p;
}

/* raw_int - one integer from a second connection (like another process would see) */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* raw_text - one text value from a second connection, copied into buf */
static const char *raw_text(const char *path, const char *sql, char *buf, size_t n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	buf[0] = '\0';
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return buf;
}

/* raw_exec - run SQL on a second connection */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* open_ok - store_open that must succeed */
static struct store *open_ok(const char *path)
{
	struct why why = { "" };
	struct store *s = store_open(path, &why);

	if (s == NULL)
		fail_msg("store_open %s: %s", path ? path : "(default)", why.text);
	return s;
}

/* must - a store call that must succeed */
#define must(call) do { \
	struct why why_ = { "" }; \
	if ((call) < 0) \
		fail_msg("%s: %s", #call, why_.text); \
} while (0)
#define W (&why_)

/* collected attempts, copied out of the callbacks */
struct seen {
	int n;
	long long time[16];
	char id[16][32];
	char text[16][128];
	int stop_after;		/* 0 = never stop */
};

/* collect - store_attempt_fn keeping times, queue IDs and texts */
static int collect(void *ctx, const struct store_attempt *a)
{
	struct seen *s = ctx;

	if (s->n < 16) {
		s->time[s->n] = (long long)a->time;
		snprintf(s->id[s->n], sizeof s->id[0], "%s", a->queue_id ? a->queue_id : "-");
		snprintf(s->text[s->n], sizeof s->text[0], "%s", a->text ? a->text : "-");
	}
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

/* attempt - a deferred attempt with the usual fields */
static struct store_attempt attempt(time_t t, const char *id, const char *text)
{
	struct store_attempt a = {
		.time = t, .queue_id = id, .recipient = "user@example.com", .domain = "example.com",
		.provider = "example", .cause = "rate-limit", .dsn = "4.7.0", .status = STATUS_DEFERRED,
		.relay = "mx.example.com[192.0.2.1]:25", .stage = "RCPT TO", .text = text,
	};
	return a;
}

/* now_s - monotonic seconds */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* issue 12 #7: the file of each instance's history; two directories never share one */
static void test_instance_file(void **state)
{
	char buf[256], other[256], longdir[400];

	(void)state;
	assert_int_equal(store_instance_file(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "mqmon.db");
	assert_int_equal(store_instance_file("/etc/postfix", buf, sizeof buf), 0);
	assert_string_equal(buf, "mqmon.db");
	assert_int_equal(store_instance_file("/etc/postfix-out", buf, sizeof buf), 0);
	assert_string_equal(buf, "mqmon@etc_postfix-out.db");
	assert_int_equal(store_instance_file("/tmp/mqmon-bed.x1/etc", buf, sizeof buf), 0);
	assert_string_equal(buf, "mqmon@tmp_mqmon-bed.x1_etc.db");
	/* '_' and '/' differ, and odd bytes are escaped */
	assert_int_equal(store_instance_file("/a_b", buf, sizeof buf), 0);
	assert_int_equal(store_instance_file("/a/b", other, sizeof other), 0);
	assert_string_not_equal(buf, other);
	assert_string_equal(buf, "mqmon@a%5Fb.db");
	assert_int_equal(store_instance_file("/x y/\n", buf, sizeof buf), 0);
	assert_string_equal(buf, "mqmon@x%20y_%0A.db");
	/* long paths: cut, with a hash of the whole path, never over NAME_MAX */
	memset(longdir, 'd', sizeof longdir - 1);
	longdir[0] = '/';
	longdir[sizeof longdir - 1] = '\0';
	assert_int_equal(store_instance_file(longdir, buf, sizeof buf), 0);
	assert_true(strlen(buf) < 255);
	longdir[300] = 'e';
	assert_int_equal(store_instance_file(longdir, other, sizeof other), 0);
	assert_string_not_equal(buf, other);
	assert_int_equal(store_instance_file("/etc/postfix-out", buf, 8), -1);	/* too small */
}

static void test_default_path(void **state)
{
	char buf[256], *old_xdg, *old_home;

	(void)state;
	old_xdg = getenv("XDG_DATA_HOME") ? strdup(getenv("XDG_DATA_HOME")) : NULL;
	old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	setenv("XDG_DATA_HOME", "/data/xdg", 1);
	assert_int_equal(store_default_path(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "/data/xdg/mqmon/mqmon.db");
	setenv("XDG_DATA_HOME", "relative/ignored", 1);	/* the XDG spec: ignore relative values */
	setenv("HOME", "/home/op", 1);
	assert_int_equal(store_default_path(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/op/.local/share/mqmon/mqmon.db");
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(store_default_path(NULL, buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/op/.local/share/mqmon/mqmon.db");
	assert_int_equal(store_default_path(NULL, buf, 10), -1);	/* too long */
	/* issue 12 #7: one history per Postfix instance; the default instance keeps mqmon.db */
	assert_int_equal(store_default_path(STORE_DEFAULT_INSTANCE, buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/op/.local/share/mqmon/mqmon.db");
	assert_int_equal(store_default_path("/nonexistent/postfix-out", buf, sizeof buf), 0);
	assert_string_equal(buf, "/home/op/.local/share/mqmon/mqmon@nonexistent_postfix-out.db");
	if (old_xdg)
		setenv("XDG_DATA_HOME", old_xdg, 1);
	if (old_home)
		setenv("HOME", old_home, 1);
	else
		unsetenv("HOME");
	free(old_xdg);
	free(old_home);
}

static void test_migrate_from_empty(void **state)
{
	const char *p = dbpath("fresh/sub/mqmon.db");
	char buf[64];
	struct stat st;
	struct store *s;

	(void)state;
	s = open_ok(p);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_string_equal(raw_text(p, "PRAGMA journal_mode", buf, sizeof buf), "wal");
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
				 " ('attempts', 'names', 'message_events', 'requeues', 'actions', 'throttles', 'files')"), 7);
	/* one index on attempts: time ranges are rowid ranges */
	assert_int_equal(raw_int(p, "SELECT group_concat(name) = 'attempts_queue_id' FROM sqlite_master"
				 " WHERE type = 'index' AND tbl_name = 'attempts'"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_master WHERE type = 'view'"
				 " AND name IN ('attempt_rows', 'messages')"), 2);
	/* message events are only appended: no index on them */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
				 " AND tbl_name = 'message_events'"), 0);
	assert_int_equal(raw_int(p, "PRAGMA page_size"), STORE_PAGE_SIZE);
	assert_int_equal(stat(dbpath("fresh/sub"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(dbpath("fresh"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);	/* history holds addresses: owner only */
	store_close(s);

	/* NULL path: the XDG default, directories created */
	setenv("XDG_DATA_HOME", dbpath("xdg"), 1);
	s = open_ok(NULL);
	store_close(s);
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(stat(dbpath("xdg/mqmon/mqmon.db"), &st), 0);
}

static void test_reopen_keeps_data(void **state)
{
	const char *p = dbpath("reopen.db");
	struct seen seen = { 0 };
	struct store *s;
	struct store_attempt a = attempt(1000, "AAAAAA1", "452 try later");

	(void)state;
	s = open_ok(p);
	must(store_add_attempt(s, &a, W));
	must(store_message_seen(s, "AAAAAA1", 1000, "a@example.org", MESSAGE_DEFERRED, W));
	store_close(s);
	s = open_ok(p);		/* migrations must not run again */
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, collect, &seen, NULL), 1);
	assert_string_equal(seen.text[0], "452 try later");
	store_close(s);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM messages WHERE sender = 'a@example.org'"), 1);
}

/* has_queue_id_index - the attempts' queue ID index exists (seen from another connection) */
static int has_queue_id_index(const char *path)
{
	return (int)raw_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'attempts_queue_id'");
}

static void test_bulk_load_index(void **state)
{
	const char *p = dbpath("bulk.db"), *k = dbpath("killed.db");
	struct seen seen = { 0 };
	struct store *s;
	int i;

	(void)state;
	/* an empty history: the index goes for the load and comes back, the rows as always */
	s = open_ok(p);
	assert_int_equal(store_bulk_begin(s, NULL), 1);
	assert_int_equal(has_queue_id_index(p), 0);
	for (i = 0; i < 3000; i++) {
		struct store_attempt a = attempt(1000 + i / 7, i % 2 ? "AAAAAA1" : "BBBBBB2", "452 try later");

		must(store_add_attempt(s, &a, W));
	}
	must(store_bulk_end(s, W));
	assert_int_equal(store_pending(s), 0);
	assert_int_equal(has_queue_id_index(p), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts WHERE queue_id = 'AAAAAA1'"), 1500);
	assert_int_equal(store_attempts_for(s, "BBBBBB2", collect, &seen, NULL), 1500);
	must(store_bulk_end(s, W));	/* again: nothing to do */
	/* a history with rows: left as it is */
	assert_int_equal(store_bulk_begin(s, NULL), 0);
	assert_int_equal(has_queue_id_index(p), 1);
	store_close(s);

	/* killed between the two (closed without store_bulk_end): the next open builds the index */
	s = open_ok(k);
	assert_int_equal(store_bulk_begin(s, NULL), 1);
	for (i = 0; i < 100; i++) {
		struct store_attempt a = attempt(1000 + i, "CCCCCC3", "452 try later");

		must(store_add_attempt(s, &a, W));
	}
	must(store_flush(s, W));
	store_close(s);
	assert_int_equal(has_queue_id_index(k), 0);
	s = open_ok(k);
	assert_int_equal(has_queue_id_index(k), 1);
	assert_int_equal(raw_int(k, "SELECT count(*) FROM attempts INDEXED BY attempts_queue_id"
				 " WHERE queue_id = 'CCCCCC3'"), 100);
	store_close(s);
}

static void test_newer_schema_refused(void **state)
{
	const char *p = dbpath("newer.db"), *q = dbpath("foreign.db");
	struct why why = { "" };

	(void)state;
	store_close(open_ok(p));
	raw_exec(p, "PRAGMA user_version = 99");
	assert_null(store_open(p, &why));
	assert_non_null(strstr(why.text, "newer than this mqmon"));
	assert_non_null(strstr(why.text, "99"));
	assert_int_equal(raw_int(p, "PRAGMA user_version"), 99);	/* left alone */

	raw_exec(q, "CREATE TABLE photos (id INTEGER PRIMARY KEY)");
	assert_null(store_open(q, &why));
	assert_non_null(strstr(why.text, "another program"));
}

static void test_not_a_database_refused(void **state)
{
	const char *p = dbpath("notes.txt");
	char text[4096], back[4096];
	struct why why = { "" };
	FILE *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof text; i++)
		text[i] = "postfix is not a database\n"[i % 26];
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, sizeof text, f), sizeof text);
	fclose(f);
	assert_null(store_open(p, &why));
	assert_non_null(strstr(why.text, "not an SQLite database"));
	assert_non_null(strstr(why.text, p));
	f = fopen(p, "r");	/* untouched */
	assert_non_null(f);
	assert_int_equal(fread(back, 1, sizeof back, f), sizeof back);
	fclose(f);
	assert_memory_equal(text, back, sizeof text);

	/* a directory where the file should be */
	assert_int_equal(mkdir(dbpath("adir"), 0700), 0);
	assert_null(store_open(dbpath("adir"), &why));
	assert_non_null(strstr(why.text, "adir"));
}

static void test_batch_commits_every_batch_rows(void **state)
{
	const char *p = dbpath("autocommit.db");
	struct store *s = open_ok(p);
	const int total = 2 * STORE_BATCH_ROWS + 2000;
	int i;

	(void)state;
	for (i = 0; i < total; i++) {
		struct store_attempt a = attempt(i, "BBBBBB1", "x");

		must(store_add_attempt(s, &a, W));
	}
	/* not flushed: another connection sees the two automatic commits only */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 2 * STORE_BATCH_ROWS);
	assert_int_equal(store_pending(s), 2000);
	must(store_flush(s, W));
	assert_int_equal(store_pending(s), 0);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), total);
	must(store_flush(s, W));	/* nothing pending: fine */
	store_close(s);
}

/* check_order - store_attempt_fn checking oldest-first order and row contents */
static int check_order(void *ctx, const struct store_attempt *a)
{
	long long *next = ctx;
	char id[32];

	snprintf(id, sizeof id, "Q%06lld", *next);
	if ((long long)a->time != 1700000000 + *next || strcmp(a->queue_id, id) != 0 ||
	    a->status != STATUS_DEFERRED || strcmp(a->dsn, "4.7.0") != 0)
		return 1;
	(*next)++;
	return 0;
}

static void test_batching_speed(void **state)
{
	const char *p = dbpath("speed.db");
	struct store *s = open_ok(p);
	char id[32], text[96];
	long long next = 0;
	double t0, dt;
	int i;

	(void)state;
	t0 = now_s();
	for (i = 0; i < 100000; i++) {
		struct store_attempt a;

		snprintf(id, sizeof id, "Q%06d", i);
		snprintf(text, sizeof text, "host mx%d.example.com said: 421 4.7.0 Try again later", i % 50);
		a = attempt(1700000000 + i, id, text);
		a.domain = i % 3 ? "gmail.com" : "yahoo.com";
		must(store_add_attempt(s, &a, W));
	}
	must(store_flush(s, W));
	dt = now_s() - t0;
	print_message("    100000 attempts in %.3f s (%.0f rows/s)\n", dt, 100000 / dt);
	assert_true(dt < SPEED_LIMIT);
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, check_order, &next, NULL), 100000);
	assert_int_equal(next, 100000);
	assert_int_equal(store_attempts_since(s, 1700000000 + 99990, STATUS_DEFERRED, NULL, NULL, NULL), 10);
	assert_int_equal(store_attempts_since(s, 0, STATUS_SENT, NULL, NULL, NULL), 0);
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempt_rows WHERE domain = 'yahoo.com'"), 33334);
}

static void test_flush_and_close_durability(void **state)
{
	const char *p = dbpath("durable.db");
	struct store_file f = { .path = "/var/log/mail.log", .offset = 4242 }, back;
	struct store *s = open_ok(p);
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		struct store_attempt a = attempt(100 + i, "CCCCCC1", "t");

		must(store_add_attempt(s, &a, W));
	}
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 0);	/* batched */
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, NULL, NULL, NULL), 10);	/* own writes visible */
	must(store_flush(s, W));
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 10);
	for (i = 0; i < 5; i++) {
		struct store_attempt a = attempt(200 + i, "CCCCCC1", "t");

		must(store_add_attempt(s, &a, W));
	}
	must(store_message_seen(s, "CCCCCC1", 204, NULL, MESSAGE_DEFERRED, W));
	must(store_save_file(s, &f, W));
	store_close(s);		/* flushes */
	s = open_ok(p);
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, NULL, NULL, NULL), 15);
	assert_int_equal(store_load_file(s, "/var/log/mail.log", &back, NULL), 1);
	assert_int_equal(back.offset, 4242);
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT last_seen FROM messages WHERE queue_id = 'CCCCCC1'"), 204);
}

static void test_message_upsert(void **state)
{
	const char *p = dbpath("messages.db");
	char buf[64];
	struct store *s = open_ok(p);

	(void)state;
	must(store_message_seen(s, "DDDDDD1", 100, "a@example.org", MESSAGE_QUEUED, W));
	must(store_message_seen(s, "DDDDDD1", 300, NULL, MESSAGE_DEFERRED, W));	/* NULL sender kept */
	must(store_message_seen(s, "DDDDDD1", 200, "b@example.org", MESSAGE_QUEUED, W));	/* older: state kept */
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT first_seen FROM messages"), 100);
	assert_int_equal(raw_int(p, "SELECT last_seen FROM messages"), 300);
	assert_string_equal(raw_text(p, "SELECT state FROM messages", buf, sizeof buf), "deferred");
	assert_string_equal(raw_text(p, "SELECT sender FROM messages", buf, sizeof buf), "b@example.org");

	/* qmgr logs a deferred message at every retry: repeats change nothing, before or after a restart */
	s = open_ok(p);
	must(store_message_seen(s, "RRRRRR1", 1000, "r@example.org", MESSAGE_QUEUED, W));
	must(store_message_seen(s, "RRRRRR1", 1600, "r@example.org", MESSAGE_QUEUED, W));
	must(store_message_seen(s, "RRRRRR1", 2200, NULL, MESSAGE_QUEUED, W));
	store_close(s);
	s = open_ok(p);
	must(store_message_seen(s, "RRRRRR1", 2800, "r@example.org", MESSAGE_QUEUED, W));	/* a new handle writes it */
	must(store_flush(s, W));
	assert_int_equal(raw_int(p, "SELECT last_seen FROM messages WHERE queue_id = 'RRRRRR1'"), 1000);
	must(store_message_seen(s, "RRRRRR1", 3000, NULL, MESSAGE_REMOVED, W));	/* a change moves last_seen */
	must(store_message_seen(s, "RRRRRR1", 2900, NULL, MESSAGE_QUEUED, W));	/* an older event does not */
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT last_seen FROM messages WHERE queue_id = 'RRRRRR1'"), 3000);
	assert_string_equal(raw_text(p, "SELECT state FROM messages WHERE queue_id = 'RRRRRR1'", buf, sizeof buf),
			    "removed");
	assert_int_equal(raw_int(p, "SELECT first_seen FROM messages WHERE queue_id = 'RRRRRR1'"), 1000);
}

static void test_requeue_chain(void **state)
{
	struct store *s = open_ok(dbpath("chain.db"));
	static const struct { time_t t; const char *id; } rows[] = {
		{ 100, "AAAAAAA" }, { 300, "CCCCCCC" }, { 150, "AAAAAAA" }, { 120, "XXXXXXX" },
		{ 200, "BBBBBBB" }, { 250, "CCCCCCC" }, { 400, "DDDDDDD" }, { 410, "EEEEEEE" },
	};
	struct seen seen = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct store_attempt a = attempt(rows[i].t, rows[i].id, "t");

		must(store_add_attempt(s, &a, W));
	}
	must(store_message_seen(s, "AAAAAAA", 100, "s@example.org", MESSAGE_DEFERRED, W));
	must(store_message_replaced(s, "AAAAAAA", "BBBBBBB", 110, W));	/* A was requeued as B */
	must(store_message_replaced(s, "BBBBBBB", "CCCCCCC", 210, W));	/* B never seen: row created */
	must(store_flush(s, W));

	assert_int_equal(store_attempts_for(s, "CCCCCCC", collect, &seen, NULL), 5);
	assert_int_equal(seen.time[0], 100);
	assert_string_equal(seen.id[0], "AAAAAAA");
	assert_int_equal(seen.time[1], 150);
	assert_string_equal(seen.id[2], "BBBBBBB");
	assert_int_equal(seen.time[3], 250);
	assert_string_equal(seen.id[3], "CCCCCCC");
	assert_int_equal(seen.time[4], 300);

	memset(&seen, 0, sizeof seen);
	assert_int_equal(store_attempts_for(s, "BBBBBBB", collect, &seen, NULL), 3);	/* not forwards */
	assert_string_equal(seen.id[2], "BBBBBBB");
	assert_int_equal(store_attempts_for(s, "AAAAAAA", NULL, NULL, NULL), 2);
	assert_int_equal(store_attempts_for(s, "ZZZZZZZ", NULL, NULL, NULL), 0);

	/* a callback stops the walk */
	memset(&seen, 0, sizeof seen);
	seen.stop_after = 2;
	assert_int_equal(store_attempts_for(s, "CCCCCCC", collect, &seen, NULL), 2);

	/* a cycle (IDs reused) terminates */
	must(store_message_replaced(s, "DDDDDDD", "EEEEEEE", 401, W));
	must(store_message_replaced(s, "EEEEEEE", "DDDDDDD", 411, W));
	assert_int_equal(store_attempts_for(s, "DDDDDDD", NULL, NULL, NULL), 2);
	store_close(s);
}

/* action list, copied out */
struct acts {
	int n;
	long long time[8];
	char action[8][16], user[8][64], output[8][64];
	int ok[8], result[8];
	size_t output_len[8];
};

/* collect_action - store_action_fn copying rows */
static int collect_action(void *ctx, const struct store_action *a)
{
	struct acts *c = ctx;

	if (c->n < 8) {
		c->time[c->n] = (long long)a->time;
		snprintf(c->action[c->n], sizeof c->action[0], "%s", audit_verb_name(a->action));
		snprintf(c->user[c->n], sizeof c->user[0], "%s", a->user ? a->user : "");
		snprintf(c->output[c->n], sizeof c->output[0], "%s", a->output ? a->output : "");
		c->output_len[c->n] = a->output ? strlen(a->output) : 0;
		c->ok[c->n] = a->ok;
		c->result[c->n] = a->result;
	}
	c->n++;
	return 0;
}

static void test_actions_newest_first_and_immediate(void **state)
{
	const char *p = dbpath("actions.db");
	struct store *s = open_ok(p);
	struct store_attempt at = attempt(10, "FFFFFF1", "t");
	struct store_action a1 = { .time = 1000, .user = "alice", .action = AUDIT_RETRY,
		.target = "AAAAAA1 BBBBBB2", .args = "postqueue -i AAAAAA1", .result = 0, .ok = 1 };
	struct store_action a2 = { .time = 2000, .user = "bob", .action = AUDIT_HOLD,
		.target = "CCCCCC3", .args = "postsuper -h CCCCCC3", .output = "postsuper: CCCCCC3: placed on hold",
		.result = 0, .ok = 7 };
	struct store_action a3 = { .time = 3000, .action = AUDIT_DELETE, .target = "DDDDDD4",
		.args = "postsuper -d DDDDDD4", .output = "postsuper: fatal: no such file", .result = 1, .ok = 0 };
	struct store_action bad = { .time = 1, .action = AUDIT_VERB_UNKNOWN };
	struct acts c = { 0 };
	struct why why = { "" };
	char *big;

	(void)state;
	must(store_add_attempt(s, &at, W));	/* a batch is open */
	must(store_add_action(s, &a1, W));
	must(store_add_action(s, &a2, W));
	must(store_add_action(s, &a3, W));
	/* no store_flush: another connection sees the audit rows already */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM actions"), 3);

	assert_int_equal(store_actions(s, 0, NULL, collect_action, &c, NULL), 3);
	assert_int_equal(c.time[0], 3000);
	assert_int_equal(c.time[1], 2000);
	assert_int_equal(c.time[2], 1000);
	assert_string_equal(c.action[0], "delete");
	assert_true(c.user[0][0] != '\0');	/* NULL user: filled from the uid */
	assert_int_equal(c.result[0], 1);
	assert_int_equal(c.ok[0], 0);
	assert_int_equal(c.ok[1], 1);		/* normalised */
	assert_string_equal(c.output[1], "postsuper: CCCCCC3: placed on hold");

	assert_int_equal(store_actions(s, 1500, NULL, NULL, NULL, NULL), 2);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_actions(s, 0, "BBBBBB2", collect_action, &c, NULL), 1);
	assert_string_equal(c.user[0], "alice");
	assert_int_equal(store_actions(s, 0, "%", NULL, NULL, NULL), 0);	/* literal, not a LIKE pattern */

	assert_int_equal(store_add_action(s, &bad, &why), -1);
	assert_non_null(strstr(why.text, "unknown audited verb"));
	bad.action = AUDIT_VERB_COUNT;
	assert_int_equal(store_add_action(s, &bad, &why), -1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM actions"), 3);	/* nothing written */

	/* output is bounded */
	big = malloc(100000);
	assert_non_null(big);
	memset(big, 'x', 99999);
	big[99999] = '\0';
	a1.output = big;
	a1.time = 4000;
	must(store_add_action(s, &a1, W));
	free(big);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_actions(s, 4000, NULL, collect_action, &c, NULL), 1);
	assert_true(c.output_len[0] <= STORE_OUTPUT_MAX);
	assert_true(c.output_len[0] > STORE_OUTPUT_MAX / 2);
	store_close(s);
}

/* throttle list, copied out */
struct thr {
	int n;
	char domain[4][64], mode[4][16], user[4][16];
	long long since[4], until[4];
};

/* collect_throttle - store_throttle_fn copying rows */
static int collect_throttle(void *ctx, const struct store_throttle *t)
{
	struct thr *c = ctx;

	if (c->n < 4) {
		snprintf(c->domain[c->n], sizeof c->domain[0], "%s", t->domain);
		snprintf(c->mode[c->n], sizeof c->mode[0], "%s", throttle_mode_name(t->mode));
		snprintf(c->user[c->n], sizeof c->user[0], "%s", t->user ? t->user : "");
		c->since[c->n] = (long long)t->since;
		c->until[c->n] = (long long)t->until;
	}
	c->n++;
	return 0;
}

static void test_throttles(void **state)
{
	const char *p = dbpath("throttles.db");
	struct store *s = open_ok(p);
	struct thr c = { 0 };
	struct why why = { "" };

	(void)state;
	must(store_set_throttle(s, "b.example", THROTTLE_PAUSE, 20, 99, "bob", W));
	must(store_set_throttle(s, "a.example", THROTTLE_SLOW, 10, 0, "alice", W));
	must(store_set_throttle(s, "a.example", THROTTLE_PAUSE, 30, 0, "carol", W));	/* upsert */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM throttles"), 2);	/* committed at once */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM throttles WHERE until IS NULL"), 1);
	assert_int_equal(store_throttles(s, collect_throttle, &c, NULL), 2);
	assert_string_equal(c.domain[0], "a.example");
	assert_string_equal(c.mode[0], "pause");
	assert_string_equal(c.user[0], "carol");
	assert_int_equal(c.since[0], 30);
	assert_int_equal(c.until[0], 0);
	assert_string_equal(c.domain[1], "b.example");
	assert_int_equal(c.until[1], 99);

	must(store_clear_throttle(s, "a.example", W));
	must(store_clear_throttle(s, "never.example", W));	/* absent is fine */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM throttles"), 1);
	memset(&c, 0, sizeof c);
	assert_int_equal(store_throttles(s, collect_throttle, &c, NULL), 1);
	assert_string_equal(c.domain[0], "b.example");

	assert_int_equal(store_set_throttle(s, "c.example", THROTTLE_MODE_UNKNOWN, 1, 0, NULL, &why), -1);
	assert_non_null(strstr(why.text, "unknown throttle mode"));
	assert_int_equal(store_set_throttle(s, "c.example", THROTTLE_MODE_COUNT, 1, 0, NULL, &why), -1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM throttles"), 1);
	store_close(s);
}

/* add_trend_row - one attempt for the trend test */
static void add_trend_row(struct store *s, time_t t, enum delivery_status status, const char *cause,
			  const char *domain, const char *provider)
{
	struct store_attempt a = attempt(t, "TTTTTT1", "t");

	a.status = status;
	a.cause = cause;
	a.domain = domain;
	a.provider = provider;
	must(store_add_attempt(s, &a, W));
}

struct trend_seen {
	int n;
	char value[4][32];
	unsigned counts[4][5];
};

/* collect_trend - store_trend_fn keeping values and their five buckets */
static int collect_trend(void *ctx, const char *value, const unsigned *counts)
{
	struct trend_seen *t = ctx;

	if (t->n < 4) {
		snprintf(t->value[t->n], sizeof t->value[0], "%s", value);
		memcpy(t->counts[t->n], counts, sizeof t->counts[0]);
	}
	t->n++;
	return 0;
}

static void test_trend_buckets(void **state)
{
	struct store *s = open_ok(dbpath("trend.db"));
	unsigned counts[5];
	const unsigned want_cause[5] = { 2, 1, 0, 1, 1 };
	const unsigned want_domain[5] = { 2, 1, 0, 1, 2 };
	struct why why = { "" };
	int i;

	(void)state;
	/* end 10000, 5 buckets of 60 s: (9700,9760] (9760,9820] (9820,9880] (9880,9940] (9940,10000] */
	add_trend_row(s, 9700, STATUS_DEFERRED, "rate-limit", "gmail.com", "google");	/* before the window */
	add_trend_row(s, 9701, STATUS_DEFERRED, "rate-limit", "gmail.com", "google");	/* 0 */
	add_trend_row(s, 9760, STATUS_DEFERRED, "rate-limit", "gmail.com", "google");	/* 0 */
	add_trend_row(s, 9761, STATUS_DEFERRED, "rate-limit", "gmail.com", "google");	/* 1 */
	add_trend_row(s, 9900, STATUS_DEFERRED, "rate-limit", "gmail.com", "google");	/* 3 */
	add_trend_row(s, 10000, STATUS_DEFERRED, "rate-limit", "gmail.com", "google");	/* 4 */
	add_trend_row(s, 10001, STATUS_DEFERRED, "rate-limit", "gmail.com", "google");	/* after */
	add_trend_row(s, 9990, STATUS_SENT, "rate-limit", "gmail.com", "google");		/* not a deferral */
	add_trend_row(s, 9995, STATUS_BOUNCED, "rate-limit", "gmail.com", "google");	/* not a deferral */
	add_trend_row(s, 9990, STATUS_DEFERRED, "tls", "gmail.com", "other");		/* other cause */
	add_trend_row(s, 9800, STATUS_DEFERRED, "rate-limit", "yahoo.com", "yahoo");	/* other everything */

	memset(counts, 0xff, sizeof counts);
	must(store_trend(s, "cause", "rate-limit", 10000, 60, 5, counts, W));
	for (i = 0; i < 5; i++)
		assert_int_equal(counts[i], want_cause[i] + (i == 1));	/* + yahoo at 9800 */
	must(store_trend(s, "provider", "google", 10000, 60, 5, counts, W));
	for (i = 0; i < 5; i++)
		assert_int_equal(counts[i], want_cause[i]);
	must(store_trend(s, "domain", "gmail.com", 10000, 60, 5, counts, W));
	for (i = 0; i < 5; i++)
		assert_int_equal(counts[i], want_domain[i]);
	must(store_trend(s, "domain", "nowhere.example", 10000, 60, 5, counts, W));
	for (i = 0; i < 5; i++)
		assert_int_equal(counts[i], 0);
	must(store_trend(s, "cause", "rate-limit", 10000, 300, 1, counts, W));	/* one wide bucket */
	assert_int_equal(counts[0], 6);

	/* every domain at once: gmail.com and yahoo.com, each with its own buckets */
	{
		struct trend_seen ts = { 0 };

		assert_int_equal(store_trends(s, "domain", NULL, 10000, 60, 5, collect_trend, &ts, NULL), 2);
		assert_int_equal(ts.n, 2);
		assert_string_equal(ts.value[0], "gmail.com");
		for (i = 0; i < 5; i++)
			assert_int_equal(ts.counts[0][i], want_domain[i]);
		assert_string_equal(ts.value[1], "yahoo.com");
		for (i = 0; i < 5; i++)
			assert_int_equal(ts.counts[1][i], i == 1);
	}
	assert_int_equal(store_trend(s, "status", "x", 10000, 60, 5, counts, &why), -1);
	assert_non_null(strstr(why.text, "cause, provider or domain"));
	assert_int_equal(store_trend(s, "cause", "x", 10000, 0, 5, counts, &why), -1);
	store_close(s);
}

/* attempts of one second get consecutive ids; late lines (an earlier second) fit in between */
static void test_same_second_and_late_lines(void **state)
{
	const char *p = dbpath("seq.db");
	struct store *s = open_ok(p);
	static const time_t t[] = { 100, 100, 50, 100, 50, 200 };
	struct seen seen = { 0 };
	struct store_attempt a;
	struct why why = { "" };
	char id[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(id, sizeof id, "SEQ%03zu", i);
		a = attempt(t[i], id, "x");
		must(store_add_attempt(s, &a, W));
		if (i == 2)
			must(store_flush(s, W));	/* the next batch reads the last id again */
	}
	must(store_flush(s, W));
	assert_int_equal(raw_int(p, "SELECT count(DISTINCT id) FROM attempts"), 6);
	assert_int_equal(raw_int(p, "SELECT max(id) & 16777215 FROM attempts WHERE id >> 24 = 100"), 2);
	assert_int_equal(raw_int(p, "SELECT max(id) & 16777215 FROM attempts WHERE id >> 24 = 50"), 1);
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, collect, &seen, NULL), 6);
	assert_int_equal(seen.time[0], 50);	/* oldest first, in arrival order within a second */
	assert_string_equal(seen.id[0], "SEQ002");
	assert_string_equal(seen.id[1], "SEQ004");
	assert_string_equal(seen.id[2], "SEQ000");
	assert_string_equal(seen.id[4], "SEQ003");
	assert_int_equal(seen.time[5], 200);
	a = attempt(-1, "SEQNEG1", "x");	/* before 1970: refused, nothing stored */
	assert_int_equal(store_add_attempt(s, &a, &why), -1);
	assert_non_null(strstr(why.text, "out of range"));
	store_close(s);
}

/* what store_on_migration's hook was told */
static struct {
	int calls, from, to, last_done;
} told;

/* record_migration - the hook of the tests */
static void record_migration(const char *path, int from, int to, int done)
{
	(void)path;
	told.calls++;
	told.from = from;
	told.to = to;
	told.last_done = done;
}

/* a version 1 database (text columns, four indexes) is converted in place, rows intact */
static void test_migrate_from_v1(void **state)
{
	const char *p = dbpath("v1.db");
	struct seen seen = { 0 };
	struct store *s;
	unsigned counts[1];
	char buf[64];

	(void)state;
	raw_exec(p, "PRAGMA application_id = 1836150126;"
		 "CREATE TABLE attempts (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, queue_id TEXT,"
		 " recipient TEXT, domain TEXT, provider TEXT, cause TEXT, dsn TEXT, status TEXT, relay TEXT,"
		 " stage TEXT, text TEXT);"
		 "CREATE INDEX attempts_queue_id ON attempts(queue_id);"
		 "CREATE INDEX attempts_time ON attempts(time);"
		 "CREATE TABLE messages (queue_id TEXT PRIMARY KEY, first_seen INTEGER NOT NULL,"
		 " last_seen INTEGER NOT NULL, sender TEXT, state TEXT, replaced_by TEXT);"
		 "CREATE INDEX messages_replaced_by ON messages(replaced_by) WHERE replaced_by IS NOT NULL;"
		 "CREATE INDEX messages_last_seen ON messages(last_seen);"
		 "CREATE TABLE actions (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, user TEXT,"
		 " action TEXT NOT NULL, target TEXT, args TEXT, result INTEGER, output TEXT, ok INTEGER NOT NULL);"
		 "CREATE TABLE throttles (domain TEXT PRIMARY KEY, mode TEXT NOT NULL, since INTEGER NOT NULL,"
		 " until INTEGER, by_user TEXT);"
		 "CREATE TABLE files (path TEXT PRIMARY KEY, dev INTEGER, ino INTEGER, offset INTEGER NOT NULL,"
		 " first_line_hash INTEGER, updated INTEGER NOT NULL);"
		 "INSERT INTO attempts VALUES (1, 500, 'OLDQID1', 'a@gmail.com', 'gmail.com', 'google',"
		 " 'rate-limit', '4.7.28', 'deferred', 'mx.google.com[192.0.2.1]:25', 'RCPT', 'slow down');"
		 "INSERT INTO attempts VALUES (2, 500, 'OLDQID1', 'b@gmail.com', 'gmail.com', 'google',"
		 " NULL, '2.0.0', 'sent', NULL, NULL, '250 ok');"
		 "INSERT INTO attempts VALUES (3, 400, 'OLDQID2', 'c@y.example', NULL, NULL, NULL, NULL,"
		 " 'bounced', NULL, NULL, NULL);"
		 "INSERT INTO messages VALUES ('OLDQID1', 400, 500, 's@example.org', 'queued', NULL);"
		 "INSERT INTO messages VALUES ('OLDQID0', 300, 300, NULL, 'removed', 'OLDQID1');"
		 "PRAGMA user_version = 1;");
	memset(&told, 0, sizeof told);
	store_on_migration(record_migration);
	s = open_ok(p);
	/* the operator is told before and after the conversion */
	assert_int_equal(told.calls, 2);
	assert_int_equal(told.from, 1);
	assert_int_equal(told.to, STORE_SCHEMA_VERSION);
	assert_int_equal(told.last_done, 1);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_equal(store_attempts_for(s, "OLDQID1", collect, &seen, NULL), 2);
	assert_int_equal(seen.time[0], 500);
	assert_string_equal(seen.text[0], "slow down");
	assert_string_equal(seen.text[1], "250 ok");
	assert_string_equal(raw_text(p, "SELECT relay FROM attempt_rows WHERE recipient = 'a@gmail.com'", buf,
				     sizeof buf), "mx.google.com[192.0.2.1]:25");
	assert_string_equal(raw_text(p, "SELECT status FROM attempt_rows WHERE time = 400", buf, sizeof buf),
			    "bounced");
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts WHERE id >> 24 = 500"), 2);
	must(store_trend(s, "cause", "rate-limit", 500, 100, 1, counts, W));
	assert_int_equal(counts[0], 1);
	seen.n = 0;	/* the requeue chain survived: OLDQID0 was requeued as OLDQID1 */
	assert_int_equal(store_attempts_for(s, "OLDQID1", collect, &seen, NULL), 2);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM messages"), 2);
	assert_int_equal(raw_int(p, "SELECT first_seen FROM messages WHERE queue_id = 'OLDQID1'"), 400);
	/* queued at 400 and still queued at 500: last_seen is now the last change */
	assert_int_equal(raw_int(p, "SELECT last_seen FROM messages WHERE queue_id = 'OLDQID1'"), 400);
	assert_string_equal(raw_text(p, "SELECT sender FROM messages WHERE queue_id = 'OLDQID1'", buf, sizeof buf),
			    "s@example.org");
	assert_string_equal(raw_text(p, "SELECT replaced_by FROM messages WHERE queue_id = 'OLDQID0'", buf,
				     sizeof buf), "OLDQID1");
	store_close(s);
	/* nothing to say when the file is current, nor when a new one is created */
	s = open_ok(p);
	store_close(s);
	s = open_ok(dbpath("v1-new.db"));
	store_close(s);
	assert_int_equal(told.calls, 2);
	store_on_migration(NULL);
}

/* the schema 3 tables and views, as mqmon 0.1.0 (schema 3) wrote them */
#define SCHEMA_V3 \
	"PRAGMA application_id = 1836150126;" \
	"CREATE TABLE actions (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, user TEXT, action TEXT NOT NULL," \
	" target TEXT, args TEXT, result INTEGER, output TEXT, ok INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0);" \
	"CREATE INDEX actions_time ON actions(time);" \
	"CREATE TABLE throttles (domain TEXT PRIMARY KEY, mode TEXT NOT NULL, since INTEGER NOT NULL," \
	" until INTEGER, by_user TEXT);" \
	"CREATE TABLE files (path TEXT PRIMARY KEY, dev INTEGER, ino INTEGER, offset INTEGER NOT NULL," \
	" first_line_hash INTEGER, updated INTEGER NOT NULL);" \
	"CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);" \
	"CREATE TABLE attempts (id INTEGER PRIMARY KEY, queue_id TEXT NOT NULL, recipient TEXT," \
	" status INTEGER NOT NULL, domain INTEGER, provider INTEGER, cause INTEGER, dsn INTEGER," \
	" relay INTEGER, stage INTEGER, text TEXT);" \
	"CREATE INDEX attempts_queue_id ON attempts(queue_id);" \
	"CREATE VIEW attempt_rows AS SELECT a.id, a.id >> 24 AS time, a.queue_id, a.recipient," \
	" d.name AS domain, p.name AS provider, c.name AS cause, n.name AS dsn," \
	" CASE a.status WHEN 1 THEN 'deferred' WHEN 2 THEN 'sent' WHEN 3 THEN 'bounced' ELSE 'expired' END" \
	" AS status, r.name AS relay, g.name AS stage, a.text FROM attempts a" \
	" LEFT JOIN names d ON d.id = a.domain LEFT JOIN names p ON p.id = a.provider" \
	" LEFT JOIN names c ON c.id = a.cause LEFT JOIN names n ON n.id = a.dsn" \
	" LEFT JOIN names r ON r.id = a.relay LEFT JOIN names g ON g.id = a.stage;" \
	"CREATE TABLE message_events (id INTEGER PRIMARY KEY, queue_id TEXT NOT NULL, state INTEGER NOT NULL," \
	" sender TEXT);" \
	"CREATE TABLE requeues (old_id TEXT PRIMARY KEY, new_id TEXT NOT NULL, time INTEGER NOT NULL);" \
	"CREATE INDEX requeues_new_id ON requeues(new_id);" \
	"CREATE VIEW messages AS WITH ev AS (SELECT id, queue_id, state, sender," \
	" lag(state) OVER (PARTITION BY queue_id ORDER BY id) AS prev FROM message_events)," \
	" g AS (SELECT queue_id, min(id) AS first_id, max(id) AS last_id," \
	" max(CASE WHEN prev IS NULL OR prev != state THEN id END) AS change_id," \
	" max(CASE WHEN sender IS NOT NULL THEN id END) AS sender_id FROM ev GROUP BY queue_id)" \
	" SELECT g.queue_id, g.first_id >> 24 AS first_seen, g.change_id >> 24 AS last_seen, s.sender," \
	" CASE l.state WHEN 1 THEN 'queued' WHEN 2 THEN 'hold' WHEN 3 THEN 'removed' WHEN 4 THEN 'expired'" \
	" ELSE 'deferred' END AS state, r.new_id AS replaced_by" \
	" FROM g JOIN message_events l ON l.id = g.last_id LEFT JOIN message_events s ON s.id = g.sender_id" \
	" LEFT JOIN requeues r ON r.old_id = g.queue_id;" \
	"CREATE TABLE action_targets (action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE," \
	" queue_id TEXT NOT NULL, PRIMARY KEY (action_id, queue_id)) WITHOUT ROWID;" \
	"CREATE INDEX action_targets_queue_id ON action_targets(queue_id);"

/* the rows of a schema 3 history: 600 attempts of every kind of reply text, and one of each other row */
#define ROWS_V3 \
	"WITH RECURSIVE i (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 599)" \
	" INSERT INTO names (name) SELECT 'mx' || (n % 7) || '.example.com[192.0.2.' || (n % 250) || ']:25'" \
	"  FROM i UNION SELECT 'gmail.com' UNION SELECT 'google' UNION SELECT 'rate-limit' UNION SELECT '4.2.2'" \
	"  UNION SELECT 'RCPT';" \
	"WITH RECURSIVE i (n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 599)" \
	" INSERT INTO attempts SELECT ((1700000000 + n / 3) << 24) | (n % 3), 'Q' || (n / 4), 'u' || n || '@example.com'," \
	"  1 + n % 4, (SELECT id FROM names WHERE name = 'gmail.com'), (SELECT id FROM names WHERE name = 'google')," \
	"  CASE WHEN n % 4 = 0 THEN (SELECT id FROM names WHERE name = 'rate-limit') END," \
	"  (SELECT id FROM names WHERE name = '4.2.2')," \
	"  CASE WHEN n % 5 THEN (SELECT id FROM names WHERE" \
	"   name = 'mx' || (n % 7) || '.example.com[192.0.2.' || (n % 250) || ']:25') END," \
	"  (SELECT id FROM names WHERE name = 'RCPT')," \
	"  CASE n % 8" \
	"   WHEN 0 THEN 'host mx' || (n % 7) || '.example.com[192.0.2.' || (n % 250) || '] said: 452 4.2.2 <u' || n" \
	"    || '@example.com> Quota exceeded (in reply to RCPT TO command)'" \
	"   WHEN 1 THEN '250 2.0.0 OK ' || (1763842856 + n) || ' 89b9bf' || hex(n) || 'si.' || n || ' - gsmtp'" \
	"   WHEN 2 THEN 'odd ' || char(1) || ' byte ' || n || char(31) || char(2)" \
	"   WHEN 3 THEN NULL" \
	"   WHEN 4 THEN ''" \
	"   WHEN 5 THEN 'connect to mx' || (n % 7) || '.example.com[192.0.2.' || (n % 250) || ']:25: Connection timed out'" \
	"   WHEN 6 THEN 'caf' || char(233) || ' 421 4.7.0 [203.0.113.' || n || ' 15] Try again later'" \
	"   ELSE 'no variable part at all' END" \
	"  FROM i;" \
	"INSERT INTO message_events VALUES ((1700000000 << 24), 'Q0', 1, 's@example.org')," \
	" ((1700000001 << 24), 'Q0', 5, NULL);" \
	"INSERT INTO requeues VALUES ('Q0', 'Q1', 1700000002);" \
	"INSERT INTO actions VALUES (1, 1700000003, 'root', 'hold', 'Q1', NULL, 0, 'done', 1, 0);" \
	"INSERT INTO action_targets VALUES (1, 'Q1');" \
	"INSERT INTO throttles VALUES ('gmail.com', 'slow', 1700000004, NULL, 'root');" \
	"INSERT INTO files VALUES ('/var/log/mail.log', 1, 2, 3, 4, 1700000005);"

/* expected - the attempts of a history as the view shows them, for comparing after a migration */
#define EXPECTED_SQL "CREATE TABLE expected AS SELECT * FROM attempt_rows"

struct texts {
	sqlite3_stmt *want;	/* the expected rows, in id order */
	int n, bad;
};

/* check_row - store_attempt_fn comparing each row with the next expected one */
static int check_row(void *ctx, const struct store_attempt *a)
{
	struct texts *t = ctx;
	const char *w;

	if (sqlite3_step(t->want) != SQLITE_ROW) {
		t->bad++;
		return 1;
	}
	t->n++;
	w = (const char *)sqlite3_column_text(t->want, 11);
	if ((long long)a->time != sqlite3_column_int64(t->want, 1) ||
	    strcmp(a->queue_id, (const char *)sqlite3_column_text(t->want, 2)) != 0 ||
	    (w == NULL) != (a->text == NULL) || (w != NULL && strcmp(w, a->text) != 0)) {
		print_message("row %d: text \"%s\", want \"%s\"\n", t->n, a->text ? a->text : "(null)",
			      w ? w : "(null)");
		t->bad++;
	}
	return 0;
}

struct nested {
	struct store *s;
	int n, bad;
};

/* outer_row - store_attempt_fn that runs a query of another kind, then checks its own text is intact */
static int outer_row(void *ctx, const struct store_attempt *a)
{
	struct nested *t = ctx;
	char copy[256];
	struct seen inner = { 0 };

	snprintf(copy, sizeof copy, "%s", a->text);
	if (store_attempts_for(t->s, "NEST2", collect, &inner, NULL) != 1 ||
	    strcmp(inner.text[0], "host mx.example.com[192.0.2.1] said: 421 4.7.0 <user@example.com> 2nd 222") != 0)
		t->bad++;
	t->bad += strcmp(copy, a->text) != 0;
	t->n++;
	return 0;
}

/* a reply text handed to a callback stays intact while the callback reads attempts another way */
static void test_text_survives_nested_query(void **state)
{
	struct store *s = open_ok(dbpath("nested.db"));
	struct store_attempt a = attempt(1700000000, "NEST1",
					 "host mx.example.com[192.0.2.1] said: 421 4.7.0 <user@example.com> 1st 111 and a longer tail");
	struct nested t = { s, 0, 0 };

	(void)state;
	must(store_add_attempt(s, &a, W));
	a = attempt(1700000001, "NEST2", "host mx.example.com[192.0.2.1] said: 421 4.7.0 <user@example.com> 2nd 222");
	must(store_add_attempt(s, &a, W));
	must(store_flush(s, W));
	must(store_attempts_since(s, 1700000000, STATUS_NONE, outer_row, &t, W));
	assert_int_equal(t.n, 2);
	assert_int_equal(t.bad, 0);
	store_close(s);
}

/* no_text - store_attempt_fn counting rows that carry a text (the brief reading must not) */
static int no_text(void *ctx, const struct store_attempt *a)
{
	*(int *)ctx += a->text != NULL || a->queue_id == NULL;
	return 0;
}

/* a schema 3 database is converted in place: every attempt keeps its text, every other row stays */
static void test_migrate_from_v3(void **state)
{
	const char *p = dbpath("v3.db");
	struct texts t = { NULL, 0, 0 };
	struct seen seen = { 0 };
	struct store *s;
	sqlite3 *db;
	unsigned counts[1];
	char buf[256];

	(void)state;
	raw_exec(p, SCHEMA_V3 ROWS_V3 EXPECTED_SQL "; PRAGMA user_version = 3;");
	assert_int_equal(raw_int(p, "SELECT count(*) FROM expected"), 600);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM expected WHERE relay IS NOT NULL"), 480);
	memset(&told, 0, sizeof told);
	store_on_migration(record_migration);
	s = open_ok(p);
	assert_int_equal(told.calls, 2);
	assert_int_equal(told.from, 3);
	assert_int_equal(told.to, STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(p, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	/* the texts are templates now: fewer distinct than rows, and most rows hold only tokens */
	assert_true(raw_int(p, "SELECT count(DISTINCT text) FROM attempts") < 10);
	/* every row, through the view (as text, column by column) ... */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM expected e JOIN attempt_rows a ON a.id = e.id"
				 " WHERE a.time IS e.time AND a.queue_id IS e.queue_id AND a.recipient IS e.recipient"
				 " AND a.domain IS e.domain AND a.provider IS e.provider AND a.cause IS e.cause"
				 " AND a.dsn IS e.dsn AND a.status IS e.status AND a.relay IS e.relay"
				 " AND a.stage IS e.stage AND a.text IS e.text"), 600);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 600);
	/* ... and through the store's own reading */
	assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT * FROM expected ORDER BY id", -1, &t.want, NULL), SQLITE_OK);
	must(store_attempts_since(s, 0, STATUS_NONE, check_row, &t, W));
	sqlite3_finalize(t.want);
	sqlite3_close(db);
	assert_int_equal(t.n, 600);
	assert_int_equal(t.bad, 0);
	t.bad = 0;	/* a report's reading: the same rows, no texts */
	assert_int_equal(store_attempts_since_brief(s, 0, STATUS_DEFERRED, no_text, &t.bad, NULL), 150);
	assert_int_equal(t.bad, 0);
	/* the other tables, the index of a message's history, the requeue chain and trends */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM message_events"), 2);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM messages"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM actions"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM action_targets"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM throttles"), 1);
	assert_int_equal(raw_int(p, "SELECT offset FROM files"), 3);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_master WHERE name = 'attempts_queue_id'"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM sqlite_master WHERE name = 'attempts_v3'"), 0);
	assert_int_equal(raw_int(p, "PRAGMA freelist_count"), 0);	/* the old table's pages were given back */
	assert_int_equal(store_attempts_for(s, "Q1", collect, &seen, NULL), 8);	/* Q1's 4 and Q0's 4 */
	assert_string_equal(seen.text[0], "host mx0.example.com[192.0.2.0] said: 452 4.2.2 <u0@example.com>"
			    " Quota exceeded (in reply to RCPT TO command)");
	must(store_trend(s, "cause", "rate-limit", 1700000199, 200, 1, counts, W));
	assert_int_equal(counts[0], 150);
	assert_string_equal(raw_text(p, "SELECT text FROM attempt_rows WHERE id = ((1700000000 << 24) | 2)", buf,
				     sizeof buf), "odd \001 byte 2\037\002");
	store_close(s);
	store_on_migration(NULL);
}

/* locked_elsewhere - does another process see a lock on SQLite's shared byte range of path? */
static int locked_elsewhere(const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		/* the child: fcntl locks of the parent show as conflicts */
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				    .l_start = 0x40000002, .l_len = 510 };	/* SHARED_FIRST, SHARED_SIZE */
		int fd = open(path, O_RDWR);

		if (fd < 0 || fcntl(fd, F_GETLK, &fl) < 0)
			_exit(2);
		_exit(fl.l_type == F_UNLCK ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 2);
	return WEXITSTATUS(status) == 1;
}

/* a second store_open in the process (the console's model worker, pruner and
 * action worker each open one) must not drop the locks of the first: POSIX
 * locks go with any close() of the file, and another program's sqlite3 would
 * then think it is alone and delete the WAL under us */
static void test_second_open_keeps_locks(void **state)
{
	const char *p = dbpath("locks.db");
	struct store *a, *b;
	struct store_attempt at = attempt(1000, "AAAAAA1", "452 try later");

	(void)state;
	a = open_ok(p);
	must(store_add_attempt(a, &at, W));
	must(store_flush(a, W));
	assert_true(locked_elsewhere(p));	/* an open WAL connection holds a shared lock */
	b = open_ok(p);
	store_close(b);
	assert_true(locked_elsewhere(p));
	store_close(a);
	assert_false(locked_elsewhere(p));
}

static void test_file_positions(void **state)
{
	const char *p = dbpath("files.db");
	const char *log = "/var/log/mail.log";
	struct store_file f = { .path = log, .dev = 2049, .ino = 1234567,
		.offset = 987654321012LL, .first_line_hash = 0xfedcba9876543210ULL }, out;
	struct store *s = open_ok(p);

	(void)state;
	assert_int_equal(store_load_file(s, log, &out, NULL), 0);
	must(store_save_file(s, &f, W));
	memset(&out, 0, sizeof out);
	assert_int_equal(store_load_file(s, log, &out, NULL), 1);
	assert_ptr_equal(out.path, log);
	assert_true(out.dev == 2049 && out.ino == 1234567);
	assert_true(out.offset == 987654321012LL);
	assert_true(out.first_line_hash == 0xfedcba9876543210ULL);	/* top bit survives */
	f.offset = 5;
	f.ino = ~0ULL;
	must(store_save_file(s, &f, W));
	store_close(s);
	s = open_ok(p);
	assert_int_equal(store_load_file(s, log, &out, NULL), 1);
	assert_true(out.offset == 5 && out.ino == ~0ULL);
	assert_int_equal(store_load_file(s, "/var/log/other.log", &out, NULL), 0);
	store_close(s);
}

static void test_prune_only_old(void **state)
{
	const char *p = dbpath("prune.db");
	struct store *s = open_ok(p);
	struct store_attempt a;
	struct store_action act = { .user = "op", .action = AUDIT_RETRY, .target = "X", .ok = 1 };
	time_t t[] = { 100, 200, 300 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		a = attempt(t[i], "PPPPPP1", "t");
		must(store_add_attempt(s, &a, W));
	}
	act.time = 100;
	must(store_add_action(s, &act, W));
	act.time = 300;
	must(store_add_action(s, &act, W));
	must(store_message_seen(s, "OLDOLD1", 100, NULL, MESSAGE_REMOVED, W));
	must(store_message_seen(s, "NEWNEW1", 90, NULL, MESSAGE_QUEUED, W));
	must(store_message_seen(s, "NEWNEW1", 300, NULL, MESSAGE_DEFERRED, W));	/* first seen old, last seen new */
	must(store_set_throttle(s, "old.example", THROTTLE_SLOW, 1, 0, "op", W));
	/* events are pruned one by one: NEWNEW1 keeps its event at 300 */
	assert_int_equal(store_prune(s, 250, NULL), 2 + 1 + 2);
	assert_int_equal(store_prune(s, 250, NULL), 0);
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 1);
	assert_int_equal(raw_int(p, "SELECT time FROM attempt_rows"), 300);
	assert_int_equal(raw_int(p, "SELECT time FROM actions"), 300);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM actions"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM messages WHERE queue_id = 'NEWNEW1'"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM messages"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM throttles"), 1);
}

/* #3: a cut-off or a since far outside the storable times is clamped, never wrapped by ?1 << 24 */
static void test_huge_times_clamped(void **state)
{
	const char *p = dbpath("huge-times.db");
	struct store *s = open_ok(p);
	struct store_attempt a;
	time_t t[] = { 100, 200, 300 };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		a = attempt(t[i], "HHHHHH1", "t");
		must(store_add_attempt(s, &a, W));
	}
	must(store_message_seen(s, "HHHHHH1", 100, NULL, MESSAGE_QUEUED, W));
	must(store_flush(s, W));
	/* now - 106751991167300d: far before 1970; nothing is that old */
	assert_int_equal(store_prune(s, (time_t)(-9223372036854775807LL + 5), NULL), 0);
	assert_int_equal(store_prune(s, (time_t)-1099511627776LL, NULL), 0);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 3);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM message_events"), 1);
	assert_int_equal(store_attempts_since(s, (time_t)(-9223372036854775807LL), STATUS_NONE, NULL, NULL, NULL), 3);
	assert_int_equal(store_attempts_since(s, (time_t)9223372036854775807LL, STATUS_NONE, NULL, NULL, NULL), 0);
	assert_int_equal(store_attempt_stats(s, (time_t)9223372036854775807LL, NULL, NULL, NULL), 0);
	/* a cut-off after every storable time prunes everything, as asked */
	assert_int_equal(store_prune(s, (time_t)9223372036854775807LL, NULL), 4);
	store_close(s);
}

/* #5: a new handle skips the repeats the one before it skipped (a restarted ingest adds nothing) */
static void test_repeat_cache_seeded(void **state)
{
	const char *p = dbpath("seeded.db");
	struct store *s = open_ok(p);

	(void)state;
	must(store_message_seen(s, "SSSSSS1", 100, "a@example.com", MESSAGE_QUEUED, W));
	must(store_message_seen(s, "SSSSSS1", 200, NULL, MESSAGE_DEFERRED, W));
	must(store_message_seen(s, "SSSSSS2", 150, NULL, MESSAGE_HOLD, W));
	store_close(s);
	s = open_ok(p);
	must(store_message_seen(s, "SSSSSS1", 300, NULL, MESSAGE_DEFERRED, W));	/* a repeat: not written */
	must(store_message_seen(s, "SSSSSS2", 250, NULL, MESSAGE_HOLD, W));		/* a repeat: not written */
	must(store_message_seen(s, "SSSSSS2", 260, NULL, MESSAGE_QUEUED, W));	/* a change: written */
	must(store_message_seen(s, "SSSSSS1", 310, "a@example.com", MESSAGE_DEFERRED, W));	/* sender known: not written */
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM message_events"), 4);
}

struct targets_seen {
	int n;
	char first[32], last[32];
};

/* collect_target - store_target_fn keeping the count, the first and the last ID */
static int collect_target(void *ctx, const char *id)
{
	struct targets_seen *t = ctx;

	if (t->n++ == 0)
		snprintf(t->first, sizeof t->first, "%s", id);
	snprintf(t->last, sizeof t->last, "%s", id);
	return 0;
}

/* first_action - store_action_fn copying the newest row's state, id and target count */
static int first_action(void *ctx, const struct store_action *a)
{
	struct store_action *out = ctx;

	out->state = a->state;
	out->id = a->id;
	out->ntargets = a->ntargets;
	out->result = a->result;
	out->ok = a->ok;
	return 1;
}

/* #4 #13: an action's row is written before its command (started, every target ID) and completed after */
static void test_action_started_then_done(void **state)
{
	enum { N = 100000 };
	const char *p = dbpath("action-targets.db");
	struct store *s = open_ok(p);
	struct store_action a = { .time = 1000, .user = "op", .action = AUDIT_DELETE, .target = "(cut)",
				  .args = "postsuper -d -", .result = -1 };
	struct store_action got = { 0 };
	struct targets_seen ts = { 0 };
	static char idbuf[N][16];
	static char *ids[N];
	long long id;
	int i;

	(void)state;
	for (i = 0; i < N; i++) {
		snprintf(idbuf[i], sizeof idbuf[i], "4B%07dX", i);
		ids[i] = idbuf[i];
	}
	assert_true((id = store_begin_action(s, &a, ids, N, NULL)) > 0);
	/* what a kill -9 now would leave: a started row naming every ID */
	assert_int_equal(raw_int(p, "SELECT state FROM actions"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM action_targets"), N);
	assert_int_equal(store_actions(s, 0, NULL, first_action, &got, NULL), 1);
	assert_int_equal(got.state, STORE_ACTION_STARTED);
	assert_int_equal(got.ntargets, N);
	assert_string_equal(store_action_outcome(&got), "interrupted/unknown outcome");
	/* the last ID is found although the target text does not show it */
	assert_int_equal(store_actions(s, 0, "4B0099999X", NULL, NULL, NULL), 1);
	assert_int_equal(store_action_targets(s, id, collect_target, &ts, NULL), N);
	assert_string_equal(ts.first, "4B0000000X");
	assert_string_equal(ts.last, "4B0099999X");
	a.result = 0;
	a.ok = 1;
	a.output = "postsuper: Deleted: 100000 messages";
	must(store_end_action(s, id, &a, W));
	assert_int_equal(store_actions(s, 0, NULL, first_action, &got, NULL), 1);
	assert_int_equal(got.state, STORE_ACTION_DONE);
	assert_int_equal(got.result, 0);
	assert_string_equal(store_action_outcome(&got), "ok");
	/* pruning the row takes its targets with it */
	assert_true(store_prune(s, 2000, NULL) >= 1);
	store_close(s);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM action_targets"), 0);
}

/* a long overdue prune goes in chunks, each its own transaction, until nothing is left */
static void test_prune_in_chunks(void **state)
{
	const char *p = dbpath("prune-chunks.db");
	struct store *s = open_ok(p);
	struct why why = { "" };
	int i, n, rounds = 0;

	(void)state;
	for (i = 0; i < 7; i++) {
		struct store_attempt a = attempt(100 + i, "QQQQQQ1", "t");

		must(store_add_attempt(s, &a, W));
	}
	must(store_flush(s, W));
	while ((n = store_prune_some(s, 1000, 3, NULL)) > 0) {
		assert_true(n <= 3);
		rounds++;
		assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 7 - (rounds < 3 ? rounds * 3 : 7));
	}
	assert_int_equal(n, 0);
	assert_int_equal(rounds, 3);	/* 3 + 3 + 1 */
	assert_int_equal(store_prune_some(s, 1000, 0, &why), -1);
	for (i = 0; i < STORE_PRUNE_CHUNK + 5; i++) {
		struct store_attempt a = attempt(200, "QQQQQQ2", "t");

		must(store_add_attempt(s, &a, W));
	}
	assert_int_equal(store_prune(s, 1000, NULL), STORE_PRUNE_CHUNK + 5);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 0);
	store_close(s);
}

static void test_hostile_strings_verbatim(void **state)
{
	static const char evil[] = "'; DROP TABLE attempts; --";
	static const char evil2[] = "x\"); DELETE FROM actions; /* % _ \\ ";
	const char *p = dbpath("evil.db");
	struct store *s = open_ok(p);
	struct store_attempt a = {
		.time = 50, .queue_id = evil, .recipient = evil, .domain = evil, .provider = evil,
		.cause = evil, .dsn = evil, .status = STATUS_DEFERRED, .relay = evil, .stage = evil, .text = evil2,
	};
	struct store_action act = { .time = 60, .user = evil, .action = AUDIT_RETRY, .target = evil2,
		.args = evil, .output = evil, .ok = 1 };
	struct store_file f = { .path = evil, .offset = 7 }, out;
	struct seen seen = { 0 };
	struct acts c = { 0 };
	struct thr th = { 0 };
	unsigned counts[1];

	(void)state;
	must(store_add_attempt(s, &a, W));
	must(store_message_seen(s, evil, 50, evil2, MESSAGE_QUEUED, W));
	must(store_message_replaced(s, evil2, evil, 50, W));
	must(store_add_action(s, &act, W));
	must(store_set_throttle(s, evil, THROTTLE_PAUSE, 1, 0, evil2, W));
	must(store_save_file(s, &f, W));
	must(store_flush(s, W));

	assert_int_equal(store_attempts_for(s, evil, collect, &seen, NULL), 1);
	assert_string_equal(seen.id[0], evil);
	assert_string_equal(seen.text[0], evil2);
	assert_int_equal(store_actions(s, 0, evil2, collect_action, &c, NULL), 1);
	assert_string_equal(c.user[0], evil);
	assert_string_equal(c.output[0], evil);
	assert_int_equal(store_throttles(s, collect_throttle, &th, NULL), 1);
	assert_string_equal(th.domain[0], evil);
	assert_int_equal(store_load_file(s, evil, &out, NULL), 1);
	assert_int_equal(out.offset, 7);
	must(store_trend(s, "cause", evil, 100, 100, 1, counts, W));
	assert_int_equal(counts[0], 1);
	store_close(s);

	assert_int_equal(raw_int(p, "SELECT count(*) FROM attempts"), 1);	/* tables intact */
	assert_int_equal(raw_int(p, "SELECT count(*) FROM actions"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM messages"), 1);
	assert_int_equal(raw_int(p, "SELECT count(*) FROM requeues"), 1);
	{
		char buf[128];

		assert_string_equal(raw_text(p, "SELECT sender FROM messages", buf, sizeof buf), evil2);
	}
}

/* the values read back by the vocabulary tests */
struct vocab_seen {
	int n;
	int v[16];
};

/* status_of - store_attempt_fn keeping each attempt's status */
static int status_of(void *ctx, const struct store_attempt *a)
{
	struct vocab_seen *c = ctx;

	if (c->n < 16)
		c->v[c->n++] = a->status;
	return 0;
}

/* verb_of - store_action_fn keeping each audit row's verb (newest first) */
static int verb_of(void *ctx, const struct store_action *a)
{
	struct vocab_seen *c = ctx;

	if (c->n < 16)
		c->v[c->n++] = a->action;
	return 0;
}

/* mode_of - store_throttle_fn keeping each throttle's mode (by domain) */
static int mode_of(void *ctx, const struct store_throttle *t)
{
	struct vocab_seen *c = ctx;

	if (c->n < 16)
		c->v[c->n++] = t->mode;
	return 0;
}

/* issue 13: the vocabularies cross the store as enums; every value comes back as itself, the tables hold
 * the codes and words earlier versions wrote (and read), the views name each code with the vocabulary's
 * word, and a code or word this mqmon does not know reads back as unknown */
static void test_vocabularies_round_trip(void **state)
{
	const char *p = dbpath("vocab.db");
	struct store *s = open_ok(p);
	struct vocab_seen c = { 0 };
	struct store_attempt a;
	struct store_action act = { .user = "op", .target = "X", .ok = 1 };
	char sql[160], buf[32], id[32];
	int v;

	(void)state;
	for (v = STATUS_DEFERRED; v < STATUS_OTHER; v++) {
		a = attempt(100 + v, "VOCAB01", "t");
		a.status = (enum delivery_status)v;
		must(store_add_attempt(s, &a, W));
	}
	for (v = MESSAGE_QUEUED; v < MESSAGE_STATE_COUNT; v++) {
		snprintf(id, sizeof id, "VOCABM%d", v);
		must(store_message_seen(s, id, 100, NULL, (enum message_state)v, W));
	}
	for (v = 0; v < AUDIT_VERB_COUNT; v++) {
		act.time = 1000 + v;
		act.action = (enum audit_verb)v;
		must(store_add_action(s, &act, W));
	}
	for (v = 0; v < THROTTLE_MODE_COUNT; v++) {
		snprintf(id, sizeof id, "m%d.example", v);
		must(store_set_throttle(s, id, (enum throttle_mode)v, 1, 0, "op", W));
	}
	must(store_flush(s, W));

	assert_int_equal(store_attempts_for(s, "VOCAB01", status_of, &c, NULL), STATUS_OTHER - 1);
	for (v = STATUS_DEFERRED; v < STATUS_OTHER; v++) {
		assert_int_equal(c.v[v - 1], v);
		assert_int_equal(store_attempts_since(s, 0, (enum delivery_status)v, NULL, NULL, NULL), 1);
		snprintf(sql, sizeof sql, "SELECT status FROM attempts WHERE id >> 24 = %d", 100 + v);
		assert_int_equal(raw_int(p, sql), v);	/* the code is the value */
		snprintf(sql, sizeof sql, "SELECT status FROM attempt_rows WHERE time = %d", 100 + v);
		assert_string_equal(raw_text(p, sql, buf, sizeof buf), delivery_status_name((enum delivery_status)v));
	}
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, NULL, NULL, NULL), STATUS_OTHER - 1);
	assert_int_equal(store_attempts_since(s, 0, STATUS_OTHER, NULL, NULL, NULL), 0);
	for (v = MESSAGE_QUEUED; v < MESSAGE_STATE_COUNT; v++) {
		snprintf(sql, sizeof sql, "SELECT state FROM message_events WHERE queue_id = 'VOCABM%d'", v);
		assert_int_equal(raw_int(p, sql), v);
		snprintf(sql, sizeof sql, "SELECT state FROM messages WHERE queue_id = 'VOCABM%d'", v);
		assert_string_equal(raw_text(p, sql, buf, sizeof buf), message_state_name((enum message_state)v));
	}
	c.n = 0;
	assert_int_equal(store_actions(s, 0, NULL, verb_of, &c, NULL), AUDIT_VERB_COUNT);
	for (v = 0; v < AUDIT_VERB_COUNT; v++) {
		assert_int_equal(c.v[AUDIT_VERB_COUNT - 1 - v], v);	/* newest first */
		snprintf(sql, sizeof sql, "SELECT action FROM actions WHERE time = %d", 1000 + v);
		assert_string_equal(raw_text(p, sql, buf, sizeof buf), audit_verb_name((enum audit_verb)v));
	}
	c.n = 0;
	assert_int_equal(store_throttles(s, mode_of, &c, NULL), THROTTLE_MODE_COUNT);
	for (v = 0; v < THROTTLE_MODE_COUNT; v++) {
		assert_int_equal(c.v[v], v);
		snprintf(sql, sizeof sql, "SELECT mode FROM throttles WHERE domain = 'm%d.example'", v);
		assert_string_equal(raw_text(p, sql, buf, sizeof buf), throttle_mode_name((enum throttle_mode)v));
	}

	/* rows as an earlier mqmon wrote them read back as the enums; unknown codes and words as unknown */
	raw_exec(p, "INSERT INTO actions (time, user, action, target, ok) VALUES (5000, 'old', 'hold', 'Y', 1),"
		 " (5001, 'new', 'flush', 'Z', 1);"
		 "INSERT INTO throttles (domain, mode, since) VALUES ('old.example', 'pause', 1),"
		 " ('new.example', 'crawl', 1);"
		 "INSERT INTO attempts (id, queue_id, status) VALUES ((6000 << 24), 'VOCAB02', 1),"
		 " ((6001 << 24), 'VOCAB02', 9);");
	c.n = 0;
	assert_int_equal(store_actions(s, 5000, NULL, verb_of, &c, NULL), 2);
	assert_int_equal(c.v[0], AUDIT_VERB_UNKNOWN);
	assert_int_equal(c.v[1], AUDIT_HOLD);
	c.n = 0;
	assert_int_equal(store_throttles(s, mode_of, &c, NULL), THROTTLE_MODE_COUNT + 2);
	assert_int_equal(c.v[2], THROTTLE_MODE_UNKNOWN);	/* new.example */
	assert_int_equal(c.v[3], THROTTLE_PAUSE);		/* old.example */
	c.n = 0;
	assert_int_equal(store_attempts_for(s, "VOCAB02", status_of, &c, NULL), 2);
	assert_int_equal(c.v[0], STATUS_DEFERRED);
	assert_int_equal(c.v[1], STATUS_OTHER);
	store_close(s);
}

static void test_bad_input_refused(void **state)
{
	struct store *s = open_ok(dbpath("bad.db"));
	struct store_attempt a = attempt(1, "GGGGGG1", "t");
	struct why why = { "" };

	(void)state;
	must(store_add_attempt(s, &a, W));
	a.status = STATUS_OTHER;	/* a word the parser did not know: never stored */
	assert_int_equal(store_add_attempt(s, &a, &why), -1);
	assert_non_null(strstr(why.text, "other"));
	a.status = STATUS_NONE;
	assert_int_equal(store_add_attempt(s, &a, &why), -1);
	assert_int_equal(store_message_seen(s, NULL, 1, NULL, MESSAGE_QUEUED, &why), -1);
	assert_int_equal(store_message_replaced(s, "GGGGGG1", "GGGGGG1", 1, &why), -1);
	assert_int_equal(store_message_seen(s, "GGGGGG1", 1, NULL, MESSAGE_STATE_UNKNOWN, &why), -1);
	assert_non_null(strstr(why.text, "unknown message state"));
	assert_int_equal(store_message_seen(s, "GGGGGG1", 1, NULL, MESSAGE_STATE_COUNT, &why), -1);
	must(store_flush(s, W));	/* the batch survived the refusals */
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, NULL, NULL, NULL), 1);
	store_close(s);
	store_close(NULL);
}

/* reenter - store_attempt_fn that queries the same statement again */
static int reenter(void *ctx, const struct store_attempt *a)
{
	void **args = ctx;
	struct why *why = args[1];

	(void)a;
	return store_attempts_since(args[0], 0, STATUS_NONE, NULL, NULL, why) == -1 ? 0 : 1;
}

static void test_reentry_refused(void **state)
{
	struct store *s = open_ok(dbpath("reenter.db"));
	struct store_attempt a = attempt(1, "HHHHHH1", "t");
	struct why why = { "" };
	void *args[2] = { s, &why };

	(void)state;
	must(store_add_attempt(s, &a, W));
	must(store_add_attempt(s, &a, W));
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, reenter, args, NULL), 2);
	assert_non_null(strstr(why.text, "re-entered"));
	/* other queries from a callback are fine */
	assert_int_equal(store_attempts_since(s, 0, STATUS_NONE, NULL, NULL, NULL), 2);
	store_close(s);
}

struct writer {
	const char *path;
	int rc;
	double waited;
	char why[1024];
};

/* writer_main - a second handle adding an audit row while the first holds a batch */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct why why = { "" };
	struct store_action act = { .time = 77, .user = "second", .action = AUDIT_HOLD, .target = "IIIIII1", .ok = 1 };
	struct store *s = store_open(w->path, &why);
	double t0 = now_s();

	w->rc = -1;
	if (s != NULL) {
		w->rc = store_add_action(s, &act, &why);
		w->waited = now_s() - t0;
		store_close(s);
	}
	snprintf(w->why, sizeof w->why, "%s", why.text);
	return NULL;
}

static void test_two_handles(void **state)
{
	const char *p = dbpath("shared.db");
	struct store *a = open_ok(p), *b = open_ok(p);
	struct store_attempt x = attempt(1, "JJJJJJ1", "from a"), y = attempt(2, "KKKKKK1", "from b");
	struct writer w = { .path = p };
	struct timespec pause = { 0, 300 * 1000000L };
	pthread_t th;

	(void)state;
	must(store_add_attempt(a, &x, W));
	must(store_flush(a, W));
	must(store_add_attempt(b, &y, W));
	must(store_flush(b, W));
	assert_int_equal(store_attempts_since(a, 0, STATUS_NONE, NULL, NULL, NULL), 2);
	assert_int_equal(store_attempts_since(b, 0, STATUS_NONE, NULL, NULL, NULL), 2);

	/* a holds a batch (the write lock); b still reads (WAL) */
	must(store_add_attempt(a, &x, W));
	assert_int_equal(store_attempts_since(b, 0, STATUS_NONE, NULL, NULL, NULL), 2);

	/* a third handle's write waits (busy timeout) until a flushes, then succeeds */
	assert_int_equal(pthread_create(&th, NULL, writer_main, &w), 0);
	nanosleep(&pause, NULL);
	must(store_flush(a, W));
	assert_int_equal(pthread_join(th, NULL), 0);
	if (w.rc != 0)
		fail_msg("second writer: %s", w.why);
	assert_true(w.waited > 0.1);
	assert_int_equal(store_actions(a, 0, "IIIIII1", NULL, NULL, NULL), 1);
	assert_int_equal(store_attempts_since(b, 0, STATUS_NONE, NULL, NULL, NULL), 3);
	store_close(b);
	store_close(a);
}

/* rm_entry - nftw callback removing one entry */
static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* setup - a private directory for this run's databases */
static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mqmon-test-store-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* teardown - remove the directory and everything in it */
static int teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_instance_file),
		cmocka_unit_test(test_migrate_from_empty),
		cmocka_unit_test(test_reopen_keeps_data),
		cmocka_unit_test(test_bulk_load_index),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_not_a_database_refused),
		cmocka_unit_test(test_batch_commits_every_batch_rows),
		cmocka_unit_test(test_batching_speed),
		cmocka_unit_test(test_flush_and_close_durability),
		cmocka_unit_test(test_message_upsert),
		cmocka_unit_test(test_requeue_chain),
		cmocka_unit_test(test_actions_newest_first_and_immediate),
		cmocka_unit_test(test_throttles),
		cmocka_unit_test(test_trend_buckets),
		cmocka_unit_test(test_same_second_and_late_lines),
		cmocka_unit_test(test_migrate_from_v1),
		cmocka_unit_test(test_migrate_from_v3),
		cmocka_unit_test(test_text_survives_nested_query),
		cmocka_unit_test(test_second_open_keeps_locks),
		cmocka_unit_test(test_file_positions),
		cmocka_unit_test(test_prune_only_old),
		cmocka_unit_test(test_prune_in_chunks),
		cmocka_unit_test(test_huge_times_clamped),
		cmocka_unit_test(test_repeat_cache_seeded),
		cmocka_unit_test(test_action_started_then_done),
		cmocka_unit_test(test_hostile_strings_verbatim),
		cmocka_unit_test(test_vocabularies_round_trip),
		cmocka_unit_test(test_bad_input_refused),
		cmocka_unit_test(test_reentry_refused),
		cmocka_unit_test(test_two_handles),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
