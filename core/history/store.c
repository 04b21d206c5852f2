/* store - mqmon's history in one SQLite database; see store.h
 *
 * Design: one connection per struct store, every statement prepared once at
 * open (SQLITE_PREPARE_PERSISTENT) and reset after each use so no read
 * snapshot stays open. Values always go through sqlite3_bind_*; the only SQL
 * built at run time is PRAGMA user_version = <compile-time constant>.
 *
 * The schema is the list `migrations`: entry i takes user_version i to i+1
 * and runs inside one BEGIN IMMEDIATE transaction with the version bump, so
 * two processes opening a fresh file at once cannot both migrate. A file
 * newer than this code, another program's database (application_id or
 * existing tables) and a file that is not a database are refused.
 *
 * Batching: the first batched write runs BEGIN IMMEDIATE (the write lock
 * is taken up front, so WAL never answers SQLITE_BUSY_SNAPSHOT mid-batch),
 * later ones join it, and store_flush() or the STORE_BATCH_ROWS-th row
 * commits. Should SQLite roll the transaction back by itself (disk full,
 * I/O error), the loss is reported once and the next write starts afresh.
 * Vocabularies (core/base/vocab) cross the API as their enums and are
 * turned into what the tables hold here alone: attempts.status and
 * message_events.state are the enums' values (their codes, pinned below and
 * spelled out by the views), actions.action and throttles.mode their words
 * (text, as schema 1 wrote them; a word this mqmon does not know reads back
 * as the enum's unknown value). Values are checked here rather than with
 * CHECK constraints, so growing a text vocabulary never needs a table
 * rebuild; a new code needs a migration (the views name every code).
 *
 * Writing must keep up with parsing (schema 2): attempt and message-event
 * ids are time << 24 | sequence (next_id), so rows are appended and time
 * ranges are rowid ranges; repeated words go through `names` with an
 * in-memory cache (cleared with a lost batch, whose ids are gone); message
 * states are appended events, with repeats skipped through a second cache.
 * Readers see views (attempt_rows, messages) shaped like schema 1.
 *
 * A first load (store_bulk_begin/end) appends to an empty attempts table
 * without its queue_id index and builds it after in one sorted pass: kept up
 * to date row by row, the index took a quarter of an ingest's time (random
 * inserts, and its pages written again to the WAL at every commit).
 * store_open builds it when a killed load left it missing.
 */
#include "core/history/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/base/pathname.h"
#include "core/base/strmap.h"
#include "core/base/vocab.h"
#include "core/history/textpack.h"

/* "mqmn": PRAGMA application_id of mqmon databases */
#define STORE_APP_ID 0x6d716d6e
#define STORE_BUSY_MS 5000
#define STR_(x) #x
#define STR(x) STR_(x)

/* the secondary index of attempts (schema 2 and 4): dropped during a first load, see store_bulk_begin */
#define ATTEMPTS_QUEUE_ID_INDEX "CREATE INDEX IF NOT EXISTS attempts_queue_id ON attempts(queue_id)"

/* the attempts table of schema 4 */
#define ATTEMPTS_TABLE \
	"CREATE TABLE attempts (" \
	"  id INTEGER PRIMARY KEY,"	/* time << 24 | sequence within that second */ \
	"  queue_id TEXT NOT NULL, recipient TEXT," \
	"  status INTEGER NOT NULL,"	/* 1 deferred, 2 sent, 3 bounced, 4 expired */ \
	"  domain INTEGER, provider INTEGER, cause INTEGER, dsn INTEGER," /* names.id */ \
	"  relay INTEGER, stage INTEGER," \
	"  text INTEGER,"		/* names.id of the reply text's template (NULL: args is the whole text) */ \
	"  args TEXT);"			/* the template's variable tokens, joined by char(31) */
/* SQL for a reply text: its template (tx.name) filled with args (\001 the next token, \002 the relay
 * host up to its first ']', \003 the recipient), as core/history/textpack joins it */
#define TEXT_SQL \
	"CASE WHEN a.text IS NULL THEN a.args ELSE (WITH RECURSIVE x (o, t, v) AS (" \
	"  SELECT '', tx.name, coalesce(a.args, '') || char(31) UNION ALL" \
	"  SELECT o || substr(t, 1, instr(t, char(1)) - 1) || substr(v, 1, instr(v, char(31)) - 1)," \
	"   substr(t, instr(t, char(1)) + 1), substr(v, instr(v, char(31)) + 1) FROM x WHERE instr(t, char(1)) > 0)" \
	" SELECT replace(replace(o || t, char(3), coalesce(a.recipient, ''))," \
	"   char(2), coalesce(substr(r.name, 1, instr(r.name, ']')), '')) FROM x WHERE instr(t, char(1)) = 0) END"
/* the view of attempts with their words, like version 1's table */
#define ATTEMPT_ROWS_VIEW \
	"CREATE VIEW attempt_rows AS SELECT a.id, a.id >> 24 AS time, a.queue_id, a.recipient," \
	"  d.name AS domain, p.name AS provider, c.name AS cause, n.name AS dsn," \
	"  CASE a.status WHEN 1 THEN 'deferred' WHEN 2 THEN 'sent' WHEN 3 THEN 'bounced' ELSE 'expired' END" \
	"   AS status," \
	"  r.name AS relay, g.name AS stage, " TEXT_SQL " AS text" \
	" FROM attempts a LEFT JOIN names d ON d.id = a.domain LEFT JOIN names p ON p.id = a.provider" \
	"  LEFT JOIN names c ON c.id = a.cause LEFT JOIN names n ON n.id = a.dsn" \
	"  LEFT JOIN names r ON r.id = a.relay LEFT JOIN names g ON g.id = a.stage" \
	"  LEFT JOIN names tx ON tx.id = a.text;"

struct store;
static int convert_texts(struct store *s, struct why *why);
static int split_text(struct store *s, const char *text, const char *relay, const char *recipient,
		      struct why *why);

/* migrations - entry i takes the schema from user_version i to i + 1: its SQL, then (when set) a
 * conversion in C and more SQL */
