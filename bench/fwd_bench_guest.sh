#!/bin/bash
# Forwarding capacity of a tunnel endpoint (the device under test), inside
# the VM with mice.ko loaded (make bench). RFC 2544-style: a cheap load
# generator offers more small packets than the DUT can take, the DUT
# forwards what it can to a cheap sink, and we count what came out.
#
#   fwd_g: tests/tools/rawblast, AF_PACKET + PACKET_QDISC_BYPASS +
#          sendmmsg of one pre-built frame, pinned to CPU 0
#     | veth vg -- vd (rps_cpus on vd: the DUT's receive work runs on CPU 1)
#   fwd_d: the DUT, ip_forward=1, with the three tunnels of
#          datapath_bench_guest.sh side by side
#            mice   mice0 + a validated pair, far end 10.97.0.1:4191
#            fou    ipip over FOU port 5555, far end 10.97.0.2
#            relay  tests/tools/udprelay on urelay0 (pinned to CPU 1),
#                   far end 10.97.0.3:6000
#          and dummy devices as sinks: dummy_xmit counts and frees, the
#          cheapest output there is, the same for every tunnel
#            decN  the decapsulated inner packets (routed 10.21N.0.0/24)
#            encN  the encapsulated outer packets (the far ends 10.97.0.N)
#
# decap: G sends outer IPv4/UDP from the far end to vd's address, carrying
#        a 64-byte inner UDP datagram (92-byte inner packet, 134-byte
#        frame); D decapsulates and forwards the inner packet to decN.
# encap: G sends the plain inner datagram (106-byte frame) to the far
#        peer's inner address; D routes it into the tunnel, which sends the
#        outer packet to encN.
# plain: the plain datagram forwarded vd -> dec0 with no tunnel at all,
#        the ceiling for either direction.
#
# offered   = what G put on the wire (vg tx_packets + tx_dropped)
# forwarded = the sink's tx_packets, over MICE_BENCH_SECONDS (5) s after
#           MICE_BENCH_WARMUP (1) s of load.
# used      = the share of CPU 1 the DUT took from a SCHED_IDLE soaker
#             (rawblast --soak) on CPU 1; forwarded / used is the DUT's
#             capacity where the generator cannot saturate it (2 vCPUs).
# MICE_BENCH_ROUNDS (3) rounds, every case interleaved in each; medians reported.
set -u
cd "$(dirname "$0")/.."
SECS=${MICE_BENCH_SECONDS:-5}
WARM=${MICE_BENCH_WARMUP:-1}
ROUNDS=${MICE_BENCH_ROUNDS:-${ROUNDS:-3}}
MICE=./agent/mice
BLAST=./build/tools/rawblast
G="ip netns exec fwd_g"
D="ip netns exec fwd_d"
T=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; ip netns del fwd_g; ip netns del fwd_d; rm -rf "$T"' EXIT
modprobe fou 2>/dev/null; modprobe ipip 2>/dev/null; modprobe tun 2>/dev/null
modprobe dummy numdummies=0 2>/dev/null

NCPU=$(nproc)
if [ "$NCPU" -ge 2 ]; then
	GEN_PIN="taskset -c 0" DUT_PIN="taskset -c 1"
	# this script and what it starts (the counter readers, the agent)
	# stay off the DUT's CPU; only the relay is put there
	taskset -pc 0 $$ > /dev/null
else
	GEN_PIN='' DUT_PIN=''
fi

ip netns add fwd_g; ip netns add fwd_d
ip link add vg netns fwd_g type veth peer name vd netns fwd_d
$G ip link set lo up; $D ip link set lo up
$G ip addr add 10.99.20.1/24 dev vg; $D ip addr add 10.99.20.2/24 dev vd
$G ip link set vg up; $D ip link set vd up
# the generator's baseline: the same frames into a dummy, DUT untouched
$G ip link add gsink type dummy; $G ip link set gsink up
# Inner sources arrive on tunnel devices and outer sources (the far ends)
# on vd while their routes point at the sinks: no reverse-path filter.
$D sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.vd.rp_filter=0
if [ "$NCPU" -ge 2 ]; then
	$D sh -c 'echo 2 > /sys/class/net/vd/queues/rx-0/rps_cpus'
	echo "rps_cpus of vd rx-0: $($D cat /sys/class/net/vd/queues/rx-0/rps_cpus)"
