/* test_qmodel - retry times, expiry, overdue, aggregates and forgetting, on a hand-built model */
#include "tests/unit/testutil.h"
#include "tests/unit/testmodel.h"

#include "core/queue/qmodel.h"

#include <stdlib.h>
#include <unistd.h>

#include "core/history/store.h"
#include "core/exim/mta_exim.h"
#include "core/mta/registry.h"
#include "core/postfix/mta_postfix.h"



static const char gmail[] = "host a[192.0.2.1] said: 421-4.7.28 unusual rate of 421-4.7.28 unsolicited mail "
	"421 4.7.28 rate limited. gsmtp (in reply to RCPT TO command)";
static const char grey[] = "host b[192.0.2.2] said: 450 4.2.0 Greylisted, see http://postgrey (in reply to RCPT TO command)";

static void test_retry_rules(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qmsg *a, *b, *c, *d, *e;
	time_t now = 1000000;

	(void)state;
	/* exact: the spool's mtime */
	a = qmodel_add(m, "AAAAAA0001", QUEUE_DEFERRED, "s@x", now - 100, 10, 0);
	a->exact_retry = now + 200;
	/* estimated: last attempt + age clamped to [300, 4000] */
	b = qmodel_add(m, "AAAAAA0002", QUEUE_DEFERRED, "s@x", now - 10000, 10, 0);
	b->last_attempt = now - 100;	/* age at the attempt 9900 -> 4000 */
	c = qmodel_add(m, "AAAAAA0003", QUEUE_DEFERRED, "s@x", now - 50, 10, 0);
	c->last_attempt = now - 40;	/* age 10 -> 300 */
	/* unknown, and held */
	d = qmodel_add(m, "AAAAAA0004", QUEUE_DEFERRED, "s@x", now - 50, 10, 0);
	e = qmodel_add(m, "AAAAAA0005", QUEUE_HOLD, "", now - 50, 10, 0);
	e->exact_retry = now + 10;
	qmodel_finish(m, now);
	assert_int_equal(a->retry_source, RETRY_EXACT);
	assert_int_equal((long)a->next_retry, (long)(now + 200));
	assert_int_equal(b->retry_source, RETRY_ESTIMATED);
	assert_int_equal((long)b->next_retry, (long)(now - 100 + 4000));
	assert_int_equal((long)c->next_retry, (long)(now - 40 + 300));
	assert_int_equal(d->retry_source, RETRY_UNKNOWN);
	assert_int_equal(e->retry_source, RETRY_NONE);
	assert_int_equal((long)e->next_retry, 0);
	/* expiry: arrival + lifetime; the null sender uses bounce_queue_lifetime */
	assert_int_equal((long)a->expires_at, (long)(now - 100 + 5 * 86400));
	qmodel_free(m);
}

static void test_overdue(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qmsg *late, *due;
	time_t now = 1000000;

	(void)state;
	late = qmodel_add(m, "BBBBBB0001", QUEUE_DEFERRED, "s@x", now - 9000, 10, 0);
	late->exact_retry = now - (2 * 300 + 61);	/* two scans and a minute ago */
	due = qmodel_add(m, "BBBBBB0002", QUEUE_DEFERRED, "s@x", now - 9000, 10, 0);
	due->exact_retry = now - 299;			/* within one scan interval */
	qmodel_finish(m, now);
	assert_true(late->overdue);
	assert_false(due->overdue);
	assert_int_equal(m->overdue, 1);
	qmodel_free(m);
}

