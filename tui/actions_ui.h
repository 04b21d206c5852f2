/* actions_ui - operator actions from the console: targets, confirmation, a worker
 *
 * The actions and their keys are one table (tui/actionkeys.h). Action keys
 * act on the tagged messages when any are tagged, else on the
 * message under the cursor (messages, detail) or on the whole group under
 * the cursor (causes, domains). Delete is always confirmed with No as the
 * default; an action on more than one message asks too. The MTA commands
 * run on a worker thread (postsuper on 10,000 IDs must not freeze the
 * screen); the result comes back through an eventfd and is shown in the
 * footer, and the model is rebuilt at once. In read-only mode the keys say
 * why they do nothing. A refusal (read-only, `:hold ALL`, a throttle before
 * `throttle --setup`) is an audit row too, in state refused with its reason,
 * written by the worker (refusals queue up; the screen never waits for it).
 */
#ifndef MQMON_TUI_ACTIONS_UI_H
#define MQMON_TUI_ACTIONS_UI_H

#include "core/base/vocab.h"

struct app;
struct actionkey;

/* actions_ui_start - start the worker (after the loop exists); -1 when it cannot run actions at all */
int actions_ui_start(struct app *a);

/* actions_ui_stop - stop the worker, waiting for a running action */
void actions_ui_stop(struct app *a);

/* actions_ui_key - action, tag and prompt keys; returns a reaction or REACT_UNHANDLED */
int actions_ui_key(struct app *a, int ch);

/* actions_ui_run - run an action of the actions table (tui/actionkeys.h) on what the view selects */
int actions_ui_run(struct app *a, const struct actionkey *k);

/* actions_ui_refused - refuse action on target: say why in the footer and audit it (state refused) */
void actions_ui_refused(struct app *a, enum audit_verb verb, const char *target, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* actions_ui_hidden - the action keys the footer leaves out: bit i for actionkeys[i] when the MTA has no
 * such action (Exim's requeue); the key is still refused with a reason, and audited */
unsigned long actions_ui_hidden(const struct app *a);

/* actions_ui_prompt - the prompt line to show instead of the footer, NULL when none */
const char *actions_ui_prompt(const struct app *a);

/* actions_ui_is_tagged - the message is tagged */
int actions_ui_is_tagged(const struct app *a, const char *id);

/* actions_ui_tick - call once a second: once a minute it expires throttles whose time is up (on the worker) */
void actions_ui_tick(struct app *a);

#endif
