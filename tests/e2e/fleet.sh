#!/usr/bin/env bash
# fleet.sh - a fleet of three private Postfix beds behind real sshd on loopback (issue 15)
#
# Two private sshd (their own host keys, config and authorized_keys in a temp
# directory; AcceptEnv MAIL_CONFIG XDG_DATA_HOME) on 127.0.0.1; an `ssh -F`
# config with the aliases mxa and mxb (first sshd) and mxc (second sshd), each
# `SetEnv MAIL_CONFIG=<its bed>/etc`; a mqmon configuration with [fleet] hosts =
# mxa mxb mxc, ssh_command = ssh -F <that config>, remote_mqmon = this mqmon.
# Checks: mqmon stream over ssh (hello, the full model, a change, heartbeats,
# the end on EOF and EPIPE); the fleet's snapshot is exactly the union of the
# beds' postqueue -j with the right host per message; hold of an mxb message
# holds it there and touches nothing on mxa or mxc, audited on both sides; an
# ID on no host is refused; a throttle reaches every host; a killed sshd marks
# its host unreachable within 10 s while the others' data is still printed; a
# host name like -oProxyCommand=... is refused. Exit 77 when not root or when
# sshd cannot run.
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
need_bed
# shellcheck source=tests/e2e/fleet_lib.sh
. "$(dirname "$0")/fleet_lib.sh"

BASE=${MQMON_FLEET_PORT_BASE:-7620}	# beds at BASE, BASE+22, BASE+44 (each uses base+6..base+20)
SSH_PORT1=${MQMON_FLEET_SSH_PORT:-7690}
trap fleet_teardown EXIT
fleet_setup 3 "$BASE" "$SSH_PORT1"
"$TOP/tests/bed/bed.sh" inject "$A" 4 gmail.com busy.example >/dev/null
"$TOP/tests/bed/bed.sh" inject "$B" 5 outlook.com busy.example >/dev/null
"$TOP/tests/bed/bed.sh" inject "$C" 3 gmail.com >/dev/null

# pq HOSTNAME BED - "HOST ID QUEUE" lines of the bed's postqueue -j
pq() {
	postqueue -c "$2/etc" -j | jq -r --arg h "$1" '"\($h) \(.queue_id) \(.queue_name)"' | sort
}

# --- ssh itself works, MAIL_CONFIG picks the instance
out=$(ssh -F "$W/ssh_config" mxb "$MQMON_ABS --no-fleet snapshot --format json --no-log" 2>&1 | jq -r .config_dir)
check_eq "ssh alias mxb runs mqmon on bed 1 (MAIL_CONFIG from SetEnv)" "$out" "$B/etc"

# --- stream: hello, one full batch equal to snapshot's messages, then heartbeats; ends on EOF of stdin
# (ssh's stdin stays open, as a console's pipe does: a background job's would be /dev/null, an EOF)
ssh -F "$W/ssh_config" mxa "$MQMON_ABS --no-fleet stream" >"$W/stream.out" 2>"$W/stream.err" < <(sleep 40) &
SPID=$!
sleep 7
check "stream: the first line is the hello line (protocol, mta postfix)" \
	jq -e 'select(.type == "hello") | .protocol == 1 and .mta == "postfix"' <(head -1 "$W/stream.out")
got=$(jq -r 'select(.type == "message") | .message.queue_id' "$W/stream.out" | sort)
check_eq "stream: the full batch lists mxa's queue (postqueue -j)" "$got" "$(postqueue -c "$A/etc" -j | jq -r .queue_id | sort)"
check "stream: its message objects are snapshot's, byte for byte" cmp \
	<(jq -c 'select(.type == "message") | .message | del(.overdue)' "$W/stream.out" | sort) \
	<("$MQMON" -c "$A/etc" snapshot --format json | jq -c '.messages[] | del(.overdue)' | sort)
check "stream: an end line with the totals" jq -e -s 'map(select(.type == "end"))[0].totals.messages >= 4' "$W/stream.out"
check "stream: a heartbeat after 5 s of silence" grep -q '"type":"heartbeat"' "$W/stream.out"
# a change: hold one of mxa's messages locally; the stream sends that message alone
HID=$(postqueue -c "$A/etc" -j | jq -r .queue_id | head -1)
n0=$(wc -c <"$W/stream.out")
postsuper -c "$A/etc" -h "$HID" >/dev/null 2>&1
sleep 4
check "stream: a change sends the changed message only (begin full=false, one message, end)" \
	jq -e -s --arg id "$HID" '[.[] | select(.type == "begin" or .type == "message")] | .[-2:]
	  | .[0].full == false and .[1].message.queue_id == $id and .[1].message.queue == "hold"' "$W/stream.out"
