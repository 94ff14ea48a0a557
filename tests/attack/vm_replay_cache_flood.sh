#!/bin/bash
# Attack (issue 14 item 13): fill the token replay cache with tokens that
# expire far in the future, so that every later token commit fails. The
# cache used to keep each token until its own expiry (unbounded) and to
# share max_gates, so as many far-future tokens as the gate limit, each
# committed and its gate deleted, left the cache full for decades. Now a
# token expiring more than max_token_lifetime seconds ahead is refused
# (ERANGE, counted), the cache has its own limit (max_used_tokens), and
# when it is full of unexpired tokens a commit is refused (ENOSPC,
# counted) until one expires: never forgotten early, so never replayable.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
require_vm

MICE=$(pwd)/agent/mice
P=/sys/module/mice/parameters
T=$(mktemp -d)
on_cleanup rm -rf "$T"
netns_create rc_a
A="ip netns exec rc_a"
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/key")
$A $MICE gate key set --key-file "$T/key" || fail key-set
NFLOOD=40
$A $MICE gate mode --max-gates $NFLOOD
CLS="--proto udp --src 10.1.0.2/32 --dst 10.2.0.2/32"
mint() { $MICE token mint --key-file "$T/key" --gate-id "$1" $2 $CLS --dport "$3" --rate 40000 --burst 3000; }
commit() { $A $MICE gate commit --token "$1" $CLS --dport "$2" --flow "udp,10.1.0.2,5000,10.2.0.2,$2"; }
tokens() { $A awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' /proc/net/mice/tokens 2>/dev/null; }

# --- the flood: far-future tokens, each committing a gate then deleted -------
FAR=$(($(date +%s) + 100 * 365 * 86400))
accepted=0 refused_range=0
for i in $(seq 1 $NFLOOD); do
	out=$(commit "$(mint $((1000 + i)) "--expires-at $FAR" $((7000 + i)))" $((7000 + i)) 2>&1) &&
		accepted=$((accepted + 1))
	case $out in *"too far ahead"*) refused_range=$((refused_range + 1)) ;; esac
	$A $MICE gate del $((1000 + i)) 2>/dev/null
done
echo "    flood: $NFLOOD far-future tokens, $accepted committed, $refused_range refused as too far ahead"
[ $accepted = 0 ] && [ $refused_range = $NFLOOD ] && pass far-future-tokens-refused ||
	fail far-future-tokens-refused "$accepted of $NFLOOD committed"
[ "$(tokens refused_lifetime)" = $NFLOOD ] && pass far-future-refusals-counted ||
	fail far-future-refusals-counted "refused_lifetime '$(tokens refused_lifetime)'"
out=$(commit "$(mint 2000 "--expires 300" 6000)" 6000 2>&1) &&
	pass legit-token-commits-after-flood ||
	fail legit-token-commits-after-flood "$out"
used=$(tokens used) max=$(tokens max_used)
[ -n "$used" ] && [ -n "$max" ] && [ "$used" -le "$max" ] && [ "$used" = 1 ] &&
	pass cache-holds-only-the-legit-token || fail cache-holds-only-the-legit-token "used '$used' max_used '$max'"

# --- a full cache: refused while full, never forgotten early ----------------
# The legit token above is in the cache; with room for three, one token
# that expires in 4 s and one that lives on fill it.
echo 3 > $P/max_used_tokens || fail set-max-used-tokens
commit "$(mint 2101 "--expires 4" 6101)" 6101 > /dev/null 2>&1 || fail fill-cache-short
first=$(mint 2200 "--expires 300" 6200)
commit "$first" 6200 > /dev/null 2>&1 || fail fill-cache
$A $MICE gate del 2200
[ "$(tokens used)" = 3 ] && pass cache-fills-to-its-own-limit || fail cache-fills-to-its-own-limit "used '$(tokens used)'"
out=$(commit "$(mint 2300 "--expires 300" 6300)" 6300 2>&1)
rc=$?
[ $rc != 0 ] && printf '%s' "$out" | grep -q "replay cache full" && [ "$(tokens refused_full)" = 1 ] &&
	pass full-cache-refuses-new-token-counted || fail full-cache-refuses-new-token-counted "rc $rc: $out"
out=$(commit "$first" 6200 2>&1) && fail used-token-still-refused-when-full "replayed: $out" ||
	{ printf '%s' "$out" | grep -q "replay" && pass used-token-still-refused-when-full ||
		fail used-token-still-refused-when-full "$out"; }
# Plain commits never use the cache.
$A $MICE gate add 2400 $CLS --dport 6400 --rate 1000 --burst 1500 &&
	$A $MICE gate commit 2400 --flow udp,10.1.0.2,5000,10.2.0.2,6400 &&
	pass plain-commit-works-with-cache-full || fail plain-commit-works-with-cache-full
# The 4-second token expires: room again.
sleep 5
out=$(commit "$(mint 2500 "--expires 300" 6500)" 6500 2>&1) &&
	pass commit-works-once-tokens-expire || fail commit-works-once-tokens-expire "$out"
[ "$(tokens used)" -le 3 ] && pass cache-stays-within-limit || fail cache-stays-within-limit "used '$(tokens used)'"
echo 65536 > $P/max_used_tokens
echo "    /proc/net/mice/tokens: $($A cat /proc/net/mice/tokens)"

summary
