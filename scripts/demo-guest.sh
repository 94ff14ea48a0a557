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
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/psk")
. tests/netns/topo.sh
topo_bridge dm_br
for n in $NS2; do ip netns add $n; ip -n $n link set lo up; done
topo_plug dm_ha 10.99.5.1/24
topo_nat dm_nl 10.99.5.2 dm_l 10.99.6.1 10.99.6.2 eim
topo_nat dm_nr 10.99.5.3 dm_r 10.99.7.1 10.99.7.2 eim
topo_tunnel dm_l 1 2
topo_tunnel dm_r 2 1
topo_ha_conf "$T/ha.conf" 10.99.5.1
topo_mn_conf "$T/peerL.conf" 10.99.5.1 L "$T/psk"
topo_mn_conf "$T/peerR.conf" 10.99.5.1 R "$T/psk"
# both propose Ta 5 ms (ice-pacing), the fast-handover setting
printf '[timers]\nta-ms 5\n' | tee -a "$T/peerL.conf" >> "$T/peerR.conf"
ip netns exec dm_ha $MICE daemon -c "$T/ha.conf" > "$T/ha.log" 2>&1 &
sleep 0.5
ip netns exec dm_r $MICE daemon -c "$T/peerL.conf" --name R --dev mice0 --peer-prefix 10.200.0.1/32 > "$T/r.log" 2>&1 &
wait_for "$T/r.log" "registered" 10
ip netns exec dm_r $MICE monitor --daemon R --timeout 60 > "$T/r.monitor" 2>&1 &
wait_for "$T/r.monitor" "monitor attached" 5
ip netns exec dm_l $MICE daemon -c "$T/peerR.conf" --name L --connect R --dev mice0 --peer-prefix 10.200.0.2/32 > "$T/l.log" 2>&1 &
for _ in $(seq 100); do grep -q "kernel-pair peer L" "$T/r.log" 2>/dev/null && break; sleep 0.2; done
step "mice daemon on L (gathering, offer through the HA, checks, nomination, kernel pair)"
cat "$T/l.log"
step "the check progress on R: mice monitor --daemon R (RFC 8445 pair states, nomination)"
grep -E " (pair|nominated|selected|kernel-pair) " "$T/r.monitor" | head -24
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

# --- part 3: media admission at a gateway (seed 001) ------------------------
# A client, a gateway running mice in enforce mode on its client-facing
# interface, and a media server. The policy point installs a gate and gives
# the client a self-verifying token; the client presents it on its media
# flow (STUN to the gateway's agent); that flow is admitted within its
# envelope, another flow from the same client is dropped.
step "media admission: client 10.1.9.2 -> gateway (enforce on its client side) -> server 10.2.9.2"
C="ip netns exec da_c"; G="ip netns exec da_g"; S="ip netns exec da_s"
trap 'kill $(jobs -p) 2>/dev/null; for n in demo_agent demo_peer $NS2 da_c da_g da_s; do ip netns del $n 2>/dev/null; done; ip link del dm_br 2>/dev/null; rm -rf "$T"' EXIT
for n in da_c da_g da_s; do ip netns add $n; ip -n $n link set lo up; done
ip link add c0 netns da_c type veth peer name gc netns da_g
ip link add s0 netns da_s type veth peer name gs netns da_g
$C ip addr add 10.1.9.2/24 dev c0; $G ip addr add 10.1.9.1/24 dev gc
$G ip addr add 10.2.9.1/24 dev gs; $S ip addr add 10.2.9.2/24 dev s0
$C ip link set c0 up; $G ip link set gc up; $G ip link set gs up; $S ip link set s0 up
$C ip route add default via 10.1.9.1; $S ip route add default via 10.2.9.1
$G sysctl -qw net.ipv4.ip_forward=1
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/group")
$G $MICE gate key set --group-key-file "$T/group"
$G $MICE gate mode enforce --dev gc:up
$G $MICE -j gate monitor > "$T/gates.events" &
$G $MICE gate serve --addr 10.1.9.1 --port 4300 --timeout 30 > "$T/serve" &
CLSD="--proto udp --src 10.1.9.2/32 --dst 10.2.9.2/32 --dport 6000"
echo "policy point: mice gate add 1 $CLSD --rate 20000 --burst 4000"
$G $MICE gate add 1 $CLSD --rate 20000 --burst 4000
TOKEN=$($MICE token mint --group-key-file "$T/group" --gate-id 1 --expires 120 $CLSD --rate 20000 --burst 4000)
echo "token handed to the client (P-Media-Authorization): ${TOKEN:0:32}..."
sleep 0.5
echo "client: mice gate present --token ... --gateway 10.1.9.1:4300 --sport 5000 --dest 10.2.9.2:6000"
$C $MICE gate present --token "$TOKEN" --gateway 10.1.9.1:4300 --sport 5000 --dest 10.2.9.2:6000
step "the authorized flow (sent at 40000 B/s, envelope 20000 B/s) and an unauthorized one"
$S timeout 20 ./build/tools/flowgen recv --port 6000 --seconds 3 --warmup 1 > "$T/recv.auth" &
r1=$!
$S timeout 20 ./build/tools/flowgen recv --port 6001 --seconds 3 --warmup 1 > "$T/recv.unauth" &
r2=$!
sleep 0.3
$C ./build/tools/flowgen send --to 10.2.9.2 --port 6000 --sport 5000 --size 472 --rate 40000 --seconds 5 > /dev/null &
s1=$!
$C ./build/tools/flowgen send --to 10.2.9.2 --port 6001 --sport 5001 --size 472 --rate 40000 --seconds 5 > /dev/null
wait $r1 $r2 $s1
echo "authorized   (6000): $(cat "$T/recv.auth")"
echo "unauthorized (6001): $(cat "$T/recv.unauth")"
step "gateway: cat /proc/net/mice/gates"
$G cat /proc/net/mice/gates
step "gateway: mice monitor of gates (first events)"
head -6 "$T/gates.events"
