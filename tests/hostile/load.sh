#!/usr/bin/env bash
# load.sh - hostile input to what mqmon loads: configuration, rules and theme files, logs that are not
# regular files, defer logs with long records, a relative HOME (issue #11, items 11, 12, 14-17, 20).
# No Postfix bed: a Postfix configuration directory is faked where one is needed (postconf only reads it).
# shellcheck disable=SC1091
. "$(dirname "$0")/../e2e/lib.sh"
export MQMON_DATADIR=${MQMON_DATADIR:-$TOP}

W=$(mktemp -d /tmp/mqmon-hostile-load.XXXXXX)
trap 'rm -rf "$W"' EXIT
LOG=$TOP/tests/golden/causes.log

# a file that must never be printed: its text stands for /etc/shadow
printf 'root:$y$j9T$S3CR3TSALT$hashhashhash:19000:0:99999:7:::\nbob:hunter2-secret::\n' >"$W/shadow"
mkfifo "$W/fifo"
mkdir "$W/dir" "$W/pf"
touch "$W/pf/main.cf"	# enough for -c: the theme is loaded before anything else is asked of Postfix

# refused FILE... - mqmon ran with exit 78 and said EXPECT, within the timeout (out in $W/out)
refused() {
	local want=$1
	shift
	timeout 20 "$MQMON" "$@" </dev/null >"$W/out" 2>&1
	local rc=$?
	cat "$W/out"
	[ "$rc" -eq 78 ] && grep -q -- "$want" "$W/out"
}

# exits RC WANT CMD... - CMD (under timeout 20, stdin /dev/null) exited RC and said WANT
exits() {
	local want_rc=$1 want=$2 out rc
	shift 2
	out=$(timeout 20 "$@" </dev/null 2>&1)
	rc=$?
	echo "$out" | head -20
	echo "exit $rc"
	[ "$rc" -eq "$want_rc" ] && grep -q -- "$want" <<<"$out"
}

export W MQMON
export -f refused exits

# --- #11: a safety switch that cannot be parsed takes its safe side
printf '[mqmon]\nread_only = maybe\n' >"$W/ro.ini"
check "#11 read_only = maybe means read-only (and says so)" \
	bash -c "'$MQMON' --config '$W/ro.ini' --dump-config 2>'$W/err' | grep -qx 'read_only = yes' \
		&& grep -q 'read_only: not yes/no: maybe (taken as read_only = yes' '$W/err'"
printf '[mqmon]\nretention = 30x\n' >"$W/ret.ini"
check "#11 an unparsable retention prunes nothing" \
	bash -c "'$MQMON' --config '$W/ret.ini' --dump-config 2>/dev/null | grep -qx 'retention = 0'"

# --- #12: a file that is not INI is reported by line number, never printed
check "#12 --config with a non-INI file: exit 78, line numbers only" \
	bash -c "! { timeout 20 '$MQMON' --config '$W/shadow' --dump-config </dev/null 2>&1; echo rc=\$?; } \
		| tee '$W/o12' | grep -E 'S3CR3T|hunter2' && grep -q 'rc=78' '$W/o12' && grep -q 'line 1 is not' '$W/o12'"
check "#12 --rules with a non-INI file: exit 78, line numbers only" \
	bash -c "! { timeout 20 '$MQMON' --rules '$W/shadow' rules </dev/null 2>&1; echo rc=\$?; } \
		| tee '$W/o12' | grep -E 'S3CR3T|hunter2' && grep -q 'rc=78' '$W/o12' && grep -q 'line 1 is not' '$W/o12'"
check "#12 --theme with a non-INI file: exit 78, line numbers only" \
	bash -c "! { timeout 20 '$MQMON' -c '$W/pf' --theme '$W/shadow' </dev/null 2>&1; echo rc=\$?; } \
		| tee '$W/o12' | grep -E 'S3CR3T|hunter2' && grep -q 'rc=78' '$W/o12' && grep -q 'line 1 is not' '$W/o12'"

# --- #14: logs that are not regular files
check "#14 ingest on a FIFO with no writer ends (exit 66, not a regular file)" \
	exits 66 'not a regular file' "$MQMON" ingest --db "$W/h.db" "$W/fifo"
