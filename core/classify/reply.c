/* reply - take apart the reason text of a Postfix deferral; see reply.h
 *
 * Work happens on a sanitised copy of the reason, so every later step sees
 * valid UTF-8 with single spaces. The remote reply's first line gives the
 * SMTP code and enhanced code; later `CODE-ENH ` / `CODE ENH ` tokens that
 * repeat them are continuation prefixes and are dropped from the text.
 */
#include "core/classify/reply.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/base/sanitize.h"

/* has_prefix - NUL-terminated s starts with lit */
static int has_prefix(const char *s, const char *lit)
{
	return strncmp(s, lit, strlen(lit)) == 0;
}

/* copy_until - copy s up to the first char of stop (or NUL) into dst; returns the stop position */
static const char *copy_until(char *dst, size_t dstsz, const char *s, const char *stop)
{
	size_t n = strcspn(s, stop);
	size_t m = n < dstsz - 1 ? n : dstsz - 1;

	memcpy(dst, s, m);
	dst[m] = '\0';
	return s + n;
}

/* parse_host_ip - "name[ip]" at s into info; returns the position after ']' or NULL */
static const char *parse_host_ip(const char *s, struct reply_info *info)
{
	const char *p = copy_until(info->host, sizeof info->host, s, "[ ");

	if (*p != '[')
		return NULL;
	p = copy_until(info->ip, sizeof info->ip, p + 1, "] ");
	if (*p != ']')
		return NULL;
	return p + 1;
}

/* parse_enhanced - "d.ddd.ddd" followed by a space or end; returns its length or 0 */
static size_t parse_enhanced(const char *s)
{
	size_t i = 0, part, parts = 0;

	if (s[0] < '2' || s[0] > '5' || s[1] != '.')
		return 0;
	i = 2;
	for (parts = 1; parts < 3; parts++) {
		part = 0;
		while (s[i] >= '0' && s[i] <= '9' && part < 3) {
			i++;
			part++;
		}
		if (part == 0)
			return 0;
		if (parts == 1) {
			if (s[i] != '.')
				return 0;
			i++;
		}
	}
	return (s[i] == ' ' || s[i] == '\0' || s[i] == ',' || s[i] == ')') ? i : 0;
}

