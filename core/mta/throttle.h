/* throttle - slow down or pause one destination domain: the MTA-neutral part
 *
 * A throttle is a domain, a mode (slow, pause), a start, an optional
 * expiry and a user. Each backend keeps its throttles in one file of its
 * own (Postfix: a transport map; Exim: the hold_domains list) whose text is
 * the source of truth: a comment line above each entry keeps its mode,
 * start, expiry and user, so expiry works without the store
 * (throttle_render/throttle_parse). The store mirrors it for history and
 * the console. The mechanism (what the entry says, how the MTA is told,
 * the one-time setup, how the log shows it applied) is the backend's
 * struct mta_throttle_ops; throttle_set and friends dispatch to it through
 * the context's parameters and refuse when the backend has none. What
 * every backend does the same way is here: the file's read-modify-write
 * under a lock with the audit rows and the store's mirror
 * (throttle_file_*), the scan of the log's end (throttle_log_scan), and
 * setup's steps (throttle_setup_*, the expiry timer). A backend may lack a
 * mode: Exim has no per-destination rate delay, so it has no `slow`
 * (mta_throttle_ops.slow_missing, throttle_mode_supported).
 *
 * A throttle is `pending` until the mail log shows the MTA applying it
 * (scan_log sets `seen`), then `pause`/`slow` with the time left, then
 * `expired` from the second its time is up until the entry is removed.
 * Expiry needs no running mqmon: `throttle --setup` installs a systemd
 * timer or a cron.d entry running `mqmon -c CONFIG throttles --expire`
 * (core/mta/expiry_timer).
 */
#ifndef MQMON_THROTTLE_H
#define MQMON_THROTTLE_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "core/base/strlist.h"
#include "core/base/vocab.h"	/* enum throttle_mode, throttle_mode_name */
#include "core/base/why.h"
#include "core/mta/actions.h"

#define THROTTLE_DOMAIN_MAX 253
/* bytes at the end of the mail log a backend's scan_log reads */
#define THROTTLE_LOG_TAIL (16L << 20)

struct throttle {
	char domain[THROTTLE_DOMAIN_MAX + 1];
	enum throttle_mode mode;
	char nexthop[256];	/* slow: the route kept ("" = the domain's MX) */
	time_t since, until;	/* until 0 = no expiry */
	char user[64];
	/* from the mail log (throttle_scan_log) */
	int log_checked;	/* the log since `since` was read */
	time_t seen;		/* first attempt routed through mqmon's transport, 0 = none yet */
};

/* what a throttle is doing now, as far as mqmon can tell */
enum throttle_state {
	THROTTLE_PENDING,	/* in the map; the log shows no mail routed by it yet */
	THROTTLE_ACTIVE,	/* the log shows the MTA applying it (Postfix routing, Exim holding) */
	THROTTLE_UNVERIFIED,	/* in the map; the log could not be read */
	THROTTLE_EXPIRED,	/* its time is up (the entry goes at the next expiry run) */
};

struct throttle_list {
	struct throttle *v;
	size_t n, cap;
};

/* throttle_state_of - t's state at now */
enum throttle_state throttle_state_of(const struct throttle *t, time_t now);

/* throttle_state_text - "pending", "pause 1h59m", "slow", "expired" (what the screen shows) into buf */
const char *throttle_state_text(const struct throttle *t, time_t now, char *buf, size_t bufsz);

struct mta_params;

/* throttle_scan_log - read the end of the mail log at path for the first attempt each throttle
 * routed (the backend's scan_log: sets log_checked and seen); -1 with why when it cannot be read */
int throttle_scan_log(const struct mta_params *params, const char *path, struct throttle_list *l,
		      struct why *why);

/* throttle_describe - the MTA's words for t's entry (Postfix: the transport map value) into buf */
void throttle_describe(const struct mta_params *params, const struct throttle *t, char *buf, size_t bufsz);

