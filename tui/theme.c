/* theme - semantic colours for the console; see theme.h
 *
 * A theme is a table of (foreground, background, attributes) per element.
 * Colour names are the eight curses colours, their `bright` forms (8-15),
 * `default`, or a number 0-255. On a terminal with fewer colours a bright
 * colour becomes its base colour plus bold, and a 256-colour number its
 * nearest of the 8 basic colours.
 */
#include "tui/theme.h"

#include <curses.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/inifile.h"

#ifndef MQMON_DATADIR
#define MQMON_DATADIR "/usr/local/share/mqmon"
#endif

#define A_MONO_MASK (A_BOLD | A_UNDERLINE | A_REVERSE | A_DIM | A_STANDOUT)

struct spec {
	short fg, bg;		/* -1 = default */
	unsigned long attrs;
};

static const char *const elem_names[EL_CAUSE] = {
	"normal", "title", "header", "selected", "tagged", "dim", "footer", "key", "advice",
	"error", "live", "countdown", "countdown.near", "countdown.due", "estimated", "overdue",
	"expiring", "hold", "spark",
};

static struct spec specs[EL_COUNT];
static unsigned long attrs[EL_COUNT];
static char loaded_name[64] = "builtin";

/* theme_use_builtin - the built-in default theme */
void theme_use_builtin(void)
{
	static const struct { int el; struct spec s; } defaults[] = {
		{ EL_NORMAL, { -1, -1, 0 } },
		{ EL_TITLE, { COLOR_WHITE, COLOR_BLUE, A_BOLD } },
		{ EL_HEADER, { COLOR_CYAN, -1, A_BOLD | A_UNDERLINE } },
		{ EL_SELECTED, { COLOR_BLACK, COLOR_CYAN, 0 } },
		{ EL_TAGGED, { COLOR_MAGENTA, -1, A_BOLD } },
		{ EL_DIM, { -1, -1, A_DIM } },
		{ EL_FOOTER, { COLOR_WHITE, COLOR_BLUE, 0 } },
		{ EL_KEY, { COLOR_YELLOW, COLOR_BLUE, A_BOLD } },
		{ EL_ADVICE, { COLOR_GREEN, -1, 0 } },
		{ EL_ERROR, { COLOR_WHITE, COLOR_RED, A_BOLD } },
		{ EL_LIVE, { COLOR_GREEN, COLOR_BLUE, A_BOLD } },
		{ EL_COUNTDOWN, { -1, -1, 0 } },
		{ EL_COUNTDOWN_NEAR, { COLOR_YELLOW, -1, A_BOLD } },
		{ EL_COUNTDOWN_DUE, { COLOR_GREEN, -1, A_BOLD } },
		{ EL_ESTIMATED, { -1, -1, A_DIM } },
		{ EL_OVERDUE, { COLOR_WHITE, COLOR_RED, A_BOLD } },
		{ EL_EXPIRING, { COLOR_RED, -1, A_BOLD } },
		{ EL_HOLD, { COLOR_MAGENTA, -1, 0 } },
		{ EL_SPARK, { COLOR_CYAN, -1, 0 } },
		{ EL_CAUSE + CAUSE_RATE_LIMIT, { COLOR_YELLOW, -1, A_BOLD } },
		{ EL_CAUSE + CAUSE_REPUTATION, { COLOR_RED, -1, A_BOLD } },
		{ EL_CAUSE + CAUSE_AUTH, { COLOR_MAGENTA, -1, A_BOLD } },
		{ EL_CAUSE + CAUSE_PTR, { COLOR_MAGENTA, -1, 0 } },
		{ EL_CAUSE + CAUSE_TLS, { COLOR_BLUE, -1, A_BOLD } },
		{ EL_CAUSE + CAUSE_GREYLISTING, { COLOR_GREEN, -1, 0 } },
		{ EL_CAUSE + CAUSE_CONNECTIONS, { COLOR_CYAN, -1, A_BOLD } },
		{ EL_CAUSE + CAUSE_SERVER_BUSY, { COLOR_CYAN, -1, 0 } },
		{ EL_CAUSE + CAUSE_CONTENT, { COLOR_RED, -1, 0 } },
		{ EL_CAUSE + CAUSE_MAILBOX_FULL, { COLOR_YELLOW, -1, 0 } },
		{ EL_CAUSE + CAUSE_POLICY, { COLOR_WHITE, -1, A_BOLD } },
		{ EL_CAUSE + CAUSE_NETWORK, { COLOR_BLUE, -1, 0 } },
		{ EL_CAUSE + CAUSE_UNCLASSIFIED, { -1, -1, A_DIM } },
	};
	size_t i;

	for (i = 0; i < EL_COUNT; i++)
		specs[i] = (struct spec){ -1, -1, 0 };
	for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		specs[defaults[i].el] = defaults[i].s;
	snprintf(loaded_name, sizeof loaded_name, "builtin");
}

