/* app - the console's shared state, seen by every view
 *
 * Views read the current model and their own cursor state from struct app
 * and draw into the area between the status bar and the footer. A view's
 * key handler returns a reaction (redraw, quit, ...) instead of acting on
 * the loop itself, so views stay independent of the event machinery.
 */
#ifndef MQMON_TUI_APP_H
#define MQMON_TUI_APP_H

#include <time.h>

#include "core/base/evloop.h"
#include "core/base/idset.h"
#include "core/history/ingest.h"
#include "core/queue/qmodel.h"
#include "core/queue/qsource.h"
#include "core/history/store.h"
#include "tui/columns.h"
#include "tui/mouse.h"
#include "tui/prune.h"
#include "tui/search.h"
#include "tui/theme.h"
#include "tui/trends.h"
#include "tui/tui.h"
#include "tui/views.h"

enum reaction {
	REACT_NONE = 0,
	REACT_REDRAW = 1,
	REACT_QUIT = 2,
	REACT_UNHANDLED = 4,
};

#define TREND_BUCKETS 12		/* five-minute buckets: the last hour */
#define TREND_BUCKET_SECONDS 300
#define DOMAIN_TREND_BUCKETS 8		/* fifteen-minute buckets: the last two hours */
#define DOMAIN_TREND_SECONDS 900

/* a row of the causes tree */
struct cause_row {
	int level;			/* 0 cause, 1 provider, 2 domain */
	enum cause cause;
	const char *provider;		/* level >= 1 */
	const char *domain;		/* level 2 */
	size_t messages, recipients;
	time_t oldest, soonest;
	unsigned trend[TREND_BUCKETS];	/* deferrals per bucket over the last hour (causes only) */
};

/* a row of the domains view: a domain, or (grouped by provider, `p`) a provider's totals with its
 * domains under it */
struct domain_row {
	int is_provider;
	const struct qcount *q;		/* an entry of app.drows (domain) or app.prows (provider) */
	size_t ndomains;		/* a provider's: its domains listed under it */
	const size_t *mix;		/* a domain's: its messages per cause (app.dmix), NULL on a provider row */
};

/* FILTER_PROVIDER and FILTER_DOMAIN with fcause CAUSE_COUNT: any cause */
enum filter_kind { FILTER_NONE, FILTER_CAUSE, FILTER_PROVIDER, FILTER_DOMAIN };

enum sort_key { SORT_RETRY, SORT_AGE, SORT_DOMAIN, SORT_CAUSE, SORT_ATTEMPTS, SORT_SIZE, SORT_COUNT };

/* the sort keys (tui/rows.c, the one table): "desc" is always largest first (age desc = oldest first) */
struct sort_key_info {
	const char *word;		/* ":sort WORD [asc|desc]" */
	const char *title;		/* "sorted by TITLE, ..." */
	const char *asc, *desc;		/* what each direction puts first */
	int default_desc;		/* the direction `s` and ":sort WORD" choose */
};
extern const struct sort_key_info sort_keys[SORT_COUNT];

struct list_pos {
	size_t sel, top;
};

struct app {
	struct tui_options opt;
	struct evloop *loop;
	struct qsource *qs;
	struct qmodel *m;		/* current model, NULL until the first build */
	struct store *store;		/* history; NULL when it could not be opened */
	struct ingest *ingest;		/* the mail log, followed into the store */
	enum view_id view, back[8];	/* back: a stack of views for Esc */
	int nback;
	time_t now;

	/* causes view */
	int finishing;			/* the partial model went back to the worker: keep the last frame */
	struct cause_row *crows;
	size_t ncrows;
	struct list_pos cpos;

