#!/usr/bin/env bash
# console.sh - the operator console inside tmux on the real test bed: what the
# screen shows (causes and counts, a ticking countdown, search, sort, detail,
# help), resizing, a too-small terminal, NO_COLOR, --ascii, inert escape
# sequences from a hostile queue listing, and a clean exit.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
bed_start 3120
inject 30 gmail.com outlook.com yahoo.com greylist.example busy.example accept.example
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 25 >/dev/null

trap 'tmux_stop; bed_stop' EXIT

snap=$("$MQMON" -c "$BED_CONF" snapshot --no-log)
n_rl=$(jq '[.causes[] | select(.cause == "rate-limit")][0].messages' <<<"$snap")
n_gl=$(jq '[.causes[] | select(.cause == "greylisting")][0].messages' <<<"$snap")

start "$MQMON -c $BED_CONF --log $BED_LOG --db $BED/tui.db"
check "causes view appears" wait_for "CAUSE / PROVIDER / DOMAIN"
check "rate-limit row with the snapshot's count ($n_rl)" has "^rate-limit +$n_rl "
check "greylisting row with the snapshot's count ($n_gl)" has "^greylisting +$n_gl "
check "providers under causes" has "^  (gmail|microsoft|yahoo) "
check "advice pane for the selected cause" has "[Tt]hrottle"
check "trend column from the history" has "LAST HOUR"
check "the trend shows the imported deferrals" has "^rate-limit .*[▁▂▃▄▅▆▇█]"
check "status bar: live" has "^ mqmon .* live"
# another program reading the history (sqlite3, mqmon report from cron) while
# the console runs: it must not take itself for the last user and remove the
# WAL (the console's model worker opens the store too; that open must not drop
# the console's locks)
sqlite3 "$BED/tui.db" "SELECT count(*) FROM attempts" >/dev/null
check "a reader in another process leaves the console's WAL in place" test -e "$BED/tui.db-wal"
a=$(screen | grep -E '^rate-limit' | awk '{print $5}')
sleep 2.2
b=$(screen | grep -E '^rate-limit' | awk '{print $5}')
check "the retry countdown ticks" test -n "$a" -a "$a" != "$b"

# queue changes made outside mqmon show up without a keypress (inotify on the spool)
hid=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "deferred") | .queue_id' | head -1)
postsuper -c "$BED_CONF" -h "$hid" >/dev/null 2>&1
check "a hold made with postsuper shows at once" wait_for " 1 held"
postsuper -c "$BED_CONF" -H "$hid" >/dev/null 2>&1
check "and its release" wait_for " 0 held"
inject 4 conn.example
total=$(postqueue -c "$BED_CONF" -j | wc -l)
check "new deferrals of a new cause appear" wait_for "connections"
check "the status bar counts what postqueue -j lists ($total)" wait_for " $total msgs"
tm send-keys -t t Enter
check "Enter opens the group's messages" wait_for "cause rate-limit, sorted by next retry"
check "message rows show queue, recipient, the reply's code and cause" \
	has "^[0-9A-F]{10,} +deferred +[^ @]+@[^ ]+ .* 4[0-9][0-9] 4\\.[0-9]+\\.[0-9]+ +rate-limit"
