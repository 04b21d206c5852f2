#!/usr/bin/env bash
# asks.sh - issue 12, what operators asked for: export from the console
# (:export and X, the snapshot's code: atomic, links kept, umask honoured,
# directories refused), near-expiry warnings (header count, :expiring filter
# and its chip, [console] expiry_warning), and :goto ID.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
bed_start 5420
inject 12 gmail.com yahoo.com greylist.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 10 >/dev/null
# two bounces (null sender): bounce_queue_lifetime, set to 10h, makes them expire within 12h
postconf -c "$BED_CONF" -e bounce_queue_lifetime=10h
for i in 1 2; do
	printf 'Subject: bounce %s\n\nundeliverable\n' "$i" | sendmail -C "$BED_CONF" -f '<>' -- "bounce$i@gmail.com"
done
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 12 >/dev/null
T=$(mktemp -d /tmp/mqmon-asks.XXXXXX)
trap 'tmux_stop; bed_stop; rm -rf "$T"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
db=$BED/tui.db
total=$(postqueue -c "$BED_CONF" -j | wc -l)

# console CONF... - the console on the bed at 80x24, in $T, with umask 077 and an optional configuration
console() {
	start "cd $T && umask 077 && $MQMON $* -c $BED_CONF --db $db" 80 24
	wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
}
# cmd TEXT - type a ":" command and Enter
cmd() { tm send-keys -t t : "$1" Enter; }

console

# --- #1 export from the console
tm send-keys -t t X
check "#1 export: X types :export json on the command line" wait_re '^:export json _'
tm send-keys -t t "q.json" Enter
check "#1 export: the status bar says where it went" wait_for "exported $total messages as json to $T/q.json"
check "#1 export: the file is the snapshot's JSON ($total messages)" \
	test "$(jq '.messages | length' "$T/q.json" 2>&1)" = "$total"
check_eq "#1 export: the umask is honoured (077: mode 600)" "$(stat -c %a "$T/q.json")" 600
echo old >"$T/target.csv"
ln -s target.csv "$T/link.csv"
cmd "export csv link.csv"
check "#1 export: csv through a symbolic link" wait_for "exported $total messages as csv to $T/target.csv"
check "#1 export: the link stays a link, its file holds the CSV" \
	sh -c "test -L '$T/link.csv' && grep -q '^queue_id,' '$T/target.csv'"
cmd "export $T/m.prom"
check "#1 export: the format follows a .prom name" wait_for "as prom to $T/m.prom"
check "#1 export: Prometheus text" grep -q '^mqmon_queue_messages' "$T/m.prom"
mkdir "$T/dir"
cmd "export json dir"
check "#1 export: a directory is refused with the snapshot's message" wait_re "export: .*dir.*(directory|not a)"
check "#1 export: and nothing was written into it" test -z "$(ls -A "$T/dir")"
mkfifo "$T/fifo"
cmd "export json fifo"
check "#1 export: a FIFO is refused (it would block the console)" wait_for "fifo is not a regular file"
cmd "export"
check "#1 export: no file named: it says how" wait_for "export to what file?"
tm send-keys -t t '?'
wait_for "Moving" >/dev/null
tm send-keys -t t NPage
check "#1 export: the help lists X" wait_re '^ +X +export like mqmon snapshot'
tm send-keys -t t Escape

# --- #2 near-expiry warnings
check "#2 expiring: the header counts the 2 messages that expire within 12h" wait_re '^ mqmon .* 2 expiring <12h '
tm send-keys -t t '!'
check "#2 expiring: ! lists only them" wait_re "^ 2 of $total messages: all messages, expiring <12h"
check "#2 expiring: a chip in the status bar says so" has "expiring <12h: 2 of $total msgs \\(:clear\\)"
check "#2 expiring: the rows are the two bounces" test "$(screen | grep -cE '^[0-9A-F]{10,} +deferred +[^ @]+@gmail\.com ')" = 2
tm send-keys -t t Escape
check "#2 expiring: the chip stays in the causes view" wait_re "^ mqmon .*expiring <12h: 2 of $total msgs"
cmd clear
check "#2 expiring: :clear removes it" wait_re '^ mqmon .*live' && sleep 0.3
check "#2 expiring: no chip after :clear" has_not "expiring <12h: 2 of"
cmd expiring
check "#2 expiring: :expiring does what ! does" wait_re "^ 2 of $total messages: all messages, expiring <12h"
printf '[console]\nexpiry_warning = 9h\n' >"$T/nine.ini"
check "#2 expiring: --dump-config shows [console] expiry_warning" \
	sh -c "'$MQMON' --config '$T/nine.ini' --dump-config | grep -qx 'expiry_warning = 9h'"
