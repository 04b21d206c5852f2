/* queue_id - recognise Postfix queue IDs; see queue_id.h */
#include "core/postfix/queue_id.h"

#include <string.h>

/* is_long_char - a character of Postfix's long queue ID alphabet (no vowels) */
static int is_long_char(char c)
{
	return c != '\0' && strchr("0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz", c) != NULL;
}

/* is_short_id - uppercase hex, 6 or more */
static int is_short_id(const char *s, size_t len)
{
	size_t i;

	if (len < 6)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

/* is_long_id - 10+ alphabet characters (the time part), 'z', 1+ (the inode) */
static int is_long_id(const char *s, size_t len)
{
	size_t i, sep = 0;

	if (len < 12)
		return 0;
	for (i = 0; i < len; i++)
		if (!is_long_char(s[i]))
			return 0;
	/* the time part's digits may include 'z', the inode's (base 51) never do: the last 'z' is the
	 * separator, as Postfix reads it */
	for (i = 0; i < len; i++)
		if (s[i] == 'z')
			sep = i;
	return sep >= 10 && sep + 1 < len;
}

/* postfix_id_valid - true when s[0..len) is a short or long Postfix queue ID */
int postfix_id_valid(const char *s, size_t len)
{
	if (s == NULL || len == 0 || len > QUEUE_ID_MAX)
		return 0;
	return is_short_id(s, len) || is_long_id(s, len);
}
