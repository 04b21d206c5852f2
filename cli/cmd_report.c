/* cmd_report - `mqmon report`: deferrals grouped cause -> provider -> domain */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log/deferral.h"
#include "core/base/duration.h"
#include "core/log/logscan.h"
#include "core/history/store.h"
#include "core/history/report.h"
#include "core/base/sanitize.h"

struct report_ctx {
	const struct classifier *cl;
	struct verdict_cache *vc;
	struct report rep;
	struct deferral d;
	int failed;
};

/* add - count one line's deferral */
static int add(void *arg, const struct log_event *ev)
{
	struct report_ctx *ctx = arg;

	if (deferral_from_event(ctx->cl, ctx->vc, ev, &ctx->d) < 0)
		return 0;
	if (report_add(&ctx->rep, &ctx->d) < 0) {
		ctx->failed = 1;
		return 1;
	}
	return 0;
}

/* add_stored - one deferral row from the store into the report */
static int add_stored(void *arg, const struct store_attempt *a)
{
	struct report_ctx *ctx = arg;
	struct deferral *d = &ctx->d;
	int c = a->cause ? cause_from_name(a->cause) : -1;

	memset(d, 0, sizeof *d);
	d->time = a->time;
	snprintf(d->queue_id, sizeof d->queue_id, "%s", a->queue_id ? a->queue_id : "");
	/* a history written before a sanitizer change may hold raw text: sanitize again */
	sanitize_text(d->domain, sizeof d->domain, a->domain ? a->domain : "", a->domain ? strlen(a->domain) : 0);
	d->verdict.cause = c < 0 ? CAUSE_UNCLASSIFIED : (enum cause)c;
	d->verdict.provider = a->provider ? a->provider : "other";
	if (report_add(&ctx->rep, d) < 0) {
		ctx->failed = 1;
		return 1;
	}
	return 0;
}

/* report_since - catch the store up with the logs, then report its deferrals since a time */
static int report_since(struct cli *cli, struct report_ctx *ctx, char **files, int nfiles, const char *db,
			time_t since)
{
	struct store *st;
	struct why why;
	int rc;

	if ((st = cli_open_store(cli, db, &why)) == NULL) {
		cli_error("%s", why.text);
		return EX_CANTCREAT;
	}
	why.text[0] = '\0';
	if ((rc = cli_catch_up(cli, st, files, nfiles, NULL, &why)) < 0)
		cli_error("%s (reporting from the history as it is)", why.text);
	else if (rc == 1)
		/* the history of this instance only grows from its log: say that none was found (and why) */
		cli_error("warning: no readable mail log for the %s instance %s (its own log file, else "
			  "/var/log/mail.log or /var/log/maillog%s%s): the report holds only what its history %s "
			  "already had; give the log as LOG or set [mta] log",
			  cli_instance(cli, NULL) ? cli->inst.backend->title : "MTA",
			  cli_instance(cli, NULL) ? cli->inst.config : config_str(&cli->cfg, CFG_MTA_CONFIG),
			  why.text[0] ? "; " : "", why.text,
			  cli_db_path(cli, db) ? cli_db_path(cli, db) : "");
	if (store_attempts_since_brief(st, since, STATUS_DEFERRED, add_stored, ctx, &why) < 0) {
		cli_error("%s", why.text);
		store_close(st);
		return EX_SOFTWARE;
	}
	if (cli->store_fault == STORE_FAULT_NONE)
		cli_prune_store(cli, st);	/* only after the work is done */
	store_close(st);
	return EX_OK;
}

/* cmd_report - entry point */
int cmd_report(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static char *stdin_only[] = { "-" };
	static struct report_ctx ctx;
	struct logscan_stats st = { 0 };
	struct why why;
	const char *format = "text", *db = NULL;
	long since = -1;
	char **files;
	int c, rc = EX_OK, i, nfiles;

	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 's':
			if ((since = duration_parse(optarg, 1)) < 0) {
				cli_error("report: --since %s: %s (like 90m, 2h, 7d)", optarg, duration_problem(since));
				return EX_USAGE;
			}
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			puts("usage: mqmon report [--format text|json] [LOG...]\n"
			     "       mqmon report --since DURATION [--db FILE] [--format text|json] [LOG...]");
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "f:h", longopts);
			return EX_USAGE;
		}
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		cli_error("report: unknown format '%s' (text or json)", format);
		return EX_USAGE;
	}
	if (since < 0 && optind >= argc && isatty(STDIN_FILENO)) {
		/* without LOG it reads standard input: from a terminal that is a silent wait */
		cli_error("report: no LOG given, and standard input is a terminal: name the log "
			  "(mqmon report /var/log/mail.log), pipe it in (zcat mail.log.1.gz | mqmon report) "
			  "or report from the history (mqmon report --since 2h)");
		return EX_USAGE;
	}
	if ((rc = cli_load_classifier(cli)) != 0)
		return rc;
	ctx.cl = cli->cl;
	ctx.vc = verdict_cache_new(cli->cl);
	report_init(&ctx.rep, cli->cl);
	if (since >= 0) {
		rc = report_since(cli, &ctx, argv + optind, argc - optind, db, time(NULL) - since);
		nfiles = 0;
		files = NULL;
	} else {
		files = optind < argc ? argv + optind : stdin_only;
		nfiles = optind < argc ? argc - optind : 1;
	}
	for (i = 0; i < nfiles && !ctx.failed; i++)
		if (logscan_path(files[i], 0, add, &ctx, &st, &why) < 0) {
			cli_error("%s", why.text);
			rc = EX_NOINPUT;
		}
	if (ctx.failed) {
		cli_error("report: out of memory");
		report_free(&ctx.rep);
		verdict_cache_free(ctx.vc);
		return EX_SOFTWARE;
	}
	ctx.rep.lines = st.lines;
	ctx.rep.unparsed = st.unparsed;
	ctx.rep.oversize = st.oversize;
	if (strcmp(format, "json") == 0)
		report_print_json(&ctx.rep, stdout);
	else
		report_print_text(&ctx.rep, stdout);
	report_free(&ctx.rep);
	verdict_cache_free(ctx.vc);
	ctx.vc = NULL;
	c = cli_finish_output();
	return rc != EX_OK ? rc : c;
}
