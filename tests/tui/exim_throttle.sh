#!/usr/bin/env bash
# exim_throttle.sh - the console's T key on the Exim test bed: the prompt offers pause and remove but
# not slow (Exim has no per-destination rate delay), s is refused and audited with nothing written, p
# pauses the domain through the hold_domains file, r removes it. Skipped (77) when not root or when
# Exim cannot be fetched.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
# shellcheck source=../bed/exim.sh
. "$TOP/tests/bed/exim.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (private Exim instance)"
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
command -v sqlite3 >/dev/null || skip "sqlite3 CLI not installed (make deps)"
exim_bed_install || skip "Exim bed: $EXIM_BED_ERROR"
trap 'tmux_stop' EXIT
if ! exim_bed_start "${MQMON_TEST_PORT_BASE:-${MQMON_EXIM_THROTTLE_TUI_PORT_BASE:-6420}}"; then
	echo "FAIL exim bed start: $EXIM_BED_ERROR"
	T_FAILED=$((T_FAILED + 1))
	finish
fi
export LANG=C.UTF-8 LC_ALL=C.UTF-8 MQMON_SYSTEM_ROOT=$EXIM_BED_DIR/sysroot
mkdir -p "$MQMON_SYSTEM_ROOT/etc/cron.d"
db=$EXIM_BED_DIR/tui.db
HOLD=$EXIM_HOLD_DOMAINS
audit_last() { sqlite3 "$db" "select action || '|' || state || '|' || coalesce(output, '') from actions order by id desc limit 1"; }

exim_bed_inject 2 gmail.com
"$EXIM_BIN" -C "$EXIM_CONF" -qff
exim_bed_wait_idle >/dev/null
gid=$(grep -E '== user[0-9]+@gmail\.com R=peers' "$EXIM_LOG" | awk '{print $3}' | head -1)
"$MQMON" -c "$EXIM_CONF" throttle --setup --apply --db "$db" >"$EXIM_BED_DIR/setup.out" 2>&1 || cat "$EXIM_BED_DIR/setup.out"

start "$MQMON -c $EXIM_CONF --db $db" 120 30
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t : "goto $gid" Enter
wait_re "^ Message $gid " >/dev/null
tm send-keys -t t T
check "T: the prompt offers pause and remove" wait_for "throttle gmail.com: p = pause (no delivery), r = remove the throttle"
check "T: ... says there is no slow for Exim, and offers no s" \
	bash -c '[[ $(tmux -L "$1" capture-pane -p -t t) == *"(no slow for Exim)"* && $(tmux -L "$1" capture-pane -p -t t) != *"s = slow"* ]]' _ "$SOCK"
sum=$(md5sum <"$HOLD")
tm send-keys -t t s
check "s anyway: refused, saying why" \
	wait_for "throttle gmail.com: slow is not supported for Exim: Exim has no per-destination rate delay"
check_eq "s anyway: nothing written to the hold_domains file" "$(md5sum <"$HOLD")" "$sum"
sleep 0.5
check "s anyway: the refusal is audited" grep -q "^throttle|2|.*slow is not supported for Exim" <<<"$(audit_last)"
tm send-keys -t t T p Enter
check "T p Enter: gmail.com paused" wait_for "gmail.com: pause"
check "... in the file hold_domains names" grep -q "^gmail\.com pause$" "$HOLD"
tm send-keys -t t T r
wait_for "remove the throttle of gmail.com?" >/dev/null
tm send-keys -t t y
check "T r y: removed, the console offers to retry the domain's mail" wait_for "throttle of gmail.com removed."
check "... and it is gone from the file" bash -c "! grep -q '^gmail\.com ' '$HOLD'"
tm send-keys -t t n q
finish
