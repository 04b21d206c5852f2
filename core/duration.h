/* duration - "300s", "5d", "1h30m" to seconds and back
 *
 * Postfix time parameters carry a unit (s m h d w; a bare number is in the
 * parameter's default unit), and operators type durations like `30m` or
 * `2h` on the command line; both go through duration_parse().
 */
#ifndef MQMON_DURATION_H
#define MQMON_DURATION_H

/* duration_parse - seconds in s ("90", "5d", "1h30m"); bare numbers are in default_unit seconds; -1 when invalid */
long duration_parse(const char *s, long default_unit);

/* duration_format - compact human form ("4m05s", "2h10m", "3d04h", "-"), into buf */
const char *duration_format(char *buf, unsigned long bufsz, long seconds);

#endif
