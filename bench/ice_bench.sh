#!/bin/bash
# ICE: time from the answer to a nominated pair, and the STUN requests it
# took, mice (agent/ice_agent.c) against libnice, same namespaces, same
# candidates, same signalling (bench/ice_bench_{mice,nice}.c). Needs root.
#
# Topology: namespaces L and R joined by two veth pairs.
#   path A: 10.77.1.1/24 <-> 10.77.1.2/24                 (works)
#   path B: 10.77.2.1/24 <-> 10.77.2.2/24, fd77:2::1/64 <-> fd77:2::2/64
#           (both sides drop every UDP datagram arriving on their B end)
# Host candidates 2 IPv4 + 1 IPv6 per side: 4 IPv4 pairs + 1 IPv6 pair, and
# only 10.77.1.1 <-> 10.77.1.2 works. Both stacks rank path B first (mice:
# interface rank 0 for B; libnice: the address order of the system, where
# B's addresses come last and get its highest local preference), so the
# winner is the last of the 5 pairs; each harness reports how many pairs
# it actually sent a check on before the winner.
# netem delays each direction by RTT/2 on both paths. STUN datagrams are
# counted by nft in each namespace's output hook (UDP payload with the
# magic cookie at offset 4; request/response by the class bits), so a
# datagram sent into the black hole is counted as sent.
#
# Rows per RTT: mice (regular nomination, Ta 50 ms: the engine's defaults)
# and libnice set the same way (regular, stun-pacing-timer 50 ms) are the
# comparison; two diagnostic rows follow: mice with nominate_wait_ms 1 (its
# regular nomination without the wait for better pairs, see
# docs/benchmarks.md) and libnice with its own defaults (aggressive
# nomination, Ta 20 ms).
#
# Columns: median time from the answer (t0, controlling side) to its
# nominated pair, with min-max; "ctl-d": when the controlled side saw the
# nomination, on the same t0; "bound": the issue's target 2 RTT + Ta k,
# k = pairs the controlling side sent a check on before the winner (median
# used in the bounds; the column shows min-max when runs differ);
# "paced": max(k Ta + RTT, (k+1) Ta) + RTT, the best an agent can do that
# sends its first check at t0 and paces the nomination check like any
# other (RFC 8445 s.8.1.1, s.6.1.4.2); "txns@t1": distinct request
# transaction IDs both sides sent until t1; "STUN req": requests of both
# sides counted by nft over the whole run (retransmissions included).
# Then the heap bytes per session of both (bench/ice_session_mem.c).
#
# Env: ICE_BENCH_RUNS (5), ICE_BENCH_RTTS ("0 20 100"), ICE_BENCH_TA (50),
# ICE_BENCH_SESSIONS (1000, for the memory figure),
# ICE_BENCH_OUT (a file for the raw JSON lines), ICE_BENCH_VERBOSE=1 (each
# harness's timeline on stderr).
set -u
cd "$(dirname "$0")/.."
RUNS=${ICE_BENCH_RUNS:-5}
RTTS=${ICE_BENCH_RTTS:-0 20 100}
TA=${ICE_BENCH_TA:-50}
VERB=
[ "${ICE_BENCH_VERBOSE:-0}" = 1 ] && VERB=-v
NL=ib-L-$$
NR=ib-R-$$
TMP=$(mktemp -d /tmp/ib-ice.XXXXXX)
RAW=${ICE_BENCH_OUT:-$TMP/raw.jsonl}

cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del $NL 2>/dev/null
	ip netns del $NR 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

make -s build/bench/ice_bench_mice build/bench/ice_bench_nice \
	build/bench/ice_session_mem || exit 1
command -v jq >/dev/null || { echo "ice_bench: jq missing" >&2; exit 1; }

ip netns add $NL && ip netns add $NR || exit 1
ip -n $NL link set lo up
ip -n $NR link set lo up
# Path A first, then B: the order libnice sees the addresses in.
ip -n $NL link add ibA type veth peer name ibA netns $NR
ip -n $NL link add ibB type veth peer name ibB netns $NR
ip -n $NL addr add 10.77.1.1/24 dev ibA
ip -n $NR addr add 10.77.1.2/24 dev ibA
ip -n $NL addr add 10.77.2.1/24 dev ibB
ip -n $NR addr add 10.77.2.2/24 dev ibB
ip -n $NL addr add fd77:2::1/64 dev ibB nodad
ip -n $NR addr add fd77:2::2/64 dev ibB nodad
for ns in $NL $NR; do
	ip -n $ns link set ibA up
	ip -n $ns link set ibB up
