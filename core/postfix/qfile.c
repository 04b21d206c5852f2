/* qfile - read Postfix queue files straight from the spool; see qfile.h
 *
 * Record layout (Postfix global/record.c, rec_type.h): one type byte, the
 * data length in 7-bit groups, least significant first, the high bit set on
 * every byte but the last (at most 5 bytes here), then the data. The walk
 * mirrors showq(8)'s, the program behind `postqueue -j`:
 *
 *   C size     first well-formed one (digits and spaces only): its first
 *              field is the content size; message_size, and the distance
 *              skipped after M. Without one, message_size is the file size
 *              and the content records are walked (and ignored).
 *   T time     first non-zero one: arrival time (seconds field).
 *   S sender   reports arrival and size as seen so far; a second S ends the
 *              walk, as showq stops listing there.
 *   O orig     original recipient of the next R (dropped by D or /).
 *   R rcpt     a pending recipient, in the envelope or extracted segment.
 *   D, /       done / deleted recipient: not listed.
 *   M          start of content: jump over the content size to the X
 *              record and the extracted segment behind it.
 *   p pointer  follow to the offset (0 = a placeholder); more than 10000
 *              backward jumps, or more records than bytes, is a loop.
 *   w          padding, skipped.  E: end of the queue file.
 *
 * Anything else (A, F, W, K, N, L, X, ...) is ignored. Unlike showq, which
 * lists whatever it read before a bad record or the end of the file, every
 * truncation or malformed record is an error here: a file caught while being
 * written (or corrupted) gives -1, never a partial message.
 */
#include "core/postfix/qfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REVERSE_JUMP_LIMIT 10000	/* as Postfix's rec_goto() */
#define LENGTH_BYTES_MAX   5		/* 35 bits: Postfix refuses more than an int */
#define QFILE_MAX_BYTES    (1L << 30)	/* refuse to slurp anything larger */

/* struct walk - a cursor over the queue file in memory */
struct walk {
	const unsigned char *buf;
	size_t len;
	size_t pos;			/* next record */
	unsigned reverse;		/* backward pointer jumps so far */
	size_t steps;			/* records read so far */
};

/* type_name - printable form of a record type byte, for messages */
static const char *type_name(int type, char tmp[8])
{
	if (type >= 0x21 && type < 0x7f) {
		tmp[0] = '\'';
		tmp[1] = (char)type;
		tmp[2] = '\'';
		tmp[3] = 0;
	} else {
		static const char hex[] = "0123456789abcdef";

		tmp[0] = '0';
		tmp[1] = 'x';
		tmp[2] = hex[(type >> 4) & 15];
		tmp[3] = hex[type & 15];
		tmp[4] = 0;
	}
	return tmp;
}

/* rec_read - the record at w->pos: 1 and its type/data, 0 at the end of the buffer, -1 with why */
static int rec_read(struct walk *w, int *type, const unsigned char **data, size_t *dlen,
		    struct why *why)
{
	size_t at = w->pos, p = at + 1, left;
	uint64_t len = 0;
	char tmp[8];
	int i;

	if (at >= w->len)
		return 0;
	*type = w->buf[at];
	for (i = 0;; i++) {
		unsigned c;

		if (i == LENGTH_BYTES_MAX)
			return why_set(why, "bad record %s at offset %zu: length field longer than %d bytes",
				       type_name(*type, tmp), at, LENGTH_BYTES_MAX);
		if (p >= w->len)
			return why_set(why, "truncated: file ends in the length of record %s at offset %zu",
				       type_name(*type, tmp), at);
		c = w->buf[p++];
		len |= (uint64_t)(c & 0x7f) << (7 * i);
		if ((c & 0x80) == 0)
			break;
	}
	left = w->len - p;
	if (len > left)
		return why_set(why, "truncated: record %s at offset %zu has %llu data bytes, file has %zu left",
			       type_name(*type, tmp), at, (unsigned long long)len, left);
	*data = w->buf + p;
	*dlen = (size_t)len;
	w->pos = p + (size_t)len;
	return 1;
}

