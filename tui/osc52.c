/* osc52 - the clipboard sequence; see osc52.h */
#include "tui/osc52.h"

#include <string.h>

#include "core/base/sanitize.h"

/* base64 - RFC 4648 base64 of in[0..len) into out (4 * ceil(len / 3) bytes, no NUL) */
static size_t base64(char *out, const unsigned char *in, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];

		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);

		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = '=';
	}
	return o;
}

/* osc52_format - the OSC 52 sequence that copies text, into buf; its length, 0 when empty or too long */
size_t osc52_format(char *buf, size_t n, const char *text)
{
	static const char head[] = "\033]52;c;";
	char clean[OSC52_MAX_TEXT + 1];
	size_t len, need;

	len = sanitize_text(clean, sizeof clean, text, strlen(text));
	if (len == 0)
		return 0;
	need = sizeof head - 1 + (len + 2) / 3 * 4 + 1;	/* the head, base64, BEL */
	if (need + 1 > n)
		return 0;
	memcpy(buf, head, sizeof head - 1);
	base64(buf + sizeof head - 1, (const unsigned char *)clean, len);
	buf[need - 1] = '\a';
	buf[need] = '\0';
	return need;
}
