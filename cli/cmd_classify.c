/* cmd_classify - `mqmon classify`: one TSV line per deferral event
 *
 * Columns: time (RFC 3339, local), queue_id, recipient, dsn, cause,
 * provider, text. Every field is sanitised (no tabs, newlines or control
 * characters, valid UTF-8), so the output is safe for cut/awk and terminals.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log/deferral.h"
#include "core/base/evloop.h"
#include "core/history/ingest.h"
#include "core/log/logscan.h"
#include "core/mta/mta.h"
#include "core/queue/qsource.h"
#include "core/history/store.h"
#include "core/history/report.h"

struct classify_ctx {
	const struct classifier *cl;
	struct verdict_cache *vc;
	struct deferral d;
	time_t last_time;
	char timebuf[40];
	char *out;		/* this thread's output since the last flush */
	size_t outlen, outcap;
	int failed;
};

/* put - append a string and a separator to the thread's output */
static void put(struct classify_ctx *ctx, const char *s, char sep)
{
	size_t n = strlen(s);

	if (ctx->outlen + n + 2 > ctx->outcap) {
		size_t cap = ctx->outcap ? ctx->outcap * 2 : 1 << 20;
		char *p;

		while (cap < ctx->outlen + n + 2)
			cap *= 2;
		if ((p = realloc(ctx->out, cap)) == NULL) {
			ctx->failed = 1;
			return;
		}
		ctx->out = p;
		ctx->outcap = cap;
	}
	memcpy(ctx->out + ctx->outlen, s, n);
	ctx->outlen += n;
	ctx->out[ctx->outlen++] = sep;
}

/* emit - one deferral as a TSV line */
static int emit(void *arg, const struct log_event *ev)
{
	struct classify_ctx *ctx = arg;
	struct deferral *d = &ctx->d;

	if (deferral_from_event(ctx->cl, ctx->vc, ev, d) < 0)
		return 0;
	if (d->time != ctx->last_time || ctx->timebuf[0] == '\0') {
		format_time(ctx->timebuf, sizeof ctx->timebuf, d->time);
		ctx->last_time = d->time;
	}
	put(ctx, ctx->timebuf, '\t');
	put(ctx, d->queue_id, '\t');
	put(ctx, d->recipient, '\t');
	put(ctx, d->dsn[0] ? d->dsn : "-", '\t');
	put(ctx, cause_name(d->verdict.cause), '\t');
	put(ctx, d->verdict.provider, '\t');
	put(ctx, d->reply.text, '\n');
	return 0;
}

/* flush - write a thread's output in file order */
static void flush(void *arg)
{
	struct classify_ctx *ctx = arg;

	if (ctx->outlen)
		fwrite(ctx->out, 1, ctx->outlen, stdout);
	ctx->outlen = 0;
}

/* follow_emit - the ingest callback of classify --follow: one TSV line per new deferral */
static void follow_emit(void *arg, const struct deferral *d)
{
	struct classify_ctx *ctx = arg;

	format_time(ctx->timebuf, sizeof ctx->timebuf, d->time);
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ctx->timebuf, d->queue_id, d->recipient, d->dsn[0] ? d->dsn : "-",
	       cause_name(d->verdict.cause), d->verdict.provider, d->reply.text);
}

struct follow_state {
	struct ingest *in;
	int failed;
	int fault;	/* enum store_fault: storing stopped */
};

/* on_follow_data - new log data: ingest it, print the deferrals, flush stdout */
static int on_follow_data(struct evloop *loop, int fd, void *arg)
{
	struct follow_state *fs = arg;
	struct why why;

	(void)fd;
	if (ingest_process(fs->in, &why) < 0) {
		cli_error("%s", why.text);
		fs->failed = 1;
		if (ingest_fault(fs->in) != STORE_FAULT_NONE) {
			fs->fault = ingest_fault(fs->in);
			cli_error("following on without storing (printing new deferrals)");
		}
	}
	if (fflush(stdout) != 0)
		evloop_stop(loop);	/* the reader went away */
	return 0;
}

/* on_follow_tick - once a second: rows held for a group commit are stored when their time is up */
static void on_follow_tick(struct evloop *loop, void *arg)
{
	struct follow_state *fs = arg;

	if (ingest_holding(fs->in))
		on_follow_data(loop, -1, arg);
}

/* on_follow_signal - INT/TERM/PIPE end the follow cleanly (positions saved); HUP re-reads the logs */
static void on_follow_signal(struct evloop *loop, int signo, void *arg)
{
	if (signo == SIGHUP) {
		on_follow_data(loop, -1, arg);
		return;
	}
	evloop_stop(loop);
}

