/* fuzz_rules - libFuzzer target: any bytes as a cause rules file (make fuzz)
 *
 * ruleset_load, then the classifier compiled from whatever loaded, every
 * rule's samples checked and a few replies classified: no crash, leak or
 * hang, and every verdict names a known cause and a provider.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify/classify.h"
#include "core/classify/reply.h"
#include "core/classify/rules.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const replies[] = {
	("host a[192.0.2.1] said: 421-4.7.28 unusual rate of unsolicited mail 421 4.7.28 gsmtp "
	"(in reply to end of DATA command)"),
	"host b[192.0.2.2] said: 450 4.2.0 Greylisted, see http://postgrey (in reply to RCPT TO command)",
	"connect to c.example[192.0.2.3]:25: Connection timed out",
	"",
};

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct ruleset rs;
	struct classifier *cl;
	struct strlist errs = { 0 };
	struct why why;
	size_t i;
	int checked = 0;

	if (!quiet) {
		fuzz_quiet();
		quiet = 1;
	}
	ruleset_init(&rs);
	if (ruleset_load(&rs, fuzz_file(data, size), &why) == 0 && (cl = classifier_new(&rs, &why)) != NULL) {
		classifier_check_samples(cl, &errs, &checked);
		for (i = 0; i < sizeof replies / sizeof replies[0]; i++) {
			struct reply_info reply;
			struct verdict v;

			reply_parse(replies[i], strlen(replies[i]), &reply);
			classifier_classify(cl, &reply, "4.7.28", "gmail.com", &v);
			if ((unsigned)v.cause >= CAUSE_COUNT || v.provider == NULL || v.advice == NULL)
				abort();
			classifier_cause_advice(cl, v.cause);
		}
		classifier_provider(cl, "example.com", "mx.example.com");
		classifier_free(cl);
	}
	strlist_free(&errs);
	ruleset_free(&rs);
	return 0;
}
