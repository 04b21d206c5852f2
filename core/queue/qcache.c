/* qcache - the queue model kept between runs; see qcache.h
 *
 * In memory a qcache holds two generations. The loaded one is the file's
 * bytes as read (strings and entries point into them) with an index of its
 * entries by (directory, name); it is validated whole at load, so replay
 * trusts its structure. The next one is built during the walk in the file's
 * own encoding: every replayed or recorded entry is appended to `next` with
 * its strings interned in a new string table (a loaded entry's string
 * numbers are translated through omap), so files that left the queue, and
 * strings only they used, are not carried over.
 */
#include "core/queue/qcache.h"

#include "core/base/idset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const unsigned char qcache_magic[8] = { 'm', 'q', 'm', 'o', 'n', 'Q', 'C', '\n' };

#define QCACHE_MAX_FILE ((size_t)4 << 30)	/* 4 GiB: larger is not ours */
#define QCACHE_MAX_DIRS 65536

enum entry_state { ENTRY_UNSEEN, ENTRY_KEPT, ENTRY_STALE };

enum qcache_op {
	OP_END = 0,
	OP_ADD = 1,		/* qmodel_add */
	OP_RCPT = 2,		/* qmodel_add_rcpt_at */
	OP_EXACT = 3,		/* msg->exact_retry */
	OP_REMOTE = 4,		/* qmodel_set_remote_reason */
};

/* a growable byte buffer */
struct buf {
	unsigned char *p;
	size_t n, cap;
	int failed;		/* out of memory: the buffer is unusable */
};

/* a bounded reader; bad is set (and stays) on any overrun or malformed number */
struct rd {
	const unsigned char *p, *end;
	int bad;
};

/* a loaded entry: where it starts, its key's hash */
struct oentry {
	size_t off;
	uint64_t hash;
};

struct qcache {
	char *mta, *config_dir, *queue_dir;
	/* the loaded generation */
	unsigned char *data;
	size_t len;
	time_t written_at;
	size_t ndirs;
	const unsigned char **dir_name;	/* into data */
	size_t *dir_len;
	size_t nstrings;
	const char **str;	/* into data, NUL-terminated */
	size_t *str_len;
	struct oentry *entries;
	size_t nentries;
	size_t *index;		/* entries by key: position + 1, 0 = empty */
	size_t imask;
	uint32_t *omap;		/* loaded string -> next string + 1 (0: not yet) */
	unsigned char *seen;	/* per loaded entry: ENTRY_KEPT, ENTRY_STALE or 0 (not seen) */
	int preloaded;		/* the model holds every loaded entry: qcache_replay only verifies */
	size_t nloaded_before;	/* entries loaded before qcache_drop_loaded */
	/* directories by handle (the next generation's numbering), and the loaded number of each */
	char **dirs;
	long *dir_old;
	size_t nhandles;
	/* the next generation */
	struct buf strs;	/* encoded strings */
	size_t nnext_strings;
	size_t *sidx;		/* next strings by content: number + 1 */
	size_t *soff;		/* offset of each next string's bytes in strs, and its length */
	size_t *slen;
	size_t smask, scap;
	struct buf next;	/* encoded entries */
	size_t nnext;
	size_t replayed;
	struct buf rec;		/* the entry being recorded */
	int recording;
	int failed;		/* out of memory while building the next generation: save refuses */
};