/* throttle_domain_valid - lower-case LDH labels joined by dots, at least two, <= 253 chars; -1 with why */
int throttle_domain_valid(const char *domain, struct why *why);

/* throttle_value_fn - the MTA's value of t's entry ("slow:NEXTHOP", "retry:4.7.0 ...") into buf */
typedef void (*throttle_value_fn)(const struct throttle *t, char *buf, size_t bufsz);

/* throttle_entry_fn - read an entry's value back into t (mode, nexthop); -1 when the value is not one
 * this backend writes */
typedef int (*throttle_entry_fn)(const char *value, struct throttle *t);

/* throttle_render - the whole map text for the list (malloc'd): header, then per entry a comment line
 * (mode, start, expiry, user) and "domain value"; NULL on out of memory */
char *throttle_render(const struct throttle_list *l, const char *header, throttle_value_fn value_of);

/* throttle_list_add - append a zeroed entry; NULL on out of memory */
struct throttle *throttle_list_add(struct throttle_list *l);

/* throttle_list_remove - drop t (an entry of l) */
void throttle_list_remove(struct throttle_list *l, struct throttle *t);

/* throttle_parse - read map text written by throttle_render into l (appended), each value through
 * read_value; -1 with why on a malformed entry or a value read_value refuses */
int throttle_parse(const char *text, struct throttle_list *l, throttle_entry_fn read_value, struct why *why);

/* throttle_find - the entry for domain in l, NULL when none */
struct throttle *throttle_find(const struct throttle_list *l, const char *domain);

/* throttle_list_free - release the entries */
void throttle_list_free(struct throttle_list *l);

/* throttle_load - the instance's throttles (none set is an empty list); -1 with why */
int throttle_load(const struct action_ctx *ctx, struct throttle_list *l, struct why *why);

/* throttle_set - slow or pause domain until `until` (0 = no expiry); -1 with why and *err (a refusal of the
 * backend's set: bad domain, mode it lacks, read-only, not set up, is audited here) */
int throttle_set(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode,
		 time_t until, enum action_error *err, struct why *why);

/* throttle_clear - remove domain's throttle; 1 removed, 0 there was none, -1 with why and *err */
int throttle_clear(const struct action_ctx *ctx, const char *domain, enum action_error *err,
		   struct why *why);

/* throttle_expire - remove throttles whose until <= now from the map and the store; number removed
 * (0 when the backend has no throttles), -1 with why */
int throttle_expire(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why);

/* throttle_setup - append to report the one-time MTA configuration changes; with apply make them
 * (backups first), with reload then tell the MTA; -1 with why and *err */
int throttle_setup(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		   enum action_error *err, struct why *why);

/* throttle_mode_supported - 0 when the instance's MTA can throttle a domain in mode; -1 with why
 * (slow on an MTA without a per-destination rate delay, or no throttles at all) */
int throttle_mode_supported(const struct mta_params *params, enum throttle_mode mode, struct why *why);

/* throttle_note - what to tell the operator after a throttle was set (cleared: removed) (the backend's
 * words: how and when the MTA applies it); "" when the backend has none */
const char *throttle_note(const struct mta_params *params, int cleared);

/* ---- The throttle file: the read-modify-write every backend shares ----
 *
 * A backend keeps its throttles in one file (struct throttle_file, filled
 * by its ops->file): every change locks a directory (flock, so two mqmon
 * processes cannot lose each other's entry), reads and parses the whole
 * file, writes the new text to a temporary file renamed over it (owner and
 * mode kept), lets the MTA read it (commit: Postfix's postmap; the old text
 * is put back when that fails), audits the change, tells the MTA
 * (applied: Postfix's reload) and mirrors it into the store. The backends'
 * load, clear and expire are throttle_file_load, _clear and _expire; their
 * set checks what is particular to them, then calls throttle_file_set. */

struct throttle_file;

