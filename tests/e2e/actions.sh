#!/usr/bin/env bash
# actions.sh - operator actions against a real Postfix: hold, release, retry,
# delete and requeue do exactly what they say to exactly the messages named
# (bulk lists in one postsuper), bad IDs and read-only mode change nothing,
# every action leaves an audit row, and throttles through mqmon's transport
# map really stop (pause) or slow a domain's deliveries, then expire.
set -u
. "$(dirname "$0")/lib.sh"
need_bed
command -v sqlite3 >/dev/null || skip "sqlite3 CLI not installed (make deps)"
bed_start 3020

DB=$BED_DIR/audit.db
# `throttle --setup --apply` writes its expiry job below this root, never into /etc
export MQMON_SYSTEM_ROOT=$BED_DIR/sysroot
mkdir -p "$MQMON_SYSTEM_ROOT"
MAP=$BED_CONF/mqmon_transport
GMAIL_PORT=$((BED_PORT_BASE + 6))
MS_PORT=$((BED_PORT_BASE + 7))
T0=$SECONDS

# mq ARGS... - mqmon on the bed, auditing into $DB
mq() {
	"$MQMON" -c "$BED_CONF" "$@" --db "$DB"
}

# listing - "ID QUEUE" of every queued message
listing() {
	postqueue -c "$BED_CONF" -j | jq -r '"\(.queue_id) \(.queue_name)"' | sort -u
}

# ids_of DOMAIN - queue IDs with a recipient at DOMAIN
ids_of() {
	postqueue -c "$BED_CONF" -j |
		jq -r --arg d "@$1" 'select(any(.recipients[]; .address | endswith($d))) | .queue_id' | sort -u
}

# queue_of ID - the queue the message is in ("" when gone)
queue_of() {
	postqueue -c "$BED_CONF" -j | jq -r --arg id "$1" 'select(.queue_id == $id) | .queue_name' | head -1
}

# rcpt_of ID - the message's first pending recipient
rcpt_of() {
	postqueue -c "$BED_CONF" -j | jq -r --arg id "$1" 'select(.queue_id == $id) | .recipients[0].address' | head -1
}

# others - listing without the named IDs (what must not change)
others() {
	local pat
	pat=$(printf '%s\n' "$@")
	listing | grep -v -F -w -f <(printf '%s\n' "$pat") || true
}

# wait_for SECONDS CMD... - poll every 0.3 s until CMD succeeds
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while ((SECONDS < end)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.3
	done
	"$@"
}

# count PATTERN FILE - lines matching (0 when none)
count() {
	grep -c -e "$1" "$2" 2>/dev/null || true
}

# in_queue QUEUE ID - true when the message is in that queue
in_queue() {
	[ "$(queue_of "$2")" = "$1" ]
}

# more_than N PATTERN FILE - true when FILE has more than N lines matching
more_than() {
	[ "$(count "$2" "$3")" -gt "$1" ]
}

# audit SQL - one value from the audit database
audit() {
	sqlite3 "$DB" "$1"
}

# restarts - how many times trivial-rewrite restarted for a changed mqmon map
restarts() {
	count "mqmon_transport.*has changed -- restarting" "$BED_LOG"
}

# map_settle N - wait until Postfix routes by the changed map. trivial-rewrite
# reopens a changed table only when it restarts, which it does when it notices
# the change around a client's (dis)connection: a retry of an unrelated
# message (busy.example) provokes that; N = restarts() before the change
map_settle() {
	mq retry "${BUSY[1]}" >/dev/null 2>&1
	wait_for 12 more_than "$1" "mqmon_transport.*has changed -- restarting" "$BED_LOG" >/dev/null
	sleep 1
}

