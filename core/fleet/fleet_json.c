/* fleet_json - merged snapshots and queue IDs of a fleet; see fleet_json.h */
#include "core/fleet/fleet_json.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

/* parse - h's output as a snapshot object; NULL (h marked failed) when it is not one */
static json_t *parse(struct fleet_host *h)
{
	json_error_t err;
	json_t *doc = h->out != NULL ? json_loadb(h->out, h->outlen, 0, &err) : NULL;

	if (doc == NULL || !json_is_array(json_object_get(doc, "messages"))) {
		json_decref(doc);
		h->state = FLEET_FAILED;
		snprintf(h->problem, sizeof h->problem, "the host's mqmon wrote no snapshot%s%s",
			 h->err != NULL && *h->err ? ": " : "", h->err != NULL ? h->err : "");
		h->problem[strcspn(h->problem, "\n")] = '\0';
		return NULL;
	}
	return doc;
}

/* earliest - the smaller of two epoch values where null (or absent) means none */
static json_t *earliest(json_t *a, json_t *b)
{
	if (!json_is_integer(a))
		return b != NULL ? json_incref(b) : json_null();
	if (!json_is_integer(b) || json_integer_value(a) <= json_integer_value(b))
		return json_incref(a);
	return json_incref(b);
}

/* add_counts - to dst's numbers src's; the time members the earliest */
static void add_counts(json_t *dst, json_t *src)
{
	const char *key;
	json_t *v;

	json_object_foreach(src, key, v) {
		json_t *d = json_object_get(dst, key);

		if (json_is_integer(v) && json_is_integer(d) && strcmp(key, "oldest_arrival") != 0
		    && strcmp(key, "soonest_retry") != 0)
			json_object_set_new(dst, key, json_integer(json_integer_value(d) + json_integer_value(v)));
		else if (strcmp(key, "oldest_arrival") == 0 || strcmp(key, "soonest_retry") == 0)
			json_object_set_new(dst, key, earliest(d, v));
	}
}

/* merge_rows - rows of src into dst, matched by their key member (sub-arrays "domains" merged alike) */
static void merge_rows(json_t *dst, json_t *src, const char *key)
{
	size_t i, k;
	json_t *row;

	json_array_foreach(src, i, row) {
		const char *name = json_string_value(json_object_get(row, key));
		json_t *match = NULL, *d;

		json_array_foreach(dst, k, d)
			if (name != NULL && json_equal(json_object_get(d, key), json_object_get(row, key))) {
				match = d;
				break;
			}
		if (match == NULL) {
			json_array_append_new(dst, json_deep_copy(row));
			continue;
		}
		add_counts(match, row);
		if (json_is_array(json_object_get(row, "domains")) && json_is_array(json_object_get(match, "domains")))
			merge_rows(json_object_get(match, "domains"), json_object_get(row, "domains"), "domain");
	}
}

/* host_row - a host's row of "hosts" */
static json_t *host_row(const struct fleet_host *h, json_t *doc)
{
	json_t *row = json_pack("{s:s, s:s, s:o}", "host", h->name, "state", fleet_state_name(h->state),
				"problem", h->state == FLEET_OK ? json_null() : json_string(h->problem));
	static const char *const copied[] = { "host", "mta", "mail_version", "config_dir", "generated_at",
		"mta_running", "totals" };
	size_t i;

	for (i = 0; i < sizeof copied / sizeof copied[0]; i++) {
		json_t *v = doc != NULL ? json_object_get(doc, copied[i]) : NULL;

		json_object_set(row, i == 0 ? "hostname" : copied[i], v != NULL ? v : json_null());
	}
	return row;
}

/* fleet_merge_snapshots - one document for the whole fleet */
int fleet_merge_snapshots(struct fleet *fl, FILE *fp, struct why *why)
{
	static const char *const rows[][2] = { { "causes", "cause" }, { "providers", "provider" },
		{ "domains", "domain" }, { "queues", "queue" } };
	json_t *hosts = json_array(), *msgs = json_array(), *merged[4], *totals = NULL, *m;
	size_t i, k, j;
	int rc = 0;

	for (j = 0; j < 4; j++)
		merged[j] = json_array();
	for (i = 0; i < fl->n; i++) {
		struct fleet_host *h = &fl->hosts[i];
		json_t *doc = h->state == FLEET_OK ? parse(h) : NULL;

		json_array_append_new(hosts, host_row(h, doc));
		if (doc == NULL)
			continue;
		json_array_foreach(json_object_get(doc, "messages"), k, m) {
			json_t *o = json_pack("{s:s}", "host", h->name);

			json_object_update(o, m);
			json_array_append_new(msgs, o);
		}
		if (totals == NULL)
			totals = json_deep_copy(json_object_get(doc, "totals"));
		else
			add_counts(totals, json_object_get(doc, "totals"));
		for (j = 0; j < 4; j++)
			merge_rows(merged[j], json_object_get(doc, rows[j][0]), rows[j][1]);
		json_decref(doc);
	}
	if (totals == NULL)
		totals = json_pack("{s:i, s:i, s:i, s:n, s:n}", "messages", 0, "recipients", 0, "overdue", 0,
				   "oldest_arrival", "soonest_retry");
	fprintf(fp, "{\n \"generated_at\": %lld,\n \"fleet\": true,\n \"hosts\": ", (long long)time(NULL));
	rc |= json_dumpf(hosts, fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputs(",\n \"totals\": ", fp);
	rc |= json_dumpf(totals, fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputs(",\n \"messages\": [", fp);
	json_array_foreach(msgs, k, m) {
		fputs(k ? ",\n  " : "\n  ", fp);
		rc |= json_dumpf(m, fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	fputs("\n ]", fp);
	for (j = 0; j < 4; j++) {
		fprintf(fp, ",\n \"%s\": ", rows[j][0]);
		rc |= json_dumpf(merged[j], fp, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(merged[j]);
	}
	fputs("\n}\n", fp);
	json_decref(hosts);
	json_decref(msgs);
	json_decref(totals);
	if (rc != 0 || ferror(fp))
		return why_set(why, "error writing the fleet's snapshot");
	return 0;
}

/* fleet_snapshot_ids - the queue IDs of h's snapshot */
int fleet_snapshot_ids(struct fleet_host *h, struct strlist *ids)
{
	json_t *doc = parse(h), *m;
	size_t k;

	if (doc == NULL)
		return -1;
	json_array_foreach(json_object_get(doc, "messages"), k, m) {
		const char *id = json_string_value(json_object_get(m, "queue_id"));

		if (id != NULL)
			strlist_add(ids, id);
	}
	json_decref(doc);
	return 0;
}
