#!/bin/bash
# Media admission at scale, inside the VM with mice.ko loaded (make bench;
# docs/benchmarks.md, "Media admission at scale").
#
# Forwarding: sender ns gb_s -> gateway ns gb_g (ip_forward, mice polices
# FORWARD on gs, the sender-side interface, enforce) -> gb_r. The measured
# flow, udp 10.1.0.2:5004 -> 10.2.0.99:6000 with 17-octet payloads, is
# flooded by one sender (tests/tools/sendpkt); the gateway has a permanent
# neighbour entry for 10.2.0.99 with a MAC nobody owns, so gb_r drops every
# frame at once in ip_rcv (PACKET_OTHERHOST). The whole path (the sender's
# stack, the gateway's forwarding and admission, gb_r's drop) runs on the
# sender's CPU: veth hands packets over in the same softirq. A run's rate
# is the packets gr sent (forwarded) over SECS.
#
# Cases, in this order, REPS runs each:
#   none         mice loaded, no interface policed (no hook registered)
#   1            the flow's gate, committed (rate and burst far above it)
#   1k 100k 1M   plus that many extra gates (tests/tools/gatebatch add
#                --commit: each committed to its own flow, no idle timeout)
#   none-after   the extra gates still there, no interface policed
# Under TCG the rate swings by tens of percent with the host's load, more
# than the admission check costs. So the gated cases also run under
# `perf record -a -g` (cpu-clock): the share of the busy CPU's samples
# inside mice_gate_nf_hook (callees included) is the admission check's
# share of the path; times the time per packet, its cost per packet. A
# host stall stretches the hook and the rest of the path alike, so the
# share holds still where the rate does not.
# Memory per gate: the gate slab cache (/sys/kernel/slab/mice_gate), Slab,
# VmallocUsed (large hash tables) and MemFree of /proc/meminfo around each
# batch of extra gates, divided by the gates added.
# Tokens: tests/tools/gatebatch tokens in another namespace (plain commits
# by GateID, commits by self-verifying token, forged tokens refused).
#
# Knobs: MICE_BENCH_SECONDS (3), MICE_BENCH_REPS (5), MICE_BENCH_GATES
# (cumulative extra-gate counts, "1000 100000 1000000"), MICE_BENCH_TOKENS
# (20000), MICE_BENCH_PERF (1; 0: no profile).
set -u
SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."
SECS=${MICE_BENCH_SECONDS:-3}
REPS=${MICE_BENCH_REPS:-5}
COUNTS=${MICE_BENCH_GATES:-1000 100000 1000000}
TOKENS=${MICE_BENCH_TOKENS:-20000}
PERF=$([ "${MICE_BENCH_PERF:-1}" = 1 ] && command -v perf)
MICE=./agent/mice
BATCH=./build/tools/gatebatch
SEND=./build/tools/sendpkt
S="ip netns exec gb_s"
G="ip netns exec gb_g"

txp() { $G cat /sys/class/net/gr/statistics/tx_packets; }
now() { date +%s.%N; }
# One run: forwarded packets per second, appended to $1.
run() {
	local t0 t1 p0 p1 sender
	$S timeout $((SECS + 5)) $SEND --to 10.2.0.99 --port 6000 --sport 5004 \
		--count 2000000000 --quiet garbage >/dev/null 2>&1 &
	sender=$!
	sleep 0.5
	p0=$(txp); t0=$(now)
	sleep "$SECS"
	p1=$(txp); t1=$(now)
	kill $sender 2>/dev/null; wait $sender 2>/dev/null
	awk -v a="$p0" -v b="$p1" -v s="$t0" -v e="$t1" \
		'BEGIN { printf "%.0f\n", (b - a) / (e - s) }' >> "$1"
}
# Internal: REPS runs, under perf record (which starts us once it records).
if [ "${1:-}" = __runs ]; then
	for _ in $(seq "$REPS"); do run "$2"; done
	exit 0
fi

T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; for n in gb_s gb_g gb_r gb_t; do ip netns del $n 2>/dev/null; done; rm -rf "$T"' EXIT

