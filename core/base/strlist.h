/* strlist - a growable list of owned strings
 *
 * Used for word lists read from configuration (domains, codes, fragments)
 * and for collected error messages that a caller shows later.
 */
#ifndef MQMON_STRLIST_H
#define MQMON_STRLIST_H

#include <stddef.h>

struct strlist {
	char **v;
	size_t n, cap;
};

/* strlist_add - append a copy of s; -1 on out of memory */
int strlist_add(struct strlist *l, const char *s);

/* strlist_addf - append a formatted string; -1 on out of memory */
int strlist_addf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* strlist_split - append the trimmed, non-empty pieces of s cut at any char of seps */
int strlist_split(struct strlist *l, const char *s, const char *seps);

/* strlist_has - true when some element equals s */
int strlist_has(const struct strlist *l, const char *s);

/* strlist_free - free every element and the array; leaves an empty list */
void strlist_free(struct strlist *l);

#endif
