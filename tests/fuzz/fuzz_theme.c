/* fuzz_theme - libFuzzer target: any bytes as a console theme file (make fuzz)
 *
 * theme_load only parses the INI file into its table; curses is linked but
 * never started (theme_apply, which needs a screen, is not called). No
 * crash, leak or hang, and the theme's name stays a C string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"
#include "tui/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct strlist errs = { 0 };
	struct why why;

	if (!quiet) {
		fuzz_quiet();
		quiet = 1;
	}
	if (theme_load(fuzz_file(data, size), &errs, &why) == 0 && theme_name() == NULL)
		abort();
	if (strlen(theme_name()) >= 64)
		abort();
	strlist_free(&errs);
	return 0;
}
