/* pathname - a log's name as the history keys it; see pathname.h
 *
 * The path (prefixed with the working directory when relative) is split
 * at slashes; "" and "." parts are dropped and ".." drops the part before
 * it (never above the root), which is what the shell's `cd -L` does.
 */
#include "core/base/pathname.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* path_absolute - path as an absolute, clean path into buf */
int path_absolute(const char *path, const char *cwd, char *buf, size_t n)
{
	char here[PATH_MAX], whole[2 * PATH_MAX + 2];
	const char *p, *end;
	size_t o = 0, len;

	if (n < 2)
		return -1;
	/* work on a copy: buf may be path itself */
	if (path[0] != '/' && cwd == NULL && (cwd = getcwd(here, sizeof here)) == NULL)
		return -1;
	if (snprintf(whole, sizeof whole, "%s%s%s", path[0] != '/' ? cwd : "", path[0] != '/' ? "/" : "",
		     path) >= (int)sizeof whole)
		return -1;
	path = whole;
	buf[0] = '\0';
	for (p = path; *p; p = end) {
		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		len = (size_t)(end - p);
		if (len == 0 || (len == 1 && p[0] == '.'))
			continue;
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && buf[o - 1] != '/')
				o--;
			if (o > 0)
				o--;	/* the slash before the dropped part */
			buf[o] = '\0';
			continue;
		}
		if (o + 1 + len + 1 > n)
			return -1;
		buf[o++] = '/';
		memcpy(buf + o, p, len);
		o += len;
		buf[o] = '\0';
	}
	if (o == 0) {
		buf[0] = '/';
		buf[1] = '\0';
	}
	return 0;
}

/* path_log_key - path_absolute, then the directory part through realpath() when it exists */
int path_log_key(const char *path, char *buf, size_t n)
{
	char dir[PATH_MAX], real[PATH_MAX], *slash;
	const char *base;

	if (path_absolute(path, NULL, buf, n) < 0)
		return -1;
	slash = strrchr(buf, '/');
	if (slash == NULL || slash == buf || (size_t)(slash - buf) >= sizeof dir)
		return 0;	/* a file in / (or no directory part): nothing to resolve */
	memcpy(dir, buf, (size_t)(slash - buf));
	dir[slash - buf] = '\0';
	base = slash + 1;
	if (realpath(dir, real) == NULL || strcmp(real, dir) == 0)
		return 0;	/* missing, unreadable or already real: the clean path is the key */
	{
		char key[PATH_MAX];
		int r = snprintf(key, sizeof key, "%s/%s", strcmp(real, "/") == 0 ? "" : real, base);

		if (r < 0 || (size_t)r >= sizeof key || (size_t)r >= n)
			return 0;	/* too long resolved: the clean path still names the file */
		memcpy(buf, key, (size_t)r + 1);
	}
	return 0;
}

/* path_home - $HOME when absolute, else the password entry's home when absolute; NULL */
const char *path_home(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home != NULL && home[0] == '/')
		return home;
	pw = getpwuid(getuid());
	return pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

/* path_xdg - $name when it is an absolute path, else NULL */
const char *path_xdg(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] == '/' ? v : NULL;
}
