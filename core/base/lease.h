/* lease - one process at a time stores a log's lines into a history
 *
 * Two processes following the same log into the same database (the console,
 * and `mqmon ingest` from cron) would both read past the saved position and
 * store every line twice. Whoever stores a log holds a lease: an flock()ed
 * file beside the database, one per log path (the key of the saved
 * positions), holding the holder's pid for messages. BSD locks belong to the
 * open file, so nothing else the process opens or closes can drop one, and
 * the kernel releases it when the holder exits, however it ends.
 */
#ifndef MQMON_LEASE_H
#define MQMON_LEASE_H

#include <sys/types.h>

#include "core/base/why.h"

struct lease;

/* lease_take - try to become the one process storing log_path into db_path:
 * 1 taken (*out set), 0 held by another process (*holder = its pid, 0 if
 * unknown), -1 with why when the lease file cannot be opened */
int lease_take(const char *db_path, const char *log_path, struct lease **out, pid_t *holder, struct why *why);

/* lease_release - give it up (NULL is fine); the file stays for the next holder */
void lease_release(struct lease *l);

#endif
