/* config - the one table of configuration keys; see config.h */
#include "core/base/config.h"

#include "core/base/duration.h"
#include "core/base/inifile.h"
#include "core/base/pathname.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum opt_type { OPT_STRING, OPT_INT, OPT_BOOL, OPT_DURATION };

struct option_def {
	const char *section, *key;
	enum opt_type type;
	const char *def;
	long min, max;
	const char *help;
	const char *safe;	/* a safety switch: the value a setting that cannot be parsed takes (NULL: the default) */
};

static const struct option_def options[CFG_KEY_COUNT] = {
	[CFG_RULES_FILE] = { "mqmon", "rules_file", OPT_STRING, "", 0, 0,
		"operator rules file loaded after the shipped rules (doc/rules.md)" },
	[CFG_THEME] = { "mqmon", "theme", OPT_STRING, "default", 0, 0,
		"console theme: a name in the themes directory (default, dark, light, mono, high-contrast) or a path" },
	[CFG_READ_ONLY] = { "mqmon", "read_only", OPT_BOOL, "no", 0, 1,
		"disable every operator action", "yes" },
	[CFG_COMMAND_PREFIX] = { "mqmon", "command_prefix", OPT_STRING, "", 0, 0,
		"argv words put before every command of operator actions and throttles, split at blanks (e.g. \"sudo -n\"); no shell" },
	[CFG_DB] = { "mqmon", "db", OPT_STRING, "", 0, 0,
		"history database (empty: the instance's own, $XDG_DATA_HOME/mqmon/ or ~/.local/share/mqmon/ "
		"mqmon.db for /etc/postfix, mqmon@<config dir>.db for another; set: one file for every instance)" },
	[CFG_RETENTION] = { "mqmon", "retention", OPT_DURATION, "30d", 0, 0,
		"how long attempts and audit rows are kept in the history (a duration: 30d, 12w; at most "
		DURATION_MAX_TEXT "; 0 keeps everything)", "0" },
	[CFG_CACHE] = { "mqmon", "cache", OPT_BOOL, "yes", 0, 1,
		"keep the queue model read from the spool between runs in a file beside the history (<db>.qcache, "
		"mode 0600): the console and snapshot then read only the queue files that changed (no: read every "
		"file each time, as --no-cache)" },
	[CFG_MTA_TYPE] = { "mta", "type", OPT_STRING, "auto", 0, 0,
		"the MTA: postfix, exim, or auto (the one whose configuration -c names, else the one installed)" },
	[CFG_MTA_CONFIG] = { "mta", "config", OPT_STRING, "", 0, 0,
		"the instance's configuration, like -c: a Postfix configuration directory (postqueue -c) or an Exim "
		"configuration file (exim -C); empty: the system instance's ([postfix] config_dir is read as this)" },
	[CFG_MTA_LOG] = { "mta", "log", OPT_STRING, "", 0, 0,
		"mail log to read (empty: the MTA's own log file, Postfix's maillog_file or Exim's log_file_path, else "
		"/var/log/mail.log or /var/log/maillog; [postfix] log is read as this)" },
	[CFG_MTA_BINARY] = { "mta", "binary", OPT_STRING, "", 0, 0,
		"Exim: the exim command when neither the configuration's exim_path nor exim4 or exim in PATH or "
		"/usr/sbin is the right one (empty: found that way; Postfix: unused)" },
	[CFG_REFRESH_INTERVAL] = { "mta", "refresh_interval", OPT_INT, "30", 1, 3600,
		"seconds between queue rebuilds when neither the log nor the spool can be watched" },
	[CFG_EXPIRY_WARNING] = { "console", "expiry_warning", OPT_DURATION, "12h", 0, 0,
		"the console counts in its header, and :expiring lists, the messages that expire (maximal_queue_lifetime) "
		"within this time (a duration: 12h, 2d; 0: off)" },
	[CFG_OSC52] = { "console", "osc52", OPT_BOOL, "no", 0, 1,
		"y and Y copy a queue ID or a reply to the local clipboard with an OSC 52 sequence (the terminal "
		"must allow it; over SSH too)", "no" },
	[CFG_MOUSE] = { "console", "mouse", OPT_BOOL, "yes", 0, 1,
		"a click selects a row (on the selected row: opens it), the wheel scrolls; no leaves the mouse to the "
		"terminal (selecting text without Shift)" },
	[CFG_COLUMNS] = { "console", "columns", OPT_STRING,
		"id queue recipient age attempts next expires code cause reply sender", 0, 0,
		"the Messages view's columns in display order, names separated by blanks: id queue recipient domain "
		"sender age attempts next expires code (SMTP code and DSN of the last reply) cause reply (its start) host (the fleet "
		"console's; shown there after id by default); "
		"on a narrow terminal sender, expires and attempts are left out first, id, queue, cause and next last" },
	[CFG_FLEET_HOSTS] = { "fleet", "hosts", OPT_STRING, "", 0, 0,
		"the fleet: ssh destinations (host names or ~/.ssh/config aliases) separated by blanks; set, snapshot "
		"and the queue actions work on every host through ssh (empty: this host's instance only)" },
	[CFG_FLEET_HOSTS_FILE] = { "fleet", "hosts_file", OPT_STRING, "", 0, 0,
		"a file of more fleet hosts, one ssh destination a line ('#' starts a comment)" },
	[CFG_FLEET_SSH_COMMAND] = { "fleet", "ssh_command", OPT_STRING, "ssh", 0, 0,
		"the ssh command, split at blanks into argv words, never a shell (e.g. \"ssh -F /etc/mqmon/ssh_config\")" },
	[CFG_FLEET_REMOTE_MQMON] = { "fleet", "remote_mqmon", OPT_STRING, "mqmon", 0, 0,
		"the mqmon command on the hosts, split at blanks (e.g. /usr/local/bin/mqmon, or a forced-command "
		"wrapper)" },
};