static const struct migration {
	const char *sql;
	int (*convert)(struct store *s, struct why *why);
	const char *sql_after;
} migrations[] = {
	/* 1: initial schema */
	{ "PRAGMA application_id = 1836150126;"	/* STORE_APP_ID */
	"CREATE TABLE attempts ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  queue_id TEXT, recipient TEXT, domain TEXT, provider TEXT,"
	"  cause TEXT, dsn TEXT, status TEXT, relay TEXT, stage TEXT, text TEXT);"
	"CREATE INDEX attempts_queue_id ON attempts(queue_id);"
	"CREATE INDEX attempts_time ON attempts(time);"
	"CREATE INDEX attempts_cause_time ON attempts(cause, time, status);"
	"CREATE INDEX attempts_domain_time ON attempts(domain, time, status);"
	"CREATE TABLE messages ("
	"  queue_id TEXT PRIMARY KEY,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  sender TEXT, state TEXT, replaced_by TEXT);"
	"CREATE INDEX messages_replaced_by ON messages(replaced_by) WHERE replaced_by IS NOT NULL;"
	"CREATE INDEX messages_last_seen ON messages(last_seen);"
	"CREATE TABLE actions ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  user TEXT, action TEXT NOT NULL, target TEXT, args TEXT,"
	"  result INTEGER, output TEXT, ok INTEGER NOT NULL);"
	"CREATE INDEX actions_time ON actions(time);"
	"CREATE TABLE throttles ("
	"  domain TEXT PRIMARY KEY,"
	"  mode TEXT NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  until INTEGER,"
	"  by_user TEXT);"
	"CREATE TABLE files ("
	"  path TEXT PRIMARY KEY,"
	"  dev INTEGER, ino INTEGER,"
	"  offset INTEGER NOT NULL,"
	"  first_line_hash INTEGER,"
	"  updated INTEGER NOT NULL);", NULL, NULL },
	/* 2: attempts keyed by time (id = time << 24 | sequence), repeated words
	 * in `names`, one index; messages as appended events. Inserting is
	 * then an append plus one index entry, and time ranges are rowid
	 * ranges. The views attempt_rows and messages read like version 1. */
	{ "CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"INSERT OR IGNORE INTO names (name)"
	"  SELECT domain FROM attempts WHERE domain IS NOT NULL UNION SELECT provider FROM attempts"
	"  WHERE provider IS NOT NULL UNION SELECT cause FROM attempts WHERE cause IS NOT NULL"
	"  UNION SELECT dsn FROM attempts WHERE dsn IS NOT NULL UNION SELECT relay FROM attempts"
	"  WHERE relay IS NOT NULL UNION SELECT stage FROM attempts WHERE stage IS NOT NULL;"
	"CREATE TABLE attempts2 ("
	"  id INTEGER PRIMARY KEY,"	/* time << 24 | sequence within that second */
	"  queue_id TEXT NOT NULL, recipient TEXT,"
	"  status INTEGER NOT NULL,"	/* 1 deferred, 2 sent, 3 bounced, 4 expired */
	"  domain INTEGER, provider INTEGER, cause INTEGER, dsn INTEGER,"	/* names.id */
	"  relay INTEGER, stage INTEGER, text TEXT);"
	"INSERT INTO attempts2"
	"  SELECT (time << 24) | (row_number() OVER (PARTITION BY time ORDER BY id) - 1),"
	"   coalesce(queue_id, ''), recipient,"
	"   CASE status WHEN 'deferred' THEN 1 WHEN 'sent' THEN 2 WHEN 'bounced' THEN 3 ELSE 4 END,"
	"   (SELECT id FROM names WHERE name = domain), (SELECT id FROM names WHERE name = provider),"
	"   (SELECT id FROM names WHERE name = cause), (SELECT id FROM names WHERE name = dsn),"
	"   (SELECT id FROM names WHERE name = relay), (SELECT id FROM names WHERE name = stage), text"
	"  FROM attempts WHERE time >= 0;"
	"DROP TABLE attempts;"
	"ALTER TABLE attempts2 RENAME TO attempts;"
	"CREATE INDEX attempts_queue_id ON attempts(queue_id);"
	"CREATE VIEW attempt_rows AS SELECT a.id, a.id >> 24 AS time, a.queue_id, a.recipient,"
	"  d.name AS domain, p.name AS provider, c.name AS cause, n.name AS dsn,"
	"  CASE a.status WHEN 1 THEN 'deferred' WHEN 2 THEN 'sent' WHEN 3 THEN 'bounced' ELSE 'expired' END"
	"   AS status,"
	"  r.name AS relay, g.name AS stage, a.text"
	" FROM attempts a LEFT JOIN names d ON d.id = a.domain LEFT JOIN names p ON p.id = a.provider"
	"  LEFT JOIN names c ON c.id = a.cause LEFT JOIN names n ON n.id = a.dsn"
	"  LEFT JOIN names r ON r.id = a.relay LEFT JOIN names g ON g.id = a.stage;"
	/* messages: an append-only log of state changes (no index: appending is
	 * cheap) and the requeue links; the view `messages` folds them */
	"CREATE TABLE message_events ("
	"  id INTEGER PRIMARY KEY,"	/* time << 24 | sequence, like attempts */
	"  queue_id TEXT NOT NULL,"
	"  state INTEGER NOT NULL,"	/* 1 queued, 2 hold, 3 removed, 4 expired, 5 deferred */
	"  sender TEXT);"
	/* version 1 kept the first and the last time: an event for each */
	"INSERT INTO message_events"
	"  SELECT (t << 24) | (row_number() OVER (PARTITION BY t ORDER BY queue_id, k) - 1), queue_id, st, sender FROM"
	"  (SELECT first_seen AS t, 0 AS k, queue_id, sender, 1 AS st FROM messages"
	"    WHERE queue_id IS NOT NULL AND first_seen >= 0 AND first_seen < last_seen"
	"   UNION ALL SELECT last_seen, 1, queue_id, CASE WHEN first_seen < last_seen THEN NULL ELSE sender END,"
	"    CASE state WHEN 'queued' THEN 1 WHEN 'hold' THEN 2 WHEN 'removed' THEN 3 WHEN 'expired' THEN 4"
	"     ELSE 5 END FROM messages WHERE queue_id IS NOT NULL AND last_seen >= 0);"
	"CREATE TABLE requeues ("
	"  old_id TEXT PRIMARY KEY,"
	"  new_id TEXT NOT NULL,"
	"  time INTEGER NOT NULL);"
	"CREATE INDEX requeues_new_id ON requeues(new_id);"
	"INSERT INTO requeues SELECT queue_id, replaced_by, last_seen FROM messages"
	"  WHERE queue_id IS NOT NULL AND replaced_by IS NOT NULL;"
	"DROP TABLE messages;"
	/* per queue ID: first event, latest state, latest sender, and last_seen =
	 * the time of the last change (a repeated state is not a change) */
	"CREATE VIEW messages AS"
	" WITH ev AS (SELECT id, queue_id, state, sender,"
	"   lag(state) OVER (PARTITION BY queue_id ORDER BY id) AS prev FROM message_events),"
	" g AS (SELECT queue_id, min(id) AS first_id, max(id) AS last_id,"
	"   max(CASE WHEN prev IS NULL OR prev != state THEN id END) AS change_id,"
	"   max(CASE WHEN sender IS NOT NULL THEN id END) AS sender_id FROM ev GROUP BY queue_id)"
	" SELECT g.queue_id, g.first_id >> 24 AS first_seen, g.change_id >> 24 AS last_seen, s.sender,"
	"  CASE l.state WHEN 1 THEN 'queued' WHEN 2 THEN 'hold' WHEN 3 THEN 'removed' WHEN 4 THEN 'expired'"
	"   ELSE 'deferred' END AS state, r.new_id AS replaced_by"
	" FROM g JOIN message_events l ON l.id = g.last_id LEFT JOIN message_events s ON s.id = g.sender_id"
	"  LEFT JOIN requeues r ON r.old_id = g.queue_id;", NULL, NULL },
	/* 3: an action's audit row is written before its command runs (state 1, started) and
	 * completed after it (state 0, done): a row left started is an action whose outcome is
	 * unknown (mqmon was killed). Every queue ID a request named, in action_targets (the
	 * target text is cut after ACTION_TARGET_MAX characters). */
	{ "ALTER TABLE actions ADD COLUMN state INTEGER NOT NULL DEFAULT 0;"	/* 0 done, 1 started, 2 refused (nothing ran) */
	"CREATE TABLE action_targets ("
	"  action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,"
	"  queue_id TEXT NOT NULL,"
	"  PRIMARY KEY (action_id, queue_id)) WITHOUT ROWID;"
	"CREATE INDEX action_targets_queue_id ON action_targets(queue_id);", NULL, NULL },
	/* 4: a lean history. Reply texts were most of the bytes: attempts.text is now the names.id of
	 * the text's template (core/history/textpack) and attempts.args its variable tokens; a text
	 * textpack refuses is kept whole in args with text NULL. The view attempt_rows spells the
	 * text out again. The rows are converted in C (convert_texts), in id order. */
	{ "DROP VIEW attempt_rows;"
	  "DROP INDEX attempts_queue_id;"
	  "ALTER TABLE attempts RENAME TO attempts_v3;"
	  ATTEMPTS_TABLE,
	  convert_texts,
	  "DROP TABLE attempts_v3;"
	  ATTEMPTS_QUEUE_ID_INDEX ";"
	  ATTEMPT_ROWS_VIEW },
};
#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
_Static_assert(NMIGRATIONS == STORE_SCHEMA_VERSION, "one migration per schema version");

/* attempt ids: the second in the high bits, a sequence in the low ones */
#define ID_SHIFT 24
#define ID_SEQ_MASK ((1LL << ID_SHIFT) - 1)
#define ID_MAX_TIME ((1LL << (62 - ID_SHIFT)) - 1)
/* names kept in memory before the cache starts over */
#define NAMES_CACHE_MAX 100000
/* queue IDs whose last written event is kept in memory before that cache starts over */
#define MSGS_CACHE_MAX 200000

enum stmt {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
	ST_NAME_GET, ST_NAME_ADD, ST_LAST_ID, ST_LAST_ID_IN, ST_LAST_EVENT, ST_LAST_EVENT_IN,
	ST_ADD_ATTEMPT, ST_MSG_SEEN, ST_MSG_REPLACED, ST_ADD_ACTION, ST_ADD_TARGET, ST_END_ACTION, ST_TARGETS,
	ST_LAST_EVENTS,
	ST_SET_THROTTLE, ST_CLEAR_THROTTLE,
	ST_ATTEMPTS_FOR, ST_ATTEMPTS_SINCE, ST_ATTEMPTS_SINCE_BRIEF, ST_ATTEMPT_STATS, ST_ACTIONS, ST_THROTTLES,
	ST_TREND_CAUSE, ST_TREND_PROVIDER, ST_TREND_DOMAIN,
	ST_SAVE_FILE, ST_LOAD_FILE,
	ST_PRUNE_ATTEMPTS, ST_PRUNE_ACTIONS, ST_PRUNE_MESSAGES, ST_PRUNE_REQUEUES,
	ST_COUNT
};

/* an attempt's columns in the order each_attempt reads them, the status as its code */
#define ATTEMPT_SELECT \
	"SELECT a.id >> 24, a.queue_id, a.recipient, d.name, p.name, c.name, n.name, a.status, r.name, g.name," \
	"  tx.name, a.args FROM attempts a LEFT JOIN names d ON d.id = a.domain" \
	"  LEFT JOIN names p ON p.id = a.provider" \
	"  LEFT JOIN names c ON c.id = a.cause LEFT JOIN names n ON n.id = a.dsn" \
	"  LEFT JOIN names r ON r.id = a.relay LEFT JOIN names g ON g.id = a.stage" \
	"  LEFT JOIN names tx ON tx.id = a.text"
/* ATTEMPT_SELECT without the reply text (NULL, NULL): no template to join, no text to rebuild */
#define ATTEMPT_SELECT_BRIEF \
	"SELECT a.id >> 24, a.queue_id, a.recipient, d.name, p.name, c.name, n.name, a.status, r.name, g.name," \
	"  NULL, NULL FROM attempts a LEFT JOIN names d ON d.id = a.domain" \
	"  LEFT JOIN names p ON p.id = a.provider" \
	"  LEFT JOIN names c ON c.id = a.cause LEFT JOIN names n ON n.id = a.dsn" \
	"  LEFT JOIN names r ON r.id = a.relay LEFT JOIN names g ON g.id = a.stage"