fi

for n in 0 1 2 3; do
	$D ip link add dec$n type dummy; $D ip link set dec$n up
	$D ip route add 10.21$n.0.0/24 dev dec$n
	[ $n = 0 ] && continue
	$D ip link add enc$n type dummy; $D ip link set enc$n up
	$D ip route add 10.97.0.$n/32 dev enc$n src 10.99.20.2
done

# mice: a validated pair to the far end; its inner prefix is 10.201.0.1/32
$D $MICE -j attach --port 4191 > "$T/sock" &
$D ip link add mice0 type mice
$D ip addr add 10.201.0.2/32 dev mice0
$D ip link set mice0 up
$D ip route add 10.201.0.1/32 dev mice0
for _ in $(seq 100); do grep -q '"id"' "$T/sock" 2>/dev/null && break; sleep 0.1; done
$D $MICE pair set 1 sock "$(sed -n 's/.*"id":\([0-9]*\).*/\1/p' "$T/sock")" \
	remote 10.97.0.1 port 4191 dev mice0 prefix 10.201.0.1/32 ||
	echo "warning: mice pair set failed"

# FOU
$D ip fou add port 5555 ipproto 4
$D ip link add fou0 type ipip remote 10.97.0.2 local 10.99.20.2 \
	encap fou encap-sport auto encap-dport 5555
$D ip addr add 10.202.0.2/32 dev fou0
$D ip link set fou0 up
$D ip route add 10.202.0.1/32 dev fou0

# userspace relay, on the DUT's CPU
$D $DUT_PIN ./build/tools/udprelay --dev urelay0 --local 10.99.20.2:6000 \
	--remote 10.97.0.3:6000 > /dev/null &
for _ in $(seq 100); do $D ip link show urelay0 > /dev/null 2>&1 && break; sleep 0.1; done
$D ip addr add 10.203.0.2/32 dev urelay0
$D ip link set urelay0 mtu 1452 up
$D ip route add 10.203.0.1/32 dev urelay0

DMAC=$($D cat /sys/class/net/vd/address)

# frame CASE: rawblast's frame arguments for one case
frame() {
	case $1 in
	decap-mice) echo "--outer-src 10.97.0.1:4191 --outer-dst 10.99.20.2:4191 --src 10.201.0.1:7000 --dst 10.211.0.1:7000" ;;
	decap-fou) echo "--outer-src 10.97.0.2:5555 --outer-dst 10.99.20.2:5555 --src 10.202.0.1:7000 --dst 10.212.0.1:7000" ;;
	decap-relay) echo "--outer-src 10.97.0.3:6000 --outer-dst 10.99.20.2:6000 --src 10.203.0.1:7000 --dst 10.213.0.1:7000" ;;
	encap-mice) echo "--src 10.98.0.1:7000 --dst 10.201.0.1:7000" ;;
	encap-fou) echo "--src 10.98.0.1:7000 --dst 10.202.0.1:7000" ;;
	encap-relay) echo "--src 10.98.0.1:7000 --dst 10.203.0.1:7000" ;;
	plain) echo "--src 10.98.0.1:7000 --dst 10.210.0.1:7000" ;;
	esac
}
# sink CASE: the dummy device that counts what the DUT forwarded
sink() {
	case $1 in
	decap-mice) echo dec1 ;; decap-fou) echo dec2 ;; decap-relay) echo dec3 ;;
	encap-mice) echo enc1 ;; encap-fou) echo enc2 ;; encap-relay) echo enc3 ;;
	plain|base) echo dec0 ;;
	esac
}

