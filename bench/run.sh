#!/usr/bin/env bash
# bench/run.sh - mqmon benchmarks (run by `make bench` from the repo top)
#
# Usage: bench/run.sh [SECTION...]        (default: every section)
# Sections: classify ingest live model idle first-frame actions exim fleet scale
# Environment: MQMON  mqmon command (default ./mqmon; may hold arguments)
#              RUNS   timed runs per command, best one counts (default 3)
#              BENCH_LIVE_RATE     log lines per second fed to `live` (50), one write each
#              BENCH_LIVE_SECONDS  length of the `live` feed (20)
#              BENCH_MODEL_SIZES   queue sizes of `model` ("10000 100000")
#              BENCH_IDLE_SECONDS  length of the `idle` window (60)
#              BENCH_BED_SIZE      messages of the bed when idle, first-frame or
#                                  actions run without `model` (10000)
#              BENCH_ACTION_COUNT  messages held and released by `actions` (10000)
#              BENCH_PORT_BASE     port base of the bench's Postfix bed (3320)
#              BENCH_EXIM_SIZE     messages of the `exim` section's Exim bed (1000)
#              BENCH_SSH_PORT      loopback port of the fleet section's private sshd (7692)
#              BENCH_BED           an already-up bed (tests/bed/bed.sh up DIR)
#                                  to use instead of a fresh one; never brought down
#              BENCH_SCALE_SIZES   deferred queue sizes of `scale` ("100000 1000000";
#                                  empty: skip it)
#              BENCH_SCALE_SEED    real messages queued before growing (500)
#              BENCH_SCALE_PORT_BASE  port base of the scale bed (BENCH_PORT_BASE + 30)
#              BENCH_SCALE_COLD_ARGS  mqmon arguments of the cold runs (--no-cache when
#                                  mqmon has it: the model cache bypassed; else none)
#              BENCH_SCALE_FRAME_LIMIT  seconds a console start may take (900)
#              BENCH_SCALE_KEY_LIMIT    seconds a key may take (120)
#              BENCH_SCALE_KEEP    1: leave the grown scale bed up at the end
#              BENCH_SCALE_BED     a bed kept that way, grown further instead of a fresh one
#              BENCH_SCALE_CONSOLE_ONLY  1: only the console starts (no postqueue -j or
#                                  snapshot; their rows show "-"), to iterate on keys
#
# Design: one shared input (bench/out/maillog-1M.log, made by bench/gen-log
# with a fixed seed, regenerated only when missing or older than gen-log),
# a `timeit` helper that runs a command N times and keeps the best wall-clock
# time, and one function per benchmark section.  A section prints its own
# table and PASS/MISS lines against the project targets.  A MISS never fails
# the script; only a command that fails (or a broken invariant such as an
# empty classify output) makes it exit non-zero.  To add a section, write a
# `section_NAME` function and append NAME to SECTIONS (a '-' in NAME is a '_'
# in the function name).
#
# The queue sections (model, idle, first-frame, actions) share one private
# Postfix bed (tests/bed/bed.sh, loopback only): it is brought up by the first
# of them that runs, grown by `model` (10k, measured, topped up to 100k,
# measured), reused by the others, and brought down on exit (trap).  Its
# queue_run_delay and back-off are 3600 s so that the deferred queue stays
# still (no retry wave) during the run.  Each section also works alone: it
# then brings up a bed of BENCH_BED_SIZE messages.  They need root, Postfix,
# jq and tmux (idle, first-frame); strace is used by `actions` when present.
#
# `scale` has a bed of its own (port base BENCH_SCALE_PORT_BASE): BENCH_SCALE_SEED
# messages are queued through the peer and deferred for real, then the bed is
# frozen and grown by bench/grow-queue (copies of those queue files and defer
# logs under new queue IDs that match their inodes, mode, owner and times
# kept) to each of BENCH_SCALE_SIZES in turn.  Frozen means qmgr is removed
# from master.cf (postconf -M#) and the instance reloaded: qmgr is the only
# daemon that retries, moves or rewrites deferred files, while the master,
# showq and so `postqueue -j` keep working.  A long queue_run_delay alone is not
# enough: the kept mtimes (retry times) come due within the hour, and a reload
# restarts qmgr, which scans the deferred queue at once.  At each size, one
# run each: `find deferred`, `postqueue -j | wc -l`, `mqmon snapshot --no-log`
# three times (cold with BENCH_SCALE_COLD_ARGS, then the first run that writes
# the model cache, then warm from it; peak RSS from /usr/bin/time), the console
# started twice in tmux at 100x30 (cold: a fresh store and the cold arguments;
# warm: the same store and the cache): first full frame (a cached one counts:
# it shows at once, marked "verifying"), all messages in the header (verified:
# the marker gone), then a retry wave (bench/retry-wave:
# 10,000 deferred messages, a tenth of a smaller queue, through active and
# back with a "mailbox full" reply, as qmgr moves them; timed from its last
# file until the mailbox-full row counts them all, so it includes up to a
# second of the console's tick), Enter on the first cause (its messages), Esc,
# Tab, `s`, PgDn, G, Enter (detail), Esc and a `/` search, each timed until
# the screen shows its result (peak RSS from /proc). The waves stay in the
# bed: a kept bed has more mailbox-full mail at every run.  The table has a
# column per size; PASS/MISS lines compare with issue 14's targets.  The bed
# needs about 8 KB and 2 inodes per message (checked with df before growing).
set -euo pipefail

cd "$(dirname "$0")/.."

MQMON=${MQMON:-./mqmon}
read -r -a MQ <<<"$MQMON"
RUNS=${RUNS:-3}
GEN=bench/gen-log
OUT=bench/out
LOG=$OUT/maillog-1M.log
LOG_LINES=1000000
LOG_SEED=20251122

SECTIONS=(classify ingest live model idle first-frame actions exim fleet scale)

# targets from the project brief
TARGET_VS_PFLOGSUMM=20    # classify at least this many times faster than pflogsumm
TARGET_VS_GREP=5          # classify at most this many times slower than grep
TARGET_INGEST_VS_PFLOGSUMM=5  # ingest (storing every event) this many times faster than pflogsumm
TARGET_DB_LOG_PCT=25      # the fresh history at most this % of the log's bytes
TARGET_IDLE_CPU_PCT=1     # idle console: at most this % of one core
TARGET_LIVE_WRITE_RATIO=5 # following a live log: disk bytes written per byte of log, at most
TARGET_ACTION_RUNS=3      # postsuper runs for one hold (or release) of 10,000 IDs
# issue 14 (at 1,000,000 deferred messages)
TARGET_SCALE_FRAME=0.5    # console start to first frame, s (cold and warm)
TARGET_SCALE_COLD=0.7     # full model without a cache, at most this x postqueue -j
TARGET_SCALE_WARM=0.25    # full model from the cache, at most this x postqueue -j
TARGET_SCALE_KEY_MS=100   # every key, ms
TARGET_SCALE_WAVE_MS=1000 # a retry wave of SCALE_WAVE messages on screen, ms after its last file
TARGET_SCALE_RSS_MB=250   # peak RSS at 1,000,000 messages

BENCH_LIVE_RATE=${BENCH_LIVE_RATE:-50}
BENCH_LIVE_SECONDS=${BENCH_LIVE_SECONDS:-20}
BENCH_MODEL_SIZES=${BENCH_MODEL_SIZES:-"10000 100000"}
BENCH_IDLE_SECONDS=${BENCH_IDLE_SECONDS:-60}
BENCH_BED_SIZE=${BENCH_BED_SIZE:-10000}
BENCH_ACTION_COUNT=${BENCH_ACTION_COUNT:-10000}
BENCH_PORT_BASE=${BENCH_PORT_BASE:-3320}
BENCH_SCALE_SIZES=${BENCH_SCALE_SIZES-"100000 1000000"}
BENCH_SCALE_SEED=${BENCH_SCALE_SEED:-500}
BENCH_SCALE_PORT_BASE=${BENCH_SCALE_PORT_BASE:-$((BENCH_PORT_BASE + 30))}
BENCH_SCALE_COLD_ARGS=${BENCH_SCALE_COLD_ARGS-__default__}
BENCH_SCALE_FRAME_LIMIT=${BENCH_SCALE_FRAME_LIMIT:-900}
BENCH_SCALE_KEY_LIMIT=${BENCH_SCALE_KEY_LIMIT:-120}
BENCH_SCALE_KEEP=${BENCH_SCALE_KEEP:-0}
BENCH_SCALE_CONSOLE_ONLY=${BENCH_SCALE_CONSOLE_ONLY:-0}
GROW=bench/grow-queue
WAVE=bench/retry-wave
SCALE_FILTER=gmail.com    # the scale section's search text (a seeded domain)
SCALE_WAVE=10000          # messages of the scale section's retry wave (bench/retry-wave)
# the peer defers every one of these (4xx at greeting, MAIL or RCPT)
BED_DOMAINS=(gmail.com outlook.com yahoo.com greylist.example busy.example tls.example postgrey.example)
export PATH=$PATH:/usr/sbin:/sbin

WORK=""                   # scratch directory of this run (stores, typescripts, IDs)
BBED=""                   # the bed in use (directory), BBED_OWN=1 when we brought it up
BBED_OWN=0
TSOCK=mqmon-bench-$$      # tmux server of this run
SBED=""                   # the scale bed (directory), SBED_OWN=1 when we brought it up
SBED_OWN=0
SCALE_DONE=()             # sizes the scale section measured

# die - print an error and exit 1
die() { echo "bench: $*" >&2; exit 1; }

# now - wall clock in seconds with microseconds
now() {
    if [[ -n ${EPOCHREALTIME:-} ]]; then printf '%s\n' "${EPOCHREALTIME/,/.}"
    else date +%s.%N; fi
}