static void test_aggregates_count_messages_once(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qmsg *a, *b;

	(void)state;
	/* a message with two gmail recipients counts once for the cause and the domain */
	a = qmodel_add(m, "CCCCCC0001", QUEUE_DEFERRED, "s@x", 1000, 10, 0);
	qmodel_add_rcpt(m, a, "u1@gmail.com", gmail, strlen(gmail), NULL);
	qmodel_add_rcpt(m, a, "u2@gmail.com", gmail, strlen(gmail), NULL);
	qmodel_add_rcpt(m, a, "u3@grey.example", grey, strlen(grey), NULL);
	b = qmodel_add(m, "CCCCCC0002", QUEUE_DEFERRED, "s@x", 1000, 10, 0);
	qmodel_add_rcpt(m, b, "u4@gmail.com", gmail, strlen(gmail), NULL);
	/* listed twice (moving between queues): kept once */
	assert_ptr_equal(qmodel_add(m, "CCCCCC0002", QUEUE_ACTIVE, "s@x", 1000, 10, 0), b);
	qmodel_finish(m, 2000);
	assert_int_equal(m->n, 2);
	assert_int_equal(m->recipients, 4);
	assert_int_equal(m->causes[CAUSE_RATE_LIMIT].messages, 2);
	assert_int_equal(m->causes[CAUSE_RATE_LIMIT].recipients, 3);
	assert_int_equal(m->causes[CAUSE_GREYLISTING].messages, 1);
	assert_int_equal(m->causes[CAUSE_RATE_LIMIT].nsub, 1);
	assert_string_equal(m->causes[CAUSE_RATE_LIMIT].sub[0].name, "gmail.com");
	assert_int_equal(m->causes[CAUSE_RATE_LIMIT].sub[0].messages, 2);
	assert_string_equal(a->rcpts[0].provider, "gmail");
	assert_string_equal(a->rcpts[0].dsn, "4.7.28");
	assert_int_equal(a->rcpts[0].stage, STAGE_RCPT);
	assert_int_equal(a->cause, CAUSE_RATE_LIMIT);
	qmodel_free(m);
}

static void test_forget_and_read_again(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qmsg *a;
	size_t i;

	(void)state;
	for (i = 0; i < 50; i++) {
		char id[16];

		snprintf(id, sizeof id, "DDDDDD%04zu", i);
		a = qmodel_add(m, id, QUEUE_DEFERRED, "s@x", 1000, 10, 0);
		qmodel_add_rcpt(m, a, "u@gmail.com", gmail, strlen(gmail), NULL);
	}
	qmodel_finish(m, 2000);
	assert_int_equal(qmodel_forget(m, "DDDDDD0007"), 0);
	assert_null(qmodel_find(m, "DDDDDD0007"));
	assert_int_equal(qmodel_forget(m, "DDDDDD0007"), -1);
	/* read again (it moved to hold): a new entry with the same ID */
	a = qmodel_add(m, "DDDDDD0007", QUEUE_HOLD, "s@x", 1000, 10, 0);
	assert_non_null(a);
	qmodel_finish(m, 2000);
	assert_int_equal(m->n, 50);
	assert_int_equal(m->queues[QUEUE_HOLD].messages, 1);
	assert_int_equal(m->queues[QUEUE_DEFERRED].messages, 49);
	for (i = 0; i < 50; i++) {
		char id[16];

		snprintf(id, sizeof id, "DDDDDD%04zu", i);
		assert_non_null(qmodel_find(m, id));
	}
	assert_null(qmodel_add(m, "ALL", QUEUE_DEFERRED, "s@x", 1, 1, 0));	/* not a queue ID */
	qmodel_free(m);
}

/* test_recipients_inline_then_array - the first recipient lives inside its message, more move to an array of
 * their own in order; forgotten messages go back to the model's slab and are reused by the next ones */
