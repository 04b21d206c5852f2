/* commands - the console's ":" command line
 *
 * Every command is a word and optional arguments; most do what a key does
 * (so the two never disagree: action commands are the rows of the actions
 * table, run by the same code as their keys, and :view names come from the
 * views table), a few need an argument a key cannot carry (:cause NAME,
 * :domain NAME, :sort KEY, :theme NAME, :columns NAME..., :export FORMAT FILE, :goto ID, :copy id|reply), :messages
 * shows the status history. Tab completes the NAME of :domain (the model's domains) and :cause.
 */
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/queue/snapshot.h"

#include "tui/actionkeys.h"
#include "tui/actions_ui.h"
#include "tui/app.h"
#include "tui/commands.h"
#include "tui/complete.h"
#include "tui/fleet_ui.h"
#include "tui/osc52.h"

/* app_command_complete - Tab on the ":" line: complete the NAME of `domain NAME` or `cause NAME` */
int app_command_complete(struct app *a)
{
	const char **cands = NULL;
	const char *what;
	char word[32] = "", out[sizeof a->edit], list[400];
	size_t n = 0, i, matches, at;
	int pos = -1;

	if (sscanf(a->edit, " %31[a-z]%n", word, &pos) < 1 || pos < 0 || a->edit[pos] != ' ')
		return REACT_NONE;
	at = (size_t)pos + strspn(a->edit + pos, " ");
	if (!strcmp(word, "domain") && a->m != NULL && a->m->ndomains > 0) {
		what = "domain";
		if ((cands = calloc(a->m->ndomains, sizeof *cands)) == NULL)
			return REACT_NONE;
		for (i = 0; i < a->m->ndomains; i++)
			cands[n++] = a->m->domains[i].name;
	} else if (!strcmp(word, "cause")) {
		what = "cause";
		if ((cands = calloc(CAUSE_COUNT, sizeof *cands)) == NULL)
			return REACT_NONE;
		for (i = 0; i < CAUSE_COUNT; i++)
			cands[n++] = cause_name((enum cause)i);
	} else {
		return REACT_NONE;
	}
	matches = complete_word(a->edit + at, cands, n, out, sizeof out, list, sizeof list);
	free(cands);
	if (matches == 0)
		app_flash(a, "no %s starts with \"%s\"", what, a->edit + at);
	else if (matches > 1)
		app_flash(a, "%zu %ss: %s", matches, what, list);
	if (at + strlen(out) < sizeof a->edit)
		memcpy(a->edit + at, out, strlen(out) + 1);
	return REACT_REDRAW;
}

/* show_messages - open the message table with a fresh filter */
static void show_messages(struct app *a)
{
	a->mpos.sel = a->mpos.top = 0;
	a->sel_id[0] = '\0';
	app_rebuild_rows(a);
	app_push_view(a, VIEW_MESSAGES);
}

/* export_model - ":export [json|csv|prom] FILE": the model on screen written by the snapshot's code
 * (atomic, links kept, umask honoured, directories refused); the result in the status bar */
static int export_model(struct app *a, const char *arg)
{
	char first[16] = "", where[PATH_MAX];
	const char *path = arg, *ext;
	int fmt = -1, n = 0;
	struct stat sb;
	struct why why;

	if (sscanf(arg, "%15s %n", first, &n) == 1 && n > 0 && (fmt = snapshot_format_from(first)) >= 0)
		path = arg + n;
	if (*path == '\0') {
		app_flash(a, "export to what file? :export [json|csv|prom] FILE (the format: json unless the "
			  "name ends in .csv or .prom)");
		return REACT_REDRAW;
	}
	if (fmt < 0) {
		ext = strrchr(path, '.');
		fmt = ext && !strcmp(ext, ".csv") ? SNAPSHOT_CSV : ext && !strcmp(ext, ".prom") ? SNAPSHOT_PROM
			: SNAPSHOT_JSON;
	}
	if (a->m == NULL) {
		app_flash(a, "export: no queue model yet");
		return REACT_REDRAW;
	}
	if (snapshot_target_check(path, &why) < 0) {
		app_flash(a, "export: %s", why.text);
		return REACT_REDRAW;
	}
	/* a FIFO would block the console, a device (the terminal) would scribble over it */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		app_flash(a, "export: %s is not a regular file (the console writes files; mqmon snapshot -o "
			  "writes devices and FIFOs)", path);
		return REACT_REDRAW;
	}
	if (snapshot_write_file(a->m, (enum snapshot_format)fmt, a->opt.host, path, &why) < 0) {
		app_flash(a, "export: %s", why.text);
		return REACT_REDRAW;
	}
	if (realpath(path, where) == NULL)
		snprintf(where, sizeof where, "%s", path);
	app_flash(a, "exported %zu messages as %s to %s", a->m->n,
		  fmt == SNAPSHOT_CSV ? "csv" : fmt == SNAPSHOT_PROM ? "prom" : "json", where);
	return REACT_REDRAW;
}

