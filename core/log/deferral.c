/* deferral - one classified deferral event; see deferral.h */
#include "core/log/deferral.h"

#include <string.h>

#include "core/base/sanitize.h"

/* address_domain - lower-case domain part of an address into dst ("" when none) */
void address_domain(char *dst, size_t dstsz, const char *addr)
{
	const char *at = strrchr(addr, '@');
	size_t n = 0;

	if (dstsz == 0)
		return;
	if (at != NULL)
		for (at++; *at && n < dstsz - 1; at++)
			dst[n++] = (char)((*at >= 'A' && *at <= 'Z') ? *at + 32 : *at);
	dst[n] = '\0';
}

/* deferral_from_event - fill d from a LOG_DELIVERY event with status=deferred; 0, or -1 when ev is not a deferral */
int deferral_from_event(const struct classifier *cl, struct verdict_cache *vc, const struct log_event *ev,
			struct deferral *d)
{
	if (ev->kind != LOG_DELIVERY || ev->status != STATUS_DEFERRED)
		return -1;
	d->time = ev->time;
	memcpy(d->queue_id, ev->queue_id, sizeof d->queue_id);
	sanitize_text(d->recipient, sizeof d->recipient, ev->to.p, ev->to.n);
	address_domain(d->domain, sizeof d->domain, d->recipient);
	sanitize_text(d->dsn, sizeof d->dsn, ev->dsn.p, ev->dsn.n);
	sanitize_text(d->relay, sizeof d->relay, ev->relay.p, ev->relay.n);
	reply_parse(ev->reason.p, ev->reason.n, &d->reply);
	if (d->reply.stage == STAGE_UNKNOWN)
		d->reply.stage = ev->stage;	/* Exim: the stage is logged before the reply, not in it */
	if (d->reply.host[0] == '\0' && d->relay[0] && strcmp(d->relay, "none") != 0) {
		/* relay=host[ip]:port names the remote host when the reason does not */
		size_t n = strcspn(d->relay, "[");

		while (n > 0 && d->relay[n - 1] == ' ')
			n--;	/* Exim: "name [ip]" */
		if (n < sizeof d->reply.host) {
			memcpy(d->reply.host, d->relay, n);
			d->reply.host[n] = '\0';
		}
	}
	classifier_classify_cached(cl, vc, &d->reply, d->dsn, d->domain, &d->verdict);
	return 0;
}
