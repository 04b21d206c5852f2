/* cmd_tui - `mqmon` (no command) or `mqmon console`: open the operator console */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/base/duration.h"
#include "core/fleet/fleet.h"
#include "tui/tui.h"

static const char console_usage[] =
	"usage: mqmon [-c DIR] [console] [--theme NAME|FILE] [--ascii] [--no-color]\n"
	"                      [--read-only] [--log FILE]... [--db FILE]\n"
	"                      [--source auto|spool|listing] [--no-cache]\n"
	"       mqmon [--host HOST]... [console] ...   the fleet console: every host's\n"
	"                      queue over ssh ([fleet] hosts, or --host repeated)\n"
	"--no-cache: read every queue file at start instead of showing the model cache\n"
	"kept beside the history (marked \"as of HH:MM:SS, verifying\" until checked).\n";

static char reload_path[4096];
static int read_only_flag;	/* --read-only: a reload cannot lift it */
static const char *rules_override;	/* --rules: a reload keeps it */

/* rules loaded by reloads, newest first: a model on screen (and the strings it
 * holds) may point into any of them, so they live until a model built with
 * newer rules replaces it (rules_in_use) or the console ends */
struct rules_gen {
	struct ruleset rs;
	struct classifier *cl;
	struct rules_gen *next;
};
static struct rules_gen *rules_gens;

/* reload_rules - the shipped and operator rules again, into opt->source.cl; -1 with a message in err */
static int reload_rules(const struct config *cfg, struct tui_options *opt, char *err, unsigned long errsz)
{
	const char *extra = rules_override ? rules_override : config_str(cfg, CFG_RULES_FILE);
	struct rules_gen *g = calloc(1, sizeof *g);
	struct why why;

	if (g == NULL) {
		snprintf(err, errsz, "rules: out of memory");
		return -1;
	}
	if (cli_compile_rules(extra, &g->rs, &g->cl, &why) < 0) {
		snprintf(err, errsz, "rules: %s", why.text);
		ruleset_free(&g->rs);
		free(g);
		return -1;	/* the rules in use stay */
	}
	if (g->rs.errors.n > 0)	/* like at start: the rule is skipped, the operator told */
		snprintf(err, errsz, "rules: %s", g->rs.errors.v[0]);
	g->next = rules_gens;
	rules_gens = g;
	opt->source.cl = g->cl;
	return 0;
}

/* rules_gens_free_list - release the rule sets from g on */
static void rules_gens_free_list(struct rules_gen *g)
{
	struct rules_gen *next;

	for (; g != NULL; g = next) {
		next = g->next;
		classifier_free(g->cl);
		ruleset_free(&g->rs);
		free(g);
	}
}

/* rules_gens_free - release the rules of every reload (the console has ended) */
static void rules_gens_free(void)
{
	rules_gens_free_list(rules_gens);
	rules_gens = NULL;
}

/* rules_in_use - the model on screen uses cl: the rule sets loaded before it can go */
static void rules_in_use(const struct classifier *cl)
{
	struct rules_gen *g;

	for (g = rules_gens; g != NULL && g->cl != cl; g = g->next)
		;
	if (g == NULL)
		return;		/* the rules of the start (the caller's), or not a reload's */
	rules_gens_free_list(g->next);
	g->next = NULL;
}

/* reload_config - SIGHUP in the console: read the configuration file and the rules again */
static int reload_config(struct tui_options *opt, char *err, unsigned long errsz)
{
	static struct config cfg;	/* the strings handed to opt live until the next reload */
	struct why why;

	config_free(&cfg);
	config_init(&cfg);
	if (reload_path[0] && config_load(&cfg, reload_path, &why) < 0) {
		snprintf(err, errsz, "%s", why.text);
		return -1;
	}
	if (cfg.errors.n > 0) {
		snprintf(err, errsz, "%s", cfg.errors.v[0]);
		/* a failed reload changes nothing, except that a read_only it could not parse still turns actions off */
		if (config_num(&cfg, CFG_READ_ONLY))
			opt->read_only = 1;
		return -1;
	}
	opt->theme = config_str(&cfg, CFG_THEME);
	opt->read_only = read_only_flag || (int)config_num(&cfg, CFG_READ_ONLY);
	opt->refresh_interval = config_num(&cfg, CFG_REFRESH_INTERVAL);
	opt->expiry_warning = config_num(&cfg, CFG_EXPIRY_WARNING);
	opt->osc52 = (int)config_num(&cfg, CFG_OSC52);
	opt->mouse = (int)config_num(&cfg, CFG_MOUSE);
	opt->columns = config_str(&cfg, CFG_COLUMNS);
	return reload_rules(&cfg, opt, err, errsz);
}

