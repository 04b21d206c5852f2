#!/usr/bin/env bash
# demo-fill.sh DIR [N] - inject a demo load (default 300 messages) into the
# running bed in DIR, spread over every domain of its transport map, big
# providers weighted heavier, plus a few to nowhere.example (connection refused).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:?usage: demo-fill.sh DIR [N]}
n=${2:-300}
[[ -f $dir/bed.env && -r $dir/etc/transport ]] || { echo "demo-fill.sh: $dir: no bed there" >&2; exit 1; }

domains=()
while read -r domain _; do
	case $domain in
	'#'* | '*' | *testbed.local) continue ;;
	gmail.com | outlook.com | yahoo.com) domains+=("$domain" "$domain" "$domain") ;;
	hotmail.com | googlemail.com | aol.com | icloud.com | greylist.example) domains+=("$domain" "$domain") ;;
	*) domains+=("$domain") ;;
	esac
done <"$dir/etc/transport"
domains+=(nowhere.example)
((${#domains[@]} > 1)) || { echo "demo-fill.sh: no domains in $dir/etc/transport" >&2; exit 1; }

exec "$here/bed.sh" inject "$dir" "$n" "${domains[@]}"
