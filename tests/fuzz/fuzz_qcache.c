/* fuzz_qcache - libFuzzer target: any bytes as a model cache file (make fuzz); no crash, no read
 * outside the buffer, and a cache that loads replays into a model and finishes it.
 *
 * A random input almost never carries a right checksum, so the input is tried twice: as it is (the
 * checksum refuses it), and with its last 8 bytes made the checksum of the rest, so the structural
 * checks behind the checksum (header, directories, strings, records) get the bytes too. An input
 * that starts with anything but the magic and version gets them put in front, for the same reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/postfix/mta_postfix.h"
#include "core/queue/qcache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* try_load - load buf into a cache of the /etc/postfix instance; replay it when it loads */
static void try_load(const unsigned char *buf, size_t len)
{
	struct qcache *c = qcache_new("postfix", "/etc/postfix", "/var/spool/postfix");
	struct mta_params p = { .backend = &mta_postfix };
	struct qmodel *m;

	if (c == NULL)
		return;
	if (qcache_load_buffer(c, buf, len, NULL) == 0 && (m = qmodel_new(NULL, &p)) != NULL) {
		int d = qcache_dir(c, "deferred/A");
		struct qcache_stat f = { .present = 1, .ino = 1 };

		qcache_replay_all(c, m);
		qcache_replay(c, m, d, "A0000000001", &f, -1, NULL);
		qmodel_free(m);
		/* the console's way: preloaded, verified, the rest forgotten */
		if ((m = qmodel_new(NULL, &p)) != NULL) {
			qcache_preload(c, m);
			qcache_replay(c, m, d, "A0000000001", &f, -1, NULL);
			qcache_forget_stale(c, m);
			qmodel_free(m);
		}
	}
	qcache_free(c);
}

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char head[12] = { 'm', 'q', 'm', 'o', 'n', 'Q', 'C', '\n', QCACHE_VERSION, 0, 0, 0 };
	unsigned char *buf;
	size_t len, i;
	uint64_t sum;

	try_load(data, size);
	/* the magic and version in front (unless there), a right checksum at the end */
	len = (size >= 12 && memcmp(data, head, 12) == 0 ? 0 : 12) + size + 8;
	if ((buf = malloc(len)) == NULL)
		return 0;
	if (len == size + 8) {
		memcpy(buf, data, size);
	} else {
		memcpy(buf, head, 12);
		memcpy(buf + 12, data, size);
	}
	sum = qcache_checksum(buf, len - 8);
	for (i = 0; i < 8; i++)
		buf[len - 8 + i] = (unsigned char)(sum >> (8 * i));
	try_load(buf, len);
	free(buf);
	return 0;
}
