#!/bin/bash
# Guest test: the whole stack. A Home Agent on a public segment; L and R
# each behind an endpoint-independent NAT run `mice daemon` with the
# module loaded: ICE through the HA (seed 004 s.3-8) selects a pair, the
# daemons install it in the kernel, and L pings R across the mice tunnel.
# Then L moves (its address changes): the daemon re-gathers, restarts ICE
# with a subsequent offer (s.9), the new pair replaces the old one in the
# kernel, and a paced TCP transfer running across the move completes with
# every byte verified. Then L moves again with the Home Agent 25 ms away
# each way, and its log shows the checks before the answer (docs/
# signalling.md), or after it with MICE_FULLSTACK_EARLY_CHECKS=off.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
. tests/netns/topo.sh
MICE=$(pwd)/agent/mice
T=$(mktemp -d)
NS="fs_ha fs_l fs_r fs_nl fs_nr"
check_eq() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "expected '$2', got '$3'"; }
# await_line FILE PATTERN SECONDS [FROM]: like wait_for (from line FROM
# on), but blocked on inotify (tail -F) instead of a grep and a sleep every
# 100 ms: during the move those process starts took the emulated CPUs from
# the daemons whose handover is being timed.
await_line() {
	grep -q -m1 -- "$2" < <(timeout "$3" tail -n +"${4:-1}" -F "$1" 2>/dev/null)
}

