/* postfix_log - the Postfix log dialect: one syslog line into a struct log_event
 *
 * The parser walks the line once, left to right: time stamp, host,
 * program[pid], queue ID, then a dispatch on the first word of the text.
 * Deliveries and qmgr lines are `key=value` lists separated by ", " (pickup
 * uses spaces); `status=` comes last and is followed by the reason in
 * parentheses, which runs to the last ')' of the line. Accepts classic
 * syslog lines (`Nov 22 12:57:38 host prog[pid]: text`) and RFC 3339 lines
 * (`2026-11-22T12:57:38.123456+01:00 host prog[pid]: text`, rsyslog high
 * precision or journald export), any `syslog_name/service` program
 * (`postfix/smtp`, `postfix-slow/smtp`, `postfix/submission/smtpd`), short
 * and long queue IDs.
 */
#include "core/postfix/postfix_log.h"

#include <string.h>

#include "core/postfix/queue_id.h"

/* starts - true when p[0..end) starts with the literal */
static int starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* parse_classic_stamp - "Nov 22 12:57:38 " (day may be space padded) */
static const char *parse_classic_stamp(struct log_clock *clock, const char *p,
				       const char *end, struct log_event *ev)
{
	int mon, day, hh, mm, ss, year;

	if (end - p < 16 || p[3] != ' ')
		return NULL;
	if ((mon = log_month_index(p)) < 0)
		return NULL;
	if (p[4] == ' ')
		day = log_digits(p + 5, end, 1);
	else
		day = log_digits(p + 4, end, 2);
	if (day < 1 || p[6] != ' ')
		return NULL;
	hh = log_digits(p + 7, end, 2);
	mm = log_digits(p + 10, end, 2);
	ss = log_digits(p + 13, end, 2);
	if (hh < 0 || mm < 0 || ss < 0 || p[9] != ':' || p[12] != ':')
		return NULL;
	p = log_fraction(p + 15, end, &ev->usec);
	if (p >= end || *p != ' ')
		return NULL;
	year = mon > clock->ref_mon ? clock->ref_year - 1 : clock->ref_year;
	ev->time = log_clock_local(clock, year, mon, day, hh, mm, ss);
	return p + 1;
}

/* parse_rfc3339_stamp - "2026-11-22T12:57:38[.frac](Z|+hh:mm) " */
static const char *parse_rfc3339_stamp(const char *p, const char *end, struct log_event *ev)
{
	int y, mo, d, hh, mm, ss, oh, om, sign;
	long off = 0;

	if (end - p < 20)
		return NULL;
	y = log_digits(p, end, 4);
	mo = log_digits(p + 5, end, 2);
	d = log_digits(p + 8, end, 2);
	hh = log_digits(p + 11, end, 2);
	mm = log_digits(p + 14, end, 2);
	ss = log_digits(p + 17, end, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || hh < 0 || mm < 0 || ss < 0
	    || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ')
	    || p[13] != ':' || p[16] != ':')
		return NULL;
	p = log_fraction(p + 19, end, &ev->usec);
	if (p < end && *p == 'Z') {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		sign = *p == '-' ? -1 : 1;
		oh = log_digits(p + 1, end, 2);
		if (oh < 0)
			return NULL;
		if (end - p >= 6 && p[3] == ':') {
			om = log_digits(p + 4, end, 2);
			p += 6;
		} else {
			om = log_digits(p + 3, end, 2);
			p += 5;
		}
		if (om < 0)
			return NULL;
		off = sign * (oh * 3600L + om * 60L);
	}
	if (p >= end || *p != ' ')
		return NULL;
	ev->time = (time_t)(log_days_from_civil(y, mo, d) * 86400L + hh * 3600L + mm * 60L + ss - off);
	return p + 1;
}

/* parse_number - decimal number with optional fraction in a span */
static double parse_number(struct span s)
{
	double v = 0, scale = 0.1;
	size_t i = 0;

	for (; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++)
		v = v * 10 + (s.p[i] - '0');
	if (i < s.n && s.p[i] == '.')
		for (i++; i < s.n && s.p[i] >= '0' && s.p[i] <= '9'; i++, scale /= 10)
			v += (s.p[i] - '0') * scale;
	return v;
}

/* parse_count - a non-negative integer field, clamped (no overflow on absurd input) */
static long parse_count(struct span s)
{
	double v = parse_number(s);

	return v > 1e15 ? 1000000000000000L : (long)v;
}

/* parse_delays - "a/b/c/d" */
static void parse_delays(struct span s, double out[4])
{
	const char *p = s.p, *end = s.p + s.n;
	int i;

	for (i = 0; i < 4 && p < end; i++) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		struct span part = { p, (size_t)((slash ? slash : end) - p) };

		out[i] = parse_number(part);
		p = slash ? slash + 1 : end;
	}
}