inject 12 gmail.com outlook.com busy.example
MQMON_BED_INJECT=smtp-source inject 200 full.example
mapfile -t GM < <(ids_of gmail.com)
mapfile -t MS < <(ids_of outlook.com)
mapfile -t BUSY < <(ids_of busy.example)
check_eq "bed: 4 gmail, 4 outlook, 4 busy messages deferred" "${#GM[@]} ${#MS[@]} ${#BUSY[@]}" "4 4 4"
check_eq "bed: 200 full.example messages deferred" "$(ids_of full.example | wc -l)" 200

# --- requeue first: pickup takes up to 60 s to re-inject it under a new ID
R=${BUSY[0]}
R_RCPT=$(rcpt_of "$R")
out=$(mq requeue "$R" 2>&1); rc=$?
check_eq "requeue: exit 0" "$rc" 0
check "requeue: postsuper reports it" grep -q "Requeued: 1 message" <<<"$out"
R_AT=$SECONDS

# --- hold / release: only the named message moves
G=${GM[0]}
before=$(others "$G" "$R")
out=$(mq hold "$G" 2>&1); rc=$?
check_eq "hold: exit 0" "$rc" 0
check "hold: postsuper's summary printed" grep -q "Placed on hold: 1 message" <<<"$out"
check_eq "hold: message is in the hold queue" "$(queue_of "$G")" hold
check_eq "hold: no other message changed" "$(others "$G" "$R")" "$before"
out=$(mq release "$G" 2>&1); rc=$?
check_eq "release: exit 0" "$rc" 0
check_eq "release: message back in deferred" "$(queue_of "$G")" deferred
check_eq "release: no other message changed" "$(others "$G" "$R")" "$before"

# --- retry: the peer sees a new attempt for that recipient
G2=${GM[1]}
G2_RCPT=$(rcpt_of "$G2")
n0=$(count "rcpt to=<$G2_RCPT>" "$BED_PEER_LOG")
out=$(mq retry "$G2" 2>&1); rc=$?
check_eq "retry: exit 0" "$rc" 0
check "retry: the peer sees a new attempt for $G2_RCPT" wait_for 10 more_than "$n0" "rcpt to=<$G2_RCPT>" "$BED_PEER_LOG"
check "retry: same queue ID, deferred again" wait_for 10 in_queue deferred "$G2"

# --- delete: needs --yes; then gone, others untouched
D=${MS[0]}
before=$(others "$D" "$R")
out=$(mq delete "$D" 2>&1); rc=$?
check_eq "delete without --yes: exit 64" "$rc" 64
check "delete without --yes: says why" grep -q -- "--yes" <<<"$out"
check_eq "delete without --yes: message still queued" "$(queue_of "$D")" deferred
out=$(mq delete --yes "$D" 2>&1); rc=$?
check_eq "delete --yes: exit 0" "$rc" 0
check_eq "delete: message gone" "$(queue_of "$D")" ""
check_eq "delete: no other message changed" "$(others "$D" "$R")" "$before"

# --- invalid IDs: refused with 64, nothing runs
V=${GM[2]}
before=$(others "$R")
bad=0
for args in "$V ALL" "$V -" "../x" "" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "$V x" "$V ${V,,}"; do
	# shellcheck disable=SC2086
	if [ -z "$args" ]; then
		mq hold "" >/dev/null 2>&1; rc=$?
	else
		mq hold $args >/dev/null 2>&1; rc=$?
	fi
	[ "$rc" = 64 ] || { echo "hold '$args': exit $rc"; bad=$((bad + 1)); }
done
check_eq "invalid IDs (ALL, '-', ../x, empty, 40 chars...): exit 64 every time" "$bad" 0
out=$(mq hold "$V" "ALL" 2>&1)
check "invalid ID: the message names it" grep -q "'ALL' is not a queue ID" <<<"$out"
out=$(printf '%s\nALL\n' "$V" | mq hold - 2>&1); rc=$?
check_eq "stdin list with ALL: exit 64" "$rc" 64
out=$(printf '%s\n../x\n' "$V" | mq delete --yes - 2>&1); rc=$?
check_eq "stdin list with ../x: exit 64" "$rc" 64
check_eq "invalid IDs: queue unchanged" "$(others "$R")" "$before"
check_eq "refusals are audited with no command (args NULL)" \
	"$(audit "select count(*) from actions where ok = 0 and args is null and target like '%ALL%'")" 3