static void test_recipients_inline_then_array(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qmsg *one, *three, *again;
	size_t i, live;

	(void)state;
	one = qmodel_add(m, "EEEEEE0001", QUEUE_DEFERRED, "s@x", 1000, 10, 0);
	three = qmodel_add(m, "EEEEEE0003", QUEUE_DEFERRED, "s@x", 1000, 10, 0);
	assert_int_equal(qmodel_add_rcpt(m, one, "u@gmail.com", gmail, strlen(gmail), NULL), 0);
	assert_ptr_equal(one->rcpts, &one->rcpt1);
	assert_int_equal(qmodel_add_rcpt(m, three, "a@gmail.com", gmail, strlen(gmail), NULL), 0);
	assert_int_equal(qmodel_add_rcpt(m, three, "b@grey.example", grey, strlen(grey), "4.2.0"), 0);
	assert_int_equal(qmodel_add_rcpt(m, three, "c@Other.Example", NULL, 0, NULL), 0);
	assert_ptr_not_equal(three->rcpts, &three->rcpt1);
	assert_int_equal(three->nrcpts, 3);
	assert_string_equal(three->rcpts[0].address, "a@gmail.com");
	assert_string_equal(three->rcpts[0].dsn, "4.7.28");	/* from the reply's enhanced code */
	assert_int_equal(three->rcpts[0].cause, CAUSE_RATE_LIMIT);
	assert_string_equal(three->rcpts[1].address, "b@grey.example");
	assert_string_equal(three->rcpts[1].dsn, "4.2.0");
	assert_int_equal(three->rcpts[1].cause, CAUSE_GREYLISTING);
	assert_string_equal(three->rcpts[2].domain, "other.example");
	assert_string_equal(three->rcpts[2].dsn, "");
	assert_string_equal(three->rcpts[2].reason, "");
	qmodel_finish(m, 2000);
	assert_int_equal(m->recipients, 4);
	assert_int_equal(three->cause, CAUSE_RATE_LIMIT);
	/* a dsn longer than an enhanced code is kept to QRCPT_DSN_MAX - 1 characters, as the old buffer kept it */
	assert_int_equal(qmodel_add_rcpt(m, one, "v@gmail.com", gmail, strlen(gmail), "4.7.28.123456789012345"), 0);
	assert_int_equal(strlen(one->rcpts[1].dsn), QRCPT_DSN_MAX - 1);
	for (i = 0; i < 3000; i++) {
		char id[16];
		struct qmsg *msg;

		snprintf(id, sizeof id, "FFFFFF%04zu", i);
		msg = qmodel_add(m, id, QUEUE_DEFERRED, "s@x", 1000, 10, 0);
		assert_non_null(msg);
		assert_int_equal(qmodel_add_rcpt(m, msg, "u@gmail.com", gmail, strlen(gmail), NULL), 0);
	}
	live = m->msg_slab.live;
	assert_int_equal(live, 3002);
	for (i = 0; i < 3000; i += 2) {
		char id[16];

		snprintf(id, sizeof id, "FFFFFF%04zu", i);
		assert_int_equal(qmodel_forget(m, id), 0);
	}
	assert_int_equal(qmodel_forget(m, "EEEEEE0003"), 0);
	qmodel_finish(m, 2000);
	assert_int_equal(m->n, 1501);
	assert_int_equal(m->msg_slab.live, 1501);	/* the forgotten ones are back in the slab */
	assert_int_equal(m->recipients, 1502);
	again = qmodel_add(m, "EEEEEE0003", QUEUE_HOLD, "s@x", 1000, 10, 0);
	assert_non_null(again);
	assert_int_equal(again->nrcpts, 0);	/* a reused place starts empty */
	assert_ptr_equal(again->rcpts, &again->rcpt1);
	for (i = 1; i < 3000; i += 2) {
		char id[16];

		snprintf(id, sizeof id, "FFFFFF%04zu", i);
		assert_non_null(qmodel_find(m, id));
		snprintf(id, sizeof id, "FFFFFF%04zu", i - 1);
		assert_null(qmodel_find(m, id));
	}
	qmodel_free(m);
}

/* issue 12 #8: a domain whose provider comes from the reply (busy.example: gmail's words) is that provider for
 * every recipient of it and in the domain aggregate the Domains view shows, not the domain lookup's "other" */
static void test_one_provider_per_domain(void **state)
{
	static const char busy[] = "host 127.0.0.1[127.0.0.1] said: 421 4.3.0 Temporary System Problem. "
		"Try again later (10). e5a6d9b0bb - gsmtp (in reply to RCPT TO command)";
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qmsg *a, *b;
	size_t i;

	(void)state;
	a = qmodel_add(m, "EEEEEE0001", QUEUE_DEFERRED, "s@x", 900, 10, 0);
	qmodel_add_rcpt(m, a, "u1@busy.example", busy, strlen(busy), NULL);
	b = qmodel_add(m, "EEEEEE0002", QUEUE_ACTIVE, "s@x", 950, 10, 0);
	qmodel_add_rcpt(m, b, "u2@busy.example", NULL, 0, NULL);	/* not deferred: no verdict of its own */
	qmodel_finish(m, 1000);
	assert_string_equal(a->rcpts[0].provider, "gmail");
	assert_string_equal(b->rcpts[0].provider, "gmail");
	assert_string_equal(b->provider, "gmail");
	assert_int_equal(m->ndomains, 1);
	assert_string_equal(m->domains[0].provider, "gmail");
	assert_int_equal(m->nproviders, 1);
	assert_int_equal(m->providers[0].messages, 2);
	for (i = 0; i < 2; i++)
		qmodel_finish(m, 1000 + (time_t)i);	/* the same after every refresh */
	assert_string_equal(m->domains[0].provider, "gmail");
	qmodel_free(m);
}

