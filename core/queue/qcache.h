/* qcache - the queue model kept between runs: what a backend parsed from each spool file
 *
 * Reading every queue file again at every start is what makes a big queue
 * slow (1,000,000 deferred: about 50 s). A qcache keeps, per spool file,
 * the calls the backend made into the model when it read that file
 * (qmodel_add, qmodel_add_rcpt_at, the exact retry time, the remote
 * reason), keyed by the file's identity: its directory below the queue
 * directory, its name, inode, size, mtime and ctime with nanoseconds (ctime
 * cannot be set by utime and changes on rename, hold, rewrite and chmod),
 * and the identity of one companion file the backend also read (Postfix's
 * defer log; "absent" counts as an identity). A warm snapshot walks the
 * queue directories (readdir + fstatat, no open): a file whose identity the
 * cache holds is replayed from it (qcache_replay: the same calls, so the
 * same model as a cold read), any other one is read and recorded
 * (qcache_begin, qcache_add..., qcache_end); files that vanished are not
 * carried over. The backend owns the walk; this module knows no MTA. A
 * builder that shows the cached model while the walk verifies it preloads
 * the model (qcache_preload): the walk then only marks files kept or
 * stale, and the backend reads changed and new files once the walk is done
 * (qcache_forget_stale first): one model, not two.
 *
 * The file (one per instance, next to its history: qcache_path_for) is
 * binary and versioned: magic, version, the time it was written, the MTA's
 * name, the instance's configuration and queue directory, the directory
 * table, a string table (senders, addresses and replies repeat: each is
 * stored once), the entries (numbers as LEB128 varints), and a 64-bit
 * checksum of everything before it. It is written atomically (a temporary
 * file in the same directory, fsync, rename) with mode 0600, and read only
 * when it is a regular file of ours (O_NOFOLLOW, owner, no group or other
 * write). A truncated, corrupt, foreign or old-version file is ignored as
 * a whole (never trusted partially) with a one-line reason; the walk then
 * reads every file and writes a new cache.
 */
#ifndef MQMON_QCACHE_H
#define MQMON_QCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "core/base/why.h"
#include "core/queue/qmodel.h"

#define QCACHE_VERSION 1

/* a file's identity as the cache compares it */
struct qcache_stat {
	int present;		/* 0: the file does not exist (a companion the backend looked for) */
	uint64_t ino, size;
	int64_t mtime, ctime;	/* seconds */
	uint32_t mtime_ns, ctime_ns;
};

struct qcache;

/* qcache_stat_of - st as an identity (present) */
void qcache_stat_of(struct qcache_stat *id, const struct stat *st);

/* qcache_path_for - the cache file beside the history db ("X.db" -> "X.qcache", else db + ".qcache");
 * -1 when it does not fit */
int qcache_path_for(const char *db, char *buf, size_t n);

/* qcache_new - an empty cache of the instance (mta: the backend's name; config_dir and queue_dir as its
 * parameters say); NULL on out of memory */
struct qcache *qcache_new(const char *mta, const char *config_dir, const char *queue_dir);

/* qcache_load - read the file at path into c (empty before); 0 loaded, 1 there is none, -1 with why when
 * it was ignored (not ours, truncated, corrupt, another version or instance): c stays empty */
int qcache_load(struct qcache *c, const char *path, struct why *why);

/* qcache_load_buffer - the same from memory (copied); 0 or -1 with why (tests, fuzzing) */
int qcache_load_buffer(struct qcache *c, const void *buf, size_t len, struct why *why);

/* qcache_loaded - files the loaded cache holds (0: none loaded) */
size_t qcache_loaded(const struct qcache *c);

/* qcache_written_at - when the loaded cache was written (0: none loaded) */
time_t qcache_written_at(const struct qcache *c);

/* qcache_replay_all - every loaded file's calls into m, in the cache's order (the cached model, not
 * verified); the files replayed; nothing is carried over to the next save */
size_t qcache_replay_all(struct qcache *c, struct qmodel *m);

/* qcache_preload - qcache_replay_all into the model the walk then fills, which from here on only
 * verifies: qcache_replay makes no model calls (the model holds the file's message already) and marks
 * the file kept or stale; the backend reads the other files only after qcache_forget_stale. So a builder
 * can show the preloaded model (sealed, as a partial model) while the walk runs; files replayed */