tm send-keys -t t s
check "s sorts by age" wait_for "sorted by age"
tm send-keys -t t Enter
check "Enter opens the detail" wait_for "Recipients ("
check "detail shows the attempt history from the store" has "^ History \\([0-9]+ attempts? stored"
check "detail shows the full reply" has "4[25][0-9] [45]\\.[0-9]+\\.[0-9]+ "
check "detail says why, in one line" has "why: [a-z-]+ [0-9]+: rule [a-z0-9-]+ \\("
# a retry made outside mqmon: the open detail counts the new attempt once its
# row is stored (the log follower commits in groups, at most 5 s later)
did=$(screen | sed -n 's/^ Message \([0-9A-F]*\) .*/\1/p')
att=$(screen | sed -n 's/^ Attempts *\([0-9]*\),.*/\1/p')
postqueue -c "$BED_CONF" -i "$did"
check "a retry outside mqmon: the detail counts attempt $((att + 1)) of $did" wait_re "^ Attempts +$((att + 1)), last" 20
check "and the stored history lists it" has "^ History \\($((att + 1)) attempts stored"
tm send-keys -t t Escape
sleep 0.3
tm send-keys -t t Escape
check "Esc back to the causes" wait_for "CAUSE / PROVIDER / DOMAIN"
tm send-keys -t t / g m a i l Enter
check "/ search filters the table" wait_for 'matching "gmail"'
check "search shows gmail rows" has "^[0-9A-F]{10,} +deferred +[^ @]+@gmail\\.com "
check "search shows no other domain" has_not "^[0-9A-F]{10,} +deferred +[^ @]+@(outlook|yahoo|greylist|busy)"
tm send-keys -t t '?'
check "? shows the help" wait_for "cycle Causes"
tm send-keys -t t Escape
tm resize-window -t t -x 120 -y 40 2>/dev/null || tm resize-window -t t -x 120 -y 40
check "resize to 120x40: wide table with EXPIRES and the REPLY" wait_re "^QUEUE ID .* EXPIRES .* REPLY *$"
tm resize-window -t t -x 140 -y 40
check "resize to 140x40: every column, SENDER too" wait_re "^QUEUE ID .* REPLY +SENDER *$"
tm resize-window -t t -x 40 -y 10
check "a small terminal gets a clear message" wait_for "terminal too small"
tm resize-window -t t -x 80 -y 24
check "back to 80x24 draws again" wait_for "QUEUE ID"
tm send-keys -t t : c a u s e ' ' g r e y l i s t i n g Enter
check ":cause NAME filters the table" wait_for "messages: cause greylisting"
tm send-keys -t t : b o g u s Enter
check "an unknown : command says so" wait_for "unknown command ':bogus'"
# a queue ID typed after an action: refused, nothing asked, nothing held
tm send-keys -t t ":hold ALL" Enter
check ":hold ALL is refused (actions take no argument)" wait_for ":hold takes no argument"
check ":hold ALL asks nothing" has_not "messages\)\?"
check ":hold ALL holds nothing" test "$(postqueue -c "$BED_CONF" -j | jq -r 'select(.queue_name == "hold")' | wc -l)" -eq 0
# the "/gmail" search is still active (the status bar says so) and counts in every view: clear it
tm send-keys -t t : c l e a r Enter
tm send-keys -t t : v i e w ' ' d o m a i n s Enter
check ":view domains shows the domains" wait_for "greylist.example"
check "the domains' two-hour trend is drawn with the same bars" has "^greylist\\.example .*[▁▂▃▄▅▆▇█]"
tm send-keys -t t q
check "q quits with status 0" wait_for "EXIT=0"

start "NO_COLOR=1 $MQMON -c $BED_CONF --ascii --db $BED/tui.db"
check "NO_COLOR --ascii run shows the causes" wait_for "rate-limit"
check "--ascii: no UTF-8 glyphs" has "^ mqmon .*\\* live"
check "--ascii: the trend in ASCII levels" has "^rate-limit .*#"
check "--ascii: no bar glyph anywhere" has_not "[▁▂▃▄▅▆▇█]"
tm send-keys -t t q
check "NO_COLOR run quits with status 0" wait_for "EXIT=0"

# SIGHUP reads the configuration again
cfg=$BED/hup.ini
printf '[mqmon]\ntheme = mono\n' >"$cfg"
start "$MQMON --config $cfg -c $BED_CONF --db $BED/tui.db" 100 30
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
check "before SIGHUP: greylist.example is greylisting" has "greylisting"
check "before SIGHUP: no content cause" has_not "^ *content "
# an operator rule read on SIGHUP: the peer's greylisting reply now counts as content
printf '[rule.hup-test]\ncause = content\ntext = Greylisted, please try again later\npriority = 1000\n' >"$BED/hup-rules.ini"
printf '[mqmon]\ntheme = dark\nread_only = yes\nrules_file = %s\n' "$BED/hup-rules.ini" >"$cfg"
kill -HUP "$(pgrep -f "^$MQMON --config $cfg" | head -1)"
check "SIGHUP reloads the configuration and the rules" \
	wait_for "configuration reloaded (theme dark, read-only, rules read again)"
check "SIGHUP: the console keeps running, now read-only" has "^ mqmon .*read-only"
check "SIGHUP: the new rule classifies the next model" wait_re "^ *content "
# a broken rules file: the reload says so and the rules in use stay
printf '[mqmon]\nrules_file = %s\n' "$BED/no-such-rules.ini" >"$cfg"
kill -HUP "$(pgrep -f "^$MQMON --config $cfg" | head -1)"
check "SIGHUP with an unreadable rules file: reload failed" wait_for "reload failed: rules: "
check "SIGHUP with an unreadable rules file: the old rules stay" has "^ *content "
# many reloads (configuration management sending SIGHUP on every run): rule
# sets no model uses any more are released, so memory stays flat
printf '[mqmon]\ntheme = dark\nrules_file = %s\n' "$BED/hup-rules.ini" >"$cfg"
hpid=$(pgrep -f "^$MQMON --config $cfg" | head -1)
rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$hpid/status")
for _ in $(seq 60); do kill -HUP "$hpid"; sleep 0.05; done
check "60 reloads: the console reloads" wait_for "configuration reloaded (theme dark, rules read again)"
sleep 1
tm send-keys -t t C-r
sleep 1.5
check "60 reloads: the rules still classify (no freed rules in use)" has "^ *content "
rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$hpid/status")
case $MQMON in
*asan*) ;;	# ASan keeps freed memory in quarantine: RSS says nothing there
*) check "60 reloads: memory grows by less than 15 MB (was $rss0 kB, now $rss1 kB)" \
	test $((rss1 - rss0)) -lt 15000 ;;
