#!/usr/bin/env bash
# exim.sh - the console on a real Exim (tests/bed/exim.sh) at 120x30 and 80x24:
# the header names Exim and its version, the causes tree matches the snapshot,
# the Messages view shows whole Exim queue IDs, H freezes and U thaws the
# selected message (exim -bp agrees), Q is refused before anything runs
# (Exim has no requeue; audited) and the footer does not offer it, the
# detail shows Exim's reply, the cause and where the retry time comes from,
# and a stopped daemon shows as EXIM STOPPED.
# Skipped (77) when not root or when the Exim bed cannot be installed.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
# shellcheck source=../bed/exim.sh
. "$TOP/tests/bed/exim.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (a private Exim instance)"
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
command -v jq >/dev/null || skip "jq not installed (make deps)"
exim_bed_install || skip "Exim bed: $EXIM_BED_ERROR"
BASE=${MQMON_TEST_PORT_BASE:-6420}
work=$(mktemp -d /tmp/mqmon-exim-tui.XXXXXX)
trap 'tmux_stop; rm -rf "$work"' EXIT
db=$work/tui.db
# no queue run of the daemon's own during the test (an action on a message a runner holds is refused)
if ! MQMON_EXIM_BED_QUEUE_INTERVAL=1h exim_bed_start "$BASE"; then
	echo "FAIL exim bed start: $EXIM_BED_ERROR"
	T_FAILED=$((T_FAILED + 1))
	finish
fi
x() { "$EXIM_BIN" -C "$EXIM_CONF" "$@"; }
mq() { "$MQMON" -c "$EXIM_CONF" "$@"; }
exim_bed_inject 14 gmail.com yahoo.com outlook.com busy.example greylist.example icloud.com accept.example
exim_bed_wait_idle >/dev/null
x -qf
exim_bed_wait_idle >/dev/null
snap=$(mq snapshot)
version=${EXIM_VERSION%%-*}
nmsgs=$(jq '.messages | length' <<<"$snap")

# frozen ID - "frozen" when exim -bp says the message is frozen, else "thawed"
frozen() { if x -bp | grep -qE " $1 <[^>]*> \*\*\* frozen \*\*\*$"; then echo frozen; else echo thawed; fi; }
# wait_frozen ID WANT - up to 10 s for exim -bp to agree
wait_frozen() {
	local i
	for i in $(seq 50); do
		[ "$(frozen "$1")" = "$2" ] && return 0
		sleep 0.2
	done
	echo "$1 is $(frozen "$1"), want $2"
	return 1
}
# tree_screen - the causes tree on the screen as "CAUSE[/PROVIDER[/DOMAIN]] MSGS" lines, sorted
tree_screen() {
	screen | awk '/^CAUSE \/ PROVIDER \/ DOMAIN/ {on = 1; next} on && NF == 0 {exit}
		on { match($0, /^ */); d = RLENGTH / 2
			if (d == 0) { c = $1; print c, $2 } else if (d == 1) { p = $1; print c "/" p, $2 }
			else print c "/" p "/" $1, $2 }' | sort
}
# tree_snapshot - the same from the snapshot's messages (one pending recipient each here)
tree_snapshot() {
	jq -r '.messages[] | "\(.cause) \(.provider) \(.recipients[0].domain)"' <<<"$snap" |
		awk '{ n[$1]++; n[$1 "/" $2]++; n[$1 "/" $2 "/" $3]++ } END { for (k in n) print k, n[k] }' | sort
}
# screen_ids - the first word of each message row (a queue ID when nothing cuts it)
screen_ids() { screen | awk '/^QUEUE ID/ {on = 1; next} on && /^[0-9A-Za-z]+-/ {print $1}' | sed 's/[^0-9A-Za-z-].*//'; }
# ids_whole - every row's ID is a whole queue ID of the snapshot, and rows were shown
ids_whole() {
	local ids n bad
	ids=$(screen_ids)
	n=$(wc -l <<<"$ids")
	bad=$(grep -vxFf <(jq -r '.messages[].queue_id' <<<"$snap") <<<"$ids")
	echo "rows: $n, not a whole queue ID of the snapshot: ${bad:-none}"
	[ -n "$ids" ] && [ -z "$bad" ] && [ "$n" -ge "$1" ] &&
		[ -z "$(grep -vxE '[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}' <<<"$ids")" ]
}
# footer - the last line of the screen
footer() { screen | tail -1; }
# audit_top - the newest audit row's action and outcome
audit_top() { mq actions --db "$db" | awk 'NR == 2 {print $3, $4}'; }