check "#14 classify on a FIFO with no writer ends with a clear error" \
	exits 66 'FIFO with no writer' "$MQMON" classify "$W/fifo"
check "#14 (guard) classify on a FIFO with a writer still reads it" \
	bash -c "(cat '$LOG' >'$W/fifo' &); sleep 0.3; \
		[ \"\$(timeout 20 '$MQMON' classify '$W/fifo' | wc -l)\" = \"\$('$MQMON' classify '$LOG' | wc -l)\" ]"
check "#14 classify /dev/zero is refused at once" \
	exits 66 'not a regular file or a FIFO' "$MQMON" classify /dev/zero
check "#14 report /dev/zero is refused at once" \
	exits 66 'not a regular file or a FIFO' "$MQMON" report /dev/zero
check "#14 classify < /dev/zero ends with an error after a bound" \
	bash -c "exits 66 'no newline in 16 MiB' bash -c 'exec \"\$MQMON\" classify </dev/zero'"
check "#14 an endless pipe of NULs ends with an error after a bound" \
	exits 66 'no newline' bash -c 'head -c 100000000 /dev/zero | "$MQMON" classify'
check "#14 classify --follow on a FIFO waits for a regular file and says so" \
	exits 124 'not a regular file: .*(waiting)' timeout 3 "$MQMON" classify --follow --db "$W/f.db" "$W/fifo"

# --- #15: a big rules file loads fast; past a limit, exit 78 with the reason
for i in $(seq 1 9000); do printf '[rule.r%d]\ncause = rate-limit\ntext = fragment number %d here\n' "$i" "$i"; done >"$W/r9000.ini"
check "#15 9,000 rules: exit 78 with the limit, at once" \
	bash -c "s=\$(date +%s%N); refused 'too many rules: [0-9]* (at most 4096' --rules '$W/r9000.ini' rules; rc=\$?; \
		e=\$(( (\$(date +%s%N) - s) / 1000000 )); echo \"\$e ms\"; [ \$rc -eq 0 ] && [ \$e -lt 3000 ]"
# 55 rules of 150 fragments: 8,250 fragments (each line stays under 1,022 bytes)
for i in $(seq 1 55); do printf '[rule.f%d]\ncause = tls\ntext = %s\n' "$i" "$(seq -s'|' $((i * 1000)) $((i * 1000 + 149)))"; done >"$W/frag.ini"
check "#15 more text fragments than the classifier takes: exit 78 with the reason" \
	refused 'too many rule text fragments: [0-9]* (at most 8128' --rules "$W/frag.ini" rules
for i in $(seq 1 2000); do printf '[rule.r%d]\ncause = rate-limit\ntext = <f%d>\nsample = 421 <f%d>.\n' "$i" "$i" "$i"; done >"$W/r2000.ini"
check "#15 (guard) 2,000 rules load and check in under 3 s" \
	bash -c "s=\$(date +%s%N); timeout 20 '$MQMON' --rules '$W/r2000.ini' rules --check | tail -1 | grep -q '0 failures'; \
		rc=\$?; e=\$(( (\$(date +%s%N) - s) / 1000000 )); echo \"\$e ms\"; [ \$rc -eq 0 ] && [ \$e -lt 3000 ]"

# --- #16: the reason for a rules/config/theme file that cannot be loaded
head -c 2000 /dev/zero | tr '\0' x | sed 's/^/[rule.a]\ncause = tls\ntext = /' >"$W/long.ini"
check "#16 rules file with an over-long line: its number and the limit" \
	refused 'line 3 is longer than 1022 bytes' --rules "$W/long.ini" rules
check "#16 config file with an over-long line: its number and the limit" \
	refused 'line 3 is longer than 1022 bytes' --config "$W/long.ini" --dump-config