/* copy_text - ":copy id|reply": the selected message's queue ID or last reply to the operator's
 * clipboard with OSC 52, written to the terminal only when [console] osc52 is on */
static int copy_text(struct app *a, const char *what)
{
	const struct qmsg *msg = NULL;
	const char *text = NULL;
	char seq[OSC52_MAX_TEXT * 4 / 3 + 32];
	size_t n, k;

	if (strcmp(what, "id") != 0 && strcmp(what, "reply") != 0) {
		app_flash(a, "copy what? :copy id (y) or :copy reply (Y)");
		return REACT_REDRAW;
	}
	if (!a->opt.osc52) {
		app_flash(a, "copy is off: [console] osc52 = yes in the configuration turns it on (the terminal "
			  "puts the text on your local clipboard; it must allow OSC 52)");
		return REACT_REDRAW;
	}
	if (a->m != NULL && a->view == VIEW_MESSAGES && a->nmrows > 0)
		msg = a->mrows[a->mpos.sel];
	else if (a->m != NULL && a->view == VIEW_DETAIL)
		msg = app_detail_msg(a);
	if (msg == NULL) {
		app_flash(a, "copy: select a message first (messages view or a detail)");
		return REACT_REDRAW;
	}
	if (what[0] == 'i')
		text = msg->id;
	for (k = 0; text == NULL && k < msg->nrcpts; k++)
		if (msg->rcpts[k].reason[0])
			text = msg->rcpts[k].reason;
	if (text == NULL || (n = osc52_format(seq, sizeof seq, text)) == 0) {
		app_flash(a, "copy: %s has no reply to copy", msg->id);
		return REACT_REDRAW;
	}
	if (write(STDOUT_FILENO, seq, n) != (ssize_t)n) {
		app_flash(a, "copy: cannot write to the terminal");
		return REACT_REDRAW;
	}
	if (what[0] == 'i')
		app_flash(a, "copied %s to the clipboard (OSC 52)", msg->id);
	else
		app_flash(a, "copied the reply of %s to the clipboard (OSC 52)", msg->id);
	return REACT_REDRAW;
}

/* set_columns - ":columns [NAME...|default]": the Messages view's columns for this session (SIGHUP
 * reads [console] columns again); alone, the columns in use and which of them this width leaves out */
static int set_columns(struct app *a, const char *arg)
{
	struct column_place place[COL_COUNT];
	char list[200], names[200], out[200] = "";
	size_t o = 0;
	struct why why;
	int n, i, k;

	if (arg[0] != '\0' && app_set_columns(a, strcmp(arg, "default") == 0 ? NULL : arg, &why) < 0) {
		app_flash(a, "columns: %s", why.text);
		return REACT_REDRAW;
	}
	columns_format(&a->cols, list, sizeof list);
	n = columns_layout(&a->cols, COLS, a->m != NULL ? (int)a->m->longest_id + 1 : 0, place);
	for (i = 0; i < a->cols.n; i++) {
		for (k = 0; k < n && place[k].id != a->cols.id[i]; k++)
			;
		if (k == n && o < sizeof out)
			o += (size_t)snprintf(out + o, sizeof out - o, " %s", column_defs[a->cols.id[i]].name);
	}
	columns_names(names, sizeof names, " ");
	app_flash(a, "columns: %s%s%s%s (:columns NAME... or default; the columns: %s)", list,
		  o ? "; too narrow for" : "", out, o ? " here" : "", names);
	if (a->view != VIEW_MESSAGES && arg[0] != '\0')
		app_push_view(a, VIEW_MESSAGES);
	return REACT_REDRAW;
}

