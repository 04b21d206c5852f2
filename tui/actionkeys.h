/* actionkeys - the console's operator actions as one table
 *
 * Every action that changes mail or its delivery has one row: its name
 * (the ":" command and the `mqmon NAME` command), its key, when it asks
 * first, its help text and its command-line equivalent. The help view, the
 * footer hints, the ":" command line, the README's and the man page's key
 * lists are all read from (or checked against) this table, so an action is
 * defined once.
 *
 * Keys that change mail are capital letters that no common keymap uses to
 * move (vi h j k l w b e G g 0 $ n N, emacs C-f C-b C-n C-p C-a C-e, less
 * space b d u f j k g G q /): an operator's reflex for "back" or "down"
 * must never hold or delete mail. Pure: no curses, unit-tested.
 */
#ifndef MQMON_TUI_ACTIONKEYS_H
#define MQMON_TUI_ACTIONKEYS_H

#include <stddef.h>

#include "core/mta/actions.h"

/* what an action does: a queue action (enum action_kind) or a throttle change; the values are the
 * audited verbs' (core/base/vocab), whose words are the actions' names */
enum actionkey_op {
	OP_RETRY = ACTION_RETRY,
	OP_HOLD = ACTION_HOLD,
	OP_RELEASE = ACTION_RELEASE,
	OP_DELETE = ACTION_DELETE,
	OP_REQUEUE = ACTION_REQUEUE,
	OP_THROTTLE = AUDIT_THROTTLE,
	OP_UNTHROTTLE = AUDIT_UNTHROTTLE,
};

/* when an action asks before it runs */
enum actionkey_confirm {
	CONFIRM_MANY,		/* on more than one message */
	CONFIRM_ALWAYS,		/* always, No is the default */
	CONFIRM_PROMPT,		/* asks its own questions (throttle: mode and duration) */
};

struct actionkey {
	const char *name;		/* ":NAME" and "mqmon NAME": the word of its audited verb */
	int key;			/* 0: no key of its own (see keyhelp) */
	enum actionkey_op op;
	enum actionkey_confirm confirm;
	const char *keyhelp;		/* how to reach it when key is 0 */
	const char *help;		/* one line for the help view */
	const char *cli;		/* the command-line equivalent */
};

extern const struct actionkey actionkeys[];
extern const size_t nactionkeys;

/* actionkey_by_key - the action of a key, NULL when the key is not an action key */
const struct actionkey *actionkey_by_key(int key);

/* actionkey_by_name - the action of a ":" command word, NULL when none */
const struct actionkey *actionkey_by_name(const char *name);

/* actionkey_verb - the verb an action's audit row carries */
enum audit_verb actionkey_verb(const struct actionkey *k);

/* actionkey_hints - footer hints for every action with a key: "R:retry H:hold ..." or, short,
 * "actions R H U D Q T", leaving out actionkeys[i] when bit i of hidden is set (the MTA has no such
 * action: Exim's requeue); returns the length written (cut at n - 1) */
size_t actionkey_hints(char *buf, size_t n, int shortform, unsigned long hidden);

/* actionkey_names - the action names joined by sep ("retry hold ...") */
size_t actionkey_names(char *buf, size_t n, const char *sep);

/* console keys that run a ":" command and change no mail (export, the expiring filter): the
 * key types the command on the ":" line, where the operator adds its argument (needs_arg) or
 * which runs at once. Neither a movement key nor an action key (unit-tested). */
struct cmdkey {
	int key;
	const char *command;		/* the ":" line it types ("export json ") */
	int needs_arg;			/* leave the line open for an argument */
	const char *help;		/* one line for the help view */
};

extern const struct cmdkey cmdkeys[];
extern const size_t ncmdkeys;

/* cmdkey_by_key - the command key of a key, NULL when none */
const struct cmdkey *cmdkey_by_key(int key);

#endif
