/* screen - drawing primitives over ncursesw: UTF-8 text clipped to columns
 *
 * All text reaching the screen has been sanitised by core (no control
 * characters, valid UTF-8); these helpers add display-width awareness
 * (wide and combining characters via wcwidth) so columns stay aligned, and
 * an ASCII mode (--ascii) for terminals without UTF-8 or line drawing. As a
 * last guard (rows of a history written before a sanitizer change) any
 * control or format character left is drawn as '?'.
 */
#ifndef MQMON_TUI_SCREEN_H
#define MQMON_TUI_SCREEN_H

#include <stddef.h>

#include "tui/theme.h"

/* ui_terminal_problem - why the terminal in TERM cannot show the console (unknown to terminfo, or no
 * cursor addressing as TERM=dumb), NULL when it can; the text is in buf */
const char *ui_terminal_problem(char *buf, size_t n);

/* ui_init - start curses (locale, raw keys, short ESC delay, colours; ASCII by itself on a terminal
 * or locale without Unicode); 0 or -1 */
int ui_init(int no_color, int ascii);

/* ui_end - restore the terminal */
void ui_end(void);

/* ui_put - draw s at (y, x) clipped to w columns, padded with spaces when pad; returns columns used */
int ui_put(int y, int x, int w, const char *s, enum tui_elem el, int pad);

/* ui_put_cut - ui_put, but a text wider than w ends in an ellipsis ("~" in ASCII mode) so a cut shows */
int ui_put_cut(int y, int x, int w, const char *s, enum tui_elem el, int pad);

/* ui_putf - printf-style ui_put */
int ui_putf(int y, int x, int w, enum tui_elem el, int pad, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* ui_fill - w spaces in an element's colours */
void ui_fill(int y, int x, int w, enum tui_elem el);

/* ui_width - display columns of a UTF-8 string */
int ui_width(const char *s);

/* ui_ascii - true in --ascii mode (no UTF-8 glyphs) */
int ui_ascii(void);

/* ui_glyph - a UTF-8 glyph, or its ASCII stand-in in --ascii mode */
const char *ui_glyph(const char *utf8, const char *ascii);

/* ui_wrap - next line of s that fits w columns: returns bytes to take; *next is where the following line starts */
size_t ui_wrap(const char *s, int w, const char **next);

#endif
