/* config - the one table of configuration keys, and the INI file that sets them
 *
 * Every key mqmon reads is declared once in config.c's option table with its
 * section, type, default, bounds and help; iniparser only fetches strings.
 * Problems (unknown key, bad number, value out of range) are collected, not
 * fatal: the key keeps its default and the caller shows the messages.
 * `mqmon --dump-config` prints the effective configuration from the table.
 * A key whose values are a vocabulary core does not know (the console's
 * column names live in tui/) gets its check from the caller
 * (config_set_check) before the file is read.
 */
#ifndef MQMON_CONFIG_H
#define MQMON_CONFIG_H

#include <stdio.h>

#include "core/base/strlist.h"
#include "core/base/why.h"

enum config_key {
	CFG_RULES_FILE,		/* [mqmon] rules_file */
	CFG_THEME,		/* [mqmon] theme */
	CFG_READ_ONLY,		/* [mqmon] read_only */
	CFG_COMMAND_PREFIX,	/* [mqmon] command_prefix */
	CFG_DB,			/* [mqmon] db */
	CFG_RETENTION,		/* [mqmon] retention */
	CFG_CACHE,		/* [mqmon] cache */
	CFG_MTA_TYPE,		/* [mta] type */
	CFG_MTA_CONFIG,		/* [mta] config (older name: [postfix] config_dir) */
	CFG_MTA_LOG,		/* [mta] log (older name: [postfix] log) */
	CFG_MTA_BINARY,		/* [mta] binary */
	CFG_REFRESH_INTERVAL,	/* [mta] refresh_interval */
	CFG_EXPIRY_WARNING,	/* [console] expiry_warning */
	CFG_OSC52,		/* [console] osc52 */
	CFG_MOUSE,		/* [console] mouse */
	CFG_COLUMNS,		/* [console] columns */
	CFG_FLEET_HOSTS,	/* [fleet] hosts */
	CFG_FLEET_HOSTS_FILE,	/* [fleet] hosts_file */
	CFG_FLEET_SSH_COMMAND,	/* [fleet] ssh_command */
	CFG_FLEET_REMOTE_MQMON,	/* [fleet] remote_mqmon */
	CFG_KEY_COUNT
};

struct config {
	char *str[CFG_KEY_COUNT];	/* every value as text */
	long num[CFG_KEY_COUNT];	/* integers and booleans */
	char *path;			/* file read, NULL when defaults only */
	unsigned char rejected[CFG_KEY_COUNT];	/* the file's value was refused: the default is in use */
	struct strlist errors;
};

/* config_check_fn - 0 when value is acceptable, else -1 with why (without the key's name) */
typedef int (*config_check_fn)(const char *value, struct why *why);

/* config_set_check - every later config_load, config_set and config_init checks key's values with
 * check (NULL: none); the default must pass it */
void config_set_check(enum config_key key, config_check_fn check);

/* config_default - a key's default value as text */
const char *config_default(enum config_key key);

/* config_init - every key at its default */
void config_init(struct config *cfg);

/* config_default_path - the first of $XDG_CONFIG_HOME/mqmon/mqmon.ini, ~/.config/..., /etc/mqmon/mqmon.ini that exists; NULL when none */
const char *config_default_path(void);

/* config_load - read an INI file over the defaults; -1 with why when it cannot be read */
int config_load(struct config *cfg, const char *path, struct why *why);

/* config_set - set one key to a value given as text (command line options); -1 with why */
int config_set(struct config *cfg, enum config_key key, const char *value, struct why *why);

/* config_rejected - the file set key to a refused value (config.errors says why; the default is in use) */
int config_rejected(const struct config *cfg, enum config_key key);

/* config_str - a key's value as a string */
const char *config_str(const struct config *cfg, enum config_key key);

/* config_num - a key's value as a number (integers, booleans) */
long config_num(const struct config *cfg, enum config_key key);

/* config_dump - print the effective configuration as INI, with help comments */
void config_dump(const struct config *cfg, FILE *fp);

/* config_free - release everything */
void config_free(struct config *cfg);

#endif
