/* idset - a set of strings kept as 64-bit hashes; see idset.h */
#include "core/base/idset.h"

#include <stdlib.h>

/* idset_hash - FNV-1a with a final mix, never 0 */
uint64_t idset_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h ? h : 1;
}

/* grow - double the table and re-insert */
static int grow(struct idset *set)
{
	size_t cap = set->slots ? (set->mask + 1) * 2 : 16, i;
	uint64_t *slots = calloc(cap, sizeof *slots);

	if (slots == NULL)
		return -1;
	if (set->slots != NULL) {
		for (i = 0; i <= set->mask; i++)
			if (set->slots[i]) {
				size_t j = set->slots[i] & (cap - 1);

				while (slots[j])
					j = (j + 1) & (cap - 1);
				slots[j] = set->slots[i];
			}
		free(set->slots);
	}
	set->slots = slots;
	set->mask = cap - 1;
	return 0;
}

/* idset_add - add a hash (never 0); returns 1 when new, 0 when present, -1 on out of memory */
int idset_add(struct idset *set, uint64_t h)
{
	size_t j;

	if ((set->slots == NULL || (set->n + 1) * 2 > set->mask + 1) && grow(set) < 0)
		return -1;
	for (j = h & set->mask; set->slots[j]; j = (j + 1) & set->mask)
		if (set->slots[j] == h)
			return 0;
	set->slots[j] = h;
	set->n++;
	return 1;
}

/* idset_has - true when the hash is in the set */
int idset_has(const struct idset *set, uint64_t h)
{
	size_t j;

	if (set->slots == NULL)
		return 0;
	for (j = h & set->mask; set->slots[j]; j = (j + 1) & set->mask)
		if (set->slots[j] == h)
			return 1;
	return 0;
}

/* idset_free - release the set */
void idset_free(struct idset *set)
{
	free(set->slots);
	set->slots = NULL;
	set->n = set->mask = 0;
}
