#!/bin/bash
# The main scenario, inside the VM with the module loaded (make demo):
# an agent attaches its UDP socket, a peer sends one datagram of each
# class, and the module's view is printed: what reached the agent, the
# events, /proc/net/mice and `mice show`.
set -u
cd "$(dirname "$0")/.."
MICE=./agent/mice
T=$(mktemp -d)
A="ip netns exec demo_agent"
P="ip netns exec demo_peer"
trap 'kill $(jobs -p) 2>/dev/null; ip netns del demo_agent; ip netns del demo_peer; rm -rf "$T"' EXIT

step() { echo; echo "### $*"; }

ip netns add demo_agent; ip netns add demo_peer
ip link add v0 netns demo_agent type veth peer name v1 netns demo_peer
$A ip addr add 10.99.9.1/24 dev v0; $P ip addr add 10.99.9.2/24 dev v1
$A ip link set v0 up; $P ip link set v1 up

step "mice monitor (events) and mice attach --port 4191 in namespace demo_agent (10.99.9.1)"
$A $MICE monitor > "$T/events" &
sleep 0.3
$A $MICE attach --addr 10.99.9.1 --port 4191 > "$T/agent" &
sleep 0.5
cat "$T/agent"

step "the peer (10.99.9.2) sends STUN, a Binding Update MH, the ambiguous MH of seed 004 s.12, IPv4-in-UDP, IPv6-in-UDP, garbage, STUN without FINGERPRINT"
$P ./build/tools/sendpkt --to 10.99.9.1 --port 4191 --sport 40000 \
	stun mh mh-ambiguous ipv4 ipv6 garbage stun-nofp | cut -c1-90
sleep 1

step "what reached the agent's socket (STUN and MIP only)"
tail -n +2 "$T/agent" | cut -c1-110

step "cat /proc/net/mice/sockets"
$A cat /proc/net/mice/sockets
step "cat /proc/net/mice/stats"
$A grep -v ' 0 0$' /proc/net/mice/stats
step "mice show"
$A $MICE show

kill %2 2>/dev/null; sleep 0.5
step "mice monitor saw"
cat "$T/events"

# --- part 2: the M-ICE scenario ---------------------------------------------
# A Home Agent on a public segment; mobile hosts L and R each behind a NAT
# run `mice daemon`: they gather candidates, exchange the MIP-ICE option
# through the HA (seed 004 s.3-6), run the connectivity checks, and install
# the nominated pair in the kernel. L pings R across the mice tunnel; then
# L moves to a new address and the ping goes on (s.9).
step "M-ICE: HA 10.99.5.1; L behind NAT 10.99.5.2 (inside 10.99.6.2); R behind NAT 10.99.5.3 (inside 10.99.7.2)"
NS2="dm_ha dm_l dm_r dm_nl dm_nr"
trap 'kill $(jobs -p) 2>/dev/null; for n in demo_agent demo_peer $NS2; do ip netns del $n 2>/dev/null; done; ip link del dm_br 2>/dev/null; rm -rf "$T"' EXIT
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/psk"
ip link add dm_br type bridge && ip link set dm_br up
for n in $NS2; do ip netns add $n; ip -n $n link set lo up; done
plug() { ip link add "$1p" type veth peer name pub netns "$1"; ip link set "$1p" master dm_br up
	ip -n "$1" addr add "$2" dev pub; ip -n "$1" link set pub up; }
nat() {
	plug "$1" "$2/24"
	ip link add in netns "$1" type veth peer name eth0 netns "$3"
	ip -n "$1" addr add "$4/24" dev in; ip -n "$1" link set in up
	ip -n "$3" addr add "$5/24" dev eth0; ip -n "$3" link set eth0 up
	ip -n "$3" route add default via "$4"
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=1
	printf '%s\n' 'table ip nat { chain post { type nat hook postrouting priority 100; oifname "pub" masquerade; }; }' \
		'table ip filter { chain to_nat { type filter hook input priority 0; iifname "pub" ct state new drop; }; chain through_nat { type filter hook forward priority 0; iifname "pub" ct state new drop; }; }' |
		ip netns exec "$1" nft -f -
}
plug dm_ha 10.99.5.1/24
nat dm_nl 10.99.5.2 dm_l 10.99.6.1 10.99.6.2
nat dm_nr 10.99.5.3 dm_r 10.99.7.1 10.99.7.2
for h in l r; do
	me=$([ $h = l ] && echo 1 || echo 2); other=$((3 - me))
	ip -n dm_$h link add mice0 type mice
	ip -n dm_$h addr add 10.200.0.$me/32 dev mice0
	ip -n dm_$h link set mice0 up
	ip -n dm_$h route add 10.200.0.$other/32 dev mice0
done
printf '[agent]\nrole ha\nlisten 10.99.5.1:4191\n' > "$T/ha.conf"
for p in L R; do
	printf '[agent]\nrole mn\nlisten 0.0.0.0:4191\nhome-agent 10.99.5.1:4191\nstun-server 10.99.5.1:4191\n[peer %s]\ncredentials psk-file %s\n' \
		"$p" "$T/psk" > "$T/peer$p.conf"
done
ip netns exec dm_ha $MICE daemon -c "$T/ha.conf" > "$T/ha.log" 2>&1 &
sleep 0.5
ip netns exec dm_r $MICE daemon -c "$T/peerL.conf" --name R --dev mice0 --peer-prefix 10.200.0.1/32 > "$T/r.log" 2>&1 &
ip netns exec dm_l $MICE daemon -c "$T/peerR.conf" --name L --connect R --dev mice0 --peer-prefix 10.200.0.2/32 > "$T/l.log" 2>&1 &
for _ in $(seq 100); do grep -q "kernel-pair peer L" "$T/r.log" 2>/dev/null && break; sleep 0.2; done
step "mice daemon on L (gathering, offer through the HA, checks, nomination, kernel pair)"
cat "$T/l.log"
step "the Home Agent"
cat "$T/ha.log"
step "L pings R (10.200.0.2) through the mice tunnel; after 2 s L moves from 10.99.6.2 to 10.99.6.3"
ip netns exec dm_l ping -i 0.2 -w 12 10.200.0.2 > "$T/ping" &
sleep 2
ip -n dm_l addr del 10.99.6.2/24 dev eth0
ip -n dm_l addr add 10.99.6.3/24 dev eth0
ip -n dm_l route add default via 10.99.6.1
wait %%
tail -3 "$T/ping"
step "L after the move (subsequent offer, new pair)"
tail -n +$(( $(grep -n "address" "$T/l.log" | head -1 | cut -d: -f1) )) "$T/l.log"
step "R: kernel pair replaced; cat /proc/net/mice/pairs on R"
grep "kernel-pair" "$T/r.log"
ip netns exec dm_r cat /proc/net/mice/pairs
