/* why - error reports for callers (Postfix's VSTRING *why, fixed size)
 *
 * Functions that can fail take a `struct why *` and fill it with one
 * human-readable sentence; callers decide whether to print, show in the UI,
 * or collect the error. A NULL why is allowed and discards the text.
 */
#ifndef MQMON_WHY_H
#define MQMON_WHY_H

#include <stdarg.h>

struct why {
	char text[1024];
};

/* why_set - format an error message into why (NULL-safe); returns -1 */
int why_set(struct why *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* why_errno - like why_set, appending ": strerror(errno)"; returns -1 */
int why_errno(struct why *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
