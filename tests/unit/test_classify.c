/* test_classify - shipped rules, provider families, ranking and operator overrides */
#include "tests/unit/testutil.h"

#include <unistd.h>

#include "core/classify/classify.h"

/* write_tmp - write text to a temporary file, return its path (static buffer) */
static const char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/mqmon-test-rules-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* verdict_of - classify a reason for a recipient domain */
static struct verdict verdict_of(const struct classifier *cl, const char *reason, const char *dsn,
				 const char *domain)
{
	static struct reply_info r;
	struct verdict v;

	reply_parse(reason, strlen(reason), &r);
	classifier_classify(cl, &r, dsn, domain, &v);
	return v;
}

static void test_shipped_rules_samples(void **state)
{
	struct ruleset rs;
	struct classifier *cl;
	struct strlist errs = { 0 };
	struct why why;
	int checked = 0, failures;
	size_t i;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, "rules/causes.ini", &why), 0);
	for (i = 0; i < rs.errors.n; i++)
		print_error("load: %s\n", rs.errors.v[i]);
	assert_int_equal(rs.errors.n, 0);
	assert_true(rs.nrules >= 30);
	cl = classifier_new(&rs, &why);
	assert_non_null(cl);
	failures = classifier_check_samples(cl, &errs, &checked);
	for (i = 0; i < errs.n; i++)
		print_error("%s\n", errs.v[i]);
	assert_int_equal(failures, 0);
	assert_true((size_t)checked >= rs.nrules);
	/* every cause of the vocabulary has a rule and advice (unclassified: advice only) */
	for (i = 0; i < CAUSE_COUNT; i++) {
		size_t k;
		int has = 0;

		for (k = 0; k < rs.nrules; k++)
			has |= rs.rules[k].cause == (enum cause)i;
		assert_true(has || i == CAUSE_UNCLASSIFIED);
		assert_true(*classifier_cause_advice(cl, (enum cause)i) != '\0');
	}
	strlist_free(&errs);
	classifier_free(cl);
	ruleset_free(&rs);
}

static void test_providers(void **state)
{
	struct ruleset rs;
	struct classifier *cl;
	struct why why;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, "rules/causes.ini", &why), 0);
	cl = classifier_new(&rs, &why);
	assert_string_equal(classifier_provider(cl, "gmail.com", NULL), "gmail");
	assert_string_equal(classifier_provider(cl, "GoogleMail.COM", NULL), "gmail");
	assert_string_equal(classifier_provider(cl, "outlook.com", NULL), "microsoft");
	assert_string_equal(classifier_provider(cl, "hotmail.com", NULL), "microsoft");
	assert_string_equal(classifier_provider(cl, "aol.com", NULL), "yahoo");
	assert_string_equal(classifier_provider(cl, "icloud.com", NULL), "apple");
	assert_string_equal(classifier_provider(cl, "comcast.net", NULL), "comcast");
	assert_string_equal(classifier_provider(cl, "example.org", NULL), "other");
	assert_string_equal(classifier_provider(cl, "", NULL), "other");
	assert_string_equal(classifier_provider(cl, "customer.example", "aspmx.l.google.com"), "gmail");
	assert_string_equal(classifier_provider(cl, "customer.example",
						"customer-example.mail.protection.outlook.com"), "microsoft");
	assert_string_equal(classifier_provider(cl, "customer.example", "notgoogle.com"), "other");
	assert_string_equal(classifier_provider(cl, "customer.example", "mx.secureserver.net"), "godaddy");
	classifier_free(cl);
	ruleset_free(&rs);
}

