/* fuzz_fleet_feed - libFuzzer target: any bytes as a host's `mqmon stream` read by the fleet console
 * (core/fleet/fleet_feed: the line reader, the protocol, the merged model) (make fuzz)
 *
 * The input is fed twice, once whole and once in pieces cut where its first byte says, to a feed that
 * already holds a hello, so the batch lines are reached. Checks what must hold for every input: no
 * crash or sanitizer report; both ways of feeding give the same set; the merged model has every message
 * of the set, each with its host, and every string a view draws is clean UTF-8 without control characters
 * (a host may be hostile).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "core/fleet/fleet_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char hello[] = "{\"type\":\"hello\",\"protocol\":1,\"version\":\"f\",\"mta\":\"postfix\"}\n";

/* clean - s is NULL or clean UTF-8 */
static int clean(const char *s)
{
	return s == NULL || utf8_clean(s, strlen(s));
}

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fleet_feed whole, parts;
	struct fleet_feed *feeds[1] = { &whole };
	const char *names[1] = { "mx1" };
	size_t step = size > 0 ? (size_t)data[0] % 17 + 1 : 1, i, k;
	struct qmodel *m;

	fleet_feed_init(&whole);
	fleet_feed_init(&parts);
	fleet_feed_input(&whole, hello, sizeof hello - 1, NULL, NULL);
	fleet_feed_input(&parts, hello, sizeof hello - 1, NULL, NULL);
	fleet_feed_input(&whole, (const char *)data, size, NULL, NULL);
	for (i = 0; i < size; i += step) {
		enum feed_event ev = fleet_feed_input(&parts, (const char *)data + i, size - i < step ? size - i : step,
						      NULL, NULL);

		if (ev == FEED_BAD || ev == FEED_TOO_OLD)
			break;	/* the console drops such a connection */
	}
	if (fleet_feed_messages(&whole) != fleet_feed_messages(&parts) || whole.batches != parts.batches)
		abort();
	if ((m = fleet_feed_merge(feeds, names, 1, 1000)) != NULL) {
		if (m->n != fleet_feed_messages(&whole))
			abort();
		for (i = 0; i < m->n; i++) {
			const struct qmsg *msg = m->msgs[i];

			if (msg->host == NULL || strcmp(msg->host, "mx1") != 0 || !clean(msg->id) || !clean(msg->sender)
			    || !clean(msg->relay))
				abort();
			for (k = 0; k < msg->nrcpts; k++) {
				const struct qrcpt *r = &msg->rcpts[k];

				if (!clean(r->address) || !clean(r->domain) || !clean(r->reason) || !clean(r->provider)
				    || !clean(r->rule) || !clean(r->dsn))
					abort();
			}
		}
		qmodel_free(m);
	}
	fleet_feed_free(&whole);
	fleet_feed_free(&parts);
	return 0;
}