/* checks of keys whose vocabulary core does not know (config_set_check) */
static config_check_fn checks[CFG_KEY_COUNT];

/* config_set_check - later loads, sets and inits check key's values with check (NULL: none) */
void config_set_check(enum config_key key, config_check_fn check)
{
	checks[key] = check;
}

/* config_default - a key's default value as text */
const char *config_default(enum config_key key)
{
	return options[key].def;
}

/* parse_value - check and store a value for key */
static int parse_value(struct config *cfg, enum config_key k, const char *v, struct why *why)
{
	const struct option_def *o = &options[k];
	long n = 0;

	if (o->type == OPT_INT) {
		char *end;

		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0')
			return why_set(why, "%s.%s: not a number: %s", o->section, o->key, v);
		if (n < o->min || n > o->max)
			return why_set(why, "%s.%s: %ld is outside %ld..%ld", o->section, o->key, n,
				       o->min, o->max);
	} else if (o->type == OPT_DURATION) {
		if ((n = duration_parse(v, 86400)) < 0)
			return why_set(why, "%s.%s: %s: %s (like 30d, 12w, 36h)", o->section, o->key,
				       duration_problem(n), v);
	} else if (o->type == OPT_BOOL) {
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
			n = 1;
		else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
			n = 0;
		else
			return why_set(why, "%s.%s: not yes/no: %s", o->section, o->key, v);
	}
	if (checks[k] != NULL) {
		struct why w;

		if (checks[k](v, &w) < 0)
			return why_set(why, "%s.%s: %s", o->section, o->key, w.text);
	}
	free(cfg->str[k]);
	cfg->str[k] = strdup(v);
	cfg->num[k] = n;
	return 0;
}

/* config_init - every key at its default */
void config_init(struct config *cfg)
{
	int k;

	memset(cfg, 0, sizeof *cfg);
	for (k = 0; k < CFG_KEY_COUNT; k++)
		parse_value(cfg, (enum config_key)k, options[k].def, NULL);
}

/* config_default_path - first existing of the usual places; NULL when none */
const char *config_default_path(void)
{
	static char path[4096];
	const char *xdg = path_xdg("XDG_CONFIG_HOME"), *home = path_home();

	/* relative XDG_CONFIG_HOME and HOME are ignored: never a configuration below the working directory */
	if (xdg != NULL) {
		snprintf(path, sizeof path, "%s/mqmon/mqmon.ini", xdg);
		if (access(path, R_OK) == 0)
			return path;
	}
	if (home != NULL) {
		snprintf(path, sizeof path, "%s/.config/mqmon/mqmon.ini", home);
		if (access(path, R_OK) == 0)
			return path;
	}
	if (access("/etc/mqmon/mqmon.ini", R_OK) == 0)
		return "/etc/mqmon/mqmon.ini";
	return NULL;
}

/* the names an older configuration file gives some keys */
static const struct {
	const char *section, *key;
	enum config_key to;
} legacy_names[] = {
	{ "postfix", "config_dir", CFG_MTA_CONFIG },
	{ "postfix", "log", CFG_MTA_LOG },
	{ "postfix", "refresh_interval", CFG_REFRESH_INTERVAL },
};