/* attempts of status ?5 per (value, bucket) in (?2, ?4], one rowid range scan; ?1 NULL = every value */
#define TREND_SQL(col) \
	"SELECT n.name, t.b, t.c FROM (SELECT " col " AS k, ((id >> 24) - ?2 - 1) / ?3 AS b, count(*) AS c" \
	"  FROM attempts WHERE id > ((?2 << 24) | 16777215) AND id <= ((?4 << 24) | 16777215)" \
	"   AND status = ?5 AND (?1 IS NULL OR " col " = (SELECT id FROM names WHERE name = ?1))" \
	"  GROUP BY 1, 2) t JOIN names n ON n.id = t.k ORDER BY t.k, t.b"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_NAME_GET] = "SELECT id FROM names WHERE name = ?1",
	[ST_NAME_ADD] = "INSERT INTO names (name) VALUES (?1)",
	[ST_LAST_ID] = "SELECT max(id) FROM attempts",
	[ST_LAST_ID_IN] = "SELECT max(id) FROM attempts WHERE id BETWEEN ?1 AND ?2",
	[ST_LAST_EVENT] = "SELECT max(id) FROM message_events",
	[ST_LAST_EVENT_IN] = "SELECT max(id) FROM message_events WHERE id BETWEEN ?1 AND ?2",
	[ST_ADD_ATTEMPT] = "INSERT INTO attempts (id, queue_id, recipient, status, domain, provider, cause, dsn,"
		" relay, stage, text, args) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[ST_MSG_SEEN] = "INSERT INTO message_events (id, queue_id, state, sender) VALUES (?1, ?2, ?3, ?4)",
	[ST_MSG_REPLACED] = "INSERT INTO requeues (old_id, new_id, time) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (old_id) DO UPDATE SET new_id = excluded.new_id, time = excluded.time",
	[ST_ADD_ACTION] = "INSERT INTO actions (time, user, action, target, args, result, output, ok, state)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_ADD_TARGET] = "INSERT OR IGNORE INTO action_targets (action_id, queue_id) VALUES (?1, ?2)",
	[ST_END_ACTION] = "UPDATE actions SET args = ?2, result = ?3, output = ?4, ok = ?5, state = 0 WHERE id = ?1",
	[ST_TARGETS] = "SELECT queue_id FROM action_targets WHERE action_id = ?1 ORDER BY queue_id",
	/* the newest event of each queue ID among the last ?1 events, and whether one had a sender */
	[ST_LAST_EVENTS] = "SELECT queue_id, max(id), state, sum(sender IS NOT NULL) > 0 FROM message_events"
		" WHERE id >= coalesce((SELECT id FROM message_events ORDER BY id DESC LIMIT 1 OFFSET ?1), 0)"
		" GROUP BY queue_id",
	[ST_SET_THROTTLE] = "INSERT INTO throttles (domain, mode, since, until, by_user)"
		" VALUES (?1, ?2, ?3, ?4, ?5)"
		" ON CONFLICT (domain) DO UPDATE SET mode = excluded.mode, since = excluded.since,"
		"  until = excluded.until, by_user = excluded.by_user",
	[ST_CLEAR_THROTTLE] = "DELETE FROM throttles WHERE domain = ?1",
	/* the ID itself and, transitively, every ID whose replaced_by points into the chain */
	[ST_ATTEMPTS_FOR] = "WITH RECURSIVE chain (id) AS ("
		"  SELECT ?1 UNION"
		"  SELECT r.old_id FROM requeues r JOIN chain c ON r.new_id = c.id)"
		" " ATTEMPT_SELECT
		" WHERE a.queue_id IN (SELECT id FROM chain) ORDER BY a.id",
	/* per queue ID over a rowid range, attempts of status ?2; relay and dsn come from its newest row */
	[ST_ATTEMPT_STATS] = "SELECT a.queue_id, s.n, s.last >> 24, r.name, d.name FROM"
		" (SELECT +queue_id AS q, count(DISTINCT id >> 24) AS n, max(id) AS last FROM attempts"
		"  WHERE id >= (?1 << 24) AND status = ?2 GROUP BY 1) s"
		" JOIN attempts a ON a.id = s.last"
		" LEFT JOIN names r ON r.id = a.relay LEFT JOIN names d ON d.id = a.dsn",
	[ST_ATTEMPTS_SINCE] = ATTEMPT_SELECT
		" WHERE a.id >= (?1 << 24) AND (?2 IS NULL OR a.status = ?2) ORDER BY a.id",
	[ST_ATTEMPTS_SINCE_BRIEF] = ATTEMPT_SELECT_BRIEF
		" WHERE a.id >= (?1 << 24) AND (?2 IS NULL OR a.status = ?2) ORDER BY a.id",
	[ST_ACTIONS] = "SELECT time, user, action, target, args, result, output, ok, state, id,"
		"  (SELECT count(*) FROM action_targets t WHERE t.action_id = actions.id) FROM actions"
		" WHERE time >= ?1 AND (?2 IS NULL OR instr(target, ?2) > 0"
		"  OR id IN (SELECT action_id FROM action_targets WHERE queue_id = ?2))"
		" ORDER BY time DESC, id DESC",
	[ST_THROTTLES] = "SELECT domain, mode, by_user, since, until FROM throttles ORDER BY domain",
	[ST_TREND_CAUSE] = TREND_SQL("cause"),
	[ST_TREND_PROVIDER] = TREND_SQL("provider"),
	[ST_TREND_DOMAIN] = TREND_SQL("domain"),
	[ST_SAVE_FILE] = "INSERT INTO files (path, dev, ino, offset, first_line_hash, updated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		" ON CONFLICT (path) DO UPDATE SET dev = excluded.dev, ino = excluded.ino,"
		"  offset = excluded.offset, first_line_hash = excluded.first_line_hash,"
		"  updated = excluded.updated",
	[ST_LOAD_FILE] = "SELECT dev, ino, offset, first_line_hash FROM files WHERE path = ?1",
	/* at most ?2 rows each: a long overdue prune goes in short transactions */
	[ST_PRUNE_ATTEMPTS] = "DELETE FROM attempts WHERE id IN"
		" (SELECT id FROM attempts WHERE id < (?1 << 24) ORDER BY id LIMIT ?2)",
	[ST_PRUNE_ACTIONS] = "DELETE FROM actions WHERE id IN"
		" (SELECT id FROM actions WHERE time < ?1 LIMIT ?2)",
	[ST_PRUNE_MESSAGES] = "DELETE FROM message_events WHERE id IN"
		" (SELECT id FROM message_events WHERE id < (?1 << 24) ORDER BY id LIMIT ?2)",
	[ST_PRUNE_REQUEUES] = "DELETE FROM requeues WHERE old_id IN"
		" (SELECT old_id FROM requeues WHERE time < ?1 LIMIT ?2)",
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *st[ST_COUNT];
	int in_tx;		/* our BEGIN IMMEDIATE is open */
	int pending;		/* rows written since it */
	struct strmap names;	/* name -> names.id, only ids known to be committed or in our batch */
	struct strmap msgs;	/* queue_id -> its newest event written: when << 4 | state << 1 | sender known */
	int msgs_seeded;	/* msgs holds the newest stored events (read at the first event after open or a loss) */
	enum store_fault fault;	/* of the last SQLite failure, until store_clear_fault */
	char *tpl, *args;	/* a reply text split (textpack), each of tpl_cap bytes */
	size_t tpl_cap;
	char *text[ST_COUNT];	/* a reply text joined again, per reading statement (a callback may run
				 * a query of another kind: its text stays), of text_cap bytes */
	size_t text_cap[ST_COUNT];
	struct id_alloc {		/* time-keyed ids of one table */
		enum stmt last, last_in;	/* max(id) overall, in a range */
		sqlite3_int64 max;		/* the largest id, valid while known */
		int known;			/* read once per batch: other processes write between batches */
	} attempt_ids, event_ids;
};

/* The codes the schema was written with (schema 2's conversions and its views attempt_rows and messages
 * spell them out): the vocabularies' values are these codes. A new status or state needs a migration
 * that teaches the views its word (and makes these asserts fail until it is written). */
_Static_assert(STATUS_DEFERRED == 1 && STATUS_SENT == 2 && STATUS_BOUNCED == 3 && STATUS_EXPIRED == 4
	       && STATUS_OTHER == STATUS_EXPIRED + 1, "attempts.status: 1 deferred 2 sent 3 bounced 4 expired");
_Static_assert(MESSAGE_QUEUED == 1 && MESSAGE_HOLD == 2 && MESSAGE_REMOVED == 3 && MESSAGE_EXPIRED == 4
	       && MESSAGE_DEFERRED == 5 && MESSAGE_STATE_COUNT == 6,
	       "message_events.state: 1 queued 2 hold 3 removed 4 expired 5 deferred");

/* status_stored - true when an attempt of this status can be stored (its value is its code) */
static int status_stored(enum delivery_status status)
{
	return status > STATUS_NONE && status < STATUS_OTHER;
}

/* status_of_code - the status of an attempts.status code; STATUS_OTHER for one this mqmon does not know */
static enum delivery_status status_of_code(int code)
{
	return code > STATUS_NONE && code < STATUS_OTHER ? (enum delivery_status)code : STATUS_OTHER;
}

/* fault_of - the class of an SQLite result code */
static enum store_fault fault_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return STORE_FAULT_NONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_FAULT_BUSY;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
		return STORE_FAULT_READONLY;
	case SQLITE_FULL:
		return STORE_FAULT_FULL;
	default:
		return STORE_FAULT_IO;
	}
}

/* batch_forget - the open batch is gone (rolled back): so are the ids and names it added */
static void batch_forget(struct store *s)
{
	s->in_tx = 0;
	s->pending = 0;
	strmap_clear(&s->names);	/* names added in the lost batch are gone */
	strmap_clear(&s->msgs);
	s->msgs_seeded = 0;		/* read the stored events again */
	s->attempt_ids.known = s->event_ids.known = 0;
}

