/*
 * gen-log - synthetic Postfix maillog generator for the mqmon benchmarks
 *
 * Usage: gen-log [-n LINES] [-s SEED] [-o FILE]
 *
 * Design: a small discrete-event simulation of one outbound Postfix relay
 * ("mx1", 203.0.113.25) over about one day.  Events (client sessions,
 * message injection, queue-manager activation, delivery attempts, deferred
 * queue scans, operator postsuper actions, reloads, noise) sit in a binary
 * min-heap keyed by simulated time in microseconds, so every line is written
 * in time order, exactly as syslog would record it.  Each message lives its
 * real life cycle: smtpd/pickup -> cleanup -> qmgr (queue active) -> one
 * smtp/error line per recipient -> deferred queue -> retries at deferred
 * queue scans with Postfix's back-off (age clamped to 300..4000 s) ->
 * removed, bounced (with a non-delivery notification message) or expired
 * after 5 days.  A backlog of older deferred mail exists at start so that
 * expiries and long delays show up within the day.
 *
 * Remote behaviour is data: one table of reply texts per provider family
 * (Gmail, Microsoft, Yahoo/AOL, Apple, Comcast, GoDaddy, Mimecast,
 * self-hosted), drawn from for baseline deferrals, throttling episodes
 * (time windows, many tied to newsletter campaigns), sticky per-recipient
 * fates (over quota, unknown user) and per-domain traits (greylisting,
 * down, broken TLS).  A connection-level failure marks the destination dead
 * for 300 s, during which Postfix's error/qmgr "delivery temporarily
 * suspended" lines are written instead.
 *
 * Everything is driven by one seeded xorshift64* generator (seeded through
 * splitmix64), so the output is a pure function of (-n, -s).  Lines are
 * formatted with hand-written appenders into one buffer (printf only for
 * per-message address parts) to keep 1M lines well under a second.
 * Calibration: about 30% of the lines are status=deferred, 1M lines span
 * roughly 22-30 simulated hours depending on the seed.
 *
 * All addresses are private or documentation ranges; names are invented.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEC        1000000LL              /* simulated time unit: 1 us */
#define DAY        (86400LL * SEC)
#define MAX_LIFE   (5LL * DAY)            /* maximal_queue_lifetime */
#define MIN_BACK   (300LL * SEC)          /* minimal_backoff_time */
#define MAX_BACK   (4000LL * SEC)         /* maximal_backoff_time */
#define SCAN_EVERY (300LL * SEC)          /* queue_run_delay */
#define DEAD_FOR   (300LL * SEC)          /* throttled destination window */
#define EPOCH0     1763769600LL           /* 2025-11-22 00:00:00 UTC */
#define MYIP       "203.0.113.25"
#define MYHOST     "mx1.example.net"
#define MAXRCPT    6
#define LINE_MAX_  4096

/* ------------------------------------------------------------------ */
/* random numbers                                                      */

static uint64_t rng_state;

/* splitmix64 - one step of splitmix64, used to seed the main generator */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* rnd - next 64-bit value of the xorshift64* generator */
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* rndr - uniform integer in [0, n) (n > 0) */
static uint32_t rndr(uint32_t n)
{
    return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

/* rndf - uniform double in [0, 1) */
static double rndf(void)
{
    return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* rnd_range - uniform integer in [lo, hi] */
static int64_t rnd_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rndf() * (double)(hi - lo + 1));
}

/* rnd_exp - exponentially distributed value with the given mean (own
 * logarithm: the Makefile links this tool without -lm) */
static double rnd_exp(double mean)
{
    double u = rndf();
    double l = 0.0, x = 1.0 - u;
    /* -log(x) without libm: series on the mantissa plus exponent count */
    int e = 0;
    while (x < 0.5) { x *= 2.0; e++; }
    double y = (x - 1.0) / (x + 1.0), y2 = y * y, term = y;
    for (int i = 1; i < 16; i += 2) { l += term / i; term *= y2; }
    return mean * (e * 0.6931471805599453 - 2.0 * l);
}

/* ------------------------------------------------------------------ */
/* string builder                                                      */

typedef struct { char *p; size_t n, cap; } sb_t;

