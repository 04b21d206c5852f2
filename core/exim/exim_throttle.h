/* exim_throttle - Exim's throttle mechanism: pause a domain through the file hold_domains names
 *
 * Exim has a knob for exactly mqmon's pause: `hold_domains`, a domain list
 * whose domains queue runs and immediate deliveries skip, logging
 * `== ADDR defer (-23): domain is held` without connecting and without
 * writing a retry record. mqmon writes ONE lsearch file that the
 * configuration names as `hold_domains = partial-lsearch;FILE` (possibly
 * among other items of the list: the first lsearch-type item with an
 * absolute path is mqmon's; load_params keeps it in mta_params.throttle_file).
 * The file is the source of truth, in core/mta/throttle's text:
 *
 *   # mqmon: gmail.com mode=pause since=1796187206 until=1796194406 user=root
 *   gmail.com pause
 *
 * lsearch skips comment lines, and its key is the whole domain: `gmail.com`
 * holds neither `notgmail.com` nor `mx.gmail.com` (only a `*.` key matches
 * below a domain with partial-, and mqmon never writes one). Exim opens the
 * file at every delivery: no reload, no restart. Every change is
 * core/mta/throttle's locked read-modify-write (lock: the file's
 * directory), the file's owner and mode kept; a new file is mode 0644 with
 * the configuration's owner (Exim's delivery processes, running as the
 * exim user, must read it).
 *
 * Exim has no per-destination rate delay like Postfix's
 * destination_rate_delay, so `slow` is refused (mta_throttle_ops.slow_missing).
 * `exim -M`, `-qf` and `-qff` (forced deliveries) ignore hold_domains: a
 * retry from mqmon (`exim -M`) delivers a paused domain's message anyway.
 *
 * A pause is `pending` until the main log shows a deferral of that domain
 * with Exim's held text (or a `:defer:` router's `domain throttled by
 * operator`, the test bed's defer_domains) at or after its start, then
 * `pause` with the time left. Neither text is a remote reply
 * (exim_throttle_own): the model keeps such a message's last remote cause
 * and marks it paused.
 *
 * `throttle --setup` never edits an Exim configuration: when hold_domains
 * names no lsearch file it says which line to add (and --apply creates the
 * empty file it names, then refuses: ACTION_E_CONFIG); it installs the
 * expiry timer as for Postfix.
 */
#ifndef MQMON_EXIM_THROTTLE_H
#define MQMON_EXIM_THROTTLE_H

#include <stddef.h>

#include "core/mta/throttle.h"

/* Exim's text for a domain on hold_domains, and the defer router's */
#define EXIM_HELD_TEXT "domain is held"
#define EXIM_THROTTLED_TEXT "domain throttled by operator"
/* the value of every entry mqmon writes (lsearch's data: Exim does not read it) */
#define EXIM_THROTTLE_VALUE "pause"
/* the file setup suggests, in the configuration file's directory */
#define EXIM_THROTTLE_FILE_NAME "mqmon_hold_domains"

struct log_event;

extern const struct mta_throttle_ops exim_throttle_ops;

/* exim_throttle_file_of - the file of the first "[partial[N]-](lsearch|wildlsearch|nwildlsearch);/FILE" item
 * of a hold_domains list (Exim's list syntax: ':' or the "<c" separator, blanks around items) into buf;
 * "" when it names no such file */
void exim_throttle_file_of(const char *hold_domains, char *buf, size_t bufsz);

/* exim_throttle_own - true when a deferral's text is Exim's for a held or throttled domain */
int exim_throttle_own(const char *text, size_t len);

/* exim_throttle_held - true when ev defers t's domain, at or after t's start, with Exim's held text */
int exim_throttle_held(const struct throttle *t, const struct log_event *ev);

/* exim_throttle_entry - read an entry's value back: "pause" (blanks around it allowed); -1 for any other */
int exim_throttle_entry(const char *value, struct throttle *t);

/* exim_throttle_suggest - the hold_domains line setup suggests: the old value (when any) and
 * "partial-lsearch;FILE" into buf */
void exim_throttle_suggest(const char *hold_domains, const char *file, char *buf, size_t bufsz);

#endif