/* db_fail - "store PATH: WHAT: sqlite message", noting a batch SQLite rolled back; returns -1 */
static int db_fail(struct store *s, struct why *why, const char *what)
{
	int lost = 0;

	s->fault = fault_of(sqlite3_errcode(s->db));
	if (s->in_tx && sqlite3_get_autocommit(s->db)) {
		lost = s->pending;
		batch_forget(s);
	}
	if (lost)
		return why_set(why, "store %s: %s: %s (the batch of %d rows was rolled back)",
			       s->path, what, sqlite3_errmsg(s->db), lost);
	return why_set(why, "store %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* finish - reset a statement and forget its bindings (they may point at caller strings) */
static void finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* run - step a statement that returns no rows, then reset it */
static int run(struct store *s, enum stmt which, struct why *why, const char *what)
{
	sqlite3_stmt *st = s->st[which];
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_fail(s, why, what);
		finish(st);
		return -1;
	}
	finish(st);
	return 0;
}

/* bind_str - bind s, or NULL for a NULL pointer (s must outlive the step) */
static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* col_str - a text column, NULL for SQL NULL */
static const char *col_str(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* batch_begin - open the batch transaction unless it is open */
static int batch_begin(struct store *s, struct why *why)
{
	if (s->in_tx && sqlite3_get_autocommit(s->db))
		return db_fail(s, why, "batch was rolled back");
	if (s->in_tx)
		return 0;
	if (run(s, ST_BEGIN, why, "begin") < 0)
		return -1;
	s->in_tx = 1;
	s->pending = 0;
	return 0;
}

/* batch_row - count one batched row; commits every STORE_BATCH_ROWS */
static int batch_row(struct store *s, struct why *why)
{
	if (++s->pending >= STORE_BATCH_ROWS)
		return store_flush(s, why);
	return 0;
}

/* busy_check - refuse to reuse a statement a callback is still iterating */
static int busy_check(struct store *s, enum stmt which, struct why *why)
{
	if (sqlite3_stmt_busy(s->st[which]))
		return why_set(why, "store %s: query re-entered from its own callback", s->path);
	return 0;
}

/* store_flush - commit the pending batch, if any */
int store_flush(struct store *s, struct why *why)
{
	if (!s->in_tx)
		return 0;
	if (sqlite3_get_autocommit(s->db))
		return db_fail(s, why, "batch was rolled back");
	if (run(s, ST_COMMIT, why, "commit") < 0)
		return -1;	/* still open unless SQLite rolled it back; db_fail noted that */
	s->in_tx = 0;
	s->pending = 0;
	s->attempt_ids.known = s->event_ids.known = 0;
	return 0;
}

/* store_pending - rows written in the open batch (0 when none is open) */
int store_pending(const struct store *s)
{
	return s->in_tx ? s->pending : 0;
}

/* store_rollback - drop the open batch, if any; rows dropped */
int store_rollback(struct store *s)
{
	int n = store_pending(s);

	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (s->in_tx)
		batch_forget(s);
	return n;
}

/* store_fault - the class of the last SQLite failure since store_clear_fault (STORE_FAULT_NONE: none) */
enum store_fault store_fault(const struct store *s)
{
	return s->fault;
}

/* store_clear_fault - forget it */
void store_clear_fault(struct store *s)
{
	s->fault = STORE_FAULT_NONE;
}

/* store_fault_name - a few words for a fault class */
const char *store_fault_name(enum store_fault f)
{
	switch (f) {
	case STORE_FAULT_NONE: return "no error";
	case STORE_FAULT_BUSY: return "the database is locked by another process";
	case STORE_FAULT_READONLY: return "the database cannot be written";
	case STORE_FAULT_FULL: return "the disk is full";
	default: return "an I/O error";
	}
}

/* store_instance_file - the history's file name for an instance directory (see store.h) */
int store_instance_file(const char *config_dir, char *buf, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char name[PATH_MAX * 3 + 16];
	const char *p;
	size_t o = 0;
	unsigned long long h = 1469598103934665603ull;

	if (config_dir == NULL || strcmp(config_dir, STORE_DEFAULT_INSTANCE) == 0)
		return snprintf(buf, n, "mqmon.db") >= (int)n ? -1 : 0;
	o = (size_t)snprintf(name, sizeof name, "mqmon@");
	for (p = config_dir[0] == '/' ? config_dir + 1 : config_dir; *p && o + 4 < sizeof name; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '/')
			name[o++] = '_';
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
			 || c == '-')
			name[o++] = (char)c;
		else {
			name[o++] = '%';
			name[o++] = hex[c >> 4];
			name[o++] = hex[c & 15];
		}
	}
	name[o] = '\0';
	if (o > 200) {
		/* file names are limited (NAME_MAX): the start, and a hash of the whole path */
		for (p = config_dir; *p; p++) {
			h ^= (unsigned char)*p;
			h *= 1099511628211ull;
		}
		snprintf(name + 180, sizeof name - 180, "-%016llx", h);
	}
	return snprintf(buf, n, "%s.db", name) >= (int)n ? -1 : 0;
}

/* store_default_path - the history of the instance at config_dir: $XDG_DATA_HOME/mqmon/FILE, else
 * ~/.local/share/mqmon/FILE (relative values ignored: core/pathname path_xdg, path_home); -1 when unknown
 * or too long */
