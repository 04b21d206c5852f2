#!/usr/bin/env bash
# health.sh - the console must not disagree with Postfix (issue 12, items 4, 8, 9):
# a stopped master says POSTFIX STOPPED in the first line (as root and as
# nobody, whose error is shown whole), the Domains view shows the provider
# every other view shows, and ":sort age desc" puts the oldest mail first.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
bed_start "${MQMON_HEALTH_TUI_PORT_BASE:-5080}"
work=$(mktemp -d /tmp/mqmon-health-tui.XXXXXX)
chmod 755 "$work"
trap 'tmux_stop; tm2 kill-server 2>/dev/null; postfix -c "$BED_CONF" start >/dev/null 2>&1; rm -rf "$work"; bed_stop' EXIT
inject 6 gmail.com busy.example greylist.example
sleep 1.1
inject 1 yahoo.com	# the youngest message, alone in its second
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 5 >/dev/null
snap=$("$MQMON" -c "$BED_CONF" snapshot --no-log)
youngest=$(jq -r '.messages | max_by(.arrival_time) | .queue_id' <<<"$snap")
oldest_t=$(jq -r '[.messages[].arrival_time] | min' <<<"$snap")

# first_row_id - the queue ID of the first row of the message table
first_row_id() { screen | grep -E '^[0-9A-F]{10,} ' | head -1 | awk '{print $1}'; }
# arrival ID - the message's arrival time in the snapshot
arrival() { jq -r --arg id "$1" '.messages[] | select(.queue_id == $id) | .arrival_time' <<<"$snap"; }
# command TEXT - type a ":" command
command() { tm send-keys -t t ":$1" Enter; }

start "$MQMON -c $BED_CONF --log $BED_LOG --db $work/tui.db" 110 30
check "console shows the queue" wait_re "^ mqmon .* live"

# --- #8: the Domains view shows the model's provider (busy.example: gmail, as in the causes tree)
command "view domains"
check "#8 Domains view: busy.example is gmail, as in the causes tree and the report" wait_re "^busy\.example +gmail "

# --- #9: desc is largest first
command "view messages"
check "#9 the message table appears" wait_for "sorted by"
command "sort age desc"
check "#9 :sort age desc says oldest first" wait_for "sorted by age, oldest first"
id=$(first_row_id)
check_eq "#9 :sort age desc puts the oldest message first" "$(arrival "$id")" "$oldest_t"
command "sort age asc"
check "#9 :sort age asc says youngest first" wait_for "sorted by age, youngest first"
check_eq "#9 :sort age asc puts the youngest message first" "$(first_row_id)" "$youngest"
command "sort attempts desc"
check "#9 :sort attempts desc is most first" wait_for "sorted by attempts, most first"
command "sort size asc"
check "#9 :sort size asc is smallest first" wait_for "sorted by size, smallest first"

# --- #4: the master stopped, then started again
postfix -c "$BED_CONF" stop >/dev/null 2>&1
check "#4 stopped master: the first line says POSTFIX STOPPED" wait_re "^ mqmon .*POSTFIX STOPPED"
check "#4 stopped master: no longer 'live'" has_not "^ mqmon .* live"
postfix -c "$BED_CONF" start >/dev/null 2>&1
check "#4 started again: back to live" wait_re "^ mqmon .* live"
check "#4 started again: POSTFIX STOPPED is gone" has_not "POSTFIX STOPPED"
tm send-keys -t t q
check "quits with status 0" wait_for "EXIT=0"

# --- #4 as nobody: the pid file is root's; postqueue says the mail system is down
if command -v unshare >/dev/null && command -v setpriv >/dev/null && unshare -m --propagation private true 2>/dev/null; then
	mkdir "$work/etc" "$work/home"
	printf 'alternate_config_directories = %s\n' "$BED_CONF" >"$work/etc/main.cf"
	chown nobody "$work/home"
	nobody_prepare "$work" || { echo "FAIL nobody cannot run a copy of mqmon"; T_FAILED=$((T_FAILED + 1)); }
	# a private mount namespace puts alternate_config_directories in /etc/postfix for nobody only
	NOBODY_WRAP=(unshare -m --propagation private sh -c 'mount --bind "$0" /etc/postfix && exec "$@"' "$work/etc")
	asnobody() {
		as_nobody env HOME="$work/home" XDG_DATA_HOME="$work/home/data" TERM=xterm-256color SHELL=/bin/sh "$@"
	}
	tm2() { tmux -S "$work/home/tmux.sock" "$@"; }
	postfix -c "$BED_CONF" stop >/dev/null 2>&1
	sleep 1
	asnobody tmux -S "$work/home/tmux.sock" -f /dev/null new-session -d -s t -x 80 -y 24 \
		"$NOBODY_MQMON -c $BED_CONF; echo EXIT=\$?; sleep 60"
	nscreen() { tm2 capture-pane -p -t t; }
	for i in $(seq 50); do nscreen | head -1 | grep -q "STOPPED" && break; sleep 0.2; done
	check "#4 as nobody, stopped master: the first line says POSTFIX STOPPED" \
		bash -c 'head -1 <<<"$1" | grep -q "POSTFIX STOPPED"' _ "$(nscreen)"
	check "#4 as nobody: not stuck on 'loading the queue...'" bash -c '! grep -q "loading the queue" <<<"$1"' _ "$(nscreen)"
	check "#4 as nobody: postqueue's error shown whole (to its last word)" \
		bash -c 'tr "\n" " " <<<"$1" | tr -s " " | grep -q "mail system is down (Connect to the Postfix showq service: Connection refused)"' \
		_ "$(nscreen | sed 's/^ *//')"
	asnobody "$NOBODY_MQMON" -c "$BED_CONF" snapshot -f prom >"$work/prom" 2>"$work/prom.err"
	check_eq "#4 as nobody, stopped master: snapshot exits 69, its prom text still says mqmon_mta_up 0 (no queue numbers)" \
		"$? $(grep -c '^mqmon_mta_up 0$' "$work/prom") $(grep -c '^mqmon_queue_messages' "$work/prom")" "69 1 0"
	postfix -c "$BED_CONF" start >/dev/null 2>&1
	for i in $(seq 75); do nscreen | head -1 | grep -q "msgs" && break; sleep 0.2; done
	check "#4 as nobody, started again: the queue is shown, STOPPED gone" \
		bash -c 'head -1 <<<"$1" | grep -q " msgs: " && ! grep -q STOPPED <<<"$1"' _ "$(nscreen)"
	tm2 kill-server 2>/dev/null
fi
finish
