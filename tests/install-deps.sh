#!/usr/bin/env bash
# install-deps - install the Debian packages mqmon needs to build and test (make deps).
# Only what is missing is installed; apt-get runs non-interactively. Needs root
# (or sudo) when something is missing. As root it also prepares the Exim test bed
# (tests/bed/exim.sh install: the Exim .debs unpacked into /var/cache/mqmon-exim,
# never installed, and the Debian-exim user); when that fails the Exim tests are
# skipped and say why.
set -euo pipefail
pkgs=(build-essential pkg-config libncurses-dev libsqlite3-dev libiniparser-dev
      libjansson-dev libcmocka-dev postfix pflogsumm tmux valgrind sqlite3 procps jq python3
      libidn12 openssh-server openssh-client)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all present"
else
	echo "deps: installing ${missing[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	# postfix must not ask questions nor configure the system's own instance
	echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
	$SUDO apt-get update -qq
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ "$(id -u)" -eq 0 ]; then
	if out=$("$(dirname "$0")/bed/exim.sh" install 2>&1); then
		echo "deps: $(tail -1 <<<"$out" | sed 's/^exim.sh: //') (Exim test bed)"
	else
		echo "deps: warning: no Exim test bed, its tests will be skipped: $(tail -1 <<<"$out" | sed 's/^exim.sh: //')"
	fi
fi
