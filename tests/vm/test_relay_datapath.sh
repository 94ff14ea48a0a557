#!/bin/bash
# Guest test: the kernel data path over a relayed pair (seed 004 s.1.1
# item 3, s.3). L and R each behind a symmetric NAT (nftables masquerade
# fully-random) run `mice daemon` with the module loaded; no direct or
# server-reflexive pair can work, so ICE selects a pair through the Home
# Agent's relay. The daemons install it in the kernel (one side's remote is
# the HA itself, the other's the peer's relayed address), and ping and a
# TCP transfer cross the mice tunnel, relayed by the HA. The HA's and the
# module's counters agree with the traffic.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
. tests/netns/topo.sh
MICE=$(pwd)/agent/mice
T=$(mktemp -d)
NS="rd_ha rd_l rd_r rd_nl rd_nr"
check_eq() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "expected '$2', got '$3'"; }

(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/psk")
topo_init rd_br $NS
topo_plug rd_ha 10.99.5.1/24
topo_nat rd_nl 10.99.5.2 rd_l 10.99.6.1 10.99.6.2 symmetric
topo_nat rd_nr 10.99.5.3 rd_r 10.99.7.1 10.99.7.2 symmetric
# veth hands checksum-offloaded packets on unfinished, and the HA relays
# media through a userspace socket, which would pass the unfinished inner
# TCP checksum on; a real NIC finishes it before the wire. So the mobile
# nodes' uplinks finish checksums in software here, as a NIC would.
for h in l r; do
	ip netns exec rd_$h ethtool -K eth0 tx off > /dev/null ||
		fail ethtool "cannot turn tx checksum offload off"
done
topo_tunnel rd_l 1 2
topo_tunnel rd_r 2 1
topo_ha_conf "$T/ha.conf" 10.99.5.1
topo_mn_conf "$T/peerR.conf" 10.99.5.1 R "$T/psk"
topo_mn_conf "$T/peerL.conf" 10.99.5.1 L "$T/psk"
ip netns exec rd_ha $MICE daemon -c "$T/ha.conf" > "$T/ha" 2>&1 &
sleep 0.5
ip netns exec rd_r $MICE daemon -c "$T/peerL.conf" --name R --dev mice0 \
	--peer-prefix 10.200.0.1/32 > "$T/r" 2>&1 &
ip netns exec rd_l $MICE daemon -c "$T/peerR.conf" --name L --connect R --dev mice0 \
	--peer-prefix 10.200.0.2/32 > "$T/l" 2>&1 &

if wait_for "$T/l" "kernel-pair peer R id 1 remote 10.99.5.1:[0-9]* installed" 60 &&
   wait_for "$T/r" "kernel-pair peer L id 1 remote 10.99.5.[0-9]:[0-9]* installed" 20; then
	pass relayed-pair-installed-in-kernel
else
	fail relayed-pair-installed-in-kernel "$(tail -6 "$T/l"; tail -6 "$T/r"; tail -4 "$T/ha")"
fi
grep "selected\|kernel-pair" "$T/l" "$T/r" | sed 's/^/    /'
grep -h "selected" "$T/l" "$T/r" | tail -2 | grep -q "relay" &&
	pass selected-pair-is-relayed || fail selected-pair-is-relayed "$(grep -h selected "$T/l" "$T/r")"
# the relay needs the bind before media flows
wait_for "$T/ha" "binds .* for media" 10 && pass ha-relay-bound ||
	fail ha-relay-bound "$(tail -6 "$T/ha")"
if ip netns exec rd_l ping -c 5 -i 0.3 -W 3 10.200.0.2 > "$T/ping" 2>&1; then
	pass ping-over-relayed-tunnel
else
	fail ping-over-relayed-tunnel "$(tail -3 "$T/ping"; ip netns exec rd_l cat /proc/net/mice/pairs)"
fi
ip netns exec rd_l cat /proc/net/mice/pairs | sed 's/^/    L: /'
ip netns exec rd_r cat /proc/net/mice/pairs | sed 's/^/    R: /'

# A TCP transfer through the relay, every byte verified.
head -c 300000 /dev/urandom > "$T/src"
ip netns exec rd_r timeout 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$T/dst",creat,trunc &
srv=$!
for _ in $(seq 100); do ip netns exec rd_r ss -ltn | grep -q ':5001 ' && break; sleep 0.1; done
ip netns exec rd_l timeout 60 socat -u FILE:"$T/src" TCP:10.200.0.2:5001
wait $srv
check_eq tcp-over-relay-every-byte "$(sha256sum < "$T/src")" "$(sha256sum < "$T/dst" 2>/dev/null)"

# The HA forwarded the media itself: its relay counters grew with it.
ip netns exec rd_ha $MICE status > "$T/hastatus" 2>&1
out=$(jq '[.registrations[].relayed_out] | add' "$T/hastatus")
in=$(jq '[.registrations[].relayed_in] | add' "$T/hastatus")
echo "    HA relay: relayed_in $in relayed_out $out"
# 300 000 bytes are at least 200 full segments toward R (relayed_in: into
# R's relay from its bound peer); R's ACKs at least a quarter of that
[ "${in:-0}" -ge 200 ] && [ "${out:-0}" -ge 50 ] && pass ha-forwarded-the-media ||
	fail ha-forwarded-the-media "$(cat "$T/hastatus")"
# The module counted the tunnel traffic on the pair: rx and tx packets
# (columns 6 and 8) at least the pings and the TCP segments.
read -r rxp txp < <(ip netns exec rd_r awk 'NR == 2 { print $6, $8 }' /proc/net/mice/pairs)
[ "${rxp:-0}" -gt 200 ] && [ "${txp:-0}" -gt 5 ] && pass pair-counters-count-the-traffic ||
	fail pair-counters-count-the-traffic "rx ${rxp:-?} tx ${txp:-?}"
summary
