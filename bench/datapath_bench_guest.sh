#!/bin/bash
# Data path throughput, inside the VM with mice.ko loaded (make bench).
# One veth pair joins hosts A and B; three UDP tunnels run over it side by
# side, each with its own inner addresses:
#   mice     the module's device and a validated pair (10.201.0.x)
#   fou      Linux FOU: ipip encapsulated in UDP, in the kernel (10.202.0.x)
#   relay    a userspace relay: tun + UDP socket, tests/tools/udprelay (10.203.0.x)
# iperf3 measures TCP throughput and UDP packets/s of small datagrams
# through each, in the same run; ratios are against FOU and the relay.
set -u
cd "$(dirname "$0")/.."
SECS=${MICE_BENCH_SECONDS:-5}
MICE=./agent/mice
A="ip netns exec bench_a"
B="ip netns exec bench_b"
T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip netns del bench_a; ip netns del bench_b; rm -rf "$T"' EXIT
modprobe fou 2>/dev/null; modprobe ipip 2>/dev/null; modprobe tun 2>/dev/null

ip netns add bench_a; ip netns add bench_b
ip link add va netns bench_a type veth peer name vb netns bench_b
$A ip addr add 10.99.10.1/24 dev va; $B ip addr add 10.99.10.2/24 dev vb
$A ip link set va up; $B ip link set vb up; $A ip link set lo up; $B ip link set lo up

# mice
for h in a b; do
	ns="ip netns exec bench_$h"; me=$([ $h = a ] && echo 1 || echo 2); o=$((3 - me))
	$ns $MICE -j attach --port 4191 > "$T/$h.sock" &
	$ns ip link add mice0 type mice
	$ns ip addr add 10.201.0.$me/32 dev mice0
	$ns ip link set mice0 up
	$ns ip route add 10.201.0.$o/32 dev mice0
done
sleep 1
sid() { sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$1"; }
$A $MICE pair set 1 sock "$(sid "$T/a.sock")" remote 10.99.10.2 port 4191 dev mice0 prefix 10.201.0.2/32
$B $MICE pair set 1 sock "$(sid "$T/b.sock")" remote 10.99.10.1 port 4191 dev mice0 prefix 10.201.0.1/32

# FOU (same outer overhead class: IPv4 + UDP)
for h in a b; do
	ns="ip netns exec bench_$h"; me=$([ $h = a ] && echo 1 || echo 2); o=$((3 - me))
	$ns ip fou add port 5555 ipproto 4
	$ns ip link add fou0 type ipip remote 10.99.10.$o local 10.99.10.$me \
		encap fou encap-sport auto encap-dport 5555
	$ns ip addr add 10.202.0.$me/32 dev fou0
	$ns ip link set fou0 up
	$ns ip route add 10.202.0.$o/32 dev fou0
done

# userspace relay
for h in a b; do
	ns="ip netns exec bench_$h"; me=$([ $h = a ] && echo 1 || echo 2); o=$((3 - me))
	$ns ./build/tools/udprelay --dev urelay0 --local 10.99.10.$me:6000 \
		--remote 10.99.10.$o:6000 > /dev/null &
	# the tun device appears when the relay has started (slow under TCG)
	for _ in $(seq 100); do $ns ip link show urelay0 > /dev/null 2>&1 && break; sleep 0.1; done
	$ns ip addr add 10.203.0.$me/32 dev urelay0
	$ns ip link set urelay0 mtu 1452 up
	$ns ip route add 10.203.0.$o/32 dev urelay0
done

for net in 201 202 203; do
	$A ping -c 1 -W 2 10.$net.0.2 >/dev/null || echo "warning: 10.$net.0.2 unreachable"
done
$B iperf3 -s -D -1 >/dev/null 2>&1 || true

# iperf3 CLIENT-ARGS: one result (TCP: Mbit/s received; UDP: packets/s received)
measure() {
	local target=$1; shift
	$B pkill -x iperf3 2>/dev/null
	for _ in $(seq 50); do $B pgrep -x iperf3 > /dev/null || break; sleep 0.1; done
	$B iperf3 -s -1 > /dev/null 2>&1 &
	# the client must not race the server's listen (slow under TCG)
	for _ in $(seq 100); do $B ss -ltn | grep -q ':5201 ' && break; sleep 0.1; done
	$A timeout $((SECS + 15)) iperf3 -c "$target" -t "$SECS" -J "$@" > "$T/out" 2>/dev/null
	# a run that failed (no result) counts as 0, visibly, in the rounds
	if grep -q '"lost_percent"' "$T/out"; then
		jq -r '(.end.sum.packets - .end.sum.lost_packets) / .end.sum.seconds | floor' "$T/out" 2>/dev/null
	else
		jq -r '.end.sum_received.bits_per_second / 1e6 | floor' "$T/out" 2>/dev/null
	fi | grep -E '^[0-9]+$' || echo 0
}

# blast TARGET: packets/s received of 64-byte datagrams from
# tests/tools/udpblast (sendmmsg batches), which loads a tunnel harder than
# iperf3's one datagram per syscall can
blast() {
	$B timeout 30 ./build/tools/udpblast recv --port 7000 --seconds "$SECS" > "$T/blast" &
	local r=$!
	for _ in $(seq 100); do grep -q ready "$T/blast" 2>/dev/null && break; sleep 0.1; done
	$A timeout 30 ./build/tools/udpblast send --to "$1" --port 7000 --size 64 \
		--seconds $((SECS + 1)) > /dev/null
	wait $r
	sed -n 's/.* pps \([0-9]*\)$/\1/p' "$T/blast" | grep -E '^[0-9]+$' || echo 0
}

# median of a list of numbers
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }

