/* exim_retry - Exim's retry database dump and retry rules; see exim_retry.h
 *
 * The index holds every record's key normalised (lower case, except a
 * trailing message ID, whose case matters in base 62), sorted, so a lookup
 * is a bsearch; records carrying a message ID are also sorted by it. The
 * rule arithmetic follows Exim's retry.c (retry_update) line by line, in
 * 64-bit arithmetic where Exim uses int.
 */
#include "core/exim/exim_retry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exim/exim_time.h"

#define KEY_MAX 2048			/* longer keys are not indexed: no query can build them */
#define GAP_MAX (3653L * 86400)		/* gaps are clamped to 10 years: no overflow on absurd records */

struct exim_retry_index {
	char *nkey;			/* normalised key */
	size_t rec;
};

/* msgid_suffix - where a trailing ":MSGID" starts in a T: key of length n (the ':'), or n when none */
static size_t msgid_suffix(const char *key, size_t n)
{
	size_t len;

	if (n < 2 || key[0] != 'T' || key[1] != ':')
		return n;
	for (len = EXIM_ID_LEN_OLD; len <= EXIM_ID_LEN_NEW; len += EXIM_ID_LEN_NEW - EXIM_ID_LEN_OLD)
		if (n > len + 2 && key[n - len - 1] == ':' && exim_id_valid(key + n - len, len))
			return n - len - 1;
	return n;
}

/* normalise - a key lower-cased except its trailing message ID, into dst (size KEY_MAX); -1 when too long */
static int normalise(char *dst, const char *key, size_t n)
{
	size_t i, keep = msgid_suffix(key, n);

	if (n >= KEY_MAX)
		return -1;
	for (i = 0; i < n; i++)
		dst[i] = (char)(i < keep && key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32 : key[i]);
	dst[n] = '\0';
	return 0;
}

/* parse_int - an optional '-' and digits at p (up to end); the position after, NULL when none. Clamped. */
static const char *parse_int(const char *p, const char *end, int *out)
{
	long v = 0;
	int neg = 0, n = 0;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++, n++)
		if (v < 1000000000L)
			v = v * 10 + (*p - '0');
	if (n == 0)
		return NULL;
	if (v > 1000000000L)
		v = 1000000000L;
	*out = (int)(neg ? -v : v);
	return p;
}

/* split_key_line - "  KEY ERRNO MORE_ERRNO TEXT": the key, numbers and text; 0, or -1 when not one */
static int split_key_line(const char *s, const char *end, struct exim_retry_rec *r, const char **key,
			  const char **key_end, const char **text)
{
	const char *p;

	while (s < end && *s == ' ')
		s++;
	if (end - s < 3 || (s[0] != 'R' && s[0] != 'T') || s[1] != ':')
		return -1;
	/* the key ends at the first " INT INT" followed by a space or the end */
	for (p = s + 2; p < end; p++) {
		const char *q, *t;

		if (*p != ' ')
			continue;
		if ((q = parse_int(p + 1, end, &r->basic_errno)) == NULL || q >= end || *q != ' ')
			continue;
		if ((t = parse_int(q + 1, end, &r->more_errno)) == NULL || (t < end && *t != ' '))
			continue;
		*key = s;
		*key_end = p;
		*text = t < end ? t + 1 : end;
		return 0;
	}
	return -1;
}

/* parse_dates - "FIRST  LAST  NEXT[ *]" */
static int parse_dates(const char *s, const char *end, struct exim_retry_rec *r)
{
	const char *rest;

	if (end - s < 3 * EXIM_DATE_LEN + 4 || s[20] != ' ' || s[21] != ' ' || s[42] != ' ' || s[43] != ' ')
		return -1;
	rest = s + 3 * EXIM_DATE_LEN + 4;
	r->first_failed = exim_date_parse(s, EXIM_DATE_LEN);
	r->last_try = exim_date_parse(s + 22, EXIM_DATE_LEN);
	r->next_try = exim_date_parse(s + 44, EXIM_DATE_LEN);
	if (r->first_failed == -1 || r->last_try == -1 || r->next_try == -1)
		return -1;
	while (rest < end && *rest == ' ')
		rest++;
	if (rest < end && *rest == '*') {
		r->expired = 1;
		rest++;
	}
	while (rest < end && (*rest == ' ' || *rest == '\r'))
		rest++;
	return rest == end ? 0 : -1;
}

