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

# --- part 2: the kernel data path -------------------------------------------
# Two hosts, each with an attached agent socket and a mice0 tunnel device.
# The pairs are installed by hand here, as the daemon does after ICE
# nomination (seed 004 s.8); then host L "moves" to a second path (an IPv6
# outer path) while a ping runs: the pair is replaced atomically (s.9).
step "data path: hosts L (10.99.8.1, fd99:8::1) and R (10.99.8.2, fd99:8::2), tunnel addresses 10.200.0.1 and 10.200.0.2"
L="ip netns exec demo_l"; R="ip netns exec demo_r"
trap 'kill $(jobs -p) 2>/dev/null; for n in demo_agent demo_peer demo_l demo_r; do ip netns del $n 2>/dev/null; done; rm -rf "$T"' EXIT
ip netns add demo_l; ip netns add demo_r
ip link add e0 netns demo_l type veth peer name e0 netns demo_r
$L ip addr add 10.99.8.1/24 dev e0; $R ip addr add 10.99.8.2/24 dev e0
$L ip addr add fd99:8::1/64 dev e0 nodad; $R ip addr add fd99:8::2/64 dev e0 nodad
$L ip link set e0 up; $R ip link set e0 up
for h in l r; do
	ns="ip netns exec demo_$h"; me=$([ $h = l ] && echo 1 || echo 2); peer=$((3 - me))
	$ns $MICE -j attach --port 4191 > "$T/$h.4" &
	$ns $MICE -j attach --addr :: --port 4192 > "$T/$h.6" &
	$ns ip link add mice0 type mice
	$ns ip addr add 10.200.0.$me/32 dev mice0
	$ns ip link set mice0 up
	$ns ip route add 10.200.0.$peer/32 dev mice0
done
sleep 1
sid() { sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$1"; }
$L $MICE monitor > "$T/l.events" &
sleep 0.3
echo "L: mice pair set 1 sock $(sid "$T/l.4") remote 10.99.8.2 port 4191 dev mice0 prefix 10.200.0.2/32"
$L $MICE pair set 1 sock "$(sid "$T/l.4")" remote 10.99.8.2 port 4191 dev mice0 prefix 10.200.0.2/32
$R $MICE pair set 1 sock "$(sid "$T/r.4")" remote 10.99.8.1 port 4191 dev mice0 prefix 10.200.0.1/32

step "L pings R through the tunnel; halfway, both sides move to the IPv6 path"
$L ping -i 0.2 -w 6 10.200.0.2 > "$T/ping" &
sleep 2
$L $MICE pair set 1 sock "$(sid "$T/l.6")" remote fd99:8::2 port 4192
$R $MICE pair set 1 sock "$(sid "$T/r.6")" remote fd99:8::1 port 4192
wait %%
tail -3 "$T/ping"

step "L: cat /proc/net/mice/pairs"
$L cat /proc/net/mice/pairs
step "L: mice show peers"
$L $MICE show peers
step "L: pair events"
cat "$T/l.events"
