/* commands - the console's ":" command line (see commands.c) */
#ifndef MQMON_TUI_COMMANDS_H
#define MQMON_TUI_COMMANDS_H

struct app;

/* app_command - run one ":" command line; returns a reaction */
int app_command(struct app *a, const char *line);

/* app_command_complete - Tab on the ":" line: complete `domain NAME` from the model's domains and
 * `cause NAME` from the cause names (unique: completed; several: listed in the status line) */
int app_command_complete(struct app *a);

#endif
