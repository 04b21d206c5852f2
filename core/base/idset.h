/* idset - a set of strings kept as 64-bit hashes
 *
 * Counting distinct messages per group needs a set of queue IDs per group;
 * keeping only a 64-bit hash of each ID makes the set small and fast, and
 * a false "already seen" needs two IDs with the same 64-bit hash.
 */
#ifndef MQMON_IDSET_H
#define MQMON_IDSET_H

#include <stddef.h>
#include <stdint.h>

struct idset {
	uint64_t *slots;
	size_t n, mask;
};

/* idset_hash - the hash idset uses for a string */
uint64_t idset_hash(const char *s);

/* idset_add - add a hash (never 0); returns 1 when new, 0 when present, -1 on out of memory */
int idset_add(struct idset *set, uint64_t h);

/* idset_has - true when the hash is in the set */
int idset_has(const struct idset *set, uint64_t h);

/* idset_free - release the set */
void idset_free(struct idset *set);

#endif
