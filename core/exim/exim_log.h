/* exim_log - parse one line of Exim's main log into a log event
 *
 * A main log line is `YYYY-MM-DD HH:MM:SS[.fff] [+ZZZZ] [[pid]] [ID] TEXT`:
 * the fraction comes with log_selector +millisec, the zone with
 * log_timezone, `[pid]` with +pid. Stamps without a zone are local time,
 * turned into epoch seconds through the Postfix parser's clock cache
 * (log_clock_local: one mktime() per hour of log); with a zone they are
 * exact. Anything without such a stamp is LOG_UNPARSED; a stamped line of no
 * interest (daemon start, queue runs, `exim user lost privilege for using
 * -C option`, SMTP connections, rejections) is LOG_OTHER.
 *
 * Lines with a message ID, by what follows it:
 *   `<= SENDER ... S=N`      LOG_QUEUED: from ("" for `<>`), size
 *   `=> ADDR` / `-> ADDR`    LOG_DELIVERY, STATUS_SENT: relay, reason = the
 *                            C="..." confirmation (escapes kept), dsn from it
 *   `*> ADDR`                LOG_DELIVERY, STATUS_OTHER (delivery suppressed, -N)
 *   `== ADDR ... defer (N)`  LOG_DELIVERY, STATUS_DEFERRED; N <= -52 (retry
 *                            time not reached, queue_domains, ...: nothing was
 *                            tried) is LOG_RETRY_SKIP instead, never a deferral
 *   `** ADDR ...`            LOG_DELIVERY, STATUS_BOUNCED; STATUS_EXPIRED when
 *                            the text ends in `retry timeout exceeded`
 *   `H=host [ip]...`         LOG_ATTEMPT_NOTE: a host-level failure (greeting,
 *                            MAIL, DATA, connect) logged before its `==` line
 *   `frozen by U`, `Frozen...`, `Message is frozen`      LOG_HOLD
 *   `unfrozen by U`, `Unfrozen by ...`                   LOG_RELEASE
 *   `removed by U`, `cancelled by ...`, `Completed`      LOG_REMOVED
 *
 * Delivery lines are `ADDR [(PARENT)] [<TOP>] FIELDS... [: MESSAGE]`; the
 * fields (R= T= H=name [ip][:port] DT= QT= S= P=<> F=<> X= CV= K C="..."
 * `routing` `defer (N)[: strerror]` ...) may come in any order and any
 * selection: unknown ones are skipped. ev->to is ADDR, ev->orig_to is TOP
 * (the address in the spool's recipient list when ADDR was generated from
 * it). ev->relay is `name [ip][:port]` (Exim's spelling, a space before the
 * bracket), ev->status_word the two-character flag. For a remote SMTP error
 * (`SMTP error from remote mail server after STAGE: REPLY`) the reason is
 * REPLY, the whole of it, multi-line replies included (Exim joins their
 * lines with a literal backslash-n), and ev->dsn its enhanced status code
 * when it has one; otherwise the reason is Exim's whole message (`retry time
 * not reached`, `domain is held`, a `:defer:` router's text, `Connection
 * refused` ...) and dsn is empty. The Exim-only details (errno, router,
 * transport, host and IP, port, stage) are in struct exim_log_info.
 *
 * Like logline, the parser never copies: every span points into the line
 * and is valid while the line is; it reads only line[0..len).
 */
#ifndef MQMON_EXIM_LOG_H
#define MQMON_EXIM_LOG_H

#include <stddef.h>

#include "core/classify/reply.h"
#include "core/log/logline.h"

/* defer errnos at or below this mean "not tried now" (Exim's ERRNO_RETRY_BASE) */
#define EXIM_ERRNO_RETRY_BASE (-52)

struct exim_log_info {
	struct span flag;		/* "<=", "=>", "->", "*>", "==", "**"; empty when none */
	int has_errno;			/* "defer (N)" was seen */
	int defer_errno;		/* its N: -44 RCPT 4xx, -45 MAIL 4xx, -46 DATA 4xx, 0 greeting,
					 * -23 domain held, -1 :defer: router, <= -52 not tried now */
	struct span errno_text;		/* strerror text after "defer (N): " when N > 0 */
	struct span parent;		/* "(PARENT)" contents, when logged */
	struct span router, transport;	/* R=, T= */
	struct span host_name, host_ip;	/* H=name [ip] */
	int port;			/* :PORT after [ip]; 0 when not logged */
	struct span message;		/* Exim's text after ": " */
	struct span stage;		/* "RCPT TO:<a@b>", "initial connection", "end of data" ... */
	enum smtp_stage stage_kind;
};

/* exim_log_parse - parse line[0..len) (newline optional) into ev and, when xi is not NULL, xi; returns ev->kind */
enum log_kind exim_log_parse(struct log_clock *clock, const char *line, size_t len, struct log_event *ev,
			     struct exim_log_info *xi);

/* exim_log_maybe_deferral - cheap prefilter: false when line[0..len) cannot be a `==` deferral line */
int exim_log_maybe_deferral(const char *line, size_t len);

/* exim_log_queue_interval - seconds between queue runs from a daemon start line (`exim 4.96 daemon
 * started: pid=N, -q1m, listening ...`: -q1m, -qq1h, -q1h30m); the default queue's runner, not a
 * named queue's (-qGname/5m); -1 when the line is not a start line or the daemon runs no queue */
long exim_log_queue_interval(const char *line, size_t len);

#endif
