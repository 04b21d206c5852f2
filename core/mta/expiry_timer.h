/* expiry_timer - the systemd timer or cron.d entry that expires throttles without a running mqmon
 *
 * A throttle given `--for` must end on time even when no mqmon runs (the
 * operator paused a domain for 2h and logged out). `mqmon throttle --setup`
 * therefore installs, per Postfix instance, a job running
 *
 *   MQMON -c CONFIG_DIR throttles --expire [--db DB]
 *
 * as root: with systemd (the directory /run/systemd/system exists) a
 * oneshot service and a timer firing every 15 seconds in
 * /etc/systemd/system, enabled with systemctl; without it a line running
 * every minute in /etc/cron.d. The expire command looks at the map first
 * and does nothing (quickly, exit 0) when nothing is due, so the timer
 * costs little; when something is due it removes the entry, runs postmap
 * and `postfix reload` and writes the audit row.
 *
 * Unit and cron file names are `mqmon-expire-<dir>-<hash>` (letters,
 * digits, '_' and '-': cron.d ignores names with dots). The job line is
 * read by systemd or /bin/sh, so paths with anything but letters, digits
 * and `/._+@-` are refused rather than quoted.
 *
 * MQMON_SYSTEM_ROOT (tests) prefixes every system path: the files are
 * written below it, systemd is detected below it, and systemctl is never
 * run (the plan says so).
 */
#ifndef MQMON_EXPIRY_TIMER_H
#define MQMON_EXPIRY_TIMER_H

#include <limits.h>
#include <stddef.h>

#include "core/base/why.h"

/* seconds between runs of the systemd timer (cron runs every minute) */
#define EXPIRY_TIMER_PERIOD 15

enum expiry_scheduler {
	EXPIRY_SYSTEMD,
	EXPIRY_CRON,
	EXPIRY_NONE,		/* neither systemd nor /etc/cron.d: throttles expire while mqmon runs */
};

struct expiry_plan {
	enum expiry_scheduler kind;
	char name[200];			/* mqmon-expire-<dir>-<hash> */
	char command[3 * PATH_MAX];	/* the job's command line */
	char path[2][PATH_MAX + 64];	/* the files: service and timer, or the cron file */
	char text[2][4 * PATH_MAX];	/* their contents */
	int nfiles;
	int system_root;		/* 1 when writing to the real / (systemctl is run) */
};

/* expiry_plan_make - the plan for the instance at config_dir, running exe (NULL: this program) with
 * the audit history db (NULL: the default); -1 with why (a path that cannot go in a job line) */
int expiry_plan_make(const char *config_dir, const char *exe, const char *db, struct expiry_plan *p,
		     struct why *why);

/* expiry_plan_installed - true when every file of the plan exists with the plan's text */
int expiry_plan_installed(const struct expiry_plan *p);

/* expiry_plan_write - write the plan's files (mode 0644, through a temporary file); -1 with why */
int expiry_plan_write(const struct expiry_plan *p, struct why *why);

#endif
