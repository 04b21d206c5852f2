#!/usr/bin/env bash
# keys.sh - issue 12, the keyboard and the layout: an active search or tag set
# is shown in every view and a row's count is what its action touches (#5);
# keys do nothing while only "terminal too small" is shown (#6); no key that
# changes mail is a movement key of vi, emacs or less, and the action keys come
# from one table (footer, help); the causes view's columns; the tag marker;
# help and detail scrolling; "/" starts empty; ":theme" lists the themes;
# TERM=dumb is refused and vt100 falls back to ASCII; `report` with a terminal
# on standard input says what it wants instead of waiting.
set -u
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/tmux.sh"
need_bed
command -v tmux >/dev/null || skip "tmux not installed (make deps)"
bed_start 5220
long=a-rather-long-subdomain-name-for-the-column.example
inject 40 gmail.com yahoo.com outlook.com greylist.example $long
"$TOP/tests/bed/bed.sh" wait-deferred "$BED" 35 >/dev/null
trap 'tmux_stop; bed_stop' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
db=$BED/tui.db

# queue_state - every message and its queue, sorted (what an action would change)
queue_state() { postqueue -c "$BED_CONF" -j | jq -r '"\(.queue_id) \(.queue_name)"' | sort; }
# prompt_count - the "(N messages)" of the confirmation prompt on screen
prompt_count() { screen | sed -n 's/.*(\([0-9]*\) messages\?)?.*/\1/p' | tail -1; }
# first_count RE - the MSGS column of the first row matching RE
first_count() { screen | grep -E -- "$1" | head -1 | awk '{print $2}'; }

start "$MQMON -c $BED_CONF --db $db" 80 24
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null

# --- the causes view's layout at 80x24: numbers under their headings
hdr=$(screen | grep -m1 "CAUSE / PROVIDER / DOMAIN")
row=$(screen | grep -m1 -E "^[a-z-]+ +[0-9]+ +[0-9]+ ")
hend=$(awk '{ i = index($0, "MSGS"); print i + 3 }' <<<"$hdr")
rend=$(awk '{ match($0, /^[a-z-]+ +[0-9]+/); print RSTART + RLENGTH - 1 }' <<<"$row")
check_eq "causes layout: at 80x24 the MSGS numbers end under their heading" "$rend" "$hend"

# --- #5: a search left active is shown in every view, and counts agree with actions
before=$(queue_state)
tm send-keys -t t / y a h o o Enter
wait_for 'matching "yahoo"' >/dev/null
tm send-keys -t t Escape
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
check "#5 after /yahoo and Esc the causes view shows the search in the status bar" \
	has '^ mqmon .*/yahoo: [0-9]+ of [0-9]+ msgs'
top=$(screen | grep -A1 "CAUSE / PROVIDER / DOMAIN" | tail -1 | awk '{print $2}')
tm send-keys -t t H
wait_re '\(([0-9]+) messages?\)\?' >/dev/null
check_eq "#5 causes: the hold prompt's scope is the count on the row ($top)" "$(prompt_count)" "$top"
tm send-keys -t t n
wait_for "cancelled" >/dev/null
tm send-keys -t t Tab Tab
wait_for "DOMAIN" >/dev/null
sleep 0.3
check "#5 the domains view shows the search too" has '^ mqmon .*/yahoo: [0-9]+ of [0-9]+ msgs'
check "#5 domains: only the domains the search matches are listed" has_not '^(gmail\.com|outlook\.com|greylist\.example) '
dtop=$(first_count '^yahoo\.com ')
tm send-keys -t t H
wait_re '\(([0-9]+) messages?\)\?' >/dev/null
check_eq "#5 domains: the hold prompt's scope is the count on the row ($dtop)" "$(prompt_count)" "$dtop"
tm send-keys -t t n
sleep 0.3
tm send-keys -t t : c l e a r Enter
sleep 0.3
check "#5 :clear removes the search chip" has_not '/yahoo: '
check_eq "#5 nothing was held or deleted" "$(queue_state)" "$before"

# --- tags: counted in the status bar, marked with a check mark (not mailq's '*' for active)
tm send-keys -t t : v i e w ' ' m e s s a g e s Enter
wait_for "QUEUE ID" >/dev/null
sleep 0.3
tm send-keys -t t Space
sleep 0.3
check "tag marker: a tagged row is marked with a check mark, not '*'" has '^[0-9A-F]{10,}✓ '
check "tag marker: no '*' after a queue ID" has_not '^[0-9A-F]{10,}\* '
tm send-keys -t t Tab Tab
sleep 0.3
check "#5 tags: the status bar counts them in another view" has '^ mqmon .*1 tagged \(x clears\)'
tm send-keys -t t x
sleep 0.3
check "#5 tags: x clears them anywhere" has_not 'tagged \(x clears\)'

# --- movement keys of vi, emacs and less change no mail (messages view, detail, causes)
tm send-keys -t t : v i e w ' ' m e s s a g e s Enter
wait_for "QUEUE ID" >/dev/null
sleep 0.3
for k in h j k l w b e G g 0 '$' n N C-f C-b C-n C-p C-a C-e Space b d u f j k g G h Escape; do
	tm send-keys -t t "$k"
	sleep 0.05
done
tm send-keys -t t Escape Escape x
sleep 1
check "keys: vi, emacs and less movement keys changed no mail" test "$(queue_state)" = "$before"
check "keys: and asked nothing" has_not 'messages?\)\?|cannot be undone'