/* follow_logs - classify --follow: print new deferrals as Postfix logs them, storing them too */
static int follow_logs(struct cli *cli, char **files, int nfiles, const char *db)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	static struct classify_ctx ctx;
	struct follow_state fs = { 0 };
	struct store *st;
	struct evloop *loop;
	struct why why;
	char *defaults[1];
	const char *def;
	int rc = EX_OK;

	if (nfiles == 0) {
		if ((def = cli_log(cli, &why)) == NULL) {
			cli_error("classify --follow: no log file given and none found (give LOG)");
			return EX_USAGE;
		}
		defaults[0] = (char *)def;
		files = defaults;
		nfiles = 1;
	}
	if ((st = cli_open_store(cli, db, &why)) == NULL)
		cli_error("%s (following without a history)", why.text);
	ctx.cl = cli->cl;
	if ((fs.in = ingest_open(st, cli->cl, files, nfiles, INGEST_RESUME_OR_END, follow_emit, &ctx, &why)) == NULL
	    || (loop = evloop_new(signals, 4, on_follow_signal, &fs, &why)) == NULL) {
		cli_error("%s", why.text);
		ingest_close(fs.in);
		store_close(st);
		return EX_NOINPUT;
	}
	if (ingest_standby(fs.in) != NULL)
		cli_error("%s: printing new deferrals without storing them", ingest_standby(fs.in));
	on_follow_data(loop, -1, &fs);	/* what is already there past the saved position */
	if (ingest_unreadable(fs.in) != NULL)	/* missing, unreadable, not a regular file: say so, and wait */
		cli_error("classify --follow: %s", ingest_unreadable(fs.in));
	ingest_set_hold(fs.in, INGEST_LIVE_HOLD);	/* then group commits: syslog writes line by line */
	evloop_add_fd(loop, ingest_fd(fs.in), on_follow_data, &fs);
	evloop_set_tick(loop, on_follow_tick, &fs, NULL);
	if (evloop_run(loop, &why) < 0) {
		cli_error("%s", why.text);
		rc = EX_OSERR;
	}
	evloop_free(loop);
	ingest_close(fs.in);
	if (!fs.failed && rc == EX_OK)
		cli_prune_store(cli, st);	/* only after the work is done */
	store_close(st);
	return fs.fault ? cli_store_exit(fs.fault) : fs.failed ? EX_IOERR : rc;
}

/* cmd_classify - entry point */
int cmd_classify(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "follow", no_argument, NULL, 'f' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct classify_ctx ctxs[8];
	void *ctxp[8];
	struct logscan_stats st = { 0 };
	struct why why;
	int c, stats = 0, rc = EX_OK, i, nthreads;
	static char *stdin_only[] = { "-" };
	char **files;
	int nfiles;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int follow = 0;
	const char *db = NULL;

	while ((c = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = 1;
			break;
		case 'f':
			follow = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			puts("usage: mqmon classify [--stats] [LOG...]\n"
			     "       mqmon classify --follow [--db FILE] [LOG...]");
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "fh", longopts);
			return EX_USAGE;
		}
	}
	if ((rc = cli_load_classifier(cli)) != 0)
		return rc;
	if (follow)
		return follow_logs(cli, argv + optind, argc - optind, db);
	nthreads = ncpu < 1 ? 1 : ncpu > 8 ? 8 : (int)ncpu;
	for (i = 0; i < nthreads; i++) {
		memset(&ctxs[i], 0, sizeof ctxs[i]);
		ctxs[i].cl = cli->cl;
		ctxs[i].vc = verdict_cache_new(cli->cl);
		ctxp[i] = &ctxs[i];
	}
	files = optind < argc ? argv + optind : stdin_only;
	nfiles = optind < argc ? argc - optind : 1;
	for (i = 0; i < nfiles; i++)
		if (logscan_parallel(files[i], LOGSCAN_DEFERRALS_ONLY, nthreads, emit, flush, ctxp, &st, &why) < 0) {
			cli_error("%s", why.text);
			rc = EX_NOINPUT;
		}
	for (i = 0; i < nthreads; i++) {
		if (ctxs[i].failed)
			rc = EX_SOFTWARE;
		verdict_cache_free(ctxs[i].vc);
		free(ctxs[i].out);
	}
	if (stats)
		fprintf(stderr, "mqmon: %llu lines, %llu deferrals, %llu oversize lines\n",
			st.lines, st.deferrals, st.oversize);
	c = cli_finish_output();
	return rc != EX_OK ? rc : c;
}
