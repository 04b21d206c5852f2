/* instance - one MTA instance chosen once; see instance.h */
#include "core/mta/instance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mta/registry.h"

/* an_a - the article before an MTA's title ("an Exim", "a Postfix") */
static const char *an_a(const char *title)
{
	return strchr("AEIOUaeiou", title[0]) != NULL ? "an" : "a";
}

/* mta_instance_open - backend, absolute configuration, parameters; -1 with why when no backend fits */
int mta_instance_open(struct mta_instance *in, const char *type, const char *config, const char *binary,
		      struct why *why)
{
	memset(in, 0, sizeof *in);
	if (config != NULL && config[0] == '\0')
		config = NULL;
	snprintf(in->binary, sizeof in->binary, "%s", binary != NULL ? binary : "");
	if (type != NULL && strcmp(type, "auto") != 0 && type[0] != '\0') {
		if ((in->backend = mta_backend_find(type)) == NULL)
			return why_set(why, "unknown MTA '%.40s' (%s or auto)", type, mta_backend_names());
	} else if ((in->backend = mta_backend_detect(config, why)) == NULL) {
		return -1;
	}
	if (config == NULL)
		config = in->backend->default_config;
	/* postsuper, postqueue and exim refuse a relative configuration */
	if (realpath(config, in->config) == NULL)
		snprintf(in->config, sizeof in->config, "%s", config);
	/* --mta NAME with another MTA's configuration: say which it is rather than run NAME's tools on it */
	if (!in->backend->detect(in->config)) {
		const struct mta_backend *other = mta_backend_detect(in->config, NULL);

		if (other != NULL && other != in->backend)
			return why_set(why, "%.900s is %s %s configuration, not %s %s one (use --mta %s, or leave --mta out)",
				       in->config, an_a(other->title), other->title, an_a(in->backend->title),
				       in->backend->title, other->name);
		return why_set(why, "no %s configuration at %.900s (use -c PATH)", in->backend->title, in->config);
	}
	return 0;
}

/* mta_instance_params - the parameters, read on the first call; NULL with why when they could not be read */
const struct mta_params *mta_instance_params(struct mta_instance *in, struct why *why)
{
	struct why w;

	if (!in->params_tried) {
		in->params_tried = 1;
		if (in->backend->load_params(in->config, in->binary, &in->params, &w) < 0)
			snprintf(in->params_error, sizeof in->params_error, "%s", w.text);
		else
			in->params_ok = 1;
	}
	if (in->params_ok)
		return &in->params;
	why_set(why, "%s", in->params_error[0] ? in->params_error : "no MTA instance");
	return NULL;
}

/* mta_instance_log - configured (non-empty) else the backend's own log; NULL when none */
const char *mta_instance_log(struct mta_instance *in, const char *configured)
{
	if (configured != NULL && configured[0] != '\0')
		return configured;
	if (mta_instance_params(in, NULL) == NULL || in->backend->default_log == NULL)
		return NULL;
	return in->backend->default_log(&in->params);
}
