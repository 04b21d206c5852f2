/* fuzz_qfile - libFuzzer target: any bytes as a Postfix queue file and as a
 * defer logfile (make fuzz); no crash, no read outside the buffer */
#include <stddef.h>
#include <stdint.h>

#include "core/postfix/deferlog.h"
#include "core/postfix/qfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* count - a defer log entry */
static int count(void *ctx, const char *recipient, const char *status, const char *reason)
{
	(void)recipient;
	(void)status;
	(void)reason;
	++*(int *)ctx;
	return 0;
}

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qfile_info info;
	int n = 0;

	if (qfile_parse((const char *)data, size, &info, NULL) == 0)
		qfile_info_free(&info);
	deferlog_parse((const char *)data, size, count, &n);
	return 0;
}
