/* textpack - reply texts as templates and variable tokens; see textpack.h */
#include "core/history/textpack.h"

#include <stdlib.h>
#include <string.h>

/* is_marker - one of the bytes textpack gives a meaning */
static int is_marker(unsigned char c)
{
	return c < 0x20 && (c == TEXTPACK_VAR || c == TEXTPACK_RELAY || c == TEXTPACK_RCPT || c == TEXTPACK_SEP);
}

/* byte classes: CL_SEP between tokens (and the end of the text), CL_DIGIT, CL_MARK a marker byte */
enum { CL_SEP = 1, CL_DIGIT = 2, CL_MARK = 4 };
static const unsigned char cls[256] = {
	[0] = CL_SEP, [' '] = CL_SEP, ['['] = CL_SEP, [']'] = CL_SEP, ['<'] = CL_SEP, ['>'] = CL_SEP,
	['('] = CL_SEP, [')'] = CL_SEP, ['='] = CL_SEP, [','] = CL_SEP, [';'] = CL_SEP, [':'] = CL_SEP,
	['"'] = CL_SEP, ['\''] = CL_SEP, ['/'] = CL_SEP, ['@'] = CL_SEP,
	['0'] = CL_DIGIT, ['1'] = CL_DIGIT, ['2'] = CL_DIGIT, ['3'] = CL_DIGIT, ['4'] = CL_DIGIT,
	['5'] = CL_DIGIT, ['6'] = CL_DIGIT, ['7'] = CL_DIGIT, ['8'] = CL_DIGIT, ['9'] = CL_DIGIT,
	[(unsigned char)TEXTPACK_VAR] = CL_MARK, [(unsigned char)TEXTPACK_RELAY] = CL_MARK,
	[(unsigned char)TEXTPACK_RCPT] = CL_MARK, [(unsigned char)TEXTPACK_SEP] = CL_MARK,
};

/* is_digit - an ASCII digit */
static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* is_code - an SMTP reply code (421) or an enhanced status code (4.7.0, 5.7.650): part of the template */
static int is_code(const char *t, size_t n)
{
	size_t i, dots = 0, run = 0;

	if (n == 0 || (t[0] != '2' && t[0] != '4' && t[0] != '5'))
		return 0;
	if (n == 3)
		return is_digit((unsigned char)t[1]) && is_digit((unsigned char)t[2]);
	if (n < 5 || t[1] != '.')
		return 0;
	for (i = 1; i < n; i++) {
		if (t[i] == '.') {
			if (i > 1 && run == 0)
				return 0;
			dots++;
			run = 0;
		} else if (is_digit((unsigned char)t[i]) && ++run <= 3) {
			continue;
		} else {
			return 0;
		}
	}
	return dots == 2 && run > 0;
}

/* relay_host - the relay up to its first ']' ("host[ip]"), its length in *n; NULL when there is none
 * worth a marker (no ']', too short, or holding a marker byte) */
static const char *relay_host(const char *relay, size_t *n)
{
	const char *end = relay ? strchr(relay, ']') : NULL;
	size_t i;

	if (end == NULL || end - relay < 3)
		return NULL;
	*n = (size_t)(end - relay) + 1;
	for (i = 0; i < *n; i++)
		if (is_marker((unsigned char)relay[i]))
			return NULL;
	return relay;
}

/* recipient_key - the recipient when it can stand behind a marker (3 bytes or more, no marker byte) */
static const char *recipient_key(const char *recipient, size_t *n)
{
	size_t i;

	if (recipient == NULL || (*n = strlen(recipient)) < 3)
		return NULL;
	for (i = 0; i < *n; i++)
		if (is_marker((unsigned char)recipient[i]))
			return NULL;
	return recipient;
}

/* put_variable - a variable token: its parts between '.' and '-' that hold a digit go to vars, the
 * others (and the dots and dashes) stay in the template ("DB5PEPF7.eurprd02.prod.outlook.com" is
 * "\001.\001.prod.outlook.com"); the end of vars */
