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

# --- the default columns at 80x24: the recipient, the reply's SMTP code and DSN, the cause
# a message to two recipients (the second one counted as +1)
echo "Subject: two" | sendmail -C "$BED_CONF" -f two@testbed.local user90@gmail.com user91@outlook.com
# and one whose long recipient must be cut at 80 columns: the +1 stays
long=a-very-long-mailbox-name-for-the-cut
echo "Subject: long" | sendmail -C "$BED_CONF" -f long@testbed.local "$long-1@gmail.com" "$long-2@gmail.com"
# deferred_from SENDER - the queue ID of the sender's message once every recipient has a reply
deferred_from() {
	postqueue -c "$BED_CONF" -j | jq -r --arg s "$1" 'select(.sender == $s and .queue_name == "deferred"
		and all(.recipients[]; .delay_reason != null)) | .queue_id'
}
for _ in $(seq 100); do
	two=$(deferred_from two@testbed.local)
	lid=$(deferred_from long@testbed.local)
	[ -n "$two" ] && [ -n "$lid" ] && break
	sleep 0.2
done
# pq_first ID - the message's first recipient and its reply as postqueue -j lists them
pq_first() { postqueue -c "$BED_CONF" -j | jq -r --arg id "$1" 'select(.queue_id == $id) | .recipients[0] | .address, .delay_reason'; }
# pq_reason ID ADDRESS - the reply postqueue -j lists for one recipient of a message
pq_reason() { postqueue -c "$BED_CONF" -j | jq -r --arg id "$1" --arg a "$2" 'select(.queue_id == $id) | .recipients[] | select(.address == $a) | .delay_reason'; }
# pq_code REASON - "421 4.7.28": the SMTP code and DSN of the reply the peer gave
pq_code() { sed -nE 's/.* said: ([45][0-9][0-9])[ -]([45]\.[0-9]+\.[0-9]+) .*/\1 \2/p' <<<"$1"; }
# row_has ID TEXT - the row of message ID contains TEXT (fixed string)
row_has() { screen | grep -E "^$1 " | grep -qF -- "$2"; }
gid=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.recipients | length == 1) | select(.recipients[0].address | endswith("@gmail.com")) | .queue_id' | head -1)
oid=$(postqueue -c "$BED_CONF" -j | jq -r 'select(.recipients | length == 1) | select(.recipients[0].address | endswith("@outlook.com")) | .queue_id' | head -1)
{ read -r gaddr; read -r greason; } < <(pq_first "$gid")
{ read -r oaddr; read -r oreason; } < <(pq_first "$oid")
gcode=$(pq_code "$greason")
ocode=$(pq_code "$oreason")
check "the bed: gmail answered $gcode, outlook $ocode (postqueue -j)" test -n "$gcode" -a -n "$ocode" -a -n "$two" -a -n "$lid"
grep -qF "$gid: to=<$gaddr>" "$BED_LOG" && grep "$gid: to=<$gaddr>" "$BED_LOG" | grep -qF "said: ${gcode% *}"
check "the log agrees: $gid was answered ${gcode% *}" test $? -eq 0
start "$MQMON -c $BED_CONF --log $BED_LOG --db $db" 80 24
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t Tab
check "80x24: the header shows QUEUE ID, QUEUE, RECIPIENT, NEXT RETRY, CODE and CAUSE" \
	wait_re "^QUEUE ID +QUEUE +RECIPIENT +NEXT RETRY +CODE +CAUSE *$"
check "80x24: $gid shows its recipient, the code $gcode and its cause" \
	wait_re "^$gid +deferred +${gaddr//./\\.} +[^ ]+ +$gcode +rate-limit *$"
check "80x24: $oid shows its recipient and the code $ocode" \
	has "^$oid +deferred +${oaddr//./\\.} +[^ ]+ +$ocode +rate-limit *$"
# the message to two: one of them, +1, and the code of that one's reply
trow=$(screen | grep -E "^$two ")
taddr=$(awk '{print $3}' <<<"$trow")
tcode=$(pq_code "$(pq_reason "$two" "$taddr")")
check "80x24: the message to two shows a recipient of it ($taddr) and +1" \
	test "$(awk '{print $4}' <<<"$trow")" = "+1" -a -n "$tcode"
check "80x24: ... and the code of that recipient's reply ($tcode)" \
	has "^$two +deferred +${taddr//./\\.} \\+1 +[^ ]+ +$tcode +rate-limit *$"
check "80x24: a recipient too long for the column is cut with a mark, its +1 kept" \
	has "^$lid +deferred +${long:0:12}[^ ]*(…|~) \\+1 +[^ ]+ +$gcode +rate-limit *$"
