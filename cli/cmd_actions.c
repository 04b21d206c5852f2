/* cmd_actions - `mqmon retry|hold|release|delete|requeue|throttle|unthrottle|throttles`
 *
 * Headless operator actions on the MTA instance at -c DIR, through
 * core/actions and core/throttle (argv commands, never a shell). IDs come
 * from the arguments, or from standard input (one per line) when '-' is the
 * only argument; either way each one is validated and a single bad one
 * refuses the whole request. delete needs --yes. --read-only (or
 * read_only = yes in the configuration) refuses every change with exit 77.
 * Each run first removes expired throttles. The audit trail goes to the
 * store (--db FILE or the default path); when it cannot be opened the
 * action still runs, with a warning.
 *
 * Exit status: 0 done, 64 usage or invalid ID/domain, 65 a NUL byte in the IDs on
 * standard input, 69 the MTA command
 * failed (its stderr is printed), 74 the map could not be written,
 * 77 read-only, 78 the MTA not set up for throttles (mqmon throttle --setup; for Exim
 * also when --setup --apply leaves a line to add to the Exim configuration).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cli/cli.h"
#include "core/mta/actions.h"
#include "core/base/duration.h"
#include "core/mta/mta.h"
#include "core/queue/qsource.h"
#include "core/history/store.h"
#include "core/mta/throttle.h"
#include "core/fleet/fleet.h"

#include <jansson.h>

static const char action_usage[] =
	"usage: mqmon [-c DIR] retry|hold|release|requeue [--read-only] [--db FILE]\n"
	"                      [--format text|json] ID... | -\n"
	"       mqmon [-c DIR] delete --yes [--read-only] [--db FILE] [--format text|json]\n"
	"                      ID... | -\n"
	"  '-' as the only argument reads the IDs from standard input, one per line.\n"
	"  --format json: one object saying what was done to which IDs and the exit status.\n";

static const char throttle_usage[] =
	"usage: mqmon [-c DIR] throttle DOMAIN --slow|--pause [--for DURATION]\n"
	"                      [--read-only] [--db FILE]\n"
	"       mqmon [-c DIR] throttle --setup [--apply] [--reload]\n"
	"       mqmon [-c DIR] unthrottle DOMAIN [--read-only] [--db FILE]\n"
	"       mqmon [-c DIR] throttles [--expire] [--db FILE]\n";

/* what every command here shares: the instance's parameters, store, prefix, context */
struct act_env {
	struct mta_params params;
	struct store *store;
	char **prefix;
	struct strlist warnings;
	struct action_ctx ctx;
};

/* exit_code - the sysexits code for an action error */
static int exit_code(enum action_error e)
{
	switch (e) {
	case ACTION_E_NONE:
		return EX_OK;
	case ACTION_E_INVALID:
		return EX_USAGE;
	case ACTION_E_READ_ONLY:
		return EX_NOPERM;
	case ACTION_E_CONFIG:
		return EX_CONFIG;
	case ACTION_E_IO:
		return EX_IOERR;
	case ACTION_E_NOT_QUEUED:	/* not in the queue: nothing (or less) done */
	case ACTION_E_UNSUPPORTED:
	case ACTION_E_MTA:
	default:
		return EX_UNAVAILABLE;
	}
}

/* show_warnings - print and forget the collected warnings */
static void show_warnings(struct act_env *env)
{
	size_t i;

	for (i = 0; i < env->warnings.n; i++)
		cli_error("warning: %s", env->warnings.v[i]);
	strlist_free(&env->warnings);
}

/* env_close - release what env_open set up */
static void env_close(struct act_env *env)
{
	show_warnings(env);
	if (env->store != NULL) {
		store_flush(env->store, NULL);
		store_close(env->store);
	}
	action_prefix_free(env->prefix);
	memset(env, 0, sizeof *env);
}

