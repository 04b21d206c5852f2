/*
 * mqmon-peer - a scripted SMTP peer that defers mail the way big providers do.
 *
 * Design: the test bed points Postfix's smtp client at this program through a
 * transport map; every profile of an INI file ([profile.NAME]: port, stage,
 * reply, domains) makes one loopback port answer with a canned 4xx reply at
 * one point of the SMTP dialogue (greeting, helo, mail, rcpt, end of data) or
 * accept the mail.  Several profiles may share a port: the first one is the
 * port's default and governs greeting/HELO/MAIL, the others are picked by the
 * recipient domain at RCPT time (and at end of DATA for stage=data).
 *
 * One process, one poll() loop, non-blocking sockets bound to 127.0.0.1 only,
 * a fixed 1000-byte line buffer and a growable output buffer per connection.
 * A 421 reply (or QUIT) half-closes the socket once the reply is flushed and
 * drains the client for a few seconds, so the reply is never lost to a RST.
 * Every event goes to an append-only log, one write(2) per line:
 *     EPOCH PORT PROFILE EVENT DETAIL
 * so tests can count attempts per profile or domain with grep/awk.
 *
 * Reply texts may use %c (client IP), %s (sender), %r (recipient), %d
 * (recipient domain), %p (profile), %x (10 random hex digits), %% (a %); "\n"
 * separates the lines of a multi-line reply, each of which is sent with the
 * reply code (and enhanced status code) as a proper continuation line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1	/* accept4, daemon, open_memstream */
#endif
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <iniparser.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LINE_LIMIT   1000	/* longest accepted line, CRLF included */
#define MAX_CONNS    4096
#define IDLE_TIMEOUT 300	/* seconds without input before we hang up */
#define LINGER_TIME  5		/* seconds to drain a client after closing */
#define ADDR_MAX     256

enum stage { ST_GREETING, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_ACCEPT };

static const char *const stage_names[] = {
	"greeting", "helo", "mail", "rcpt", "data", "accept"
};

struct profile {
	char *name;
	int port;
	enum stage stage;
	char *reply;		/* NULL for stage=accept without a reply */
	char *banner;		/* host name in the 220 greeting */
	char **domains;
	size_t ndomains;
};

struct listener {
	int port;
	int fd;
	const struct profile *dflt;	/* the port's first profile */
};

enum cstate { CS_CMD, CS_DATA, CS_CLOSING, CS_LINGER };

struct conn {
	int fd;
	const struct listener *ls;
	char ip[INET_ADDRSTRLEN];
	int cport;
	enum cstate state;
	const char *why;		/* reason logged with the quit event */
	time_t last;			/* last input, or start of linger */
	char in[LINE_LIMIT + 1];
	size_t inlen;
	bool discard;			/* dropping the rest of a too-long line */
	bool midline;			/* DATA: inside a line we only partly kept */
	char *out;
	size_t outlen, outcap;
	bool helo, mail;
	size_t nrcpt;
	size_t size;
	const struct profile *data_prof;
	char sender[ADDR_MAX];
};

static struct profile *profiles;
static size_t nprofiles;
static struct listener *listeners;
static size_t nlisteners;
static struct conn *conns[MAX_CONNS];
static size_t nconns;
static int log_fd = -1;
static volatile sig_atomic_t stop_flag;
static uint64_t rng_state;

/* die - print a fatal error and exit */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("mqmon-peer: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* xmalloc - malloc that never returns NULL */
static void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

/* xrealloc - realloc that never returns NULL */
static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* xstrdup - strdup that never returns NULL */
static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

/* rand_hex - fill buf with n random lower-case hex digits (xorshift64) */
static void
rand_hex(char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		buf[i] = "0123456789abcdef"[rng_state & 15];
	}
	buf[n] = '\0';
}

/* sanitize - copy s into dst (size n), replacing blanks and controls by '_' */
static void
sanitize(char *dst, size_t n, const char *s)
{
	size_t i = 0;

	for (; s && *s && i + 1 < n; s++)
		dst[i++] = ((unsigned char)*s <= ' ' || *s == 0x7f) ? '_' : *s;
	dst[i] = '\0';
	if (i == 0 && n > 1)
		snprintf(dst, n, "-");
}