int store_default_path(const char *config_dir, char *buf, size_t n)
{
	const char *xdg = path_xdg("XDG_DATA_HOME"), *home = path_home();
	char dir[PATH_MAX], def[PATH_MAX], file[256];
	int len;

	/* the instance by its real directory: /etc/postfix/ and a symbolic link to it are one instance */
	if (config_dir != NULL && realpath(config_dir, dir) != NULL)
		config_dir = dir;
	if (config_dir != NULL && realpath(STORE_DEFAULT_INSTANCE, def) != NULL && strcmp(config_dir, def) == 0)
		config_dir = NULL;
	if (store_instance_file(config_dir, file, sizeof file) < 0)
		return -1;
	/* relative XDG_DATA_HOME and HOME are ignored: never a history below the working directory */
	if (xdg != NULL)
		len = snprintf(buf, n, "%s/mqmon/%s", xdg, file);
	else if (home != NULL)
		len = snprintf(buf, n, "%s/.local/share/mqmon/%s", home, file);
	else
		return -1;
	return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* make_parents - create the missing directories above path, mode 0700 */
static int make_parents(const char *path, struct why *why)
{
	char *dup = strdup(path);
	struct stat st;
	char *p;
	int rc = 0;

	if (dup == NULL)
		return why_errno(why, "store %s", path);
	for (p = dup + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (stat(dup, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				errno = ENOTDIR;
				rc = why_errno(why, "store %s: %s", path, dup);
			}
		} else if (errno != ENOENT || (mkdir(dup, 0700) < 0 && errno != EEXIST)) {
			rc = why_errno(why, "store %s: cannot create directory %s", path, dup);
		}
		*p = '/';
	}
	free(dup);
	return rc;
}

/* pragma_int - the integer answer of a PRAGMA query */
static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* open_fail - the open-time error, telling "not a database" apart; returns -1 */
static int open_fail(struct store *s, int rc, struct why *why, const char *what)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_NOTADB)
		return why_set(why, "store %s: not an SQLite database (wrong file, or damaged); "
			       "move it away or choose another with the database setting", s->path);
	if (prim == SQLITE_CORRUPT)
		return why_set(why, "store %s: database is damaged: %s", s->path, sqlite3_errmsg(s->db));
	return why_set(why, "store %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* check_version - refuse schemas we cannot read and other programs' databases */
static int check_version(struct store *s, int version, struct why *why)
{
	int app = 0, tables = 0, rc;

	if (version > STORE_SCHEMA_VERSION)
		return why_set(why, "store %s: schema version %d is newer than this mqmon understands (%d); "
			       "upgrade mqmon or use another database file", s->path, version, STORE_SCHEMA_VERSION);
	if (version < 0)
		return why_set(why, "store %s: unknown schema version %d", s->path, version);
	rc = pragma_int(s->db, "PRAGMA application_id", &app);
	if (rc == SQLITE_OK && version == 0)
		rc = pragma_int(s->db, "SELECT count(*) FROM sqlite_master", &tables);
	if (rc != SQLITE_OK)
		return open_fail(s, rc, why, "reading the schema");
	if ((app != 0 && app != STORE_APP_ID) || (version == 0 && tables > 0))
		return why_set(why, "store %s: an SQLite database of another program, not mqmon's", s->path);
	return 0;
}

/* store_path - the database file's path */
const char *store_path(const struct store *s)
{
	return s->path;
}

static store_migration_fn migration_hook;

/* store_on_migration - who is told of conversions */
void store_on_migration(store_migration_fn fn)
{
	migration_hook = fn;
}

/* migrate - bring the schema to STORE_SCHEMA_VERSION in one transaction */
static int migrate(struct store *s, struct why *why)
{
	char sql[64];
	int version = 0, rc, i, told = 0;

	rc = pragma_int(s->db, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK)
		return open_fail(s, rc, why, "reading user_version");
	if (version == STORE_SCHEMA_VERSION)
		return 0;
	if (check_version(s, version, why) < 0)
		return -1;
	rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return open_fail(s, rc, why, "begin migration");
	/* another process may have migrated while we waited for the lock */
	rc = pragma_int(s->db, "PRAGMA user_version", &version);
	if (rc != SQLITE_OK) {
		open_fail(s, rc, why, "reading user_version");
		goto rollback;
	}
	if (version != STORE_SCHEMA_VERSION && check_version(s, version, why) < 0)
		goto rollback;
	/* a new file (version 0) is only created; an existing history is converted */
	if (version > 0 && migration_hook != NULL) {
		told = version;
		migration_hook(s->path, version, STORE_SCHEMA_VERSION, 0);
	}
	for (i = version; i < NMIGRATIONS; i++) {
		rc = sqlite3_exec(s->db, migrations[i].sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK && migrations[i].convert != NULL && migrations[i].convert(s, why) < 0)
			goto rollback;
		if (rc == SQLITE_OK && migrations[i].sql_after != NULL)
			rc = sqlite3_exec(s->db, migrations[i].sql_after, NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			why_set(why, "store %s: migration to schema version %d failed: %s",
				s->path, i + 1, sqlite3_errmsg(s->db));
			goto rollback;
		}
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		open_fail(s, rc, why, "commit migration");
		goto rollback;
	}
	/* schema 4 rewrote the attempts: give the pages of the old table back (best effort) */
	if (told > 0 && told < 4 && strcmp(s->path, ":memory:") != 0)
		sqlite3_exec(s->db, "VACUUM", NULL, NULL, NULL);
	if (told)
		migration_hook(s->path, told, STORE_SCHEMA_VERSION, 1);
	return 0;
rollback:
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (told)
		migration_hook(s->path, told, STORE_SCHEMA_VERSION, 1);
	return -1;
}

/* convert_texts - schema 4: copy attempts_v3 into attempts in id order, each reply text as its
 * template's names.id and its variable tokens (textpack); runs inside the migration's transaction
 * before the statements are prepared, so it prepares its own; -1 with why */
static int convert_texts(struct store *s, struct why *why)
{
	static const char *const sql[] = {
		"SELECT a.id, a.queue_id, a.recipient, a.status, a.domain, a.provider, a.cause, a.dsn, a.relay,"
		" a.stage, a.text, r.name FROM attempts_v3 a LEFT JOIN names r ON r.id = a.relay ORDER BY a.id",
		"INSERT INTO attempts (id, queue_id, recipient, status, domain, provider, cause, dsn, relay, stage,"
		" text, args) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
		"SELECT id FROM names WHERE name = ?1",
		"INSERT INTO names (name) VALUES (?1)",
	};
	sqlite3_stmt *st[4] = { NULL, NULL, NULL, NULL };
	struct strmap tpls = { 0 };
	long long id;
	int rc = SQLITE_OK, i, kept;

	for (i = 0; i < 4 && rc == SQLITE_OK; i++)
		rc = sqlite3_prepare_v2(s->db, sql[i], -1, &st[i], NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st[0])) == SQLITE_ROW) {
		const char *text = col_str(st[0], 10);

		for (i = 0; i < 10; i++)
			sqlite3_bind_value(st[1], i + 1, sqlite3_column_value(st[0], i));
		kept = text == NULL ? -1 : split_text(s, text, col_str(st[0], 11), col_str(st[0], 2), why);
		if (kept == -1 && text != NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (kept == 1 && !strmap_get(&tpls, s->tpl, &id)) {
			sqlite3_bind_text(st[2], 1, s->tpl, -1, SQLITE_STATIC);
			rc = sqlite3_step(st[2]);
			id = rc == SQLITE_ROW ? sqlite3_column_int64(st[2], 0) : -1;
			sqlite3_reset(st[2]);
			if (rc == SQLITE_DONE) {
				sqlite3_bind_text(st[3], 1, s->tpl, -1, SQLITE_STATIC);
				rc = sqlite3_step(st[3]);
				sqlite3_reset(st[3]);
				id = sqlite3_last_insert_rowid(s->db);
			}
			if (rc != SQLITE_DONE && rc != SQLITE_ROW)
				break;
			strmap_put(&tpls, s->tpl, id);	/* out of memory only costs a lookup next time */
		}
		if (kept == 1) {
			sqlite3_bind_int64(st[1], 11, id);
			if (s->args[0] == '\0')
				sqlite3_bind_null(st[1], 12);
			else
				sqlite3_bind_text(st[1], 12, s->args, -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_null(st[1], 11);
			if (text == NULL)
				sqlite3_bind_null(st[1], 12);
			else
				sqlite3_bind_text(st[1], 12, text, -1, SQLITE_STATIC);
		}
		rc = sqlite3_step(st[1]);
		sqlite3_reset(st[1]);
		if (rc != SQLITE_DONE)
			break;
		rc = SQLITE_OK;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_OK && rc != SQLITE_NOMEM)
		why_set(why, "store %s: migration to schema version 4 failed: %s", s->path, sqlite3_errmsg(s->db));
	else if (rc == SQLITE_NOMEM)
		why_set(why, "store %s: migration to schema version 4 failed: out of memory", s->path);
	for (i = 0; i < 4; i++)
		sqlite3_finalize(st[i]);
	strmap_clear(&tpls);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* index_heal - build the attempts' queue ID index when a first load was killed before it built it
 * (store_bulk_begin); best effort and without waiting: while another process holds the write lock (a
 * first load still running) the history opens as it is, and a later open builds the index */
static void index_heal(struct store *s)
{
	int missing = 0;

	if (pragma_int(s->db, "SELECT count(*) = 0 FROM sqlite_master WHERE type = 'index'"
		       " AND name = 'attempts_queue_id'", &missing) != SQLITE_OK || !missing)
		return;
	sqlite3_busy_timeout(s->db, 0);
	sqlite3_exec(s->db, ATTEMPTS_QUEUE_ID_INDEX, NULL, NULL, NULL);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
}

/* precreate - create a missing database file with mode 0600 (SQLite would use 0644; the WAL copies it)
 *
 * Only a missing file is opened here (O_EXCL): closing any descriptor of a
 * file drops every POSIX lock this process holds on it, including those of
 * a store already open on it, and another process's SQLite could then take
 * itself for the last user and delete the WAL. */
static int precreate(const char *path, struct why *why)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : why_errno(why, "store %s: cannot open", path);
	close(fd);
	return 0;
}

static pthread_once_t sqlite_setup_once = PTHREAD_ONCE_INIT;

/* sqlite_setup - process-wide settings, before SQLite initialises: no allocation statistics (a global lock per malloc) */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* store_open - open (creating file, parent directories and schema as needed); NULL path = default; NULL on error */
struct store *store_open(const char *path, struct why *why)
{
	char defpath[PATH_MAX];
	struct store *s;
	int rc, i;

	if (path == NULL) {
		if (store_default_path(NULL, defpath, sizeof defpath) < 0) {
			why_set(why, "store: no database path (set XDG_DATA_HOME or HOME to an absolute path, or --db)");
			return NULL;
		}
		path = defpath;
	}
	if (strcmp(path, ":memory:") != 0 &&
	    (make_parents(path, why) < 0 || precreate(path, why) < 0))
		return NULL;
	s = calloc(1, sizeof *s);
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		why_errno(why, "store %s", path);
		free(s);
		return NULL;
	}
	s->attempt_ids = (struct id_alloc){ ST_LAST_ID, ST_LAST_ID_IN, 0, 0 };
	s->event_ids = (struct id_alloc){ ST_LAST_EVENT, ST_LAST_EVENT_IN, 0, 0 };
	pthread_once(&sqlite_setup_once, sqlite_setup);
	/* no connection mutex: a struct store is used by one thread at a time (store.h) */
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (s->db == NULL)
			why_set(why, "store %s: cannot open: out of memory", path);
		else
			open_fail(s, rc, why, "cannot open");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	/* takes effect on a new file only (before its first write); the first
	 * statement that reads the header, next, is where a non-database shows */
	sqlite3_exec(s->db, "PRAGMA page_size = " STR(STORE_PAGE_SIZE), NULL, NULL, NULL);
	rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
				  " PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;"
				  " PRAGMA wal_autocheckpoint = 8192",
				  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		open_fail(s, rc, why, "setting up");
		goto fail;
	}
	if (migrate(s, why) < 0)
		goto fail;
	index_heal(s);
	for (i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL);
		if (rc != SQLITE_OK) {
			open_fail(s, rc, why, "preparing statements");
			goto fail;
		}
	}
	return s;
fail:
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close_v2(s->db);
	free(s->tpl);
	free(s->args);
	for (i = 0; i < ST_COUNT; i++)
		free(s->text[i]);
	free(s->path);
	free(s);
	return NULL;
}