static void test_every_causes_md_family(void **state)
{
	static const struct {
		const char *reason, *dsn, *domain, *cause, *provider;
	} cases[] = {
		{ "host a[192.0.2.1] said: 421-4.7.28 unusual rate of 421-4.7.28 unsolicited mail 421 4.7.28 rate limited. gsmtp (in reply to RCPT TO command)", "4.7.28", "gmail.com", "rate-limit", "gmail" },
		{ "host a[192.0.2.1] refused to talk to me: 421 4.7.0 [TSS04] Messages from 192.0.2.9 temporarily deferred due to unexpected volume or user complaints", "4.7.0", "yahoo.com", "rate-limit", "yahoo" },
		{ "host a[192.0.2.1] said: 421 4.7.0 RP-001 (BAY004-MC1F18) Unfortunately, some messages from 192.0.2.9 weren't sent. (in reply to MAIL FROM command)", "4.7.0", "outlook.com", "rate-limit", "microsoft" },
		{ "host a[192.0.2.1] said: 421 4.7.0 This message is suspicious due to the very low reputation of the sending IP address. gsmtp", "4.7.0", "gmail.com", "reputation", "gmail" },
		{ "host a[192.0.2.1] said: 451 4.7.650 The mail server [192.0.2.9] has been temporarily rate limited due to IP reputation.", "4.7.650", "hotmail.com", "reputation", "microsoft" },
		{ "host a[192.0.2.1] said: 421 4.7.26 This mail is unauthenticated, which poses a security risk. gsmtp", "4.7.26", "gmail.com", "auth", "gmail" },
		{ "host a[192.0.2.1] said: 421 4.7.23 The sending IP does not have a PTR record. gsmtp", "4.7.23", "gmail.com", "ptr", "gmail" },
		{ "host a[192.0.2.1] said: 421 4.7.1 Client host rejected: Client host has no PTR record", "4.7.1", "example.org", "ptr", "other" },
		{ "TLS is required, but was not offered by host mx.example.org[192.0.2.7]", "4.7.4", "example.org", "tls", "other" },
		{ "host a[192.0.2.1] said: 450 4.2.0 <u@example.org>: Recipient address rejected: Greylisted, see http://postgrey (in reply to RCPT TO command)", "4.2.0", "example.org", "greylisting", "other" },
		{ "host a[192.0.2.1] said: 421 4.7.0 Too many concurrent SMTP connections from this IP address; please try again later.", "4.7.0", "example.org", "connections", "other" },
		{ "host a[192.0.2.1] said: 421 4.3.0 Temporary System Problem. Try again later. gsmtp", "4.3.0", "gmail.com", "server-busy", "gmail" },
		{ "host a[192.0.2.1] said: 421 4.7.0 [192.0.2.9] Our system has detected that this message is suspicious due to the nature of the content and/or the links within. gsmtp", "4.7.0", "gmail.com", "content", "gmail" },
		{ "host a[192.0.2.1] said: 452 4.2.2 The email account that you tried to reach is over quota. gsmtp", "4.2.2", "gmail.com", "mailbox-full", "gmail" },
		{ "host a[192.0.2.1] said: 421 4.7.0 IP not in whitelist for RCPT domain, closing connection. gsmtp", "4.7.0", "gmail.com", "policy", "gmail" },
		{ "connect to mx.example.org[192.0.2.7]:25: Connection timed out", "4.4.1", "example.org", "network", "other" },
		/* any 4xx is the weakest evidence of a temporary failure on their side */
		{ "host a[192.0.2.1] said: 421 4.9.9 Something nobody has seen", "4.9.9", "example.org", "server-busy", "other" },
		{ "Something nobody has seen", "", "example.org", "unclassified", "other" },
	};
	struct ruleset rs;
	struct classifier *cl;
	struct why why;
	size_t i;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, "rules/causes.ini", &why), 0);
	cl = classifier_new(&rs, &why);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct verdict v = verdict_of(cl, cases[i].reason, cases[i].dsn, cases[i].domain);

		if (strcmp(cause_name(v.cause), cases[i].cause) != 0 || strcmp(v.provider, cases[i].provider) != 0)
			print_error("case %zu: got %s/%s want %s/%s: %s\n", i, cause_name(v.cause), v.provider,
				    cases[i].cause, cases[i].provider, cases[i].reason);
		assert_string_equal(cause_name(v.cause), cases[i].cause);
		assert_string_equal(v.provider, cases[i].provider);
		assert_true(*v.advice != '\0');
	}
	classifier_free(cl);
	ruleset_free(&rs);
}