# --- read-only: 77, nothing changes
printf '[mqmon]\nread_only = yes\n' >"$BED_DIR/ro.ini"
out=$(mq hold --read-only "$V" 2>&1); rc=$?
check_eq "--read-only hold: exit 77" "$rc" 77
check "--read-only: says read-only" grep -q "read-only" <<<"$out"
"$MQMON" --config "$BED_DIR/ro.ini" -c "$BED_CONF" delete --yes "$V" --db "$DB" >/dev/null 2>&1; rc=$?
check_eq "read_only = yes in the configuration: delete exit 77" "$rc" 77
check_eq "read-only: queue unchanged" "$(others "$R")" "$before"

# --- bulk: 200 IDs on stdin, one postsuper process, one audit row
holds0=$(audit "select count(*) from actions where action = 'hold'")
out=$(ids_of full.example | mq hold - 2>&1); rc=$?
check_eq "bulk hold of 200: exit 0" "$rc" 0
check "bulk hold: postsuper placed 200 on hold" grep -q "Placed on hold: 200 messages" <<<"$out"
check_eq "bulk hold: 200 messages in hold" \
	"$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "hold") | .recipients[0].address' | grep -c '@full.example$')" 200
check_eq "bulk hold: one audit row (one postsuper run)" \
	"$(($(audit "select count(*) from actions where action = 'hold'") - holds0))" 1
check "bulk hold: audit args name one postsuper with 200 IDs on stdin" \
	grep -q "^postsuper -c $BED_CONF -h - <<< 200 IDs on stdin$" <<<"$(audit "select args from actions where action = 'hold' order by id desc limit 1")"
check "bulk hold: audit target is cut, with the count" \
	grep -q "more, 200 IDs)$" <<<"$(audit "select target from actions where action = 'hold' order by id desc limit 1")"
out=$(ids_of full.example | mq delete --yes - 2>&1); rc=$?
check_eq "bulk delete of 200: exit 0, all gone" "$rc $(ids_of full.example | wc -l)" "0 0"

# --- audit trail: a row per action, with user and result
me_ok=$(audit "select count(*) from actions where user in ('$(id -un)', '$(logname 2>/dev/null || id -un)')")
check_eq "audit: every row carries the user" "$me_ok" "$(audit "select count(*) from actions")"
check_eq "audit: requeue, hold, release, retry, delete rows with result 0" \
	"$(audit "select group_concat(action || ':' || result || ':' || ok, ' ') from (select action, result, ok from actions where ok = 1 order by id limit 5)")" \
	"requeue:0:1 hold:0:1 release:0:1 retry:0:1 delete:0:1"
check "audit: hold row names the ID and the command" \
	test "$(audit "select count(*) from actions where action = 'hold' and target = '$G' and args like 'postsuper -c % -h -%'")" = 1
check "audit: read-only refusal recorded" \
	test "$(audit "select count(*) from actions where ok = 0 and output like '%read-only%'")" -ge 2

# --- throttles: need the one-time setup first
out=$(mq throttle gmail.com --pause 2>&1); rc=$?
check_eq "throttle before setup: exit 78" "$rc" 78
check "throttle before setup: points to --setup" grep -q -- "--setup" <<<"$out"
# make the bed look like a stock Postfix: no slow transport, no slow_* limits
postconf -c "$BED_CONF" -MX slow/unix
postconf -c "$BED_CONF" -X slow_destination_rate_delay slow_destination_concurrency_failed_cohort_limit
maps0=$(postconf -c "$BED_CONF" -h transport_maps)
out=$(mq throttle --setup 2>&1); rc=$?
check_eq "setup dry run: exit 0" "$rc" 0
check "setup dry run: shows the postconf commands" grep -q "would run: postconf -c $BED_CONF -M 'slow/unix=slow unix" <<<"$out"
check_eq "setup dry run: main.cf untouched" "$(postconf -c "$BED_CONF" -h transport_maps)" "$maps0"
out=$(mq throttle --setup --apply --reload 2>&1); rc=$?
check_eq "setup --apply --reload: exit 0" "$rc" 0
check "setup: warns about the retry wave" grep -q "retry wave" <<<"$out"
check_eq "setup: transport_maps = our map, then the operator's" \
	"$(postconf -c "$BED_CONF" -h transport_maps)" "hash:$MAP, $maps0"
