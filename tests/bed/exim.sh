#!/usr/bin/env bash
# exim.sh - a private Exim 4 instance whose outbound mail goes to mqmon-peer on
# loopback, next to the Postfix bed (bed.sh): real Exim deferrals, log, spool
# and retry database without touching /etc/exim4, the system's Postfix or the
# network. doc/architecture.md (The Exim test bed) sums it up.
#
# Exim is never installed with apt (exim4 and postfix conflict: apt would
# remove Postfix). exim_bed_install downloads exim4-daemon-light and
# exim4-base with `apt-get download` into a cache and unpacks them with
# `dpkg -x` into a private root; it also installs libidn12 (the binary links
# it) and creates the system user Debian-exim (compiled into the binary).
#
# Sourced (tests, see tests/e2e/exim_bed.sh):
#   exim_bed_install           get Exim into the cache (once); sets EXIM_ROOT, EXIM_BIN,
#                              EXIM_DUMPDB, EXIM_VERSION; returns 1 with the reason in
#                              EXIM_BED_ERROR (and on stderr) when it cannot
#   exim_bed_start BASE [DIR]  private config, spool and logs in DIR (default a new
#                              /tmp/mqmon-exim-bed.XXXXXX), the peer on BASE+6..BASE+16,
#                              `exim -C CONF -bd -qINTERVAL` on 127.0.0.1:BASE+20; sets
#                              the EXIM_* variables below and stops the bed on EXIT
#                              (chained after an EXIT trap already set: start a
#                              Postfix bed first, then this one)
#   exim_bed_inject N DOMAIN...  queue N messages for user<i>@DOMAIN (round robin)
#   exim_bed_smtp_send SENDER RCPT...  send the message on stdin to the daemon by ESMTP
#   exim_bed_exim ARG...       the bed's exim: $EXIM_BIN -C $EXIM_CONF ARG...
#   exim_bed_wait_idle [SECS]  wait until only the daemon runs (no delivery, no queue run)
#   exim_bed_stop              stop the daemon, its children and the peer, remove DIR
#
# As a command:
#   exim.sh install                   exim_bed_install
#   exim.sh up DIR                    start a bed in DIR (port base MQMON_BED_PORT_BASE,
#                                     default 2620) and leave it running; DIR/exim-bed.env
#   exim.sh down DIR                  stop the bed in DIR and remove DIR
#   exim.sh inject DIR N DOMAIN...    exim_bed_inject on the bed in DIR
#
# Variables set by exim_bed_start (also in DIR/exim-bed.env):
#   EXIM_BED_DIR EXIM_CONF EXIM_SPOOL EXIM_LOG (mainlog) EXIM_LOG_DIR EXIM_PANICLOG
#   EXIM_PID_FILE EXIM_SMTP_PORT EXIM_PORT_BASE EXIM_CATCHALL_PORT EXIM_ROUTES
#   EXIM_HOLD_DOMAINS EXIM_DEFER_DOMAINS EXIM_PEER_LOG EXIM_PEER_PID EXIM_QUEUE_INTERVAL
#   and EXIM_ROOT EXIM_BIN EXIM_DUMPDB EXIM_VERSION from exim_bed_install.
#
# Environment:
#   MQMON_EXIM_CACHE (/var/cache/mqmon-exim)  the .debs and the unpacked root; every
#                    directory above it must be searchable by Debian-exim (the
#                    daemon re-executes the binary as that user)
#   MQMON_EXIM_BED_QUEUE_INTERVAL (1m)  the daemon's -q interval
#   MQMON_EXIM_BED_INJECT  queue (default: `exim -odq`, delivered at the next queue
#                    run) or smtp (ESMTP to the daemon, delivered on arrival)
#   MQMON_BED_PROFILES  the peer's profile file (tests/peer/profiles.ini)
#   MQMON_BED_TIMEOUT (60)  seconds start and wait_idle wait at most

EXIM_BED_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
EXIM_BED_SENDERS=(newsletter@shop.testbed.local alerts@testbed.local billing@testbed.local
	noreply@testbed.local support@help.testbed.local)
