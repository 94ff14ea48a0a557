#!/bin/bash
# Guest test: the module's life cycle under load. Every way a socket can
# leave the module (detach, netns deletion, the agent killed; rmmod is
# refused while a socket is attached) while
# datagrams keep arriving, with the harness failing the run on any WARN,
# BUG, refcount or list report in dmesg. Runs without the harness's
# --rmmod: it unloads and reloads the module itself.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

MICE=./agent/mice
SEND=./build/tools/sendpkt
MODULE=${MICE_VM_MODULE:-kmod/mice.ko}
T=$(mktemp -d)
A="ip netns exec mice_a"
B="ip netns exec mice_b"

teardown() {
	kill -9 $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	for ns in mice_a mice_b mice_c; do ip netns del $ns 2>/dev/null; done
	rm -rf "$T"
}
trap teardown EXIT

wait_for() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

module_loaded() { grep -q '^mice ' /proc/modules; }

ip netns add mice_a; ip netns add mice_b
ip link add va netns mice_a type veth peer name vb netns mice_b
$A ip addr add 10.99.2.1/24 dev va; $B ip addr add 10.99.2.2/24 dev vb
$A ip link set va up; $B ip link set vb up
$A ip link set lo up; $B ip link set lo up

# flood PORT: datagrams of every class toward ns a until killed (bounded).
flood() {
	$B timeout 60 $SEND --to 10.99.2.1 --port "$1" --count 10000000 --quiet \
		stun mh ipv4 ipv6 garbage >/dev/null 2>&1 &
}

# --- rmmod with sockets attached and traffic flowing ----------------------
$A $MICE attach --port 4300 > "$T/a1" 2>&1 &
agent1=$!
$A $MICE attach --addr 10.99.2.1 --port 4301 > /dev/null 2>&1 &
agent2=$!
wait_for "$T/a1" "attached" || fail attach-before-rmmod "$(cat "$T/a1")"
flood 4300; flood 4301
sleep 2
before=$($A awk '$1 == "rx" && $2 == "data" { print $3 }' /proc/net/mice/stats)
[ "${before:-0}" -gt 0 ] && pass fast-path-saw-traffic || fail fast-path-saw-traffic "rx data '$before'"
# An attached socket pins the module (kmod/socket.c): rmmod is refused.
! rmmod mice 2>/dev/null && module_loaded && pass rmmod-refused-under-traffic ||
	fail rmmod-refused-under-traffic "rmmod succeeded with sockets attached"
sleep 1
kill -0 $agent1 2>/dev/null && kill -0 $agent2 2>/dev/null &&
	pass agents-survive-rmmod || fail agents-survive-rmmod "an agent died"
# Detached, the socket is a plain UDP socket again: data reaches the agent.
id1=$($A awk '$4 == 4300 { print $1 }' /proc/net/mice/sockets)
$A $MICE detach "$id1"
sleep 0.5
grep -q '^data from' "$T/a1" && pass socket-plain-after-detach ||
	fail socket-plain-after-detach "no data delivered after detach"
kill $agent1 $agent2; wait $agent1 $agent2 2>/dev/null
# Once the agents closed their sockets, the module goes.
rmmod mice && ! module_loaded && pass rmmod-under-traffic || fail rmmod-under-traffic "rmmod failed"

# --- reload; the agent killed with SIGKILL under traffic ---------------------
insmod "$MODULE" && module_loaded && pass reload || fail reload "insmod $MODULE"
$A $MICE attach --port 4302 > "$T/a2" 2>&1 &
agent=$!
wait_for "$T/a2" "attached" || fail attach-after-reload "$(cat "$T/a2")"
flood 4302
sleep 1
kill -9 $agent; wait $agent 2>/dev/null
sleep 0.5
n=$($A awk '$1 == "sockets" { print $2 }' /proc/net/mice/stats)
[ "$n" = 0 ] && pass sigkill-detaches || fail sigkill-detaches "sockets $n"
[ "$($A wc -l < /proc/net/mice/sockets)" = 1 ] && pass proc-sockets-empty ||
	fail proc-sockets-empty "$($A cat /proc/net/mice/sockets)"

# --- the netns deleted while a socket is attached and traffic flows ----------
ip netns add mice_c
ip netns exec mice_c ip link set lo up
ip netns exec mice_c $MICE attach --addr 127.0.0.1 --port 4303 > "$T/c" 2>&1 &
agentc=$!
wait_for "$T/c" "attached" || fail attach-in-netns-c "$(cat "$T/c")"
ip netns exec mice_c timeout 60 $SEND --to 127.0.0.1 --port 4303 --count 10000000 \
	--quiet stun ipv4 garbage >/dev/null 2>&1 &
sendc=$!
sleep 1
ip netns del mice_c && pass netns-del-while-attached || fail netns-del-while-attached "ip netns del"
sleep 0.5
# The namespace lives until its last socket closes; then pernet exit runs.
kill -9 $agentc $sendc; wait $agentc $sendc 2>/dev/null
sleep 1
# Namespaces are torn down by a workqueue; a new one must work normally.
ip netns add mice_c && ip netns exec mice_c ip link set lo up
ip netns exec mice_c $MICE attach --addr 127.0.0.1 --port 4303 --count 1 --timeout 10 > "$T/c2" 2>&1 &
agentc=$!
wait_for "$T/c2" "attached"
ip netns exec mice_c $SEND --to 127.0.0.1 --port 4303 stun >/dev/null
wait $agentc && pass new-netns-works || fail new-netns-works "$(cat "$T/c2")"

# --- rmmod once more, after the agent closed, with a listener ------------------
$A $MICE monitor > /dev/null 2>&1 &
$A $MICE attach --port 4304 > "$T/a3" 2>&1 &
agent=$!
wait_for "$T/a3" "attached"
flood 4304
sleep 1
! rmmod mice 2>/dev/null && pass rmmod-refused-while-attached ||
	fail rmmod-refused-while-attached "rmmod succeeded with a socket attached"
kill $agent; wait $agent 2>/dev/null
rmmod mice && pass rmmod-with-monitor || fail rmmod-with-monitor "rmmod failed"

summary
