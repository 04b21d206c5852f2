/* commands - the console's ":" command line
 *
 * Every command is a word and optional arguments; most do what a key does
 * (so the two never disagree: action commands go through the same key
 * handler), a few need an argument a key cannot carry (:cause NAME,
 * :domain NAME, :sort KEY, :theme NAME).
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tui/actions_ui.h"
#include "tui/app.h"
#include "tui/commands.h"

/* show_messages - open the message table with a fresh filter */
static void show_messages(struct app *a)
{
	a->mpos.sel = a->mpos.top = 0;
	a->sel_id[0] = '\0';
	app_rebuild_rows(a);
	app_push_view(a, VIEW_MESSAGES);
}

/* app_command - run one ":" command line; returns a reaction */
int app_command(struct app *a, const char *line)
{
	static const struct { const char *word; int key; } keyed[] = {
		{ "retry", 'r' }, { "hold", 'h' }, { "release", 'u' }, { "delete", 'd' }, { "requeue", 'Q' },
		{ "throttle", 't' }, { "unthrottle", 'T' }, { "help", '?' },
	};
	char word[32] = "", arg[200] = "";
	size_t i;
	int c;

	if (sscanf(line, " %31s %199[^\n]", word, arg) < 1)
		return REACT_REDRAW;
	if (!strcmp(word, "q") || !strcmp(word, "quit"))
		return REACT_QUIT;
	for (i = 0; i < sizeof keyed / sizeof keyed[0]; i++)
		if (!strcmp(word, keyed[i].word)) {
			int r;

			if (arg[0] && keyed[i].key != '?') {
				/* ":hold ALL" must not quietly act on the row under the cursor */
				app_flash(a, ":%s takes no argument: it acts on the tagged messages, else the row "
					  "under the cursor (for IDs: mqmon %s ID...)", word, word);
				return REACT_REDRAW;
			}
			r = actions_ui_key(a, keyed[i].key);

			if (keyed[i].key == '?' || (r & REACT_UNHANDLED)) {
				a->help_scroll = 0;
				app_push_view(a, VIEW_HELP);
			}
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
	if (!strcmp(word, "clear")) {
		a->search[0] = '\0';
		a->fkind = FILTER_NONE;
		strlist_free(&a->tags);
		app_rebuild_rows(a);
		return REACT_REDRAW;
	}
	if (!strcmp(word, "view")) {
		static const char *const names[] = { "causes", "messages", "detail", "domains", "actions", "help" };

		for (i = 0; i < VIEW_COUNT; i++)
			if (!strcmp(arg, names[i]) && i != VIEW_DETAIL) {
				app_push_view(a, (enum view_id)i);
				return REACT_REDRAW;
			}
		app_flash(a, "views: causes, messages, domains, actions, help");
		return REACT_REDRAW;
	}
	if (!strcmp(word, "theme") && arg[0]) {
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
	if (!strcmp(word, "refresh")) {
		qsource_request(a->qs);
		a->last_request = a->now;
		return REACT_REDRAW;
	}
	app_flash(a, "unknown command ':%s' (:help lists the keys; commands: q sort cause domain search clear "
		  "view theme refresh retry hold release delete requeue throttle unthrottle)", word);
	return REACT_REDRAW;
}
