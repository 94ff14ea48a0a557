#!/bin/bash
# Guest test: the transmit lookup is a longest-prefix match (kmod/lpm.c,
# docs/design.md). A gateway GW with one mice device and three peers whose
# prefixes nest, /16 > /24 > /32 (IPv4) and /32 > /64 > /128 (IPv6),
# installed widest first (so "the first installed peer wins", the lookup
# before the trie, sends everything to peer 1). One datagram per inner
# destination; each peer's transmit counter shows who got it. Then:
# deleting the more specific peer falls back to the shorter prefix, a
# replaced prefix set routes at once, a prefix another peer holds exactly
# is refused, and the per-peer and per-netns prefix limits are refused
# with their extack message and leave room again after a delete.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
require_vm

MICE=$(pwd)/agent/mice
BATCH=$(pwd)/build/tools/peerbatch
T=$(mktemp -d)
on_cleanup rm -rf "$T"
on_cleanup 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null'
GW="ip netns exec lp_gw"

netns_create lp_gw || exit 1
netns_create lp_far || exit 1
veth_pair lp_gw eth0 lp_far eth0 61 || exit 1

$GW $MICE -j attach --addr 0.0.0.0 --port 4191 > "$T/attach" 2>&1 &
wait_until 20 grep -q attached "$T/attach" || { fail attach "$(cat "$T/attach")"; summary; exit 1; }
SOCK=$(sed -n 's/.*"attached","id":\([0-9]*\).*/\1/p' "$T/attach")

$GW ip link add mice0 type mice
$GW ip addr add 10.200.255.254/32 dev mice0
$GW ip -6 addr add fd00:200:ffff::1/128 dev mice0 nodad
$GW ip link set mice0 up
$GW ip route add 10.200.0.0/16 dev mice0
$GW ip -6 route add fd00:200::/32 dev mice0

pair_set() {	# PEER PREFIX...
	local peer=$1 args=() p
	shift
	for p in "$@"; do args+=(prefix "$p"); done
	$GW $MICE pair set "$peer" sock "$SOCK" remote 10.99.61.2 port $((5000 + peer)) \
		dev mice0 "${args[@]}"
}

# Peers 1-5 and their transmit packet counters, from one read.
tx_snapshot() {
	$GW awk 'NR > 1 && $1 <= 5 { print $1, $8 }' /proc/net/mice/pairs
}

send_to() {
	case $1 in
	*:*) $GW socat -u - "UDP6-SENDTO:[$1]:9" <<< x ;;
	*) $GW socat -u - "UDP4-SENDTO:$1:9" <<< x ;;
	esac
}

