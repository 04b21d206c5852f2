/* mta - the MTA contract: everything mqmon knows about one MTA, behind one table
 *
 * A struct mta_backend is the whole MTA (Postfix in core/postfix, Exim in
 * core/exim): how to find it and read its parameters, how to list its
 * queue (spool or listing command) and which spool directories to watch,
 * its log dialect (line parser, queue-ID grammar), the retry estimate when
 * no exact time is known, the argv of each operator action and how to read
 * its output, the throttle mechanism, and whether it runs. Nothing outside
 * the backends' folders names an MTA: callers reach the backend through
 * the instance's parameters (mta_params.backend, set by load_params) and
 * the registry (core/mta/registry: find by name, detect). The layering
 * check (tests/check-layering.sh) enforces it.
 *
 * Whether the MTA runs: `running` answers from what any user can see
 * cheaply (Postfix: the master's pid file under the queue directory and a
 * live process named master with that pid), often enough for a 1 Hz tick;
 * where it cannot tell (the pid file is root's), it says MTA_UNKNOWN and a
 * snapshot that the MTA refuses because it is down returns
 * MTA_SNAPSHOT_STOPPED instead of -1 (Postfix: postqueue's "mail system is
 * down").
 */
#ifndef MQMON_MTA_H
#define MQMON_MTA_H

#include <limits.h>
#include <stddef.h>
#include <time.h>

#include "core/base/vocab.h"	/* enum action_kind: the operator actions */
#include "core/base/why.h"
#include "core/log/logline.h"

struct idset;
struct mta_backend;
struct qcache;
struct qmodel;
struct qmsg;
struct mta_throttle_ops;

/* whether the MTA's daemons run (mta_backend.running, qmodel.mta_running) */
enum mta_state {
	MTA_UNKNOWN = -1,	/* cannot tell from here (not root) */
	MTA_STOPPED = 0,
	MTA_RUNNING = 1,
};

/* snapshot's return value when the MTA refused the listing because it is not running */
#define MTA_SNAPSHOT_STOPPED (-2)

enum snapshot_source {
	SNAPSHOT_AUTO,		/* the spool when readable, else the MTA's queue listing */
	SNAPSHOT_SPOOL,		/* read queue files directly (root) */
	SNAPSHOT_LISTING,	/* the MTA's listing command (postqueue -j, exim -bp) */
};

/* how an action's command takes its queue IDs */
enum mta_ids {
	MTA_IDS_UNSUPPORTED,	/* the MTA has no such action */
	MTA_IDS_EACH,		/* one run per ID, the ID as the last word (postqueue -i ID) */
	MTA_IDS_STDIN,		/* one run, the IDs on stdin one per line (postsuper -h -) */
	MTA_IDS_ARGS,		/* one run per MTA_IDS_ARGS_MAX IDs, as words after the command (exim -Mf ID...) */
};

#define MTA_IDS_ARGS_MAX 200

struct mta_params {
	const struct mta_backend *backend;	/* set by load_params: the instance's MTA */
	char config_dir[PATH_MAX];	/* Postfix: the configuration directory; Exim: the configuration file */
	char queue_dir[PATH_MAX];	/* the spool */
	char maillog_file[PATH_MAX];	/* "" when the MTA logs through syslog */
	char binary[PATH_MAX];		/* the MTA's command (Exim: exim_path); "" when found in PATH */
	char pid_file[PATH_MAX];	/* the daemon's pid file ("" when the backend knows it otherwise) */
	char throttle_file[PATH_MAX];	/* Exim: the file hold_domains names ("" when it names none) */
	char mail_version[32];
	char myhostname[256];
	long queue_run_delay;		/* seconds between deferred queue scans */
	long min_backoff, max_backoff;	/* retry back-off bounds */
	long max_queue_lifetime;	/* age at which a message bounces */
	long bounce_queue_lifetime;	/* the same for bounces (null sender) */
	int spool_readable;		/* queue directory readable: exact retry times */
	char retry_rule[256];		/* Exim: the retry rule of `* *` ("F,2h,15m; G,16h,1h,1.5; F,4d,6h") */
};

