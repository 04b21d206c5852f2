/* postfix_log - the Postfix log dialect (struct log_dialect of core/log/logline.h)
 *
 * Syslog lines of every Postfix daemon, classic or RFC 3339 stamps, any
 * syslog_name; see postfix_log.c for the grammar.
 */
#ifndef MQMON_POSTFIX_LOG_H
#define MQMON_POSTFIX_LOG_H

#include "core/log/logline.h"

extern const struct log_dialect postfix_log_dialect;

#endif
