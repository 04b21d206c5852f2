#!/usr/bin/env bash
# exim_bed.sh - the Exim test bed (tests/bed/exim.sh) itself, run next to a Postfix bed:
# Exim comes from the .deb cache without installing exim4 (Postfix stays), deferrals
# from the peer reach the main log with each provider's 4xx reply, the queue count,
# the split spool, the retry database, hold_domains / defer_domains (mqmon's throttles)
# and the operator actions (freeze, thaw, remove) all work, and the bed stops cleanly.
# Skipped (77) when not root or when Exim cannot be downloaded (the reason is printed).
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=../bed/exim.sh
. "$TOP/tests/bed/exim.sh"
need_bed
etc_exim_before=$(ls -ld /etc/exim4 2>/dev/null)
exim_bed_install || skip "Exim bed: $EXIM_BED_ERROR"
BASE=${MQMON_TEST_PORT_BASE:-${MQMON_EXIM_BED_PORT_BASE:-6220}}
# the Postfix bed first (its EXIT trap is replaced, exim_bed_start chains onto it)
MQMON_TEST_PORT_BASE=$((BASE + 40)) bed_start
if ! exim_bed_start "$BASE"; then
	echo "FAIL exim bed start: $EXIM_BED_ERROR"
	T_FAILED=$((T_FAILED + 1))
	finish
fi

x() { "$EXIM_BIN" -C "$EXIM_CONF" "$@"; }
# x_unlocked ARG... - exim ARG..., again while a queue run of the daemon holds the message
x_unlocked() {
	local out rc
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		out=$(x "$@" 2>&1); rc=$?
		grep -qi "locked" <<<"$out" || break
		sleep 0.5
	done
	printf '%s\n' "$out"
	return "$rc"
}
# port PROFILE - the peer port of a profile (tests/peer/profiles.ini), moved to the bed's base
port() {
	awk -v p="[profile.$1]" '$0 == p {f = 1} f && /^port/ {print $3; exit}' "$TOP/tests/peer/profiles.ini" |
		{ read -r q; echo $((q - 2520 + BASE)); }
}
# rcpts PATTERN - distinct recipients of the main log's lines matching PATTERN (ERE)
rcpts() {
	grep -E -- "$1" "$EXIM_LOG" | awk '{print $5}' | sort -u | wc -l
}
# spool_h ID - the -H file of a message in the split spool
spool_h() {
	echo "$EXIM_SPOOL/input/${1:5:1}/$1-H"
}
# h_files - number of -H files in the spool
h_files() {
	find "$EXIM_SPOOL/input" -name '*-H' | wc -l
}
# retry_db - exim_dumpdb's listing of the bed's retry database
retry_db() {
	"$EXIM_DUMPDB" "$EXIM_SPOOL" retry 2>&1
}

# --- the install: a private root, not the exim4 packages
check "Exim comes from the private root, not /usr/sbin" test "$EXIM_BIN" = "$EXIM_ROOT/usr/sbin/exim4"
check "exim4 packages are not installed (apt would have removed Postfix)" \
	bash -c '! dpkg-query -W -f="\${Status}" exim4-base exim4-daemon-light 2>/dev/null | grep -q "install ok installed"'
check "postfix is still installed" bash -c 'dpkg-query -W -f="\${Status}" postfix | grep -q "install ok installed"'
check_eq "/etc/exim4 is as before (never touched)" "$(ls -ld /etc/exim4 2>/dev/null)" "$etc_exim_before"
check "the daemon logs its start with -q$EXIM_QUEUE_INTERVAL on 127.0.0.1:$EXIM_SMTP_PORT" \
	grep -qE "exim [0-9.]+ daemon started: pid=[0-9]+, -q$EXIM_QUEUE_INTERVAL, listening for SMTP on \[127\.0\.0\.1\]:$EXIM_SMTP_PORT$" "$EXIM_LOG"