postsuper -c "$A/etc" -H "$HID" >/dev/null 2>&1
sleep 8
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
# idle traffic: 12 s of an unchanged queue
t0=$(date +%s)
timeout 13 ssh -F "$W/ssh_config" mxb "$MQMON_ABS --no-fleet stream" >"$W/idle.out" 2>/dev/null < <(sleep 20)
full=$(jq -c 'select(.type != "heartbeat")' "$W/idle.out" | wc -c)
idle=$(jq -c 'select(.type == "heartbeat")' "$W/idle.out" | wc -c)
echo "     stream over ssh: first model $full bytes (5 messages), idle $idle bytes in ~12 s"
check "stream: idle traffic under 1 KB/s (heartbeats only after the first model)" test "$idle" -gt 0 -a "$idle" -lt 12000
check "stream: nothing but heartbeats when the queue does not change" test \
	"$(jq -r .type "$W/idle.out" | grep -vc -e heartbeat -e message)" -eq 3 -a "$(grep -c heartbeat "$W/idle.out")" -ge 2
t=$(date +%s)
timeout 10 "$MQMON" -c "$A/etc" stream </dev/null >/dev/null
check_eq "stream: ends (exit 0) when standard input is at end of file" "$?" 0
timeout 10 "$MQMON" -c "$A/etc" stream 2>/dev/null | head -1 >/dev/null
check_eq "stream: ends cleanly when its reader goes away (EPIPE)" "${PIPESTATUS[0]}" 0
timeout 20 "$MQMON" -c "$A/etc" stream 2>/dev/null < <(sleep 30) | head -1 >/dev/null
check_eq "stream: ends on EPIPE at the next heartbeat while its stdin stays open" "${PIPESTATUS[0]}" 0

# --- snapshot across the fleet: the union of the three beds' postqueue -j, each with its host
"${FLEET[@]}" snapshot --format json >"$W/snap.json" 2>"$W/snap.err"
check_eq "fleet snapshot: exit 0 with every host up" "$?" 0
want=$( (pq mxa "$A"; pq mxb "$B"; pq mxc "$C") | sort)
got=$(jq -r '.messages[] | "\(.host) \(.queue_id) \(.queue)"' "$W/snap.json" | sort)
check_eq "fleet snapshot: exactly the union of the beds' postqueue -j, with the right host" "$got" "$want"
check "fleet snapshot: totals are the sum of the hosts'" jq -e \
	'.totals.messages == (.messages | length) and .totals.messages == ([.hosts[].totals.messages] | add)' "$W/snap.json"
check "fleet snapshot: every host ok" jq -e '[.hosts[].state] == ["ok","ok","ok"]' "$W/snap.json"
check "fleet snapshot: causes summed over the hosts" jq -e '([.causes[].messages] | add) == .totals.messages' "$W/snap.json"

# --- hold one of mxb's messages: held there, nothing else changes anywhere
ID=$(postqueue -c "$B/etc" -j | jq -r 'select(.queue_name == "deferred") | .queue_id' | head -1)
beforeA=$(pq mxa "$A") beforeC=$(pq mxc "$C") beforeB=$(pq mxb "$B" | grep -v " $ID ")
"${FLEET[@]}" hold "$ID" >"$W/hold.out" 2>&1
check_eq "fleet hold ID of mxb: exit 0" "$?" 0
check "fleet hold: the report names mxb" grep -q "^mxb: hold: 1 message: done" "$W/hold.out"
check_eq "fleet hold: the message is held on mxb" "$(postqueue -c "$B/etc" -j | jq -r --arg id "$ID" 'select(.queue_id == $id) | .queue_name')" hold
check_eq "fleet hold: mxa's queue untouched" "$(pq mxa "$A")" "$beforeA"
check_eq "fleet hold: mxc's queue untouched" "$(pq mxc "$C")" "$beforeC"
check_eq "fleet hold: mxb's other messages untouched" "$(pq mxb "$B" | grep -v " $ID ")" "$beforeB"
check "fleet hold: audited on mxb by its own mqmon" sh -c \
	"XDG_DATA_HOME=$W/data-mxb '$MQMON' -c '$B/etc' actions | grep -q '$ID'"