/* sb_put - append n bytes (silently truncating at capacity) */
static void sb_put(sb_t *b, const char *s, size_t n)
{
    if (b->n + n >= b->cap) n = b->cap - 1 - b->n;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* sb_s - append a NUL-terminated string */
static void sb_s(sb_t *b, const char *s) { sb_put(b, s, strlen(s)); }

/* sb_c - append one character */
static void sb_c(sb_t *b, char c) { if (b->n + 1 < b->cap) b->p[b->n++] = c; }

/* sb_u - append an unsigned decimal number */
static void sb_u(sb_t *b, uint64_t v)
{
    char t[24]; int i = 24;
    do { t[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    sb_put(b, t + i, (size_t)(24 - i));
}

/* sb_u0 - append an unsigned decimal zero-padded to width w */
static void sb_u0(sb_t *b, uint64_t v, int w)
{
    char t[24]; int i = 24;
    do { t[--i] = (char)('0' + v % 10); v /= 10; } while (v || 24 - i < w);
    sb_put(b, t + i, (size_t)(24 - i));
}

/* sb_x - append v in hex, at least w digits, upper or lower case */
static void sb_x(sb_t *b, uint64_t v, int w, int upper)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char t[20]; int i = 20;
    do { t[--i] = dig[v & 15]; v >>= 4; } while (v || 20 - i < w);
    sb_put(b, t + i, (size_t)(20 - i));
}

/* sb_rx - append n random hex digits */
static void sb_rx(sb_t *b, int n, int upper)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    uint64_t r = rnd();
    for (int i = 0; i < n; i++) {
        if (i && i % 16 == 0) r = rnd();
        sb_c(b, dig[r & 15]);
        r >>= 4;
    }
}

/* sb_ralnum - append n random lowercase alphanumerics */
static void sb_ralnum(sb_t *b, int n)
{
    static const char a[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < n; i++) sb_c(b, a[rndr(36)]);
}

/* sb_ip - append a dotted-quad IPv4 address */
static void sb_ip(sb_t *b, uint32_t ip)
{
    sb_u(b, ip >> 24); sb_c(b, '.'); sb_u(b, (ip >> 16) & 255); sb_c(b, '.');
    sb_u(b, (ip >> 8) & 255); sb_c(b, '.'); sb_u(b, ip & 255);
}

/* sb_tv - append a duration the way Postfix's format_tv() prints delays:
 * 2 significant digits, at most 2 decimals, trailing zeros dropped */
static void sb_tv(sb_t *b, int64_t us)
{
    if (us < 0) us = 0;
    if (us < 995000) {
        int64_t h = (us + 5000) / 10000;            /* hundredths */
        if (h == 0) { sb_c(b, '0'); return; }
        sb_s(b, "0."); sb_c(b, (char)('0' + h / 10));
        if (h % 10) sb_c(b, (char)('0' + h % 10));
    } else if (us < 9950000) {
        int64_t d = (us + 50000) / 100000;          /* tenths */
        sb_u(b, (uint64_t)(d / 10));
        if (d % 10) { sb_c(b, '.'); sb_c(b, (char)('0' + d % 10)); }
    } else {
        sb_u(b, (uint64_t)((us + 500000) / SEC));
    }
}

/* ------------------------------------------------------------------ */
/* the catalogue of remote behaviour                                   */

enum { FAM_GMAIL, FAM_GWS, FAM_MS, FAM_O365, FAM_YAHOO, FAM_APPLE,
       FAM_COMCAST, FAM_GODADDY, FAM_MIMECAST, FAM_SELF, FAM_TYPO, NFAM };
enum { K_DEFER, K_EPISODE, K_SENT, K_BOUNCE, K_QUOTA, K_GREY, K_DOWN, NKIND };
enum { W_RCPT, W_MAIL, W_DATA, W_EHLO, W_GREET, W_RAW, W_NONE, W_PLAIN };

#define M(f)   (1u << (f))
#define MG     (M(FAM_GMAIL) | M(FAM_GWS))
#define MMS    (M(FAM_MS) | M(FAM_O365))
#define MALL   0x7FFu
#define F_DEAD 1         /* failure marks the destination dead (throttled) */

typedef struct {
    unsigned mask;              /* families that can answer this */
    unsigned char kind, where, flags;
    unsigned short weight;
    const char *dsn;
    const char *text;           /* template, see expand() */
} reply_t;

#define GR28 "421-4.7.28 [" MYIP "      15] Our system has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP address. To protect our 421-4.7.28 users from spam, mail sent from your IP address has been temporarily 421-4.7.28 rate limited. Please visit 421-4.7.28  https://support.google.com/mail/?p=UnsolicitedRateLimitError to 421 4.7.28 review our Bulk Email Senders Guidelines. %G - gsmtp"

static const reply_t R[] = {
    /* ---- Google (consumer + Workspace) ---- */
    { MG, K_EPISODE, W_RCPT, 0, 60, "4.7.28", GR28 },
    { MG, K_EPISODE, W_DATA, 0, 12, "4.7.0", "421-4.7.0 [" MYIP "      15] Our system has detected that this message is 421-4.7.0 suspicious due to the very low reputation of the sending IP address. 421-4.7.0 To protect our users from spam, mail sent from your IP address has 421-4.7.0 been temporarily rate limited. For more information, go to 421-4.7.0  https://support.google.com/mail/answer/188131 to review our Bulk Email 421 4.7.0 Senders Guidelines. %G - gsmtp" },
    { MG, K_EPISODE, W_RCPT, 0, 10, "4.7.0", "421-4.7.0 [" MYIP "      15] Our system has detected an unusual rate of 421-4.7.0 unsolicited mail originating from your IP address. To protect our 421-4.7.0 users from spam, mail sent from your IP address has been temporarily 421-4.7.0 blocked. Please visit 421-4.7.0  https://support.google.com/mail/?p=UnsolicitedIPError to review our 421 4.7.0 Bulk Email Senders Guidelines. %G - gsmtp" },
    { MG, K_EPISODE, W_DATA, 0, 6, "4.7.26", "421-4.7.26 This mail has been rate limited because it is unauthenticated. 421-4.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 421-4.7.26 421-4.7.26  Authentication results: 421-4.7.26  DKIM = did not pass 421-4.7.26  SPF [%d] with ip: [" MYIP "] = did not pass 421-4.7.26 421-4.7.26  For instructions on setting up authentication, go to 421 4.7.26  https://support.google.com/mail/answer/81126#authentication %G - gsmtp" },
    { MG, K_DEFER, W_RCPT, 0, 14, "4.7.28", GR28 },
    { MG, K_DEFER, W_DATA, 0, 4, "4.7.26", "421-4.7.26 This mail has been rate limited because it is unauthenticated. 421-4.7.26 Gmail requires all senders to authenticate with either SPF or DKIM. 421-4.7.26 421-4.7.26  Authentication results: 421-4.7.26  DKIM = did not pass 421-4.7.26  SPF [%d] with ip: [" MYIP "] = did not pass 421-4.7.26 421-4.7.26  For instructions on setting up authentication, go to 421 4.7.26  https://support.google.com/mail/answer/81126#authentication %G - gsmtp" },
    { MG, K_DEFER, W_DATA, 0, 3, "4.7.27", "421-4.7.27 Your email has been rate limited because SPF authentication 421-4.7.27 didn't pass for this message. Gmail requires all bulk email senders 421-4.7.27 to authenticate with SPF. 421-4.7.27 421-4.7.27  Authentication results: 421-4.7.27  SPF [%d] with ip: [" MYIP "] = did not pass 421-4.7.27 421-4.7.27  For instructions on setting up authentication, go to 421 4.7.27  https://support.google.com/mail/answer/81126#authentication %G - gsmtp" },
    { MG, K_DEFER, W_DATA, 0, 3, "4.7.30", "421-4.7.30 Your email has been rate limited because DKIM authentication 421-4.7.30 didn't pass for this message. Gmail requires all bulk email senders 421-4.7.30 to authenticate with DKIM. 421-4.7.30 421-4.7.30  Authentication results: 421-4.7.30  DKIM = did not pass 421-4.7.30 421-4.7.30  For instructions on setting up DKIM authentication, go to 421 4.7.30  https://support.google.com/mail/answer/81126#authentication %G - gsmtp" },
    { MG, K_DEFER, W_DATA, 0, 2, "4.7.32", "421-4.7.32 Your email has been rate limited because the From: header (RFC5322) in 421-4.7.32 this message isn't aligned with either the authenticated SPF or DKIM 421-4.7.32 organizational domain. To learn more about DMARC alignment, visit 421-4.7.32  https://support.google.com/a?p=dmarc-alignment To learn more about 421-4.7.32 Gmail requirements for bulk senders, visit 421 4.7.32  https://support.google.com/a?p=sender-guidelines. %G - gsmtp" },
    { MG, K_DEFER, W_RCPT, 0, 2, "4.7.23", "421-4.7.23 The sending IP address for this message doesn't have a PTR record, or 421-4.7.23 the PTR record's forward DNS entry doesn't point to the sending IP 421-4.7.23 address. To protect users from spam, mail sent from your IP address has 421-4.7.23 been temporarily rate limited. For more information, go to 421 4.7.23  https://support.google.com/mail/answer/81126#ip-practices %G - gsmtp" },
    { MG, K_DEFER, W_DATA, 0, 1, "4.7.29", "421-4.7.29 Your email has been rate limited because this message wasn't sent 421-4.7.29 over a TLS connection. Gmail requires all bulk email senders to use 421-4.7.29 TLS/SSL for SMTP connections. For more information, go to 421 4.7.29  https://support.google.com/mail/answer/81126#ip-practices %G - gsmtp" },
    { MG, K_DEFER, W_DATA, 0, 8, "4.3.0", "421-4.3.0 Temporary System Problem.  Try again later (10). For more information, go to 421 4.3.0  https://support.google.com/a/answer/3221692 %G - gsmtp" },
    { MG, K_DEFER, W_RCPT, 0, 3, "4.3.0", "451-4.3.0 Mail server temporarily rejected message. 451 4.3.0  %G - gsmtp" },
    { MG, K_DEFER, W_RCPT, 0, 6, "4.2.1", "450-4.2.1 The user you are trying to contact is receiving mail at a rate that 450-4.2.1 prevents additional messages from being delivered. Please resend your 450-4.2.1 message at a later point. If the user is able to receive mail at that 450-4.2.1 time, your message will be delivered. For more information, please 450-4.2.1 visit 450 4.2.1  https://support.google.com/mail/?p=ReceivingRate %G - gsmtp" },
    { MG, K_DEFER, W_DATA, 0, 3, "4.7.0", "421-4.7.0 [" MYIP "      15] Our system has detected that this message is 421-4.7.0 suspicious due to the nature of the content and/or the links within. 421-4.7.0 To best protect our users from spam, the message has been blocked. 421-4.7.0 Please visit 421 4.7.0  https://support.google.com/mail/?p=UnsolicitedMessageError %G - gsmtp" },
    { MG, K_DEFER, W_EHLO, 0, 2, "4.7.0", "421 4.7.0 Try again later, closing connection. (EHLO) %G - gsmtp" },
    { MG, K_DEFER, W_MAIL, 0, 2, "4.4.5", "421 4.4.5 Server busy, try again later. %G - gsmtp" },
    { M(FAM_GWS), K_DEFER, W_RCPT, 0, 3, "4.7.0", "421 4.7.0 TLS required for RCPT domain, closing connection. %G - gsmtp" },
    { M(FAM_GWS), K_DEFER, W_RCPT, 0, 2, "4.7.0", "421 4.7.0 IP not in whitelist for RCPT domain, closing connection. %G - gsmtp" },
    { MG, K_QUOTA, W_RCPT, 0, 1, "4.2.2", "452-4.2.2 The recipient's inbox is out of storage space. Please direct the 452-4.2.2 recipient to 452 4.2.2  https://support.google.com/mail/?p=OverQuotaTemp %G - gsmtp" },
    { MG, K_SENT, W_PLAIN, 0, 1, "2.0.0", "250 2.0.0 OK  %E %G - gsmtp" },
    { MG, K_BOUNCE, W_RCPT, 0, 1, "5.1.1", "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.google.com/mail/?p=NoSuchUser %G - gsmtp" },

    /* ---- Microsoft (outlook.com family + Exchange Online tenants) ---- */
    { M(FAM_MS), K_EPISODE, W_MAIL, 0, 40, "4.7.0", "421 4.7.0 RP-001 (%B) Unfortunately, some messages from " MYIP " weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day." },
    { M(FAM_MS), K_EPISODE, W_MAIL, 0, 10, "4.7.0", "421 4.7.0 RP-002 (%B) Unfortunately, some messages from " MYIP " weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day." },
    { M(FAM_MS), K_EPISODE, W_MAIL, 0, 5, "4.7.0", "421 4.7.0 RP-003 (%B) Unfortunately, some messages from " MYIP " weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day." },
    { MMS, K_EPISODE, W_MAIL, 0, 20, "4.7.650", "451 4.7.650 The mail server [" MYIP "] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [%P]" },
    { MMS, K_EPISODE, W_MAIL, 0, 6, "4.7.651", "451 4.7.651 The mail server [" MYIP "] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S843) [%P]" },
    { M(FAM_MS), K_DEFER, W_MAIL, 0, 8, "4.7.0", "421 4.7.0 RP-001 (%B) Unfortunately, some messages from " MYIP " weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day." },
    { MMS, K_DEFER, W_MAIL, 0, 4, "4.7.650", "451 4.7.650 The mail server [" MYIP "] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S775) [%P]" },
    { MMS, K_DEFER, W_RCPT, 0, 6, "4.7.500", "451 4.7.500 Server busy. Please try again later from [" MYIP "]. (S77719) [%P]" },
    { MMS, K_DEFER, W_MAIL, 0, 4, "4.7.652", "451 4.7.652 The mail server [" MYIP "] has exceeded the maximum number of connections. (S3115) [%P]" },
    { MMS, K_DEFER, W_GREET, F_DEAD, 3, "4.3.2", "421 4.3.2 Service not available" },
    { MMS, K_DEFER, W_DATA, 0, 2, "4.3.1", "452 4.3.1 Insufficient system resources (TE) [%P]" },
    { M(FAM_O365), K_DEFER, W_RCPT, 0, 3, "4.4.4", "451 4.4.4 Mail received as unauthenticated, incoming to a recipient domain configured in a hosted tenant which has no mail-enabled subscriptions. ATTR5 [%P]" },
    { MMS, K_QUOTA, W_RCPT, 0, 1, "4.2.2", "452 4.2.2 The recipient's mailbox is full and can't accept messages now. Please try resending this message later, or contact the recipient directly. [%P]" },
    { MMS, K_SENT, W_PLAIN, 0, 1, "2.6.0", "250 2.6.0 <%X.%N@%d> [InternalId=%L, Hostname=%P] %K bytes in 0.%N, %N.%N KB/sec Queued mail for delivery" },
    { M(FAM_MS), K_BOUNCE, W_RCPT, 0, 1, "5.5.0", "550 5.5.0 Requested action not taken: mailbox unavailable (S2017062302). [%P]" },
    { M(FAM_O365), K_BOUNCE, W_RCPT, 0, 1, "5.4.1", "550 5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors [%P]" },

    /* ---- Yahoo / AOL ---- */
    { M(FAM_YAHOO), K_EPISODE, W_GREET, F_DEAD, 50, "4.7.0", "421 4.7.0 [TSS04] Messages from " MYIP " temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes" },
    { M(FAM_YAHOO), K_EPISODE, W_MAIL, 0, 15, "4.7.0", "421 4.7.0 [TSS04] Messages from " MYIP " temporarily deferred due to unexpected volume or user complaints - 4.16.56.1; see https://postmaster.yahooinc.com/error-codes" },
    { M(FAM_YAHOO), K_EPISODE, W_GREET, F_DEAD, 8, "4.7.0", "421 4.7.0 [TS01] Messages from " MYIP " temporarily deferred due to excessive user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes" },
    { M(FAM_YAHOO), K_EPISODE, W_GREET, F_DEAD, 6, "4.7.0", "421 4.7.0 [IPTS04] Messages from " MYIP " temporarily deferred due to user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes" },
    { M(FAM_YAHOO), K_DEFER, W_GREET, F_DEAD, 10, "4.7.0", "421 4.7.0 [TSS04] Messages from " MYIP " temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes" },
    { M(FAM_YAHOO), K_DEFER, W_GREET, F_DEAD, 2, "4.7.0", "421 4.7.0 [TS03] All messages from " MYIP " will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes" },
    { M(FAM_YAHOO), K_DEFER, W_GREET, F_DEAD, 2, "4.7.0", "421 4.7.0 [IPTS05] Messages from " MYIP " temporarily deferred due to IP reputation; see https://postmaster.yahooinc.com/error-codes" },
    { M(FAM_YAHOO), K_DEFER, W_MAIL, 0, 3, "4.0.0", "451 Message temporarily deferred due to unresolvable RFC.5321 from domain; see https://postmaster.yahooinc.com/error-codes" },
    { M(FAM_YAHOO), K_DEFER, W_DATA, 0, 3, "4.0.0", "421 Max message per connection reached, closing transmission channel" },
    { M(FAM_YAHOO), K_QUOTA, W_RCPT, 0, 1, "4.2.2", "452 4.2.2 Mailbox full: %R" },
    { M(FAM_YAHOO), K_SENT, W_PLAIN, 0, 1, "2.0.0", "250 ok dirdel" },
    { M(FAM_YAHOO), K_BOUNCE, W_DATA, 0, 1, "5.0.0", "554 delivery error: dd This user doesn't have a %D account (%R) [0] - mta%N.mail.gq1.yahoo.com" },

    /* ---- Apple iCloud ---- */
    { M(FAM_APPLE), K_EPISODE, W_RCPT, 0, 30, "4.7.1", "421 4.7.1 Messages from " MYIP " deferred due to excessive volume. Try again later - https://support.apple.com/en-us/102322" },
    { M(FAM_APPLE), K_EPISODE, W_MAIL, 0, 10, "4.7.0", "421 4.7.0 [HCM1] Messages from " MYIP " temporarily deferred due to sender reputation. Try again later - https://support.apple.com/en-us/102322" },
    { M(FAM_APPLE), K_DEFER, W_RCPT, 0, 6, "4.3.0", "451 4.3.0 [BS02] Temporary server error. Please try again later - https://support.apple.com/en-us/102322" },
    { M(FAM_APPLE), K_DEFER, W_RCPT, 0, 3, "4.7.1", "421 4.7.1 Messages from " MYIP " deferred due to excessive volume. Try again later - https://support.apple.com/en-us/102322" },
    { M(FAM_APPLE), K_QUOTA, W_RCPT, 0, 1, "4.2.2", "452 4.2.2 <%R>: Mailbox full" },
    { M(FAM_APPLE), K_SENT, W_PLAIN, 0, 1, "2.0.0", "250 2.0.0 Ok: queued as %Q" },
    { M(FAM_APPLE), K_BOUNCE, W_RCPT, 0, 1, "5.1.1", "550 5.1.1 <%R>: user does not exist" },

    /* ---- Comcast ---- */
    { M(FAM_COMCAST), K_EPISODE, W_MAIL, 0, 30, "4.1.0", "421 4.1.0 " MYIP " Throttled - try again later. Please see https://postmaster.comcast.net/smtp-error-codes.php#RL000010" },
    { M(FAM_COMCAST), K_DEFER, W_GREET, F_DEAD, 5, "4.0.0", "421 resimta-po-%Nv.sys.comcast.net resimta-po-%nv.sys.comcast.net Too many sessions opened" },
    { M(FAM_COMCAST), K_DEFER, W_MAIL, 0, 4, "4.1.0", "421 4.1.0 " MYIP " Throttled - try again later. Please see https://postmaster.comcast.net/smtp-error-codes.php#RL000010" },
    { M(FAM_COMCAST), K_DEFER, W_GREET, F_DEAD, 2, "4.7.0", "421 4.7.0 " MYIP " Reverse DNS failure - try again later. Please see https://postmaster.comcast.net/smtp-error-codes.php#RE000001" },
    { M(FAM_COMCAST), K_QUOTA, W_RCPT, 0, 1, "4.2.2", "452 4.2.2 <%R> Mailbox full" },
    { M(FAM_COMCAST), K_SENT, W_PLAIN, 0, 1, "2.0.0", "250 2.0.0 %X mail accepted for delivery" },
    { M(FAM_COMCAST), K_BOUNCE, W_RCPT, 0, 1, "5.1.1", "550 5.1.1 <%R> Not our Customer" },

    /* ---- GoDaddy hosted mail ---- */
    { M(FAM_GODADDY), K_EPISODE, W_GREET, F_DEAD, 10, "4.0.0", "421 p3plibsmtp0%N.prod.phx3.secureserver.net bizsmtp IB007 Too many connections from " MYIP ". Please try again later." },
    { M(FAM_GODADDY), K_DEFER, W_GREET, F_DEAD, 4, "4.0.0", "421 p3plibsmtp0%N.prod.phx3.secureserver.net bizsmtp IB007 Too many connections from " MYIP ". Please try again later." },
    { M(FAM_GODADDY), K_DEFER, W_GREET, F_DEAD, 2, "4.0.0", "421 p3plibsmtp0%N.prod.phx3.secureserver.net bizsmtp IB108 Connection refused. " MYIP " has no PTR record. Please set up a PTR record." },
    { M(FAM_GODADDY), K_QUOTA, W_RCPT, 0, 1, "4.2.2", "452 4.2.2 <%R> Mailbox full" },
    { M(FAM_GODADDY), K_SENT, W_PLAIN, 0, 1, "2.0.0", "250 2.0.0 %X mail accepted for delivery" },
    { M(FAM_GODADDY), K_BOUNCE, W_RCPT, 0, 1, "5.1.1", "550 5.1.1 <%R> Recipient not found.  <https://www.godaddy.com/help/what-does-my-email-bounceback-mean-3568>" },

    /* ---- Mimecast gateways ---- */
    { M(FAM_MIMECAST), K_EPISODE, W_RCPT, 0, 10, "4.0.0", "451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451" },
    { M(FAM_MIMECAST), K_DEFER, W_RCPT, 0, 4, "4.0.0", "451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451" },
    { M(FAM_MIMECAST), K_GREY, W_RCPT, 0, 1, "4.7.1", "451 4.7.1 Greylisting in action, please come back later - https://community.mimecast.com/docs/DOC-1369#451" },
    { M(FAM_MIMECAST), K_QUOTA, W_RCPT, 0, 1, "4.2.2", "452 4.2.2 <%R> Mailbox full" },
    { M(FAM_MIMECAST), K_SENT, W_PLAIN, 0, 1, "2.0.0", "250 [%X-%X] Ok" },
    { M(FAM_MIMECAST), K_BOUNCE, W_RCPT, 0, 1, "5.1.1", "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550" },

    /* ---- self-hosted servers (Postfix, Exim, Exchange, appliances) ---- */
    { M(FAM_SELF), K_GREY, W_RCPT, 0, 6, "4.2.0", "450 4.2.0 <%R>: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/%D.html" },
    { M(FAM_SELF), K_GREY, W_RCPT, 0, 3, "4.7.1", "451 4.7.1 greylisting, please try again later" },
    { M(FAM_SELF), K_GREY, W_RCPT, 0, 3, "4.7.1", "421 4.7.1 Greylisted, please try again later" },
    { M(FAM_SELF), K_GREY, W_RCPT, 0, 2, "4.7.1", "450 4.7.1 <%R>: Recipient address rejected: Greylisted, please try again in 300 seconds" },
    { M(FAM_SELF), K_GREY, W_RCPT, 0, 2, "4.7.1", "451 4.7.1 " MYIP " is not yet authorized to deliver mail from <%S> to <%R>. Please try later." },
    { M(FAM_SELF), K_GREY, W_RCPT, 0, 1, "4.0.0", "451 Temporary local problem - please try later" },
    { M(FAM_SELF), K_QUOTA, W_RCPT, 0, 3, "4.2.2", "452 4.2.2 <%R>: user is over quota" },
    { M(FAM_SELF), K_QUOTA, W_RCPT, 0, 2, "4.2.2", "452 4.2.2 <%R> Quota exceeded (mailbox for user is full)" },
    { M(FAM_SELF), K_QUOTA, W_RCPT, 0, 1, "4.2.2", "452 4.2.2 Mailbox full" },
    { M(FAM_SELF), K_DEFER, W_GREET, F_DEAD, 4, "4.7.0", "421 4.7.0 %H Error: too many connections from " MYIP },
    { M(FAM_SELF), K_DEFER, W_GREET, F_DEAD, 2, "4.7.0", "421 4.7.0 Too many concurrent SMTP connections; please try again later." },
    { M(FAM_SELF), K_DEFER, W_DATA, 0, 1, "4.0.0", "421 Max message per connection reached, closing transmission channel" },
    { M(FAM_SELF), K_DEFER, W_GREET, F_DEAD, 1, "4.0.0", "421 Too many sessions from your IP" },
    { M(FAM_SELF), K_DEFER, W_GREET, F_DEAD, 2, "4.3.2", "421 4.3.2 System not accepting network messages" },
    { M(FAM_SELF), K_DEFER, W_DATA, 0, 2, "4.3.0", "451 4.3.0 Error: queue file write error" },
    { M(FAM_SELF), K_DEFER, W_GREET, F_DEAD, 1, "4.3.0", "421 4.3.0 %H Too much load; please try again later" },
    { M(FAM_SELF), K_DEFER, W_RCPT, 0, 2, "4.3.0", "451 4.3.0 <%R>: Temporary lookup failure" },
    { M(FAM_SELF), K_DEFER, W_GREET, F_DEAD, 1, "4.0.0", "421 Service temporarily unavailable" },
    { M(FAM_SELF), K_DEFER, W_RCPT, 0, 1, "4.3.5", "451 4.3.5 Server configuration problem" },
    { M(FAM_SELF), K_DEFER, W_RCPT, 0, 2, "4.7.25", "450 4.7.25 Client host rejected: cannot find your hostname, [" MYIP "]" },
    { M(FAM_SELF), K_DEFER, W_RCPT, 0, 1, "4.7.1", "450 4.7.1 Client host rejected: cannot find your reverse hostname, [" MYIP "]" },
    { M(FAM_SELF), K_DEFER, W_GREET, F_DEAD, 1, "4.7.1", "421 4.7.1 Client host has no PTR record" },
    { M(FAM_SELF), K_DEFER, W_RCPT, 0, 1, "4.1.8", "450 4.1.8 <%S>: Sender address rejected: Domain not found" },
    { M(FAM_SELF), K_DEFER, W_RCPT, 0, 1, "4.7.0", "421 4.7.0 %H Error: too many errors" },
    { M(FAM_SELF), K_DEFER, W_RCPT, 0, 1, "4.0.0", "451 Temporary local problem - please try later" },
    { M(FAM_SELF), K_DEFER, W_DATA, 0, 1, "4.0.0", "451 Requested action aborted: error in processing" },
    { M(FAM_SELF), K_DEFER, W_RAW, 0, 2, "4.7.5", "Cannot start TLS: handshake failure" },
    { MALL, K_DEFER, W_NONE, F_DEAD, 2, "4.4.1", "connect to %H[%A]:25: Connection timed out" },
    { M(FAM_SELF), K_DEFER, W_NONE, F_DEAD, 2, "4.4.1", "connect to %H[%A]:25: Connection refused" },
    { MALL, K_DEFER, W_RAW, F_DEAD, 2, "4.4.2", "lost connection with %H[%A] while receiving the initial server greeting" },
    { M(FAM_SELF), K_DEFER, W_RAW, F_DEAD, 1, "4.4.2", "conversation with %H[%A] timed out while receiving the initial server greeting" },
    { M(FAM_SELF), K_DEFER, W_RAW, 0, 1, "4.4.2", "lost connection with %H[%A] while sending RCPT TO" },
    { MALL, K_DEFER, W_RAW, 0, 1, "4.4.2", "conversation with %H[%A] timed out while sending end of data -- message may be sent more than once" },
    { M(FAM_SELF), K_DOWN, W_NONE, F_DEAD, 5, "4.4.1", "connect to %H[%A]:25: Connection timed out" },
    { M(FAM_SELF), K_DOWN, W_NONE, F_DEAD, 4, "4.4.1", "connect to %H[%A]:25: Connection refused" },
    { M(FAM_SELF), K_DOWN, W_NONE, F_DEAD, 1, "4.4.1", "connect to %H[%A]:25: No route to host" },
    { M(FAM_SELF), K_DOWN, W_NONE, F_DEAD, 2, "4.4.3", "Host or domain name not found. Name service error for name=%D type=MX: Host not found, try again" },
    { M(FAM_SELF), K_DOWN, W_RAW, F_DEAD, 2, "4.4.2", "lost connection with %H[%A] while receiving the initial server greeting" },
    { M(FAM_SELF), K_DOWN, W_RAW, 0, 2, "4.7.4", "TLS is required, but was not offered by host %H[%A]" },
    { M(FAM_SELF), K_DOWN, W_RAW, 0, 1, "4.7.5", "Cannot start TLS: handshake failure" },
    { M(FAM_SELF), K_DOWN, W_RAW, 0, 1, "4.7.5", "Server certificate not verified" },
    { M(FAM_SELF), K_SENT, W_PLAIN, 0, 5, "2.0.0", "250 2.0.0 Ok: queued as %Q" },
    { M(FAM_SELF), K_SENT, W_PLAIN, 0, 2, "2.0.0", "250 OK id=%Y" },
    { M(FAM_SELF), K_SENT, W_PLAIN, 0, 1, "2.6.0", "250 2.6.0 <%X.%N@%d> Queued mail for delivery" },
    { M(FAM_SELF), K_BOUNCE, W_RCPT, 0, 3, "5.1.1", "550 5.1.1 <%R>: Recipient address rejected: User unknown in virtual mailbox table" },
    { M(FAM_SELF), K_BOUNCE, W_RCPT, 0, 1, "5.0.0", "550 Unrouteable address" },

    /* ---- mistyped domains ---- */
    { M(FAM_TYPO), K_BOUNCE, W_NONE, 0, 3, "5.4.4", "Host or domain name not found. Name service error for name=%D type=A: Host not found" },
    { M(FAM_TYPO), K_DEFER, W_NONE, F_DEAD, 1, "4.4.3", "Host or domain name not found. Name service error for name=%D type=MX: Host not found, try again" },
};
#define NREPLY ((int)(sizeof R / sizeof R[0]))

/* per (family, kind): indices into R[] and cumulative weights */
static short pick_idx[NFAM][NKIND][48];
static int   pick_cum[NFAM][NKIND][48];
static int   pick_n[NFAM][NKIND];

typedef struct {
    double base_defer;      /* transient deferral probability outside episodes */
    double bounce;          /* probability a new recipient is unknown */
    double quota;           /* probability a new recipient is over quota */
    int    episodes;        /* throttling episodes per simulated day */
    uint32_t ipnet;         /* /16 used for this family's MX addresses */
} famprof_t;

static const famprof_t FP[NFAM] = {
    [FAM_GMAIL]    = { 0.050, 0.010, 0.002, 6, 0x0A8E0000 },  /* 10.142/16 */
    [FAM_GWS]      = { 0.040, 0.006, 0.002, 2, 0x0A8E0000 },
    [FAM_MS]       = { 0.060, 0.012, 0.002, 6, 0x0A340000 },  /* 10.52/16 */
    [FAM_O365]     = { 0.040, 0.008, 0.002, 2, 0x0A340000 },
    [FAM_YAHOO]    = { 0.050, 0.015, 0.002, 5, 0x0A430000 },  /* 10.67/16 */
    [FAM_APPLE]    = { 0.060, 0.008, 0.002, 4, 0x0A110000 },  /* 10.17/16 */
    [FAM_COMCAST]  = { 0.070, 0.020, 0.003, 4, 0x0A600000 },  /* 10.96/16 */
    [FAM_GODADDY]  = { 0.070, 0.010, 0.004, 2, 0x0A440000 },  /* 10.68/16 */
    [FAM_MIMECAST] = { 0.050, 0.005, 0.002, 2, 0x0A5B0000 },  /* 10.91/16 */
    [FAM_SELF]     = { 0.050, 0.012, 0.006, 0, 0xAC100000 },  /* 172.16/12 */
    [FAM_TYPO]     = { 0.0,   0.0,   0.0,   0, 0 },
};

/* build_pick_tables - index R[] by family and kind for weighted picks */
static void build_pick_tables(void)
{
    for (int i = 0; i < NREPLY; i++)
        for (int f = 0; f < NFAM; f++) {
            if (!(R[i].mask & M(f))) continue;
            int k = R[i].kind, n = pick_n[f][k];
            if (n >= 48) continue;
            pick_idx[f][k][n] = (short)i;
            pick_cum[f][k][n] = (n ? pick_cum[f][k][n - 1] : 0) + R[i].weight;
            pick_n[f][k] = n + 1;
        }
}

/* pick_reply - weighted random reply index of a kind for a family, -1 if none */
static int pick_reply(int fam, int kind)
{
    int n = pick_n[fam][kind];
    if (n == 0) return -1;
    int x = (int)rndr((uint32_t)pick_cum[fam][kind][n - 1]);
    for (int i = 0; i < n; i++)
        if (x < pick_cum[fam][kind][i]) return pick_idx[fam][kind][i];
    return pick_idx[fam][kind][n - 1];
}

/* ------------------------------------------------------------------ */
/* domains and MX hosts                                                */

enum { T_GREY = 1, T_DOWN = 2, T_FLAKY = 4, T_SENDER = 8 };

typedef struct {
    char name[44];
    unsigned char fam, traits, nmx;
    signed char mxset;          /* index into MXSETS, -1: derived from name */
    short grey_reply, down_reply;
    int64_t dead_until;
    char dead_dsn[8];
    char *dead_reason;
} domain_t;

static const char *const MXSETS[][5] = {
    { "gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com", "alt2.gmail-smtp-in.l.google.com", "alt3.gmail-smtp-in.l.google.com", "alt4.gmail-smtp-in.l.google.com" },
    { "aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com", 0, 0 },
    { "outlook-com.olc.protection.outlook.com", 0, 0, 0, 0 },
    { "hotmail-com.olc.protection.outlook.com", 0, 0, 0, 0 },
    { "live-com.olc.protection.outlook.com", 0, 0, 0, 0 },
    { "msn-com.olc.protection.outlook.com", 0, 0, 0, 0 },
    { "eur.olc.protection.outlook.com", 0, 0, 0, 0 },
    { "mta5.am0.yahoodns.net", "mta6.am0.yahoodns.net", "mta7.am0.yahoodns.net", 0, 0 },
    { "mx-aol.mail.gm0.yahoodns.net", 0, 0, 0, 0 },
    { "mx-eu.mail.am0.yahoodns.net", 0, 0, 0, 0 },
    { "mx01.mail.icloud.com", "mx02.mail.icloud.com", 0, 0, 0 },
    { "mx1a1.comcast.net", "mx2h1.comcast.net", 0, 0, 0 },
    { "smtp.secureserver.net", "mailstore1.secureserver.net", 0, 0, 0 },
    { "eu-smtp-inbound-1.mimecast.com", "eu-smtp-inbound-2.mimecast.com", 0, 0, 0 },
};
enum { MX_GMAIL, MX_GWS, MX_OUTLOOK, MX_HOTMAIL, MX_LIVE, MX_MSN, MX_EUR,
       MX_YAHOO, MX_AOL, MX_YAHOOEU, MX_ICLOUD, MX_COMCAST, MX_GODADDY,
       MX_MIMECAST };

typedef struct { const char *name; int fam, mxset; double weight; } provider_t;

static const provider_t PROVIDERS[] = {
    { "gmail.com",      FAM_GMAIL,   MX_GMAIL,   33.0 },
    { "googlemail.com", FAM_GMAIL,   MX_GMAIL,    1.5 },
    { "outlook.com",    FAM_MS,      MX_OUTLOOK,  6.0 },
    { "hotmail.com",    FAM_MS,      MX_HOTMAIL,  8.0 },
    { "live.com",       FAM_MS,      MX_LIVE,     2.5 },
    { "msn.com",        FAM_MS,      MX_MSN,      0.8 },
    { "hotmail.co.uk",  FAM_MS,      MX_EUR,      0.7 },
    { "yahoo.com",      FAM_YAHOO,   MX_YAHOO,    8.0 },
    { "aol.com",        FAM_YAHOO,   MX_AOL,      2.5 },
    { "ymail.com",      FAM_YAHOO,   MX_YAHOO,    0.4 },
    { "yahoo.co.uk",    FAM_YAHOO,   MX_YAHOOEU,  0.5 },
    { "icloud.com",     FAM_APPLE,   MX_ICLOUD,   4.5 },
    { "me.com",         FAM_APPLE,   MX_ICLOUD,   0.8 },
    { "mac.com",        FAM_APPLE,   MX_ICLOUD,   0.3 },
    { "comcast.net",    FAM_COMCAST, MX_COMCAST,  2.5 },
    { "gmial.com",      FAM_TYPO,    -1,          0.10 },
    { "hotmial.com",    FAM_TYPO,    -1,          0.06 },
    { "yaho.com",       FAM_TYPO,    -1,          0.05 },
    { "gmail.con",      FAM_TYPO,    -1,          0.05 },
    { "outlok.com",     FAM_TYPO,    -1,          0.04 },
};
#define NPROV ((int)(sizeof PROVIDERS / sizeof PROVIDERS[0]))
#define CUSTOM_SHARE 28.0

static const char *const DOM_A[] = {
    "north", "blue", "river", "stone", "bright", "oak", "silver", "green",
    "red", "summit", "harbor", "pine", "maple", "cedar", "iron", "golden",
    "lake", "sun", "star", "hill", "west", "east", "clear", "swift", "true",
    "prime", "nova", "alpha", "metro", "urban", "coastal", "valley", "fox",
    "eagle", "hawk", "bear", "wolf", "lion", "falcon", "birch", "willow",
    "granite", "copper", "amber", "crystal", "ember", "meadow", "orchard",
};
static const char *const DOM_B[] = {
    "tech", "works", "labs", "media", "group", "systems", "logistics",
    "consulting", "design", "foods", "health", "legal", "partners",
    "capital", "energy", "motors", "travel", "studio", "solutions",
    "digital", "print", "supply", "dental", "clinic", "realty", "farms",
    "bakery", "outdoor", "apparel", "insurance", "finance", "hotels",
    "academy", "software", "analytics", "events", "architects", "bikes",
};
static const char *const TLDS[] = {
    ".com", ".com", ".com", ".com", ".com", ".net", ".org", ".de", ".co.uk",
    ".fr", ".nl", ".io", ".com.au", ".ca", ".it", ".es", ".ch", ".at",
    ".be", ".se", ".com", ".net", ".us", ".co",
};
#define NCUSTOM 3000

static domain_t *doms;
static int ndoms, first_custom, npickable;
static double *dom_cum;           /* cumulative pick weights over doms */

/* dom_add - append a domain to the table and return its index */
static int dom_add(const char *name, int fam, int mxset, int nmx, int traits)
{
    domain_t *d = &doms[ndoms];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    d->fam = (unsigned char)fam;
    d->mxset = (signed char)mxset;
    d->nmx = (unsigned char)nmx;
    d->traits = (unsigned char)traits;
    d->grey_reply = d->down_reply = -1;
    return ndoms++;
}

/* mx_name - write the name of MX host i of domain d into b */
static void mx_name(sb_t *b, const domain_t *d, int i)
{
    if (d->mxset >= 0) { sb_s(b, MXSETS[(int)d->mxset][i]); return; }
    if (d->fam == FAM_O365) {
        for (const char *p = d->name; *p; p++) sb_c(b, *p == '.' ? '-' : *p);
        sb_s(b, ".mail.protection.outlook.com");
        return;
    }
    static const char *const pre[] = { "mx1.", "mx2.", "mail.", "smtp.", "mx." };
    int style = (int)((d - doms) % 3);
    if (style == 0) sb_s(b, pre[i ? 1 : 0]);
    else if (style == 1) sb_s(b, i ? "mail2." : "mail.");
    else sb_s(b, i ? "mx2." : "mx.");
    sb_s(b, d->name);
}

/* mx_ip - address of MX host i of domain d (round-robin for big providers) */
static uint32_t mx_ip(const domain_t *d, int i)
{
    uint64_t h = (uint64_t)(d->mxset >= 0 ? d->mxset * 16 : (d - doms) * 16) + (uint64_t)i + 7919;
    if (d->mxset >= 0) h += rndr(4) * 977;          /* several A records */
    h = h * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 29;
    uint32_t low = (uint32_t)(h & 0xFFFF);
    if (d->fam == FAM_SELF || d->fam == FAM_TYPO) {
        static const uint32_t doc[3] = { 0xC0000200, 0xC6336400, 0xCB007100 };
        if ((h >> 20) % 4 == 0) {
            uint32_t net = doc[(h >> 24) % 3];
            if (net == 0xCB007100 && (low & 255) % 253 + 1 == 25) low++;
            return net | ((low & 255) % 253 + 1);
        }
        return 0xAC100000 | (uint32_t)((h >> 16) & 0x000F0000) | (low & 0xFF00) | ((low & 255) % 253 + 1);
    }
    return FP[d->fam].ipnet | (low & 0xFF00) | ((low & 255) % 253 + 1);
}

/* build_domains - providers, sender domains and generated custom domains */
static void build_domains(void)
{
    doms = calloc(NPROV + 32 + NCUSTOM, sizeof *doms);
    dom_cum = calloc(NPROV + 32 + NCUSTOM, sizeof *dom_cum);
    if (!doms || !dom_cum) { perror("gen-log"); exit(1); }
    for (int i = 0; i < NPROV; i++) {
        const provider_t *p = &PROVIDERS[i];
        int nmx = 0;
        if (p->mxset >= 0) while (nmx < 5 && MXSETS[p->mxset][nmx]) nmx++;
        dom_add(p->name, p->fam, p->mxset, nmx ? nmx : 1, 0);
    }
    first_custom = ndoms;
    /* unique (prefix, suffix, hyphen) triples in a seeded order */
    int na = (int)(sizeof DOM_A / sizeof *DOM_A), nb = (int)(sizeof DOM_B / sizeof *DOM_B);
    int ncomb = na * nb * 2;
    int *perm = malloc((size_t)ncomb * sizeof *perm);
    if (!perm) { perror("gen-log"); exit(1); }
    for (int i = 0; i < ncomb; i++) perm[i] = i;
    for (int i = ncomb - 1; i > 0; i--) {
        int j = (int)rndr((uint32_t)(i + 1)), t = perm[i];
        perm[i] = perm[j]; perm[j] = t;
    }
    for (int i = 0; i < NCUSTOM && i < ncomb; i++) {
        int c = perm[i], a = c % na, b = (c / na) % nb, hy = c / (na * nb);
        char name[44];
        snprintf(name, sizeof name, "%s%s%s%s", DOM_A[a], hy ? "-" : "", DOM_B[b],
                 TLDS[rndr((uint32_t)(sizeof TLDS / sizeof *TLDS))]);
        double u = rndf();
        int fam = u < 0.24 ? FAM_GWS : u < 0.52 ? FAM_O365 : u < 0.57 ? FAM_GODADDY
                : u < 0.62 ? FAM_MIMECAST : FAM_SELF;
        int mxset = fam == FAM_GWS ? MX_GWS : fam == FAM_GODADDY ? MX_GODADDY
                  : fam == FAM_MIMECAST ? MX_MIMECAST : -1;
        int nmx = fam == FAM_GWS ? 3 : fam == FAM_O365 ? 1 : 2;
        int tr = 0;
        if (fam == FAM_SELF) {
            double v = rndf();
            if (v < 0.05) tr = T_DOWN;
            else if (v < 0.27) tr = T_GREY;
            else if (v < 0.37) tr = T_FLAKY;
            if (rndr(2)) nmx = 1;
        }
        if (fam == FAM_MIMECAST && rndr(3) == 0) tr = T_GREY;
        int di = dom_add(name, fam, mxset, nmx, tr);
        if (tr & T_GREY) doms[di].grey_reply = (short)pick_reply(fam, K_GREY);
        if (tr & T_DOWN) doms[di].down_reply = (short)pick_reply(fam, K_DOWN);
    }
    free(perm);
    /* pick weights: providers as listed, custom domains Zipf-like */
    double zsum = 0;
    for (int i = first_custom; i < ndoms; i++) zsum += 1.0 / (double)(i - first_custom + 8);
    double acc = 0;
    for (int i = 0; i < ndoms; i++) {
        if (i < NPROV) acc += PROVIDERS[i].weight;
        else acc += CUSTOM_SHARE / zsum / (double)(i - first_custom + 8);
        dom_cum[i] = acc;
    }
    npickable = ndoms;
}

/* pick_domain - random recipient domain by popularity */
static int pick_domain(void)
{
    double x = rndf() * dom_cum[npickable - 1];
    int lo = 0, hi = npickable - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (dom_cum[mid] > x) hi = mid; else lo = mid + 1;
    }
    return lo;
}

