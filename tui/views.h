/* views - the console's views as one table (as tmux's window modes)
 *
 * A view is one line of MQMON_VIEWS and one file, tui/view_NAME.c, with
 * view_NAME_draw (draw rows y .. y+h-1) and view_NAME_key (a key; returns a
 * reaction or REACT_UNHANDLED). The line gives the view's id, its name for
 * ":view NAME", its title in the footer, its flags and its footer hints;
 * the loop in app.c, the Tab cycle, the ":" command line and the footer read
 * everything else from here.
 */
#ifndef MQMON_TUI_VIEWS_H
#define MQMON_TUI_VIEWS_H

struct app;

#define VIEW_TAB 1		/* in the Tab cycle (in table order) */
#define VIEW_ACTS 2		/* action keys act on its selection */
#define VIEW_NAMED 4		/* ":view NAME" opens it */

/* X(ID, name, title, flags, footer hints) */
#define MQMON_VIEWS(X) \
	X(CAUSES, causes, "Causes", VIEW_TAB | VIEW_ACTS | VIEW_NAMED, "Enter:messages Tab:views /:search") \
	X(MESSAGES, messages, "Messages", VIEW_TAB | VIEW_ACTS | VIEW_NAMED, "Enter:detail Space:tag s:sort") \
	X(DETAIL, detail, "Detail", VIEW_ACTS, "PgUp/PgDn:scroll Esc:back") \
	X(DOMAINS, domains, "Domains", VIEW_TAB | VIEW_ACTS | VIEW_NAMED, "Enter:messages p:group Tab:views") \
	X(ACTIONS, actions, "Actions", VIEW_TAB | VIEW_NAMED, "Enter:open Tab:views") \
	X(HOSTS, hosts, "Hosts", VIEW_NAMED, "Enter:that host's causes :host:all Esc:back") \
	X(ACTION, action, "Action", 0, "PgUp/PgDn/g/G:scroll Esc:back") \
	X(STATUS, status, "Status messages", VIEW_NAMED, "PgUp/PgDn/g/G:scroll Esc:back") \
	X(HELP, help, "Help", VIEW_NAMED, "PgUp/PgDn/g/G:scroll Esc:back")

#define MQMON_VIEW_ENUM(id, name, title, flags, hints) VIEW_##id,
enum view_id { MQMON_VIEWS(MQMON_VIEW_ENUM) VIEW_COUNT };
#undef MQMON_VIEW_ENUM

#define MQMON_VIEW_PROTO(id, name, title, flags, hints) \
	void view_##name##_draw(struct app *a, int y, int h); \
	int view_##name##_key(struct app *a, int ch, int h);
MQMON_VIEWS(MQMON_VIEW_PROTO)
#undef MQMON_VIEW_PROTO

struct view_def {
	const char *name, *title;
	int flags;
	const char *hints;
	void (*draw)(struct app *a, int y, int h);
	int (*key)(struct app *a, int ch, int h);
};

extern const struct view_def views[VIEW_COUNT];

/* view_by_name - a view's id from its name, -1 when unknown */
int view_by_name(const char *name);

/* view_next_tab - the view after v in the Tab cycle */
enum view_id view_next_tab(enum view_id v);

#endif