check "fleet hold: audited on the console's side (host:ID)" sh -c "'$MQMON' --config '$W/mqmon.ini' actions | grep -q 'mxb:$ID'"
out=$("${FLEET[@]}" release "$ID" --format json 2>&1)
check "fleet release --format json: per host, what was done, exit 0" jq -e --arg id "$ID" \
	'.exit == 0 and (.hosts | length) == 1 and .hosts[0].host == "mxb" and .hosts[0].ids == [$id]
	 and .hosts[0].result.ok == true and .hosts[0].result.ids == [$id]' <<<"$out"
check_eq "fleet release: the message is deferred again on mxb" "$(postqueue -c "$B/etc" -j | jq -r --arg id "$ID" 'select(.queue_id == $id) | .queue_name')" deferred
out=$("${FLEET[@]}" hold 0123456789AB 2>&1); rc=$?
check_eq "fleet hold of an ID on no host: exit 69" "$rc" 69
check "fleet hold of an ID on no host: refused, says so" grep -q "0123456789AB is not queued on any host" <<<"$out"

# --- local --format json of an action
IDA=$(postqueue -c "$A/etc" -j | jq -r .queue_id | head -1)
out=$("$MQMON" -c "$A/etc" hold --format json "$IDA" 2>/dev/null); rc=$?
check "hold --format json: action, ids, ok, exit" jq -e --arg id "$IDA" '.action == "hold" and .ids == [$id] and .ok and .exit == 0' <<<"$out"
"$MQMON" -c "$A/etc" release "$IDA" >/dev/null 2>&1
out=$("$MQMON" -c "$A/etc" hold --format json 0123456789AB 2>/dev/null); rc=$?
check "hold --format json of an ID not queued: ok false, exit 69 as the exit status" jq -e '.ok == false and .exit == 69 and .error != null' <<<"$out"
check_eq "hold --format json of an ID not queued: exit status 69" "$rc" 69

# --- a throttle reaches every host
for b in "$A" "$B" "$C"; do
	MQMON_SYSTEM_ROOT=$b/sysroot "$MQMON" -c "$b/etc" throttle --setup --apply --reload >/dev/null 2>&1
done
"${FLEET[@]}" throttle busy.example --pause >"$W/thr.out" 2>&1
check_eq "fleet throttle: exit 0" "$?" 0
check_eq "fleet throttle: each host's answer" "$(cut -d: -f1 "$W/thr.out" | sort -u | tr '\n' ' ')" "mxa mxb mxc "
for h in mxa:$A mxb:$B mxc:$C; do
	check "fleet throttle: busy.example paused on ${h%%:*}" grep -q "^busy.example" "${h#*:}/etc/mqmon_transport"
done
"${FLEET[@]}" unthrottle busy.example >/dev/null 2>&1
check_eq "fleet unthrottle: exit 0" "$?" 0
check "fleet unthrottle: busy.example gone on every host" sh -c "! grep -qs '^busy.example' $A/etc/mqmon_transport $B/etc/mqmon_transport $C/etc/mqmon_transport"

# --- --host repeated, hosts_file
out=$("$MQMON" --config "$W/mqmon.ini" --host mxc --host mxa snapshot 2>/dev/null | jq -c '[.hosts[].host]')
check_eq "--host repeated: those hosts, in that order, over [fleet] hosts" "$out" '["mxc","mxa"]'
printf '# the fleet\nmxb\n\nmxa  # first bed\n' >"$W/hosts"
sed -e "s|^hosts = .*|hosts = mxc|" -e "/^remote_mqmon/a hosts_file = $W/hosts" "$W/mqmon.ini" >"$W/hf.ini"
out=$("$MQMON" --config "$W/hf.ini" snapshot 2>/dev/null | jq -c '[.hosts[].host]')
check_eq "hosts_file: its hosts after [fleet] hosts" "$out" '["mxc","mxb","mxa"]'

# --- a key the host does not know, no mqmon on the host, the console
out=$("$MQMON" --config "$W/mqmon.ini" --host mxa-nokey --host mxb snapshot 2>"$W/err"); rc=$?
check_eq "a key the host refuses: exit 69" "$rc" 69
check "a key the host refuses: auth failed, mxb still ok" jq -e \
	'[.hosts[] | "\(.host)=\(.state)"] == ["mxa-nokey=auth failed","mxb=ok"] and (.messages | length) > 0' <<<"$out"
