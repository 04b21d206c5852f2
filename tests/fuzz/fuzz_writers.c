/* fuzz_writers - libFuzzer target: the snapshot writers on a queue model
 * built from fuzzed strings (make fuzz)
 *
 * The input is cut at NUL bytes into fields: a provider name, a sender,
 * then (recipient address, delay reason, dsn) triples, two recipients per
 * message, at most 8. They go into a model the way the backends put them
 * (qmodel_add, qmodel_add_rcpt: raw bytes, the model sanitises what it
 * sanitises), with a ruleset whose one provider has the fuzzed name and the
 * first recipient's domain. The model is written as JSON, CSV and
 * Prometheus text, and each output is read back:
 *   - JSON with jansson: every message and recipient, every value equal to
 *     the model's;
 *   - CSV with the RFC 4180 reader below: one row per recipient, every
 *     field equal to the model's value (or that value behind a ' when a
 *     formula-looking cell was neutralised);
 *   - Prometheus: every line a comment or `name{label="value"} number`, and
 *     the provider label values, unescaped, are the model's providers;
 *   - clean: every string value in the three outputs is valid UTF-8 without
 *     control characters (utf8_clean).
 * FUZZ_WRITERS_CLEAN_INPUT=1 sanitises the sender and dsn (to the model's
 * 15 bytes) before they reach the model, which stores both as given (the
 * dsn cut bytewise): the round trips are then checked on clean values only.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/classify/classify.h"
#include "core/log/deferral.h"
#include "core/queue/qmodel.h"
#include "core/postfix/mta_postfix.h"
#include "core/base/sanitize.h"
#include "core/queue/snapshot.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RCPTS 8
#define CSV_COLUMNS 17

/* fail - a broken property: say which and stop (libFuzzer saves the input) */
static void fail(const char *format, const char *what, const char *got, const char *want)
{
	fprintf(stderr, "fuzz_writers: %s: %s\n  got:  [%s]\n  want: [%s]\n", format, what,
		got ? got : "(none)", want ? want : "(none)");
	abort();
}

/* expect - got equals want */
static void expect(const char *format, const char *what, const char *got, const char *want)
{
	if (got == NULL || want == NULL || strcmp(got, want) != 0)
		fail(format, what, got, want);
}

/* expect_clean - s is valid UTF-8 without control characters */
static void expect_clean(const char *format, const char *what, const char *s, size_t n)
{
	char label[128];

	if (!utf8_clean(s, n)) {
		snprintf(label, sizeof label, "%s is not clean UTF-8 text", what);
		fail(format, label, s, "valid UTF-8 without control characters");
	}
}

/* ---- JSON ---- */