# ROUNDS rounds, the three tunnels interleaved in each, so that a slow
# stretch of the (TCG) machine hits all three alike; medians reported.
ROUNDS=${ROUNDS:-3}
echo "guest CPUs: $(nproc)"
printf "%-28s %10s %10s %10s %8s %8s\n" "test (median of $ROUNDS)" mice fou relay mice/fou mice/relay
for t in "TCP Mbit/s|" "UDP 64B pkts/s|-u -l 64 -b 0" "UDP 64B pkts/s, udpblast|blast"; do
	name=${t%%|*} args=${t#*|}
	ms='' fs='' rs='' ps=''
	for _ in $(seq "$ROUNDS"); do
		if [ "$args" = blast ]; then
			ms="$ms $(blast 10.201.0.2)"
			fs="$fs $(blast 10.202.0.2)"
			rs="$rs $(blast 10.203.0.2)"
			# the same datagrams with no tunnel: the ceiling
			ps="$ps $(blast 10.99.10.2)"
			continue
		fi
		ms="$ms $(measure 10.201.0.2 $args)"
		fs="$fs $(measure 10.202.0.2 $args)"
		rs="$rs $(measure 10.203.0.2 $args)"
	done
	echo "  $name rounds: mice$ms; fou$fs; relay$rs"
	m=$(echo "$ms" | median) f=$(echo "$fs" | median) r=$(echo "$rs" | median)
	printf "%-28s %10s %10s %10s %8s %8s\n" "$name" "${m:-0}" "${f:-0}" "${r:-0}" \
		"$(awk -v a="${m:-0}" -v b="${f:-0}" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
		"$(awk -v a="${m:-0}" -v b="${r:-0}" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
	if [ -n "$ps" ]; then
		p=$(echo "$ps" | median)
		echo "  $name, plain UDP over the veth (no tunnel), rounds:$ps; median ${p:-0};" \
			"mice/plain $(awk -v a="${m:-0}" -v b="${p:-0}" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
			"relay/plain $(awk -v a="${r:-0}" -v b="${p:-0}" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
	fi
done