# the start of the reply at 120 columns, in the peer's words
ostart=$(sed -E 's/.* said: [0-9]{3} [0-9.]+ //' <<<"$oreason" | cut -c1-12)
tm resize-window -t t -x 120 -y 24
check "120 columns: the header adds REPLY" wait_re "^QUEUE ID +QUEUE +RECIPIENT +AGE +ATT +NEXT RETRY +EXPIRES +CODE +CAUSE +REPLY *$"
check "120 columns: $oid shows the start of its reply ('$ostart') after its code and cause" \
	row_has "$oid" "$ocode  rate-limit      $ostart"
check "120 columns: no SENDER (the first left out)" has_not "SENDER"
tm resize-window -t t -x 160 -y 24
check "160 columns: every column, SENDER too" wait_re "^QUEUE ID +QUEUE +RECIPIENT .* +REPLY +SENDER *$"
check "160 columns: $two's sender" has "^$two .* two@testbed\\.local *$"
# :columns for the session (once the console drew the resize: keys typed before it are drawn at the old width)
tm resize-window -t t -x 80 -y 24
wait_re "^QUEUE ID +QUEUE +RECIPIENT +NEXT RETRY +CODE +CAUSE *$" >/dev/null
cmd "columns id code reply"
check ":columns id code reply: only those, in that order" wait_re "^QUEUE ID +CODE +REPLY *$"
check ":columns: the reply follows the code" row_has "$oid" "$ocode  $ostart"
cmd "columns id bogus"
check ":columns with an unknown name says which names there are" \
	wait_for "columns: unknown column 'bogus' (the columns: id queue recipient"
check ":columns with an unknown name changes nothing" has "^QUEUE ID +CODE +REPLY *$"
cmd "columns default"
check ":columns default: the default again" wait_re "^QUEUE ID +QUEUE +RECIPIENT +NEXT RETRY +CODE +CAUSE *$"
tm send-keys -t t '?'
wait_for "cycle Causes" >/dev/null
tm send-keys -t t G
check "the help lists the columns from the table" wait_re "^ +code +CODE +the recipient's last reply"
tm send-keys -t t Escape q
check "80x24 session quits" wait_for "EXIT=0"

# --- [console] columns = id cause: only those appear, even with room for more
cfg=$BED/columns.ini
printf '[console]\ncolumns = id cause\n' >"$cfg"
start "$MQMON --config $cfg -c $BED_CONF --log $BED_LOG --db $db" 120 24
wait_for "CAUSE / PROVIDER / DOMAIN" >/dev/null
tm send-keys -t t Tab
check "columns = id cause: the header has those two" wait_re "^QUEUE ID +CAUSE *$"
check "columns = id cause: $gid's row has those two" has "^$gid +rate-limit *$"
check "columns = id cause: no other column in any row" \
	test "$(screen | grep -cE '^[0-9A-F]{10,} ')" = "$(screen | grep -cE '^[0-9A-F]{10,} +(rate-limit|greylisting) *$')"
# SIGHUP reads the key again
printf '[console]\ncolumns = code id\n' >"$cfg"
kill -HUP "$(pgrep -f "^$MQMON --config $cfg" | head -1)"
check "SIGHUP: the columns of the file read again (code id)" wait_re "^CODE +QUEUE ID *$"
tm send-keys -t t q
check "columns = id cause session quits" wait_for "EXIT=0"

# --- an unknown name: a clear error naming the valid ones, and the default columns
printf '[console]\ncolumns = id recipent cause\n' >"$cfg"
want="console.columns: unknown column 'recipent' (the columns: id queue recipient domain sender age attempts next expires code cause reply host) (default kept)"
err=$("$MQMON" --config "$cfg" --dump-config 2>&1 >/dev/null)
check "an unknown column name is an error that lists the columns" grep -qF -- "$want" <<<"$err"
check "--dump-config: the default is kept" sh -c "'$MQMON' --config '$cfg' --dump-config 2>/dev/null | grep -qx 'columns = id queue recipient age attempts next expires code cause reply sender'"
start "$MQMON --config $cfg -c $BED_CONF --log $BED_LOG --db $db" 200 24
check "the console says so too" wait_for "$want"
tm send-keys -t t Tab
check "and shows the default columns" wait_re "^QUEUE ID +QUEUE +RECIPIENT +AGE +ATT +NEXT RETRY +EXPIRES +CODE +CAUSE +REPLY +SENDER *$"
tm send-keys -t t q
check "unknown-name session quits" wait_for "EXIT=0"

finish
