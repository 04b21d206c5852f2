/* test_stream - mqmon stream's batches: the first full, then only the changed and removed messages, and
 * the message objects exactly snapshot's (issue 15) */
#include "tests/unit/testutil.h"

#include <jansson.h>

#include "core/postfix/mta_postfix.h"
#include "core/queue/snapshot.h"
#include "core/queue/stream.h"

/* model - messages AAAAAA0001.. n of them; the one numbered held (0: none) is on hold */
static struct qmodel *model(int n, int held)
{
	struct mta_params p = { .backend = &mta_postfix, .queue_run_delay = 300, .min_backoff = 300, .max_backoff = 4000,
				.max_queue_lifetime = 432000, .bounce_queue_lifetime = 432000 };
	struct qmodel *m = qmodel_new(NULL, &p);
	char id[16];
	int i;

	for (i = 1; i <= n; i++) {
		struct qmsg *msg;

		snprintf(id, sizeof id, "AAAAAA%04d", i);
		msg = qmodel_add(m, id, i == held ? QUEUE_HOLD : QUEUE_DEFERRED, "s@example.org", 1000, 10, 0);
		assert_non_null(msg);
		assert_int_equal(qmodel_add_rcpt(m, msg, "r@gmail.com", "421 try later", 13, "4.7.0"), 0);
	}
	qmodel_finish(m, 2000);
	return m;
}

/* emit - one batch as text (caller frees); *bytes gets what stream_emit_model returned */
static char *emit(struct stream_state *st, const struct qmodel *m, int full, long *bytes)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	*bytes = stream_emit_model(st, m, full, fp);
	fclose(fp);
	assert_int_equal(*bytes, (long)len);
	return buf;
}

/* types - the "type" of every line, joined by spaces, plus each message's or removal's ID */
static void types(const char *text, char *out, size_t outsz)
{
	const char *p = text;

	out[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, "\n");
		json_error_t err;
		json_t *o = json_loadb(p, n, 0, &err);
		const char *id;

		assert_non_null(o);
		id = json_string_value(json_object_get(o, "queue_id"));
		if (id == NULL)
			id = json_string_value(json_object_get(json_object_get(o, "message"), "queue_id"));
		snprintf(out + strlen(out), outsz - strlen(out), "%s%s%s%s", *out ? " " : "",
			 json_string_value(json_object_get(o, "type")), id ? ":" : "", id ? id : "");
		json_decref(o);
		p += n + (p[n] == '\n');
	}
}

/* the first batch is full, an unchanged model sends nothing, a change sends the message, a removal its ID */
static void test_batches(void **state)
{
	struct stream_state *st = stream_state_new();
	struct qmodel *m1 = model(5, 0), *m2 = model(4, 2), *m3 = model(1, 1);
	char seen[1024], *text;
	long n;

	(void)state;
	text = emit(st, m1, 0, &n);
	types(text, seen, sizeof seen);
	assert_string_equal(seen, "begin message:AAAAAA0001 message:AAAAAA0002 message:AAAAAA0003 message:AAAAAA0004 "
			    "message:AAAAAA0005 end");
	assert_non_null(strstr(text, "{\"type\":\"begin\",\"full\":true"));
	free(text);
	text = emit(st, m1, 0, &n);
	assert_int_equal(n, 0);
	free(text);
	text = emit(st, m2, 0, &n);
	types(text, seen, sizeof seen);
	assert_string_equal(seen, "begin message:AAAAAA0002 removed:AAAAAA0005 end");
	assert_non_null(strstr(text, "{\"type\":\"begin\",\"full\":false"));
	assert_non_null(strstr(text, "\"messages\":4,"));
	free(text);
	text = emit(st, m2, 1, &n);	/* asked for a full batch: every message */
	types(text, seen, sizeof seen);
	assert_string_equal(seen, "begin message:AAAAAA0001 message:AAAAAA0002 message:AAAAAA0003 message:AAAAAA0004 end");
	free(text);
	text = emit(st, m3, 0, &n);	/* more changes than messages left: a full batch is smaller */
	types(text, seen, sizeof seen);
	assert_string_equal(seen, "begin message:AAAAAA0001 end");
	assert_non_null(strstr(text, "{\"type\":\"begin\",\"full\":true"));
	free(text);
	qmodel_free(m3);
	qmodel_free(m1);
	qmodel_free(m2);
	stream_state_free(st);
}

/* a stream's message object is the snapshot's, byte for byte */
static void test_same_json_as_snapshot(void **state)
{
	struct qmodel *m = model(2, 1);
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct why why;
	json_error_t err;
	json_t *doc, *snap;

	(void)state;
	assert_int_equal(snapshot_write(m, SNAPSHOT_JSON, "h", fp, &why), 0);
	fclose(fp);
	doc = json_loads(buf, 0, &err);
	assert_non_null(doc);
	snap = json_array_get(json_object_get(doc, "messages"), 0);
	line = snapshot_message_text(m, m->msgs[0]);
	{
		char *want = json_dumps(snap, JSON_COMPACT | JSON_PRESERVE_ORDER);

		assert_string_equal(line, want);
		free(want);
	}
	free(line);
	free(buf);
	json_decref(doc);
	qmodel_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_same_json_as_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
