#!/usr/bin/env bash
# cache.sh - the model cache (core/queue/qcache) against a real Postfix: a warm
# `mqmon snapshot` replays the queue files it holds as they are and reads the
# others, and its model equals a cold read (--no-cache) and postqueue -j's IDs
# after retries, holds, releases, deletes, requeues and new mail done while
# mqmon was not running; a corrupt, truncated or symlinked cache is ignored
# with a warning (--verbose) and never trusted; --no-cache and [mqmon] cache =
# no leave it alone; an unwritable cache directory means no cache.
set -u
. "$(dirname "$0")/lib.sh"
need_bed
bed_start 2920

work=$(mktemp -d)
trap 'rm -rf "$work"; bed_stop' EXIT
# a private history directory: the cache lives beside the instance's history
export XDG_DATA_HOME=$work/data

# settle - wait until nothing is in maildrop, incoming or active (twice in a row)
settle() {
	local quiet=0 i n
	for ((i = 0; i < 240; i++)); do
		n=$(find "$BED_QUEUE"/maildrop "$BED_QUEUE"/incoming "$BED_QUEUE"/active -type f 2>/dev/null | wc -l)
		if ((n == 0)); then
			((++quiet >= 2)) && return 0
		else
			quiet=0
		fi
		sleep 0.5
	done
	echo "queue not settled"
	return 1
}

# norm - the snapshot without its time of writing, messages sorted by ID (recipients as listed)
norm='del(.generated_at) | .messages |= sort_by(.queue_id)'

# snap FILE ARGS... - mqmon snapshot --no-log ARGS into FILE (stderr into FILE.err)
snap() {
	local f=$1
	shift
	"$MQMON" -c "$BED_CONF" snapshot --no-log "$@" >"$f" 2>"$f.err"
}

# agree LABEL - a warm snapshot equals a cold one and postqueue -j's IDs; the warm one read only changed files
agree() {
	snap "$work/warm.json" --verbose
	snap "$work/cold.json" --no-cache
	check_eq "$1: warm snapshot == cold snapshot (--no-cache)" \
		"$(jq -S "$norm" "$work/warm.json")" "$(jq -S "$norm" "$work/cold.json")"
	check_eq "$1: warm snapshot lists postqueue -j's queue IDs" \
		"$(jq -r '.messages[].queue_id' "$work/warm.json" | sort -u)" "$(pq_ids)"
}

# read_count FILE - how many queue files the build read (not from the cache), from --verbose
read_count() {
	sed -n 's/.*: \([0-9]*\) queue files, \([0-9]*\) of them read.*/\2/p' "$1.err"
}

inject 40 gmail.com greylist.example busy.example full.example conn.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 40 >/dev/null
settle

