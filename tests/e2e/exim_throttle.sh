#!/usr/bin/env bash
# exim_throttle.sh - Exim throttles on the Exim test bed (tests/bed/exim.sh): a pause is an entry in the
# file `hold_domains = partial-lsearch;FILE` names, Exim's queue runs hold that domain (and no other,
# notexample.com included) without reload, `throttles` says pending until the main log shows
# `domain is held`, held mail keeps its last remote cause with a paused marker, unthrottle lets the
# next run try the domain again, --for expires through the job setup installs, and slow, read-only,
# bad domains and a configuration without hold_domains are refused (mqmon never edits it).
# System files go below MQMON_SYSTEM_ROOT. Skipped (77) when not root or when Exim cannot be fetched.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=../bed/exim.sh
. "$TOP/tests/bed/exim.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (private Exim instance)"
command -v jq >/dev/null || skip "jq not installed (make deps)"
command -v sqlite3 >/dev/null || skip "sqlite3 CLI not installed (make deps)"
exim_bed_install || skip "Exim bed: $EXIM_BED_ERROR"
BASE=${MQMON_TEST_PORT_BASE:-${MQMON_EXIM_THROTTLE_PORT_BASE:-6320}}
if ! exim_bed_start "$BASE"; then
	echo "FAIL exim bed start: $EXIM_BED_ERROR"
	T_FAILED=$((T_FAILED + 1))
	finish
fi

DB=$EXIM_BED_DIR/audit.db
HOLD=$EXIM_HOLD_DOMAINS
SYSROOT=$EXIM_BED_DIR/sysroot
export MQMON_SYSTEM_ROOT=$SYSROOT
mkdir -p "$SYSROOT/run/systemd/system" "$SYSROOT/etc/systemd/system"

mq() { "$MQMON" -c "$EXIM_CONF" "$@" --db "$DB"; }
x() { "$EXIM_BIN" -C "$EXIM_CONF" "$@"; }
# held DOMAIN - exim's own answer: is DOMAIN on the hold_domains list now
held() { x -be "\${if match_domain{$1}{partial-lsearch;$HOLD}{yes}{no}}"; }
# since L PATTERN - recipients of the main log's lines after line L matching PATTERN (ERE)
since() { tail -n +"$(($1 + 1))" "$EXIM_LOG" | grep -E -- "$2" | awk '{print $5}' | sort -u | wc -l; }
lines() { wc -l <"$EXIM_LOG"; }
# queue_run - one ordinary queue run (not forced: -qf/-qff and -M override hold_domains), then idle
queue_run() {
	exim_bed_wait_idle >/dev/null
	x -q
	exim_bed_wait_idle >/dev/null
}
audit_last() { sqlite3 "$DB" "select action || '|' || state || '|' || coalesce(output, '') from actions order by id desc limit 1"; }

# --- setup: hold_domains names the bed's file; the expiry job is written; Exim's configuration is not touched
conf_sum=$(md5sum <"$EXIM_CONF")
out=$(mq throttle --setup --apply 2>&1); rc=$?
check_eq "setup --apply: exit 0" "$rc" 0
check "setup reports the file hold_domains names, no reload needed" \
	grep -qF "ok: hold_domains = partial-lsearch;$HOLD names $HOLD (Exim reads it at every delivery: no reload)" <<<"$out"
UNIT=$(ls "$SYSROOT"/etc/systemd/system/mqmon-expire-*.service 2>/dev/null | head -1)
check "setup writes the expiry service and timer (under MQMON_SYSTEM_ROOT)" test -s "$UNIT" -a -s "${UNIT%.service}.timer"
JOB=$(sed -n 's/^ExecStart=//p' "$UNIT" 2>/dev/null)
check_eq "the expiry job runs 'mqmon -c CONF throttles --expire --db DB'" "$JOB" \
	"$(readlink -f "$MQMON") -c $EXIM_CONF throttles --expire --db $DB"
check_eq "setup left Exim's configuration as it was" "$(md5sum <"$EXIM_CONF")" "$conf_sum"

# --- two gmail.com messages get Gmail's rate-limit reply (a forced run ignores retry times)
exim_bed_inject 2 gmail.com
x -qff
exim_bed_wait_idle >/dev/null
check_eq "before the pause: 2 gmail.com recipients deferred by the peer's 421 4.7.28" \
	"$(since 0 '== user[0-9]+@gmail\.com R=peers T=remote_smtp defer \(-44\) .*421-4\.7\.28')" 2
