/* cmd_ingest - `mqmon ingest`: catch the history up with the logs and exit
 *
 * The batch form of what the console and `classify --follow` do all the
 * time: read each log past its saved position (the whole file the first
 * time), store every attempt and message event, save the positions. Meant
 * for cron or before a first `report --since`; one summary line on stdout.
 */
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>
#include <time.h>

#include "cli/cli.h"
#include "core/history/store.h"

/* cmd_ingest - entry point */
int cmd_ingest(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct timespec t0, t1;
	const char *db = NULL;
	struct store *st;
	struct why why;
	long lines = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'h':
			puts("usage: mqmon ingest [--db FILE] [LOG...]");
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			return EX_USAGE;
		}
	}
	if ((rc = cli_load_classifier(cli)) != 0)
		return rc;
	if ((st = cli_open_store(cli, db, &why)) == NULL) {
		cli_error("%s", why.text);
		return EX_CANTCREAT;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = cli_catch_up(cli, st, argv + optind, argc - optind, &lines, &why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == 0)
		cli_prune_store(cli, st);	/* only after the work is done */
	store_close(st);
	if (rc == 1) {
		cli_error("ingest: no log given and none configured ([mta] log, or the instance's own log)");
		return EX_USAGE;
	}
	if (rc < 0) {
		cli_error("ingest: %s", why.text);
		/* a history that could not be written is not a missing input */
		return cli->store_fault != STORE_FAULT_NONE ? cli_store_exit(cli->store_fault) : EX_NOINPUT;
	}
	if (rc == 2) {
		/* not an error: a console or a follower keeps this history current (cron stays quiet) */
		printf("0 lines read: %s, which keeps the history current\n", why.text);
		return EX_OK;
	}
	printf("%ld line%s read into the history in %.2f s\n", lines, lines == 1 ? "" : "s",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return cli_finish_output();
}
