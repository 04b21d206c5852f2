#!/usr/bin/env bash
# capture.sh - make the Exim sample files of tests/golden/exim/ on a real Exim test bed
# (tests/bed/exim.sh): one scripted session of deliveries, deferrals, retry-time skips,
# throttles and operator actions, then copies of its main log, spool -H files, the
# queue listing and the retry database. Needs root. README.md says what each file shows.
#
#   tests/golden/exim/capture.sh [OUTDIR]     (default: this directory)
#
# Port base MQMON_BED_PORT_BASE (2620). The files differ from run to run (times, IDs,
# pids): the committed ones are one run's, as they came.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath -m -- "${1:-$HERE}")
export PATH=$PATH:/usr/sbin:/sbin TZ=UTC
# shellcheck source=../../bed/exim.sh
. "$HERE/../../bed/exim.sh"

[[ $(id -u) -eq 0 ]] || { echo "capture.sh: needs root" >&2; exit 1; }
mkdir -p "$OUT"
# the default profiles plus one that refuses a recipient for good (a ** line and a bounce)
PROFILES=$(mktemp /tmp/mqmon-exim-capture.XXXXXX.ini)
trap 'rm -f "$PROFILES"' EXIT
cat "$HERE/../../peer/profiles.ini" - >"$PROFILES" <<'EOF'

[profile.unknown-user]
port    = 2537
stage   = rcpt
domains = nouser.example
reply   = "550 5.1.1 <%r>: Recipient address rejected: User unknown in virtual mailbox table"
EOF
export MQMON_BED_PROFILES=$PROFILES
exim_bed_install
exim_bed_start "${MQMON_BED_PORT_BASE:-2620}"
trap 'exim_bed_stop; rm -f "$PROFILES"' EXIT

x() { "$EXIM_BIN" -C "$EXIM_CONF" "$@"; }
# queued SENDER RCPT... - queue a message with -odq, print its ID
queued() {
	local from=$1
	shift
	printf 'Subject: capture\n\nA message of the Exim capture.\n' | x -odq -f "$from" -- "$@"
	x -bp | awk -v s="<$from>" '$4 == s {id = $3} END {print id}'
}
# copy_h ID NAME - copy the -H file of message ID to OUT/NAME
copy_h() {
	cp "$EXIM_SPOOL/input/${1:5:1}/$1-H" "$OUT/$2"
	chmod 644 "$OUT/$2"
	echo "$2: $1" >>"$OUT/.ids"
}
: >"$OUT/.ids"

# 1. arrivals: local (-odq) and ESMTP to the daemon (delivered on arrival: one deferral)
exim_bed_inject 12 gmail.com yahoo.com outlook.com busy.example accept.example icloud.com
plain=$(queued plain@testbed.local user@gmail.com)
copy_h "$plain" queued-local-H
printf 'Subject: capture\n\nBy SMTP.\n' | exim_bed_smtp_send smtp@testbed.local alice@gmail.com
exim_bed_wait_idle
smtp=$(x -bp | awk '$4 == "<smtp@testbed.local>" {print $3}')
copy_h "$smtp" deferred-smtp-H
multi=$(queued multi@testbed.local m1@accept.example m2@gmail.com m3@accept.example m4@yahoo.com)
queued lost@testbed.local nobody@nouser.example >/dev/null

# 2. a forced queue run: =>, ->, == at greeting / MAIL / RCPT / end of data, **, a bounce
x -qf
exim_bed_wait_idle
copy_h "$multi" multi-rcpt-two-delivered-H

# 3. a queue run that respects the retry times: -52 and -54
x -q
exim_bed_wait_idle

# 4. throttles: hold_domains (-23) and the :defer: router (-1, R:domain in the retry db)
echo greylist.example >"$EXIM_HOLD_DOMAINS"
echo full.example >"$EXIM_DEFER_DOMAINS"
exim_bed_inject 2 greylist.example full.example
x -q
exim_bed_wait_idle

# 5. operator actions: freeze (and a queue run over it), thaw, remove, give up (a bounce to <>)
frozen=$(queued frozen@testbed.local frozen@gmail.com)
x -Mf "$frozen" >/dev/null
x -q
exim_bed_wait_idle
copy_h "$frozen" frozen-H
thawed=$(queued thawed@testbed.local thawed@outlook.com)
x -Mf "$thawed" >/dev/null
x -Mt "$thawed" >/dev/null
removed=$(queued removed@testbed.local removed@busy.example)
x -Mrm "$removed" >/dev/null
givenup=$(queued giveup@yahoo.com giveup@busy.example)
x -Mg "$givenup"
exim_bed_wait_idle
bounce=$(x -bp | awk '$4 == "<>" {print $3}' | head -1)
copy_h "$bounce" bounce-H

# 6. the listings
x -bp >"$OUT/bp.txt"
"$EXIM_DUMPDB" "$EXIM_SPOOL" retry >"$OUT/dumpdb-retry.txt"
cp "$EXIM_LOG" "$OUT/mainlog"
chmod 644 "$OUT/mainlog"
{
	echo "exim_version: $("$EXIM_BIN" -C "$EXIM_CONF" -bP exim_version 2>/dev/null)"
	echo "package: $EXIM_VERSION"
	echo "port_base: $EXIM_PORT_BASE"
	sort "$OUT/.ids"
} >"$OUT/capture-info.txt"
rm -f "$OUT/.ids"
echo "capture.sh: wrote $(cd "$OUT" && ls | paste -sd' ') to $OUT" >&2
