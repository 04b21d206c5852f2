/* testmodel - what the queue model's unit tests share: the shipped rules and Postfix's defaults
 *
 * A test that builds models (test_qmodel, test_qorder, test_qcache)
 * classifies with the rules mqmon ships (rules/causes.ini, read from the
 * repository top) and computes retry times with Postfix's default back-off.
 * Include after testutil.h; run the group with model_setup/model_teardown,
 * which fill `cl`.
 */
#ifndef MQMON_TESTMODEL_H
#define MQMON_TESTMODEL_H

#include "core/classify/classify.h"
#include "core/classify/rules.h"
#include "core/mta/mta.h"
#include "core/postfix/mta_postfix.h"

static struct ruleset rs;
static struct classifier *cl;

/* model_setup - the shipped rules and their classifier into rs and cl */
static int model_setup(void **state)
{
	(void)state;
	ruleset_init(&rs);
	if (ruleset_load(&rs, "rules/causes.ini", NULL) < 0 || (cl = classifier_new(&rs, NULL)) == NULL)
		return -1;
	return 0;
}

/* model_teardown - release them */
static int model_teardown(void **state)
{
	(void)state;
	classifier_free(cl);
	ruleset_free(&rs);
	return 0;
}

/* postfix_defaults - a Postfix instance's parameters with its default back-off and lifetimes */
static inline struct mta_params postfix_defaults(void)
{
	struct mta_params p = { .backend = &mta_postfix };

	p.queue_run_delay = 300;
	p.min_backoff = 300;
	p.max_backoff = 4000;
	p.max_queue_lifetime = 5 * 86400;
	p.bounce_queue_lifetime = 5 * 86400;
	return p;
}

#endif
