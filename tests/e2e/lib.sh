# lib.sh - shared helpers for mqmon's end-to-end and TUI tests (sourced).
#
# Each test script: sources this file, calls bed_start (a private Postfix test
# bed on its own port base, torn down on exit), runs checks with `check` /
# `check_eq`, and ends with `finish`, which prints "N passed, M failed" and
# exits non-zero on failure. A script that cannot run here (not root, no
# Postfix) exits 77 through `skip`. MQMON_TEST_PORT_BASE overrides a script's
# port base (two checkouts testing on one machine).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MQMON=${MQMON:-$TOP/mqmon}
# a binary outside the top directory (build-asan/mqmon) finds the checkout's rules and themes here
if [ -z "${MQMON_DATADIR:-}" ] && [ ! -r "$(dirname "$MQMON")/rules/causes.ini" ]; then
	export MQMON_DATADIR=$TOP
fi
export PATH=$PATH:/usr/sbin:/sbin
T_PASSED=0
T_FAILED=0
BED=""

# skip - this test cannot run here
skip() {
	echo "skipped: $*"
	exit 77
}

# need_bed - root and Postfix are required for a real test bed
need_bed() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (private Postfix instance)"
	command -v postconf >/dev/null || skip "postfix not installed (make deps)"
	command -v jq >/dev/null || skip "jq not installed (make deps)"
}

# check NAME CMD... - pass when the command succeeds
check() {
	local name=$1
	shift
	if "$@" >/tmp/mqmon-check.$$ 2>&1; then
		T_PASSED=$((T_PASSED + 1))
		echo "ok   $name"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "FAIL $name"
		sed 's/^/     /' /tmp/mqmon-check.$$ | head -20
	fi
	rm -f /tmp/mqmon-check.$$
}

# check_eq NAME GOT WANT - pass when the two strings are equal
check_eq() {
	if [ "$2" = "$3" ]; then
		T_PASSED=$((T_PASSED + 1))
		echo "ok   $1"
	else
		T_FAILED=$((T_FAILED + 1))
		echo "FAIL $1"
		diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | head -20 | sed 's/^/     /'
	fi
}

# bed_start PORT_BASE - start a private bed (stopped on exit); sets BED_* variables
bed_start() {
	BED=$(mktemp -d /tmp/mqmon-bed.XXXXXX)
	rmdir "$BED"
	trap bed_stop EXIT
	MQMON_BED_PORT_BASE=${MQMON_TEST_PORT_BASE:-$1} "$TOP/tests/bed/bed.sh" up "$BED" >/tmp/mqmon-bed-up.$$ 2>&1 || {
		cat /tmp/mqmon-bed-up.$$
		echo "FAIL bed up"
		T_FAILED=$((T_FAILED + 1))
		finish
	}
	rm -f /tmp/mqmon-bed-up.$$
	# shellcheck disable=SC1091
	. "$BED/bed.env"
}

# bed_stop - tear the bed down (EXIT trap)
bed_stop() {
	[ -n "$BED" ] && [ -f "$BED/bed.env" ] && "$TOP/tests/bed/bed.sh" down "$BED" >/dev/null 2>&1
	BED=""
}

# inject N DOMAIN... - queue N messages over the domains and wait until Postfix settled
inject() {
	"$TOP/tests/bed/bed.sh" inject "$BED" "$@" >/dev/null
}

# grow_frozen_bed N - freeze the bed (qmgr out of master.cf, so nothing retries, moves or rewrites the
# deferred files) and grow its deferred queue to N messages with bench/grow-queue, as `bench/run.sh scale`
# does; fails the script when growing fails
grow_frozen_bed() {
	local longq=()
	postconf -c "$BED_CONF" '-M#' qmgr/unix && postfix -c "$BED_CONF" reload >/dev/null 2>&1
	sleep 2
	[ "$(postconf -c "$BED_CONF" -h enable_long_queue_ids)" = yes ] && longq=(-l)
	"$TOP/bench/grow-queue" "${longq[@]}" -d "$(postconf -c "$BED_CONF" -h hash_queue_depth)" \
		-H "$(postconf -c "$BED_CONF" -h hash_queue_names)" "$BED_QUEUE" "$1" >/dev/null ||
		{ echo "FAIL bench/grow-queue to $1"; exit 1; }
}

# pq_ids - sorted queue IDs postqueue -j lists
pq_ids() {
	postqueue -c "$BED_CONF" -j | jq -r .queue_id | sort -u
}

# Running mqmon as nobody. A checkout is often where nobody cannot go: root
# clones into its home directory (mode 0700), `mktemp -d` makes 0700
# directories. So nobody never runs the checkout's files: nobody_prepare copies
# what it needs into a world-readable scratch directory, and as_nobody is the
# one way the tests switch to nobody (tests/hostile/suite.sh checks both).
NOBODY_MQMON=""
NOBODY_DATADIR=""
# NOBODY_WRAP - words put before setpriv by as_nobody (nonroot.sh: a private mount namespace)
NOBODY_WRAP=()

# nobody_prepare DIR - copy the binary MQMON names and its data (rules/, themes/) into DIR/mqmon-nobody
# for nobody; DIR is the caller's scratch directory (removed on exit), made traversable here.
# Sets NOBODY_MQMON and NOBODY_DATADIR; fails, saying why, when nobody cannot run the copy.
nobody_prepare() {
	local dir=$1/mqmon-nobody data=${MQMON_DATADIR:-$TOP}
	chmod 755 "$1" && mkdir -p "$dir" && cp "$MQMON" "$dir/mqmon" &&
		cp -R "$data/rules" "$data/themes" "$dir/" && chmod -R a+rX "$dir" || return 1
	NOBODY_MQMON=$dir/mqmon
	NOBODY_DATADIR=$dir
	as_nobody test -x "$NOBODY_MQMON" -a -r "$NOBODY_DATADIR/rules/causes.ini" ||
		{ echo "nobody cannot run $NOBODY_MQMON (a parent directory of $1 is not searchable by nobody?)"; return 1; }
}

# as_nobody CMD... - CMD as nobody:nogroup, finding its data in nobody_prepare's copy
as_nobody() {
	"${NOBODY_WRAP[@]}" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env MQMON_DATADIR="$NOBODY_DATADIR" "$@"
}

# finish - totals line and exit status
finish() {
	echo "$T_PASSED passed, $T_FAILED failed"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}
