/* screen - drawing primitives over ncursesw; see screen.h */
#include "tui/screen.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>
#include <wchar.h>

#include "core/base/sanitize.h"

static int ascii_mode;

/* ui_terminal_problem - why the terminal in TERM cannot show the console (unknown to terminfo, or no
 * cursor addressing as TERM=dumb), NULL when it can; the text is in buf */
const char *ui_terminal_problem(char *buf, size_t n)
{
	const char *term = getenv("TERM");
	char *cup;
	int err = 0;

	if (term == NULL || *term == '\0') {
		snprintf(buf, n, "TERM is not set: the console needs a terminal type such as xterm-256color, "
			 "screen or tmux");
		return buf;
	}
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK) {
		snprintf(buf, n, "TERM=%.60s is unknown to terminfo: set TERM to the terminal in use (xterm-256color, "
			 "screen, tmux ...)", term);
		return buf;
	}
	cup = tigetstr("cup");
	if (cup == NULL || cup == (char *)-1 || tigetstr("clear") == NULL || tigetstr("clear") == (char *)-1) {
		snprintf(buf, n, "TERM=%.60s cannot move the cursor or clear the screen, so the console cannot be "
			 "drawn: use a terminal such as xterm-256color, screen or tmux (or mqmon report, mqmon snapshot)",
			 term);
		del_curterm(cur_term);
		return buf;
	}
	del_curterm(cur_term);
	return NULL;
}

/* unicode_terminal - the locale is UTF-8 and TERM is not a terminal known to show only ASCII and its
 * own line drawing (DEC VT100..VT520, ANSI, the BSD console) */
static int unicode_terminal(void)
{
	static const char *const ascii_terms[] = { "vt1", "vt2", "vt3", "vt4", "vt5", "ansi", "cons25", "pcansi" };
	const char *term = getenv("TERM");
	size_t i;

	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		return 0;
	for (i = 0; term != NULL && i < sizeof ascii_terms / sizeof ascii_terms[0]; i++)
		if (strncmp(term, ascii_terms[i], strlen(ascii_terms[i])) == 0)
			return 0;
	return 1;
}

/* ui_init - start curses (locale, raw keys, short ESC delay, colours); 0 or -1 */
int ui_init(int no_color, int ascii)
{
	setlocale(LC_ALL, "");
	ascii_mode = ascii || !unicode_terminal();
	if (initscr() == NULL)
		return -1;
	set_escdelay(25);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	theme_apply(no_color);
	return 0;
}

/* ui_end - restore the terminal */
void ui_end(void)
{
	if (!isendwin()) {
		curs_set(1);
		endwin();
	}
}

/* ui_ascii - true in --ascii mode (no UTF-8 glyphs) */
int ui_ascii(void)
{
	return ascii_mode;
}

/* ui_glyph - a UTF-8 glyph, or its ASCII stand-in in --ascii mode */
const char *ui_glyph(const char *utf8, const char *ascii)
{
	return ascii_mode ? ascii : utf8;
}

/* next_char - decode one character; returns its bytes (1 for an undecodable byte) and its width;
 * controls and format characters (text from an old history, never sanitized) show as '?' */
static size_t next_char(const char *s, wchar_t *wc, int *width)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'?';
		*width = 1;
		return 1;
	}
	*width = wcwidth(*wc);
	if (*width < 0 || unicode_is_format((unsigned)*wc)) {	/* controls; bidi and zero-width characters */
		*wc = L'?';
		*width = 1;
	}
	if (ascii_mode && *wc > 0x7e) {
		*wc = L'?';
		*width = 1;
	}
	return n;
}

/* ui_width - display columns of a UTF-8 string */
int ui_width(const char *s)
{
	int w = 0, cw;
	wchar_t wc;

	while (*s) {
		s += next_char(s, &wc, &cw);
		w += cw;
	}
	return w;
}

/* ui_put - draw s at (y, x) clipped to w columns, padded with spaces when pad; returns columns used */
int ui_put(int y, int x, int w, const char *s, enum tui_elem el, int pad)
{
	wchar_t buf[512];
	int used = 0, n = 0, cw;
	wchar_t wc;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	while (*s && n < (int)(sizeof buf / sizeof buf[0]) - 1) {
		size_t len = next_char(s, &wc, &cw);

		if (used + cw > w)
			break;
		buf[n++] = wc;
		used += cw;
		s += len;
	}
	buf[n] = L'\0';
	attrset((attr_t)theme_attr(el));
	mvaddnwstr(y, x, buf, n);
	if (pad)
		for (; used < w; used++)
			addch(' ');
	attrset(A_NORMAL);
	return used;
}

/* ui_put_cut - ui_put, but a text wider than w ends in an ellipsis ("~" in ASCII mode) so a cut shows */
int ui_put_cut(int y, int x, int w, const char *s, enum tui_elem el, int pad)
{
	int used;

	if (w <= 1 || ui_width(s) <= w)
		return ui_put(y, x, w, s, el, pad);
	used = ui_put(y, x, w - 1, s, el, 0);
	used += ui_put(y, x + used, w - used, ui_glyph("\xe2\x80\xa6", "~"), el, 0);
	if (pad && used < w)
		used += ui_put(y, x + used, w - used, "", el, 1);
	return used;
}

/* ui_putf - printf-style ui_put */
int ui_putf(int y, int x, int w, enum tui_elem el, int pad, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_put(y, x, w, buf, el, pad);
}

/* ui_fill - w spaces in an element's colours */
void ui_fill(int y, int x, int w, enum tui_elem el)
{
	ui_put(y, x, w, "", el, 1);
}

/* ui_wrap - next line of s that fits w columns: returns bytes to take; *next is where the following line starts */
size_t ui_wrap(const char *s, int w, const char **next)
{
	const char *p = s, *last_space = NULL;
	int used = 0, cw;
	wchar_t wc;

	while (*p) {
		size_t len = next_char(p, &wc, &cw);

		if (used + cw > w)
			break;
		if (*p == ' ')
			last_space = p;
		used += cw;
		p += len;
	}
	if (*p == '\0' || last_space == NULL || w <= 0) {
		*next = p;
		if (w <= 0 && *p)
			*next = p + 1;	/* always advance */
		return (size_t)(p - s);
	}
	*next = last_space + 1;
	return (size_t)(last_space - s);
}