/* find_option - index of section.key (or its older name), -1 when unknown */
static int find_option(const char *section, const char *key)
{
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++)
		if (strcmp(options[k].section, section) == 0 && strcmp(options[k].key, key) == 0)
			return k;
	for (k = 0; k < (int)(sizeof legacy_names / sizeof legacy_names[0]); k++)
		if (strcmp(legacy_names[k].section, section) == 0 && strcmp(legacy_names[k].key, key) == 0)
			return (int)legacy_names[k].to;
	return -1;
}

/* known_section - some key lives in section */
static int known_section(const char *section)
{
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++)
		if (strcmp(options[k].section, section) == 0)
			return 1;
	return strcmp(section, "postfix") == 0;	/* the older names (legacy_names) */
}

/* set_from_file - one key = value of the file; a problem is collected, a safety switch takes its safe side */
static void set_from_file(struct config *cfg, const char *path, const char *section, const char *key,
			  const char *value)
{
	int k = find_option(section, key);
	struct why w;

	if (k < 0 && *section == '\0') {
		strlist_addf(&cfg->errors, "%s: %s is outside any [section] (ignored)", path, key);
		return;
	}
	if (k < 0) {
		strlist_addf(&cfg->errors, "%s: unknown key %s:%s", path, section, key);
		return;
	}
	if (parse_value(cfg, (enum config_key)k, value, &w) == 0)
		return;
	cfg->rejected[k] = 1;
	if (options[k].safe == NULL) {
		strlist_addf(&cfg->errors, "%s: %s (default kept)", path, w.text);
		return;
	}
	parse_value(cfg, (enum config_key)k, options[k].safe, NULL);
	strlist_addf(&cfg->errors, "%s: %s (taken as %s = %s, the safe side)", path, w.text, options[k].key,
		     options[k].safe);
}

/* config_load - read an INI file over the defaults; -1 with why when it cannot be read */
int config_load(struct config *cfg, const char *path, struct why *why)
{
	struct inifile f;
	size_t i, j;

	if (inifile_load(&f, path, "configuration", why) < 0)
		return -1;
	free(cfg->path);
	cfg->path = strdup(path);
	for (i = 0; i < f.notes.n; i++)
		strlist_addf(&cfg->errors, "%s: %s", path, f.notes.v[i]);
	for (i = 0; i < f.nsections; i++) {
		const struct inifile_section *s = &f.sections[i];

		if (s->nkeys == 0 && *s->name && !known_section(s->name))
			strlist_addf(&cfg->errors, "%s: unknown section [%s]", path, s->name);
		for (j = 0; j < s->nkeys; j++)
			set_from_file(cfg, path, s->name, s->keys[j].name, s->keys[j].value);
	}
	inifile_free(&f);
	return 0;
}

/* config_set - set one key (command line); -1 with why */
int config_set(struct config *cfg, enum config_key key, const char *value, struct why *why)
{
	int rc = parse_value(cfg, key, value, why);

	if (rc == 0)
		cfg->rejected[key] = 0;
	return rc;
}

/* config_rejected - the configuration file set key to a value that was refused (its safe value or
 * the default is in use) */
int config_rejected(const struct config *cfg, enum config_key key)
{
	return cfg->rejected[key];
}

/* config_str - a key's value as a string */
const char *config_str(const struct config *cfg, enum config_key key)
{
	return cfg->str[key] ? cfg->str[key] : "";
}

/* config_num - a key's value as a number (integers, booleans) */
long config_num(const struct config *cfg, enum config_key key)
{
	return cfg->num[key];
}

/* config_dump - print the effective configuration as INI, with help comments */
void config_dump(const struct config *cfg, FILE *fp)
{
	const char *section = NULL;
	int k;

	fprintf(fp, "; effective mqmon configuration (%s)\n", cfg->path ? cfg->path : "defaults");
	for (k = 0; k < CFG_KEY_COUNT; k++) {
		const struct option_def *o = &options[k];

		if (section == NULL || strcmp(section, o->section) != 0) {
			fprintf(fp, "\n[%s]\n", o->section);
			section = o->section;
		}
		fprintf(fp, "; %s (default: %s%s", o->help, *o->def ? o->def : "empty",
			o->type == OPT_INT ? "" : ")");
		if (o->type == OPT_INT)
			fprintf(fp, ", %ld..%ld)", o->min, o->max);
		fprintf(fp, "\n%s = %s\n", o->key, config_str(cfg, (enum config_key)k));
	}
}

/* config_free - release everything */
void config_free(struct config *cfg)
{
	int k;

	for (k = 0; k < CFG_KEY_COUNT; k++)
		free(cfg->str[k]);
	free(cfg->path);
	strlist_free(&cfg->errors);
}
