/* strpool - interned strings in chunks, an open-addressing table of them; see strpool.h */
#include "core/base/strpool.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE 65536

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct slot {
	const char *s;		/* NULL = empty */
	uint32_t hash, len;
};

struct strpool {
	atomic_int refs;
	struct chunk *chunks;	/* the newest first; strings are appended to it */
	struct slot *table;
	size_t mask, count, bytes;
};

/* hash_bytes - FNV-1a of s[0..len) */
static uint32_t hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* strpool_new - an empty pool with one reference */
struct strpool *strpool_new(void)
{
	struct strpool *p = calloc(1, sizeof *p);

	if (p == NULL)
		return NULL;
	atomic_init(&p->refs, 1);
	p->mask = 1023;
	if ((p->table = calloc(p->mask + 1, sizeof *p->table)) == NULL) {
		free(p);
		return NULL;
	}
	p->bytes = sizeof *p + (p->mask + 1) * sizeof *p->table;
	return p;
}

/* strpool_ref - one more reference */
struct strpool *strpool_ref(struct strpool *p)
{
	if (p != NULL)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

/* strpool_unref - drop a reference; the last one frees everything */
void strpool_unref(struct strpool *p)
{
	struct chunk *c, *next;

	if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	for (c = p->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(p->table);
	free(p);
}

/* store - a copy of s[0..len) in a chunk; NULL on out of memory */
static const char *store(struct strpool *p, const char *s, size_t len)
{
	struct chunk *c = p->chunks;
	char *d;

	if (c == NULL || c->size - c->used < len + 1) {
		size_t size = len + 1 > CHUNK_SIZE / 4 ? len + 1 : CHUNK_SIZE;

		if ((c = malloc(sizeof *c + size)) == NULL)
			return NULL;
		c->used = 0;
		c->size = size;
		p->bytes += sizeof *c + size;
		if (size == CHUNK_SIZE || p->chunks == NULL) {
			c->next = p->chunks;
			p->chunks = c;
		} else {
			/* a big string gets a chunk of its own behind the current one */
			c->next = p->chunks->next;
			p->chunks->next = c;
		}
	}
	d = c->data + c->used;
	memcpy(d, s, len);
	d[len] = '\0';
	c->used += len + 1;
	return d;
}

/* grow - double the table */
static int grow(struct strpool *p)
{
	size_t cap = (p->mask + 1) * 2, i;
	struct slot *t = calloc(cap, sizeof *t);

	if (t == NULL)
		return -1;
	for (i = 0; i <= p->mask; i++) {
		size_t h;

		if (p->table[i].s == NULL)
			continue;
		for (h = p->table[i].hash & (cap - 1); t[h].s != NULL; h = (h + 1) & (cap - 1))
			;
		t[h] = p->table[i];
	}
	free(p->table);
	p->bytes += (cap - (p->mask + 1)) * sizeof *t;
	p->table = t;
	p->mask = cap - 1;
	return 0;
}

/* strpool_intern - the pool's copy of s[0..len) */
const char *strpool_intern(struct strpool *p, const char *s, size_t len)
{
	uint32_t hash = hash_bytes(s, len);
	size_t h;

	if (len > UINT32_MAX)
		return NULL;
	for (h = hash & p->mask; p->table[h].s != NULL; h = (h + 1) & p->mask)
		if (p->table[h].hash == hash && p->table[h].len == len && memcmp(p->table[h].s, s, len) == 0)
			return p->table[h].s;
	if ((p->count + 1) * 2 > p->mask + 1) {
		if (grow(p) < 0)
			return NULL;
		for (h = hash & p->mask; p->table[h].s != NULL; h = (h + 1) & p->mask)
			;
	}
	if ((p->table[h].s = store(p, s, len)) == NULL)
		return NULL;
	p->table[h].hash = hash;
	p->table[h].len = (uint32_t)len;
	p->count++;
	return p->table[h].s;
}

/* strpool_str - strpool_intern of a NUL-terminated string */
const char *strpool_str(struct strpool *p, const char *s)
{
	return strpool_intern(p, s, strlen(s));
}

/* strpool_bytes - bytes the pool holds */
size_t strpool_bytes(const struct strpool *p)
{
	return p->bytes;
}

/* strpool_count - distinct strings in the pool */
size_t strpool_count(const struct strpool *p)
{
	return p->count;
}