/* copy_str - a NUL-terminated copy of s[0..n); NULL when out of memory */
static char *copy_str(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* cmp_index - order of index entries by normalised key */
static int cmp_index(const void *a, const void *b)
{
	return strcmp(((const struct exim_retry_index *)a)->nkey, ((const struct exim_retry_index *)b)->nkey);
}

/* cmp_msgid - order of record pointers by message ID */
static int cmp_msgid(const void *a, const void *b)
{
	return strcmp((*(const struct exim_retry_rec *const *)a)->msgid, (*(const struct exim_retry_rec *const *)b)->msgid);
}

/* build_index - the sorted key index and the message ID order; -1 when out of memory */
static int build_index(struct exim_retry_db *db)
{
	char buf[KEY_MAX];
	size_t i;

	if (db->n == 0)
		return 0;
	if ((db->index = calloc(db->n, sizeof *db->index)) == NULL
	    || (db->by_msgid = calloc(db->n, sizeof *db->by_msgid)) == NULL)
		return -1;
	for (i = 0; i < db->n; i++) {
		if (normalise(buf, db->recs[i].key, strlen(db->recs[i].key)) < 0)
			continue;	/* too long to be asked for */
		if ((db->index[db->n_index].nkey = copy_str(buf, strlen(buf))) == NULL)
			return -1;
		db->index[db->n_index++].rec = i;
		if (db->recs[i].msgid[0])
			db->by_msgid[db->n_msgid++] = &db->recs[i];
	}
	qsort(db->index, db->n_index, sizeof *db->index, cmp_index);
	qsort(db->by_msgid, db->n_msgid, sizeof *db->by_msgid, cmp_msgid);
	return 0;
}

/* exim_retry_db_parse - read exim_dumpdb's retry output into an empty db; 0, or -1 with why */
int exim_retry_db_parse(const char *buf, size_t len, struct exim_retry_db *db, struct why *why)
{
	const char *p = buf, *end = buf + len;
	size_t cap = 0;

	memset(db, 0, sizeof *db);
	if (buf == NULL)
		end = p;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		const char *nl2, *e2, *key, *key_end, *text;
		struct exim_retry_rec r = { 0 };

		if (e == p || split_key_line(p, e, &r, &key, &key_end, &text) < 0 || nl == NULL) {
			if (e > p)
				db->bad++;
			p = nl ? nl + 1 : end;
			continue;
		}
		nl2 = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
		e2 = nl2 ? nl2 : end;
		if (parse_dates(nl + 1, e2, &r) < 0) {
			db->bad++;	/* the key line alone; the next line is looked at afresh */
			p = nl + 1;
			continue;
		}
		if (db->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct exim_retry_rec *v = realloc(db->recs, ncap * sizeof *v);

			if (v == NULL)
				goto nomem;
			db->recs = v;
			cap = ncap;
		}
		r.type = key[0];
		r.key = copy_str(key, (size_t)(key_end - key));
		r.text = copy_str(text, (size_t)(e - text));
		if (r.key == NULL || r.text == NULL) {
			free(r.key);
			free(r.text);
			goto nomem;
		}
		{
			size_t klen = strlen(r.key), at = msgid_suffix(r.key, klen);

			if (at < klen)
				memcpy(r.msgid, r.key + at + 1, klen - at);
		}
		db->recs[db->n++] = r;
		p = nl2 ? nl2 + 1 : end;
	}
	if (build_index(db) < 0)
		goto nomem;
	return 0;
nomem:
	exim_retry_db_free(db);
	errno = ENOMEM;
	return why_set(why, "out of memory reading the retry database");
}

/* exim_retry_db_free - release the records and the index, leave db empty */
void exim_retry_db_free(struct exim_retry_db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++) {
		free(db->recs[i].key);
		free(db->recs[i].text);
	}
	for (i = 0; i < db->n_index; i++)
		free(db->index[i].nkey);
	free(db->recs);
	free(db->index);
	free(db->by_msgid);
	memset(db, 0, sizeof *db);
}

/* find_n - the record whose normalised key is key[0..n), NULL when none */
static const struct exim_retry_rec *find_n(const struct exim_retry_db *db, const char *key, size_t n)
{
	char buf[KEY_MAX];
	struct exim_retry_index probe = { buf, 0 };
	const struct exim_retry_index *hit;

	if (db == NULL || db->index == NULL || normalise(buf, key, n) < 0)
		return NULL;
	hit = bsearch(&probe, db->index, db->n_index, sizeof *db->index, cmp_index);
	return hit ? &db->recs[hit->rec] : NULL;
}

/* exim_retry_find - the record with this key, NULL when none */
const struct exim_retry_rec *exim_retry_find(const struct exim_retry_db *db, const char *key)
{
	return key ? find_n(db, key, strlen(key)) : NULL;
}

/* struct best - the earliest next_try seen so far */
struct best {
	time_t t;
	const struct exim_retry_rec *rec;
};

/* consider - keep rec when its next_try is the earliest yet */
static void consider(struct best *b, const struct exim_retry_rec *rec)
{
	if (rec != NULL && (b->rec == NULL || rec->next_try < b->t)) {
		b->t = rec->next_try;
		b->rec = rec;
	}
}

