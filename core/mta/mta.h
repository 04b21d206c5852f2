/* mta - the backend ops table: one MTA (Postfix, later Exim) behind one interface
 *
 * Everything mqmon does to or learns from an MTA goes through a struct
 * mta_backend chosen at run time: detect it, read its parameters, take a
 * snapshot of its queue into a qmodel, tell whether it runs. Operator
 * actions (core/mta/actions.c, core/mta/throttle.c) are Postfix-only for now and
 * refuse any other backend.
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

#include "core/base/why.h"

struct idset;
struct qmodel;

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
	SNAPSHOT_LISTING,	/* postqueue -j */
};

struct mta_params {
	char config_dir[PATH_MAX];
	char queue_dir[PATH_MAX];
	char maillog_file[PATH_MAX];	/* "" when the MTA logs through syslog */
	char mail_version[32];
	char myhostname[256];
	long queue_run_delay;		/* seconds between deferred queue scans */
	long min_backoff, max_backoff;	/* retry back-off bounds */
	long max_queue_lifetime;	/* age at which a message bounces */
	long bounce_queue_lifetime;	/* the same for bounces (null sender) */
	int spool_readable;		/* queue directory readable: exact retry times */
};

struct mta_backend {
	const char *name;
	/* detect - true when this MTA is installed with a configuration at config_dir */
	int (*detect)(const char *config_dir);
	/* load_params - read the MTA's parameters; -1 with why */
	int (*load_params)(const char *config_dir, struct mta_params *params, struct why *why);
	/* snapshot - fill an empty model with the queue as it is now; -1 with why, MTA_SNAPSHOT_STOPPED
	 * (with why) when the MTA refused because it is not running */
	int (*snapshot)(const struct mta_params *params, enum snapshot_source source,
			struct qmodel *model, struct why *why);
	/* queue_ids - the queue IDs in the queue now (idset_hash of each); -1 with why when it cannot be listed */
	int (*queue_ids)(const struct mta_params *params, struct idset *ids, struct why *why);
	/* running - whether the MTA's daemons run now (enum mta_state); cheap enough for every second */
	int (*running)(const struct mta_params *params);
	/* spool_update - a queue file appeared in or left dir (a path below the queue directory):
	 * read it again into the model, or forget it; returns the message, or NULL when it is gone */
	struct qmsg *(*spool_update)(const struct mta_params *params, struct qmodel *model, const char *dir,
				     const char *name);
};

extern const struct mta_backend mta_postfix;

/* mta_backend_find - backend by name ("postfix"), NULL when unknown */
const struct mta_backend *mta_backend_find(const char *name);

#endif