/* header totals: every message in exactly one bucket (maildrop and incoming too), adding up to the total */
static void test_totals_add_up(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	char buf[200];

	(void)state;
	qmodel_add(m, "FFFFFF0001", QUEUE_DEFERRED, "s@x", 900, 10, 0);
	qmodel_add(m, "FFFFFF0002", QUEUE_DEFERRED, "s@x", 900, 10, 0);
	qmodel_add(m, "FFFFFF0003", QUEUE_HOLD, "s@x", 900, 10, 0);
	qmodel_add(m, "FFFFFF0004", QUEUE_MAILDROP, "s@x", 900, 10, 0);
	qmodel_add(m, "FFFFFF0005", QUEUE_INCOMING, "s@x", 900, 10, 0);
	qmodel_finish(m, 1000);
	qmodel_totals(m, buf, sizeof buf, 0);
	assert_string_equal(buf, "5 msgs: 2 def 1 held 0 act 1 incoming 1 maildrop");
	qmodel_totals(m, buf, sizeof buf, 1);
	assert_string_equal(buf, "5 msgs: 2 deferred 1 held 0 active 1 incoming 1 maildrop");
	qmodel_totals(m, buf, 8, 1);	/* cut, still a string */
	assert_string_equal(buf, "5 msgs:");
	qmodel_free(m);
}

/* a requeued message (postsuper -r: no delay reason, a new queue ID linked to the old one) keeps
 * the cause of the last remote reply in its history, so it stays in its cause group */
static void test_requeued_keeps_its_cause(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	char dir[] = "/tmp/test_qmodel.XXXXXX", path[64];
	struct why why = { 0 };
	struct store *st;
	struct store_attempt at = { .time = 900, .queue_id = "ABCDEF1001", .recipient = "u@gmail.com",
				    .domain = "gmail.com", .status = STATUS_DEFERRED, .text = gmail };
	struct qmsg *maild, *moved, *fresh;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/h.db", dir);
	assert_non_null(st = store_open(path, &why));
	assert_int_equal(store_add_attempt(st, &at, &why), 0);
	at.queue_id = "ABCDEF1002";
	assert_int_equal(store_add_attempt(st, &at, &why), 0);
	assert_int_equal(store_message_replaced(st, "ABCDEF1002", "ABCDEF1003", 950, &why), 0);
	assert_int_equal(store_flush(st, &why), 0);
	/* waiting in maildrop under its old ID; picked up under a new ID; never deferred at all */
	maild = qmodel_add(m, "ABCDEF1001", QUEUE_MAILDROP, "s@x", 800, 10, 0);
	qmodel_add_rcpt(m, maild, "u@gmail.com", NULL, 0, NULL);
	moved = qmodel_add(m, "ABCDEF1003", QUEUE_INCOMING, "s@x", 800, 10, 0);
	qmodel_add_rcpt(m, moved, "u@gmail.com", NULL, 0, NULL);
	fresh = qmodel_add(m, "ABCDEF1004", QUEUE_ACTIVE, "s@x", 800, 10, 0);
	qmodel_add_rcpt(m, fresh, "u@gmail.com", NULL, 0, NULL);
	assert_int_equal(qmodel_join_store(m, st, &why), 0);
	qmodel_finish(m, 1000);
	assert_int_equal(maild->cause, CAUSE_RATE_LIMIT);
	assert_true(maild->rcpts[0].requeued);
	assert_int_equal(moved->cause, CAUSE_RATE_LIMIT);
	assert_true(qrcpt_has_cause(&moved->rcpts[0]));
	assert_false(qrcpt_has_cause(&fresh->rcpts[0]));
	assert_int_equal(m->causes[CAUSE_RATE_LIMIT].messages, 2);
	/* the reply its cause comes from (the Messages view's CODE and REPLY): the last remote one */
	assert_non_null(strstr(qrcpt_reply(maild, &maild->rcpts[0]), "421"));
	assert_string_equal(qrcpt_reply(maild, &maild->rcpts[0]), maild->remote_reason);
	assert_string_equal(qrcpt_reply(fresh, &fresh->rcpts[0]), "");
	qmodel_free(m);
	store_close(st);
	unlink(path);
	snprintf(path, sizeof path, "%s/h.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/h.db-shm", dir);
	unlink(path);
	rmdir(dir);
}

