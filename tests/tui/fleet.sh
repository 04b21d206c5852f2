#!/usr/bin/env bash
# fleet.sh - the fleet console in tmux: three private Postfix beds behind two private sshd on loopback
# (tests/e2e/fleet_lib.sh), reached as the ssh aliases mxa, mxb (first sshd) and mxc (second sshd).
# Checks: the header's hosts ok/total and totals equal to the sum of the beds' postqueue -j; the HOST
# column; ":host NAME" narrows every view (a chip) and ":host" shows all again; the hosts view lists
# each host's state and counts and the causes per host; the detail view names the host; hold from the
# console changes only the owning bed's queue (postqueue -j on each bed), with a prompt that counts
# messages and hosts, audited on the console's side; a throttle reaches every host; ":export" writes the
# host of every message; a host whose stream goes silent is stale after three heartbeats and live again
# when it speaks; killing mxc's sshd marks it unreachable within 10 s with its counts kept as stale while
# mxa and mxb stay live.
# Exit 77 when not root, without tmux or when sshd cannot run.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=tests/tui/tmux.sh
. "$(dirname "$0")/tmux.sh"
# shellcheck source=tests/e2e/fleet_lib.sh
. "$(dirname "$0")/../e2e/fleet_lib.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"

BASE=${MQMON_TEST_PORT_BASE:-9220}	# beds at BASE, BASE+22, BASE+44
SSH_PORT1=${MQMON_FLEET_SSH_PORT:-9290}
trap 'tmux_stop; fleet_teardown' EXIT
fleet_setup 3 "$BASE" "$SSH_PORT1"
"$TOP/tests/bed/bed.sh" inject "$A" 4 gmail.com busy.example >/dev/null
"$TOP/tests/bed/bed.sh" inject "$B" 5 outlook.com busy.example >/dev/null
"$TOP/tests/bed/bed.sh" inject "$C" 3 gmail.com >/dev/null
for b in "$A" "$B" "$C"; do
	"$TOP/tests/bed/bed.sh" wait-deferred "$b" 3 >/dev/null
done

# pq HOSTNAME BED - "HOST ID QUEUE" lines of the bed's postqueue -j
pq() { postqueue -c "$2/etc" -j | jq -r --arg h "$1" '"\($h) \(.queue_id) \(.queue_name)"' | sort; }
# count BED - messages in the bed's queue
count() { postqueue -c "$1/etc" -j | wc -l; }
# queue_of BED ID - the queue the message is in on that bed ("" when gone)
queue_of() { postqueue -c "$1/etc" -j | jq -r --arg id "$2" 'select(.queue_id == $id) | .queue_name'; }

total=$(($(count "$A") + $(count "$B") + $(count "$C")))
start "${FLEET[*]}" 160 40
check "the header says all three hosts are ok" wait_for "3/3 hosts ok"
check "the header's total is the sum of the beds' postqueue -j ($total)" wait_re "^ mqmon fleet .*\| $total msgs"
check "the header says live" has "^ mqmon fleet .* live"

# --- the Messages view: a HOST column, every bed's messages with their host
tm send-keys -t t Tab
check "Messages: a HOST column after the queue ID" wait_re "^QUEUE ID +HOST +QUEUE"
for h in mxa:$A mxb:$B mxc:$C; do
	id=$(postqueue -c "${h#*:}/etc" -j | jq -r .queue_id | head -1)
	check "Messages: ${h%%:*}'s message $id shows with its host" wait_re "^$id[^ ]* +${h%%:*} "
done

# --- :host narrows every view; a chip says so
tm send-keys -t t : "host mxb" Enter
check ":host mxb: the chip says how many of all" wait_re "host mxb: $(count "$B") of $total msgs"
check ":host mxb: only mxb's rows" sh -c "! tmux -L $SOCK capture-pane -p -t t | grep -qE '^[0-9A-F]{10,}[^ ]* +mx[ac] '"
check ":host mxb: mxb's rows are there" has "^[0-9A-F]{10,}[^ ]* +mxb "
tm send-keys -t t : "host nosuch" Enter
check ":host of a host not in the fleet: says which are" wait_for "the hosts: mxa mxb mxc"
tm send-keys -t t : "host" Enter
check ":host alone: every host again" wait_re "^[0-9A-F]{10,}[^ ]* +mxa "

# --- the detail view names the host
tm send-keys -t t : "host mxc" Enter
wait_re "host mxc: " >/dev/null
tm send-keys -t t Enter
check "the detail view names the host" wait_re "^ *Host +mxc "
tm send-keys -t t Escape : "host" Enter

