/* test_reply - reason texts taken apart: kind, host, codes, stage, joined text */
#include "tests/unit/testutil.h"

#include "core/classify/reply.h"
#include "core/base/sanitize.h"

static struct reply_info info;

/* parse - analyse a NUL-terminated reason */
static const struct reply_info *parse(const char *reason)
{
	reply_parse(reason, strlen(reason), &info);
	return &info;
}

static void test_gmail_multiline_joined(void **state)
{
	const struct reply_info *r = parse("host 127.0.0.1[127.0.0.1] said: 421-4.7.28 [127.0.0.1      15] Our system "
		"has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP address. To "
		"protect our 421-4.7.28 users from spam, mail sent from your IP address has been temporarily "
		"421-4.7.28 rate limited. Please visit 421-4.7.28  https://support.google.com/mail/?p="
		"UnsolicitedRateLimitError to 421 4.7.28 review our Bulk Email Senders Guidelines. dd0452f8f0 - "
		"gsmtp (in reply to RCPT TO command)");

	(void)state;
	assert_int_equal(r->kind, REPLY_SAID);
	assert_string_equal(r->host, "127.0.0.1");
	assert_string_equal(r->ip, "127.0.0.1");
	assert_int_equal(r->smtp_code, 421);
	assert_string_equal(r->enhanced, "4.7.28");
	assert_int_equal(r->stage, STAGE_RCPT);
	assert_string_equal(r->text,
		"host 127.0.0.1[127.0.0.1] said: 421 4.7.28 [127.0.0.1 15] Our system has detected an unusual "
		"rate of unsolicited mail originating from your IP address. To protect our users from spam, mail "
		"sent from your IP address has been temporarily rate limited. Please visit "
		"https://support.google.com/mail/?p=UnsolicitedRateLimitError to review our Bulk Email Senders "
		"Guidelines. dd0452f8f0 - gsmtp (in reply to RCPT TO command)");
	assert_string_equal(r->text + r->reply_off, strstr(r->text, "421 4.7.28"));
}

static void test_greeting_refusal(void **state)
{
	const struct reply_info *r = parse("host mta6.am0.yahoodns.net[67.195.204.72] refused to talk to me: "
					   "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred");

	(void)state;
	assert_int_equal(r->kind, REPLY_REFUSED);
	assert_string_equal(r->host, "mta6.am0.yahoodns.net");
	assert_string_equal(r->ip, "67.195.204.72");
	assert_int_equal(r->stage, STAGE_GREETING);
	assert_int_equal(r->smtp_code, 421);
	assert_string_equal(r->enhanced, "4.7.0");
}

static void test_suspended(void **state)
{
	const struct reply_info *r = parse("delivery temporarily suspended: host 127.0.0.1[127.0.0.1] refused to "
					   "talk to me: 421 4.7.0 [TSS04] x");

	(void)state;
	assert_true(r->suspended);
	assert_int_equal(r->kind, REPLY_REFUSED);
	assert_int_equal(r->smtp_code, 421);
	assert_int_equal(strncmp(r->text, "delivery temporarily suspended: host", 36), 0);
}

static void test_postfix_own_texts(void **state)
{
	const struct reply_info *r;

	(void)state;
	r = parse("connect to 127.0.0.1[127.0.0.1]:2526: Connection refused");
	assert_int_equal(r->kind, REPLY_CONNECT);
	assert_string_equal(r->ip, "127.0.0.1");
	assert_int_equal(r->stage, STAGE_CONNECT);
	assert_int_equal(r->smtp_code, 0);
	r = parse("lost connection with mx.example.net[192.0.2.7] while receiving the initial server greeting");
	assert_int_equal(r->kind, REPLY_LOST);
	assert_int_equal(r->stage, STAGE_GREETING);
	assert_string_equal(r->host, "mx.example.net");
	r = parse("conversation with mx.example.net[192.0.2.7] timed out while sending RCPT TO");
	assert_int_equal(r->kind, REPLY_TIMEOUT);
	assert_int_equal(r->stage, STAGE_RCPT);
	r = parse("TLS is required, but was not offered by host mx.example.net[192.0.2.7]");
	assert_int_equal(r->kind, REPLY_TLS);
	assert_string_equal(r->host, "mx.example.net");
	r = parse("Cannot start TLS: handshake failure");
	assert_int_equal(r->kind, REPLY_TLS);
	r = parse("Host or domain name not found. Name service error for name=nx.example type=MX: Host not found, "
		  "try again");
	assert_int_equal(r->kind, REPLY_DNS);
	r = parse("something new");
	assert_int_equal(r->kind, REPLY_OTHER);
	assert_string_equal(r->text, "something new");
}

