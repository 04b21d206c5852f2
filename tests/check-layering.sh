#!/usr/bin/env bash
# check-layering - core/ must never include curses or tui/ headers (doc/architecture.md).
# Prints the offending lines and exits 1 when one does.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/|term\.h|panel\.h|tui/)' core/*/*.c core/*/*.h 2>/dev/null)
if [ -n "$bad" ]; then
	echo "layering: core/ includes curses or tui/ headers:"
	echo "$bad"
	exit 1
fi
exit 0