RATE_IDS=$(grep -E '== user[0-9]+@gmail\.com R=peers .*defer \(-44\)' "$EXIM_LOG" | awk '{print $3}' | sort -u)

# --- pause gmail.com for 1h: the file's entry, pending until Exim's log shows it held
T0=$(date +%s)
out=$(mq throttle gmail.com --pause --for 1h 2>&1); rc=$?
check_eq "throttle gmail.com --pause --for 1h: exit 0" "$rc" 0
check "the output says Exim reads the file at every delivery" grep -q "Exim reads the hold_domains file" <<<"$out"
check_eq "the file has the entry after its comment line (mode, start, expiry, user)" \
	"$(grep -E -A1 '^# mqmon: gmail\.com mode=pause since=[0-9]+ until=[0-9]+ user=[^ ]+$' "$HOLD")" \
	"$(grep '^# mqmon: gmail' "$HOLD")
gmail.com pause"
check_eq "exim: gmail.com is on hold_domains" "$(held gmail.com)" yes
check "throttles: pending, ROUTE hold_domains" grep -qE "^gmail\.com +pause +pending .* hold_domains$" <<<"$(mq throttles 2>&1)"

# partial-lsearch matches the whole key: example.com holds neither notexample.com nor sub.example.com
mq throttle example.com --pause >/dev/null 2>&1
check_eq "exim: example.com held" "$(held example.com)" yes
check_eq "exim: notexample.com not held" "$(held notexample.com)" no
check_eq "exim: sub.example.com not held" "$(held sub.example.com)" no
check_eq "exim: the comment line's words are not keys" "$(held mqmon:)$(held '#')" nono
check_eq "exim: yahoo.com (not listed) not held" "$(held yahoo.com)" no
mq unthrottle example.com >/dev/null 2>&1

# --- a queue run: gmail.com held without connecting, other domains delivered
exim_bed_inject 2 gmail.com accept.example
L0=$(lines)
g0=$(grep -c " gmail rcpt to=" "$EXIM_PEER_LOG")
queue_run
check_eq "queue run: every gmail.com recipient (3) deferred 'domain is held' (-23)" \
	"$(since "$L0" '== user[0-9]+@gmail\.com defer \(-23\): domain is held')" 3
check_eq "queue run: no gmail.com delivery attempt reached the peer" "$(grep -c " gmail rcpt to=" "$EXIM_PEER_LOG")" "$g0"
check_eq "queue run: accept.example (not paused) delivered" "$(since 0 '=> user[0-9]+@accept\.example ')" 1
check "throttles: 'pause' with the time left once the log shows it held" \
	grep -qE "^gmail\.com +pause +pause 59m[0-9]+s .* hold_domains$" <<<"$(mq throttles 2>&1)"
echo "# pause to held in the log: $(($(date +%s) - T0)) s"

# --- the snapshot: held mail keeps its last remote cause and is marked paused
snap=$("$MQMON" -c "$EXIM_CONF" snapshot --format json --log "$EXIM_LOG" 2>/dev/null)
gm=$(jq -c '[.messages[] | select(.recipients[0].domain == "gmail.com")]' <<<"$snap" 2>/dev/null)
check_eq "snapshot: the 3 gmail.com messages are all paused" \
	"$(jq -r '[.[] | select(.paused == true)] | length' <<<"$gm")" 3
check_eq "snapshot: the 2 with Gmail's reply keep their cause: rate-limit" \
	"$(jq -r --arg ids "$RATE_IDS" '[.[] | select(.queue_id as $i | $ids | split("\n") | index($i)) | .cause] | unique | join(",")' <<<"$gm")" \
	"rate-limit"
check_eq "snapshot: accept.example and other domains are not paused" \
	"$(jq '[.messages[] | select(.recipients[0].domain != "gmail.com") | select(.paused)] | length' <<<"$snap")" 0

# --- refusals: nothing written to the file, read-only audited
sum=$(md5sum <"$HOLD")
out=$(mq throttle yahoo.com --slow 2>&1); rc=$?
check_eq "--slow: refused (exit 69, unsupported)" "$rc" 69
check "--slow: the message says Exim has no slow and to pause instead" \
	grep -q "slow is not supported for Exim: Exim has no per-destination rate delay; pause the domain instead" <<<"$out"