static void test_ranking_and_override(void **state)
{
	const char *base = write_tmp(
		"[cause.policy]\nadvice = talk to them\n"
		"[provider.acme]\ndomains = acme.example\n"
		"[rule.generic]\ncause = policy\ntext = busy\npriority = 10\nsample = 421 busy\n"
		"[rule.acme]\ncause = server-busy\nprovider = acme\ntext = busy\npriority = 10\nsample = 421 4.3.2 busy\n"
		"[rule.other-vendor]\ncause = rate-limit\nprovider = zeta\ntext = busy\npriority = 10\n"
		"[rule.low]\ncause = network\ncodes = 4.4.*\nsample = 421 4.4.1 whatever\n");
	char basepath[64];
	const char *over;
	struct ruleset rs;
	struct classifier *cl;
	struct why why;
	struct verdict v;

	(void)state;
	strcpy(basepath, base);
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, basepath, &why), 0);
	assert_int_equal(rs.errors.n, 0);
	cl = classifier_new(&rs, &why);
	/* provider-specific beats generic at equal priority; the deferral's own provider beats both */
	v = verdict_of(cl, "421 busy", NULL, "acme.example");
	assert_string_equal(v.rule->name, "acme");
	v = verdict_of(cl, "421 busy", NULL, "example.org");
	assert_string_equal(v.rule->name, "acme");	/* specific first, then file order */
	assert_string_equal(v.provider, "acme");	/* provider from the rule when the domain says nothing */
	v = verdict_of(cl, "421 4.4.7 x", NULL, NULL);
	assert_string_equal(v.rule->name, "low");	/* class code 4.4.* */
	v = verdict_of(cl, "421 x", "4.4.1", NULL);
	assert_string_equal(v.rule->name, "low");	/* enhanced code from dsn= */
	classifier_free(cl);

	/* an operator file replaces a rule, disables another, and bad rules are reported, not fatal */
	over = write_tmp("[rule.acme]\ncause = greylisting\ntext = busy\npriority = 50\nsample = 421 busy\n"
			 "[rule.low]\nenabled = no\n"
			 "[rule.broken]\ncause = nonsense\ntext = x\n"
			 "[rule.empty]\ncause = policy\n"
			 "[rule.badstage]\ncause = policy\ntext = x\nstage = lunch\n"
			 "[weird]\nx = 1\n");
	assert_int_equal(ruleset_load(&rs, over, &why), 0);
	assert_int_equal(rs.errors.n, 4);
	cl = classifier_new(&rs, &why);
	v = verdict_of(cl, "421 busy", NULL, "example.org");
	assert_string_equal(cause_name(v.cause), "greylisting");
	v = verdict_of(cl, "421 4.4.7 x", NULL, NULL);
	assert_int_equal(v.cause, CAUSE_UNCLASSIFIED);
	assert_null(v.rule);
	classifier_free(cl);
	ruleset_free(&rs);
	unlink(basepath);
	unlink(over);
}