# Counter readers, one per namespace, started once and fed on a FIFO:
# shell builtins only, no process per sample, so sampling costs next to
# nothing (under TCG a fork and exec costs milliseconds).
# D answers a sink name with "us sink_tx vd_rx udp_rcvbuf_errors, per CPU
# the packets its backlog processed, per CPU busy and total jiffies";
# G answers with "vg_tx vg_dropped".
mkfifo "$T/d.in" "$T/d.out" "$T/g.in" "$T/g.out"
# shellcheck disable=SC2016
$D bash -c '
	while read -r sink; do
		t=${EPOCHREALTIME/./}
		read -r s < /sys/class/net/$sink/statistics/tx_packets
		read -r r < /sys/class/net/vd/statistics/rx_packets
		u=0 h=0
		while read -r -a l; do
			[ "${l[0]}" = Udp: ] && { [ $h = 1 ] && u=${l[5]}; h=1; }
		done < /proc/net/snmp
		p=""
		while read -r a _; do p="$p $((16#$a))"; done < /proc/net/softnet_stat
		c=""
		while read -r n us ni sy id io irq si _; do
			case $n in cpu[0-9]*)
				c="$c $((us + ni + sy + irq + si)) $((us + ni + sy + id + io + irq + si))" ;;
			esac
		done < /proc/stat
		echo "$t $s $r $u$p$c"
	done' < "$T/d.in" > "$T/d.out" &
# shellcheck disable=SC2016
$G bash -c '
	while read -r _; do
		read -r a < /sys/class/net/vg/statistics/tx_packets
		read -r b < /sys/class/net/vg/statistics/tx_dropped
		echo "$a $b"
	done' < "$T/g.in" > "$T/g.out" &
exec 7> "$T/d.in" 8< "$T/d.out" 9> "$T/g.in" 10< "$T/g.out"
snap() {
	local d g
	echo "$1" >&7; echo x >&9
	read -r d <&8; read -r g <&10
	echo "$d $g"
}

