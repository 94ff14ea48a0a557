#!/bin/bash
# Transmit lookup at scale, inside the VM with mice.ko loaded (make bench;
# docs/benchmarks.md, "Transmit lookup at scale").
#
# One namespace lb_gw: an attached agent socket, mice0 with a route to
# 10.128.0.0/9, and an underlay that is a dummy device (10.99.62.1/24, no
# ARP): the encapsulated packets to the peers' outer address 10.99.62.2
# leave through it and are freed there, so a datagram's whole cost is the
# sender's stack, mice0's transmit (lookup, encapsulation, outer route)
# and the dummy's free, all on the sender's CPU. Peer i (1..N) has the
# one prefix 10.128.0.0 + i - 1 /32 (tests/tools/peerbatch set).
#
# A round: a fresh mice0; 1 peer, then (added) 1 000, then 100 000; at
# each size peerbatch blast sends 64-octet datagrams for SECS seconds to
#   one     the last peer installed (the worst case of a walk in
#           installation order, the lookup before the trie)
#   random  a uniformly random peer's address, each datagram anew
# and the rate is the datagrams sent per second (mice0 drops none: each
# has its peer). The cost ratio at N peers is rate(1) / rate(N) of the
# same round and case: > 1 is slower. Under TCG a rate swings with the
# host's load, so rounds repeat and the report gives each ratio's median
# and range.
#
# The rate includes everything per-peer state costs when it is cold (the
# pair, its route cache, the counters), not the lookup alone. So in the
# last round each case also runs once under `perf record -a -g`
# (cpu-clock, 2 kHz): the busy CPUs' samples with mice_lpm_lookup (the
# trie) or mice_peer_lookup_tx (its caller; before the trie, the walk) on
# the stack are the lookup's share of the path; share / pps is its time
# per packet.
#
# Knobs: MICE_BENCH_SECONDS (3), MICE_BENCH_ROUNDS (3), MICE_LPM_BENCH_SIZES
# (cumulative peer counts, "1 1000 100000"; the module before the trie
# allowed 1024 peers: "1 1000" for it), MICE_BENCH_PERF (1; 0: no profile).
set -u
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."
SECS=${MICE_BENCH_SECONDS:-3}
ROUNDS=${MICE_BENCH_ROUNDS:-3}
SIZES=${MICE_LPM_BENCH_SIZES:-1 1000 100000}
MICE=./agent/mice
BATCH=./build/tools/peerbatch
PERF=$([ "${MICE_BENCH_PERF:-1}" = 1 ] && command -v perf)
GW="ip netns exec lb_gw"
T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip netns del lb_gw 2>/dev/null; rm -rf "$T"' EXIT

ip netns add lb_gw
$GW ip link set lo up
if $GW ip link add d0 type dummy 2>/dev/null; then
	$GW ip addr add 10.99.62.1/24 dev d0
	$GW ip link set d0 up
else
	echo "bench: no dummy device; the underlay is a veth to lb_far" >&2
	ip netns add lb_far
	ip link add d0 netns lb_gw type veth peer name d0 netns lb_far
	$GW ip addr add 10.99.62.1/24 dev d0; $GW ip link set d0 up
	ip -n lb_far addr add 10.99.62.2/24 dev d0; ip -n lb_far link set d0 up
	trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip netns del lb_gw; ip netns del lb_far; rm -rf "$T"' EXIT
fi
$GW $MICE -j attach --addr 0.0.0.0 --port 4191 > "$T/attach" 2>&1 &
for _ in $(seq 100); do grep -q attached "$T/attach" && break; sleep 0.1; done
SOCK=$(sed -n 's/.*"attached","id":\([0-9]*\).*/\1/p' "$T/attach")
[ -n "$SOCK" ] || { echo "bench: attach failed: $(cat "$T/attach")"; exit 1; }