check "the daemon's pid file names a live exim with the bed's config" \
	bash -c 'tr "\0" "\n" </proc/$(cat "$1")/cmdline | grep -qxF "$2"' _ "$EXIM_PID_FILE" "$EXIM_CONF"

# --- 20 messages queued (-odq), then a forced queue run
exim_bed_inject 20 gmail.com yahoo.com outlook.com busy.example accept.example
exim_bed_wait_idle >/dev/null
# the daemon's own queue run (every minute) may already have delivered some
check_eq "exim -bpc counts the 20 queued messages (less any delivered)" \
	"$(x -bpc)" "$((20 - $(grep -c ' Completed$' "$EXIM_LOG")))"
x -qf
exim_bed_wait_idle >/dev/null
check_eq "gmail.com: 4 recipients deferred with the multi-line 421-4.7.28 (joined with \\n)" \
	"$(rcpts '== user[0-9]+@gmail\.com R=peers T=remote_smtp defer \(-44\) H=127\.0\.0\.1 \[127\.0\.0\.1\]: SMTP error from remote mail server after RCPT TO:<[^>]+>: 421-4\.7\.28 .*\\n421-4\.7\.28 .*\\n421 4\.7\.28 ')" 4
check_eq "yahoo.com: 4 deferred at the greeting (defer (0), 421 4.7.0 [TSS04])" \
	"$(rcpts '== user[0-9]+@yahoo\.com .* defer \(0\) .*after initial connection: 421 4\.7\.0 \[TSS04\]')" 4
check_eq "outlook.com: 4 deferred after MAIL FROM (defer (-45), 421 4.7.0 RP-001)" \
	"$(rcpts '== user[0-9]+@outlook\.com .* defer \(-45\) .*after MAIL FROM:<[^>]+> SIZE=[0-9]+: 421 4\.7\.0 RP-001')" 4
check "outlook.com: the host line without a flag comes just before each (-45) == line" \
	awk '$4 == "==" && / defer \(-45\) / { n++; if (last[$3] !~ /^H=127\.0\.0\.1 .*RP-001/) bad++ }
		{ last[$3] = substr($0, index($0, $4)) } END { exit !(n >= 4 && bad == 0) }' "$EXIM_LOG"
check_eq "busy.example: 4 deferred after RCPT (421 4.3.0)" \
	"$(rcpts '== user[0-9]+@busy\.example .* defer \(-44\) .*: 421 4\.3\.0 Temporary System Problem')" 4
check_eq "accept.example: 4 delivered (=>), each message Completed" \
	"$(rcpts '=> user[0-9]+@accept\.example R=peers T=remote_smtp H=127\.0\.0\.1 \[127\.0\.0\.1\] C="250 ')" 4
check_eq "the peer on the gmail port saw the RCPTs (peer log)" \
	"$(grep -c "gmail" "$EXIM_PEER_LOG" | awk '{print ($1 > 0)}')" 1
check_eq "exim -bpc: 16 messages left" "$(x -bpc)" 16
check_eq "16 -H files in the split spool" "$(h_files)" 16
ids=$(x -bp | awk 'NF >= 4 {print $3}' | grep -E '^[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}$')
check "every message of -bp has input/<ID[5]>/ID-H and -D" \
	bash -c 'for id in $2; do d=$1/input/${id:5:1}; test -f $d/$id-H -a -f $d/$id-D || exit 1; done; test -n "$2"' _ "$EXIM_SPOOL" "$ids"
check "-H files: line 1 is the file name, line 3 the sender, a recipient count" \
	bash -c 'f=$1; head -1 "$f" | grep -qx "$(basename "$f")" && sed -n 3p "$f" | grep -q "^<.*@.*testbed.local>$" &&
		grep -qx "1" "$f"' _ "$(spool_h "$(head -1 <<<"$ids")")"

# --- the retry database
db=$(retry_db)
check_eq "exim_dumpdb: an R: record per deferred gmail recipient (with its sender)" \
	"$(grep -cE '^  R:user[0-9]+@gmail\.com:<[^>]+@[^>]+> -44 ' <<<"$db")" 4
