/* strlist - a growable list of owned strings; see strlist.h */
#include "core/base/strlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strlist_push - take ownership of s */
static int strlist_push(struct strlist *l, char *s)
{
	if (s == NULL)
		return -1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof *v);

		if (v == NULL) {
			free(s);
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

/* strlist_add - append a copy of s; -1 on out of memory */
int strlist_add(struct strlist *l, const char *s)
{
	return strlist_push(l, strdup(s));
}

/* strlist_addf - append a formatted string; -1 on out of memory */
int strlist_addf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	return rc < 0 ? -1 : strlist_push(l, s);
}

/* strlist_split - append the trimmed, non-empty pieces of s cut at any char of seps */
int strlist_split(struct strlist *l, const char *s, const char *seps)
{
	while (s != NULL && *s) {
		size_t n = strcspn(s, seps);
		const char *b = s, *e = s + n;

		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b && strlist_push(l, strndup(b, (size_t)(e - b))) < 0)
			return -1;
		s += n;
		if (*s)
			s++;
	}
	return 0;
}

/* strlist_has - true when some element equals s */
int strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* strlist_free - free every element and the array; leaves an empty list */
void strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
