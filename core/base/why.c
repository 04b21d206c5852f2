/* why - error reports for callers; see why.h */
#include "core/base/why.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* why_set - format an error message into why (NULL-safe); returns -1 */
int why_set(struct why *why, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why->text, sizeof why->text, fmt, ap);
	va_end(ap);
	return -1;
}

/* why_errno - like why_set, appending ": strerror(errno)"; returns -1 */
int why_errno(struct why *why, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t len;

	if (why == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(why->text, sizeof why->text, fmt, ap);
	va_end(ap);
	len = strlen(why->text);
	snprintf(why->text + len, sizeof why->text - len, ": %s", strerror(saved));
	errno = saved;
	return -1;
}