check "exim_dumpdb: a T: host record for the yahoo port (greeting failure)" \
	grep -qE "^  T:127\.0\.0\.1:127\.0\.0\.1:$(port yahoo) 0 " <<<"$db"
check "exim_dumpdb: T: host+message records for the outlook port (4xx after MAIL FROM)" \
	grep -qE "^  T:127\.0\.0\.1:127\.0\.0\.1:$(port microsoft):[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2} -45 " <<<"$db"
check "exim_dumpdb: each of the 13 records has first_failed, last_try and next_try" \
	bash -c 'ts="[0-9]{2}-[A-Z][a-z]{2}-[0-9]{4} [0-9:]{8}"
		test "$(grep -cE "^  [RT]:" <<<"$1")" -ge 13 &&
		test "$(grep -A1 -E "^  [RT]:" <<<"$1" | grep -cE "^$ts  $ts  $ts( \*)? *$")" = "$(grep -cE "^  [RT]:" <<<"$1")"' _ "$db"

# --- a queue run that respects the retry times: nothing is tried
n0=$(wc -l <"$EXIM_LOG")
x -q
exim_bed_wait_idle >/dev/null
check_eq "exim -q: gmail and busy.example skipped with routing defer (-52)" \
	"$(tail -n +$((n0 + 1)) "$EXIM_LOG" | grep -cE '== user[0-9]+@(gmail\.com|busy\.example) routing defer \(-52\): retry time not reached$')" 8
check_eq "exim -q: yahoo and outlook skipped with defer (-54) for any host" \
	"$(tail -n +$((n0 + 1)) "$EXIM_LOG" | grep -cE "== user[0-9]+@(yahoo|outlook)\.com R=peers T=remote_smtp defer \(-54\): retry time not reached for any host for '(yahoo|outlook)\.com'$")" 8

# --- mqmon's throttles: hold_domains and the :defer: router, edited without a restart
echo greylist.example >"$EXIM_HOLD_DOMAINS"
echo full.example >"$EXIM_DEFER_DOMAINS"
exim_bed_inject 2 greylist.example full.example
x -q
exim_bed_wait_idle >/dev/null
check "hold_domains: a held domain defers with (-23): domain is held" \
	grep -qE '== user[0-9]+@greylist\.example defer \(-23\): domain is held$' "$EXIM_LOG"
check "defer_domains: the throttled router defers (-1) with the operator's reason" \
	grep -qE '== user[0-9]+@full\.example R=throttled defer \(-1\): domain throttled by operator$' "$EXIM_LOG"
check "defer_domains: the retry database has R:full.example" grep -qE '^  R:full\.example -1 ' <<<"$(retry_db)"
: >"$EXIM_HOLD_DOMAINS"
x -q
exim_bed_wait_idle >/dev/null
check "hold_domains emptied: the next queue run tries greylist.example (no restart)" \
	grep -qE '== user[0-9]+@greylist\.example R=peers T=remote_smtp defer \(-44\) .*421 4\.7\.1 Greylisted' "$EXIM_LOG"

# --- a message with two recipients delivered and one deferred
echo "multi" | x -odq -f multi@testbed.local m1@accept.example m2@gmail.com m3@accept.example
multi=$(x -bp | awk '$4 == "<multi@testbed.local>" {print $3}')
x -M "$multi"
exim_bed_wait_idle >/dev/null
check "one delivery, two addresses: => then -> for the second one" \
	grep -qE "^[-0-9]+ [0-9:]+ $multi -> m[13]@accept\.example R=peers" "$EXIM_LOG"
check_eq "exim -bp marks the delivered recipients D" \
	"$(x -bp | sed -n "/ $multi /,/^\$/p" | grep -cE '^ +D m[13]@accept\.example$')" 2