check "--slow: the refusal is audited" grep -q "^throttle|2|slow is not supported" <<<"$(audit_last)"
out=$(mq throttle yahoo.com --pause --read-only 2>&1); rc=$?
check_eq "read-only: refused (exit 77)" "$rc" 77
check "read-only: the refusal is audited" grep -q "^throttle|2|.*read-only" <<<"$(audit_last)"
out=$(mq unthrottle gmail.com --read-only 2>&1); rc=$?
check_eq "unthrottle --read-only: refused (exit 77)" "$rc" 77
check "unthrottle --read-only: audited" grep -q "^unthrottle|2|.*read-only" <<<"$(audit_last)"
out=$(mq throttle ../x --pause 2>&1); rc=$?
check_eq "'../x': refused (exit 64)" "$rc:$(grep -c 'not a domain name' <<<"$out")" "64:1"
out=$(mq throttle ALL --pause 2>&1); rc=$?
check_eq "'ALL': refused (exit 64)" "$rc:$(grep -c 'is not a domain' <<<"$out")" "64:1"
check_eq "no refusal changed the file" "$(md5sum <"$HOLD")" "$sum"

# --- unthrottle: the entry goes, the next ordinary run tries gmail.com again
L1=$(lines)
out=$(mq unthrottle gmail.com 2>&1); rc=$?
check_eq "unthrottle gmail.com: exit 0" "$rc" 0
check "the file no longer lists gmail.com" bash -c "! grep -q '^gmail\.com ' '$HOLD'"
check_eq "exim: gmail.com not held" "$(held gmail.com)" no
L2=$(lines)
queue_run
check_eq "next queue run: no 'domain is held' any more" "$(since "$L2" 'domain is held')" 0
check_eq "next queue run: the never-tried gmail.com recipient reaches the peer (421 4.7.28)" \
	"$(since "$L1" '== user[0-9]+@gmail\.com R=peers T=remote_smtp defer \(-44\) .*421-4\.7\.28')" 1
check "unthrottle audited" grep -q "^unthrottle|0|" <<<"$(audit_last)"

# --- --for 5s: the job setup installed removes it after its time, with no mqmon running
mq throttle outlook.com --pause --for 5s >/dev/null 2>&1
check "--for 5s: in the file" grep -q "^outlook\.com pause$" "$HOLD"
sleep 6
# shellcheck disable=SC2086
out=$($JOB 2>&1); rc=$?
check_eq "the expiry job (throttles --expire): exit 0" "$rc" 0
check "the expiry job removed the expired pause" bash -c "! grep -q '^outlook\.com ' '$HOLD'"
check_eq "exim: outlook.com not held" "$(held outlook.com)" no
check_eq "... and audited it" "$(audit_last)" "unthrottle|0|expired"
# shellcheck disable=SC2086
out=$($JOB 2>&1); rc=$?
check_eq "the expiry job with nothing due: exit 0, silent" "$rc:$out" "0:"

# --- a configuration whose hold_domains names no file: setup says the line, never edits it
NOHOLD=$EXIM_BED_DIR/nohold
mkdir -p "$NOHOLD"
grep -v '^hold_domains' "$EXIM_CONF" >"$NOHOLD/exim.conf"
chmod 644 "$NOHOLD/exim.conf"
nsum=$(md5sum <"$NOHOLD/exim.conf")
mq2() { "$MQMON" -c "$NOHOLD/exim.conf" "$@" --db "$NOHOLD/audit.db"; }
out=$(mq2 throttle --setup 2>&1); rc=$?
check_eq "no hold_domains: setup (dry run) exit 0" "$rc" 0
check "... says the line to add" grep -qF "hold_domains = partial-lsearch;$NOHOLD/mqmon_hold_domains" <<<"$out"
check "... and that mqmon never edits an Exim configuration" grep -q "never edits an Exim configuration" <<<"$out"
out=$(mq2 throttle --setup --apply 2>&1); rc=$?
check_eq "no hold_domains: setup --apply refuses to edit (exit 78, not set up)" "$rc" 78
check "--apply created the empty file, mode 0644" test "$(stat -c %a "$NOHOLD/mqmon_hold_domains" 2>/dev/null)" = 644
check_eq "--apply left the configuration as it was" "$(md5sum <"$NOHOLD/exim.conf")" "$nsum"
out=$(mq2 throttle gmail.com --pause 2>&1); rc=$?
check_eq "no hold_domains: throttle refused (exit 78), pointing at --setup" "$rc:$(grep -c 'throttle --setup' <<<"$out")" "78:1"
finish
