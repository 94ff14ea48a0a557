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
