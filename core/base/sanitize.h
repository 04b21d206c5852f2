/* sanitize - make untrusted text safe to print on a terminal or in TSV/CSV
 *
 * Reply texts come from remote SMTP servers and may hold anything: terminal
 * escape sequences, C0/C1 control characters, invalid UTF-8, tabs and
 * newlines, and Unicode format characters that reorder or hide text
 * (Trojan Source: bidi overrides and isolates, zero-width spaces and
 * joiners, the BOM, line and paragraph separators, tag characters).
 * sanitize_text() copies text keeping valid UTF-8 only: every control
 * character (C0, DEL, C1 U+0080..U+009F) becomes one space, every invalid
 * byte and every format character becomes U+FFFD (visible: the reader sees
 * that something was there), runs of white space fold into one space, and
 * leading/trailing space is dropped. The result never contains a byte below
 * 0x20, a tab, a newline or a format character, so it is safe as a TSV
 * field and on screen.
 *
 * sanitize_quote() is for quoting an operator's argument (or any text) in
 * an error message: the same characters become '?' and nothing is folded,
 * so what was typed stays recognisable. utf8_width() gives the display
 * columns of sanitized text, for padding columns.
 */
#ifndef MQMON_SANITIZE_H
#define MQMON_SANITIZE_H

#include <stddef.h>

/* sanitize_text - copy src[0..len) into dst (size dstsz, NUL-terminated) safely; returns bytes written */
size_t sanitize_text(char *dst, size_t dstsz, const char *src, size_t len);

/* sanitize_quote - src[0..len) for a message: controls, format characters, invalid bytes as '?'; cut with "..." to fit dst; returns bytes written */
size_t sanitize_quote(char *dst, size_t dstsz, const char *src, size_t len);

/* utf8_clean - true when s[0..len) is valid UTF-8 without control or format characters */
int utf8_clean(const char *s, size_t len);

/* unicode_is_format - true for the format characters sanitize replaces (Cf, U+2028, U+2029) */
int unicode_is_format(unsigned cp);

/* utf8_width - display columns of UTF-8 text (wcwidth in a UTF-8 LC_CTYPE, else 1 per character) */
int utf8_width(const char *s);

#endif
