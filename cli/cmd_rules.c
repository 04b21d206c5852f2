/* cmd_rules - `mqmon rules`: list the cause rules, check their samples, explain a
 * decision, or measure the rules against a labelled corpus of real replies */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli/cli.h"
#include "core/classify/corpus.h"
#include "core/base/sanitize.h"

#define RULES_USAGE \
	"usage: mqmon rules [--check] [FILE]\n" \
	"       mqmon rules --explain TEXT [--domain DOMAIN] [FILE]\n" \
	"       mqmon rules --eval [--in-sample] [--floor PCT] [--misses] CORPUS...\n"

/* percent - a share as a percentage (0 of 0 is 100) */
static double percent(size_t part, size_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

/* list_rules - one line per rule */
static void list_rules(const struct ruleset *rs)
{
	size_t i;

	printf("%-36s %-13s %-10s %6s  %s\n", "RULE", "CAUSE", "PROVIDER", "WEIGHT", "SOURCE");
	for (i = 0; i < rs->nrules; i++) {
		const struct rule *r = &rs->rules[i];

		printf("%-36s %-13s %-10s %6d  %s\n", r->name, cause_name(r->cause),
		       r->provider ? r->provider : "-", r->priority, r->source);
	}
}

/* check_rules - every rule's samples must select it */
static int check_rules(struct cli *cli)
{
	struct strlist errs = { 0 };
	const char *blocker;
	int failures, checked = 0;
	size_t i;

	failures = classifier_check_samples(cli->cl, &errs, &checked);
	for (i = 0; i < errs.n; i++)
		printf("FAIL %s\n", errs.v[i]);
	printf("%zu rules, %d samples checked, %d failures, %zu load errors\n", cli->rs.nrules,
	       checked, failures, cli->rs.errors.n);
	if ((blocker = classifier_cache_blocker(cli->cl)) != NULL)
		printf("note: verdicts are not cached (slower): fragment \"%s\" holds an ID-like token "
		       "(8+ characters, 3+ digits)\n", blocker);
	strlist_free(&errs);
	return (failures != 0 || cli->rs.errors.n != 0) ? EX_DATAERR : EX_OK;
}

/* explain - the evidence found in one reply text, every candidate rule and the winner */
static int explain(struct cli *cli, const char *text, const char *domain)
{
	struct reply_info *reply = malloc(sizeof *reply);
	struct explanation *ex = malloc(sizeof *ex);
	char line[512], dom[256];
	size_t i;

	if (reply == NULL || ex == NULL) {
		free(reply);
		free(ex);
		cli_error("out of memory");
		return EX_OSERR;
	}
	reply_parse(text, strlen(text), reply);
	classifier_explain(cli->cl, reply, NULL, domain, ex);
	sanitize_text(dom, sizeof dom, domain ? domain : "", domain ? strlen(domain) : 0);
	printf("reply:      %s\n", reply->text);
	printf("evidence:   kind %s, smtp %d, code %s, stage %s, host %s\n", reply_kind_name(reply->kind),
	       reply->smtp_code, reply->enhanced[0] ? reply->enhanced : "-",
	       reply->stage ? smtp_stage_name(reply->stage) : "-", reply->host[0] ? reply->host : "-");
	printf("provider:   %s (by %s%s%s)\n", ex->v.provider, ex->provider_by,
	       *dom ? ", recipient domain " : "", dom);
	printf("candidates: %zu rule%s held%s\n", ex->total, ex->total == 1 ? "" : "s",
	       ex->total > ex->n ? " (strongest shown)" : "");
	for (i = 0; i < ex->n; i++) {
		const struct evidence *e = &ex->items[i];

		printf("  %4d  %-12s %-32s %s\n", e->weight, cause_name(e->rule->cause), e->rule->name,
		       e->held);
	}
	printf("scores:    ");
	for (i = 0; i < CAUSE_COUNT; i++)
		if (ex->cause_score[i] > 0)
			printf(" %s %d", cause_name((enum cause)i), ex->cause_score[i]);
	printf("%s\n", ex->total ? "" : " none");
	explanation_line(ex, line, sizeof line);
	printf("verdict:    %s\n", line);
	printf("advice:     %s\n", ex->v.advice);
	free(reply);
	free(ex);
	return EX_OK;
}

/* print_result - accuracy per cause, confusion matrix, misses */
static void print_result(const char *title, const struct corpus_result *res, int misses)
{
	size_t i, j, n, right;

	printf("%s: cause %.1f%% (%zu/%zu), provider %.1f%% (%zu/%zu), unclassified %.1f%% (%zu)\n",
	       title, percent(res->right, res->n), res->right, res->n,
	       percent(res->provider_right, res->provider_n), res->provider_right, res->provider_n,
	       percent(res->unclassified, res->n), res->unclassified);
	printf("  %-13s %5s %5s %7s\n", "cause", "texts", "right", "share");
	for (i = 0; i < CAUSE_COUNT - 1; i++) {
		for (n = 0, j = 0; j < CAUSE_COUNT; j++)
			n += res->confusion[i][j];
		right = res->confusion[i][i];
		printf("  %-13s %5zu %5zu %6.1f%%\n", cause_name((enum cause)i), n, right, percent(right, n));
	}
	printf("  confusion (rows: label, columns: verdict; ra rate-limit, re reputation, au auth, pt ptr,\n"
	       "  tl tls, gr greylisting, co connections, sb server-busy, ct content, mf mailbox-full,\n"
	       "  po policy, ne network, un unclassified)\n  %-13s", "");
	for (j = 0; j < CAUSE_COUNT; j++) {
		static const char *const abbrev[CAUSE_COUNT] = { "ra", "re", "au", "pt", "tl", "gr", "co",
								 "sb", "ct", "mf", "po", "ne", "un" };
		printf(" %3s", abbrev[j]);
	}
	putchar('\n');
	for (i = 0; i < CAUSE_COUNT - 1; i++) {
		printf("  %-13s", cause_name((enum cause)i));
		for (j = 0; j < CAUSE_COUNT; j++)
			if (res->confusion[i][j])
				printf(" %3zu", res->confusion[i][j]);
			else
				printf(" %3s", ".");
		putchar('\n');
	}
	if (misses)
		for (i = 0; i < res->misses.n; i++)
			printf("  miss: %s\n", res->misses.v[i]);
}

/* evaluate - measure the rules on corpus files; below floor (percent, by source) is a failure */
static int evaluate(struct cli *cli, char **files, int nfiles, int in_sample, double floor, int misses)
{
	struct corpus corpus = { 0 };
	struct corpus_result by_source, all;
	struct why why;
	int i, rc = EX_OK;

	for (i = 0; i < nfiles; i++)
		if (corpus_load(&corpus, files[i], &why) < 0) {
			cli_error("%s", why.text);
			corpus_free(&corpus);
			return EX_NOINPUT;
		}
	for (i = 0; i < (int)corpus.errors.n; i++)
		cli_error("corpus: %s", corpus.errors.v[i]);
	if (corpus_evaluate(&cli->rs, &corpus, 1, &by_source, &why) < 0
	    || corpus_evaluate(&cli->rs, &corpus, 0, &all, &why) < 0) {
		cli_error("%s", why.text);
		corpus_free(&corpus);
		return EX_SOFTWARE;
	}
	printf("corpus: %zu texts from %zu sources in %d file%s; %zu rules\n", corpus.n, by_source.sources,
	       nfiles, nfiles == 1 ? "" : "s", cli->rs.nrules);
	print_result("leave-one-source-out", &by_source, misses && !in_sample);
	if (in_sample)
		print_result("in-sample (every rule)", &all, misses);
	else
		printf("in-sample (every rule): cause %.1f%%, provider %.1f%%, unclassified %.1f%%\n",
		       percent(all.right, all.n), percent(all.provider_right, all.provider_n),
		       percent(all.unclassified, all.n));
	if (corpus.errors.n > 0)
		rc = EX_DATAERR;
	if (floor > 0 && percent(by_source.right, by_source.n) < floor) {
		printf("FAIL: leave-one-source-out cause accuracy %.1f%% is below the floor %.1f%%\n",
		       percent(by_source.right, by_source.n), floor);
		rc = EX_DATAERR;
	}
	corpus_result_free(&by_source);
	corpus_result_free(&all);
	corpus_free(&corpus);
	return rc;
}

/* cmd_rules - entry point */
int cmd_rules(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "explain", required_argument, NULL, 'x' },
		{ "domain", required_argument, NULL, 'd' },
		{ "eval", no_argument, NULL, 'e' },
		{ "in-sample", no_argument, NULL, 'i' },
		{ "floor", required_argument, NULL, 'f' },
		{ "misses", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *text = NULL, *domain = NULL;
	int c, check = 0, eval = 0, in_sample = 0, misses = 0, rc;
	double floor = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			check = 1;
			break;
		case 'x':
			text = optarg;
			break;
		case 'd':
			domain = optarg;
			break;
		case 'e':
			eval = 1;
			break;
		case 'i':
			in_sample = 1;
			break;
		case 'm':
			misses = 1;
			break;
		case 'f':
			floor = strtod(optarg, &end);
			if (*end || end == optarg || floor < 0 || floor > 100) {
				cli_error("rules: --floor takes a percentage from 0 to 100");
				return EX_USAGE;
			}
			break;
		case 'h':
			fputs(RULES_USAGE, stdout);
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			return EX_USAGE;
		}
	}
	if (check + eval + (text != NULL) > 1) {
		cli_error("rules: --check, --explain and --eval go one at a time");
		return EX_USAGE;
	}
	if (eval && optind >= argc) {
		cli_error("rules: --eval needs corpus files (tests/corpus/*.tsv)");
		return EX_USAGE;
	}
	if (!eval && optind < argc)
		cli->rules_override = argv[optind];
	if (!eval && optind + 1 < argc) {
		cli_error("rules: one FILE at most");
		return EX_USAGE;
	}
	if ((rc = cli_load_classifier(cli)) != 0)
		return rc;
	if (eval)
		rc = evaluate(cli, argv + optind, argc - optind, in_sample, floor, misses);
	else if (text != NULL)
		rc = explain(cli, text, domain);
	else if (check)
		rc = check_rules(cli);
	else
		list_rules(&cli->rs);
	c = cli_finish_output();
	return c != EX_OK ? c : rc;
}
