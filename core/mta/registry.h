/* registry - the MTA backends mqmon knows, by name and by what is installed
 *
 * The only place that lists the backends (core/postfix, core/exim): the
 * rest of mqmon reaches an MTA through the struct mta_backend it gets here,
 * and the layering check refuses any other file naming a backend.
 * mta_registry_init hands the log layer every backend's dialect, so a log
 * read without an instance (`mqmon classify FILE`) is parsed in whichever
 * dialect its lines are written.
 */
#ifndef MQMON_REGISTRY_H
#define MQMON_REGISTRY_H

#include "core/mta/mta.h"

/* mta_registry_init - register the log dialects (once, before any log is read) */
void mta_registry_init(void);

/* mta_backend_find - backend by name ("postfix", "exim"), NULL when unknown */
const struct mta_backend *mta_backend_find(const char *name);

/* mta_backend_names - "postfix|exim" (for usage and errors) */
const char *mta_backend_names(void);

/* mta_backend_detect - the backend whose configuration config is (NULL: the first one installed with its
 * default configuration); NULL with why when none */
const struct mta_backend *mta_backend_detect(const char *config, struct why *why);

#endif