static char *put_variable(const char *p, size_t len, char **tpl, char *v, const char *vars)
{
	size_t i = 0, j;
	int digit;
	char *t = *tpl;

	while (i <= len) {
		for (j = i, digit = 0; j < len && p[j] != '.' && p[j] != '-'; j++)
			digit |= cls[(unsigned char)p[j]] & CL_DIGIT;
		if (digit) {
			if (v != vars)
				*v++ = TEXTPACK_SEP;
			memcpy(v, p + i, j - i);
			v += j - i;
			*t++ = TEXTPACK_VAR;
		} else {
			memcpy(t, p + i, j - i);
			t += j - i;
		}
		if (j < len)
			*t++ = p[j];
		i = j + 1;
	}
	*tpl = t;
	return v;
}

/* at - text at p begins with the n (3 or more) bytes of key */
static inline int at(const char *p, const char *key, size_t n)
{
	return key != NULL && p[0] == key[0] && p[1] == key[1] && strncmp(p, key, n) == 0;
}

/* textpack_split - text as a template and its variable tokens
 *
 * One pass over classified bytes (and the parts of variable tokens): runs of
 * separators are copied, a token is copied while it is scanned and replaced
 * when it turns out variable. The relay host and the recipient are
 * looked for where a token begins (where they stand in replies); any
 * choice of places is exact, since textpack_join follows the markers. */
int textpack_split(const char *text, const char *relay, const char *recipient, char *tpl, char *vars)
{
	size_t nrelay = 0, nrcpt = 0, len;
	const char *rh = relay_host(relay, &nrelay), *rc = recipient_key(recipient, &nrcpt), *p = text;
	char *t = tpl, *v = vars;
	unsigned kinds, c;

	for (;;) {
		while (cls[(unsigned char)*p] & CL_SEP) {
			if (*p == '\0')
				goto end;
			*t++ = *p++;
		}
		if (at(p, rh, nrelay)) {
			*t++ = TEXTPACK_RELAY;
			p += nrelay;
			continue;
		}
		if (at(p, rc, nrcpt)) {
			*t++ = TEXTPACK_RCPT;
			p += nrcpt;
			continue;
		}
		/* a token, up to a separator (copied on the way, the template never outruns the text);
		 * variable when it holds a digit and is no code */
		kinds = 0;
		for (len = 0; !((c = cls[(unsigned char)p[len]]) & CL_SEP); len++) {
			kinds |= c;
			t[len] = p[len];
		}
		if (kinds & CL_MARK)
			return -1;
		if ((kinds & CL_DIGIT) && !is_code(p, len))
			v = put_variable(p, len, &t, v, vars);	/* written again from the token's start */
		else
			t += len;
		p += len;
	}
end:
	*t = '\0';
	*v = '\0';
	return 0;
}

/* put - append n bytes to *buf at *len, growing it; -1 when out of memory */
static int put(char **buf, size_t *cap, size_t *len, const char *s, size_t n)
{
	char *grown;
	size_t want;

	if (*len + n + 1 > *cap) {
		want = (*len + n + 1) * 2;
		if (want < 256)
			want = 256;
		if ((grown = realloc(*buf, want)) == NULL)
			return -1;
		*buf = grown;
		*cap = want;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* textpack_join - the text of a template and its tokens into *buf */
int textpack_join(const char *tpl, const char *vars, const char *relay, const char *recipient, char **buf,
		  size_t *cap)
{
	size_t nrelay = 0, nrcpt = 0, len = 0, n;
	const char *rh = relay_host(relay, &nrelay), *rc = recipient_key(recipient, &nrcpt), *p, *end;
	const char *v = vars ? vars : "";

	if (put(buf, cap, &len, "", 0) < 0)
		return -1;
	for (p = tpl; *p; p = end) {
		for (end = p; *end && *end != TEXTPACK_VAR && *end != TEXTPACK_RELAY && *end != TEXTPACK_RCPT; end++)
			;
		if (end > p && put(buf, cap, &len, p, (size_t)(end - p)) < 0)
			return -1;
		if (*end == '\0')
			break;
		if (*end == TEXTPACK_VAR) {
			for (n = 0; v[n] && v[n] != TEXTPACK_SEP; n++)
				;
			if (put(buf, cap, &len, v, n) < 0)
				return -1;
			v += v[n] ? n + 1 : n;
		} else if (*end == TEXTPACK_RELAY) {
			/* a template from a row whose relay later reads differently: keep what is known */
			if (rh != NULL && put(buf, cap, &len, rh, nrelay) < 0)
				return -1;
		} else if (rc != NULL && put(buf, cap, &len, rc, nrcpt) < 0) {
			return -1;
		}
		end++;
	}
	return 0;
}
