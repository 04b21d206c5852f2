#!/usr/bin/env bash
# nonroot.sh - mqmon run by an unprivileged user (nobody) on the real bed:
# the spool is unreadable, so the model comes from postqueue -j; the log
# still drives live updates; actions fail clearly (postsuper needs root).
#
# postqueue -c DIR as non-root requires DIR in alternate_config_directories
# of the default configuration, /etc/postfix/main.cf. The test never
# touches that file: it runs mqmon in a private mount namespace (unshare)
# where a scratch directory is bind-mounted over /etc/postfix.
set -u
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/tui/tmux.sh"
need_bed
command -v unshare >/dev/null && command -v setpriv >/dev/null || skip "unshare/setpriv not installed (util-linux)"
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
unshare -m --propagation private true 2>/dev/null || skip "cannot create a mount namespace here"
bed_start 3620
work=$(mktemp -d /tmp/mqmon-nonroot.XXXXXX)
chmod 755 "$work"
trap 'tm kill-server 2>/dev/null; rm -rf "$work"; bed_stop' EXIT
mkdir "$work/etc" "$work/home"
cp -a /etc/postfix/. "$work/etc/" 2>/dev/null
printf 'alternate_config_directories = %s\n' "$BED_CONF" >"$work/etc/main.cf"
chown nobody "$work/home"

# nobody runs a copy of mqmon (lib.sh): the checkout may be where nobody cannot go
check "nobody can run a copy of mqmon" nobody_prepare "$work"
# asnobody CMD... - CMD as nobody, in a namespace where /etc/postfix allows the bed's configuration
# shellcheck disable=SC2034 # read by as_nobody (lib.sh)
NOBODY_WRAP=(unshare -m --propagation private sh -c 'mount --bind "$0" /etc/postfix && exec "$@"' "$work/etc")
asnobody() {
	as_nobody env HOME="$work/home" XDG_DATA_HOME="$work/home/data" TERM=xterm-256color SHELL=/bin/sh "$@"
}
# instance_db - nobody's default history of the bed's instance (one per instance: mqmon@<config dir>.db)
instance_db() {
	printf '%s/home/data/mqmon/mqmon@%s.db' "$work" "$(realpath "$BED_CONF" | sed 's|^/||; s|/|_|g')"
}
# the console's tmux server runs as nobody too; root reads its screen through the socket.
# SHELL is set above: without it tmux runs commands with nobody's login shell, nologin.
tm() { tmux -S "$work/home/tmux.sock" "$@"; }
start() {
	tm kill-server 2>/dev/null
	asnobody tmux -S "$work/home/tmux.sock" -f /dev/null new-session -d -s t -x "${2:-80}" -y "${3:-24}" \
		"$1; echo EXIT=\$?; sleep 60"
}

inject 6 gmail.com greylist.example
check "precondition: nobody cannot read the deferred queue" \
	test "$(asnobody sh -c "ls '$BED_QUEUE/deferred' >/dev/null 2>&1; echo \$?")" -ne 0
check_eq "precondition: nobody's postqueue -j lists the queue" \
	"$(asnobody postqueue -c "$BED_CONF" -j | jq -r .queue_id | sort -u)" "$(pq_ids)"

# snapshot: from postqueue -j, the same messages
asnobody "$NOBODY_MQMON" -c "$BED_CONF" snapshot >"$work/snap.json" 2>"$work/snap.err"
check_eq "snapshot as nobody: exit 0" "$?" 0
check_eq "snapshot as nobody: source postqueue" "$(jq -r .source "$work/snap.json")" postqueue
check_eq "snapshot as nobody: the messages postqueue -j lists" \
	"$(jq -r '.messages[].queue_id' "$work/snap.json" | sort -u)" "$(pq_ids)"
check "snapshot as nobody: causes from the log" \
	test "$(jq '[.messages[].recipients[] | select(.cause == "rate-limit")] | length' "$work/snap.json")" -gt 0
asnobody "$NOBODY_MQMON" -c "$BED_CONF" snapshot --source spool >/dev/null 2>"$work/err"
check "snapshot --source spool as nobody: refused" test "$?" -ne 0
check "snapshot --source spool as nobody: says why" grep -q "is not readable" "$work/err"

# actions: postsuper is root's; the refusal is clear and nothing changes
id=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "deferred") | .queue_id' | head -1)
asnobody "$NOBODY_MQMON" -c "$BED_CONF" hold "$id" >/dev/null 2>"$work/err"
check_eq "hold as nobody: exit 69" "$?" 69
check_eq "hold as nobody: postsuper's refusal shown, once" "$(grep -c "reserved for the superuser" "$work/err")" 1
check_eq "hold as nobody: the message is still deferred" \
	"$(postqueue -c "$BED_CONF" -j | jq -r "select(.queue_id == \"$id\") | .queue_name")" deferred
check "hold as nobody: audited as failed" \
	test "$(sqlite3 "$(instance_db)" "SELECT count(*) FROM actions WHERE ok = 0")" -eq 1

# the history from the (world-readable) log
asnobody "$NOBODY_MQMON" -c "$BED_CONF" ingest >"$work/out" 2>"$work/err"
check_eq "ingest as nobody: exit 0" "$?" 0
check_eq "ingest as nobody: every deferral stored" \
	"$(sqlite3 "$(instance_db)" "SELECT count(*) FROM attempt_rows WHERE status = 'deferred'")" \
	"$(grep -c 'status=deferred' "$BED_LOG")"

# the console: the model from postqueue -j, kept live by the log
start "$NOBODY_MQMON -c $BED_CONF" 100 30
check "console as nobody: shows the queue" wait_for "6 msgs: 6 deferred"
check "console as nobody: live (the log is followed)" has "live"
inject 4 yahoo.com
check "console as nobody: new mail shows up (log event, postqueue -j)" wait_for "10 msgs: 10 deferred"
check "console as nobody: the new provider" wait_for "yahoo"
tm send-keys -t t q
check "console as nobody: quits with status 0" wait_for "EXIT=0"
finish
