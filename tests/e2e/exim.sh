#!/usr/bin/env bash
# exim.sh - mqmon against a real Exim (the private bed of tests/bed/exim.sh):
# the snapshot lists what `exim -bp` lists (IDs, senders, pending recipients,
# frozen = hold) with the causes the peer answered, exact next retries from
# the retry database and estimated ones otherwise; classify, report and
# ingest count each deferral once (the flagless host line and the -52/-54
# "retry time not reached" lines are no attempts); the operator actions
# (freeze, thaw, exim -M, -Mrm; requeue refused); a stopped daemon is
# reported; `classify --follow` across Debian's log rotation for Exim; the
# backend detected from -c and a clear error for the wrong --mta.
# Skipped (77) when not root or when the Exim bed cannot be installed.
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=../bed/exim.sh
. "$TOP/tests/bed/exim.sh"
[ "$(id -u)" -eq 0 ] || skip "needs root (a private Exim instance)"
command -v jq >/dev/null || skip "jq not installed (make deps)"
exim_bed_install || skip "Exim bed: $EXIM_BED_ERROR"
BASE=${MQMON_TEST_PORT_BASE:-6020}
work=$(mktemp -d /tmp/mqmon-exim-e2e.XXXXXX)
fpid=""
# stop_follow - SIGTERM the follower
stop_follow() {
	[ -n "$fpid" ] && kill -TERM "$fpid" 2>/dev/null && wait "$fpid" 2>/dev/null
	fpid=""
}
trap 'stop_follow; rm -rf "$work"' EXIT
# a private history (the default store is under $HOME)
export HOME=$work/home XDG_DATA_HOME=
mkdir -p "$HOME"
# no queue run of the daemon's own until the follow part (it restarts the daemon with -q15s)
if ! MQMON_EXIM_BED_QUEUE_INTERVAL=1h exim_bed_start "$BASE"; then
	echo "FAIL exim bed start: $EXIM_BED_ERROR"
	T_FAILED=$((T_FAILED + 1))
	finish
fi

