#!/usr/bin/env bash
# bench/run.sh - mqmon benchmarks (run by `make bench` from the repo top)
#
# Usage: bench/run.sh [SECTION...]        (default: every section)
# Environment: MQMON  mqmon command (default ./mqmon; may hold arguments)
#              RUNS   timed runs per command, best one counts (default 3)
#
# Design: one shared input (bench/out/maillog-1M.log, made by bench/gen-log
# with a fixed seed, regenerated only when missing or older than gen-log),
# a `timeit` helper that runs a command N times and keeps the best wall-clock
# time, and one function per benchmark section.  A section prints its own
# table and PASS/MISS lines against the project targets.  A MISS never fails
# the script; only a command that fails (or a broken invariant such as an
# empty classify output) makes it exit non-zero.  To add a section, write a
# `section_NAME` function and append NAME to SECTIONS.
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

SECTIONS=(classify)

# targets from the project brief
TARGET_VS_PFLOGSUMM=20    # classify at least this many times faster than pflogsumm
TARGET_VS_GREP=5          # classify at most this many times slower than grep

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

# main - run the requested sections (all by default)
main() {
    local s all=("${SECTIONS[@]}")
    (($# > 0)) && SECTIONS=("$@")
    for s in "${SECTIONS[@]}"; do
        declare -F "section_$s" >/dev/null || die "unknown section: $s (have: ${all[*]})"
    done
    ensure_log
    for s in "${SECTIONS[@]}"; do "section_$s"; done
}

main "$@"
