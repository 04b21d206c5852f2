/* fuzz_exim_hfile - libFuzzer target: any bytes as an Exim spool -H file, as
 * `exim -bp` output and as `exim_dumpdb SPOOL retry` output (make fuzz)
 *
 * Checks what must hold for every input: no crash, no read outside the
 * buffer; a refused -H file leaves nothing behind, an accepted one has a
 * valid ID and counts that add up; every listed message has a valid ID and
 * no more pending than listed recipients; every retry record can be found
 * again by its key, and a message-specific record is among the answers for
 * its message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/exim/exim_hfile.h"
#include "core/exim/exim_listing.h"
#include "core/exim/exim_retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_msg - a listed message */
static int check_msg(void *ctx, const struct exim_listing_msg *m)
{
	size_t i, pending = 0;

	(void)ctx;
	if (!exim_id_valid(m->id, strlen(m->id)) || m->npending > m->nrcpts || m->nrcpts > EXIM_LISTING_MAX_RCPTS)
		abort();
	for (i = 0; i < m->nrcpts; i++) {
		if (m->rcpts[i].address == NULL)
			abort();
		pending += !m->rcpts[i].delivered && !m->rcpts[i].generated;
	}
	if (pending != m->npending)
		abort();
	return 0;
}

/* check_hfile - the -H parse */
static void check_hfile(const char *p, size_t n)
{
	struct exim_hfile h;
	size_t i, pending = 0;

	if (exim_hfile_parse(p, n, &h, NULL) != 0) {
		if (h.rcpts != NULL || h.sender != NULL || h.nrcpts != 0)
			abort();
		return;
	}
	if (!exim_id_valid(h.id, strlen(h.id)) || h.sender == NULL || h.npending > h.nrcpts)
		abort();
	for (i = 0; i < h.nrcpts; i++) {
		if (h.rcpts[i].address == NULL || h.rcpts[i].address[0] == '\0')
			abort();
		pending += !h.rcpts[i].done;
	}
	if (pending != h.npending)
		abort();
	exim_hfile_free(&h);
}

/* check_retry - the dump parse and lookups */
static void check_retry(const char *p, size_t n)
{
	struct exim_retry_db db;
	size_t i;

	if (exim_retry_db_parse(p, n, &db, NULL) != 0)
		abort();
	for (i = 0; i < db.n; i++) {
		const struct exim_retry_rec *r = &db.recs[i], *hit;

		if (r->key == NULL || r->text == NULL || (r->type != 'R' && r->type != 'T'))
			abort();
		if (strlen(r->key) < 1000 && exim_retry_find(&db, r->key) == NULL)
			abort();
		if (r->msgid[0]) {
			struct exim_retry_query q = { r->msgid, "", NULL, 0, NULL, 0 };

			if (!exim_id_valid(r->msgid, strlen(r->msgid)) || exim_retry_next(&db, &q, &hit) > r->next_try
			    || hit == NULL)
				abort();
		}
	}
	exim_retry_db_free(&db);
}

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;

	check_hfile(p, size);
	exim_listing_parse(p, size, check_msg, NULL, NULL, NULL);
	check_retry(p, size);
	return 0;
}