tm send-keys -t t q
console --config "$T/nine.ini"
sleep 1
check "#2 expiring: [console] expiry_warning = 9h: none expires that soon" has_not 'expiring <'
printf '[console]\nexpiry_warning = 2d\n' >"$T/nine.ini"
tm send-keys -t t C-c
console --config "$T/nine.ini"
check "#2 expiring: expiry_warning = 2d: the header counts them as <2d" wait_re '^ mqmon .* 2 expiring <2d '

# --- #3 :goto ID
gid=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "deferred") | .queue_id' | tail -1)
cmd clear
cmd "goto $gid"
check "#3 goto: :goto $gid opens its detail" wait_re "^ Message $gid "
tm send-keys -t t Escape
lower=$(tr 'A-Z' 'a-z' <<<"$gid")
if [[ $gid =~ ^[0-9A-F]+$ ]]; then
	cmd "goto $lower"
	check "#3 goto: a short ID typed in lower case is found" wait_re "^ Message $gid "
	tm send-keys -t t Escape
fi
cmd "goto 0123456789AB"
check "#3 goto: an ID not in the queue says so" wait_for "goto: 0123456789AB is not in the queue"
check "#3 goto: and opens nothing" has_not "^ Message 0123456789AB"
cmd "goto ALL"
check "#3 goto: ALL is not a queue ID" wait_for "goto: not a queue ID: 'ALL'"
cmd "goto ../x"
check "#3 goto: ../x is not a queue ID" wait_for "goto: not a queue ID: '../x'"
cmd "goto"
check "#3 goto: no ID: it says how" wait_for "goto which message?"

# --- #4 per-provider totals in the Domains view
# messages per provider (a message once per provider), most first, as the console groups them
ptotals=$("$MQMON" -c "$BED_CONF" snapshot --no-log | jq -r '[.messages[] | .queue_id as $id
	| ([.recipients[].provider] | unique)[] | {p: ., id: $id}] | group_by(.p)
	| map({p: .[0].p, n: length}) | sort_by(-.n, .p) | .[] | "\(.p) \(.n)"')
read -r p1 n1 <<<"$(head -1 <<<"$ptotals")"
cmd "view domains"
wait_for "2H TREND" >/dev/null
prow='^[a-z]+ \([0-9]+ domains?\) +[0-9]+ '
check "#4 providers: the flat domain table has no provider rows" has_not "$prow"
tm send-keys -t t p
check "#4 providers: p puts $p1 first with its $n1 messages" wait_re "^$p1 \\([0-9]+ domains?\\) +$n1 "
check "#4 providers: every provider has its row ($(wc -l <<<"$ptotals"))" \
	test "$(screen | grep -cE "$prow")" = "$(wc -l <<<"$ptotals")"
check "#4 providers: domains are indented under their provider" has '^  gmail\.com +[0-9]+ '
tm send-keys -t t H
check "#4 providers: an action on a provider row touches its $n1 messages" \
	wait_re "\\($n1 messages?\\)\\?"