/* event - append "EPOCH PORT PROFILE EVENT DETAIL" to the event log */
static void __attribute__((format(printf, 4, 5)))
event(const struct conn *c, const struct profile *p, const char *ev,
      const char *fmt, ...)
{
	char line[1024];
	int n;
	va_list ap;

	if (log_fd < 0)
		return;
	n = snprintf(line, sizeof line, "%lld %d %s %s ", (long long)time(NULL),
		     c->ls->port, p->name, ev);
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(log_fd, line, (size_t)n) < 0)
		fprintf(stderr, "mqmon-peer: event log: %s\n", strerror(errno));
}

/* out_add - queue bytes for sending to the client */
static void
out_add(struct conn *c, const char *s, size_t n)
{
	if (c->outlen + n > c->outcap) {
		c->outcap = (c->outlen + n) * 2 + 256;
		c->out = xrealloc(c->out, c->outcap);
	}
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
}

/* out_line - queue one reply line and its CRLF */
static void
out_line(struct conn *c, const char *s)
{
	out_add(c, s, strlen(s));
	out_add(c, "\r\n", 2);
}

/* expand - return a malloc'd copy of tmpl with the %-escapes substituted */
static char *
expand(const char *tmpl, const struct conn *c, const struct profile *p,
       const char *rcpt)
{
	char *buf = NULL, hex[11];
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	const char *at;

	if (!fp)
		die("open_memstream: %s", strerror(errno));
	for (const char *s = tmpl; *s; s++) {
		if (*s != '%' || !s[1]) {
			fputc(*s, fp);
			continue;
		}
		switch (*++s) {
		case 'c': fputs(c->ip, fp); break;
		case 's': fputs(c->sender, fp); break;
		case 'r': fputs(rcpt ? rcpt : "", fp); break;
		case 'd':
			at = rcpt ? strrchr(rcpt, '@') : NULL;
			fputs(at ? at + 1 : "", fp);
			break;
		case 'p': fputs(p->name, fp); break;
		case 'x': rand_hex(hex, 10); fputs(hex, fp); break;
		default: fputc('%', fp); if (*s != '%') fputc(*s, fp); break;
		}
	}
	fclose(fp);
	return buf;
}

/* enh_len - length of an enhanced status code ("4.7.28") at s, or 0 */
static size_t
enh_len(const char *s)
{
	const char *p = s;

	if (!isdigit((unsigned char)*p) || p[1] != '.')
		return 0;
	p += 2;
	for (int part = 0; part < 2; part++) {
		const char *d = p;
		while (isdigit((unsigned char)*p))
			p++;
		if (p == d || p - d > 3)
			return 0;
		if (part == 0 && *p++ != '.')
			return 0;
	}
	return (*p == ' ' || *p == '\0') ? (size_t)(p - s) : 0;
}

/*
 * send_reply - send a possibly multi-line reply; returns its 3-digit code.
 * text is "CODE[ ENH] text" with "\n" (backslash n) between lines; lines may
 * repeat "CODE-ENH " / "CODE ENH " themselves, which is stripped and redone.
 */
