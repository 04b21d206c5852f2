#!/usr/bin/env bash
# suite.sh - the test suite itself in hostile places (issue #11)
#
# #22: a checkout nobody cannot traverse (root's home is 0700, so is a
# `mktemp -d` directory) must still pass the tests that run mqmon as nobody:
# they run lib.sh's world-readable copy through as_nobody, never the
# checkout's files. This builds such a checkout (a 0700 directory with the
# binary, rules/ and themes/), runs the nobody path through the helpers, and
# checks that no test switches to nobody any other way.
# Also the crashes make fuzz found in the INI loaders.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
work=$(mktemp -d /tmp/mqmon-hostile-suite.XXXXXX)
trap 'rm -rf "$work"' EXIT

# fails CMD... - pass when CMD fails
fails() { ! "$@"; }

# no_other_switch_to_nobody - every setpriv/runuser/su/sudo -u in the test scripts is lib.sh's as_nobody
# (the Exim bed's check that its daemon user, Debian-exim, can run the binary is no switch to nobody)
no_other_switch_to_nobody() {
	! grep -nE '(^|[^_[:alnum:]])(setpriv|runuser|su -|sudo -u)([^_[:alnum:]]|$)' \
		"$TOP"/tests/*/*.sh "$TOP"/tests/*.sh |
		grep -vE "^$TOP/tests/e2e/lib.sh:|^$TOP/tests/hostile/suite.sh:|command -v|--reuid=\"\\\$EXIM_BED_USER\""
}

check "#22 every test switches to nobody through as_nobody (lib.sh)" no_other_switch_to_nobody

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	# a checkout in a directory only root can enter
	priv=$(mktemp -d "$work/checkout.XXXXXX")
	cp "$MQMON" "$priv/mqmon" && cp -R "${MQMON_DATADIR:-$TOP}/rules" "${MQMON_DATADIR:-$TOP}/themes" "$priv/"
	chmod 700 "$priv"
	chmod 755 "$work"
	scratch=$work/scratch
	mkdir "$scratch"
	cp "$TOP/tests/golden/causes.log" "$scratch/causes.log"
	chmod 644 "$scratch/causes.log"
	mkdir "$scratch/home" && chown nobody "$scratch/home"
	check "#22 precondition: nobody cannot run the 0700 checkout's binary" fails as_nobody "$priv/mqmon" --version
	# what the e2e scripts do, with TOP, MQMON and MQMON_DATADIR naming the private checkout
	saved_top=$TOP saved_mqmon=$MQMON saved_datadir=${MQMON_DATADIR-}
	TOP=$priv MQMON=$priv/mqmon MQMON_DATADIR=$priv
	export MQMON_DATADIR
	check "#22 nobody_prepare copies what nobody runs out of a 0700 checkout" nobody_prepare "$scratch"
	# (compared as line count and digest: a difference is the whole output)
	want=$("$MQMON" classify "$scratch/causes.log" 2>&1 | wc -l; "$MQMON" classify "$scratch/causes.log" 2>&1 | md5sum)
	got=$(as_nobody "${NOBODY_MQMON:-none}" classify "$scratch/causes.log" 2>&1 | tee "$work/nobody.out" | wc -l;
		md5sum <"$work/nobody.out")
	check "#22 root's binary classifies the log" test "$(head -1 <<<"$want")" -gt 50
	check_eq "#22 nobody's copy: the same classification as root's binary" "$got" "$want"
	chmod 600 "$scratch/causes.log"
	as_nobody env HOME="$scratch/home" XDG_DATA_HOME="$scratch/home" "${NOBODY_MQMON:-none}" ingest "$scratch/causes.log" \
		>/dev/null 2>"$work/err"
	check_eq "#22 nobody's copy: an unreadable log is exit 66 (not 126, not a missing rules file)" "$?" 66
	check "#22 nobody's copy: says permission denied" grep -q "permission denied: $scratch/causes.log" "$work/err"
	TOP=$saved_top MQMON=$saved_mqmon MQMON_DATADIR=$saved_datadir
	[ -n "$MQMON_DATADIR" ] || unset MQMON_DATADIR
else
	echo "skip #22 nobody checks: need root and setpriv"
fi

# found by make fuzz (fuzz_config, fuzz_rules): iniparser lists a section [a:b] among the keys of [a]
# without a value, and the loaders took that NULL for the key's value (a segfault)
printf '[mqmon]\nread_only = no\n[mqmon:theme]\n' >"$work/section.ini"
"$MQMON" --config "$work/section.ini" --dump-config >"$work/out" 2>"$work/err"
check_eq "#11 fuzz: a config section named like a key: no crash, exit 0" "$?" 0
check "#11 fuzz: a config section named like a key: said" grep -q "\[mqmon:theme\] is a section, not a key" "$work/err"
printf '[rule.a]\ncause = tls\ntext = starttls\nsample = 454 starttls\n[rule.a:sample2]\n' >"$work/rules.ini"
"$MQMON" rules --check "$work/rules.ini" >"$work/out" 2>"$work/err"
check_eq "#11 fuzz: a rules section named like a sample: no crash, exit 65 (a load error)" "$?" 65
check "#11 fuzz: a rules section named like a sample: said" grep -q "\[rule.a:sample2\] is a section, not a key" "$work/err"
finish