x() { "$EXIM_BIN" -C "$EXIM_CONF" "$@"; }
mq() { "$MQMON" -c "$EXIM_CONF" "$@"; }
# bp_norm - exim -bp as "ID SENDER hold|- PENDING,RCPTS" lines, sorted (D = delivered, left out)
bp_norm() {
	x -bp | awk '
		NF >= 4 && $3 ~ /^[0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+$/ {
			if (id != "") print id, s, f, r
			id = $3; s = $4; f = ($0 ~ /\*\*\* frozen \*\*\*$/) ? "hold" : "-"; r = ""
			if (s != "<>") gsub(/[<>]/, "", s)
			next
		}
		NF == 1 && id != "" { r = r (r == "" ? "" : ",") $1 }
		END { if (id != "") print id, s, f, r }' | sort
}
# snap_norm JSON - the same from a snapshot
snap_norm() {
	jq -r '.messages[] | "\(.queue_id) \(if .sender == "" then "<>" else .sender end) \(if .queue == "hold" then "hold" else "-" end) \([.recipients[].address] | join(","))"' <<<"$1" | sort
}
# bp_ids - the queue IDs exim -bp lists
bp_ids() { bp_norm | cut -d' ' -f1; }
# real_deferrals [FROM_LINE] - the == lines of the main log that are attempts ("ID RCPT"), not -52/-54 skips
real_deferrals() {
	tail -n +"${1:-1}" "$EXIM_LOG" | awk '$4 == "==" && !/ defer \(-5[0-9]\): retry time not reached/ {print $3, $5}' | sort
}
# epoch "02-Dec-2026 09:41:48" - exim_dumpdb's local time as epoch seconds
epoch() { date -d "${1//-/ }" +%s; }
# wait_until SECS CMD... - poll CMD every 0.2 s
wait_until() {
	local end=$((SECONDS + $1))
	shift
	while ((SECONDS < end)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"$@"
}

# --- a queue with ~30 messages to several providers, one with two recipients
exim_bed_inject 30 gmail.com yahoo.com outlook.com busy.example greylist.example icloud.com accept.example
printf 'Subject: two recipients\n\none delivered, one deferred\n' |
	x -odq -f multi@testbed.local m1@accept.example m2@gmail.com
exim_bed_wait_idle >/dev/null
x -qf
exim_bed_wait_idle >/dev/null
multi=$(bp_norm | awk '$2 == "multi@testbed.local" {print $1}')

# --- snapshot against exim -bp
snap=$(mq snapshot --format json)
check "snapshot: valid JSON with messages" jq -e '.messages | length > 20' <<<"$snap"
check_eq "snapshot: the MTA is exim, its version and the spool as source (root)" \
	"$(jq -r '"\(.mta) \(.mail_version) \(.source)"' <<<"$snap")" "exim ${EXIM_VERSION%%-*} spool"
check_eq "snapshot: IDs, senders, pending recipients and hold exactly as exim -bp" "$(snap_norm "$snap")" "$(bp_norm)"
check_eq "the two-recipient message: one delivered (D in exim -bp), only the deferred one pending" \
	"$(x -bp | sed -n "/ $multi /,/^\$/p" | awk 'NF {print ($1 == "D" ? "D " $2 : $NF)}' | tail -n +2 | sort | paste -sd' ') $(jq -r --arg id "$multi" '.messages[] | select(.queue_id == $id) | [.recipients[].address] | join(",")' <<<"$snap")" \
	"D m1@accept.example m2@gmail.com m2@gmail.com"
check "accept.example was delivered, not listed" \
	bash -c '! jq -e ".messages[].recipients[] | select(.domain == \"accept.example\")" <<<"$1" >/dev/null' _ "$snap"
check_eq "snapshot --source listing (exim -bp): the same IDs, senders and recipients" \
	"$(mq snapshot --source listing --format json | jq -r .source) $(snap_norm "$(mq snapshot --source listing --format json)")" \
	"exim -bp $(snap_norm "$snap")"
norm_causes='[.messages[] | "\(.queue_id) \([.recipients[] | "\(.address) \(.cause) \(.provider) \(.stage)"] | join(","))"] | sort | .[]'
check_eq "snapshot --source listing: the same causes, providers and SMTP stages (replies from the main log)" \
	"$(mq snapshot --source listing --format json | jq -r "$norm_causes")" "$(jq -r "$norm_causes" <<<"$snap")"

# causes and providers: what each peer profile answered
declare -A want=(
	[gmail.com]="rate-limit gmail rcpt" [yahoo.com]="rate-limit yahoo greeting"
	[outlook.com]="rate-limit microsoft mail" [icloud.com]="rate-limit apple end"
	[busy.example]="server-busy gmail rcpt" [greylist.example]="greylisting other rcpt"
)
bad=$(jq -r '.messages[].recipients[] | "\(.domain) \(.cause) \(.provider) \(.stage)"' <<<"$snap" | sort -u |
	while read -r d c p s; do [ "${want[$d]:-}" = "$c $p $s" ] || echo "$d: got '$c $p $s' want '${want[$d]:-?}'"; done)
check_eq "each recipient's cause, provider and SMTP stage match the peer's reply" "$bad" ""
check "the reason is the peer's whole reply (gmail's 6-line 421-4.7.28, joined)" \
	jq -e '[.messages[].recipients[] | select(.domain == "gmail.com") | .reason | test("^421 4.7.28 .*unusual rate.*Bulk Email Senders Guidelines")] | all' <<<"$snap"
check "attempts (1) and the last attempt joined from the main log" \
	jq -e '[.messages[] | .attempts == 1 and .last_attempt >= .arrival_time] | all' <<<"$snap"

# next_retry: the retry database's next_try (exact) when a record names the message, else estimated
declare -A next_try=()
while read -r key d t; do
	next_try[$key]=$(epoch "$d $t")
done < <("$EXIM_DUMPDB" "$EXIM_SPOOL" retry | awk '/^  [RT]:/ {key = $1; next}
	key != "" && NF >= 6 {print key, $5, $6; key = ""}')
check "the retry database has records (R: per address, T: per host and message)" test "${#next_try[@]}" -gt 10
bad=0 exact=0 estimated=0
while read -r id sender rcpts next isexact src hostkey; do
	want_next=""
	# the host its last attempt reached, as a host record's key (port 25 only: the bed's have ports)
	v=${next_try[T:$hostkey]:-}
	[ -n "$v" ] && want_next=$v
	for r in ${rcpts//,/ }; do
		for k in "R:$r:<$sender>" "R:$r" "R:${r#*@}"; do
			v=${next_try[$k]:-}
			[ -n "$v" ] && { [ -z "$want_next" ] || [ "$v" -lt "$want_next" ]; } && want_next=$v
		done
	done
	for k in "${!next_try[@]}"; do
		[[ $k == T:*:"$id" ]] || continue
		v=${next_try[$k]}
		{ [ -z "$want_next" ] || [ "$v" -lt "$want_next" ]; } && want_next=$v
	done
	if [ -n "$want_next" ]; then
		exact=$((exact + 1))
		[ "$next $isexact $src" = "$want_next true exact" ] ||
			{ echo "$id: next_retry $next $isexact $src, retry database $want_next"; bad=$((bad + 1)); }
	else
		estimated=$((estimated + 1))
		[ "$isexact $src" = "false estimated" ] && [ "$next" -gt 0 ] ||
			{ echo "$id: no record, but next_retry $next $isexact $src"; bad=$((bad + 1)); }
	fi
done < <(jq -r '.messages[] | select(.queue == "deferred") | "\(.queue_id) \(.sender) \([.recipients[].address] | join(",")) \(.next_retry) \(.next_retry_exact) \(.retry_source) \(.relay | capture("^(?<n>[^ ]+) \\[(?<i>[^]]+)\\]") | "\(.n):\(.i)")"' <<<"$snap")
check_eq "next_retry: the record's next_try (exact) when a record names the message, else estimated" "$bad" 0
check_eq "both kinds are there: exact (R: records, T:...:ID) and estimated (yahoo: a host record with a port only)" \
	"$((exact > 0)) $estimated" "1 $(jq '[.messages[].recipients[] | select(.domain == "yahoo.com")] | length' <<<"$snap")"
check "the retry rule ends with F,4d,6h (exim -brt)" bash -c 'x() { "$1" -C "$2" "${@:3}"; }; x "$1" "$2" -brt a@gmail.com | grep -qE "F,4d,6h;? *$"' _ "$EXIM_BIN" "$EXIM_CONF"
check "expires_at = arrival + the retry rule's final cutoff (4d)" \
	jq -e '[.messages[] | .expires_at == .arrival_time + 345600] | all' <<<"$snap"

# --- an ordinary queue run: every address skipped (-52 / -54), nothing tried
n0=$(($(wc -l <"$EXIM_LOG") + 1))
x -q
exim_bed_wait_idle >/dev/null
check "x -q wrote -52 and -54 'retry time not reached' lines" \
	bash -c 'tail -n +"$1" "$2" | grep -q "routing defer (-52): retry time not reached" &&
		tail -n +"$1" "$2" | grep -q "defer (-54): retry time not reached for any host"' _ "$n0" "$EXIM_LOG"
check_eq "x -q made no attempt" "$(real_deferrals "$n0")" ""
check "the main log has flagless host lines before == (outlook, yahoo, icloud)" \
	test "$(awk '$4 ~ /^H=/' "$EXIM_LOG" | wc -l)" -gt 5
check "snapshot after x -q: still one attempt each (a skip is no attempt)" \
	jq -e '[.messages[] | .attempts == 1] | all' <(mq snapshot --format json)

# --- classify, report, ingest: each deferral once
want_defs=$(real_deferrals)
ndefs=$(wc -l <<<"$want_defs")
check_eq "classify: one line per real deferral (no host line, no -52/-54 skip)" \
	"$("$MQMON" classify "$EXIM_LOG" | cut -f2,3 | tr '\t' ' ' | sort)" "$want_defs"
rep=$("$MQMON" report --format json "$EXIM_LOG")
check_eq "report: deferrals and messages" "$(jq -r '"\(.deferrals) \(.messages)"' <<<"$rep")" \
	"$ndefs $(cut -d' ' -f1 <<<"$want_defs" | sort -u | wc -l)"
check_eq "report: the causes add up" "$(jq '[.causes[].events] | add' <<<"$rep")" "$ndefs"
check_eq "report: gmail's rate-limit, yahoo's and microsoft's per provider" \
	"$(jq -r '.causes[] | select(.cause == "rate-limit") | .providers[] | "\(.provider)=\(.events)"' <<<"$rep" | sort | paste -sd' ')" \
	"$(jq -r '.messages[].recipients[] | select(.cause == "rate-limit") | .provider' <<<"$snap" | sort | uniq -c | awk '{print $2 "=" $1}' | paste -sd' ')"
norm_rep='{deferrals, messages, causes: [.causes[] | {cause, events, messages, providers: [.providers[] | {provider, events, domains: [.domains[] | {domain, events}]}]}]}'
check "ingest: stores the main log" mq ingest --db "$work/ingest.db"
check_eq "report --since 1h (the history) == report on the log" \
	"$(mq report --since 1h --db "$work/ingest.db" --format json | jq -S "$norm_rep")" "$(jq -S "$norm_rep" <<<"$rep")"

# --- actions, each audited
id=$(jq -r '[.messages[] | select(.recipients[0].domain == "gmail.com" and .queue == "deferred")][0].queue_id' <<<"$snap")
check_eq "hold: exit 0, Exim froze it" "$(mq hold "$id" 2>&1; echo "rc=$?")" "Message $id is now frozen
rc=0"
check "hold: exim -bp says *** frozen ***" grep -qE " $id <[^>]+> \*\*\* frozen \*\*\*$" <(x -bp)
check_eq "hold: the snapshot says hold (spool and listing)" \
	"$(mq snapshot --format json | jq -r --arg id "$id" '.messages[] | select(.queue_id == $id) | .queue') $(mq snapshot --source listing --format json | jq -r --arg id "$id" '.messages[] | select(.queue_id == $id) | .queue')" "hold hold"
check "hold: the main log says frozen by root" grep -q " $id frozen by root$" "$EXIM_LOG"
check_eq "release: exit 0, thawed" "$(mq release "$id" 2>&1; echo "rc=$?")" "Message $id is no longer frozen
rc=0"
check "release: no longer frozen in exim -bp" bash -c '! grep -q " $1 .*frozen" <<<"$2"' _ "$id" "$(x -bp)"
check_eq "release: deferred again in the snapshot" \
	"$(mq snapshot | jq -r --arg id "$id" '.messages[] | select(.queue_id == $id) | .queue')" deferred
n0=$(($(wc -l <"$EXIM_LOG") + 1))
check "retry: exit 0" mq retry "$id"
check_eq "retry: a new attempt in the main log (exim -M ignores the retry time)" \
	"$(real_deferrals "$n0")" "$id $(jq -r --arg id "$id" '.messages[] | select(.queue_id == $id) | .recipients[0].address' <<<"$snap")"
check_eq "retry: the snapshot counts 2 attempts" \
	"$(mq snapshot | jq -r --arg id "$id" '.messages[] | select(.queue_id == $id) | .attempts')" 2
check "delete: exit 0" mq delete --yes "$id"
check "delete: gone from exim -bp and the spool" \
	bash -c '! "$2" -C "$3" -bp | grep -q " $1 " && ! ls "$4"/input/*/"$1"-H 2>/dev/null' _ "$id" "$EXIM_BIN" "$EXIM_CONF" "$EXIM_SPOOL"
n0=$(($(wc -l <"$EXIM_LOG") + 1))
before=$(bp_norm)
out=$(mq hold "$id" 2>&1); rc=$?
check_eq "an ID not in the queue: refused with exit 69" "$rc" 69
check "an ID not in the queue: says so" grep -q "not in the queue: $id" <<<"$out"
other=$(bp_ids | head -1)
out=$(mq requeue "$other" 2>&1); rc=$?
check "requeue: refused (exit $rc), saying Exim has no requeue" \
	bash -c '[ "$1" -ne 0 ] && grep -q "Exim has no requeue" <<<"$2"' _ "$rc" "$out"
check_eq "refusals: nothing ran (the queue and the main log unchanged)" \
	"$(bp_norm) $(tail -n +"$n0" "$EXIM_LOG")" "$before "
acts=$(mq actions)
check_eq "every action is in mqmon actions (newest first)" \
	"$(awk 'NR > 1 {print $3, $4}' <<<"$acts" | head -6 | paste -sd,)" \
	"requeue refused,hold refused,delete ok,retry ok,release ok,hold ok"

# --- health: the daemon stopped, then started again
daemon=$(cat "$EXIM_PID_FILE")
kill -TERM "$daemon"
wait_until 10 bash -c '! kill -0 "$1"' _ "$daemon"
check_eq "daemon stopped: snapshot mta_running false" "$(mq snapshot | jq .mta_running)" false
check "daemon stopped: prom mqmon_mta_up 0" grep -qx "mqmon_mta_up 0" <(mq snapshot -f prom)
check_eq "daemon stopped: the queue is still listed (spool and exim -bp)" \
	"$(mq snapshot | jq '.messages | length') $(mq snapshot --source listing | jq '.messages | length')" \
	"$(bp_ids | wc -l) $(bp_ids | wc -l)"
# a queue run every 15 s from now on: the follow part waits for the daemon's own runs
x -bd -q15s
wait_until 20 exim_bed__smtp_answers "$EXIM_SMTP_PORT"
check_eq "daemon started: snapshot mta_running true" "$(mq snapshot | jq .mta_running)" true
check "daemon started: prom mqmon_mta_up 1" grep -qx "mqmon_mta_up 1" <(mq snapshot -f prom)

# --- classify --follow: the daemon's next queue run, then Debian's logrotate for Exim
: >"$work/follow.out"
mq classify --follow --db "$work/follow.db" >"$work/follow.out" 2>"$work/follow.err" &
fpid=$!
sleep 1
# new_ids BEFORE - queue IDs in exim -bp now but not in BEFORE
new_ids() { comm -13 <(sort <<<"$1") <(bp_ids); }
ids0=$(bp_ids)
# not yahoo.com: its host record (a greeting failure) makes queue runs skip new mail to it for 15 min
exim_bed_inject 6 gmail.com outlook.com busy.example
batch1=$(new_ids "$ids0")
lines_are() { [ "$(wc -l <"$work/follow.out")" -ge "$1" ]; }
wait_until 45 lines_are 6
check_eq "follow: the daemon's next queue run's deferrals, each once (no -52/-54 skip of the older mail)" \
	"$(cut -f2 "$work/follow.out" | sort)" "$batch1"
# /etc/logrotate.d/exim4-base: rename mainlog to mainlog.1 and create a new one (no signal; Exim reopens)
mv "$EXIM_LOG" "$EXIM_LOG.1"
install -m 640 -o Debian-exim -g adm /dev/null "$EXIM_LOG"
ids1=$(bp_ids)
exim_bed_inject 6 gmail.com greylist.example icloud.com
batch2=$(new_ids "$ids1")
wait_until 45 lines_are 12
sleep 2
check "follow: the new mainlog has the second batch's deferrals" \
	test "$(awk '$4 == "==" && !/retry time not reached/' "$EXIM_LOG" | wc -l)" -ge 6
check_eq "follow across the rotation: every deferral once, nothing lost, nothing twice" \
	"$(cut -f2 "$work/follow.out" | sort)" "$(sort <<<"$batch1
$batch2")"
check_eq "follow: as many lines as real deferrals in both files since it started" \
	"$(wc -l <"$work/follow.out")" \
	"$(cat "$EXIM_LOG.1" "$EXIM_LOG" | awk '$4 == "==" && !/retry time not reached/' | grep -cFf <(printf '%s\n' $batch1 $batch2))"
stop_follow
check_eq "follow wrote no errors" "$(cat "$work/follow.err")" ""

# --- the backend from -c, and the wrong --mta
check_eq "auto-detected from -c CONF (no --mta, --mta auto)" \
	"$(mq snapshot | jq -r .mta) $("$MQMON" --mta auto -c "$EXIM_CONF" snapshot | jq -r .mta)" "exim exim"
mkdir -p "$work/postfix"
: >"$work/postfix/main.cf"
out=$("$MQMON" --mta exim -c "$work/postfix" snapshot 2>&1); rc=$?
check "--mta exim with a Postfix directory: exit 69, says it is Postfix's" \
	bash -c '[ "$1" = 69 ] && grep -q "is a Postfix configuration, not an Exim one" <<<"$2"' _ "$rc" "$out"
out=$("$MQMON" --mta postfix -c "$EXIM_CONF" snapshot 2>&1); rc=$?
check "--mta postfix with the Exim file: exit 69, says it is Exim's" \
	bash -c '[ "$1" = 69 ] && grep -q "is an Exim configuration, not a Postfix one" <<<"$2"' _ "$rc" "$out"
out=$("$MQMON" --mta exim -c "$work/postfix" hold "$other" 2>&1); rc=$?
check "--mta exim with a Postfix directory: an action is refused the same way" \
	bash -c '[ "$1" = 69 ] && grep -q "is a Postfix configuration" <<<"$2"' _ "$rc" "$out"
check_eq "nothing in the panic log but the -C privilege notice" \
	"$(grep -v 'exim user lost privilege for using -C option' "$EXIM_PANICLOG" 2>/dev/null)" ""
finish