/* store_close - flush (best effort: call store_flush first to see errors), finalize, close; NULL-safe */
void store_close(struct store *s)
{
	int i;

	if (s == NULL)
		return;
	if (store_flush(s, NULL) < 0 && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close_v2(s->db);
	strmap_clear(&s->names);
	strmap_clear(&s->msgs);
	free(s->tpl);
	free(s->args);
	for (i = 0; i < ST_COUNT; i++)
		free(s->text[i]);
	free(s->path);
	free(s);
}

/* bind_name - bind the names.id of name (adding it to names when new), NULL for NULL; -1 with why */
static int bind_name(struct store *s, sqlite3_stmt *target, int i, const char *name, struct why *why)
{
	sqlite3_stmt *st;
	long long id;
	int rc;

	if (name == NULL)
		return sqlite3_bind_null(target, i) == SQLITE_OK ? 0 : db_fail(s, why, "binding a name");
	if (!strmap_get(&s->names, name, &id)) {
		st = s->st[ST_NAME_GET];
		bind_str(st, 1, name);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		finish(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_fail(s, why, "looking up a name");
		if (rc == SQLITE_DONE) {
			bind_str(s->st[ST_NAME_ADD], 1, name);
			if (run(s, ST_NAME_ADD, why, "adding a name") < 0)
				return -1;
			id = sqlite3_last_insert_rowid(s->db);
		}
		if (strmap_count(&s->names) >= NAMES_CACHE_MAX)
			strmap_clear(&s->names);
		strmap_put(&s->names, name, id);	/* out of memory only costs a lookup next time */
	}
	return sqlite3_bind_int64(target, i, id) == SQLITE_OK ? 0 : db_fail(s, why, "binding a name");
}

/* split_text - a reply text into s->tpl and s->args (textpack); 1 split, 0 kept whole (it holds a
 * marker byte), -1 with why when out of memory */
static int split_text(struct store *s, const char *text, const char *relay, const char *recipient,
		      struct why *why)
{
	size_t need = strlen(text) + 1;
	char *t, *a;

	if (need > s->tpl_cap) {
		if ((t = realloc(s->tpl, need * 2)) == NULL)
			return why_errno(why, "store: reply text");
		s->tpl = t;
		if ((a = realloc(s->args, need * 2)) == NULL)
			return why_errno(why, "store: reply text");
		s->args = a;
		s->tpl_cap = need * 2;
	}
	return textpack_split(text, relay, recipient, s->tpl, s->args) == 0;
}

/* bind_text - bind a reply text as its template's names.id at i and its variable tokens at i + 1 (NULL
 * when none); a text textpack refuses as NULL and itself; -1 with why */
static int bind_text(struct store *s, sqlite3_stmt *st, int i, const char *text, const char *relay,
		     const char *recipient, struct why *why)
{
	int rc;

	if (text == NULL) {
		sqlite3_bind_null(st, i);
		sqlite3_bind_null(st, i + 1);
		return 0;
	}
	if ((rc = split_text(s, text, relay, recipient, why)) < 0)
		return -1;
	if (rc == 0) {
		sqlite3_bind_null(st, i);
		sqlite3_bind_text(st, i + 1, text, -1, SQLITE_STATIC);
		return 0;
	}
	if (bind_name(s, st, i, s->tpl, why) < 0)
		return -1;
	if (s->args[0] == '\0')
		sqlite3_bind_null(st, i + 1);
	else
		sqlite3_bind_text(st, i + 1, s->args, -1, SQLITE_STATIC);
	return 0;
}

/* last_id_in - the largest id a max(id) statement finds (in [lo, hi] for a range one), 0 when none; -1 with why */
static int last_id_in(struct store *s, enum stmt which, sqlite3_int64 lo, sqlite3_int64 hi,
		      sqlite3_int64 *out, struct why *why)
{
	sqlite3_stmt *st = s->st[which];
	int rc;

	if (sqlite3_bind_parameter_count(st) == 2) {
		sqlite3_bind_int64(st, 1, lo);
		sqlite3_bind_int64(st, 2, hi);
	}
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;	/* max() of nothing is NULL: 0 */
	finish(st);
	return rc == SQLITE_ROW ? 0 : db_fail(s, why, "reading row ids");
}

/* next_id - a free id for a row at time t: t << 24 | the next sequence of that second */
static int next_id(struct store *s, struct id_alloc *ids, time_t t, sqlite3_int64 *id, struct why *why)
{
	sqlite3_int64 base, last;

	if (t < 0 || (long long)t > ID_MAX_TIME)
		return why_set(why, "store: time %lld out of range", (long long)t);
	base = (sqlite3_int64)t << ID_SHIFT;
	if (!ids->known) {
		if (last_id_in(s, ids->last, 0, 0, &ids->max, why) < 0)
			return -1;
		ids->known = 1;
	}
	if (base > ids->max) {
		*id = base;	/* the usual case: a later second than anything stored */
		return 0;
	}
	last = ids->max;
	if ((last >> ID_SHIFT) != t && last_id_in(s, ids->last_in, base, base | ID_SEQ_MASK, &last, why) < 0)
		return -1;
	if (last < base) {
		*id = base;	/* an earlier second with nothing stored yet */
		return 0;
	}
	if ((last & ID_SEQ_MASK) == ID_SEQ_MASK)
		return why_set(why, "store: more than %lld rows at %lld", ID_SEQ_MASK + 1, (long long)t);
	*id = last + 1;
	return 0;
}

/* key_time - a time bound for a query on time-keyed ids (?1 << 24), clamped so the shift
 * cannot wrap: before 1970 is 0, beyond the last storable second is the one after it */
static sqlite3_int64 key_time(time_t t)
{
	if (t < 0)
		return 0;
	if ((long long)t > ID_MAX_TIME)
		return ID_MAX_TIME + 1;
	return (sqlite3_int64)t;
}

/* id_used - the row got its id: remember the largest */
static void id_used(struct id_alloc *ids, sqlite3_int64 id)
{
	if (id > ids->max)
		ids->max = id;
}

/* store_bulk_begin - drop the queue ID index of an empty attempts table (committed at once); 1 dropped,
 * 0 not empty, -1 with why */
int store_bulk_begin(struct store *s, struct why *why)
{
	int empty = 0, rc;

	if (store_flush(s, why) < 0)
		return -1;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, why, "begin a first load");
	rc = pragma_int(s->db, "SELECT NOT EXISTS (SELECT 1 FROM attempts)", &empty);
	if (rc == SQLITE_OK && empty)
		rc = sqlite3_exec(s->db, "DROP INDEX IF EXISTS attempts_queue_id", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		db_fail(s, why, "begin a first load");
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return empty;
}

/* store_bulk_end - commit the batch, then build the queue ID index if it is missing; -1 with why */
int store_bulk_end(struct store *s, struct why *why)
{
	if (store_flush(s, why) < 0)
		return -1;
	if (sqlite3_exec(s->db, ATTEMPTS_QUEUE_ID_INDEX, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(s, why, "building the queue ID index");
	return 0;
}

/* store_add_attempt - append one delivery attempt (batched) */
int store_add_attempt(struct store *s, const struct store_attempt *a, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_ADD_ATTEMPT];
	sqlite3_int64 id = 0;

	if (!status_stored(a->status))
		return why_set(why, "store: an attempt of status %d (\"%s\") is not stored", (int)a->status,
			       delivery_status_name(a->status));
	if (a->queue_id == NULL)
		return why_set(why, "store: attempt without a queue ID");
	if (batch_begin(s, why) < 0 || next_id(s, &s->attempt_ids, a->time, &id, why) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	bind_str(st, 2, a->queue_id);
	bind_str(st, 3, a->recipient);
	sqlite3_bind_int(st, 4, (int)a->status);
	if (bind_name(s, st, 5, a->domain, why) < 0 || bind_name(s, st, 6, a->provider, why) < 0 ||
	    bind_name(s, st, 7, a->cause, why) < 0 || bind_name(s, st, 8, a->dsn, why) < 0 ||
	    bind_name(s, st, 9, a->relay, why) < 0 || bind_name(s, st, 10, a->stage, why) < 0) {
		finish(st);
		return -1;
	}
	if (bind_text(s, st, 11, a->text, a->relay, a->recipient, why) < 0) {
		finish(st);
		return -1;
	}
	if (run(s, ST_ADD_ATTEMPT, why, "adding an attempt") < 0)
		return -1;
	id_used(&s->attempt_ids, id);
	return batch_row(s, why);
}

/* seed_msgs - fill the repeat cache with the newest stored event of each queue ID among the last
 * MSGS_CACHE_MAX events, so that a restarted ingest skips the repeats the one before it skipped
 * (a killed ingest re-reads lines whose earlier events are stored); -1 with why */
static int seed_msgs(struct store *s, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_LAST_EVENTS];
	int rc;

	strmap_clear(&s->msgs);
	sqlite3_bind_int64(st, 1, MSGS_CACHE_MAX - 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = col_str(st, 0);
		sqlite3_int64 last = sqlite3_column_int64(st, 1);
		long long key = (last >> ID_SHIFT) << 4 | (sqlite3_column_int(st, 2) & 7) << 1
			| (sqlite3_column_int(st, 3) != 0);

		if (id != NULL)
			strmap_put(&s->msgs, id, key);
	}
	if (rc != SQLITE_DONE) {
		db_fail(s, why, "reading the last message events");
		finish(st);
		return -1;
	}
	finish(st);
	s->msgs_seeded = 1;
	return 0;
}

/* store_message_seen - record a queue ID's state at a time (batched)
 *
 * Rows are appended to message_events; the view `messages` folds them
 * (first seen, latest state and sender, last change). qmgr logs a deferred
 * message again each time it retries it: an event that repeats the last
 * one this handle wrote for the ID (same state, not older, no sender it
 * lacked) would change nothing there and is not written. A new handle first
 * reads the newest stored events (seed_msgs), so after a restart the same
 * repeats are skipped as in one long run. */
int store_message_seen(struct store *s, const char *queue_id, time_t when, const char *sender,
		       enum message_state state, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_MSG_SEEN];
	/* the state's value is message_events.state; 1-5 fit the repeat cache's three bits */
	int code = state > MESSAGE_STATE_UNKNOWN && state < MESSAGE_STATE_COUNT ? (int)state : 0;
	long long have, key = (long long)when << 4 | code << 1 | (sender != NULL);
	sqlite3_int64 id;

	if (queue_id == NULL)
		return why_set(why, "store: message without a queue ID");
	if (code == 0)
		return why_set(why, "store: unknown message state %d", (int)state);
	if (!s->msgs_seeded && seed_msgs(s, why) < 0)
		return -1;
	if (strmap_get(&s->msgs, queue_id, &have) && (have & 14) == (key & 14) && (have >> 4) <= (long long)when &&
	    (sender == NULL || (have & 1)))
		return 0;
	if (batch_begin(s, why) < 0 || next_id(s, &s->event_ids, when, &id, why) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	bind_str(st, 2, queue_id);
	sqlite3_bind_int(st, 3, code);
	bind_str(st, 4, sender);
	if (run(s, ST_MSG_SEEN, why, "recording a message") < 0)
		return -1;
	id_used(&s->event_ids, id);
	if (strmap_count(&s->msgs) >= MSGS_CACHE_MAX)
		strmap_clear(&s->msgs);
	if (strmap_get(&s->msgs, queue_id, &have))	/* keep the newest event, and whether a sender was written */
		key = ((have >> 4) > (long long)when ? have : key) | (have & 1);
	strmap_put(&s->msgs, queue_id, key);
	return batch_row(s, why);
}

/* store_message_replaced - record that old_id was requeued as new_id at a time (batched) */
int store_message_replaced(struct store *s, const char *old_id, const char *new_id, time_t when, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_MSG_REPLACED];

	if (old_id == NULL || new_id == NULL)
		return why_set(why, "store: requeue without both queue IDs");
	if (strcmp(old_id, new_id) == 0)
		return why_set(why, "store: %s cannot replace itself", old_id);
	if (batch_begin(s, why) < 0)
		return -1;
	bind_str(st, 1, old_id);
	bind_str(st, 2, new_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)when);
	if (run(s, ST_MSG_REPLACED, why, "recording a requeue") < 0)
		return -1;
	return batch_row(s, why);
}

/* current_user - the real uid's login name, else its number */
static void current_user(char *buf, size_t n)
{
	struct passwd pw, *res = NULL;
	char pwbuf[1024];

	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &res) == 0 && res != NULL)
		snprintf(buf, n, "%s", res->pw_name);
	else
		snprintf(buf, n, "%u", (unsigned)getuid());
}

/* cut_output - a copy of output cut (on a UTF-8 boundary) to STORE_OUTPUT_MAX bytes with a note, into *cut;
 * NULL in *cut when it fits; -1 with why when out of memory */
static int cut_output(const char *output, char **cut, struct why *why)
{
	static const char cut_note[] = "\n[output truncated]";
	size_t len;

	*cut = NULL;
	if (output == NULL || (len = strlen(output)) <= STORE_OUTPUT_MAX)
		return 0;
	len = STORE_OUTPUT_MAX - (sizeof cut_note - 1);
	while (len > 0 && ((unsigned char)output[len] & 0xc0) == 0x80)
		len--;	/* do not split a UTF-8 sequence */
	if ((*cut = malloc(len + sizeof cut_note)) == NULL)
		return why_errno(why, "store: audit output");
	memcpy(*cut, output, len);
	memcpy(*cut + len, cut_note, sizeof cut_note);
	return 0;
}

