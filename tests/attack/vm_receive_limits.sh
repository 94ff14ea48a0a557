#!/bin/bash
# Attack test (VM, mice.ko loaded): what one packet may make the module do
# on its receive and transmit paths (issue 14 items 12 and 14).
#
# 1. Anyone who can reach an attached socket sends a 60 KiB datagram with
#    the STUN magic cookie at offset 4 (a valid message, FINGERPRINT and
#    all). Without a bound the module would linearise all of it and CRC it
#    for every such datagram. It must be classified invalid with its own
#    reason (stun_oversize) on its first octets, counted, and never reach
#    the agent as STUN.
# 2. A local process with CAP_NET_RAW writes malformed inner packets into
#    mice0 through an AF_PACKET socket: a truncated IPv4 header, an IPv6
#    header in an ETH_P_IP skb, an IPv4 header in an ETH_P_IPV6 skb, an
#    ARP payload. The pair's prefixes are 0.0.0.0/0 and ::/0, so any
#    destination the module might read past the header would match and the
#    packet would leave encapsulated. Each must be dropped and counted
#    (tx_inner_header), nothing may leave, and dmesg stays clean.
#
# Namespaces rl_a (victim, 10.99.42.1) and rl_b (10.99.42.2) on one veth.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
require_vm

MICE=$(pwd)/agent/mice
SEND=$(pwd)/build/tools/sendpkt
INJECT=$(pwd)/build/tools/devinject
COUNT=$(pwd)/build/tools/udpcount
T=$(mktemp -d)
on_cleanup rm -rf "$T"
on_cleanup 'kill $(jobs -p)'
A="ip netns exec rl_a"
B="ip netns exec rl_b"

check_eq() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "expected '$2', got '$3'"; }
proc_stat() {	# "rx CLASS"|"drop REASON" FIELD (3 packets, 4 bytes); 0 if absent
	$A awk -v k="$1" -v n="$2" '$1" "$2 == k { v = $n } END { print v + 0 }' \
		/proc/net/mice/stats
}
pair_tx() { $A $MICE -j pair show | jq -r '.[] | select(.peer == 1) | .tx.packets'; }
dev_stat() { $A cat "/sys/class/net/mice0/statistics/$1"; }

netns_create rl_a && netns_create rl_b || { fail setup "namespaces"; summary; exit 1; }
ip link add rl_va netns rl_a type veth peer name rl_vb netns rl_b
$A ip addr add 10.99.42.1/24 dev rl_va
$B ip addr add 10.99.42.2/24 dev rl_vb
$A ip link set rl_va up
$B ip link set rl_vb up
dmesg_before=$(dmesg | wc -l)

$A $MICE -j attach --addr 10.99.42.1 --port 4191 --timeout 90 > "$T/agent" 2>"$T/agent.err" &
wait_until 10 grep -q '"attached"' "$T/agent" ||
	{ fail attach "$(cat "$T/agent.err")"; summary; exit 1; }
sock=$(sed -n 's/.*"attached","id":\([0-9]*\).*/\1/p' "$T/agent")

# --- 1. oversize STUN ----------------------------------------------------------
# Three 60028-octet valid STUN messages, then a normal one as a marker: the
# socket delivers in order, so once the marker is in, all were classified.
$B $SEND --to 10.99.42.1 --port 4191 --sport 5555 stun-oversize stun-oversize \
	stun-oversize stun > "$T/sent"
