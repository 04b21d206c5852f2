# tmux.sh - driving mqmon's console inside tmux for the TUI tests (sourced
# after tests/e2e/lib.sh). Each `start` uses a fresh private tmux server, so
# tests never touch the developer's own tmux.

TMUX_N=0
SOCK=mqmon-tui-$$-0

# tm ARGS... - tmux on the test's private server
tm() { tmux -L "$SOCK" "$@"; }

# screen - the visible text of the test pane
screen() { tm capture-pane -p -t t; }

# start CMD [W H] - run CMD in a new session of W x H; "EXIT=status" shows when it ends
start() {
	tm kill-server 2>/dev/null
	TMUX_N=$((TMUX_N + 1))
	SOCK=mqmon-tui-$$-$TMUX_N
	tm new-session -d -s t -x "${2:-80}" -y "${3:-24}" "$1; echo EXIT=\$?; sleep 60"
}

# wait_for TEXT - up to 10 s for TEXT on the screen
wait_for() {
	local i
	for i in $(seq 50); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.2
	done
	echo "screen never showed: $1"
	screen | tail -8
	return 1
}

# has RE / has_not RE - a line of the screen matches the extended regex / none does
has() { screen | grep -qE -- "$1"; }
# wait_re REGEX [SECONDS] - like wait_for (10 s unless told), for an extended regular expression
wait_re() {
	local i
	for i in $(seq $((${2:-10} * 5))); do
		has "$1" && return 0
		sleep 0.2
	done
	echo "screen never matched: $1"
	screen | tail -8
	return 1
}
has_not() { ! screen | grep -qE -- "$1"; }

# tmux_stop - end the private server (EXIT traps)
tmux_stop() { tm kill-server 2>/dev/null; }
