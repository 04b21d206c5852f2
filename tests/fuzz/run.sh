#!/usr/bin/env bash
# run.sh - run libFuzzer targets one after another (make fuzz)
#
#   FUZZ_SECONDS=1800 tests/fuzz/run.sh build-fuzz/fuzz_rules ...
#
# Each target runs FUZZ_SECONDS on its corpus build-fuzz/corpus-NAME, seeded
# from tests/fuzz/seeds/NAME plus the shipped files it reads (rules/,
# themes/, the golden logs and queue files, the Exim captures). Its output goes to
# build-fuzz/NAME.log, a crashing input to build-fuzz/NAME-crash-*, and one
# line per target to build-fuzz/summary.txt: ok or CRASH, libFuzzer's final
# stats (runs, executions per second, new corpus units, peak memory) and,
# after a crash, the input and the first line of the report. A crash stops
# that target, not the others. Exit status 1 when any target crashed.
#
# Properties that a pending fix will make true can be left out meanwhile:
# FUZZ_SANITIZE_SKIP_BIDI=1 (fuzz_sanitize), FUZZ_WRITERS_CLEAN_INPUT=1
# (fuzz_writers); see the targets' headers.
set -u
cd "$(dirname "$0")/../.." || exit 2
seconds=${FUZZ_SECONDS:-60}
summary=build-fuzz/summary.txt
mkdir -p build-fuzz
: >"$summary"
status=0

# seeds NAME - the seed directories of a target
seeds() {
	[ -d "tests/fuzz/seeds/$1" ] && echo "tests/fuzz/seeds/$1"
	case "$1" in
	fuzz_rules) echo rules ;;
	fuzz_theme) echo themes ;;
	fuzz_logline | fuzz_qfile) echo tests/golden tests/golden/qfile ;;
	fuzz_exim_log | fuzz_exim_hfile) echo tests/golden/exim ;;
	esac
}

# max_len NAME - the longest input (the shipped rules file is 35 kB)
max_len() {
	case "$1" in
	fuzz_rules) echo 49152 ;;
	*) echo 4096 ;;
	esac
}

# stat LOG KEY - a value of libFuzzer's final stats (-print_final_stats)
stat() {
	sed -n "s/^stat::$2: *//p" "$1" | tail -1
}

for t in "$@"; do
	name=$(basename "$t")
	log=build-fuzz/$name.log
	mkdir -p "build-fuzz/corpus-$name"
	echo "== $name ($seconds s)"
	# shellcheck disable=SC2046
	"$t" -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=30 -print_final_stats=1 \
		-artifact_prefix="build-fuzz/$name-" "build-fuzz/corpus-$name" $(seeds "$name") >/dev/null 2>"$log"
	rc=$?
	line=$(printf '%-16s %-5s runs=%s exec/s=%s new_units=%s peak_rss_mb=%s corpus=%s' "$name" \
		"$([ $rc -eq 0 ] && echo ok || echo CRASH)" "$(stat "$log" number_of_executed_units)" \
		"$(stat "$log" average_exec_per_sec)" "$(stat "$log" new_units_added)" "$(stat "$log" peak_rss_mb)" \
		"$(find "build-fuzz/corpus-$name" -type f | wc -l)")
	if [ $rc -ne 0 ]; then
		status=1
		artifact=$(sed -n 's/^artifact_prefix=.*; Test unit written to //p' "$log" | tail -1)
		report=$(grep -m1 -E '^(==[0-9]+==ERROR|fuzz_[a-z_]+:|.*runtime error:)' "$log")
		line="$line input=${artifact:-?} report: ${report:-see $log}"
		tail -40 "$log"
	fi
	echo "$line" | tee -a "$summary"
done
exit $status