# timeit [-o FILE] LABEL CMD... - run CMD RUNS times with stdout to /dev/null
# (or to FILE: GNU grep stops at the first match when it sees /dev/null);
# print the individual and best times; leave the best in TIMEIT_BEST (s)
timeit() {
    local sink=/dev/null
    if [[ $1 == -o ]]; then sink=$2; shift 2; fi
    local label=$1; shift
    local i t0 t1 dt rc best="" all=""
    for ((i = 0; i < RUNS; i++)); do
        t0=$(now)
        rc=0
        "$@" >"$sink" || rc=$?
        t1=$(now)
        ((rc == 0)) || die "$label failed (exit $rc): $*"
        dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
        all+=" $dt"
        if [[ -z $best ]] || awk -v a="$dt" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$dt
        fi
    done
    printf '  %-26s runs:%s  best %s s\n' "$label" "$all" "$best"
    TIMEIT_BEST=$best
}

# ratio A B - A / B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.0005; printf "%.2f", a / b }'; }

# verdict VALUE OP LIMIT - PASS when "VALUE OP LIMIT" holds (OP is <= or >=)
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" \
        'BEGIN { ok = (op == "<=") ? (v <= l) : (v >= l); print ok ? "PASS" : "MISS" }'
}

# row TOOL SECONDS - one line of the timing table
row() {
    awk -v tool="$1" -v s="$2" -v n="$LOG_LINES" 'BEGIN {
        if (s <= 0) s = 0.0005
        printf "  %-28s %9.3f %14d\n", tool, s, n / s }'
}

# ensure_log - (re)generate the benchmark input when missing or stale
ensure_log() {
    [[ -x $GEN ]] || die "$GEN not built (run: make bench/gen-log)"
    mkdir -p "$OUT"
    if [[ ! -s $LOG || $GEN -nt $LOG ]]; then
        echo "generating $LOG ($LOG_LINES lines, seed $LOG_SEED)"
        "$GEN" -n "$LOG_LINES" -s "$LOG_SEED" -o "$LOG.tmp" || die "gen-log failed"
        mv -f "$LOG.tmp" "$LOG"
    fi
    cat "$LOG" >/dev/null        # warm the page cache for every tool alike
}

# section_classify - mqmon classify vs grep and pflogsumm on 1M lines
section_classify() {
    local t_grep t_cls t_pfl="" n_grep n_cls r_grep r_pfl size_mb
    command -v "${MQ[0]}" >/dev/null 2>&1 || die "${MQ[0]} not found (run: make)"
    size_mb=$(awk -v b="$(stat -c %s "$LOG")" 'BEGIN { printf "%.0f", b / 1048576 }')
    echo "== classify: $LOG ($LOG_LINES lines, $size_mb MB), best of $RUNS =="

    timeit -o "$OUT/grep.out" "grep -c status=deferred" grep -c status=deferred "$LOG"
    t_grep=$TIMEIT_BEST
    timeit "mqmon classify" "${MQ[@]}" classify "$LOG"
    t_cls=$TIMEIT_BEST
    if command -v pflogsumm >/dev/null 2>&1; then
        timeit "pflogsumm" pflogsumm "$LOG"
        t_pfl=$TIMEIT_BEST
    fi

    echo
    printf '  %-28s %9s %14s\n' tool seconds lines/s
    row "grep -c status=deferred" "$t_grep"
    row "mqmon classify" "$t_cls"
    if [[ -n $t_pfl ]]; then row "pflogsumm" "$t_pfl"
    else printf '  %-28s %9s %14s\n' pflogsumm - "not installed"; fi
    echo

    r_grep=$(ratio "$t_cls" "$t_grep")
    printf '  %-24s %8sx slower  (target <= %sx)   %s\n' "classify vs grep:" "$r_grep" \
        "$TARGET_VS_GREP" "$(verdict "$r_grep" "<=" "$TARGET_VS_GREP")"
    if [[ -n $t_pfl ]]; then
        r_pfl=$(ratio "$t_pfl" "$t_cls")
        printf '  %-24s %8sx faster  (target >= %sx)  %s\n' "pflogsumm vs classify:" "$r_pfl" \
            "$TARGET_VS_PFLOGSUMM" "$(verdict "$r_pfl" ">=" "$TARGET_VS_PFLOGSUMM")"
    else
        echo "  pflogsumm vs classify:   skipped: pflogsumm not installed (Debian package pflogsumm)"
    fi

    # deferral events reported by classify (one output line per
    # status=deferred line) against grep's count
    n_grep=$(grep -c status=deferred "$LOG") || die "grep failed"
    n_cls=$("${MQ[@]}" classify "$LOG" | wc -l) || die "mqmon classify failed"
    ((n_cls > 0)) || die "mqmon classify printed nothing for $LOG"
    awk -v c="$n_cls" -v g="$n_grep" 'BEGIN {
        d = (g > 0) ? 100 * (c - g) / g : 100
        printf "  deferral events: classify %d, grep -c %d (%+.2f%%)   %s\n", c, g, d,
               (d <= 1 && d >= -1) ? "OK" : "CHECK" }'
    echo
}

# ---------------------------------------------------------------------------
# helpers of the queue sections

# header - what this run measures on
header() {
    local pf=none
    command -v postconf >/dev/null 2>&1 && pf=$(postconf -d -h mail_version 2>/dev/null || echo "?")
    echo "mqmon bench: $("${MQ[@]}" --version 2>/dev/null | head -n 1 || echo "${MQ[*]}"), Postfix $pf," \
        "nproc $(nproc), $(date -u '+%Y-%m-%d %H:%M UTC'), sections: ${SECTIONS[*]}"
    echo
}

# bench_cleanup - EXIT trap: the console(s) in tmux, the fleet's sshd and streams, the bed, the scratch directory
bench_cleanup() {
    local rc=$? p
    for p in "${FLEET_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -n $WORK && -s $WORK/sshd.pid ]] && kill "$(cat "$WORK/sshd.pid")" 2>/dev/null || true
    tmux -L "$TSOCK" kill-server 2>/dev/null || true
    bed_down
    scale_bed_down
    [[ -n $WORK && -d $WORK ]] && rm -rf -- "$WORK"
    exit "$rc"
}

# fmt SECONDS - seconds with three decimals
fmt() { awk -v s="$1" 'BEGIN { printf "%.3f", s }'; }

# since T0 - seconds elapsed since T0 (from now)
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# queue_skip SECTION - print why a queue section cannot run here (true if so)
queue_skip() {
    local why=""
    if ((EUID != 0)); then why="needs root (private Postfix bed)"
    elif ! command -v postconf >/dev/null 2>&1; then why="Postfix not installed (make deps)"
    elif ! command -v jq >/dev/null 2>&1; then why="jq not installed (make deps)"
    elif [[ $1 == idle || $1 == first-frame || $1 == scale ]] && ! command -v tmux >/dev/null 2>&1; then
        why="tmux not installed (make deps)"
    fi
    [[ -n $why ]] || return 1
    echo "== $1: skipped: $why =="
    echo
}

# bed_up - bring the bench bed up once (or adopt BENCH_BED); sets BED_* from bed.env
bed_up() {
    [[ -n $BBED ]] && return 0
    if [[ -n ${BENCH_BED:-} ]]; then
        [[ -f $BENCH_BED/bed.env ]] || die "BENCH_BED=$BENCH_BED: no bed.env (not up?)"
        BBED=$(realpath -- "$BENCH_BED")
        BBED_OWN=0
    else
        BBED=$(mktemp -d /tmp/mqmon-bench-bed.XXXXXX)
        rmdir "$BBED"
        BBED_OWN=1
        # queue_run_delay / back-off 1 h: the deferred queue stays still
        MQMON_BED_PORT_BASE=$BENCH_PORT_BASE MQMON_BED_QUEUE_RUN_DELAY=3600 \
        MQMON_BED_MIN_BACKOFF=3600 MQMON_BED_MAX_BACKOFF=4000 \
            tests/bed/bed.sh up "$BBED" >"$WORK/bed-up.log" 2>&1 ||
            { cat "$WORK/bed-up.log" >&2; die "bed up failed"; }
        echo "  bed: up in $BBED (port base $BENCH_PORT_BASE, queue_run_delay 3600s)"
    fi
    # shellcheck source=/dev/null
    . "$BBED/bed.env"
}

# bed_down - stop and remove the bed when this run brought it up
bed_down() {
    if [[ -n $BBED && $BBED_OWN == 1 && -d $BBED ]]; then
        tests/bed/bed.sh down "$BBED" >/dev/null 2>&1 ||
            echo "bench: warning: 'tests/bed/bed.sh down $BBED' failed" >&2
    fi
    BBED=""
}

# qcount QUEUE... - messages in those queue directories of the bed (files on disk)
qcount() {
    local q n=0 c
    for q in "$@"; do
        [[ -d $BED_QUEUE/$q ]] || continue
        c=$(find "$BED_QUEUE/$q" -type f | wc -l)
        n=$((n + c))
    done
    echo "$n"
}

# bed_state - one line: the bed's queue sizes
bed_state() {
    printf 'deferred %d, hold %d, active %d, incoming %d, maildrop %d' \
        "$(qcount deferred)" "$(qcount hold)" "$(qcount active)" "$(qcount incoming)" "$(qcount maildrop)"
}

# bed_total - messages in the bed's queues
bed_total() { qcount deferred hold active incoming maildrop; }

# bed_inject N DOMAIN... - inject N messages (fast injector) and wait until settled
bed_inject() {
    local n=$1 t0 dt
    shift
    t0=$(now)
    MQMON_BED_INJECT=smtp-source MQMON_BED_TIMEOUT=900 \
        tests/bed/bed.sh inject "$BBED" "$n" "$@" >"$WORK/inject.log" 2>&1 ||
        { cat "$WORK/inject.log" >&2; die "injecting $n messages failed"; }
    dt=$(since "$t0")
    printf '  bed: injected %d messages in %s s (%.0f/s): %s\n' "$n" "$dt" \
        "$(awk -v n="$n" -v s="$dt" 'BEGIN { print n / (s > 0 ? s : 1) }')" "$(bed_state)"
}

# bed_fill N - grow the bed's queue to N messages over BED_DOMAINS
bed_fill() {
    local have
    have=$(bed_total)
    ((have < $1)) || return 0
    bed_inject $(($1 - have)) "${BED_DOMAINS[@]}"
}