check "setup: slow smtp clone in master.cf, logging as postfix-bed/slow" \
	grep -q "^slow .*smtp -o syslog_name=postfix-bed/slow$" <<<"$(postconf -c "$BED_CONF" -M slow/unix | tr -s ' ')"
check_eq "setup: slow limits in main.cf" \
	"$(postconf -c "$BED_CONF" -h slow_destination_rate_delay slow_destination_concurrency_failed_cohort_limit | paste -sd' ')" "1s 100"
check "setup: backups of main.cf and master.cf" test -s "$BED_CONF/main.cf.mqmon-bak" -a -s "$BED_CONF/master.cf.mqmon-bak"
check "setup: backup is the old main.cf" grep -q "^transport_maps = $maps0$" "$BED_CONF/main.cf.mqmon-bak"
check "setup: postfix reloaded" wait_for 5 grep -q "reload -- version" "$BED_LOG"
out=$(mq throttle --setup 2>&1)
check "setup again: nothing to change" grep -q "^nothing to change" <<<"$out"

bad=0
for d in ALL ../x "a b" "" ".gmail.com" "gmail"; do
	mq throttle "$d" --pause >/dev/null 2>&1; rc=$?
	[ "$rc" = 64 ] || { echo "throttle '$d': exit $rc"; bad=$((bad + 1)); }
done
check_eq "invalid domains (ALL, ../x, 'a b', empty, .gmail.com, gmail): exit 64" "$bad" 0

# pause: gmail mail is deferred without a connection, outlook still connects
r0=$(restarts)
out=$(mq throttle gmail.com --pause 2>&1); rc=$?
check_eq "pause gmail.com: exit 0" "$rc" 0
check_eq "pause: map entry" "$(grep '^gmail.com ' "$MAP")" "gmail.com retry:4.7.0 paused by operator (mqmon)"
check_eq "pause: postmap'd (hash lookup)" "$(postmap -c "$BED_CONF" -q gmail.com "hash:$MAP")" "retry:4.7.0 paused by operator (mqmon)"
map_settle "$r0"
g0=$(count "$GMAIL_PORT gmail connect" "$BED_PEER_LOG")
o0=$(count "$MS_PORT microsoft connect" "$BED_PEER_LOG")
P=${GM[3]}
mq retry "${MS[1]}" "$P" >/dev/null 2>&1
check "pause: a retried outlook.com message still connects" \
	wait_for 10 more_than "$o0" "$MS_PORT microsoft connect" "$BED_PEER_LOG"
check "pause: the retried gmail message is deferred by the retry service" \
	wait_for 10 grep -q "postfix-bed/error\[[0-9]*\]: $P: .*status=deferred (paused by operator (mqmon))" "$BED_LOG"
check_eq "pause: no new connection to the gmail peer" "$(count "$GMAIL_PORT gmail connect" "$BED_PEER_LOG")" "$g0"

# unthrottle: the next retry connects again
r0=$(restarts)
out=$(mq unthrottle gmail.com 2>&1); rc=$?
check_eq "unthrottle gmail.com: exit 0" "$rc" 0
check "unthrottle: entry gone from the map" bash -c "! grep -q '^gmail.com ' '$MAP'"
map_settle "$r0"
mq retry "${GM[2]}" >/dev/null 2>&1
check "unthrottle: a retried gmail message connects again" \
	wait_for 10 more_than "$g0" "$GMAIL_PORT gmail connect" "$BED_PEER_LOG"