tm send-keys -t t n
wait_for "cancelled" >/dev/null
tm send-keys -t t T
check "#4 providers: a throttle needs a domain" wait_for "throttle acts on a domain: select one of $p1's domains"
tm send-keys -t t Enter
check "#4 providers: Enter lists the provider's messages" wait_re "^ $n1 of $total messages: provider $p1,"
tm send-keys -t t Escape
wait_re "^$p1 \\(" >/dev/null
n_y=$(postqueue -c "$BED_CONF" -j | jq -r 'select(any(.recipients[]; .address | test("yahoo"))) | .queue_id' | wc -l)
cmd "search yahoo.com"
wait_for 'matching "yahoo.com"' >/dev/null
cmd "view domains"
check "#4 providers: a search narrows the totals: yahoo alone, $n_y messages" wait_re "^yahoo \\(1 domain\\) +$n_y "
check "#4 providers: no other provider row under the search" test "$(screen | grep -cE "$prow")" = 1
cmd clear
tm resize-window -t t -x 120 -y 30
check "#4 providers: wide: recipients column on the provider row" wait_re "^$p1 \\([0-9]+ domains?\\) +$n1 +[0-9]+ "
tm resize-window -t t -x 80 -y 24
wait_re '^DOMAIN +MSGS +OLDEST' >/dev/null
sleep 0.5
tm send-keys -t t p
check "#4 providers: p again: one row per domain" wait_for "one row per domain"
check "#4 providers: and no provider row" has_not "$prow"

# --- #5 copy over SSH (OSC 52): off by default; on, y and Y put the ID and the reply in tmux's buffer
tm set -s set-clipboard on
cmd "goto $gid"
wait_re "^ Message $gid " >/dev/null
tm send-keys -t t y
check "#5 copy: off by default, y says how to turn it on" wait_for "copy is off: [console] osc52 = yes"
check "#5 copy: off: nothing reached the terminal (no tmux buffer)" sh -c "! tmux -L '$SOCK' show-buffer 2>/dev/null"
printf '[console]\nosc52 = yes\n' >"$T/osc.ini"
tm send-keys -t t q
console --config "$T/osc.ini"
tm set -s set-clipboard on
cmd "goto $gid"
wait_re "^ Message $gid " >/dev/null
tm send-keys -t t y
check "#5 copy: y says what it copied" wait_for "copied $gid to the clipboard (OSC 52)"
check_eq "#5 copy: the OSC 52 sequence reached the terminal: tmux's buffer holds the ID" \
	"$(tm show-buffer 2>&1)" "$gid"
reply=$("$MQMON" -c "$BED_CONF" snapshot --no-log |
	jq -r --arg id "$gid" '.messages[] | select(.queue_id == $id) | [.recipients[] | select(.reason != "")][0].reason')
tm send-keys -t t Y
check "#5 copy: Y copies the reply" wait_for "copied the reply of $gid"
check_eq "#5 copy: tmux's buffer holds the reply" "$(tm show-buffer 2>&1)" "$reply"
tm send-keys -t t Escape
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t y
check "#5 copy: in the causes view there is no message to copy" wait_for "copy: select a message first"

# --- #6 after a throttle is removed, the console offers to retry the domain's deferred mail
export MQMON_SYSTEM_ROOT=$T/sysroot
mkdir -p "$MQMON_SYSTEM_ROOT/etc/cron.d"
mq() { "$MQMON" -c "$BED_CONF" "$@" --db "$db"; }
mq throttle --setup --apply --reload >"$T/setup.out" 2>&1 || cat "$T/setup.out"
yid=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "deferred" and any(.recipients[]; .address | endswith("@yahoo.com"))) | .queue_id' | head -1)
n_yd=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "deferred" and any(.recipients[]; .address | endswith("@yahoo.com"))) | .queue_id' | wc -l)
retries() { sqlite3 "$db" "SELECT count(*) FROM actions WHERE action = 'retry'" 2>/dev/null; }
mq throttle yahoo.com --pause >"$T/thr.out" 2>&1 || cat "$T/thr.out"
tm send-keys -t t q
console
r0=$(retries)
cmd "goto $yid"
wait_re "^ Message $yid " >/dev/null
tm send-keys -t t T
wait_for "r = remove the throttle" >/dev/null
tm send-keys -t t r
wait_for "remove the throttle of yahoo.com?" >/dev/null
tm send-keys -t t y
check "#6 unpause: the console offers to retry yahoo.com's $n_yd deferred messages" \
	wait_for "throttle of yahoo.com removed. Retry its $n_yd deferred messages"