/* env_open - parameters of the instance at -c DIR, the store, the prefix; 0 or an EX_ code (message printed) */
static int env_open(struct cli *cli, struct act_env *env, const char *db, int read_only)
{
	const struct mta_params *params;
	char path[PATH_MAX];
	struct why why;

	memset(env, 0, sizeof *env);
	signal(SIGPIPE, SIG_IGN);	/* a command that stops reading its stdin must not kill us */
	/* the instance's configuration is absolute (postsuper, postqueue and exim insist) */
	if ((params = cli_params(cli, &why)) == NULL) {
		cli_error("%s", why.text);
		return EX_UNAVAILABLE;
	}
	env->params = *params;
	db = cli_db_path(cli, db);
	if (db == NULL && store_default_path(env->params.config_dir, path, sizeof path) == 0)
		db = path;
	if (db == NULL)
		cli_error("warning: no audit store path (set HOME or --db): actions are not audited");
	else if ((env->store = cli_open_store(cli, db, &why)) == NULL)
		cli_error("warning: cannot open the audit store %s: %s; the audit row could not be written", db,
			  why.text);
	env->prefix = action_prefix_parse(config_str(&cli->cfg, CFG_COMMAND_PREFIX));
	env->ctx.params = &env->params;
	env->ctx.store = env->store;
	env->ctx.read_only = read_only || config_num(&cli->cfg, CFG_READ_ONLY);
	env->ctx.prefix = env->prefix;
	env->ctx.user = NULL;
	env->ctx.warnings = &env->warnings;
	return 0;
}

/* expire - drop throttles whose time is up (every command here runs it first) */
static void expire(struct act_env *env)
{
	struct strlist removed = { 0 };
	struct why why;
	size_t i;

	if (throttle_expire(&env->ctx, time(NULL), &removed, &why) < 0)
		cli_error("warning: expiring throttles: %s", why.text);
	for (i = 0; i < removed.n; i++)
		cli_error("throttle of %s expired: removed", removed.v[i]);
	strlist_free(&removed);
}

/* read_ids - IDs from stdin, one per line (blank lines skipped, nothing else trimmed); -1 on a read
 * error, -2 when a line holds a NUL byte (*bad_line says which: the whole request is refused) */
static int read_ids(struct strlist *ids, size_t *bad_line)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		if (memchr(line, '\0', (size_t)n) != NULL) {	/* "ID\0ALL" would read as ID */
			*bad_line = lineno;
			free(line);
			return -2;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (strlist_add(ids, line) < 0) {
			free(line);
			return -1;
		}
	}
	free(line);
	return ferror(stdin) ? -1 : 0;
}

/* already_said - true when the error message already quotes all of the command's output */
static int already_said(const char *msg, const char *out)
{
	size_t n;
	char *trimmed;
	int said;

	if (out == NULL)
		return 1;
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		n--;
	if (n == 0 || (trimmed = strndup(out, n)) == NULL)
		return n == 0;
	said = strstr(msg, trimmed) != NULL;
	free(trimmed);
	return said;
}

