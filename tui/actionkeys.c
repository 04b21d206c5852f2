/* actionkeys - the console's operator actions as one table; see actionkeys.h */
#include "tui/actionkeys.h"

#include <stdio.h>
#include <string.h>

const struct actionkey actionkeys[] = {
	{ "retry", 'R', OP_RETRY, CONFIRM_MANY, NULL,
	  "retry now (one delivery attempt, ignoring the retry time)", "mqmon retry ID..." },
	{ "hold", 'H', OP_HOLD, CONFIRM_MANY, NULL,
	  "put on hold (Exim: freeze)", "mqmon hold ID..." },
	{ "release", 'U', OP_RELEASE, CONFIRM_MANY, NULL,
	  "release from hold (Exim: thaw)", "mqmon release ID..." },
	{ "delete", 'D', OP_DELETE, CONFIRM_ALWAYS, NULL,
	  "delete (always confirmed, No is the default)", "mqmon delete --yes ID..." },
	{ "requeue", 'Q', OP_REQUEUE, CONFIRM_MANY, NULL,
	  "requeue (Postfix: a new queue ID; Exim has none)", "mqmon requeue ID..." },
	{ "throttle", 'T', OP_THROTTLE, CONFIRM_PROMPT, NULL,
	  "throttle the destination domain: s slow (Postfix only), p pause, then how long",
	  "mqmon throttle DOMAIN --slow|--pause [--for 2h]" },
	{ "unthrottle", 0, OP_UNTHROTTLE, CONFIRM_ALWAYS, "T r",
	  "remove the destination domain's throttle", "mqmon unthrottle DOMAIN" },
};

const size_t nactionkeys = sizeof actionkeys / sizeof actionkeys[0];

/* actionkey_by_key - the action of a key, NULL when the key is not an action key */
const struct actionkey *actionkey_by_key(int key)
{
	size_t i;

	for (i = 0; key != 0 && i < nactionkeys; i++)
		if (actionkeys[i].key == key)
			return &actionkeys[i];
	return NULL;
}

/* actionkey_by_name - the action of a ":" command word, NULL when none */
const struct actionkey *actionkey_by_name(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < nactionkeys; i++)
		if (strcmp(actionkeys[i].name, name) == 0)
			return &actionkeys[i];
	return NULL;
}

/* actionkey_verb - the verb an action's audit row carries (the op's value, actionkeys.h) */
enum audit_verb actionkey_verb(const struct actionkey *k)
{
	return (enum audit_verb)k->op;
}

/* actionkey_hints - footer hints for every action with a key and not hidden; returns the length written */
size_t actionkey_hints(char *buf, size_t n, int shortform, unsigned long hidden)
{
	size_t i, o = 0;

	if (n == 0)
		return 0;
	buf[0] = '\0';
	if (shortform)
		o += (size_t)snprintf(buf, n, "actions");
	for (i = 0; i < nactionkeys && o < n; i++) {
		if (actionkeys[i].key == 0 || (i < sizeof hidden * 8 && (hidden >> i) & 1))
			continue;
		if (shortform)
			o += (size_t)snprintf(buf + o, n - o, " %c", actionkeys[i].key);
		else
			o += (size_t)snprintf(buf + o, n - o, "%s%c:%s", o ? " " : "", actionkeys[i].key,
					      actionkeys[i].name);
	}
	return o < n ? o : n - 1;
}

/* actionkey_names - the action names joined by sep */
size_t actionkey_names(char *buf, size_t n, const char *sep)
{
	size_t i, o = 0;

	if (n == 0)
		return 0;
	buf[0] = '\0';
	for (i = 0; i < nactionkeys && o < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? sep : "", actionkeys[i].name);
	return o < n ? o : n - 1;
}

const struct cmdkey cmdkeys[] = {
	{ 'X', "export json ", 1,
	  "export like mqmon snapshot: :export [json|csv|prom] FILE" },
	{ 'y', "copy id", 0,
	  "copy the queue ID to the local clipboard (OSC 52)" },
	{ 'Y', "copy reply", 0,
	  "copy the message's last reply to the clipboard (OSC 52)" },
	{ '!', "expiring", 0,
	  "only mail near expiry (:expiring; [console] expiry_warning)" },
	{ '@', "view hosts", 0,
	  "the fleet console's hosts: state, counts, causes per host (:host NAME narrows every view)" },
};

const size_t ncmdkeys = sizeof cmdkeys / sizeof cmdkeys[0];

/* cmdkey_by_key - the command key of a key, NULL when none */
const struct cmdkey *cmdkey_by_key(int key)
{
	size_t i;

	for (i = 0; key != 0 && i < ncmdkeys; i++)
		if (cmdkeys[i].key == key)
			return &cmdkeys[i];
	return NULL;
}