tm send-keys -t t n
check "#6 unpause: n declines" wait_for "cancelled"
sleep 0.5
check_eq "#6 unpause: declined: no retry ran" "$(retries)" "$r0"
mq throttle yahoo.com --pause >"$T/thr.out" 2>&1 || cat "$T/thr.out"
tm send-keys -t t T
wait_for "r = remove the throttle" >/dev/null
tm send-keys -t t r
wait_for "remove the throttle of yahoo.com?" >/dev/null
tm send-keys -t t y
wait_for "Retry its $n_yd deferred messages" >/dev/null
tm send-keys -t t y
check "#6 unpause: y retries them (postqueue -i, one per ID)" wait_for "retry $n_yd:"
check_eq "#6 unpause: the audit trail has the retry" "$(retries)" "$((r0 + 1))"
tm send-keys -t t T
wait_for "r = remove the throttle" >/dev/null
tm send-keys -t t r
wait_for "remove the throttle of yahoo.com?" >/dev/null
tm send-keys -t t y
check "#6 unpause: no throttle to remove: no offer" wait_for "yahoo.com: was not throttled"
check "#6 unpause: and no prompt" has_not "Retry its"

# --- #7 mouse: a click selects a row (a click on the selected row opens it), the wheel scrolls
# mouse_at BUTTON X Y - an X10 mouse report (what the terminal sends under ncurses' mouse mode),
# 0-based screen cell; BUTTON 0 press, 3 release, 64 wheel up, 65 wheel down
# shellcheck disable=SC2046
mouse_at() { tm send-keys -t t -H 1b 5b 4d $(printf '%x %x %x' $((32 + $1)) $((33 + $2)) $((33 + $3))); }
click() { mouse_at 0 "$1" "$2"; mouse_at 3 "$1" "$2"; }
line_id() { screen | sed -n "$(($1 + 1))p" | awk '{print $1}'; }
tm send-keys -t t q
console
check_eq "#7 mouse: on by default, the console asks the terminal for mouse reports" \
	"$(tm display -p -t t '#{mouse_standard_flag}')" 1
tm send-keys -t t Tab
wait_re '^ [0-9]+ of [0-9]+ messages: all messages' >/dev/null
id5=$(line_id 5)
click 10 5
sleep 0.3
check "#7 mouse: a click on a row does not open it yet" has '^ [0-9]+ of [0-9]+ messages: all messages'
click 10 5
check "#7 mouse: a click on the selected row opens it: the clicked message $id5" wait_re "^ Message $id5 "
tm send-keys -t t Escape
wait_re '^ [0-9]+ of [0-9]+ messages: all messages' >/dev/null
id5=$(line_id 5)
id6=$(line_id 6)
tm send-keys -t t g
mouse_at 65 10 10
sleep 0.3
tm send-keys -t t Enter
check "#7 mouse: the wheel moves down 3 rows" wait_re "^ Message $id6 "
tm send-keys -t t Escape
wait_re '^ [0-9]+ of [0-9]+ messages: all messages' >/dev/null
tm send-keys -t t g j j j j j
mouse_at 64 10 10
sleep 0.3
tm send-keys -t t Enter
check "#7 mouse: and up 3 rows" wait_re "^ Message $id5 "
tm send-keys -t t Escape
click 10 1
click 10 1
sleep 0.3
check "#7 mouse: a click on a heading opens nothing" has '^ [0-9]+ of [0-9]+ messages: all messages'
printf '[console]\nmouse = no\n' >"$T/nomouse.ini"
tm send-keys -t t q
console --config "$T/nomouse.ini"
check_eq "#7 mouse: [console] mouse = no: the mouse is left to the terminal" \
	"$(tm display -p -t t '#{mouse_standard_flag}')" 0
tm send-keys -t t Tab
wait_re '^ [0-9]+ of [0-9]+ messages: all messages' >/dev/null
click 10 5
click 10 5
sleep 0.5
check "#7 mouse: [console] mouse = no: clicks open nothing" has '^ [0-9]+ of [0-9]+ messages: all messages'

finish
