/* textmatch - Aho-Corasick matcher over case-folded fragments; see textmatch.h
 *
 * Build: insert every fragment into a trie whose edges are alphabet classes
 * (one class per distinct byte used by some fragment, class 0 for all other
 * bytes), then a breadth-first pass computes failure links and completes
 * the transition table into a DFA, and merges each state's outputs with its
 * failure state's. Scan: one table look-up per input byte.
 */
#include "core/classify/textmatch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TM_MAX_STATES (TEXTMATCH_MAX_BYTES + 1)	/* 16-bit state numbers while building */
#define BOUND_START 1
#define BOUND_END 2

struct textmatch {
	char **frags;
	unsigned char *bounds;		/* per fragment: BOUND_START | BOUND_END */
	size_t nfrags, capfrags;
	unsigned char fold[256];	/* ASCII upper -> lower */
	unsigned char cls[256];		/* folded byte -> class */
	size_t ncls;
	uint16_t *delta;		/* nstates rows of ncls next states: the trie while building, then the
					 * DFA the scan walks (16-bit states, no padding: a classifier
					 * compiled again on every SIGHUP stays small) */
	unsigned char *has_out;		/* per state: it has outputs */
	size_t nstates;
	uint32_t *out_start, *out_len;	/* per state, into outs[] */
	uint32_t *outs;
	int compiled;
};

/* textmatch_new - an empty matcher */
struct textmatch *textmatch_new(void)
{
	struct textmatch *tm = calloc(1, sizeof *tm);
	int i;

	if (tm == NULL)
		return NULL;
	for (i = 0; i < 256; i++)
		tm->fold[i] = (unsigned char)((i >= 'A' && i <= 'Z') ? i + 32 : i);
	return tm;
}

/* textmatch_add - add a fragment (copied); returns its id, or -1 when empty/out of memory */
int textmatch_add(struct textmatch *tm, const char *fragment)
{
	char *copy;
	size_t i, n;
	unsigned char bounds = 0;

	if (fragment == NULL || tm->compiled) {
		errno = EINVAL;
		return -1;
	}
	n = strlen(fragment);
	if (n >= 2 && fragment[0] == '\\' && fragment[1] == 'b') {
		bounds |= BOUND_START;
		fragment += 2;
		n -= 2;
	}
	if (n >= 2 && fragment[n - 2] == '\\' && fragment[n - 1] == 'b') {
		bounds |= BOUND_END;
		n -= 2;
	}
	if (n == 0) {
		errno = EINVAL;
		return -1;
	}
	if (tm->nfrags == tm->capfrags) {
		size_t cap = tm->capfrags ? tm->capfrags * 2 : 64;
		char **nf = realloc(tm->frags, cap * sizeof *nf);
		unsigned char *nb;

		if (nf == NULL)
			return -1;
		tm->frags = nf;
		if ((nb = realloc(tm->bounds, cap)) == NULL)
			return -1;
		tm->bounds = nb;
		tm->capfrags = cap;
	}
	if ((copy = strndup(fragment, n)) == NULL)
		return -1;
	tm->bounds[tm->nfrags] = bounds;
	for (i = 0; copy[i]; i++)
		copy[i] = (char)tm->fold[(unsigned char)copy[i]];
	tm->frags[tm->nfrags] = copy;
	return (int)tm->nfrags++;
}

/* textmatch_count - number of fragments */
size_t textmatch_count(const struct textmatch *tm)
{
	return tm->nfrags;
}

/* textmatch_words - size of a result bit set in 64-bit words */
size_t textmatch_words(const struct textmatch *tm)
{
	return (tm->nfrags + 63) / 64 + 1;
}