esac
tm send-keys -t t q
check "quits after the reload" wait_for "EXIT=0"

# retention: 50,000 attempts from 1970 are pruned in the background, in chunks, while the console runs
: >"$BED/empty.log"
"$MQMON" ingest --db "$BED/prune.db" "$BED/empty.log" >/dev/null
sqlite3 "$BED/prune.db" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 49999)
	INSERT INTO attempts (id, queue_id, status) SELECT (100 << 24) | i, 'OLDOLD1', 1 FROM n"
printf '[mqmon]\nretention = 7d\n' >"$BED/prune.ini"
start "$MQMON --config $BED/prune.ini -c $BED_CONF --db $BED/prune.db" 100 30
check "retention: the console comes up" wait_for "CAUSE / PROVIDER / DOMAIN"
for _ in $(seq 50); do
	[ "$(sqlite3 "$BED/prune.db" 'SELECT count(*) FROM attempts WHERE id < (1000 << 24)')" -eq 0 ] && break
	sleep 0.2
done
check_eq "retention: the old attempts are pruned" \
	"$(sqlite3 "$BED/prune.db" 'SELECT count(*) FROM attempts WHERE id < (1000 << 24)')" 0
tm send-keys -t t q
check "retention: quits with status 0" wait_for "EXIT=0"

# another mqmon already stores the log into this history: the console stands
# by (live updates still come from the log) and takes over when it ends
"$MQMON" classify --follow --db "$BED/std.db" "$BED_LOG" >/dev/null 2>"$BED/std.err" &
spid=$!
sleep 1
start "$MQMON -c $BED_CONF --log $BED_LOG --db $BED/std.db" 120 30
check "history stored by another mqmon: the console says so" wait_for "another mqmon (pid $spid) is storing"
check "and its status bar says so until it takes over" wait_re "^ mqmon .* history kept elsewhere"
kill -TERM "$spid"
wait "$spid"
check "the other one ended: the console takes the log over" wait_re "this console now stores the log" 25
check "after the takeover the status bar no longer says so" has_not "history kept elsewhere"
before=$(sqlite3 "$BED/std.db" "SELECT count(*) FROM attempt_rows WHERE status = 'deferred'")
inject 3 gmail.com
for _ in $(seq 100); do
	[ "$(sqlite3 "$BED/std.db" "SELECT count(*) FROM attempt_rows WHERE status = 'deferred'")" -gt "$before" ] && break
	sleep 0.2
done
check "after the takeover the console stores new deferrals" \
	test "$(sqlite3 "$BED/std.db" "SELECT count(*) FROM attempt_rows WHERE status = 'deferred'")" -gt "$before"
tm send-keys -t t q
check "quits after the takeover" wait_for "EXIT=0"

# the terminal going away (SSH dropped, tmux killed) ends mqmon: no orphan spinning on a dead tty
start "$MQMON -c $BED_CONF --db $BED/tui.db --theme light" 80 24
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
mpid=$(pgrep -f "^$MQMON -c $BED_CONF --db $BED/tui.db --theme light" | head -1)
tm kill-server
gone() { local i; for i in $(seq 25); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.2; done; kill "$1"; return 1; }
check "a hung-up terminal ends the console" gone "$mpid"

# a hostile queue listing: escape sequences in a reply must be shown inert
fake=$(mktemp -d)
cat >"$fake/postqueue" <<'EOS'
#!/bin/sh
printf '%s\n' '{"queue_name": "deferred", "queue_id": "ABCDEF1234", "arrival_time": 1795352526, "message_size": 10, "forced_expire": false, "sender": "a@b.example", "recipients": [{"address": "x@gmail.com", "delay_reason": "host h[192.0.2.1] said: 421 4.7.0 \u001b[2J\u001b[31mEVIL\u001b]0;pwned\u0007 Try again later, closing connection. gsmtp"}]}'
EOS
chmod +x "$fake/postqueue"
start "PATH=$fake:\$PATH $MQMON -c $BED_CONF --source postqueue --db $BED/tui.db"
check "hostile listing: message shown" wait_for "policy"
tm send-keys -t t Tab
sleep 0.3
tm send-keys -t t Enter
check "hostile reply shown in the detail" wait_for "EVIL"
check "escape sequences are inert: the screen was not cleared" has "Message ABCDEF1234"
check "escape sequences are inert: shown as text" has "\\[2J ?\\[31mEVIL"
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null
rm -rf "$fake"
finish
