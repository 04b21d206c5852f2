/* deferral - one classified deferral event, built from a parsed log line
 *
 * The meeting point of the parser, the reply analyser and the classifier:
 * every consumer (classify, report, the live model, the store) takes its
 * deferrals from deferral_from_event() so that all agree on what a line
 * means.
 */
#ifndef MQMON_DEFERRAL_H
#define MQMON_DEFERRAL_H

#include <time.h>

#include "core/classify/classify.h"
#include "core/log/logline.h"
#include "core/classify/reply.h"

struct deferral {
	time_t time;
	char queue_id[QUEUE_ID_MAX + 1];
	char recipient[512];	/* sanitised address */
	char domain[256];	/* lower case */
	char dsn[16];
	char relay[256];
	struct reply_info reply;	/* text, codes, stage, host */
	struct verdict verdict;	/* cause, provider, rule, advice */
};

/* deferral_from_event - fill d from a LOG_DELIVERY event with status=deferred (vc: a verdict cache or NULL); 0, or -1 when ev is not a deferral */
int deferral_from_event(const struct classifier *cl, struct verdict_cache *vc, const struct log_event *ev,
			struct deferral *d);

/* address_domain - lower-case domain part of an address into dst ("" when none) */
void address_domain(char *dst, size_t dstsz, const char *addr);

#endif