/* json_clean - every string (and key) below v is clean */
static void json_clean(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_string(v)) {
		expect_clean("json", "string", json_string_value(v), json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			expect_clean("json", "key", key, strlen(key));
			json_clean(x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			json_clean(x);
	}
}

/* jstr - a member's string value, NULL when absent or not a string */
static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* check_json - the JSON snapshot holds the model's values */
static void check_json(const struct qmodel *m, const char *text, size_t len, int clean)
{
	json_error_t err;
	json_t *root = json_loadb(text, len, 0, &err), *msgs, *o, *rcpts, *r, *provs;
	size_t i, k;

	if (root == NULL)
		fail("json", "does not parse", err.text, "");
	msgs = json_object_get(root, "messages");
	if (json_array_size(msgs) != m->n)
		fail("json", "messages missing", "", "");
	for (i = 0; i < m->n; i++) {
		const struct qmsg *msg = m->msgs[i];

		o = json_array_get(msgs, i);
		expect("json", "queue_id", jstr(o, "queue_id"), msg->id);
		expect("json", "sender", jstr(o, "sender"), msg->sender);
		expect("json", "relay", msg->relay ? jstr(o, "relay") : "", msg->relay ? msg->relay : "");
		expect("json", "provider", jstr(o, "provider"), msg->provider);
		rcpts = json_object_get(o, "recipients");
		if (json_array_size(rcpts) != msg->nrcpts)
			fail("json", "recipients of a message missing (a value jansson refused?)", msg->id, "");
		for (k = 0; k < msg->nrcpts; k++) {
			const struct qrcpt *q = &msg->rcpts[k];

			r = json_array_get(rcpts, k);
			expect("json", "address", jstr(r, "address"), q->address);
			expect("json", "domain", jstr(r, "domain"), q->domain);
			expect("json", "provider", jstr(r, "provider"), q->provider);
			expect("json", "dsn", jstr(r, "dsn"), q->dsn);
			expect("json", "reason", jstr(r, "reason"), q->reason);
			expect("json", "cause", jstr(r, "cause"), q->reason[0] ? cause_name(q->cause) : "");
		}
	}
	provs = json_object_get(root, "providers");
	if (json_array_size(provs) != m->nproviders)
		fail("json", "provider count", "", "");
	for (i = 0; i < m->nproviders; i++)
		expect("json", "providers[].provider", jstr(json_array_get(provs, i), "provider"), m->providers[i].name);
	if (clean)
		json_clean(root);
	json_decref(root);
}

/* ---- CSV ---- */

struct csv_row {
	char *field[CSV_COLUMNS + 1];
	size_t n;
};

/* csv_read_row - one RFC 4180 record at *pos (fields malloc'd); 0 at the end, -1 when malformed */
static int csv_read_row(const char *s, size_t len, size_t *pos, struct csv_row *row)
{
	size_t p = *pos;

	row->n = 0;
	if (p >= len)
		return 0;
	for (;;) {
		char *f = malloc(len - p + 1);
		size_t n = 0;

		if (f == NULL)
			abort();
		if (p < len && s[p] == '"') {
			for (p++;; p++) {
				if (p >= len) {
					free(f);
					return -1;	/* unterminated quote */
				}
				if (s[p] == '"') {
					if (p + 1 < len && s[p + 1] == '"') {
						f[n++] = '"';
						p++;
						continue;
					}
					p++;
					break;
				}
				f[n++] = s[p];
			}
		} else {
			while (p < len && s[p] != ',' && s[p] != '\n') {
				if (s[p] == '"' || s[p] == '\r') {
					free(f);
					return -1;	/* a bare quote or CR in an unquoted field */
				}
				f[n++] = s[p++];
			}
		}
		f[n] = '\0';
		if (row->n == CSV_COLUMNS) {
			free(f);
			return -1;	/* too many fields */
		}
		row->field[row->n++] = f;
		if (p >= len)
			return -1;	/* the writer ends every record with a newline */
		if (s[p] == '\n') {
			*pos = p + 1;
			return 1;
		}
		if (s[p] != ',')
			return -1;	/* text after a closing quote */
		p++;
	}
}

/* csv_row_free - release a row's fields */
static void csv_row_free(struct csv_row *row)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		free(row->field[i]);
	row->n = 0;
}

/* csv_expect - a field holds want, or want neutralised as a formula ('=..., '+..., ...) */
static void csv_expect(const char *what, const char *got, const char *want, int clean)
{
	if (!(strcmp(got, want) == 0 || (got[0] == '\'' && strchr("=+-@\t\r", want[0]) != NULL && want[0]
					  && strcmp(got + 1, want) == 0)))
		fail("csv", what, got, want);
	if (clean)
		expect_clean("csv", what, got, strlen(got));
}

/* check_csv - the CSV snapshot: a header, then one row per recipient with the model's values */
static void check_csv(const struct qmodel *m, const char *text, size_t len, int clean)
{
	struct csv_row row = { .n = 0 };
	size_t pos = 0, i, k;
	int rc;

	if (csv_read_row(text, len, &pos, &row) != 1 || row.n != CSV_COLUMNS || strcmp(row.field[0], "queue_id") != 0)
		fail("csv", "header", text, "queue_id,...");
	csv_row_free(&row);
	for (i = 0; i < m->n; i++) {
		const struct qmsg *msg = m->msgs[i];

		for (k = 0; k < msg->nrcpts; k++) {
			const struct qrcpt *q = &msg->rcpts[k];

			if ((rc = csv_read_row(text, len, &pos, &row)) != 1 || row.n != CSV_COLUMNS)
				fail("csv", rc < 0 ? "malformed record" : "missing record or field", text + pos, msg->id);
			csv_expect("queue_id", row.field[0], msg->id, clean);
			csv_expect("queue", row.field[1], queue_name_str(msg->queue), clean);
			csv_expect("sender", row.field[2], msg->sender, clean);
			csv_expect("address", row.field[11], q->address, clean);
			csv_expect("domain", row.field[12], q->domain, clean);
			csv_expect("provider", row.field[13], q->provider, clean);
			csv_expect("cause", row.field[14], q->reason[0] ? cause_name(q->cause) : "", clean);
			csv_expect("dsn", row.field[15], q->dsn, clean);
			csv_expect("reason", row.field[16], q->reason, clean);
			csv_row_free(&row);
		}
	}
	if (pos != len)
		fail("csv", "text after the last record", text + pos, "");
}