# --- the hosts view: each host's state and counts, causes per host
tm send-keys -t t : "view hosts" Enter
check "hosts view: a header" wait_re "HOST +STATE +MSGS +DEFER"
for h in mxa:$A mxb:$B mxc:$C; do
	check "hosts view: ${h%%:*} connected with its $(count "${h#*:}") messages" \
		has "^ ${h%%:*} +connected +$(count "${h#*:}") "
done
check "hosts view: the causes split by host" wait_re "^ CAUSE +mxa +mxb +mxc +ALL"
tm send-keys -t t Escape

# --- hold from the console: only the owning bed's queue changes
ID=$(postqueue -c "$B/etc" -j | jq -r 'select(.queue_name == "deferred") | .queue_id' | head -1)
beforeA=$(pq mxa "$A") beforeC=$(pq mxc "$C") beforeB=$(pq mxb "$B" | grep -v " $ID ")
tm send-keys -t t : "goto $ID" Enter
wait_re "^$ID" >/dev/null
tm send-keys -t t H
ok=0
for i in $(seq 50); do
	[ "$(queue_of "$B" "$ID")" = hold ] && { ok=1; break; }
	sleep 0.2
done
check_eq "H on an mxb message: held on mxb (postqueue -j)" "$ok" 1
check "H: the footer gives each host's result" wait_for "hold 1 message on 1 host: mxb: 1 done"
check_eq "H: mxa's queue untouched" "$(pq mxa "$A")" "$beforeA"
check_eq "H: mxc's queue untouched" "$(pq mxc "$C")" "$beforeC"
check_eq "H: mxb's other messages untouched" "$(pq mxb "$B" | grep -v " $ID ")" "$beforeB"
check "H: the console's view follows (the stream says hold)" wait_re "Message $ID +queue hold"
check "H: audited on the console's side (host:ID)" sh -c "'$MQMON' --config '$W/mqmon.ini' actions | grep -q 'mxb:$ID'"
check "H: audited on mxb by its own mqmon" sh -c "XDG_DATA_HOME=$W/data-mxb '$MQMON' -c '$B/etc' actions | grep -q '$ID'"
# a group action: the prompt counts messages and hosts
tm send-keys -t t Escape : "view causes" Enter
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t g
tm send-keys -t t R
check "a group action's prompt: N messages on M hosts" wait_re "retry .*: [0-9]+ messages on [23] hosts\?"
tm send-keys -t t n
check "n cancels" wait_for "cancelled"

# --- export from the fleet console: the host of every message
tm send-keys -t t : "export json $W/export.json" Enter
for i in $(seq 25); do [ -s "$W/export.json" ] && break; sleep 0.2; done
check "export: every message has its host" jq -e '(.messages | length) > 0 and ([.messages[] | select(.host == null)] | length) == 0' "$W/export.json"
check_eq "export: the union of the beds' queues with their hosts" \
	"$(jq -r '.messages[] | "\(.host) \(.queue_id) \(.queue)"' "$W/export.json" | sort)" \
	"$( (pq mxa "$A"; pq mxb "$B"; pq mxc "$C") | sort)"

# --- a throttle from the console reaches every host, each host's answer in the footer
for b in "$A" "$B" "$C"; do
	MQMON_SYSTEM_ROOT=$b/sysroot "$MQMON" -c "$b/etc" throttle --setup --apply --reload >/dev/null 2>&1
done
IDT=$(postqueue -c "$A/etc" -j | jq -r 'select(.recipients[0].address | endswith("@busy.example")) | .queue_id' | head -1)
tm send-keys -t t : "goto $IDT" Enter
wait_re "Message $IDT" >/dev/null
tm send-keys -t t T
check "T in the fleet console: the prompt says every host" wait_for "throttle busy.example on every host: "
tm send-keys -t t p
wait_for "for how long" >/dev/null
tm send-keys -t t Enter
check "throttle: the footer gives each host's answer" wait_re "throttle busy.example \(pause\): mxa: ok; mxb: ok; mxc: ok"
for h in mxa:$A mxb:$B mxc:$C; do
	check "throttle: busy.example paused on ${h%%:*}" grep -q "^busy.example" "${h#*:}/etc/mqmon_transport"
done
tm send-keys -t t T
wait_for "throttle busy.example on every host: " >/dev/null
tm send-keys -t t r
check "unthrottle: asked, on every host" wait_for "remove the throttle of busy.example on every host?"
tm send-keys -t t y
check "unthrottle: each host's answer" wait_re "unthrottle busy.example: mxa: ok; mxb: ok; mxc: ok"
check "unthrottle: busy.example gone on every host" sh -c "! grep -qs '^busy.example' $A/etc/mqmon_transport $B/etc/mqmon_transport $C/etc/mqmon_transport"
check "the console's audit trail has the throttle" sh -c "'$MQMON' --config '$W/mqmon.ini' actions | grep -q 'throttle.*busy.example'"
tm send-keys -t t Escape

# --- mxb's stream silent (its remote mqmon stopped): stale after 15 s (three heartbeats), live again after
SPIDS=""
for p in $(pgrep -f -- "--no-fleet stream"); do
	tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "MAIL_CONFIG=$B/etc" && SPIDS="$SPIDS $p"
done
check "mxb's remote stream found" test -n "$SPIDS"
# shellcheck disable=SC2086
kill -STOP $SPIDS
check "a silent host: stale within 20 s, its counts kept" wait_re "mxb stale \(stale counts\)" 20
check "a silent host: 2/3 hosts ok" has "2/3 hosts ok"
# shellcheck disable=SC2086
kill -CONT $SPIDS
check "the host speaks again: 3/3 hosts ok" wait_for "3/3 hosts ok"

# --- mxc's sshd killed: unreachable within 10 s, its counts kept as stale; mxa and mxb stay live
total=$(($(count "$A") + $(count "$B") + $(count "$C")))
fleet_sshd_kill 2
t0=$(date +%s%N)
check "mxc's sshd killed: the header flags mxc" wait_re "mxc (unreachable|stale) \(stale counts\)" 10
ms=$((($(date +%s%N) - t0) / 1000000))
check "mxc's sshd killed: flagged within 10 s ($ms ms)" test "$ms" -lt 10000
check "mxc's sshd killed: 2/3 hosts ok" has "2/3 hosts ok"
check "mxc's sshd killed: its counts are still in the total ($total)" has "\| $total msgs"
tm send-keys -t t : "view hosts" Enter
check "hosts view: mxc unreachable with stale counts" wait_re "^ mxc +(unreachable|stale) +$(count "$C") .*stale counts"
check "hosts view: mxa still connected" has "^ mxa +connected "
check "hosts view: mxb still connected" has "^ mxb +connected "
# mxa still live: a change on mxa reaches the console while mxc is down
IDA=$(postqueue -c "$A/etc" -j | jq -r 'select(.queue_name == "deferred") | .queue_id' | head -1)
postsuper -c "$A/etc" -h "$IDA" >/dev/null 2>&1
check "mxa still live: a hold on mxa shows up in the hosts view" \
	wait_re "^ mxa +connected +$(count "$A") +[0-9]+ +1 "
tm send-keys -t t q
check "q ends the fleet console (exit 0)" wait_for "EXIT=0"

# --- hosts that cannot be read: each state said by name, the others live
start "$MQMON --config $W/mqmon.ini --host mxa-nokey --host mxb" 160 40
check "a key the host refuses: auth failed in the header, mxb live" wait_re "1/2 hosts ok .* mxa-nokey auth failed"
tm send-keys -t t @
check "a key the host refuses: the hosts view says why" wait_re "^ mxa-nokey +auth failed .*Permission denied"
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null
sed "s|^remote_mqmon = .*|remote_mqmon = /nonexistent/mqmon|" "$W/mqmon.ini" >"$W/missing.ini"
start "$MQMON --config $W/missing.ini --host mxa" 160 40
check "no mqmon on the host: mqmon missing" wait_re "0/1 hosts ok .* mxa mqmon missing"
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null
printf '#!/bin/sh\necho "mqmon: unknown command '"'"'stream'"'"' (try mqmon --help)" >&2\nexit 64\n' >"$W/old-mqmon"
chmod 755 "$W/old-mqmon"
sed "s|^remote_mqmon = .*|remote_mqmon = $W/old-mqmon|" "$W/mqmon.ini" >"$W/old.ini"
start "$MQMON --config $W/old.ini --host mxa" 160 40
check "an mqmon without stream on the host: too old" wait_re "0/1 hosts ok .* mxa too old"
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null

# --- the same queue ID on two hosts (mxa2: a second alias of mxa's bed): the message under the cursor is
# acted on on its own host only, and the detail shows that host's message
start "$MQMON --config $W/mqmon.ini --host mxa --host mxa2" 160 40
check "two aliases of one bed: 2/2 hosts ok" wait_for "2/2 hosts ok"
tm send-keys -t t Tab
wait_re "^QUEUE ID +HOST" >/dev/null
tm send-keys -t t j
sleep 0.5
row=$(screen | grep -E '^[0-9A-F]{10,}' | sed -n 2p)
read -r rid rhost _ <<<"$row"
check "the same ID twice, once a host" test "$(screen | grep -cE "^$rid ")" -eq 2
tm send-keys -t t Enter
check "the detail names the host of the row it was opened on ($rhost)" wait_re "^ *Host +$rhost "
tm send-keys -t t H
check "H in that detail: one message on one host, not both" wait_for "hold 1 message on 1 host: $rhost: 1 done"
check "the console's audit row names that host only" sh -c \
	"'$MQMON' --config '$W/mqmon.ini' actions | grep '$rhost:$rid' | grep -vq 'mxa:$rid mxa2:$rid'"
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null
check "no ssh of the console left behind" sh -c "! pgrep -f -- 'ssh -F $W/ssh_confi[g]' >/dev/null"
finish
