/* strmap - a string -> integer map that owns copies of its keys
 *
 * Open addressing with linear probing over a power-of-two table that doubles
 * at 3/4 load; each slot keeps the key's 64-bit hash so most probes compare
 * one integer, not a string. Used where a small dictionary sits in front of
 * a table (the store's names). Not thread safe; one owner.
 */
#ifndef MQMON_STRMAP_H
#define MQMON_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	uint64_t hash;		/* 0 = empty */
	char *key;
	long long value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t n, mask;
};

/* strmap_get - the value of key into *value; 1 found, 0 absent */
int strmap_get(const struct strmap *m, const char *key, long long *value);

/* strmap_put - set key to value (copying key); 0 or -1 on out of memory */
int strmap_put(struct strmap *m, const char *key, long long value);

/* strmap_count - keys held */
size_t strmap_count(const struct strmap *m);

/* strmap_clear - forget every key and release the table (the map stays usable) */
void strmap_clear(struct strmap *m);

#endif
