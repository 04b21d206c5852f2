#!/usr/bin/env bash
# output.sh - hostile input on its way out of mqmon (issue #11 items 1, 6-10, 21):
# where `snapshot -o` writes (links, devices, FIFOs, directories) and with which
# mode, CSV formula cells, Unicode format characters (bidi overrides,
# zero-width characters) in remote text through classify, report, snapshot and
# the console, escape sequences in echoed arguments, a NUL inside a queue-ID
# line, non-ASCII throttle domains.
#
# No Postfix instance is needed: a private configuration directory (main.cf,
# master.cf) that postconf reads, and stand-ins for postqueue (a hostile queue
# listing) and postsuper (records that it ran) first in PATH. With root and
# Postfix, a private bed (port base 4020) also checks the spool reader with
# hostile recipients injected through the bed's sendmail.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$TOP/tests/tui/tmux.sh"
export LC_ALL=C.UTF-8 TZ=UTC
umask 022

work=$(mktemp -d /tmp/mqmon-hostile-out.XXXXXX)
cleanup() {
	tmux_stop
	[ -n "${reader:-}" ] && kill "$reader" 2>/dev/null
	rm -rf "$work"
	bed_stop
}
trap cleanup EXIT
cd "$work" || exit 1	# a stray file (-o -) lands here, not in the source tree

conf=$work/conf
mkdir -p "$conf" "$work/spool/deferred" "$work/bin"
printf 'queue_directory = %s\nmaillog_file_prefixes = /tmp\nmaillog_file = %s\n' "$work/spool" "$work/mail.log" >"$conf/main.cf"
cp /usr/share/postfix/master.cf.dist "$conf/master.cf" 2>/dev/null || : >"$conf/master.cf"
: >"$work/mail.log"

# the hostile queue listing: a formula recipient, bidi overrides and zero-width characters
cat >"$work/bin/postqueue" <<'EOS'
#!/bin/sh
printf '%s\n' '{"queue_name": "deferred", "queue_id": "ABCDEF0001", "arrival_time": 1795352526, "message_size": 10, "forced_expire": false, "sender": "a@b.example", "recipients": [{"address": "=cmd|calc!A1@yahoo.com", "delay_reason": "host h[192.0.2.1] said: 421 4.7.0 [TSS04] Messages from 192.0.2.9 temporarily deferred due to user complaints"}]}'
printf '%s\n' '{"queue_name": "deferred", "queue_id": "ABCDEF0002", "arrival_time": 1795352526, "message_size": 10, "forced_expire": false, "sender": "ev\u202eil@x.example", "recipients": [{"address": "ab\u202ecd\u200b@gmail.com", "delay_reason": "host h[192.0.2.1] said: 421 4.7.28 \u202eyrt\u202c later\u200d\ufeff \u2066x\u2069 gsmtp"}]}'
EOS
cat >"$work/bin/postsuper" <<EOS
#!/bin/sh
echo "postsuper \$*" >>"$work/postsuper.ran"
cat >/dev/null
EOS
chmod +x "$work/bin/postqueue" "$work/bin/postsuper"

# mq ARGS... - mqmon on the private instance with the stand-ins first in PATH
mq() { PATH=$work/bin:$PATH "$MQMON" -c "$conf" "$@"; }
# snap ARGS... - a snapshot of the hostile listing
snap() { mq snapshot --source postqueue --no-log "$@"; }
# format_chars FILE - true when FILE holds a bidi control, zero-width character or BOM (UTF-8 bytes)
format_chars() { LC_ALL=C grep -qE $'\xe2\x80[\x8b-\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xef\xbb\xbf' "$1"; }
# escapes FILE - true when FILE holds ESC, BEL, a C1 CSI or a bidi override
escapes() { LC_ALL=C grep -qE $'\x1b|\x07|\xc2\x9b|\xe2\x80\xae' "$1"; }
# mode PATH - permission bits, octal
mode() { stat -c %a "$1"; }