/* build_classes - one class per distinct byte in the fragments */
static void build_classes(struct textmatch *tm)
{
	size_t f, i;
	int b;

	memset(tm->cls, 0, sizeof tm->cls);
	tm->ncls = 1;
	for (f = 0; f < tm->nfrags; f++)
		for (i = 0; tm->frags[f][i]; i++) {
			unsigned char c = (unsigned char)tm->frags[f][i];

			if (tm->cls[c] == 0)
				tm->cls[c] = (unsigned char)tm->ncls++;
		}
	/* fold the input side: an upper-case byte maps to its lower-case class */
	for (b = 'A'; b <= 'Z'; b++)
		tm->cls[b] = tm->cls[b + 32];
}

struct outvec {
	uint32_t *v;
	size_t n, cap;
};

/* outvec_push - append one fragment id, growing the vector; -1 on out of memory */
static int outvec_push(struct outvec *ov, uint32_t id)
{
	if (ov->n == ov->cap) {
		uint32_t *v = realloc(ov->v, ov->cap * 2 * sizeof *v);

		if (v == NULL)
			return -1;
		ov->v = v;
		ov->cap *= 2;
	}
	ov->v[ov->n++] = id;
	return 0;
}

/* textmatch_compile - build the automaton after the last add; -1 on out of memory */
int textmatch_compile(struct textmatch *tm)
{
	size_t maxstates = 1, f, i, s, c, head, tail, nouts = 0;
	uint32_t *fail = NULL, *queue = NULL, *own_first = NULL, *own_next = NULL, *own_id = NULL;
	int rc = -1;

	build_classes(tm);
	for (f = 0; f < tm->nfrags; f++)
		maxstates += strlen(tm->frags[f]);
	if (maxstates > TM_MAX_STATES) {
		errno = E2BIG;
		return -1;
	}
	tm->delta = calloc(maxstates * tm->ncls, sizeof *tm->delta);
	fail = calloc(maxstates, sizeof *fail);
	queue = calloc(maxstates, sizeof *queue);
	own_first = malloc(maxstates * sizeof *own_first);
	own_next = malloc((tm->nfrags + 1) * sizeof *own_next);
	own_id = malloc((tm->nfrags + 1) * sizeof *own_id);
	tm->out_start = calloc(maxstates, sizeof *tm->out_start);
	tm->out_len = calloc(maxstates, sizeof *tm->out_len);
	if (!tm->delta || !fail || !queue || !own_first || !own_next || !own_id
	    || !tm->out_start || !tm->out_len)
		goto out;
	memset(own_first, 0xff, maxstates * sizeof *own_first);

	/* trie; state 0 is the root, a 0 transition from a non-root state means "none yet" */
	tm->nstates = 1;
	for (f = 0; f < tm->nfrags; f++) {
		s = 0;
		for (i = 0; tm->frags[f][i]; i++) {
			c = tm->cls[(unsigned char)tm->frags[f][i]];
			if (tm->delta[s * tm->ncls + c] == 0)
				tm->delta[s * tm->ncls + c] = (uint16_t)tm->nstates++;
			s = tm->delta[s * tm->ncls + c];
		}
		own_id[f] = (uint32_t)f;
		own_next[f] = own_first[s];
		own_first[s] = (uint32_t)f;
	}

	/* breadth-first: failure links, DFA completion, output counts */
	head = tail = 0;
	for (c = 0; c < tm->ncls; c++) {
		uint16_t t = tm->delta[c];

		if (t != 0) {
			fail[t] = 0;
			queue[tail++] = t;
		}
	}
	while (head < tail) {
		s = queue[head++];
		for (c = 0; c < tm->ncls; c++) {
			uint16_t t = tm->delta[s * tm->ncls + c];

			if (t != 0) {
				fail[t] = tm->delta[fail[s] * tm->ncls + c];
				queue[tail++] = t;
			} else {
				tm->delta[s * tm->ncls + c] = tm->delta[fail[s] * tm->ncls + c];
			}
		}
	}

	/* outputs: own fragments plus the failure state's (already merged: BFS order) */
	for (s = 0; s < tm->nstates; s++)
		for (f = own_first[s]; f != UINT32_MAX; f = own_next[f])
			nouts++;
	/* each state's outputs: its own fragments, then its failure state's */
	{
		struct outvec ov = { NULL, 0, nouts + tm->nstates + 16 };

		if ((ov.v = malloc(ov.cap * sizeof *ov.v)) == NULL)
			goto out;
		for (i = 0; i <= tail; i++) {
			size_t k;

			s = i == 0 ? 0 : queue[i - 1];
			tm->out_start[s] = (uint32_t)ov.n;
			for (f = own_first[s]; f != UINT32_MAX; f = own_next[f])
				if (outvec_push(&ov, own_id[f]) < 0)
					goto out_outs;
			if (s != 0)
				for (k = 0; k < tm->out_len[fail[s]]; k++)
					if (outvec_push(&ov, ov.v[tm->out_start[fail[s]] + k]) < 0)
						goto out_outs;
			tm->out_len[s] = (uint32_t)(ov.n - tm->out_start[s]);
		}
		tm->outs = ov.v;
		goto outs_done;
out_outs:
		free(ov.v);
		goto out;
	}
outs_done:
	/* the scan table is delta itself, cut to the states used */
	{
		uint16_t *cut = realloc(tm->delta, tm->nstates * tm->ncls * sizeof *tm->delta);

		if (cut != NULL)
			tm->delta = cut;
	}
	if ((tm->has_out = malloc(tm->nstates)) == NULL)
		goto out;
	for (s = 0; s < tm->nstates; s++)
		tm->has_out[s] = tm->out_len[s] != 0;
	tm->compiled = 1;
	rc = 0;
out:
	free(fail);
	free(queue);
	free(own_first);
	free(own_next);
	free(own_id);
	return rc;
}

