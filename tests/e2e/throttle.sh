#!/usr/bin/env bash
# throttle.sh - issue 12 #1-#3 on a real bed: a throttle given --for expires without a running
# mqmon (the job `throttle --setup` installs runs `throttles --expire`), a throttle applies within
# seconds and shows `pending` until the log shows it working, and mail mqmon's pause defers keeps
# its remote cause with a paused marker. System files go below MQMON_SYSTEM_ROOT (never /etc).
set -u
. "$(dirname "$0")/lib.sh"
need_bed
command -v sqlite3 >/dev/null || skip "sqlite3 CLI not installed (make deps)"
bed_start "${MQMON_THROTTLE_PORT_BASE:-4820}"

DB=$BED_DIR/audit.db
MAP=$BED_CONF/mqmon_transport
GMAIL_PORT=$((BED_PORT_BASE + 6))
SYSROOT=$BED_DIR/sysroot
export MQMON_SYSTEM_ROOT=$SYSROOT
mkdir -p "$SYSROOT/run/systemd/system" "$SYSROOT/etc/systemd/system"

mq() {
	"$MQMON" -c "$BED_CONF" "$@" --db "$DB"
}
count() {
	grep -c -e "$1" "$2" 2>/dev/null || true
}
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ((SECONDS < end)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"$@"
}

inject 6 gmail.com busy.example

# --- #2: --setup --apply without --reload, then --reload must really reload
mq throttle --setup --apply >/dev/null 2>&1
r0=$(count "reload -- version" "$BED_LOG")
out=$(mq throttle --setup --apply --reload 2>&1); rc=$?
check_eq "#2 setup --apply --reload after an earlier --apply: exit 0" "$rc" 0
check "#2 setup --reload reloads even with nothing left to change (never 'no reload needed')" \
	wait_for 5 test "$(count "reload -- version" "$BED_LOG")" -gt "$r0"

# --- #1: the expiry job is written, and the command it runs expires a throttle with no mqmon running
UNIT=$(ls "$SYSROOT"/etc/systemd/system/mqmon-expire-*.service 2>/dev/null | head -1)
check "#1 setup writes a systemd service and timer for the instance (under MQMON_SYSTEM_ROOT)" \
	test -s "$UNIT" -a -s "${UNIT%.service}.timer"
check "#1 the timer fires every 15 s" grep -q '^OnCalendar=\*-\*-\* \*:\*:00/15$' "${UNIT%.service}.timer"
JOB=$(sed -n 's/^ExecStart=//p' "$UNIT")
check_eq "#1 the service runs 'mqmon -c DIR throttles --expire --db DB'" "$JOB" \
	"$(readlink -f "$MQMON") -c $BED_CONF throttles --expire --db $DB"
out=$(mq throttle --setup 2>&1)
check "#1 setup again: the timer is reported installed" grep -q "ok: expiry timer" <<<"$out"
CRONROOT=$BED_DIR/cronroot
mkdir -p "$CRONROOT/etc/cron.d"
out=$(MQMON_SYSTEM_ROOT=$CRONROOT mq throttle --setup --apply 2>&1)
check "#1 without systemd: a cron.d line every minute runs the same command" \
	grep -q "^\* \* \* \* \* root $JOB >/dev/null$" "$CRONROOT"/etc/cron.d/mqmon-expire-*

mq throttle outlook.com --pause --for 3s >/dev/null 2>&1
check "#1 --for 3s: in the map" grep -q "^outlook.com retry:" "$MAP"
sleep 4
# shellcheck disable=SC2086
$JOB >"$BED_DIR/job.out" 2>&1; rc=$?
check_eq "#1 the timer's command: exit 0" "$rc" 0
check "#1 the timer's command removed the expired throttle from the map" bash -c "! grep -q '^outlook.com ' '$MAP'"
check_eq "#1 ... and from the postmap'd table" "$(postmap -c "$BED_CONF" -q outlook.com "hash:$MAP")" ""
check_eq "#1 ... and audited it" \
	"$(sqlite3 "$DB" "select action || ' ' || output from actions where target = 'outlook.com' order by id desc limit 1")" \
	"unthrottle expired"
# shellcheck disable=SC2086
out=$($JOB 2>&1); rc=$?
check_eq "#1 the timer's command with nothing due: exit 0, silent" "$rc:$out" "0:"

# --- #2: a pause applies within 5 s, and shows pending until the log shows it
mq throttle yahoo.com --pause >/dev/null 2>&1
check "#2 a throttle Postfix has not routed any mail by yet is 'pending'" \
	grep -qE "^yahoo.com +pause +pending " <<<"$(mq throttles 2>&1)"
sleep 2
L0=$(wc -l <"$BED_LOG")
g0=$(count "$GMAIL_PORT gmail connect" "$BED_PEER_LOG")
T0=$(date +%s%N)
mq throttle gmail.com --pause --for 1h >/dev/null 2>&1
postqueue -c "$BED_CONF" -f
paused_in_log() {
	tail -n +"$L0" "$BED_LOG" | grep -q "to=<[^>]*@gmail.com>, relay=none.*status=deferred (paused by operator (mqmon))"
}
wait_for 10 paused_in_log
T1=$(date +%s%N)
echo "# pause to effect: $(((T1 - T0) / 1000000)) ms"
check "#2 pause gmail.com + flush: Postfix defers it through mqmon's retry transport within 5 s" \
	test $(((T1 - T0) / 1000000)) -le 5000 -a "$(tail -n +"$L0" "$BED_LOG" | grep -c 'paused by operator (mqmon)')" -gt 0
sleep 1
check_eq "#2 no delivery attempt reached the gmail peer after the pause" \
	"$(count "$GMAIL_PORT gmail connect" "$BED_PEER_LOG")" "$g0"
check "#2 once the log shows it, throttles shows 'pause' with the time left" \
	grep -qE "^gmail.com +pause +pause 59m[0-9]+s " <<<"$(mq throttles 2>&1)"

# --- #3: paused mail keeps its remote cause, with a paused marker
snap=$("$MQMON" -c "$BED_CONF" snapshot --format json --log "$BED_LOG" 2>/dev/null)
gm=$(jq -c '[.messages[] | select(.recipients[0].domain == "gmail.com")]' <<<"$snap" 2>/dev/null)
check_eq "#3 snapshot: every paused gmail.com message is rate-limit, paused: true" \
	"$(jq -r '[.[] | "\(.cause) \(.paused)"] | unique | join(",")' <<<"$gm")" "rate-limit true"
check_eq "#3 snapshot: no gmail.com message is unclassified" \
	"$(jq '[.[] | select(.cause == "unclassified")] | length' <<<"$gm")" 0
check_eq "#3 snapshot: busy.example mail is not paused" \
	"$(jq '[.messages[] | select(.recipients[0].domain == "busy.example") | select(.paused)] | length' <<<"$snap")" 0

mq unthrottle gmail.com >/dev/null 2>&1
mq unthrottle yahoo.com >/dev/null 2>&1
finish
