/* exim_log - parse one line of Exim's main log; see exim_log.h
 *
 * One pass, left to right: stamp, optional zone and [pid], optional message
 * ID, then a dispatch on what follows. Delivery lines (`=> -> *> == **`) go
 * through one field walker that knows the few fields whose values hold
 * spaces or colons (H=name [ip]:port, C="...", DN="...", F=<...>, P=<...>,
 * `defer (N): strerror`) and skips every other `KEY=value` or bare word, up
 * to the `: ` that starts Exim's message. The formats are those of Exim's
 * deliver.c (delivery_log, deferral_log, failure_log), retry.c (`** addr:
 * retry timeout exceeded`) and transports/smtp.c (check_response,
 * write_logs).
 */
#include "core/exim/exim_log.h"

#include <string.h>

#include "core/exim/exim_id.h"
#include "core/exim/exim_time.h"

#define SMTP_ERROR_PREFIX "SMTP error from remote mail server after "

/* starts - true when p[0..end) starts with the literal */
static int starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* is_word - true when p[0..end) is exactly the literal or starts with it followed by a space */
static int is_word(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return starts(p, end, lit) && ((size_t)(end - p) == n || p[n] == ' ');
}

/* mkspan - the span [a, b) */
static struct span mkspan(const char *a, const char *b)
{
	struct span s = { a, (size_t)(b - a) };

	return s;
}