/* ---- Prometheus ---- */

/* prom_name - length of a metric or label name at s ([a-zA-Z_:][a-zA-Z0-9_:]*), 0 when none */
static size_t prom_name(const char *s, size_t n, int label)
{
	size_t i = 0;

	while (i < n && (s[i] == '_' || (!label && s[i] == ':') || (s[i] >= 'a' && s[i] <= 'z')
			 || (s[i] >= 'A' && s[i] <= 'Z') || (i > 0 && s[i] >= '0' && s[i] <= '9')))
		i++;
	return i;
}

/* check_prom_line - one line of the exposition format; the provider label value (unescaped) into provider */
static void check_prom_line(const char *s, size_t n, char *provider, size_t provsz, int *is_provider)
{
	size_t i, name, o = 0;
	char line[4096];

	snprintf(line, sizeof line, "%.*s", (int)n, s);
	*is_provider = 0;
	if (n > 0 && s[0] == '#') {
		if (strncmp(s, "# HELP ", 7) != 0 && strncmp(s, "# TYPE ", 7) != 0)
			fail("prom", "comment neither HELP nor TYPE", line, "");
		return;
	}
	if ((name = prom_name(s, n, 0)) == 0)
		fail("prom", "no metric name", line, "");
	i = name;
	if (i < n && s[i] == '{') {
		size_t lname = prom_name(s + i + 1, n - i - 1, 1);

		*is_provider = name == strlen("mqmon_provider_messages")
			       && strncmp(s, "mqmon_provider_messages", name) == 0;
		if (lname == 0 || i + 1 + lname + 1 >= n || s[i + 1 + lname] != '=' || s[i + 2 + lname] != '"')
			fail("prom", "label", line, "name=\"value\"");
		for (i += lname + 3; i < n && s[i] != '"'; i++) {
			char c = s[i];

			if (c == '\\') {
				if (++i >= n)
					fail("prom", "escape at the end", line, "");
				if (s[i] == 'n')
					c = '\n';
				else if (s[i] == '\\' || s[i] == '"')
					c = s[i];
				else
					fail("prom", "unknown escape in a label value", line, "\\\\ \\\" \\n");
			}
			if (o + 1 < provsz)
				provider[o++] = c;
		}
		provider[o] = '\0';
		if (i + 1 >= n || s[i] != '"' || s[i + 1] != '}')
			fail("prom", "label value not closed", line, "\"}");
		i += 2;
	}
	if (i >= n || s[i] != ' ')
		fail("prom", "no space before the value", line, "");
	for (i++; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			fail("prom", "value not an integer", line, "");
}

/* check_prom - every line well-formed; the provider samples name the model's providers, in order */
static void check_prom(const struct qmodel *m, const char *text, size_t len, int clean)
{
	static char provider[8192];
	size_t pos = 0, nprov = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		int is_provider;

		if (nl == NULL)
			fail("prom", "last line without a newline", text + pos, "");
		check_prom_line(text + pos, (size_t)(nl - (text + pos)), provider, sizeof provider, &is_provider);
		if (is_provider) {
			if (nprov >= m->nproviders)
				fail("prom", "more provider samples than providers", provider, "");
			expect("prom", "provider label value", provider, m->providers[nprov].name);
			if (clean)
				expect_clean("prom", "provider label value", provider, strlen(provider));
			nprov++;
		}
		pos = (size_t)(nl - text) + 1;
	}
	if (nprov != m->nproviders)
		fail("prom", "a provider without a sample", "", "");
}

/* ---- the model ---- */

/* next_field - the next NUL-terminated piece of the input, NULL at the end */
static const char *next_field(const char **p, const char *end, size_t *len)
{
	const char *f = *p, *nul;

	if (f >= end)
		return NULL;
	nul = memchr(f, '\0', (size_t)(end - f));
	*len = nul ? (size_t)(nul - f) : (size_t)(end - f);
	*p = f + *len + 1;
	return f;
}

/* write_all - one format into a malloc'd buffer */
static char *write_all(const struct qmodel *m, enum snapshot_format fmt, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct why why;

	if (fp == NULL)
		abort();
	if (snapshot_write(m, fmt, "mx1.example", fp, &why) < 0)
		fail("write", why.text, "", "");
	fclose(fp);
	return buf;
}

