/* config - the one table of configuration keys; see config.h */
#include "core/config.h"

#include "core/duration.h"

#include <iniparser.h>
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
};

static const struct option_def options[CFG_KEY_COUNT] = {
	[CFG_RULES_FILE] = { "mqmon", "rules_file", OPT_STRING, "", 0, 0,
		"operator rules file loaded after the shipped rules (doc/rules.md)" },
	[CFG_THEME] = { "mqmon", "theme", OPT_STRING, "default", 0, 0,
		"console theme: a name in the themes directory (default, dark, light, mono, high-contrast) or a path" },
	[CFG_READ_ONLY] = { "mqmon", "read_only", OPT_BOOL, "no", 0, 1,
		"disable every operator action" },
	[CFG_COMMAND_PREFIX] = { "mqmon", "command_prefix", OPT_STRING, "", 0, 0,
		"argv words put before every command of operator actions and throttles, split at blanks (e.g. \"sudo -n\"); no shell" },
	[CFG_DB] = { "mqmon", "db", OPT_STRING, "", 0, 0,
		"history database (empty: $XDG_DATA_HOME/mqmon/mqmon.db or ~/.local/share/mqmon/mqmon.db)" },
	[CFG_RETENTION] = { "mqmon", "retention", OPT_DURATION, "30d", 0, 0,
		"how long attempts and audit rows are kept in the history (a duration: 30d, 12w)" },
	[CFG_POSTFIX_CONFIG_DIR] = { "postfix", "config_dir", OPT_STRING, "/etc/postfix", 0, 0,
		"Postfix configuration directory (like postqueue -c)" },
	[CFG_POSTFIX_LOG] = { "postfix", "log", OPT_STRING, "", 0, 0,
		"mail log to read (empty: Postfix's maillog_file, else /var/log/mail.log or /var/log/maillog)" },
	[CFG_REFRESH_INTERVAL] = { "postfix", "refresh_interval", OPT_INT, "30", 1, 3600,
		"seconds between queue rebuilds when neither the log nor the spool can be watched" },
};

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
			return why_set(why, "%s.%s: not a duration: %s (like 30d, 12w, 36h)", o->section, o->key, v);
	} else if (o->type == OPT_BOOL) {
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
			n = 1;
		else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
			n = 0;
		else
			return why_set(why, "%s.%s: not yes/no: %s", o->section, o->key, v);
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
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg != NULL && *xdg) {
		snprintf(path, sizeof path, "%s/mqmon/mqmon.ini", xdg);
		if (access(path, R_OK) == 0)
			return path;
	}
	if (home != NULL && *home) {
		snprintf(path, sizeof path, "%s/.config/mqmon/mqmon.ini", home);
		if (access(path, R_OK) == 0)
			return path;
	}
	if (access("/etc/mqmon/mqmon.ini", R_OK) == 0)
		return "/etc/mqmon/mqmon.ini";
	return NULL;
}

/* find_option - index of section:key, -1 when unknown */
static int find_option(const char *seckey)
{
	int k;
	char full[256];

	for (k = 0; k < CFG_KEY_COUNT; k++) {
		snprintf(full, sizeof full, "%s:%s", options[k].section, options[k].key);
		if (strcmp(full, seckey) == 0)
			return k;
	}
	return -1;
}

/* config_load - read an INI file over the defaults; -1 with why when it cannot be read */
int config_load(struct config *cfg, const char *path, struct why *why)
{
	dictionary *d;
	FILE *fp;
	int nsec, i, j, nkeys;

	if ((fp = fopen(path, "r")) == NULL)
		return why_errno(why, "cannot read configuration %s", path);
	fclose(fp);
	if ((d = iniparser_load(path)) == NULL)
		return why_set(why, "cannot parse configuration %s", path);
	free(cfg->path);
	cfg->path = strdup(path);
	nsec = iniparser_getnsec(d);
	for (i = 0; i < nsec; i++) {
		const char *sec = iniparser_getsecname(d, i);
		const char **keys;

		nkeys = iniparser_getsecnkeys(d, sec);
		if (nkeys <= 0)
			continue;
		keys = calloc((size_t)nkeys, sizeof *keys);
		if (keys == NULL || iniparser_getseckeys(d, sec, keys) == NULL) {
			free(keys);
			continue;
		}
		for (j = 0; j < nkeys; j++) {
			int k = find_option(keys[j]);
			struct why w;

			if (k < 0) {
				strlist_addf(&cfg->errors, "%s: unknown key %s", path, keys[j]);
				continue;
			}
			if (iniparser_getstring(d, keys[j], NULL) == NULL) {
				/* a section named [section:key]: iniparser lists it as a key without a value */
				strlist_addf(&cfg->errors, "%s: [%s] is a section, not a key", path, keys[j]);
				continue;
			}
			if (parse_value(cfg, (enum config_key)k, iniparser_getstring(d, keys[j], ""), &w) < 0)
				strlist_addf(&cfg->errors, "%s: %s (default kept)", path, w.text);
		}
		free(keys);
	}
	iniparser_freedict(d);
	return 0;
}

/* config_set - set one key (command line); -1 with why */
int config_set(struct config *cfg, enum config_key key, const char *value, struct why *why)
{
	return parse_value(cfg, key, value, why);
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
