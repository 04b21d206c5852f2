/* textpack - a reply text as a template shared by many attempts and its variable parts
 *
 * Reply texts are a few hundred templates filled with a few variable
 * tokens (addresses, IDs, timestamps, IPs). The history stores the
 * template once (as a name) and, per attempt, only the variable tokens
 * joined by TEXTPACK_SEP. A token is a run of bytes between separators
 * (space and []<>()=,;:"'/@); it is variable when it holds a digit and is
 * not an SMTP reply code (like 421) or an enhanced status code (4.7.0);
 * of a variable token, only the parts between '.' and '-' that hold a
 * digit are variable ("\001.\001.prod.outlook.com").
 * Where the text repeats the attempt's relay host (the relay up to its
 * first ']', "mx.example.com[192.0.2.1]") or its recipient, the template
 * holds a marker instead, so "host X said" of many hosts is one template
 * (looked for where a token begins: that is where replies name them).
 *
 * The coding is exact: textpack_join(textpack_split(t)) == t for every
 * text textpack_split accepts. A text holding one of the marker bytes
 * (\001 \002 \003 \037) is refused (the store keeps it whole).
 * Pure functions, no allocation but the join buffer.
 */
#ifndef MQMON_TEXTPACK_H
#define MQMON_TEXTPACK_H

#include <stddef.h>

#define TEXTPACK_VAR '\001'	/* in a template: the next variable token */
#define TEXTPACK_RELAY '\002'	/* in a template: the relay host */
#define TEXTPACK_RCPT '\003'	/* in a template: the recipient */
#define TEXTPACK_SEP '\037'	/* between variable tokens */

/* textpack_split - text as a template (into tpl) and its variable tokens (into vars, "" when none);
 * tpl and vars must each hold strlen(text) + 1 bytes; relay and recipient may be NULL;
 * 0, or -1 when the text holds a marker byte (tpl and vars then hold nothing useful) */
int textpack_split(const char *text, const char *relay, const char *recipient, char *tpl, char *vars);

/* textpack_join - the text of a template and its tokens (vars NULL = none) into *buf (grown with
 * realloc, *cap its size); relay and recipient as given to textpack_split; missing tokens read as
 * empty; 0, or -1 when out of memory */
int textpack_join(const char *tpl, const char *vars, const char *relay, const char *recipient, char **buf,
		  size_t *cap);

#endif
