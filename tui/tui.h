/* tui - the operator console: entry point
 *
 * The console shows the live queue model grouped by cause, provider and
 * domain, tables of messages with retry countdowns, message details, and
 * help. It never blocks: models are built on a worker thread (qsource) and
 * swapped in when ready; input is served by the same poll() loop.
 */
#ifndef MQMON_TUI_H
#define MQMON_TUI_H

#include "core/queue/qsource.h"
#include "core/base/strlist.h"

struct fleet;

struct tui_options {
	struct qsource_config source;	/* how to build models */
	const char *theme;		/* name or path, NULL = default */
	int no_color;			/* NO_COLOR or --no-color */
	int ascii;			/* --ascii */
	int read_only;
	long refresh_interval;		/* seconds between rebuilds when no event source exists */
	long expiry_warning;		/* seconds: mail that expires within it is "expiring" (0: none is) */
	int osc52;			/* y/Y may write OSC 52 (the clipboard) to the terminal */
	int mouse;			/* clicks select rows, the wheel scrolls */
	const char *columns;		/* [console] columns: the Messages view's, NULL = the default */
	const struct strlist *config_errors;	/* the configuration's problems (shown at start), NULL: none */
	const char *host;		/* shown in the status bar */
	const char *db;			/* history database, NULL = default path */
	long retention;			/* seconds of history kept (pruned hourly), <= 0 = forever */
	const char *command_prefix;	/* argv prefix for MTA commands ("sudo -n"), NULL = none */
	/* reload - SIGHUP: read the configuration again into *opt (theme, read_only,
	 * refresh_interval, source.cl: the rules); 0 (err may hold a warning), or -1
	 * with a message in err and *opt unchanged as far as it matters, except that
	 * read_only may be set (a read_only value it could not parse: the safe side) */
	int (*reload)(struct tui_options *opt, char *err, unsigned long errsz);
	/* rules_in_use - a model built with cl is on screen: models are built one at a
	 * time with the newest rules, and the log follower switched at the reload, so
	 * rules loaded before cl are used by nothing any more (NULL: not told) */
	void (*rules_in_use)(const struct classifier *cl);
	void *reload_ctx;
	struct fleet *fleet;		/* the fleet console (tui/fleet_ui.c): every host's stream, not a local queue; NULL: none */
};

/* tui_run - run the console until the operator quits; returns an exit code */
int tui_run(const struct tui_options *opt);

#endif
