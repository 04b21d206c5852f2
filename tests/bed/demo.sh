#!/usr/bin/env bash
# demo.sh - `make demo`: a private Postfix test bed fed by mqmon-peer's 4xx
# replies, a few hundred messages to several providers, and mqmon's console
# on it. Quitting mqmon (q) stops the bed and removes it. The bed is set up
# for throttles (`mqmon throttle --setup --apply --reload` on its own
# main.cf/master.cf; MQMON_SYSTEM_ROOT inside the bed, so the expiry timer's
# unit is written there and nothing under /etc changes), so T works at once.
#
# Environment: MQMON_DEMO_MESSAGES (300), MQMON_BED_PORT_BASE (2920),
# MQMON_DEMO_MIN_BACKOFF (60: short back-off so countdowns move quickly).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
n=${MQMON_DEMO_MESSAGES:-300}
export MQMON_BED_PORT_BASE=${MQMON_BED_PORT_BASE:-2920}
export MQMON_BED_MIN_BACKOFF=${MQMON_DEMO_MIN_BACKOFF:-60}
export MQMON_BED_QUEUE_RUN_DELAY=${MQMON_BED_QUEUE_RUN_DELAY:-60}
export MQMON_BED_MAX_BACKOFF=${MQMON_BED_MAX_BACKOFF:-600}

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: the test bed runs a private Postfix instance and needs root (sudo make demo)" >&2
	exit 1
fi
if [ ! -t 0 ] || [ ! -t 1 ]; then
	echo "demo.sh: the console needs a terminal" >&2
	exit 1
fi

bed=$(mktemp -d /tmp/mqmon-demo.XXXXXX)
rmdir "$bed"
filler=""
cleanup() {
	if [ -n "$filler" ]; then kill "$filler" 2>/dev/null || true; fi
	wait 2>/dev/null || true
	"$top/tests/bed/bed.sh" down "$bed" >/dev/null 2>&1 || true
	echo "demo.sh: test bed stopped and removed"
}
trap cleanup EXIT

echo "demo.sh: starting a private Postfix instance in $bed ..."
"$top/tests/bed/bed.sh" up "$bed"
. "$bed/bed.env"
echo "demo.sh: setting the bed up for throttles ..."
# its expiry job goes to a cron.d inside the bed (nothing runs it: the console expires throttles)
mkdir -p "$bed/sysroot/etc/cron.d"
if ! MQMON_SYSTEM_ROOT="$bed/sysroot" "$top/mqmon" -c "$BED_CONF" throttle --setup --apply --reload \
	--db "$bed/history.db" >"$bed/throttle-setup.log" 2>&1; then
	cat "$bed/throttle-setup.log" >&2
	echo "demo.sh: throttle setup failed: the demo runs without throttles (T is refused)" >&2
fi
echo "demo.sh: queueing a first batch of messages ..."
"$top/tests/bed/demo-fill.sh" "$bed" 40 >/dev/null
# the rest arrives while the console runs, so it shows the queue filling live
"$top/tests/bed/demo-fill.sh" "$bed" "$((n > 40 ? n - 40 : 1))" >/dev/null 2>&1 &
filler=$!
# the demo's history and audit trail stay in the bed (removed with it), never
# mixed into the operator's own history database
"$top/mqmon" -c "$BED_CONF" --log "$BED_LOG" --db "$bed/history.db" || true
