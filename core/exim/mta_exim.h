/* mta_exim - the Exim backend (struct mta_backend of core/mta/mta.h)
 *
 * The instance is an Exim configuration file (-C). The binary is `[mta]
 * binary` when set, else the configuration's `exim_path`, else exim4 or
 * exim in PATH or /usr/sbin.
 * Parameters come from `exim -C CONF -bP` (spool, log path, version, pid
 * file, hold_domains, retry_interval_max), the `* *` retry rule from
 * `exim -brt`, and the daemon's queue-run interval from its start line in
 * the main log (`daemon started: pid=N, -q30m`; 30 minutes, Debian's
 * default, when none is found).
 *
 * Queue: as root from the spool (every `-H` file under input/, split or
 * not: core/exim/exim_hfile; pending recipients = recipients minus the
 * non-recipients tree; a frozen message is on hold; a message never tried
 * is incoming, the others deferred), each recipient's last reply from the
 * message's msglog, and the exact next try from the retry hints database
 * (`exim_dumpdb SPOOL retry`: the earliest next_try over its pending
 * recipients' R: records and its own T: records; core/exim/exim_retry).
 * Otherwise from `exim -bp` (core/exim/exim_listing), without replies:
 * the log join gives the attempts. When no record applies, the next try is
 * estimated from the retry rule and the last attempt.
 *
 * Actions: retry `exim -M` (one delivery attempt now, whatever the retry
 * time), hold `-Mf` (freeze), release `-Mt` (thaw), delete `-Mrm`; the IDs
 * as words, in batches. Exim has no requeue.
 *
 * Throttles: pause only, through the file the configuration's
 * `hold_domains = partial-lsearch;FILE` names (queue runs skip a listed
 * domain and log `defer (-23): domain is held`; Exim reads the file at
 * every delivery, no reload). Exim has no per-destination rate delay, so
 * `slow` is refused. `throttle --setup` says what to add to the
 * configuration; it never edits an Exim configuration.
 *
 * Whether Exim runs: its pid file names a live process called exim4 or
 * exim.
 */
#ifndef MQMON_MTA_EXIM_H
#define MQMON_MTA_EXIM_H

#include "core/mta/mta.h"

extern const struct mta_backend mta_exim;

#endif
