/* fuzz_logline - libFuzzer target: any bytes through the log line parser, the
 * reply analyser and the classifier with the shipped rules (make fuzz)
 *
 * Checks what must hold for every input: no crash or sanitizer report, and
 * every text that reaches a screen or a TSV line is clean UTF-8 without
 * control characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify/classify.h"
#include "core/log/deferral.h"
#include "core/log/logline.h"
#include "core/base/sanitize.h"
#include "core/postfix/postfix_log.h"

static struct ruleset rs;
static struct classifier *cl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct log_clock clock;
	static struct deferral d;
	struct log_event ev;

	if (cl == NULL) {
		ruleset_init(&rs);
		if (ruleset_load(&rs, "rules/causes.ini", NULL) < 0 || (cl = classifier_new(&rs, NULL)) == NULL)
			abort();
		log_clock_init(&clock, 1795352258);
		clock.dialect = &postfix_log_dialect;
	}
	logline_parse(&clock, (const char *)data, size, &ev);
	if (deferral_from_event(cl, NULL, &ev, &d) == 0) {
		if (!utf8_clean(d.reply.text, strlen(d.reply.text)) || !utf8_clean(d.recipient, strlen(d.recipient)))
			abort();
	}
	/* the reply analyser on the raw bytes too */
	reply_parse((const char *)data, size, &d.reply);
	if (!utf8_clean(d.reply.text, strlen(d.reply.text)))
		abort();
	return 0;
}
