/* cmd_fleet - the headless commands across a fleet of hosts over ssh
 *
 * With a fleet (--host repeated, else [fleet] hosts and hosts_file) and no
 * --no-fleet, `snapshot`, the queue actions and the throttle commands run
 * the host's own mqmon on every host through ssh (core/fleet: in parallel,
 * fork/execve, never a local shell) instead of on a local instance:
 *
 *   snapshot   each host's `snapshot --format json`, merged with a "host" on
 *              every message and a row per host with its state;
 *   hold ...   each host's snapshot (without the log: IDs only) says which
 *              host owns each ID; then one `VERB --format json -` per host
 *              with its IDs on stdin; an ID on no host that answered is
 *              refused; results per host;
 *   throttle, unthrottle, throttles
 *              the same words on every host, each host's answer.
 *
 * Each host's mqmon writes its own audit rows; the console side adds one
 * row to its local store for an action or a throttle (target: host:ID
 * words, output: each host's outcome). Exit status: 0 when every host did
 * it, 69 when a host failed or could not be reached or an ID is on no
 * host (the other hosts' results are still printed), 64/78 for a refused
 * host name (--host / configuration), 77 read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/fleet/fleet.h"
#include "core/fleet/fleet_act.h"
#include "core/fleet/fleet_json.h"
#include "core/history/store.h"
#include "core/mta/actions.h"
#include "core/queue/snapshot.h"

#define FLEET_RUN_TIMEOUT 600	/* seconds for a host's whole command (a snapshot of a huge queue) */

/* cli_fleet - the fleet of the command line or the configuration; 1, 0 none, -1 refused (said) */
int cli_fleet(struct cli *cli, struct fleet **fleet)
{
	struct strlist hosts = { 0 };
	const char *file = config_str(&cli->cfg, CFG_FLEET_HOSTS_FILE);
	struct why why;
	size_t i;

	*fleet = NULL;
	if (cli->no_fleet)
		return 0;
	for (i = 0; i < cli->hosts.n; i++)
		strlist_add(&hosts, cli->hosts.v[i]);
	if (hosts.n == 0) {
		strlist_split(&hosts, config_str(&cli->cfg, CFG_FLEET_HOSTS), " \t,");
		if (*file && fleet_read_hosts_file(&hosts, file, &why) < 0) {
			cli_error("%s", why.text);
			strlist_free(&hosts);
			return -1;
		}
	}
	if (hosts.n == 0)
		return 0;
	*fleet = fleet_new(&hosts, config_str(&cli->cfg, CFG_FLEET_SSH_COMMAND),
			   config_str(&cli->cfg, CFG_FLEET_REMOTE_MQMON), &why);
	strlist_free(&hosts);
	if (*fleet == NULL) {
		cli_error("fleet: %s", why.text);
		return -1;
	}
	return 1;
}

/* say_failures - one stderr line per host that is not ok; how many */
static size_t say_failures(const struct fleet *fl)
{
	size_t i, n = 0;

	for (i = 0; i < fl->n; i++)
		if (fl->hosts[i].state != FLEET_OK && fl->hosts[i].state != FLEET_NOT_RUN) {
			cli_error("%s: %s: %s", fl->hosts[i].name, fleet_state_name(fl->hosts[i].state),
				  fl->hosts[i].problem);
			n++;
		}
	return n;
}

/* fleet_snapshot - every host's snapshot merged (JSON only) */
int fleet_snapshot(struct cli *cli, struct fleet *fl, int fmt, const char *out)
{
	char *words[] = { "snapshot", "--format", "json" };
	struct why why;
	FILE *fp = stdout;
	int rc;

	(void)cli;
	if (fmt != SNAPSHOT_JSON) {
		cli_error("snapshot: a fleet's snapshot is JSON only (--format json)");
		return EX_USAGE;
	}
	fleet_run(fl, words, 3, NULL, NULL, FLEET_RUN_TIMEOUT);
	if (out != NULL && strcmp(out, "-") != 0 && (fp = fopen(out, "w")) == NULL) {
		cli_error("snapshot: cannot write %s", out);
		return EX_CANTCREAT;
	}
	rc = fleet_merge_snapshots(fl, fp, &why);
	if (fp != stdout && fclose(fp) != 0)
		rc = -1;
	if (rc < 0) {
		cli_error("%s", why.text);
		return EX_IOERR;
	}
	rc = cli_finish_output();
	if (say_failures(fl) > 0 && rc == EX_OK)
		rc = EX_UNAVAILABLE;
	return rc;
}

