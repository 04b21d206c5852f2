/* registry - the MTA backends mqmon knows; see registry.h */
#include "core/mta/registry.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/exim/mta_exim.h"
#include "core/postfix/mta_postfix.h"

static const struct mta_backend *const backends[] = { &mta_postfix, &mta_exim, NULL };

/* mta_registry_init - register the log dialects (once, before any log is read) */
void mta_registry_init(void)
{
	static const struct log_dialect *dialects[sizeof backends / sizeof backends[0]];
	size_t i;

	for (i = 0; backends[i] != NULL; i++)
		dialects[i] = backends[i]->log;
	dialects[i] = NULL;
	log_dialects_set(dialects);
}

/* mta_backend_find - backend by name, NULL when unknown */
const struct mta_backend *mta_backend_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && backends[i] != NULL; i++)
		if (strcmp(name, backends[i]->name) == 0)
			return backends[i];
	return NULL;
}

/* mta_backend_names - "postfix|exim" */
const char *mta_backend_names(void)
{
	static char names[64];
	size_t i, off = 0;

	if (names[0] == '\0')
		for (i = 0; backends[i] != NULL && off < sizeof names; i++)
			off += (size_t)snprintf(names + off, sizeof names - off, "%s%s", i ? "|" : "", backends[i]->name);
	return names;
}

/* mta_backend_detect - the backend whose configuration config is, else the first installed; NULL with why */
const struct mta_backend *mta_backend_detect(const char *config, struct why *why)
{
	size_t i;

	for (i = 0; backends[i] != NULL; i++)
		if (backends[i]->detect(config != NULL ? config : backends[i]->default_config))
			return backends[i];
	if (config != NULL)
		why_set(why, "no MTA configuration at %s (a configuration of %s; use -c PATH and --mta NAME)", config,
			mta_backend_names());
	else
		why_set(why, "no MTA found (%s) at its usual place; use -c and --mta", mta_backend_names());
	return NULL;
}