static int
send_reply(struct conn *c, const char *text, char *dsn, size_t dsnsz)
{
	char code[4], enh[16] = "";
	size_t el;
	const char *s = text;

	if (strlen(text) < 3 || !isdigit((unsigned char)text[0]) ||
	    !isdigit((unsigned char)text[1]) || !isdigit((unsigned char)text[2]))
		die("reply without a 3-digit code: %s", text);
	memcpy(code, text, 3);
	code[3] = '\0';
	if ((text[3] == ' ' || text[3] == '-') && (el = enh_len(text + 4)) > 0 &&
	    el < sizeof enh)
		memcpy(enh, text + 4, el), enh[el] = '\0';
	if (dsn)
		snprintf(dsn, dsnsz, "%s", enh[0] ? enh : "-");

	while (s) {
		const char *nl = strstr(s, "\\n");
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char *seg = xmalloc(n + 1), *body;
		bool last = (nl == NULL);

		memcpy(seg, s, n);
		seg[n] = '\0';
		body = seg;
		if (!strncmp(body, code, 3) && (body[3] == ' ' || body[3] == '-' ||
						 body[3] == '\0')) {
			body += body[3] ? 4 : 3;
			if (enh[0] && !strncmp(body, enh, strlen(enh)) &&
			    (body[strlen(enh)] == ' ' || body[strlen(enh)] == '\0'))
				body += strlen(enh) + (body[strlen(enh)] ? 1 : 0);
		}
		out_add(c, code, 3);
		out_add(c, last ? " " : "-", 1);
		if (enh[0]) {
			out_add(c, enh, strlen(enh));
			if (*body)
				out_add(c, " ", 1);
		}
		out_line(c, body);
		free(seg);
		s = nl ? nl + 2 : NULL;
	}
	return atoi(code);
}

/* begin_close - stop reading commands; hang up once the output is flushed */
static void
begin_close(struct conn *c, const char *why)
{
	if (c->state == CS_CLOSING || c->state == CS_LINGER)
		return;
	c->state = CS_CLOSING;
	c->why = why;
}

/*
 * give_reply - send profile p's deferral reply (logged as a reply event); a
 * 421, or any reply at the greeting, closes the session as RFC 5321 says
 */
static void
give_reply(struct conn *c, const struct profile *p, const char *addr)
{
	char *text = expand(p->reply, c, p, addr), dsn[16], who[ADDR_MAX + 8];
	int code = send_reply(c, text, dsn, sizeof dsn);

	sanitize(who, sizeof who, addr);
	event(c, p, "reply", "stage=%s code=%d dsn=%s addr=%s",
	      stage_names[p->stage], code, dsn, who);
	free(text);
	if (code == 421 || p->stage == ST_GREETING)
		begin_close(c, code == 421 ? "421" : "greeting");
}

/* reset_txn - forget the current mail transaction (RSET, MAIL done, ...) */
static void
reset_txn(struct conn *c)
{
	c->mail = false;
	c->nrcpt = 0;
	c->size = 0;
	c->data_prof = NULL;
	c->sender[0] = '\0';
}

/* get_addr - copy the <address> after "FROM:" / "TO:" into buf; false if bad */
static bool
get_addr(const char *arg, char *buf, size_t n)
{
	const char *lt, *gt;

	while (*arg == ' ')
		arg++;
	lt = strchr(arg, '<');
	if (!lt || !(gt = strchr(lt, '>')) || (size_t)(gt - lt - 1) >= n)
		return false;
	memcpy(buf, lt + 1, (size_t)(gt - lt - 1));
	buf[gt - lt - 1] = '\0';
	return true;
}

/* rcpt_profile - the profile of this port that answers for address addr */
static const struct profile *
rcpt_profile(const struct listener *ls, const char *addr)
{
	const char *at = strrchr(addr, '@');

	if (at)
		for (size_t i = 0; i < nprofiles; i++) {
			const struct profile *p = &profiles[i];
			if (p->port != ls->port)
				continue;
			for (size_t j = 0; j < p->ndomains; j++)
				if (!strcasecmp(p->domains[j], at + 1))
					return p;
		}
	return ls->dflt;
}

/* verb_is - true when line starts with the SMTP verb v (any case) */
static bool
verb_is(const char *line, const char *v)
{
	size_t n = strlen(v);

	return !strncasecmp(line, v, n) && (line[n] == '\0' || line[n] == ' ' ||
					    line[n] == ':');
}

