/* strpool - interned strings: one copy of each distinct text, freed all at once
 *
 * A queue of 1,000,000 deferred messages holds a few hundred distinct
 * reply texts, senders and domains, so the queue model keeps each text
 * once: strpool_intern returns the pool's copy (the same pointer for the
 * same text), packed into 64 KB chunks without a malloc header each.
 * Strings are never freed one by one and never move: a pointer stays
 * valid while the pool lives. The pool is reference counted (atomically)
 * so that a partial model handed to another thread can share the strings
 * of the model still being built (core/queue/qsource). Interning is not
 * thread-safe: one thread interns (the one building the model), others
 * only read strings already returned.
 */
#ifndef MQMON_STRPOOL_H
#define MQMON_STRPOOL_H

#include <stddef.h>

struct strpool;

/* strpool_new - an empty pool with one reference; NULL on out of memory */
struct strpool *strpool_new(void);

/* strpool_ref - one more reference to p (NULL-safe); returns p */
struct strpool *strpool_ref(struct strpool *p);

/* strpool_unref - drop a reference; the last one frees every string (NULL-safe) */
void strpool_unref(struct strpool *p);

/* strpool_intern - the pool's copy of s[0..len) (NUL-terminated); NULL on out of memory */
const char *strpool_intern(struct strpool *p, const char *s, size_t len);

/* strpool_str - strpool_intern of a NUL-terminated string */
const char *strpool_str(struct strpool *p, const char *s);

/* strpool_bytes - bytes the pool holds (chunks and table) */
size_t strpool_bytes(const struct strpool *p);

/* strpool_count - distinct strings in the pool */
size_t strpool_count(const struct strpool *p);

#endif
