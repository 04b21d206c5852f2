#!/usr/bin/env bash
# snapshot.sh - mqmon snapshot against a real Postfix: the model lists what
# postqueue -j lists, retry times are the deferred files' mtimes, causes are
# what the peer answered, held messages show as held, every export format works.
set -u
. "$(dirname "$0")/lib.sh"
need_bed
bed_start 2820

# domain -> the cause the peer's profile must produce
declare -A want=(
	[gmail.com]=rate-limit [outlook.com]=rate-limit [yahoo.com]=rate-limit
	[greylist.example]=greylisting [postgrey.example]=greylisting [busy.example]=server-busy
	[tls.example]=tls [ptr.example]=ptr [conn.example]=connections
	[full.example]=mailbox-full [icloud.com]=rate-limit
)
inject 46 "${!want[@]}" accept.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 40 >/dev/null

snap=$(mktemp)
trap 'rm -f "$snap" "$snap".*; bed_stop' EXIT
"$MQMON" -c "$BED_CONF" snapshot --log "$BED_LOG" >"$snap"
check "snapshot is valid JSON with messages" jq -e '.messages | length > 0' "$snap"
check_eq "snapshot lists exactly postqueue -j's queue IDs" "$(jq -r '.messages[].queue_id' "$snap" | sort -u)" "$(pq_ids)"
check_eq "no message listed twice" "$(jq -r '.messages[].queue_id' "$snap" | sort | uniq -d)" ""
check "accept.example was delivered, not queued" \
	bash -c "! jq -e '.messages[].recipients[] | select(.domain == \"accept.example\")' '$snap' >/dev/null"

# next_retry equals the deferred file's mtime
bad=0
while read -r id next; do
	f=$(find "$BED_QUEUE/deferred" -name "$id" -type f | head -1)
	[ -n "$f" ] || continue	# retried meanwhile
	m=$(stat -c %Y "$f")
	[ "$m" = "$next" ] || { echo "$id next_retry $next mtime $m"; bad=$((bad + 1)); }
done < <(jq -r '.messages[] | select(.queue == "deferred") | "\(.queue_id) \(.next_retry)"' "$snap")
check_eq "next_retry == deferred file mtime (exact)" "$bad" 0
check "every deferred message has an exact retry time" \
	jq -e '[.messages[] | select(.queue == "deferred") | .next_retry_exact] | all' "$snap"

# causes match what the peer answered
bad=$(jq -r '.messages[].recipients[] | "\(.domain) \(.cause)"' "$snap" | while read -r d c; do
	[ "${want[$d]:-}" = "$c" ] || echo "$d: got $c want ${want[$d]:-?}"
done)
check_eq "each recipient's cause matches the peer's reply" "$bad" ""
check "providers from recipient domains" \
	jq -e '[.messages[].recipients[] | select(.domain == "gmail.com") | .provider == "gmail"] | all' "$snap"
check "microsoft at MAIL FROM, yahoo at the greeting" \
	jq -e '([.messages[].recipients[] | select(.domain == "outlook.com") | .stage == "mail"] | all) and
	       ([.messages[].recipients[] | select(.domain == "yahoo.com") | .stage == "greeting"] | all)' "$snap"
check "attempts and last attempt joined from the log" \
	jq -e '[.messages[] | select(.queue == "deferred") | .attempts >= 1 and .last_attempt != null] | all' "$snap"
check "expiry is arrival + maximal_queue_lifetime" \
	jq -e '[.messages[] | .expires_at == .arrival_time + 432000] | all' "$snap"
check "aggregates add up" \
	jq -e '([.causes[].recipients] | add) == ([.messages[].recipients[] | select(.cause != "")] | length)' "$snap"

# the spool reader and postqueue -j agree on every message and recipient
norm='[.messages[] | {queue_id, queue, sender, arrival_time, size, forced_expire,
	recipients: [.recipients[] | {address, cause, provider, dsn, reason}] | sort_by(.address)}] | sort_by(.queue_id)'
check_eq "source=spool is the source by default as root" "$(jq -r .source "$snap")" spool
check_eq "spool snapshot == postqueue -j snapshot" \
	"$("$MQMON" -c "$BED_CONF" snapshot --source spool --no-log | jq -S "$norm")" \
	"$("$MQMON" -c "$BED_CONF" snapshot --source postqueue --no-log | jq -S "$norm")"

# a held message shows as held, without a retry countdown
hid=$(jq -r '[.messages[] | select(.queue == "deferred")][0].queue_id' "$snap")
postsuper -c "$BED_CONF" -h "$hid" >/dev/null 2>&1
"$MQMON" -c "$BED_CONF" snapshot --no-log >"$snap.held"
check_eq "held message shows as held" "$(jq -r --arg id "$hid" '.messages[] | select(.queue_id == $id) | "\(.queue) \(.retry_source)"' "$snap.held")" "hold none"
check_eq "held message keeps its cause (defer log read for hold)" \
	"$(jq -r --arg id "$hid" '.messages[] | select(.queue_id == $id) | .recipients[0].cause' "$snap.held")" \
	"$(jq -r --arg id "$hid" '.messages[] | select(.queue_id == $id) | .recipients[0].cause' "$snap")"
