#!/usr/bin/env bash
# scale_keys.sh - issue 14, keys at scale, checked for truth on a grown bed: the
# sort orders the console keeps with the model (made on the build worker,
# mended by live updates) list what postqueue -j and the deferred files' mtimes
# give sorted the same way; a search and a longer one refined from it count
# what postqueue -j has; and a retry wave (bench/retry-wave: a tenth of the
# queue through active and back with a new reply, as qmgr moves them) read
# file by file into the model on screen leaves every cause row, the header,
# the retry order and the search count equal to a fresh `mqmon snapshot` and
# postqueue -j (a cold model of the same queue). The bed's deferred queue is
# grown the bench's way (bench/grow-queue, qmgr removed).
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
command -v jq >/dev/null || skip "jq not installed (make deps)"
for tool in grow-queue retry-wave; do
	[ -x "$TOP/bench/$tool" ] || make -C "$TOP" "bench/$tool" >/dev/null || skip "bench/$tool not built"
done
N=${SCALE_KEYS_N:-40000}
W=$((N / 10))
MQMON_BED_QUEUE_RUN_DELAY=3600 MQMON_BED_MIN_BACKOFF=3600 MQMON_BED_MAX_BACKOFF=4000 bed_start 5840
inject 40 gmail.com yahoo.com outlook.com greylist.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 40 >/dev/null
trap 'tmux_stop; bed_stop' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
grow_frozen_bed "$N"
check_eq "the grown bed lists $N messages" "$(postqueue -c "$BED_CONF" -j | wc -l)" "$N"

start "$MQMON -c $BED_CONF --db $BED/tui.db" 100 30
total_re="(^|[^0-9,])($N|$(printf "%'d" "$N")) msgs"
wait_re "$total_re" 120 >/dev/null
check "the whole queue is on screen ($N msgs)" has "$total_re"

# screen_ids - the queue IDs of the message rows on screen, top first
screen_ids() { screen | awk '/^QUEUE ID/ {on = 1; next} on && /^[0-9A-Za-z]+ / {print $1}' | head -15; }
# pq_sorted JQ SORTARGS - the first IDs of postqueue -j, "KEY ID" lines sorted by SORTARGS
pq_sorted() { postqueue -c "$BED_CONF" -j | jq -r "$1" | sort $2 | awk '{print $NF}' | head -15; }
# retry_sorted SORTARGS - the first IDs of the deferred files by mtime (the retry time), whole seconds
retry_sorted() {
	find "$BED_QUEUE/deferred" -type f -printf '%T@ %f\n' | awk '{printf "%d %s\n", $1, $2}' | sort $1 |
		awk '{print $2}' | head -15
}
# sorted_top KEY DIR TITLE - ":sort KEY DIR", then the top of the table
sorted_top() {
	tm send-keys -t t : "sort $1 $2" Enter
	wait_for "sorted by $3" >/dev/null
	tm send-keys -t t g
	sleep 0.3
}
# check_sorts WHEN - every sort key the jq listing or the spool can say, both ways
check_sorts() {
	sorted_top size desc "size, largest first"
	check_eq "$1: sort size desc" "$(screen_ids)" "$(pq_sorted '"\(.message_size) \(.queue_id)"' "-k1,1nr -k2,2")"
	sorted_top size asc "size, smallest first"
	check_eq "$1: sort size asc" "$(screen_ids)" "$(pq_sorted '"\(.message_size) \(.queue_id)"' "-k1,1n -k2,2")"
	sorted_top age asc "age, youngest first"
	check_eq "$1: sort age asc" "$(screen_ids)" "$(pq_sorted '"\(.arrival_time) \(.queue_id)"' "-k1,1nr -k2,2")"
	sorted_top domain desc "domain, z to a"
	check_eq "$1: sort domain desc" "$(screen_ids)" \
		"$(pq_sorted '"\(.recipients[0].address | split("@")[1] | ascii_downcase) \(.queue_id)"' "-k1,1r -k2,2")"
	sorted_top retry asc "next retry, soonest first"
	check_eq "$1: sort retry asc" "$(screen_ids)" "$(retry_sorted "-k1,1n -k2,2")"
	sorted_top retry desc "next retry, latest first"
	check_eq "$1: sort retry desc" "$(screen_ids)" "$(retry_sorted "-k1,1nr -k2,2")"
}
# pq_count TEXT - messages of postqueue -j whose ID, sender, a recipient or a reply contains TEXT
pq_count() {
	postqueue -c "$BED_CONF" -j | jq -r --arg t "$1" 'select([.queue_id, .sender, (.recipients[] | .address, .delay_reason)]
		| map(ascii_downcase) | any(contains($t))) | .queue_id' | wc -l
}
# search TEXT - a "/" search from the messages view, then its count line
search() {
	tm send-keys -t t / && tm send-keys -t t -l "$1" && tm send-keys -t t Enter
	wait_for "matching \"$1\"" >/dev/null
	sleep 0.3
}
# cause_rows - the causes view's cause rows: "name messages recipients", by name
cause_rows() { screen | awk '/^[a-z][a-z0-9-]* +[0-9]+ +[0-9]+ / {print $1, $2, $3}' | sort; }
# snapshot_causes - the same of a fresh snapshot (a cold model of the queue)
snapshot_causes() {
	"$MQMON" -c "$BED_CONF" snapshot --no-log | jq -r '.causes[] | "\(.cause) \(.messages) \(.recipients)"' | sort
}
# to_causes - back to the causes view
to_causes() {
	local i
	for i in 1 2 3 4 5; do
		has "CAUSE / PROVIDER / DOMAIN" && return 0
		tm send-keys -t t Tab
		sleep 0.3
	done
}

to_causes
check_eq "the cause rows are a fresh snapshot's" "$(cause_rows)" "$(snapshot_causes)"
tm send-keys -t t Tab
wait_re "of $N messages" >/dev/null
check_sorts "at start"
search gmail
gm=$(pq_count gmail)
check "a search counts what postqueue -j has ($gm of $N)" has "^ $gm of $N messages"
search gmail.com
gmc=$(pq_count gmail.com)
check "a longer search (refined from the last) counts what postqueue -j has ($gmc of $N)" has "^ $gmc of $N messages"
tm send-keys -t t Escape	# the search off
sleep 0.3

# --- a retry wave while the console shows the causes: read file by file (a tenth of the queue is under
# the console's flood limit), then the screen must be what a cold model of the queue says
to_causes
out=$("$TOP/bench/retry-wave" "$BED_QUEUE" "$W" 4.2.2 \
	"host mx.example[192.0.2.9] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)") || {
	echo "FAIL retry-wave: $out"
	exit 1
}
wait_re "^mailbox-full +$W " 30 >/dev/null
check "the wave shows: mailbox-full counts its $W messages" has "^mailbox-full +$W "
sleep 1.5	# a last tick: nothing more may arrive
check_eq "after the wave: the cause rows are a fresh snapshot's" "$(cause_rows)" "$(snapshot_causes)"
check "after the wave: the header still has $N msgs" has "$total_re"
tm send-keys -t t Tab
wait_re "of $N messages" >/dev/null
check_sorts "after the wave"
search gmail.com
gmc=$(pq_count gmail.com)
check "after the wave: a search counts what postqueue -j has ($gmc of $N)" has "^ $gmc of $N messages"
finish
