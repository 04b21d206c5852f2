/* exim_id - recognise and decode Exim message IDs; see exim_id.h */
#include "core/exim/exim_id.h"

/* base62_value - value of a base-62 digit (0-9, A-Z, a-z), -1 otherwise */
static int base62_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 36;
	return -1;
}

/* all_base62 - true when s[0..n) are base-62 digits */
static int all_base62(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (base62_value(s[i]) < 0)
			return 0;
	return 1;
}

/* exim_id_valid - true when s[0..len) is an Exim message ID of either form */
int exim_id_valid(const char *s, size_t len)
{
	size_t pid_len, frac_len;

	if (s == NULL)
		return 0;
	if (len == EXIM_ID_LEN_OLD) {
		pid_len = 6;
		frac_len = 2;
	} else if (len == EXIM_ID_LEN_NEW) {
		pid_len = 11;
		frac_len = 4;
	} else {
		return 0;
	}
	return all_base62(s, 6) && s[6] == '-' && all_base62(s + 7, pid_len) && s[7 + pid_len] == '-'
	       && all_base62(s + 8 + pid_len, frac_len);
}

/* exim_id_time - arrival time encoded in a valid ID's first 6 characters; -1 when not valid */
time_t exim_id_time(const char *id, size_t len)
{
	long long t = 0;
	int i;

	if (!exim_id_valid(id, len))
		return -1;
	for (i = 0; i < 6; i++)	/* at most 62^6 - 1 = 56800235583: no overflow */
		t = t * 62 + base62_value(id[i]);
	return (time_t)t;
}

/* exim_id_subdir - the split-spool subdirectory character of a valid ID; 0 when not valid */
char exim_id_subdir(const char *id, size_t len)
{
	return exim_id_valid(id, len) ? id[5] : 0;
}
