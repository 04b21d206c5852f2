#!/usr/bin/env bash
# bed.sh - a private Postfix instance whose outbound mail goes to mqmon-peer on
# loopback, so tests and demos see real deferrals (Postfix's own smtp client,
# logs and queue) without touching the system's Postfix or the network.
#
#   bed.sh up DIR                   create DIR, start Postfix and the peer, write DIR/bed.env
#   bed.sh down DIR                 stop both, remove DIR (only a bed's DIR)
#   bed.sh inject DIR N DOMAIN...   inject N messages over the domains, wait until settled
#   bed.sh wait-deferred DIR N      wait until at least N messages are deferred
#
# Environment:
#   MQMON_BED_PORT_BASE (2520)   peer ports base+6..base+16, catch-all base+19
#                                (nobody listens: "Connection refused"), smtpd base+20
#   MQMON_BED_QUEUE_RUN_DELAY (300), MQMON_BED_MIN_BACKOFF (300),
#   MQMON_BED_MAX_BACKOFF (4000)  seconds, written to main.cf
#   MQMON_BED_PROFILES           profile file (tests/peer/profiles.ini)
#   MQMON_BED_SYSLOG_NAME        syslog_name of the instance (postfix-bed)
#   MQMON_BED_MAIN_CF_EXTRA      extra main.cf lines appended verbatim
#   MQMON_BED_INJECT             sendmail (default: exact user<i>@domain, pickup
#                                path) or smtp-source (through the smtpd, faster;
#                                recipients <n>user<first>-<sender#>@domain)
#   MQMON_BED_TIMEOUT (120)      seconds inject / wait-deferred wait at most
set -euo pipefail

export PATH=$PATH:/usr/sbin:/sbin
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PEER=$ROOT/tests/peer/mqmon-peer
SENDERS=(newsletter@shop.testbed.local alerts@testbed.local billing@testbed.local
	noreply@testbed.local support@help.testbed.local)

# die - print an error and exit 1
die() {
	echo "bed.sh: $*" >&2
	exit 1
}

# usage - print the synopsis and exit with $1
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
	exit "${1:-2}"
}

# absdir - absolute form of a directory path (it need not exist)
absdir() {
	[[ -n $1 ]] || die "empty directory argument"
	realpath -m -- "$1"
}

# is_uint - true when $1 is a non-negative decimal integer
is_uint() {
	[[ $1 =~ ^[0-9]+$ ]]
}

# ensure_postfix - install Postfix (no configuration) when postconf is absent
ensure_postfix() {
	command -v postconf >/dev/null && return 0
	echo "bed.sh: installing postfix" >&2
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	DEBIAN_FRONTEND=noninteractive apt-get install -y postfix >&2 ||
		{ apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y postfix >&2; }
	command -v postconf >/dev/null || die "postfix installation failed"
}

# ensure_peer - build tests/peer/mqmon-peer when missing or out of date
ensure_peer() {
	if [[ ! -x $PEER || $PEER -ot $PEER.c ]]; then
		flock /tmp/mqmon-peer-build.lock make --no-print-directory -C "$ROOT" tests/peer/mqmon-peer >&2 ||
			die "cannot build $PEER"
	fi
}

# port_busy - true when something listens on 127.0.0.1:$1
port_busy() {
	if command -v ss >/dev/null; then
		[[ -n $(ss -Hltn "sport = :$1") ]]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}

# smtp_answers - true when 127.0.0.1:$1 greets with 220 (then says QUIT)
smtp_answers() {
	# shellcheck disable=SC2016
	timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		IFS= read -r line <&3 || exit 1
		printf "QUIT\r\n" >&3
		[[ $line == 220* ]]' _ "$1" 2>/dev/null
}