/* goto_message - ":goto ID": the detail of a queued message; a short ID typed in lower case is found too */
static int goto_message(struct app *a, const char *arg)
{
	char id[QUEUE_ID_MAX + 1], upper[QUEUE_ID_MAX + 1];
	size_t len = strlen(arg), i;
	const char *found = NULL;

	if (len == 0) {
		app_flash(a, "goto which message? :goto QUEUE-ID");
		return REACT_REDRAW;
	}
	if (len > QUEUE_ID_MAX || strchr(arg, ' ') != NULL) {
		app_flash(a, "goto: not a queue ID: '%.40s%s'", arg, len > 40 ? "..." : "");
		return REACT_REDRAW;
	}
	memcpy(id, arg, len + 1);
	for (i = 0; i <= len; i++)
		upper[i] = (char)(arg[i] >= 'a' && arg[i] <= 'f' ? arg[i] - 'a' + 'A' : arg[i]);
	if (a->m == NULL) {
		app_flash(a, "goto: no queue model yet");
		return REACT_REDRAW;
	}
	/* Postfix's short IDs are hex: 3f2a1b4c5d is typed for 3F2A1B4C5D */
	if (!a->m->params.backend->log->id_valid(id, len) && !a->m->params.backend->log->id_valid(upper, len)) {
		app_flash(a, "goto: not a queue ID: '%s' (not one of %s's)", id, a->m->params.backend->title);
		return REACT_REDRAW;
	}
	if (a->m->params.backend->log->id_valid(id, len) && qmodel_find(a->m, id) != NULL)
		found = id;
	else if (a->m->params.backend->log->id_valid(upper, len) && qmodel_find(a->m, upper) != NULL)
		found = upper;
	if (found == NULL) {
		app_flash(a, "goto: %s is not in the queue (delivered, bounced, deleted, or requeued under a "
			  "new ID)", id);
		return REACT_REDRAW;
	}
	snprintf(a->detail_id, sizeof a->detail_id, "%s", found);
	a->detail_host[0] = '\0';	/* by ID: the first host's in the fleet console */
	a->detail_scroll = 0;
	if (a->view == VIEW_DETAIL)
		return REACT_REDRAW;
	app_push_view(a, VIEW_DETAIL);
	return REACT_REDRAW;
}

