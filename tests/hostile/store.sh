#!/usr/bin/env bash
# store.sh - hostile faults around the history database (issue #11 items 2,
# 3, 4, 5, 13, 18, 19): a full disk or a held write lock in the middle of an
# ingest loses nothing (the next run reads the lines again and the history
# equals a clean run's, row for row) and exits 74 / 75; kill -9 of an ingest
# adds no row; durations beyond 10 years are refused and a huge retention
# deletes nothing; a prune never runs from a command that failed; a bulk
# action killed mid-way leaves a "started" audit row; every target ID of a
# bulk action is kept. Items 4 and 13 need a Postfix test bed (port base
# 4220); the rest needs root only for the tmpfs.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (a small tmpfs for the full disk)"
command -v sqlite3 >/dev/null || skip "sqlite3 not installed (make deps)"
[ -x "$TOP/bench/gen-log" ] || skip "bench/gen-log not built (make)"
work=$(mktemp -d /tmp/mqmon-hostile-store.XXXXXX)
# cleanup - unmount the tmpfs, remove the files, stop the bed
cleanup() {
	mountpoint -q "$work/fs" 2>/dev/null && umount "$work/fs"
	rm -rf "$work"
	bed_stop
	return 0
}
trap cleanup EXIT

# attempts DB / events DB - the history as text, in id order (what a clean run must equal)
attempts() {
	sqlite3 "$1" "SELECT time, queue_id, recipient, domain, provider, cause, dsn, status, relay, stage, text
		FROM attempt_rows ORDER BY id" | md5sum
}
events() {
	sqlite3 "$1" "SELECT id, queue_id, state, sender FROM message_events ORDER BY id" | md5sum
}
# history DB - both, with the row counts
history() {
	echo "$(sqlite3 "$1" 'SELECT count(*) FROM attempts') $(sqlite3 "$1" 'SELECT count(*) FROM message_events')" \
		"$(attempts "$1") $(events "$1")"
}

log=$work/mail.log
"$TOP/bench/gen-log" -n 200000 -s 11 -o "$log"
"$MQMON" ingest --db "$work/clean.db" "$log" >/dev/null
clean=$(history "$work/clean.db")
size=$(stat -c %s "$log")

# --- #2 #19 the disk fills up in the middle of an ingest
mkdir "$work/fs"
# (the history of this log takes about 12.5 MB since schema 4: 10 MB fills up on the way)
mount -t tmpfs -o size=10m tmpfs "$work/fs"
"$MQMON" ingest --db "$work/fs/h.db" "$log" >"$work/out" 2>&1
rc=$?
saved=$(sqlite3 "$work/fs/h.db" 'SELECT coalesce(max(offset), 0) FROM files')
stored=$(sqlite3 "$work/fs/h.db" 'SELECT count(*) FROM attempts')
mount -o remount,size=200m "$work/fs"
"$MQMON" ingest --db "$work/fs/h.db" "$log" >>"$work/out" 2>&1
rc2=$?
check "#2 disk full mid-ingest: no position past the lost rows (saved $saved of $size, $stored rows kept), the next run stores the rest and the history equals a clean run's row for row" \
	test "$saved" -lt "$size" -a "$rc2" -eq 0 -a "$(history "$work/fs/h.db")" = "$clean"
check "#19 disk full: exit 74 (I/O error, not 66), saying the disk is full and that nothing is lost" \
	eval 'test "$rc" -eq 74 && grep -q "disk is full" "$work/out" && grep -q "nothing is lost" "$work/out"'
umount "$work/fs"

# --- #2 #19 another process holds the write lock longer than the busy timeout (5 s)
head -n 120000 "$log" >"$work/part.log"
"$MQMON" ingest --db "$work/lock.db" "$work/part.log" >/dev/null
tail -n +120001 "$log" >>"$work/part.log"
{ echo "BEGIN IMMEDIATE;"; sleep 7; echo "COMMIT;"; } | sqlite3 "$work/lock.db" &
locker=$!
sleep 0.5
"$MQMON" ingest --db "$work/lock.db" "$work/part.log" >"$work/out" 2>&1
rc=$?
wait "$locker"
saved=$(sqlite3 "$work/lock.db" 'SELECT offset FROM files')
"$MQMON" ingest --db "$work/lock.db" "$work/part.log" >/dev/null 2>&1
check "#2 write lock held by another process: nothing saved past the first run ($saved), the next run stores the rest, history equals a clean run's" \
	test "$rc" -ne 0 -a "$saved" -lt "$size" -a "$(history "$work/lock.db")" = "$clean"
check "#19 lock timeout: exit 75 (try again), saying the database is locked" \
	eval 'test "$rc" -eq 75 && grep -q "locked" "$work/out"'

