/* actions - operator actions on queued mail: retry, hold, release, delete, requeue
 *
 * Everything here ends in an MTA command run through proc_run() with an argv
 * array (never a shell), optionally behind an argv prefix such as "sudo -n"
 * (config key command_prefix). Before anything runs, every queue ID is
 * checked with queue_id_valid(): one bad ID (ALL, '-', "../x", empty,
 * overlong, with blanks) refuses the whole request and nothing runs. A
 * read-only context refuses every action.
 *
 * The command is the backend's (mta_backend.action_argv), and so is the way it
 * takes IDs: Postfix's retry is `postqueue -c DIR -i ID`, one process per
 * ID (postqueue -f is never used: it flushes the whole queue), its hold,
 * release, delete and requeue one `postsuper -c DIR -h -` with the IDs on
 * stdin; Exim's are `exim -C CONF -M|-Mf|-Mt|-Mrm ID...` in batches, and it
 * has no requeue (refused as unsupported).
 *
 * Postfix's requeue gives a message a NEW queue ID: postsuper moves it to
 * maildrop and pickup re-injects it within about 60 s, logging
 * `pickup[PID]: NEWID: uid=0 from=<...> orig_id=OLDID`. The model follows
 * the message through that log line (the live ingest calls
 * store_message_replaced(old, new) when it sees it), not from here.
 *
 * Before anything runs, the queue is listed (the spool's file names as
 * root, else postqueue -j) and IDs that are not in it are skipped: when
 * none is left the request is refused (ACTION_E_NOT_QUEUED: postqueue -i
 * would say nothing and exit 0 for an ID it does not know); otherwise the
 * rest runs and the result names the skipped ones. The command's own count
 * (mta_backend.action_done: postsuper's "Placed on hold: N messages") is
 * compared with the IDs it was given, so a message that left meanwhile is
 * reported too. When the queue cannot be listed (the MTA down, as
 * non-root) the request goes ahead unchecked; with no queue directory in
 * the parameters (unit tests) there is no check.
 *
 * Every request that reaches the MTA, and every refusal, is written to the
 * store's audit table (when a store is given): user, time, action, target
 * (the IDs, cut after ACTION_TARGET_MAX characters with a count; every ID
 * is kept in action_targets), args (the command as text; NULL when nothing
 * ran), exit status, output. The row of a command is written before it
 * runs (started) and completed after it, so a kill leaves a trace. A row
 * carries its verb (enum audit_verb, core/base/vocab: a queue action's is
 * the kind itself, action_kind_verb; throttle changes add two more).
 *
 * Callers ignore SIGPIPE (postsuper may stop reading its stdin early).
 */
#ifndef MQMON_ACTIONS_H
#define MQMON_ACTIONS_H

#include <stddef.h>

#include "core/base/proc.h"
#include "core/base/strlist.h"
#include "core/base/vocab.h"	/* enum action_kind and enum audit_verb, their names */
#include "core/base/why.h"
#include "core/mta/mta.h"

struct store;

/* why an action did not complete (action_result.error) */
enum action_error {
	ACTION_E_NONE,		/* ran, and every command exited 0 */
	ACTION_E_INVALID,	/* refused: bad or missing ID, bad argument */
	ACTION_E_READ_ONLY,	/* refused: read-only mode */
	ACTION_E_UNSUPPORTED,	/* refused: the MTA has no such action */
	ACTION_E_MTA,		/* the MTA command failed or could not run */
	ACTION_E_CONFIG,	/* refused: the MTA is not set up for it (throttle --setup) */
	ACTION_E_IO,		/* a file mqmon writes could not be written */
	ACTION_E_NOT_QUEUED,	/* an ID is not in the queue (skipped; refused when none is), or postsuper did less */
};

struct action_ctx {
	const struct mta_params *params;	/* the instance (params->backend); config_dir absolute (postsuper -c) */
	struct store *store;			/* NULL: no audit trail */
	int read_only;
	char **prefix;				/* argv prefix, NULL-terminated; NULL = none */
	const char *user;			/* audit user; NULL = login name or uid's name */
	struct strlist *warnings;		/* non-fatal problems (audit row not written...); NULL = dropped */
};

struct action_result {
	enum action_error error;
	int status;		/* exit status of the (first failed) command; -1 when none ran */
	int ok;			/* ran and every command succeeded */
	size_t nids;		/* IDs in the request */
	size_t nruns;		/* commands run */
	size_t nfailed;		/* IDs whose command failed */
	char *output;		/* stdout and stderr of the commands (malloc'd, may be NULL) */
	int audited;		/* the audit row was written */
	char audit_error[256];	/* why not, when a store was given */
};

/* longest audit target text before it is cut with a count */
#define ACTION_TARGET_MAX 1000

/* action_supported - true when the instance's MTA has the action (Exim has no requeue) */
int action_supported(const struct mta_params *params, enum action_kind kind);

/* action_check_ids - every ID one of be's queue IDs and at least one; -1 with why naming the first bad one */
int action_check_ids(const struct mta_backend *be, char *const *ids, size_t nids, struct why *why);

/* action_build_argv - prefix + the backend's command for kind, then ids[0..nids) as words when it takes
 * them so (MTA_IDS_EACH: ids[0] only; MTA_IDS_STDIN: none); argc, or -1 when the MTA has no such action or
 * max is too small; *how (may be NULL) says how the IDs go */
int action_build_argv(const struct action_ctx *ctx, enum action_kind kind, char *const *ids, size_t nids,
		      char **argv, size_t max, enum mta_ids *how);

/* action_stdin - the IDs as newline-terminated lines (malloc'd); NULL on out of memory */
char *action_stdin(char *const *ids, size_t nids, size_t *len);

/* action_target_text - IDs joined by spaces, cut beyond max chars as "... (+N more, T IDs)" */
void action_target_text(char *const *ids, size_t nids, char *buf, size_t bufsz, size_t max);

/* action_argv_text - argv as one line for people (words with odd characters single-quoted) */
void action_argv_text(char *const *argv, char *buf, size_t bufsz);

/* action_prefix_parse - split a command prefix at blanks into a NULL-terminated argv; NULL when empty */
char **action_prefix_parse(const char *s);

/* action_prefix_free - free what action_prefix_parse returned (NULL-safe) */
void action_prefix_free(char **prefix);

/* action_user - the name audit rows carry: login name, else the real uid's name, else its number */
const char *action_user(char *buf, size_t bufsz);

/* action_audit - write one audit row when ctx has a store; 0, or -1 with why */
int action_audit(const struct action_ctx *ctx, enum audit_verb verb, const char *target,
		 const char *args, int result, int ok, const char *output, struct why *why);

/* action_audit_refusal - audit a refused request (state refused, nothing ran; reason as its output)
 * when ctx has a store; 0, or -1 with why */
int action_audit_refusal(const struct action_ctx *ctx, enum audit_verb verb, const char *target,
			 const char *reason, struct why *why);

/* action_exec - run ctx's prefix + cmd (stdin from input when non-NULL); 0 when it ran (see res->status), -1 with why */
int action_exec(const struct action_ctx *ctx, char *const *cmd, const char *input, size_t inlen,
		struct proc_result *res, struct why *why);

/* action_warn - add a non-fatal problem to ctx->warnings (dropped when NULL) */
void action_warn(const struct action_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* action_run - validate and run one action on ids; 0 when it ran and succeeded, else -1 with why and res->error */
int action_run(const struct action_ctx *ctx, enum action_kind kind, char *const *ids, size_t nids,
	       struct action_result *res, struct why *why);

/* action_result_free - release the captured output */
void action_result_free(struct action_result *res);

#endif