# expect NAME DEST PEER: one datagram to DEST goes to PEER, and only there.
expect() {
	local name=$1 dest=$2 want=$3 got
	tx_snapshot > "$T/before"
	send_to "$dest"
	sleep 0.2
	tx_snapshot > "$T/after"
	# peers whose counter moved, and by how much
	got=$(awk 'NR == FNR { b[$1] = $2; next }
		   $2 != b[$1] { printf "%s%s+%d", sep, $1, $2 - b[$1]; sep = "," }' \
		"$T/before" "$T/after")
	[ "$got" = "$want+1" ] && pass "$name" ||
		fail "$name" "to $dest: expected peer $want+1, counters moved: '${got:-none}'"
}

pair_set 1 10.200.0.0/16 fd00:200::/32 && pass install-16 || fail install-16
pair_set 2 10.200.1.0/24 fd00:200:0:1::/64 && pass install-24 || fail install-24
pair_set 3 10.200.1.7/32 fd00:200:0:1::7/128 && pass install-32 || fail install-32

# --- the longest prefix wins ----------------------------------------------------
expect v4-host-route-wins 10.200.1.7 3
expect v4-slash24-wins 10.200.1.8 2
expect v4-slash16-catches-rest 10.200.2.1 1
expect v6-host-route-wins fd00:200:0:1::7 3
expect v6-slash64-wins fd00:200:0:1::8 2
expect v6-slash32-catches-rest fd00:200:0:2::1 1

# --- deleting the more specific peer falls back to the shorter prefix -------------
$GW $MICE pair del 3 && pass del-host-peer || fail del-host-peer
expect v4-falls-back-to-slash24 10.200.1.7 2
expect v6-falls-back-to-slash64 fd00:200:0:1::7 2
$GW $MICE pair del 2 && pass del-slash24-peer || fail del-slash24-peer
expect v4-falls-back-to-slash16 10.200.1.7 1
expect v6-falls-back-to-slash32 fd00:200:0:1::7 1

# --- a replaced prefix set routes at once ------------------------------------------
pair_set 3 10.200.1.7/32 && pass reinstall-host-peer || fail reinstall-host-peer
expect v4-host-route-back 10.200.1.7 3
pair_set 3 10.200.9.0/24 && pass replace-prefixes || fail replace-prefixes
expect replaced-prefix-gone 10.200.1.7 1
expect replaced-prefix-routes 10.200.9.9 3

# --- a prefix another peer holds exactly is refused ---------------------------------
if pair_set 4 10.200.0.0/16 > "$T/dup" 2>&1; then
	fail duplicate-prefix-refused "peer 4 took peer 1's 10.200.0.0/16"
else
	grep -q "already routed to another peer" "$T/dup" && pass duplicate-prefix-refused ||
		fail duplicate-prefix-refused "$(cat "$T/dup")"
fi
expect duplicate-left-owner 10.200.2.1 1
[ -z "$($GW awk '$1 == 4' /proc/net/mice/pairs)" ] &&
	pass duplicate-created-no-peer || fail duplicate-created-no-peer

# --- limits -------------------------------------------------------------------------
if $GW $BATCH set --sock "$SOCK" --dev mice0 --count 1 --first-id 9 --prefixes 17 \
	--base 10.77.0.0 --remote 10.99.61.2 --port 6000 > "$T/p17" 2>&1; then
	fail per-peer-limit-refused "17 prefixes accepted"
else
	grep -q "too many prefixes for one peer" "$T/p17" && pass per-peer-limit-refused ||
		fail per-peer-limit-refused "$(cat "$T/p17")"
fi
# 3 prefixes are in use (peer 1: 2, peer 3: 1); fill the netns to its limit.
limit=$(sed -n 's/^#define MICE_MAX_PREFIXES_PER_NETNS\t(1 << \([0-9]*\))$/\1/p' uapi/linux/mice.h)
limit=$((1 << limit))
full=$(((limit - 3) / 16)) rest=$(((limit - 3) % 16))
t0=$(date +%s)
$GW $BATCH set --sock "$SOCK" --dev mice0 --count "$full" --first-id 100 --prefixes 16 \
	--base 10.64.0.0 --remote 10.99.61.2 --port 6000 > "$T/fill" 2>&1 &&
	pass "fill-$full-peers-x16" || fail "fill-$full-peers-x16" "$(cat "$T/fill")"
echo "# $(cat "$T/fill") ($(($(date +%s) - t0)) s)"
[ "$rest" -gt 0 ] && $GW $BATCH set --sock "$SOCK" --dev mice0 --count 1 \
	--first-id 90 --prefixes "$rest" --base 10.80.0.0 --remote 10.99.61.2 --port 6000 > /dev/null
if pair_set 5 10.200.5.5/32 > "$T/over" 2>&1; then
	fail netns-prefix-limit-refused "prefix $((limit + 1)) accepted"
else
	grep -q "too many prefixes in this netns" "$T/over" && pass netns-prefix-limit-refused ||
		fail netns-prefix-limit-refused "$(cat "$T/over")"
fi
expect full-table-still-routes 10.200.1.7 1
$GW $MICE pair del 100 && pair_set 5 10.200.5.5/32 && pass delete-gives-room-back ||
	fail delete-gives-room-back
expect new-peer-after-room 10.200.5.5 5

t0=$(date +%s)
$GW ip link del mice0 && pass device-with-all-peers-deleted || fail device-with-all-peers-deleted
echo "# device delete: $(($(date +%s) - t0)) s"
summary