/* ------------------------------------------------------------------ */
/* senders and clients                                                 */

typedef struct {
    const char *local, *domain;
    int client;                  /* index into CLIENTS, -1: pickup */
    int campaign;                /* used for newsletter campaigns */
    int dom;                     /* filled in: index into doms */
} sender_t;

static sender_t SENDERS[] = {
    { "newsletter", "news.acme-outfitters.com", 2, 1, 0 },
    { "bounce+",    "em.shopwise-deals.com",    3, 1, 0 },   /* VERP */
    { "noreply",    "billing.northwind-cloud.io", 0, 0, 0 },
    { "alerts",     "status.orbitapp.io",       1, 0, 0 },
    { "no-reply",   "accounts.orbitapp.io",     1, 0, 0 },
    { "info",       "brightlane-studio.de",     5, 0, 0 },
    { "support",    "helpdesk.kestrel-freight.com", 4, 0, 0 },
    { "orders",     "shop.fernwood-tea.co.uk",  0, 0, 0 },
    { "www-data",   "mx1.example.net",         -1, 0, 0 },
    { "root",       "mx1.example.net",         -1, 0, 0 },
};
#define NSENDERS ((int)(sizeof SENDERS / sizeof SENDERS[0]))
#define SND_NULL 255

typedef struct { const char *name, *ip, *sasl; } client_t;
static const client_t CLIENTS[] = {
    { "app1.example.net",    "10.0.1.11", 0 },
    { "app2.example.net",    "10.0.1.12", 0 },
    { "mailer1.example.net", "10.0.1.21", 0 },
    { "mailer2.example.net", "10.0.1.22", 0 },
    { "crm.example.net",     "10.0.3.5",  0 },
    { "unknown",             "198.51.100.77", "info@brightlane-studio.de" },
};