# pid_in_dir - true when process $1 runs with its cwd under directory $2
pid_in_dir() {
	local cwd
	cwd=$(readlink "/proc/$1/cwd" 2>/dev/null) || return 1
	[[ $cwd == "$2" || $cwd == "$2"/* ]]
}

# stop_postfix - stop the instance of bed $1; kill it if stopping hangs
stop_postfix() {
	local dir=$1 pid="" i p
	[[ -r $dir/queue/pid/master.pid ]] && pid=$(tr -dc 0-9 <"$dir/queue/pid/master.pid")
	if [[ -n $pid ]] && pid_in_dir "$pid" "$dir/queue"; then
		timeout 20 postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
		i=0
		while ((i++ < 150)) && kill -0 "$pid" 2>/dev/null; do
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "bed.sh: postfix stop hangs: killing master $pid" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	# leftover daemons of this instance all have their cwd in its queue dir
	for ((i = 0; i < 30; i++)); do
		local left=()
		for p in /proc/[0-9]*; do
			p=${p#/proc/}
			[[ $p != "$$" ]] && pid_in_dir "$p" "$dir/queue" && left+=("$p")
		done
		((${#left[@]})) || return 0
		if ((i == 10)); then kill -TERM "${left[@]}" 2>/dev/null || true; fi
		if ((i == 25)); then kill -KILL "${left[@]}" 2>/dev/null || true; fi
		sleep 0.2
	done
	echo "bed.sh: warning: processes still in $dir/queue" >&2
}

# stop_peer - stop the mqmon-peer of bed $1
stop_peer() {
	local pidfile=$1/peer.pid pid i
	[[ -r $pidfile ]] || return 0
	pid=$(tr -dc 0-9 <"$pidfile")
	[[ -n $pid ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q mqmon-peer || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# write_main_cf - main.cf of the private instance in $1 (ports from $2 = base)
write_main_cf() {
	local dir=$1
	cat >"$dir/etc/main.cf" <<EOF
# main.cf of an mqmon test bed (tests/bed/bed.sh): a private instance, loopback only
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = ${MQMON_BED_SYSLOG_NAME:-postfix-bed}
maillog_file = $dir/log/maillog
maillog_file_prefixes = /var, /dev/stdout, $dir/log
myhostname = testbed.local
mydomain = testbed.local
myorigin = \$myhostname
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_recipient_restrictions =
smtpd_tls_security_level = none
smtputf8_enable = no
default_transport = smtp
transport_maps = texthash:$dir/etc/transport
smtp_tls_security_level = none
smtp_dns_support_level = disabled
smtp_bind_address = 127.0.0.1
slow_destination_rate_delay = 1s
slow_destination_concurrency_failed_cohort_limit = 100
queue_run_delay = ${MQMON_BED_QUEUE_RUN_DELAY:-300}s
minimal_backoff_time = ${MQMON_BED_MIN_BACKOFF:-300}s
maximal_backoff_time = ${MQMON_BED_MAX_BACKOFF:-4000}s
EOF
	if [[ -n ${MQMON_BED_MAIN_CF_EXTRA:-} ]]; then
		printf '%s\n' "$MQMON_BED_MAIN_CF_EXTRA" >>"$dir/etc/main.cf"
	fi
}

# write_master_cf - master.cf: the usual services, chroot n, one loopback smtpd
write_master_cf() {
	cat >"$1/etc/master.cf" <<EOF
# master.cf of an mqmon test bed (tests/bed/bed.sh); chroot n everywhere
127.0.0.1:$2 inet n - n - - smtpd
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
slow       unix  - - n -     - smtp -o syslog_name=${MQMON_BED_SYSLOG_NAME:-postfix-bed}/slow
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
local      unix  - n n -     - local
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
}

# up_cleanup - EXIT trap of `up`: on failure stop what was started
up_cleanup() {
	local rc=$?
	[[ -n ${UP_DIR:-} ]] || return 0
	echo "bed.sh: up failed (exit $rc): stopping what was started; 'bed.sh down $UP_DIR' removes it" >&2
	stop_postfix "$UP_DIR"
	stop_peer "$UP_DIR"
	exit "$rc"
}

# cmd_up - create and start a bed in $1
cmd_up() {
	(($# == 1)) || usage
	local dir base smtpd_port profiles transport acc p i v
	dir=$(absdir "$1")
	((EUID == 0)) || die "must run as root (a private Postfix instance is started with 'postfix start')"
	[[ -e $dir/bed.env ]] && die "$dir: a bed is already up there ('bed.sh down $dir' first)"
	[[ -e $dir && ! -d $dir ]] && die "$dir exists and is not a directory"
	[[ -d $dir && -n $(ls -A "$dir") ]] && die "$dir exists and is not empty"
	base=${MQMON_BED_PORT_BASE:-2520}
	if ! is_uint "$base" || ((base < 1024 || base > 65000)); then
		die "MQMON_BED_PORT_BASE must be 1024..65000"
	fi
	smtpd_port=$((base + 20))
	profiles=$(realpath -- "${MQMON_BED_PROFILES:-$ROOT/tests/peer/profiles.ini}")
	[[ -r $profiles ]] || die "$profiles: no profile file"
	for v in MQMON_BED_QUEUE_RUN_DELAY MQMON_BED_MIN_BACKOFF MQMON_BED_MAX_BACKOFF; do
		[[ -z ${!v:-} ]] || is_uint "${!v}" || die "$v must be a number of seconds"
	done

	ensure_postfix
	ensure_peer
	transport=$("$PEER" -f "$profiles" -b "$base" -t) || die "$profiles: bad profile file"
	acc=$(awk '$1 == "accept.example" {print $2}' <<<"$transport")
	for p in $(awk -F: '{print $NF}' <<<"$transport" | sort -un) $((base + 19)) "$smtpd_port"; do
		port_busy "$p" && die "127.0.0.1:$p is already in use (another bed? set MQMON_BED_PORT_BASE)"
	done

	mkdir -p "$dir"
	chmod 755 "$dir"
	: >"$dir/.mqmon-bed"
	mkdir -m 755 "$dir/etc" "$dir/queue" "$dir/log"
	install -d -o postfix -g postfix -m 700 "$dir/data"
	UP_DIR=$dir
	trap up_cleanup EXIT
	trap 'exit 130' INT TERM
	{
		echo "# generated by bed.sh from $profiles (port base $base)"
		printf '%s\n' "$transport"
		# bounces and notices to the bed's own senders are accepted; any other
		# domain goes to a loopback port nobody listens on (never the network)
		echo "testbed.local ${acc:-smtp:[127.0.0.1]:$((base + 19))}"
		echo ".testbed.local ${acc:-smtp:[127.0.0.1]:$((base + 19))}"
		echo "* smtp:[127.0.0.1]:$((base + 19))"
	} >"$dir/etc/transport"
	write_main_cf "$dir"
	write_master_cf "$dir" "$smtpd_port"

	postfix -c "$dir/etc" check || die "postfix check failed for $dir/etc"
	postfix -c "$dir/etc" start >&2 || die "postfix start failed (see $dir/log/maillog)"
	"$PEER" -f "$profiles" -b "$base" -l "$dir/log/peer.log" -p "$dir/peer.pid" -d \
		2>>"$dir/log/peer.err" || die "mqmon-peer failed: $(cat "$dir/log/peer.err")"
	for ((i = 0; i < 100; i++)); do
		[[ -s $dir/peer.pid ]] && smtp_answers "$smtpd_port" && break
		sleep 0.1
	done
	((i < 100)) || die "postfix smtpd on 127.0.0.1:$smtpd_port or the peer does not answer"
	# shellcheck disable=SC2013
	for p in $(awk -F: '{print $NF}' <<<"$transport" | sort -un); do
		port_busy "$p" || die "mqmon-peer does not listen on 127.0.0.1:$p"
	done

	{
		printf 'BED_DIR=%q\n' "$dir"
		printf 'BED_CONF=%q\n' "$dir/etc"
		printf 'BED_LOG=%q\n' "$dir/log/maillog"
		printf 'BED_QUEUE=%q\n' "$dir/queue"
		printf 'BED_SMTPD_PORT=%q\n' "$smtpd_port"
		printf 'BED_PEER_LOG=%q\n' "$dir/log/peer.log"
		printf 'BED_PEER_PID=%q\n' "$dir/peer.pid"
		printf 'BED_PORT_BASE=%q\n' "$base"
		printf 'BED_PROFILES=%q\n' "$profiles"
		printf 'BED_TRANSPORT=%q\n' "$dir/etc/transport"
		printf 'BED_SYSLOG_NAME=%q\n' "${MQMON_BED_SYSLOG_NAME:-postfix-bed}"
	} >"$dir/bed.env.tmp"
	mv "$dir/bed.env.tmp" "$dir/bed.env"
	UP_DIR=
	trap - EXIT INT TERM
	echo "bed.sh: up in $dir (smtpd 127.0.0.1:$smtpd_port, peer ports" \
		"$(awk -F: '{print $NF}' <<<"$transport" | sort -un | paste -sd' '))" >&2
}

# cmd_down - stop the bed in $1 and remove its directory
cmd_down() {
	(($# == 1)) || usage
	local dir
	dir=$(absdir "$1")
	[[ -d $dir ]] || die "$dir: no such directory"
	[[ -f $dir/bed.env || -f $dir/.mqmon-bed ]] || die "$dir is not a bed directory (no bed.env): not touching it"
	[[ $dir != / ]] || die "refusing /"
	stop_postfix "$dir"
	stop_peer "$dir"
	rm -rf -- "$dir"
}

# load_bed - read DIR/bed.env of a running bed
load_bed() {
	local dir
	dir=$(absdir "$1")
	[[ -f $dir/bed.env ]] || die "$dir: no bed.env (bed not up?)"
	# shellcheck source=/dev/null
	. "$dir/bed.env"
}

# queue_counts - "maildrop incoming active deferred hold" message counts
queue_counts() {
	postqueue -c "$BED_CONF" -j 2>/dev/null |
		grep -o '"queue_name": *"[a-z]*"' | sed 's/.*"\([a-z]*\)"$/\1/' |
		awk '{n[$1]++} END {printf "%d %d %d %d %d\n", n["maildrop"], n["incoming"],
			n["active"], n["deferred"], n["hold"]}'
}

# message - print a test message for sender $1, recipient $2, number $3
message() {
	local i
	printf 'From: %s\nTo: %s\nSubject: mqmon test message %s\nDate: %s\nMessage-ID: <%s.%s@testbed.local>\n\n' \
		"$1" "$2" "$3" "$(date -R)" "$3" "$$"
	for ((i = 0; i <= $3 % 7; i++)); do
		echo "Line $i of test message $3: the quick brown fox jumps over the lazy dog."
	done
}

# cmd_inject - inject N messages over the domains, then wait until settled
cmd_inject() {
	(($# >= 3)) || usage
	load_bed "$1"
	local n=$2 seq i d s to t0 counts method=${MQMON_BED_INJECT:-sendmail}
	shift 2
	local domains=("$@") nd=$# ns=${#SENDERS[@]}
	if ! is_uint "$n" || ((n == 0)); then die "N must be a positive number"; fi
	seq=$(cat "$BED_DIR/.inject-seq" 2>/dev/null || echo 0)
	echo $((seq + n)) >"$BED_DIR/.inject-seq"

	case $method in
	sendmail)
		local pids=() failed=0 pid
		for ((i = 0; i < n; i++)); do
			d=${domains[i % nd]}
			s=${SENDERS[(i / nd) % ns]}
			to=user$((seq + i))@$d
			message "$s" "$to" $((seq + i)) | sendmail -C "$BED_CONF" -f "$s" -- "$to" &
			pids+=($!)
			if ((${#pids[@]} == 16 || i == n - 1)); then
				for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
				pids=()
			fi
		done
		((failed == 0)) || die "sendmail failed for $failed of $n messages"
		;;
	smtp-source)
		# one smtp-source run per (domain, sender) pair; -N numbers its messages
		local -A count=()
		for ((i = 0; i < n; i++)); do
			((count[$((i % nd)),$(((i / nd) % ns))] += 1))
		done
		for i in "${!count[@]}"; do
			d=${domains[${i%,*}]}
			s=${SENDERS[${i#*,}]}
			smtp-source -N -s 4 -m "${count[$i]}" -l 1024 -M testbed.local -f "$s" \
				-t "user${seq}-${i#*,}@$d" "127.0.0.1:$BED_SMTPD_PORT" >/dev/null ||
				die "smtp-source failed"
		done
		;;
	*) die "MQMON_BED_INJECT must be sendmail or smtp-source" ;;
	esac

	# settled: nothing in maildrop/incoming/active twice in a row
	t0=$SECONDS
	local quiet=0 md inc ac
	while ((SECONDS - t0 < ${MQMON_BED_TIMEOUT:-120})); do
		counts=$(queue_counts)
		read -r md inc ac _ <<<"$counts"
		if ((md + inc + ac == 0)); then
			((++quiet >= 2)) && return 0
		else
			quiet=0
		fi
		sleep 0.3
	done
	die "queue not settled after ${MQMON_BED_TIMEOUT:-120}s (maildrop incoming active deferred hold: $counts)"
}

# cmd_wait_deferred - wait until at least N messages are in the deferred queue
cmd_wait_deferred() {
	(($# == 2)) || usage
	load_bed "$1"
	local n=$2 t0=$SECONDS deferred=0
	is_uint "$n" || die "N must be a number"
	while ((SECONDS - t0 < ${MQMON_BED_TIMEOUT:-120})); do
		read -r _ _ _ deferred _ <<<"$(queue_counts)"
		((deferred >= n)) && return 0
		sleep 0.5
	done
	die "only $deferred deferred messages after ${MQMON_BED_TIMEOUT:-120}s (wanted $n)"
}

case ${1:-} in
up) shift; cmd_up "$@" ;;
down) shift; cmd_down "$@" ;;
inject) shift; cmd_inject "$@" ;;
wait-deferred) shift; cmd_wait_deferred "$@" ;;
-h | --help | help) usage 0 ;;
*) usage ;;
esac
