#!/usr/bin/env bash
# demo.sh - `make demo` as a new operator runs it, inside tmux at 80x24
# (issue 12, "make demo"): it builds only what the demo runs, quietly (one
# progress line), opens the console on a bed already set up for throttles,
# and `q` stops and removes the bed.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
command -v make >/dev/null || skip "make not installed (make deps)"
port=${MQMON_TEST_PORT_BASE:-3820}
tmp=$(mktemp -d /tmp/mqmon-demo-test.XXXXXX)
demo_bed=""
cleanup() {
	tmux_stop
	# a demo that did not end leaves its bed: remove it (only a bed's directory)
	if [ -n "$demo_bed" ] && [ -f "$demo_bed/bed.env" ]; then
		"$TOP/tests/bed/bed.sh" down "$demo_bed" >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# what `make demo` would build in an empty build directory: the binary and the peer, no unit tests or
# bench tools (make -n still runs the sub-make, which prints its plan into the build log)
plan=$(make -C "$TOP" -n demo B="$tmp/build" 2>&1; cat "$tmp/build/demo-build.log" 2>/dev/null)
check "#4 make demo builds mqmon" grep -q -- "-o mqmon " <<<"$plan"
check "#4 make demo builds no unit test" bash -c '! grep -q "tests/unit/test_" <<<"$1"' _ "$plan"
check "#4 make demo builds no bench tool" bash -c '! grep -q "bench/gen-log" <<<"$1"' _ "$plan"

start "cd $TOP && TERM=xterm-256color MQMON_BED_PORT_BASE=$port MQMON_DEMO_MESSAGES=60 make demo" 80 24
check "#4 make demo opens the console" wait_re "CAUSE / PROVIDER / DOMAIN" 90
demo_bed=$(ls -d /tmp/mqmon-demo.* 2>/dev/null | while read -r d; do
	grep -qs "BED_PORT_BASE=$port\$" "$d/bed.env" && echo "$d"; done | head -1)
check "#4 the demo's bed is found" test -n "$demo_bed"
check "#4 the demo's bed is set up for throttles" \
	grep -q "mqmon_transport" <<<"$(postconf -c "$demo_bed/etc" -h transport_maps 2>/dev/null)"
check "#4 its expiry timer is written inside the bed, not under /etc" \
	bash -c "ls '$demo_bed'/sysroot/etc/cron.d/mqmon-expire-* 2>/dev/null | grep -q ."
# T works at once: a pause is taken (no "run throttle --setup first")
tm send-keys -t t : d o m a i n ' ' g m a i l . c o m Enter
wait_for "domain gmail.com" >/dev/null
tm send-keys -t t T p Enter
check "#4 T pauses a domain in the demo" wait_for "gmail.com: pause"
tm send-keys -t t q
check "#4 q ends the demo" wait_for "EXIT=0" 
out=$(tm capture-pane -p -t t -S -200)
check_eq "#4 one progress line for the build" "$(grep -c "building mqmon" <<<"$out")" 1
check "#4 no compiler command on the screen" bash -c '! grep -qE "^(cc|gcc|clang) " <<<"$1"' _ "$out"
check "#4 q stops and removes the bed" bash -c "[ ! -e '$demo_bed' ]"
check "#4 ... and says so" grep -q "test bed stopped and removed" <<<"$out"

finish