/* buf_reserve - room for more bytes; -1 on out of memory */
static int buf_reserve(struct buf *b, size_t more)
{
	size_t cap;
	unsigned char *p;

	if (b->failed)
		return -1;
	if (b->n + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->n + more)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->failed = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

/* put_bytes - append len bytes */
static void put_bytes(struct buf *b, const void *s, size_t len)
{
	if (buf_reserve(b, len) < 0)
		return;
	memcpy(b->p + b->n, s, len);
	b->n += len;
}

/* put_u8 - append one byte */
static void put_u8(struct buf *b, unsigned v)
{
	unsigned char c = (unsigned char)v;

	put_bytes(b, &c, 1);
}

/* put_varint - append v as LEB128 */
static void put_varint(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;

	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	put_bytes(b, tmp, n);
}

/* put_signed - append a signed number (zigzag, then LEB128) */
static void put_signed(struct buf *b, int64_t v)
{
	put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* put_string - append a length and the bytes */
static void put_string(struct buf *b, const char *s, size_t len)
{
	put_varint(b, len);
	put_bytes(b, s, len);
}

/* put_stat - append a file's identity */
static void put_stat(struct buf *b, const struct qcache_stat *s)
{
	put_varint(b, s->ino);
	put_varint(b, s->size);
	put_signed(b, s->mtime);
	put_varint(b, s->mtime_ns);
	put_signed(b, s->ctime);
	put_varint(b, s->ctime_ns);
}

/* get_u8 - one byte (0 once bad) */
static unsigned get_u8(struct rd *r)
{
	if (r->bad || r->p >= r->end) {
		r->bad = 1;
		return 0;
	}
	return *r->p++;
}

/* get_varint - a LEB128 number of at most 64 bits (0 once bad) */
static uint64_t get_varint(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0, c;

	do {
		c = get_u8(r);
		if (r->bad || shift > 63 || (shift == 63 && (c & 0x7e))) {
			r->bad = 1;
			return 0;
		}
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return v;
}

/* get_signed - a zigzag number */
static int64_t get_signed(struct rd *r)
{
	uint64_t v = get_varint(r);

	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* get_bytes - len bytes in place (NULL once bad) */
static const unsigned char *get_bytes(struct rd *r, size_t len)
{
	const unsigned char *p = r->p;

	if (r->bad || (size_t)(r->end - r->p) < len) {
		r->bad = 1;
		return NULL;
	}
	r->p += len;
	return p;
}

/* get_stat - a file's identity */
static void get_stat(struct rd *r, struct qcache_stat *s)
{
	s->present = 1;
	s->ino = get_varint(r);
	s->size = get_varint(r);
	s->mtime = get_signed(r);
	s->mtime_ns = (uint32_t)get_varint(r);
	s->ctime = get_signed(r);
	s->ctime_ns = (uint32_t)get_varint(r);
}

/* stat_equal - the same identity */
static int stat_equal(const struct qcache_stat *a, const struct qcache_stat *b)
{
	if (a->present != b->present)
		return 0;
	return !a->present || (a->ino == b->ino && a->size == b->size && a->mtime == b->mtime
			       && a->mtime_ns == b->mtime_ns && a->ctime == b->ctime && a->ctime_ns == b->ctime_ns);
}

/* qcache_stat_of - st as an identity */
void qcache_stat_of(struct qcache_stat *id, const struct stat *st)
{
	id->present = 1;
	id->ino = (uint64_t)st->st_ino;
	id->size = (uint64_t)st->st_size;
	id->mtime = (int64_t)st->st_mtim.tv_sec;
	id->mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
	id->ctime = (int64_t)st->st_ctim.tv_sec;
	id->ctime_ns = (uint32_t)st->st_ctim.tv_nsec;
}

/* qcache_checksum - 64 bits over data[0..len): eight bytes at a time, each step a bijection of the
 * state, so a change in any one word always shows */
uint64_t qcache_checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0x6a09e667f3bcc909ULL ^ ((uint64_t)len * 0x9e3779b97f4a7c15ULL), w;
	size_t i, k;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h ^= w;
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	for (k = 0; i + k < len; k++)
		w |= (uint64_t)p[i + k] << (8 * k);
	h ^= w;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return h;
}

/* hash_bytes - FNV-1a of s[0..len) */
static uint64_t hash_bytes(const void *s, size_t len)
{
	const unsigned char *p = s;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* key_hash - the hash of an entry's key (loaded directory number, name) */
static uint64_t key_hash(size_t dir, const char *name, size_t len)
{
	return hash_bytes(name, len) ^ ((uint64_t)(dir + 1) * 0x9e3779b97f4a7c15ULL);
}

/* qcache_path_for - the cache beside the history db */
int qcache_path_for(const char *db, char *buf, size_t n)
{
	size_t len = strlen(db);
	int w;

	if (len > 3 && strcmp(db + len - 3, ".db") == 0)
		w = snprintf(buf, n, "%.*s.qcache", (int)(len - 3), db);
	else
		w = snprintf(buf, n, "%s.qcache", db);
	return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* qcache_new - an empty cache of the instance */
struct qcache *qcache_new(const char *mta, const char *config_dir, const char *queue_dir)
{
	struct qcache *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->mta = strdup(mta ? mta : "");
	c->config_dir = strdup(config_dir ? config_dir : "");
	c->queue_dir = strdup(queue_dir ? queue_dir : "");
	if (c->mta == NULL || c->config_dir == NULL || c->queue_dir == NULL) {
		qcache_free(c);
		return NULL;
	}
	return c;
}

/* unload - forget the loaded generation */
static void unload(struct qcache *c)
{
	size_t i;

	free(c->data);
	free(c->dir_name);
	free(c->dir_len);
	free(c->str);
	free(c->str_len);
	free(c->entries);
	free(c->index);
	free(c->omap);
	free(c->seen);
	c->seen = NULL;
	c->preloaded = 0;
	c->data = NULL;
	c->dir_name = NULL;
	c->dir_len = NULL;
	c->str = NULL;
	c->str_len = NULL;
	c->entries = NULL;
	c->index = NULL;
	c->omap = NULL;
	c->len = c->ndirs = c->nstrings = c->nentries = c->imask = 0;
	c->written_at = 0;
	for (i = 0; i < c->nhandles; i++)
		c->dir_old[i] = -1;
}

/* header_string_is - the next header string equals want */
static int header_string_is(struct rd *r, const char *want)
{
	size_t len = (size_t)get_varint(r);
	const unsigned char *s;

	if (len > PATH_MAX || (s = get_bytes(r, len)) == NULL)
		return -1;
	return len == strlen(want) && memcmp(s, want, len) == 0;
}

/* ops_apply - the calls of one entry from r: validated (m and out NULL), replayed into m, and/or
 * re-encoded into out with the next generation's string numbers; -1 when malformed */
static int ops_apply(struct qcache *c, struct rd *r, const char *name, struct qmodel *m, struct buf *out);

/* str_ref_ok - a loaded string reference (number + 1, 0: NULL) is in range */
static int str_ref_ok(const struct qcache *c, uint64_t ref)
{
	return ref <= c->nstrings;
}

/* an entry's key and identities, as read_head finds them */
struct entry_head {
	size_t dir;
	const char *name;	/* not NUL-terminated */
	size_t name_len;
	struct qcache_stat file, companion;
	long cdir;		/* loaded directory number, -1: none */
};

/* read_head - an entry's key and identities; -1 when malformed */
static int read_head(const struct qcache *c, struct rd *r, struct entry_head *h)
{
	uint64_t cd;

	h->dir = (size_t)get_varint(r);
	h->name_len = (size_t)get_varint(r);
	if (r->bad || h->dir >= c->ndirs || h->name_len == 0 || h->name_len > 255)
		return -1;
	h->name = (const char *)get_bytes(r, h->name_len);
	get_stat(r, &h->file);
	cd = get_varint(r);
	h->cdir = -1;
	h->companion.present = 0;
	if (cd > 0) {
		if (cd > c->ndirs)
			return -1;
		h->cdir = (long)(cd - 1);
		switch (get_u8(r)) {
		case 0:
			break;
		case 1:
			get_stat(r, &h->companion);
			break;
		default:
			return -1;
		}
	}
	if (r->bad || memchr(h->name, '\0', h->name_len) != NULL)
		return -1;
	return 0;
}

/* index_add - entry i into the index (the first of a key wins) */
static void index_add(struct qcache *c, size_t i)
{
	size_t slot = (size_t)c->entries[i].hash & c->imask;

	while (c->index[slot] != 0)
		slot = (slot + 1) & c->imask;
	c->index[slot] = i + 1;
}

/* adopt - validate a cache file's bytes and keep them (data is the cache's from here on, also on failure) */
static int adopt(struct qcache *c, unsigned char *data, size_t len, struct why *why)
{
	struct rd r;
	uint64_t sum, n;
	size_t i, cap;
	int same;

	unload(c);
	c->data = data;
	c->len = len;
	if (len < sizeof qcache_magic + 4 + 8 || memcmp(data, qcache_magic, sizeof qcache_magic) != 0) {
		unload(c);
		return why_set(why, "not a queue cache (no magic)");
	}
	{
		const unsigned char *v = (const unsigned char *)data + sizeof qcache_magic;
		uint32_t version = (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;

		if (version != QCACHE_VERSION) {
			unload(c);
			return why_set(why, "version %u, this mqmon reads version %d", version, QCACHE_VERSION);
		}
	}
	{
		const unsigned char *s = (const unsigned char *)data + len - 8;

		sum = 0;
		for (i = 0; i < 8; i++)
			sum |= (uint64_t)s[i] << (8 * i);
	}
	if (sum != qcache_checksum(data, len - 8)) {
		unload(c);
		return why_set(why, "checksum mismatch (truncated or corrupt)");
	}
	r.p = c->data + sizeof qcache_magic + 4;
	r.end = c->data + len - 8;
	r.bad = 0;
	c->written_at = (time_t)get_signed(&r);
	same = header_string_is(&r, c->mta);
	if (same == 1)
		same = header_string_is(&r, c->config_dir);
	if (same == 1)
		same = header_string_is(&r, c->queue_dir);
	if (same < 0 || r.bad)
		goto corrupt;
	if (same == 0) {
		unload(c);
		return why_set(why, "written for another instance");
	}
	n = get_varint(&r);
	if (r.bad || n > QCACHE_MAX_DIRS || n > (uint64_t)(r.end - r.p))
		goto corrupt;
	c->ndirs = (size_t)n;
	if ((c->dir_name = calloc(c->ndirs + 1, sizeof *c->dir_name)) == NULL
	    || (c->dir_len = calloc(c->ndirs + 1, sizeof *c->dir_len)) == NULL)
		goto oom;
	for (i = 0; i < c->ndirs; i++) {
		c->dir_len[i] = (size_t)get_varint(&r);
		if (c->dir_len[i] > PATH_MAX || (c->dir_name[i] = get_bytes(&r, c->dir_len[i])) == NULL)
			goto corrupt;
	}
	n = get_varint(&r);
	if (r.bad || n > (uint64_t)(r.end - r.p) / 2)
		goto corrupt;
	c->nstrings = (size_t)n;
	if ((c->str = calloc(c->nstrings + 1, sizeof *c->str)) == NULL
	    || (c->str_len = calloc(c->nstrings + 1, sizeof *c->str_len)) == NULL
	    || (c->omap = calloc(c->nstrings + 1, sizeof *c->omap)) == NULL)
		goto oom;
	for (i = 0; i < c->nstrings; i++) {
		const unsigned char *s;

		c->str_len[i] = (size_t)get_varint(&r);
		if (r.bad || c->str_len[i] >= (size_t)(r.end - r.p) || (s = get_bytes(&r, c->str_len[i] + 1)) == NULL
		    || s[c->str_len[i]] != '\0')
			goto corrupt;
		c->str[i] = (const char *)s;
	}
	n = get_varint(&r);
	if (r.bad || n > (uint64_t)(r.end - r.p) / 4)
		goto corrupt;
	c->nentries = (size_t)n;
	if ((c->entries = calloc(c->nentries + 1, sizeof *c->entries)) == NULL
	    || (c->seen = calloc(c->nentries + 1, 1)) == NULL)
		goto oom;
	for (i = 0; i < c->nentries; i++) {
		struct entry_head h;

		c->entries[i].off = (size_t)(r.p - c->data);
		if (read_head(c, &r, &h) < 0 || ops_apply(c, &r, NULL, NULL, NULL) < 0)
			goto corrupt;
		c->entries[i].hash = key_hash(h.dir, h.name, h.name_len);
	}
	if (r.p != r.end)
		goto corrupt;
	for (cap = 16; cap < c->nentries * 2 + 2; cap *= 2)
		;
	if ((c->index = calloc(cap, sizeof *c->index)) == NULL)
		goto oom;
	c->imask = cap - 1;
	for (i = 0; i < c->nentries; i++)
		index_add(c, i);
	/* directories asked for before the load find their loaded numbers */
	for (i = 0; i < c->nhandles; i++) {
		size_t k, dl = strlen(c->dirs[i]);

		for (k = 0; k < c->ndirs; k++)
			if (c->dir_len[k] == dl && memcmp(c->dir_name[k], c->dirs[i], dl) == 0) {
				c->dir_old[i] = (long)k;
				break;
			}
	}
	return 0;
corrupt:
	unload(c);
	return why_set(why, "corrupt (malformed records)");
oom:
	unload(c);
	return why_set(why, "out of memory");
}

/* qcache_load_buffer - validate and adopt a copy of a cache file's bytes */
int qcache_load_buffer(struct qcache *c, const void *data, size_t len, struct why *why)
{
	unsigned char *copy = malloc(len ? len : 1);

	if (copy == NULL) {
		unload(c);
		return why_set(why, "out of memory");
	}
	memcpy(copy, data, len);
	return adopt(c, copy, len, why);
}

/* qcache_load - read our regular file at path and adopt it */
int qcache_load(struct qcache *c, const char *path, struct why *why)
{
	struct stat st;
	unsigned char *data;
	size_t got = 0;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 1;
		if (errno == ELOOP)
			return why_set(why, "%s is a symbolic link", path);
		return why_errno(why, "%s", path);
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		return why_errno(why, "%s", path);
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022) != 0
	    || (uint64_t)st.st_size > QCACHE_MAX_FILE) {
		close(fd);
		return why_set(why, "%s is not a regular file of this user's (mode 0600)", path);
	}
	if ((data = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return why_set(why, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	rc = adopt(c, data, got, why);
	return rc;
}

/* qcache_loaded - files the loaded cache holds */
size_t qcache_loaded(const struct qcache *c)
{
	return c->nentries ? c->nentries : c->nloaded_before;
}

/* qcache_written_at - when the loaded cache was written */
time_t qcache_written_at(const struct qcache *c)
{
	return c->nentries ? c->written_at : 0;
}

/* next_string - the next generation's number of s[0..len) (interned); -1 on out of memory */
static long next_string(struct qcache *c, const char *s, size_t len)
{
	uint64_t h = hash_bytes(s, len);
	size_t slot, i;

	if ((c->nnext_strings + 1) * 2 > c->smask + 1 || c->sidx == NULL) {
		size_t cap = c->sidx ? (c->smask + 1) * 2 : 1024;
		size_t *t = calloc(cap, sizeof *t);

		if (t == NULL)
			return -1;
		for (i = 0; i < c->nnext_strings; i++) {
			slot = (size_t)hash_bytes(c->strs.p + c->soff[i], c->slen[i]) & (cap - 1);
			while (t[slot] != 0)
				slot = (slot + 1) & (cap - 1);
			t[slot] = i + 1;
		}
		free(c->sidx);
		c->sidx = t;
		c->smask = cap - 1;
	}
	for (slot = (size_t)h & c->smask; c->sidx[slot] != 0; slot = (slot + 1) & c->smask) {
		i = c->sidx[slot] - 1;
		if (c->slen[i] == len && memcmp(c->strs.p + c->soff[i], s, len) == 0)
			return (long)i;
	}
	if (c->nnext_strings == c->scap) {
		size_t cap = c->scap ? c->scap * 2 : 1024;
		size_t *o = realloc(c->soff, cap * sizeof *o), *l;

		if (o == NULL)
			return -1;
		c->soff = o;
		if ((l = realloc(c->slen, cap * sizeof *l)) == NULL)
			return -1;
		c->slen = l;
		c->scap = cap;
	}
	put_varint(&c->strs, len);
	if (buf_reserve(&c->strs, len + 1) < 0)
		return -1;
	c->soff[c->nnext_strings] = c->strs.n;
	c->slen[c->nnext_strings] = len;
	put_bytes(&c->strs, s, len);
	put_u8(&c->strs, 0);
	c->sidx[slot] = ++c->nnext_strings;
	return (long)(c->nnext_strings - 1);
}

/* put_ref - a string reference into b: 0 for NULL, else its next number + 1 */
static void put_ref(struct qcache *c, struct buf *b, const char *s, size_t len)
{
	long n;

	if (s == NULL) {
		put_varint(b, 0);
		return;
	}
	if ((n = next_string(c, s, len)) < 0) {
		c->failed = 1;
		return;
	}
	put_varint(b, (uint64_t)n + 1);
}

/* put_old_ref - a loaded string reference (0: NULL) into b, translated to the next generation */
static void put_old_ref(struct qcache *c, struct buf *b, uint64_t ref)
{
	long n;

	if (ref == 0) {
		put_varint(b, 0);
		return;
	}
	if (c->omap[ref - 1] == 0) {
		if ((n = next_string(c, c->str[ref - 1], c->str_len[ref - 1])) < 0) {
			c->failed = 1;
			put_varint(b, 0);
			return;
		}
		c->omap[ref - 1] = (uint32_t)n + 1;
	}
	put_varint(b, c->omap[ref - 1]);
}

/* old_str - a loaded string reference as text (NULL for 0) */
static const char *old_str(const struct qcache *c, uint64_t ref)
{
	return ref == 0 ? NULL : c->str[ref - 1];
}

/* ops_apply - the calls of one entry: validate, replay into m, re-encode into out */
static int ops_apply(struct qcache *c, struct rd *r, const char *name, struct qmodel *m, struct buf *out)
{
	struct qmsg *msg = NULL;

	for (;;) {
		unsigned op = get_u8(r);

		if (r->bad)
			return -1;
		switch (op) {
		case OP_END:
			if (out != NULL)
				put_u8(out, OP_END);
			return 0;
		case OP_ADD: {
			uint64_t id = get_varint(r), sender;
			unsigned queue = get_u8(r), forced;
			int64_t arrival, size;

			sender = get_varint(r);
			arrival = get_signed(r);
			size = get_signed(r);
			forced = get_u8(r);
			if (r->bad || !str_ref_ok(c, id) || queue >= QUEUE_COUNT || !str_ref_ok(c, sender) || forced > 1)
				return -1;
			if (m != NULL)
				msg = qmodel_add(m, id ? old_str(c, id) : name, (enum queue_name)queue, old_str(c, sender),
						 (time_t)arrival, (long)size, (int)forced);
			if (out != NULL) {
				put_u8(out, OP_ADD);
				put_old_ref(c, out, id);
				put_u8(out, queue);
				put_old_ref(c, out, sender);
				put_signed(out, arrival);
				put_signed(out, size);
				put_u8(out, forced);
			}
			break;
		}
		case OP_RCPT: {
			uint64_t addr = get_varint(r), reason = get_varint(r), dsn = get_varint(r);
			unsigned stage = get_u8(r);

			if (r->bad || addr == 0 || !str_ref_ok(c, addr) || !str_ref_ok(c, reason) || !str_ref_ok(c, dsn)
			    || stage >= STAGE_COUNT)
				return -1;
			if (m != NULL && msg != NULL)
				qmodel_add_rcpt_at(m, msg, old_str(c, addr), old_str(c, reason),
						   reason ? c->str_len[reason - 1] : 0, old_str(c, dsn), (enum smtp_stage)stage);
			if (out != NULL) {
				put_u8(out, OP_RCPT);
				put_old_ref(c, out, addr);
				put_old_ref(c, out, reason);
				put_old_ref(c, out, dsn);
				put_u8(out, stage);
			}
			break;
		}
		case OP_EXACT: {
			int64_t t = get_signed(r);

			if (r->bad)
				return -1;
			if (m != NULL && msg != NULL)
				msg->exact_retry = (time_t)t;
			if (out != NULL) {
				put_u8(out, OP_EXACT);
				put_signed(out, t);
			}
			break;
		}
		case OP_REMOTE: {
			uint64_t text = get_varint(r);

			if (r->bad || text == 0 || !str_ref_ok(c, text))
				return -1;
			if (m != NULL && msg != NULL)
				qmodel_set_remote_reason(m, msg, old_str(c, text), c->str_len[text - 1]);
			if (out != NULL) {
				put_u8(out, OP_REMOTE);
				put_old_ref(c, out, text);
			}
			break;
		}
		default:
			return -1;
		}
	}
}

/* qcache_replay_all - every loaded file's calls into m (not carried over) */
size_t qcache_replay_all(struct qcache *c, struct qmodel *m)
{
	size_t i;

	for (i = 0; i < c->nentries; i++) {
		struct rd r = { c->data + c->entries[i].off, c->data + c->len - 8, 0 };
		struct entry_head h;
		char name[256];

		if (read_head(c, &r, &h) < 0)
			continue;	/* validated at load: cannot happen */
		memcpy(name, h.name, h.name_len);
		name[h.name_len] = '\0';
		ops_apply(c, &r, name, m, NULL);
	}
	return c->nentries;
}

/* qcache_preload - every loaded file into m; the walk then only verifies */
size_t qcache_preload(struct qcache *c, struct qmodel *m)
{
	size_t n = qcache_replay_all(c, m);

	c->preloaded = c->nentries > 0;
	return n;
}

/* qcache_preloaded - c verifies a preloaded model */
int qcache_preloaded(const struct qcache *c)
{
	return c != NULL && c->preloaded;
}

/* entry_id - the ID a loaded entry's qmodel_add names, into id (its name when the same); 0, -1 when none */
static int entry_id(const struct qcache *c, size_t i, char *id, size_t n)
{
	struct rd r = { c->data + c->entries[i].off, c->data + c->len - 8, 0 };
	struct entry_head h;
	uint64_t ref;

	if (read_head(c, &r, &h) < 0 || get_u8(&r) != OP_ADD)
		return -1;
	ref = get_varint(&r);
	if (r.bad)
		return -1;
	if (ref == 0)
		snprintf(id, n, "%.*s", (int)h.name_len, h.name);
	else
		snprintf(id, n, "%s", c->str[ref - 1]);
	return 0;
}

/* qcache_forget_stale - forget the messages of loaded files that changed or went; ends the verifying */
size_t qcache_forget_stale(struct qcache *c, struct qmodel *m)
{
	struct idset kept = { 0 };
	char id[256];
	size_t i, n = 0;

	if (!c->preloaded)
		return 0;
	c->preloaded = 0;
	for (i = 0; i < c->nentries; i++)
		if (c->seen[i] == ENTRY_KEPT && entry_id(c, i, id, sizeof id) == 0)
			idset_add(&kept, idset_hash(id));
	for (i = 0; i < c->nentries; i++)
		if (c->seen[i] != ENTRY_KEPT && entry_id(c, i, id, sizeof id) == 0 && !idset_has(&kept, idset_hash(id))
		    && qmodel_forget(m, id) == 0)
			n++;
	idset_free(&kept);
	return n;
}

/* qcache_drop_loaded - forget the loaded generation (the walk is done) */
void qcache_drop_loaded(struct qcache *c)
{
	size_t n = c->nentries, replayed = c->replayed;

	unload(c);
	c->nloaded_before = n;	/* qcache_loaded still answers for the save's "unchanged" test */
	c->replayed = replayed;
}

/* qcache_dir - the handle of a directory below the queue directory */
int qcache_dir(struct qcache *c, const char *reldir)
{
	size_t i, len = strlen(reldir);
	char **d;
	long *o;

	for (i = 0; i < c->nhandles; i++)
		if (strcmp(c->dirs[i], reldir) == 0)
			return (int)i;
	if (c->nhandles >= QCACHE_MAX_DIRS || len > PATH_MAX)
		return -1;
	if ((d = realloc(c->dirs, (c->nhandles + 1) * sizeof *d)) == NULL)
		return -1;
	c->dirs = d;
	if ((o = realloc(c->dir_old, (c->nhandles + 1) * sizeof *o)) == NULL)
		return -1;
	c->dir_old = o;
	if ((c->dirs[c->nhandles] = strdup(reldir)) == NULL)
		return -1;
	c->dir_old[c->nhandles] = -1;
	for (i = 0; i < c->ndirs; i++)
		if (c->dir_len[i] == len && memcmp(c->dir_name[i], reldir, len) == 0) {
			c->dir_old[c->nhandles] = (long)i;
			break;
		}
	return (int)c->nhandles++;
}

/* head_put - an entry's key and identities into b */
static void head_put(struct buf *b, int dir, const char *name, const struct qcache_stat *file, int cdir,
		     const struct qcache_stat *companion)
{
	put_varint(b, (uint64_t)dir);
	put_string(b, name, strlen(name));
	put_stat(b, file);
	put_varint(b, cdir < 0 ? 0 : (uint64_t)cdir + 1);
	if (cdir >= 0) {
		put_u8(b, companion != NULL && companion->present);
		if (companion != NULL && companion->present)
			put_stat(b, companion);
	}
}

/* qcache_replay - replay name's calls when the loaded cache holds it with this identity */
int qcache_replay(struct qcache *c, struct qmodel *m, int dir, const char *name, const struct qcache_stat *file,
		  int cdir, const struct qcache_stat *companion)
{
	size_t len = strlen(name), slot;
	long odir, ocdir = -1;
	uint64_t h;
	struct qcache_stat absent = { 0 };

	if (c == NULL || c->nentries == 0 || dir < 0 || (size_t)dir >= c->nhandles || (odir = c->dir_old[dir]) < 0)
		return 0;
	if (cdir >= 0) {
		if ((size_t)cdir >= c->nhandles || (ocdir = c->dir_old[cdir]) < 0)
			return 0;
	}
	if (companion == NULL)
		companion = &absent;
	h = key_hash((size_t)odir, name, len);
	for (slot = (size_t)h & c->imask; c->index[slot] != 0; slot = (slot + 1) & c->imask) {
		const struct oentry *e = &c->entries[c->index[slot] - 1];
		struct rd r = { c->data + e->off, c->data + c->len - 8, 0 };
		struct entry_head eh;
		size_t start;

		if (e->hash != h || read_head(c, &r, &eh) < 0 || eh.dir != (size_t)odir || eh.name_len != len
		    || memcmp(eh.name, name, len) != 0)
			continue;
		if (!stat_equal(&eh.file, file) || eh.cdir != ocdir || (cdir >= 0 && !stat_equal(&eh.companion, companion))) {
			c->seen[c->index[slot] - 1] = ENTRY_STALE;
			return 0;
		}
		if (c->seen[c->index[slot] - 1] == ENTRY_KEPT)
			return 1;	/* listed twice: kept once (the model has it) */
		c->seen[c->index[slot] - 1] = ENTRY_KEPT;
		c->recording = 0;
		start = c->next.n;
		head_put(&c->next, dir, name, file, cdir, companion);
		if (ops_apply(c, &r, name, c->preloaded ? NULL : m, &c->next) < 0) {
			c->next.n = start;	/* validated at load: cannot happen */
			return 0;
		}
		c->nnext++;
		c->replayed++;
		return 1;
	}
	return 0;
}

/* qcache_begin - start recording name's calls */
void qcache_begin(struct qcache *c, int dir, const char *name, const struct qcache_stat *file, int cdir,
		  const struct qcache_stat *companion)
{
	if (c == NULL)
		return;
	c->rec.n = 0;
	c->recording = dir >= 0 && strlen(name) > 0 && strlen(name) <= 255 && file != NULL && file->present;
	if (c->recording)
		head_put(&c->rec, dir, name, file, cdir, companion);
}

/* qcache_add - qmodel_add, recorded */
struct qmsg *qcache_add(struct qcache *c, struct qmodel *m, const char *id, enum queue_name queue,
			const char *sender, time_t arrival, long size, int forced_expire)
{
	if (c != NULL && c->recording && c->rec.p != NULL) {
		const char *name;	/* the key's name follows the directory */
		struct rd r = { c->rec.p, c->rec.p + c->rec.n, 0 };
		size_t nlen;

		get_varint(&r);
		nlen = (size_t)get_varint(&r);
		name = (const char *)r.p;
		put_u8(&c->rec, OP_ADD);
		if (strlen(id) == nlen && memcmp(id, name, nlen) == 0)
			put_varint(&c->rec, 0);
		else
			put_ref(c, &c->rec, id, strlen(id));
		put_u8(&c->rec, (unsigned)queue);
		put_ref(c, &c->rec, sender, sender ? strlen(sender) : 0);
		put_signed(&c->rec, (int64_t)arrival);
		put_signed(&c->rec, (int64_t)size);
		put_u8(&c->rec, forced_expire ? 1 : 0);
	}
	return qmodel_add(m, id, queue, sender, arrival, size, forced_expire ? 1 : 0);
}

/* qcache_add_rcpt - qmodel_add_rcpt_at, recorded */
int qcache_add_rcpt(struct qcache *c, struct qmodel *m, struct qmsg *msg, const char *address, const char *reason,
		    size_t reasonlen, const char *dsn, enum smtp_stage stage)
{
	if (msg == NULL || address == NULL)
		return -1;
	if (c != NULL && c->recording) {
		put_u8(&c->rec, OP_RCPT);
		put_ref(c, &c->rec, address, strlen(address));
		put_ref(c, &c->rec, reason, reason ? reasonlen : 0);
		put_ref(c, &c->rec, dsn, dsn ? strlen(dsn) : 0);
		put_u8(&c->rec, (unsigned)stage < STAGE_COUNT ? (unsigned)stage : STAGE_UNKNOWN);
	}
	return qmodel_add_rcpt_at(m, msg, address, reason, reason ? reasonlen : 0, dsn,
				  (unsigned)stage < STAGE_COUNT ? stage : STAGE_UNKNOWN);
}

/* qcache_exact_retry - msg->exact_retry = t, recorded */
void qcache_exact_retry(struct qcache *c, struct qmsg *msg, time_t t)
{
	if (msg == NULL)
		return;
	if (c != NULL && c->recording) {
		put_u8(&c->rec, OP_EXACT);
		put_signed(&c->rec, (int64_t)t);
	}
	msg->exact_retry = t;
}

/* qcache_remote_reason - qmodel_set_remote_reason, recorded */
void qcache_remote_reason(struct qcache *c, struct qmodel *m, struct qmsg *msg, const char *text, size_t len)
{
	if (msg == NULL || text == NULL)
		return;
	if (c != NULL && c->recording) {
		put_u8(&c->rec, OP_REMOTE);
		put_ref(c, &c->rec, text, len);
	}
	qmodel_set_remote_reason(m, msg, text, len);
}

/* qcache_end - keep the record */
void qcache_end(struct qcache *c)
{
	if (c == NULL || !c->recording)
		return;
	put_u8(&c->rec, OP_END);
	if (!c->rec.failed) {
		put_bytes(&c->next, c->rec.p, c->rec.n);
		c->nnext++;
	} else {
		c->failed = 1;
	}
	c->recording = 0;
	c->rec.n = 0;
}

/* qcache_walked - a backend asked for a directory handle */
int qcache_walked(const struct qcache *c)
{
	return c->nhandles > 0;
}

/* qcache_kept - files kept for the next save */
size_t qcache_kept(const struct qcache *c)
{
	return c->nnext;
}

/* qcache_replayed - files replayed from the loaded cache */
size_t qcache_replayed(const struct qcache *c)
{
	return c->replayed;
}

/* put_le - n bytes of v, little-endian */
static void put_le(struct buf *b, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		put_u8(b, (unsigned)(v >> (8 * i)) & 0xff);
}

/* qcache_encode - the kept files as a cache file's bytes */
int qcache_encode(struct qcache *c, time_t now, unsigned char **out, size_t *outlen)
{
	struct buf b = { 0 };
	size_t i;

	c->recording = 0;
	if (c->failed || c->next.failed || c->strs.failed)
		return -1;
	put_bytes(&b, qcache_magic, sizeof qcache_magic);
	put_le(&b, QCACHE_VERSION, 4);
	put_signed(&b, (int64_t)now);
	put_string(&b, c->mta, strlen(c->mta));
	put_string(&b, c->config_dir, strlen(c->config_dir));
	put_string(&b, c->queue_dir, strlen(c->queue_dir));
	put_varint(&b, c->nhandles);
	for (i = 0; i < c->nhandles; i++)
		put_string(&b, c->dirs[i], strlen(c->dirs[i]));
	put_varint(&b, c->nnext_strings);
	put_bytes(&b, c->strs.p, c->strs.n);
	put_varint(&b, c->nnext);
	put_bytes(&b, c->next.p, c->next.n);
	if (b.failed) {
		free(b.p);
		return -1;
	}
	put_le(&b, qcache_checksum(b.p, b.n), 8);
	if (b.failed) {
		free(b.p);
		return -1;
	}
	*out = b.p;
	*outlen = b.n;
	return 0;
}

/* parent_of - the directory part of path into dir ("." when none) */
static void parent_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, n, ".");
	else if (slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/* qcache_usable - the cache's directory exists (made 0700 when missing) and this process may write it */
int qcache_usable(const char *path, struct why *why)
{
	char dir[PATH_MAX], *p;
	struct stat st;

	parent_of(path, dir, sizeof dir);
	if (stat(dir, &st) < 0) {
		/* make the missing directories, as the history does */
		for (p = dir + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
				*p = '/';
				return why_errno(why, "cache directory %s", dir);
			}
			*p = '/';
		}
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return why_errno(why, "cache directory %s", dir);
		if (stat(dir, &st) < 0)
			return why_errno(why, "cache directory %s", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return why_set(why, "cache directory %s is not a directory", dir);
	if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) < 0)
		return why_set(why, "cache directory %s is not writable", dir);
	return 0;
}

/* write_all - the whole buffer to fd; -1 with errno */
static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* qcache_save - write the kept files to path atomically */
int qcache_save(struct qcache *c, const char *path, time_t now, struct why *why)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	unsigned char *data;
	size_t len;
	struct stat st;
	int fd, dfd;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return why_set(why, "%s is %s: not replaced", path, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp)
		return why_set(why, "%s: path too long", path);
	if (qcache_encode(c, now, &data, &len) < 0)
		return why_set(why, "out of memory");
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		free(data);
		return why_errno(why, "cannot create %s", tmp);
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		why_errno(why, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		free(data);
		return -1;
	}
	free(data);
	if (close(fd) < 0) {
		why_errno(why, "cannot write %s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		why_errno(why, "cannot rename %s to %s", tmp, path);
		unlink(tmp);
		return -1;
	}
	parent_of(path, dir, sizeof dir);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* qcache_free - release everything */
void qcache_free(struct qcache *c)
{
	size_t i;

	if (c == NULL)
		return;
	unload(c);
	for (i = 0; i < c->nhandles; i++)
		free(c->dirs[i]);
	free(c->dirs);
	free(c->dir_old);
	free(c->strs.p);
	free(c->sidx);
	free(c->soff);
	free(c->slen);
	free(c->next.p);
	free(c->rec.p);
	free(c->mta);
	free(c->config_dir);
	free(c->queue_dir);
	free(c);
}