/* parse_long - atol() on record data: blanks, a sign, digits; saturates instead of overflowing */
static long parse_long(const unsigned char *s, size_t n)
{
	size_t i = 0;
	int neg = 0;
	long v = 0;

	while (i < n && isspace(s[i]))
		i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		int d = s[i] - '0';

		if (!neg && v > (LONG_MAX - d) / 10)
			return LONG_MAX;
		if (neg && v < (LONG_MIN + d) / 10)
			return LONG_MIN;
		v = neg ? v * 10 - d : v * 10 + d;
	}
	return v;
}

/* size_record - showq's test of a C record: only digits and blanks, first field >= 0; -1 if malformed */
static long size_record(const unsigned char *s, size_t n)
{
	size_t i;
	long v;

	n = strnlen((const char *)s, n);	/* showq reads it as a C string */
	for (i = 0; i < n; i++)
		if (!(s[i] == ' ' || (s[i] >= '0' && s[i] <= '9')))
			return -1;
	v = parse_long(s, n);
	return v >= 0 ? v : -1;
}

/* pointer_target - the offset in a p record; 0 for a placeholder, -1 if malformed */
static long long pointer_target(const unsigned char *s, size_t n)
{
	size_t i = 0;
	long long v = 0;

	n = strnlen((const char *)s, n);
	while (i < n && isspace(s[i]))
		i++;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (LLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* is_dot_string - RFC 822 dot-string test of a local part, 8-bit clean, as Postfix's quote_822_local */
static int is_dot_string(const unsigned char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned c = s[i];

		if (c == '.' && i + 1 < n && s[i + 1] == '.')
			return 0;
		if (c < 0x20 || c == 0x7f || c == ' ')
			return 0;
		if (c < 0x80 && strchr("()<>@,;:\\\"[]", (int)c) != NULL)
			return 0;
	}
	return 1;
}

/* mask_unprintable - replace what is neither printable ASCII nor a UTF-8 sequence with '?' (Postfix printable()) */
static void mask_unprintable(char *str)
{
	unsigned char *cp = (unsigned char *)str;

	for (; *cp != 0; cp++) {
		if (*cp >= 0x20 && *cp < 0x7f)
			continue;
		if (*cp >= 194 && *cp <= 254 && cp[1] >= 128 && cp[1] < 192) {
			while (cp[1] >= 128 && cp[1] < 192)
				cp++;
			continue;
		}
		*cp = '?';
	}
}

/* external_address - malloc'd external form of an envelope address: quoted local part, masked bytes */
static char *external_address(const unsigned char *s, size_t n)
{
	const unsigned char *start = s, *end, *colon, *at;
	char *out, *o;
	size_t i;

	n = strnlen((const char *)s, n);
	if ((out = malloc(2 * n + 3)) == NULL)
		return NULL;
	if (n == 0) {
		out[0] = 0;
		return out;
	}
	/* a source route "@a,@b:" before the local part stays as it is */
	if (s[0] == '@' && (colon = memchr(s, ':', n)) != NULL)
		start = colon + 1;
	at = memrchr(start, '@', n - (size_t)(start - s));
	end = at ? at : s + n;
	if (is_dot_string(start, (size_t)(end - start))) {
		memcpy(out, s, n);
		out[n] = 0;
	} else {
		o = out;
		memcpy(o, s, (size_t)(start - s));
		o += start - s;
		*o++ = '"';
		for (i = 0; start + i < end; i++) {
			if (start[i] == '"' || start[i] == '\\' || start[i] == '\r')
				*o++ = '\\';
			*o++ = (char)start[i];
		}
		*o++ = '"';
		memcpy(o, end, (size_t)(s + n - end));
		o += s + n - end;
		*o = 0;
	}
	mask_unprintable(out);
	return out;
}

/* add_rcpt - append a pending recipient (and its original address, if any); -1 on out of memory */
static int add_rcpt(struct qfile_info *info, size_t *cap, const unsigned char *addr, size_t alen,
		    const unsigned char *orig, size_t olen)
{
	struct qfile_rcpt *r;

	if (info->nrcpts == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4;

		if ((r = realloc(info->rcpts, ncap * sizeof *r)) == NULL)
			return -1;
		info->rcpts = r;
		*cap = ncap;
	}
	r = &info->rcpts[info->nrcpts];
	r->orig_address = NULL;
	if ((r->address = external_address(addr, alen)) == NULL)
		return -1;
	if (orig != NULL && (r->orig_address = external_address(orig, olen)) == NULL) {
		free(r->address);
		return -1;
	}
	info->nrcpts++;
	return 0;
}

/* follow_pointer - move the walk to a p record's target; -1 with why */
static int follow_pointer(struct walk *w, size_t at, const unsigned char *data, size_t dlen,
			  struct why *why)
{
	long long target = pointer_target(data, dlen);

	if (target < 0)
		return why_set(why, "bad pointer record at offset %zu: \"%.*s\"", at,
			       (int)(dlen > 40 ? 40 : dlen), (const char *)data);
	if (target == 0)		/* placeholder: carry on with the next record */
		return 0;
	if ((unsigned long long)target > w->len)
		return why_set(why, "truncated: pointer record at offset %zu points to %lld, past the end (%zu bytes)",
			       at, target, w->len);
	if ((size_t)target < w->pos && ++w->reverse > REVERSE_JUMP_LIMIT)
		return why_set(why, "pointer loop: more than %d backward jumps", REVERSE_JUMP_LIMIT);
	w->pos = (size_t)target;
	return 0;
}

/* qfile_parse - parse a whole queue file held in memory; 0, or -1 with why (truncated, bad record) */
int qfile_parse(const char *buf, size_t len, struct qfile_info *info, struct why *why)
{
	struct walk w = { (const unsigned char *)buf, len, 0, 0, 0 };
	const unsigned char *data = NULL, *orig = NULL;
	size_t dlen = 0, olen = 0, cap = 0, at;
	long arrival = 0, msg_size = len > LONG_MAX ? LONG_MAX : (long)len, v;
	int type = 0, rc, size_ok = 0, sender_seen = 0;

	memset(info, 0, sizeof *info);
	for (;;) {
		at = w.pos;
		if ((rc = rec_read(&w, &type, &data, &dlen, why)) < 0)
			goto fail;
		if (rc == 0) {
			why_set(why, "truncated: no end record in %zu bytes", len);
			goto fail;
		}
		if (++w.steps > len) {
			why_set(why, "pointer loop: more records read than the file has bytes");
			goto fail;
		}
		switch (type) {
		case 'p':
			if (follow_pointer(&w, at, data, dlen, why) < 0)
				goto fail;
			break;
		case 'T':
			if (arrival == 0)
				arrival = parse_long(data, dlen);
			break;
		case 'C':
			if (!size_ok && (v = size_record(data, dlen)) >= 0) {
				size_ok = 1;
				msg_size = v;
			}
			break;
		case 'S':
			if (sender_seen)
				goto done;	/* showq: "duplicate sender", stops listing */
			sender_seen = 1;
			if ((info->sender = external_address(data, dlen)) == NULL)
				goto nomem;
			info->arrival = arrival > 0 ? (time_t)arrival : 0;
			info->message_size = msg_size;
			break;
		case 'O':
			orig = data;
			olen = dlen;
			break;
		case 'R':
			if (!sender_seen) {
				why_set(why, "bad queue file: recipient record at offset %zu before the sender", at);
				goto fail;
			}
			if (add_rcpt(info, &cap, data, dlen, orig, olen) < 0)
				goto nomem;
			orig = NULL;
			break;
		case 'D':
		case '/':
			orig = NULL;
			break;
		case 'M':
			if (size_ok) {
				if ((unsigned long)msg_size > len - w.pos) {
					why_set(why, "truncated: content of %ld bytes at offset %zu, file has %zu left",
						msg_size, w.pos, len - w.pos);
					goto fail;
				}
				w.pos += (size_t)msg_size;
			}
			break;
		case 'E':
			goto done;
		default:		/* w padding, A, F, W, K, N, L, X, ...: nothing showq lists */
			break;
		}
	}
done:
	if (!sender_seen) {
		why_set(why, "bad queue file: no sender record");
		goto fail;
	}
	return 0;
fail:
	qfile_info_free(info);
	errno = EINVAL;
	return -1;
nomem:
	qfile_info_free(info);
	errno = ENOMEM;
	return why_set(why, "out of memory parsing a queue file");
}

/* slurp - read a regular file of about `size` bytes with (normally) one read(); -1 with errno */
static char *slurp(int fd, off_t size, size_t *lenp)
{
	size_t cap = (size_t)size + 1, got = 0;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;

	if (buf == NULL)
		return NULL;
	for (;;) {
		n = read(fd, buf + got, cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)n;
		if (n == 0 || got < cap)	/* a short read of a regular file is its end */
			break;
		if (cap >= (size_t)QFILE_MAX_BYTES) {	/* still growing: give up */
			free(buf);
			errno = EFBIG;
			return NULL;
		}
		if ((nbuf = realloc(buf, cap * 2)) == NULL) {
			free(buf);
			return NULL;
		}
		buf = nbuf;
		cap *= 2;
	}
	*lenp = got;
	return buf;
}

/* qfile_read - read and parse the file name relative to dirfd; 0, or -1 with why and errno */
int qfile_read(int dirfd, const char *name, struct qfile_info *info, struct why *why)
{
	struct stat st;
	struct why perr;
	size_t len = 0;
	char *buf;
	int fd, rc;

	memset(info, 0, sizeof *info);
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)) < 0)
		return why_errno(why, "open %s", name);
	if (fstat(fd, &st) < 0) {
		why_errno(why, "fstat %s", name);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return why_set(why, "%s: not a regular file", name);
	}
	if ((st.st_mode & S_IRWXU) != S_IRWXU) {	/* Postfix's "ready" mode is 0700 */
		close(fd);
		errno = EAGAIN;
		return why_set(why, "%s: not ready (mode %04o): still being written, or marked corrupt",
			       name, (unsigned)(st.st_mode & 07777));
	}
	if (st.st_size > QFILE_MAX_BYTES) {
		close(fd);
		errno = EFBIG;
		return why_set(why, "%s: %lld bytes, too large for a queue file", name,
			       (long long)st.st_size);
	}
	if ((buf = slurp(fd, st.st_size, &len)) == NULL) {
		why_errno(why, "read %s", name);
		close(fd);
		return -1;
	}
	close(fd);
	rc = qfile_parse(buf, len, info, &perr);
	free(buf);
	if (rc < 0) {
		int e = errno;		/* EINVAL or ENOMEM, from qfile_parse */

		why_set(why, "%s: %s", name, perr.text);
		errno = e;
		return -1;
	}
	info->forced_expire = (st.st_mode & S_IXGRP) != 0;	/* postsuper -e */
	info->mtime = st.st_mtime;	/* deferred queue: the next retry time */
	if (info->arrival == 0)
		info->arrival = st.st_mtime;	/* showq's fallback */
	return 0;
}

/* qfile_info_free - release what qfile_parse allocated, leave info empty */
void qfile_info_free(struct qfile_info *info)
{
	size_t i;

	if (info == NULL)
		return;
	for (i = 0; i < info->nrcpts; i++) {
		free(info->rcpts[i].address);
		free(info->rcpts[i].orig_address);
	}
	free(info->rcpts);
	free(info->sender);
	memset(info, 0, sizeof *info);
}
