# fleet_lib.sh - a fleet of private Postfix beds behind private sshd on loopback, for the fleet tests
# (tests/e2e/fleet.sh, tests/tui/fleet.sh, bench/run.sh fleet); sourced after tests/e2e/lib.sh.
#
# fleet_setup N BASE SSH_PORT1 - N (2 or 3) beds at BASE, BASE+22, BASE+44; two sshd (their own host
# keys, config and authorized_keys in $W; AcceptEnv MAIL_CONFIG XDG_DATA_HOME) on 127.0.0.1:SSH_PORT1
# and SSH_PORT1+1; an `ssh -F $W/ssh_config` with the aliases mxa and mxb (first sshd) and mxc (second),
# each `SetEnv MAIL_CONFIG=<its bed>/etc`, plus mxa2 (a second alias of mxa's bed: the same queue IDs on two
# "hosts"), mxb-ro (a read-only forced-command key) and mxa-nokey
# (a key no host knows); $W/mqmon.ini with [fleet] hosts = the aliases, ssh_command = ssh -F that
# config, remote_mqmon = this mqmon. Sets W, A, B, C (the beds), BEDS, MQMON_ABS, FLEET (the command
# with that configuration). Skips (exit 77) without sshd or when it cannot run. fleet_teardown undoes it.
# fleet_sshd_kill N - the Nth sshd and the sessions it started (the host behind it is gone).

SSHD=$(command -v sshd || echo /usr/sbin/sshd)
BEDS=()

# fleet_teardown - the beds down, our sshd stopped (by their pid files), the temp directory gone
fleet_teardown() {
	local b p
	for b in "${BEDS[@]}"; do
		"$TOP/tests/bed/bed.sh" down "$b" >/dev/null 2>&1
	done
	for p in "$W"/sshd*.pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	rm -rf "$W"
}

# fleet_sshd_start N PORT - a private sshd listening on 127.0.0.1:PORT
fleet_sshd_start() {
	cat >"$W/sshd$1.conf" <<EOC
Port $2
ListenAddress 127.0.0.1
HostKey $W/hostkey
PidFile $W/sshd$1.pid
AuthorizedKeysFile $W/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
AcceptEnv MAIL_CONFIG XDG_DATA_HOME
EOC
	"$SSHD" -f "$W/sshd$1.conf" -E "$W/sshd$1.log" || return 1
	local i
	for i in $(seq 50); do
		[ -s "$W/sshd$1.pid" ] && return 0
		sleep 0.1
	done
	return 1
}

# fleet_sshd_kill N - the Nth sshd and every session process it started (by parent pid, recursively)
fleet_sshd_kill() {
	local pid kids k
	pid=$(cat "$W/sshd$1.pid")
	kids=$(ps -o pid= --ppid "$pid" 2>/dev/null)
	for k in $kids; do
		kill -9 $(ps -o pid= --ppid "$k" 2>/dev/null) "$k" 2>/dev/null
	done
	kill -9 "$pid" 2>/dev/null
}

# fleet_setup N BASE SSH_PORT1 - see above
fleet_setup() {
	local n=$1 base=$2 p1=$3 i b h name port bed
	[ -x "$SSHD" ] || skip "sshd not installed (make deps: openssh-server)"
	command -v ssh-keygen >/dev/null || skip "ssh-keygen not installed"
	W=$(mktemp -d /tmp/mqmon-fleet.XXXXXX)
	chmod 755 "$W"	# the beds' Postfix users traverse it
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$W/hostkey" -C fleet-test-host >/dev/null || skip "ssh-keygen failed"
	ssh-keygen -q -t ed25519 -N '' -f "$W/id" -C fleet-test-client >/dev/null || skip "ssh-keygen failed"
	ssh-keygen -q -t ed25519 -N '' -f "$W/id_ro" -C fleet-test-monitor >/dev/null || skip "ssh-keygen failed"
	ssh-keygen -q -t ed25519 -N '' -f "$W/id_unknown" -C fleet-test-unknown >/dev/null || skip "ssh-keygen failed"
	cp "$W/id.pub" "$W/authorized_keys"
	# a monitoring key: the forced-command wrapper with --read-only
	printf 'command="%s --read-only --mqmon %s",restrict %s\n' "$TOP/contrib/mqmon-ssh-wrapper" \
		"$(realpath "$MQMON")" "$(cat "$W/id_ro.pub")" >>"$W/authorized_keys"
	fleet_sshd_start 1 "$p1" || skip "sshd cannot run here: $(tail -1 "$W/sshd1.log" 2>/dev/null)"
	fleet_sshd_start 2 "$((p1 + 1))" || skip "a second sshd cannot run here"
	for i in $(seq 0 $((n - 1))); do
		b=$W/bed$i
		MQMON_BED_PORT_BASE=$((base + 22 * i)) "$TOP/tests/bed/bed.sh" up "$b" >"$W/bed$i.up" 2>&1 || {
			cat "$W/bed$i.up"
			echo "FAIL bed $i up"
			exit 1
		}
		BEDS+=("$b")
	done
	A=${BEDS[0]} B=${BEDS[1]} C=${BEDS[2]:-}
	{
		for h in "mxa:$p1:$A" "mxb:$p1:$B" "mxc:$((p1 + 1)):$C" "mxa2:$p1:$A"; do
			IFS=: read -r name port bed <<<"$h"
			[ -n "$bed" ] || continue
			cat <<EOC
Host $name
  HostName 127.0.0.1
  Port $port
  IdentityFile $W/id
  SetEnv MAIL_CONFIG=$bed/etc XDG_DATA_HOME=$W/data-$name
EOC
		done
		cat <<EOC
Host mxb-ro
  HostName 127.0.0.1
  Port $p1
  IdentityFile $W/id_ro
  SetEnv MAIL_CONFIG=$B/etc XDG_DATA_HOME=$W/data-mxb
Host mxa-nokey
  HostName 127.0.0.1
  Port $p1
  IdentityFile $W/id_unknown
Host *
  User root
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
EOC
	} >"$W/ssh_config"
	MQMON_ABS=$(realpath "$MQMON")
	cat >"$W/mqmon.ini" <<EOC
[mqmon]
db = $W/console.db
[fleet]
hosts = mxa mxb$([ -n "$C" ] && echo " mxc")
ssh_command = ssh -F $W/ssh_config
remote_mqmon = $MQMON_ABS
EOC
	FLEET=("$MQMON" --config "$W/mqmon.ini")
}
