/* main - mqmon's entry point: global options and subcommand dispatch
 *
 * `mqmon [global options] COMMAND [options] [args]`. Global options select
 * the configuration file, the rules file and the Postfix configuration
 * directory; each COMMAND is a cmd_*() function in its own file.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli/cli.h"
#include "core/base/duration.h"
#include "core/base/memtune.h"
#include "core/history/store.h"
#include "core/history/ingest.h"
#include "core/mta/mta.h"
#include "core/queue/qcache.h"
#include "core/queue/qsource.h"
#include "core/base/sanitize.h"
#include "tui/columns.h"
#include "core/mta/registry.h"

static const char usage_text[] =
	"usage: mqmon [global options] [COMMAND] [options] [args]\n"
	"\n"
	"With no COMMAND (or with `console`), mqmon opens the operator console on the\n"
	"MTA instance at -c PATH (Postfix or Exim): deferrals by cause, provider and\n"
	"domain, the queue with live retry countdowns, message details (console --help\n"
	"for its options).\n"
	"\n"
	"Commands:\n"
	"  classify [--stats] [LOG...]       one TSV line per deferral: time, queue_id,\n"
	"                                    recipient, dsn, cause, provider, text\n"
	"  classify --follow [--db FILE] [LOG...]\n"
	"                                    the same for new lines as the MTA writes\n"
	"                                    them, stored in the history; resumes where\n"
	"                                    it stopped\n"
	"  report [--format text|json] [LOG...]\n"
	"  report --since DURATION [--db FILE] [--format text|json] [LOG...]\n"
	"                                    deferrals grouped cause -> provider ->\n"
	"                                    domain (--since: from the history, caught up\n"
	"                                    first)\n"
	"  ingest [--db FILE] [LOG...]       store what the logs hold since the last run\n"
	"                                    (the whole files the first time) and exit;\n"
	"                                    nothing while a console or a follower stores\n"
	"                                    them\n"
	"  snapshot [--format json|csv|prom] [-o FILE] [--source auto|spool|listing]\n"
	"           [--log FILE]... [--no-log] [--no-cache] [--verbose]\n"
	"                                    the live queue model of the instance (with\n"
	"                                    a fleet: every host's, JSON, a \"host\" on\n"
	"                                    every message)\n"
	"  stream [--once] [--source S] [--log FILE]... [--no-log] [--no-cache]\n"
	"                                    the model as JSON lines: a hello line, the\n"
	"                                    whole model, then its changes and heartbeats\n"
	"                                    (what a fleet console reads over ssh)\n"
	"  rules [--check] [FILE]            list the cause rules; --check classifies\n"
	"                                    every rule's samples (FILE: an operator\n"
	"                                    rules file)\n"
	"  rules --explain TEXT [--domain D] how the cause of one reply is decided\n"
	"  rules --eval [--misses] [--floor PCT] CORPUS...\n"
	"                                    measure the rules on labelled replies\n"
	"  retry|hold|release|requeue [--read-only] [--db FILE] [--format text|json]\n"
	"                                    ID... | -\n"
	"  delete --yes [--read-only] [--db FILE] [--format text|json] ID... | -\n"
	"                                    act on queued mail (- : IDs from stdin, one\n"
	"                                    per line); every action is audited in the\n"
	"                                    store; with a fleet, on the host that holds\n"
	"                                    each ID\n"
	"  throttle DOMAIN --slow|--pause [--for DURATION] [--read-only] [--db FILE]\n"
	"  throttle --setup [--apply] [--reload]\n"
	"  unthrottle DOMAIN [--read-only] [--db FILE]\n"
	"  throttles                         slow down or pause a domain (Postfix:\n"
	"                                    mqmon's transport map; Exim: pause only,\n"
	"                                    the file hold_domains names); list them\n"
	"  actions [--since DURATION] [--ids] [--db FILE] [QUEUE_ID]\n"
	"                                    the audit trail, newest first; --ids: every\n"
	"                                    queue ID each action named\n"
	"\n"
	"LOG is a Postfix or Exim log file; with none, or '-', classify and report read\n"
	"standard input (--follow, --since and ingest use [mta] log, else the instance's\n"
	"log). --source listing: the MTA's listing command (postqueue -j, exim -bp).\n"
	"--no-cache: read every queue file instead of the model cache kept beside the\n"
	"history (only the files that changed since the last run are read; [mqmon]\n"
	"cache); --verbose: say when the cache was ignored or cannot be written.\n"
	"DURATION: a number of seconds or 90s, 30m, 2h, 7d, 1w (or 1h30m); at most\n"
	"3653d (10 years).\n"
	"\n"
	"Global options:\n"
	"  -c PATH           the MTA instance's configuration: a Postfix configuration\n"
	"                    directory (postqueue -c) or an Exim configuration file\n"
	"                    (default: [mta] config, else $MAIL_CONFIG for Postfix)\n"
	"  --mta NAME        postfix, exim or auto (default: the one -c names, else the\n"
	"                    one installed)\n"
	"  --config FILE     configuration file (default:\n"
	"                    $XDG_CONFIG_HOME/mqmon/mqmon.ini, ~/.config/mqmon/mqmon.ini,\n"
	"                    /etc/mqmon/mqmon.ini)\n"
	"  --rules FILE      operator rules file, loaded after the shipped rules\n"
	"  --dump-config     print the effective configuration and exit\n"
	"  --host HOST       a fleet host (an ssh destination or ~/.ssh/config alias),\n"
	"                    repeated for more; over [fleet] hosts. With a fleet and no\n"
	"                    command: the fleet console (every host's queue over ssh,\n"
	"                    a HOST column, :host NAME, the hosts view)\n"
	"  --no-fleet        this host's instance even when [fleet] hosts is set\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n"
	"\n"
	"Exit status: 0 success, 64 usage error, 65 bad data, 66 input not found,\n"
	"69 MTA command failed or MTA unavailable, 70 internal error, 71 system error,\n"
	"73 the history database cannot be created or written, 74 I/O error (also disk\n"
	"full), 75 the history database was locked by another process (try again),\n"
	"77 refused (read-only), 78 configuration error.\n"
	"With a fleet, 69 also when a host could not be reached or failed, or an ID is\n"
	"on no host (the other hosts' results are still printed).\n";

/* cli_catch_up - store what the logs hold past the saved positions; 0, 1 when no log, 2 when another
 * process stores them (who, in why), -1 with why */
