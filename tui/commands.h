/* commands - the console's ":" command line (see commands.c) */
#ifndef MQMON_TUI_COMMANDS_H
#define MQMON_TUI_COMMANDS_H

struct app;

/* app_command - run one ":" command line; returns a reaction */
int app_command(struct app *a, const char *line);

#endif