done
# Until DAD is over (link-local addresses), libnice's address list, from
# which it derives its local preferences, can differ (seen: all three
# candidates of the first run at the same priority). Wait, at most 10 s.
for i in $(seq 100); do
	[ -z "$(ip -n $NL -6 addr show tentative)$(ip -n $NR -6 addr show tentative)" ] &&
		break
	sleep 0.1
done

# Path B is a black hole for UDP: each side drops what arrives on its B
# end (input only, so no sender sees an error: the checks just time out).
for ns in $NL $NR; do
	ip netns exec $ns nft -f - <<'EOF' || exit 1
table inet ibdrop {
	chain in {
		type filter hook input priority 0;
		iifname "ibB" meta l4proto udp drop
	}
}
EOF
done

# IF_RANK for the mice harness: path B is its preferred interface.
L_ADDRS="--addr 10.77.2.1,0 --addr fd77:2::1,0 --addr 10.77.1.1,1"
R_ADDRS="--addr 10.77.2.2,0 --addr fd77:2::2,0 --addr 10.77.1.2,1"

counters_reset() {
	local ns
	for ns in $NL $NR; do
		ip netns exec $ns nft delete table inet ibcnt 2>/dev/null
		ip netns exec $ns nft -f - <<'EOF'
table inet ibcnt {
	counter req { }
	counter resp { }
	chain out {
		type filter hook output priority -10;
		meta l4proto udp @th,96,32 0x2112a442 @th,64,16 & 0xc110 == 0x0000 counter name "req"
		meta l4proto udp @th,96,32 0x2112a442 @th,64,16 & 0xc100 == 0x0100 counter name "resp"
	}
}
EOF
	done
}

counter() {	# ns name
	ip netns exec "$1" nft -j list counter inet ibcnt "$2" |
		jq '.nftables[] | select(.counter) | .counter.packets'
}

# Delay: tc netem when the kernel has it, else (this development machine's
# kernel has no sch_netem and cannot load modules) bench/nfq_delay, an
# NFQUEUE delay line on the same output path, one per namespace.
DELAY=netem
DELAY_PIDS=()
if ip netns exec $NL tc qdisc add dev ibA root netem delay 1ms 2>/dev/null; then
	ip netns exec $NL tc qdisc del dev ibA root
else
	DELAY=nfqueue
	make -s build/bench/nfq_delay || exit 1
	for ns in $NL $NR; do
		for ipt in iptables ip6tables; do
			for dev in ibA ibB; do
				ip netns exec $ns $ipt -A OUTPUT -o $dev -p udp \
					-j NFQUEUE --queue-num 7 --queue-bypass ||
					exit 1
			done
		done
	done
fi

set_rtt() {
	local ns dev pid half=$(($1 / 2))
	for pid in "${DELAY_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	DELAY_PIDS=()
	for ns in $NL $NR; do
		if [ $DELAY = netem ]; then
			for dev in ibA ibB; do
				ip netns exec $ns tc qdisc del dev $dev root 2>/dev/null
				[ "$half" -gt 0 ] && ip netns exec $ns tc qdisc add \
					dev $dev root netem delay ${half}ms
			done
		elif [ "$half" -gt 0 ]; then
			ip netns exec $ns build/bench/nfq_delay --queue 7 \
				--delay-ms $half --timeout 3600 2>/dev/null &
			DELAY_PIDS+=($!)
		fi
	done
	sleep 0.3	# the delay lines bind their queues
}