# --- #1: snapshot -o writes through links, into devices and FIFOs, refuses the rest
ln -s /dev/null "$work/null-link"
snap --format prom -o "$work/null-link"
check "#1 -o a link to /dev/null: /dev/null still a character device, the link still a link" \
	test -c /dev/null -a -L "$work/null-link"
check "#1 -o a link to /dev/null: nothing left beside it" \
	test "$(find "$work" -maxdepth 1 -name 'null-link*' | wc -l)" -eq 1

mkfifo "$work/fifo"
timeout 20 cat "$work/fifo" >"$work/fifo.out" &
reader=$!
timeout 20 bash -c 'PATH=$1:$PATH "$2" -c "$3" snapshot --source postqueue --no-log --format prom -o "$4"' \
	_ "$work/bin" "$MQMON" "$conf" "$work/fifo"
rc=$?
wait "$reader" 2>/dev/null
reader=""
check "#1 -o a FIFO: the reader got the snapshot, the FIFO is still a FIFO" \
	bash -c "[ $rc -eq 0 ] && grep -q '^mqmon_queue_messages' '$work/fifo.out' && [ -p '$work/fifo' ]"

echo old >"$work/target.prom"
chmod 0640 "$work/target.prom"
ln -s target.prom "$work/link.prom"
snap --format prom -o "$work/link.prom"
check "#1 -o a link to a file: the link stays a link, its target is replaced" \
	bash -c "[ -L '$work/link.prom' ] && grep -q '^mqmon_queue_messages' '$work/target.prom'"

ln -s /proc/self/fd/1 "$work/stdout-link"
out=$(snap --format prom -o "$work/stdout-link" | grep -c '^mqmon_queue_messages')
check "#1 -o a link to standard output (like /dev/stdout on a pipe) writes to the pipe" \
	bash -c "[ '$out' -gt 0 ] && [ -L '$work/stdout-link' ]"
check "#1 -o - is standard output" bash -c "[ \$(PATH='$work/bin':\$PATH '$MQMON' -c '$conf' snapshot \
	--source postqueue --no-log --format prom -o - | grep -c '^mqmon_queue_messages') -gt 0 ] && [ ! -e ./- ]"

mkdir "$work/dir"
err=$(snap --format prom -o "$work/dir" 2>&1); rc=$?
check_eq "#1 -o a directory: refused with exit 73" "$rc" 73
check "#1 -o a directory: says why, leaves it alone" \
	bash -c "grep -q 'is a directory' <<<'$err' && [ -d '$work/dir' ] && [ -z \"\$(ls -A '$work/dir')\" ]"

# --- #7: modes: the umask for a new file, the old mode for a replaced one; the main.cf backup
(umask 077 && snap --format csv -o "$work/private.csv")
check_eq "#7 -o a new file under umask 077: mode 600" "$(mode "$work/private.csv")" 600
snap --format csv -o "$work/public.csv"
check_eq "#7 -o a new file under umask 022: mode 644" "$(mode "$work/public.csv")" 644
echo old >"$work/kept.csv"
chmod 0640 "$work/kept.csv"
snap --format csv -o "$work/kept.csv"
check_eq "#7 -o a replaced file keeps its mode 640" "$(mode "$work/kept.csv"):$(head -c 8 "$work/kept.csv")" 640:queue_id
check_eq "#7 -o a file replaced through a link keeps its mode 640" "$(mode "$work/target.prom")" 640

chmod 0600 "$conf/main.cf"
chown nobody:nogroup "$conf/main.cf" 2>/dev/null
owner=$(stat -c %U:%G "$conf/main.cf")
# the expiry job goes below a scratch root, never into /etc
mkdir -p "$work/sysroot"
MQMON_SYSTEM_ROOT=$work/sysroot mq throttle --setup --apply --db "$work/audit.db" >"$work/setup.out" 2>&1 || cat "$work/setup.out"
check "#7 throttle --setup --apply ran" grep -q "backup: .*main.cf" "$work/setup.out"
check_eq "#7 the main.cf backup keeps main.cf's mode 600 and owner" \
	"$(stat -c %a:%U:%G "$conf/main.cf.mqmon-bak" 2>&1)" "600:$owner"

