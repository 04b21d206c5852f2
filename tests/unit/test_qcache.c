/* test_qcache - the model cache: a replayed model equals the one recorded; any change of a file's
 * identity means "read it again"; a truncated, bit-flipped, other-version or other-instance cache
 * is refused whole; the file is 0600, written atomically, never through a link */
#include "tests/unit/testutil.h"
#include "tests/unit/testmodel.h"

#include "core/queue/qcache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/postfix/mta_postfix.h"
#include "core/queue/snapshot.h"

static const time_t now = 1800000000;

/* params - a Postfix instance */
static struct mta_params params(void)
{
	struct mta_params p = postfix_defaults();

	snprintf(p.config_dir, sizeof p.config_dir, "/etc/postfix");
	snprintf(p.queue_dir, sizeof p.queue_dir, "/var/spool/postfix");
	return p;
}

static const char gmail[] = "host a[192.0.2.1] said: 421-4.7.28 unusual rate of 421-4.7.28 unsolicited mail "
	"421 4.7.28 rate limited. gsmtp (in reply to RCPT TO command)";
static const char grey[] = "host b[192.0.2.2] said: 450 4.2.0 Greylisted, see http://postgrey (in reply to RCPT TO command)";

/* ident - a file identity from a seed */
static struct qcache_stat ident(uint64_t seed)
{
	struct qcache_stat s = { .present = 1, .ino = 1000 + seed, .size = 600 + seed, .mtime = now + (int64_t)seed,
		.mtime_ns = 123456789, .ctime = now - 5, .ctime_ns = 987654321 };

	return s;
}

#define NFILES 4
static const char *const names[NFILES] = { "4A1B2C3D4E", "4A1B2C3D4F", "5B00000001", "6C00000002" };

/* record_file - file i's calls, recorded (c may be NULL: a plain read) */
static void record_file(struct qcache *c, struct qmodel *m, int i, int dirs[2])
{
	struct qcache_stat f = ident((uint64_t)i), comp = ident(100 + (uint64_t)i);
	struct qmsg *msg;

	switch (i) {
	case 0:		/* deferred, two recipients, a defer log */
		qcache_begin(c, dirs[0], names[0], &f, dirs[1], &comp);
		msg = qcache_add(c, m, names[0], QUEUE_DEFERRED, "news@shop.example", now - 3600, 2048, 0);
		qcache_exact_retry(c, msg, now + 600);
		qcache_add_rcpt(c, m, msg, "a@gmail.com", gmail, strlen(gmail), "4.7.28", STAGE_UNKNOWN);
		qcache_add_rcpt(c, m, msg, "b@grey.example", grey, strlen(grey), "4.2.0", STAGE_UNKNOWN);
		break;
	case 1:		/* deferred, no defer log (absent companion), the null sender, forced to expire */
		qcache_begin(c, dirs[0], names[1], &f, dirs[1], NULL);
		msg = qcache_add(c, m, names[1], QUEUE_DEFERRED, "", now - 7200, 999, 1);
		qcache_exact_retry(c, msg, now + 60);
		qcache_add_rcpt(c, m, msg, "c@example.org", NULL, 0, NULL, STAGE_UNKNOWN);
		break;
	case 2:		/* held, no companion at all, a reply with its stage and a remote reason */
		qcache_begin(c, dirs[0], names[2], &f, -1, NULL);
		msg = qcache_add(c, m, names[2], QUEUE_HOLD, "alerts@example.net", now - 60, 10, 0);
		qcache_add_rcpt(c, m, msg, "d@yahoo.com", grey, strlen(grey), NULL, STAGE_DATA);
		qcache_remote_reason(c, m, msg, gmail, strlen(gmail));
		break;
	default:	/* an ID the model refuses (qmodel_add returns NULL): replayed the same */
		qcache_begin(c, dirs[0], names[3], &f, -1, NULL);
		msg = qcache_add(c, m, "not an id!", QUEUE_ACTIVE, "x@y", now, 1, 0);
		assert_null(msg);
		break;
	}
	qcache_end(c);
}

/* model_json - the finished model as snapshot JSON (malloc'd) */
static char *model_json(struct qmodel *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);
	struct why why;

	assert_non_null(fp);
	qmodel_finish(m, now);
	m->generated_at = now;
	assert_int_equal(snapshot_write(m, SNAPSHOT_JSON, "h", fp, &why), 0);
	fclose(fp);
	return text;
}