/* status_of - Postfix's status= word (its log's dialect, which mqmon's words in core/base/vocab happen to follow) */
static enum delivery_status status_of(struct span w)
{
	if (span_eq(w, "deferred"))
		return STATUS_DEFERRED;
	if (span_eq(w, "sent"))
		return STATUS_SENT;
	if (span_eq(w, "bounced"))
		return STATUS_BOUNCED;
	if (span_eq(w, "expired"))
		return STATUS_EXPIRED;
	return STATUS_OTHER;
}

/* store_field - file one key=value pair into the event */
static void store_field(struct log_event *ev, struct span key, struct span val)
{
	switch (key.n) {
	case 2:
		if (span_eq(key, "to"))
			ev->to = val;
		break;
	case 3:
		if (span_eq(key, "dsn"))
			ev->dsn = val;
		else if (span_eq(key, "uid"))
			ev->uid = parse_count(val);
		break;
	case 4:
		if (span_eq(key, "from"))
			ev->from = val;
		else if (span_eq(key, "size"))
			ev->size = parse_count(val);
		break;
	case 5:
		if (span_eq(key, "relay"))
			ev->relay = val;
		else if (span_eq(key, "delay"))
			ev->delay = parse_number(val);
		else if (span_eq(key, "nrcpt"))
			ev->nrcpt = (int)(parse_count(val) > 1000000 ? 1000000 : parse_count(val));
		break;
	case 6:
		if (span_eq(key, "delays"))
			parse_delays(val, ev->delays);
		break;
	case 7:
		if (span_eq(key, "orig_to"))
			ev->orig_to = val;
		else if (span_eq(key, "orig_id"))
			ev->orig_id = val;
		break;
	default:
		break;
	}
}

/* parse_fields - walk "k=v, k=v ... status=word (reason)" */
static void parse_fields(struct log_event *ev, const char *p, const char *end)
{
	while (p < end) {
		const char *k = p, *v;
		struct span key, val;

		while (p < end && ((*p >= 'a' && *p <= 'z') || *p == '_'))
			p++;
		if (p == k || p >= end || *p != '=')
			return;
		key.p = k;
		key.n = (size_t)(p - k);
		v = ++p;
		if (span_eq(key, "status")) {
			while (p < end && *p >= 'a' && *p <= 'z')
				p++;
			ev->status_word.p = v;
			ev->status_word.n = (size_t)(p - v);
			ev->status = status_of(ev->status_word);
			if (end - p >= 2 && p[0] == ' ' && p[1] == '(') {
				const char *r = p + 2, *e = end;

				if (e > r && e[-1] == ')')
					e--;
				ev->reason.p = r;
				ev->reason.n = (size_t)(e - r);
			} else if (p < end && *p == ',') {
				/* "status=expired, returned to sender" */
				const char *r = p + 1;

				while (r < end && *r == ' ')
					r++;
				ev->reason.p = r;
				ev->reason.n = (size_t)(end - r);
			}
			return;
		}
		if (p < end && *p == '<') {
			/* addresses: up to a '>' that ends the value */
			const char *q = p + 1;

			for (;;) {
				const char *gt = memchr(q, '>', (size_t)(end - q));

				if (gt == NULL) {
					q = end;
					break;
				}
				if (gt + 1 == end || gt[1] == ',' || gt[1] == ' ') {
					q = gt;
					break;
				}
				q = gt + 1;
			}
			val.p = p + 1;
			val.n = (size_t)(q - p - 1);
			p = q < end ? q + 1 : end;
		} else {
			while (p < end && *p != ',' && *p != ' ')
				p++;
			val.p = v;
			val.n = (size_t)(p - v);
		}
		store_field(ev, key, val);
		while (p < end && (*p == ',' || *p == ' '))
			p++;
	}
}