/* a listing without replies (exim -bp) takes each recipient's latest reply from the log, once it is read in
 * order; a recipient listed with its reply keeps it, and Exim's own "domain is held" is no remote reply */
static void test_reply_from_log(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m;
	char path[] = "/tmp/test_qmodel_log.XXXXXX";
	struct why why = { 0 };
	struct qmsg *a, *b;
	FILE *fp;
	int fd;

	(void)state;
	p.backend = &mta_exim;
	m = qmodel_new(cl, &p);
	mta_registry_init();
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs("2026-12-02 04:58:40 1xYcQS-00017m-02 == u@gmail.com R=peers T=remote_smtp defer (-44) "
	      "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<u@gmail.com>: "
	      "450 4.2.0 Greylisted, see http://postgrey\n", fp);
	fputs("2026-12-02 04:59:40 1xYcQS-00017m-02 == u@gmail.com R=peers T=remote_smtp defer (-44) "
	      "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<u@gmail.com>: "
	      "421-4.7.28 unusual rate of\\n421 4.7.28 unsolicited mail rate limited. gsmtp\n", fp);
	fputs("2026-12-02 05:00:40 1xYcQS-00017m-02 == u@gmail.com defer (-23) DT=0s: domain is held\n", fp);
	fputs("2026-12-02 04:59:40 1xYcQS-00017n-03 == v@gmail.com R=peers T=remote_smtp defer (-44) "
	      "H=127.0.0.1 [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<v@gmail.com>: "
	      "421 4.7.28 unsolicited mail rate limited. gsmtp\n", fp);
	fclose(fp);
	a = qmodel_add(m, "1xYcQS-00017m-02", QUEUE_DEFERRED, "s@x", 800, 10, 0);
	qmodel_add_rcpt(m, a, "U@gmail.com", "", 0, NULL);
	b = qmodel_add(m, "1xYcQS-00017n-03", QUEUE_DEFERRED, "s@x", 800, 10, 0);
	qmodel_add_rcpt(m, b, "v@gmail.com", grey, strlen(grey), NULL);
	assert_int_equal(qmodel_join_log(m, path, &why), 0);
	qmodel_finish(m, 1000);
	assert_int_equal(a->rcpts[0].cause, CAUSE_RATE_LIMIT);	/* the latest remote reply, not the first */
	assert_non_null(strstr(a->rcpts[0].reason, "4.7.28"));
	assert_int_equal(a->rcpts[0].stage, STAGE_RCPT);	/* Exim's stage, logged before the reply */
	assert_int_equal(b->rcpts[0].cause, CAUSE_GREYLISTING);	/* listed with its own reply */
	qmodel_free(m);
	unlink(path);
}

/* test_log_dsn_fills_codeless_replies - a recipient whose reply has no enhanced code takes the dsn of its message's
 * latest deferral in the log (kept per message while the log is joined); one with its own code keeps it, and a
 * message the log never mentions keeps an empty dsn */