/* cmd_tui - entry point */
int cmd_tui(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "theme", required_argument, NULL, 't' },
		{ "ascii", no_argument, NULL, 'a' },
		{ "no-color", no_argument, NULL, 'n' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "source", required_argument, NULL, 's' },
		{ "db", required_argument, NULL, 'd' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct tui_options opt = { 0 };
	const char *nc = getenv("NO_COLOR");
	char host[256] = "";
	struct mta_instance *inst;
	struct why why;
	int c, rc, src, no_cache = 0;

	opt.theme = config_str(&cli->cfg, CFG_THEME);
	opt.read_only = (int)config_num(&cli->cfg, CFG_READ_ONLY);
	opt.command_prefix = config_str(&cli->cfg, CFG_COMMAND_PREFIX);
	opt.db = cli_db_path(cli, NULL);
	snprintf(reload_path, sizeof reload_path, "%s", cli->cfg.path ? cli->cfg.path : "");
	opt.reload = reload_config;
	opt.rules_in_use = rules_in_use;
	opt.retention = config_rejected(&cli->cfg, CFG_RETENTION) ? 0 : config_num(&cli->cfg, CFG_RETENTION);
	opt.no_color = nc != NULL && *nc != '\0';
	opt.refresh_interval = config_num(&cli->cfg, CFG_REFRESH_INTERVAL);
	opt.expiry_warning = config_num(&cli->cfg, CFG_EXPIRY_WARNING);
	opt.osc52 = (int)config_num(&cli->cfg, CFG_OSC52);
	opt.mouse = (int)config_num(&cli->cfg, CFG_MOUSE);
	opt.columns = config_str(&cli->cfg, CFG_COLUMNS);
	opt.config_errors = &cli->cfg.errors;
	opt.source.use_log = 1;
	opt.source.source = SNAPSHOT_AUTO;
	if (*config_str(&cli->cfg, CFG_MTA_LOG))
		snprintf(opt.source.logs[opt.source.nlogs++], sizeof opt.source.logs[0], "%s",
			 config_str(&cli->cfg, CFG_MTA_LOG));
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			opt.theme = optarg;
			break;
		case 'a':
			opt.ascii = 1;
			break;
		case 'd':
			opt.db = optarg;
			break;
		case 'N':
			no_cache = 1;
			break;
		case 'n':
			opt.no_color = 1;
			break;
		case 'r':
			opt.read_only = 1;
			read_only_flag = 1;
			break;
		case 'l':
			if (cli_add_log(&opt.source, optarg, "console") < 0)
				return EX_USAGE;
			break;
		case 's':
			if (cli_parse_source(optarg, &src) < 0)
				return EX_USAGE;
			opt.source.source = (enum snapshot_source)src;
			break;
		case 'h':
			fputs(console_usage, stdout);
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			fputs(console_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	{
		/* a fleet: the fleet console (every host's stream over ssh, tui/fleet_ui.c), no local instance */
		struct fleet *fl;
		int f = cli_fleet(cli, &fl);

		if (f < 0)
			return cli->hosts.n > 0 ? EX_USAGE : EX_CONFIG;
		if (f > 0) {
			if ((rc = cli_load_classifier(cli)) != 0) {
				fleet_free(fl);
				return rc;
			}
			opt.source.cl = cli->cl;	/* the causes' advice; each host's own rules classify its mail */
			snprintf(host, sizeof host, "fleet");
			opt.host = host;
			opt.fleet = fl;
			rc = tui_run(&opt);
			fleet_free(fl);
			return rc;
		}
	}
	if ((rc = cli_load_classifier(cli)) != 0)
		return rc;
	opt.source.cl = cli->cl;
	rules_override = cli->rules_override;
	if ((inst = cli_instance(cli, &why)) == NULL) {
		cli_error("%s", why.text);
		return EX_UNAVAILABLE;
	}
	opt.source.backend = inst->backend;
	cli_cache_path(cli, opt.db, no_cache, opt.source.cache, sizeof opt.source.cache);
	snprintf(opt.source.config_dir, sizeof opt.source.config_dir, "%s", inst->config);	/* absolute */
	snprintf(opt.source.binary, sizeof opt.source.binary, "%s", inst->binary);
	gethostname(host, sizeof host - 1);
	opt.host = host;
	if (!inst->backend->detect(opt.source.config_dir)) {
		cli_error("no %s configuration at %s (use -c PATH)", inst->backend->title, opt.source.config_dir);
		return EX_UNAVAILABLE;
	}
	rc = tui_run(&opt);
	rules_gens_free();
	return rc;
}
