/* pathname - a log's name as the history keys it; see pathname.h
 *
 * The path (prefixed with the working directory when relative) is split
 * at slashes; "" and "." parts are dropped and ".." drops the part before
 * it (never above the root), which is what the shell's `cd -L` does.
 */
#include "core/pathname.h"

#include <limits.h>
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
	if (path[0] != '/') {
		if (cwd == NULL && (cwd = getcwd(here, sizeof here)) == NULL)
			return -1;
		if (strlen(cwd) + 1 + strlen(path) + 1 > sizeof whole)
			return -1;
		strcpy(whole, cwd);
		strcat(whole, "/");
		strcat(whole, path);
		path = whole;
	}
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
