/* exim_throttle - what mqmon's Exim throttles look like to Exim
 *
 * mqmon pauses a domain for Exim through the file the configuration's
 * `hold_domains = partial-lsearch;FILE` names: queue runs skip a listed
 * domain and log `defer (-23): domain is held`, and a `:defer:` router
 * (the test bed's `defer_domains`) logs `domain throttled by operator`.
 * Neither is a remote reply: the model keeps such a message's last remote
 * cause and marks it paused.
 */
#ifndef MQMON_EXIM_THROTTLE_H
#define MQMON_EXIM_THROTTLE_H

#include <stddef.h>

/* Exim's text for a domain on hold_domains, and the defer router's */
#define EXIM_HELD_TEXT "domain is held"
#define EXIM_THROTTLED_TEXT "domain throttled by operator"

/* exim_throttle_file_of - the file of an lsearch-type hold_domains value ("partial-lsearch;/etc/x") into
 * buf; "" when it names no such file */
void exim_throttle_file_of(const char *hold_domains, char *buf, size_t bufsz);

/* exim_throttle_own - true when a deferral's text is Exim's for a held or throttled domain */
int exim_throttle_own(const char *text, size_t len);

#endif