# tmux_console NAME DB [ARGS...] - start the console on the bed in a fresh tmux
# session NAME (CONSOLE_COLS x CONSOLE_ROWS, 80x24 unless a caller sets them
# local) with the store DB; prints the console's pid
tmux_console() {
    local name=$1 db=$2 cmd
    shift 2
    cmd="exec $(printf '%q ' "${MQ[@]}")-c $(printf '%q' "$BED_CONF") --db $(printf '%q' "$db")"
    (($#)) && cmd+=" $(printf '%q ' "$@")"
    tmux -L "$TSOCK" new-session -d -s "$name" -x "${CONSOLE_COLS:-80}" -y "${CONSOLE_ROWS:-24}" \
        -c "$PWD" "$cmd"
    tmux -L "$TSOCK" display -p -t "$name" '#{pane_pid}'
}

# full_frame SCREEN - the causes header and at least one cause row with a count
full_frame() {
    grep -qF "CAUSE / PROVIDER / DOMAIN" <<<"$1" && grep -qE '^[a-z][a-z0-9-]* +[0-9]+ ' <<<"$1"
}

# wait_frame NAME LIMIT - poll the pane every 50 ms until a full frame shows
# (true) or LIMIT seconds pass (false)
wait_frame() {
    local name=$1 limit=$2 t0 scr
    t0=$(now)
    while :; do
        scr=$(tmux -L "$TSOCK" capture-pane -p -t "$name" 2>/dev/null) || scr=""
        full_frame "$scr" && return 0
        awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }' && break
        sleep 0.05
    done
    echo "  no full frame after ${limit}s; the screen was:"
    printf '%s\n' "$scr" | sed 's/^/    | /'
    return 1
}

# cpu_ticks PID - utime+stime of the process (all its threads), clock ticks
cpu_ticks() {
    # the comm field (2) may hold spaces: count the fields after its ')'
    sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# ---------------------------------------------------------------------------
# time_once CMD... - run CMD once (stdout to /dev/null); its wall-clock seconds in TIME_ONCE
time_once() {
    local t0 t1 rc=0
    t0=$(now)
    "$@" >/dev/null || rc=$?
    t1=$(now)
    ((rc == 0)) || die "failed (exit $rc): $*"
    TIME_ONCE=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

# min_of A B - the smaller of two times (B when A is empty)
min_of() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'; }

# section_ingest - mqmon ingest storing the whole 1M-line log vs pflogsumm; report --since from the history
#
# mqmon ingest and pflogsumm run in alternation, RUNS rounds of one run each
# (mqmon first in odd rounds, pflogsumm first in even ones), and each keeps
# its best: on a machine that other jobs load, both meet the same load, and
# the ratio of the bests compares like with like.
section_ingest() {
    local db=$WORK/ingest.db t_ing="" t_rep t_pfl="" n_rows n_dgs n_all r size_mb i all_ing="" all_pfl="" all_r=""
    local have_pfl=0 a b
    command -v sqlite3 >/dev/null 2>&1 || echo "  (sqlite3 CLI not installed: row counts skipped)"
    if command -v pflogsumm >/dev/null 2>&1; then have_pfl=1; fi
    echo "== ingest: mqmon ingest --db FRESH $LOG, best of $RUNS$( ((have_pfl)) && echo ", alternating with pflogsumm") =="
    # a fresh store each run: the whole file is read and every event stored
    # shellcheck disable=SC2317
    ingest_once() {
        rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
        "${MQ[@]}" ingest --db "$db" "$LOG"
    }
    for ((i = 0; i < RUNS; i++)); do
        a="" b=""
        if ((have_pfl && i % 2 == 1)); then time_once pflogsumm "$LOG"; b=$TIME_ONCE; fi
        time_once ingest_once
        a=$TIME_ONCE
        if ((have_pfl && i % 2 == 0)); then time_once pflogsumm "$LOG"; b=$TIME_ONCE; fi
        all_ing+=" $a"
        t_ing=$(min_of "$t_ing" "$a")
        if ((have_pfl)); then
            all_pfl+=" $b"
            all_r+=" $(ratio "$b" "$a")x"
            t_pfl=$(min_of "$t_pfl" "$b")
        fi
    done
    printf '  %-26s runs:%s  best %s s\n' "mqmon ingest (fresh db)" "$all_ing" "$t_ing"
    if ((have_pfl)); then
        printf '  %-26s runs:%s  best %s s\n' pflogsumm "$all_pfl" "$t_pfl"
        printf '  %-26s rounds:%s\n' "pflogsumm / ingest" "$all_r"
    fi
    # the store of the last run is full: report --since only reads the history back
    timeit "mqmon report --since (history)" "${MQ[@]}" report --since 3650d --db "$db" "$LOG"
    t_rep=$TIMEIT_BEST

    echo
    printf '  %-28s %9s %14s\n' tool seconds lines/s
    row "mqmon ingest" "$t_ing"
    row "mqmon report --since" "$t_rep"
    if [[ -n $t_pfl ]]; then row "pflogsumm" "$t_pfl"
    else printf '  %-28s %9s %14s\n' pflogsumm - "not installed"; fi
    echo
    if [[ -n $t_pfl ]]; then
        r=$(ratio "$t_pfl" "$t_ing")
        printf '  %-24s %8sx faster  (target >= %sx)   %s\n' "ingest vs pflogsumm:" "$r" \
            "$TARGET_INGEST_VS_PFLOGSUMM" "$(verdict "$r" ">=" "$TARGET_INGEST_VS_PFLOGSUMM")"
        r=$(ratio "$t_pfl" "$(awk -v a="$t_ing" -v b="$t_rep" 'BEGIN { printf "%.3f", a + b }')")
        printf '  %-24s %8sx faster  (ingest, then the report from the history; no target)\n' \
            "ingest+report vs pfls.:" "$r"
    else
        echo "  ingest vs pflogsumm:     skipped: pflogsumm not installed (Debian package pflogsumm)"
    fi
    if command -v sqlite3 >/dev/null 2>&1; then
        n_rows=$(sqlite3 "$db" 'SELECT count(*) FROM attempts') || die "sqlite3 cannot read $db"
        n_dgs=$(grep -cE ' status=(sent|deferred|bounced) ' "$LOG") || true
        n_all=$(grep -c 'status=' "$LOG") || true
        size_mb=$(awk -v b="$(stat -c %s "$db")" 'BEGIN { printf "%.0f", b / 1048576 }')
        r=$(awk -v d="$(stat -c %s "$db")" -v l="$(stat -c %s "$LOG")" 'BEGIN { printf "%.1f", 100 * d / l }')
        printf '  %-24s %8s%% of the log (%s of %s bytes)  (target <= %s%%)   %s\n' "history size:" "$r" \
            "$(stat -c %s "$db")" "$(stat -c %s "$LOG")" "$TARGET_DB_LOG_PCT" "$(verdict "$r" "<=" "$TARGET_DB_LOG_PCT")"
        awk -v c="$n_rows" -v g="$n_dgs" -v a="$n_all" -v m="$size_mb" 'BEGIN {
            printf "  stored attempts: %d rows (db %s MB); grep: %d status=sent|deferred|bounced lines, %d status= lines\n", c, m, g, a
            printf "  every delivery attempt stored: %s\n", (c == g) ? "OK" : sprintf("CHECK (%+d rows)", c - g) }'
        n_rows=$(sqlite3 "$db" 'SELECT count(*) FROM messages') || die "sqlite3 cannot read $db"
        n_dgs=$(awk '/ postfix\/qmgr\[[0-9]+\]: [0-9A-Za-z]+: from=</ { sub(":", "", $6); if (!($6 in s)) { s[$6]; n++ } }
                     END { print n + 0 }' "$LOG")
        awk -v c="$n_rows" -v q="$n_dgs" 'BEGIN {
            printf "  every message stored: %s (%d rows, %d queue IDs in qmgr from= lines)\n",
                (c == q) ? "OK" : "CHECK", c, q }'
    fi
    rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
    echo
}

# section_live - disk writes of classify --follow on a log that syslog writes line by line
section_live() {
    local db=$WORK/live.db log=$WORK/live.log n=$((BENCH_LIVE_RATE * BENCH_LIVE_SECONDS)) pid w0 w1 c0 c1
    local logbytes written r hz iv
    echo "== live: mqmon classify --follow --db FRESH, $BENCH_LIVE_RATE lines/s for ${BENCH_LIVE_SECONDS}s, one write(2) per line =="
    : >"$log"
    "${MQ[@]}" classify --follow --db "$db" "$log" >/dev/null 2>"$WORK/live.err" &
    pid=$!
    sleep 1
    kill -0 "$pid" 2>/dev/null || die "classify --follow did not start: $(cat "$WORK/live.err")"
    w0=$(awk '/^write_bytes/ { print $2 }' "/proc/$pid/io")
    c0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    # lines from the middle of the benchmark log (deferrals, deliveries, noise), each its own write
    iv=$(awk -v r="$BENCH_LIVE_RATE" 'BEGIN { printf "%.4f", 1 / r }')
    sed -n "400001,$((400000 + n))p" "$LOG" | while IFS= read -r line; do
        printf '%s\n' "$line" >>"$log"
        sleep "$iv"
    done
    sleep 7    # rows held for a group commit are stored within 5 s
    w1=$(awk '/^write_bytes/ { print $2 }' "/proc/$pid/io")
    c1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    kill -TERM "$pid"
    wait "$pid" || die "classify --follow ended with status $?: $(cat "$WORK/live.err")"
    logbytes=$(stat -c %s "$log")
    written=$((w1 - w0))
    hz=$(getconf CLK_TCK)
    r=$(ratio "$written" "$logbytes")
    printf '  %-34s %12s bytes (%d lines)\n' "log written by the feed:" "$logbytes" "$n"
    printf '  %-34s %12s bytes (%s per line), cpu %.2f s\n' "database written by mqmon:" "$written" \
        "$((written / n))" "$(awk -v t=$((c1 - c0)) -v h="$hz" 'BEGIN { print t / h }')"
    printf '  %-34s %8sx the log  (target <= %sx)   %s\n' "disk writes per log byte:" "$r" \
        "$TARGET_LIVE_WRITE_RATIO" "$(verdict "$r" "<=" "$TARGET_LIVE_WRITE_RATIO")"
    if command -v sqlite3 >/dev/null 2>&1; then
        rm -f "$WORK/live-ref.db"
        "${MQ[@]}" ingest --db "$WORK/live-ref.db" "$log" >/dev/null || die "ingest of the live log failed"
        printf '  %-34s %s\n' "stored as a batch ingest would:" "$(
            [[ $(sqlite3 "$db" 'SELECT count(*) FROM attempts') == $(sqlite3 "$WORK/live-ref.db" 'SELECT count(*) FROM attempts') ]] \
                && echo OK || echo CHECK)"
    fi
    rm -f "$db" "$db-wal" "$db-shm" "$WORK/live-ref.db"*
    echo
}

# section_model - full queue model (spool and postqueue source) vs postqueue -j
section_model() {
    queue_skip model && return 0
    local n got t_sp t_pq t_pj r sizes=() res=()
    read -r -a sizes <<<"$BENCH_MODEL_SIZES"
    echo "== model: mqmon snapshot --no-log vs postqueue -j on a deferred queue (sizes: ${sizes[*]}), best of $RUNS =="
    bed_up
    for n in "${sizes[@]}"; do
        bed_fill "$n"
        echo "  queue: $(bed_state)"
        timeit "snapshot (spool)" "${MQ[@]}" -c "$BED_CONF" snapshot --no-log
        t_sp=$TIMEIT_BEST
        timeit "snapshot --source postqueue" "${MQ[@]}" -c "$BED_CONF" snapshot --no-log --source postqueue
        t_pq=$TIMEIT_BEST
        # shellcheck disable=SC2016
        timeit -o "$WORK/pq.count" "postqueue -j | wc -l" \
            sh -c 'postqueue -c "$1" -j | wc -l' _ "$BED_CONF"
        t_pj=$TIMEIT_BEST
        got=$("${MQ[@]}" -c "$BED_CONF" snapshot --no-log | jq '.totals.messages') || die "snapshot failed"
        res+=("$(bed_total) $got $(tr -dc 0-9 <"$WORK/pq.count") $t_sp $t_pq $t_pj")
    done
    echo
    printf '  %8s %8s %9s %12s %14s %10s %9s\n' queue model postqueue "spool s" "postqueue-src s" \
        "pq -j s" "spool/pq"
    for r in "${res[@]}"; do
        read -r n got pj t_sp t_pq t_pj <<<"$r"
        printf '  %8d %8d %9d %12s %14s %10s %9s\n' "$n" "$got" "$pj" "$t_sp" "$t_pq" "$t_pj" \
            "$(ratio "$t_sp" "$t_pj")"
    done
    echo
    for r in "${res[@]}"; do
        read -r n got pj t_sp t_pq t_pj <<<"$r"
        ((got == n)) || echo "  CHECK: the model counted $got messages, $n on disk"
        printf '  %-34s %6sx postqueue -j  (target < 1)   %s\n' "full model (spool), $n msgs:" \
            "$(ratio "$t_sp" "$t_pj")" "$(awk -v a="$t_sp" -v b="$t_pj" 'BEGIN { print (a < b) ? "PASS" : "MISS" }')"
    done
    echo
}

# section_idle - the console on a still queue: CPU and bytes to the terminal
section_idle() {
    queue_skip idle && return 0
    local secs=$BENCH_IDLE_SECONDS pid a b tck cpu pct bytes log0 log1 q0 q1 rd
    echo "== idle: the console (80x24, tmux) on a still queue for ${secs}s =="
    bed_up
    if (($(bed_total) == 0)); then
        echo "  (no bed from the model section: a $BENCH_BED_SIZE-message bed)"
        bed_fill "$BENCH_BED_SIZE"
    fi
    rd=$(postconf -c "$BED_CONF" -h queue_run_delay)
    echo "  queue: $(bed_state); queue_run_delay $rd"
    ((${rd%s} >= secs + 30)) 2>/dev/null ||
        echo "  warning: queue_run_delay $rd: Postfix may retry the queue during the window"
    pid=$(tmux_console idle "$WORK/idle.db")
    wait_frame idle 180 || die "idle: the console never drew its first frame"
    sleep 5                                 # let start-up work (log catch-up) finish
    tck=$(getconf CLK_TCK)
    q0=$(bed_state)
    log0=$(stat -c %s "$BED_LOG")
    rm -f "$WORK/idle.tty"
    tmux -L "$TSOCK" pipe-pane -o -t idle "cat >> $(printf '%q' "$WORK/idle.tty")"
    a=$(cpu_ticks "$pid")
    sleep "$secs"
    b=$(cpu_ticks "$pid") || die "idle: the console died during the window"
    tmux -L "$TSOCK" pipe-pane -t idle
    sleep 0.2
    q1=$(bed_state)
    log1=$(stat -c %s "$BED_LOG")
    bytes=$(stat -c %s "$WORK/idle.tty" 2>/dev/null || echo 0)
    tmux -L "$TSOCK" kill-session -t idle
    cpu=$(awk -v t=$((b - a)) -v h="$tck" 'BEGIN { printf "%.2f", t / h }')
    pct=$(awk -v c="$cpu" -v s="$secs" 'BEGIN { printf "%.2f", 100 * c / s }')
    [[ $q0 == "$q1" ]] || echo "  warning: the queue changed during the window ($q0 -> $q1)"
    ((log1 == log0)) || echo "  warning: the maillog grew by $((log1 - log0)) bytes during the window (not idle)"
    echo
    printf '  %-10s %12s %12s %12s %14s %12s\n' window "CPU ticks" "CPU s" "% of a core" "tty bytes" "bytes/s"
    printf '  %-10s %12d %12s %12s %14d %12.0f\n' "${secs}s" $((b - a)) "$cpu" "$pct" "$bytes" \
        "$(awk -v b="$bytes" -v s="$secs" 'BEGIN { print b / s }')"
    echo
    printf '  %-34s %6s%% of a core  (target < %s%%)   %s\n' "idle console CPU:" "$pct" \
        "$TARGET_IDLE_CPU_PCT" "$(awk -v p="$pct" -v l="$TARGET_IDLE_CPU_PCT" 'BEGIN { print (p < l) ? "PASS" : "MISS" }')"
    echo "  terminal output while idle:         $(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.0f", b / s }') bytes/s (no target)"
    echo
}