check "#16 a directory as rules file is refused" refused 'it is a directory' --rules "$W/dir" rules
check "#16 a FIFO as rules file is refused (no hang)" refused 'not a regular file (a FIFO)' --rules "$W/fifo" rules
check "#16 a device as rules file is refused" refused 'not a regular file (a device)' --rules /dev/zero rules
check "#16 a directory as config file is refused" refused 'it is a directory' --config "$W/dir" --dump-config
check "#16 a FIFO as config file is refused (no hang)" refused 'not a regular file (a FIFO)' --config "$W/fifo" --dump-config
check "#16 a directory as theme is refused" refused 'it is a directory' -c "$W/pf" --theme "$W/dir"
check "#16 a FIFO as theme is refused (no hang)" refused 'not a regular file (a FIFO)' -c "$W/pf" --theme "$W/fifo"

# --- #17: a defer log record over 4 KiB (a 1,500-byte recipient) keeps the message's cause
# a spool with one deferred queue file (records T, S, R, E) and its defer log; postconf reads main.cf
python3 - "$W/sp" <<'EOF'
import os, sys
root = sys.argv[1]
qid = "A9F8FA722B7"
rcpt = "a" * 1500 + "@gmail.com"
reason = "host x[1.2.3.4] said: 421 4.7.28 rate limited " + "z" * 3000 + " (in reply to RCPT TO command)"
def rec(t, data):
    data = data.encode()
    n, enc = len(data), bytearray()
    while True:
        b, n = n & 0x7f, n >> 7
        enc.append(b | 0x80 if n else b)
        if not n:
            break
    return t.encode() + bytes(enc) + data
for d in ("deferred", "defer"):
    os.makedirs(f"{root}/spool/{d}/{qid[0]}")
q = f"{root}/spool/deferred/{qid[0]}/{qid}"
with open(q, "wb") as f:
    f.write(rec("T", "1795618315 238744") + rec("S", "sender@example.org") + rec("R", rcpt) + rec("E", ""))
os.chmod(q, 0o700)
with open(f"{root}/spool/defer/{qid[0]}/{qid}", "w") as f:
    f.write(f"<{rcpt}>: {reason}\n\nrecipient={rcpt}\noffset=100\ndsn_orig_rcpt=rfc822;{rcpt}\n"
            f"orig_rcpt={rcpt}\nstatus=4.7.28\naction=delayed\nreason={reason}\n\n")
with open(f"{root}/main.cf", "w") as f:
    f.write(f"queue_directory = {root}/spool\n")
EOF
if command -v postconf >/dev/null && command -v jq >/dev/null; then
	check "#17 a long defer log record keeps the recipient's cause and reason" \
		bash -c "timeout 20 '$MQMON' -c '$W/sp' snapshot --source spool --no-log --format json \
			| jq -e '.messages[0].recipients[0] | .cause == \"rate-limit\" and .dsn == \"4.7.28\" and (.reason | length > 0)'"
else
	echo "skip #17 snapshot check (needs postconf and jq); unit test_deferlog covers it"
fi

# --- #20: a relative HOME is ignored (no files below the working directory)
mkdir -p "$W/cwd/rel/.config/mqmon"
printf '[mqmon]\ntheme = dark\n' >"$W/cwd/rel/.config/mqmon/mqmon.ini"
check "#20 a relative HOME (or XDG_CONFIG_HOME) does not find a configuration below the working directory" \
	bash -c "cd '$W/cwd' && ! HOME=rel XDG_CONFIG_HOME= '$MQMON' --dump-config | grep -q '^theme = dark' \
		&& ! HOME=/nonexistent XDG_CONFIG_HOME=rel/.config '$MQMON' --dump-config | grep -q '^theme = dark'"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && nobody_prepare "$W"; then
	chmod 777 "$W/cwd"
	cp "$LOG" "$W/cwd/mail.log"
	chmod 644 "$W/cwd/mail.log"
	export NOBODY_MQMON NOBODY_DATADIR
	export -f as_nobody
	check "#20 a relative HOME does not put the history below the working directory" \
		bash -c "cd '$W/cwd' && as_nobody env HOME=relhome XDG_DATA_HOME=data \"\$NOBODY_MQMON\" ingest mail.log; \
			[ ! -e relhome ] && [ ! -e data ]"
else
	echo "skip #20 history check (needs root and a nobody user)"
fi

finish