/* classify_text - dispatch on the text after "ID: " */
static enum log_kind classify_text(struct log_event *ev, const char *p, const char *end)
{
	if (starts(p, end, "to=<")) {
		parse_fields(ev, p, end);
		return ev->status != STATUS_NONE ? LOG_DELIVERY : LOG_OTHER;
	}
	if (starts(p, end, "from=<")) {
		parse_fields(ev, p, end);
		if (ev->status == STATUS_EXPIRED)
			return LOG_EXPIRED;
		return ev->nrcpt > 0 ? LOG_QUEUED : LOG_OTHER;
	}
	if (starts(p, end, "uid=")) {
		parse_fields(ev, p, end);
		return LOG_PICKUP;
	}
	if (starts(p, end, "message-id=")) {
		const char *v = p + 11;

		if (v < end && *v == '<' && end[-1] == '>') {
			ev->message_id.p = v + 1;
			ev->message_id.n = (size_t)(end - v - 2);
		} else {
			ev->message_id.p = v;
			ev->message_id.n = (size_t)(end - v);
		}
		return LOG_MESSAGE_ID;
	}
	if (starts(p, end, "client="))
		return LOG_CLIENT;
	if ((size_t)(end - p) == 7 && memcmp(p, "removed", 7) == 0)
		return LOG_REMOVED;
	if (starts(p, end, "placed on hold"))
		return LOG_HOLD;
	if (starts(p, end, "released from hold"))
		return LOG_RELEASE;
	if ((size_t)(end - p) == 8 && memcmp(p, "requeued", 8) == 0)
		return LOG_REQUEUE;
	if (starts(p, end, "host ") || starts(p, end, "lost connection with ")
	    || starts(p, end, "conversation with ") || starts(p, end, "connect to ")) {
		ev->reason.p = p;
		ev->reason.n = (size_t)(end - p);
		return LOG_ATTEMPT_NOTE;
	}
	return LOG_OTHER;
}

/* postfix_log_parse - parse one Postfix log line[0..len) (no newline) into ev; returns ev->kind */
static enum log_kind postfix_log_parse(struct log_clock *clock, const char *line, size_t len,
			    struct log_event *ev)
{
	const char *p = line, *end = line + len, *q, *prog, *prog_end, *slash;
	size_t idlen;

	memset(ev, 0, sizeof *ev);
	ev->pid = -1;
	ev->kind = LOG_UNPARSED;
	while (end > p && (end[-1] == '\r' || end[-1] == '\n'))
		end--;

	if (end - p >= 4 && p[0] >= '0' && p[0] <= '9')
		p = parse_rfc3339_stamp(p, end, ev);
	else
		p = parse_classic_stamp(clock, p, end, ev);
	if (p == NULL)
		return ev->kind;

	/* host */
	q = memchr(p, ' ', (size_t)(end - p));
	if (q == NULL || q == p)
		return ev->kind;
	ev->host.p = p;
	ev->host.n = (size_t)(q - p);
	p = q + 1;

	/* program[pid]: */
	prog = p;
	while (p < end && *p != '[' && *p != ':' && *p != ' ')
		p++;
	prog_end = p;
	if (p < end && *p == '[') {
		long pid = 0;

		int ndigits = 0;

		for (p++; p < end && *p >= '0' && *p <= '9'; p++, ndigits++)
			if (ndigits < 10)
				pid = pid * 10 + (*p - '0');
		if (p >= end || *p != ']' || ndigits > 10)
			return ev->kind;
		ev->pid = pid;
		p++;
	}
	if (end - p < 1 || *p != ':')
		return ev->kind;
	p++;
	if (p < end && *p == ' ')
		p++;
	ev->kind = LOG_OTHER;
	ev->text.p = p;
	ev->text.n = (size_t)(end - p);

	/* syslog_name/service: split at the last '/' */
	slash = NULL;
	for (q = prog; q < prog_end; q++)
		if (*q == '/')
			slash = q;
	if (slash == NULL) {
		ev->service.p = prog;
		ev->service.n = (size_t)(prog_end - prog);
		return ev->kind;
	}
	ev->syslog_name.p = prog;
	ev->syslog_name.n = (size_t)(slash - prog);
	ev->service.p = slash + 1;
	ev->service.n = (size_t)(prog_end - slash - 1);

	/* queue ID */
	for (q = p; q < end && ((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z')
				|| (*q >= 'a' && *q <= 'z')); q++)
		;
	idlen = (size_t)(q - p);
	if (end - q < 2 || q[0] != ':' || q[1] != ' ' || !postfix_id_valid(p, idlen))
		return ev->kind;
	memcpy(ev->queue_id, p, idlen);
	ev->queue_id[idlen] = '\0';
	p = q + 2;
	ev->text.p = p;
	ev->text.n = (size_t)(end - p);
	ev->kind = classify_text(ev, p, end);
	return ev->kind;
}

/* maybe_deferral - only lines with "status=deferred" can be deferrals */
static int maybe_deferral(const char *line, size_t len)
{
	return memmem(line, len, "status=deferred", 15) != NULL;
}

const struct log_dialect postfix_log_dialect = {
	.name = "postfix",
	.parse = postfix_log_parse,
	.maybe_deferral = maybe_deferral,
	.id_valid = postfix_id_valid,
};
