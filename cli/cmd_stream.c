/* cmd_stream - `mqmon stream`: the instance's queue model as JSON lines, kept current
 *
 * The machine interface of a host in a fleet (core/queue/stream.h has the
 * protocol): a hello line, the whole model, then the changes as the queue
 * and the log change, and heartbeats. It ends when its reader goes away
 * (EPIPE, or end of file on standard input: the ssh channel closed).
 * --once stops after the first model.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "core/queue/stream.h"

static const char stream_usage[] =
	"usage: mqmon [-c DIR] stream [--once] [--source auto|spool|listing] [--log FILE]...\n"
	"                    [--no-log] [--no-cache]\n";

/* cmd_stream - entry point */
int cmd_stream(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, '1' },
		{ "source", required_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "no-log", no_argument, NULL, 'n' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stream_options opt = { .version = MQMON_VERSION, .watch_stdin = 1 };
	struct why why;
	int c, src, rc, no_cache = 0;

	opt.source.use_log = 1;
	opt.source.source = SNAPSHOT_AUTO;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case '1':
			opt.once = 1;
			break;
		case 's':
			if (cli_parse_source(optarg, &src) < 0)
				return EX_USAGE;
			opt.source.source = (enum snapshot_source)src;
			break;
		case 'l':
			if (cli_add_log(&opt.source, optarg, "stream") < 0)
				return EX_USAGE;
			break;
		case 'n':
			opt.source.use_log = 0;
			break;
		case 'N':
			no_cache = 1;
			break;
		case 'h':
			fputs(stream_usage, stdout);
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			fputs(stream_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("stream: unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	if ((rc = cli_load_classifier(cli)) != 0)
		return rc;
	if (cli_instance(cli, &why) == NULL) {
		cli_error("%s", why.text);
		return EX_UNAVAILABLE;
	}
	opt.source.cl = cli->cl;
	opt.source.backend = cli->inst.backend;
	snprintf(opt.source.config_dir, sizeof opt.source.config_dir, "%s", cli->inst.config);
	snprintf(opt.source.binary, sizeof opt.source.binary, "%s", cli->inst.binary);
	if (opt.source.nlogs == 0 && cli_log_path(cli) != NULL)
		snprintf(opt.source.logs[opt.source.nlogs++], sizeof opt.source.logs[0], "%s", cli_log_path(cli));
	cli_cache_path(cli, NULL, no_cache, opt.source.cache, sizeof opt.source.cache);
	opt.refresh = (int)config_num(&cli->cfg, CFG_REFRESH_INTERVAL);
	signal(SIGPIPE, SIG_IGN);	/* a reader that left is a write error: a clean end */
	if (stream_run(&opt, stdout, &why) < 0) {
		cli_error("%s", why.text);
		return EX_UNAVAILABLE;
	}
	return EX_OK;
}