(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/psk")
topo_init fs_br $NS
topo_plug fs_ha 10.99.5.1/24
topo_nat fs_nl 10.99.5.2 fs_l 10.99.6.1 10.99.6.2 eim
topo_nat fs_nr 10.99.5.3 fs_r 10.99.7.1 10.99.7.2 eim
topo_tunnel fs_l 1 2
topo_tunnel fs_r 2 1
topo_ha_conf "$T/ha.conf" 10.99.5.1
# MICE_FULLSTACK_EARLY_CHECKS=off: after the move L waits for the answer
# before it checks (docs/config.md early-checks)
topo_mn_conf "$T/peerR.conf" 10.99.5.1 R "$T/psk" \
	${MICE_FULLSTACK_EARLY_CHECKS:+early-checks "$MICE_FULLSTACK_EARLY_CHECKS"}
topo_mn_conf "$T/peerL.conf" 10.99.5.1 L "$T/psk"
# Both propose Ta 5 ms (RFC 8445 s.14.2 floor), the fast-handover setting
# docs/config.md recommends; MICE_FULLSTACK_TA_MS compares others.
for f in "$T/peerR.conf" "$T/peerL.conf"; do
	printf '[timers]\nta-ms %s\n' "${MICE_FULLSTACK_TA_MS:-5}" >> "$f"
done
# MICE_FULLSTACK_WAN_DELAY_MS=N: N ms on the way out of each NAT's public
# side, a wide-area path: the RTT between L and R grows by 2 N, L's and R's
# to the HA by N
if [ -n "${MICE_FULLSTACK_WAN_DELAY_MS:-}" ]; then
	for n in fs_nl fs_nr; do
		ip netns exec $n tc qdisc add dev pub root netem delay "${MICE_FULLSTACK_WAN_DELAY_MS}ms" ||
			fail wan-delay "tc netem is not available"
	done
fi
# MICE_FULLSTACK_HA_DELAY_MS=N: a distant Home Agent, N ms each way on
# both sides of its link (the signalling round trip gets 4 N longer; the
# path between L and R does not)
if [ -n "${MICE_FULLSTACK_HA_DELAY_MS:-}" ]; then
	if ! tc qdisc add dev fs_hapub root netem delay "${MICE_FULLSTACK_HA_DELAY_MS}ms" ||
	   ! ip netns exec fs_ha tc qdisc add dev pub root netem delay "${MICE_FULLSTACK_HA_DELAY_MS}ms"; then
		fail ha-delay "tc netem is not available"
	fi
fi
# MICE_FULLSTACK_LOGS=1: verbose daemons, their logs of the move printed
V=${MICE_FULLSTACK_LOGS:+-v}
ip netns exec fs_ha $MICE daemon -c "$T/ha.conf" > "$T/ha" 2>&1 &
sleep 0.5
ip netns exec fs_r $MICE $V daemon -c "$T/peerL.conf" --name R --dev mice0 \
	--peer-prefix 10.200.0.1/32 > "$T/r" 2>&1 &
ip netns exec fs_l $MICE $V daemon -c "$T/peerR.conf" --name L --connect R --dev mice0 \
	--peer-prefix 10.200.0.2/32 > "$T/l" 2>&1 &

wait_for "$T/l" "kernel socket attached" 10 && pass daemon-attached-socket ||
	fail daemon-attached-socket "$(head -5 "$T/l")"
if wait_for "$T/l" "kernel-pair peer R id 1 remote 10.99.5.3:[0-9]* installed" 30 &&
   wait_for "$T/r" "kernel-pair peer L id 1 remote 10.99.5.2:[0-9]* installed" 10; then
	pass nominated-pair-installed-in-kernel
else
	fail nominated-pair-installed-in-kernel "$(tail -6 "$T/l"; tail -6 "$T/r"; tail -4 "$T/ha")"
fi
grep "selected" "$T/l" | sed 's/^/    /'
ip netns exec fs_l ping -c 3 -i 0.3 -W 2 10.200.0.2 > "$T/ping" 2>&1 &&
	pass ping-over-ice-selected-tunnel || fail ping-over-ice-selected-tunnel "$(tail -2 "$T/ping")"
ip netns exec fs_l cat /proc/net/mice/pairs | sed 's/^/    /'

# A TCP transfer across the move.
head -c 4000000 /dev/urandom > "$T/src"
ip netns exec fs_r timeout 90 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$T/dst",creat,trunc &
srv=$!
for _ in $(seq 100); do ip netns exec fs_r ss -ltn | grep -q ':5001 ' && break; sleep 0.1; done
# Paced (200 KiB/s, about 20 s) so that the move falls inside it: unpaced
# it would be over in a few tens of ms, long before the move.
ip netns exec fs_l timeout 90 pv -qL 200k "$T/src" |
	ip netns exec fs_l timeout 90 socat -u - TCP:10.200.0.2:5001 &
cli=$!
sleep 2
# Pings every 2 ms across the move, with their arrival times (-D),
# measure the interruption: from the address delete, and from the moment
# the new address has its route (before that nothing can be sent). At
# 10 ms the ping's own spacing was most of what came after R's swap.
ip netns exec fs_l ping -D -i 0.002 -w 20 10.200.0.2 > "$T/moveping" 2>&1 &
pinger=$!
# The route's own time comes from the kernel (ip -ts monitor): under TCG
# starting a process takes up to 100 ms, too long for a date after ip.
ip -n fs_l -ts monitor route > "$T/routemon" 2>&1 &
routemon=$!
sleep 1
at_move=$(stat -c %s "$T/dst" 2>/dev/null || echo 0)
t_del=$(date +%s.%N)
ip -n fs_l addr del 10.99.6.2/24 dev eth0
ip -n fs_l addr add 10.99.6.3/24 dev eth0
ip -n fs_l route add default via 10.99.6.1
await_line "$T/routemon" "default via 10.99.6.1" 5
kill $routemon 2>/dev/null
t_route=$(date -d "$(sed -n 's/^\[\([^]]*\)\] default via 10.99.6.1.*/\1/p' "$T/routemon" | head -1)" +%s.%N 2>/dev/null ||
	date +%s.%N)
if await_line "$T/l" "candidate host 10.99.6.3" 10 &&
   await_line "$T/r" "ice-restart" 20; then
	pass move-subsequent-offer
else
	fail move-subsequent-offer "$(tail -8 "$T/l")"
fi
# R learns L's new public mapping and replaces the pair in its kernel.
await_line "$T/r" "kernel-pair peer L .* replaced" 20 &&
	pass move-pair-replaced-in-kernel || fail move-pair-replaced-in-kernel "$(tail -8 "$T/r")"
# A second move, the Home Agent now far away (25 ms each way on both sides
# of its link, the signalling round trip 100 ms longer, unless
# MICE_FULLSTACK_HA_DELAY_MS set a delay already): with early-checks L
# checks R's last candidates as its offer goes, and selects the new pair
# before the answer is back through the HA; without, after it. (With 10 ms
# the margin, about 15 ms, was within the emulator's noise in one CI run.)
sleep 2
if [ -z "${MICE_FULLSTACK_HA_DELAY_MS:-}" ] &&
   ! { tc qdisc add dev fs_hapub root netem delay 25ms &&
       ip netns exec fs_ha tc qdisc add dev pub root netem delay 25ms; }; then
	fail far-ha-delay "tc netem is not available"
fi
from_l=$(($(wc -l < "$T/l") + 1))
from_r=$(($(wc -l < "$T/r") + 1))
ip -n fs_l addr del 10.99.6.3/24 dev eth0
ip -n fs_l addr add 10.99.6.4/24 dev eth0
ip -n fs_l route add default via 10.99.6.1
await_line "$T/r" "kernel-pair peer L .* replaced" 20 "$from_r" &&
	pass far-ha-move-pair-replaced ||
	fail far-ha-move-pair-replaced "$(tail -n +"$from_r" "$T/r" | tail -8)"
await_line "$T/l" "answer-received" 10 "$from_l"
await_line "$T/l" " selected " 10 "$from_l"
far=$(tail -n +"$from_l" "$T/l" | awk '
	function at(l) { return substr(l, 3, index(l, " ") - 3) * 1000 }
	/ offer-sent/ && !of { of = at($0) } / checks-early/ && !ce { ce = NR }
	/ selected/ && !se { se = NR; st = at($0) } / answer-received/ && !an { an = NR; at_ = at($0) }
	END { printf "%s %s %s %.0f %.0f\n", ce ? ce : 0, se ? se : 0, an ? an : 0, st - of, at_ - of }')
read -r far_ce far_se far_an far_sel_ms far_ans_ms <<< "$far"
echo "    far-ha move: L selected ${far_sel_ms} ms after its offer, the answer came ${far_ans_ms} ms after it"
if [ "${MICE_FULLSTACK_EARLY_CHECKS:-on}" = off ]; then
	[ "$far_ce" = 0 ] && [ "$far_se" -gt "$far_an" ] && [ "$far_an" -gt 0 ] &&
		pass far-ha-no-early-checks-waits-for-answer ||
		fail far-ha-no-early-checks-waits-for-answer "lines: checks-early $far_ce selected $far_se answer $far_an"
else
	[ "$far_ce" -gt 0 ] && [ "$far_se" -gt "$far_ce" ] && [ "$far_an" -gt "$far_se" ] &&
		pass far-ha-early-checks-select-before-answer ||
		fail far-ha-early-checks-select-before-answer "lines: checks-early $far_ce selected $far_se answer $far_an"
fi
wait $pinger
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T/moveping")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T/moveping")
echo "    move: pings every 2 ms: sent ${sent:-?} received ${got:-?}"
# last reply before the delete, first one after the route; the tunnel's
# RTT from the pings before the move (docs/benchmarks.md, handover gap)
rtt=$(sed -n 's|^rtt .* = [0-9.]*/\([0-9.]*\)/.*|\1|p' "$T/ping")
awk -v d="$t_del" -v r="$t_route" -v rtt="$rtt" '
	/icmp_seq=/ { t = substr($1, 2, length($1) - 2) + 0
		if (t < d) lb = t; else if (t > r && !fa) fa = t }
	END { if (!fa) { print "    move: no reply after the move"; exit }
		printf "    move: gap %.0f ms from the delete (the test'"'"'s ip commands took %.0f ms), %.0f ms from the new route; tunnel RTT %s ms\n",
			(fa - lb) * 1000, (r - d) * 1000, (fa - r) * 1000, rtt }' "$T/moveping"
