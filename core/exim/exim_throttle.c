/* exim_throttle - what mqmon's Exim throttles look like to Exim; see exim_throttle.h */
#include "core/exim/exim_throttle.h"

#include <stdio.h>
#include <string.h>

/* exim_throttle_file_of - the FILE of "[partial[N]-](lsearch|wildlsearch|nwildlsearch);FILE" */
void exim_throttle_file_of(const char *hold_domains, char *buf, size_t bufsz)
{
	const char *semi = strchr(hold_domains, ';'), *type = hold_domains;
	size_t n;

	buf[0] = '\0';
	if (semi == NULL)
		return;
	if (strncmp(type, "partial", 7) == 0 && (type = strchr(type, '-')) != NULL)
		type++;
	if (type == NULL || type > semi)
		return;
	n = (size_t)(semi - type);
	if (!(n == 7 && strncmp(type, "lsearch", 7) == 0) && !(n == 11 && strncmp(type, "wildlsearch", 11) == 0)
	    && !(n == 12 && strncmp(type, "nwildlsearch", 12) == 0))
		return;
	semi++;
	n = strcspn(semi, " \t:");
	if (semi[0] == '/' && n < bufsz && semi[n] == '\0') {
		memcpy(buf, semi, n);
		buf[n] = '\0';
	}
}

/* exim_throttle_own - true when text, blanks trimmed, is Exim's text for a held or throttled domain */
int exim_throttle_own(const char *text, size_t len)
{
	while (len > 0 && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n'))
		len--;
	return (len == sizeof EXIM_HELD_TEXT - 1 && memcmp(text, EXIM_HELD_TEXT, len) == 0)
		|| (len == sizeof EXIM_THROTTLED_TEXT - 1 && memcmp(text, EXIM_THROTTLED_TEXT, len) == 0);
}