static void test_stages(void **state)
{
	(void)state;
	assert_int_equal(parse("host a[192.0.2.1] said: 451 4.3.0 x (in reply to MAIL FROM command)")->stage, STAGE_MAIL);
	assert_int_equal(parse("host a[192.0.2.1] said: 451 4.3.0 x (in reply to DATA command)")->stage, STAGE_DATA);
	assert_int_equal(parse("host a[192.0.2.1] said: 451 4.3.0 x (in reply to end of DATA command)")->stage,
			 STAGE_END);
	assert_int_equal(parse("host a[192.0.2.1] said: 451 4.3.0 x (in reply to EHLO command)")->stage, STAGE_HELO);
	assert_string_equal(smtp_stage_name(STAGE_RCPT), "rcpt");
	assert_int_equal(smtp_stage_from_name("greeting"), STAGE_GREETING);
	assert_int_equal(smtp_stage_from_name("bogus"), STAGE_UNKNOWN);
}

static void test_no_enhanced_code(void **state)
{
	const struct reply_info *r = parse("host a[192.0.2.1] said: 421-Too many 421-connections 421 bye (in reply "
					   "to RCPT TO command)");

	(void)state;
	assert_int_equal(r->smtp_code, 421);
	assert_string_equal(r->enhanced, "");
	assert_string_equal(r->text, "host a[192.0.2.1] said: 421 Too many connections bye (in reply to RCPT TO "
			    "command)");
}

static void test_bare_reply(void **state)
{
	const struct reply_info *r = parse("452 4.2.2 The email account that you tried to reach is over quota");

	(void)state;
	assert_int_equal(r->smtp_code, 452);
	assert_string_equal(r->enhanced, "4.2.2");
}

/* other MTAs' words around a remote reply */
static void test_exim_and_others(void **state)
{
	const struct reply_info *r;

	(void)state;
	r = parse("R=dnslookup T=remote_smtp defer (-44) H=gmail-smtp-in.l.google.com [192.0.2.26]: SMTP error from "
		  "remote mail server after RCPT TO:<u@gmail.com>: 421-4.7.28 unusual rate of\\n421-4.7.28 "
		  "unsolicited mail\\n421 4.7.28 rate limited. 0a72a39436 - gsmtp");
	assert_int_equal(r->kind, REPLY_SAID);
	assert_int_equal(r->smtp_code, 421);
	assert_string_equal(r->enhanced, "4.7.28");
	assert_int_equal(r->stage, STAGE_RCPT);
	assert_string_equal(r->host, "gmail-smtp-in.l.google.com");
	assert_string_equal(r->ip, "192.0.2.26");
	assert_non_null(strstr(r->text + r->reply_off, "unusual rate of unsolicited mail rate limited"));
	/* greeting failure, older "host NAME [IP]:" form */
	r = parse("SMTP error from remote mail server after initial connection: host mx.example.org [192.0.2.7]: "
		  "421 4.7.0 [TSS04] Messages temporarily deferred");
	assert_int_equal(r->kind, REPLY_REFUSED);
	assert_int_equal(r->stage, STAGE_GREETING);
	assert_string_equal(r->host, "mx.example.org");
	/* Exim's own words: no reply code */
	r = parse("R=dnslookup T=remote_smtp defer (110): Connection timed out");
	assert_int_equal(r->smtp_code, 0);
	assert_int_equal(r->stage, STAGE_CONNECT);
	/* sendmail, a DSN diagnostic code, an enhanced code alone */
	assert_int_equal(parse("<u@example.org>... Deferred: 450 4.2.2 Mailbox Full")->smtp_code, 450);
	r = parse("smtp; 452 4.2.2 Over quota");
	assert_int_equal(r->smtp_code, 452);
	assert_string_equal(r->enhanced, "4.2.2");
	assert_string_equal(parse("4.7.32 This mail has been rate limited")->enhanced, "4.7.32");
	/* Postfix: the server answered the connection with a refusal */
	r = parse("delivery temporarily suspended: connect to mx.example.org[192.0.2.232]: server refused to talk "
		  "to me: 421 Service not available, closing transmission channel");
	assert_int_equal(r->kind, REPLY_REFUSED);
	assert_int_equal(r->smtp_code, 421);
	assert_string_equal(r->text + r->reply_off, "421 Service not available, closing transmission channel");
}

/* found by fuzz_logline: a join that grows the text by a byte ("421-4.7.275," becomes
 * "421 4.7.275 ,") at the buffer's end must not cut a UTF-8 character in half */
