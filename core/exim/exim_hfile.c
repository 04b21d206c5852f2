/* exim_hfile - parse an Exim spool header file; see exim_hfile.h
 *
 * A cursor walks the buffer line by line (every line of the envelope ends
 * in '\n'; a missing one is a truncated file). The tree is read with an
 * explicit stack of pending subtrees (their depths) instead of Exim's
 * recursion. Pending recipients: the tree's addresses are normalised (domain
 * lower-cased), sorted, and every recipient looked up with bsearch, so a
 * file with thousands of both stays fast.
 */
#include "core/exim/exim_hfile.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"

/* struct cursor - the next line of the buffer */
struct cursor {
	const char *p, *end;
	size_t lineno;			/* of the line last returned */
};

/* next_line - the next line without its '\n'; 0, or -1 with why when the buffer ends first */
static int next_line(struct cursor *c, const char **s, size_t *n, const char *what, struct why *why)
{
	const char *nl;

	c->lineno++;
	if (c->p >= c->end)
		return why_set(why, "truncated: the file ends before line %zu (%s)", c->lineno, what);
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (nl == NULL)
		return why_set(why, "truncated: line %zu (%s) has no newline", c->lineno, what);
	*s = c->p;
	*n = (size_t)(nl - c->p);
	c->p = nl + 1;
	if (memchr(*s, '\0', *n) != NULL)
		return why_set(why, "line %zu (%s) holds a NUL byte", c->lineno, what);
	return 0;
}

/* bad_line - a why naming the line and quoting its start; returns -1 */
static int bad_line(struct why *why, const struct cursor *c, const char *problem, const char *s, size_t n)
{
	char q[80];

	sanitize_quote(q, sizeof q, s, n);
	return why_set(why, "line %zu: %s: \"%s\"", c->lineno, problem, q);
}

