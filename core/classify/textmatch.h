/* textmatch - find many fixed fragments in a text in one pass
 *
 * Cause rules name a few hundred case-insensitive text fragments; checking
 * each with a substring search would cost rules x text length per deferral.
 * textmatch compiles every fragment into one Aho-Corasick automaton (a DFA
 * over a compressed alphabet, ASCII letters folded to lower case) so a text
 * is scanned once, whatever the number of fragments. The result is a bit set
 * of the fragments found. A fragment written "\bword\b" must start and/or
 * end at a word boundary (letters, digits, '_' and non-ASCII bytes are word
 * bytes): "\burl\b" finds "bad url" but not "hourly".
 */
#ifndef MQMON_TEXTMATCH_H
#define MQMON_TEXTMATCH_H

#include <stddef.h>
#include <stdint.h>

struct textmatch;

/* textmatch_new - an empty matcher */
struct textmatch *textmatch_new(void);

/* textmatch_add - add a fragment (copied); returns its id, or -1 when empty/out of memory */
int textmatch_add(struct textmatch *tm, const char *fragment);

#define TEXTMATCH_MAX_BYTES 65534	/* the fragments' bytes in all */

/* textmatch_compile - build the automaton after the last add; -1 on out of memory, or with errno
 * E2BIG when the fragments hold more than TEXTMATCH_MAX_BYTES bytes in all */
int textmatch_compile(struct textmatch *tm);

/* textmatch_count - number of fragments */
size_t textmatch_count(const struct textmatch *tm);

/* textmatch_words - size of a result bit set in 64-bit words */
size_t textmatch_words(const struct textmatch *tm);

/* textmatch_scan - set bit i of found[] for each fragment i in text[0..len) */
void textmatch_scan(const struct textmatch *tm, const char *text, size_t len, uint64_t *found);

/* textmatch_free - release everything */
void textmatch_free(struct textmatch *tm);

/* bitset_has - test bit i */
static inline int bitset_has(const uint64_t *set, size_t i)
{
	return (set[i >> 6] >> (i & 63)) & 1;
}

#endif
