/* exim_listing - parse the queue listing of `exim -bp`; see exim_listing.h
 *
 * Each line is one of: blank (ends the message), a recipient (7 or more
 * leading spaces), a spool error (`*** ... ***` after a few spaces), or a
 * header (an ID among its first three words). A header while a message is
 * open ends that message first.
 */
#include "core/exim/exim_listing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define AGE_MAX (3653L * 86400)		/* ages are clamped to 10 years */
#define SIZE_MAX_LISTED (1L << 50)	/* sizes are clamped: no overflow on absurd input */

/* copy_str - a NUL-terminated copy of s[0..n); NULL when out of memory */
static char *copy_str(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* msg_reset - empty the current message, keeping the recipient array */
static void msg_reset(struct exim_listing *l)
{
	struct exim_listing_msg *m = &l->cur;
	size_t i;

	for (i = 0; i < m->nrcpts; i++)
		free(m->rcpts[i].address);
	free(m->sender);
	free(m->error);
	m->id[0] = '\0';
	m->age = m->size = -1;
	m->sender = m->error = NULL;
	m->frozen = 0;
	m->nrcpts = m->npending = m->dropped = 0;
}

/* flush - hand the open message to the callback and reset it */
static int flush(struct exim_listing *l)
{
	int rc = 0;

	if (!l->open)
		return 0;
	l->open = 0;
	l->messages++;
	rc = l->fn(l->ctx, &l->cur);
	msg_reset(l);
	if (rc != 0)
		l->stopped = rc;
	return rc;
}

/* note_bad - count a line that fits nowhere and end the open message */
static int note_bad(struct exim_listing *l)
{
	l->bad++;
	if (l->first_bad == 0)
		l->first_bad = l->lines;
	return flush(l);
}

/* parse_age - "3m", "72h", "2d", "-1m" into seconds; -1 when not an age */
static long parse_age(const char *s, size_t n)
{
	size_t i = 0;
	long v = 0, unit;
	int neg = 0;

	if (n >= 2 && s[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (n < i + 2)
		return -1;
	for (; i < n - 1; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v < AGE_MAX)
			v = v * 10 + (s[i] - '0');
	}
	switch (s[n - 1]) {
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	v = v > AGE_MAX / unit ? AGE_MAX : v * unit;
	return neg ? -v : v;
}

/* parse_size - "246", "1.2K", "208K", "1.2M", "12M" into bytes; -1 when not a size */
static long parse_size(const char *s, size_t n)
{
	long whole = 0, frac = 0, scale = 1, unit = 1;
	size_t i = 0;
	int nd = 0;

	if (n > 0 && (s[n - 1] == 'K' || s[n - 1] == 'M')) {
		unit = s[n - 1] == 'K' ? 1024 : 1024L * 1024;
		n--;
	}
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, nd++)
		if (whole < SIZE_MAX_LISTED)
			whole = whole * 10 + (s[i] - '0');
	if (nd == 0)
		return -1;
	if (i < n && s[i] == '.' && unit > 1) {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (scale < 1000000) {
				frac = frac * 10 + (s[i] - '0');
				scale *= 10;
			}
	}
	if (i != n)
		return -1;
	if (whole >= SIZE_MAX_LISTED / unit)
		return SIZE_MAX_LISTED;
	return whole * unit + (frac * unit + scale / 2) / scale;
}

/* parse_header - "AGE SIZE ID <sender> [(login)] [*** frozen ***]"; 0, -1 when not a header, -2 out of memory */
static int parse_header(struct exim_listing *l, const char *p, const char *end)
{
	struct exim_listing_msg *m = &l->cur;
	const char *w[3], *we[3], *q = p;
	int nw = 0, idw = -1, i;

	/* the ID is one of the first three words */
	while (nw < 3) {
		while (q < end && *q == ' ')
			q++;
		if (q >= end)
			break;
		w[nw] = q;
		while (q < end && *q != ' ')
			q++;
		we[nw] = q;
		if (exim_id_valid(w[nw], (size_t)(we[nw] - w[nw]))) {
			idw = nw++;
			break;
		}
		nw++;
	}
	if (idw < 0)
		return -1;
	msg_reset(l);
	for (i = 0; i < idw; i++) {
		long v;

		if ((v = parse_age(w[i], (size_t)(we[i] - w[i]))) != -1 && i == 0 && m->age == -1)
			m->age = v;
		else if ((v = parse_size(w[i], (size_t)(we[i] - w[i]))) >= 0 && m->size == -1)
			m->size = v;
		else
			return -1;
	}
	memcpy(m->id, w[idw], (size_t)(we[idw] - w[idw]));
	m->id[we[idw] - w[idw]] = '\0';
	q = we[idw];
	if (end - q >= 2 && q[0] == ' ' && q[1] == '<') {
		const char *s = q + 2, *gt = s;

		/* the '>' that ends the sender: followed by a space or the end */
		for (;;) {
			gt = memchr(gt, '>', (size_t)(end - gt));
			if (gt == NULL || gt + 1 == end || gt[1] == ' ')
				break;
			gt++;
		}
		if (gt == NULL)
			return -1;
		if ((m->sender = copy_str(s, (size_t)(gt - s))) == NULL)
			return -2;
		q = gt + 1;
		if (end - q >= 2 && q[0] == ' ' && q[1] == '(') {	/* sender_set_untrusted: (login) */
			const char *rp = memchr(q, ')', (size_t)(end - q));

			q = rp != NULL ? rp + 1 : end;
		}
	}
	while (q < end && *q == ' ')
		q++;
	if (end - q == 14 && memcmp(q, "*** frozen ***", 14) == 0)
		m->frozen = 1;
	else if (q != end)
		return -1;
	l->open = 1;
	return 0;
}

/* add_rcpt - a recipient line's content (after the indentation) */
static int add_rcpt(struct exim_listing *l, const char *p, const char *end)
{
	struct exim_listing_msg *m = &l->cur;
	struct exim_lrcpt r = { NULL, 0, 0 };

	if (end - p >= 3 && memcmp(p, "+D ", 3) == 0) {
		r.generated = r.delivered = 1;
		p += 3;
	} else if (end - p >= 2 && memcmp(p, "D ", 2) == 0) {
		r.delivered = 1;
		p += 2;
	}
	if (p >= end)
		return note_bad(l);
	if (m->nrcpts == EXIM_LISTING_MAX_RCPTS) {
		m->dropped++;
		return 0;
	}
	if (m->nrcpts == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct exim_lrcpt *v = realloc(m->rcpts, cap * sizeof *v);

		if (v == NULL)
			return -1;
		m->rcpts = v;
		l->cap = cap;
	}
	if ((r.address = copy_str(p, (size_t)(end - p))) == NULL)
		return -1;
	m->rcpts[m->nrcpts++] = r;
	if (!r.delivered && !r.generated)
		m->npending++;
	return 0;
}

/* exim_listing_init - a parser handing each message to fn(ctx, msg) */
void exim_listing_init(struct exim_listing *l, exim_listing_fn fn, void *ctx)
{
	memset(l, 0, sizeof *l);
	l->fn = fn;
	l->ctx = ctx;
	l->cur.age = l->cur.size = -1;
}

/* exim_listing_line - feed one line; 0, the callback's non-zero return, or -1 out of memory */
int exim_listing_line(struct exim_listing *l, const char *line, size_t len)
{
	const char *p = line, *end = line + len;
	size_t indent;
	int rc;

	if (l->stopped)
		return l->stopped;
	l->lines++;
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (indent = 0; p < end && *p == ' '; p++)
		indent++;
	if (p == end)
		return flush(l);
	if (indent >= 7) {
		if (!l->open)
			return note_bad(l);
		rc = add_rcpt(l, p, end);
	} else if (end - p >= 3 && memcmp(p, "***", 3) == 0) {
		if (!l->open || l->cur.error != NULL)
			return note_bad(l);
		rc = (l->cur.error = copy_str(p, (size_t)(end - p))) == NULL ? -1 : 0;
	} else {
		if ((rc = flush(l)) != 0)
			return rc;
		rc = parse_header(l, line, end);
		if (rc == -1) {
			msg_reset(l);
			return note_bad(l);
		}
		if (rc == -2)
			rc = -1;
	}
	if (rc != 0)
		l->stopped = rc;
	return rc;
}

/* exim_listing_finish - hand over the last message; the same returns */
int exim_listing_finish(struct exim_listing *l)
{
	if (l->stopped)
		return l->stopped;
	return flush(l);
}

/* exim_listing_free - release the parser's storage */
void exim_listing_free(struct exim_listing *l)
{
	msg_reset(l);
	free(l->cur.rcpts);
	l->cur.rcpts = NULL;
	l->cap = 0;
	l->open = 0;
}

/* exim_listing_parse - the whole listing in buf[0..len) */
int exim_listing_parse(const char *buf, size_t len, exim_listing_fn fn, void *ctx, unsigned long long *bad,
		       struct why *why)
{
	struct exim_listing l;
	const char *p = buf, *end = buf + len;
	int rc = 0;

	exim_listing_init(&l, fn, ctx);
	while (buf != NULL && p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;

		rc = exim_listing_line(&l, p, (size_t)(e - p));
		p = nl ? nl + 1 : end;
	}
	if (rc == 0)
		rc = exim_listing_finish(&l);
	if (bad != NULL)
		*bad = l.bad;
	exim_listing_free(&l);
	if (rc == -1) {
		errno = ENOMEM;
		why_set(why, "out of memory reading the queue listing");
	}
	return rc;
}