/* is_word_byte - letters, digits, '_' and every byte of a multi-byte UTF-8 character */
static inline int is_word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '_' || c >= 0x80;
}

/* bounds_hold - the match of fragment id ending at text[end] has the word boundaries it asks for */
static int bounds_hold(const struct textmatch *tm, uint32_t id, const unsigned char *text, size_t end,
		       size_t len)
{
	size_t n = strlen(tm->frags[id]), start = end + 1 - n;

	if ((tm->bounds[id] & BOUND_START) && start > 0 && is_word_byte(text[start - 1]))
		return 0;
	if ((tm->bounds[id] & BOUND_END) && end + 1 < len && is_word_byte(text[end + 1]))
		return 0;
	return 1;
}

/* textmatch_scan - set bit i of found[] for each fragment i in text[0..len) */
void textmatch_scan(const struct textmatch *tm, const char *text, size_t len, uint64_t *found)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	const uint16_t *dfa = tm->delta;
	const unsigned char *cls = tm->cls, *has_out = tm->has_out;
	size_t st = 0, ncls = tm->ncls, k;

	memset(found, 0, textmatch_words(tm) * sizeof *found);
	if (!tm->compiled || tm->nfrags == 0)
		return;
	for (; p < end; p++) {
		st = dfa[st * ncls + cls[*p]];
		if (has_out[st]) {
			for (k = 0; k < tm->out_len[st]; k++) {
				uint32_t id = tm->outs[tm->out_start[st] + k];

				if (tm->bounds[id] == 0
				    || bounds_hold(tm, id, (const unsigned char *)text, (size_t)(p - (const unsigned char *)text), len))
					found[id >> 6] |= (uint64_t)1 << (id & 63);
			}
		}
	}
}

/* textmatch_free - release everything */
void textmatch_free(struct textmatch *tm)
{
	size_t i;

	if (tm == NULL)
		return;
	for (i = 0; i < tm->nfrags; i++)
		free(tm->frags[i]);
	free(tm->frags);
	free(tm->bounds);
	free(tm->delta);
	free(tm->has_out);
	free(tm->out_start);
	free(tm->out_len);
	free(tm->outs);
	free(tm);
}