/* new_cache - an empty cache of the Postfix instance at /etc/postfix */
static struct qcache *new_cache(void)
{
	struct qcache *c = qcache_new("postfix", "/etc/postfix", "/var/spool/postfix");

	assert_non_null(c);
	return c;
}

/* build - every file recorded into a cache and a model; the cache's bytes and the model's JSON */
static void build(unsigned char **buf, size_t *len, char **json)
{
	struct mta_params p = params();
	struct qcache *c = new_cache();
	struct qmodel *m = qmodel_new(cl, &p);
	int dirs[2], i;

	dirs[0] = qcache_dir(c, "deferred/4");
	dirs[1] = qcache_dir(c, "defer/4");
	for (i = 0; i < NFILES; i++)
		record_file(c, m, i, dirs);
	assert_int_equal(qcache_kept(c), NFILES);
	assert_int_equal(qcache_encode(c, now, buf, len), 0);
	*json = model_json(m);
	qmodel_free(m);
	qcache_free(c);
}

/* reseal - the checksum of a changed buffer made right again */
static void reseal(unsigned char *buf, size_t len)
{
	uint64_t sum = qcache_checksum(buf, len - 8);
	int i;

	for (i = 0; i < 8; i++)
		buf[len - 8 + i] = (unsigned char)(sum >> (8 * i));
}

/* replay_walk - a warm walk: every file with its recorded identity; how many came from the cache */
static size_t replay_walk(struct qcache *c, struct qmodel *m)
{
	int dirs[2], i;
	size_t hits = 0;

	dirs[0] = qcache_dir(c, "deferred/4");
	dirs[1] = qcache_dir(c, "defer/4");
	for (i = 0; i < NFILES; i++) {
		struct qcache_stat f = ident((uint64_t)i), comp = ident(100 + (uint64_t)i);
		int cdir = i < 2 ? dirs[1] : -1;

		if (qcache_replay(c, m, dirs[0], names[i], &f, cdir, i == 0 ? &comp : NULL))
			hits++;
		else
			record_file(c, m, i, dirs);
	}
	return hits;
}