# measure CASE [RATE]: prints "offered forwarded busy spare" (packets/s,
# packets/s, the DUT CPU's tick-sampled busy per mille, the soaker's loops
# per second on the DUT CPU; on 1 vCPU: the one CPU's busy, no soaker) and
# logs the details. RATE paces the generator. CASE base: the generator's
# frames go into a dummy in G, the DUT gets nothing.
measure() {
	local c=$1 rate=${2:-} sk a b i gen soak='' dev=vg
	sk=$(sink "$c")
	if [ "$NCPU" -ge 2 ]; then
		taskset -c 1 $BLAST --soak --seconds $((WARM + SECS + 60)) > "$T/soak" &
		soak=$!
	fi
	[ "$c" = base ] && { dev=gsink; c=decap-mice; }
	# shellcheck disable=SC2046
	$G $GEN_PIN $BLAST --dev $dev --dst-mac "$DMAC" $(frame "$c") --size 64 \
		${rate:+--rate $rate --batch 8} --seconds $((WARM + SECS + 30)) > "$T/gen" 2>&1 &
	gen=$!
	[ "$dev" = vg ] || c=base
	sleep "$WARM"
	a=$(snap "$sk")
	sleep "$SECS"
	b=$(snap "$sk")
	kill -TERM "$gen" 2>/dev/null; wait "$gen" 2>/dev/null
	[ -z "$soak" ] || { kill -TERM "$soak"; wait "$soak"; }
	local -a x y
	read -r -a x <<< "$a"; read -r -a y <<< "$b"
	local want=$((4 + 3 * NCPU + 2)) loops=''
	if [ "${#x[@]}" != "$want" ] || [ "${#y[@]}" != "$want" ] || [ "${y[0]}" -le "${x[0]}" ]; then
		echo "0 0 0 0"; echo "  $c: snapshot failed ($a | $b)" >&2; return
	fi
	# the soaker's loops/s from its last line at or before the window's
	# start to its first line at or after its end
	[ -z "$soak" ] || loops=$(awk -v a="${x[0]}" -v b="${y[0]}" '
		$1 <= a || !n { t1 = $1; l1 = $2; n = 1 }
		$1 >= b && !done { t2 = $1; l2 = $2; done = 1 }
		END { if (!done) { t2 = $1; l2 = $2 }
		      printf "%d", (t2 > t1 ? (l2 - l1) / ((t2 - t1) / 1e6) : 0) }' "$T/soak")
	local dt=$(( (y[0] - x[0]) * 1000 )) g=$((4 + 3 * NCPU))
	local off=$(( y[g] + y[g + 1] - x[g] - x[g + 1] ))
	local fwd=$(( y[1] - x[1] )) acc=$(( y[2] - x[2] )) udpdrop=$(( y[3] - x[3] ))
	local backlog='' busy='' dut=$((NCPU - 1)) dutbusy=0
	for ((i = 0; i < NCPU; i++)); do
		backlog="$backlog +$(( y[4 + i] - x[4 + i] ))"
		local bi=$((4 + NCPU + 2 * i))
		local db=$(( y[bi] - x[bi] )) dtot=$(( y[bi + 1] - x[bi + 1] ))
		local pm=$(( dtot > 0 ? 1000 * db / dtot : 0 ))
		busy="$busy $((pm / 10)).$((pm % 10))%"
		[ "$i" = "$dut" ] && dutbusy=$pm
	done
	[ "$c" = base ] && { off=0; fwd=0; }
	printf "  %-12s%s offered %7d forwarded %7d in %.2f s; vd accepted %d, UDP rcvbuf drops %d; per CPU: backlog%s, busy (ticks)%s; soaker loops/s %s; generator: %s\n" \
		"$c" "${rate:+ at $rate/s}" "$off" "$fwd" "$(awk -v t="$dt" 'BEGIN { print t / 1e9 }')" \
		"$acc" "$udpdrop" "$backlog" "$busy" "${loops:--}" "$(cat "$T/gen")" >&2
	awk -v o="$off" -v f="$fwd" -v t="$dt" -v u="$dutbusy" -v l="${loops:-0}" \
		'BEGIN { printf "%d %d %d %d\n", o / (t / 1e9), f / (t / 1e9), u, l }'
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }
ratio() { awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# a first packet of each case, so no route or neighbour is cold
for c in decap-mice decap-fou decap-relay encap-mice encap-fou encap-relay plain; do
	# shellcheck disable=SC2046
	$G timeout 5 $BLAST --dev vg --dst-mac "$DMAC" $(frame "$c") --size 64 --seconds 1 --rate 100 > /dev/null
	[ "$($D cat "/sys/class/net/$(sink "$c")/statistics/tx_packets")" -gt 0 ] ||
		echo "warning: $c: nothing reached $(sink "$c")"
done

# Full load shows what each DUT forwards when offered all the generator
# can make. Where the generator cannot saturate a DUT (it offers what one
# CPU can push through AF_PACKET and veth), the soaker says how much of
# the DUT CPU the forwarding used: used = 1 - loops/s / loops/s of the
# round's baseline (generator running, DUT idle), and forwarded / used is
# the rate a fully used DUT CPU would reach at that cost. A DUT that drops
# late (the relay's socket buffer, its tun queue) spends CPU on what it
# drops; MICE_BENCH_PACED_PPS=N also offers every case N packets/s, under
# every DUT's capacity, and takes the DUT CPU time per packet there. Off
# by default: under TCG on a shared host the soaker's baseline drifts by
# 20% between measurements, which at 3000 packets/s is 60 us a packet,
# more than the kernel tunnels' cost (docs/benchmarks.md).
CASES="decap-mice decap-fou decap-relay encap-mice encap-fou encap-relay plain"
PACED=${MICE_BENCH_PACED_PPS:-0}
[ "$NCPU" -ge 2 ] || PACED=0
echo "guest CPUs: $NCPU$([ "$NCPU" -ge 2 ] && echo " (generator on CPU 0; DUT receive work, the relay and a SCHED_IDLE soaker on CPU 1)")"
echo "per-measurement detail (stderr):"
declare -A OFF FWD BUSY LOOPS
record() { OFF[$1]="${OFF[$1]:-} $2" FWD[$1]="${FWD[$1]:-} $3" BUSY[$1]="${BUSY[$1]:-} $4" LOOPS[$1]="${LOOPS[$1]:-} $5"; }
for r in $(seq "$ROUNDS"); do
	if [ "$NCPU" -ge 2 ]; then
		read -r o f u l < <(measure base)
		record base "$o" "$f" "$u" "$l"
	fi
	for c in $CASES; do
		read -r o f u l < <(measure "$c")
		record "$c" "$o" "$f" "$u" "$l"
	done
	if [ "$PACED" -gt 0 ]; then
		for c in $CASES; do
			read -r o f u l < <(measure "$c" "$PACED")
			record "paced-$c" "$o" "$f" "$u" "$l"
		done
	fi
	echo "  (round $r done)" >&2
done

# used KEY: per round, the per mille of the DUT CPU the case took from the
# soaker; cap KEY: per round, forwarded / used; cost KEY: per round,
# microseconds of DUT CPU per forwarded packet
perround() {
	local -a f l z
	read -r -a f <<< "${FWD[$2]}"; read -r -a l <<< "${LOOPS[$2]}"; read -r -a z <<< "${LOOPS[base]}"
	for i in "${!f[@]}"; do
		awk -v what="$1" -v f="${f[$i]}" -v l="${l[$i]:-0}" -v z="${z[$i]:-0}" 'BEGIN {
			u = z ? 1 - l / z : 0
			if (what == "used") printf "%.1f ", 100 * u
			else if (what == "cap") printf "%d ", (u > 0 ? f / u : 0)
			else printf "%.1f ", (f ? u * 1e6 / f : 0) }'
	done
}
row() { printf "%-34s %9s %9s %9s %9s %8s %10s\n" "$@"; }

echo
row "full load (median of $ROUNDS)" mice fou relay plain mice/fou mice/relay
for dir in decap encap; do
	m=$(echo "${FWD[$dir-mice]}" | median) f=$(echo "${FWD[$dir-fou]}" | median)
	r=$(echo "${FWD[$dir-relay]}" | median) p=$(echo "${FWD[plain]}" | median)
	row "$dir, forwarded pkts/s" "$m" "$f" "$r" "$p" "$(ratio "$m" "$f")" "$(ratio "$m" "$r")"
	row "$dir, offered pkts/s" "$(echo "${OFF[$dir-mice]}" | median)" \
		"$(echo "${OFF[$dir-fou]}" | median)" "$(echo "${OFF[$dir-relay]}" | median)" \
		"$(echo "${OFF[plain]}" | median)" '' ''
	if [ "$NCPU" -ge 2 ]; then
		row "$dir, DUT CPU used % (soaker)" "$(perround used "$dir-mice" | median)" \
			"$(perround used "$dir-fou" | median)" "$(perround used "$dir-relay" | median)" \
			"$(perround used plain | median)" '' ''
		m=$(perround cap "$dir-mice" | median) f=$(perround cap "$dir-fou" | median)
		r=$(perround cap "$dir-relay" | median) p=$(perround cap plain | median)
		row "$dir, forwarded / used" "$m" "$f" "$r" "$p" "$(ratio "$m" "$f")" "$(ratio "$m" "$r")"
	fi
done
if [ "$PACED" -gt 0 ]; then
	echo
	row "at $PACED pkts/s (median of $ROUNDS)" mice fou relay plain fou/mice relay/mice
	for dir in decap encap; do
		m=$(perround cost "paced-$dir-mice" | median) f=$(perround cost "paced-$dir-fou" | median)
		r=$(perround cost "paced-$dir-relay" | median) p=$(perround cost paced-plain | median)
		row "$dir, us of DUT CPU per packet" "$m" "$f" "$r" "$p" "$(ratio "$f" "$m")" "$(ratio "$r" "$m")"
		row "$dir, forwarded pkts/s" "$(echo "${FWD[paced-$dir-mice]}" | median)" \
			"$(echo "${FWD[paced-$dir-fou]}" | median)" "$(echo "${FWD[paced-$dir-relay]}" | median)" \
			"$(echo "${FWD[paced-plain]}" | median)" '' ''
	done
fi
echo
echo "rounds (forwarded; offered$([ "$NCPU" -ge 2 ] && echo "; DUT CPU used % by the soaker")):"
[ "$NCPU" -lt 2 ] || echo "  base: soaker loops/s${LOOPS[base]}"
for c in $CASES; do
	if [ "$NCPU" -ge 2 ]; then u="; $(perround used "$c")"; else u=''; fi
	echo "  $c:${FWD[$c]};${OFF[$c]}$u"
done
if [ "$PACED" -gt 0 ]; then
	for c in $CASES; do
		echo "  paced-$c:${FWD[paced-$c]};${OFF[paced-$c]}; $(perround used "paced-$c"); us/packet $(perround cost "paced-$c")"
	done
fi
saturated=''
for c in $CASES; do
	o=$(echo "${OFF[$c]}" | median) f=$(echo "${FWD[$c]}" | median)
	awk -v o="$o" -v f="$f" 'BEGIN { exit !(o > 1.05 * f) }' && saturated="$saturated $c"
done
echo "saturated at full load (offered > 1.05 x forwarded):${saturated:- none}"
