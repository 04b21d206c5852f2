/* inifile - read an INI file safely and in linear time; see inifile.h */
#include "core/base/inifile.h"

#include <errno.h>
#include <fcntl.h>
#include <iniparser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* what iniparser reported during one load: the first problem's line and kind, how many lines were bad */
struct ini_report {
	int line;		/* 0 = unknown */
	enum { INI_NONE, INI_SYNTAX, INI_TOO_LONG, INI_MEMORY, INI_OTHER } kind;
	int count;
};

static struct ini_report *ini_report;

/* ini_error - iniparser's error callback: note the line number and kind, never the text
 *
 * iniparser 4.1 calls it with "iniparser: syntax error in %s (%d):\n-> %s\n" (file,
 * line, the line's text), "iniparser: input line too long in %s (%d)\n" (file, line),
 * "iniparser: cannot open %s\n" or "iniparser: memory allocation failure\n". Only the
 * arguments before the text are taken; a format not known here counts as a problem
 * without a line number. */
static int ini_error(const char *fmt, ...)
{
	struct ini_report *r = ini_report;
	va_list ap;
	int line = 0, kind = INI_OTHER;

	if (r == NULL)
		return 0;
	va_start(ap, fmt);
	if (strstr(fmt, "syntax error in %s (%d)") != NULL) {
		(void)va_arg(ap, const char *);
		line = va_arg(ap, int);
		kind = INI_SYNTAX;
	} else if (strstr(fmt, "line too long in %s (%d)") != NULL) {
		(void)va_arg(ap, const char *);
		line = va_arg(ap, int);
		kind = INI_TOO_LONG;
	} else if (strstr(fmt, "memory") != NULL) {
		kind = INI_MEMORY;
	}
	va_end(ap);
	if (r->count++ == 0) {
		r->line = line;
		r->kind = kind;
	}
	return 0;
}

/* prescan - the file is regular, no line is too long, not too many lines; 0, or -1 with why */
static int prescan(int fd, const char *path, const char *what, struct why *why)
{
	char buf[65536];
	size_t linelen = 0;
	long line = 1;
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) < 0)
		return why_errno(why, "cannot read %s %s", what, path);
	if (S_ISDIR(st.st_mode))
		return why_set(why, "cannot read %s %s: it is a directory", what, path);
	if (!S_ISREG(st.st_mode))
		return why_set(why, "cannot read %s %s: not a regular file (%s)", what, path,
			       S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISSOCK(st.st_mode) ? "a socket" : "a device");
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		const char *p, *end, *nl;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return why_errno(why, "cannot read %s %s", what, path);
		}
		for (p = buf, end = buf + n; p < end; p = nl + 1) {
			if (line > INIFILE_MAX_LINES)	/* a byte of one line more */
				return why_set(why, "cannot parse %s %s: more than %d lines", what, path,
					       INIFILE_MAX_LINES);
			nl = memchr(p, '\n', (size_t)(end - p));
			linelen += (size_t)((nl ? nl : end) - p);
			if (linelen > INIFILE_MAX_LINE)
				return why_set(why, "cannot parse %s %s: line %ld is longer than %d bytes", what, path,
					       line, INIFILE_MAX_LINE);
			if (nl == NULL)
				break;
			linelen = 0;
			line++;
		}
	}
	return 0;
}

/* parse_error - why for a load iniparser refused, from its report */
static int parse_error(const struct ini_report *r, const char *path, const char *what, struct why *why)
{
	char more[64] = "";

	if (r->count > 1)
		snprintf(more, sizeof more, " (and %d more line%s)", r->count - 1, r->count > 2 ? "s" : "");
	switch (r->kind) {
	case INI_SYNTAX:
		return why_set(why, "cannot parse %s %s: line %d is not a [section], a key = value or a comment%s",
			       what, path, r->line, more);
	case INI_TOO_LONG:
		return why_set(why, "cannot parse %s %s: line %d is longer than %d bytes (with its continuation lines)",
			       what, path, r->line, INIFILE_MAX_LINE);
	case INI_MEMORY:
		return why_set(why, "cannot parse %s %s: out of memory", what, path);
	default:
		return why_set(why, "cannot parse %s %s", what, path);
	}
}

/* section_of - the position of the section named name[0..len), added when new; -1 on out of memory */
static long section_of(struct inifile *f, const char *name, size_t len, size_t *cap)
{
	char key[1100];
	long long at;

	snprintf(key, sizeof key, "%.*s", (int)len, name);
	if (strmap_get(&f->index, key, &at))
		return (long)at;
	if (f->nsections == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct inifile_section *v = realloc(f->sections, ncap * sizeof *v);

		if (v == NULL)
			return -1;
		f->sections = v;
		*cap = ncap;
	}
	if (strmap_put(&f->index, key, (long long)f->nsections) < 0)
		return -1;
	memset(&f->sections[f->nsections], 0, sizeof f->sections[0]);
	/* the name lives in the dictionary when the section has an entry; else use the map's copy */
	f->sections[f->nsections].name = NULL;
	return (long)f->nsections++;
}

