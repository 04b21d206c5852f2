#!/usr/bin/env bash
# cache.sh - issue 14, the model cache in the console: with a cache written by
# an earlier run, the console shows the cached model at once, its counts as
# they were then, marked "as of HH:MM:SS, verifying" (the time the cache was
# written), never READING or a smaller partial model; once the walk has
# verified it, the marker goes and the header has the queue as it is now
# (messages deleted meanwhile are gone, messages held meanwhile are held). With
# --no-cache there is no marker.
# The bed's deferred queue is grown the bench's way (bench/grow-queue), qmgr
# removed so that nothing moves the files.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
[ -x "$TOP/bench/grow-queue" ] || make -C "$TOP" bench/grow-queue >/dev/null || skip "bench/grow-queue not built"
N=30000
MQMON_BED_QUEUE_RUN_DELAY=3600 MQMON_BED_MIN_BACKOFF=3600 MQMON_BED_MAX_BACKOFF=4000 bed_start 5920
inject 40 gmail.com yahoo.com outlook.com greylist.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 40 >/dev/null
trap 'tmux_stop; bed_stop' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# the history and the cache in the bed
export XDG_DATA_HOME=$BED/data
grow_frozen_bed "$N"
check_eq "the grown bed lists $N messages" "$(postqueue -c "$BED_CONF" -j | wc -l)" "$N"

# the cache, written by a snapshot; then 25 messages deleted while no mqmon runs
"$MQMON" -c "$BED_CONF" snapshot --no-log >/dev/null
cache=$(ls "$XDG_DATA_HOME"/mqmon/*.qcache 2>/dev/null | head -1)
check "the snapshot wrote the cache" test -f "$cache"
# the time it was written: its mtime (the header's time is taken just before the write)
as_of_re="as of ($(date -r "$cache" +%H:%M:%S)|$(date -d "@$(($(stat -c %Y "$cache") - 1))" +%H:%M:%S)), verifying"
postqueue -c "$BED_CONF" -j | jq -r .queue_id | head -25 | postsuper -c "$BED_CONF" -d - >/dev/null 2>&1
left=$((N - 25))
check_eq "25 deleted" "$(postqueue -c "$BED_CONF" -j | wc -l)" "$left"
# and 10 held: files that changed (moved to hold), read again after the walk
postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "deferred") | .queue_id' | head -10 |
	postsuper -c "$BED_CONF" -h - >/dev/null 2>&1
check_eq "10 held" "$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "hold") | .queue_id' | wc -l)" 10
sleep 2	# the screen's "as of" time is not now
sync

count_re() { echo "(^|[^0-9,])($1|$(printf "%'d" "$1")) msgs"; }
start "$MQMON -c $BED_CONF" 100 30
cached="" final="" reading=""
for i in $(seq 3000); do
	s=$(screen)
	grep -qE " READING |reading the queue" <<<"$s" && reading=$s
	if [ -z "$cached" ] && grep -qE "$as_of_re" <<<"$s"; then
		cached=$s
		tm send-keys -t t Tab	# keys work on the cached model
	fi
	if ! grep -q "verifying" <<<"$s" && grep -qE "$(count_re "$left")" <<<"$s"; then
		final=$s
		break
	fi
	sleep 0.02
done
[ -n "$cached" ] || { echo "--- last screen:"; screen | head -3; }
check "the cached model showed at once, marked '$as_of_re'" test -n "$cached"
check "the cached model has the cache's counts ($N msgs)" grep -qE "$(count_re "$N")" <<<"$cached"
check "the cached model has causes" grep -qE "rate-limit|greylisting" <<<"$cached"
check "no READING or smaller partial model with a cache" test -z "$reading"
check "the verified model arrived ($left msgs)" test -n "$final"
sleep 0.5
check "the marker is gone once verified" has_not "verifying"
check "the header has the queue as it is ($left msgs)" has "$(count_re "$left")"
check "the header counts the 10 held" has "[^0-9]10 held"
check "the cached model had none held" bash -c "! grep -q '[^0-9]10 held' <<<\"\$1\"" _ "$cached"
tm send-keys -t t q
sleep 0.5

# --no-cache: no cached model, no marker
start "$MQMON -c $BED_CONF --no-cache" 100 30
seen=""
for i in $(seq 3000); do
	s=$(screen)
	grep -q "verifying" <<<"$s" && seen=1
	grep -qE "$(count_re "$left")" <<<"$s" && break
	sleep 0.02
done
check "--no-cache: never 'verifying'" test -z "$seen"
check "--no-cache: the whole queue ($left msgs)" has "$(count_re "$left")"
finish