# The flows resume: the last two seconds of pings were answered.
last=$(grep -o 'icmp_seq=[0-9]*' "$T/moveping" | tail -1 | cut -d= -f2)
[ -n "$sent" ] && [ -n "$last" ] && [ "$last" -ge $((sent - 1000)) ] &&
	pass ping-resumes-after-move ||
	fail ping-resumes-after-move "last reply seq ${last:-none} of ${sent:-?}: $(tail -12 "$T/l")"
# one line for bench/handover_bench.sh: the gap and L's steps, in ms
first_reply_after() {	# WALL-TIME: ms from it to the first ping reply after it
	awk -v w="$1" '/icmp_seq=/ { t = substr($1, 2, length($1) - 2) + 0
		if (t > w) { printf "%.0f", (t - w) * 1000; exit } }' "$T/moveping"
}
gap_route=$(first_reply_after "$t_route")
# when R replaced its kernel pair after the move (t= plus the wall clock
# of t=0 from its start line), and the first reply after that: what the
# data path adds once ICE has chosen. R's pair is the one that must
# change (its remote is L's new mapping); L's keeps R's address, and L's
# packets take the new source address from the route at once.
wall_at() {	# LOG PATTERN: wall-clock time of PATTERN's first line after the move
	awk -v d="$t_del" -v p="$2" '
		/ start .*t=0 is/ { for (i = 1; i <= NF; i++) if ($i == "is") w = $(i + 1) }
		index($0, p) { t = w + substr($1, 3) + 0; if (t > d) { printf "%.6f\n", t; exit } }' "$1"
}
t_swap=$(wall_at "$T/r" "kernel-pair peer L id 1")
swap_route=$(awk -v r="$t_route" -v w="${t_swap:-0}" 'BEGIN { if (w > r) printf "%.0f", (w - r) * 1000 }')
reply_swap=$([ -n "$t_swap" ] && first_reply_after "$t_swap")
# when L saw the route (its "address ready"), from the route's own stamp
t_ready=$(wall_at "$T/l" "address ready")
route_ready=$(awk -v r="$t_route" -v w="${t_ready:-0}" 'BEGIN { if (w > r) printf "%.0f", (w - r) * 1000 }')
sed -n '/ address del/,$p' "$T/l" | awk -v g="${gap_route:-none}" -v rtt="${rtt:-none}" \
	-v sw="${swap_route:-none}" -v rs="${reply_swap:-none}" -v rr="${route_ready:-none}" '
	function at(l) { return substr(l, 3, index(l, " ") - 3) * 1000 }
	/ address ready/ && !rd { rd = at($0) }
	/ candidate srflx/ && !sx { sx = at($0) }
	/ offer-sent/ && !of { of = at($0) }
	/ answer-received/ && !an { an = at($0) }
	/ checks-early/ && !ce { ce = at($0) }
	/ selected/ && !se { se = at($0) }
	END { if (!ce) ce = an	# checks from the offer, or from the answer
	      # against the target: gap < 1 RTT + the check time of the new pair
	      over = (g == "none" || rtt == "none") ? "none" : sprintf("%.0f", g - rtt - (se - ce))
	      if (rd && sx && of && an && se)
		printf "    handover: gap_from_route_ms=%s peer_swap_from_route_ms=%s reply_after_peer_swap_ms=%s tunnel_rtt_ms=%s route_to_ready_ms=%s ready_to_offer_ms=%.0f offer_to_answer_ms=%.0f checks_to_selected_ms=%.0f ready_to_srflx_ms=%.0f over_target_ms=%s\n",
			g, sw, rs, rtt, rr, of - rd, an - of, se - ce, sx - rd, over }'
