/* duration - "300s", "5d", "1h30m" to seconds and back
 *
 * Postfix time parameters carry a unit (s m h d w; a bare number is in the
 * parameter's default unit), and operators type durations like `30m` or
 * `2h` on the command line; both go through duration_parse().
 */
#ifndef MQMON_DURATION_H
#define MQMON_DURATION_H

/* the longest duration accepted anywhere (retention, --for, --since, ...): 10 years,
 * so that now +/- any duration stays far inside time_t and the store's time keys */
#define DURATION_MAX (3653L * 86400)
#define DURATION_MAX_TEXT "3653d (10 years)"
/* duration_parse's answer for a valid duration longer than DURATION_MAX */
#define DURATION_TOO_LONG (-2)

/* duration_parse - seconds in s ("90", "5d", "1h30m"); bare numbers are in default_unit seconds;
 * -1 when invalid, DURATION_TOO_LONG (-2) beyond DURATION_MAX */
long duration_parse(const char *s, long default_unit);

/* duration_problem - what is wrong with a duration_parse answer below 0, for a message */
const char *duration_problem(long parsed);

/* duration_format - compact human form ("4m05s", "2h10m", "3d04h", "-"), into buf */
const char *duration_format(char *buf, unsigned long bufsz, long seconds);

#endif
