#!/usr/bin/env bash
# health.sh - what mqmon says must agree with Postfix (issue 12, items 4, 7, 8, 9):
# a stopped master is reported as stopped in the exports, each Postfix
# instance keeps its own history, a domain has one provider everywhere, and
# an action on a queue ID that is not in the queue never claims success.
set -u
. "$(dirname "$0")/lib.sh"
need_bed
bed_start "${MQMON_HEALTH_PORT_BASE:-5020}"
work=$(mktemp -d /tmp/mqmon-health.XXXXXX)
trap 'postfix -c "$BED_CONF" start >/dev/null 2>&1; rm -rf "$work"; bed_stop' EXIT
export HOME=$work/home XDG_DATA_HOME=
mkdir -p "$HOME"
inject 8 gmail.com busy.example greylist.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 6 >/dev/null

# --- #4: the exports say whether the master runs
mq() { "$MQMON" -c "$BED_CONF" "$@"; }
# master_is RUNNING|STOPPED - wait up to 10 s for postfix status to agree
master_is() {
	local i
	for i in $(seq 50); do
		if postfix -c "$BED_CONF" status >/dev/null 2>&1; then [ "$1" = RUNNING ] && return 0
		else [ "$1" = STOPPED ] && return 0; fi
		sleep 0.2
	done
	return 1
}
check_eq "#4 running: snapshot JSON mta_running true" "$(mq snapshot --no-log | jq .mta_running)" true
check "#4 running: prom mqmon_mta_up 1" grep -qx "mqmon_mta_up 1" <(mq snapshot --no-log -f prom)
postfix -c "$BED_CONF" stop >/dev/null 2>&1
master_is STOPPED
# the master's process may take a moment to go once the lock is released
for i in $(seq 25); do [ "$(mq snapshot --no-log | jq .mta_running)" = false ] && break; sleep 0.2; done
check_eq "#4 stopped master: snapshot JSON mta_running false" "$(mq snapshot --no-log | jq .mta_running)" false
check "#4 stopped master: prom mqmon_mta_up 0" grep -qx "mqmon_mta_up 0" <(mq snapshot --no-log -f prom)
# root's postqueue lists the queue without the master (it runs showq itself)
check_eq "#4 stopped master: also with postqueue -j as the source" \
	"$(mq snapshot --no-log --source postqueue | jq -r '"\(.source) \(.mta_running)"')" "postqueue false"
postfix -c "$BED_CONF" start >/dev/null 2>&1
master_is RUNNING
check_eq "#4 started again: snapshot JSON mta_running true" "$(mq snapshot --no-log | jq .mta_running)" true

# --- #8: one provider per domain (busy.example: gmail from the reply text)
snap=$(mq snapshot)
check_eq "#8 busy.example: the same provider for every recipient, the domain row and the report" \
	"$(jq -r '[.messages[].recipients[] | select(.domain == "busy.example") | .provider] | unique | join(",")' <<<"$snap") $(jq -r '.domains[] | select(.domain == "busy.example") | .provider' <<<"$snap") $(mq report --format json "$BED_LOG" | jq -r '[.causes[].providers[] | select(any(.domains[]; .domain == "busy.example")) | .provider] | unique | join(",")')" \
	"gmail gmail gmail"

# --- #7: one history per instance
mq report --since 1h >"$work/bed.report" 2>"$work/err"
check "#7 the bed's report --since shows its deferrals" grep -q "rate-limit" "$work/bed.report"
mkdir -p "$work/other/etc" "$work/other/queue"
printf 'queue_directory = %s/other/queue\nmaillog_file = %s/other/no.log\n' "$work" "$work" >"$work/other/etc/main.cf"
"$MQMON" -c "$work/other/etc" report --since 1h >"$work/other.report" 2>"$work/err"
check_eq "#7 another instance's report --since shows none of the bed's deferrals" \
	"$(head -1 "$work/other.report")" "0 deferrals of 0 messages"
check "#7 another instance: warns that its log cannot be found" grep -q "no readable mail log for the Postfix instance" "$work/err"
check "#7 each instance has its own history file" \
	test -e "$HOME/.local/share/mqmon/mqmon@$(realpath "$BED_CONF" | sed 's|^/||; s|/|_|g').db" \
	-a -e "$HOME/.local/share/mqmon/mqmon@$(realpath "$work/other/etc" | sed 's|^/||; s|/|_|g').db"

# --- #9: an ID that is not in the queue
gone=ABCDEF12345
postqueue -c "$BED_CONF" -j | jq -r .queue_id | grep -qx "$gone" && gone=ABCDEF12346
out=$(mq retry "$gone" 2>&1); rc=$?
check_eq "#9 retry of an ID not in the queue: exit 69" "$rc" 69
check "#9 retry of an ID not in the queue: says so, claims nothing" \
	bash -c 'grep -q "not in the queue: '"$gone"'" <<<"$1" && ! grep -q scheduled <<<"$1"' _ "$out"
id=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "deferred") | .queue_id' | head -1)
out=$(mq retry "$id" "$gone" 2>&1); rc=$?
check_eq "#9 retry of one queued and one unknown ID: exit 69, the unknown one named" \
	"$rc $(grep -c "1 of 2 queue IDs not in the queue (skipped): $gone" <<<"$out")" "69 1"
out=$(mq hold "$gone" 2>&1); rc=$?
check_eq "#9 hold of an ID not in the queue: exit 69, not in the queue" "$rc $(grep -c "not in the queue" <<<"$out")" "69 1"
out=$(mq release "$id" 2>&1); rc=$?
check_eq "#9 release of a message that is not held: postsuper's count is reported (exit 69)" \
	"$rc $(grep -c "0 of 1 message" <<<"$out")" "69 1"
out=$(mq retry "$id" 2>&1); rc=$?
check_eq "#9 retry of a queued ID still works (exit 0)" "$rc" 0
finish
