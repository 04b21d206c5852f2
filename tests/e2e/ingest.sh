#!/usr/bin/env bash
# ingest.sh - `mqmon ingest` stores every event of a generated 600,000-line
# Postfix log exactly once: in one run, and when killed (SIGKILL) in the
# middle of the backlog and run again; the history matches row for row.
# A missing or unreadable log is an error, not "0 lines". Needs no Postfix.
set -u
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed (make deps)"
[ -x "$TOP/bench/gen-log" ] || skip "bench/gen-log not built (make)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/mail.log
"$TOP/bench/gen-log" -n 600000 -s 7 -o "$log"

# rows DB - the history as text, in id (time, then arrival) order
rows() {
	sqlite3 "$1" "SELECT time, queue_id, recipient, domain, provider, cause, dsn, status, relay, stage, text
		FROM attempt_rows ORDER BY id" | md5sum
}
# messages DB - the messages table as text
messages() {
	sqlite3 "$1" "SELECT queue_id, first_seen, last_seen, sender, state, replaced_by FROM messages ORDER BY 1" | md5sum
}

# one run
out=$("$MQMON" ingest --db "$work/one.db" "$log")
check "one run: reports the lines read" grep -q "^600000 lines read into the history" <<<"$out"
want=$(grep -cE ' status=(sent|deferred|bounced|expired) ' "$log")
check_eq "one run: one row per delivery attempt" "$(sqlite3 "$work/one.db" 'SELECT count(*) FROM attempts')" "$want"
want=$(grep -c ' status=deferred ' "$log")
check_eq "one run: deferrals" "$(sqlite3 "$work/one.db" "SELECT count(*) FROM attempt_rows WHERE status = 'deferred'")" "$want"
want=$(awk '/ postfix\/qmgr\[[0-9]+\]: [0-9A-Za-z]+: from=</ { sub(":", "", $6); if (!($6 in s)) { s[$6]; n++ } }
	END { print n + 0 }' "$log")
check_eq "one run: one row per message" "$(sqlite3 "$work/one.db" 'SELECT count(*) FROM messages')" "$want"
check_eq "one run: removed messages" "$(sqlite3 "$work/one.db" "SELECT count(*) FROM messages WHERE state = 'removed'")" \
	"$(grep -c ': removed$' "$log")"
check_eq "one run: position saved at the end of the file" \
	"$(sqlite3 "$work/one.db" 'SELECT offset FROM files')" "$(stat -c %s "$log")"
check "one run: no unclassified deferral" \
	test "$(sqlite3 "$work/one.db" "SELECT count(*) FROM attempt_rows WHERE status = 'deferred' AND cause IS NULL")" -eq 0
# index - 1 when the attempts' queue ID index is there (a first load builds it at the end)
index() {
	sqlite3 "$1" "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'attempts_queue_id'"
}
check_eq "one run: the queue ID index is there" "$(index "$work/one.db")" 1
out=$("$MQMON" ingest --db "$work/one.db" "$log")
check "again: nothing new to read" grep -q "^0 lines read" <<<"$out"

# killed in the middle of the backlog, then run again
"$MQMON" ingest --db "$work/two.db" "$log" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 400); do
	n=$(sqlite3 "$work/two.db" 'SELECT count(*) FROM attempts' 2>/dev/null || echo 0)
	[ "${n:-0}" -gt 0 ] && break
	sleep 0.01
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
killed_at=$(sqlite3 "$work/two.db" 'SELECT count(*) FROM attempts')
total=$(sqlite3 "$work/one.db" 'SELECT count(*) FROM attempts')
check "killed: it had committed part of the backlog, not all ($killed_at of $total rows)" \
	test "$killed_at" -gt 0 -a "$killed_at" -lt "$total"
check "killed: the saved position matches what was committed" \
	test "$(sqlite3 "$work/two.db" 'SELECT offset FROM files')" -lt "$(stat -c %s "$log")"
check_eq "killed: a first load builds the queue ID index last (not yet)" "$(index "$work/two.db")" 0
"$MQMON" ingest --db "$work/two.db" "$log" >/dev/null
check_eq "resumed: the same attempts, in the same order, none twice" "$(rows "$work/two.db")" "$(rows "$work/one.db")"
check_eq "resumed: the same messages" "$(messages "$work/two.db")" "$(messages "$work/one.db")"
check_eq "resumed: the queue ID index is there" "$(index "$work/two.db")" 1
check_eq "resumed: report --since agrees" \
	"$("$MQMON" report --since 3650d --db "$work/two.db" --format json "$log" | jq -c '.deferrals, .messages')" \
	"$("$MQMON" report --since 3650d --db "$work/one.db" --format json "$log" | jq -c '.deferrals, .messages')"