int cli_catch_up(struct cli *cli, struct store *st, char **files, int nfiles, long *lines, struct why *why)
{
	struct ingest *in;
	char *defaults[1];
	const char *def;
	long n = 0;
	int rc = 0;

	if (nfiles == 0 && (def = cli_log(cli, why)) != NULL) {
		defaults[0] = (char *)def;
		files = defaults;
		nfiles = 1;
	}
	cli->store_fault = STORE_FAULT_NONE;
	if (nfiles == 0)
		return 1;
	if ((in = ingest_open(st, cli->cl, files, nfiles, INGEST_RESUME_OR_START, NULL, NULL, why)) == NULL)
		rc = -1;
	else if (ingest_standby(in) != NULL) {
		/* the console (or another run) keeps the history current */
		why_set(why, "%s", ingest_standby(in));
		rc = 2;
	} else if ((n = ingest_process(in, why)) < 0) {
		cli->store_fault = ingest_fault(in);
		rc = -1;
	}
	else if ((def = ingest_unreadable(in)) != NULL) {
		/* a follower waits for the file; a batch says so, without "(waiting)" */
		size_t len = strcspn(def, "(");

		while (len > 0 && def[len - 1] == ' ')
			len--;
		rc = why_set(why, "%.*s", (int)len, def);
	}
	ingest_close(in);
	if (lines != NULL)
		*lines = n < 0 ? 0 : n;
	return rc;
}

/* cli_error - print "mqmon: message" to stderr, every line sanitized (arguments echoed in it carry no escapes) */
void cli_error(const char *fmt, ...)
{
	char msg[4096], line[4096];
	const char *p = msg;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fputs("mqmon: ", stderr);
	for (;;) {
		size_t n = strcspn(p, "\n");

		sanitize_quote(line, sizeof line, p, n);
		fputs(line, stderr);
		fputc('\n', stderr);
		if (p[n] == '\0' || p[n + 1] == '\0')
			break;
		p += n + 1;
	}
}

