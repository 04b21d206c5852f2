/* fleet_act - an action on messages of many hosts, one ssh each; see fleet_act.h */
#include "core/fleet/fleet_act.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fleet_plan_init - an empty plan */
int fleet_plan_init(struct fleet_plan *p, const struct fleet *fl)
{
	memset(p, 0, sizeof *p);
	if ((p->ids = calloc(fl->n + 1, sizeof *p->ids)) == NULL)
		return -1;
	p->nhosts = fl->n;
	return 0;
}

/* fleet_plan_add - id is on host */
int fleet_plan_add(struct fleet_plan *p, const struct fleet *fl, const char *host, const char *id)
{
	size_t i;

	for (i = 0; i < fl->n && i < p->nhosts; i++)
		if (strcmp(fl->hosts[i].name, host) == 0) {
			if (strlist_has(&p->ids[i], id))
				return 0;
			if (strlist_add(&p->ids[i], id) < 0)
				return -1;
			p->nmsgs++;
			return 0;
		}
	return -1;
}

/* fleet_plan_hosts - hosts that get at least one ID */
size_t fleet_plan_hosts(const struct fleet_plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->nhosts; i++)
		n += p->ids[i].n > 0;
	return n;
}

/* fleet_plan_free - release it */
void fleet_plan_free(struct fleet_plan *p)
{
	size_t i;

	for (i = 0; p->ids != NULL && i < p->nhosts; i++)
		strlist_free(&p->ids[i]);
	free(p->ids);
	memset(p, 0, sizeof *p);
}

/* fleet_act_target - "host:ID ..." */
char *fleet_act_target(const struct fleet *fl, const struct fleet_plan *p)
{
	size_t i, k, len = 1, o = 0;
	char *s;

	for (i = 0; i < p->nhosts; i++)
		for (k = 0; k < p->ids[i].n; k++)
			len += strlen(fl->hosts[i].name) + strlen(p->ids[i].v[k]) + 2;
	if ((s = malloc(len)) == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < p->nhosts; i++)
		for (k = 0; k < p->ids[i].n; k++)
			o += (size_t)snprintf(s + o, len - o, "%s%s:%s", o ? " " : "", fl->hosts[i].name, p->ids[i].v[k]);
	return s;
}

/* summarize - each run host's outcome into summary; how many failed */
static size_t summarize(const struct fleet *fl, const int *run, const struct fleet_plan *p, char *summary,
			size_t n)
{
	size_t i, o = 0, failed = 0;

	if (n > 0)
		summary[0] = '\0';
	for (i = 0; i < fl->n; i++) {
		const struct fleet_host *h = &fl->hosts[i];
		int k;

		if (run != NULL && !run[i])
			continue;
		failed += h->state != FLEET_OK;
		if (h->state == FLEET_OK && p != NULL)
			k = snprintf(summary + o, n - o, "%s%s: %zu done", o ? "; " : "", h->name, p->ids[i].n);
		else if (h->state == FLEET_OK)
			k = snprintf(summary + o, n - o, "%s%s: ok", o ? "; " : "", h->name);
		else
			k = snprintf(summary + o, n - o, "%s%s: %s: %s", o ? "; " : "", h->name,
				     fleet_state_name(h->state), h->problem);
		if (k < 0 || (size_t)k >= n - o)
			break;
		o += (size_t)k;
	}
	return failed;
}

/* fleet_act_run - verb on every host of the plan with its IDs on stdin */
size_t fleet_act_run(struct fleet *fl, const struct fleet_plan *p, const char *verb, int yes, int timeout,
		     char *summary, size_t n)
{
	char *words[5] = { (char *)verb, "--format", "json", "--yes", "-" };
	char **inputs = calloc(fl->n + 1, sizeof *inputs);
	int *run = calloc(fl->n + 1, sizeof *run);
	size_t i, k, failed;

	if (inputs == NULL || run == NULL) {
		free(inputs);
		free(run);
		snprintf(summary, n, "out of memory");
		return fleet_plan_hosts(p);
	}
	if (!yes) {	/* delete's --yes only when given */
		words[3] = "-";
	}
	for (i = 0; i < fl->n && i < p->nhosts; i++) {
		size_t len = 1, o = 0;

		if (p->ids[i].n == 0)
			continue;
		for (k = 0; k < p->ids[i].n; k++)
			len += strlen(p->ids[i].v[k]) + 1;
		if ((inputs[i] = malloc(len)) == NULL)
			continue;
		for (k = 0; k < p->ids[i].n; k++)
			o += (size_t)snprintf(inputs[i] + o, len - o, "%s\n", p->ids[i].v[k]);
		run[i] = 1;
	}
	fleet_run(fl, words, yes ? 5 : 4, run, inputs, timeout);
	failed = summarize(fl, run, p, summary, n);
	for (i = 0; i < fl->n; i++)
		free(inputs[i]);
	free(inputs);
	free(run);
	return failed;
}

/* fleet_act_words - the same words on every chosen host */
size_t fleet_act_words(struct fleet *fl, char *const *words, size_t nwords, const int *run, int timeout,
		       char *summary, size_t n)
{
	fleet_run(fl, words, nwords, run, NULL, timeout);
	return summarize(fl, run, NULL, summary, n);
}
