/* views - the console's views as one table; see views.h */
#include "tui/views.h"

#include <string.h>

#define MQMON_VIEW_DEF(id, name, title, flags, hints) \
	[VIEW_##id] = { #name, title, flags, hints, view_##name##_draw, view_##name##_key },
const struct view_def views[VIEW_COUNT] = { MQMON_VIEWS(MQMON_VIEW_DEF) };
#undef MQMON_VIEW_DEF

/* view_by_name - a view's id from its name, -1 when unknown */
int view_by_name(const char *name)
{
	int i;

	for (i = 0; i < VIEW_COUNT; i++)
		if ((views[i].flags & VIEW_NAMED) && strcmp(views[i].name, name) == 0)
			return i;
	return -1;
}

/* view_next_tab - the view after v in the Tab cycle (from a view outside it: the first) */
enum view_id view_next_tab(enum view_id v)
{
	int i;

	if (!(views[v].flags & VIEW_TAB))
		v = VIEW_COUNT - 1;
	for (i = 1; i <= VIEW_COUNT; i++) {
		int n = (v + i) % VIEW_COUNT;

		if (views[n].flags & VIEW_TAB)
			return (enum view_id)n;
	}
	return v;
}