# --- the footer and the help come from the action table: every action has its key
tm resize-window -t t -x 140 -y 30
tm send-keys -t t Tab
sleep 0.5
check "keys: the footer lists every action key, requeue too" wait_re 'R:retry H:hold U:release D:delete Q:requeue T:throttle'
tm resize-window -t t -x 140 -y 70
tm send-keys -t t '?'
wait_for "this help" >/dev/null
check "keys: the help lists H for hold" has '^ +H +hold '
check "keys: the help lists Q for requeue" has '^ +Q +requeue '
tm resize-window -t t -x 80 -y 24
sleep 0.5
tm send-keys -t t Escape
sleep 0.3
check "keys: at 80 columns the footer still names every action key" wait_re 'actions R H U D Q T'
tm send-keys -t t '?'
wait_for "this help" >/dev/null
# help and detail scroll with PgDn/G/g
tm send-keys -t t G
sleep 0.3
check "help: G goes to the end" has 'SIGHUP reloads them'
tm send-keys -t t g
sleep 0.3
check "help: g back to the top" has 'mail queue monitor'
tm send-keys -t t NPage
sleep 0.3
check "help: PgDn scrolls a page" has_not 'mail queue monitor'
tm send-keys -t t Escape

# --- "/" starts empty; ":theme" lists the themes
tm send-keys -t t / g m a i l Enter
wait_for 'matching "gmail"' >/dev/null
tm send-keys -t t /
sleep 0.3
check "/ starts empty, not with the last search" has '^/_ *$'
tm send-keys -t t Escape : c l e a r Enter
sleep 0.2
tm send-keys -t t : t h e m e Enter
check ":theme alone lists the themes" wait_re 'themes: .*dark.*default.*mono'

# --- #6: at 40x10 only resize, redraw and quit act
tm send-keys -t t Escape Escape
sleep 0.3
tm resize-window -t t -x 40 -y 10
wait_for "terminal too small" >/dev/null
for k in Tab h H Tab d y D y Tab Tab Tab H y R y Q y; do
	tm send-keys -t t "$k"
	sleep 0.05
done
sleep 1
tm resize-window -t t -x 80 -y 24
sleep 0.5
check "#6 keys typed at 40x10 changed no mail" test "$(queue_state)" = "$before"
check "#6 and left no prompt behind" has_not 'messages?\)\?|cannot be undone'

# --- the causes view at 60 and 200 columns
tm resize-window -t t -x 60 -y 24
sleep 0.5
tm send-keys -t t Escape Escape : v i e w ' ' c a u s e s Enter C-l
sleep 0.5
check "causes layout: at 60 columns a cut name ends in an ellipsis" has '^ +a-rather-long[a-z-]*… +[0-9]+ '
tm resize-window -t t -x 200 -y 30
sleep 0.5
hdr=$(screen | grep -m1 "CAUSE / PROVIDER / DOMAIN")
col=$(awk '{print index($0, "MSGS")}' <<<"$hdr")
check "causes layout: at 200 columns the name column stays narrow (MSGS at column ${col:-none})" \
	test "${col:-0}" -gt 0 -a "${col:-0}" -le 60

# --- a long status line is kept whole in :messages
tm resize-window -t t -x 80 -y 24
sleep 0.3
tm send-keys -t t : b o g u s Enter
wait_for "unknown command ':bogus'" >/dev/null
check ":messages: the footer cut the long line" has_not 'unthrottle\)'
tm send-keys -t t : m e s s a g e s Enter
check ":messages shows the long status line whole" wait_re 'unthrottle\)'
tm send-keys -t t Escape

# --- the Actions log opens an action: command, exit status, whole output
tm send-keys -t t : v i e w ' ' m e s s a g e s Enter
wait_for "QUEUE ID" >/dev/null
tm send-keys -t t g
sleep 0.3
tm send-keys -t t H
wait_for "placed on hold" >/dev/null
hid=$(screen | sed -n 's/.*postsuper: \([0-9A-F]*\): placed on hold.*/\1/p' | head -1)
tm send-keys -t t U
wait_for "released from hold" >/dev/null
tm send-keys -t t : v i e w ' ' a c t i o n s Enter
wait_for "TARGET" >/dev/null
tm send-keys -t t Enter
check "actions log: Enter opens the newest action with its command" wait_re '^ +postsuper -c .* -H -'
check "actions log: and its exit status" has '^ Outcome +ok, exit status 0'
check "actions log: and its whole output ($hid released)" wait_re "^ +postsuper: $hid: released from hold"
tm send-keys -t t q
check "quits with status 0" wait_for "EXIT=0"

# --- TERM=dumb is refused with a reason; vt100 gets ASCII by itself
start "TERM=dumb $MQMON -c $BED_CONF --db $db" 80 24
check "TERM=dumb: refused with a reason" wait_for "cannot move the cursor"
check "TERM=dumb: exit status 78" wait_for "EXIT=78"
start "TERM=vt100 $MQMON -c $BED_CONF --db $db" 80 24
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
check "TERM=vt100: ASCII without --ascii" has '^ mqmon .*\* live'
check "TERM=vt100: no UTF-8 glyph" has_not '[●▁▂▃▄▅▆▇█]'
tm send-keys -t t q
wait_for "EXIT=0" >/dev/null

# --- report with a terminal on standard input
start "$MQMON report" 100 10
check "report without LOG on a terminal says it reads standard input" wait_for "standard input is a terminal"
check "report without LOG on a terminal: exit 64" wait_for "EXIT=64"
finish