# two logs at once (two instances): each resumes from its own position
head -n 250000 "$log" >"$work/a.log"
tail -n +250001 "$log" >"$work/b.log"
"$MQMON" ingest --db "$work/ab.db" "$work/a.log" "$work/b.log" >/dev/null
check_eq "two logs: every attempt of both" "$(sqlite3 "$work/ab.db" 'SELECT count(*) FROM attempts')" "$total"
check_eq "two logs: a position for each" \
	"$(sqlite3 "$work/ab.db" 'SELECT group_concat(offset, " ") FROM (SELECT offset FROM files ORDER BY path)')" \
	"$(stat -c %s "$work/a.log") $(stat -c %s "$work/b.log")"
echo "$(tail -n 1 "$work/b.log")" >>"$work/b.log"
out=$("$MQMON" ingest --db "$work/ab.db" "$work/a.log" "$work/b.log")
check "two logs: a line appended to one is the only one read" grep -q "^1 line read" <<<"$out"

# bad input
# one process stores a log into a history: `mqmon ingest` from cron while a
# follower (or a console) keeps it stores nothing, and nothing is stored twice
live=$work/live.log
head -n 20000 "$log" >"$live"
"$MQMON" classify --follow --db "$work/lease.db" "$live" >/dev/null 2>"$work/follow.err" &
fpid=$!
sleep 1
sed -n '20001,50000p' "$log" >>"$live"
"$MQMON" ingest --db "$work/lease.db" "$live" >"$work/out" 2>"$work/err"
check_eq "while a follower stores the log: ingest exits 0" "$?" 0
check "while a follower stores the log: ingest says who does (pid $fpid), on stdout" \
	grep -q "^0 lines read: another mqmon (pid $fpid) is storing $live into $work/lease.db, which keeps" "$work/out"
check_eq "while a follower stores the log: nothing on stderr (cron stays quiet)" "$(cat "$work/err")" ""
sed -n '50001,60000p' "$log" >>"$live"
sleep 7		# the follower's group commit
kill -TERM "$fpid"
wait "$fpid"
check_eq "the follower ends cleanly" "$?" 0
"$MQMON" ingest --db "$work/lease.db" "$live" >"$work/out" 2>"$work/err"
check "once the follower ended: ingest runs (and finds nothing new)" grep -q "^0 lines read" "$work/out"
(cd "$work" && "$MQMON" ingest --db "$work/lease.db" ./live.log) >"$work/out"
check "the same log by a relative name: the same saved position (nothing read twice)" grep -q "^0 lines read" "$work/out"
check_eq "one saved position, under the absolute name" "$(sqlite3 "$work/lease.db" 'SELECT path FROM files')" "$live"
# a position an older mqmon saved under the relative name it was given still counts
sqlite3 "$work/lease.db" "UPDATE files SET path = 'live.log'"
(cd "$work" && "$MQMON" ingest --db "$work/lease.db" live.log) >"$work/out"
check "a position saved under a relative name is found (nothing read twice)" grep -q "^0 lines read" "$work/out"
sed -n '20001,60000p' "$log" >"$work/part.log"
"$MQMON" ingest --db "$work/part.db" "$work/part.log" >/dev/null
check_eq "the follower's history is that of a single run over the same lines (nothing twice)" \
	"$(rows "$work/lease.db") $(messages "$work/lease.db")" "$(rows "$work/part.db") $(messages "$work/part.db")"
"$MQMON" ingest --db "$work/bad.db" "$work/nonexistent.log" >"$work/out" 2>"$work/err"
check_eq "a missing log: exit 66" "$?" 66
check "a missing log: says which" grep -q "missing: $work/nonexistent.log" "$work/err"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 600 "$log"
	mkdir "$work/nobody" && chown nobody "$work/nobody"
	# nobody runs a copy of mqmon (lib.sh): the checkout may be where nobody cannot go
	check "nobody can run a copy of mqmon" nobody_prepare "$work"
	as_nobody "$NOBODY_MQMON" ingest --db /dev/null/x.db "$log" 2>"$work/err"
	check_eq "no database to write: exit 73" "$?" 73
	as_nobody env HOME="$work" XDG_DATA_HOME="$work/nobody" "$NOBODY_MQMON" ingest "$log" 2>"$work/err"
	check_eq "an unreadable log: exit 66" "$?" 66
	check "an unreadable log: permission denied is said" grep -q "permission denied: $log" "$work/err"
fi
finish