	/* messages view */
	enum filter_kind fkind;		/* group filter from the causes/domains view */
	enum cause fcause;
	char fname[256];		/* provider or domain of the group filter */
	char search[128];		/* "/" text, "" for none */
	int fexpiring;			/* ":expiring": only mail that expires within opt.expiry_warning */
	size_t nexpiring;		/* such messages in the whole queue (the header's count) */
	enum sort_key sort;
	int sort_desc;			/* largest value first (sort_keys) */
	struct column_list cols;	/* the columns, in order ([console] columns, :columns) */
	struct qmsg **mrows;
	size_t nmrows;
	struct search_hits hits;	/* the messages the search matches, a bit each (tui/search) */
	uint16_t *cause_bits;		/* per message (position): a bit per cause of its recipients (rows.c) */
	size_t ncause_bits;
	unsigned long cause_bits_version;	/* qmodel.version they are of, 0 = none */
	int mrows_stale;		/* the table is built when the messages view shows (mrows empty meanwhile) */
	uint32_t *own_order;		/* a partial model's order of the sort key (a whole one has m->order) */
	unsigned long own_order_version;	/* qmodel.version it was made for, 0 = none */
	enum sort_key own_order_key;
	uint32_t *desc_order;		/* the sort key's descending order, derived from the ascending one */
	unsigned long desc_version;	/* qmodel.version it was made for, 0 = none */
	enum sort_key desc_key;
	struct list_pos mpos;
	size_t nsearched;		/* messages the search text matches in the whole queue */
	char sel_id[QUEUE_ID_MAX + 1];	/* keeps the cursor on a message across refreshes */

	/* domains view: the model's domains, or their counts over the messages the search matches */
	struct qcount *drows;
	size_t ndrows;
	int drows_owned;		/* drows is ours (a search is active), not the model's */
	size_t (*dmix)[CAUSE_COUNT];	/* per row of drows: its messages per cause, over the same messages */
	int dgroup;			/* `p`: grouped by provider, with provider totals */
	struct qcount *prows;		/* provider totals over the same messages (dgroup) */
	size_t nprows;
	struct domain_row *dlist;	/* what the view lists, in order (dpos indexes it) */
	size_t ndlist;
	struct list_pos dpos;

	/* deferrals per bucket from the history (trends.h) */
	struct trends cause_trends, domain_trends;
	struct pruner pruner;		/* retention, applied in the background */

	/* detail view */
	char detail_id[QUEUE_ID_MAX + 1];
	int detail_scroll;

	/* help, actions log */
	int help_scroll;
	struct list_pos apos;

	/* actions (actions_ui.c) */
	struct strlist tags;		/* tagged queue IDs */
	struct actions_ui *aui;		/* worker and prompt state */
	struct mta_params params;	/* the MTA's parameters, for actions */

	/* the list the last frame drew, for mouse clicks (NULL: none, a text view) */
	struct list_pos *drawn_pos;
	struct list_geom drawn;

	/* line editor for "/" */
	int editing;			/* '/' search or ':' command being typed, 0 when none */
	char edit[128];

	/* status */
	time_t built_at;		/* when the current model was built */
	long build_ms;
	char error[1100];		/* last build error: data is stale */
	int mta_state;			/* enum mta_state: the header says when the MTA is stopped */
	char flash[256];		/* a passing message */
	time_t flash_until;
	struct strlist msglog;		/* every passing message and error, whole, oldest first (":messages") */
	int msglog_scroll;
	long long action_id;		/* the audit row the action detail shows */
	int action_scroll;
	int pending;			/* an event asked for a rebuild */
	time_t last_request;
	time_t last_event;
	int event_sources;		/* number of inotify watches that can trigger rebuilds */
	int ifd;			/* inotify on the queue directories */
	struct qwatch { int wd; char path[4096]; } *qwatches;	/* every watched queue directory */
	size_t nqwatches;
	int incremental;		/* spool readable: queue events update the model in place */
	struct strlist changes;		/* queue files that changed since the last tick ("dir/name") */
	struct idset changeset;		/* their hashes, to keep the list free of repeats */
	struct strlist replay;		/* files changed while a full rebuild ran: read again when it lands */
	struct strlist touched;		/* queue IDs with new log attempts stored since the last tick */
	struct waiting_attempt {	/* a deferral read from the log whose row may still be held */
		unsigned long long row;	/* stored once ingest_rows_done() reaches it */
		time_t due;		/* and not before (a standby waits for the other's commit) */
		char queue_id[QUEUE_ID_MAX + 1];
	} *waiting;			/* oldest first, from waiting_head on */
	size_t nwaiting, waiting_head, capwaiting;
	unsigned long ingest_commits;	/* ingest_commits() at the last look */
	char logs[QSOURCE_MAX_LOGS][PATH_MAX];	/* the logs followed (for a takeover) */
	int nlogs;
	time_t lease_tried;		/* a standby console last tried to take the logs over */