static void test_log_dsn_fills_codeless_replies(void **state)
{
	static const char codeless[] = "host mx.example[192.0.2.1] said: 451 Try again later (in reply to RCPT TO command)";
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	char path[] = "/tmp/test_qmodel_dsn.XXXXXX";
	struct why why = { 0 };
	struct qmsg *a, *b, *c;
	FILE *fp;
	int fd;

	(void)state;
	mta_registry_init();
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs("2026-11-22T13:57:38+00:00 mx1 postfix/smtp[1]: ABCDEF3001: to=<u@example.com>, relay=mx.example[192.0.2.1]:25, "
	      "delay=1, delays=1/0/0/0, dsn=4.3.2, status=deferred (host mx.example[192.0.2.1] said: 451 Try again later "
	      "(in reply to RCPT TO command))\n", fp);
	fputs("2026-11-22T13:58:38+00:00 mx1 postfix/smtp[1]: ABCDEF3001: to=<u@example.com>, relay=mx.example[192.0.2.1]:25, "
	      "delay=1, delays=1/0/0/0, dsn=4.7.1, status=deferred (host mx.example[192.0.2.1] said: 451 Try again later "
	      "(in reply to RCPT TO command))\n", fp);
	fputs("2026-11-22T13:58:38+00:00 mx1 postfix/smtp[1]: ABCDEF3002: to=<v@gmail.com>, relay=mx.example[192.0.2.1]:25, "
	      "delay=1, delays=1/0/0/0, dsn=4.7.1, status=deferred (host mx.example[192.0.2.1] said: 451 Try again later "
	      "(in reply to RCPT TO command))\n", fp);
	fclose(fp);
	a = qmodel_add(m, "ABCDEF3001", QUEUE_DEFERRED, "s@x", 800, 10, 0);
	qmodel_add_rcpt(m, a, "u@example.com", codeless, strlen(codeless), NULL);
	b = qmodel_add(m, "ABCDEF3002", QUEUE_DEFERRED, "s@x", 800, 10, 0);
	qmodel_add_rcpt(m, b, "v@gmail.com", gmail, strlen(gmail), NULL);
	c = qmodel_add(m, "ABCDEF3003", QUEUE_DEFERRED, "s@x", 800, 10, 0);
	qmodel_add_rcpt(m, c, "w@example.com", codeless, strlen(codeless), NULL);
	assert_string_equal(a->rcpts[0].dsn, "");
	assert_int_equal(qmodel_join_log(m, path, &why), 0);
	qmodel_finish(m, 1000);
	assert_string_equal(a->rcpts[0].dsn, "4.7.1");	/* the latest deferral's */
	assert_int_equal(a->attempts, 2);
	assert_string_equal(a->relay, "mx.example[192.0.2.1]:25");
	assert_string_equal(b->rcpts[0].dsn, "4.7.28");	/* its reply's own code */
	assert_string_equal(c->rcpts[0].dsn, "");	/* not in the log */
	qmodel_free(m);
	unlink(path);
}

/* test_rcpt_stage - a backend whose reason is the reply alone gives the stage (Exim): it is kept and it
 * classifies; a stage the reason names wins */
static void test_rcpt_stage(void **state)
{
	static const char reply[] = "451 4.7.1 Try again later";
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p);
	struct qmsg *a;

	(void)state;
	assert_non_null(a = qmodel_add(m, "ABCDEF2001", QUEUE_DEFERRED, "s@x", 1000, 10, 0));
	assert_int_equal(qmodel_add_rcpt_at(m, a, "r1@mx.example.org", reply, strlen(reply), NULL, STAGE_RCPT), 0);
	assert_int_equal(qmodel_add_rcpt(m, a, "r2@mx.example.org", reply, strlen(reply), NULL), 0);
	assert_int_equal(qmodel_add_rcpt_at(m, a, "r3@mx.example.org", grey, strlen(grey), NULL, STAGE_GREETING), 0);
	assert_int_equal(a->rcpts[0].stage, STAGE_RCPT);
	assert_int_equal(a->rcpts[0].cause, CAUSE_GREYLISTING);
	assert_int_equal(a->rcpts[1].stage, STAGE_UNKNOWN);
	assert_int_not_equal(a->rcpts[1].cause, CAUSE_GREYLISTING);
	assert_int_equal(a->rcpts[2].stage, STAGE_RCPT);
	qmodel_free(m);
}

/* progress_count - counts the calls of the progress hook */
static void progress_count(struct qmodel *m, void *ctx)
{
	(void)m;
	(*(int *)ctx)++;
}

