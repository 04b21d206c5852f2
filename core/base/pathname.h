/* pathname - a log's name as the history keys it
 *
 * Saved positions and leases are keyed by the log's path. `mqmon ingest
 * mail.log` run in /var/log and a console following /var/log/mail.log
 * follow the same file and must share one key, else each resumes from its
 * own position and the lines are stored twice. The key is the absolute,
 * lexically clean path: relative to the working directory, with "." and
 * ".." parts and repeated slashes folded. The directory's symbolic links
 * are resolved when it exists (/var/log may be a link to /data/log), the
 * file's own name is kept: it may not exist yet, and after a rotation the
 * name is what counts.
 *
 * It also knows where the per-user default paths start: path_home() and
 * path_xdg() ignore relative values.
 */
#ifndef MQMON_PATHNAME_H
#define MQMON_PATHNAME_H

#include <stddef.h>

/* path_home - the home directory for default paths (history, configuration): $HOME when it is
 * absolute, else the password entry's when absolute; NULL when neither (a relative HOME would put
 * the files below whatever the working directory is, as the XDG spec says of its variables) */
const char *path_home(void);

/* path_xdg - the XDG base directory variable name (XDG_DATA_HOME ...) when set to an absolute path,
 * else NULL: the spec says relative values are invalid and must be ignored */
const char *path_xdg(const char *name);

/* path_absolute - path as an absolute, clean path into buf (cwd NULL: the working
 * directory; buf may be path); 0, or -1 when it does not fit or the working directory is unknown */
int path_absolute(const char *path, const char *cwd, char *buf, size_t n);

/* path_log_key - path_absolute, then the directory part through realpath() when it
 * exists (buf may be path); 0, or -1 as path_absolute */
int path_log_key(const char *path, char *buf, size_t n);

#endif
