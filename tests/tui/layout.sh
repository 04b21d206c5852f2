#!/usr/bin/env bash
# layout.sh - what the console's header, tables and Actions log say, checked
# against the queue on the real bed (issue 12, "The keyboard and the layout"):
# the header's totals count every queue and add up, queue names are not cut,
# a requeued message stays in its cause group, throttle rows show mode and
# duration, refusals are in the Actions log, and `:domain`/`:cause` complete.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
bed_start 3720
inject 10 gmail.com outlook.com greylist.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 8 >/dev/null
trap 'tmux_stop; bed_stop' EXIT
db=$BED/tui.db

# pickup stopped: a requeued or submitted message waits in maildrop (as for up to a minute on any server)
postconf -c "$BED_CONF" -M# pickup/unix
postfix -c "$BED_CONF" reload >/dev/null 2>&1
sleep 1
queue_of() { postqueue -c "$BED_CONF" -j | jq -r --arg id "$1" 'select(.queue_id == $id) | .queue_name'; }
# header_sum - the header's total and the sum of its buckets ("62 62" when they add up)
header_sum() {
	screen | head -1 | grep -oE '[0-9]+ msgs:( [0-9]+ [a-z]+)+' |
		awk '{ t = $1; s = 0; for (i = 3; i <= NF; i += 2) s += $i; print t, s }'
}

n_rl=$("$MQMON" -c "$BED_CONF" snapshot --no-log | jq '[.messages[] | select(.cause == "rate-limit")] | length')
start "$MQMON -c $BED_CONF --log $BED_LOG --db $db"
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
check "rate-limit holds its $n_rl messages" wait_re "^rate-limit +$n_rl "
# requeue one rate-limit message from the console: it waits in maildrop, no longer deferred
tm send-keys -t t : c a u s e ' ' r a t e - l i m i t Enter
wait_for "messages: cause rate-limit" >/dev/null
sleep 0.5
rid=$(screen | grep -oE '^[0-9A-F]{10,}' | head -1)
tm send-keys -t t Q
wait_for "requeued" >/dev/null
for i in $(seq 50); do [ "$(queue_of "$rid")" = maildrop ] && break; sleep 0.2; done
check_eq "the requeued $rid waits in maildrop" "$(queue_of "$rid")" maildrop
# and a message submitted while pickup is stopped
echo "Subject: t" | sendmail -C "$BED_CONF" -f a@testbed.local user1@accept.example
total=$(postqueue -c "$BED_CONF" -j | wc -l)
check "the header counts what postqueue -j lists ($total)" wait_for " $total msgs"
check "#1 header totals: maildrop is counted" wait_re "^ mqmon .* 2 maildrop"
got=$(header_sum)
check_eq "#1 header totals add up ($got)" "${got% *}" "${got#* }"
check "#1 QUEUE names are not cut: maildrop in the messages view" wait_re "^$rid +maildrop "
tm send-keys -t t : c l e a r Enter
sleep 0.3
check "#1 QUEUE names are not cut: deferred" has "^[0-9A-F]{10,} +deferred "
tm send-keys -t t Escape
sleep 0.3
tm send-keys -t t Escape
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
check "#1 a requeued message stays in its group (rate-limit $n_rl)" wait_re "^rate-limit +$n_rl "
# pickup again: the message gets a new queue ID (linked to the old one) and is still rate-limit
postconf -c "$BED_CONF" -M pickup/unix="pickup unix n - n 60 1 pickup"
postfix -c "$BED_CONF" reload >/dev/null 2>&1
for i in $(seq 100); do [ -z "$(queue_of "$rid")" ] && break; sleep 0.2; done
check_eq "pickup took $rid (a new queue ID)" "$(queue_of "$rid")" ""
check "#1 under its new queue ID it is still in its group" wait_re "^rate-limit +$n_rl "
tm send-keys -t t q
check "q quits" wait_for "EXIT=0"

# --- #2 the Actions log: refusals are logged, throttle rows say mode and duration
# `throttle --setup --apply` writes its expiry job below this root, never into /etc
export MQMON_SYSTEM_ROOT=$BED/sysroot
mkdir -p "$MQMON_SYSTEM_ROOT"
start "$MQMON -c $BED_CONF --log $BED_LOG --db $db" 100 30
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
# a throttle before `throttle --setup`: refused by mqmon, and in the log
tm send-keys -t t : d o m a i n ' ' g m a i l . c o m Enter
wait_for "domain gmail.com" >/dev/null
tm send-keys -t t T p 2 h Enter
check "#2 a throttle before its setup is refused" wait_for "is not in transport_maps"
tm send-keys -t t ":hold ALL" Enter
wait_for ":hold takes no argument" >/dev/null
tm send-keys -t t : v i e w ' ' a c t i o n s Enter
check "#2 the refused throttle is in the Actions log, with its reason" \
	wait_re " throttle +refused +- +gmail\.com: /"
check "#2 the refused :hold ALL is in the Actions log" wait_re " hold +refused +- +ALL: :hold takes no argument"
tm send-keys -t t q
check "session 2 quits with status 0" wait_for "EXIT=0"
check_eq "#2 refusals are audit rows in state refused, with the reason" \
	"$(sqlite3 "$db" "select count(*) from actions where state = 2 and output != ''")" 2
"$MQMON" -c "$BED_CONF" throttle --setup --apply --reload --db "$db" >/dev/null 2>&1
start "$MQMON -c $BED_CONF --log $BED_LOG --db $db" 100 30
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t : d o m a i n ' ' g m a i l . c o m Enter
wait_for "domain gmail.com" >/dev/null
tm send-keys -t t T p 2 h Enter
wait_for "gmail.com: pause" >/dev/null
tm send-keys -t t : v i e w ' ' a c t i o n s Enter
check "#2 a throttle row shows mode and duration" wait_re " throttle +ok +0 +gmail\.com pause 2h00m"
tm send-keys -t t q
check "session 3 quits with status 0" wait_for "EXIT=0"
start "$MQMON -c $BED_CONF --log $BED_LOG --db $db --read-only" 100 30
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t : d o m a i n ' ' g m a i l . c o m Enter
wait_for "domain gmail.com" >/dev/null
tm send-keys -t t T
wait_for "read-only: actions are off" >/dev/null
tm send-keys -t t : v i e w ' ' a c t i o n s Enter
check "#2 a key refused in read-only mode is in the Actions log" wait_re " throttle +refused +- +gmail\.com: read-only"
tm send-keys -t t q
check "session 4 quits with status 0" wait_for "EXIT=0"
"$MQMON" -c "$BED_CONF" unthrottle gmail.com --db "$db" >/dev/null 2>&1

# --- #3 Tab on the ":" line completes domain and cause names
start "$MQMON -c $BED_CONF --log $BED_LOG --db $db"
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t : d o m a i n ' ' g m Tab
check "#3 :domain gm Tab completes the unique domain" wait_for ":domain gmail.com_"
tm send-keys -t t Enter
check "#3 ... and Enter opens it" wait_for "messages: domain gmail.com"
tm send-keys -t t : d o m a i n ' ' g Tab
check "#3 :domain g Tab lists the candidates" wait_re "2 domains: gmail\.com greylist\.example"
check "#3 ... and keeps what was typed" has "^:domain g_"
tm send-keys -t t Escape
tm send-keys -t t : c a u s e ' ' g r e Tab
check "#3 :cause gre Tab completes the cause name" wait_for ":cause greylisting_"
tm send-keys -t t Escape q
check "session 5 quits with status 0" wait_for "EXIT=0"

finish
