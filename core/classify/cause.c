/* cause - the fixed vocabulary of deferral causes; see cause.h */
#include "core/classify/cause.h"

#include <string.h>

static const char *const cause_names[CAUSE_COUNT] = {
	"rate-limit", "reputation", "auth", "ptr", "tls", "greylisting",
	"connections", "server-busy", "content", "mailbox-full", "policy",
	"network", "unclassified",
};

/* cause_name - "rate-limit" ... */
const char *cause_name(enum cause cause)
{
	return (unsigned)cause < CAUSE_COUNT ? cause_names[cause] : "unclassified";
}

/* cause_from_name - inverse of cause_name; -1 when unknown */
int cause_from_name(const char *name)
{
	int i;

	for (i = 0; i < CAUSE_COUNT; i++)
		if (strcmp(name, cause_names[i]) == 0)
			return i;
	return -1;
}