size_t qcache_preload(struct qcache *c, struct qmodel *m);

/* qcache_preloaded - true while c verifies a preloaded model (the backend defers its reads) */
int qcache_preloaded(const struct qcache *c);

/* qcache_forget_stale - after a verifying walk (and qmodel_reclaim): forget from m the message of every
 * loaded file that changed or was not seen (unless a kept file has its ID); ends the verifying, so the
 * files the backend reads now are recorded; messages forgotten */
size_t qcache_forget_stale(struct qcache *c, struct qmodel *m);

/* qcache_drop_loaded - forget the loaded cache (its memory) once the walk is done: only what was kept
 * for the next save stays */
void qcache_drop_loaded(struct qcache *c);

/* qcache_dir - the handle of a directory below the queue directory ("deferred/A", "defer/A"); -1 on
 * out of memory (then nothing in it is cached) */
int qcache_dir(struct qcache *c, const char *reldir);

/* qcache_replay - when the loaded cache holds name in dir with the identity file and the companion (cdir
 * -1: none; companion NULL: absent), replay its calls into m, keep it for the next save and return 1;
 * 0 when it must be read (and recorded); the message is then qmodel_find(m, id) */
int qcache_replay(struct qcache *c, struct qmodel *m, int dir, const char *name, const struct qcache_stat *file,
		  int cdir, const struct qcache_stat *companion);

/* qcache_begin - record the calls made while reading name (its identity taken before reading it); a
 * record not ended by qcache_end is dropped by the next qcache_begin or qcache_save (c may be NULL) */
void qcache_begin(struct qcache *c, int dir, const char *name, const struct qcache_stat *file, int cdir,
		  const struct qcache_stat *companion);

/* qcache_add - qmodel_add, recorded (c may be NULL) */
struct qmsg *qcache_add(struct qcache *c, struct qmodel *m, const char *id, enum queue_name queue,
			const char *sender, time_t arrival, long size, int forced_expire);

/* qcache_add_rcpt - qmodel_add_rcpt_at, recorded (c may be NULL; msg NULL: nothing) */
int qcache_add_rcpt(struct qcache *c, struct qmodel *m, struct qmsg *msg, const char *address, const char *reason,
		    size_t reasonlen, const char *dsn, enum smtp_stage stage);

/* qcache_exact_retry - msg->exact_retry = t, recorded (c may be NULL; msg NULL: nothing) */
void qcache_exact_retry(struct qcache *c, struct qmsg *msg, time_t t);

/* qcache_remote_reason - qmodel_set_remote_reason, recorded (c may be NULL; msg NULL: nothing) */
void qcache_remote_reason(struct qcache *c, struct qmodel *m, struct qmsg *msg, const char *text, size_t len);

/* qcache_end - the file was read: keep its record for the next save (c may be NULL) */
void qcache_end(struct qcache *c);

/* qcache_walked - whether a backend walked a spool with c (asked for a directory handle): a cache
 * nobody walked with is not saved */
int qcache_walked(const struct qcache *c);

/* qcache_kept - files kept for the next save so far (replayed or recorded) */
size_t qcache_kept(const struct qcache *c);

/* qcache_replayed - files replayed from the loaded cache so far (the rest were read) */
size_t qcache_replayed(const struct qcache *c);

/* qcache_encode - the kept files as the cache file's bytes (written at now) into a malloc'd buffer;
 * -1 on out of memory */
int qcache_encode(struct qcache *c, time_t now, unsigned char **buf, size_t *len);

/* qcache_save - write the kept files to path atomically (temporary file in its directory, fsync,
 * rename; mode 0600; refuses a path that is a link or not a regular file); -1 with why */
int qcache_save(struct qcache *c, const char *path, time_t now, struct why *why);

/* qcache_usable - whether a cache at path can be written by this process (its directory exists or can
 * be made, mode 0700, and is writable); -1 with why when not */
int qcache_usable(const char *path, struct why *why);

/* qcache_checksum - the checksum the file ends with, of data[0..len) */
uint64_t qcache_checksum(const void *data, size_t len);

/* qcache_free - release everything (NULL-safe) */
void qcache_free(struct qcache *c);

#endif
