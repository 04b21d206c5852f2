/* theme - semantic colours for the console, read from INI theme files
 *
 * Views never name a colour: they draw with an element (a cause, a
 * countdown state, the selection ...) and the theme maps each element to
 * curses attributes. Themes are INI files (themes/NAME.ini, doc/themes.md);
 * a built-in default means mqmon always starts even with no theme file.
 * Colours degrade with the terminal: 256 -> 16 -> 8 colours, and NO_COLOR or
 * a monochrome terminal keeps only bold/underline/reverse.
 */
#ifndef MQMON_TUI_THEME_H
#define MQMON_TUI_THEME_H

#include "core/classify/cause.h"
#include "core/base/strlist.h"
#include "core/base/why.h"

enum tui_elem {
	EL_NORMAL,
	EL_TITLE,		/* status bar */
	EL_HEADER,		/* table headings */
	EL_SELECTED,		/* the cursor row */
	EL_TAGGED,		/* a tagged row */
	EL_DIM,			/* secondary text */
	EL_FOOTER,		/* key hints */
	EL_KEY,			/* a key name in hints */
	EL_ADVICE,		/* advice pane */
	EL_ERROR,		/* errors, stale data */
	EL_LIVE,		/* live indicator */
	EL_COUNTDOWN,		/* retry far away */
	EL_COUNTDOWN_NEAR,	/* retry within a minute */
	EL_COUNTDOWN_DUE,	/* retry time reached, scan pending */
	EL_ESTIMATED,		/* estimated retry time */
	EL_OVERDUE,		/* retry time long passed */
	EL_EXPIRING,		/* expires within 12 hours */
	EL_HOLD,		/* held message */
	EL_SPARK,		/* trend sparkline */
	EL_CAUSE,		/* first of CAUSE_COUNT cause elements */
	EL_COUNT = EL_CAUSE + CAUSE_COUNT
};

/* theme_load - load NAME (a path, or a name looked up in the themes directories); errors collected in errs; -1 with why when not found */
int theme_load(const char *name, struct strlist *errs, struct why *why);

/* theme_use_builtin - the built-in default theme */
void theme_use_builtin(void);

/* theme_apply - allocate colour pairs after initscr(); honours NO_COLOR and the terminal's colours */
void theme_apply(int no_color);

/* theme_attr - curses attributes for an element (valid after theme_apply) */
unsigned long theme_attr(enum tui_elem el);

/* theme_cause - the element of a cause */
enum tui_elem theme_cause(enum cause c);

/* theme_list - the names of the installed themes ("dark, default, ..."), sorted, each once */
void theme_list(char *buf, size_t n);

/* theme_name - name of the loaded theme */
const char *theme_name(void);

#endif
