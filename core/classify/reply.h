/* reply - take apart the reason text of a Postfix deferral
 *
 * Postfix writes why a delivery failed as free text inside
 * `status=deferred (...)`: a remote reply (`host H[IP] said: 421-4.7.28 ...
 * (in reply to RCPT TO command)`), a greeting refusal (`refused to talk to
 * me:`), a suspended destination (`delivery temporarily suspended: ...`), or
 * Postfix's own words for a failed connection, a lost connection, a timeout,
 * TLS or DNS trouble. reply_parse() finds the kind, the remote host and IP,
 * the SMTP code, the enhanced status code and the SMTP stage, and builds one
 * clean text: multi-line replies joined with their repeated `421-4.7.28`
 * continuation prefixes removed, white space folded, control characters and
 * invalid UTF-8 made harmless (see sanitize.h).
 */
#ifndef MQMON_REPLY_H
#define MQMON_REPLY_H

#include <stddef.h>

enum reply_kind {
	REPLY_OTHER,		/* text Postfix wrote we do not know */
	REPLY_SAID,		/* host H[IP] said: CODE ... */
	REPLY_REFUSED,		/* host H[IP] refused to talk to me: CODE ... */
	REPLY_CONNECT,		/* connect to H[IP]:port: reason */
	REPLY_LOST,		/* lost connection with H[IP] while ... */
	REPLY_TIMEOUT,		/* conversation with H[IP] timed out while ... */
	REPLY_TLS,		/* TLS is required, but ... / Cannot start TLS ... */
	REPLY_DNS,		/* Host or domain name not found ... */
	REPLY_KIND_COUNT
};

enum smtp_stage {
	STAGE_UNKNOWN,
	STAGE_CONNECT,
	STAGE_GREETING,
	STAGE_HELO,
	STAGE_STARTTLS,
	STAGE_MAIL,
	STAGE_RCPT,
	STAGE_DATA,
	STAGE_END,		/* after the message body (end of DATA) */
	STAGE_COUNT
};

#define REPLY_TEXT_MAX 2048

struct reply_info {
	enum reply_kind kind;
	int suspended;		/* "delivery temporarily suspended:" prefix */
	int smtp_code;		/* 421, 450 ... or 0 */
	char enhanced[16];	/* "4.7.28" or "" */
	enum smtp_stage stage;
	char host[256];		/* remote host name, "" when none */
	char ip[64];		/* remote IP, "" when none */
	char text[REPLY_TEXT_MAX];	/* the whole reason, cleaned */
	size_t reply_off;	/* where the remote reply starts in text (0 if none) */
};

/* reply_parse - analyse reason[0..len) into info */
void reply_parse(const char *reason, size_t len, struct reply_info *info);

/* reply_words - the remote's own words in info->text (Postfix's "host H[IP] said:" and
 * "(in reply to X command)" left out); returns their length, *start where they begin */
size_t reply_words(const struct reply_info *info, const char **start);

/* reply_code - "421 4.7.28": info's SMTP code and enhanced status code (dsn, the recipient's, when the
 * text has none; may be NULL) into buf; either alone when only one is known, "" when neither is */
void reply_code(const struct reply_info *info, const char *dsn, char *buf, size_t n);

/* reply_gist - the remote's words (reply_words) without their leading SMTP and enhanced codes, which
 * reply_code gives: where a short excerpt of the reply starts; returns its length, *start where it begins */
size_t reply_gist(const struct reply_info *info, const char **start);

/* reply_kind_name - "said", "refused", "connect" ... */
const char *reply_kind_name(enum reply_kind kind);

/* reply_kind_from_name - inverse of reply_kind_name; -1 when unknown */
int reply_kind_from_name(const char *name);

/* smtp_stage_name - "rcpt", "greeting" ... ("" when unknown) */
const char *smtp_stage_name(enum smtp_stage stage);

/* smtp_stage_from_name - inverse of smtp_stage_name; STAGE_UNKNOWN when none */
enum smtp_stage smtp_stage_from_name(const char *name);

#endif
