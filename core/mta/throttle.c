/* throttle - the MTA-neutral part of throttles: modes, states, the map text, and the dispatch; see throttle.h */
#include "core/mta/throttle.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/base/duration.h"
#include "core/base/sanitize.h"
#include "core/mta/mta.h"

#define META_TAG "# mqmon: "
/* the latest time a map comment may carry (year 36812): far from time_t overflow */
#define MAP_TIME_MAX (1LL << 40)

/* throttle_state_of - t's state at now */
enum throttle_state throttle_state_of(const struct throttle *t, time_t now)
{
	if (t->until != 0 && t->until <= now)
		return THROTTLE_EXPIRED;
	if (t->seen != 0)
		return THROTTLE_ACTIVE;
	return t->log_checked ? THROTTLE_PENDING : THROTTLE_UNVERIFIED;
}

/* throttle_state_text - "pending", "pause 1h59m", "slow", "expired" into buf */
const char *throttle_state_text(const struct throttle *t, time_t now, char *buf, size_t bufsz)
{
	char d[32];

	switch (throttle_state_of(t, now)) {
	case THROTTLE_EXPIRED:
		snprintf(buf, bufsz, "expired");
		break;
	case THROTTLE_PENDING:
		snprintf(buf, bufsz, "pending");
		break;
	default:
		if (t->until != 0)
			snprintf(buf, bufsz, "%s %s", throttle_mode_name(t->mode),
				 duration_format(d, sizeof d, (long)(t->until - now)));
		else
			snprintf(buf, bufsz, "%s", throttle_mode_name(t->mode));
	}
	return buf;
}

/* domain_hint_safe - true when d holds nothing but lower-case LDH, dots and non-ASCII bytes (fit to quote in a hint) */
static int domain_hint_safe(const char *d)
{
	for (; *d; d++)
		if (!((unsigned char)*d >= 0x80 || islower((unsigned char)*d) || isdigit((unsigned char)*d)
		      || *d == '-' || *d == '.'))
			return 0;
	return 1;
}

/* throttle_domain_valid - lower-case LDH labels joined by dots, at least two, <= 253 chars; -1 with why */
int throttle_domain_valid(const char *d, struct why *why)
{
	size_t len, i, label = 0, labels = 1;
	char show[96];	/* d as quoted in a message: no control or format character, at most ~90 bytes */

	if (d == NULL || d[0] == '\0')
		return why_set(why, "empty domain: refused");
	len = strlen(d);
	sanitize_quote(show, sizeof show, d, len);
	if (strcmp(d, "ALL") == 0 || strcmp(d, "*") == 0)
		return why_set(why, "'%s' is not a domain: throttles name one domain", d);
	if (len > THROTTLE_DOMAIN_MAX)
		return why_set(why, "domain longer than %d characters: refused", THROTTLE_DOMAIN_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)d[i] >= 0x80) {
			if (utf8_clean(d, len) && domain_hint_safe(d))
				return why_set(why, "'%s' is a non-ASCII domain: give its ASCII (xn--) form, "
					       "e.g. from `idn2 %s`; refused", show, show);
			return why_set(why, "'%s' is a non-ASCII domain: give its ASCII (xn--) form, "
				       "e.g. from `idn2 DOMAIN`; refused", show);
		}
	if (d[0] == '.' && d[1] != '.' && throttle_domain_valid(d + 1, NULL) == 0)
		return why_set(why, "'%s': subdomain patterns (leading dot) are not supported: name the domain",
			       show);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c == '.') {
			if (label == 0 || d[i - 1] == '-')
				return why_set(why, "'%s' is not a domain name (empty label or label ending in '-')", show);
			label = 0;
			labels++;
			continue;
		}
		if (!(islower(c) || isdigit(c) || c == '-') || c > 0x7f)
			return why_set(why, "'%s' is not a lower-case domain name (letters, digits, '-' and dots only)",
				       show);
		if (label == 0 && c == '-')
			return why_set(why, "'%s' is not a domain name (label starting with '-')", show);
		if (++label > 63)
			return why_set(why, "'%s' has a label longer than 63 characters", show);
	}
	if (label == 0 || d[len - 1] == '-')
		return why_set(why, "'%s' is not a domain name (trailing dot or '-')", show);
	if (labels < 2)
		return why_set(why, "'%s' is not a domain name with a dot (e.g. example.com)", show);
	return 0;
}

