/* fuzz_exim_log - libFuzzer target: any bytes as Exim main log lines, through the
 * Exim parser, the reply analyser and the classifier with the shipped rules (make fuzz)
 *
 * The input is cut at newlines; each line (and the whole input as one line)
 * goes through exim_log_parse, exim_log_maybe_deferral and
 * exim_log_queue_interval; the input as a whole is also a retry rule list.
 * Checks what must hold for every input: no crash or sanitizer report; every
 * span of the event lies inside the line; a `==` deferral passes the
 * prefilter; a deferral's classified texts are clean UTF-8 without control
 * characters; a parsed rule list has sane values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/sanitize.h"
#include "core/classify/classify.h"
#include "core/exim/exim_log.h"
#include "core/exim/exim_retry.h"
#include "core/log/deferral.h"

static struct ruleset rs;
static struct classifier *cl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* inside - abort unless the span lies within [p, p + n) */
static void inside(struct span s, const char *p, size_t n)
{
	if (s.n > 0 && (s.p < p || s.p + s.n > p + n))
		abort();
}

/* one_line - parse one line and check the event */
static void one_line(struct log_clock *clock, const char *p, size_t n)
{
	static struct deferral d;
	struct log_event ev;
	struct exim_log_info xi;
	enum log_kind k = exim_log_parse(clock, p, n, &ev, &xi);
	const struct span spans[] = {
		ev.text, ev.to, ev.orig_to, ev.relay, ev.dsn, ev.reason, ev.status_word, ev.from, xi.flag,
		xi.errno_text, xi.parent, xi.router, xi.transport, xi.host_name, xi.host_ip, xi.message, xi.stage,
	};
	size_t i;

	if ((unsigned)k >= LOG_KIND_COUNT || k != ev.kind)
		abort();
	for (i = 0; i < sizeof spans / sizeof spans[0]; i++)
		inside(spans[i], p, n);
	if (ev.queue_id[0] && !exim_id_valid(ev.queue_id, strlen(ev.queue_id)))
		abort();
	if (k == LOG_DELIVERY && ev.status == STATUS_DEFERRED && !exim_log_maybe_deferral(p, n))
		abort();
	if (xi.port < 0 || xi.port > 65535)
		abort();
	exim_log_queue_interval(p, n);
	if (deferral_from_event(cl, NULL, &ev, &d) == 0) {
		if (!utf8_clean(d.reply.text, strlen(d.reply.text)) || !utf8_clean(d.recipient, strlen(d.recipient))
		    || !utf8_clean(d.relay, strlen(d.relay)))
			abort();
	}
}

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct log_clock clock;
	const char *p = (const char *)data, *end = p + size;
	struct exim_retry_rules rules;
	char *text;
	size_t i;

	if (cl == NULL) {
		ruleset_init(&rs);
		if (ruleset_load(&rs, "rules/causes.ini", NULL) < 0 || (cl = classifier_new(&rs, NULL)) == NULL)
			abort();
		log_clock_init(&clock, 1796187519);
	}
	one_line(&clock, p, size);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;

		one_line(&clock, p, (size_t)(e - p));
		p = nl ? nl + 1 : end;
	}
	/* the input as a retry rule list (a C string) */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (exim_retry_rules_parse(text, &rules, NULL) == 0) {
		int out;

		if (rules.n == 0 || rules.n > EXIM_RETRY_MAX_RULES)
			abort();
		for (i = 0; i < rules.n; i++)
			if (rules.r[i].timeout <= 0 || rules.r[i].p1 <= 0 || (rules.r[i].kind != 'F' && rules.r[i].p2 < 1000))
				abort();
		if (exim_retry_rules_next(&rules, 1796187176, 1796187176, 1796187176, 1796187000, 0, 1796187176, 0, &out)
		    < 1796187176)
			abort();
		if (exim_retry_rules_estimate(&rules, 1796187176, 0, 0, 1796187176 + 86400 * 3, 0, &out) < 1796187176)
			abort();
	}
	free(text);
	return 0;
}