/* build_senders - register the sender domains (for bounce notifications) */
static void build_senders(void)
{
    for (int i = 0; i < NSENDERS; i++) {
        int found = -1;
        for (int j = 0; j < i; j++)
            if (!strcmp(SENDERS[j].domain, SENDERS[i].domain)) found = SENDERS[j].dom;
        SENDERS[i].dom = found >= 0 ? found : dom_add(SENDERS[i].domain, FAM_SELF, -1, 1, T_SENDER);
    }
}

static const char *const FIRST[] = {
    "james", "mary", "john", "patricia", "robert", "jennifer", "michael",
    "linda", "david", "elizabeth", "william", "barbara", "richard", "susan",
    "joseph", "jessica", "thomas", "sarah", "chris", "karen", "daniel",
    "lisa", "matthew", "nancy", "anthony", "betty", "mark", "sandra",
    "paul", "ashley", "steven", "emily", "andrew", "donna", "kevin", "anna",
    "brian", "laura", "george", "sophie", "lukas", "lea", "jan", "marie",
    "pierre", "julie", "marco", "giulia", "carlos", "lucia", "noah", "emma",
    "liam", "olivia", "ethan", "mia", "oliver", "amelia", "leo", "chloe",
};
static const char *const LAST[] = {
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
    "davis", "rodriguez", "martinez", "hernandez", "lopez", "wilson",
    "anderson", "thomas", "taylor", "moore", "jackson", "martin", "lee",
    "thompson", "white", "harris", "clark", "lewis", "walker", "young",
    "allen", "king", "wright", "scott", "green", "baker", "adams", "nelson",
    "hill", "campbell", "mitchell", "roberts", "carter", "mueller",
    "schmidt", "schneider", "fischer", "weber", "dubois", "moreau",
    "rossi", "bianchi", "jansen", "devries", "nilsson", "novak", "kowalski",
};
static const char *const ROLES[] = {
    "info", "sales", "accounts", "support", "admin", "office", "hr",
    "billing", "contact", "hello", "orders", "finance", "jobs", "team",
};

/* make_local - a realistic mailbox local part for a domain */
static void make_local(char *out, size_t cap, int custom)
{
    const char *f = FIRST[rndr(sizeof FIRST / sizeof *FIRST)];
    const char *l = LAST[rndr(sizeof LAST / sizeof *LAST)];
    unsigned n = rndr(100), y = 60 + rndr(45);
    switch (custom && rndr(4) == 0 ? 9 : rndr(9)) {
    case 0: snprintf(out, cap, "%s.%s", f, l); break;
    case 1: snprintf(out, cap, "%s%s", f, l); break;
    case 2: snprintf(out, cap, "%c.%s", f[0], l); break;
    case 3: snprintf(out, cap, "%s_%s%u", f, l, n); break;
    case 4: snprintf(out, cap, "%s.%s%u", f, l, n); break;
    case 5: snprintf(out, cap, "%s%u", f, 1900 + y); break;
    case 6: snprintf(out, cap, "%s.%s", l, f); break;
    case 7: snprintf(out, cap, "%c%s%u", f[0], l, n); break;
    case 8: snprintf(out, cap, "%s%c%u", f, l[0], n); break;
    default: snprintf(out, cap, "%s", ROLES[rndr(sizeof ROLES / sizeof *ROLES)]); break;
    }
}

/* ------------------------------------------------------------------ */
/* output                                                              */

