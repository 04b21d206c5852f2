#!/usr/bin/env bash
# progressive.sh - issue 14, the first screen of a big queue: while the console
# still reads 40,000 deferred messages it already shows causes from what it has
# read, marked READING with a progress line ("reading the queue: N of ~M"),
# never as totals; keys work meanwhile; once everything is read the header has
# exactly the messages postqueue -j lists, READING is gone and the messages
# view lists them all. The bed's deferred queue is grown the bench's way
# (bench/grow-queue: copies of its real queue files under new queue IDs, qmgr
# removed so that nothing moves them).
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
[ -x "$TOP/bench/grow-queue" ] || make -C "$TOP" bench/grow-queue >/dev/null || skip "bench/grow-queue not built"
N=40000
MQMON_BED_QUEUE_RUN_DELAY=3600 MQMON_BED_MIN_BACKOFF=3600 MQMON_BED_MAX_BACKOFF=4000 bed_start 5820
inject 40 gmail.com yahoo.com outlook.com greylist.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 40 >/dev/null
trap 'tmux_stop; bed_stop' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
grow_frozen_bed "$N"
listed=$(postqueue -c "$BED_CONF" -j | wc -l)
check_eq "the grown bed lists $N messages" "$listed" "$N"
sync

db=$BED/tui.db
start "$MQMON -c $BED_CONF --db $db" 100 30
total_re="(^|[^0-9,])($N|$(printf "%'d" "$N")) msgs"
partial="" final="" keyed=""
for i in $(seq 3000); do
	s=$(screen)
	if [ -z "$partial" ] && grep -q "reading the queue: [0-9,]* of ~[0-9,]*" <<<"$s" && grep -q " READING " <<<"$s" \
		&& grep -qE '^[a-z][a-z0-9-]* +[0-9]+ ' <<<"$s"; then
		partial=$s
		tm send-keys -t t Tab	# keys work while it reads: the messages view
	fi
	if [ -n "$partial" ] && [ -z "$keyed" ] && grep -qE "^QUEUE ID +QUEUE" <<<"$s"; then
		keyed=1
	fi
	if grep -qE "$total_re" <<<"$s"; then
		final=$s
		break
	fi
	sleep 0.02
done
[ -n "$partial" ] || { echo "--- last screen:"; screen | head -5; }
check "a screen with causes showed while the queue was still read" test -n "$partial"
check "that screen had a progress line, not totals" grep -q "reading the queue: [0-9,]* of ~" <<<"$partial"
read_so_far=$(sed -n 's/.*reading the queue: \([0-9,]*\) of.*/\1/p' <<<"$partial" | head -1 | tr -d ,)
check "the progress line counted fewer than all ($read_so_far < $N)" test "${read_so_far:-$N}" -lt "$N"
check "the partial screen never said '$N msgs'" bash -c "! grep -qE '$total_re' <<<\"\$1\"" _ "$partial"
check "a key (Tab to the messages view) answered while it read" test -n "$keyed"
check "the whole queue arrived: the header says $N msgs" test -n "$final"
sleep 0.5
check "READING is gone once everything is read" has_not " READING "
check "no progress line either" has_not "reading the queue"
for i in 1 2 3 4; do
	has "CAUSE / PROVIDER / DOMAIN" && break
	tm send-keys -t t Tab	# around to the causes view
	sleep 0.3
done
tm send-keys -t t Tab
wait_re "of $N messages" >/dev/null
check "the messages view lists every message ($N of $N)" has "^ $N of $N messages"

# --- the sort orders over all of them (cached per model and key): the first rows on screen are the
# first IDs of postqueue -j sorted the same way (the key, then the queue ID)
screen_ids() { screen | awk '/^QUEUE ID/ {on = 1; next} on && /^[0-9A-Za-z]+ / {print $1}' | head -15; }
pq_sorted() { postqueue -c "$BED_CONF" -j | jq -r "$1" | sort $2 | awk '{print $NF}' | head -15; }
tm send-keys -t t : "sort domain asc" Enter
wait_for "sorted by domain, a to z" >/dev/null
tm send-keys -t t g	# the top (the cursor stays on its message across sorts)
sleep 0.3
check_eq "sort domain asc: the first rows" "$(screen_ids)" \
	"$(pq_sorted '"\(.recipients[0].address | split("@")[1] | ascii_downcase) \(.queue_id)"' "-k1,1 -k2,2")"
tm send-keys -t t : "sort domain desc" Enter
wait_for "sorted by domain, z to a" >/dev/null
tm send-keys -t t g	# the top (the cursor stays on its message across sorts)
sleep 0.3
check_eq "sort domain desc: the first rows (ties still in ID order)" "$(screen_ids)" \
	"$(pq_sorted '"\(.recipients[0].address | split("@")[1] | ascii_downcase) \(.queue_id)"' "-k1,1r -k2,2")"
tm send-keys -t t : "sort age desc" Enter
wait_for "sorted by age, oldest first" >/dev/null
tm send-keys -t t g	# the top (the cursor stays on its message across sorts)
sleep 0.3
check_eq "sort age desc: the first rows" "$(screen_ids)" \
	"$(pq_sorted '"\(.arrival_time) \(.queue_id)"' "-k1,1n -k2,2")"
tm send-keys -t t / g m a i l Enter
wait_for 'matching "gmail"' >/dev/null
sleep 0.3
gm=$(postqueue -c "$BED_CONF" -j | jq -r 'select([.queue_id, .sender, (.recipients[] | .address, .delay_reason)] | map(ascii_downcase) | any(contains("gmail"))) | .queue_id' | wc -l)
check "a search counts what postqueue -j has ($gm of $N)" has "^ $gm of $N messages"
finish