/* do_ehlo - answer EHLO/HELO (or defer it for stage=helo) */
static void
do_ehlo(struct conn *c, const char *line, bool extended)
{
	const struct profile *d = c->ls->dflt;
	const char *name = line + 4;
	char clean[ADDR_MAX];

	while (*name == ' ')
		name++;
	sanitize(clean, sizeof clean, name);
	event(c, d, "helo", "name=%s", clean);
	if (!*name) {
		out_line(c, "501 5.5.4 Syntax: EHLO hostname");
		return;
	}
	if (d->stage == ST_HELO) {
		give_reply(c, d, NULL);
		return;
	}
	reset_txn(c);
	c->helo = true;
	if (!extended) {
		out_add(c, "250 ", 4);
		out_line(c, d->banner);
		return;
	}
	out_add(c, "250-", 4);
	out_add(c, d->banner, strlen(d->banner));
	out_add(c, " Hello ", 7);
	out_add(c, clean, strlen(clean));
	out_line(c, "");
	out_line(c, "250-SIZE 52428800");
	out_line(c, "250-8BITMIME");
	out_line(c, "250 ENHANCEDSTATUSCODES");
}

/* do_mail - MAIL FROM: start a transaction (or defer it for stage=mail) */
static void
do_mail(struct conn *c, const char *line)
{
	const struct profile *d = c->ls->dflt;
	char addr[ADDR_MAX], clean[ADDR_MAX];

	if (!c->helo) {
		out_line(c, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (c->mail) {
		out_line(c, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (strncasecmp(line + 4, " FROM:", 6) || !get_addr(line + 10, addr, sizeof addr)) {
		out_line(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	sanitize(clean, sizeof clean, addr);
	event(c, d, "mail", "from=<%s>", addr[0] ? clean : "");
	snprintf(c->sender, sizeof c->sender, "%s", addr);
	if (d->stage == ST_MAIL) {
		give_reply(c, d, addr);
		c->sender[0] = '\0';
		return;
	}
	c->mail = true;
	out_line(c, "250 2.1.0 Ok");
}

/* do_rcpt - RCPT TO: accept, or defer with the profile of the domain */
static void
do_rcpt(struct conn *c, const char *line)
{
	const struct profile *p;
	char addr[ADDR_MAX], clean[ADDR_MAX];

	if (!c->mail) {
		out_line(c, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (strncasecmp(line + 4, " TO:", 4) || !get_addr(line + 8, addr, sizeof addr) ||
	    !addr[0]) {
		out_line(c, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	p = rcpt_profile(c->ls, addr);
	sanitize(clean, sizeof clean, addr);
	event(c, p, "rcpt", "to=<%s>", clean);
	if (p->stage == ST_RCPT) {
		give_reply(c, p, addr);
		return;
	}
	if (p->stage == ST_DATA && !c->data_prof)
		c->data_prof = p;
	c->nrcpt++;
	out_line(c, "250 2.1.5 Ok");
}

/* do_data - DATA: switch to message mode */
static void
do_data(struct conn *c)
{
	if (!c->mail) {
		out_line(c, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (c->nrcpt == 0) {
		out_line(c, "554 5.5.1 Error: no valid recipients");
		return;
	}
	event(c, c->data_prof ? c->data_prof : c->ls->dflt, "data", "rcpts=%zu",
	      c->nrcpt);
	c->state = CS_DATA;
	c->size = 0;
	c->midline = false;
	out_line(c, "354 End data with <CR><LF>.<CR><LF>");
}

/* end_data - the message is complete: accept it or defer it (stage=data) */
static void
end_data(struct conn *c)
{
	const struct profile *d = c->ls->dflt;

	c->state = CS_CMD;
	if (c->data_prof) {
		give_reply(c, c->data_prof, NULL);
	} else {
		const char *tmpl = (d->stage == ST_ACCEPT && d->reply) ? d->reply
			: "250 2.0.0 OK queued as %x";
		char *text = expand(tmpl, c, d, NULL);

		send_reply(c, text, NULL, 0);
		free(text);
		event(c, d, "accept", "size=%zu rcpts=%zu", c->size, c->nrcpt);
	}
	reset_txn(c);
}

/* do_command - execute one SMTP command line (CR LF already removed) */
static void
do_command(struct conn *c, const char *line)
{
	if (verb_is(line, "EHLO"))
		do_ehlo(c, line, true);
	else if (verb_is(line, "HELO"))
		do_ehlo(c, line, false);
	else if (verb_is(line, "MAIL"))
		do_mail(c, line);
	else if (verb_is(line, "RCPT"))
		do_rcpt(c, line);
	else if (verb_is(line, "DATA"))
		do_data(c);
	else if (verb_is(line, "RSET")) {
		reset_txn(c);
		out_line(c, "250 2.0.0 Ok");
	} else if (verb_is(line, "NOOP"))
		out_line(c, "250 2.0.0 Ok");
	else if (verb_is(line, "VRFY"))
		out_line(c, "252 2.0.0 Cannot VRFY user");
	else if (verb_is(line, "QUIT")) {
		out_line(c, "221 2.0.0 Bye");
		begin_close(c, "quit");
	} else
		out_line(c, "502 5.5.2 Error: command not recognized");
}

/* do_line - one complete input line: a command, or a line of message data */
static void
do_line(struct conn *c, char *line, size_t n)
{
	if (n && line[n - 1] == '\r')
		line[--n] = '\0';
	if (c->state == CS_CMD) {
		do_command(c, line);
		return;
	}
	if (!c->midline && n == 1 && line[0] == '.') {
		end_data(c);
		return;
	}
	/* dot-stuffing: a leading ".." stands for "." */
	c->size += n + 2 - (!c->midline && line[0] == '.' ? 1 : 0);
	c->midline = false;
}

/* do_input - split the input buffer into lines and handle each */
static void
do_input(struct conn *c)
{
	size_t start = 0;

	while (c->state == CS_CMD || c->state == CS_DATA) {
		char *nl = memchr(c->in + start, '\n', c->inlen - start);
		if (!nl)
			break;
		*nl = '\0';
		if (c->discard)
			c->discard = false;
		else
			do_line(c, c->in + start, (size_t)(nl - (c->in + start)));
		start = (size_t)(nl - c->in) + 1;
	}
	if (c->state != CS_CMD && c->state != CS_DATA) {
		c->inlen = 0;
		return;
	}
	memmove(c->in, c->in + start, c->inlen - start);
	c->inlen -= start;
	if (c->inlen >= LINE_LIMIT) {	/* no LF within the limit */
		if (c->state == CS_CMD) {
			if (!c->discard)
				out_line(c, "500 5.5.2 Error: line too long");
		} else {
			c->size += c->inlen;
			c->midline = true;
		}
		c->discard = (c->state == CS_CMD);
		c->inlen = 0;
	}
}

/* conn_free - close the socket, log the end of the session, free c */
static void
conn_free(size_t i)
{
	struct conn *c = conns[i];

	event(c, c->ls->dflt, "quit", "reason=%s", c->why ? c->why : "eof");
	close(c->fd);
	free(c->out);
	free(c);
	conns[i] = conns[--nconns];
}

/* conn_read - read what the client sent; false when the session is over */
static bool
conn_read(struct conn *c)
{
	for (;;) {
		char drain[4096];
		ssize_t n;

		if (c->state == CS_LINGER)
			n = read(c->fd, drain, sizeof drain);
		else
			n = read(c->fd, c->in + c->inlen, LINE_LIMIT - c->inlen);
		if (n == 0)
			return false;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		c->last = time(NULL);
		if (c->state == CS_LINGER)
			continue;
		c->inlen += (size_t)n;
		do_input(c);
		if (c->state == CS_CLOSING)
			return true;
	}
}

/* conn_write - flush queued output; false on a write error */
static bool
conn_write(struct conn *c)
{
	while (c->outlen) {
		ssize_t n = write(c->fd, c->out, c->outlen);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	if (c->state == CS_CLOSING) {	/* reply is out: half-close, drain */
		shutdown(c->fd, SHUT_WR);
		c->state = CS_LINGER;
		c->last = time(NULL);
	}
	return true;
}

/* conn_new - accept a client on listener ls and greet it; false if none */
static bool
conn_new(const struct listener *ls)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof sa;
	int fd = accept4(ls->fd, (struct sockaddr *)&sa, &salen,
			 SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct conn *c;

	if (fd < 0)
		return false;
	if (nconns == MAX_CONNS) {
		static const char busy[] = "421 4.3.2 mqmon-peer: too many connections\r\n";
		if (write(fd, busy, sizeof busy - 1) < 0) { /* nothing to do */ }
		close(fd);
		return true;
	}
	c = xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->ls = ls;
	c->state = CS_CMD;
	c->last = time(NULL);
	inet_ntop(AF_INET, &sa.sin_addr, c->ip, sizeof c->ip);
	c->cport = ntohs(sa.sin_port);
	conns[nconns++] = c;
	event(c, ls->dflt, "connect", "client=%s:%d", c->ip, c->cport);
	if (ls->dflt->stage == ST_GREETING) {
		event(c, ls->dflt, "greeting", "code=%.3s", ls->dflt->reply);
		give_reply(c, ls->dflt, NULL);
	} else {
		event(c, ls->dflt, "greeting", "code=220");
		out_add(c, "220 ", 4);
		out_add(c, ls->dflt->banner, strlen(ls->dflt->banner));
		out_line(c, " ESMTP mqmon-peer");
	}
	if (!conn_write(c))
		begin_close(c, "error");
	return true;
}

/* parse_stage - map a stage name to its enum value, or -1 */
static int
parse_stage(const char *s)
{
	for (size_t i = 0; i < sizeof stage_names / sizeof *stage_names; i++)
		if (!strcasecmp(s, stage_names[i]))
			return (int)i;
	return -1;
}

/* get - iniparser lookup of "section:key", NULL when absent */
static const char *
get(dictionary *ini, const char *sec, const char *key)
{
	char k[256];

	snprintf(k, sizeof k, "%s:%s", sec, key);
	return iniparser_getstring(ini, k, NULL);
}

/* load_profiles - read every [profile.NAME] of path; ports move by shift */
static void
load_profiles(const char *path, long base, const char **logpath)
{
	dictionary *ini = iniparser_load(path);
	long shift = 0;
	int nsec;

	if (!ini)
		die("%s: cannot load profile file", path);
	if (base >= 0) {
		long file_base = iniparser_getlongint(ini, "peer:port_base", -1);
		if (file_base < 0)
			die("%s: -b needs [peer] port_base", path);
		shift = base - file_base;
	}
	if (!*logpath && get(ini, "peer", "log"))
		*logpath = xstrdup(get(ini, "peer", "log"));

	nsec = iniparser_getnsec(ini);
	profiles = xmalloc(sizeof *profiles * (size_t)(nsec > 0 ? nsec : 1));
	for (int i = 0; i < nsec; i++) {
		const char *sec = iniparser_getsecname(ini, i), *v;
		struct profile *p = &profiles[nprofiles];
		long port;
		int st;

		if (strncmp(sec, "profile.", 8) || !sec[8])
			continue;
		memset(p, 0, sizeof *p);
		p->name = xstrdup(sec + 8);
		v = get(ini, sec, "port");
		port = v ? strtol(v, NULL, 10) + shift : 0;
		if (port < 1 || port > 65535)
			die("[%s]: missing or bad port", sec);
		p->port = (int)port;
		v = get(ini, sec, "stage");
		if (!v || (st = parse_stage(v)) < 0)
			die("[%s]: stage must be greeting|helo|mail|rcpt|data|accept", sec);
		p->stage = (enum stage)st;
		v = get(ini, sec, "reply");
		if (v && *v)
			p->reply = xstrdup(v);
		if (p->reply && (strlen(p->reply) < 3 || !isdigit((unsigned char)p->reply[1]) ||
				 !isdigit((unsigned char)p->reply[2]) ||
				 (p->reply[3] && p->reply[3] != ' ' && p->reply[3] != '-')))
			die("[%s]: reply must start with a 3-digit code", sec);
		if (p->stage != ST_ACCEPT &&
		    (!p->reply || (p->reply[0] != '4' && p->reply[0] != '5')))
			die("[%s]: stage %s needs a 4xx/5xx reply", sec, stage_names[p->stage]);
		if (p->stage == ST_ACCEPT && p->reply && p->reply[0] != '2')
			die("[%s]: stage accept needs a 2xx reply", sec);
		v = get(ini, sec, "banner");
		p->banner = xstrdup(v && *v ? v : "mqmon-peer.test");
		v = get(ini, sec, "domains");
		if (v) {
			char *copy = xstrdup(v), *save = NULL;
			for (char *t = strtok_r(copy, " \t,", &save); t;
			     t = strtok_r(NULL, " \t,", &save)) {
				p->domains = xrealloc(p->domains, sizeof *p->domains * (p->ndomains + 1));
				p->domains[p->ndomains++] = xstrdup(t);
			}
			free(copy);
		}
		nprofiles++;
	}
	iniparser_freedict(ini);
	if (!nprofiles)
		die("%s: no [profile.NAME] sections", path);

	/* one listener per port; its first profile is the default */
	listeners = xmalloc(sizeof *listeners * nprofiles);
	for (size_t i = 0; i < nprofiles; i++) {
		size_t j;
		for (j = 0; j < nlisteners && listeners[j].port != profiles[i].port; j++)
			;
		if (j == nlisteners) {
			listeners[nlisteners].port = profiles[i].port;
			listeners[nlisteners].fd = -1;
			listeners[nlisteners++].dflt = &profiles[i];
		} else if (profiles[i].stage < ST_RCPT) {
			die("[profile.%s]: stage %s on port %d, which profile %s already "
			    "answers: only a port's first profile may use greeting/helo/mail",
			    profiles[i].name, stage_names[profiles[i].stage],
			    profiles[i].port, listeners[j].dflt->name);
		}
		for (size_t d = 0; d < profiles[i].ndomains; d++)
			for (size_t k = 0; k < i; k++)
				for (size_t e = 0; e < profiles[k].ndomains; e++)
					if (!strcasecmp(profiles[k].domains[e], profiles[i].domains[d]))
						die("domain %s is in profiles %s and %s",
						    profiles[i].domains[d], profiles[k].name,
						    profiles[i].name);
	}
}

/* print_transport - write a Postfix transport map for every profile domain */
static void
print_transport(void)
{
	for (size_t i = 0; i < nprofiles; i++)
		for (size_t d = 0; d < profiles[i].ndomains; d++)
			printf("%s smtp:[127.0.0.1]:%d\n", profiles[i].domains[d],
			       profiles[i].port);
}

/* open_listeners - bind and listen on 127.0.0.1:PORT for every listener */
static void
open_listeners(void)
{
	for (size_t i = 0; i < nlisteners; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket: %s", strerror(errno));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		sa.sin_port = htons((uint16_t)listeners[i].port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
			die("bind 127.0.0.1:%d (profile %s): %s", listeners[i].port,
			    listeners[i].dflt->name, strerror(errno));
		if (listen(fd, 512) < 0)
			die("listen: %s", strerror(errno));
		listeners[i].fd = fd;
	}
}

/* abs_path - a malloc'd absolute version of path (kept valid after chdir) */
static char *
abs_path(const char *path)
{
	char cwd[4096], *r;

	if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
		return xstrdup(path);
	r = xmalloc(strlen(cwd) + strlen(path) + 2);
	sprintf(r, "%s/%s", cwd, path);
	return r;
}

/* on_signal - SIGTERM/SIGINT: ask the main loop to exit */
static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* setup - signals, file-descriptor limit, random seed */
static void
setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct rlimit rl;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	rng_state = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ 0x9e3779b97f4a7c15ULL;
}

/* serve - the poll() loop; returns when a signal asks us to stop */
static void
serve(void)
{
	struct pollfd *pfd = xmalloc(sizeof *pfd * (nlisteners + MAX_CONNS));

	while (!stop_flag) {
		size_t n = 0, nc = nconns;
		time_t now = time(NULL);

		for (size_t i = 0; i < nlisteners; i++)
			pfd[n++] = (struct pollfd){ .fd = listeners[i].fd, .events = POLLIN };
		for (size_t i = 0; i < nc; i++) {
			struct conn *c = conns[i];
			short ev = c->outlen ? POLLOUT : 0;
			if (c->state != CS_CLOSING)
				ev |= POLLIN;
			pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
		}
		if (poll(pfd, n, 1000) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		/* connections first (by index, from the top, as conn_free swaps) */
		for (size_t i = nc; i-- > 0;) {
			struct conn *c = conns[i];
			short re = pfd[nlisteners + i].revents;
			bool ok = true;

			if (re & (POLLIN | POLLHUP | POLLERR))
				ok = conn_read(c);
			if (ok && (c->outlen || c->state == CS_CLOSING))
				ok = conn_write(c);
			if (ok && now - c->last >= (c->state == CS_LINGER ? LINGER_TIME
							: IDLE_TIMEOUT)) {
				if (c->state == CS_CMD || c->state == CS_DATA) {
					out_line(c, "421 4.4.2 mqmon-peer: timeout, closing connection");
					begin_close(c, "timeout");
					c->last = now;
					ok = conn_write(c);
				} else {
					ok = false;
				}
			}
			if (!ok)
				conn_free(i);
		}
		for (size_t i = 0; i < nlisteners; i++)
			if (pfd[i].revents & POLLIN)
				for (int k = 0; k < 64 && conn_new(&listeners[i]); k++)
					;
	}
	free(pfd);
	while (nconns) {
		conns[nconns - 1]->why = "shutdown";
		conn_free(nconns - 1);
	}
}

/* usage - print the command line summary and exit */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: mqmon-peer -f PROFILES.ini [-b PORT_BASE] [-l EVENTLOG] [-p PIDFILE] [-d]\n"
		"       mqmon-peer -f PROFILES.ini [-b PORT_BASE] -t\n"
		"  -f FILE   profile table ([profile.NAME] port/stage/reply/domains)\n"
		"  -b BASE   move every port by BASE - [peer] port_base\n"
		"  -l FILE   append one line per SMTP event (overrides [peer] log)\n"
		"  -p FILE   write the process id once every port listens\n"
		"  -d        detach (stderr stays open: redirect it)\n"
		"  -t        print a Postfix transport map for the profile domains and exit\n");
	exit(status);
}

/* main - parse options, load profiles, listen, serve until SIGTERM/SIGINT */
int
main(int argc, char **argv)
{
	const char *file = NULL, *logpath = NULL, *pidpath = NULL;
	char *pidabs = NULL;
	bool detach = false, transport = false;
	long base = -1;
	int opt;

	while ((opt = getopt(argc, argv, "f:b:l:p:dth")) != -1) {
		switch (opt) {
		case 'f': file = optarg; break;
		case 'b':
			base = strtol(optarg, NULL, 10);
			if (base < 1 || base > 65535)
				die("bad port base: %s", optarg);
			break;
		case 'l': logpath = optarg; break;
		case 'p': pidpath = optarg; break;
		case 'd': detach = true; break;
		case 't': transport = true; break;
		case 'h': usage(0);
		default: usage(2);
		}
	}
	if (!file || optind != argc)
		usage(2);
	load_profiles(file, base, &logpath);
	if (transport) {
		print_transport();
		return 0;
	}
	setup();
	if (logpath && (log_fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
				      0644)) < 0)
		die("%s: %s", logpath, strerror(errno));
	if (pidpath)
		pidabs = abs_path(pidpath);
	open_listeners();
	if (detach) {
		int nul = open("/dev/null", O_RDWR);
		if (nul < 0 || daemon(0, 1) < 0)
			die("daemon: %s", strerror(errno));
		dup2(nul, STDIN_FILENO);
		dup2(nul, STDOUT_FILENO);
		close(nul);
	}
	if (pidabs) {
		FILE *fp = fopen(pidabs, "w");
		if (!fp)
			die("%s: %s", pidabs, strerror(errno));
		fprintf(fp, "%ld\n", (long)getpid());
		fclose(fp);
	}
	serve();
	for (size_t i = 0; i < nlisteners; i++)
		close(listeners[i].fd);
	if (pidabs)
		unlink(pidabs);
	free(pidabs);
	return 0;
}