/* throttle_render - the whole map text for the list (malloc'd): header, then per entry its comment line and
 * "domain value"; NULL on out of memory */
char *throttle_render(const struct throttle_list *l, const char *header, throttle_value_fn value_of)
{
	size_t i, cap = strlen(header) + 1 + l->n * 800, off;
	char *buf = malloc(cap), value[512];

	if (buf == NULL)
		return NULL;
	off = (size_t)snprintf(buf, cap, "%s", header);
	for (i = 0; i < l->n; i++) {
		const struct throttle *t = &l->v[i];

		value_of(t, value, sizeof value);
		off += (size_t)snprintf(buf + off, cap - off, "%s%s mode=%s since=%lld until=%lld user=%s\n%s %s\n",
					META_TAG, t->domain, throttle_mode_name(t->mode), (long long)t->since,
					(long long)t->until, t->user[0] ? t->user : "-", t->domain, value);
	}
	return buf;
}

/* throttle_list_add - append a zeroed entry; NULL on out of memory */
struct throttle *throttle_list_add(struct throttle_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct throttle *v = realloc(l->v, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof l->v[0]);
	return &l->v[l->n++];
}

/* word_value - the value of " key=VALUE" in s, copied into buf; 0 when absent */
static int word_value(const char *s, const char *key, char *buf, size_t bufsz)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = s; (p = strstr(p, key)) != NULL; p += klen)
		if ((p == s || p[-1] == ' ') && p[klen] == '=') {
			p += klen + 1;
			snprintf(buf, bufsz, "%.*s", (int)strcspn(p, " \n"), p);
			return 1;
		}
	return 0;
}

/* map_time - a time from the map's comment line (0 = none), clamped to [0, MAP_TIME_MAX] (a
 * hand-edited value must not overflow expiry arithmetic; a negative one expires at once) */
static time_t map_time(const char *w)
{
	long long t = strtoll(w, NULL, 10);

	return (time_t)(t < 0 ? 1 : t > MAP_TIME_MAX ? MAP_TIME_MAX : t);
}

/* throttle_parse - read map text written by throttle_render into l (appended); -1 with why */
int throttle_parse(const char *text, struct throttle_list *l, struct why *why)
{
	char meta_domain[THROTTLE_DOMAIN_MAX + 1] = "", meta[512] = "", line[1024], w[64];
	const char *p = text;
	int lineno = 0;

	while (p != NULL && *p) {
		size_t n = strcspn(p, "\n");
		struct throttle *t;
		char *sp;

		snprintf(line, sizeof line, "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		lineno++;
		if (strncmp(line, META_TAG, sizeof META_TAG - 1) == 0) {
			const char *m = line + sizeof META_TAG - 1;

			snprintf(meta_domain, sizeof meta_domain, "%.*s", (int)strcspn(m, " "), m);
			snprintf(meta, sizeof meta, "%.500s", m);
			continue;
		}
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		if ((sp = strchr(line, ' ')) == NULL)
			return why_set(why, "%s line %d: entry without a value", "throttle map", lineno);
		*sp++ = '\0';
		if (throttle_domain_valid(line, NULL) < 0)
			return why_set(why, "%s line %d: bad domain '%.80s'", "throttle map", lineno, line);
		if ((t = throttle_list_add(l)) == NULL)
			return why_errno(why, "throttle map");
		snprintf(t->domain, sizeof t->domain, "%.253s", line);
		if (strncmp(sp, "slow:", 5) == 0) {
			t->mode = THROTTLE_SLOW;
			snprintf(t->nexthop, sizeof t->nexthop, "%s", sp + 5);
		} else if (strncmp(sp, "retry:", 6) == 0) {
			t->mode = THROTTLE_PAUSE;
		} else {
			l->n--;
			return why_set(why, "%s line %d: '%.80s' is neither slow: nor retry:", "throttle map",
				       lineno, sp);
		}
		if (strcmp(meta_domain, t->domain) == 0) {
			if (word_value(meta, "since", w, sizeof w))
				t->since = map_time(w);
			if (word_value(meta, "until", w, sizeof w))
				t->until = map_time(w);
			if (word_value(meta, "user", w, sizeof w) && strcmp(w, "-") != 0)
				snprintf(t->user, sizeof t->user, "%s", w);
		}
		meta_domain[0] = '\0';
	}
	return 0;
}

/* throttle_find - the entry for domain in l, NULL when none */
struct throttle *throttle_find(const struct throttle_list *l, const char *domain)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].domain, domain) == 0)
			return &l->v[i];
	return NULL;
}

