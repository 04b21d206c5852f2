/* slab - fixed-size objects in chunks with a free list; see slab.h */
#include "core/base/slab.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define SLAB_CHUNK_BYTES (256 * 1024)

/* Under AddressSanitizer the objects not handed out are poisoned, so that a use after slab_free is
 * reported as it would be after free() */
#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif
#ifdef SLAB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct slab_chunk {
	struct slab_chunk *next;
	alignas(max_align_t) unsigned char data[];
};

/* slab_init - an empty slab of objects of size bytes, per_chunk a chunk */
void slab_init(struct slab *s, size_t size, size_t per_chunk)
{
	size_t a = alignof(void *);

	memset(s, 0, sizeof *s);
	if (size < sizeof(void *))
		size = sizeof(void *);
	s->size = (size + a - 1) / a * a;
	s->per_chunk = per_chunk ? per_chunk : (SLAB_CHUNK_BYTES / s->size > 0 ? SLAB_CHUNK_BYTES / s->size : 1);
	s->used = s->per_chunk;	/* no chunk yet: the first alloc makes one */
}

/* slab_alloc - a zeroed object, a freed one first; NULL on out of memory */
void *slab_alloc(struct slab *s)
{
	void *obj;

	if (s->free != NULL) {
		obj = s->free;
		UNPOISON(obj, s->size);
		memcpy(&s->free, obj, sizeof s->free);
	} else {
		if (s->used == s->per_chunk) {
			struct slab_chunk *c = malloc(sizeof *c + s->size * s->per_chunk);

			if (c == NULL)
				return NULL;
			c->next = s->chunks;
			s->chunks = c;
			s->used = 0;
			s->bytes += sizeof *c + s->size * s->per_chunk;
			POISON(c->data, s->size * s->per_chunk);
		}
		obj = s->chunks->data + s->used++ * s->size;
		UNPOISON(obj, s->size);
	}
	memset(obj, 0, s->size);
	s->live++;
	return obj;
}

/* slab_free - give an object back to the free list */
void slab_free(struct slab *s, void *obj)
{
	if (obj == NULL)
		return;
	memcpy(obj, &s->free, sizeof s->free);
	s->free = obj;
	s->live--;
	POISON(obj, s->size);
}

/* slab_destroy - free every chunk */
void slab_destroy(struct slab *s)
{
	struct slab_chunk *c, *next;
	size_t size = s->size, per_chunk = s->per_chunk;

	for (c = s->chunks; c != NULL; c = next) {
		next = c->next;
		UNPOISON(c->data, size * per_chunk);
		free(c);
	}
	slab_init(s, size, per_chunk);
}