/* app_command - run one ":" command line; returns a reaction */
int app_command(struct app *a, const char *line)
{
	const struct actionkey *k;
	char word[32] = "", arg[200] = "", names[200];
	size_t i;
	int c;

	if (sscanf(line, " %31s %199[^\n]", word, arg) < 1)
		return REACT_REDRAW;
	if (!strcmp(word, "q") || !strcmp(word, "quit"))
		return REACT_QUIT;
	if ((k = actionkey_by_name(word)) != NULL) {
		if (arg[0]) {
			/* ":hold ALL" must not quietly act on the row under the cursor */
			actions_ui_refused(a, actionkey_verb(k), arg, ":%s takes no argument: it acts on the tagged messages, "
					   "else the row under the cursor (for IDs: %s)", word, k->cli);
			return REACT_REDRAW;
		}
		return actions_ui_run(a, k);
	}
	if (!strcmp(word, "messages")) {
		a->msglog_scroll = 0;
		app_push_view(a, VIEW_STATUS);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "help")) {
		a->help_scroll = 0;
		app_push_view(a, VIEW_HELP);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "sort")) {
		char key[32] = "", dir[32] = "", extra[2] = "";
		int n = sscanf(arg, "%31s %31s %1s", key, dir, extra);

		for (i = 0; n >= 1 && n <= 2 && i < SORT_COUNT; i++)
			if (!strcmp(key, sort_keys[i].word) && (n == 1 || !strcmp(dir, "asc") || !strcmp(dir, "desc"))) {
				/* desc: largest first (age desc = oldest first); no direction: the key's usual one */
				a->sort = (enum sort_key)i;
				a->sort_desc = n == 2 ? !strcmp(dir, "desc") : sort_keys[i].default_desc;
				app_rebuild_rows(a);
				app_flash(a, "sorted by %s, %s", sort_keys[i].title,
					  a->sort_desc ? sort_keys[i].desc : sort_keys[i].asc);
				return REACT_REDRAW;
			}
		app_flash(a, "sort by: retry, age, domain, cause, attempts or size, then asc or desc (desc: largest "
			  "first, so age desc is oldest first)");
		return REACT_REDRAW;
	}
	if (!strcmp(word, "cause")) {
		if ((c = cause_from_name(arg)) < 0) {
			app_flash(a, "unknown cause '%s'", arg);
			return REACT_REDRAW;
		}
		a->fkind = FILTER_CAUSE;
		a->fcause = (enum cause)c;
		show_messages(a);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "domain") && arg[0]) {
		a->fkind = FILTER_DOMAIN;
		a->fcause = CAUSE_COUNT;
		snprintf(a->fname, sizeof a->fname, "%s", arg);
		show_messages(a);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "search") || !strcmp(word, "filter")) {
		size_t len = strlen(arg);

		if (len >= sizeof a->search) {
			app_flash(a, "search text too long (at most %zu bytes)", sizeof a->search - 1);
			return REACT_REDRAW;
		}
		memcpy(a->search, arg, len + 1);
		show_messages(a);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "expiring")) {
		char w[32];

		if (a->opt.expiry_warning <= 0) {
			app_flash(a, "expiring: off ([console] expiry_warning = 0 in the configuration)");
			return REACT_REDRAW;
		}
		a->fexpiring = 1;
		show_messages(a);
		app_flash(a, "%zu messages expire within %s (maximal_queue_lifetime); :clear shows all again",
			  a->nexpiring, fmt_window(w, sizeof w, a->opt.expiry_warning));
		return REACT_REDRAW;
	}
	if (!strcmp(word, "clear")) {
		a->search[0] = '\0';
		a->fexpiring = 0;
		a->fhost[0] = '\0';
		a->fkind = FILTER_NONE;
		strlist_free(&a->tags);
		app_rebuild_rows(a);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "view")) {
		size_t o = 0;

		if ((c = view_by_name(arg)) >= 0) {
			app_push_view(a, (enum view_id)c);
			return REACT_REDRAW;
		}
		for (i = 0; i < VIEW_COUNT && o < sizeof names; i++)
			if (views[i].flags & VIEW_NAMED)
				o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", o ? ", " : "", views[i].name);
		app_flash(a, "views: %s", names);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "theme") && arg[0] == '\0') {
		char list[400];

		theme_list(list, sizeof list);
		app_flash(a, "themes: %s (in use: %s; :theme NAME)", list, theme_name());
		return REACT_REDRAW;
	}
	if (!strcmp(word, "theme")) {
		struct strlist errs = { 0 };
		struct why why;

		if (theme_load(arg, &errs, &why) < 0)
			app_flash(a, "%s", why.text);
		else {
			theme_apply(a->opt.no_color);
			clearok(curscr, TRUE);
			app_flash(a, "theme %s", theme_name());
		}
		strlist_free(&errs);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "copy"))
		return copy_text(a, arg);
	if (!strcmp(word, "columns"))
		return set_columns(a, arg);
	if (!strcmp(word, "goto"))
		return goto_message(a, arg);
	if (!strcmp(word, "export"))
		return export_model(a, arg);
	if (!strcmp(word, "refresh")) {
		app_request_model(a);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "host"))
		return fleet_ui_host_command(a, arg);
	actionkey_names(names, sizeof names, " ");
	app_flash(a, "unknown command ':%s' (:help lists the keys; commands: q sort cause domain search clear "
		  "view theme columns refresh goto copy export expiring host messages help %s)", word, names);
	return REACT_REDRAW;
}
