/* sanitize - make untrusted text safe to print on a terminal or in TSV/CSV
 *
 * Reply texts come from remote SMTP servers and may hold anything: terminal
 * escape sequences, C0/C1 control characters, invalid UTF-8, tabs and
 * newlines. sanitize_text() copies text keeping valid UTF-8 only: every
 * control character (C0, DEL, C1 U+0080..U+009F) becomes one space, every
 * invalid byte becomes U+FFFD, runs of white space fold into one space, and
 * leading/trailing space is dropped. The result never contains a byte below
 * 0x20, a tab or a newline, so it is safe as a TSV field and on screen.
 */
#ifndef MQMON_SANITIZE_H
#define MQMON_SANITIZE_H

#include <stddef.h>

/* sanitize_text - copy src[0..len) into dst (size dstsz, NUL-terminated) safely; returns bytes written */
size_t sanitize_text(char *dst, size_t dstsz, const char *src, size_t len);

/* utf8_clean - true when s[0..len) is valid UTF-8 without control characters */
int utf8_clean(const char *s, size_t len);

#endif
