/* columns - the Messages view's columns: one table, the configured list, the layout
 *
 * Every column the Messages view can show is one row of column_defs: its
 * name (as `[console] columns` and `:columns` name it), its heading, its
 * width (fixed: min == max; flexible: min, and max, 0 for no limit), its
 * alignment, how long it stays on a narrow terminal (keep: the column with
 * the lowest keep is left out first) and a line of help (the help view
 * lists the table). The view draws a column's cells by its id
 * (view_messages.c, one function per id).
 *
 * columns_layout is pure (no curses, unit-tested): given the terminal width
 * and the configured list, it keeps the configured order, leaves out the
 * columns that keep least until the minimum widths and one space between
 * columns fit, and shares what is left among the flexible columns, evenly,
 * up to each one's max.
 */
#ifndef MQMON_TUI_COLUMNS_H
#define MQMON_TUI_COLUMNS_H

#include <stddef.h>

#include "core/base/why.h"

enum col_id {
	COL_ID, COL_QUEUE, COL_RECIPIENT, COL_DOMAIN, COL_SENDER, COL_AGE, COL_ATTEMPTS, COL_NEXT,
	COL_EXPIRES, COL_CODE, COL_CAUSE, COL_REPLY, COL_HOST, COL_COUNT
};

struct column_def {
	const char *name;	/* "recipient": the word in [console] columns */
	const char *title;	/* "RECIPIENT": the heading */
	int min, max;		/* display columns; min == max: fixed; max 0: takes any room left */
	int right;		/* right-aligned (numbers, times) */
	int keep;		/* 1..COL_COUNT, distinct: on a narrow terminal the lowest goes first */
	const char *help;	/* what a cell shows (the help view) */
};

extern const struct column_def column_defs[COL_COUNT];

/* the default of [console] columns: at 80 columns ID, QUEUE, RECIPIENT, NEXT RETRY, CODE, CAUSE */
#define COLUMNS_DEFAULT "id queue recipient age attempts next expires code cause reply sender"

/* the fleet console's default: the host after the queue ID (tui/fleet_ui.c puts it there unless
 * [console] columns names the columns) */
#define COLUMNS_FLEET_AFTER COL_ID

/* a configured list: column ids in display order, each at most once */
struct column_list {
	int n;
	enum col_id id[COL_COUNT];
};

/* a column placed on the screen: it starts at x and is w wide (a space follows it) */
struct column_place {
	enum col_id id;
	int x, w;
};

/* columns_parse - "id queue cause" (names separated by blanks or commas) into *list; -1 with why
 * (an unknown name, with the valid ones; a name given twice; no name at all), *list unchanged */
int columns_parse(const char *text, struct column_list *list, struct why *why);

/* columns_check - text is a valid column list (config_set_check's form for [console] columns) */
int columns_check(const char *text, struct why *why);

/* columns_names - every column name, separated by sep, into buf (cut when short) */
void columns_names(char *buf, size_t n, const char *sep);

/* columns_drop_order - every column name, separated by blanks, the first one a narrow terminal leaves
 * out first (the help view says so) */
void columns_drop_order(char *buf, size_t n);

/* columns_format - a list back as text ("id queue cause") into buf */
void columns_format(const struct column_list *list, char *buf, size_t n);

/* columns_layout - the columns of list that fit in width, in list order, with their places, into
 * out[COL_COUNT]; the ID column is id_width wide when that is more than its minimum (the longest
 * queue ID and its tag mark: Exim's are 16 or 23 characters); returns how many (at least one for a
 * non-empty list: the one that keeps longest, cut to width) */
int columns_layout(const struct column_list *list, int width, int id_width, struct column_place *out);

#endif