/* throttle_commit_fn - make the MTA read the file just written (Postfix: postmap); the command as text
 * into args, its output (malloc'd or NULL) and exit status; -1 with why and *err */
typedef int (*throttle_commit_fn)(const struct action_ctx *ctx, struct throttle_file *f, char *args,
				  size_t argssz, char **output, int *status, enum action_error *err,
				  struct why *why);

struct throttle_file {
	char path[PATH_MAX];		/* the file; "" when the MTA names none (nothing set, nothing to set) */
	char lock_dir[PATH_MAX];	/* the directory flock()ed around every change */
	char owner_like[PATH_MAX];	/* a new file gets this file's owner and group (as root); "" = ours */
	char type[64];			/* the backend's: the table type (Postfix: hash, lmdb); "" = not known yet */
	const char *header;		/* the file's first lines (comments) */
	throttle_value_fn value;	/* an entry's value in the file */
	throttle_entry_fn read_value;	/* ... read back */
	throttle_commit_fn commit;	/* NULL: the MTA reads the file as it is */
	/* applied - after a change is written and audited: tell the MTA (Postfix: postfix reload); NULL: nothing */
	void (*applied)(const struct action_ctx *ctx);
	const char *applied_words;	/* what the audit row says of applied ("; postfix reload"); "" */
};

/* throttle_file_of - the instance's throttle file (ops->file); -1 with why and *err */
int throttle_file_of(const struct action_ctx *ctx, struct throttle_file *f, enum action_error *err,
		     struct why *why);

/* throttle_file_load - the instance's throttles from its file (missing or none named: empty); -1 with why */
int throttle_file_load(const struct action_ctx *ctx, struct throttle_list *l, struct why *why);

/* throttle_file_set - write want (domain, mode, nexthop, until; since and user are set here) into the
 * file, replacing the domain's entry, commit, audit, apply, mirror into the store; -1 with why and
 * *err (the failure is audited; refusals before this are the caller's to audit) */
int throttle_file_set(const struct action_ctx *ctx, const struct throttle *want, enum action_error *err,
		      struct why *why);

/* throttle_file_clear - remove domain's entry (bad domain and read-only refused and audited); 1 removed,
 * 0 there was none, -1 with why and *err */
int throttle_file_clear(const struct action_ctx *ctx, const char *domain, enum action_error *err,
			struct why *why);

/* throttle_file_expire - remove the entries whose until <= now, and the store's rows whose time is up;
 * number removed (their domains appended to removed), -1 with why; 0 in read-only mode */
int throttle_file_expire(const struct action_ctx *ctx, time_t now, struct strlist *removed,
			 struct why *why);

/* throttle_file_create - write the file with no entry when it is missing, and commit it (setup); -1
 * with why and *err */
int throttle_file_create(const struct action_ctx *ctx, struct throttle_file *f, enum action_error *err,
			 struct why *why);

/* throttle_file_read - a whole file (malloc'd) into *text; 0 with *text NULL when it does not exist; -1 with why */
int throttle_file_read(const char *path, char **text, struct why *why);

/* throttle_file_write - text into path through a temporary file and rename, with mode and, when like is
 * not NULL and we are root, like's owner and group; -1 with why */
int throttle_file_write(const char *path, const char *text, mode_t mode, const struct stat *like,
			struct why *why);

/* throttle_file_replace - text into path atomically, keeping an existing file's owner and mode (a new one:
 * 0644, owned like owner_like when that names a file and we are root); -1 with why */
int throttle_file_replace(const char *path, const char *text, const char *owner_like, struct why *why);

/* throttle_lock - flock dir (serialises mqmon processes changing a throttle file); the fd, -1 with why */
int throttle_lock(const char *dir, struct why *why);

/* throttle_unlock - release throttle_lock's lock (fd < 0: none) */
void throttle_unlock(int fd);