check "a key the host refuses: stderr says so" grep -q "mxa-nokey: auth failed: .*Permission denied" "$W/err"
sed "s|^remote_mqmon = .*|remote_mqmon = /nonexistent/mqmon|" "$W/mqmon.ini" >"$W/missing.ini"
out=$("$MQMON" --config "$W/missing.ini" --host mxa snapshot 2>"$W/err"); rc=$?
check_eq "no mqmon on the host: exit 69" "$rc" 69
check "no mqmon on the host: state mqmon missing" jq -e '.hosts[0].state == "mqmon missing"' <<<"$out"
"$MQMON" --config "$W/mqmon.ini" </dev/null >/dev/null 2>"$W/err"; rc=$?
check_eq "the fleet console without a terminal: exit 64 (tests/tui/fleet.sh drives it in tmux)" "$rc" 64
check "the fleet console without a terminal: says it needs one" grep -q "needs a terminal" "$W/err"

# --- the forced-command wrapper with --read-only: snapshots yes, actions no
out=$("$MQMON" --config "$W/mqmon.ini" --host mxb-ro snapshot 2>&1 | jq -r '.messages[] | "mxb \(.queue_id) \(.queue)"' | sort)
check_eq "read-only key (wrapper): snapshot works" "$out" "$(pq mxb "$B")"
out=$("$MQMON" --config "$W/mqmon.ini" --host mxb-ro hold "$ID" 2>&1); rc=$?
check_eq "read-only key (wrapper): hold fails (exit 69)" "$rc" 69
check "read-only key (wrapper): the host's answer says the key is read-only" grep -q "this key is read-only" <<<"$out"
check_eq "read-only key (wrapper): the message is not held" "$(postqueue -c "$B/etc" -j | jq -r --arg id "$ID" 'select(.queue_id == $id) | .queue_name')" deferred
out=$(SSH_ORIGINAL_COMMAND="mqmon --no-fleet snapshot -o /tmp/x" "$TOP/contrib/mqmon-ssh-wrapper" 2>&1); rc=$?
check "wrapper: an option that names a file is refused (exit 77)" test "$rc" -eq 77 -a -n "$(grep 'refused: option -o' <<<"$out")"
out=$(SSH_ORIGINAL_COMMAND="mqmon --no-fleet snapshot; touch $W/pwned2" "$TOP/contrib/mqmon-ssh-wrapper" 2>&1); rc=$?
check "wrapper: shell syntax is refused, nothing runs" test "$rc" -eq 77 -a ! -e "$W/pwned2"

# --- a dead sshd: its host unreachable within 10 s, the others still printed
fleet_sshd_kill 2
sleep 0.5
t0=$(date +%s%N)
"${FLEET[@]}" snapshot --format json >"$W/snap2.json" 2>"$W/snap2.err"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "fleet snapshot with mxc's sshd down: exit 69" "$rc" 69
check "fleet snapshot with mxc down: within 10 s ($ms ms)" test "$ms" -lt 10000
check "fleet snapshot with mxc down: mxc unreachable, mxa and mxb ok" jq -e \
	'[.hosts[] | "\(.host)=\(.state)"] == ["mxa=ok","mxb=ok","mxc=unreachable"]' "$W/snap2.json"
check_eq "fleet snapshot with mxc down: mxa's and mxb's messages still listed" \
	"$(jq -r '.messages[] | "\(.host) \(.queue_id) \(.queue)"' "$W/snap2.json" | sort)" "$( (pq mxa "$A"; pq mxb "$B") | sort)"
check "fleet snapshot with mxc down: stderr says which host and why" grep -q "mxc: unreachable" "$W/snap2.err"

# --- host names that ssh would read as options are refused, nothing runs
out=$("$MQMON" --config "$W/mqmon.ini" --host "-oProxyCommand=touch $W/pwned" snapshot 2>&1); rc=$?
check_eq "--host -oProxyCommand=...: exit 64" "$rc" 64
check "--host -oProxyCommand=...: refused, says why" grep -q "begins with '-'" <<<"$out"
sed "s|^hosts = .*|hosts = mxa -oProxyCommand=touch|" "$W/mqmon.ini" >"$W/bad.ini"
out=$("$MQMON" --config "$W/bad.ini" hold "$ID" 2>&1); rc=$?
check_eq "[fleet] hosts with -oProxyCommand=...: exit 78" "$rc" 78
check "no ProxyCommand ran" test ! -e "$W/pwned"

finish