wait_until 20 grep -q '"packet"' "$T/agent"
sleep 0.5
marker=$(awk '$1 == "stun" { print $2 }' "$T/sent")
got=$(grep '"packet"' "$T/agent" | sed 's/.*"hex":"\([0-9a-f]*\)".*/\1/')
[ -n "$marker" ] && [ "$got" = "$marker" ] &&
	pass oversize-stun-never-reaches-the-agent ||
	fail oversize-stun-never-reaches-the-agent \
		"agent got $(grep -c '"packet"' "$T/agent") packet(s), lengths $(for h in $got; do echo -n "$(( ${#h} / 2 )) "; done)"
check_eq oversize-stun-counted-as-stun_oversize "3 $((3 * 60028))" \
	"$(proc_stat 'drop stun_oversize' 3) $(proc_stat 'drop stun_oversize' 4)"
check_eq oversize-stun-classified-invalid 3 "$(proc_stat 'rx invalid' 3)"
check_eq oversize-stun-not-counted-as-stun 1 "$(proc_stat 'rx stun' 3)"
$A $MICE -j show stats > "$T/show"
check_eq oversize-stun-shown-by-mice-show 3 \
	"$(jq -r '.stats.drop.stun_oversize.packets' "$T/show")"

# --- 2. malformed inner packets written into mice0 -----------------------------
$A ip link add mice0 type mice
# No IPv6 of its own (router solicitations, MLD): only what we write leaves.
$A sysctl -qw net.ipv6.conf.mice0.disable_ipv6=1
$A ip addr add 10.200.42.1/32 dev mice0
$A ip link set mice0 up
$A $MICE pair set 1 sock "$sock" remote 10.99.42.2 port 4191 dev mice0 \
	prefix 0.0.0.0/0 prefix ::/0 || fail pair-set "mice pair set"
# Everything that leaves A's socket toward B is counted there.
$B $COUNT --addr 10.99.42.2 --port 4191 --seconds 8 > "$T/count" 2>&1 &
counter=$!
sleep 0.5

# Control: a well-formed IPv4/UDP packet written the same way does leave.
ip4() { printf '%s' 45000020 00004000 40110000 0ac82a01 0ac82a02 13881389 000c0000 61626364; }
$A $INJECT --dev mice0 --proto ip "$(ip4)" > /dev/null
wait_until 5 [ "$(pair_tx)" = 1 ]
check_eq control-well-formed-packet-leaves 1 "$(pair_tx)"

tx0=$(dev_stat tx_packets)
err0=$(dev_stat tx_errors)
# truncated IPv4: 12 octets, the destination would be at 16..19
$A $INJECT --dev mice0 --proto ip "$(ip4 | cut -c1-24)" > /dev/null
# 19 octets: one short of the fixed header
$A $INJECT --dev mice0 --proto ip "$(ip4 | cut -c1-38)" > /dev/null
# an IPv6 header (48 octets in all, 10.200.42.2 at 16..19) in an ETH_P_IP skb
v6=$(printf '%s' 60000000 00081140 0000000000000000 0ac82a02 00000000 \
	fd000000000000000000000000000001 1388138900080000)
$A $INJECT --dev mice0 --proto ip "$v6" > /dev/null
# an IPv4 header (20 octets) in an ETH_P_IPV6 skb: the IPv6 destination
# would be at 24..39
$A $INJECT --dev mice0 --proto ipv6 "$(ip4 | cut -c1-40)" > /dev/null
# no IP at all
$A $INJECT --dev mice0 --proto arp 0001080006040001000000000000000000000000 > /dev/null
sleep 1
check_eq malformed-inner-packets-not-sent 1 "$(pair_tx)"
check_eq malformed-inner-packets-not-sent-by-device "$tx0" "$(dev_stat tx_packets)"
check_eq malformed-inner-packets-counted-as-tx_inner_header 5 \
	"$(proc_stat 'drop tx_inner_header' 3)"
check_eq malformed-inner-packets-are-tx-errors $((err0 + 5)) "$(dev_stat tx_errors)"
wait $counter
check_eq nothing-malformed-reached-the-peer "1 1" \
	"$(sed -n 's/^packets \([0-9]*\).*/\1/p' "$T/count") $(pair_tx)"

new=$(dmesg | tail -n +"$((dmesg_before + 1))" | grep -E 'WARNING|BUG|Oops|general protection|KASAN|UBSAN' | head -3)
[ -z "$new" ] && pass dmesg-clean || fail dmesg-clean "$new"

summary
