/* exim_id - recognise and decode Exim message IDs
 *
 * Exim up to 4.96 writes 16-character IDs `TTTTTT-PPPPPP-FF`, 4.97 and later
 * 23-character IDs `TTTTTT-PPPPPPPPPPP-FFFF`; 4.97+ still reads old spool
 * files, so both forms can be in one queue. Every part is base 62
 * (`0-9A-Za-z`, in that order of value): T is the arrival time in epoch
 * seconds, P the receiving process ID, F the sub-second fraction. Nothing
 * else is an ID: an ID typed by an operator or read from a log, a listing or
 * a file name is checked here before it reaches an Exim command or a path.
 *
 * With split_spool_directory the spool files live in `input/<ID[5]>/`, the
 * last character of the time part (both forms).
 */
#ifndef MQMON_EXIM_ID_H
#define MQMON_EXIM_ID_H

#include <stddef.h>
#include <time.h>

#define EXIM_ID_LEN_OLD 16	/* TTTTTT-PPPPPP-FF (Exim <= 4.96) */
#define EXIM_ID_LEN_NEW 23	/* TTTTTT-PPPPPPPPPPP-FFFF (Exim >= 4.97) */
#define EXIM_ID_MAX EXIM_ID_LEN_NEW	/* longest ID, NUL excluded */

/* exim_id_valid - true when s[0..len) is an Exim message ID of either form */
int exim_id_valid(const char *s, size_t len);

/* exim_id_time - arrival time (epoch seconds) encoded in a valid ID's first 6 characters; -1 when id is not valid */
time_t exim_id_time(const char *id, size_t len);

/* exim_id_subdir - the split-spool subdirectory character of a valid ID (id[5]); 0 when id is not valid */
char exim_id_subdir(const char *id, size_t len);

#endif
