/* queue_id - recognise Postfix queue IDs
 *
 * Short IDs are uppercase hex, at least 6 characters. Long IDs
 * (enable_long_queue_ids) are base-52 characters from Postfix's vowel-free
 * alphabet, at least 10 of them, then a 'z', then the inode in the same
 * alphabet. The words postsuper treats specially (`ALL`, `-`) and anything
 * else are refused: an ID typed by an operator is checked here before it
 * reaches an MTA command.
 */
#ifndef MQMON_QUEUE_ID_H
#define MQMON_QUEUE_ID_H

#include <stddef.h>

#define QUEUE_ID_MAX 32		/* longest ID accepted, NUL excluded */

/* postfix_id_valid - true when s[0..len) is a short or long Postfix queue ID */
int postfix_id_valid(const char *s, size_t len);

#endif