echo "    L's timeline of the move:"
sed -n '/ address /,$p' "$T/l" | grep -E "address|candidate|registered|offer|answer|checks-early|selected|made ahead" |
	head -16 | sed 's/^/      /'
grep "selected\|kernel-pair" "$T/l" "$T/r" | sed 's/^/    /'
if [ -n "${MICE_FULLSTACK_LOGS:-}" ]; then
	echo "    --- pings answered around R's swap (${t_swap:-?}):"
	awk -v w="${t_swap:-0}" '/icmp_seq=/ { t = substr($1, 2, length($1) - 2) + 0
		if (t > w - 0.02 && t < w + 0.04) print "      " $0 }' "$T/moveping" | head -30
	for f in l r ha; do
		echo "    --- $f, from the move:"
		awk -v d="$t_del" '/ start .*t=0 is/ { for (i = 1; i <= NF; i++) if ($i == "is") w = $(i + 1) }
			{ if (w && w + substr($1, 3) > d - 0.05) print "      " $0 }' "$T/$f" | head -80
	done
fi
wait $cli; wait $srv
total=$(stat -c %s "$T/src")
# the transfer was under way when the address went, not over before it
[ "$at_move" -gt 0 ] && [ "$at_move" -lt "$total" ] &&
	pass tcp-transfer-spans-move ||
	fail tcp-transfer-spans-move "$at_move of $total bytes had arrived at the move"
echo "    move: $at_move of $total bytes had arrived when the address was deleted"
check_eq tcp-across-move-every-byte "$(sha256sum < "$T/src")" "$(sha256sum < "$T/dst" 2>/dev/null)"
ip netns exec fs_l ping -c 3 -i 0.3 -W 2 10.200.0.2 >/dev/null 2>&1 &&
	pass ping-after-move || fail ping-after-move
summary