EXIM_BED_USER=Debian-exim
EXIM_BED_DIR=""
# shellcheck disable=SC2034 # read by the callers
EXIM_BED_ERROR=""

# exim_bed__fail - record why the bed cannot be set up, say it on stderr, return 1
exim_bed__fail() {
	EXIM_BED_ERROR=$*
	echo "exim.sh: $*" >&2
	return 1
}

# exim_bed__apt_get - apt-get non-interactively; on failure refresh the lists once and retry
exim_bed__apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get "$@" >&2 && return 0
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
		DEBIAN_FRONTEND=noninteractive apt-get "$@" >&2
}

# exim_bed__unpack CACHE - download the two .debs into CACHE/debs and unpack them into CACHE/root
exim_bed__unpack() {
	local cache=$1 deb
	rm -rf -- "$cache/debs.new" "$cache/root.new"
	mkdir -p "$cache/debs.new" "$cache/root.new" || return 1
	# apt's sandbox user must be able to write there, or apt warns and downloads as root
	getent passwd _apt >/dev/null && chown _apt "$cache/debs.new"
	if ! (cd "$cache/debs.new" && exim_bed__apt_get download -q exim4-daemon-light exim4-base); then
		echo "apt-get download exim4-daemon-light exim4-base failed" >&2
		rm -rf -- "$cache/debs.new" "$cache/root.new"
		return 1
	fi
	for deb in "$cache"/debs.new/*.deb; do
		dpkg -x "$deb" "$cache/root.new" || { echo "dpkg -x $deb failed" >&2; return 1; }
	done
	[[ -u $cache/root.new/usr/sbin/exim4 ]] ||
		{ echo "$cache/root.new/usr/sbin/exim4: missing or not setuid after dpkg -x" >&2; return 1; }
	rm -rf -- "$cache/debs" "$cache/root"
	mv "$cache/debs.new" "$cache/debs" && mv "$cache/root.new" "$cache/root" &&
		chown -R root:root "$cache/debs" &&
		dpkg-deb -f "$(ls "$cache"/debs/exim4-daemon-light_*.deb)" Version >"$cache/root/.mqmon-exim-complete"
}

# exim_bed_install - get Exim into the cache once, libidn12 and the Debian-exim user; set EXIM_ROOT etc.
exim_bed_install() {
	local cache=${MQMON_EXIM_CACHE:-/var/cache/mqmon-exim} err
	# shellcheck disable=SC2034 # read by the callers
	EXIM_BED_ERROR=""
	[[ $(id -u) -eq 0 ]] || { exim_bed__fail "needs root (apt-get, useradd, a setuid binary)"; return 1; }
	command -v apt-get >/dev/null && command -v dpkg >/dev/null ||
		{ exim_bed__fail "needs apt-get and dpkg (Debian or Ubuntu)"; return 1; }
	mkdir -p "$cache" && chmod 755 "$cache" || { exim_bed__fail "cannot create $cache"; return 1; }
	# one installer at a time (parallel test scripts share the cache)
	if ! err=$(
		exec 9>"$cache/.lock"
		flock 9
		if [[ ! -f $cache/root/.mqmon-exim-complete || ! -u $cache/root/usr/sbin/exim4 ]]; then
			echo "exim.sh: downloading Exim into $cache" >&2
			exim_bed__unpack "$cache" 2>&1 || exit 1
		fi
		if ! dpkg-query -W -f='${Status}' libidn12 2>/dev/null | grep -q "install ok installed"; then
			# --no-remove: never let apt remove anything (Postfix) for it
			exim_bed__apt_get install -y -qq --no-install-recommends --no-remove libidn12 2>&1 ||
				{ echo "apt-get install libidn12 failed"; exit 1; }
		fi
		if ! getent passwd "$EXIM_BED_USER" >/dev/null; then
			useradd --system --user-group --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin "$EXIM_BED_USER" 2>&1 ||
				{ echo "useradd $EXIM_BED_USER failed"; exit 1; }
		fi
	); then
		exim_bed__fail "cannot get Exim: $(awk '!seen[$0]++' <<<"$err" | tail -3 | paste -sd' ')"
		return 1
	fi
	EXIM_ROOT=$cache/root
	EXIM_BIN=$EXIM_ROOT/usr/sbin/exim4
	EXIM_DUMPDB=$EXIM_ROOT/usr/sbin/exim_dumpdb
	EXIM_VERSION=$(cat "$EXIM_ROOT/.mqmon-exim-complete")
	export EXIM_ROOT EXIM_BIN EXIM_DUMPDB EXIM_VERSION
	if ! err=$("$EXIM_BIN" -C /dev/null -bV 2>&1 </dev/null); then
		exim_bed__fail "$EXIM_BIN -bV fails: $(head -3 <<<"$err" | paste -sd' ')"
		return 1
	fi
	setpriv --reuid="$EXIM_BED_USER" --regid="$EXIM_BED_USER" --clear-groups test -x "$EXIM_BIN" ||
		{ exim_bed__fail "$EXIM_BED_USER cannot run $EXIM_BIN (a directory above it is not searchable; set MQMON_EXIM_CACHE)"; return 1; }
	return 0
}

# exim_bed__port_busy - true when something listens on 127.0.0.1:$1
exim_bed__port_busy() {
	if command -v ss >/dev/null; then
		[[ -n $(ss -Hltn "sport = :$1") ]]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

# exim_bed__smtp_answers - true when 127.0.0.1:$1 greets with 220 (then says QUIT)
exim_bed__smtp_answers() {
	# shellcheck disable=SC2016
	timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		IFS= read -r line <&3 || exit 1
		printf "QUIT\r\n" >&3
		[[ $line == 220* ]]' _ "$1" 2>/dev/null
}

# exim_bed__conf_pids CONF - pids of the processes whose argv has CONF (the daemon and its children)
exim_bed__conf_pids() {
	local p
	for p in /proc/[0-9]*; do
		[[ ${p#/proc/} != "$$" ]] || continue
		{ tr '\0' '\n' <"$p/cmdline"; } 2>/dev/null | grep -qxF -- "$1" && echo "${p#/proc/}"
	done
	return 0
}

# exim_bed__stop_peer PIDFILE - stop the mqmon-peer whose pid is in PIDFILE
exim_bed__stop_peer() {
	local pid i
	[[ -r $1 ]] || return 0
	pid=$(tr -dc 0-9 <"$1")
	[[ -n $pid ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q mqmon-peer || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# exim_bed__stop_exim CONF PIDFILE - stop the daemon, then whatever still runs with CONF
exim_bed__stop_exim() {
	local conf=$1 pidfile=$2 pid="" i left
	[[ -r $pidfile ]] && pid=$(tr -dc 0-9 <"$pidfile")
	if [[ -n $pid ]] && tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$conf"; then
		kill -TERM "$pid" 2>/dev/null
	fi
	for ((i = 0; i < 50; i++)); do
		left=$(exim_bed__conf_pids "$conf")
		[[ -z $left ]] && return 0
		# shellcheck disable=SC2086
		if ((i == 20)); then kill -TERM $left 2>/dev/null; fi
		# shellcheck disable=SC2086
		if ((i == 40)); then kill -KILL $left 2>/dev/null; fi
		sleep 0.1
	done
	echo "exim.sh: warning: processes of $conf still running: $left" >&2
}

# exim_bed__ensure_peer - build tests/peer/mqmon-peer when missing or out of date
exim_bed__ensure_peer() {
	local peer=$EXIM_BED_TOP/tests/peer/mqmon-peer
	if [[ ! -x $peer || $peer -ot $peer.c ]]; then
		flock /tmp/mqmon-peer-build.lock make --no-print-directory -C "$EXIM_BED_TOP" tests/peer/mqmon-peer >&2 ||
			return 1
	fi
}

# exim_bed_write_conf TEMPLATE OUT - the bed's config: TEMPLATE with its @NAME@ words replaced
exim_bed_write_conf() {
	sed -e "s|@EXIM_BIN@|$EXIM_BIN|g" -e "s|@SPOOL@|$EXIM_SPOOL|g" \
		-e "s|@LOGDIR@|$EXIM_LOG_DIR|g" -e "s|@PIDFILE@|$EXIM_PID_FILE|g" \
		-e "s|@SMTP_PORT@|$EXIM_SMTP_PORT|g" -e "s|@CATCHALL_PORT@|$EXIM_CATCHALL_PORT|g" \
		-e "s|@DIR@|$EXIM_BED_DIR|g" "$1" >"$2.tmp" &&
		! grep -n '@[A-Z_]*@' "$2.tmp" >&2 && chmod 644 "$2.tmp" && mv "$2.tmp" "$2"
}

# exim_bed__write_routes TRANSPORT OUT - the ROUTES lsearch file from the peer's transport map
exim_bed__write_routes() {
	local acc
	acc=$(awk '$1 == "accept.example" {sub(/.*:/, "", $2); print $2}' <<<"$1")
	{
		echo "# generated by exim.sh from the peer's profiles (port base $EXIM_PORT_BASE)"
		sed -nE 's/^([^ ]+) smtp:\[127\.0\.0\.1\]:([0-9]+)$/\1: 127.0.0.1::\2/p' <<<"$1"
		# bounces and notices to the bed's own senders are accepted
		echo "testbed.local: 127.0.0.1::${acc:-$EXIM_CATCHALL_PORT}"
		echo "*.testbed.local: 127.0.0.1::${acc:-$EXIM_CATCHALL_PORT}"
	} >"$2"
}

# exim_bed__write_env - DIR/exim-bed.env: the EXIM_* variables of the bed
exim_bed__write_env() {
	local v
	for v in EXIM_BED_DIR EXIM_ROOT EXIM_BIN EXIM_DUMPDB EXIM_VERSION EXIM_CONF EXIM_SPOOL \
		EXIM_LOG EXIM_LOG_DIR EXIM_PANICLOG EXIM_PID_FILE EXIM_SMTP_PORT EXIM_PORT_BASE \
		EXIM_CATCHALL_PORT EXIM_ROUTES EXIM_HOLD_DOMAINS EXIM_DEFER_DOMAINS EXIM_PEER_LOG \
		EXIM_PEER_PID EXIM_QUEUE_INTERVAL; do
		printf '%s=%q\n' "$v" "${!v}"
	done >"$EXIM_BED_DIR/exim-bed.env.tmp" && mv "$EXIM_BED_DIR/exim-bed.env.tmp" "$EXIM_BED_DIR/exim-bed.env"
}

# exim_bed__chain_exit_trap - run exim_bed_stop on EXIT, before an EXIT trap already set
exim_bed__chain_exit_trap() {
	local old words
	old=$(trap -p EXIT)
	if [[ -n $old ]]; then
		# trap -p prints: trap -- 'COMMAND' EXIT, quoted for the shell
		eval "words=($old)"
		old=${words[2]}
	fi
	[[ $old == *exim_bed_stop* ]] && return 0
	# shellcheck disable=SC2064
	trap "exim_bed_stop; ${old:-:}" EXIT
}

# exim_bed_start BASE [DIR] - start a bed in DIR (default a new /tmp directory); 1 on failure
exim_bed_start() {
	local base=${1:-} dir=${2:-} peer=$EXIM_BED_TOP/tests/peer/mqmon-peer profiles transport p i out
	local template=$EXIM_BED_TOP/tests/bed/exim.conf.in timeout=${MQMON_BED_TIMEOUT:-60}
	[[ -z $EXIM_BED_DIR ]] || { exim_bed__fail "a bed is already up in $EXIM_BED_DIR"; return 1; }
	[[ $base =~ ^[0-9]+$ ]] && ((base >= 1024 && base <= 65000)) ||
		{ exim_bed__fail "port base must be 1024..65000, not '$base'"; return 1; }
	[[ -n ${EXIM_BIN:-} && -x ${EXIM_BIN:-} ]] || exim_bed_install || return 1
	exim_bed__ensure_peer || { exim_bed__fail "cannot build $peer"; return 1; }
	profiles=$(realpath -- "${MQMON_BED_PROFILES:-$EXIM_BED_TOP/tests/peer/profiles.ini}")
	transport=$("$peer" -f "$profiles" -b "$base" -t) || { exim_bed__fail "$profiles: bad profile file"; return 1; }
	for p in $(awk -F: '{print $NF}' <<<"$transport" | sort -un) $((base + 19)) $((base + 20)); do
		exim_bed__port_busy "$p" &&
			{ exim_bed__fail "127.0.0.1:$p is already in use (another bed? use another port base)"; return 1; }
	done
	if [[ -z $dir ]]; then
		dir=$(mktemp -d /tmp/mqmon-exim-bed.XXXXXX) || { exim_bed__fail "mktemp failed"; return 1; }
	else
		dir=$(realpath -m -- "$dir")
		[[ ! -e $dir || -d $dir && -z $(ls -A "$dir") ]] ||
			{ exim_bed__fail "$dir exists and is not an empty directory"; return 1; }
		mkdir -p "$dir" || { exim_bed__fail "cannot create $dir"; return 1; }
	fi
	# Debian-exim must reach the config and its lookup files
	chmod 755 "$dir"
	: >"$dir/.mqmon-exim-bed"
	EXIM_BED_DIR=$dir
	exim_bed__chain_exit_trap

	EXIM_PORT_BASE=$base
	EXIM_SMTP_PORT=$((base + 20))
	EXIM_CATCHALL_PORT=$((base + 19))
	EXIM_CONF=$dir/exim.conf
	EXIM_SPOOL=$dir/spool
	EXIM_LOG_DIR=$dir/log
	EXIM_LOG=$EXIM_LOG_DIR/mainlog
	EXIM_PANICLOG=$EXIM_LOG_DIR/paniclog
	EXIM_PID_FILE=$dir/exim.pid
	EXIM_ROUTES=$dir/routes
	EXIM_HOLD_DOMAINS=$dir/hold_domains
	EXIM_DEFER_DOMAINS=$dir/defer_domains
	EXIM_PEER_LOG=$dir/peer.log
	EXIM_PEER_PID=$dir/peer.pid
	EXIM_QUEUE_INTERVAL=${MQMON_EXIM_BED_QUEUE_INTERVAL:-1m}
	export EXIM_BED_DIR EXIM_CONF EXIM_SPOOL EXIM_LOG EXIM_LOG_DIR EXIM_PANICLOG EXIM_PID_FILE \
		EXIM_SMTP_PORT EXIM_PORT_BASE EXIM_CATCHALL_PORT EXIM_ROUTES EXIM_HOLD_DOMAINS \
		EXIM_DEFER_DOMAINS EXIM_PEER_LOG EXIM_PEER_PID EXIM_QUEUE_INTERVAL

	# spool and logs belong to the exim user: its children create the log files
	install -d -o "$EXIM_BED_USER" -g "$EXIM_BED_USER" -m 750 "$EXIM_SPOOL" "$EXIM_LOG_DIR" ||
		{ exim_bed__fail "cannot create $EXIM_SPOOL and $EXIM_LOG_DIR"; return 1; }
	exim_bed__write_routes "$transport" "$EXIM_ROUTES"
	: >"$EXIM_HOLD_DOMAINS"
	: >"$EXIM_DEFER_DOMAINS"
	chmod 644 "$EXIM_ROUTES" "$EXIM_HOLD_DOMAINS" "$EXIM_DEFER_DOMAINS"
	exim_bed_write_conf "$template" "$EXIM_CONF" || { exim_bed__fail "cannot write $EXIM_CONF"; return 1; }
	# -bV does not check driver options: route an address to see the config is whole
	out=$("$EXIM_BIN" -C "$EXIM_CONF" -bt someone@gmail.com 2>&1) && grep -q "router = peers" <<<"$out" ||
		{ exim_bed__fail "$EXIM_CONF does not route: $(paste -sd' ' <<<"$out")"; return 1; }

	"$peer" -f "$profiles" -b "$base" -l "$EXIM_PEER_LOG" -p "$EXIM_PEER_PID" -d 2>>"$dir/peer.err" ||
		{ exim_bed__fail "mqmon-peer failed: $(cat "$dir/peer.err")"; return 1; }
	"$EXIM_BIN" -C "$EXIM_CONF" -bd -q"$EXIM_QUEUE_INTERVAL" </dev/null >>"$dir/exim.err" 2>&1 ||
		{ exim_bed__fail "exim -bd failed: $(tail -3 "$dir/exim.err" | paste -sd' ')"; return 1; }
	for ((i = 0; i < timeout * 10; i++)); do
		[[ -s $EXIM_PID_FILE && -s $EXIM_PEER_PID ]] && exim_bed__smtp_answers "$EXIM_SMTP_PORT" && break
		sleep 0.1
	done
	((i < timeout * 10)) ||
		{ exim_bed__fail "exim on 127.0.0.1:$EXIM_SMTP_PORT or the peer does not answer after ${timeout}s (see $dir)"; return 1; }
	for p in $(awk -F: '{print $NF}' <<<"$transport" | sort -un); do
		exim_bed__port_busy "$p" || { exim_bed__fail "mqmon-peer does not listen on 127.0.0.1:$p"; return 1; }
	done
	exim_bed__write_env
}

# exim_bed_exim ARG... - run the bed's exim with its config
exim_bed_exim() {
	"$EXIM_BIN" -C "$EXIM_CONF" "$@"
}

# exim_bed__message SENDER RCPT N - print test message number N
exim_bed__message() {
	local i
	printf 'From: %s\nTo: %s\nSubject: mqmon test message %s\nDate: %s\nMessage-ID: <%s.%s@testbed.local>\n\n' \
		"$1" "$2" "$3" "$(date -R)" "$3" "$$"
	for ((i = 0; i <= $3 % 7; i++)); do
		echo "Line $i of test message $3: the quick brown fox jumps over the lazy dog."
	done
}

# exim_bed__smtp_reply FD CODE - read one SMTP reply from FD; true when its code is CODE
exim_bed__smtp_reply() {
	local line
	while IFS= read -r -t 10 line <&"$1"; do
		line=${line%$'\r'}
		[[ $line == "$2"-* ]] && continue
		[[ $line == "$2" || $line == "$2 "* ]] && return 0
		echo "exim.sh: SMTP: wanted $2, got: $line" >&2
		return 1
	done
	echo "exim.sh: SMTP: no reply (wanted $2)" >&2
	return 1
}

# exim_bed_smtp_send SENDER RCPT... - send the message on stdin to the daemon by ESMTP
exim_bed_smtp_send() {
	local from=$1
	shift
	(
		exec 3<>"/dev/tcp/127.0.0.1/$EXIM_SMTP_PORT" || exit 1
		exim_bed__smtp_reply 3 220 || exit 1
		printf 'EHLO testbed.local\r\n' >&3 && exim_bed__smtp_reply 3 250 || exit 1
		printf 'MAIL FROM:<%s>\r\n' "$from" >&3 && exim_bed__smtp_reply 3 250 || exit 1
		for rcpt; do
			printf 'RCPT TO:<%s>\r\n' "$rcpt" >&3 && exim_bed__smtp_reply 3 250 || exit 1
		done
		printf 'DATA\r\n' >&3 && exim_bed__smtp_reply 3 354 || exit 1
		# dot-stuffing, CRLF line ends
		sed -e 's/^\./../' -e 's/$/\r/' >&3
		printf '.\r\n' >&3 && exim_bed__smtp_reply 3 250 || exit 1
		printf 'QUIT\r\n' >&3 && exim_bed__smtp_reply 3 221
	)
}

# exim_bed_inject N DOMAIN... - queue N messages to user<seq>@DOMAIN, domains and senders round robin
exim_bed_inject() {
	local n=${1:-} seq i d s to method=${MQMON_EXIM_BED_INJECT:-queue}
	shift
	local domains=("$@") nd=$# ns=${#EXIM_BED_SENDERS[@]}
	[[ -n $EXIM_BED_DIR ]] || { exim_bed__fail "no bed is up"; return 1; }
	[[ $n =~ ^[0-9]+$ ]] && ((n > 0 && nd > 0)) || { exim_bed__fail "usage: exim_bed_inject N DOMAIN..."; return 1; }
	seq=$(cat "$EXIM_BED_DIR/.inject-seq" 2>/dev/null || echo 0)
	echo $((seq + n)) >"$EXIM_BED_DIR/.inject-seq"
	for ((i = 0; i < n; i++)); do
		d=${domains[i % nd]}
		s=${EXIM_BED_SENDERS[(i / nd) % ns]}
		to=user$((seq + i))@$d
		case $method in
		queue)
			exim_bed__message "$s" "$to" $((seq + i)) |
				"$EXIM_BIN" -C "$EXIM_CONF" -odq -f "$s" -- "$to" ||
				{ exim_bed__fail "exim -odq failed for $to"; return 1; }
			;;
		smtp)
			exim_bed__message "$s" "$to" $((seq + i)) | exim_bed_smtp_send "$s" "$to" ||
				{ exim_bed__fail "SMTP to 127.0.0.1:$EXIM_SMTP_PORT failed for $to"; return 1; }
			;;
		*) exim_bed__fail "MQMON_EXIM_BED_INJECT must be queue or smtp"; return 1 ;;
		esac
	done
}

# exim_bed_wait_idle [SECS] - wait until the daemon is the only process of the bed (twice in a row)
exim_bed_wait_idle() {
	local end=$((SECONDS + ${1:-${MQMON_BED_TIMEOUT:-60}})) daemon quiet=0 p busy
	daemon=$(tr -dc 0-9 <"$EXIM_PID_FILE" 2>/dev/null)
	while ((SECONDS < end)); do
		busy=0
		for p in $(exim_bed__conf_pids "$EXIM_CONF"); do
			[[ $p == "$daemon" ]] || busy=1
		done
		if ((busy)); then quiet=0; elif ((++quiet >= 2)); then return 0; fi
		sleep 0.2
	done
	exim_bed__fail "exim still busy after ${1:-${MQMON_BED_TIMEOUT:-60}}s"
}

# exim_bed_stop - stop the bed's daemon, children and peer, remove its directory
exim_bed_stop() {
	local dir=$EXIM_BED_DIR
	[[ -n $dir ]] || return 0
	EXIM_BED_DIR=""
	exim_bed__stop_exim "$dir/exim.conf" "$dir/exim.pid"
	exim_bed__stop_peer "$dir/peer.pid"
	[[ -f $dir/.mqmon-exim-bed && $dir != / ]] && rm -rf -- "$dir"
	return 0
}

# exim_bed__load DIR - read DIR/exim-bed.env of a running bed (command mode)
exim_bed__load() {
	local dir
	dir=$(realpath -m -- "$1")
	[[ -f $dir/exim-bed.env ]] || { exim_bed__fail "$dir: no exim-bed.env (bed not up?)"; return 1; }
	# shellcheck source=/dev/null
	. "$dir/exim-bed.env"
}

# exim_bed__main - command mode: install | up DIR | down DIR | inject DIR N DOMAIN...
exim_bed__main() {
	case ${1:-} in
	install) exim_bed_install && echo "exim.sh: Exim $EXIM_VERSION in $EXIM_ROOT" ;;
	up)
		[[ $# -eq 2 ]] || { echo "usage: exim.sh up DIR" >&2; return 2; }
		exim_bed_start "${MQMON_BED_PORT_BASE:-2620}" "$2" || return 1
		trap - EXIT
		echo "exim.sh: up in $EXIM_BED_DIR (exim $EXIM_VERSION on 127.0.0.1:$EXIM_SMTP_PORT, env in $EXIM_BED_DIR/exim-bed.env)" >&2
		;;
	down)
		[[ $# -eq 2 ]] || { echo "usage: exim.sh down DIR" >&2; return 2; }
		exim_bed__load "$2" && exim_bed_stop
		;;
	inject)
		[[ $# -ge 4 ]] || { echo "usage: exim.sh inject DIR N DOMAIN..." >&2; return 2; }
		exim_bed__load "$2" && shift 2 && exim_bed_inject "$@"
		;;
	*)
		sed -n '2,/^$/{/^$/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
		return 2
		;;
	esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	export PATH=$PATH:/usr/sbin:/sbin
	exim_bed__main "$@"
	exit $?
fi