/* parse_code - "421[- ]" at s; returns the code or 0 */
static int parse_code(const char *s, char *sep)
{
	if (s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return 0;
	if (s[3] != '-' && s[3] != ' ' && s[3] != '\0')
		return 0;
	*sep = s[3];
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* stage_from_text - "(in reply to X command)", "while receiving the initial server greeting" ... */
static enum smtp_stage stage_from_text(const char *s)
{
	static const struct {
		const char *prefix;
		enum smtp_stage stage;
	} replies[] = {
		{ "end of DATA", STAGE_END }, { "RCPT TO", STAGE_RCPT }, { "MAIL FROM", STAGE_MAIL },
		{ "DATA", STAGE_DATA }, { "EHLO", STAGE_HELO }, { "HELO", STAGE_HELO }, { "LHLO", STAGE_HELO },
		{ "STARTTLS", STAGE_STARTTLS },
	}, whiles[] = {
		{ "receiving the initial", STAGE_GREETING }, { "performing the EHLO", STAGE_HELO },
		{ "performing the HELO", STAGE_HELO }, { "performing the LHLO", STAGE_HELO },
		{ "sending MAIL FROM", STAGE_MAIL }, { "sending RCPT TO", STAGE_RCPT },
		{ "sending DATA command", STAGE_DATA }, { "sending message body", STAGE_DATA },
		{ "sending end of data", STAGE_END },
	};
	const char *p;
	size_t i;

	/* Postfix puts the stage last: look for its two phrasings once each */
	if ((p = strstr(s, "(in reply to ")) != NULL) {
		p += 13;
		for (i = 0; i < sizeof replies / sizeof replies[0]; i++)
			if (strncmp(p, replies[i].prefix, strlen(replies[i].prefix)) == 0)
				return replies[i].stage;
	}
	if ((p = strstr(s, " while ")) != NULL) {
		p += 7;
		for (i = 0; i < sizeof whiles / sizeof whiles[0]; i++)
			if (strncmp(p, whiles[i].prefix, strlen(whiles[i].prefix)) == 0)
				return whiles[i].stage;
	}
	if (strstr(s, "initial server greeting") != NULL)
		return STAGE_GREETING;
	if (strstr(s, "after end of data") != NULL)
		return STAGE_END;
	return STAGE_UNKNOWN;
}

/* utf8_cut - the length of s[0..n) without an incomplete UTF-8 character at its end */
static size_t utf8_cut(const char *s, size_t n)
{
	size_t start = n, need;
	unsigned char c;

	while (start > 0 && n - start < 4 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
		start--;
	if (start == 0)
		return n;
	c = (unsigned char)s[start - 1];
	if (c < 0x80)
		return n;
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	return n - (start - 1) < need ? start - 1 : n;
}

/* join_reply - copy the remote reply at r into out, dropping continuation prefixes */
static size_t join_reply(struct reply_info *info, const char *r, char *out, size_t outsz)
{
	char codebuf[8], sep = ' ';
	size_t o = 0, enhlen;
	const char *p;
	int code = parse_code(r, &sep);

	if (code == 0) {
		snprintf(out, outsz, "%s", r);
		return strlen(out);
	}
	info->smtp_code = code;
	memcpy(codebuf, r, 3);
	codebuf[3] = '\0';
	p = r + (sep == '\0' ? 3 : 4);	/* "421" alone has no separator to skip */
	enhlen = sep != '\0' ? parse_enhanced(p) : 0;
	if (enhlen > 0 && enhlen < sizeof info->enhanced) {
		memcpy(info->enhanced, p, enhlen);
		info->enhanced[enhlen] = '\0';
		p += enhlen;
		if (*p == ' ')
			p++;
	}
	o = (size_t)snprintf(out, outsz, "%s %s%s", codebuf, info->enhanced,
			     info->enhanced[0] ? " " : "");
	if (o >= outsz)
		return outsz - 1;
	while (*p && o + 1 < outsz) {
		size_t n = strnlen(p, outsz - 1 - o), k;
		const char *next = sep == '-' ? memchr(p, codebuf[0], n) : NULL;

		/* copied at once: the text up to where a continuation prefix may begin (only after "421-") */
		k = next != NULL ? (size_t)(next - p) : n;
		memcpy(out + o, p, k);
		o += k;
		p += k;
		if (next == NULL)
			break;	/* the end of the reply, or of the room in out */
		/* a continuation prefix: " 421-4.7.28 " or " 421 4.7.28 " (or " 421-" without enhanced) */
		if (sep == '-' && p[0] == codebuf[0] && (p == r + 4 || p[-1] == ' ') && p[1] == codebuf[1]
		    && p[2] == codebuf[2] && (p[3] == '-' || p[3] == ' ')) {
			const char *q = p + 4;

			if (info->enhanced[0] == '\0' || (strncmp(q, info->enhanced, enhlen) == 0
							  && (q[enhlen] == ' ' || q[enhlen] == '\0'))) {
				q += info->enhanced[0] ? enhlen : 0;
				while (*q == ' ')
					q++;
				if (o > 0 && out[o - 1] != ' ' && *q)
					out[o++] = ' ';
				p = q;
				continue;
			}
		}
		out[o++] = *p++;
	}
	if (*p != '\0')	/* cut short by outsz: never end inside a UTF-8 character */
		o = utf8_cut(out, o);
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return o;
}

/* unescape_newlines - turn the literal "\\n" that Exim writes between reply lines into spaces */
static void unescape_newlines(char *s)
{
	char *o;

	if ((s = strchr(s, '\\')) == NULL)
		return;
	for (o = s; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = ' ';
			s++;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* exim_stage - the stage named after "SMTP error from remote mail server after " */
static enum smtp_stage exim_stage(const char *s)
{
	static const struct {
		const char *prefix;
		enum smtp_stage stage;
	} afters[] = {
		{ "initial connection", STAGE_GREETING }, { "end of data", STAGE_END },
		{ "RCPT TO", STAGE_RCPT }, { "pipelined RCPT TO", STAGE_RCPT },
		{ "MAIL FROM", STAGE_MAIL }, { "pipelined MAIL FROM", STAGE_MAIL },
		{ "DATA", STAGE_DATA }, { "pipelined DATA", STAGE_DATA }, { "EHLO", STAGE_HELO },
		{ "HELO", STAGE_HELO }, { "STARTTLS", STAGE_STARTTLS }, { "sending data block", STAGE_DATA },
	};
	size_t i;

	for (i = 0; i < sizeof afters / sizeof afters[0]; i++)
		if (has_prefix(s, afters[i].prefix))
			return afters[i].stage;
	return STAGE_UNKNOWN;
}

/* embedded_reply - where a remote reply ("421 ...") starts inside another MTA's text, else NULL
 *
 * Exim: "H=mx [ip]: SMTP error from remote mail server after RCPT TO:<a@b>: 451 ...";
 * sendmail: "stat=Deferred: 451 ..."; others: "... said: 421 ...", "...: 421 ...". */
static const char *embedded_reply(const char *s, struct reply_info *info)
{
	const char *p, *h;
	char sep;

	if ((h = strstr(s, "H=")) != NULL && (h == s || h[-1] == ' ')) {
		const char *q = copy_until(info->host, sizeof info->host, h + 2, " [:");

		if (q[0] == ' ' && q[1] == '[')
			copy_until(info->ip, sizeof info->ip, q + 2, "]");
	}
	if ((p = strstr(s, "SMTP error from remote mail server after ")) != NULL) {
		const char *old = strstr(p, ": host ");	/* older Exim: "...: host NAME [IP]: 451 ..." */

		if (old != NULL && info->host[0] == '\0') {
			const char *q = copy_until(info->host, sizeof info->host, old + 7, " [:");

			if (q[0] == ' ' && q[1] == '[')
				copy_until(info->ip, sizeof info->ip, q + 2, "]");
		}
		info->stage = exim_stage(p + 41);
		for (p += 41; (p = strstr(p, ": ")) != NULL; p++)
			if (parse_code(p + 2, &sep) != 0)
				return p + 2;
		return NULL;
	}
	for (p = s; (p = strchr(p, ':')) != NULL; p++)
		if (p[1] == ' ' && parse_code(p + 2, &sep) != 0 && p[2] >= '4')
			return p + 2;
	return NULL;
}

/* reply_parse - analyse reason[0..len) into info */
void reply_parse(const char *reason, size_t len, struct reply_info *info)
{
	char clean[REPLY_TEXT_MAX], sep0;
	const char *s = clean, *p;
	size_t o, enhlen;

	memset(info, 0, sizeof *info);
	sanitize_text(clean, sizeof clean, reason, len);
	unescape_newlines(clean);

	/* a DSN's Diagnostic-Code ("smtp; 421 ...") as operators paste it */
	if (strncasecmp(s, "smtp;", 5) == 0) {
		s += 5;
		while (*s == ' ')
			s++;
	}
	if (has_prefix(s, "delivery temporarily suspended: ")) {
		info->suspended = 1;
		s += strlen("delivery temporarily suspended: ");
	}
	info->stage = stage_from_text(s);

	if (has_prefix(s, "host ") && (p = parse_host_ip(s + 5, info)) != NULL) {
		if (has_prefix(p, " said: ")) {
			info->kind = REPLY_SAID;
			p += 7;
		} else if (has_prefix(p, " refused to talk to me: ")) {
			info->kind = REPLY_REFUSED;
			info->stage = STAGE_GREETING;
			p += 24;
		} else {
			p = NULL;
		}
		if (p != NULL) {
			o = (size_t)(p - clean);
			memcpy(info->text, clean, o);
			info->reply_off = o;
			join_reply(info, p, info->text + o, sizeof info->text - o);
			return;
		}
	} else if (has_prefix(s, "connect to ")) {
		info->kind = REPLY_CONNECT;
		info->stage = STAGE_CONNECT;
		parse_host_ip(s + 11, info);
		/* "connect to H[IP]: server refused to talk to me: 421 ...": the server did answer */
		if ((p = strstr(s, "refused to talk to me: ")) != NULL && parse_code(p + 23, &sep0) != 0) {
			info->kind = REPLY_REFUSED;
			info->stage = STAGE_GREETING;
			p += 23;
			o = (size_t)(p - clean);
			memcpy(info->text, clean, o);
			info->reply_off = o;
			join_reply(info, p, info->text + o, sizeof info->text - o);
			return;
		}
	} else if (has_prefix(s, "lost connection with ")) {
		info->kind = REPLY_LOST;
		parse_host_ip(s + 21, info);
	} else if (has_prefix(s, "conversation with ")) {
		info->kind = REPLY_TIMEOUT;
		parse_host_ip(s + 18, info);
	} else if (has_prefix(s, "TLS is required") || has_prefix(s, "Cannot start TLS")
		   || strstr(s, "TLS handshake") != NULL) {
		info->kind = REPLY_TLS;
		info->stage = STAGE_STARTTLS;
		if ((p = strstr(s, " by host ")) != NULL)
			parse_host_ip(p + 9, info);
	} else if (has_prefix(s, "Host or domain name not found")
		   || has_prefix(s, "Name service error")) {
		info->kind = REPLY_DNS;
		info->stage = STAGE_CONNECT;
	}
	if (info->kind == REPLY_OTHER) {
		char sep;

		info->host[0] = info->ip[0] = '\0';
		if (!info->suspended && (enhlen = parse_enhanced(s)) > 0 && enhlen < sizeof info->enhanced) {
			/* an enhanced code without the SMTP code ("4.7.32 This mail ...") */
			memcpy(info->enhanced, s, enhlen);
			info->enhanced[enhlen] = '\0';
		}
		if (!info->suspended && parse_code(s, &sep) != 0) {
			/* a bare reply ("421 4.7.0 ..."), as rule samples and other MTAs give it */
			join_reply(info, s, info->text, sizeof info->text);
			return;
		}
		if ((p = embedded_reply(s, info)) != NULL) {
			/* another MTA's words around a remote reply (Exim, sendmail) */
			info->kind = info->stage == STAGE_GREETING ? REPLY_REFUSED : REPLY_SAID;
			o = (size_t)(p - clean);
			memcpy(info->text, clean, o);
			info->reply_off = o;
			join_reply(info, p, info->text + o, sizeof info->text - o);
			return;
		}
		if (info->stage == STAGE_UNKNOWN && strstr(s, "Connection ") != NULL)
			info->stage = STAGE_CONNECT;
	}
	snprintf(info->text, sizeof info->text, "%s", clean);
}

/* reply_words - the remote's own words in info->text (Postfix's "host H[IP] said:" and
 * "(in reply to X command)" left out); returns their length, *start where they begin */
size_t reply_words(const struct reply_info *info, const char **start)
{
	const char *s = info->text + info->reply_off, *end = strstr(s, " (in reply to ");

	*start = s;
	return end != NULL ? (size_t)(end - s) : strlen(s);
}

/* reply_code - "421 4.7.28": the SMTP code and enhanced status code (dsn when the text has none) */
void reply_code(const struct reply_info *info, const char *dsn, char *buf, size_t n)
{
	const char *enh = info->enhanced[0] ? info->enhanced : dsn ? dsn : "";

	if (n == 0)
		return;
	if (info->smtp_code != 0)
		snprintf(buf, n, "%d%s%s", info->smtp_code, *enh ? " " : "", enh);
	else
		snprintf(buf, n, "%s", enh);
}

/* reply_gist - the remote's words without their leading SMTP and enhanced codes; returns the length */
size_t reply_gist(const struct reply_info *info, const char **start)
{
	const char *s;
	size_t len = reply_words(info, &s), skip = 0, enh;
	char sep;

	if (len >= 3 && parse_code(s, &sep) != 0) {
		skip = 3;
		while (skip < len && (s[skip] == ' ' || s[skip] == '-'))
			skip++;
	}
	if ((enh = parse_enhanced(s + skip)) > 0 && skip + enh <= len) {
		skip += enh;
		while (skip < len && s[skip] == ' ')
			skip++;
	}
	*start = s + skip;
	return len - skip;
}

static const char *const kind_names[REPLY_KIND_COUNT] = {
	"other", "said", "refused", "connect", "lost", "timeout", "tls", "dns",
};

/* reply_kind_name - "said", "refused", "connect" ... */
const char *reply_kind_name(enum reply_kind kind)
{
	return (unsigned)kind < REPLY_KIND_COUNT ? kind_names[kind] : "?";
}

/* reply_kind_from_name - inverse of reply_kind_name; -1 when unknown */
int reply_kind_from_name(const char *name)
{
	int i;

	for (i = 0; i < REPLY_KIND_COUNT; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return i;
	return -1;
}

static const char *const stage_names[STAGE_COUNT] = {
	"", "connect", "greeting", "helo", "starttls", "mail", "rcpt", "data", "end",
};

/* smtp_stage_name - "rcpt", "greeting" ... ("" when unknown) */
const char *smtp_stage_name(enum smtp_stage stage)
{
	return (unsigned)stage < STAGE_COUNT ? stage_names[stage] : "";
}

/* smtp_stage_from_name - inverse of smtp_stage_name; STAGE_UNKNOWN when none */
enum smtp_stage smtp_stage_from_name(const char *name)
{
	int i;

	for (i = 1; i < STAGE_COUNT; i++)
		if (strcmp(name, stage_names[i]) == 0)
			return (enum smtp_stage)i;
	return STAGE_UNKNOWN;
}
