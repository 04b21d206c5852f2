/* mouse - where a click lands in the list a view drew
 *
 * The list views (causes, messages, domains, actions log) note the list
 * they drew in the last frame (struct list_geom: its first screen line,
 * how many lines it may use, the index of its top row and how many rows it
 * has), so a click is tested against what is on screen, never recomputed
 * from a layout that may have changed. A click selects a row (a click on
 * the selected row opens it, as Enter); the wheel moves as Up/Down; no
 * mouse event acts on mail. Pure: no curses, unit-tested.
 */
#ifndef MQMON_TUI_MOUSE_H
#define MQMON_TUI_MOUSE_H

#include <stddef.h>

#define MOUSE_WHEEL_ROWS 3	/* rows one wheel notch moves */

struct list_geom {
	int first_y;		/* screen line of the top row */
	int lines;		/* lines the list may use */
	size_t top, n;		/* index of the top row, rows in the list */
};

/* mouse_list_hit - the row index at screen line y, -1 when y is on no row of the list */
long mouse_list_hit(const struct list_geom *g, int y);

#endif