static FILE *out;
static uint64_t lines_out, lines_limit;
static int done;
static char linebuf[LINE_MAX_];
static sb_t L = { linebuf, 0, LINE_MAX_ };
static int64_t stamp_sec = -1;
static char stamp[20];
static const char *const MONTHS[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
static const int MDAYS[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* civil - month (0-11) and day for a day offset from Nov 22 */
static void civil(int64_t dayoff, int *mon, int *mday)
{
    int m = 10, d = 22 + (int)dayoff;
    while (d > MDAYS[m]) { d -= MDAYS[m]; m = (m + 1) % 12; }
    *mon = m; *mday = d;
}

/* fmt_stamp - "Nov 22 12:57:38" for simulated time t (cached per second) */
static void fmt_stamp(int64_t t)
{
    int64_t s = t / SEC;
    if (s == stamp_sec) return;
    stamp_sec = s;
    int mon, mday;
    civil(s / 86400, &mon, &mday);
    int hh = (int)(s % 86400 / 3600), mm = (int)(s % 3600 / 60), ss = (int)(s % 60);
    memcpy(stamp, MONTHS[mon], 3);
    stamp[3] = ' ';
    stamp[4] = mday >= 10 ? (char)('0' + mday / 10) : ' ';
    stamp[5] = (char)('0' + mday % 10);
    stamp[6] = ' ';
    stamp[7] = (char)('0' + hh / 10); stamp[8] = (char)('0' + hh % 10); stamp[9] = ':';
    stamp[10] = (char)('0' + mm / 10); stamp[11] = (char)('0' + mm % 10); stamp[12] = ':';
    stamp[13] = (char)('0' + ss / 10); stamp[14] = (char)('0' + ss % 10);
    stamp[15] = 0;
}

/* line_start - begin a log line: timestamp (never going back), host,
 * service[pid], optional queue id */
static void line_start(int64_t t, const char *svc, int pid, const char *qid)
{
    static int64_t last_t;
    if (t < last_t) t = last_t;          /* a few lines are stamped slightly ahead */
    last_t = t;
    fmt_stamp(t);
    L.n = 0;
    sb_put(&L, stamp, 15);
    sb_s(&L, " mx1 postfix/");
    sb_s(&L, svc);
    sb_c(&L, '[');
    sb_u(&L, (uint64_t)pid);
    sb_s(&L, "]: ");
    if (qid) { sb_s(&L, qid); sb_s(&L, ": "); }
}

/* line_end - terminate and write the current line, honouring the line limit */
static void line_end(void)
{
    if (done) return;
    L.p[L.n++] = '\n';
    fwrite(L.p, 1, L.n, out);
    if (++lines_out >= lines_limit) done = 1;
}

/* ------------------------------------------------------------------ */
/* processes                                                           */

enum { SV_SMTP, SV_SMTPD, SV_CLEANUP, SV_ERROR, SV_BOUNCE, NSV };
static const int SVSLOTS[NSV] = { 40, 8, 4, 3, 2 };
static int svpid[NSV][40], svuse[NSV][40];
static int next_pid = 1187;
static int qmgr_pid, pickup_pid, anvil_pid, scache_pid, master_pid;

/* new_pid - a fresh process id (monotonic, with gaps like a busy box) */
static int new_pid(void)
{
    next_pid += 1 + (int)rndr(37);
    if (next_pid > 4190000) next_pid = 1000 + (int)rndr(1000);
    return next_pid;
}

/* svc_pid - pid of a random worker of a service, recycled after max_use 100 */
static int svc_pid(int sv)
{
    int slot = (int)rndr((uint32_t)SVSLOTS[sv]);
    if (svpid[sv][slot] == 0 || ++svuse[sv][slot] > 100) {
        svpid[sv][slot] = new_pid();
        svuse[sv][slot] = 0;
    }
    return svpid[sv][slot];
}

/* ------------------------------------------------------------------ */
/* messages                                                            */

enum { ST_FREE, ST_NEW, ST_ACTIVE, ST_DEFERRED, ST_HELD, ST_REQUEUED };
enum { FATE_NORMAL, FATE_QUOTA, FATE_INVALID };

typedef struct {
    char local[40];
    int dom;
    unsigned char fate, done, tries, quota_left;
} rcpt_t;

typedef struct {
    char qid[16];
    int64_t arrival, next_retry;
    uint32_t gen, size, stok, mtok;
    unsigned char sender, nrcpt, pending, state;
    unsigned char client, via_pickup, bounce;
    rcpt_t r[MAXRCPT];
} msg_t;

static msg_t *msgs;
static uint32_t nmsgs, capmsgs, *freelist, nfree;
static uint32_t inode_next;

/* msg_alloc - a free message slot (pool grows on demand) */
static uint32_t msg_alloc(void)
{
    if (nfree) return freelist[--nfree];
    if (nmsgs == capmsgs) {
        capmsgs = capmsgs ? capmsgs * 2 : 4096;
        msgs = realloc(msgs, capmsgs * sizeof *msgs);
        freelist = realloc(freelist, capmsgs * sizeof *freelist);
        if (!msgs || !freelist) { perror("gen-log"); exit(1); }
        memset(msgs + nmsgs, 0, (capmsgs - nmsgs) * sizeof *msgs);
    }
    return nmsgs++;
}

/* msg_free - return a slot; bumping gen cancels its pending events */
static void msg_free(uint32_t m)
{
    msgs[m].state = ST_FREE;
    msgs[m].gen++;
    freelist[nfree++] = m;
}

/* make_qid - Postfix short queue id: 5 hex digits of usec + inode in hex */
static void make_qid(char *qid, int64_t t)
{
    sb_t b = { qid, 0, 16 };
    inode_next += 1 + rndr(3);
    sb_x(&b, (uint64_t)(t % SEC), 5, 1);
    sb_x(&b, inode_next, 1, 1);
    qid[b.n] = 0;
}

/* sender_addr - append the envelope sender of message m */
static void sender_addr(sb_t *b, const msg_t *m)
{
    if (m->sender == SND_NULL) return;
    const sender_t *s = &SENDERS[m->sender];
    sb_s(b, s->local);
    if (s->local[strlen(s->local) - 1] == '+') sb_x(b, m->stok, 8, 0);
    sb_c(b, '@');
    sb_s(b, s->domain);
}

/* ------------------------------------------------------------------ */
/* event queue                                                         */

enum { EV_SESSION, EV_SUBMIT, EV_DISCONNECT, EV_ACTIVE, EV_DELIVER, EV_RETRY,
       EV_REMOVE, EV_PICKUP, EV_OPS, EV_RELEASE, EV_RELOAD, EV_FLUSH,
       EV_STATS, EV_NOISE, EV_CAMPAIGN };

typedef struct { int64_t t; uint64_t seq; uint32_t arg, gen; int kind, aux; } event_t;

static event_t *heap;
static size_t nheap, capheap;
static uint64_t evseq;

/* ev_push - schedule an event */
static void ev_push(int64_t t, int kind, uint32_t arg, uint32_t gen, int aux)
{
    if (nheap == capheap) {
        capheap = capheap ? capheap * 2 : 8192;
        heap = realloc(heap, capheap * sizeof *heap);
        if (!heap) { perror("gen-log"); exit(1); }
    }
    event_t e = { t, evseq++, arg, gen, kind, aux };
    size_t i = nheap++;
    while (i) {
        size_t p = (i - 1) / 2;
        if (heap[p].t < e.t || (heap[p].t == e.t && heap[p].seq < e.seq)) break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = e;
}

/* ev_pop - remove and return the earliest event */
static event_t ev_pop(void)
{
    event_t top = heap[0], e = heap[--nheap];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= nheap) break;
        if (c + 1 < nheap && (heap[c + 1].t < heap[c].t ||
            (heap[c + 1].t == heap[c].t && heap[c + 1].seq < heap[c].seq))) c++;
        if (e.t < heap[c].t || (e.t == heap[c].t && e.seq < heap[c].seq)) break;
        heap[i] = heap[c];
        i = c;
    }
    if (nheap) heap[i] = e;
    return top;
}

/* msg_ev - schedule an event for message m (tagged with its generation) */
static void msg_ev(int64_t t, int kind, uint32_t m)
{
    ev_push(t, kind, m, msgs[m].gen, 0);
}

/* ------------------------------------------------------------------ */
/* world state                                                         */

typedef struct { int64_t start, end; int reply; double p; } episode_t;
static episode_t episodes[NFAM][16];
static int nepisodes[NFAM];

typedef struct { int64_t start, end; int sender; double rate; } campaign_t;
static campaign_t campaigns[8];
static int ncampaigns;

static double base_rate;          /* messages per second, transactional */
static int64_t scan_phase;
static uint32_t held_batch[32], held_gen[32];
static int nheld_batch;

/* hour_factor - diurnal traffic profile (mean about 1.0) */
static double hour_factor(int64_t t)
{
    static const double f[24] = { 0.35, 0.28, 0.24, 0.22, 0.25, 0.36, 0.6,
        0.95, 1.3, 1.55, 1.6, 1.55, 1.4, 1.45, 1.5, 1.45, 1.35, 1.2, 1.05,
        0.95, 0.85, 0.7, 0.55, 0.45 };
    return f[(t / (3600 * SEC)) % 24];
}

/* build_world - campaigns and provider throttling episodes for the day */
static void build_world(double msgs_per_day)
{
    ncampaigns = 4 + (int)rndr(3);
    double camp_msgs = msgs_per_day * 0.30 / ncampaigns;
    for (int i = 0; i < ncampaigns; i++) {
        campaign_t *c = &campaigns[i];
        c->start = (int64_t)(6.5 * 3600 + rndr(13 * 3600)) * SEC;
        c->end = c->start + rnd_range(12, 45) * 60 * SEC;
        c->sender = (int)rndr(2);
        c->rate = camp_msgs / ((double)(c->end - c->start) / SEC);
        /* big providers often push back shortly after a campaign starts */
        static const int fams[] = { FAM_GMAIL, FAM_MS, FAM_YAHOO, FAM_APPLE, FAM_COMCAST };
        for (int k = 0; k < 5; k++) {
            int f = fams[k];
            if (rndf() > (f == FAM_GMAIL ? 0.8 : 0.55) || nepisodes[f] >= 16) continue;
            episode_t *e = &episodes[f][nepisodes[f]++];
            e->start = c->start + rnd_range(60, 900) * SEC;
            e->end = e->start + rnd_range(60, 300) * 60 * SEC;
            e->reply = pick_reply(f, K_EPISODE);
            e->p = 0.45 + 0.5 * rndf();
        }
    }
    for (int f = 0; f < NFAM; f++)
        for (int k = 0; k < FP[f].episodes && nepisodes[f] < 16; k++) {
            episode_t *e = &episodes[f][nepisodes[f]++];
            e->start = (int64_t)rndr(86400) * SEC;
            e->end = e->start + rnd_range(30, 360) * 60 * SEC;
            e->reply = pick_reply(f, K_EPISODE);
            e->p = 0.4 + 0.55 * rndf();
        }
    scan_phase = (int64_t)rndr(300) * SEC;
}

/* next_scan - time the deferred queue scan picks up a message due at t */
static int64_t next_scan(int64_t due)
{
    int64_t k = (due - scan_phase + SCAN_EVERY - 1) / SCAN_EVERY;
    if (k < 0) k = 0;
    return scan_phase + k * SCAN_EVERY + (int64_t)(rndf() * 20.0 * SEC);
}

/* ------------------------------------------------------------------ */
/* template expansion                                                  */

typedef struct {
    const msg_t *m;
    const rcpt_t *r;
    const domain_t *d;
    const char *host;
    uint32_t ip;
    int64_t t;
} ctx_t;

/* expand - render a reply template; see the % codes below */
static void expand(sb_t *b, const char *tp, const ctx_t *c)
{
    static uint32_t last_n = 100;
    for (const char *p = tp; *p; p++) {
        const char *q = p;
        while (*q && *q != '%') q++;
        sb_put(b, p, (size_t)(q - p));
        if (!*q) break;
        p = q + 1;
        switch (*p) {
        case 'H': sb_s(b, c->host); break;
        case 'A': sb_ip(b, c->ip); break;
        case 'R': sb_s(b, c->r->local); sb_c(b, '@'); sb_s(b, doms[c->r->dom].name); break;
        case 'D': sb_s(b, doms[c->r->dom].name); break;
        case 'S': sender_addr(b, c->m); break;
        case 'd': sb_s(b, c->m->sender == SND_NULL ? MYHOST : SENDERS[c->m->sender].domain); break;
        case 'G':   /* Gmail transaction id */
            sb_rx(b, 13, 0); sb_c(b, '-'); sb_rx(b, 11, 0); sb_s(b, "si");
            sb_u(b, 1000000 + rndr(899999999)); sb_ralnum(b, 3); sb_c(b, '.');
            sb_u(b, 100 + rndr(900));
            break;
        case 'E': sb_u(b, (uint64_t)(EPOCH0 + c->t / SEC)); break;
        case 'P': { /* Exchange Online front end + timestamp + correlation id */
            static const char *const pre[] = { "AM4PEPF", "DB5PEPF", "VI1PEPF", "BN8PEPF", "SN1PEPF", "CH3PEPF" };
            static const char *const reg[] = { "eurprd04", "eurprd02", "eurprd05", "namprd11", "namprd04", "namprd02" };
            int k = (int)rndr(6);
            int64_t s = c->t / SEC;
            sb_s(b, pre[k]); sb_rx(b, 8, 1); sb_c(b, '.'); sb_s(b, reg[k]);
            sb_s(b, ".prod.outlook.com 2025-11-"); sb_u0(b, (uint64_t)(22 + s / 86400), 2);
            sb_c(b, 'T'); sb_u0(b, (uint64_t)(s % 86400 / 3600), 2); sb_c(b, ':');
            sb_u0(b, (uint64_t)(s % 3600 / 60), 2); sb_c(b, ':'); sb_u0(b, (uint64_t)(s % 60), 2);
            sb_c(b, '.'); sb_u0(b, (uint64_t)(c->t % SEC / 1000), 3); sb_s(b, "Z 08DE");
            sb_rx(b, 12, 1);
            break; }
        case 'B': {
            static const char *const pre[] = { "BAY004", "COL004", "SNT004", "BLU004" };
            sb_s(b, pre[rndr(4)]); sb_s(b, "-MC"); sb_u(b, 1 + rndr(6));
            sb_c(b, 'F'); sb_u(b, 10 + rndr(30));
            break; }
        case 'Q': {  /* remote Postfix queue id, short or long form */
            if (rndr(2)) { sb_rx(b, 5, 1); sb_x(b, 0x10000 + rndr(0xEFFFFF), 1, 1); }
            else {
                static const char a[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
                for (int i = 0; i < 11; i++) sb_c(b, a[rndr(52)]);
                sb_c(b, 'z'); sb_u(b, 10000 + rndr(89999));
            }
            break; }
        case 'Y': {  /* Exim message id */
            static const char a[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
            for (int i = 0; i < 6; i++) sb_c(b, a[rndr(62)]);
            sb_c(b, '-');
            for (int i = 0; i < 6; i++) sb_c(b, a[rndr(62)]);
            sb_c(b, '-');
            for (int i = 0; i < 2; i++) sb_c(b, a[rndr(62)]);
            break; }
        case 'X': sb_rx(b, 10, 1); break;
        case 'N': last_n = 100 + rndr(9900); sb_u(b, last_n); break;
        case 'n': sb_u(b, last_n); break;
        case 'L': sb_u(b, 100000000000ULL + rnd() % 900000000000ULL); break;
        case 'K': sb_u(b, c->m->size); break;
        case '%': sb_c(b, '%'); break;
        default: sb_c(b, '%'); sb_c(b, *p); break;
        }
    }
}

/* render_reason - the text inside "status=X (...)" for reply idx */
static void render_reason(sb_t *b, int idx, const ctx_t *c)
{
    const reply_t *r = &R[idx];
    switch (r->where) {
    case W_GREET:
        sb_s(b, "host "); sb_s(b, c->host); sb_c(b, '['); sb_ip(b, c->ip);
        sb_s(b, "] refused to talk to me: ");
        expand(b, r->text, c);
        break;
    case W_RAW: case W_NONE: case W_PLAIN:
        expand(b, r->text, c);
        break;
    default:
        sb_s(b, "host "); sb_s(b, c->host); sb_c(b, '['); sb_ip(b, c->ip);
        sb_s(b, "] said: ");
        expand(b, r->text, c);
        sb_s(b, r->where == W_RCPT ? " (in reply to RCPT TO command)"
               : r->where == W_MAIL ? " (in reply to MAIL FROM command)"
               : r->where == W_EHLO ? " (in reply to EHLO command)"
               : " (in reply to end of DATA command)");
        break;
    }
}

/* ------------------------------------------------------------------ */
/* message life cycle                                                  */

static const char *const HELOS[] = { "WIN-CLJ1B0GQ6JP", "User", "ylmf-pc", "localhost", "[198.18.0.1]", "mail.example.com" };

/* new_message - create a message with recipients; returns its slot */
static uint32_t new_message(int64_t t, int sender, int nrcpt, int bias_fail)
{
    uint32_t mi = msg_alloc();
    msg_t *m = &msgs[mi];
    uint32_t gen = m->gen;
    memset(m, 0, sizeof *m);
    m->gen = gen;
    m->state = ST_NEW;
    m->arrival = t;
    m->sender = (unsigned char)sender;
    m->stok = (uint32_t)rnd();
    m->mtok = (uint32_t)rnd();
    m->nrcpt = m->pending = (unsigned char)nrcpt;
    make_qid(m->qid, t);
    int camp = sender != SND_NULL && SENDERS[sender].campaign;
    m->size = camp ? 18000 + rndr(70000) : 1200 + rndr(rndr(8) ? 20000 : 400000);
    for (int i = 0; i < nrcpt; i++) {
        rcpt_t *r = &m->r[i];
        r->dom = pick_domain();
        if (bias_fail && rndf() < 0.55) {
            /* stuck mail: down domains and full mailboxes dominate the backlog */
            for (int k = 0; k < 40; k++) {
                int d = first_custom + (int)rndr(NCUSTOM);
                if (doms[d].traits & T_DOWN) { r->dom = d; break; }
            }
        }
        const domain_t *d = &doms[r->dom];
        make_local(r->local, sizeof r->local, r->dom >= first_custom);
        double u = rndf();
        const famprof_t *fp = &FP[d->fam];
        if (bias_fail && !(d->traits & T_DOWN)) r->fate = u < 0.6 ? FATE_QUOTA : FATE_NORMAL;
        else if (u < fp->bounce) r->fate = FATE_INVALID;
        else if (u < fp->bounce + fp->quota) r->fate = FATE_QUOTA;
        r->quota_left = (unsigned char)(r->fate == FATE_QUOTA ? 3 + rndr(60) : 0);
    }
    return mi;
}

/* log_qmgr_active - "from=<...>, size=N, nrcpt=N (queue active)" */
static void log_qmgr_active(int64_t t, const msg_t *m)
{
    line_start(t, "qmgr", qmgr_pid, m->qid);
    sb_s(&L, "from=<"); sender_addr(&L, m);
    sb_s(&L, ">, size="); sb_u(&L, m->size);
    sb_s(&L, ", nrcpt="); sb_u(&L, m->nrcpt);
    sb_s(&L, " (queue active)");
    line_end();
}

/* log_cleanup - cleanup's message-id line */
static void log_cleanup(int64_t t, const msg_t *m)
{
    line_start(t, "cleanup", svc_pid(SV_CLEANUP), m->qid);
    sb_s(&L, "message-id=<");
    if (m->sender == SND_NULL || m->via_pickup) {
        int64_t s = m->arrival / SEC;
        int mon, mday;
        civil(s / 86400, &mon, &mday);
        sb_s(&L, "2025"); sb_u0(&L, (uint64_t)mon + 1, 2); sb_u0(&L, (uint64_t)mday, 2);
        sb_u0(&L, (uint64_t)(s % 86400 / 3600), 2); sb_u0(&L, (uint64_t)(s % 3600 / 60), 2);
        sb_u0(&L, (uint64_t)(s % 60), 2); sb_c(&L, '.'); sb_x(&L, m->mtok, 8, 1);
        sb_s(&L, "@" MYHOST);
    } else {
        sb_x(&L, (uint64_t)(EPOCH0 + m->arrival / SEC), 8, 0); sb_c(&L, '.');
        sb_x(&L, m->mtok, 8, 0); sb_c(&L, '@'); sb_s(&L, SENDERS[m->sender].domain);
    }
    sb_c(&L, '>');
    line_end();
}

/* schedule_retry - park message m in the deferred queue */
static void schedule_retry(int64_t t, uint32_t mi)
{
    msg_t *m = &msgs[mi];
    int64_t age = t - m->arrival, back = age;
    if (back < MIN_BACK) back = MIN_BACK;
    if (back > MAX_BACK) back = MAX_BACK;
    m->next_retry = t + back;
    m->state = ST_DEFERRED;
    msg_ev(next_scan(m->next_retry), EV_RETRY, mi);
}

/* set_dead - throttle a destination after a connection-level failure */
static void set_dead(domain_t *d, int64_t t, const char *dsn, const char *reason, size_t n)
{
    if (!d->dead_reason) {
        d->dead_reason = malloc(LINE_MAX_);
        if (!d->dead_reason) { perror("gen-log"); exit(1); }
    }
    if (n >= LINE_MAX_) n = LINE_MAX_ - 1;
    memcpy(d->dead_reason, reason, n);
    d->dead_reason[n] = 0;
    snprintf(d->dead_dsn, sizeof d->dead_dsn, "%s", dsn);
    d->dead_until = t + DEAD_FOR;
}

/* episode_reply - reply of an active throttling episode for a family, or -1 */
static int episode_reply(int fam, int64_t t)
{
    int64_t tod = t % DAY;
    for (int i = 0; i < nepisodes[fam]; i++) {
        const episode_t *e = &episodes[fam][i];
        if (tod >= e->start && tod < e->end && rndf() < e->p) return e->reply;
    }
    return -1;
}

/* choose_outcome - reply index for one attempt to recipient r */
static int choose_outcome(const domain_t *d, rcpt_t *r, int64_t t, int is_bounce, int *from_episode)
{
    int fam = d->fam, x;
    if (d->traits & T_SENDER || is_bounce) return pick_reply(FAM_SELF, K_SENT);
    if (fam == FAM_TYPO) return rndr(4) ? pick_reply(fam, K_BOUNCE) : pick_reply(fam, K_DEFER);
    if (d->traits & T_DOWN) return d->down_reply;
    if (r->fate == FATE_INVALID) return pick_reply(fam, K_BOUNCE);
    if (r->fate == FATE_QUOTA) {
        if (r->quota_left == 0) r->fate = FATE_NORMAL;
        else { r->quota_left--; return pick_reply(fam, K_QUOTA); }
    }
    if ((d->traits & T_GREY) && r->tries == 0) return d->grey_reply;
    if ((x = episode_reply(fam, t)) >= 0) { *from_episode = 1; return x; }
    double p = FP[fam].base_defer * ((d->traits & T_FLAKY) ? 5.0 : 1.0);
    if (rndf() < p && (x = pick_reply(fam, K_DEFER)) >= 0) return x;
    return pick_reply(fam, K_SENT);
}

/* log_tls - smtp's "TLS connection established" line (smtp_tls_loglevel 1) */
static void log_tls(int64_t t, int pid, const ctx_t *c, int trusted)
{
    line_start(t, "smtp", pid, NULL);
    sb_s(&L, trusted ? "Trusted TLS connection established to " : "Untrusted TLS connection established to ");
    sb_s(&L, c->host); sb_c(&L, '['); sb_ip(&L, c->ip);
    sb_s(&L, rndr(3) ? "]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256"
                     : "]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (P-256) server-digest SHA256");
    line_end();
}

/* deliver_one - one delivery attempt for recipient ri of message mi */
static int deliver_one(int64_t t, uint32_t mi, int ri, int *bounced)
{
    msg_t *m = &msgs[mi];
    rcpt_t *r = &m->r[ri];
    domain_t *d = &doms[r->dom];
    char hostbuf[128], rbuf[LINE_MAX_];
    sb_t hb = { hostbuf, 0, sizeof hostbuf }, rb = { rbuf, 0, sizeof rbuf };
    int64_t age = t - m->arrival;
    int64_t qb = (int64_t)(rndf() * (rndr(10) ? 0.08 : 2.5) * SEC);
    const char *status;
    const char *dsn;
    int relay_none = 0, conn_use = 0, pid;
    int64_t cc = 0, dd = 0;

    if (d->dead_until > t && d->dead_reason) {
        /* destination throttled: deferred without a connection */
        int by_qmgr = rndr(6) == 0;
        pid = by_qmgr ? qmgr_pid : svc_pid(SV_ERROR);
        line_start(t, by_qmgr ? "qmgr" : "error", pid, m->qid);
        sb_s(&L, "to=<"); sb_s(&L, r->local); sb_c(&L, '@'); sb_s(&L, d->name);
        int64_t total = age > qb ? age : qb;
        sb_s(&L, ">, relay=none, delay="); sb_tv(&L, total);
        sb_s(&L, ", delays="); sb_tv(&L, total - qb); sb_c(&L, '/'); sb_tv(&L, qb);
        sb_s(&L, "/0/0, dsn="); sb_s(&L, d->dead_dsn);
        sb_s(&L, ", status=deferred (delivery temporarily suspended: ");
        sb_s(&L, d->dead_reason); sb_c(&L, ')');
        line_end();
        r->tries++;
        return 0;
    }

    int from_episode = 0;
    int idx = choose_outcome(d, r, t, m->bounce, &from_episode);
    const reply_t *rp = &R[idx];
    int mxi = 0;
    pid = svc_pid(SV_SMTP);
    ctx_t c = { m, r, d, hostbuf, 0, t };

    /* a failure at a non-final MX is logged without status= first */
    if (d->nmx > 1 && rp->kind != K_SENT && rp->kind != K_BOUNCE &&
        (rp->where == W_GREET || rp->where == W_MAIL ||
         (rp->where == W_NONE && rp->text[0] == 'c')) && rndr(3) == 0) {
        mx_name(&hb, d, 0);
        hostbuf[hb.n] = 0;
        c.ip = mx_ip(d, 0);
        if (rp->where == W_NONE) {
            line_start(t, "smtp", pid, NULL);
            sb_s(&L, "connect to "); sb_s(&L, hostbuf); sb_c(&L, '['); sb_ip(&L, c.ip);
            sb_s(&L, strstr(rp->text, "refused") ? "]:25: Connection refused" : "]:25: Connection timed out");
        } else {
            line_start(t, "smtp", pid, m->qid);
            render_reason(&L, idx, &c);
        }
        line_end();
        mxi = 1 + (int)rndr((uint32_t)d->nmx - 1);
        hb.n = 0;
    } else if (d->nmx > 1) {
        mxi = rndr(8) ? 0 : (int)rndr(d->nmx);
    }
    mx_name(&hb, d, mxi);
    hostbuf[hb.n] = 0;
    c.ip = mx_ip(d, mxi);

    if (rp->kind == K_SENT && d->nmx > 1 && rndr(400) == 0) {
        /* occasional timeout at another MX before a success */
        int o = (mxi + 1) % d->nmx;
        char ob[128];
        sb_t obb = { ob, 0, sizeof ob };
        mx_name(&obb, d, o);
        ob[obb.n] = 0;
        line_start(t, "smtp", pid, NULL);
        sb_s(&L, "connect to "); sb_s(&L, ob); sb_c(&L, '['); sb_ip(&L, mx_ip(d, o));
        sb_s(&L, "]:25: Connection timed out");
        line_end();
    }

    render_reason(&rb, idx, &c);
    rbuf[rb.n] = 0;
    dsn = rp->dsn;
    switch (rp->kind) {
    case K_SENT: status = "sent"; break;
    case K_BOUNCE: status = "bounced"; break;
    default: status = "deferred"; break;
    }
    relay_none = rp->where == W_NONE;
    if (!relay_none) {
        if (rp->kind == K_SENT && rndr(3) == 0) conn_use = 2 + (int)rndr(30);
        else cc = (int64_t)((0.02 + rndf() * (rndr(12) ? 0.4 : 3.0)) * SEC);
        if (rp->kind == K_SENT) dd = (int64_t)((0.05 + rndf() * 0.6 + m->size / 400000.0) * SEC);
        else if (rp->where == W_DATA) dd = (int64_t)((0.02 + rndf() * 0.4 + m->size / 500000.0) * SEC);
        else if (rp->where == W_RCPT || rp->where == W_MAIL) dd = (int64_t)(rndf() * 0.05 * SEC);
        if (!conn_use && rndr(8) == 0 && rp->where != W_GREET && rp->where != W_RAW)
            log_tls(t, pid, &c, d->fam != FAM_SELF);
    } else if (rp->text[0] == 'c') {
        cc = rp->text[strlen(rp->text) - 1] == 't' ? 30 * SEC : (int64_t)(rndf() * 0.05 * SEC);
    }

    line_start(t, "smtp", pid, m->qid);
    sb_s(&L, "to=<"); sb_s(&L, r->local); sb_c(&L, '@'); sb_s(&L, d->name);
    sb_s(&L, ">, ");
    if (m->bounce == 0 && rndr(300) == 0) {
        sb_s(&L, "orig_to=<"); sb_s(&L, r->local); sb_s(&L, "@lists.example.net>, ");
    }
    sb_s(&L, "relay=");
    if (relay_none) sb_s(&L, "none");
    else { sb_s(&L, hostbuf); sb_c(&L, '['); sb_ip(&L, c.ip); sb_s(&L, "]:25"); }
    if (conn_use) { sb_s(&L, ", conn_use="); sb_u(&L, (uint64_t)conn_use); }
    int64_t spent = qb + cc + dd, total = age > spent ? age : spent;
    sb_s(&L, ", delay="); sb_tv(&L, total);
    sb_s(&L, ", delays="); sb_tv(&L, total - spent); sb_c(&L, '/'); sb_tv(&L, qb); sb_c(&L, '/');
    sb_tv(&L, cc); sb_c(&L, '/'); sb_tv(&L, dd);
    sb_s(&L, ", dsn="); sb_s(&L, dsn);
    sb_s(&L, ", status="); sb_s(&L, status);
    sb_s(&L, " ("); sb_put(&L, rbuf, rb.n); sb_c(&L, ')');
    line_end();

    r->tries++;
    /* Postfix throttles a destination only when a whole cohort of
     * connections fails: during an episode, for broken or small sites */
    if (rp->kind != K_SENT && rp->kind != K_BOUNCE && (rp->flags & F_DEAD) &&
        (from_episode || d->fam >= FAM_GODADDY || d->fam == FAM_O365 || d->fam == FAM_GWS))
        set_dead(d, t, dsn, rbuf, rb.n);
    if (rp->kind == K_BOUNCE) *bounced = 1;
    return rp->kind == K_SENT || rp->kind == K_BOUNCE;
}

/* ev_deliver - a delivery round for every pending recipient of a message */
static void ev_deliver(int64_t t, uint32_t mi)
{
    int bounced = 0;
    msg_t *m = &msgs[mi];
    m->state = ST_ACTIVE;
    for (int i = 0; i < m->nrcpt; i++) {
        if (msgs[mi].r[i].done) continue;
        if (deliver_one(t, mi, i, &bounced)) {
            msgs[mi].r[i].done = 1;
            msgs[mi].pending--;
        }
    }
    m = &msgs[mi];
    if (bounced && !m->bounce) {
        uint32_t bi = new_message(t, SND_NULL, 0, 0);
        m = &msgs[mi];
        msg_t *b = &msgs[bi];
        b->bounce = 1;
        b->nrcpt = b->pending = 1;
        b->size = 3000 + rndr(6000);
        b->r[0].dom = SENDERS[m->sender].dom;
        sb_t lb = { b->r[0].local, 0, sizeof b->r[0].local };
        const sender_t *s = &SENDERS[m->sender];
        sb_s(&lb, s->local);
        if (s->local[strlen(s->local) - 1] == '+') sb_x(&lb, m->stok, 8, 0);
        b->r[0].local[lb.n] = 0;
        log_cleanup(t, b);
        line_start(t, "bounce", svc_pid(SV_BOUNCE), m->qid);
        sb_s(&L, "sender non-delivery notification: "); sb_s(&L, b->qid);
        line_end();
        log_qmgr_active(t, b);
        msg_ev(t + (int64_t)(rndf() * 0.3 * SEC), EV_DELIVER, bi);
    }
    if (m->pending == 0) msg_ev(t + (int64_t)(rndf() * 0.02 * SEC), EV_REMOVE, mi);
    else schedule_retry(t, mi);
}

/* ev_retry - the deferred queue scan moves a message back to active */
static void ev_retry(int64_t t, uint32_t mi)
{
    msg_t *m = &msgs[mi];
    if (m->state != ST_DEFERRED) return;
    log_qmgr_active(t, m);
    if (t - m->arrival > MAX_LIFE) {
        line_start(t, "qmgr", qmgr_pid, m->qid);
        sb_s(&L, "from=<"); sender_addr(&L, m);
        sb_s(&L, ">, status=expired, returned to sender");
        line_end();
        if (m->sender != SND_NULL) {
            uint32_t bi = new_message(t, SND_NULL, 0, 0);
            m = &msgs[mi];
            msg_t *b = &msgs[bi];
            const sender_t *s = &SENDERS[m->sender];
            b->bounce = 1;
            b->nrcpt = b->pending = 1;
            b->size = 4000 + rndr(9000);
            b->r[0].dom = s->dom;
            sb_t lb = { b->r[0].local, 0, sizeof b->r[0].local };
            sb_s(&lb, s->local);
            if (s->local[strlen(s->local) - 1] == '+') sb_x(&lb, m->stok, 8, 0);
            b->r[0].local[lb.n] = 0;
            log_cleanup(t, b);
            line_start(t, "bounce", svc_pid(SV_BOUNCE), m->qid);
            sb_s(&L, "sender non-delivery notification: "); sb_s(&L, b->qid);
            line_end();
            log_qmgr_active(t, b);
            msg_ev(t + (int64_t)(rndf() * 0.3 * SEC), EV_DELIVER, bi);
        }
        msg_ev(t + (int64_t)(rndf() * 0.05 * SEC), EV_REMOVE, mi);
        m->state = ST_ACTIVE;
        return;
    }
    m->state = ST_ACTIVE;
    msg_ev(t + (int64_t)((0.005 + rndf() * 0.4) * SEC), EV_DELIVER, mi);
}

/* ev_remove - qmgr's final "removed" line */
static void ev_remove(int64_t t, uint32_t mi)
{
    line_start(t, "qmgr", qmgr_pid, msgs[mi].qid);
    sb_s(&L, "removed");
    line_end();
    msg_free(mi);
}

/* ev_submit - a message enters: smtpd client= or pickup, then cleanup, qmgr */
static void ev_submit(int64_t t, uint32_t mi, int smtpd_pid)
{
    msg_t *m = &msgs[mi];
    if (m->via_pickup) {
        line_start(t, "pickup", pickup_pid, m->qid);
        sb_s(&L, "uid="); sb_u(&L, SENDERS[m->sender].local[0] == 'r' ? 0 : 33);
        sb_s(&L, " from=<"); sb_s(&L, SENDERS[m->sender].local); sb_c(&L, '>');
        line_end();
    } else {
        const client_t *cl = &CLIENTS[m->client];
        line_start(t, "smtpd", smtpd_pid, m->qid);
        sb_s(&L, "client="); sb_s(&L, cl->name); sb_c(&L, '['); sb_s(&L, cl->ip); sb_c(&L, ']');
        if (cl->sasl) { sb_s(&L, ", sasl_method=LOGIN, sasl_username="); sb_s(&L, cl->sasl); }
        line_end();
    }
    int64_t t2 = t + (int64_t)(rndf() * 0.05 * SEC);
    log_cleanup(t2, m);
    int64_t t3 = t2 + (int64_t)((0.002 + rndf() * 0.05) * SEC);
    msg_ev(t3, EV_ACTIVE, mi);
}

/* ev_active - first activation of a new message by qmgr */
static void ev_active(int64_t t, uint32_t mi)
{
    log_qmgr_active(t, &msgs[mi]);
    msgs[mi].state = ST_ACTIVE;
    msg_ev(t + (int64_t)((0.005 + rndf() * 0.3) * SEC), EV_DELIVER, mi);
}

/* campaign_rate - extra newsletter messages per second at time t */
static double campaign_rate(int64_t t, int *sender)
{
    int64_t tod = t % DAY;
    double r = 0;
    for (int i = 0; i < ncampaigns; i++)
        if (tod >= campaigns[i].start && tod < campaigns[i].end) {
            r += campaigns[i].rate;
            *sender = campaigns[i].sender;
        }
    return r;
}

/* ev_session - an SMTP client (or the pickup daemon) submits some messages */
static void ev_session(int64_t t, int is_campaign)
{
    int csender = 0;
    double crate = campaign_rate(t, &csender);
    double rate = is_campaign ? crate : base_rate * hour_factor(t);
    int k, sender;
    if (is_campaign) {
        if (crate <= 0) { ev_push(t + 60 * SEC, EV_CAMPAIGN, 0, 0, 0); return; }
        k = 5 + (int)rndr(20);
        sender = csender;
    } else {
        double u = rndf();
        k = u < 0.55 ? 1 : u < 0.85 ? 2 + (int)rndr(3) : 5 + (int)rndr(12);
        static const int tx[] = { 2, 2, 3, 3, 4, 5, 6, 7, 7, 8, 2, 3, 9 };
        sender = tx[rndr(sizeof tx / sizeof *tx)];
    }
    /* next session of the same kind */
    double mean_k = is_campaign ? 14.5 : 0.55 + 0.30 * 3 + 0.15 * 10.5;
    double gap = rnd_exp(mean_k / (rate > 1e-6 ? rate : 1e-6));
    if (gap > 3600) gap = 3600;
    ev_push(t + (int64_t)(gap * SEC) + 1, is_campaign ? EV_CAMPAIGN : EV_SESSION, 0, 0, 0);

    const sender_t *s = &SENDERS[sender];
    int pickup = s->client < 0;
    int pid = pickup ? pickup_pid : svc_pid(SV_SMTPD);
    const client_t *cl = pickup ? NULL : &CLIENTS[s->client];
    if (!pickup) {
        line_start(t, "smtpd", pid, NULL);
        sb_s(&L, "connect from "); sb_s(&L, cl->name); sb_c(&L, '['); sb_s(&L, cl->ip); sb_c(&L, ']');
        line_end();
    }
    int64_t at = t + (int64_t)(rndf() * 0.05 * SEC);
    int nr_total = 0;
    for (int i = 0; i < k; i++) {
        int nr = is_campaign ? 1 : (rndr(10) ? 1 : 2 + (int)rndr(MAXRCPT - 1));
        nr_total += nr;
        uint32_t mi = new_message(at, sender, nr, 0);
        msgs[mi].via_pickup = (unsigned char)pickup;
        msgs[mi].client = (unsigned char)(pickup ? 0 : s->client);
        ev_push(at, EV_SUBMIT, mi, msgs[mi].gen, pid);
        at += (int64_t)((0.01 + rndf() * (is_campaign ? 0.08 : 0.4)) * SEC);
    }
    if (!pickup) ev_push(at + (int64_t)(rndf() * 0.05 * SEC), EV_DISCONNECT, (uint32_t)k,
                         (uint32_t)nr_total, pid * 8 + s->client);
}

/* ev_disconnect - smtpd's session summary line */
static void ev_disconnect(int64_t t, int nmsg, int nrcpt, int aux)
{
    int pid = aux / 8;
    const client_t *cl = &CLIENTS[aux % 8];
    line_start(t, "smtpd", pid, NULL);
    sb_s(&L, "disconnect from "); sb_s(&L, cl->name); sb_c(&L, '['); sb_s(&L, cl->ip);
    sb_s(&L, "] ehlo=");
    int tls = cl->sasl != NULL || (aux % 8) >= 2;
    sb_s(&L, tls ? "2 starttls=1" : "1");
    if (cl->sasl) sb_s(&L, " auth=1");
    sb_s(&L, " mail="); sb_u(&L, (uint64_t)nmsg);
    sb_s(&L, " rcpt="); sb_u(&L, (uint64_t)nrcpt);
    sb_s(&L, " data="); sb_u(&L, (uint64_t)nmsg);
    sb_s(&L, " quit=1 commands=");
    sb_u(&L, (uint64_t)(nmsg * 2 + nrcpt + 1 + (tls ? 3 : 1) + (cl->sasl ? 1 : 0)));
    line_end();
}

/* ------------------------------------------------------------------ */
/* operators, daemons and noise                                        */

/* postsuper_summary - "Placed on hold: N messages" style trailer */
static void postsuper_summary(int64_t t, int pid, const char *what, int n)
{
    line_start(t, "postsuper", pid, NULL);
    sb_s(&L, what); sb_s(&L, ": "); sb_u(&L, (uint64_t)n);
    sb_s(&L, n == 1 ? " message" : " messages");
    line_end();
}

/* ev_ops - an operator runs postsuper on some deferred mail */
static void ev_ops(int64_t t)
{
    ev_push(t + (int64_t)((2.5 + rndf() * 4) * 3600 * SEC), EV_OPS, 0, 0, 0);
    if (nmsgs == 0) return;
    int action = rndr(2) ? 0 : 1 + (int)rndr(2), want = 1 + (int)rndr(12), n = 0;
    if (action == 0 && nheld_batch) action = 1;
    int pid = new_pid();
    uint32_t start = rndr(nmsgs);
    for (uint32_t k = 0; k < nmsgs && n < want; k++) {
        uint32_t mi = (start + k) % nmsgs;
        msg_t *m = &msgs[mi];
        if (m->state != ST_DEFERRED || m->bounce) continue;
        line_start(t, "postsuper", pid, m->qid);
        if (action == 0) {
            sb_s(&L, "placed on hold");
            m->state = ST_HELD;
            m->gen++;
            held_batch[nheld_batch] = mi;
            held_gen[nheld_batch++] = m->gen;
        } else if (action == 1) {
            sb_s(&L, "requeued");
            m->state = ST_REQUEUED;
            m->gen++;
            /* pickup finds it in maildrop within its 60 s poll */
            msg_ev(t + (int64_t)(rndf() * 60 * SEC), EV_PICKUP, mi);
        } else {
            sb_s(&L, "removed");
        }
        line_end();
        if (action == 2) msg_free(mi);
        n++;
    }
    if (n == 0) return;
    postsuper_summary(t, pid, action == 0 ? "Placed on hold" : action == 1 ? "Requeued" : "Deleted", n);
    if (action == 0) ev_push(t + (int64_t)((5 + rndf() * 40) * 60 * SEC), EV_RELEASE, 0, 0, 0);
}

/* ev_release - the held batch is released back to the deferred queue */
static void ev_release(int64_t t)
{
    int pid = new_pid(), n = 0;
    for (int i = 0; i < nheld_batch; i++) {
        msg_t *m = &msgs[held_batch[i]];
        if (m->gen != held_gen[i] || m->state != ST_HELD) continue;
        line_start(t, "postsuper", pid, m->qid);
        sb_s(&L, "released from hold");
        line_end();
        m->state = ST_DEFERRED;
        m->gen++;
        msg_ev(next_scan(m->next_retry > t ? m->next_retry : t), EV_RETRY, held_batch[i]);
        n++;
    }
    nheld_batch = 0;
    if (n) postsuper_summary(t, pid, "Released from hold", n);
}

/* ev_pickup - a requeued message re-enters under a new queue id */
static void ev_pickup(int64_t t, uint32_t mi)
{
    msg_t *m = &msgs[mi];
    char old[16];
    memcpy(old, m->qid, sizeof old);
    make_qid(m->qid, t);
    line_start(t, "pickup", pickup_pid, m->qid);
    sb_s(&L, "uid=102 from=<"); sender_addr(&L, m);
    sb_s(&L, "> orig_id="); sb_s(&L, old);
    line_end();
    m->size += 100 + rndr(40);
    log_cleanup(t, m);
    m->state = ST_NEW;
    msg_ev(t + (int64_t)(rndf() * 0.05 * SEC), EV_ACTIVE, mi);
}

/* ev_reload - postfix reload: new qmgr/pickup, due deferred mail retried */
static void ev_reload(int64_t t, int flush)
{
    if (!flush) {
        line_start(t, "postfix-script", new_pid(), NULL);
        sb_s(&L, "refreshing the Postfix mail system");
        line_end();
        line_start(t, "master", master_pid, NULL);
        sb_s(&L, "reload -- version 3.7.11, configuration /etc/postfix");
        line_end();
        qmgr_pid = new_pid();
        pickup_pid = new_pid();
    }
    for (uint32_t mi = 0; mi < nmsgs; mi++) {
        msg_t *m = &msgs[mi];
        if (m->state != ST_DEFERRED || (!flush && m->next_retry > t)) continue;
        m->gen++;
        msg_ev(t + (int64_t)((1 + rndf() * (flush ? 90 : 30)) * SEC), EV_RETRY, mi);
    }
}

/* ev_stats - anvil and scache periodic statistics */
static void ev_stats(int64_t t)
{
    ev_push(t + 600 * SEC + rndr(3) * SEC, EV_STATS, 0, 0, 0);
    static const char *const who[] = { "10.0.1.21", "10.0.1.22", "10.0.1.11", "10.0.1.12" };
    char when[20];
    int64_t tw = t - (int64_t)rndr(500) * SEC;
    fmt_stamp(tw > 0 ? tw : 0);
    memcpy(when, stamp, 16);
    line_start(t, "anvil", anvil_pid, NULL);
    sb_s(&L, "statistics: max connection rate "); sb_u(&L, 2 + rndr(40));
    sb_s(&L, "/60s for (smtp:"); sb_s(&L, who[rndr(4)]); sb_s(&L, ") at "); sb_s(&L, when);
    line_end();
    line_start(t, "anvil", anvil_pid, NULL);
    sb_s(&L, "statistics: max connection count "); sb_u(&L, 1 + rndr(6));
    sb_s(&L, " for (smtp:"); sb_s(&L, who[rndr(4)]); sb_s(&L, ") at "); sb_s(&L, when);
    line_end();
    line_start(t, "anvil", anvil_pid, NULL);
    sb_s(&L, "statistics: max cache size "); sb_u(&L, 2 + rndr(9)); sb_s(&L, " at "); sb_s(&L, when);
    line_end();
    line_start(t, "scache", scache_pid, NULL);
    sb_s(&L, "statistics: start interval "); sb_s(&L, when);
    line_end();
    uint32_t hits = 50 + rndr(2000), miss = 20 + rndr(400);
    line_start(t, "scache", scache_pid, NULL);
    sb_s(&L, "statistics: domain lookup hits="); sb_u(&L, hits); sb_s(&L, " miss="); sb_u(&L, miss);
    sb_s(&L, " success="); sb_u(&L, hits * 100 / (hits + miss)); sb_c(&L, '%');
    line_end();
    line_start(t, "scache", scache_pid, NULL);
    sb_s(&L, "statistics: max simultaneous domains="); sb_u(&L, 3 + rndr(30));
    sb_s(&L, " addresses="); sb_u(&L, 4 + rndr(40)); sb_s(&L, " connection="); sb_u(&L, 4 + rndr(60));
    line_end();
}

/* ev_noise - scanners, auth failures, relay attempts and warnings */
static void ev_noise(int64_t t)
{
    ev_push(t + (int64_t)(rnd_exp(40.0 * 1e6 / (base_rate * 86400.0 + 1) + 8.0) * SEC), EV_NOISE, 0, 0, 0);
    uint32_t ip = 0xC6120000 | rndr(0x20000);           /* 198.18.0.0/15 */
    int pid = svc_pid(SV_SMTPD), kind = (int)rndr(10);
    if (kind == 9) {
        line_start(t, "smtp", svc_pid(SV_SMTP), NULL);
        sb_s(&L, "warning: TLS library problem: error:0A000126:SSL routines::unexpected eof while reading:../ssl/record/rec_layer_s3.c:317:");
        line_end();
        return;
    }
    if (kind == 8) {
        line_start(t, "smtpd", pid, NULL);
        sb_s(&L, "warning: hostname "); sb_ip(&L, ip); sb_s(&L, ".static.example-isp.net does not resolve to address ");
        sb_ip(&L, ip); sb_s(&L, ": Name or service not known");
        line_end();
    }
    line_start(t, "smtpd", pid, NULL);
    sb_s(&L, "connect from unknown["); sb_ip(&L, ip); sb_c(&L, ']');
    line_end();
    int64_t t2 = t + (int64_t)(rndf() * 3 * SEC);
    const char *tail;
    switch (kind) {
    case 0: case 1: case 2:
        line_start(t2, "smtpd", pid, NULL);
        sb_s(&L, "warning: unknown["); sb_ip(&L, ip); sb_s(&L, "]: SASL LOGIN authentication failed: UGFzc3dvcmQ6");
        line_end();
        tail = " ehlo=1 auth=0/1 rset=1 quit=1 commands=3/4";
        break;
    case 3: case 4:
        line_start(t2, "smtpd", pid, NULL);
        sb_s(&L, "NOQUEUE: reject: RCPT from unknown["); sb_ip(&L, ip);
        sb_s(&L, "]: 554 5.7.1 <spameri@tiscali.it>: Relay access denied; from=<spameri@tiscali.it> to=<spameri@tiscali.it> proto=ESMTP helo=<");
        sb_s(&L, HELOS[rndr(sizeof HELOS / sizeof *HELOS)]); sb_c(&L, '>');
        line_end();
        tail = " ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4";
        break;
    case 5:
        line_start(t2, "smtpd", pid, NULL);
        sb_s(&L, "warning: non-SMTP command from unknown["); sb_ip(&L, ip); sb_s(&L, "]: GET / HTTP/1.1");
        line_end();
        tail = " unknown=0/1 commands=0/1";
        break;
    default:
        line_start(t2, "smtpd", pid, NULL);
        sb_s(&L, "lost connection after "); sb_s(&L, kind == 6 ? "AUTH" : "EHLO");
        sb_s(&L, " from unknown["); sb_ip(&L, ip); sb_c(&L, ']');
        line_end();
        tail = kind == 6 ? " ehlo=1 auth=0/1 commands=1/2" : " ehlo=1 commands=1";
        break;
    }
    line_start(t2, "smtpd", pid, NULL);
    sb_s(&L, "disconnect from unknown["); sb_ip(&L, ip); sb_c(&L, ']'); sb_s(&L, tail);
    line_end();
}

/* ------------------------------------------------------------------ */
/* setup and main loop                                                 */

/* seed_backlog - deferred mail already queued when the log starts */
static void seed_backlog(int count)
{
    for (int i = 0; i < count; i++) {
        int64_t age = (int64_t)(rndf() * (double)(MAX_LIFE - 600 * SEC)) + 600 * SEC;
        static const int snd[] = { 0, 1, 2, 3, 5, 6, 7 };
        int sender = snd[rndr(7)];
        uint32_t mi = new_message(-age, sender, 1, 1);
        msg_t *m = &msgs[mi];
        /* queue ids were made at a negative time: redo with a sane usec part */
        make_qid(m->qid, (int64_t)rndr(1000000));
        m->r[0].tries = (unsigned char)(1 + rndr(60));
        if (!(doms[m->r[0].dom].traits & T_DOWN) && m->r[0].fate != FATE_QUOTA) {
            m->r[0].fate = FATE_QUOTA;
            m->r[0].quota_left = (unsigned char)(1 + rndr(40));
        }
        int64_t back = age < MIN_BACK ? MIN_BACK : age > MAX_BACK ? MAX_BACK : age;
        m->next_retry = (int64_t)(rndf() * (double)back);
        m->state = ST_DEFERRED;
        msg_ev(next_scan(m->next_retry), EV_RETRY, mi);
    }
}

/* usage - print usage and exit */
static void usage(int code)
{
    fprintf(code ? stderr : stdout,
            "usage: gen-log [-n LINES] [-s SEED] [-o FILE]\n"
            "  -n LINES  number of log lines to write (default 1000000)\n"
            "  -s SEED   random seed (default 1); same seed, same output\n"
            "  -o FILE   write to FILE instead of standard output\n");
    exit(code);
}

/* parse_u64 - strict decimal/hex number parsing for options */
static uint64_t parse_u64(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || *s == '-') {
        fprintf(stderr, "gen-log: bad %s: %s\n", what, s);
        exit(2);
    }
    return (uint64_t)v;
}

/* main - parse options, build the world, run the simulation */
int main(int argc, char **argv)
{
    uint64_t nlines = 1000000, seed = 1;
    const char *path = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "n:s:o:h")) != -1) {
        switch (opt) {
        case 'n': nlines = parse_u64(optarg, "line count"); break;
        case 's': seed = parse_u64(optarg, "seed"); break;
        case 'o': path = optarg; break;
        case 'h': usage(0); break;
        default: usage(2);
        }
    }
    if (optind != argc) usage(2);
    out = path ? fopen(path, "w") : stdout;
    if (!out) { fprintf(stderr, "gen-log: %s: %s\n", path, strerror(errno)); return 1; }
    static char obuf[1 << 20];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    if (nlines == 0) return fclose(out) ? 1 : 0;
    lines_limit = nlines;

    uint64_t sm = seed ^ 0x6D716D6F6E2D6C67ULL;     /* "mqmon-lg" */
    rng_state = splitmix64(&sm) | 1;

    build_pick_tables();
    build_domains();
    build_senders();

    /* calibrated: about 15 log lines per newly accepted message (retries,
     * backlog and noise included) makes the request span about a day */
    double msgs_per_day = (double)nlines / 15.0;
    if (msgs_per_day < 15000) msgs_per_day = 15000;
    base_rate = msgs_per_day * 0.70 / 86400.0;
    build_world(msgs_per_day);

    next_pid += (int)rndr(3000);
    master_pid = new_pid(); qmgr_pid = new_pid(); pickup_pid = new_pid();
    anvil_pid = new_pid(); scache_pid = new_pid();
    inode_next = 0xF0000 + rndr(0x8000);     /* ids grow from 10 to 11 chars */

    seed_backlog((int)(msgs_per_day / 14.0));
    int64_t t0 = (int64_t)rndr(5) * SEC;
    ev_push(t0, EV_SESSION, 0, 0, 0);
    ev_push(t0 + 30 * SEC, EV_CAMPAIGN, 0, 0, 0);
    ev_push(t0 + (int64_t)rndr(600) * SEC, EV_STATS, 0, 0, 0);
    ev_push(t0 + (int64_t)rndr(60) * SEC, EV_NOISE, 0, 0, 0);
    ev_push((int64_t)(1 + rndr(4)) * 3600 * SEC, EV_OPS, 0, 0, 0);
    ev_push((int64_t)(2 + rndr(20)) * 3600 * SEC + rndr(3600) * SEC, EV_RELOAD, 0, 0, 0);
    ev_push((int64_t)(8 + rndr(10)) * 3600 * SEC + rndr(3600) * SEC, EV_FLUSH, 0, 0, 0);

    while (!done && nheap) {
        event_t e = ev_pop();
        int64_t t = e.t;
        if (e.kind >= EV_SUBMIT && e.kind <= EV_PICKUP && e.kind != EV_DISCONNECT &&
            msgs[e.arg].gen != e.gen)
            continue;                                   /* cancelled */
        switch (e.kind) {
        case EV_SESSION:    ev_session(t, 0); break;
        case EV_CAMPAIGN:   ev_session(t, 1); break;
        case EV_SUBMIT:     ev_submit(t, e.arg, e.aux); break;
        case EV_DISCONNECT: ev_disconnect(t, (int)e.arg, (int)e.gen, e.aux); break;
        case EV_ACTIVE:     ev_active(t, e.arg); break;
        case EV_DELIVER:    ev_deliver(t, e.arg); break;
        case EV_RETRY:      ev_retry(t, e.arg); break;
        case EV_REMOVE:     ev_remove(t, e.arg); break;
        case EV_PICKUP:     ev_pickup(t, e.arg); break;
        case EV_OPS:        ev_ops(t); break;
        case EV_RELEASE:    ev_release(t); break;
        case EV_RELOAD:     ev_reload(t, 0); ev_push(t + DAY, EV_RELOAD, 0, 0, 0); break;
        case EV_FLUSH:      ev_reload(t, 1); ev_push(t + DAY, EV_FLUSH, 0, 0, 0); break;
        case EV_STATS:      ev_stats(t); break;
        case EV_NOISE:      ev_noise(t); break;
        }
    }
    if (fflush(out) || (path && fclose(out))) {
        fprintf(stderr, "gen-log: write error: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