/* specificity: a provider's code beats a phrase, a phrase beats a generic code class */
static void test_specificity(void **state)
{
	static const struct {
		const char *reason, *cause;
	} cases[] = {
		/* Gmail 4.7.29 says "rate limited" but its cause is TLS */
		{ "host a[192.0.2.1] said: 421-4.7.29 Your email has been rate limited because this message wasn't sent 421 4.7.29 over a TLS connection. gsmtp", "tls" },
		/* a cause phrase beats the generic 4.7.x class */
		{ "host a[192.0.2.1] said: 450 4.7.1 Client host rejected: IP name lookup failed (in reply to RCPT TO command)", "ptr" },
		{ "host a[192.0.2.1] said: 450 4.7.1 <u@example.org>: Recipient address rejected: Delayed by postgrey (in reply to RCPT TO command)", "greylisting" },
		{ "host a[192.0.2.1] said: 451 4.7.1 This message does not have authentication information (in reply to end of DATA command)", "auth" },
		/* a more specific family beats a broader one */
		{ "host a[192.0.2.1] refused to talk to me: 421 4.4.5 Service unavailable, concurrency limit reached", "connections" },
		{ "host a[192.0.2.1] said: 452 4.4.5 Maximum number of messages per session exceeded. (in reply to MAIL FROM command)", "connections" },
		{ "host a[192.0.2.1] refused to talk to me: 421 Service not available, Bad DNS PTR resource record", "ptr" },
		{ "host a[192.0.2.1] said: 452 4.3.1 Insufficient system storage (in reply to MAIL FROM command)", "server-busy" },
		/* the enhanced code class speaks when no phrase does */
		{ "host a[192.0.2.1] said: 451 4.3.5 Server configuration problem (in reply to RCPT TO command)", "server-busy" },
		{ "host a[192.0.2.1] said: 451 qq temporary problem (#4.3.0) (in reply to end of DATA command)", "server-busy" },
		/* a 5xx greeting that Postfix defers */
		{ "host a[192.0.2.1] refused to talk to me: 554 5.7.1 Your IP 192.0.2.9 is filtered (BL)", "reputation" },
		{ "host a[192.0.2.1] refused to talk to me: 554 mx.example.org ESMTP not accepting messages", "policy" },
		/* Postfix's own words are not matched against the rules' remote words */
		{ "host a[192.0.2.1] refused to talk to me: 421 a.example closing transmission channel", "server-busy" },
		/* an Exim deferral and a DSN diagnostic code */
		{ "R=dnslookup T=remote_smtp defer (-44) H=mx.example.org [192.0.2.7]: SMTP error from remote mail server after RCPT TO:<u@example.org>: 451-4.7.1 Greylisted\\n451 4.7.1 see http://example.org/grey", "greylisting" },
		{ "smtp;421 4.4.2 mail.example.org Error: timeout exceeded", "network" },
		{ "R=dnslookup T=remote_smtp defer (111): Connection refused", "network" },
	};
	struct ruleset rs;
	struct classifier *cl;
	struct why why;
	size_t i;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, "rules/causes.ini", &why), 0);
	cl = classifier_new(&rs, &why);
	assert_non_null(cl);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct verdict v = verdict_of(cl, cases[i].reason, NULL, NULL);

		if (strcmp(cause_name(v.cause), cases[i].cause) != 0)
			print_error("case %zu: got %s (%s) want %s: %s\n", i, cause_name(v.cause),
				    v.rule ? v.rule->name : "-", cases[i].cause, cases[i].reason);
		assert_string_equal(cause_name(v.cause), cases[i].cause);
	}
	classifier_free(cl);
	ruleset_free(&rs);
}

