/* mta_postfix - the Postfix backend (struct mta_backend of core/mta/mta.h)
 *
 * Parameters from `postconf -c DIR -h`, the queue from `postqueue -c DIR -j`
 * or, as root, the spool's queue files (core/postfix/qfile) and defer logs
 * (core/postfix/deferlog); the syslog dialect (core/postfix/postfix_log);
 * postqueue/postsuper actions; throttles through a transport map
 * (core/postfix/postfix_throttle). Only core/mta/registry names it.
 */
#ifndef MQMON_MTA_POSTFIX_H
#define MQMON_MTA_POSTFIX_H

#include "core/mta/mta.h"

extern const struct mta_backend mta_postfix;

#endif