static void test_full_buffer_ends_on_a_character(void **state)
{
	static char reason[4096];
	const struct reply_info *r;
	size_t n = 0, i;

	(void)state;
	n += (size_t)snprintf(reason, sizeof reason, "host a[192.0.2.11] said: 421-4.7.275,");
	for (i = 0; i < 1100; i++)
		n += (size_t)snprintf(reason + n, sizeof reason - n, "\xc3\xa9");
	r = parse(reason);
	assert_true(strlen(r->text) > REPLY_TEXT_MAX - 8);
	assert_true(utf8_clean(r->text, strlen(r->text)));
}

static void test_code_alone(void **state)
{
	/* found by fuzzing: a bare code with nothing after it must not read past its end */
	(void)state;
	assert_string_equal(parse("421")->text, "421");
	assert_int_equal(parse("421")->smtp_code, 421);
	assert_string_equal(parse("host a[192.0.2.1] said: 450")->text, "host a[192.0.2.1] said: 450");
}

static void test_escape_sequences_inert(void **state)
{
	const struct reply_info *r = parse("host a[192.0.2.1] said: 421 4.7.0 \x1b[31mred\x1b[0m \x9b" "2J end");

	(void)state;
	assert_null(strchr(r->text, '\x1b'));
	assert_non_null(strstr(r->text, "[31mred"));
}

static void test_overlong_reason(void **state)
{
	char *big = malloc(20000);

	(void)state;
	memset(big, 'x', 19999);
	memcpy(big, "host a[192.0.2.1] said: 421 4.7.0 ", 34);
	big[19999] = '\0';
	reply_parse(big, strlen(big), &info);
	assert_true(strlen(info.text) < REPLY_TEXT_MAX);
	assert_int_equal(info.smtp_code, 421);
	free(big);
}

/* the Messages view's CODE and REPLY columns: the codes once, then the remote's own words */
static void test_code_and_gist(void **state)
{
	const char *g;
	char code[32];
	size_t n;

	(void)state;
	parse("host mx.google.com[127.0.0.1] said: 421-4.7.28 [127.0.0.1 15] Our system has detected 421-4.7.28 "
	      "an unusual rate (in reply to RCPT TO command)");
	reply_code(&info, "4.7.0", code, sizeof code);
	assert_string_equal(code, "421 4.7.28");	/* the reply's own enhanced code first */
	n = reply_gist(&info, &g);
	assert_string_equal(g, "[127.0.0.1 15] Our system has detected an unusual rate (in reply to RCPT TO command)");
	assert_int_equal(n, strlen("[127.0.0.1 15] Our system has detected an unusual rate"));
	/* a reply without an enhanced code: the recipient's DSN (from the log) stands in */
	parse("host h[192.0.2.1] said: 450 Greylisted, come back later (in reply to RCPT TO command)");
	reply_code(&info, "4.2.0", code, sizeof code);
	assert_string_equal(code, "450 4.2.0");
	reply_code(&info, NULL, code, sizeof code);
	assert_string_equal(code, "450");
	n = reply_gist(&info, &g);
	assert_memory_equal(g, "Greylisted, come back later", n);
	/* no remote reply: Postfix's words whole, only the DSN as the code */
	parse("connect to mx.example[192.0.2.9]:25: Connection refused");
	reply_code(&info, "4.4.1", code, sizeof code);
	assert_string_equal(code, "4.4.1");
	reply_code(&info, "", code, sizeof code);
	assert_string_equal(code, "");
	n = reply_gist(&info, &g);
	assert_memory_equal(g, "connect to mx.example[192.0.2.9]:25: Connection refused", n);
	/* a bare reply (rule samples, other MTAs) */
	parse("421 4.7.0 [TSS04] Messages deferred");
	n = reply_gist(&info, &g);
	assert_memory_equal(g, "[TSS04] Messages deferred", n);
	assert_int_equal(n, strlen("[TSS04] Messages deferred"));
	/* the code alone */
	parse("host h[192.0.2.1] said: 421 (in reply to RCPT TO command)");
	n = reply_gist(&info, &g);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gmail_multiline_joined),
		cmocka_unit_test(test_greeting_refusal),
		cmocka_unit_test(test_suspended),
		cmocka_unit_test(test_postfix_own_texts),
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_no_enhanced_code),
		cmocka_unit_test(test_bare_reply),
		cmocka_unit_test(test_exim_and_others),
		cmocka_unit_test(test_full_buffer_ends_on_a_character),
		cmocka_unit_test(test_code_alone),
		cmocka_unit_test(test_escape_sequences_inert),
		cmocka_unit_test(test_overlong_reason),
		cmocka_unit_test(test_code_and_gist),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
