/* slab - fixed-size objects carved from big chunks, with a free list
 *
 * A queue of 1,000,000 messages would cost a malloc header (8-16 bytes
 * and rounding) per message if each were malloc'd: a slab hands out
 * objects of one size packed in chunks of many, zeroed, and takes freed
 * ones back on a free list for the next slab_alloc. Objects never move
 * while the slab lives (their addresses stay valid); slab_destroy frees
 * every chunk at once. A freed object's first bytes hold the free list's
 * link (its contents are gone); under AddressSanitizer the objects not
 * handed out are poisoned, so a use after slab_free is reported as after
 * free(). Not thread-safe: one owner at a time.
 */
#ifndef MQMON_SLAB_H
#define MQMON_SLAB_H

#include <stddef.h>

struct slab {
	size_t size;		/* bytes of an object (rounded up to a pointer's alignment) */
	size_t per_chunk;	/* objects per chunk */
	struct slab_chunk *chunks;	/* the newest first */
	size_t used;		/* objects handed out from the newest chunk */
	void *free;		/* freed objects, linked through their first bytes */
	size_t live;		/* objects handed out and not freed */
	size_t bytes;		/* bytes of every chunk */
};

/* slab_init - an empty slab of objects of size bytes, per_chunk of them a chunk (0: about 256 KB) */
void slab_init(struct slab *s, size_t size, size_t per_chunk);

/* slab_alloc - a zeroed object (a freed one first); NULL on out of memory */
void *slab_alloc(struct slab *s);

/* slab_free - give an object back (NULL-safe); it must come from s */
void slab_free(struct slab *s, void *obj);

/* slab_destroy - free every chunk (every object at once); s is empty again */
void slab_destroy(struct slab *s);

#endif