# --- #6: CSV formula cells
snap --format csv >"$work/snap.csv"
check "#6 csv: the formula recipient is quoted with a leading '" grep -qF ",\"'=cmd|calc!A1@yahoo.com\"," "$work/snap.csv"
check "#6 csv: no cell starts with = + - @" bash -c "! grep -qE '(^|,)[=+@-]' '$work/snap.csv'"

# --- #8: Unicode format characters in remote text
snap --format json >"$work/snap.json"
snap --format prom >"$work/snap.prom"
check "#8 snapshot json/csv/prom: no bidi or zero-width character" \
	bash -c "! { $(declare -f format_chars); format_chars '$work/snap.json' || format_chars '$work/snap.csv' ||
		format_chars '$work/snap.prom'; }"
check "#8 snapshot: a format character shows as U+FFFD" grep -qF $'ab\ufffdcd\ufffd@gmail.com' "$work/snap.json"
check "#8 snapshot: the sender too" grep -qF $'ev\ufffdil@x.example' "$work/snap.csv"

cat >"$work/hostile.log" <<EOL
Nov 25 15:26:12 mx postfix/smtp[123]: ABCDEF0002: to=<ab$(printf '\u202e')cd$(printf '\u200b')@gmail.com>, relay=h[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=4.7.28, status=deferred (host h[192.0.2.1] said: 421 4.7.28 $(printf '\u202e')yrt$(printf '\u202c') later$(printf '\u200d\ufeff') gsmtp (in reply to RCPT TO command))
Nov 25 15:26:13 mx postfix/smtp[123]: ABCDEF0003: to=<x@b$(printf '\u00fc')cher.de>, relay=h[192.0.2.2]:25, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to h[192.0.2.2]:25: Connection timed out)
Nov 25 15:26:14 mx postfix/smtp[123]: ABCDEF0004: to=<y@example.org>, relay=h[192.0.2.3]:25, delay=1, delays=0/0/0/1, dsn=4.4.1, status=deferred (connect to h[192.0.2.3]:25: Connection timed out)
EOL
"$MQMON" classify "$work/hostile.log" >"$work/classify.tsv"
"$MQMON" report "$work/hostile.log" >"$work/report.txt"
"$MQMON" report --format json "$work/hostile.log" >"$work/report.json"
check "#8 classify, report text and JSON: no bidi or zero-width character" \
	bash -c "! { $(declare -f format_chars); format_chars '$work/classify.tsv' || format_chars '$work/report.txt' ||
		format_chars '$work/report.json'; }"
check "#8 classify: the hostile recipient and reply show U+FFFD" \
	grep -qF $'ab\ufffdcd\ufffd@gmail.com\t4.7.28' "$work/classify.tsv"
cols=$(grep -E '^    (b.cher\.de|example\.org) ' "$work/report.txt" | while IFS= read -r line; do
	p=${line%%events*}
	echo "${#p}"
done | sort -u)
check_eq "#8 report text: a UTF-8 domain's columns align with an ASCII one's (display width)" \
	"$(wc -l <<<"$cols") $(grep -cE '^    (b.cher\.de|example\.org) ' "$work/report.txt")" "1 2"

# the console: the message list and the detail of the hostile message
if command -v tmux >/dev/null; then
	start "PATH=$work/bin:\$PATH $MQMON -c $conf --source postqueue --db $work/tui.db" 160 30
	wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
	tm send-keys -t t Tab
	check "#8 console messages view: the sender's override shows as U+FFFD" wait_for $'ev\ufffdil@x.example'
	tm send-keys -t t /
	tm send-keys -t t -l 'ABCDEF0002'
	tm send-keys -t t Enter
	sleep 0.3
	tm send-keys -t t Enter
	check "#8 console detail: the recipient's override and zero-width space show as U+FFFD" \
		wait_for $'ab\ufffdcd\ufffd@gmail.com'
	screen >"$work/screen.txt"
	check "#8 console detail: nothing on screen holds a format character" \
		bash -c "$(declare -f format_chars); ! format_chars '$work/screen.txt'"
	tm send-keys -t t q
	tmux_stop
