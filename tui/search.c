/* search - which messages a "/" text matches, one bit per message; see search.h */
#include "tui/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* a memo of strcasestr per string pointer (open addressing): interned strings are tested once */
struct memo {
	const char **keys;
	unsigned char *found;
	size_t mask, n;
};

/* memo_grow - double the memo (or make its first table); -1 out of memory */
static int memo_grow(struct memo *mm)
{
	size_t cap = mm->keys ? (mm->mask + 1) * 2 : 4096, i, h;
	const char **keys = calloc(cap, sizeof *keys);
	unsigned char *found = calloc(cap, 1);

	if (keys == NULL || found == NULL) {
		free(keys);
		free(found);
		return -1;
	}
	for (i = 0; mm->keys != NULL && i <= mm->mask; i++) {
		if (mm->keys[i] == NULL)
			continue;
		for (h = ((uintptr_t)mm->keys[i] >> 3) * 11400714819323198485ull & (cap - 1); keys[h];
		     h = (h + 1) & (cap - 1))
			;
		keys[h] = mm->keys[i];
		found[h] = mm->found[i];
	}
	free(mm->keys);
	free(mm->found);
	mm->keys = keys;
	mm->found = found;
	mm->mask = cap - 1;
	return 0;
}

/* has_text - strcasestr(s, needle) != NULL, remembered per pointer in mm (NULL: no memo) */
static int has_text(struct memo *mm, const char *s, const char *needle)
{
	size_t h;
	int found;

	if (s == NULL)
		return 0;
	if (mm == NULL || ((mm->n + 1) * 2 > (mm->keys ? mm->mask + 1 : 0) && memo_grow(mm) < 0))
		return strcasestr(s, needle) != NULL;
	for (h = ((uintptr_t)s >> 3) * 11400714819323198485ull & mm->mask; mm->keys[h]; h = (h + 1) & mm->mask)
		if (mm->keys[h] == s)
			return mm->found[h];
	found = strcasestr(s, needle) != NULL;
	mm->keys[h] = s;
	mm->found[h] = (unsigned char)found;
	mm->n++;
	return found;
}

/* id_can_hold - a queue ID (letters, digits, '-' in Exim's) could contain text: a search for a domain or an
 * address never reads the million IDs */
static int id_can_hold(const char *text)
{
	for (; *text; text++)
		if (!((*text >= '0' && *text <= '9') || (*text >= 'a' && *text <= 'z') || (*text >= 'A' && *text <= 'Z')
		      || *text == '-'))
			return 0;
	return 1;
}

/* msg_matches_memo - search_msg_matches with a memo of the texts already tested (in_id: id_can_hold) */
static int msg_matches_memo(const struct qmsg *msg, const char *text, struct memo *mm, int in_id)
{
	size_t k;

	if ((in_id && strcasestr(msg->id, text)) || has_text(mm, msg->sender, text))
		return 1;
	for (k = 0; k < msg->nrcpts; k++) {
		const struct qrcpt *r = &msg->rcpts[k];

		if (has_text(mm, r->address, text) || has_text(mm, r->reason, text)
		    || has_text(mm, cause_name(r->cause), text))
			return 1;
	}
	return 0;
}

/* search_msg_matches - text is in the message's ID, sender, a recipient's address, reply or cause name */
int search_msg_matches(const struct qmsg *msg, const char *text)
{
	return msg_matches_memo(msg, text, NULL, id_can_hold(text));
}

/* search_hits_free - release the bits (h is empty afterwards) */
void search_hits_free(struct search_hits *h)
{
	free(h->bits);
	*h = (struct search_hits){ 0 };
}

/* search_hits_update - the hits of text over m (kept, refined or made); -1 out of memory */
int search_hits_update(struct search_hits *h, const struct qmodel *m, const char *text)
{
	struct memo mm = { 0 };
	size_t words = (m->n + 63) / 64, i, w;
	int refine, in_id = id_can_hold(text);

	if (h->bits != NULL && h->version == m->version && h->n == m->n && strcmp(h->text, text) == 0) {
		h->tested = 0;
		return 0;
	}
	/* every message the longer text matches, the shorter one matched: only those are tested */
	refine = h->bits != NULL && h->version == m->version && h->n == m->n && h->text[0] != '\0'
		 && strcasestr(text, h->text) != NULL;
	if (!refine) {
		free(h->bits);
		h->bits = calloc(words + 1, sizeof *h->bits);
		h->version = 0;
		if (h->bits == NULL) {
			search_hits_free(h);
			return -1;
		}
	}
	h->n = m->n;
	h->count = h->tested = 0;
	for (w = 0; w < words; w++) {
		uint64_t bits = refine ? h->bits[w] : (w + 1 < words || m->n % 64 == 0 ? ~0ull : (1ull << (m->n % 64)) - 1);
		uint64_t out = 0;

		while (bits) {
			int b = __builtin_ctzll(bits);

			bits &= bits - 1;
			i = w * 64 + (size_t)b;
			h->tested++;
			if (msg_matches_memo(m->msgs[i], text, &mm, in_id)) {
				out |= 1ull << b;
				h->count++;
			}
		}
		h->bits[w] = out;
	}
	free(mm.keys);
	free(mm.found);
	h->version = m->version;
	snprintf(h->text, sizeof h->text, "%s", text);
	return 0;
}
