/* instance - one MTA instance: its backend, its configuration and its parameters, chosen once
 *
 * mqmon serves one instance per run (the fleet console reaches others
 * through their own mqmon). cli/main.c builds it once, on first use, from
 * `--mta`/`[mta] type` and `-c`/`[mta] config`, and hands it to every
 * command and to the console: the backend is detected from the
 * configuration when the type is auto, a type given with another MTA's
 * configuration is refused (saying whose it is: `--mta exim -c /etc/postfix`
 * would run Exim on a directory), the configuration is made absolute
 * (postsuper and exim refuse a relative one) and the parameters are read
 * once, when first asked for (the throttle expiry job looks at its map
 * without running postconf). A parameter failure is kept, not fatal:
 * `classify FILE` needs no MTA at all.
 */
#ifndef MQMON_INSTANCE_H
#define MQMON_INSTANCE_H

#include <limits.h>

#include "core/mta/mta.h"

struct mta_instance {
	const struct mta_backend *backend;
	char config[PATH_MAX];		/* absolute when it exists, else as given */
	char binary[PATH_MAX];		/* the MTA's command as configured ([mta] binary), "" to find it */
	struct mta_params params;	/* valid when params_ok */
	int params_tried;		/* load_params ran */
	int params_ok;
	char params_error[sizeof(((struct why *)0)->text)];
};

/* mta_instance_open - choose the backend (type "auto"/NULL: detected from config), config ("" or NULL:
 * the backend's default) made absolute, the MTA's command (binary: "" or NULL to find it); -1 with why
 * when the type is unknown, no MTA matches or config is not the given type's */
int mta_instance_open(struct mta_instance *in, const char *type, const char *config, const char *binary,
		      struct why *why);

/* mta_instance_params - the parameters, read on the first call; NULL with why (the load's error) when they
 * could not be read */
const struct mta_params *mta_instance_params(struct mta_instance *in, struct why *why);

/* mta_instance_log - the log to read: configured (non-empty) else the backend's own; NULL when none */
const char *mta_instance_log(struct mta_instance *in, const char *configured);

#endif
