/* fuzz_config - libFuzzer target: any bytes as mqmon's configuration file
 * (make fuzz)
 *
 * config_load over the defaults, then every key read back and the effective
 * configuration dumped: no crash, leak or hang; every key keeps a value
 * (its default when the file's was bad) and numbers stay within bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/config.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct config cfg;
	struct why why;
	int k;

	if (null == NULL) {
		fuzz_quiet();
		if ((null = fopen("/dev/null", "w")) == NULL)
			abort();
	}
	config_init(&cfg);
	if (config_load(&cfg, fuzz_file(data, size), &why) == 0) {
		for (k = 0; k < CFG_KEY_COUNT; k++)
			if (config_str(&cfg, (enum config_key)k) == NULL)
				abort();
		if (config_num(&cfg, CFG_REFRESH_INTERVAL) < 1 || config_num(&cfg, CFG_REFRESH_INTERVAL) > 3600)
			abort();
		if (config_num(&cfg, CFG_READ_ONLY) != 0 && config_num(&cfg, CFG_READ_ONLY) != 1)
			abort();
		if (config_num(&cfg, CFG_RETENTION) < 0)
			abort();
		config_dump(&cfg, null);
	}
	config_free(&cfg);
	return 0;
}