# section_first_frame - start to first full frame of the console on the largest queue
section_first_frame() {
    queue_skip first-frame && return 0
    local i t0 dt best="" all="" n
    echo "== first-frame: console start to the first full frame (80x24, tmux), best of $RUNS =="
    bed_up
    if (($(bed_total) == 0)); then
        echo "  (no bed from the model section: a $BENCH_BED_SIZE-message bed)"
        bed_fill "$BENCH_BED_SIZE"
    fi
    n=$(bed_total)
    echo "  queue: $(bed_state); log $(awk -v b="$(stat -c %s "$BED_LOG")" 'BEGIN { printf "%.0f MB", b / 1048576 }')"
    for ((i = 0; i < RUNS; i++)); do
        rm -f "$WORK/frame.db"*
        t0=$(now)
        tmux_console frame "$WORK/frame.db" >/dev/null
        wait_frame frame 180 || die "first-frame: no full frame"
        dt=$(since "$t0")
        tmux -L "$TSOCK" kill-session -t frame
        all+=" $dt"
        if [[ -z $best ]] || awk -v a="$dt" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$dt; fi
        sleep 0.5
    done
    echo
    printf '  %8s  %-26s %8s\n' queue runs "best s"
    printf '  %8d  %-26s %8s\n' "$n" "${all# }" "$best"
    echo
    echo "  first full frame with $n messages: $best s (no target)"
    echo
}

# section_actions - hold and release of BENCH_ACTION_COUNT messages of one domain
section_actions() {
    local n dom have ids=$WORK/ids db=$WORK/actions.db i t0 dt held act act_name rows0 rows1
    local -A a_best=() a_all=() execs=() audit=()
    if ! "${MQ[@]}" --help 2>&1 | grep -qE '(^|[ |])hold([ |]|$)'; then
        echo "== actions: not available yet (mqmon has no hold command) =="
        echo
        return 0
    fi
    queue_skip actions && return 0
    n=$BENCH_ACTION_COUNT
    echo "== actions: mqmon hold / release of $n messages of one domain, best of $RUNS =="
    bed_up
    # the domain with the most deferred messages; top it up to n if needed
    read -r have dom < <(postqueue -c "$BED_CONF" -j |
        jq -r 'select(.queue_name == "deferred") | .recipients[0].address | sub(".*@"; "")' |
        sort | uniq -c | sort -rn | awk 'NR == 1 { print $1, $2 } END { if (NR == 0) print 0, "gmail.com" }')
    if ((have < n)); then
        bed_inject $((n - have)) "$dom"
    fi
    postqueue -c "$BED_CONF" -j |
        jq -r --arg d "@$dom" 'select(.queue_name == "deferred" and any(.recipients[]; .address | endswith($d))) | .queue_id' |
        awk -v n="$n" 'NR <= n' >"$ids"
    echo "  queue: $(bed_state); $(wc -l <"$ids") IDs of $dom"
    (($(wc -l <"$ids") == n)) || die "actions: found $(wc -l <"$ids") IDs of $dom, wanted $n"

    # audit_rows ACTION - audit rows of that action in the store (0 without sqlite3)
    audit_rows() {
        command -v sqlite3 >/dev/null 2>&1 || { echo 0; return; }
        sqlite3 "$db" "SELECT count(*) FROM actions WHERE action = '$1'"
    }
    # act ACTION - one run of mqmon ACTION over the IDs (on stdin)
    act() { "${MQ[@]}" -c "$BED_CONF" "$1" --db "$db" - <"$ids" >"$WORK/act.out" 2>&1; }
    for ((i = 0; i < RUNS; i++)); do
        for act_name in hold release; do
            t0=$(now)
            act "$act_name" || { cat "$WORK/act.out" >&2; die "mqmon $act_name failed"; }
            dt=$(since "$t0")
            a_all[$act_name]+=" $dt"
            if [[ -z ${a_best[$act_name]:-} ]] || awk -v a="$dt" -v b="${a_best[$act_name]}" 'BEGIN { exit !(a < b) }'; then
                a_best[$act_name]=$dt
            fi
            held=$(qcount hold)
            if [[ $act_name == hold ]]; then
                ((held == n)) || echo "  CHECK: after hold $held messages are held, wanted $n"
            else
                ((held == 0)) || echo "  CHECK: after release $held messages are still held"
            fi
        done
    done
    # processes: execve of postsuper under strace (else the audit rows)
    # one more run of each, counting its audit rows and (under strace) its
    # execve of postsuper
    for act_name in hold release; do
        rows0=$(audit_rows "$act_name")
        if command -v strace >/dev/null 2>&1; then
            strace -f -qq -e trace=execve -o "$WORK/strace.$act_name" \
                "${MQ[@]}" -c "$BED_CONF" "$act_name" --db "$db" - <"$ids" >"$WORK/act.out" 2>&1 ||
                die "mqmon $act_name under strace failed"
            execs[$act_name]=$(grep -E 'execve\("[^"]*/postsuper"' "$WORK/strace.$act_name" |
                grep -vc ' = -1 ' || true)
        else
            act "$act_name" || die "mqmon $act_name failed"
            execs[$act_name]="-"
        fi
        rows1=$(audit_rows "$act_name")
        audit[$act_name]=$((rows1 - rows0))
    done
    (($(qcount hold) == 0)) || echo "  CHECK: $(qcount hold) messages left on hold"
    echo
    printf '  %-8s %6s  %-24s %8s %16s %16s\n' action IDs runs "best s" "postsuper runs" "audit rows/run"
    for act_name in hold release; do
        printf '  %-8s %6d  %-24s %8s %16s %16s\n' "$act_name" "$n" "${a_all[$act_name]# }" \
            "${a_best[$act_name]}" "${execs[$act_name]}" "${audit[$act_name]}"
    done
    echo
    command -v strace >/dev/null 2>&1 || echo "  (strace not installed: postsuper runs not counted; see the audit rows)"
    for act_name in hold release; do
        act=${execs[$act_name]}
        [[ $act == - ]] && act=${audit[$act_name]}
        printf '  %-34s %6s postsuper run(s) for %d IDs  (target <= %s)   %s\n' "$act_name:" "$act" "$n" \
            "$TARGET_ACTION_RUNS" "$(verdict "$act" "<=" "$TARGET_ACTION_RUNS")"
    done
    echo
}