/* digits - parse exactly n decimal digits at p; -1 when not digits */
static int digits(const char *p, const char *end, int n)
{
	int v = 0, i;

	if (end - p < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* days_from_civil - days since 1970-01-01 of a proleptic Gregorian date (as logline.c) */
static long days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* is_colon_end - true when p is a ':' ending a value: followed by a space or the end of the line */
static int is_colon_end(const char *p, const char *end)
{
	return p < end && *p == ':' && (p + 1 == end || p[1] == ' ');
}

/* parse_stamp - "YYYY-MM-DD HH:MM:SS[.frac][ +ZZZZ] [[pid] ]"; the position after it, NULL when not a stamp */
static const char *parse_stamp(struct log_clock *clock, const char *p, const char *end, struct log_event *ev)
{
	int y, mo, d, hh, mm, ss, zone = 0, has_zone = 0;

	if (end - p < 20)
		return NULL;
	y = digits(p, end, 4);
	mo = digits(p + 5, end, 2);
	d = digits(p + 8, end, 2);
	hh = digits(p + 11, end, 2);
	mm = digits(p + 14, end, 2);
	ss = digits(p + 17, end, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mm < 0 || mm > 59
	    || ss < 0 || ss > 60 || p[4] != '-' || p[7] != '-' || p[10] != ' ' || p[13] != ':' || p[16] != ':')
		return NULL;
	p += 19;
	if (p < end && *p == '.') {
		long v = 0;
		int n = 0;

		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			if (n < 6) {
				v = v * 10 + (*p - '0');
				n++;
			}
		if (n == 0)
			return NULL;
		while (n++ < 6)
			v *= 10;
		ev->usec = v;
	}
	if (p >= end || *p != ' ')
		return NULL;
	p++;
	/* " +0100 " (log_timezone); Exim writes %+03d%02d */
	if (end - p >= 6 && (*p == '+' || *p == '-') && p[5] == ' ') {
		int oh = digits(p + 1, end, 2), om = digits(p + 3, end, 2);

		if (oh >= 0 && om >= 0 && om < 60) {
			zone = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
			has_zone = 1;
			p += 6;
		}
	}
	if (has_zone)
		ev->time = (time_t)(days_from_civil(y, mo, d) * 86400L + hh * 3600L + mm * 60L + ss - zone);
	else
		ev->time = log_clock_local(clock, y, mo - 1, d, hh, mm, ss);
	/* "[pid] " (log_selector +pid) */
	if (p < end && *p == '[') {
		const char *q = p + 1;
		long pid = 0;
		int n = 0;

		for (; q < end && *q >= '0' && *q <= '9'; q++, n++)
			if (n < 10)
				pid = pid * 10 + (*q - '0');
		if (n > 0 && n <= 10 && q < end && *q == ']' && (q + 1 == end || q[1] == ' ')) {
			ev->pid = pid;
			p = q + 1 < end ? q + 2 : end;
		}
	}
	return p;
}

/* find_enhanced - the enhanced status code of a reply "NNN[ -]C.SSS.DDD ..." in [p, end); empty span when none */
static struct span find_enhanced(const char *p, const char *end)
{
	struct span none = { p, 0 };
	const char *q;
	int part;

	if (digits(p, end, 3) < 0 || end - p < 9 || (p[3] != ' ' && p[3] != '-'))
		return none;
	q = p + 4;
	if (*q != '2' && *q != '4' && *q != '5')
		return none;
	q++;
	for (part = 0; part < 2; part++) {
		int n = 0;

		if (q >= end || *q != '.')
			return none;
		for (q++; q < end && *q >= '0' && *q <= '9'; q++)
			n++;
		if (n < 1 || n > 3)
			return none;
	}
	if (q < end && (*q == '.' || (*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z')))
		return none;
	return mkspan(p + 4, q);
}

/* stage_kind - the SMTP stage named by Exim's command text ("RCPT TO:<..>", "initial connection" ...) */
static enum smtp_stage stage_kind(struct span s)
{
	const char *p = s.p, *end = s.p + s.n;

	if (starts(p, end, "pipelined "))
		p += 10;
	if (starts(p, end, "initial connection"))
		return STAGE_GREETING;
	if (starts(p, end, "EHLO") || starts(p, end, "HELO") || starts(p, end, "LHLO"))
		return STAGE_HELO;
	if (starts(p, end, "STARTTLS"))
		return STAGE_STARTTLS;
	if (starts(p, end, "MAIL FROM"))
		return STAGE_MAIL;
	if (starts(p, end, "RCPT TO"))
		return STAGE_RCPT;
	if (starts(p, end, "DATA") || starts(p, end, "BDAT"))
		return STAGE_DATA;
	if (starts(p, end, "end of data"))
		return STAGE_END;
	return STAGE_UNKNOWN;
}

/* split_smtp_error - in a message "SMTP error from remote mail server after STAGE: REPLY", the stage
 * and the reply (old Exim's "...: host NAME [IP]: REPLY" too); 1 when the message is one */
static int split_smtp_error(struct span msg, struct exim_log_info *xi, struct span *reply)
{
	const char *p = msg.p, *end = msg.p + msg.n, *stage, *q;

	if (!starts(p, end, SMTP_ERROR_PREFIX))
		return 0;
	stage = p + strlen(SMTP_ERROR_PREFIX);
	q = stage;
	/* an address in the command may hold ": " in a quoted local part: look after its '>' */
	if (starts(q, end, "pipelined "))
		q += 10;
	if (starts(q, end, "RCPT TO:<") || starts(q, end, "MAIL FROM:<")) {
		const char *gt = memchr(q, '>', (size_t)(end - q));

		if (gt != NULL)
			q = gt;
	}
	for (; q < end && !is_colon_end(q, end); q++)
		;
	if (q >= end)
		return 0;
	xi->stage = mkspan(stage, q);
	xi->stage_kind = stage_kind(xi->stage);
	q++;
	if (q < end)
		q++;
	/* Exim before 4.8x: "...: host mx0.gmx.com [74.208.5.90]: 450 ..." */
	if (starts(q, end, "host ")) {
		const char *name = q + 5, *sp = memchr(name, ' ', (size_t)(end - name)), *rb;

		if (sp != NULL && end - sp > 2 && sp[1] == '[' && (rb = memchr(sp, ']', (size_t)(end - sp))) != NULL
		    && is_colon_end(rb + 1, end)) {
			if (xi->host_name.n == 0) {
				xi->host_name = mkspan(name, sp);
				xi->host_ip = mkspan(sp + 2, rb);
			}
			q = rb + 2 < end ? rb + 3 : end;
		}
	}
	*reply = mkspan(q, end);
	return 1;
}

/* note_other_stage - stage of Exim's own failure texts ("SMTP timeout after X", "... in response to X") */
static void note_other_stage(struct span msg, struct exim_log_info *xi)
{
	static const char *const lead[] = {
		"SMTP timeout after ", "Remote host closed connection in response to ",
	};
	const char *end = msg.p + msg.n;
	size_t i;

	for (i = 0; i < sizeof lead / sizeof lead[0]; i++)
		if (starts(msg.p, end, lead[i])) {
			const char *s = msg.p + strlen(lead[i]), *q = s;

			while (q < end && *q != '(')	/* " (123 bytes written)" */
				q++;
			while (q > s && q[-1] == ' ')
				q--;
			xi->stage = mkspan(s, q);
			xi->stage_kind = stage_kind(xi->stage);
			return;
		}
}

/* parse_host - "name[ DS] [ip][:port][*]" at p (after "H="); fills xi and the relay span, returns the end.
 * When strict, a name not followed by " [ip]" is refused (returns NULL). */
static const char *parse_host(const char *p, const char *end, struct exim_log_info *xi, struct span *relay,
			      int strict)
{
	const char *name = p, *q = p;

	while (q < end && *q != ' ' && !is_colon_end(q, end))
		q++;
	if (q == name)
		return NULL;
	xi->host_name = mkspan(name, q);
	if (starts(q, end, " DS ["))	/* log_selector +dnssec */
		q += 3;
	if (end - q >= 2 && q[0] == ' ' && q[1] == '[') {
		const char *rb = memchr(q + 2, ']', (size_t)(end - q - 2));

		if (rb == NULL)
			return NULL;
		xi->host_ip = mkspan(q + 2, rb);
		q = rb + 1;
		if (end - q >= 2 && *q == ':' && q[1] >= '0' && q[1] <= '9') {
			int port = 0, n = 0;

			for (q++; q < end && *q >= '0' && *q <= '9'; q++, n++)
				if (n < 6)
					port = port * 10 + (*q - '0');
			xi->port = port <= 65535 ? port : 0;
		}
	} else if (strict) {
		return NULL;
	}
	*relay = mkspan(name, q);
	if (q < end && *q == '*')	/* af_cont_conn: a continued connection */
		q++;
	return q;
}

/* skip_quoted - past a "..." value with backslash escapes starting at the quote; its inside in *in */
static const char *skip_quoted(const char *q, const char *end, struct span *in)
{
	const char *s = ++q;

	while (q < end && *q != '"') {
		if (*q == '\\' && q + 1 < end)
			q++;
		q++;
	}
	*in = mkspan(s, q);
	return q < end ? q + 1 : end;
}

/* parse_address - ADDR [(PARENT)] [<TOP>] at p; fills to/orig_to/parent, returns the position after them */
static const char *parse_address(const char *p, const char *end, struct log_event *ev, struct exim_log_info *xi)
{
	const char *a = p;

	if (p < end && *p == '"') {	/* quoted local part: may hold spaces */
		struct span in;

		p = skip_quoted(p, end, &in);
	}
	while (p < end && *p != ' ' && !is_colon_end(p, end))
		p++;
	ev->to = mkspan(a, p);
	if (end - p >= 2 && p[0] == ' ' && p[1] == '(') {
		const char *rp = memchr(p + 2, ')', (size_t)(end - p - 2));

		if (rp != NULL) {
			xi->parent = mkspan(p + 2, rp);
			p = rp + 1;
		}
	}
	if (end - p >= 2 && p[0] == ' ' && p[1] == '<') {
		const char *gt = memchr(p + 2, '>', (size_t)(end - p - 2));

		if (gt != NULL) {
			ev->orig_to = mkspan(p + 2, gt);
			p = gt + 1;
		}
	}
	return p;
}

/* parse_fields - walk the fields after the address up to ": MESSAGE"; fills ev and xi */
static void parse_fields(const char *p, const char *end, struct log_event *ev, struct exim_log_info *xi)
{
	for (;;) {
		const char *k;

		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			return;
		if (*p == ':' && (p + 1 == end || p[1] == ' ')) {
			p += p + 1 < end ? 2 : 1;
			xi->message = mkspan(p, end);
			return;
		}
		if (starts(p, end, "H=")) {
			const char *q = parse_host(p + 2, end, xi, &ev->relay, 0);

			if (q != NULL) {
				p = q;
				continue;
			}
		} else if (starts(p, end, "defer (")) {
			const char *q = p + 7;
			long v = 0;
			int neg = 0, n = 0;

			if (q < end && *q == '-') {
				neg = 1;
				q++;
			}
			for (; q < end && *q >= '0' && *q <= '9'; q++, n++)
				if (n < 9)
					v = v * 10 + (*q - '0');
			if (n > 0 && q < end && *q == ')') {
				xi->has_errno = 1;
				xi->defer_errno = (int)(neg ? -v : v);
				p = q + 1;
				if (xi->defer_errno > 0 && end - p >= 2 && p[0] == ':' && p[1] == ' ') {
					/* "defer (111): Connection refused H=..." */
					const char *s = p + 2, *e = s;

					while (e < end && !starts(e, end, " H=") && !starts(e, end, " DT=")
					       && !is_colon_end(e, end))
						e++;
					xi->errno_text = mkspan(s, e);
					p = e;
				}
				continue;
			}
		} else if (starts(p, end, "C=\"") || starts(p, end, "DN=\"")) {
			struct span in;
			const char *q = skip_quoted(p + (*p == 'C' ? 2 : 3), end, &in);

			if (*p == 'C')
				ev->reason = in;	/* a delivery's confirmation; deferrals set theirs later */
			p = q;
			continue;
		} else if ((starts(p, end, "F=<") || starts(p, end, "P=<"))) {
			const char *gt = memchr(p + 3, '>', (size_t)(end - p - 3));

			if (gt != NULL) {
				p = gt + 1;
				continue;
			}
		}
		/* KEY=value or a bare word: up to a space or a ':' that ends it */
		k = p;
		while (p < end && *p != ' ' && *p != '=' && !is_colon_end(p, end))
			p++;
		if (p < end && *p == '=') {
			const char *v = ++p;

			while (p < end && *p != ' ' && !is_colon_end(p, end))
				p++;
			if (v - k == 2 && k[0] == 'R')
				xi->router = mkspan(v, p);
			else if (v - k == 2 && k[0] == 'T')
				xi->transport = mkspan(v, p);
		}
	}
}

/* set_reason - the reason and dsn of a deferral or failure from Exim's message */
static void set_reason(struct log_event *ev, struct exim_log_info *xi)
{
	struct span reply, none = { NULL, 0 };

	ev->dsn = none;
	if (xi->message.n == 0) {
		ev->reason = xi->errno_text;	/* "defer (111): Connection refused" and nothing more */
		return;
	}
	if (split_smtp_error(xi->message, xi, &reply)) {
		ev->reason = reply;
		ev->dsn = find_enhanced(reply.p, reply.p + reply.n);
		return;
	}
	note_other_stage(xi->message, xi);
	ev->reason = xi->message;
}

/* ends_with - true when the span ends with the literal */
static int ends_with(struct span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}

/* parse_delivery - a `=> -> *> == **` line after the flag and its space */
static enum log_kind parse_delivery(const char *flag, const char *p, const char *end, struct log_event *ev,
				    struct exim_log_info *xi)
{
	p = parse_address(p, end, ev, xi);
	if (ev->to.n == 0)
		return LOG_OTHER;
	parse_fields(p, end, ev, xi);
	ev->status_word = mkspan(flag, flag + 2);
	if (flag[0] == '=' && flag[1] == '=') {
		set_reason(ev, xi);
		ev->status = STATUS_DEFERRED;
		if (xi->has_errno && xi->defer_errno <= EXIM_ERRNO_RETRY_BASE)
			return LOG_RETRY_SKIP;
		return LOG_DELIVERY;
	}
	if (flag[0] == '*' && flag[1] == '*') {
		set_reason(ev, xi);
		ev->status = ends_with(xi->message, "retry timeout exceeded") ? STATUS_EXPIRED : STATUS_BOUNCED;
		return LOG_DELIVERY;
	}
	if (flag[0] == '*') {	/* "*>": delivery suppressed (-N) */
		ev->status = STATUS_OTHER;
		return LOG_DELIVERY;
	}
	/* "=>", "->": the reason is the C="..." confirmation, when logged */
	ev->status = STATUS_SENT;
	if (ev->reason.n)
		ev->dsn = find_enhanced(ev->reason.p, ev->reason.p + ev->reason.n);
	return LOG_DELIVERY;
}

/* parse_arrival - "<= SENDER ... S=N ..." after the flag and its space */
static enum log_kind parse_arrival(const char *p, const char *end, struct log_event *ev)
{
	const char *s = p, *q;

	if (starts(p, end, "<>") && (end - p == 2 || p[2] == ' ')) {
		ev->from = mkspan(p, p);
		p += 2;
	} else {
		while (p < end && *p != ' ')
			p++;
		if (p == s)
			return LOG_OTHER;
		ev->from = mkspan(s, p);
	}
	for (q = p; q + 3 < end; q++) {
		if (q[0] == ' ' && q[1] == 'S' && q[2] == '=' && q[3] >= '0' && q[3] <= '9') {
			long v = 0;

			for (q += 3; q < end && *q >= '0' && *q <= '9'; q++)
				if (v < 1000000000000000L)
					v = v * 10 + (*q - '0');
			ev->size = v;
			break;
		}
	}
	return LOG_QUEUED;
}

/* parse_note - "H=host [ip][:port]: TEXT" or "H=host [ip] TEXT": a host-level failure of an attempt */
static enum log_kind parse_note(const char *p, const char *end, struct log_event *ev, struct exim_log_info *xi)
{
	const char *q = parse_host(p + 2, end, xi, &ev->relay, 1);
	struct span reply;

	if (q == NULL)
		return LOG_OTHER;
	if (is_colon_end(q, end))
		q += q + 1 < end ? 2 : 1;
	else if (q < end && *q == ' ') {
		const char *w = q + 1;

		/* an inbound line ("H=(helo) [ip] F=<..> rejected ...") has fields, a failure has words */
		while (w < end && *w != ' ' && *w != '=')
			w++;
		if (w < end && *w == '=')
			return LOG_OTHER;
		q++;
	} else {
		return LOG_OTHER;
	}
	xi->message = mkspan(q, end);
	if (xi->message.n && split_smtp_error(xi->message, xi, &reply)) {
		ev->reason = reply;
		ev->dsn = find_enhanced(reply.p, reply.p + reply.n);
	} else {
		note_other_stage(xi->message, xi);
		ev->reason = xi->message;
	}
	return LOG_ATTEMPT_NOTE;
}

/* classify_text - dispatch on the text after the message ID */
static enum log_kind classify_text(const char *p, const char *end, struct log_event *ev, struct exim_log_info *xi)
{
	if (end - p >= 3 && p[2] == ' ') {
		const char *f = p;

		if (f[0] == '<' && f[1] == '=') {
			xi->flag = mkspan(f, f + 2);
			return parse_arrival(p + 3, end, ev);
		}
		if ((f[0] == '=' && (f[1] == '>' || f[1] == '=')) || (f[0] == '-' && f[1] == '>')
		    || (f[0] == '*' && (f[1] == '*' || f[1] == '>'))) {
			xi->flag = mkspan(f, f + 2);
			return parse_delivery(f, p + 3, end, ev, xi);
		}
	}
	if (starts(p, end, "H="))
		return parse_note(p, end, ev, xi);
	if (is_word(p, end, "Completed") || starts(p, end, "removed by ") || starts(p, end, "cancelled by "))
		return LOG_REMOVED;
	if (starts(p, end, "frozen by ") || is_word(p, end, "Message is frozen") || is_word(p, end, "Frozen"))
		return LOG_HOLD;
	if (starts(p, end, "unfrozen by ") || starts(p, end, "Unfrozen by "))
		return LOG_RELEASE;
	return LOG_OTHER;
}

/* exim_log_parse - parse line[0..len) into ev and, when xi is not NULL, xi; returns ev->kind */
enum log_kind exim_log_parse(struct log_clock *clock, const char *line, size_t len, struct log_event *ev,
			     struct exim_log_info *xi)
{
	struct exim_log_info scratch;
	const char *p, *end = line + len, *q;
	size_t idlen;

	if (xi == NULL)
		xi = &scratch;
	memset(ev, 0, sizeof *ev);
	memset(xi, 0, sizeof *xi);
	ev->pid = -1;
	ev->kind = LOG_UNPARSED;
	if (line == NULL)
		return ev->kind;
	while (end > line && (end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if ((p = parse_stamp(clock, line, end, ev)) == NULL)
		return ev->kind;
	ev->kind = LOG_OTHER;
	ev->text = mkspan(p, end);

	for (q = p; q < end && *q != ' '; q++)
		;
	idlen = (size_t)(q - p);
	if (!exim_id_valid(p, idlen))
		return ev->kind;
	memcpy(ev->queue_id, p, idlen);
	ev->queue_id[idlen] = '\0';
	p = q < end ? q + 1 : end;
	ev->text = mkspan(p, end);
	ev->kind = classify_text(p, end, ev, xi);
	/* the reason is the remote's reply alone: the stage Exim named before it goes with the event */
	ev->stage = xi->stage_kind;
	return ev->kind;
}

/* exim_log_maybe_deferral - cheap prefilter: false when line[0..len) cannot be a `==` deferral line */
int exim_log_maybe_deferral(const char *line, size_t len)
{
	return line != NULL && memmem(line, len, " == ", 4) != NULL;
}

/* exim_log_queue_interval - seconds between queue runs from a daemon start line; -1 when none */
long exim_log_queue_interval(const char *line, size_t len)
{
	static const char mark[] = " daemon started: pid=";
	const char *p, *end = line + len;

	if (line == NULL || (p = memmem(line, len, mark, sizeof mark - 1)) == NULL)
		return -1;
	p += sizeof mark - 1;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (!starts(p, end, ", "))
		return -1;
	p += 2;
	/* "-q1m -qGname/5m, listening ..." or "no queue runs, ..." */
	while (starts(p, end, "-q")) {
		const char *t = p + 2, *e = t;

		while (e < end && *e != ' ' && *e != ',')
			e++;
		if (t < e && *t == 'q')	/* -qq: two-stage queue run, same interval */
			t++;
		if (t < e && *t != 'G') {
			long v = exim_duration_parse(t, (size_t)(e - t));

			if (v > 0)
				return v;
		}
		if (e >= end || *e != ' ')
			break;
		p = e + 1;
	}
	return -1;
}