/* audit - the console side's audit row of a fleet action (a warning when it cannot be written) */
static void audit(struct cli *cli, enum audit_verb verb, const char *target, const char *args, int rc,
		  const char *output)
{
	struct store_action a = { 0 };
	struct store *st;
	struct why why;
	char user[256];

	if ((st = cli_open_store(cli, NULL, &why)) == NULL) {
		cli_error("warning: no audit row on this side: %s", why.text);
		return;
	}
	a.user = action_user(user, sizeof user);
	a.action = verb;
	a.target = target;
	a.args = args;
	a.result = rc;
	a.ok = rc == 0;
	a.output = output;
	if (store_add_action(st, &a, &why) < 0)
		cli_error("warning: no audit row on this side: %s", why.text);
	store_close(st);
}

/* append - text onto a growing string (out of memory: left as it was) */
static void append(char **s, const char *fmt, const char *a, const char *b)
{
	size_t old = *s != NULL ? strlen(*s) : 0, n = strlen(fmt) + strlen(a) + strlen(b);
	char *ns = realloc(*s, old + n + 1);

	if (ns == NULL)
		return;
	snprintf(ns + old, n + 1, fmt, a, b);
	*s = ns;
}

/* remote_result - the host's JSON answer, NULL when it wrote none */
static json_t *remote_result(const struct fleet_host *h)
{
	json_error_t err;

	return h->out != NULL ? json_loadb(h->out, h->outlen, 0, &err) : NULL;
}