/* weights, corroboration, the new conditions, and the explanation of a decision */
static void test_evidence_and_explain(void **state)
{
	const char *path = write_tmp(
		"[rule.phrase]\ncause = rate-limit\ntext = slow\nweight = 50\nsample = 421 slow\n"
		"[rule.word1]\ncause = server-busy\ntext = busy\nweight = 49\nsample = 421 busy\n"
		"[rule.word2]\ncause = server-busy\ntext = load\nweight = 10\nsample = 421 load\n"
		"[rule.word3]\ncause = server-busy\ntext = later\nweight = 10\nsample = 421 later\n"
		"[rule.word4]\ncause = server-busy\ntext = again\nweight = 10\nsample = 421 again\n"
		"[rule.word5]\ncause = server-busy\ntext = please\nweight = 10\nsample = 421 please\n"
		"[rule.pair]\ncause = greylisting\ntext = try again in\nwith = second | minute\nnone = busy\n"
		"weight = 60\nsample = 450 try again in 5 minutes\n"
		"[rule.split]\ncause = tls\ntext = alpha\ntext2 = omega\nweight = 70\nsample = 421 omega\n"
		"[rule.nocode]\ncause = network\nsmtp = none\nkind = other\ntext = refused\nweight = 80\n"
		"sample = Connection refused\n"
		"[rule.class]\ncause = policy\nsmtp = 4xx\nweight = 1\nsample = 452 whatever\n"
		"[rule.badkind]\ncause = policy\nkind = nonsense\n");
	char file[64];
	struct ruleset rs;
	struct classifier *cl;
	struct why why;
	struct verdict v;
	struct reply_info *reply = malloc(sizeof *reply);
	struct explanation ex;
	char line[256];

	(void)state;
	strcpy(file, path);
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, file, &why), 0);
	assert_int_equal(rs.errors.n, 1);	/* badkind */
	cl = classifier_new(&rs, &why);
	assert_non_null(cl);
	/* 49 + three corroborating rules (at most three count) beats 50 */
	v = verdict_of(cl, "421 slow busy load later again please", NULL, NULL);
	assert_string_equal(cause_name(v.cause), "server-busy");
	assert_string_equal(v.rule->name, "word1");
	assert_int_equal(v.score, 52);
	/* one corroborating rule does not outweigh a stronger piece of evidence */
	v = verdict_of(cl, "421 slow busy load", NULL, NULL);
	assert_string_equal(v.rule->name, "phrase");
	/* with = a second group that must match too; none = a veto */
	assert_string_equal(verdict_of(cl, "450 try again in 30 seconds", NULL, NULL).rule->name, "pair");
	assert_string_equal(verdict_of(cl, "450 try again in 5 hours", NULL, NULL).rule->name, "word4");
	assert_string_not_equal(verdict_of(cl, "450 busy, try again in 5 minutes", NULL, NULL).rule->name, "pair");
	/* text2 adds to text; smtp = none and kind; smtp = 4xx */
	assert_string_equal(verdict_of(cl, "421 alpha", NULL, NULL).rule->name, "split");
	assert_string_equal(verdict_of(cl, "Connection refused", NULL, NULL).rule->name, "nocode");
	assert_string_equal(verdict_of(cl, "421 Connection refused", NULL, NULL).rule->name, "class");
	assert_int_equal(verdict_of(cl, "something else", NULL, NULL).cause, CAUSE_UNCLASSIFIED);

	reply_parse("421 slow busy", 13, reply);
	classifier_explain(cl, reply, NULL, NULL, &ex);
	assert_int_equal(ex.total, 3);	/* phrase, word1, class */
	assert_string_equal(ex.items[0].rule->name, "phrase");
	assert_int_equal(ex.items[0].weight, 50);
	assert_string_equal(ex.items[0].held, "text \"slow\"");
	assert_int_equal(ex.cause_score[CAUSE_SERVER_BUSY], 49);
	assert_int_equal(ex.cause_score[CAUSE_RATE_LIMIT], 50);
	explanation_line(&ex, line, sizeof line);
	assert_string_equal(line, "rate-limit 50: rule phrase (text \"slow\"); over server-busy 49");
	reply_parse("nothing", 7, reply);
	classifier_explain(cl, reply, NULL, NULL, &ex);
	explanation_line(&ex, line, sizeof line);
	assert_string_equal(line, "unclassified: no rule matched");
	free(reply);
	classifier_free(cl);
	ruleset_free(&rs);
	unlink(file);
}

static void test_missing_file(void **state)
{
	struct ruleset rs;
	struct why why;

	(void)state;
	ruleset_init(&rs);
	assert_int_equal(ruleset_load(&rs, "/nonexistent/rules.ini", &why), -1);
	assert_non_null(strstr(why.text, "No such file"));
	ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_rules_samples),
		cmocka_unit_test(test_providers),
		cmocka_unit_test(test_every_causes_md_family),
		cmocka_unit_test(test_ranking_and_override),
		cmocka_unit_test(test_specificity),
		cmocka_unit_test(test_evidence_and_explain),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