# slow: delivered through the slow transport, on the domain's own route, 1 s apart
r0=$(restarts)
out=$(mq throttle gmail.com --slow 2>&1); rc=$?
check_eq "slow gmail.com: exit 0" "$rc" 0
check_eq "slow: map entry keeps the bed's route" "$(grep '^gmail.com ' "$MAP")" "gmail.com slow:[127.0.0.1]:$GMAIL_PORT"
map_settle "$r0"
mq retry "${GM[0]}" "${GM[1]}" >/dev/null 2>&1
check "slow: both retries go through postfix-bed/slow/smtp to the gmail peer" \
	wait_for 10 more_than 1 "postfix-bed/slow/smtp\[[0-9]*\]: \(${GM[0]}\|${GM[1]}\): .*relay=127.0.0.1\[127.0.0.1\]:$GMAIL_PORT" "$BED_LOG"
check_eq "slow: the two deliveries are at least 1 s apart (rate delay)" \
	"$(grep -E "postfix-bed/slow/smtp\[[0-9]+\]: (${GM[0]}|${GM[1]}): " "$BED_LOG" | awk '{print $3}' | sort -u | wc -l)" 2
mq unthrottle gmail.com >/dev/null 2>&1

# read-only throttle: refused, map unchanged
map0=$(cat "$MAP")
mq throttle yahoo.com --pause --read-only >/dev/null 2>&1; rc=$?
check_eq "throttle --read-only: exit 77, map unchanged" "$rc $(cat "$MAP")" "77 $map0"

# --for: the entry expires; the next mqmon run removes it from the map and the store
out=$(mq throttle outlook.com --pause --for 5s 2>&1); rc=$?
check_eq "pause outlook.com --for 5s: exit 0" "$rc" 0
check "--for: in the map" grep -q "^outlook.com retry:" "$MAP"
check "--for: throttles lists it with its expiry" grep -qE "^outlook.com +pause .* in [45]s " <<<"$(mq throttles)"
check_eq "--for: in the store with its until" "$(audit "select until - since from throttles where domain = 'outlook.com'")" 5
sleep 6
out=$(mq throttles 2>&1)
check "--for: the next run reports the expiry" grep -q "throttle of outlook.com expired" <<<"$out"
check "--for: gone from the map" bash -c "! grep -q '^outlook.com ' '$MAP'"
check_eq "--for: gone from the postmap'd table" "$(postmap -c "$BED_CONF" -q outlook.com "hash:$MAP")" ""
check_eq "--for: gone from the store" "$(audit "select count(*) from throttles")" 0
check_eq "--for: expiry audited" \
	"$(audit "select action || ' ' || output from actions where target = 'outlook.com' order by id desc limit 1")" "unthrottle expired"
check "throttle actions audited" \
	test "$(audit "select count(*) from actions where action in ('throttle', 'unthrottle') and ok = 1")" -ge 6

# --- requeue, checked last: old ID gone, a new ID for the same recipient
newid() {
	postqueue -c "$BED_CONF" -j | jq -r --arg r "$R_RCPT" --arg old "$R" \
		'select(.queue_id != $old and any(.recipients[]; .address == $r)) | .queue_id' | head -1
}
has_newid() {
	[ -n "$(newid)" ]
}
check "requeue: a new queue ID carries $R_RCPT (within 70 s)" wait_for $((R_AT + 70 - SECONDS)) has_newid
check_eq "requeue: the old ID is gone" "$(queue_of "$R")" ""
check "requeue: pickup logged NEWID ... orig_id=OLDID" grep -q "pickup\[[0-9]*\]: $(newid): .*orig_id=$R" "$BED_LOG"

echo "runtime: $((SECONDS - T0)) s"
finish
