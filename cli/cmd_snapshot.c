/* cmd_snapshot - `mqmon snapshot`: the whole queue model as JSON, CSV or Prometheus text
 *
 * Takes a snapshot of the Postfix queue (-c DIR), joins the mail log for
 * attempts and last-attempt times, and writes the finished model to stdout
 * (also -o -) or to -o FILE (core/snapshot: a regular file atomically, a
 * link's target, a device or FIFO as it is; exit 73 for anything else).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/mta/mta.h"
#include "core/queue/qmodel.h"
#include "core/queue/qsource.h"
#include "core/queue/snapshot.h"
#include "core/fleet/fleet.h"

static const char snapshot_usage[] =
	"usage: mqmon [-c DIR] snapshot [--format json|csv|prom] [-o FILE]\n"
	"                      [--source auto|spool|listing] [--log FILE]... [--no-log]\n"
	"                      [--no-cache] [--verbose]\n";

/* cli_build_model - qsource_build with the CLI's configuration; NULL with exitcode set (message printed) */
struct qmodel *cli_build_model(struct cli *cli, int source, char **logs, int nlogs, int use_log,
			       int *exitcode, int *mta, int flags)
{
	struct qsource_config cfg = { 0 };
	struct strlist warn = { 0 };
	struct qmodel *m;
	struct why why;
	size_t i;

	if ((*exitcode = cli_load_classifier(cli)) != 0)
		return NULL;
	cfg.cl = cli->cl;
	if (cli_instance(cli, &why) == NULL) {
		cli_error("%s", why.text);
		*exitcode = EX_UNAVAILABLE;
		return NULL;
	}
	cfg.backend = cli->inst.backend;
	snprintf(cfg.config_dir, sizeof cfg.config_dir, "%s", cli->inst.config);
	snprintf(cfg.binary, sizeof cfg.binary, "%s", cli->inst.binary);
	cfg.source = (enum snapshot_source)source;
	cfg.use_log = use_log;
	for (i = 0; i < (size_t)nlogs && i < QSOURCE_MAX_LOGS; i++)
		snprintf(cfg.logs[cfg.nlogs++], sizeof cfg.logs[0], "%s", logs[i]);
	if (cfg.nlogs == 0 && cli_log_path(cli) != NULL)
		snprintf(cfg.logs[cfg.nlogs++], sizeof cfg.logs[0], "%s", cli_log_path(cli));
	cli_cache_path(cli, NULL, flags & CLI_MODEL_NO_CACHE, cfg.cache, sizeof cfg.cache);
	cfg.verbose = (flags & CLI_MODEL_VERBOSE) != 0;
	m = qsource_build(&cfg, &warn, &why, mta);
	for (i = 0; i < warn.n; i++)
		cli_error("%s", warn.v[i]);
	strlist_free(&warn);
	if (m == NULL) {
		cli_error("%s", why.text);
		*exitcode = EX_UNAVAILABLE;
	}
	return m;
}

/* cmd_snapshot - entry point */
int cmd_snapshot(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "source", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "no-log", no_argument, NULL, 'n' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *logs[QSOURCE_MAX_LOGS];
	int nlogs = 0, use_log = 1, c, fmt = SNAPSHOT_JSON, rc, flags = 0;
	enum snapshot_source source = SNAPSHOT_AUTO;
	int src, mta = MTA_UNKNOWN;
	const char *out = NULL;
	char host[256] = "";
	struct qmodel *m;
	struct why why;

	while ((c = getopt_long(argc, argv, "f:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((fmt = snapshot_format_from(optarg)) < 0) {
				cli_error("snapshot: unknown format '%s' (json, csv or prom)", optarg);
				return EX_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			if (cli_parse_source(optarg, &src) < 0)
				return EX_USAGE;
			source = (enum snapshot_source)src;
			break;
		case 'l':
			if (nlogs == (int)(sizeof logs / sizeof logs[0])) {
				cli_error("snapshot: too many --log files");
				return EX_USAGE;
			}
			logs[nlogs++] = optarg;
			break;
		case 'n':
			use_log = 0;
			break;
		case 'N':
			flags |= CLI_MODEL_NO_CACHE;
			break;
		case 'v':
			flags |= CLI_MODEL_VERBOSE;
			break;
		case 'h':
			fputs(snapshot_usage, stdout);
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "f:o:vh", longopts);
			fputs(snapshot_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("snapshot: unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	{
		struct fleet *fl;
		int f = cli_fleet(cli, &fl);

		if (f < 0)
			return cli->hosts.n > 0 ? EX_USAGE : EX_CONFIG;
		if (f > 0) {
			rc = fleet_snapshot(cli, fl, fmt, out);
			fleet_free(fl);
			return rc;
		}
	}
	if (out != NULL && strcmp(out, "-") != 0 && snapshot_target_check(out, &why) < 0) {
		cli_error("%s", why.text);	/* before a long build of the model */
		return EX_CANTCREAT;
	}
	if ((m = cli_build_model(cli, source, logs, nlogs, use_log, &rc, &mta, flags)) == NULL) {
		/* Postfix down and its queue unlistable (not root): a metrics file still says it is down */
		if (mta == MTA_STOPPED && fmt == SNAPSHOT_PROM && (m = qmodel_new(NULL, NULL)) != NULL) {
			m->mta_running = MTA_STOPPED;
			m->source = SNAPSHOT_SOURCE_NONE;
			m->generated_at = time(NULL);
			if (out != NULL && strcmp(out, "-") != 0)
				snapshot_write_file(m, SNAPSHOT_PROM, "", out, &why);
			else
				snapshot_write(m, SNAPSHOT_PROM, "", stdout, &why);
			qmodel_free(m);
		}
		return rc;
	}
	snprintf(host, sizeof host, "%s", m->params.myhostname);
	if (host[0] == '\0')
		gethostname(host, sizeof host - 1);
	if (out != NULL && strcmp(out, "-") != 0)
		rc = snapshot_write_file(m, (enum snapshot_format)fmt, host, out, &why);
	else
		rc = snapshot_write(m, (enum snapshot_format)fmt, host, stdout, &why);
	qmodel_free(m);
	if (rc < 0) {
		cli_error("%s", why.text);
		return rc == -2 ? EX_CANTCREAT : EX_IOERR;
	}
	return cli_finish_output();
}