/* consider_key - look up "PREFIX A [B C]" (parts may be NULL) and consider it */
static void consider_key(struct best *b, const struct exim_retry_db *db, const char *a, const char *bpart,
			 const char *c, const char *d)
{
	char key[KEY_MAX];
	size_t n = 0;
	const char *parts[4] = { a, bpart, c, d };
	int i;

	for (i = 0; i < 4; i++) {
		size_t l;

		if (parts[i] == NULL)
			continue;
		l = strlen(parts[i]);
		if (n + l >= sizeof key)
			return;
		memcpy(key + n, parts[i], l);
		n += l;
	}
	consider(b, find_n(db, key, n));
}

/* exim_retry_next - the earliest next_try of the records that apply to the message; 0 when none does */
time_t exim_retry_next(const struct exim_retry_db *db, const struct exim_retry_query *q,
		       const struct exim_retry_rec **which)
{
	struct best b = { 0, NULL };
	size_t i;

	if (which != NULL)
		*which = NULL;
	if (db == NULL || q == NULL)
		return 0;
	for (i = 0; i < q->nrcpts; i++) {
		const char *rcpt = q->rcpts[i], *at;

		if (rcpt == NULL || *rcpt == '\0')
			continue;
		if (q->sender != NULL) {
			char sender[KEY_MAX];

			if (strlen(q->sender) + 3 < sizeof sender) {
				snprintf(sender, sizeof sender, ":<%s>", q->sender);
				consider_key(&b, db, "R:", rcpt, sender, NULL);
			}
		}
		consider_key(&b, db, "R:", rcpt, NULL, NULL);
		if ((at = strrchr(rcpt, '@')) != NULL && at[1])
			consider_key(&b, db, "R:", at + 1, NULL, NULL);
	}
	for (i = 0; i < q->nhost_keys && q->host_keys != NULL; i++) {
		const char *hk = q->host_keys[i];

		if (hk == NULL || *hk == '\0')
			continue;
		if (hk[0] == 'T' && hk[1] == ':')
			hk += 2;
		consider_key(&b, db, "T:", hk, NULL, NULL);
	}
	/* T:host:ip[:port]:MSGID records: this message, whatever the host */
	if (q->id != NULL && db->by_msgid != NULL) {
		size_t lo = 0, hi = db->n_msgid;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(db->by_msgid[mid]->msgid, q->id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < db->n_msgid && strcmp(db->by_msgid[lo]->msgid, q->id) == 0; lo++)
			consider(&b, db->by_msgid[lo]);
	}
	if (which != NULL)
		*which = b.rec;
	return b.rec ? b.t : 0;
}

/* parse_fixed - "1.5" as thousandths (Exim's readconf_readfixed); -1 when invalid */
static long parse_fixed(const char *s, size_t n)
{
	long v = 0, m = 100;
	size_t i = 0;

	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if ((v = v * 10 + (s[i] - '0')) > 1000000)
			return -1;
	if (i == 0)
		return -1;
	v *= 1000;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, m /= 10)
			v += (s[i] - '0') * m;
	return i == n ? v : -1;
}

/* is_rule_start - "F," "G," "H," (any case) at p */
static int is_rule_start(const char *p)
{
	char c = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);

	return (c == 'F' || c == 'G' || c == 'H') && p[1] == ',';
}

/* exim_retry_rules_parse - a rule list ("F,2h,15m; G,16h,1h,1.5; F,4d,6h" or exim -brt's line); 0, or -1 with why */
int exim_retry_rules_parse(const char *text, struct exim_retry_rules *rules, struct why *why)
{
	const char *p = text;

	memset(rules, 0, sizeof *rules);
	if (text == NULL)
		return why_set(why, "no retry rule");
	if (strncmp(p, "Retry rule:", 11) == 0)
		p += 11;
	/* exim -brt: the pattern, the error type and senders= come first */
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || is_rule_start(p))
			break;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	while (*p) {
		struct exim_retry_rule r = { 0 };
		const char *f[3];
		size_t fl[3];
		int nf = 0, want;

		if (!is_rule_start(p))
			return why_set(why, "retry rule %zu: \"%.40s\" is not F,... G,... or H,...", rules->n + 1, p);
		if (rules->n == EXIM_RETRY_MAX_RULES)
			return why_set(why, "more than %d retry rules", EXIM_RETRY_MAX_RULES);
		r.kind = (char)(*p >= 'a' ? *p - 32 : *p);
		want = r.kind == 'F' ? 2 : 3;
		p += 1;
		while (*p == ',' && nf < 3) {
			p++;
			while (*p == ' ')
				p++;
			f[nf] = p;
			while (*p && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
				p++;
			fl[nf] = (size_t)(p - f[nf]);
			nf++;
		}
		if (nf != want)
			return why_set(why, "retry rule %zu (%c) has %d values, not %d", rules->n + 1, r.kind, nf, want);
		r.timeout = exim_duration_parse(f[0], fl[0]);
		r.p1 = exim_duration_parse(f[1], fl[1]);
		r.p2 = want == 3 ? parse_fixed(f[2], fl[2]) : 0;
		if (r.timeout <= 0 || r.p1 <= 0 || (want == 3 && r.p2 < 1000))
			return why_set(why, "retry rule %zu (%c): bad cutoff, interval or factor", rules->n + 1, r.kind);
		rules->r[rules->n++] = r;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == ';')
			p++;
		else if (*p)
			return why_set(why, "retry rule %zu: a semicolon expected before \"%.40s\"", rules->n, p);
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
	}
	if (rules->n == 0)
		return why_set(why, "no retry rule");
	return 0;
}

