#!/usr/bin/env bash
# live.sh - following the real Postfix log into the store: every deferral seen
# exactly once across `postfix logrotate` and across a restart of mqmon with
# lines written while it was down; report --since counts what the store holds.
set -u
. "$(dirname "$0")/lib.sh"
need_bed
command -v sqlite3 >/dev/null || skip "sqlite3 not installed (make deps)"
bed_start 3220
work=$(mktemp -d)
db=$work/mqmon.db
fpid=""
# stop_follow - SIGTERM the follower; returns its exit status
stop_follow() {
	local rc=0
	if [ -n "$fpid" ]; then
		kill -TERM "$fpid" 2>/dev/null
		wait "$fpid" 2>/dev/null || rc=$?
	fi
	fpid=""
	return "$rc"
}
trap 'stop_follow; rm -rf "$work"; bed_stop' EXIT

# follow_start OUT - mqmon classify --follow in the background
follow_start() {
	"$MQMON" classify --follow --db "$db" "$BED_LOG" >>"$1" 2>"$work/follow.err" &
	fpid=$!
	sleep 0.5
}
# settle - wait until the follower printed N lines (up to 15 s)
settle() {
	local i
	for i in $(seq 75); do
		[ "$(wc -l <"$work/out")" -ge "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
ndef() { grep -c 'status=deferred' "$1" 2>/dev/null || true; }

: >"$work/out"
follow_start "$work/out"
inject 20 gmail.com yahoo.com outlook.com greylist.example accept.example
a=$(ndef "$BED_LOG")
settle "$a"
check_eq "follow prints each new deferral once" "$(wc -l <"$work/out")" "$a"
check "follow output is classified TSV" awk -F'\t' 'NF != 7 || $5 == "" { exit 1 }' "$work/out"

# postfix logrotate: MOVED_FROM maillog, CREATE maillog, the old file gzipped and deleted
postfix -c "$BED_CONF" logrotate >/dev/null 2>&1
sleep 1
inject 10 gmail.com busy.example
b=$(ndef "$BED_LOG")
settle $((a + b))
check_eq "across postfix logrotate: nothing lost, nothing twice" "$(wc -l <"$work/out")" "$((a + b))"

# a restart with lines written while mqmon was down
stop_follow
check_eq "SIGTERM ends the follower cleanly (status 0)" "$?" 0
before=$(wc -l <"$work/out")
inject 6 outlook.com tls.example
c=$(($(ndef "$BED_LOG") - b))
: >"$work/out2"
"$MQMON" classify --follow --db "$db" "$BED_LOG" >>"$work/out2" 2>>"$work/follow.err" &
fpid=$!
for i in $(seq 50); do [ "$(wc -l <"$work/out2")" -ge "$c" ] && break; sleep 0.2; done
sleep 0.5
check_eq "after a restart: exactly the lines written while down" "$(wc -l <"$work/out2")" "$c"
stop_follow
check_eq "no line printed twice overall" "$(cat "$work/out" "$work/out2" | sort | uniq -d | wc -l)" 0

total=$((before + c))
check_eq "the store holds every deferral once" "$(sqlite3 "$db" "select count(*) from attempt_rows where status='deferred'")" "$total"
check "the store has delivered attempts too (accept.example)" \
	test "$(sqlite3 "$db" "select count(*) from attempt_rows where status='sent'")" -gt 0
check "the store has the resume position" test "$(sqlite3 "$db" "select count(*) from files")" -eq 1
got=$("$MQMON" report --since 1h --db "$db" --format json "$BED_LOG" | jq .deferrals)
check_eq "report --since 1h counts the store's deferrals" "$got" "$total"
check_eq "follow wrote no errors" "$(cat "$work/follow.err")" ""

# group commit: a live log's rows wait in memory up to 5 s (INGEST_LIVE_HOLD)
# for company, then are stored with no further line needed
stored() { sqlite3 "$db" "select count(*) from attempt_rows where status='deferred'"; }
printed_at_least() { local i; for i in $(seq 75); do [ "$(wc -l <"$1")" -ge "$2" ] && return 0; sleep 0.2; done; return 1; }
: >"$work/out3"
follow_start "$work/out3"
base=$(ndef "$BED_LOG")
inject 4 gmail.com
d=$(($(ndef "$BED_LOG") - base))
printed_at_least "$work/out3" "$d"
for i in $(seq 50); do [ "$(stored)" -eq $((total + d)) ] && break; sleep 0.2; done
check_eq "held rows are stored within the hold time, no further line needed" "$(stored)" $((total + d))
# SIGKILL while rows are held: nothing was saved for them, so the restart reads them again, once
base=$(ndef "$BED_LOG")
inject 3 yahoo.com
e=$(($(ndef "$BED_LOG") - base))
printed_at_least "$work/out3" $((d + e))
held=$(( total + d + e - $(stored) ))
kill -KILL "$fpid"; wait "$fpid" 2>/dev/null; fpid=""
check "rows were held when the follower was killed ($held)" test "$held" -gt 0
: >"$work/out4"
follow_start "$work/out4"
printed_at_least "$work/out4" "$held"
stop_follow
check_eq "after SIGKILL with rows held: every deferral stored once" "$(stored)" $((total + d + e))
check_eq "after SIGKILL: the restart printed exactly the held deferrals" "$(wc -l <"$work/out4")" "$held"
finish
