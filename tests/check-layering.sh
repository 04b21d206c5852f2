#!/usr/bin/env bash
# check-layering - the include rules of doc/architecture.md ("Layering"); prints each offending line and
# exits 1 when one is broken:
#   1. core/ never includes curses or tui/ headers;
#   2. a core/ folder includes only its own layer and the layers below it:
#        base < classify < log < history < mta < queue < postfix, exim, fleet
#   3. nothing names a backend but the backend itself and core/mta/registry.c: no other file includes
#      core/postfix/ or core/exim/ headers or names mta_postfix / mta_exim (unit tests and fuzz targets,
#      which test a backend's pure functions, may).
set -u
cd "$(dirname "$0")/.." || exit 2
fail=0

bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/|term\.h|panel\.h|tui/)' core/*/*.c core/*/*.h 2>/dev/null)
if [ -n "$bad" ]; then
	echo "layering: core/ includes curses or tui/ headers:"
	echo "$bad"
	fail=1
fi

declare -A level=([base]=0 [classify]=1 [log]=2 [history]=3 [mta]=4 [queue]=5 [postfix]=6 [exim]=6 [fleet]=6)
for f in core/*/*.c core/*/*.h; do
	[ -e "$f" ] || continue
	g=${f#core/}; g=${g%%/*}
	if [ -z "${level[$g]+x}" ]; then
		echo "layering: $f is in core/$g, a folder with no layer (add it to tests/check-layering.sh)"
		fail=1
		continue
	fi
	while IFS= read -r line; do
		inc=$(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"core\/([a-z_]+)\/.*/\1/p' <<<"${line#*:}")
		[ -n "$inc" ] || continue
		if [ -z "${level[$inc]+x}" ]; then
			echo "layering: $f:$line: unknown folder core/$inc"
			fail=1
		elif [ "$inc" != "$g" ] && [ "${level[$inc]}" -ge "${level[$g]}" ]; then
			[ "$f" = core/mta/registry.c ] && continue
			echo "layering: $f:$line: core/$g (layer ${level[$g]}) must not include core/$inc (layer ${level[$inc]})"
			fail=1
		fi
	done < <(grep -n '#[[:space:]]*include' "$f")
done

bad=$(grep -nE '#[[:space:]]*include[[:space:]]*"core/(postfix|exim)/|\bmta_(postfix|exim)\b' \
	core/*/*.c core/*/*.h cli/*.c cli/*.h tui/*.c tui/*.h 2>/dev/null \
	| grep -vE '^core/(postfix|exim)/|^core/mta/registry\.c:')
if [ -n "$bad" ]; then
	echo "layering: only the backends and core/mta/registry.c name an MTA backend:"
	echo "$bad"
	fail=1
fi
exit $fail
