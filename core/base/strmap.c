/* strmap - a string -> integer map that owns copies of its keys; see strmap.h */
#include "core/base/strmap.h"

#include <stdlib.h>
#include <string.h>

#define STRMAP_MIN 64

/* key_hash - a multiply-xorshift hash of a string, eight bytes at a time; never 0 (0 marks an empty slot) */
static uint64_t key_hash(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return h ? h : 1;
}

/* find - the slot holding key, or the empty slot where it would go */
static struct strmap_slot *find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = h & m->mask;

	while (m->slots[i].hash != 0 && (m->slots[i].hash != h || strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & m->mask;
	return &m->slots[i];
}

/* grow - double the table (or make the first one); -1 on out of memory */
static int grow(struct strmap *m)
{
	size_t cap = m->slots ? (m->mask + 1) * 2 : STRMAP_MIN, i;
	struct strmap old = *m;

	m->slots = calloc(cap, sizeof *m->slots);
	if (m->slots == NULL) {
		*m = old;
		return -1;
	}
	m->mask = cap - 1;
	for (i = 0; old.slots != NULL && i <= old.mask; i++)
		if (old.slots[i].hash != 0)
			*find(m, old.slots[i].key, old.slots[i].hash) = old.slots[i];
	free(old.slots);
	return 0;
}

/* strmap_get - the value of key into *value; 1 found, 0 absent */
int strmap_get(const struct strmap *m, const char *key, long long *value)
{
	const struct strmap_slot *s;

	if (m->slots == NULL)
		return 0;
	s = find(m, key, key_hash(key, strlen(key)));
	if (s->hash == 0)
		return 0;
	*value = s->value;
	return 1;
}

/* strmap_put - set key to value (copying key); 0 or -1 on out of memory */
int strmap_put(struct strmap *m, const char *key, long long value)
{
	uint64_t h = key_hash(key, strlen(key));
	struct strmap_slot *s;
	char *copy;

	if ((m->slots == NULL || (m->n + 1) * 4 > (m->mask + 1) * 3) && grow(m) < 0)
		return -1;
	s = find(m, key, h);
	if (s->hash != 0) {
		s->value = value;
		return 0;
	}
	if ((copy = strdup(key)) == NULL)
		return -1;
	*s = (struct strmap_slot){ h, copy, value };
	m->n++;
	return 0;
}

/* strmap_count - keys held */
size_t strmap_count(const struct strmap *m)
{
	return m->n;
}

/* strmap_clear - forget every key and release the table */
void strmap_clear(struct strmap *m)
{
	size_t i;

	for (i = 0; m->slots != NULL && i <= m->mask; i++)
		free(m->slots[i].key);
	free(m->slots);
	*m = (struct strmap){ 0 };
}
