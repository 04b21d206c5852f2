/* qfile - read Postfix queue files straight from the spool (as root)
 *
 * A queue file is a sequence of typed records (type byte, base-128 length,
 * data). qfile_parse walks them the way showq(8) does for `postqueue -j`:
 * pointer records are followed, padding skipped, the message content jumped
 * over using the size record, recipients read from both the envelope and the
 * extracted segment, and the walk ends at the end record. Only recipients
 * still pending (R records) are returned; done (D) and deleted (/) ones are
 * not. Addresses come out in Postfix's external form, as postqueue shows
 * them: a local part that is not an RFC 822 dot-string is quoted, and bytes
 * that are neither printable ASCII nor UTF-8 become '?'. The null sender is
 * "" (postqueue shows MAILER-DAEMON).
 */
#ifndef MQMON_QFILE_H
#define MQMON_QFILE_H

#include <stddef.h>
#include <time.h>

#include "core/base/why.h"

struct qfile_rcpt {
	char *address;
	char *orig_address;		/* NULL without an O record */
};

struct qfile_info {
	time_t arrival;			/* postqueue -j arrival_time; qfile_parse: 0 when the
					 * file has no time record (qfile_read then uses mtime) */
	long message_size;		/* postqueue -j message_size: the size record's content
					 * size, else the file size */
	int forced_expire;		/* postqueue -j forced_expire: group-execute bit set by
					 * `postsuper -e`; only qfile_read can see it */
	time_t mtime;			/* qfile_read: the file's mtime (in deferred/: the
					 * next retry time); 0 from qfile_parse */
	char *sender;			/* "" for the null sender */
	struct qfile_rcpt *rcpts;	/* pending recipients, in file order */
	size_t nrcpts;
};

/* qfile_parse - parse a whole queue file held in memory; 0, or -1 with why
 * (truncated, bad record) and errno EINVAL (ENOMEM when out of memory). On -1
 * info is left empty (qfile_info_free is a no-op). */
int qfile_parse(const char *buf, size_t len, struct qfile_info *info, struct why *why);

/* qfile_read - read and parse the file name relative to dirfd (openat); 0, or
 * -1 with why and errno: ENOENT (the file went away: a message moving between
 * queues or delivered), EAGAIN (not mode 0700: cleanup is still writing it, or
 * Postfix marked it corrupt; showq skips those), EINVAL (not a regular file,
 * or a bad/truncated queue file), other values from open/fstat/read. */
int qfile_read(int dirfd, const char *name, struct qfile_info *info, struct why *why);

/* qfile_info_free - release what qfile_parse allocated, leave info empty */
void qfile_info_free(struct qfile_info *info);

#endif