for n in gb_s gb_g gb_r; do ip netns add $n && ip -n $n link set lo up; done
ip link add s0 netns gb_s type veth peer name gs netns gb_g
ip link add r0 netns gb_r type veth peer name gr netns gb_g
$S ip addr add 10.1.0.2/24 dev s0; $G ip addr add 10.1.0.1/24 dev gs
$G ip addr add 10.2.0.1/24 dev gr; ip -n gb_r addr add 10.2.0.2/24 dev r0
$S ip link set s0 up; $G ip link set gs up; $G ip link set gr up
ip -n gb_r link set r0 up
$S ip route add default via 10.1.0.1
$G sysctl -qw net.ipv4.ip_forward=1
$G ip neigh replace 10.2.0.99 lladdr 02:00:00:00:00:99 dev gr nud permanent
$S ping -c 1 -W 2 10.1.0.1 >/dev/null || echo "warning: gateway unreachable"

median() { sort -n | awk '{ a[NR] = $1 } END { print NR ? a[int((NR + 1) / 2)] : 0 }'; }
# measure CASE [profile]: REPS runs; appends "CASE median min max [busy
# hook clock]" to $T/results: samples on a busy CPU, those inside
# mice_gate_nf_hook, and those of them reading the clock (ktime_get).
measure() {
	local name=$1 prof=${2:-} counts=""
	: > "$T/runs"
	if [ -n "$prof" ] && [ -n "$PERF" ]; then
		$PERF record -q -a -g -F 2000 -o "$T/perf.data" -- "$SELF" __runs "$T/runs" \
			>/dev/null 2>&1
		counts=$($PERF script -i "$T/perf.data" -F comm,ip,sym 2>/dev/null | awk '
			function tally() { if (comm != "swapper") { busy++; if (hook) { h++; if (clk) c++ } } }
			/^[^ \t]/ { if (n) tally(); comm = $1; hook = clk = 0; n = 1; next }
			NF >= 2 { if ($2 == "mice_gate_nf_hook") hook = 1
				  if ($2 ~ /^(ktime_get|read_hpet|read_tsc)$/) clk = 1 }
			END { if (n) tally(); print busy + 0, h + 0, c + 0 }')
	else
		"$SELF" __runs "$T/runs"
	fi
	echo "$name $(median < "$T/runs") $(sort -n "$T/runs" | head -1) $(sort -n "$T/runs" | tail -1) $counts" \
		>> "$T/results"
	echo "  $name: pps $(tr '\n' ' ' < "$T/runs")${counts:+; samples busy, in the hook, reading the clock there: $counts}"
}

# memory snapshot: "gate_cache_bytes slab_kB vmalloc_kB memfree_kB"
SLAB=/sys/kernel/slab/mice_gate
mem() {
	local cache=0
	[ -d $SLAB/ ] && cache=$(( $(cut -d' ' -f1 $SLAB/slabs) * (4096 << $(cat $SLAB/order)) ))
	echo "$cache $(awk '$1 == "Slab:" || $1 == "VmallocUsed:" || $1 == "MemFree:" { v[$1] = $2 }
		END { print v["Slab:"], v["VmallocUsed:"], v["MemFree:"] }' /proc/meminfo)"
}

echo "forwarding: one flow, 17-octet UDP payloads, $SECS s per run, $REPS runs per case"
[ -n "$PERF" ] || echo "(no perf: no profile of the hook)"
measure none

total=$(( $(echo $COUNTS | tr ' ' '\n' | sort -n | tail -1) + 16 ))
if ! $G $MICE gate mode enforce --dev gs --max-gates "$total"; then
	echo "the kernel refused max-gates $total"
	exit 1
fi
$G $MICE gate add 1 --proto udp --src 10.1.0.2/32 --dst 10.2.0.99/32 --dport 6000 \
	--rate 4000000000 --burst 1000000000 --idle 0
$G $MICE gate commit 1 --flow udp,10.1.0.2,5004,10.2.0.99,6000 || exit 1
measure 1 profile
have=0
for n in $COUNTS; do
	m0=$(mem)
	out=$($G $BATCH add --commit --count $((n - have)) --first-id $((have + 100))) || {
		echo "gatebatch failed at $n gates: $out"; break; }
	echo "  $((n - have)) more gates: $out"
	sleep 1
	m1=$(mem)
	echo "$((n - have)) $m0 $m1" >> "$T/mem"
	have=$n
	measure "$n" profile
done
pk=$($G $MICE -j gate show 1 | jq -r '.[0].packets')
drops=$($G $MICE -j gate show 1 | jq -r '[.[0].dropped[]?.packets] | add // 0')
echo "  the flow's gate: $pk packets admitted, $drops dropped"
$G $MICE gate mode --no-dev
measure none-after

echo
echo "case        pps_med   pps_min   pps_max  us/pkt  x_1gate  x_none | hook_%  adm_us  adm_x1 | -clock_%  -clock_us  -clock_x1"
awk '
	{ c[NR] = $1; p[NR] = $2; lo[NR] = $3; hi[NR] = $4
	  if ($5 > 0) { h[NR] = $6 / $5; l[NR] = ($6 - $7) / $5 }
	  if ($1 == "none") none = $2; if ($1 == "1") { one = $2; h1 = h[NR]; l1 = l[NR] } }
	END {
		for (i = 1; i <= NR; i++) {
			printf "%-10s %8d %9d %9d %7.2f %8.3f %7.3f", c[i], p[i], lo[i], hi[i],
				1e6 / p[i], one / p[i], none / p[i]
			# The rest of the path is the same in every case, so the
			# ratio of two hook costs is the ratio of their odds.
			if (i in h)
				printf " | %6.2f %7.3f %6s | %8.2f %10.3f %10s", 100 * h[i], h[i] * 1e6 / p[i],
					(h1 > 0 ? sprintf("%.2f", (h[i] / (1 - h[i])) / (h1 / (1 - h1))) : "-"),
					100 * l[i], l[i] * 1e6 / p[i],
					(l1 > 0 ? sprintf("%.2f", (l[i] / (1 - h[i])) / (l1 / (1 - h1))) : "-")
			printf "\n"
		}
	}' "$T/results"
echo "(x_1gate, x_none: time per packet over the 1-gate and no-admission cases;"
echo " hook_%: samples in mice_gate_nf_hook and its callees, % of the busy CPU's;"
echo " adm_us: hook_% x us/pkt; adm_x1: hook cost over the 1-gate case's;"
echo " -clock: the same without the samples reading the clock, ktime_get)"

echo
echo "memory: gates_added gate_cache_B/gate slab_B/gate vmalloc_B/gate memfree_B/gate"
while read -r n c0 s0 v0 f0 c1 s1 v1 f1; do
	awk -v n="$n" -v c=$((c1 - c0)) -v s=$((s1 - s0)) -v v=$((v1 - v0)) -v f=$((f0 - f1)) \
		'BEGIN { printf "%-12d %14.1f %12.1f %14.1f %14.1f\n", n, c / n, s * 1024 / n, v * 1024 / n, f * 1024 / n }'
done < "$T/mem"
awk '$1 == "MemTotal:" || $1 == "MemFree:" { printf "%s %d MiB  ", $1, $2 / 1024 } END { print "(with every gate)" }' /proc/meminfo
if [ -d $SLAB/ ]; then
	echo "gate cache: object_size $(cat $SLAB/object_size) slab_size $(cat $SLAB/slab_size)" \
		"objs_per_slab $(cat $SLAB/objs_per_slab) order $(cat $SLAB/order)" \
		"(cache $(basename "$(readlink -f $SLAB)"))"
fi

echo
echo "self-verifying tokens: $TOKENS of each, one process, 256 requests per sendmsg"
ip netns add gb_t
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/key")
ip netns exec gb_t $MICE gate mode --max-gates $((3 * TOKENS + 16))
ip netns exec gb_t $BATCH tokens --count "$TOKENS" --key-file "$T/key" | tee "$T/tok"
awk '$1 == "add" { a = $7 } $1 == "plain" { p = $7 } $1 == "token" { t = $7 } $1 == "forged" { f = $7 }
	END {
		if (!(a && p && t && f)) exit 1
		printf "time per request: add %.1f us, plain commit %.1f us, token commit %.1f us, forged %.1f us\n",
			1e6 / a, 1e6 / p, 1e6 / t, 1e6 / f
		printf "token commit / plain commit: %.2f; token commit (creates the gate) / (add + plain commit): %.2f; forged / plain commit: %.2f\n",
			p / t, (1 / t) / (1 / a + 1 / p), p / f
	}' "$T/tok"