/* fleet_action - each ID to the host that owns it, one run per host with its IDs on stdin (core/fleet/fleet_act) */
int fleet_action(struct cli *cli, struct fleet *fl, const char *verb, char **ids, size_t nids, int yes, int json)
{
	char *find[] = { "snapshot", "--format", "json", "--no-log" };
	struct fleet_plan plan = { 0 };
	struct strlist missing = { 0 };
	char *target = NULL, *args = NULL, summary[4096] = "";
	int rc = EX_OK;
	json_t *doc = json_pack("{s:s, s:[], s:[]}", "action", verb, "hosts", "not_found");
	size_t i, k;

	if (fleet_plan_init(&plan, fl) < 0 || doc == NULL) {
		cli_error("out of memory");
		rc = EX_OSERR;
		goto out;
	}
	fleet_run(fl, find, 4, NULL, NULL, FLEET_RUN_TIMEOUT);
	for (i = 0; i < fl->n; i++) {
		struct strlist queued = { 0 };

		if (fl->hosts[i].state == FLEET_OK)
			fleet_snapshot_ids(&fl->hosts[i], &queued);
		for (k = 0; k < nids; k++)
			if (strlist_has(&queued, ids[k]))
				fleet_plan_add(&plan, fl, fl->hosts[i].name, ids[k]);
		strlist_free(&queued);
	}
	if (say_failures(fl) > 0)
		rc = EX_UNAVAILABLE;
	for (k = 0; k < nids; k++) {
		for (i = 0; i < fl->n && !strlist_has(&plan.ids[i], ids[k]); i++)
			;
		if (i == fl->n && !strlist_has(&missing, ids[k])) {
			strlist_add(&missing, ids[k]);
			json_array_append_new(json_object_get(doc, "not_found"), json_string(ids[k]));
			cli_error("%s: %s is not queued on any host that answered: refused", verb, ids[k]);
			rc = EX_UNAVAILABLE;
		}
	}
	if (plan.nmsgs > 0) {
		char *act[] = { (char *)verb, "--format", "json", yes ? "--yes" : "-", "-" };
		char **argv = fleet_argv(fl, "HOST", act, yes ? 5 : 4), **p;

		for (p = argv; p != NULL && *p != NULL; p++)
			append(&args, "%s%s", p == argv ? "" : " ", *p);
		fleet_argv_free(argv);
		target = fleet_act_target(fl, &plan);
		if (fleet_act_run(fl, &plan, verb, yes, FLEET_RUN_TIMEOUT, summary, sizeof summary) > 0)
			rc = EX_UNAVAILABLE;
	}
	for (i = 0; i < fl->n; i++) {
		struct fleet_host *h = &fl->hosts[i];
		json_t *res, *row, *idv;
		size_t nh = plan.ids[i].n;

		if (nh == 0)
			continue;
		idv = json_array();
		res = remote_result(h);
		for (k = 0; k < nh; k++)
			json_array_append_new(idv, json_string(plan.ids[i].v[k]));
		row = json_pack("{s:s, s:s, s:o, s:i, s:o, s:o}", "host", h->name, "state", fleet_state_name(h->state),
				"ids", idv, "exit", h->status,
				"problem", h->state == FLEET_OK ? json_null() : json_string(h->problem),
				"result", res != NULL ? res : json_null());
		json_array_append_new(json_object_get(doc, "hosts"), row);
		if (json)
			continue;
		if (h->state == FLEET_OK)
			printf("%s: %s: %zu message%s: done\n", h->name, verb, nh, nh == 1 ? "" : "s");
		else
			printf("%s: %s: %zu message%s: %s: %s\n", h->name, verb, nh, nh == 1 ? "" : "s",
			       fleet_state_name(h->state), h->problem);
	}
	if (plan.nmsgs > 0)
		audit(cli, action_kind_verb((enum action_kind)action_kind_from(verb)), target, args, rc, summary);
	if (json) {
		json_object_set_new(doc, "exit", json_integer(rc));
		json_dumpf(doc, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	if (cli_finish_output() != EX_OK)
		rc = EX_IOERR;
out:
	fleet_plan_free(&plan);
	free(target);
	free(args);
	strlist_free(&missing);
	json_decref(doc);
	return rc;
}

/* fleet_throttle - the same throttle words on every host; each host's answer */
int fleet_throttle(struct cli *cli, struct fleet *fl, char **words, int nwords)
{
	char *summary = NULL, *target = NULL;
	int rc = EX_OK, i;
	size_t h;

	fleet_run(fl, words, (size_t)nwords, NULL, NULL, FLEET_RUN_TIMEOUT);
	for (i = 1; i < nwords; i++)
		append(&target, "%s%s", i > 1 ? " " : "", words[i]);
	for (h = 0; h < fl->n; h++) {
		struct fleet_host *fh = &fl->hosts[h];
		const char *p = fh->out != NULL ? fh->out : "";

		append(&summary, "%s: %s; ", fh->name, fh->state == FLEET_OK ? "ok" : fh->problem);
		if (fh->state != FLEET_OK) {
			rc = EX_UNAVAILABLE;
			printf("%s: %s: %s\n", fh->name, fleet_state_name(fh->state), fh->problem);
			continue;
		}
		if (*p == '\0')
			printf("%s: ok\n", fh->name);
		while (*p) {
			size_t n = strcspn(p, "\n");

			printf("%s: %.*s\n", fh->name, (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
	if (strcmp(words[0], "throttles") != 0)
		audit(cli, strcmp(words[0], "throttle") == 0 ? AUDIT_THROTTLE : AUDIT_UNTHROTTLE,
		      target != NULL ? target : "", words[0], rc, summary);
	if (cli_finish_output() != EX_OK)
		rc = EX_IOERR;
	free(summary);
	free(target);
	return rc;
}