else
	echo "skipped: the console checks (no tmux)"
fi

# --- #9: arguments echoed in errors carry no escape sequence (OSC 52 clipboard write, clear screen)
osc=$'\e]52;c;cm0gLXJmIC8K\a\e[2J\xc2\x9b31m\u202e'
{
	mq throttle "x${osc}.example" --slow --db "$work/audit.db"
	mq unthrottle "x${osc}.example" --db "$work/audit.db"
	mq throttle "--${osc}" --db "$work/audit.db"
	mq hold --db "$work/audit.db" "A${osc}"
	mq snapshot --format "$osc"
	mq snapshot --source "$osc"
	mq report --format "$osc" /dev/null
	mq report --since "$osc"
	mq classify "--${osc}"
	mq ingest "--x${osc}"
	mq rules "--${osc}"
	mq "$osc"
	mq snapshot "$osc"
} >"$work/echo.out" 2>&1
check "#9 errors name the bad arguments" test "$(grep -c '^mqmon: ' "$work/echo.out")" -ge 12
check "#9 no ESC, BEL, C1 CSI or bidi override reaches the terminal" \
	bash -c "$(declare -f escapes); ! escapes '$work/echo.out'"

# --- #10: a NUL inside a queue-ID line on standard input refuses the whole request
rm -f "$work/postsuper.ran"
printf 'ABCDEF0001\0ALL\n' | mq hold --db "$work/audit.db" - >"$work/nul.out" 2>&1
rc=$?
check_eq "#10 a NUL in a stdin queue-ID line: exit 65" "$rc" 65
check "#10 ... says why, and postsuper never ran" \
	bash -c "grep -q 'NUL' '$work/nul.out' && [ ! -e '$work/postsuper.ran' ]"

# --- #21: a non-ASCII throttle domain is refused with a hint at its xn-- form
out=$(mq throttle "b$(printf '\u00fc')cher.de" --slow --db "$work/audit.db" 2>&1); rc=$?
check_eq "#21 throttle bücher.de: refused (exit 64)" "$rc" 64
check "#21 ... with a hint at the ASCII (xn--) form" grep -qF "xn--" <<<"$out"

# --- with a private bed (root, Postfix): hostile recipients read from the spool
if [ "$(id -u)" -eq 0 ] && command -v postconf >/dev/null && command -v jq >/dev/null; then
	bed_start 4020
	trap cleanup EXIT	# bed_start set its own; cleanup stops the bed too
	for to in '=cmd|calc!A1@yahoo.com' $'ab\u202ecd@gmail.com'; do
		printf 'Subject: hostile\n\nbody\n' | sendmail -C "$BED_CONF" -f a@testbed.local -- "$to"
	done
	"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 2 >/dev/null
	"$MQMON" -c "$BED_CONF" snapshot --source spool --format csv --log "$BED_LOG" >"$work/bed.csv"
	"$MQMON" -c "$BED_CONF" snapshot --source spool --log "$BED_LOG" >"$work/bed.json"
	check "#6 bed (spool): the formula recipient is quoted with a leading '" \
		grep -qF ",\"'=cmd|calc!A1@yahoo.com\"," "$work/bed.csv"
	check "#8 bed (spool): the recipient's override shows as U+FFFD" \
		bash -c "$(declare -f format_chars); grep -qF $'ab\ufffdcd@gmail.com' '$work/bed.json' &&
			! format_chars '$work/bed.json' && ! format_chars '$work/bed.csv'"
else
	echo "skipped: the bed checks (need root, postfix and jq)"
fi
finish