/* exim_retry_rules_cutoff - the final cutoff of a record; 0 without rules */
time_t exim_retry_rules_cutoff(const struct exim_retry_rules *rules, time_t first_failed, time_t arrival, int host)
{
	time_t origin = first_failed;
	long longest = 0;
	size_t i;

	if (rules == NULL || rules->n == 0)
		return 0;
	for (i = 0; i < rules->n; i++)
		if (rules->r[i].timeout > longest)
			longest = rules->r[i].timeout;
	if (!host && arrival > 0 && arrival < origin)
		origin = arrival;
	return origin + longest;
}

/* clamp_gap - a gap kept in [0, GAP_MAX] */
static long long clamp_gap(long long g)
{
	return g < 0 ? 0 : g > GAP_MAX ? GAP_MAX : g;
}

/* exim_retry_rules_next - the next_try Exim writes for a failure at now (retry.c, retry_update) */
time_t exim_retry_rules_next(const struct exim_retry_rules *rules, time_t first_failed, time_t last_try,
			     time_t next_try, time_t arrival, int host, time_t now, long interval_max, int *timed_out)
{
	const struct exim_retry_rule *rule = NULL, *final = NULL;
	long long failing = (long long)now - first_failed, next;
	long max = interval_max > 0 ? interval_max : EXIM_RETRY_INTERVAL_MAX;
	int out = 0;
	size_t i;

	if (timed_out != NULL)
		*timed_out = 0;
	if (rules == NULL || rules->n == 0) {
		if (timed_out != NULL)
			*timed_out = 1;
		return now;
	}
	/* an address record counts from the message's arrival when that is earlier */
	if (!host && arrival > 0 && (long long)now - arrival > failing)
		failing = (long long)now - arrival;
	for (i = 0; i < rules->n; i++) {
		if (failing <= rules->r[i].timeout) {
			rule = &rules->r[i];
			break;
		}
		final = &rules->r[i];
	}
	if (rule == NULL) {
		rule = final;
		out = 1;
	} else if (arrival > 0 && arrival <= first_failed
		   && (long long)now - arrival > rules->r[rules->n - 1].timeout) {
		/* on the queue longer than the last rule's cutoff: one more try now, then it bounces */
		if (timed_out != NULL)
			*timed_out = 1;
		return now;
	}
	if (rule->kind == 'F') {
		next = (long long)now + rule->p1;
	} else {
		long long predicted = clamp_gap((long long)next_try - last_try);
		long long actual = clamp_gap((long long)now - last_try);
		long long lastgap = predicted < actual ? predicted : actual;
		long long next_gap = lastgap * rule->p2 / 1000;

		if (rule->kind == 'G')
			next = (long long)now + (lastgap < rule->p1 ? rule->p1 : next_gap);
		else	/* 'H': p1 plus a random part; its earliest */
			next = (long long)now + rule->p1 + (next_gap > rule->p1 ? (next_gap - rule->p1) / 2 : 0);
	}
	if (next - now > max)
		next = (long long)now + max;
	if (timed_out != NULL)
		*timed_out = out;
	return (time_t)next;
}

/* exim_retry_rules_estimate - the next_try after a failure at `failed`, every earlier failure at its next_try */
time_t exim_retry_rules_estimate(const struct exim_retry_rules *rules, time_t first_failed, time_t arrival, int host,
				 time_t failed, long interval_max, int *timed_out)
{
	time_t now = first_failed, last = first_failed, pred = first_failed, nt;
	int steps, out;

	for (steps = 0;; steps++) {
		nt = exim_retry_rules_next(rules, first_failed, last, pred, arrival, host, now, interval_max, &out);
		if (nt > failed || out || nt <= now || steps == EXIM_RETRY_SIM_STEPS)
			break;
		last = now;
		pred = nt;
		now = nt;
	}
	if (failed <= now) {
		if (timed_out != NULL)
			*timed_out = out;
		return nt;
	}
	return exim_retry_rules_next(rules, first_failed, now, nt, arrival, host, failed, interval_max, timed_out);
}