static void test_round_trip(void **state)
{
	struct mta_params p = params();
	unsigned char *buf, *buf2;
	size_t len, len2;
	char *cold, *warm, *all;
	struct qcache *c = new_cache();
	struct qmodel *m = qmodel_new(cl, &p), *m2 = qmodel_new(cl, &p);
	struct why why;

	(void)state;
	build(&buf, &len, &cold);
	assert_int_equal(qcache_load_buffer(c, buf, len, &why), 0);
	assert_int_equal(qcache_loaded(c), NFILES);
	assert_int_equal((long)qcache_written_at(c), (long)now);
	/* the whole cached model (the console's first screen) */
	assert_int_equal(qcache_replay_all(c, m2), NFILES);
	all = model_json(m2);
	assert_string_equal(all, cold);
	/* a warm walk replays every file: the same model as the cold read, and the same cache again */
	assert_int_equal(replay_walk(c, m), NFILES);
	assert_int_equal(qcache_replayed(c), NFILES);
	warm = model_json(m);
	assert_string_equal(warm, cold);
	assert_int_equal(qcache_encode(c, now, &buf2, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(buf2, buf, len);
	free(buf);
	free(buf2);
	free(cold);
	free(warm);
	free(all);
	qmodel_free(m);
	qmodel_free(m2);
	qcache_free(c);
}

/* refused - whether the cache refuses to replay file 0 with this identity (it must be read again) */
static int refused(const unsigned char *buf, size_t len, struct qcache_stat f, struct qcache_stat comp, int comp_present,
		   const char *dir)
{
	struct mta_params p = params();
	struct qcache *c = new_cache();
	struct qmodel *m = qmodel_new(cl, &p);
	int dirh, cdirh, hit;

	assert_int_equal(qcache_load_buffer(c, buf, len, NULL), 0);
	dirh = qcache_dir(c, dir);
	cdirh = qcache_dir(c, "defer/4");
	hit = qcache_replay(c, m, dirh, names[0], &f, cdirh, comp_present ? &comp : NULL);
	assert_int_equal(m->n, hit ? 1 : 0);
	qmodel_free(m);
	qcache_free(c);
	return !hit;
}

static void test_identity(void **state)
{
	unsigned char *buf;
	size_t len;
	char *json;
	struct qcache_stat f = ident(0), comp = ident(100), x;

	(void)state;
	build(&buf, &len, &json);
	assert_false(refused(buf, len, f, comp, 1, "deferred/4"));
	x = f; x.ino++;
	assert_true(refused(buf, len, x, comp, 1, "deferred/4"));
	x = f; x.size++;
	assert_true(refused(buf, len, x, comp, 1, "deferred/4"));
	x = f; x.mtime++;
	assert_true(refused(buf, len, x, comp, 1, "deferred/4"));
	x = f; x.mtime_ns++;
	assert_true(refused(buf, len, x, comp, 1, "deferred/4"));
	x = f; x.ctime++;
	assert_true(refused(buf, len, x, comp, 1, "deferred/4"));
	x = f; x.ctime_ns++;	/* chmod, rename, a rewrite with the same mtime */
	assert_true(refused(buf, len, x, comp, 1, "deferred/4"));
	x = comp; x.ctime_ns++;	/* the defer log changed */
	assert_true(refused(buf, len, f, x, 1, "deferred/4"));
	assert_true(refused(buf, len, f, comp, 0, "deferred/4"));	/* the defer log went away */
	assert_true(refused(buf, len, f, comp, 1, "deferred/5"));	/* another directory */
	assert_true(refused(buf, len, f, comp, 1, "hold"));
	free(buf);
	free(json);
}

static void test_vanished_not_kept(void **state)
{
	struct mta_params p = params();
	unsigned char *buf, *buf2;
	size_t len, len2;
	char *json;
	struct qcache *c = new_cache(), *c2 = new_cache();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qcache_stat f = ident(0), comp = ident(100);
	int dirh, cdirh;

	(void)state;
	build(&buf, &len, &json);
	assert_int_equal(qcache_load_buffer(c, buf, len, NULL), 0);
	dirh = qcache_dir(c, "deferred/4");
	cdirh = qcache_dir(c, "defer/4");
	assert_int_equal(qcache_replay(c, m, dirh, names[0], &f, cdirh, &comp), 1);
	assert_int_equal(qcache_encode(c, now, &buf2, &len2), 0);
	assert_true(len2 < len);
	assert_int_equal(qcache_load_buffer(c2, buf2, len2, NULL), 0);
	assert_int_equal(qcache_loaded(c2), 1);
	free(buf);
	free(buf2);
	free(json);
	qmodel_free(m);
	qcache_free(c);
	qcache_free(c2);
}

/* the console's way: the model preloaded from the cache, the walk only verifies, then what changed or
 * went is forgotten and the changed file read: the model equals a cold read of the files as they are */
static void test_preload_verify(void **state)
{
	struct mta_params p = params();
	unsigned char *buf, *buf2;
	size_t len, len2;
	char *json, *warm, *cold;
	struct qcache *c = new_cache(), *c2 = new_cache();
	struct qmodel *m = qmodel_new(cl, &p), *ref = qmodel_new(cl, &p);
	struct qcache_stat f0 = ident(0), f1 = ident(1), f3 = ident(3), comp = ident(100);
	int dirs[2];

	(void)state;
	build(&buf, &len, &json);
	assert_int_equal(qcache_load_buffer(c, buf, len, NULL), 0);
	assert_int_equal(qcache_preload(c, m), NFILES);
	assert_true(qcache_preloaded(c));
	assert_int_equal(m->n, 3);	/* file 3's ID is refused */
	dirs[0] = qcache_dir(c, "deferred/4");
	dirs[1] = qcache_dir(c, "defer/4");
	/* file 0 as it was: kept, no model call; file 1 rewritten: stale; file 2 gone; file 3 as it was */
	assert_int_equal(qcache_replay(c, m, dirs[0], names[0], &f0, dirs[1], &comp), 1);
	f1.ctime_ns++;
	assert_int_equal(qcache_replay(c, m, dirs[0], names[1], &f1, dirs[1], NULL), 0);
	assert_int_equal(qcache_replay(c, m, dirs[0], names[3], &f3, -1, NULL), 1);
	assert_int_equal(m->n, 3);
	assert_int_equal(qcache_forget_stale(c, m), 2);	/* files 1 and 2 */
	assert_false(qcache_preloaded(c));
	assert_null(qmodel_find(m, names[1]));
	assert_null(qmodel_find(m, names[2]));
	assert_non_null(qmodel_find(m, names[0]));
	/* file 1 read again (recorded with its new identity) */
	{
		struct qmsg *msg;

		qcache_begin(c, dirs[0], names[1], &f1, dirs[1], NULL);
		msg = qcache_add(c, m, names[1], QUEUE_DEFERRED, "", now - 7200, 999, 1);
		qcache_exact_retry(c, msg, now + 60);
		qcache_add_rcpt(c, m, msg, "c@example.org", NULL, 0, NULL, STAGE_UNKNOWN);
		qcache_end(c);
	}
	warm = model_json(m);
	/* a cold read of files 0, 1 and 3 */
	record_file(NULL, ref, 0, dirs);
	record_file(NULL, ref, 1, dirs);
	record_file(NULL, ref, 3, dirs);
	cold = model_json(ref);
	assert_string_equal(warm, cold);
	/* the next cache holds files 0, 3 and 1 */
	assert_int_equal(qcache_kept(c), 3);
	assert_int_equal(qcache_encode(c, now, &buf2, &len2), 0);
	assert_int_equal(qcache_load_buffer(c2, buf2, len2, NULL), 0);
	assert_int_equal(qcache_loaded(c2), 3);
	free(buf);
	free(buf2);
	free(json);
	free(warm);
	free(cold);
	qmodel_free(m);
	qmodel_free(ref);
	qcache_free(c);
	qcache_free(c2);
}

static void test_truncated_everywhere(void **state)
{
	unsigned char *buf;
	size_t len, cut;
	char *json;
	struct qcache *c = new_cache();
	struct why why;

	(void)state;
	build(&buf, &len, &json);
	for (cut = 0; cut < len; cut++) {
		unsigned char *t = malloc(cut + 1);

		memcpy(t, buf, cut);
		assert_int_equal(qcache_load_buffer(c, t, cut, &why), -1);
		assert_int_equal(qcache_loaded(c), 0);
		free(t);
	}
	free(buf);
	free(json);
	qcache_free(c);
}

static void test_bit_flips(void **state)
{
	struct mta_params p = params();
	unsigned char *buf;
	size_t len, i;
	char *json;
	struct qcache *c = new_cache();
	int bit;

	(void)state;
	build(&buf, &len, &json);
	for (i = 0; i < len; i++)
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= (unsigned char)(1 << bit);
			assert_int_equal(qcache_load_buffer(c, buf, len, NULL), -1);
			assert_int_equal(qcache_loaded(c), 0);
			buf[i] ^= (unsigned char)(1 << bit);
		}
	/* with the checksum made right again, the structure is still checked: refused or consistent, never a crash */
	for (i = 12; i + 8 < len; i++)
		for (bit = 0; bit < 8; bit++) {
			unsigned char *t = malloc(len);
			struct qmodel *m;

			memcpy(t, buf, len);
			t[i] ^= (unsigned char)(1 << bit);
			reseal(t, len);
			if (qcache_load_buffer(c, t, len, NULL) == 0) {
				m = qmodel_new(cl, &p);
				qcache_replay_all(c, m);
				qmodel_finish(m, now);
				qmodel_free(m);
			}
			free(t);
		}
	assert_int_equal(qcache_load_buffer(c, buf, len, NULL), 0);
	free(buf);
	free(json);
	qcache_free(c);
}

static void test_version_and_instance(void **state)
{
	unsigned char *buf;
	size_t len;
	char *json;
	struct qcache *c = new_cache(), *other;
	struct why why;

	(void)state;
	build(&buf, &len, &json);
	buf[8] = QCACHE_VERSION + 1;	/* a later version, checksum right */
	reseal(buf, len);
	assert_int_equal(qcache_load_buffer(c, buf, len, &why), -1);
	assert_non_null(strstr(why.text, "version"));
	buf[8] = QCACHE_VERSION;
	reseal(buf, len);
	assert_int_equal(qcache_load_buffer(c, buf, len, &why), 0);
	other = qcache_new("postfix", "/etc/postfix-out", "/var/spool/postfix");
	assert_int_equal(qcache_load_buffer(other, buf, len, &why), -1);
	assert_non_null(strstr(why.text, "another instance"));
	qcache_free(other);
	other = qcache_new("exim", "/etc/postfix", "/var/spool/postfix");
	assert_int_equal(qcache_load_buffer(other, buf, len, &why), -1);
	qcache_free(other);
	other = qcache_new("postfix", "/etc/postfix", "/var/spool/postfix-b");
	assert_int_equal(qcache_load_buffer(other, buf, len, &why), -1);
	assert_int_equal(qcache_loaded(other), 0);
	qcache_free(other);
	free(buf);
	free(json);
	qcache_free(c);
}

static void test_file(void **state)
{
	char dir[] = "/tmp/test_qcache.XXXXXX", path[256], link[256], target[256];
	struct mta_params p = params();
	struct qcache *c = new_cache(), *c2 = new_cache();
	struct qmodel *m = qmodel_new(cl, &p);
	struct stat st;
	struct why why;
	int dirs[2], i, fd;
	char *text;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/mqmon.qcache", dir);
	assert_int_equal(qcache_load(c2, path, &why), 1);	/* none yet */
	assert_int_equal(qcache_usable(path, &why), 0);	/* made the directory */
	dirs[0] = qcache_dir(c, "deferred/4");
	dirs[1] = qcache_dir(c, "defer/4");
	for (i = 0; i < NFILES; i++)
		record_file(c, m, i, dirs);
	assert_int_equal(qcache_save(c, path, now, &why), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(qcache_load(c2, path, &why), 0);
	assert_int_equal(qcache_loaded(c2), NFILES);
	/* a link at the path: neither read nor written through */
	snprintf(target, sizeof target, "%s/target", dir);
	snprintf(link, sizeof link, "%s/sub/link.qcache", dir);
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(qcache_load(c2, link, &why), -1);
	assert_non_null(strstr(why.text, "symbolic link"));
	assert_int_equal(qcache_save(c, link, now, &why), -1);
	text = test_read_file(target, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "keep", 4);
	free(text);
	/* a group-writable file is not trusted */
	assert_int_equal(chmod(path, 0620), 0);
	assert_int_equal(qcache_load(c2, path, &why), -1);
	unlink(link);
	unlink(target);
	unlink(path);
	snprintf(path, sizeof path, "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
	qmodel_free(m);
	qcache_free(c);
	qcache_free(c2);
}

/* the fuzz seed, written by hand from the format (header, directories, strings, two records): with its
 * checksum it loads, and replays the two messages it describes */
static void test_seed_format(void **state)
{
	struct mta_params p = params();
	size_t len;
	char *seed = test_read_file("tests/fuzz/seeds/fuzz_qcache/two-files", &len);
	unsigned char *buf = malloc(len + 8);
	struct qcache *c = new_cache();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qmsg *a, *b;
	struct why why;

	(void)state;
	memcpy(buf, seed, len);
	reseal(buf, len + 8);
	assert_int_equal(qcache_load_buffer(c, buf, len + 8, &why), 0);
	assert_int_equal(qcache_loaded(c), 2);
	assert_int_equal(qcache_replay_all(c, m), 2);
	qmodel_finish(m, now);
	assert_non_null(a = qmodel_find(m, "A0000000001"));
	assert_non_null(b = qmodel_find(m, "B0000000002"));
	assert_int_equal(a->queue, QUEUE_DEFERRED);
	assert_string_equal(a->sender, "news@shop.example");
	assert_int_equal((long)a->exact_retry, 1800000600L);
	assert_int_equal(a->nrcpts, 1);
	assert_string_equal(a->rcpts[0].address, "a@gmail.com");
	assert_string_equal(a->rcpts[0].dsn, "4.7.28");
	assert_int_equal(b->queue, QUEUE_HOLD);
	assert_int_equal(b->forced_expire, 1);
	assert_string_equal(b->sender, "");
	assert_non_null(b->remote_reason);
	free(seed);
	free(buf);
	qmodel_free(m);
	qcache_free(c);
}

static void test_path_for(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(qcache_path_for("/root/.local/share/mqmon/mqmon@x.db", buf, sizeof buf), 0);
	assert_string_equal(buf, "/root/.local/share/mqmon/mqmon@x.qcache");
	assert_int_equal(qcache_path_for("/var/lib/history", buf, sizeof buf), 0);
	assert_string_equal(buf, "/var/lib/history.qcache");
	assert_int_equal(qcache_path_for("/a/very/long/path/that/does/not/fit/in/the/buffer/at/all.db", buf, 20), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_vanished_not_kept),
		cmocka_unit_test(test_preload_verify),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_version_and_instance),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_seed_format),
		cmocka_unit_test(test_path_for),
	};

	return cmocka_run_group_tests(tests, model_setup, model_teardown);
}