check_eq "held message: postqueue -j agrees" \
	"$("$MQMON" -c "$BED_CONF" snapshot --source postqueue --no-log | jq -r --arg id "$hid" '.messages[] | select(.queue_id == $id) | .queue')" hold

# CSV: one row per recipient; prom: atomic file with the right gauges
"$MQMON" -c "$BED_CONF" snapshot --format csv --no-log >"$snap.csv"
check_eq "CSV has one row per recipient" "$(($(wc -l <"$snap.csv") - 1))" "$(jq '[.messages[].recipients[]] | length' "$snap.held")"
"$MQMON" -c "$BED_CONF" snapshot --format prom --no-log -o "$snap.prom"
check_eq "prom gauge of held messages" "$(grep '^mqmon_queue_messages{queue="hold"}' "$snap.prom")" 'mqmon_queue_messages{queue="hold"} 1'
check "prom file written atomically (no temp file left)" bash -c "! ls '$snap.prom'.tmp.* 2>/dev/null"

# a local submission pickup has not taken yet (pickup off) sits in maildrop: listed as postqueue -j lists it
sed -i 's/^pickup /#pickup /' "$BED_CONF/master.cf"
postfix -c "$BED_CONF" reload >/dev/null 2>&1
sleep 1
printf 'Subject: maildrop\n\nhello\n' | sendmail -C "$BED_CONF" -f md@example.org md1@gmail.com md2@yahoo.com
"$MQMON" -c "$BED_CONF" snapshot --source spool --no-log >"$snap.md"
check_eq "maildrop: the spool snapshot lists it" \
	"$(jq -r '.messages[] | select(.queue == "maildrop") | "\(.sender) \([.recipients[].address] | join(","))"' "$snap.md")" \
	"md@example.org md1@gmail.com,md2@yahoo.com"
check_eq "maildrop: spool snapshot == postqueue -j snapshot" \
	"$(jq -S "$norm" "$snap.md")" \
	"$("$MQMON" -c "$BED_CONF" snapshot --source postqueue --no-log | jq -S "$norm")"
sed -i 's/^#pickup /pickup /' "$BED_CONF/master.cf"
postfix -c "$BED_CONF" reload >/dev/null 2>&1

# many messages (issue 14: the model's messages come from a slab, the first recipient inside, a 32-bit
# index): the queue grown to 5,000 copies of its own deferred files (qmgr stopped, as bench/run.sh scale
# does), then every format again: the spool snapshot lists what postqueue -j lists, message by message
# and recipient by recipient, and the CSV holds the JSON's recipients row for row
if [ -x "$TOP/bench/grow-queue" ]; then
	# the maildrop message above is on its way (pickup, qmgr, a deferral): settled first, then qmgr stopped
	for _ in $(seq 150); do
		[ -z "$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name != "deferred" and .queue_name != "hold") | .queue_id')" ] && break
		sleep 0.2
	done
	grow_frozen_bed 5000
	"$MQMON" -c "$BED_CONF" snapshot --no-log >"$snap.big"
	check_eq "5,000 deferred: the snapshot lists exactly postqueue -j's queue IDs" \
		"$(jq -r '.messages[].queue_id' "$snap.big" | sort -u)" "$(pq_ids)"
	check_eq "5,000 deferred: totals" "$(jq -r '[.totals.messages >= 5000, ([.messages[].recipients[]] | length) == .totals.recipients] | @tsv' "$snap.big")" "true	true"
	check_eq "5,000 deferred: spool snapshot == postqueue -j snapshot" \
		"$(jq -S "$norm" "$snap.big")" \
		"$("$MQMON" -c "$BED_CONF" snapshot --source postqueue --no-log | jq -S "$norm")"
	"$MQMON" -c "$BED_CONF" snapshot --format csv --no-log >"$snap.bigcsv"
	check_eq "5,000 deferred: CSV rows are the JSON's recipients (ID, address, dsn, cause)" \
		"$(tail -n +2 "$snap.bigcsv" | cut -d, -f1,12,15,16 | sort)" \
		"$(jq -r '.messages[] | .queue_id as $id | .recipients[] | [$id, .address, .cause, .dsn] | join(",")' "$snap.big" | sort)"
fi

# errors: a missing config directory is a clear error, not a crash
out=$("$MQMON" -c /nonexistent/dir snapshot 2>&1); rc=$?
check_eq "missing config dir: exit 69" "$rc" 69
check "missing config dir: says why" grep -q "no MTA configuration at /nonexistent/dir" <<<"$out"
finish