	/* the fleet console (tui/fleet_ui.c) */
	struct fleet_ui *fleet;		/* every host's stream and what the views ask of it; NULL: this host's queue */
	char fhost[256];		/* ":host NAME": only that host's messages, "" none */
	char detail_host[256];		/* the detail's message's host (an ID may be on two hosts), "" none */
	struct list_pos hpos;		/* hosts view */
	time_t fleet_merged;		/* when the merged model was last built */
};

/* app_flash - show a passing message in the footer (whole in the ":messages" history) */
void app_flash(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* app_log_message - keep a message whole in the ":messages" history (time-stamped; a repeat of the last is kept once) */
void app_log_message(struct app *a, const char *text);

/* app_push_view - open a view, remembering the current one for Esc */
void app_push_view(struct app *a, enum view_id v);

/* app_detail_msg - the message the detail view shows (its queue ID, and in the fleet console its host),
 * NULL when it left the queue */
struct qmsg *app_detail_msg(const struct app *a);

/* app_request_model - a fresh model now (this host's queue read again; the fleet's down hosts tried again) */
void app_request_model(struct app *a);

/* app_rebuild_messages - only the message table (its group filter or sort changed) */
void app_rebuild_messages(struct app *a);

/* app_messages_current - build the message table when it was left for later (app_rebuild_rows leaves
 * a partial model's for later unless the messages view shows); the messages view calls it before it
 * draws or reads keys */
void app_messages_current(struct app *a);

/* app_rebuild_rows - recompute the causes tree and the message table from the model */
void app_rebuild_rows(struct app *a);

/* app_group_ids - the IDs of the messages of a group that the search matches: what a row counts */
void app_group_ids(const struct app *a, enum filter_kind kind, enum cause cause, const char *name,
		   struct strlist *ids);

/* app_free_rows - release what app_rebuild_rows made */
void app_free_rows(struct app *a);

/* app_list_keys - shared cursor movement over n rows in a page of height; returns a reaction */
int app_list_keys(struct list_pos *pos, size_t n, int height, int ch);

/* app_scroll_keys - scrolling a text in a page of h lines (Up/Down, PgUp/PgDn, Space/b, g/G); a reaction */
int app_scroll_keys(int *scroll, int h, int ch);

/* app_list_drawn - a view drew the list of pos from screen line first_y, in lines lines, n rows (mouse clicks) */
void app_list_drawn(struct app *a, struct list_pos *pos, int first_y, int lines, size_t n);

/* app_list_fix - keep the cursor inside n rows and visible in height */
void app_list_fix(struct list_pos *pos, size_t n, int height);

/* app_expiring - the message waits in the queue (deferred or held) and expires within opt.expiry_warning */
int app_expiring(const struct app *a, const struct qmsg *msg);

/* app_set_columns - the Messages view's columns from text ([console] columns), the default when NULL;
 * -1 with why (the columns stay) */
int app_set_columns(struct app *a, const char *text, struct why *why);

/* app_narrowed - the search or the expiring filter narrows every view (the chip in the status bar) */
int app_narrowed(const struct app *a);

/* format helpers shared by views */
/* fmt_window - a duration as the operator wrote it, short: "12h", "2d", "90m", else "1h30m" */
const char *fmt_window(char *buf, size_t n, long seconds);

const char *fmt_age(char *buf, size_t n, time_t now, time_t t);
const char *fmt_retry(char *buf, size_t n, const struct qmsg *msg, time_t now, long queue_run_delay,
		      enum tui_elem *el);

#endif