/* parse_color - a colour word; 0 on success */
static int parse_color(const char *w, short *out)
{
	static const char *const names[] = { "black", "red", "green", "yellow", "blue", "magenta",
					     "cyan", "white" };
	char *end;
	long n;
	int i;

	if (strcmp(w, "default") == 0) {
		*out = -1;
		return 0;
	}
	for (i = 0; i < 8; i++) {
		if (strcmp(w, names[i]) == 0) {
			*out = (short)i;
			return 0;
		}
		if (strncmp(w, "bright", 6) == 0 && strcmp(w + 6, names[i]) == 0) {
			*out = (short)(i + 8);
			return 0;
		}
	}
	n = strtol(w, &end, 10);
	if (*w && *end == '\0' && n >= 0 && n <= 255) {
		*out = (short)n;
		return 0;
	}
	return -1;
}

/* parse_attr - an attribute word; 0 on success */
static int parse_attr(const char *w, unsigned long *out)
{
	if (strcmp(w, "bold") == 0) *out |= A_BOLD;
	else if (strcmp(w, "underline") == 0) *out |= A_UNDERLINE;
	else if (strcmp(w, "reverse") == 0) *out |= A_REVERSE;
	else if (strcmp(w, "dim") == 0) *out |= A_DIM;
	else if (strcmp(w, "standout") == 0) *out |= A_STANDOUT;
	else if (strcmp(w, "normal") == 0 || strcmp(w, "none") == 0) ;
	else return -1;
	return 0;
}

/* parse_spec - "fg bg [attr...]" */
static int parse_spec(const char *value, struct spec *s, char *bad, size_t badsz)
{
	struct strlist words = { 0 };
	size_t i;
	int rc = 0;

	strlist_split(&words, value, " \t,");
	*s = (struct spec){ -1, -1, 0 };
	for (i = 0; i < words.n && rc == 0; i++) {
		short c;

		if (i < 2 && parse_color(words.v[i], &c) == 0) {
			if (i == 0)
				s->fg = c;
			else
				s->bg = c;
		} else if (parse_attr(words.v[i], &s->attrs) < 0) {
			snprintf(bad, badsz, "%s", words.v[i]);
			rc = -1;
		}
	}
	strlist_free(&words);
	return rc;
}

/* cmp_names - strcmp for qsort over char * */
static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* theme_dirs - the themes directories, in the order find_theme looks (n >= 3 buffers); returns how many */
static int theme_dirs(char dirs[][PATH_MAX + 16])
{
	char exe[PATH_MAX];
	ssize_t n;
	int k = 0;
	const char *env = getenv("MQMON_DATADIR");

	if (env != NULL && *env)
		snprintf(dirs[k++], PATH_MAX + 16, "%s/themes", env);
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			snprintf(dirs[k++], PATH_MAX + 16, "%s/themes", exe);
		}
	}
	snprintf(dirs[k++], PATH_MAX + 16, "%s/themes", MQMON_DATADIR);
	return k;
}

/* theme_list - the names of the installed themes ("dark, default, ..."), sorted, each once */
void theme_list(char *buf, size_t n)
{
	char dirs[3][PATH_MAX + 16];
	struct strlist names = { 0 };
	size_t i, o = 0;
	int k, nd = theme_dirs(dirs);

	for (k = 0; k < nd; k++) {
		DIR *d = opendir(dirs[k]);
		struct dirent *e;

		while (d != NULL && (e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);
			char name[256];

			if (e->d_name[0] == '.' || len <= 4 || strcmp(e->d_name + len - 4, ".ini") != 0)
				continue;
			snprintf(name, sizeof name, "%.*s", (int)(len - 4), e->d_name);
			if (!strlist_has(&names, name))
				strlist_add(&names, name);
		}
		if (d != NULL)
			closedir(d);
	}
	if (names.n > 1)
		qsort(names.v, names.n, sizeof *names.v, cmp_names);
	buf[0] = '\0';
	for (i = 0; i < names.n && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? ", " : "", names.v[i]);
	if (names.n == 0)
		snprintf(buf, n, "only the built-in default");
	strlist_free(&names);
}

