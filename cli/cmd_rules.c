/* cmd_rules - `mqmon rules`: list the cause rules, or check their samples */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"

/* cmd_rules - entry point */
int cmd_rules(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct strlist errs = { 0 };
	int c, check = 0, rc, failures, checked = 0;
	size_t i;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			check = 1;
			break;
		case 'h':
			puts("usage: mqmon rules [--check] [FILE]");
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			return EX_USAGE;
		}
	}
	if (optind < argc)
		cli->rules_override = argv[optind];
	if (optind + 1 < argc) {
		cli_error("rules: one FILE at most");
		return EX_USAGE;
	}
	if ((rc = cli_load_classifier(cli)) != 0)
		return rc;
	if (!check) {
		printf("%-36s %-13s %-10s %5s  %s\n", "RULE", "CAUSE", "PROVIDER", "PRIO", "SOURCE");
		for (i = 0; i < cli->rs.nrules; i++) {
			const struct rule *r = &cli->rs.rules[i];

			printf("%-36s %-13s %-10s %5d  %s\n", r->name, cause_name(r->cause),
			       r->provider ? r->provider : "-", r->priority, r->source);
		}
		return cli_finish_output();
	}
	failures = classifier_check_samples(cli->cl, &errs, &checked);
	for (i = 0; i < errs.n; i++)
		printf("FAIL %s\n", errs.v[i]);
	printf("%zu rules, %d samples checked, %d failures, %zu load errors\n", cli->rs.nrules,
	       checked, failures, cli->rs.errors.n);
	strlist_free(&errs);
	rc = cli_finish_output();
	if (rc != EX_OK)
		return rc;
	return (failures != 0 || cli->rs.errors.n != 0) ? EX_DATAERR : EX_OK;
}