/* insert_action - append an audit row in state (0 done, 1 started, 2 refused) and its target IDs (nids of ids,
 * may be 0) into the open batch; its id in *id; -1 with why */
static int insert_action(struct store *s, const struct store_action *a, int state, char *const *ids,
			 size_t nids, sqlite3_int64 *id, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_ADD_ACTION];
	char user[256];
	char *cut = NULL;
	size_t i;
	int rc;

	if ((unsigned)a->action >= AUDIT_VERB_COUNT)
		return why_set(why, "store: unknown audited verb %d", (int)a->action);
	if (cut_output(a->output, &cut, why) < 0)
		return -1;
	if (a->user == NULL)
		current_user(user, sizeof user);
	rc = batch_begin(s, why);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)(a->time ? a->time : time(NULL)));
		bind_str(st, 2, a->user ? a->user : user);
		bind_str(st, 3, audit_verb_name(a->action));	/* actions.action holds the word */
		bind_str(st, 4, a->target);
		bind_str(st, 5, a->args);
		sqlite3_bind_int(st, 6, a->result);
		bind_str(st, 7, cut ? cut : a->output);
		sqlite3_bind_int(st, 8, a->ok != 0);
		sqlite3_bind_int(st, 9, state);
		rc = run(s, ST_ADD_ACTION, why, "adding an audit row");
	}
	free(cut);
	if (rc < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	for (i = 0; i < nids; i++) {
		sqlite3_bind_int64(s->st[ST_ADD_TARGET], 1, *id);
		bind_str(s->st[ST_ADD_TARGET], 2, ids[i]);
		if (run(s, ST_ADD_TARGET, why, "adding an audit target") < 0)
			return -1;
	}
	return 0;
}

/* store_add_action - append an audit row and commit at once (with any pending batch) */
int store_add_action(struct store *s, const struct store_action *a, struct why *why)
{
	sqlite3_int64 id;

	if (insert_action(s, a, a->state == STORE_ACTION_REFUSED ? 2 : 0, NULL, 0, &id, why) < 0)
		return -1;
	return store_flush(s, why);
}

/* store_begin_action - the audit row of an action about to run (state started, result and output
 * not known yet) with every one of its target IDs; committed at once; its id, or -1 with why */
long long store_begin_action(struct store *s, const struct store_action *a, char *const *ids, size_t nids,
			     struct why *why)
{
	sqlite3_int64 id;

	if (insert_action(s, a, 1, ids, nids, &id, why) < 0 || store_flush(s, why) < 0) {
		store_rollback(s);	/* no half-written audit row */
		return -1;
	}
	return (long long)id;
}

/* store_end_action - complete a started audit row with args, result, ok and output of a; committed at once */
int store_end_action(struct store *s, long long id, const struct store_action *a, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_END_ACTION];
	char *cut = NULL;
	int rc;

	if (cut_output(a->output, &cut, why) < 0)
		return -1;
	rc = batch_begin(s, why);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
		bind_str(st, 2, a->args);
		sqlite3_bind_int(st, 3, a->result);
		bind_str(st, 4, cut ? cut : a->output);
		sqlite3_bind_int(st, 5, a->ok != 0);
		rc = run(s, ST_END_ACTION, why, "completing an audit row");
	}
	free(cut);
	if (rc < 0)
		return -1;
	if (sqlite3_changes(s->db) != 1) {
		store_flush(s, NULL);
		return why_set(why, "store %s: no audit row %lld to complete", s->path, id);
	}
	return store_flush(s, why);
}

/* store_action_outcome - "ok", "FAILED", "refused", or for a row left started "interrupted/unknown outcome" */
const char *store_action_outcome(const struct store_action *a)
{
	if (a->state == STORE_ACTION_STARTED)
		return "interrupted/unknown outcome";
	if (a->state == STORE_ACTION_REFUSED)
		return "refused";
	return a->ok ? "ok" : "FAILED";
}

/* store_action_targets - every queue ID of an audit row (sorted); IDs passed or -1 */
int store_action_targets(struct store *s, long long action_id, store_target_fn fn, void *ctx, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_TARGETS];
	int rc, n = 0;

	if (busy_check(s, ST_TARGETS, why) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)action_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (fn != NULL && fn(ctx, col_str(st, 0)) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		db_fail(s, why, "reading audit targets");
	finish(st);
	return rc == SQLITE_DONE ? n : -1;
}

/* store_set_throttle - insert or replace a domain's throttle (until 0 = no expiry); committed at once */
int store_set_throttle(struct store *s, const char *domain, enum throttle_mode mode, time_t since,
		       time_t until, const char *user, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_SET_THROTTLE];

	if (domain == NULL || domain[0] == '\0')
		return why_set(why, "store: throttle without a domain");
	if ((unsigned)mode >= THROTTLE_MODE_COUNT)
		return why_set(why, "store: unknown throttle mode %d", (int)mode);
	if (batch_begin(s, why) < 0)
		return -1;
	bind_str(st, 1, domain);
	bind_str(st, 2, throttle_mode_name(mode));	/* throttles.mode holds the word */
	sqlite3_bind_int64(st, 3, (sqlite3_int64)since);
	if (until == 0)
		sqlite3_bind_null(st, 4);
	else
		sqlite3_bind_int64(st, 4, (sqlite3_int64)until);
	bind_str(st, 5, user);
	if (run(s, ST_SET_THROTTLE, why, "setting a throttle") < 0)
		return -1;
	return store_flush(s, why);
}

/* store_clear_throttle - remove a domain's throttle (absent is fine); committed at once */
int store_clear_throttle(struct store *s, const char *domain, struct why *why)
{
	if (domain == NULL)
		return why_set(why, "store: throttle without a domain");
	if (batch_begin(s, why) < 0)
		return -1;
	bind_str(s->st[ST_CLEAR_THROTTLE], 1, domain);
	if (run(s, ST_CLEAR_THROTTLE, why, "clearing a throttle") < 0)
		return -1;
	return store_flush(s, why);
}

/* join_text - a row's reply text from its template (column i) and tokens (i + 1) into a->text, which
 * points into the statement's s->text or the row; -1 with why when out of memory */
static int join_text(struct store *s, enum stmt which, int i, struct store_attempt *a, struct why *why)
{
	sqlite3_stmt *st = s->st[which];
	const char *tpl = col_str(st, i), *args = col_str(st, i + 1);

	if (tpl == NULL) {
		a->text = args;	/* kept whole (or NULL) */
		return 0;
	}
	if (args == NULL && strpbrk(tpl, "\001\002\003") == NULL) {
		a->text = tpl;	/* a text with no variable part */
		return 0;
	}
	if (textpack_join(tpl, args, a->relay, a->recipient, &s->text[which], &s->text_cap[which]) < 0)
		return why_errno(why, "store: reply text");
	a->text = s->text[which];
	return 0;
}

/* each_attempt - pass every row of a bound attempts query to fn; rows passed or -1 */
static int each_attempt(struct store *s, enum stmt which, store_attempt_fn fn, void *ctx, struct why *why)
{
	sqlite3_stmt *st = s->st[which];
	struct store_attempt a;
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a.time = (time_t)sqlite3_column_int64(st, 0);
		a.queue_id = col_str(st, 1);
		a.recipient = col_str(st, 2);
		a.domain = col_str(st, 3);
		a.provider = col_str(st, 4);
		a.cause = col_str(st, 5);
		a.dsn = col_str(st, 6);
		a.status = status_of_code(sqlite3_column_int(st, 7));
		a.relay = col_str(st, 8);
		a.stage = col_str(st, 9);
		if (join_text(s, which, 10, &a, why) < 0) {
			finish(st);
			return -1;
		}
		n++;
		if (fn != NULL && fn(ctx, &a) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		db_fail(s, why, "reading attempts");
	finish(st);
	return rc == SQLITE_DONE ? n : -1;
}

/* store_attempts_for - attempts of queue_id and of the IDs it was requeued from, oldest first; rows passed or -1 */
int store_attempts_for(struct store *s, const char *queue_id, store_attempt_fn fn, void *ctx, struct why *why)
{
	if (queue_id == NULL)
		return why_set(why, "store: no queue ID given");
	if (busy_check(s, ST_ATTEMPTS_FOR, why) < 0)
		return -1;
	bind_str(s->st[ST_ATTEMPTS_FOR], 1, queue_id);
	return each_attempt(s, ST_ATTEMPTS_FOR, fn, ctx, why);
}

/* attempts_since - attempts at or after since of one status (STATUS_NONE = any) through one of the
 * statements ST_ATTEMPTS_SINCE(_BRIEF); rows passed or -1 */
static int attempts_since(struct store *s, enum stmt which, time_t since, enum delivery_status status,
			  store_attempt_fn fn, void *ctx, struct why *why)
{
	sqlite3_stmt *st = s->st[which];

	if (busy_check(s, which, why) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, key_time(since));
	if (status == STATUS_NONE)
		sqlite3_bind_null(st, 2);
	else if (status_stored(status))
		sqlite3_bind_int(st, 2, (int)status);
	else
		sqlite3_bind_int(st, 2, -1);	/* never stored: no row matches */
	return each_attempt(s, which, fn, ctx, why);
}

/* store_attempts_since - attempts at or after since, of one status (STATUS_NONE = any), oldest first; rows passed or -1 */
int store_attempts_since(struct store *s, time_t since, enum delivery_status status, store_attempt_fn fn,
			 void *ctx, struct why *why)
{
	return attempts_since(s, ST_ATTEMPTS_SINCE, since, status, fn, ctx, why);
}

/* store_attempts_since_brief - store_attempts_since without reply texts (text NULL) */
int store_attempts_since_brief(struct store *s, time_t since, enum delivery_status status, store_attempt_fn fn,
			       void *ctx, struct why *why)
{
	return attempts_since(s, ST_ATTEMPTS_SINCE_BRIEF, since, status, fn, ctx, why);
}

/* store_attempt_stats - per queue ID: deferral attempts (distinct seconds), the last one with its relay and dsn, since a time; rows passed or -1 */
int store_attempt_stats(struct store *s, time_t since, store_stats_fn fn, void *ctx, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_ATTEMPT_STATS];
	int rc, n = 0;

	if (busy_check(s, ST_ATTEMPT_STATS, why) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, key_time(since));
	sqlite3_bind_int(st, 2, STATUS_DEFERRED);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n++;
		if (fn != NULL && fn(ctx, col_str(st, 0), sqlite3_column_int(st, 1),
				     (time_t)sqlite3_column_int64(st, 2), col_str(st, 3), col_str(st, 4)) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		db_fail(s, why, "reading attempt statistics");
	finish(st);
	return rc == SQLITE_DONE ? n : -1;
}

/* store_actions - audit rows at or after since whose target contains target_sub (NULL = all), newest first; rows passed or -1 */
int store_actions(struct store *s, time_t since, const char *target_sub, store_action_fn fn,
		  void *ctx, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_ACTIONS];
	struct store_action a;
	int rc, n = 0;

	if (busy_check(s, ST_ACTIONS, why) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)since);
	bind_str(st, 2, target_sub);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a.time = (time_t)sqlite3_column_int64(st, 0);
		a.user = col_str(st, 1);
		a.action = audit_verb_from(col_str(st, 2));
		a.target = col_str(st, 3);
		a.args = col_str(st, 4);
		a.result = sqlite3_column_int(st, 5);
		a.output = col_str(st, 6);
		a.ok = sqlite3_column_int(st, 7);
		a.state = sqlite3_column_int(st, 8) == 1 ? STORE_ACTION_STARTED
			: sqlite3_column_int(st, 8) == 2 ? STORE_ACTION_REFUSED : STORE_ACTION_DONE;
		a.id = sqlite3_column_int64(st, 9);
		a.ntargets = sqlite3_column_int64(st, 10);
		n++;
		if (fn != NULL && fn(ctx, &a) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		db_fail(s, why, "reading the audit trail");
	finish(st);
	return rc == SQLITE_DONE ? n : -1;
}