/* test_partial_shares_sealed_messages - a partial model: the messages read so far but the last (it may
 * still get recipients), the very structs of the model, settled, counted, marked reading; a sealed
 * message listed again is not handed out to be written; the model finishes the same afterwards */
static void test_partial_shares_sealed_messages(void **state)
{
	struct mta_params p = postfix_defaults();
	struct qmodel *m = qmodel_new(cl, &p), *part;
	struct qmsg *a, *b, *c;
	time_t now = 1000000;
	int calls = 0;
	char id[16];
	size_t i;

	(void)state;
	a = qmodel_add(m, "CCCCCC0001", QUEUE_DEFERRED, "s@x", now - 100, 10, 0);
	a->exact_retry = now + 200;
	assert_int_equal(qmodel_add_rcpt(m, a, "u@gmail.com", gmail, strlen(gmail), NULL), 0);
	b = qmodel_add(m, "CCCCCC0002", QUEUE_DEFERRED, "s@x", now - 100, 10, 0);
	assert_int_equal(qmodel_add_rcpt(m, b, "v@postgrey.example", grey, strlen(grey), NULL), 0);
	c = qmodel_add(m, "CCCCCC0003", QUEUE_DEFERRED, "s@x", now - 100, 10, 0);
	part = qmodel_partial(m, now);
	assert_non_null(part);
	assert_true(part->reading);
	assert_int_equal(part->n, 2);		/* c may still get recipients */
	assert_ptr_equal(part->msgs[0], a);
	assert_ptr_equal(part->msgs[1], b);
	assert_int_equal(a->retry_source, RETRY_EXACT);	/* settled when sealed */
	assert_int_equal(a->cause, CAUSE_RATE_LIMIT);
	assert_int_equal(part->causes[CAUSE_RATE_LIMIT].messages, 1);
	assert_int_equal(part->causes[CAUSE_GREYLISTING].messages, 1);
	assert_null(qmodel_add(m, "CCCCCC0001", QUEUE_DEFERRED, "s@x", now, 10, 0));	/* sealed */
	assert_ptr_equal(qmodel_add(m, "CCCCCC0003", QUEUE_DEFERRED, "s@x", now, 10, 0), c);	/* not yet */
	assert_int_equal(qmodel_add_rcpt(m, c, "w@gmail.com", gmail, strlen(gmail), NULL), 0);
	/* the strings outlive the model while the partial holds the pool */
	qmodel_free(part);
	qmodel_finish(m, now);
	assert_int_equal(m->n, 3);
	assert_int_equal(m->causes[CAUSE_RATE_LIMIT].messages, 2);
	assert_string_equal(a->rcpts[0].domain, "gmail.com");
	assert_ptr_equal(a->rcpts[0].reason, c->rcpts[0].reason);	/* one copy of a reply text */
	/* the progress hook: every QMODEL_PROGRESS_EVERY messages */
	m->progress = progress_count;
	m->progress_ctx = &calls;
	for (i = m->n; i < 2 * QMODEL_PROGRESS_EVERY; i++) {
		snprintf(id, sizeof id, "DDDD%06zX", i);
		assert_non_null(qmodel_add(m, id, QUEUE_DEFERRED, "s@x", now, 10, 0));
	}
	assert_int_equal(calls, 2);
	part = qmodel_partial(m, now);
	assert_int_equal(part->n, 2 * QMODEL_PROGRESS_EVERY - 1);
	qmodel_free(part);
	qmodel_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_rules),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_aggregates_count_messages_once),
		cmocka_unit_test(test_forget_and_read_again),
		cmocka_unit_test(test_one_provider_per_domain),
		cmocka_unit_test(test_totals_add_up),
		cmocka_unit_test(test_requeued_keeps_its_cause),
		cmocka_unit_test(test_reply_from_log),
		cmocka_unit_test(test_rcpt_stage),
		cmocka_unit_test(test_partial_shares_sealed_messages),
		cmocka_unit_test(test_recipients_inline_then_array),
		cmocka_unit_test(test_log_dsn_fills_codeless_replies),
	};

	return cmocka_run_group_tests(tests, model_setup, model_teardown);
}