/* LLVMFuzzerTestOneInput - one input */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int clean_input = -1;
	/* fields are copied so that each is NUL-terminated */
	char *copy = malloc(size + 1), provider[256], sender[512], addr0[512], domain[512];
	const char *p, *end, *f;
	struct mta_params params = { .backend = &mta_postfix, .queue_run_delay = 300, .min_backoff = 300, .max_backoff = 4000,
				     .max_queue_lifetime = 432000, .bounce_queue_lifetime = 432000 };
	struct ruleset rs;
	struct classifier *cl;
	struct qmodel *m;
	struct qmsg *msg = NULL;
	size_t len, nrcpt = 0;
	char *out;
	time_t now = 1800000000;

	if (clean_input < 0)
		clean_input = fuzz_env_flag("FUZZ_WRITERS_CLEAN_INPUT");
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	end = copy + size;

	/* the provider: a name as a rules file can give it (one line, UTF-8), the first recipient's domain */
	f = next_field(&p, end, &len);
	sanitize_text(provider, sizeof provider, f ? f : "", f ? len : 0);
	if (provider[0] == '\0')
		snprintf(provider, sizeof provider, "fuzz");
	f = next_field(&p, end, &len);
	snprintf(sender, sizeof sender, "%.*s", f ? (int)len : 0, f ? f : "");
	if (clean_input)
		sanitize_text(sender, sizeof sender, f ? f : "", f ? len : 0);
	{
		const char *q = p;
		size_t n;

		f = next_field(&q, end, &n);
		sanitize_text(addr0, sizeof addr0, f ? f : "", f ? n : 0);
		address_domain(domain, sizeof domain, addr0);
		if (domain[0] == '\0')
			snprintf(domain, sizeof domain, "example.com");
	}
	ruleset_init(&rs);
	rs.providers = calloc(1, sizeof *rs.providers);
	rs.rules = calloc(1, sizeof *rs.rules);
	if (rs.providers == NULL || rs.rules == NULL)
		abort();
	rs.nproviders = 1;
	rs.providers[0].name = strdup(provider);
	rs.providers[0].label = strdup(provider);
	strlist_add(&rs.providers[0].domains, domain);
	rs.nrules = 1;
	rs.rules[0].name = strdup("fuzz-rate");
	rs.rules[0].source = strdup("fuzz");
	rs.rules[0].cause = CAUSE_RATE_LIMIT;
	strlist_add(&rs.rules[0].any, "rate");
	if ((cl = classifier_new(&rs, NULL)) == NULL || (m = qmodel_new(cl, &params)) == NULL)
		abort();

	/* (address, reason, dsn) triples, two recipients per message */
	while (nrcpt < MAX_RCPTS && (f = next_field(&p, end, &len)) != NULL) {
		const char *reason, *dsn;
		size_t rlen = 0, dlen = 0;
		char dsnbuf[64];

		if (nrcpt % 2 == 0) {
			char id[16];

			snprintf(id, sizeof id, "AAAAAA%04zu", nrcpt);
			msg = qmodel_add(m, id, nrcpt % 4 ? QUEUE_HOLD : QUEUE_DEFERRED, sender, now - 3600, 1000, 0);
			if (msg == NULL)
				abort();
			msg->last_attempt = now - 60;
			msg->relay = strdup(provider);
		}
		reason = next_field(&p, end, &rlen);
		dsn = next_field(&p, end, &dlen);
		if (clean_input)	/* at most what the model keeps: its copy cuts bytes, not characters */
			sanitize_text(dsnbuf, QRCPT_DSN_MAX, dsn ? dsn : "", dsn ? dlen : 0);
		else
			snprintf(dsnbuf, sizeof dsnbuf, "%.*s", dsn ? (int)dlen : 0, dsn ? dsn : "");
		qmodel_add_rcpt(m, msg, f, reason, reason ? rlen : 0, dsn ? dsnbuf : NULL);
		nrcpt++;
	}
	qmodel_finish(m, now);

	out = write_all(m, SNAPSHOT_JSON, &len);
	check_json(m, out, len, 1);
	free(out);
	out = write_all(m, SNAPSHOT_CSV, &len);
	check_csv(m, out, len, 1);
	free(out);
	out = write_all(m, SNAPSHOT_PROM, &len);
	check_prom(m, out, len, 1);
	free(out);

	qmodel_free(m);
	classifier_free(cl);
	ruleset_free(&rs);
	free(copy);
	return 0;
}