/* print_output - what the MTA command said: all of it for up to 20 IDs, else its warnings and last line */
static void print_output(const char *out, size_t nids, FILE *fp)
{
	const char *p = out;

	while (p != NULL && *p) {
		size_t n = strcspn(p, "\n");
		int last = p[n] == '\0' || p[n + 1] == '\0';

		if (nids <= 20 || last || memmem(p, n, "warning:", 8) != NULL || memmem(p, n, "fatal:", 6) != NULL)
			fprintf(fp, "%.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

/* print_json - what an action did, as one JSON object: action, ids, ok, exit, error, output */
static void print_json(const char *verb, const struct strlist *ids, const struct action_result *res, int rc,
		       const char *error)
{
	json_t *o = json_pack("{s:s, s:[], s:b, s:i, s:I, s:I, s:o, s:s, s:b}", "action", verb, "ids", "ok", rc == 0,
			      "exit", rc, "commands", (json_int_t)res->nruns, "failed_ids", (json_int_t)res->nfailed,
			      "error", error != NULL ? json_string(error) : json_null(),
			      "output", res->output != NULL ? res->output : "", "audited", res->audited);
	size_t i;

	for (i = 0; i < ids->n; i++)
		json_array_append_new(json_object_get(o, "ids"), json_string(ids->v[i]));
	json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
	fflush(stdout);
}

/* cmd_action - retry, hold, release, delete, requeue (argv[0] names it) */
int cmd_action(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int kind = action_kind_from(argv[0]), yes = 0, read_only = 0, c, rc, json = 0;
	struct fleet *fl;
	const char *db = NULL;
	struct strlist ids = { 0 };
	struct action_result res;
	struct act_env env;
	struct why why;
	int i;

	if (kind < 0) {
		cli_error("unknown action '%s'", argv[0]);
		return EX_USAGE;
	}
	optind = 0;	/* re-initialise getopt: options may follow the arguments */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'y':
			yes = 1;
			break;
		case 'r':
			read_only = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				cli_error("%s: unknown format '%s' (text or json)", argv[0], optarg);
				return EX_USAGE;
			}
			json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			fputs(action_usage, stdout);
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			fputs(action_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("%s: no queue ID given ('-' reads them from standard input)", argv[0]);
		fputs(action_usage, stderr);
		return EX_USAGE;
	}
	if (kind == ACTION_DELETE && !yes) {
		cli_error("delete removes mail for good: add --yes to confirm (nothing deleted)");
		return EX_USAGE;
	}
	if (argc - optind == 1 && strcmp(argv[optind], "-") == 0) {
		size_t bad_line = 0;

		if ((rc = read_ids(&ids, &bad_line)) == -2) {
			cli_error("%s: line %zu of standard input holds a NUL byte: refused, nothing done", argv[0],
				  bad_line);
			strlist_free(&ids);
			return EX_DATAERR;
		}
		if (rc < 0) {
			cli_error("%s: error reading queue IDs from standard input", argv[0]);
			strlist_free(&ids);
			return EX_IOERR;
		}
		if (ids.n == 0) {
			cli_error("%s: no queue ID on standard input: nothing done", argv[0]);
			strlist_free(&ids);
			return EX_USAGE;
		}
	} else {
		for (i = optind; i < argc; i++)
			strlist_add(&ids, argv[i]);
	}
	if ((rc = cli_fleet(cli, &fl)) != 0) {
		if (rc < 0)
			rc = cli->hosts.n > 0 ? EX_USAGE : EX_CONFIG;
		else if (read_only || config_num(&cli->cfg, CFG_READ_ONLY)) {
			cli_error("%s: read-only: nothing done on any host", argv[0]);
			rc = EX_NOPERM;
		} else
			rc = fleet_action(cli, fl, argv[0], ids.v, ids.n, yes, json);
		fleet_free(fl);
		strlist_free(&ids);
		return rc;
	}
	if ((rc = env_open(cli, &env, db, read_only)) != 0) {
		strlist_free(&ids);
		return rc;
	}
	expire(&env);
	if (action_run(&env.ctx, (enum action_kind)kind, ids.v, ids.n, &res, &why) < 0) {
		rc = exit_code(res.error);
		if (json)
			print_json(argv[0], &ids, &res, rc, why.text);
		else {
			cli_error("%s", why.text);
			if ((res.error == ACTION_E_MTA || res.error == ACTION_E_NOT_QUEUED)
			    && !already_said(why.text, res.output))
				print_output(res.output, res.nids, stderr);
		}
	} else if (json) {
		print_json(argv[0], &ids, &res, EX_OK, NULL);
		rc = cli_finish_output();
	} else {
		if (kind == ACTION_RETRY)
			printf("retry: %zu message%s scheduled for immediate delivery\n", res.nids,
			       res.nids == 1 ? "" : "s");
		print_output(res.output, res.nids, stdout);
		rc = cli_finish_output();
	}
	action_result_free(&res);
	strlist_free(&ids);
	env_close(&env);
	return rc;
}

/* on_fleet - with a fleet: argv's words (without the local --db and --read-only) on every host, *rc its
 * exit status, and 1; 0 without a fleet */
static int on_fleet(struct cli *cli, int argc, char **argv, int read_only, int *rc)
{
	char **words = calloc((size_t)argc + 1, sizeof *words);
	struct fleet *fl;
	int i, n = 0, f = cli_fleet(cli, &fl);

	if (f == 0 || words == NULL) {
		free(words);
		return 0;
	}
	if (f < 0)
		*rc = cli->hosts.n > 0 ? EX_USAGE : EX_CONFIG;
	else if (strcmp(argv[0], "throttles") != 0 && (read_only || config_num(&cli->cfg, CFG_READ_ONLY))) {
		cli_error("%s: read-only: nothing done on any host", argv[0]);
		*rc = EX_NOPERM;
	} else {
		for (i = 0; i < argc; i++) {
			if (strcmp(argv[i], "--read-only") == 0 || strncmp(argv[i], "--db=", 5) == 0)
				continue;
			if (strcmp(argv[i], "--db") == 0) {
				i++;
				continue;
			}
			words[n++] = argv[i];
		}
		*rc = fleet_throttle(cli, fl, words, n);
	}
	fleet_free(fl);
	free(words);
	return 1;
}

/* lower - fold an operator-typed domain to lower case in place */
static char *lower(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* cmd_throttle - slow or pause a domain, or the one-time --setup */
int cmd_throttle(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "slow", no_argument, NULL, 's' },
		{ "pause", no_argument, NULL, 'p' },
		{ "for", required_argument, NULL, 'f' },
		{ "setup", no_argument, NULL, 'S' },
		{ "apply", no_argument, NULL, 'a' },
		{ "reload", no_argument, NULL, 'R' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int mode = -1, setup = 0, apply = 0, reload = 0, read_only = 0, c, rc;
	const char *db = NULL;
	long secs = 0;
	enum action_error err;
	struct act_env env;
	struct why why;
	char *domain;

	optind = 0;	/* re-initialise getopt: options may follow the arguments */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 'p':
			if (mode >= 0 && mode != (c == 's' ? THROTTLE_SLOW : THROTTLE_PAUSE)) {
				cli_error("throttle: --slow or --pause, not both");
				return EX_USAGE;
			}
			mode = c == 's' ? THROTTLE_SLOW : THROTTLE_PAUSE;
			break;
		case 'f':
			if ((secs = duration_parse(optarg, 1)) <= 0) {
				cli_error("throttle: --for wants a duration such as 30m, 2h or 90s, not '%s'%s%s", optarg,
					  secs == DURATION_TOO_LONG ? ": " : "", secs == DURATION_TOO_LONG ? duration_problem(secs) : "");
				return EX_USAGE;
			}
			break;
		case 'S':
			setup = 1;
			break;
		case 'a':
			apply = 1;
			break;
		case 'R':
			reload = 1;
			break;
		case 'r':
			read_only = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(throttle_usage, stdout);
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			fputs(throttle_usage, stderr);
			return EX_USAGE;
		}
	}
	if (setup) {
		struct strlist report = { 0 };
		size_t i;

		if (optind < argc || mode >= 0 || secs) {
			cli_error("throttle --setup takes only --apply and --reload");
			return EX_USAGE;
		}
		if (reload && !apply) {
			cli_error("throttle --setup: --reload needs --apply");
			return EX_USAGE;
		}
		if (on_fleet(cli, argc, argv, read_only, &rc))
			return rc;
		if ((rc = env_open(cli, &env, db, read_only)) != 0)
			return rc;
		rc = throttle_setup(&env.ctx, apply, reload, &report, &err, &why);
		for (i = 0; i < report.n; i++)
			printf("%s\n", report.v[i]);
		strlist_free(&report);
		if (rc < 0) {
			fflush(stdout);
			cli_error("%s", why.text);
			rc = exit_code(err);
		} else {
			rc = cli_finish_output();
		}
		env_close(&env);
		return rc;
	}
	if (apply || reload) {
		cli_error("throttle: --apply and --reload go with --setup");
		return EX_USAGE;
	}
	if (optind + 1 != argc || mode < 0) {
		cli_error("throttle: one DOMAIN and --slow or --pause");
		fputs(throttle_usage, stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[optind], "ALL") == 0) {
		cli_error("throttle: 'ALL' is not a domain: throttles name one domain");
		return EX_USAGE;
	}
	domain = lower(argv[optind]);
	if (throttle_domain_valid(domain, &why) < 0) {
		cli_error("throttle: %s", why.text);
		return EX_USAGE;
	}
	if (on_fleet(cli, argc, argv, read_only, &rc))
		return rc;
	if ((rc = env_open(cli, &env, db, read_only)) != 0)
		return rc;
	expire(&env);
	if (throttle_set(&env.ctx, domain, (enum throttle_mode)mode, secs ? time(NULL) + secs : 0, &err,
			 &why) < 0) {
		cli_error("throttle: %s", why.text);
		rc = exit_code(err);
	} else {
		char d[32];

		printf("%s: %s%s%s\n", domain, mode == THROTTLE_PAUSE ? "paused (deferred without connecting)"
		       : "slowed (slow transport: one delivery at a time, 1 s apart)",
		       secs ? " for " : "", secs ? duration_format(d, sizeof d, secs) : "");
		if (throttle_note(&env.params, 0)[0] != '\0')
			puts(throttle_note(&env.params, 0));
		rc = cli_finish_output();
	}
	env_close(&env);
	return rc;
}

/* cmd_unthrottle - remove a domain's throttle */
int cmd_unthrottle(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "read-only", no_argument, NULL, 'r' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int read_only = 0, c, rc;
	const char *db = NULL;
	enum action_error err;
	struct act_env env;
	struct why why;
	char *domain;

	optind = 0;	/* re-initialise getopt: options may follow the arguments */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			read_only = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(throttle_usage, stdout);
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			fputs(throttle_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_error("unthrottle: one DOMAIN");
		return EX_USAGE;
	}
	domain = lower(argv[optind]);
	if (throttle_domain_valid(domain, &why) < 0) {
		cli_error("unthrottle: %s", why.text);
		return EX_USAGE;
	}
	if (on_fleet(cli, argc, argv, read_only, &rc))
		return rc;
	if ((rc = env_open(cli, &env, db, read_only)) != 0)
		return rc;
	expire(&env);
	rc = throttle_clear(&env.ctx, domain, &err, &why);
	if (rc < 0) {
		cli_error("unthrottle: %s", why.text);
		rc = exit_code(err);
	} else {
		printf(rc > 0 ? "%s: throttle removed\n" : "%s: was not throttled\n", domain);
		if (rc > 0 && throttle_note(&env.params, 1)[0] != '\0')
			puts(throttle_note(&env.params, 1));
		rc = cli_finish_output();
	}
	env_close(&env);
	return rc;
}

/* expire_due - the instance's throttle file has an entry whose time is up (read without asking the MTA when
 * the file's path does not depend on its parameters) */
static int expire_due(const struct mta_instance *inst)
{
	struct mta_params params;
	struct action_ctx ctx;
	struct throttle_file f;
	struct throttle_list l = { 0 };
	time_t now = time(NULL);
	struct why why;
	size_t i;
	int due = 0;

	memset(&params, 0, sizeof params);
	memset(&ctx, 0, sizeof ctx);
	params.backend = inst->backend;
	snprintf(params.config_dir, sizeof params.config_dir, "%s", inst->config);
	ctx.params = &params;
	/* a file known only from the MTA's parameters (Exim's hold_domains): the full run looks */
	if (throttle_file_of(&ctx, &f, NULL, &why) < 0 || f.path[0] == '\0')
		return 1;
	if (throttle_load(&ctx, &l, &why) < 0)
		return 1;	/* let the full run report it */
	for (i = 0; i < l.n; i++)
		if (l.v[i].until != 0 && l.v[i].until <= now)
			due = 1;
	throttle_list_free(&l);
	return due;
}

/* expire_only - `throttles --expire`, the job the expiry timer runs: nothing due is a quick exit 0 */
static int expire_only(struct cli *cli, const char *db)
{
	const struct mta_instance *inst = cli_instance(cli, NULL);
	struct strlist removed = { 0 };
	struct act_env env;
	struct why why;
	size_t i;
	int rc;

	if (inst != NULL && !expire_due(inst))
		return EX_OK;
	if ((rc = env_open(cli, &env, db, 0)) != 0)
		return rc;
	if (throttle_expire(&env.ctx, time(NULL), &removed, &why) < 0) {
		cli_error("throttles --expire: %s", why.text);
		rc = EX_UNAVAILABLE;
	} else {
		for (i = 0; i < removed.n; i++)
			printf("throttle of %s expired: removed\n", removed.v[i]);
		rc = cli_finish_output();
	}
	strlist_free(&removed);
	env_close(&env);
	return rc;
}

/* cmd_throttles - list the throttles with their expiry */
int cmd_throttles(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "expire", no_argument, NULL, 'e' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct throttle_list l = { 0 };
	const char *db = NULL;
	struct act_env env;
	struct why why;
	time_t now;
	size_t i;
	int c, rc, expire_flag = 0;

	optind = 0;	/* re-initialise getopt: options may follow the arguments */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			expire_flag = 1;
			break;
		case 'd':
			db = optarg;
			break;
		case 'h':
			fputs(throttle_usage, stdout);
			return cli_finish_output();
		default:
			cli_option_error(argv[0], argv, "h", longopts);
			fputs(throttle_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		cli_error("throttles: unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	if (expire_flag)
		return expire_only(cli, db);
	if (on_fleet(cli, argc, argv, 0, &rc))
		return rc;
	if ((rc = env_open(cli, &env, db, 0)) != 0)
		return rc;
	expire(&env);
	if (throttle_load(&env.ctx, &l, &why) < 0) {
		cli_error("throttles: %s", why.text);
		env_close(&env);
		return EX_DATAERR;
	}
	if (throttle_scan_log(&env.params, cli_log(cli, &why), &l, &why) < 0 && l.n > 0)
		cli_error("warning: %s: cannot tell whether %s applies the throttles yet", why.text,
			  env.params.backend->title);
	now = time(NULL);
	printf("%-30s %-6s %-12s %-20s %-20s %-10s %s\n", "DOMAIN", "MODE", "STATE", "SINCE", "UNTIL", "USER",
	       "ROUTE");
	for (i = 0; i < l.n; i++) {
		const struct throttle *t = &l.v[i];
		char since[32] = "-", until[40] = "-", left[24], value[512], state[48];
		struct tm tm;

		if (t->since && localtime_r(&t->since, &tm))
			strftime(since, sizeof since, "%Y-%m-%d %H:%M:%S", &tm);
		if (t->until) {
			snprintf(until, sizeof until, "in %s", duration_format(left, sizeof left, (long)(t->until - now)));
		}
		throttle_describe(&env.params, t, value, sizeof value);
		printf("%-30s %-6s %-12s %-20s %-20s %-10s %s\n", t->domain, throttle_mode_name(t->mode),
		       throttle_state_text(t, now, state, sizeof state), since, until, t->user[0] ? t->user : "-", value);
	}
	throttle_list_free(&l);
	rc = cli_finish_output();
	env_close(&env);
	return rc;
}