/* store_throttles - every throttle, by domain; rows passed or -1 */
int store_throttles(struct store *s, store_throttle_fn fn, void *ctx, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_THROTTLES];
	struct store_throttle t;
	int rc, n = 0;

	if (busy_check(s, ST_THROTTLES, why) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t.domain = col_str(st, 0);
		t.mode = throttle_mode_from(col_str(st, 1));
		t.user = col_str(st, 2);
		t.since = (time_t)sqlite3_column_int64(st, 3);
		t.until = (time_t)sqlite3_column_int64(st, 4);	/* NULL reads as 0 */
		n++;
		if (fn != NULL && fn(ctx, &t) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE)
		db_fail(s, why, "reading throttles");
	finish(st);
	return rc == SQLITE_DONE ? n : -1;
}

/* store_trends - deferrals per bucket of every value of key seen in the window, one fn call per value */
int store_trends(struct store *s, const char *key, const char *value, time_t end, long bucket_seconds,
		 int nbuckets, store_trend_fn fn, void *ctx, struct why *why)
{
	sqlite3_int64 start, b;
	unsigned *counts;
	char *name = NULL;
	sqlite3_stmt *st;
	enum stmt which;
	int rc, n = 0, stop = 0;

	if (key != NULL && strcmp(key, "cause") == 0)
		which = ST_TREND_CAUSE;
	else if (key != NULL && strcmp(key, "provider") == 0)
		which = ST_TREND_PROVIDER;
	else if (key != NULL && strcmp(key, "domain") == 0)
		which = ST_TREND_DOMAIN;
	else
		return why_set(why, "store: trend key must be cause, provider or domain, not \"%s\"",
			       key ? key : "(null)");
	if (bucket_seconds <= 0 || nbuckets <= 0 || nbuckets > INT32_MAX / 2 ||
	    bucket_seconds > INT64_MAX / 4 / nbuckets || end < 0 || (long long)end > ID_MAX_TIME)
		return why_set(why, "store: bad trend request (%d buckets of %ld s)", nbuckets, bucket_seconds);
	if (busy_check(s, which, why) < 0)
		return -1;
	if ((counts = calloc((size_t)nbuckets, sizeof *counts)) == NULL)
		return why_errno(why, "store: trend");
	start = (sqlite3_int64)end - (sqlite3_int64)bucket_seconds * nbuckets;
	if (start < 0)
		start = -1;	/* the window reaches before 1970: nothing is stored there */
	st = s->st[which];
	bind_str(st, 1, value);
	sqlite3_bind_int64(st, 2, start);
	sqlite3_bind_int64(st, 3, bucket_seconds);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)end);
	sqlite3_bind_int(st, 5, STATUS_DEFERRED);
	/* rows come ordered by value id, then bucket: one value's buckets are adjacent */
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (name == NULL || strcmp(name, col_str(st, 0)) != 0) {
			if (name != NULL) {
				stop = fn != NULL && fn(ctx, name, counts) != 0;
				memset(counts, 0, (size_t)nbuckets * sizeof *counts);
			}
			free(name);
			if ((name = strdup(col_str(st, 0))) == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			n++;
		}
		b = sqlite3_column_int64(st, 1);
		if (b >= 0 && b < nbuckets)
			counts[b] = (unsigned)sqlite3_column_int64(st, 2);
	}
	if (stop)
		rc = SQLITE_DONE;
	else if (rc == SQLITE_DONE && name != NULL && fn != NULL)
		fn(ctx, name, counts);
	if (rc != SQLITE_DONE)
		db_fail(s, why, "computing a trend");
	finish(st);
	free(name);
	free(counts);
	return rc == SQLITE_DONE ? n : -1;
}

struct one_trend {
	unsigned *counts;
	int nbuckets;
};

/* copy_trend - store_trend_fn keeping the counts of the one value asked for */
static int copy_trend(void *ctx, const char *value, const unsigned *counts)
{
	struct one_trend *t = ctx;

	(void)value;
	memcpy(t->counts, counts, (size_t)t->nbuckets * sizeof *counts);
	return 1;
}

/* store_trend - deferrals per bucket where key = value; the last bucket ends at end (inclusive) */
int store_trend(struct store *s, const char *key, const char *value, time_t end, long bucket_seconds,
		int nbuckets, unsigned *counts, struct why *why)
{
	struct one_trend t = { counts, nbuckets };
	int i;

	if (value == NULL)
		return why_set(why, "store: trend without a value");
	for (i = 0; i < nbuckets; i++)
		counts[i] = 0;
	return store_trends(s, key, value, end, bucket_seconds, nbuckets, copy_trend, &t, why) < 0 ? -1 : 0;
}

/* store_save_file - remember a followed log's position (batched, so it commits with the rows read before it) */
int store_save_file(struct store *s, const struct store_file *f, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_SAVE_FILE];

	if (f->path == NULL)
		return why_set(why, "store: file position without a path");
	if (batch_begin(s, why) < 0)
		return -1;
	bind_str(st, 1, f->path);
	/* 64-bit unsigned values are kept bit for bit in SQLite's signed integers */
	sqlite3_bind_int64(st, 2, (sqlite3_int64)f->dev);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)f->ino);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)f->offset);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)f->first_line_hash);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
	if (run(s, ST_SAVE_FILE, why, "saving a file position") < 0)
		return -1;
	return batch_row(s, why);
}

/* store_load_file - a followed log's saved position; out->path = path; 1 found, 0 none, -1 error */
int store_load_file(struct store *s, const char *path, struct store_file *out, struct why *why)
{
	sqlite3_stmt *st = s->st[ST_LOAD_FILE];
	int rc;

	if (path == NULL)
		return why_set(why, "store: no file path given");
	bind_str(st, 1, path);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->path = path;
		out->dev = (unsigned long long)sqlite3_column_int64(st, 0);
		out->ino = (unsigned long long)sqlite3_column_int64(st, 1);
		out->offset = sqlite3_column_int64(st, 2);
		out->first_line_hash = (unsigned long long)sqlite3_column_int64(st, 3);
	} else if (rc != SQLITE_DONE) {
		db_fail(s, why, "loading a file position");
	}
	finish(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* store_prune_some - delete up to limit rows of each kind older than older_than, in one transaction; rows deleted or -1 */
int store_prune_some(struct store *s, time_t older_than, int limit, struct why *why)
{
	static const enum stmt which[] = {
		ST_PRUNE_ATTEMPTS, ST_PRUNE_ACTIONS, ST_PRUNE_MESSAGES, ST_PRUNE_REQUEUES
	};
	long long total = 0;
	size_t i;

	if (limit <= 0)
		return why_set(why, "store: prune limit must be positive");
	if (batch_begin(s, why) < 0)
		return -1;
	for (i = 0; i < sizeof which / sizeof which[0]; i++) {
		/* attempts and events compare ?1 << 24: clamped (a huge cut-off must not wrap) */
		sqlite3_bind_int64(s->st[which[i]], 1, which[i] == ST_PRUNE_ATTEMPTS || which[i] == ST_PRUNE_MESSAGES
				   ? key_time(older_than) : (sqlite3_int64)older_than);
		sqlite3_bind_int(s->st[which[i]], 2, limit);
		if (run(s, which[i], why, "pruning") < 0)
			return -1;	/* the deletes stay in the open batch: flush or close decides */
		total += sqlite3_changes(s->db);
	}
	if (store_flush(s, why) < 0)
		return -1;
	return total > INT_MAX ? INT_MAX : (int)total;
}

/* store_prune - delete everything older than older_than, STORE_PRUNE_CHUNK rows per transaction; rows deleted or -1 */
int store_prune(struct store *s, time_t older_than, struct why *why)
{
	long long total = 0;
	int n;

	while ((n = store_prune_some(s, older_than, STORE_PRUNE_CHUNK, why)) > 0)
		total += n;
	if (n < 0)
		return -1;
	return total > INT_MAX ? INT_MAX : (int)total;
}