/* find_theme - a path for name: as given when it contains '/', else in the themes directories */
static const char *find_theme(const char *name, char *buf, size_t bufsz)
{
	char dirs[3][PATH_MAX + 16];
	int k, nd;

	if (strchr(name, '/') != NULL)
		return name;
	nd = theme_dirs(dirs);
	for (k = 0; k < nd; k++) {
		snprintf(buf, bufsz, "%.*s/%.255s.ini", PATH_MAX + 16, dirs[k], name);
		if (access(buf, R_OK) == 0)
			return buf;
	}
	return buf;	/* the last one: its error names the installed directory */
}

/* theme_load - load NAME (path or name); errors collected in errs; -1 with why when not found */
int theme_load(const char *name, struct strlist *errs, struct why *why)
{
	char pathbuf[PATH_MAX + 300];
	const char *path = find_theme(name, pathbuf, sizeof pathbuf), *v;
	const struct inifile_section *colors;
	struct inifile f;
	int i;

	theme_use_builtin();
	if (inifile_load(&f, path, "theme", why) < 0)
		return -1;
	colors = inifile_section(&f, "colors");
	for (i = 0; i < EL_COUNT; i++) {
		char key[64], bad[64];

		if (i < EL_CAUSE)
			snprintf(key, sizeof key, "%s", elem_names[i]);
		else
			snprintf(key, sizeof key, "cause.%s", cause_name((enum cause)(i - EL_CAUSE)));
		if ((v = inifile_get(colors, key)) == NULL)
			continue;
		if (parse_spec(v, &specs[i], bad, sizeof bad) < 0 && errs != NULL)
			strlist_addf(errs, "%s: %s: unknown colour or attribute '%s'", path, key, bad);
	}
	v = inifile_get(inifile_section(&f, "theme"), "name");
	snprintf(loaded_name, sizeof loaded_name, "%s", v != NULL ? v : name);
	inifile_free(&f);
	return 0;
}

/* degrade - a colour the terminal can show (-1 stays default); may add bold */
static short degrade(short c, unsigned long *extra)
{
	static const short cube_to_basic[6] = { 0, 0, 1, 1, 1, 1 };

	if (c < 0 || c < COLORS)
		return c;
	if (c < 16) {
		*extra |= A_BOLD;
		return (short)(c - 8);
	}
	if (c < 232) {
		int v = c - 16, r = v / 36, g = v / 6 % 6, b = v % 6;

		return (short)(cube_to_basic[r] | cube_to_basic[g] << 1 | cube_to_basic[b] << 2);
	}
	return c < 244 ? COLOR_BLACK : COLOR_WHITE;
}

/* theme_apply - allocate colour pairs after initscr(); honours NO_COLOR and the terminal's colours */
void theme_apply(int no_color)
{
	int i, color = !no_color && has_colors();

	if (color) {
		start_color();
		use_default_colors();
	}
	for (i = 0; i < EL_COUNT; i++) {
		unsigned long a = specs[i].attrs;

		if (color && i + 1 < COLOR_PAIRS) {
			short fg = degrade(specs[i].fg, &a), bg = degrade(specs[i].bg, &a);

			init_pair((short)(i + 1), fg, bg);
			attrs[i] = COLOR_PAIR(i + 1) | a;
		} else {
			/* monochrome: selection and alarms must still stand out */
			a &= A_MONO_MASK;
			if (i == EL_SELECTED || i == EL_TITLE || i == EL_FOOTER || i == EL_OVERDUE || i == EL_ERROR)
				a |= A_REVERSE;
			attrs[i] = a;
		}
	}
}

/* theme_attr - curses attributes for an element */
unsigned long theme_attr(enum tui_elem el)
{
	return (unsigned)el < EL_COUNT ? attrs[el] : 0;
}

/* theme_cause - the element of a cause */
enum tui_elem theme_cause(enum cause c)
{
	return (enum tui_elem)(EL_CAUSE + ((unsigned)c < CAUSE_COUNT ? c : CAUSE_UNCLASSIFIED));
}

/* theme_name - name of the loaded theme */
const char *theme_name(void)
{
	return loaded_name;
}
