/* complete - Tab completion of a word from a list of candidates; see complete.h */
#include "tui/complete.h"

#include <stdio.h>
#include <string.h>

/* complete_word - the matches of prefix among cands: their shared prefix into out, their list into list */
size_t complete_word(const char *prefix, const char *const *cands, size_t n, char *out, size_t outsz,
		     char *list, size_t listsz)
{
	size_t plen = strlen(prefix), i, matches = 0, common = 0, o = 0;
	const char *first = NULL;

	if (listsz > 0)
		list[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t k;

		if (cands[i] == NULL || strncmp(cands[i], prefix, plen) != 0)
			continue;
		if (matches++ == 0) {
			first = cands[i];
			common = strlen(first);
		}
		for (k = plen; k < common && cands[i][k] == first[k]; k++)
			;
		common = k;
		if (o < listsz) {
			int w = snprintf(list + o, listsz - o, "%s%s", o ? " " : "", cands[i]);

			o = w < 0 || (size_t)w >= listsz - o ? listsz : o + (size_t)w;
		}
	}
	if (o >= listsz && listsz >= 4)
		memcpy(list + listsz - 4, "...", 4);
	if (outsz > 0) {
		if (first == NULL)
			snprintf(out, outsz, "%s", prefix);
		else
			snprintf(out, outsz, "%.*s", (int)common, first);
	}
	return matches;
}
