#!/usr/bin/env bash
# actions.sh - operator actions from the console in tmux on the real bed:
# hold and release the message under the cursor, delete refused by default and
# done only on 'y', a group hold confirmed first, read-only mode refusing with
# a reason, and the audit trail view.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
bed_start 3420
inject 12 gmail.com yahoo.com greylist.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 10 >/dev/null

# queue_of ID - the queue postqueue -j puts the message in ("" when gone)
queue_of() { postqueue -c "$BED_CONF" -j | jq -r --arg id "$1" 'select(.queue_id == $id) | .queue_name'; }
# wait_queue ID WANT - up to 10 s for the message to be in a queue
wait_queue() {
	local i
	for i in $(seq 50); do
		[ "$(queue_of "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	echo "$1 is in '$(queue_of "$1")', want '$2'"
	return 1
}
trap 'tmux_stop; bed_stop' EXIT
db=$BED/tui.db

start "$MQMON -c $BED_CONF --db $db" 100 30
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t Tab
wait_for "QUEUE ID" >/dev/null
sleep 0.3
# the selected row is the first one of the table
id=$(screen | grep -oE '^[0-9A-F]{10,}' | head -1)
check "a message is listed" test -n "$id"
tm send-keys -t t H
check "H holds the message under the cursor" wait_queue "$id" hold
check "the footer says what postsuper said" wait_for "placed on hold"
others=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "hold") | .queue_id' | grep -vc "^$id$")
check_eq "nothing else was held" "$others" 0
tm send-keys -t t U
check "U releases it" wait_queue "$id" deferred
tm send-keys -t t D
check "D asks first" wait_for "This cannot be undone"
tm send-keys -t t Enter
check "Enter answers no" wait_for "cancelled"
check_eq "the message is still queued" "$(queue_of "$id")" deferred
tm send-keys -t t D
wait_for "This cannot be undone" >/dev/null
tm send-keys -t t y
check "y deletes it" wait_queue "$id" ""
# a group action from the causes view: confirmed first, then every message of the group
tm send-keys -t t Escape
sleep 0.2
tm send-keys -t t Tab Tab Tab
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t H
check "a group hold asks first" wait_for "hold rate-limit"
tm send-keys -t t y
want=$("$MQMON" -c "$BED_CONF" snapshot --no-log | jq '[.messages[] | select(.cause == "rate-limit")] | length')
sleep 2
check_eq "the whole group is held" "$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "hold") | .queue_id' | wc -l)" "$want"
tm send-keys -t t Tab Tab Tab
check "the actions log shows the audit trail" wait_for "hold"
check "the audit trail has the delete" has " delete "
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null
check_eq "audit rows in the store" "$(sqlite3 "$db" 'select count(*) from actions')" 4

start "$MQMON -c $BED_CONF --db $db --read-only" 100 30
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
before=$(postqueue -c "$BED_CONF" -j | jq -r '"\(.queue_id) \(.queue_name)"' | sort)
tm send-keys -t t U
check "read-only: the key says why it is off" wait_for "read-only: actions are off"
sleep 1
check_eq "read-only: the queue did not change" "$(postqueue -c "$BED_CONF" -j | jq -r '"\(.queue_id) \(.queue_name)"' | sort)" "$before"
check "read-only shows in the status bar" has "^ mqmon .*read-only"
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null
finish