snap "$work/first.json" --verbose
cache=$(ls "$XDG_DATA_HOME"/mqmon/*.qcache 2>/dev/null | head -1)
check "the first snapshot wrote a cache beside the history" test -f "$cache"
check_eq "the cache is mode 0600" "$(stat -c %a "$cache" 2>/dev/null)" 600
check_eq "the first snapshot read every file" "$(read_count "$work/first.json")" 40
snap "$work/second.json" --verbose
check_eq "the second snapshot read no file (all from the cache)" "$(read_count "$work/second.json")" 0
check_eq "second == first" "$(jq -S "$norm" "$work/second.json")" "$(jq -S "$norm" "$work/first.json")"
agree "unchanged queue"

# retries while mqmon is not running: the peer still defers, files get new mtimes and defer logs
mapfile -t ids < <(jq -r '[.messages[] | select(.queue == "deferred")] | sort_by(.queue_id) | .[].queue_id' "$work/first.json")
check "the first snapshot listed the deferred messages (${#ids[@]})" test "${#ids[@]}" -ge 12
((${#ids[@]} >= 12)) || finish
for id in "${ids[@]:0:4}"; do postqueue -c "$BED_CONF" -i "$id"; done
sleep 1
settle
agree "after postqueue -i"
n=$(read_count "$work/warm.json")
check "after postqueue -i: only the retried files were read ($n)" test "${n:-99}" -ge 1 -a "${n:-99}" -le 4

# holds, a release, deletes, requeues and new mail
postsuper -c "$BED_CONF" -h "${ids[5]}" -h "${ids[6]}" -h "${ids[7]}" 2>/dev/null
postsuper -c "$BED_CONF" -H "${ids[7]}" 2>/dev/null
postsuper -c "$BED_CONF" -d "${ids[8]}" -d "${ids[9]}" 2>/dev/null
postsuper -c "$BED_CONF" -r "${ids[10]}" -r "${ids[11]}" 2>/dev/null
inject 5 gmail.com busy.example
settle
agree "after hold, release, delete, requeue and new mail"
check "held messages are held in the warm model" \
	jq -e --arg a "${ids[5]}" --arg b "${ids[6]}" '[.messages[] | select(.queue_id == $a or .queue_id == $b) | .queue == "hold"] | (length == 2 and all)' "$work/warm.json"
check "deleted messages are gone from the warm model" \
	jq -e --arg a "${ids[8]}" --arg b "${ids[9]}" '[.messages[] | select(.queue_id == $a or .queue_id == $b)] | length == 0' "$work/warm.json"
n=$(read_count "$work/warm.json")
check "after the changes: only changed files were read ($n of $(jq '.messages | length' "$work/warm.json"))" \
	test "${n:-99}" -ge 7 -a "${n:-99}" -le 20

# a flush retries everything
postqueue -c "$BED_CONF" -f
sleep 1
settle
agree "after postqueue -f"
snap "$work/again.json" --verbose
check_eq "after postqueue -f: the next run reads no file" "$(read_count "$work/again.json")" 0
# the log join after the cache is as before
check_eq "with the log joined: warm == cold" \
	"$("$MQMON" -c "$BED_CONF" snapshot --log "$BED_LOG" | jq -S "$norm")" \
	"$("$MQMON" -c "$BED_CONF" snapshot --log "$BED_LOG" --no-cache | jq -S "$norm")"

# a corrupt cache: one byte flipped in the middle is noticed, ignored with a warning, then rewritten
size=$(stat -c %s "$cache")
printf '\x5a' | dd of="$cache" bs=1 seek=$((size / 2)) conv=notrunc status=none
snap "$work/corrupt.json" --verbose
check "corrupt cache: a one-line warning" grep -q "model cache ignored (read again): checksum mismatch" "$work/corrupt.json.err"
check_eq "corrupt cache: every file read again" "$(read_count "$work/corrupt.json")" "$(jq '.messages | length' "$work/corrupt.json")"
check_eq "corrupt cache: the model is a cold read's" "$(jq -S "$norm" "$work/corrupt.json")" "$(jq -S "$norm" "$work/cold.json")"
snap "$work/rewritten.json" --verbose
check_eq "corrupt cache: rewritten, the next run reads no file" "$(read_count "$work/rewritten.json")" 0
# without --verbose the snapshot says nothing about it
truncate -s $((size / 3)) "$cache"
snap "$work/trunc.json"
check_eq "truncated cache: silent without --verbose" "$(cat "$work/trunc.json.err")" ""
check_eq "truncated cache: the model is a cold read's" "$(jq -S "$norm" "$work/trunc.json")" "$(jq -S "$norm" "$work/cold.json")"
# a foreign file (another version's header)
printf 'mqmonQC\n\x09\x00\x00\x00some garbage, not a cache' >"$cache"
snap "$work/version.json" --verbose
check "another version: ignored with a warning" grep -q "model cache ignored (read again): version 9" "$work/version.json.err"

# a symbolic link at the cache's path is neither read nor replaced
snap "$work/warm.json"
cp "$cache" "$work/real.qcache"
echo "not a cache" >"$work/target"
rm -f "$cache"
ln -s "$work/real.qcache" "$cache"
snap "$work/link.json" --verbose
check "symlinked cache: not read (warning)" grep -q "is a symbolic link" "$work/link.json.err"
check_eq "symlinked cache: every file read" "$(read_count "$work/link.json")" ""
check_eq "symlinked cache: the model is a cold read's" "$(jq -S "$norm" "$work/link.json")" "$(jq -S "$norm" "$work/cold.json")"
check "symlinked cache: the link is left as it is" test -L "$cache"
ln -sf "$work/target" "$cache"
snap "$work/link2.json"
check_eq "symlinked cache: its target is not written" "$(cat "$work/target")" "not a cache"
rm -f "$cache"

# --no-cache neither reads nor writes it; [mqmon] cache = no is the same
snap "$work/nocache.json" --no-cache
check "--no-cache writes no cache" test ! -e "$cache"
printf '[mqmon]\ncache = no\n' >"$work/mqmon.ini"
"$MQMON" --config "$work/mqmon.ini" -c "$BED_CONF" snapshot --no-log --verbose >/dev/null 2>&1
check "[mqmon] cache = no writes no cache" test ! -e "$cache"
snap "$work/made.json"
check "a cache again by default" test -f "$cache"

# a cache directory that cannot be made: no cache, said only with --verbose
XDG_DATA_HOME=/dev/null/nowhere snap "$work/nodir.json"
check_eq "unwritable cache directory: silent" "$(cat "$work/nodir.json.err")" ""
check_eq "unwritable cache directory: the model is a cold read's" "$(jq -S "$norm" "$work/nodir.json")" "$(jq -S "$norm" "$work/cold.json")"
XDG_DATA_HOME=/dev/null/nowhere snap "$work/nodir.json" --verbose
check "unwritable cache directory: --verbose says so" grep -q "working without a model cache" "$work/nodir.json.err"
finish