/* cli_option_error - say which option getopt_long refused (opterr is 0: getopt would echo it raw) */
void cli_option_error(const char *cmd, char **argv, const char *optstring, const struct option *longopts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "", *sc;
	size_t len, i;
	int is_long = 0;

	if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
		len = strcspn(arg + 2, "=");
		is_long = optopt == 0;
		for (i = 0; !is_long && longopts[i].name != NULL; i++)
			is_long = longopts[i].val == optopt && strncmp(longopts[i].name, arg + 2, len) == 0;
		if (is_long) {
			if (optopt == 0)
				cli_error("%s: unknown or ambiguous option '--%.*s'", cmd, (int)len, arg + 2);
			else if (arg[2 + len] == '=')
				cli_error("%s: option '--%.*s' takes no value", cmd, (int)len, arg + 2);
			else
				cli_error("%s: option '--%.*s' needs a value", cmd, (int)len, arg + 2);
			return;
		}
	}
	sc = optopt > ' ' && optopt < 0x7f ? strchr(optstring, optopt) : NULL;
	if (sc != NULL && sc[1] == ':')
		cli_error("%s: option -%c needs a value", cmd, optopt);
	else
		cli_error("%s: unknown option -%c", cmd, optopt > ' ' && optopt < 0x7f ? optopt : '?');
}

/* cli_parse_source - "auto", "spool" or "listing" (older name "postqueue") into *source; -1 with a message */
int cli_parse_source(const char *name, int *source)
{
	if (strcmp(name, "auto") == 0)
		*source = SNAPSHOT_AUTO;
	else if (strcmp(name, "spool") == 0)
		*source = SNAPSHOT_SPOOL;
	else if (strcmp(name, "listing") == 0 || strcmp(name, "postqueue") == 0)
		*source = SNAPSHOT_LISTING;
	else {
		cli_error("unknown source '%s' (auto, spool or listing)", name);
		return -1;
	}
	return 0;
}

/* cli_db_path - the history database: override (--db), else the configured one, else the instance's own
 * (store_default_path for -c DIR), NULL when there is none */
const char *cli_db_path(struct cli *cli, const char *override)
{
	static char path[PATH_MAX];

	if (override != NULL)
		return override;
	if (*config_str(&cli->cfg, CFG_DB))
		return config_str(&cli->cfg, CFG_DB);
	if (cli_instance(cli, NULL) == NULL)
		return store_default_path(config_str(&cli->cfg, CFG_MTA_CONFIG), path, sizeof path) == 0 ? path : NULL;
	return store_default_path(cli->inst.config, path, sizeof path) == 0 ? path : NULL;
}

/* cli_cache_path - the model cache beside the history db, "" when there is none */
void cli_cache_path(struct cli *cli, const char *db, int no_cache, char *buf, size_t n)
{
	buf[0] = '\0';
	if (no_cache || !config_num(&cli->cfg, CFG_CACHE))
		return;
	if (db == NULL)
		db = cli_db_path(cli, NULL);
	if (db == NULL || qcache_path_for(db, buf, n) < 0)
		buf[0] = '\0';
}

/* cli_instance - the MTA instance, built on first use; NULL with why when no MTA matches */
struct mta_instance *cli_instance(struct cli *cli, struct why *why)
{
	if (cli->inst_built == 0)
		cli->inst_built = mta_instance_open(&cli->inst, config_str(&cli->cfg, CFG_MTA_TYPE),
						    config_str(&cli->cfg, CFG_MTA_CONFIG), config_str(&cli->cfg, CFG_MTA_BINARY),
						    &cli->inst_why) < 0 ? -1 : 1;
	if (cli->inst_built > 0)
		return &cli->inst;
	why_set(why, "%s", cli->inst_why.text);
	return NULL;
}

/* cli_params - the instance's parameters; NULL with why */
const struct mta_params *cli_params(struct cli *cli, struct why *why)
{
	struct mta_instance *inst = cli_instance(cli, why);

	return inst != NULL ? mta_instance_params(inst, why) : NULL;
}

/* cli_open_store - open the history; NULL with why */
struct store *cli_open_store(struct cli *cli, const char *override, struct why *why)
{
	return store_open(cli_db_path(cli, override), why);
}

/* cli_prune_store - after a command's work: delete what is older than the retention
 * (nothing when it is 0, or when the configured value was refused) */
void cli_prune_store(const struct cli *cli, struct store *st)
{
	long keep = config_num(&cli->cfg, CFG_RETENTION);

	if (st != NULL && keep > 0 && !config_rejected(&cli->cfg, CFG_RETENTION))
		store_prune(st, time(NULL) - keep, NULL);
}

/* cli_store_exit - the exit status for a history write that failed with fault (enum store_fault) */
int cli_store_exit(int fault)
{
	switch (fault) {
	case STORE_FAULT_BUSY:
		return EX_TEMPFAIL;	/* another process held the database: try again */
	case STORE_FAULT_READONLY:
		return EX_CANTCREAT;	/* the database cannot be written at all */
	default:
		return EX_IOERR;	/* disk full, I/O error, damaged file */
	}
}

