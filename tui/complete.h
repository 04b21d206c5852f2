/* complete - Tab completion of a word from a list of candidates (the ":" line's `domain` and `cause`)
 *
 * Pure (no curses): the caller gives the typed prefix and the candidates;
 * complete_word extends the prefix to the longest one every match shares
 * and lists the matches for the status line. Unit-tested in
 * tests/unit/test_complete.c.
 */
#ifndef MQMON_TUI_COMPLETE_H
#define MQMON_TUI_COMPLETE_H

#include <stddef.h>

/* complete_word - how many of the n candidates start with prefix; out gets the longest prefix
 * they all share (prefix itself when none matches), list the matches separated by spaces (cut
 * with "..." when it does not fit) */
size_t complete_word(const char *prefix, const char *const *cands, size_t n, char *out, size_t outsz,
		     char *list, size_t listsz);

#endif