# --- #5 kill -9 at a few points of a large backlog, then a run to the end
big=$work/big.log
"$TOP/bench/gen-log" -n 600000 -s 5 -o "$big"
"$MQMON" ingest --db "$work/bigclean.db" "$big" >/dev/null
bigclean=$(history "$work/bigclean.db")
kills=0
for _ in 1 2 3; do
	before=$(sqlite3 "$work/killed.db" 'SELECT count(*) FROM attempts' 2>/dev/null || echo 0)
	"$MQMON" ingest --db "$work/killed.db" "$big" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 500); do
		n=$(sqlite3 "$work/killed.db" 'SELECT count(*) FROM attempts' 2>/dev/null || echo 0)
		[ "${n:-0}" -gt "${before:-0}" ] && break
		sleep 0.01
	done
	kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
	{ wait "$pid"; } 2>/dev/null
done
"$MQMON" ingest --db "$work/killed.db" "$big" >/dev/null
check "#5 ingest killed ($kills kills) and run again: attempts and message_events equal a clean run's row for row" \
	test "$kills" -ge 2 -a "$(history "$work/killed.db")" = "$bigclean"

# --- #3 a huge retention is refused and deletes nothing; durations are capped at 10 years
printf '[mqmon]\nretention = 106751991167300d\n' >"$work/huge.ini"
cp "$work/clean.db" "$work/ret.db"
"$MQMON" --config "$work/huge.ini" ingest --db "$work/ret.db" "$log" >"$work/out" 2>&1
check "#3 retention = 106751991167300d: refused with a clear error, every attempt kept" \
	eval 'grep -q "longer than the maximum" "$work/out" && test "$(history "$work/ret.db")" = "$clean"'
"$MQMON" report --since 106751991167300d --db "$work/ret.db" "$log" >"$work/out" 2>&1
rc=$?
check "#3 report --since 106751991167300d: usage error naming the 10-year maximum" \
	eval 'test "$rc" -eq 64 && grep -q "10 years" "$work/out"'
printf '[mqmon]\nretention = 1s\n' >"$work/short.ini"
"$MQMON" --config "$work/short.ini" ingest --db "$work/ret.db" "$work/no-such.log" >/dev/null 2>&1
rc=$?
check "#3 a command that fails before its work prunes nothing (exit $rc, history kept)" \
	test "$rc" -ne 0 -a "$(history "$work/ret.db")" = "$clean"

# --- #18 throttle --for beyond the cap is refused before anything is changed
"$MQMON" -c /nonexistent throttle huge.example --pause --for 106751991167300d --db "$work/t.db" >"$work/out" 2>&1
rc=$?
check "#18 throttle --for 106751991167300d: refused (exit 64) naming the maximum" \
	eval 'test "$rc" -eq 64 && grep -q "longer than the maximum" "$work/out"'

# --- #4 #13 bulk actions on a real Postfix bed
if ! command -v postconf >/dev/null || ! command -v jq >/dev/null; then
	echo "skipped: #4 #13 need postfix and jq (make deps)"
	finish
fi
bed_start 4220
trap cleanup EXIT	# bed_start set its own trap: cleanup stops the bed too
DB=$work/audit.db
MQMON_BED_INJECT=smtp-source inject 3000 full.example
postqueue -c "$BED_CONF" -j | jq -r .queue_id | sort -u >"$work/ids"
nids=$(wc -l <"$work/ids")

# #4: kill -9 while the hold runs: the Postfix command goes through a command_prefix
# that waits, so the kill lands mid-action whatever the machine's load
printf '#!/bin/sh\ntouch "%s/slow.started"\nsleep 30\nexec "$@"\n' "$work" >"$work/slow"
chmod 755 "$work/slow"
printf '[mqmon]\ncommand_prefix = %s/slow\n' "$work" >"$work/slow.ini"
"$MQMON" --config "$work/slow.ini" -c "$BED_CONF" hold --db "$DB" - <"$work/ids" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do
	[ -e "$work/slow.started" ] && break
	sleep 0.05
done
{ kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
pkill -KILL -f "$work/slow" 2>/dev/null
sleep 1
listing=$("$MQMON" actions --db "$DB" 2>&1)
check "#4 hold of $nids messages killed mid-way: an audit row in state started, listed as interrupted/unknown outcome" \
	eval 'test "$(sqlite3 "$DB" "SELECT count(*) FROM actions WHERE action = '"'"'hold'"'"' AND state = 1")" -eq 1 &&
		grep -q "interrupted/unknown outcome" <<<"$listing"'

# #13: every ID of a bulk action is kept and can be listed
"$MQMON" -c "$BED_CONF" release --db "$DB" - <"$work/ids" >/dev/null 2>&1
"$MQMON" actions --db "$DB" --ids >"$work/listed" 2>&1
awk '/ release /{on=1; next} /^[^ ]/{on=0} on && /^  /{print $1}' "$work/listed" | sort -u >"$work/released"
last=$(tail -n 1 "$work/ids")
check "#13 release of $nids IDs: all of them in the audit trail ($(wc -l <"$work/released") listed; the last one found by ID)" \
	eval 'cmp -s "$work/ids" "$work/released" && "$MQMON" actions --db "$DB" "$last" | grep -q " release "'
finish
