#!/usr/bin/env bash
# columns.sh - the Messages view's columns on the real bed (issue 12): at 80
# columns the default shows the recipient, the SMTP code and DSN of the last
# reply and the cause; at 120 the start of the reply too; `[console] columns`
# chooses them (an unknown name is refused with the valid ones); and the
# Domains view's CAUSES mix counts only the mail a search matches, as the
# row's count does.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
bed_start 5620
inject 12 gmail.com greylist.example outlook.com
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 12 >/dev/null
trap 'tmux_stop; bed_stop' EXIT
db=$BED/tui.db
cmd() { tm send-keys -t t ":$1" Enter; }

# --- the Domains view's cause mix under a search: one gmail.com message matches
one=$(postqueue -c "$BED_CONF" -j | jq -r '.recipients[].address | select(endswith("@gmail.com"))' | sort | head -1)
n_gm=$(postqueue -c "$BED_CONF" -j | jq -r 'select(any(.recipients[]; .address | endswith("@gmail.com"))) | .queue_id' | wc -l)
start "$MQMON -c $BED_CONF --log $BED_LOG --db $db" 140 30
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
cmd "view domains"
check "domains: without a search, gmail.com's mix counts its $n_gm messages" \
	wait_re "^gmail\\.com +gmail +$n_gm +$n_gm .* rate-limit $n_gm *$"
cmd "search $one"
wait_for "matching \"$one\"" >/dev/null
cmd "view domains"
check "domains: under a search the row counts the 1 matching message" wait_re "^gmail\\.com +gmail +1 +1 "
check "domains: ... and so does its cause mix (rate-limit 1, not $n_gm)" wait_re "^gmail\\.com +gmail +1 +1 .* rate-limit 1 *$"
tm send-keys -t t q
check "domains session quits" wait_for "EXIT=0"

finish