for size in "120 30" "80 24"; do
	read -r W H <<<"$size"
	start "$MQMON -c $EXIM_CONF --db $db" "$W" "$H"
	check "${W}x$H: the console shows the queue" wait_re "^ mqmon .* live"
	if [ "$W" -ge 100 ]; then
		check "${W}x$H: the header says exim $version" has "^ mqmon [^|]*\| exim $version \| $nmsgs msgs"
	fi
	check_eq "${W}x$H: the causes tree (cause, provider, domain, messages) is the snapshot's" "$(tree_screen)" "$(tree_snapshot)"
	check "${W}x$H: the footer offers no requeue" bash -c '! grep -qE "Q:requeue| Q " <<<"$1" && grep -qE "D(:delete)? T" <<<"$1"' _ "$(footer)"
	# a group requeue from the causes view: refused at once, no question
	tm send-keys -t t Q
	check "${W}x$H: Q on a group is refused at once: Exim has no requeue" wait_for "requeue: Exim has no requeue (nothing done)"
	check "${W}x$H: Q asked nothing" has_not "y = yes"
	tm send-keys -t t Tab
	check "${W}x$H: the Messages view" wait_for "QUEUE ID"
	check "${W}x$H: Messages view: every row shows a whole 16-character Exim ID" ids_whole "$((nmsgs < H - 6 ? nmsgs : H - 6))"
	tm send-keys -t t q
	wait_for "EXIT=0" >/dev/null
done

# --- actions at 120x30
start "$MQMON -c $EXIM_CONF --db $db" 120 30
wait_re "^ mqmon .* live" >/dev/null
tm send-keys -t t Tab
wait_for "QUEUE ID" >/dev/null
sleep 0.3
id=$(screen_ids | head -1)
check "the selected (first) row is a queued message" grep -qxF "$id" <(jq -r '.messages[].queue_id' <<<"$snap")
log0=$(($(wc -l <"$EXIM_LOG") + 1))
tm send-keys -t t H
check "H freezes the selected message (exim -bp: *** frozen ***)" wait_frozen "$id" frozen
check "the footer says what Exim said" wait_for "Message $id is now frozen"
check "the row says hold" wait_re "^$id +hold "
check_eq "nothing else was frozen" "$(x -bp | grep -c 'frozen')" 1
tm send-keys -t t U
check "U thaws it" wait_frozen "$id" thawed
check "the footer says so" wait_for "Message $id is no longer frozen"
before=$(x -bp)
tm send-keys -t t Q
check "Q on a message: refused, Exim has no requeue" wait_for "requeue: Exim has no requeue (nothing done)"
sleep 1
check_eq "Q: the queue is as it was" "$(x -bp)" "$before"
check_eq "Q: Exim logged nothing but the freeze and the thaw" \
	"$(tail -n +"$log0" "$EXIM_LOG" | awk '{print $3, $4, $5}' | paste -sd,)" "$id frozen by,$id unfrozen by"
check_eq "Q: the audit trail has the refusal, nothing ran" "$(audit_top)" "requeue refused"
# the detail of a gmail message: Exim's reply, the cause, the retry database
tm send-keys -t t / g m a i l . c o m Enter
wait_for "matching \"gmail.com\"" >/dev/null
tm send-keys -t t Enter
check "detail: the recipients" wait_for "Recipients (1 pending)"
check "detail: cause, provider, DSN and the SMTP stage" has "^ +rate-limit +provider gmail +dsn 4\.7\.28 +stage rcpt "
check "detail: Exim's reply text (the peer's 421-4.7.28, joined)" has "^ +421 4\.7\.28 .*unusual rate of"
check "detail: why, in one line" has "why: rate-limit [0-9]+: rule gmail-rate-limit"
check "detail: the exact retry time comes from Exim's retry database" \
	has "^ Retry +in [0-9hms]+ \(exact: retry database\), at the latest [0-9hms]+ later \(the daemon's -q interval\)"
tm send-keys -t t Escape
sleep 0.2
tm send-keys -t t : c l e a r Enter
sleep 0.2
# a yahoo message (deferred at the greeting: only a host record) has an estimated retry
tm send-keys -t t / y a h o o Enter
wait_for "matching \"yahoo\"" >/dev/null
tm send-keys -t t Enter
check "detail of a yahoo message: stage greeting" wait_re "^ +rate-limit +provider yahoo +dsn 4\.7\.0 +stage greeting "
check "detail of a yahoo message: the retry is estimated" has "^ Retry +in [0-9hms]+ \(estimated: "
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null

# --- the daemon stopped, then started again (at both sizes)
for size in "120 30" "80 24"; do
	read -r W H <<<"$size"
	start "$MQMON -c $EXIM_CONF --db $db" "$W" "$H"
	wait_re "^ mqmon .* live" >/dev/null
	daemon=$(cat "$EXIM_PID_FILE")
	kill -TERM "$daemon"
	check "${W}x$H: daemon stopped: the first line says EXIM STOPPED" wait_re "^ mqmon .*EXIM STOPPED"
	check "${W}x$H: daemon stopped: the queue is still shown" has " msgs: "
	x -bd -q1h
	check "${W}x$H: started again: back to live" wait_re "^ mqmon .* live" 15
	check "${W}x$H: started again: EXIM STOPPED is gone" has_not "STOPPED"
	tm send-keys -t t q
	check "${W}x$H: quits with status 0" wait_for "EXIT=0"
done
finish
