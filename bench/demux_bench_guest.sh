#!/bin/bash
# Demux throughput, inside the VM with mice.ko loaded (make bench).
# For each class, one sender floods one kind of datagram over a veth pair
# and one reader (tests/tools/udpcount) counts what reaches its socket for
# SECONDS, first on a plain socket, then on a socket attached to the module.
# Same sender, same reader, same run: the ratio is the module's cost.
# DATA and INVALID never reach the reader when attached: for them the rate
# the module consumed them at (/proc counters) is reported.
set -u
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${MICE_BENCH_SECONDS:-3}
SEND=./build/tools/sendpkt
COUNT=./build/tools/udpcount
A="ip netns exec bench_a"
B="ip netns exec bench_b"
trap 'kill $(jobs -p) 2>/dev/null; ip netns del bench_a; ip netns del bench_b' EXIT

ip netns add bench_a; ip netns add bench_b
ip link add va netns bench_a type veth peer name vb netns bench_b
$A ip addr add 10.99.3.1/24 dev va; $B ip addr add 10.99.3.2/24 dev vb
$A ip link set va up; $B ip link set vb up

# run KIND MODE: prints the reader's pps (MODE plain|attach)
run() {
	local kind=$1 mode=$2 port=$((6000 + RANDOM % 1000)) out
	out=$(mktemp)
	$A $COUNT --port $port --seconds "$SECONDS_PER_RUN" ${mode/plain/} \
		${mode/attach/--attach} > "$out" &
	local reader=$!
	for _ in $(seq 50); do grep -q ready "$out" && break; sleep 0.1; done
	$B timeout $((SECONDS_PER_RUN + 3)) $SEND --to 10.99.3.1 --port $port \
		--count 100000000 --quiet "$kind" >/dev/null 2>&1 &
	local sender=$!
	wait $reader
	kill $sender 2>/dev/null; wait $sender 2>/dev/null
	awk '/^packets/ { print $6 }' "$out"
	rm -f "$out"
}

# consumed KIND: datagrams/s the attached module consumed (dropped) itself
consumed() {
	local kind=$1 class=$2 port=$((7000 + RANDOM % 1000)) a b
	$A ./agent/mice attach --port $port >/dev/null 2>&1 &
	local agent=$!
	sleep 0.5
	$B timeout $((SECONDS_PER_RUN + 3)) $SEND --to 10.99.3.1 --port $port \
		--count 100000000 --quiet "$kind" >/dev/null 2>&1 &
	local sender=$!
	sleep 0.5
	a=$($A awk -v c=$class '$1 == "rx" && $2 == c { print $3 }' /proc/net/mice/stats)
	sleep "$SECONDS_PER_RUN"
	b=$($A awk -v c=$class '$1 == "rx" && $2 == c { print $3 }' /proc/net/mice/stats)
	kill $sender $agent 2>/dev/null; wait $sender $agent 2>/dev/null
	echo $(( (b - a) / SECONDS_PER_RUN ))
}

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : 0 }'; }

REPS=${MICE_BENCH_REPS:-5}
echo "class   kind          plain_pps  attached_pps  ratio   (median of $REPS alternating runs; ratio range)"
for kk in stun:stun stun:stun-big mip:mh mip:mh-ambiguous; do
	cls=${kk%%:*} kind=${kk#*:}
	: > /tmp/bench.p; : > /tmp/bench.a; : > /tmp/bench.r
	for _ in $(seq "$REPS"); do
		p=$(run "$kind" plain); a=$(run "$kind" attach)
		echo "$p" >> /tmp/bench.p; echo "$a" >> /tmp/bench.a
		awk -v a="$a" -v p="$p" 'BEGIN { printf "%.3f\n", p ? a / p : 0 }' >> /tmp/bench.r
	done
	p=$(median < /tmp/bench.p) a=$(median < /tmp/bench.a)
	printf "%-7s %-13s %9s %13s  %s  [%s..%s]\n" "$cls" "$kind" "$p" "$a" \
		"$(awk -v a=$a -v p=$p 'BEGIN { printf "%.3f", p ? a / p : 0 }')" \
		"$(sort -n /tmp/bench.r | head -1)" "$(sort -n /tmp/bench.r | tail -1)"
done
echo
echo "class   kind          plain_pps  module_consumed_pps  ratio"
for kk in data:ipv4 invalid:garbage; do
	cls=${kk%%:*} kind=${kk#*:}
	p=$(run "$kind" plain); c=$(consumed "$kind" "$cls")
	printf "%-7s %-13s %9s %20s  %s\n" "$cls" "$kind" "$p" "$c" \
		"$(awk -v a=$c -v p=$p 'BEGIN { printf "%.3f", p ? a / p : 0 }')"
done
