/* cli - shared state of mqmon's command-line front end
 *
 * main.c parses the global options (configuration, rules, -c) and
 * dispatches to one cmd_* function per subcommand. Each command parses its
 * own options and returns a sysexits(3) exit code.
 */
#ifndef MQMON_CLI_H
#define MQMON_CLI_H

#include "core/classify/classify.h"
#include "core/base/config.h"
#include "core/classify/rules.h"
#include "core/mta/instance.h"

struct cli {
	const char *prog;
	struct config cfg;
	const char *rules_override;	/* --rules FILE */
	struct ruleset rs;
	struct classifier *cl;
	int store_fault;		/* enum store_fault of the last failed cli_catch_up (0: none) */
	struct mta_instance inst;	/* built once, on first use (cli_instance) */
	int inst_built;			/* 1 built, -1 no MTA matched (inst_why says why) */
	struct why inst_why;
	struct strlist hosts;		/* --host, repeated: the fleet (over [fleet] hosts) */
	int no_fleet;			/* --no-fleet: this host's instance even with [fleet] set */
};

/* cli_instance - the MTA instance of -c/--mta and the configuration, built on first use; NULL with why
 * when no MTA matches (its parameters may still be missing: mta_instance_params) */
struct mta_instance *cli_instance(struct cli *cli, struct why *why);

/* cli_params - the instance's parameters; NULL with why when there is no instance or they cannot be read */
const struct mta_params *cli_params(struct cli *cli, struct why *why);

/* cli_compile_rules - the shipped rules then extra (NULL or "" for none) into rs, compiled into *cl;
 * rule errors stay in rs->errors; 0, -1 (a file could not be read or parsed, or the rules exceed a
 * limit: a configuration error) or -2 (compiling failed: out of memory) with why;
 * rs needs ruleset_free in every case */
int cli_compile_rules(const char *extra, struct ruleset *rs, struct classifier **cl, struct why *why);

/* cli_load_classifier - load shipped and operator rules, compile them; 0 or an EX_ code (message printed) */
int cli_load_classifier(struct cli *cli);

/* cli_parse_source - "auto", "spool" or "postqueue" into *source (an enum snapshot_source); -1 with a message */
int cli_parse_source(const char *name, int *source);

struct store;

/* cli_db_path - the history database: override (--db), else the configured one, else the instance's own
 * (core/history store_default_path for -c: one history per MTA instance), NULL when there is none */
const char *cli_db_path(struct cli *cli, const char *override);

/* cli_cache_path - the model cache beside the history db (NULL: cli_db_path's) into buf, "" when
 * there is none (no_cache: --no-cache, or [mqmon] cache = no) */
void cli_cache_path(struct cli *cli, const char *db, int no_cache, char *buf, size_t n);

/* cli_open_store - open the history; NULL with why */
struct store *cli_open_store(struct cli *cli, const char *override, struct why *why);

/* cli_prune_store - after a command's work succeeded: delete what is older than the retention
 * (nothing when it is 0 or the configured value was refused); NULL-safe */
void cli_prune_store(const struct cli *cli, struct store *st);

/* cli_store_exit - the sysexits code for a failed history write: 75 the database was locked
 * (busy), 73 it cannot be written (read-only), 74 disk full or another I/O error */
int cli_store_exit(int fault);

/* cli_log - the log a command reads when given none: [mta] log, else the instance's own; NULL with why */
const char *cli_log(struct cli *cli, struct why *why);

struct qsource_config;

/* cli_add_log - a --log FILE for cmd's model; -1 (said) when there are already QSOURCE_MAX_LOGS */
int cli_add_log(struct qsource_config *cfg, const char *path, const char *cmd);

/* cli_log_path - the configured [mta] log, NULL when not set */
const char *cli_log_path(const struct cli *cli);

/* cli_catch_up - store what the logs (none given: [mta] log, else the instance's log) hold past the
 * saved positions, the whole files the first time; lines read into *lines (may be NULL); 0, 1 when there
 * is no log to read, 2 when another process stores them already (why says who; nothing read), -1 with why */
int cli_catch_up(struct cli *cli, struct store *st, char **files, int nfiles, long *lines, struct why *why);

/* cli_error - print "mqmon: message" to stderr, every line sanitized (arguments echoed in it carry no escapes) */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct option;

/* cli_option_error - say which option getopt_long refused (opterr is 0: getopt would echo it raw) */
void cli_option_error(const char *cmd, char **argv, const char *optstring, const struct option *longopts);

/* cli_finish_output - flush stdout; EX_IOERR (with a message) when writing failed */
int cli_finish_output(void);

struct qmodel;

#define CLI_MODEL_NO_CACHE 1	/* cli_build_model: --no-cache */
#define CLI_MODEL_VERBOSE 2	/* cli_build_model: --verbose (the model cache's notes) */

/* cli_build_model - load params, snapshot and join logs; NULL with exitcode set; mta (may be NULL) gets
 * whether the MTA runs (enum mta_state), also when the build failed; flags: CLI_MODEL_* */
struct qmodel *cli_build_model(struct cli *cli, int source, char **logs, int nlogs, int use_log,
			       int *exitcode, int *mta, int flags);

int cmd_classify(struct cli *cli, int argc, char **argv);
int cmd_snapshot(struct cli *cli, int argc, char **argv);
int cmd_stream(struct cli *cli, int argc, char **argv);
int cmd_tui(struct cli *cli, int argc, char **argv);
int cmd_report(struct cli *cli, int argc, char **argv);
int cmd_ingest(struct cli *cli, int argc, char **argv);
int cmd_rules(struct cli *cli, int argc, char **argv);
/* operator actions (cmd_actions.c): retry|hold|release|delete|requeue share cmd_action */
int cmd_action(struct cli *cli, int argc, char **argv);
int cmd_throttle(struct cli *cli, int argc, char **argv);
int cmd_unthrottle(struct cli *cli, int argc, char **argv);
int cmd_throttles(struct cli *cli, int argc, char **argv);
/* the fleet (cmd_fleet.c) */
struct fleet;
/* cli_fleet - the fleet of --host, else [fleet] hosts and hosts_file (none with --no-fleet) into *fleet;
 * 1 when there is one, 0 when not, -1 (message printed) when a host name or the hosts file is refused */
int cli_fleet(struct cli *cli, struct fleet **fleet);
/* fleet_snapshot - every host's snapshot merged (JSON only: fmt an enum snapshot_format) on stdout or out;
 * an exit status */
int fleet_snapshot(struct cli *cli, struct fleet *fl, int fmt, const char *out);
/* fleet_action - verb on each ID at the host that holds it (json: one object); an exit status */
int fleet_action(struct cli *cli, struct fleet *fl, const char *verb, char **ids, size_t nids, int yes, int json);
/* fleet_throttle - the throttle command words[0..nwords) on every host, each host's answer; an exit status */
int fleet_throttle(struct cli *cli, struct fleet *fl, char **words, int nwords);
/* the audit trail (cmd_audit.c) */
int cmd_audit(struct cli *cli, int argc, char **argv);

#endif