/* a spool directory the console watches with inotify (below queue_dir; depth: levels of subdirectories) */
struct mta_watch {
	const char *dir;
	int depth;
};

struct mta_backend {
	const char *name;		/* "postfix": --mta, [mta] type, snapshots */
	const char *title;		/* "Postfix": what the screen says */
	const char *default_config;	/* the system instance's configuration (-c) */
	const char *listing_name;	/* the listing command, for --source and messages ("postqueue") */
	const char *retry_exact_source;	/* where an exact retry time comes from, for people ("deferred file mtime") */
	const char *queue_run_name;	/* what spaces the queue runs, for people ("queue_run_delay") */
	/* detect - true when this MTA is installed with a configuration at config */
	int (*detect)(const char *config);
	/* load_params - read the MTA's parameters (params->backend set); binary: the MTA's command when the
	 * operator named one ([mta] binary), else NULL or "" to find it; -1 with why */
	int (*load_params)(const char *config, const char *binary, struct mta_params *params, struct why *why);
	/* default_log - the instance's log file when it has a known one, else NULL */
	const char *(*default_log)(const struct mta_params *params);
	/* snapshot - fill an empty model with the queue as it is now; -1 with why, MTA_SNAPSHOT_STOPPED
	 * (with why) when the MTA refused because it is not running. Messages go in through qmodel_add,
	 * one at a time: while it reads, the console may be shown the ones before the last (partial
	 * models share them), so a snapshot that writes into earlier messages again (a second pass)
	 * calls qmodel_reclaim first. cache (core/queue/qcache; NULL: none): a spool snapshot replays
	 * every file whose identity the cache holds instead of reading it, and records what it reads
	 * (a backend that cannot leaves it alone: the cache then stays empty and is not written) */
	int (*snapshot)(const struct mta_params *params, enum snapshot_source source,
			struct qmodel *model, struct qcache *cache, struct why *why);
	/* queue_ids - the queue IDs in the queue now (idset_hash of each); -1 with why when it cannot be listed */
	int (*queue_ids)(const struct mta_params *params, struct idset *ids, struct why *why);
	/* running - whether the MTA's daemons run now (enum mta_state); cheap enough for every second */
	int (*running)(const struct mta_params *params);
	/* watch - the spool directories whose events make the model stale, {NULL} terminated */
	const struct mta_watch *watch;
	/* spool_update - a queue file appeared in or left dir (a path below the queue directory):
	 * read it again into the model, or forget it; returns the message, or NULL when it is gone */
	struct qmsg *(*spool_update)(const struct mta_params *params, struct qmodel *model, const char *dir,
				     const char *name);
	/* log - the log dialect: parser, deferral prefilter, queue-ID grammar */
	const struct log_dialect *log;
	/* retry_estimate - when a deferred message with no exact retry time is tried next, from its last
	 * attempt (0 when it cannot tell) */
	time_t (*retry_estimate)(const struct mta_params *params, const struct qmsg *msg);
	/* own_deferral - true when a deferral's text is mqmon's own pause (not a remote reply) */
	int (*own_deferral)(const char *text, size_t len);
	/* action_argv - the command words of kind (no prefix, no IDs) into argv (NULL-terminated); how it
	 * takes the IDs, MTA_IDS_UNSUPPORTED when the MTA has no such action; argv may point into params */
	enum mta_ids (*action_argv)(const struct mta_params *params, enum action_kind kind, char **argv,
				    size_t max);
	/* action_done - how many messages the command's output says it acted on; -1 when it does not say */
	long (*action_done)(enum action_kind kind, const char *out, size_t len);
	/* throttle - slow/pause a domain; NULL when the backend has none */
	const struct mta_throttle_ops *throttle;
};

#endif