# ---------------------------------------------------------------------------
# the scale section: a bed grown to BENCH_SCALE_SIZES deferred messages

# scale_bed_up - bring up the scale bed (or adopt BENCH_SCALE_BED), seed and
# freeze it; BED_* of the caller (declared local there) describe it afterwards
scale_bed_up() {
    local n
    if [[ -n ${BENCH_SCALE_BED:-} ]]; then
        [[ -f $BENCH_SCALE_BED/bed.env && -f $BENCH_SCALE_BED/.mqmon-scale-frozen ]] ||
            die "BENCH_SCALE_BED=$BENCH_SCALE_BED: not a bed kept by an earlier scale run" \
                "(BENCH_SCALE_KEEP=1): no bed.env or .mqmon-scale-frozen"
        SBED=$(realpath -- "$BENCH_SCALE_BED")
        SBED_OWN=0
        # shellcheck source=/dev/null
        . "$SBED/bed.env"
        echo "  scale bed: $SBED (kept by an earlier run, frozen): $(bed_state)"
        return 0
    fi
    SBED=$(mktemp -d /tmp/mqmon-bench-scale.XXXXXX)
    rmdir "$SBED"
    SBED_OWN=1
    MQMON_BED_PORT_BASE=$BENCH_SCALE_PORT_BASE MQMON_BED_QUEUE_RUN_DELAY=3600 \
    MQMON_BED_MIN_BACKOFF=3600 MQMON_BED_MAX_BACKOFF=4000 \
        tests/bed/bed.sh up "$SBED" >"$WORK/scale-up.log" 2>&1 ||
        { cat "$WORK/scale-up.log" >&2; die "scale bed up failed"; }
    # shellcheck source=/dev/null
    . "$SBED/bed.env"
    MQMON_BED_INJECT=smtp-source MQMON_BED_TIMEOUT=600 \
        tests/bed/bed.sh inject "$SBED" "$BENCH_SCALE_SEED" "${BED_DOMAINS[@]}" >"$WORK/scale-inject.log" 2>&1 ||
        { cat "$WORK/scale-inject.log" >&2; die "seeding the scale bed failed"; }
    scale_freeze
    n=$(qcount deferred)
    ((n > 0)) || die "the scale bed has no deferred message after seeding: $(bed_state)"
    echo "  scale bed: $SBED (port base $BENCH_SCALE_PORT_BASE), seeded with $BENCH_SCALE_SEED" \
        "messages through the peer ($(bed_state)), qmgr removed (frozen)"
}