/* throttle_audit - one audit row of a throttle change (a warning when it cannot be written) */
void throttle_audit(const struct action_ctx *ctx, enum audit_verb verb, const char *target, const char *args,
		    int result, int ok, const char *output);

/* throttle_audit_refused - the audit row of a refused change (bad domain, read-only, unsupported, not set up) */
void throttle_audit_refused(const struct action_ctx *ctx, enum audit_verb verb, const char *domain,
			    enum action_error err, const struct why *why);

/* throttle_user - the audit user, anything but [A-Za-z0-9._@-] as '_' (fit for the file's comment line) */
void throttle_user(const struct action_ctx *ctx, char *buf, size_t bufsz);

/* throttle_target - an audit row's target: "gmail.com pause 2h00m" (from since to until), "... no expiry" */
void throttle_target(char *buf, size_t n, const char *domain, enum throttle_mode mode, time_t since,
		     time_t until);

/* ---- the log and the one-time setup ---- */

struct log_dialect;
struct log_event;

/* throttle_applies_fn - true when ev shows the MTA applying t (an attempt deferred or routed by it) */
typedef int (*throttle_applies_fn)(const struct throttle *t, const struct log_event *ev);

/* throttle_event_for - true when ev is a delivery attempt for t's domain at or after t's start */
int throttle_event_for(const struct throttle *t, const struct log_event *ev);

/* throttle_log_scan - the first line of the end of the log at path (THROTTLE_LOG_TAIL bytes, parsed with
 * dialect; only lines containing needle are parsed) that shows each throttle applied: sets seen and
 * log_checked; -1 with why when the log cannot be read */
int throttle_log_scan(const char *path, struct throttle_list *l, const struct log_dialect *dialect,
		      const char *needle, throttle_applies_fn applies, struct why *why);

/* throttle_setup_run - setup's report line for cmd ("would run:" / "run:"); with apply run it (its words
 * appended to done); -1 with why when it failed */
int throttle_setup_run(const struct action_ctx *ctx, int apply, char **cmd, struct strlist *report,
		       struct strlist *done, struct why *why);

/* throttle_setup_expiry - report, and with apply install, the systemd timer or cron.d entry that runs
 * `mqmon -c CONFIG throttles --expire` (core/mta/expiry_timer); -1 with why */
int throttle_setup_expiry(const struct action_ctx *ctx, int apply, struct strlist *report, struct strlist *done,
			  struct why *why);

/* throttle_setup_audit - the audit row of `throttle --setup --apply`: what was done, or why it failed */
void throttle_setup_audit(const struct action_ctx *ctx, int apply, const struct strlist *done, int rc,
			  const struct why *why);

/* the throttle mechanism of one MTA (mta_backend.throttle) */
struct mta_throttle_ops {
	int (*load)(const struct action_ctx *ctx, struct throttle_list *l, struct why *why);
	int (*set)(const struct action_ctx *ctx, const char *domain, enum throttle_mode mode, time_t until,
		   enum action_error *err, struct why *why);
	int (*clear)(const struct action_ctx *ctx, const char *domain, enum action_error *err, struct why *why);
	int (*expire)(const struct action_ctx *ctx, time_t now, struct strlist *removed, struct why *why);
	int (*setup)(const struct action_ctx *ctx, int apply, int reload, struct strlist *report,
		     enum action_error *err, struct why *why);
	int (*scan_log)(const char *path, struct throttle_list *l, struct why *why);
	void (*value)(const struct throttle *t, char *buf, size_t bufsz);
	/* file - the instance's throttle file and how the MTA reads it (throttle_file_*); -1 with why and *err */
	int (*file)(const struct action_ctx *ctx, struct throttle_file *f, enum action_error *err, struct why *why);
	const char *slow_missing;	/* NULL: the MTA can slow a domain; else why not ("Exim has no ...") */
	const char *set_note;		/* what the operator is told after a throttle was set */
	const char *clear_note;		/* ... after one was removed */
};

#endif
