/* cmd_classify - `mqmon classify`: one TSV line per deferral event
 *
 * Columns: time (RFC 3339, local), queue_id, recipient, dsn, cause,
 * provider, text. Every field is sanitised (no tabs, newlines or control
 * characters, valid UTF-8), so the output is safe for cut/awk and terminals.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "core/deferral.h"
#include "core/logscan.h"
#include "core/report.h"

struct classify_ctx {
	const struct classifier *cl;
	struct deferral d;
	time_t last_time;
	char timebuf[40];
};

/* emit - print one deferral as TSV */
static int emit(void *arg, const struct log_event *ev)
{
	struct classify_ctx *ctx = arg;
	struct deferral *d = &ctx->d;

	if (deferral_from_event(ctx->cl, ev, d) < 0)
		return 0;
	if (d->time != ctx->last_time || ctx->timebuf[0] == '\0') {
		format_time(ctx->timebuf, sizeof ctx->timebuf, d->time);
		ctx->last_time = d->time;
	}
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ctx->timebuf, d->queue_id, d->recipient,
	       d->dsn[0] ? d->dsn : "-", cause_name(d->verdict.cause), d->verdict.provider,
	       d->reply.text);
	return 0;
}

/* cmd_classify - entry point */
int cmd_classify(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct classify_ctx ctx = { 0 };
	struct logscan_stats st = { 0 };
	struct why why;
	int c, stats = 0, rc = EX_OK, i;
	static char *stdin_only[] = { "-" };
	char **files;
	int nfiles;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = 1;
			break;
		case 'h':
			puts("usage: mqmon classify [--stats] [LOG...]");
			return cli_finish_output();
		default:
			return EX_USAGE;
		}
	}
	if ((rc = cli_load_classifier(cli)) != 0)
		return rc;
	ctx.cl = cli->cl;
	files = optind < argc ? argv + optind : stdin_only;
	nfiles = optind < argc ? argc - optind : 1;
	for (i = 0; i < nfiles; i++)
		if (logscan_path(files[i], LOGSCAN_DEFERRALS_ONLY, emit, &ctx, &st, &why) < 0) {
			cli_error("%s", why.text);
			rc = EX_NOINPUT;
		}
	if (stats)
		fprintf(stderr, "mqmon: %llu lines, %llu deferrals, %llu oversize lines\n",
			st.lines, st.deferrals, st.oversize);
	c = cli_finish_output();
	return rc != EX_OK ? rc : c;
}