# run_one LABEL BINARY RTT [extra harness options]
run_one() {
	local label=$1 bin=$2 rtt=$3 d l r lreq lresp rreq rresp
	shift 3
	d=$(mktemp -d "$TMP/run.XXXXXX")
	counters_reset
	ip netns exec $NL timeout 40 "$bin" --controlling --sig "$d/sig" \
		$L_ADDRS --ta "$TA" $VERB "$@" >"$d/L" 2>"$d/L.err" &
	local pid=$!
	ip netns exec $NR timeout 40 "$bin" --controlled --sig "$d/sig" \
		$R_ADDRS --ta "$TA" $VERB "$@" >"$d/R" 2>"$d/R.err"
	wait $pid
	if [ -n "$VERB" ]; then
		echo "--- $label rtt $rtt: L" >&2; cat "$d/L.err" >&2
		echo "--- $label rtt $rtt: R" >&2; cat "$d/R.err" >&2
	fi
	l=$(cat "$d/L"); r=$(cat "$d/R")
	if [ -z "$l" ] || [ -z "$r" ]; then
		echo "ice_bench: $label rtt $rtt: a harness failed:" >&2
		cat "$d/L.err" "$d/R.err" >&2
		return 1
	fi
	lreq=$(counter $NL req); lresp=$(counter $NL resp)
	rreq=$(counter $NR req); rresp=$(counter $NR resp)
	jq -c -n --arg impl "$label" --argjson rtt "$rtt" --argjson L "$l" \
		--argjson R "$r" --argjson lreq "$lreq" --argjson rreq "$rreq" \
		--argjson lresp "$lresp" --argjson rresp "$rresp" \
		'{impl: $impl, rtt: $rtt, L: $L, R: $R,
		  nft: {L_req: $lreq, R_req: $rreq, L_resp: $lresp, R_resp: $rresp}}' \
		>>"$RAW"
}

: >"$RAW"
echo "delay: $DELAY; $RUNS runs per row; Ta $TA ms unless the row says"
for rtt in $RTTS; do
	set_rtt "$rtt"
	for i in $(seq "$RUNS"); do
		run_one mice build/bench/ice_bench_mice "$rtt"
		run_one libnice build/bench/ice_bench_nice "$rtt"
		run_one mice-nw1 build/bench/ice_bench_mice "$rtt" \
			--nominate-wait 1
		run_one libnice-dflt build/bench/ice_bench_nice "$rtt" \
			--ta 0 --nomination aggressive
	done
done

# The table: medians over the runs of each (label, RTT).
jq -r -s --argjson ta "$TA" '
  def median: sort | if length == 0 then null
	else (if length % 2 == 1 then .[length / 2 | floor]
	      else (.[length / 2 - 1] + .[length / 2]) / 2 end) end;
  def r1: . * 10 | round / 10;
  group_by([.rtt, .impl]) | map({
	impl: .[0].impl, rtt: .[0].rtt, n: length,
	ok: (map(select(.L.ok and .R.ok)) | length),
	time: (map(.L.time_ms) | median),
	tmin: (map(.L.time_ms) | min), tmax: (map(.L.time_ms) | max),
	rtime: (map(.R.t1_ms - .L.t0_ms) | median),
	k: (map(.L.pairs_checked_before_winner) | median),
	kr: (map(.L.pairs_checked_before_winner) | if min == max then "\(min)"
	     else "\(min)-\(max)" end),
	ta: .[0].L.ta_ms,
	txn: (map(.L.transactions + .R.transactions) | median),
	nftreq: (map(.nft.L_req + .nft.R_req) | median),
	winner: (.[0].L.local + " > " + .[0].L.remote)
  }) | sort_by(.rtt, .impl) |
  (["RTT", "impl", "ok", "median ms (min-max)", "ctl-d ms", "bound ms",
    "paced ms", "k", "Ta", "txns@t1", "STUN req (nft)", "winner"] | @tsv),
  (.[] | [ .rtt, .impl, "\(.ok)/\(.n)",
	   "\(.time | r1) (\(.tmin | r1)-\(.tmax | r1))", (.rtime | r1),
	   (2 * .rtt + .ta * .k),
	   ([.ta * .k + .rtt, .ta * (.k + 1)] | max) + .rtt,
	   .kr, .ta, .txn, .nftreq, .winner ] | @tsv)
' "$RAW" | column -t -s $'\t'
echo
echo "ratios mice/libnice (median time, median STUN requests):"
jq -r -s '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  group_by(.rtt) | .[] | . as $g |
  ($g | map(select(.impl == "mice"))) as $m |
  ($g | map(select(.impl == "libnice"))) as $n |
  select(($m | length) > 0 and ($n | length) > 0) |
  "RTT \($g[0].rtt) ms: time \((($m | map(.L.time_ms) | median) /
	($n | map(.L.time_ms) | median) * 100 | round) / 100), " +
  "requests \((($m | map(.nft.L_req + .nft.R_req) | median) /
	($n | map(.nft.L_req + .nft.R_req) | median) * 100 | round) / 100)"
' "$RAW"

echo
echo "memory per session (heap, mallinfo2; bench/ice_session_mem.c):"
ip netns exec $NL build/bench/ice_session_mem "${ICE_BENCH_SESSIONS:-1000}"