check "its -H file has a non-empty non-recipients tree (not XX)" \
	bash -c 'awk "/^-/ {o = 1; next} o {print; exit}" "$1" | grep -qE "^[YN][YN] m[13]@accept\.example$"' _ "$(spool_h "$multi")"

# --- SMTP reception: delivered on arrival
MQMON_EXIM_BED_INJECT=smtp exim_bed_inject 2 accept.example icloud.com
exim_bed_wait_idle >/dev/null
check "SMTP to the daemon: <= ... P=esmtp" grep -qE '<= [^ ]+ H=\(testbed\.local\) \[127\.0\.0\.1\] P=esmtp ' "$EXIM_LOG"
check "SMTP to the daemon: accept.example delivered on arrival" grep -qE '=> user[0-9]+@accept\.example .*C="250 ' "$EXIM_LOG"
check "SMTP to the daemon: icloud.com deferred after the end of data (-46)" \
	grep -qE '== user[0-9]+@icloud\.com .*defer \(-46\) .*after end of data: 421 4\.7\.1 \[CS01\]' "$EXIM_LOG"

# --- operator actions
id=$(x -bp | awk '$4 ~ /@/ && $3 ~ /-/ {print $3}' | head -1)
out=$(x_unlocked -Mf "$id"); rc=$?
check_eq "exim -Mf: exit 0, 'is now frozen'" "$rc $out" "0 Message $id is now frozen"
check "exim -bp shows it *** frozen ***" grep -qE " $id <[^>]+> \*\*\* frozen \*\*\*$" <(x -bp)
check "the main log says frozen by root" grep -q " $id frozen by root$" "$EXIM_LOG"
check "its -H file has -frozen EPOCH" grep -qE '^-frozen [0-9]+$' "$(spool_h "$id")"
x -q
exim_bed_wait_idle >/dev/null
check "a queue run leaves it: Message is frozen" grep -q " $id Message is frozen$" "$EXIM_LOG"
out=$(x_unlocked -Mt "$id"); rc=$?
check_eq "exim -Mt: exit 0, 'is no longer frozen'" "$rc $out" "0 Message $id is no longer frozen"
check "the main log says unfrozen by root" grep -q " $id unfrozen by root$" "$EXIM_LOG"
before=$(x -bpc)
out=$(x_unlocked -Mrm "$id"); rc=$?
check_eq "exim -Mrm: exit 0, 'has been removed'" "$rc $out" "0 Message $id has been removed"
check "the main log says removed by root, then Completed" \
	bash -c 'grep -A1 " $1 removed by root$" "$2" | grep -q " $1 Completed$"' _ "$id" "$EXIM_LOG"
check_eq "exim -bpc one less, its -H file gone" "$(x -bpc) $(test -e "$(spool_h "$id")" && echo there)" "$((before - 1)) "
check_eq "nothing in the panic log but the -C privilege notice" \
	"$(grep -v 'exim user lost privilege for using -C option' "$EXIM_PANICLOG" 2>/dev/null)" ""

# --- the Postfix bed next to it still works
inject 2 gmail.com yahoo.com
check "the Postfix bed alongside still defers its mail" "$TOP/tests/bed/bed.sh" wait-deferred "$BED" 2
check "the Postfix bed alongside logs to its own log, not Exim's" \
	bash -c 'grep -q "status=deferred" "$1" && ! grep -q "postfix" "$2"' _ "$BED_LOG" "$EXIM_LOG"

# --- stop
dir=$EXIM_BED_DIR conf=$EXIM_CONF
exim_bed_stop
check_eq "exim_bed_stop: no process of the bed left" "$(exim_bed__conf_pids "$conf")" ""
check "exim_bed_stop: the bed's directory is gone" test ! -e "$dir"
check "exim_bed_stop: the daemon's and the peer's ports are free" \
	bash -c '! ss -Hltn "( sport = :$1 or sport = :$2 )" | grep -q .' _ "$EXIM_SMTP_PORT" "$(port gmail)"
finish
