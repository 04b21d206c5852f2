/* cmd_audit - `mqmon actions`: the audit trail of operator actions
 *
 * One line per audit row, newest first: time, user, action, outcome, exit
 * status, how many queue IDs it named, and the target text (cut after
 * ACTION_TARGET_MAX characters for a large request). --ids lists every
 * queue ID a row named (from action_targets, all of them), so after a bulk
 * delete anyone can tell which mail went. A row whose command was started
 * but never completed (mqmon killed meanwhile) reads "interrupted/unknown
 * outcome". A QUEUE_ID argument keeps the rows that named it.
 */
#include <getopt.h>
#include <stdio.h>
#include <sysexits.h>
#include <time.h>

#include "cli/cli.h"
#include "core/base/duration.h"
#include "core/history/report.h"
#include "core/history/store.h"

static const char audit_usage[] =
	"usage: mqmon actions [--since DURATION] [--ids] [--db FILE] [QUEUE_ID]\n"
	"  the audit trail, newest first (default: the last 30 days); --ids lists every\n"
	"  queue ID each action named; QUEUE_ID: only the actions that named it\n";

struct audit_ctx {
	struct store *st;
	int ids;
	int failed;
	struct why why;
};

/* print_target - one queue ID of an audit row */
static int print_target(void *ctx, const char *queue_id)
{
	(void)ctx;
	printf("  %s\n", queue_id);
	return 0;
}

/* print_action - one audit row (and its IDs with --ids) */
static int print_action(void *ctx, const struct store_action *a)
{
	struct audit_ctx *c = ctx;
	char t[40], rc[16] = "-";

	format_time(t, sizeof t, a->time);
	if (a->state == STORE_ACTION_DONE)
		snprintf(rc, sizeof rc, "%d", a->result);
	printf("%-25s %-10s %-10s %-27s %4s %7lld  %s\n", t, a->user ? a->user : "?", audit_verb_name(a->action),
	       store_action_outcome(a), rc, a->ntargets, a->target ? a->target : "");
	if (c->ids && a->ntargets > 0 && store_action_targets(c->st, a->id, print_target, c, &c->why) < 0) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

/* cmd_audit - entry point */
int cmd_audit(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "ids", no_argument, NULL, 'i' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit_ctx c = { 0 };
	const char *db = NULL, *id = NULL;
	long since = 30 * 86400;
	int opt, rc;

	optind = 0;	/* re-initialise getopt: options may follow the arguments */
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if ((since = duration_parse(optarg, 1)) < 0) {
				cli_error("actions: --since %s: %s (like 90m, 2h, 7d)", optarg, duration_problem(since));
				return EX_USAGE;
			}
			break;
		case 'i':
			c.ids = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(audit_usage, stdout);
			return cli_finish_output();
		default:
			fputs(audit_usage, stderr);
			return EX_USAGE;
		}
	}
	if (argc - optind > 1) {
		fputs(audit_usage, stderr);
		return EX_USAGE;
	}
	if (optind < argc)
		id = argv[optind];
	if ((c.st = cli_open_store(cli, db, &c.why)) == NULL) {
		cli_error("%s", c.why.text);
		return EX_NOINPUT;
	}
	printf("%-25s %-10s %-10s %-27s %4s %7s  %s\n", "TIME", "USER", "ACTION", "OUTCOME", "RC", "IDS", "TARGET");
	if (store_actions(c.st, time(NULL) - since, id, print_action, &c, &c.why) < 0 || c.failed) {
		cli_error("actions: %s", c.why.text);
		store_close(c.st);
		return EX_IOERR;
	}
	store_close(c.st);
	rc = cli_finish_output();
	return rc;
}