/* parse_long - a decimal integer filling s[0..n) exactly, optional '-' when neg_ok; 0, or -1 */
static int parse_long(const char *s, size_t n, int neg_ok, long *out)
{
	size_t i = 0;
	long v = 0;
	int neg = 0;

	if (n > 0 && s[0] == '-' && neg_ok) {
		neg = 1;
		i = 1;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (LONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

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

/* normalized - an address with its domain (after the last '@') lower-cased, as a new string */
static char *normalized(const char *s, size_t n)
{
	char *d = copy_str(s, n);
	char *at;

	if (d != NULL && (at = strrchr(d, '@')) != NULL)
		for (; *at; at++)
			if (*at >= 'A' && *at <= 'Z')
				*at = (char)(*at + 32);
	return d;
}

/* cmp_str - qsort/bsearch comparison of char * */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* struct strvec - a growable array of owned strings */
struct strvec {
	char **v;
	size_t n, cap;
};

/* strvec_push - append an owned string; -1 when out of memory (s is freed) */
static int strvec_push(struct strvec *sv, char *s)
{
	if (s == NULL)
		return -1;
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 16;
		char **v = realloc(sv->v, cap * sizeof *v);

		if (v == NULL) {
			free(s);
			return -1;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	return 0;
}

/* strvec_free - release the strings and the array */
static void strvec_free(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof *sv);
}

/* parse_id_line - "ID-H" */
static int parse_id_line(struct cursor *c, struct exim_hfile *h, struct why *why)
{
	const char *s;
	size_t n;

	if (next_line(c, &s, &n, "the file name", why) < 0)
		return -1;
	if (n < 3 || s[n - 2] != '-' || s[n - 1] != 'H' || !exim_id_valid(s, n - 2))
		return bad_line(why, c, "not \"<message ID>-H\"", s, n);
	memcpy(h->id, s, n - 2);
	h->id[n - 2] = '\0';
	return 0;
}

/* parse_user_line - "login uid gid": the last two words are integers (login may hold spaces) */
static int parse_user_line(struct cursor *c, struct why *why)
{
	const char *s, *p, *e;
	size_t n;
	long v;
	int i;

	if (next_line(c, &s, &n, "login uid gid", why) < 0)
		return -1;
	e = s + n;
	for (i = 0; i < 2; i++) {
		p = e;
		while (p > s && p[-1] != ' ')
			p--;
		if (p == s || parse_long(p, (size_t)(e - p), 1, &v) < 0)
			return bad_line(why, c, "not \"login uid gid\"", s, n);
		e = p - 1;
	}
	return 0;
}

/* parse_sender_line - "<sender>" */
static int parse_sender_line(struct cursor *c, struct exim_hfile *h, struct why *why)
{
	const char *s;
	size_t n;

	if (next_line(c, &s, &n, "envelope sender", why) < 0)
		return -1;
	if (n < 2 || s[0] != '<' || s[n - 1] != '>')
		return bad_line(why, c, "the envelope sender is not in <>", s, n);
	if ((h->sender = copy_str(s + 1, n - 2)) == NULL)
		return -2;
	return 0;
}

/* parse_time_line - "arrival_epoch warning_count" */
static int parse_time_line(struct cursor *c, struct exim_hfile *h, struct why *why)
{
	const char *s, *sp;
	size_t n;
	long t, w;

	if (next_line(c, &s, &n, "arrival time", why) < 0)
		return -1;
	sp = memchr(s, ' ', n);
	if (sp == NULL || parse_long(s, (size_t)(sp - s), 0, &t) < 0
	    || parse_long(sp + 1, (size_t)(s + n - sp - 1), 0, &w) < 0 || w > INT_MAX)
		return bad_line(why, c, "not \"arrival_time warning_count\"", s, n);
	h->arrival = (time_t)t;
	h->warnings = (int)w;
	return 0;
}

/* skip_value - after "-aclc NAME LEN" (or old "-acl N LEN"): LEN bytes and a newline follow */
static int skip_value(struct cursor *c, const char *s, size_t n, struct why *why)
{
	const char *p = s + n;
	long count;
	size_t left = (size_t)(c->end - c->p);

	while (p > s && p[-1] != ' ')
		p--;
	if (p == s || parse_long(p, (size_t)(s + n - p), 0, &count) < 0)
		return bad_line(why, c, "an ACL variable without its length", s, n);
	if ((unsigned long)count >= left || c->p[count] != '\n')
		return bad_line(why, c, "truncated: an ACL variable's value is shorter than its length", s, n);
	c->p += count + 1;
	c->lineno += 1;		/* the value's own newlines are not counted: line numbers after it are approximate */
	return 0;
}

/* parse_options - the "-name [value]" lines; leaves the first other line in s and n */
static int parse_options(struct cursor *c, struct exim_hfile *h, const char **s, size_t *n, struct why *why)
{
	for (;;) {
		const char *name, *e;

		if (next_line(c, s, n, "an option or the non-recipients", why) < 0)
			return -1;
		if (*n == 0 || (*s)[0] != '-')
			return 0;
		name = *s + 1;
		e = *s + *n;
		if (name < e && *name == '-')	/* tainted */
			name++;
		if (name < e && *name == '(') {	/* --(quoter)name */
			const char *rp = memchr(name, ')', (size_t)(e - name));

			if (rp == NULL)
				return bad_line(why, c, "an option with an unclosed quoter name", *s, *n);
			name = rp + 1;
		}
		if ((size_t)(e - name) >= 5 && (memcmp(name, "aclc ", 5) == 0 || memcmp(name, "aclm ", 5) == 0
						|| memcmp(name, "acl ", 4) == 0)) {
			if (skip_value(c, *s, *n, why) < 0)
				return -1;
		} else if ((size_t)(e - name) >= 6 && memcmp(name, "frozen", 6) == 0
			   && (e - name == 6 || name[6] == ' ')) {
			long t = 0;

			h->frozen = 1;
			if (e - name > 7 && parse_long(name + 7, (size_t)(e - name - 7), 0, &t) == 0)
				h->frozen_at = (time_t)t;
		} else if ((size_t)(e - name) == 17 && memcmp(name, "deliver_firsttime", 17) == 0) {
			h->deliver_firsttime = 1;
		}
	}
}

/* parse_tree - the non-recipients tree starting at line s[0..n) ("XX" or a preorder of "YN address") */
static int parse_tree(struct cursor *c, const char *s, size_t n, struct strvec *tree, struct why *why)
{
	unsigned char stack[2 * EXIM_HFILE_MAX_DEPTH + 2];	/* depths of subtrees still to read */
	size_t top = 0;

	if (n == 2 && s[0] == 'X' && s[1] == 'X')
		return 0;
	stack[top++] = 0;
	for (;;) {
		unsigned depth = stack[--top];

		if (n < 4 || (s[0] != 'Y' && s[0] != 'N') || (s[1] != 'Y' && s[1] != 'N') || s[2] != ' ')
			return bad_line(why, c, "not a non-recipients tree node (\"YN address\")", s, n);
		if (depth >= EXIM_HFILE_MAX_DEPTH)
			return why_set(why, "line %zu: the non-recipients tree is deeper than %d levels", c->lineno,
				       EXIM_HFILE_MAX_DEPTH);
		if (strvec_push(tree, normalized(s + 3, n - 3)) < 0)
			return -2;
		if (s[1] == 'Y')
			stack[top++] = (unsigned char)(depth + 1);
		if (s[0] == 'Y')	/* the left subtree comes first */
			stack[top++] = (unsigned char)(depth + 1);
		if (top == 0)
			return 0;
		if (next_line(c, &s, &n, "a non-recipients tree node", why) < 0)
			return -1;
	}
}

/* token_back - scan back from p over the characters of a "LEN,N" token; its start */
static const char *token_back(const char *s, const char *p)
{
	while (p > s && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == ',' || p[-1] == '-'))
		p--;
	return p;
}

/* rcpt_address - the address part of a recipient line, reading any DSN/one-time data from the right */
static int rcpt_address(const char *s, size_t n, size_t *addrlen)
{
	const char *p = s + n, *q = p, *t;
	long flags;

	while (q > s && q[-1] >= '0' && q[-1] <= '9')
		q--;
	if (q < p && q > s && q[-1] == '#') {
		int block;

		if (parse_long(q, (size_t)(p - q), 0, &flags) < 0)
			return -1;
		p = q - 1;	/* at '#' */
		for (block = 1; block <= 2; block++) {	/* 1: errors_to LEN,PNO; 2: ORCPT LEN,DSNFLAGS */
			long len = 0;
			const char *comma;

			if (!(flags & block))
				continue;
			t = token_back(s, p);
			comma = memchr(t, ',', (size_t)(p - t));
			if (t == p || t == s || t[-1] != ' ' || comma == NULL
			    || parse_long(t, (size_t)(comma - t), 0, &len) < 0 || len > t - 1 - s)
				return -1;
			p = t - 1 - len;	/* start of the field */
			if (p == s || p[-1] != ' ')
				return -1;
			p--;
		}
	} else if (q < p && q > s && (q[-1] == ',' || q[-1] == ' ')) {
		/* Exim 3 "address A,B,C" or early Exim 4 "address PNO" */
		t = token_back(s, p);
		if (t > s && t[-1] == ' ')
			p = t - 1;
	}
	if (p == s)
		return -1;
	*addrlen = (size_t)(p - s);
	return 0;
}

/* parse_rcpts - the count line, the recipients and the blank line after them */
static int parse_rcpts(struct cursor *c, struct exim_hfile *h, struct why *why)
{
	const char *s;
	size_t n, i;
	long count;

	if (next_line(c, &s, &n, "recipient count", why) < 0)
		return -1;
	if (parse_long(s, n, 0, &count) < 0)
		return bad_line(why, c, "not a recipient count", s, n);
	if (count > EXIM_HFILE_MAX_RCPTS || (unsigned long)count > (size_t)(c->end - c->p) / 2)
		return why_set(why, "line %zu: a recipient count of %ld is more than the file can hold", c->lineno,
			       count);
	if (count > 0 && (h->rcpts = calloc((size_t)count, sizeof *h->rcpts)) == NULL)
		return -2;
	for (i = 0; i < (size_t)count; i++) {
		size_t alen;

		if (next_line(c, &s, &n, "a recipient", why) < 0)
			return -1;
		if (n == 0 || rcpt_address(s, n, &alen) < 0)
			return bad_line(why, c, "not a recipient line", s, n);
		if ((h->rcpts[i].address = copy_str(s, alen)) == NULL)
			return -2;
		h->nrcpts = i + 1;
	}
	if (next_line(c, &s, &n, "the blank line after the recipients", why) < 0)
		return -1;
	if (n != 0)
		return bad_line(why, c, "more recipients than the count says (no blank line after them)", s, n);
	return 0;
}

/* mark_done - flag the recipients found in the tree, count the pending ones */
static int mark_done(struct exim_hfile *h, struct strvec *tree)
{
	size_t i;

	h->nnonrcpts = tree->n;
	h->npending = h->nrcpts;
	if (tree->n == 0)
		return 0;
	qsort(tree->v, tree->n, sizeof *tree->v, cmp_str);
	for (i = 0; i < h->nrcpts; i++) {
		char *key = normalized(h->rcpts[i].address, strlen(h->rcpts[i].address));

		if (key == NULL)
			return -2;
		if (bsearch(&key, tree->v, tree->n, sizeof *tree->v, cmp_str) != NULL) {
			h->rcpts[i].done = 1;
			h->npending--;
		}
		free(key);
	}
	return 0;
}

/* exim_hfile_parse - parse a whole -H file held in buf[0..len); 0, or -1 with why */
int exim_hfile_parse(const char *buf, size_t len, struct exim_hfile *h, struct why *why)
{
	struct cursor c = { buf, buf + len, 0 };
	struct strvec tree = { NULL, 0, 0 };
	const char *s;
	size_t n;
	int rc;

	memset(h, 0, sizeof *h);
	if (buf == NULL)
		c.end = c.p;
	if ((rc = parse_id_line(&c, h, why)) == 0 && (rc = parse_user_line(&c, why)) == 0
	    && (rc = parse_sender_line(&c, h, why)) == 0 && (rc = parse_time_line(&c, h, why)) == 0
	    && (rc = parse_options(&c, h, &s, &n, why)) == 0 && (rc = parse_tree(&c, s, n, &tree, why)) == 0
	    && (rc = parse_rcpts(&c, h, why)) == 0)
		rc = mark_done(h, &tree);
	strvec_free(&tree);
	if (rc == 0)
		return 0;
	exim_hfile_free(h);
	if (rc == -2) {
		why_set(why, "out of memory");
		errno = ENOMEM;
	} else {
		errno = EINVAL;
	}
	return -1;
}

/* exim_hfile_free - release what exim_hfile_parse allocated, leave h empty */
void exim_hfile_free(struct exim_hfile *h)
{
	size_t i;

	for (i = 0; i < h->nrcpts; i++)
		free(h->rcpts[i].address);
	free(h->rcpts);
	free(h->sender);
	memset(h, 0, sizeof *h);
}
