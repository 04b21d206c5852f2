/* mouse - where a click lands in the list a view drew; see mouse.h */
#include "tui/mouse.h"

/* mouse_list_hit - the row index at screen line y, -1 when y is on no row of the list */
long mouse_list_hit(const struct list_geom *g, int y)
{
	size_t i;

	if (g == NULL || g->lines <= 0 || y < g->first_y || y >= g->first_y + g->lines)
		return -1;
	i = g->top + (size_t)(y - g->first_y);
	return i < g->n ? (long)i : -1;
}