/* group - walk the dictionary once: sections in file order, each with its keys; 0 or -1 (memory) */
static int group(struct inifile *f)
{
	dictionary *d = f->dict;
	size_t cap = 0, i, nkeys = 0, *fill = NULL;
	long *owner = NULL;
	int rc = -1;

	if (d->size <= 0)
		return 0;
	if ((owner = calloc((size_t)d->size, sizeof *owner)) == NULL)
		return -1;
	for (i = 0; i < (size_t)d->size; i++) {
		const char *k = d->key[i], *colon;
		long s;

		owner[i] = -1;
		if (k == NULL)
			continue;
		colon = strchr(k, ':');
		if (colon == NULL) {	/* a section's own entry */
			if ((s = section_of(f, k, strlen(k), &cap)) < 0)
				goto out;
			f->sections[s].name = k;
			continue;
		}
		if (d->val[i] == NULL) {	/* a [section:with:colons] entry: not a key */
			strlist_addf(&f->notes, "[%s] is a section, not a key", k);
			continue;
		}
		if ((s = section_of(f, k, (size_t)(colon - k), &cap)) < 0)
			goto out;
		owner[i] = s;
		f->sections[s].nkeys++;
		nkeys++;
	}
	if (nkeys > 0 && (f->keys = calloc(nkeys, sizeof *f->keys)) == NULL)
		goto out;
	if ((fill = calloc(f->nsections + 1, sizeof *fill)) == NULL)
		goto out;
	for (i = 0, nkeys = 0; i < f->nsections; i++) {
		f->sections[i].keys = f->keys != NULL ? f->keys + nkeys : NULL;	/* no keys at all: NULL */
		fill[i] = 0;
		nkeys += f->sections[i].nkeys;
		if (f->sections[i].name == NULL)	/* keys without a section entry ("" before the first one) */
			f->sections[i].name = "";
	}
	for (i = 0; i < (size_t)d->size; i++) {
		struct inifile_section *s;

		if (owner[i] < 0)
			continue;
		s = &f->sections[owner[i]];
		s->keys[fill[owner[i]]].name = strchr(d->key[i], ':') + 1;
		s->keys[fill[owner[i]]].value = d->val[i];
		fill[owner[i]]++;
	}
	rc = 0;
out:
	free(owner);
	free(fill);
	return rc;
}

/* inifile_load - read path; 0, or -1 with why */
int inifile_load(struct inifile *f, const char *path, const char *what, struct why *why)
{
	struct ini_report report = { 0, INI_NONE, 0 };
	char proc[64];
	int fd;

	memset(f, 0, sizeof *f);
	/* non-blocking: opening a FIFO without a writer must not hang; the checks refuse it */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return why_errno(why, "cannot read %s %s", what, path);
	if (prescan(fd, path, what, why) < 0) {
		close(fd);
		return -1;
	}
	/* iniparser opens by name: give it the file checked above, not whatever the path names now */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ini_report = &report;
	iniparser_set_error_callback(ini_error);
	f->dict = iniparser_load(access(proc, R_OK) == 0 ? proc : path);
	iniparser_set_error_callback(NULL);
	ini_report = NULL;
	close(fd);
	if (f->dict == NULL)
		return parse_error(&report, path, what, why);
	if (group(f) < 0) {
		inifile_free(f);
		return why_set(why, "cannot parse %s %s: out of memory", what, path);
	}
	return 0;
}

/* inifile_section - the section called name, NULL when the file has none */
const struct inifile_section *inifile_section(const struct inifile *f, const char *name)
{
	long long at;

	return strmap_get(&f->index, name, &at) ? &f->sections[at] : NULL;
}

/* inifile_get - the value of key in section s (s may be NULL), NULL when absent */
const char *inifile_get(const struct inifile_section *s, const char *key)
{
	size_t i;

	for (i = 0; s != NULL && i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, key) == 0)
			return s->keys[i].value;
	return NULL;
}

/* inifile_free - release everything (f may be zeroed or failed to load) */
void inifile_free(struct inifile *f)
{
	if (f->dict != NULL)
		iniparser_freedict(f->dict);
	free(f->sections);
	free(f->keys);
	strmap_clear(&f->index);
	strlist_free(&f->notes);
	memset(f, 0, sizeof *f);
}