/* throttle_list_remove - drop entry t from l */
void throttle_list_remove(struct throttle_list *l, struct throttle *t)
{
	size_t i = (size_t)(t - l->v);

	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof l->v[0]);
	l->n--;
}

/* throttle_list_free - release the entries */
void throttle_list_free(struct throttle_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ops_of - the backend's throttle operations; NULL with why (and *err) when it has none */
static const struct mta_throttle_ops *ops_of(const struct action_ctx *ctx, enum action_error *err,
					     struct why *why)
{
	const struct mta_backend *be = ctx->params != NULL ? ctx->params->backend : NULL;

	if (be != NULL && be->throttle != NULL)
		return be->throttle;
	if (err != NULL)
		*err = ACTION_E_UNSUPPORTED;
	why_set(why, "throttles are not supported for %s", be != NULL ? be->title : "this MTA");
	return NULL;
}

/* throttle_load - the instance's throttles (none set is an empty list); -1 with why */
int throttle_load(const struct action_ctx *ctx, struct throttle_list *l, struct why *why)
{
	const struct mta_throttle_ops *ops = ops_of(ctx, NULL, why);

	return ops != NULL ? ops->load(ctx, l, why) : -1;
}

/* throttle_set - slow or pause domain until `until` (0 = no expiry); -1 with why and *err */
int throttle_set(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode, time_t until,
		 enum action_error *err, struct why *why)
{
	const struct mta_throttle_ops *ops = ops_of(ctx, err, why);

	return ops != NULL ? ops->set(ctx, domain, mode, until, err, why) : -1;
}

/* throttle_clear - remove domain's throttle; 1 removed, 0 there was none, -1 with why and *err */
int throttle_clear(const struct action_ctx *ctx, const char *domain, enum action_error *err, struct why *why)
{
	const struct mta_throttle_ops *ops = ops_of(ctx, err, why);

	return ops != NULL ? ops->clear(ctx, domain, err, why) : -1;
}

/* throttle_expire - remove throttles whose until <= now; number removed (0 without throttles), -1 with why */
int throttle_expire(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why)
{
	const struct mta_backend *be = ctx->params != NULL ? ctx->params->backend : NULL;

	if (be == NULL || be->throttle == NULL)
		return 0;	/* nothing can have been set */
	return be->throttle->expire(ctx, now, removed, why);
}

/* throttle_setup - the one-time MTA configuration changes throttles need; -1 with why and *err */
int throttle_setup(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		   enum action_error *err, struct why *why)
{
	const struct mta_throttle_ops *ops = ops_of(ctx, err, why);

	return ops != NULL ? ops->setup(ctx, apply, reload, report, err, why) : -1;
}

/* throttle_scan_log - mark in l which throttles the log at path shows the MTA applying; -1 with why */
int throttle_scan_log(const struct mta_params *params, const char *path, struct throttle_list *l,
		      struct why *why)
{
	if (params == NULL || params->backend == NULL || params->backend->throttle == NULL)
		return why_set(why, "throttles are not supported for this MTA");
	return params->backend->throttle->scan_log(path, l, why);
}

/* throttle_describe - the MTA's words for t's entry (Postfix: the transport map value) into buf */
void throttle_describe(const struct mta_params *params, const struct throttle *t, char *buf, size_t bufsz)
{
	if (params == NULL || params->backend == NULL || params->backend->throttle == NULL)
		snprintf(buf, bufsz, "%s", throttle_mode_name(t->mode));
	else
		params->backend->throttle->value(t, buf, bufsz);
}
