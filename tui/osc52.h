/* osc52 - put text on the operator's local clipboard through the terminal (OSC 52)
 *
 * ESC ] 52 ; c ; BASE64 BEL asks the terminal (xterm, kitty, iTerm2,
 * Windows Terminal, tmux with set-clipboard) to set its clipboard, so a
 * queue ID or a reply copied in a console on a server over SSH lands on
 * the operator's own machine. The console sends it only when the operator
 * turned it on ([console] osc52 = yes): a terminal that trusts OSC 52 lets
 * programs write its clipboard. The text is sanitized first (no control or
 * format characters: a remote reply pasted into a shell must not run
 * anything). Pure: no curses, unit-tested.
 */
#ifndef MQMON_TUI_OSC52_H
#define MQMON_TUI_OSC52_H

#include <stddef.h>

#define OSC52_MAX_TEXT 8192	/* longest text copied (bytes, after sanitizing) */

/* osc52_format - the OSC 52 sequence that copies text, into buf; its length, 0 when
 * text is empty or the sequence does not fit in n */
size_t osc52_format(char *buf, size_t n, const char *text);

#endif