/* cli_log - the log a command reads when given none: [mta] log, else the instance's own; NULL with why */
const char *cli_log(struct cli *cli, struct why *why)
{
	struct mta_instance *inst;
	const char *log;

	if (cli_log_path(cli) != NULL)
		return cli_log_path(cli);
	if ((inst = cli_instance(cli, why)) == NULL)
		return NULL;
	if ((log = mta_instance_log(inst, NULL)) == NULL)
		why_set(why, "no readable log for the %s instance %s", inst->backend->title, inst->config);
	return log;
}

/* cli_add_log - a --log FILE for cmd's model; -1 (said) when there are already QSOURCE_MAX_LOGS */
int cli_add_log(struct qsource_config *cfg, const char *path, const char *cmd)
{
	if (cfg->nlogs == QSOURCE_MAX_LOGS) {
		cli_error("%s: too many --log files (at most %d)", cmd, QSOURCE_MAX_LOGS);
		return -1;
	}
	snprintf(cfg->logs[cfg->nlogs++], sizeof cfg->logs[0], "%s", path);
	return 0;
}

/* cli_log_path - the configured [mta] log, NULL when not set */
const char *cli_log_path(const struct cli *cli)
{
	return *config_str(&cli->cfg, CFG_MTA_LOG) ? config_str(&cli->cfg, CFG_MTA_LOG) : NULL;
}

/* cli_finish_output - flush stdout; EX_IOERR (with a message) when writing failed */
int cli_finish_output(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("error writing output: %s", strerror(errno));
		return EX_IOERR;
	}
	return EX_OK;
}

/* cli_compile_rules - the shipped rules then extra (NULL or "" for none) into rs, compiled into *cl;
 * rule errors stay in rs->errors; 0, -1 (a file could not be read, or the rules exceed a limit) or
 * -2 (compiling failed: out of memory) with why;
 * rs needs ruleset_free in every case */
int cli_compile_rules(const char *extra, struct ruleset *rs, struct classifier **cl, struct why *why)
{
	ruleset_init(rs);
	if (ruleset_load(rs, rules_default_path(), why) < 0)
		return -1;
	if (extra != NULL && *extra && ruleset_load(rs, extra, why) < 0)
		return -1;
	errno = 0;
	if ((*cl = classifier_new(rs, why)) != NULL)
		return 0;
	return errno == E2BIG ? -1 : -2;	/* over a limit of the rules: a configuration error */
}

/* cli_load_classifier - load shipped and operator rules, compile them; 0 or an EX_ code */
int cli_load_classifier(struct cli *cli)
{
	const char *extra = cli->rules_override ? cli->rules_override
		: config_str(&cli->cfg, CFG_RULES_FILE);
	struct why why;
	size_t i;
	int rc;

	if (cli->cl != NULL)
		return 0;
	rc = cli_compile_rules(extra, &cli->rs, &cli->cl, &why);
	if (rc < 0) {
		cli_error("%s", why.text);
		return rc == -1 ? EX_CONFIG : EX_SOFTWARE;
	}
	for (i = 0; i < cli->rs.errors.n; i++)
		cli_error("rules: %s", cli->rs.errors.v[i]);
	return 0;
}

/* load_config - the configuration file, explicit or default */
static int load_config(struct cli *cli, const char *path)
{
	struct why why;
	size_t i;

	config_init(&cli->cfg);
	if (path == NULL)
		path = config_default_path();
	if (path != NULL && config_load(&cli->cfg, path, &why) < 0) {
		cli_error("%s", why.text);
		config_free(&cli->cfg);
		return EX_CONFIG;
	}
	for (i = 0; i < cli->cfg.errors.n; i++)
		cli_error("config: %s", cli->cfg.errors.v[i]);
	return 0;
}