# bed_qmgr_pids - pids of the qmgr processes of the bed in BED_QUEUE (their cwd is there)
bed_qmgr_pids() {
    local p cwd
    for p in $(pgrep -x qmgr || true); do
        cwd=$(readlink "/proc/$p/cwd" 2>/dev/null) || continue
        [[ $cwd == "$BED_QUEUE" || $cwd == "$BED_QUEUE"/* ]] && echo "$p"
    done
    return 0
}

# scale_freeze - stop the bed's qmgr for good: the copies are never retried,
# moved or rewritten (master, showq and postqueue -j keep working)
scale_freeze() {
    local i
    postconf -c "$BED_CONF" '-M#' qmgr/unix || die "postconf -M# qmgr/unix failed"
    postfix -c "$BED_CONF" reload >/dev/null 2>&1 || die "postfix reload of the scale bed failed"
    for ((i = 0; i < 100; i++)); do
        [[ -z $(bed_qmgr_pids) ]] && break
        sleep 0.1
    done
    [[ -z $(bed_qmgr_pids) ]] || die "the scale bed's qmgr still runs after the reload"
    sleep 1    # the reload's background postsuper (structure check) is done with a small queue
    : >"$BED_DIR/.mqmon-scale-frozen"
}

# scale_bed_down - stop and remove the scale bed (unless adopted or BENCH_SCALE_KEEP=1)
scale_bed_down() {
    [[ -n $SBED && -d $SBED ]] || return 0
    if [[ $SBED_OWN == 1 && $BENCH_SCALE_KEEP != 1 ]]; then
        tests/bed/bed.sh down "$SBED" >/dev/null 2>&1 ||
            echo "bench: warning: 'tests/bed/bed.sh down $SBED' failed" >&2
    elif [[ $SBED_OWN == 1 ]]; then
        echo "  scale bed kept (BENCH_SCALE_KEEP=1): reuse it with BENCH_SCALE_BED=$SBED;" \
            "remove it with: tests/bed/bed.sh down $SBED"
    fi
    SBED=""
}

# scale_room N - true when the file system of the queue has room for N deferred
# messages (about 8 KB and 2 inodes each: queue file and defer log); else says why
scale_room() {
    local n=$1 have need_kb free_kb free_ino
    have=$(qcount deferred)
    need_kb=$(((n - have) * 8 * 12 / 10))
    read -r free_kb free_ino < <(df -k --output=avail,iavail "$BED_QUEUE" | tail -n 1)
    if ((free_kb < need_kb || free_ino < (n - have) * 22 / 10)); then
        printf '  %d: skipped: growing needs about %d MB and %d inodes; %s has %d MB and %d inodes free\n' \
            "$n" $((need_kb / 1024)) $(((n - have) * 2)) "$BED_QUEUE" $((free_kb / 1024)) "$free_ino"
        return 1
    fi
}

# wait_change NAME ERE OLD LIMIT - poll the pane every 10 ms until the first
# match of ERE on the screen exists and differs from OLD; true, or false after
# LIMIT seconds
wait_change() {
    local name=$1 re=$2 old=$3 limit=$4 t0 got
    t0=$(now)
    while :; do
        got=$(tmux -L "$TSOCK" capture-pane -p -t "$name" 2>/dev/null | grep -oE -m 1 "$re" | head -n 1) || got=""
        [[ -n $got && $got != "$old" ]] && return 0
        awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }' && return 1
        sleep 0.01
    done
}

# screen_match NAME ERE - the first match of ERE on the pane now (empty if none)
screen_match() {
    tmux -L "$TSOCK" capture-pane -p -t "$1" 2>/dev/null | grep -oE -m 1 "$2" | head -n 1 || true
}

# key_ms NAME ERE KEY... - send KEY(s) to the pane and return (in KEY_MS) the
# milliseconds until the first match of ERE on the screen changes; "-" after
# BENCH_SCALE_KEY_LIMIT seconds
key_ms() {
    local name=$1 re=$2 old t0
    shift 2
    old=$(screen_match "$name" "$re")
    t0=$(now)
    tmux -L "$TSOCK" send-keys -t "$name" "$@"
    if wait_change "$name" "$re" "$old" "$BENCH_SCALE_KEY_LIMIT"; then
        KEY_MS=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", 1000 * (b - a) }')
    else
        KEY_MS="-"
    fi
}

# vm_kb PID FIELD - a /proc/PID/status field (VmRSS, VmHWM) in kB ("-" when gone)
vm_kb() {
    awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print "-" }' "/proc/$1/status" 2>/dev/null ||
        echo "-"
}

# mb KB - kilobytes as whole megabytes ("-" stays "-")
mb() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.0f\n", k / 1024 }'; }

# scale_console N TAG DB [ARGS...] - one console start on the N-message bed at
# CONSOLE_COLSxCONSOLE_ROWS: first frame, full model on screen, Tab, sort and
# filter latencies, peak RSS; results in R[N,TAG-...]
scale_console() {
    local n=$1 tag=$2 db=$3 name pid t0 nre k
    shift 3
    name=scale-$tag
    nre="(^|[^0-9,])($n|$(printf "%'d" "$n" 2>/dev/null || echo "$n")) msgs"
    t0=$(now)
    pid=$(tmux_console "$name" "$db" "$@")
    for k in frame full tab sort filter wave cause pgdn end detail; do R[$n,$tag-$k]="-"; done
    R[$n,$tag-rss]="-"
    if wait_frame "$name" "$BENCH_SCALE_FRAME_LIMIT"; then
        R[$n,$tag-frame]=$(since "$t0")
        if wait_change "$name" "$nre" "" "$BENCH_SCALE_FRAME_LIMIT" &&
            wait_gone "$name" "verifying" "$BENCH_SCALE_FRAME_LIMIT"; then
            R[$n,$tag-full]=$(since "$t0")
            sleep 1    # let the start settle (log catch-up, history)
            scale_wave "$n" "$tag" "$name"
            # Enter on the first cause row: the messages of that cause (Esc back)
            key_ms "$name" '^ [0-9]+ of [0-9]+ messages: [^,]+' Enter
            R[$n,$tag-cause]=$KEY_MS
            tmux -L "$TSOCK" send-keys -t "$name" Escape
            wait_change "$name" "^CAUSE / PROVIDER" "" 10 || true
            key_ms "$name" '^ \[[A-Z][a-z]+\]' Tab
            R[$n,$tag-tab]=$KEY_MS
            key_ms "$name" 'sorted by [a-z ]+' s
            R[$n,$tag-sort]=$KEY_MS
            # a page down and the end of the table: the first row's ID changes
            key_ms "$name" '^[0-9A-Za-z]{8,} +[a-z]+ ' NPage
            R[$n,$tag-pgdn]=$KEY_MS
            key_ms "$name" '^[0-9A-Za-z]{8,} +[a-z]+ ' G
            R[$n,$tag-end]=$KEY_MS
            key_ms "$name" '^ *Message [0-9A-Za-z]+' Enter
            R[$n,$tag-detail]=$KEY_MS
            tmux -L "$TSOCK" send-keys -t "$name" Escape
            wait_change "$name" "^QUEUE ID" "" 10 || true
            # the search text is typed first (not timed); Enter applies it
            tmux -L "$TSOCK" send-keys -t "$name" / && tmux -L "$TSOCK" send-keys -t "$name" -l "$SCALE_FILTER"
            wait_change "$name" "^/$SCALE_FILTER" "" 10 || true
            key_ms "$name" "matching \"[^\"]*\"" Enter
            R[$n,$tag-filter]=$KEY_MS
        else
            echo "  $tag console: the header never showed $n msgs within ${BENCH_SCALE_FRAME_LIMIT}s"
        fi
    fi
    R[$n,$tag-rss]=$(mb "$(vm_kb "$pid" VmHWM)")
    tmux -L "$TSOCK" kill-session -t "$name" 2>/dev/null || true
    sleep 0.5
}

# scale_wave N TAG NAME - a retry wave while the console shows the causes view:
# bench/retry-wave moves SCALE_WAVE (10,000; a tenth of the queue when smaller)
# deferred messages through active and back with a new reply (mailbox full),
# as qmgr would; R[N,TAG-wave] is the time from the wave's last file to the
# mailbox-full row showing all of them, R[N,TAG-wave-s] the wave's own length
scale_wave() {
    local n=$1 tag=$2 name=$3 w before want t0 out
    w=$SCALE_WAVE
    ((w > n / 10)) && w=$((n / 10))
    before=$(screen_match "$name" '^mailbox-full +[0-9]+' | awk '{print $2}')
    want=$((${before:-0} + w))
    out=$("$WAVE" "$BED_QUEUE" "$w" 4.2.2 \
        "host mx.example[192.0.2.9] said: 452 4.2.2 Mailbox full (in reply to RCPT TO command)") ||
        die "retry-wave failed: $out"
    R[$n,$tag-wave-s]=$(sed -n 's/.* in \([0-9.]*\) s$/\1/p' <<<"$out")
    t0=$(now)
    if wait_change "$name" "^mailbox-full +$want " "" "$BENCH_SCALE_KEY_LIMIT"; then
        R[$n,$tag-wave]=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.0f", 1000 * (b - a) }')
    fi
}

# wait_gone NAME ERE LIMIT - until no line of the pane matches ERE (the cached model's "verifying"); 1 after LIMIT s
wait_gone() {
    local name=$1 re=$2 limit=$3 t0
    t0=$(now)
    while tmux -L "$TSOCK" capture-pane -p -t "$name" 2>/dev/null | grep -qE "$re"; do
        awk -v a="$t0" -v b="$(now)" -v l="$limit" 'BEGIN { exit !(b - a > l) }' && return 1
        sleep 0.01
    done
}

# scale_snapshot N TAG [ARGS...] - one timed `mqmon snapshot --no-log` (output
# through tail: the JSON is read whole, as by wc); time, peak RSS, count in R[N,TAG-...]
scale_snapshot() {
    local n=$1 tag=$2 t0 rc tf=$WORK/snap.time tl=$WORK/snap.tail
    shift 2
    local timer=()
    [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -f %M -o "$tf")
    rm -f "$tf"
    t0=$(now)
    "${timer[@]}" "${MQ[@]}" -c "$BED_CONF" snapshot --no-log "$@" | tail -c 4096 >"$tl"
    rc=${PIPESTATUS[0]}
    R[$n,$tag]=$(since "$t0")
    ((rc == 0)) || die "mqmon snapshot failed (exit $rc) at $n messages"
    if [[ -s $tf ]]; then R[$n,$tag-rss]=$(mb "$(tail -n 1 "$tf")"); else R[$n,$tag-rss]="-"; fi
    R[$n,$tag-count]=$(grep -oE '"queue": *"deferred", *"messages": *[0-9]+' "$tl" | grep -oE '[0-9]+$' || echo "?")
}

# scale_row LABEL UNIT KEY [RATIO] - one row of the scale table: R[N,KEY] for
# each size, then the last size's value over the first's (RATIO=no: none)
scale_row() {
    local label=$1 unit=$2 key=$3 n v first="" last=""
    printf '  %-36s %-3s' "$label" "$unit"
    for n in "${SCALE_DONE[@]}"; do
        v=${R[$n,$key]:--}
        printf ' %11s' "$v"
        [[ -z $first ]] && first=$v
        last=$v
    done
    if [[ ${4:-} != no && ${#SCALE_DONE[@]} -gt 1 && $first != - && $last != - ]]; then
        printf ' %9sx' "$(ratio "$last" "$first")"
    fi
    echo
}

# worst A B - the larger of two measurements ("-" when either is missing)
worst() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-") print "-"; else print (a + 0 > b + 0) ? a : b }'; }

# scale_verdict N LABEL VALUE OP LIMIT UNIT - a PASS/MISS line ("-": not measured, MISS)
scale_verdict() {
    local n=$1 label=$2 v=$3 op=$4 lim=$5 unit=$6 res
    if [[ $v == - || -z $v ]]; then res=MISS; v="not measured"; else res=$(verdict "$v" "$op" "$lim"); fi
    printf '  %9d: %-40s %12s  (target %s %s%s)   %s\n' "$n" "$label" "$v$unit" "$op" "$lim" "$unit" "$res"
}

# section_scale - postqueue -j, snapshot and the console at BENCH_SCALE_SIZES deferred messages
section_scale() {
    queue_skip scale && return 0
    local sizes=() n t0 out depth names longq disk k db cache cold_args=$BENCH_SCALE_COLD_ARGS
    if [[ $cold_args == __default__ ]]; then
        cold_args=""
        "${MQ[@]}" --help 2>&1 | grep -q -- '--no-cache' && cold_args=--no-cache
    fi
    # the scale bed's bed.env sets these: local, so the shared bed's stay as they are
    # shellcheck disable=SC2034
    local BED_DIR BED_CONF BED_LOG BED_QUEUE BED_SMTPD_PORT BED_PEER_LOG BED_PEER_PID BED_PORT_BASE
    # shellcheck disable=SC2034
    local BED_PROFILES BED_TRANSPORT BED_SYSLOG_NAME
    local CONSOLE_COLS=100 CONSOLE_ROWS=30
    local -A R=()
    SCALE_DONE=()
    read -r -a sizes <<<"$BENCH_SCALE_SIZES"
    if ((${#sizes[@]} == 0)); then
        echo "== scale: skipped: BENCH_SCALE_SIZES is empty =="
        echo
        return 0
    fi
    mapfile -t sizes < <(printf '%s\n' "${sizes[@]}" | sort -n -u)
    [[ -x $GROW ]] || die "$GROW not built (run: make bench/grow-queue)"
    [[ -x $WAVE ]] || die "$WAVE not built (run: make bench/retry-wave)"
    echo "== scale: a Postfix bed grown to ${sizes[*]} deferred messages (copies of real queue files" \
        "and defer logs), one run each; console ${CONSOLE_COLS}x${CONSOLE_ROWS} in tmux =="
    scale_bed_up
    depth=$(postconf -c "$BED_CONF" -h hash_queue_depth)
    names=$(postconf -c "$BED_CONF" -h hash_queue_names)
    longq=()
    [[ $(postconf -c "$BED_CONF" -h enable_long_queue_ids) == yes ]] && longq=(-l)
    for n in "${sizes[@]}"; do
        scale_room "$n" || continue
        out=$("$GROW" "${longq[@]}" -d "$depth" -H "$names" "$BED_QUEUE" "$n") || die "grow-queue failed"
        echo "  ${out#grow-queue: }"
        # names only: the floor of any walk of the queue
        t0=$(now)
        disk=$(find "$BED_QUEUE/deferred" -type f | wc -l)
        R[$n,find]=$(since "$t0")
        ((disk >= n)) || die "the deferred queue holds $disk files after growing to $n"
        # the history and the model cache of this size's runs: a directory of their own
        rm -rf "$WORK/scale-data"
        export XDG_DATA_HOME=$WORK/scale-data
        if [[ $BENCH_SCALE_CONSOLE_ONLY == 1 ]]; then
            # the console alone (iterating on keys): the listing and snapshot rows stay "-",
            # but one snapshot writes the model cache the warm console start reads
            for k in pq pq-count snap-cold snap-warm snap-cold-x snap-warm-x snap-prime-x snap-cold-rss \
                snap-warm-rss snap-cold-count snap-warm-count; do R[$n,$k]="-"; done
            scale_snapshot "$n" snap-prime
        else
            t0=$(now)
            R[$n,pq-count]=$(postqueue -c "$BED_CONF" -j | wc -l) || die "postqueue -j failed"
            R[$n,pq]=$(since "$t0")
            # shellcheck disable=SC2086
            scale_snapshot "$n" snap-cold $cold_args
            scale_snapshot "$n" snap-prime
            scale_snapshot "$n" snap-warm
            R[$n,snap-cold-x]=$(ratio "${R[$n,snap-cold]}" "${R[$n,pq]}")
            R[$n,snap-prime-x]=$(ratio "${R[$n,snap-prime]}" "${R[$n,pq]}")
            R[$n,snap-warm-x]=$(ratio "${R[$n,snap-warm]}" "${R[$n,pq]}")
        fi
        # the console's store beside the snapshots' cache (the cache is the store's name + .qcache)
        db=$WORK/scale-$n.db
        cache=$(ls "$WORK"/scale-data/mqmon/*.qcache 2>/dev/null | head -n 1)
        [[ -n $cache ]] && db=${cache%.qcache}.db
        R[$n,cache-mb]=$([[ -n $cache ]] && mb $(($(stat -c %s "$cache") / 1024)) || echo -)
        rm -f "$db" "$db"-*
        # shellcheck disable=SC2086
        scale_console "$n" cold "$db" $cold_args
        scale_console "$n" warm "$db"
        rm -rf "$WORK/scale-data" "$WORK/scale-$n.db"*
        unset XDG_DATA_HOME
        for k in snap-cold snap-prime snap-warm cold warm; do
            [[ ${R[$n,$k-rss]} == - ]] && R[$n,$k-bpm]="-" ||
                R[$n,$k-bpm]=$(awk -v m="${R[$n,$k-rss]}" -v n="$n" 'BEGIN { printf "%.0f", m * 1048576 / n }')
        done
        SCALE_DONE+=("$n")
        echo "  $n: postqueue -j ${R[$n,pq]} s, snapshot ${R[$n,snap-cold]} s / ${R[$n,snap-warm]} s," \
            "first frame ${R[$n,cold-frame]} s / ${R[$n,warm-frame]} s"
    done
    ((${#SCALE_DONE[@]})) || { echo; return 0; }

    echo
    printf '  %-36s %-3s' "deferred messages" ""
    for n in "${SCALE_DONE[@]}"; do printf ' %11d' "$n"; done
    ((${#SCALE_DONE[@]} > 1)) && printf ' %10s' "last/first"
    echo
    scale_row "find deferred -type f | wc -l" s find
    scale_row "postqueue -j | wc -l" s pq
    scale_row "snapshot --no-log, cold" s snap-cold
    scale_row "  / postqueue -j" x snap-cold-x no
    scale_row "  peak RSS" MB snap-cold-rss
    scale_row "  peak RSS per message" B snap-cold-bpm no
    scale_row "snapshot, 1st with cache (writes it)" s snap-prime
    scale_row "  / postqueue -j" x snap-prime-x no
    scale_row "  cache file" MB cache-mb
    scale_row "snapshot --no-log, warm (cache)" s snap-warm
    scale_row "  / postqueue -j" x snap-warm-x no
    scale_row "  peak RSS" MB snap-warm-rss
    scale_row "  peak RSS per message" B snap-warm-bpm no
    scale_row "console cold: first frame" s cold-frame
    scale_row "  all messages in the header" s cold-full
    scale_row "  retry wave ($SCALE_WAVE msgs) on screen" ms cold-wave
    scale_row "    the wave itself took" s cold-wave-s no
    scale_row "  Enter on a cause (its messages)" ms cold-cause
    scale_row "  Tab (Causes -> Messages)" ms cold-tab
    scale_row "  s (sort: next key)" ms cold-sort
    scale_row "  PgDn (a page down)" ms cold-pgdn
    scale_row "  G (the end of the table)" ms cold-end
    scale_row "  Enter (message detail)" ms cold-detail
    scale_row "  / $SCALE_FILTER Enter (search)" ms cold-filter
    scale_row "  peak RSS" MB cold-rss
    scale_row "  peak RSS per message" B cold-bpm no
    scale_row "console warm: first frame" s warm-frame
    scale_row "  all messages in the header" s warm-full
    scale_row "  retry wave ($SCALE_WAVE msgs) on screen" ms warm-wave
    scale_row "    the wave itself took" s warm-wave-s no
    scale_row "  Enter on a cause (its messages)" ms warm-cause
    scale_row "  Tab (Causes -> Messages)" ms warm-tab
    scale_row "  s (sort: next key)" ms warm-sort
    scale_row "  PgDn (a page down)" ms warm-pgdn
    scale_row "  G (the end of the table)" ms warm-end
    scale_row "  Enter (message detail)" ms warm-detail
    scale_row "  / $SCALE_FILTER Enter (search)" ms warm-filter
    scale_row "  peak RSS" MB warm-rss
    scale_row "  peak RSS per message" B warm-bpm no
    echo
    echo "  cold = a fresh store and BENCH_SCALE_COLD_ARGS (${cold_args:-none});" \
        "warm = a second start on the same store, with the model cache. Page cache: as the run left it (the copies were"
    echo "  just written, so the files are in memory); nothing is dropped. Key times include tmux's" \
        "delivery and a capture-pane poll every 10 ms."
    if ! "${MQ[@]}" --help 2>&1 | grep -q -- '--no-cache'; then
        echo "  This mqmon keeps no model between runs: warm is a second cold run."
    fi
    echo
    for n in "${SCALE_DONE[@]}"; do
        [[ ${R[$n,pq-count]} == "$n" || $BENCH_SCALE_CONSOLE_ONLY == 1 ]] ||
            echo "  CHECK: at $n postqueue -j listed ${R[$n,pq-count]} messages"
        [[ ${R[$n,snap-cold-count]} == "$n" && ${R[$n,snap-warm-count]} == "$n" ]] || [[ $BENCH_SCALE_CONSOLE_ONLY == 1 ]] ||
            echo "  CHECK: at $n the snapshot counted ${R[$n,snap-cold-count]} / ${R[$n,snap-warm-count]} deferred"
        scale_verdict "$n" "console first frame, cold" "${R[$n,cold-frame]}" "<=" "$TARGET_SCALE_FRAME" " s"
        scale_verdict "$n" "console first frame, warm" "${R[$n,warm-frame]}" "<=" "$TARGET_SCALE_FRAME" " s"
        scale_verdict "$n" "full model cold / postqueue -j" "${R[$n,snap-cold-x]}" "<=" "$TARGET_SCALE_COLD" "x"
        scale_verdict "$n" "full model warm / postqueue -j" "${R[$n,snap-warm-x]}" "<=" "$TARGET_SCALE_WARM" "x"
        for k in cause tab sort pgdn end detail filter; do
            scale_verdict "$n" "key $k (cold start / warm start)" \
                "$(worst "${R[$n,cold-$k]}" "${R[$n,warm-$k]}")" "<=" "$TARGET_SCALE_KEY_MS" " ms"
        done
        scale_verdict "$n" "retry wave on screen (cold / warm start)" \
            "$(worst "${R[$n,cold-wave]}" "${R[$n,warm-wave]}")" "<=" "$TARGET_SCALE_WAVE_MS" " ms"
        if ((n >= 1000000)); then
            scale_verdict "$n" "console peak RSS" "${R[$n,cold-rss]}" "<=" "$TARGET_SCALE_RSS_MB" " MB"
            scale_verdict "$n" "snapshot peak RSS" "${R[$n,snap-cold-rss]}" "<=" "$TARGET_SCALE_RSS_MB" " MB"
        else
            printf '  %9d: %-40s %12s  (the target, %s MB, is at 1,000,000)\n' "$n" "console peak RSS" \
                "${R[$n,cold-rss]} MB" "$TARGET_SCALE_RSS_MB"
        fi
        if ((n == 200000)); then
            # the issue's acceptance check on a 200,000-message bed
            scale_verdict "$n" "issue check: cause row, cold start" "${R[$n,cold-frame]}" "<=" 1 " s"
            scale_verdict "$n" "issue check: cause row, warm start" "${R[$n,warm-frame]}" "<=" 1 " s"
            scale_verdict "$n" "issue check: Tab (both starts)" \
                "$(worst "${R[$n,cold-tab]}" "${R[$n,warm-tab]}")" "<=" 300 " ms"
            scale_verdict "$n" "issue check: console RSS (both starts)" \
                "$(worst "${R[$n,cold-rss]}" "${R[$n,warm-rss]}")" "<=" 120 " MB"
        fi
    done
    scale_bed_down
    echo
}

FLEET_PIDS=()               # the fleet section's streams (ended on exit)

# section_fleet - three fleet hosts over a private sshd on loopback, each an alias of the bench bed (the same
# BENCH_BED_SIZE-message instance three times): the merged snapshot, each stream's first model, then idle
# bytes per host and the idle CPU of a stream; the fleet console's first frame (its header with the three
# hosts' totals) and its idle CPU
section_fleet() {
    queue_skip fleet && return 0
    local sshd secs=$BENCH_IDLE_SECONDS port=${BENCH_SSH_PORT:-7692} t0 dt n h i a b tck cpu pct mq
    sshd=$(command -v sshd || echo /usr/sbin/sshd)
    [[ -x $sshd ]] || { echo "== fleet: skipped: sshd not installed (make deps: openssh-server) =="; echo; return 0; }
    echo "== fleet: 3 hosts over ssh (loopback sshd; each an alias of the same bed) for ${secs}s idle =="
    bed_up
    (($(bed_total) >= BENCH_BED_SIZE)) || bed_fill "$BENCH_BED_SIZE"
    echo "  queue: $(bed_state)"
    mq=$(realpath "${MQ[0]}")
    mkdir -p /run/sshd
    ssh-keygen -q -t ed25519 -N '' -f "$WORK/hostkey" >/dev/null && ssh-keygen -q -t ed25519 -N '' -f "$WORK/id" >/dev/null
    cp "$WORK/id.pub" "$WORK/authorized_keys"
    printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $WORK/hostkey" "PidFile $WORK/sshd.pid" \
        "AuthorizedKeysFile $WORK/authorized_keys" "PasswordAuthentication no" "KbdInteractiveAuthentication no" \
        "PermitRootLogin prohibit-password" "StrictModes no" "UsePAM no" "AcceptEnv MAIL_CONFIG XDG_DATA_HOME" >"$WORK/sshd.conf"
    "$sshd" -f "$WORK/sshd.conf" -E "$WORK/sshd.log" || die "fleet: sshd did not start"
    for h in mxa mxb mxc; do
        printf '%s\n' "Host $h" "  HostName 127.0.0.1" "  Port $port" "  SetEnv MAIL_CONFIG=$BED_CONF XDG_DATA_HOME=$WORK/data"
    done >"$WORK/ssh_config"
    printf '%s\n' "Host *" "  User root" "  IdentityFile $WORK/id" "  IdentitiesOnly yes" "  StrictHostKeyChecking no" \
        "  UserKnownHostsFile /dev/null" "  LogLevel ERROR" >>"$WORK/ssh_config"
    printf '%s\n' "[mqmon]" "db = $WORK/fleet.db" "[fleet]" "hosts = mxa mxb mxc" \
        "ssh_command = ssh -F $WORK/ssh_config" "remote_mqmon = $mq" >"$WORK/fleet.ini"
    sleep 0.5
    t0=$(now)
    "$mq" --config "$WORK/fleet.ini" snapshot --format json >"$WORK/fleet.json" || die "fleet: the snapshot failed"
    dt=$(since "$t0")
    n=$(jq '.messages | length' "$WORK/fleet.json")
    printf '  %-44s %8s s  (%d messages, %d bytes)\n' "fleet snapshot (3 hosts, parallel):" "$dt" "$n" \
        "$(stat -c %s "$WORK/fleet.json")"
    t0=$(now)
    for h in mxa mxb mxc; do
        ssh -F "$WORK/ssh_config" "$h" "$mq --no-fleet stream" >"$WORK/stream-$h" 2>/dev/null < <(sleep $((secs + 600))) &
        FLEET_PIDS+=($!)
    done
    "$mq" -c "$BED_CONF" stream >"$WORK/stream-local" 2>/dev/null < <(sleep $((secs + 600))) &
    FLEET_PIDS+=($!)
    for i in $(seq 600); do
        n=0
        for h in mxa mxb mxc; do grep -q '"type":"end"' "$WORK/stream-$h" 2>/dev/null && n=$((n + 1)); done
        ((n == 3)) && break
        sleep 0.2
    done
    dt=$(since "$t0")
    printf '  %-44s %8s s  (%d bytes a host)\n' "first model of 3 streams over ssh:" "$dt" "$(stat -c %s "$WORK/stream-mxa")"
    sleep 3
    tck=$(getconf CLK_TCK)
    declare -A size0
    for h in mxa mxb mxc; do size0[$h]=$(stat -c %s "$WORK/stream-$h"); done
    a=$(cpu_ticks "${FLEET_PIDS[3]}")
    sleep "$secs"
    b=$(cpu_ticks "${FLEET_PIDS[3]}") || die "fleet: the local stream died"
    cpu=$(awk -v t=$((b - a)) -v h="$tck" 'BEGIN { printf "%.2f", t / h }')
    pct=$(awk -v c="$cpu" -v s="$secs" 'BEGIN { printf "%.2f", 100 * c / s }')
    for h in mxa mxb mxc; do
        n=$(($(stat -c %s "$WORK/stream-$h") - size0[$h]))
        printf '  %-44s %8d bytes in %ss (%.1f bytes/s; target < 1024)  %s\n' "idle stream payload, $h:" "$n" "$secs" \
            "$(awk -v b="$n" -v s="$secs" 'BEGIN { print b / s }')" "$(awk -v b="$n" -v s="$secs" 'BEGIN { print (b / s < 1024) ? "PASS" : "MISS" }')"
    done
    printf '  %-44s %8s%% of a core (%s s CPU in %ss)\n' "idle stream CPU (a stream on the bed):" "$pct" "$cpu" "$secs"
    for i in "${FLEET_PIDS[@]}"; do kill "$i" 2>/dev/null || true; done
    FLEET_PIDS=()
    # the fleet console (160x40, tmux): start to the header with all three hosts' totals, then idle CPU
    n=$(($(bed_total) * 3))
    t0=$(now)
    tmux -L "$TSOCK" new-session -d -s fleet -x 160 -y 40 "$mq --config $WORK/fleet.ini"
    for i in $(seq 1800); do
        tmux -L "$TSOCK" capture-pane -p -t fleet 2>/dev/null | grep -qE "^ mqmon fleet \| 3/3 hosts ok \| $n msgs" && break
        sleep 0.1
    done
    dt=$(since "$t0")
    tmux -L "$TSOCK" capture-pane -p -t fleet | grep -qE "^ mqmon fleet \| 3/3 hosts ok \| $n msgs" ||
        die "fleet: the console never showed the three hosts' $n messages: $(tmux -L "$TSOCK" capture-pane -p -t fleet | head -1)"
    printf '  %-44s %8s s  (%d messages on 3 hosts in the header)\n' "fleet console first frame:" "$dt" "$n"
    i=$(tmux -L "$TSOCK" list-panes -t fleet -F '#{pane_pid}')
    sleep 5
    a=$(cpu_ticks "$i")
    sleep "$secs"
    b=$(cpu_ticks "$i") || die "fleet: the console died during the window"
    cpu=$(awk -v t=$((b - a)) -v h="$tck" 'BEGIN { printf "%.2f", t / h }')
    pct=$(awk -v c="$cpu" -v s="$secs" 'BEGIN { printf "%.2f", 100 * c / s }')
    printf '  %-44s %8s%% of a core (%s s CPU in %ss; target < %s%%)  %s\n' "idle fleet console CPU:" "$pct" "$cpu" \
        "$secs" "$TARGET_IDLE_CPU_PCT" "$(awk -v p="$pct" -v l="$TARGET_IDLE_CPU_PCT" 'BEGIN { print (p < l) ? "PASS" : "MISS" }')"
    tmux -L "$TSOCK" kill-session -t fleet
    kill "$(cat "$WORK/sshd.pid")" 2>/dev/null || true
    rm -f "$WORK/sshd.pid"
    echo
}

# main - run the requested sections (all by default)
# section_exim - the same model and log against Exim's own tools, on a private Exim bed
# (tests/bed/exim.sh): mqmon snapshot (spool) and --source listing vs `exim -bp`, classify vs grep
section_exim() {
    local n=${BENCH_EXIM_SIZE:-1000} t_sp t_ls t_bp t_cl t_gr got bp
    echo "== exim: mqmon on a private Exim bed of $n deferred messages vs exim -bp and grep, best of $RUNS =="
    [[ $(id -u) -eq 0 ]] || { echo "  skipped: needs root"; echo; return 0; }
    # shellcheck source=../tests/bed/exim.sh
    . tests/bed/exim.sh
    if ! exim_bed_install >/dev/null 2>&1 || ! exim_bed_start $((BENCH_PORT_BASE + 60)) >/dev/null 2>&1; then
        echo "  skipped: the Exim bed cannot run here (${EXIM_BED_ERROR:-see tests/bed/exim.sh})"; echo
        return 0
    fi
    exim_bed_inject "$n" gmail.com yahoo.com outlook.com busy.example >/dev/null || die "exim inject failed"
    "$EXIM_BIN" -C "$EXIM_CONF" -qff >/dev/null 2>&1
    exim_bed_wait_idle 600 >/dev/null || true
    timeit "snapshot (spool)" "${MQ[@]}" -c "$EXIM_CONF" snapshot --no-log
    t_sp=$TIMEIT_BEST
    timeit "snapshot --source listing" "${MQ[@]}" -c "$EXIM_CONF" snapshot --no-log --source listing
    t_ls=$TIMEIT_BEST
    # shellcheck disable=SC2016
    timeit -o "$WORK/bp.count" "exim -bp | wc -l" sh -c '"$1" -C "$2" -bp | wc -l' _ "$EXIM_BIN" "$EXIM_CONF"
    t_bp=$TIMEIT_BEST
    timeit "classify mainlog" "${MQ[@]}" classify "$EXIM_LOG"
    t_cl=$TIMEIT_BEST
    timeit "grep ' == ' mainlog" grep -c " == " "$EXIM_LOG"
    t_gr=$TIMEIT_BEST
    got=$("${MQ[@]}" -c "$EXIM_CONF" snapshot --no-log | jq '.totals.messages') || die "exim snapshot failed"
    bp=$("$EXIM_BIN" -C "$EXIM_CONF" -bpc)
    echo
    printf '  %-40s %8s s  %6sx exim -bp\n' "snapshot (spool, retry database)" "$t_sp" "$(ratio "$t_sp" "$t_bp")"
    printf '  %-40s %8s s  %6sx exim -bp\n' "snapshot --source listing (exim -bp)" "$t_ls" "$(ratio "$t_ls" "$t_bp")"
    printf '  %-40s %8s s\n' "exim -bp | wc -l" "$t_bp"
    printf '  %-40s %8s s  %6sx grep\n' "classify the main log" "$t_cl" "$(ratio "$t_cl" "$t_gr")"
    ((got == bp)) || echo "  CHECK: the model counted $got messages, exim -bpc $bp"
    echo
    exim_bed_stop
}

main() {
    local s all=("${SECTIONS[@]}")
    (($# > 0)) && SECTIONS=("$@")
    for s in "${SECTIONS[@]}"; do
        declare -F "section_${s//-/_}" >/dev/null || die "unknown section: $s (have: ${all[*]})"
    done
    WORK=$(mktemp -d /tmp/mqmon-bench.XXXXXX)
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    header
    if [[ " ${SECTIONS[*]} " == *" classify "* || " ${SECTIONS[*]} " == *" ingest "* ||
          " ${SECTIONS[*]} " == *" live "* ]]; then
        ensure_log
    fi
    for s in "${SECTIONS[@]}"; do "section_${s//-/_}"; done
}

main "$@"