echo "transmit lookup: $ROUNDS rounds, ${SECS}s per run, sizes: $SIZES"
echo "$(uname -r), $(nproc) vCPU, mice srcversion $(cat /sys/module/mice/srcversion)"
for round in $(seq "$ROUNDS"); do
	$GW ip link add mice0 type mice
	$GW ip addr add 10.127.255.254/32 dev mice0
	$GW ip link set mice0 up
	$GW ip route add 10.128.0.0/9 dev mice0
	have=0
	for n in $SIZES; do
		t0=$(date +%s.%N)
		$GW $BATCH set --sock "$SOCK" --dev mice0 --first-id $((have + 1)) \
			--count $((n - have)) --base 10.128.0.0 --remote 10.99.62.2 \
			--port 5000 --batch 256 > "$T/set" 2>&1 ||
			{ echo "bench: installing peers: $(cat "$T/set")"; exit 1; }
		have=$n
		echo "round $round install $n peers: $(awk -v t0="$t0" -v t1="$(date +%s.%N)" \
			'BEGIN { printf "%.1f s", t1 - t0 }')"
		[ "$round.$n" = "1.$(echo $SIZES | cut -d' ' -f1)" ] &&
			$GW $BATCH blast --base 10.128.0.0 --count "$n" --port 9 --seconds 1 > /dev/null
		for mode in one random; do
			arg=$([ $mode = random ] && echo --random)
			tx0=$($GW cat /sys/class/net/mice0/statistics/tx_packets)
			out=$($GW $BATCH blast --base 10.128.0.0 --count "$n" $arg --port 9 \
				--seconds "$SECS")
			tx1=$($GW cat /sys/class/net/mice0/statistics/tx_packets)
			pps=$(echo "$out" | sed -n 's/.* pps \([0-9]*\)$/\1/p')
			sent=$(echo "$out" | sed -n 's/^packets \([0-9]*\) .*/\1/p')
			# mice0 tx_packets: counted twice per datagram today (issue 15)
			echo "round $round peers $n $mode pps $pps sent $sent mice0_tx_packets +$((tx1 - tx0))"
			echo "$round $n $mode $pps" >> "$T/results"
			[ "$round" = "$ROUNDS" ] && [ -n "$PERF" ] || continue
			$PERF record -q -a -g -F 2000 -o "$T/perf.data" -- $GW $BATCH blast \
				--base 10.128.0.0 --count "$n" $arg --port 9 --seconds "$SECS" \
				> "$T/pblast" 2>/dev/null
			echo "profile peers $n $mode: busy samples, with the lookup on the stack: $(
				$PERF script -i "$T/perf.data" -F comm,ip,sym 2>/dev/null | awk '
				function tally() { if (comm != "swapper") { busy++; l += look } }
				/^[^ \t]/ { if (n) tally(); comm = $1; look = 0; n = 1; next }
				NF >= 2 && $2 ~ /^(mice_lpm_lookup|mice_peer_lookup_tx)$/ { look = 1 }
				END { if (n) tally(); printf "%d %d (%.1f%%)", busy, l, busy ? 100 * l / busy : 0 }'
				), $(sed -n 's/.* pps \([0-9]*\)$/pps \1 under perf/p' "$T/pblast")"
		done
	done
	$GW ip link del mice0
done

echo "--- cost ratio against 1 peer, same round (median [min-max] of $ROUNDS) ---"
first=$(echo $SIZES | cut -d' ' -f1)
awk -v first="$first" '
	{ pps[$1, $2, $3] = $4; if (!($2 in seen)) { seen[$2] = 1; sizes[++ns] = $2 }
	  rounds[$1] = 1 }
	function sort(a, n,   i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	}
	END {
		split("one random", modes, " ")
		for (m = 1; m <= 2; m++) for (s = 1; s <= ns; s++) {
			n = 0; k = 0
			for (r in rounds) {
				b = pps[r, first, modes[m]]; v = pps[r, sizes[s], modes[m]]
				if (b > 0 && v > 0) { ratio[++n] = b / v; rate[++k] = v }
			}
			if (!n) continue
			sort(ratio, n); sort(rate, k)
			printf "%-6s %7d peers: pps median %d [%d-%d], cost ratio %.3f [%.3f-%.3f]\n",
				modes[m], sizes[s], rate[int((k + 1) / 2)], rate[1], rate[k],
				ratio[int((n + 1) / 2)], ratio[1], ratio[n]
		}
	}' "$T/results"