/* say_migration - tell the operator why the first start after an upgrade takes a while */
static void say_migration(const char *path, int from, int to, int done)
{
	static struct timespec t0;
	struct timespec t1;

	if (!done) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		fprintf(stderr, "mqmon: converting the history %s from schema %d to %d (once; a large "
			"history takes a while) ...\n", path, from, to);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "mqmon: history conversion ended after %.1f s\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'C' },
		{ "mta", required_argument, NULL, 'M' },
		{ "rules", required_argument, NULL, 'R' },
		{ "dump-config", no_argument, NULL, 'D' },
		{ "host", required_argument, NULL, 'H' },
		{ "no-fleet", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} commands[] = {
		{ "classify", cmd_classify },
		{ "report", cmd_report },
		{ "ingest", cmd_ingest },
		{ "rules", cmd_rules },
		{ "retry", cmd_action },
		{ "hold", cmd_action },
		{ "release", cmd_action },
		{ "delete", cmd_action },
		{ "requeue", cmd_action },
		{ "throttle", cmd_throttle },
		{ "unthrottle", cmd_unthrottle },
		{ "throttles", cmd_throttles },
		{ "actions", cmd_audit },
		{ "snapshot", cmd_snapshot },
		{ "stream", cmd_stream },
		{ "console", cmd_tui },
	};
	struct cli cli = { .prog = "mqmon" };
	const char *config_path = NULL, *postfix_dir = NULL, *mta_type = NULL;
	int c, dump = 0, rc;
	size_t i;
	struct why why;

	static char outbuf[1 << 16];
	memtune_init();	/* big blocks (a large queue's tables) back to the system when freed */
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	/* display widths (report columns) of the UTF-8 text mqmon prints, whatever the locale says */
	if (setlocale(LC_CTYPE, "") == NULL || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
			setlocale(LC_CTYPE, "C");
	store_on_migration(say_migration);
	mta_registry_init();
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			postfix_dir = optarg;
			break;
		case 'C':
			config_path = optarg;
			break;
		case 'M':
			mta_type = optarg;
			break;
		case 'R':
			cli.rules_override = optarg;
			break;
		case 'D':
			dump = 1;
			break;
		case 'H':
			strlist_add(&cli.hosts, optarg);
			break;
		case 'N':
			cli.no_fleet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return cli_finish_output();
		case 'V':
			printf("mqmon %s\n", MQMON_VERSION);
			return cli_finish_output();
		default:
			/* a long option we do not know may be the console's (mqmon --ascii) */
			if (optind > 1 && strncmp(argv[optind - 1], "--", 2) == 0) {
				optind--;
				goto options_done;
			}
			fputs(usage_text, stderr);
			return EX_USAGE;
		}
	}
options_done:
	/* opterr stays 0: getopt's own messages echo a refused option raw (escape sequences and all);
	 * each command reports it through cli_option_error() */
	/* the console's column names are tui's: every command checks [console] columns with them */
	config_set_check(CFG_COLUMNS, columns_check);
	if ((rc = load_config(&cli, config_path)) != 0)
		return rc;
	if (postfix_dir != NULL && config_set(&cli.cfg, CFG_MTA_CONFIG, postfix_dir, &why) < 0) {
		cli_error("%s", why.text);
		return EX_USAGE;
	}
	if (mta_type != NULL && config_set(&cli.cfg, CFG_MTA_TYPE, mta_type, &why) < 0) {
		cli_error("%s", why.text);
		return EX_USAGE;
	}
	/* as Postfix's own commands do: MAIL_CONFIG names the instance when nothing else does (an ssh alias
	 * picks one with SetEnv MAIL_CONFIG=DIR) */
	if (*config_str(&cli.cfg, CFG_MTA_CONFIG) == '\0' && getenv("MAIL_CONFIG") != NULL && *getenv("MAIL_CONFIG")
	    && strcmp(config_str(&cli.cfg, CFG_MTA_TYPE), "exim") != 0
	    && config_set(&cli.cfg, CFG_MTA_CONFIG, getenv("MAIL_CONFIG"), &why) < 0) {
		cli_error("MAIL_CONFIG: %s", why.text);
		return EX_USAGE;
	}
	if (dump) {
		config_dump(&cli.cfg, stdout);
		rc = cli_finish_output();
		config_free(&cli.cfg);
		return rc;
	}
	if (optind >= argc || argv[optind][0] == '-') {
		/* no command: the console, with any options that follow */
		optind--;
		argv[optind] = "console";
	}
	rc = -1;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			char **sub = argv + optind;
			int subc = argc - optind;

			optind = 1;
			rc = commands[i].fn(&cli, subc, sub);
			break;
		}
	if (rc < 0) {
		cli_error("unknown command '%s' (try mqmon --help)", argv[optind]);
		rc = EX_USAGE;
	}
	classifier_free(cli.cl);
	ruleset_free(&cli.rs);
	config_free(&cli.cfg);
	strlist_free(&cli.hosts);
	return rc;
}
