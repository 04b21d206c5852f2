/* columns - the Messages view's columns: one table, the configured list, the layout; see columns.h */
#include "tui/columns.h"

#include <stdio.h>
#include <string.h>

/* keep: 13 stays longest (the queue ID), then the host (a fleet's), 1 goes first (the sender) */
const struct column_def column_defs[COL_COUNT] = {
	[COL_ID] = { "id", "QUEUE ID", 12, 12, 0, 13,
		"the queue ID, marked when tagged" },
	[COL_QUEUE] = { "queue", "QUEUE", 8, 8, 0, 11,
		"deferred, hold (coloured), active, incoming, maildrop" },
	[COL_RECIPIENT] = { "recipient", "RECIPIENT", 16, 40, 0, 7,
		"the first pending recipient; +N: N more recipients" },
	[COL_DOMAIN] = { "domain", "DOMAIN", 12, 30, 0, 5,
		"the first pending recipient's domain; +N: N more" },
	[COL_SENDER] = { "sender", "SENDER", 12, 32, 0, 1,
		"the envelope sender (<> for a bounce)" },
	[COL_AGE] = { "age", "AGE", 7, 7, 1, 4,
		"time in the queue" },
	[COL_ATTEMPTS] = { "attempts", "ATT", 4, 4, 1, 3,
		"delivery attempts seen in the log" },
	[COL_NEXT] = { "next", "NEXT RETRY", 10, 10, 1, 9,
		"the next retry (Retry column, above)" },
	[COL_EXPIRES] = { "expires", "EXPIRES", 8, 8, 1, 2,
		"time left until the MTA returns it as undeliverable" },
	[COL_CODE] = { "code", "CODE", 10, 10, 0, 8,
		"the recipient's last reply: SMTP code, DSN (421 4.7.28)" },
	[COL_CAUSE] = { "cause", "CAUSE", 15, 15, 0, 10,
		"the cause; marked when mqmon's throttle paused it" },
	[COL_REPLY] = { "reply", "REPLY", 16, 0, 0, 6,
		"the start of that reply, in the remote's own words" },
	[COL_HOST] = { "host", "HOST", 6, 16, 0, 12,
		"the fleet console's: the host that holds the message (shown there by default)" },
};

/* columns_drop_order - every column name, the first one left out on a narrow terminal first */
void columns_drop_order(char *buf, size_t n)
{
	size_t o = 0;
	int keep, i, k;

	if (n == 0)
		return;
	buf[0] = '\0';
	for (keep = 1; keep <= COL_COUNT; keep++)
		for (i = 0; i < COL_COUNT && o < n; i++)
			if (column_defs[i].keep == keep && (k = snprintf(buf + o, n - o, "%s%s", o ? " " : "",
									   column_defs[i].name)) > 0)
				o += (size_t)k;
}

/* column_by_name - a column's id from its name (len bytes), -1 when unknown */
static int column_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < COL_COUNT; i++)
		if (strlen(column_defs[i].name) == len && strncmp(column_defs[i].name, name, len) == 0)
			return i;
	return -1;
}

/* columns_names - every column name, separated by sep, into buf (cut when short) */
void columns_names(char *buf, size_t n, const char *sep)
{
	size_t o = 0;
	int i, k;

	if (n == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < COL_COUNT && o < n; i++) {
		k = snprintf(buf + o, n - o, "%s%s", i ? sep : "", column_defs[i].name);
		if (k < 0)
			break;
		o += (size_t)k;
	}
}

/* columns_parse - "id queue cause" (names separated by blanks or commas) into *list; -1 with why */
int columns_parse(const char *text, struct column_list *list, struct why *why)
{
	static const char seps[] = " \t,";
	struct column_list l = { 0 };
	char names[200];
	const char *p = text;
	size_t len;
	int c, k;

	columns_names(names, sizeof names, " ");
	while (*(p += strspn(p, seps)) != '\0') {
		len = strcspn(p, seps);
		if ((c = column_by_name(p, len)) < 0)
			return why_set(why, "unknown column '%.*s' (the columns: %s)", len > 40 ? 40 : (int)len, p,
				       names);
		for (k = 0; k < l.n; k++)
			if (l.id[k] == (enum col_id)c)
				return why_set(why, "column '%s' is named twice", column_defs[c].name);
		l.id[l.n++] = (enum col_id)c;
		p += len;
	}
	if (l.n == 0)
		return why_set(why, "no column named (the columns: %s)", names);
	*list = l;
	return 0;
}

/* columns_check - text is a valid column list (config_set_check's form for [console] columns) */
int columns_check(const char *text, struct why *why)
{
	struct column_list l;

	return columns_parse(text, &l, why);
}

/* columns_format - a list back as text ("id queue cause") into buf */
void columns_format(const struct column_list *list, char *buf, size_t n)
{
	size_t o = 0;
	int i, k;

	if (n == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < list->n && o < n; i++) {
		k = snprintf(buf + o, n - o, "%s%s", i ? " " : "", column_defs[list->id[i]].name);
		if (k < 0)
			break;
		o += (size_t)k;
	}
}

/* flexible - the column shares the room left over */
static int flexible(enum col_id id)
{
	return column_defs[id].min != column_defs[id].max;
}

/* columns_layout - the columns of list that fit in width, in list order, with their places; the ID
 * column is id_width wide when that is more than its minimum (the longest queue ID and its tag mark) */
int columns_layout(const struct column_list *list, int width, int id_width, struct column_place *out)
{
	int n = 0, i, need, extra, open, share, add, drop, x;

	for (i = 0; i < list->n && i < COL_COUNT; i++) {
		int w = column_defs[list->id[i]].min;

		if (list->id[i] == COL_ID && id_width > w)
			w = id_width;
		out[n++] = (struct column_place){ list->id[i], 0, w };
	}
	if (width < 0)
		width = 0;
	/* leave out the column that keeps least until the minimum widths fit */
	for (;;) {
		for (need = n - 1, i = 0; i < n; i++)
			need += out[i].w;
		if (n <= 1 || need <= width)
			break;
		for (drop = 0, i = 1; i < n; i++)
			if (column_defs[out[i].id].keep < column_defs[out[drop].id].keep)
				drop = i;
		memmove(out + drop, out + drop + 1, (size_t)(n - drop - 1) * sizeof *out);
		n--;
	}
	if (n == 1 && out[0].w > width)
		out[0].w = width;
	/* the flexible columns share the rest, evenly, each up to its max */
	for (extra = width - need; extra > 0; ) {
		for (open = 0, i = 0; i < n; i++)
			open += flexible(out[i].id) && (column_defs[out[i].id].max == 0
							|| out[i].w < column_defs[out[i].id].max);
		if (open == 0)
			break;
		share = extra / open > 0 ? extra / open : 1;
		for (i = 0; i < n && extra > 0; i++) {
			const struct column_def *d = &column_defs[out[i].id];

			if (!flexible(out[i].id) || (d->max != 0 && out[i].w >= d->max))
				continue;
			add = d->max != 0 && d->max - out[i].w < share ? d->max - out[i].w : share;
			out[i].w += add;
			extra -= add;
		}
	}
	for (x = 0, i = 0; i < n; i++) {
		out[i].x = x;
		x += out[i].w + 1;
	}
	return n;
}
