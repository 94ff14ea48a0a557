#!/bin/bash
# Guest test: the tunnel's offloads as real network cards see them (issue
# 15, "Correct on real network cards"). veth can segment UDP tunnels
# itself, so it carries a TSO packet through mice0 unsplit; most cards
# cannot, and then the stack segments it in software through the UDP
# tunnel's inner protocol (ipip, sit, ip4ip6, ip6ip6 offloads), which
# needs the IPXIP bit of the outer family. Hosts L and R on one veth, with
# mice0 tunnels and pairs as in test_datapath.sh; for every inner/outer
# family combination and two underlay settings (UDP tunnel segmentation
# off; TSO and GSO off) a TCP transfer L -> R must arrive byte for byte,
# with no drop on mice0 or the underlay, retransmissions under 3% and
# mice0's tx octets between the payload and the payload plus headers.
# A host forwarding the decapsulated TSO packets on through its mice0
# must get them as plain TCP GSO packets, not still marked as a tunnel's.
# Then TCP through gates whose max_packet is 1500: over the tunnel into a
# data path with admission on, and forwarded by a gateway with GRO on its
# policed interface. Neither may see a "size" drop: the gate polices segments,
# not the stack's aggregates.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
require_vm

MICE=${MICE_AGENT:-$(pwd)/agent/mice}
T=$(mktemp -d)
L="ip netns exec mo_l"
R="ip netns exec mo_r"
C="ip netns exec mo_c"
G="ip netns exec mo_g"
SIZE=$((4 * 1024 * 1024))

teardown() {
	kill -9 $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	for n in mo_l mo_r mo_t mo_c mo_g mo_s; do ip netns del $n 2>/dev/null; done
	rm -rf "$T"
}
trap teardown EXIT

check_eq() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "expected '$2', got '$3'"; }
sock_id() { sed -n 's/.*"attached","id":\([0-9]*\).*/\1/p' "$1"; }
# devstat NS DEV COUNTER: the device counter ip -s link shows.
devstat() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"; }
# tcp_mib NS FIELD: a Tcp: counter of /proc/net/snmp (what nstat reads).
tcp_mib() {
	ip netns exec "$1" awk -v f="$2" '$1 == "Tcp:" {
		if (!c) { for (i = 2; i <= NF; i++) if ($i == f) c = i; next }
		print $c }' /proc/net/snmp
}

# xfer FROM-NS TO-NS SOCAT-ADDR PORT [SOURCE-PORT]: $T/src from FROM-NS to
# a listener in TO-NS (IPv6, so IPv4 too); true when every byte arrived
# unchanged.
xfer() {
	local from=$1 to=$2 addr=$3 port=$4 opt=''
	[ -n "${5:-}" ] && opt=",sourceport=$5,reuseaddr"
	rm -f "$T/dst"
	ip netns exec "$to" timeout 60 socat -u TCP6-LISTEN:"$port",reuseaddr \
		OPEN:"$T/dst",creat,trunc &
	local srv=$!
	wait_until 10 eval "ip netns exec $to ss -ltn | grep -q ':$port '"
	ip netns exec "$from" timeout 40 socat -u OPEN:"$T/src" "$addr:$port$opt"
	wait $srv
	[ "$(sha256sum < "$T/src")" = "$(sha256sum < "$T/dst" 2>/dev/null)" ]
}

head -c $SIZE /dev/urandom > "$T/src"

# --- L and R on one veth, IPv4 and IPv6 underlay -------------------------
for n in mo_l mo_r; do netns_create $n; done
ip link add e0 netns mo_l type veth peer name e0 netns mo_r
$L ip addr add 10.99.21.1/24 dev e0; $L ip -6 addr add fd99:21::1/64 dev e0 nodad
$R ip addr add 10.99.21.2/24 dev e0; $R ip -6 addr add fd99:21::2/64 dev e0 nodad
$L ip link set e0 up; $R ip link set e0 up
for h in l r; do
	ip netns exec mo_$h $MICE -j attach --addr 0.0.0.0 --port 4191 > "$T/$h.a4" 2>&1 &
	ip netns exec mo_$h $MICE -j attach --addr :: --port 4192 > "$T/$h.a6" 2>&1 &
done
for f in l.a4 l.a6 r.a4 r.a6; do
	wait_until 10 grep -q attached "$T/$f" || fail "attach-$f" "$(cat "$T/$f")"
done
for h in l r; do
	me=$([ $h = l ] && echo 1 || echo 2) peer=$([ $h = l ] && echo 2 || echo 1)
	x="ip netns exec mo_$h"
	$x ip link add mice0 type mice
	$x ip addr add 10.200.0.$me/32 dev mice0
	$x ip -6 addr add fd00:200::$me/128 dev mice0 nodad
	$x ip link set mice0 up
	$x ip route add 10.200.0.$peer/32 dev mice0
	$x ip -6 route add fd00:200::$peer/128 dev mice0
	$x $MICE pair set 1 sock "$(sock_id "$T/$h.a4")" remote 10.99.21.$peer port 4191 \
		dev mice0 prefix 10.200.0.$peer/32 prefix fd00:200::$peer/128
done
$L ping -c 1 -W 2 10.200.0.2 >/dev/null 2>&1 && pass tunnel-up || fail tunnel-up
# What the kernel itself sends into mice0 that no peer's prefix covers
# (IPv6 router solicitations to ff02::2) is dropped as tx_carrier_errors
# (and tx_errors): the errors mice0 shows at rest.
echo "    mice0 at start: tx_errors $(devstat mo_l mice0 tx_errors)," \
	"tx_carrier_errors $(devstat mo_l mice0 tx_carrier_errors)"

# underlay FEATURE on|off ...: ethtool -K on both ends of the veth.
underlay() {
	$L ethtool -K e0 "$@" >/dev/null 2>&1 && $R ethtool -K e0 "$@" >/dev/null 2>&1
}

# tunnel_case NAME SOCAT-TARGET HDR: a transfer L -> R through mice0 (HDR:
# the inner IP and TCP header octets of one segment, with timestamps).
tunnel_case() {
	local name=$1 target=$2 hdr=$3 a b d
	declare -A c0 c1
	snap() {
		local -n s=$1
		s[tx_bytes]=$(devstat mo_l mice0 tx_bytes)
		s[tx_dropped]=$(devstat mo_l mice0 tx_dropped)
		# A failed outer output: tx_dropped (IPv4 outer) or
		# tx_aborted_errors (IPv6); not the no-peer drops above.
		s[tx_aborted_errors]=$(devstat mo_l mice0 tx_aborted_errors)
		s[rx_dropped]=$(devstat mo_r mice0 rx_dropped)
		s[e0_tx_dropped]=$(devstat mo_l e0 tx_dropped)
		s[out]=$(tcp_mib mo_l OutSegs)
		s[retrans]=$(tcp_mib mo_l RetransSegs)
	}
	snap c0
	local t0=$(date +%s%N)
	if xfer mo_l mo_r "$target" 5001; then
		pass "$name-bytes-verified"
	else
		fail "$name-bytes-verified" "$(stat -c %s "$T/dst" 2>/dev/null || echo 0) of $SIZE octets arrived"
	fi
	local ms=$((($(date +%s%N) - t0) / 1000000))
	snap c1
	d=""
	for a in tx_dropped tx_aborted_errors rx_dropped e0_tx_dropped; do
		b=$((c1[$a] - c0[$a]))
		[ $b -eq 0 ] || d="$d $a+$b"
	done
	[ -z "$d" ] && pass "$name-no-drops" ||
		fail "$name-no-drops" "$d; $($L ip -s link show mice0 | tr -s ' \n' ' ')"
	local out=$((c1[out] - c0[out])) re=$((c1[retrans] - c0[retrans]))
	# Before the IPXIP bit a quarter to a third of the segments were
	# retransmitted; a few remain under TCG when a burst of software
	# segments overflows the receiving veth's backlog (up to 0.8% seen).
	[ $((re * 100)) -lt $((out * 3)) ] && pass "$name-retrans-under-3pct" ||
		fail "$name-retrans-under-3pct" "$re of $out segments retransmitted"
	# mice0 counts each packet the stack hands it once (a GSO packet with
	# its headers once): between the payload and the payload plus every
	# segment's headers, 1% slack for the handshake and the FIN.
	local tx=$((c1[tx_bytes] - c0[tx_bytes])) want=$((SIZE + out * hdr))
	if [ "$tx" -ge $SIZE ] && [ $((tx * 100)) -le $((want * 101)) ]; then
		pass "$name-tx-bytes-counted-once"
	else
		fail "$name-tx-bytes-counted-once" "mice0 tx_bytes +$tx, payload $SIZE, with all headers $want"
	fi
	echo "    $name: $ms ms, $out segments, $re retransmitted, tx_bytes +$tx (expected ~$want)"
}

# every_family SUFFIX: the four inner/outer combinations, in that order
# (inner over outer: ipip, sit, ip4ip6, ip6ip6 in the kernel's offloads).
every_family() {
	local s=$1 h
	for h in l r; do
		peer=$([ $h = l ] && echo 2 || echo 1)
		ip netns exec mo_$h $MICE pair set 1 sock "$(sock_id "$T/$h.a4")" \
			remote 10.99.21.$peer port 4191
	done
	tunnel_case "v4-in-v4-$s" TCP4:10.200.0.2 52
	tunnel_case "v6-in-v4-$s" TCP6:[fd00:200::2] 72
	for h in l r; do
		peer=$([ $h = l ] && echo 2 || echo 1)
		ip netns exec mo_$h $MICE pair set 1 sock "$(sock_id "$T/$h.a6")" \
			remote fd99:21::$peer port 4192
	done
	tunnel_case "v4-in-v6-$s" TCP4:10.200.0.2 52
	tunnel_case "v6-in-v6-$s" TCP6:[fd00:200::2] 72
}

# --- the veth as it is: it segments UDP tunnels itself ---------------------
tunnel_case v4-in-v4-veth-offloads TCP4:10.200.0.2 52

# --- a card without UDP tunnel segmentation -------------------------------
underlay tx-udp_tnl-segmentation off tx-udp_tnl-csum-segmentation off &&
	$L ethtool -k e0 | grep -q "^tx-udp_tnl-segmentation: off" &&
	pass underlay-udp-tnl-seg-off || fail underlay-udp-tnl-seg-off "$($L ethtool -k e0 | grep udp_tnl)"
every_family no-tnl-seg
underlay tx-udp_tnl-segmentation on tx-udp_tnl-csum-segmentation on

# --- no TSO and no GSO on the underlay: all segmentation in software ------
underlay tso off gso off && $L ethtool -k e0 | grep -q "^generic-segmentation-offload: off" &&
	pass underlay-tso-gso-off || fail underlay-tso-gso-off "$($L ethtool -k e0 | grep segmentation)"
every_family no-gso
underlay tso on gso on

# --- R forwards L's TCP on to T through its own mice0 ----------------------
# The veth hands R TSO packets still marked as UDP tunnel packets. Once
# decapsulated they must be plain TCP GSO packets: mice0 offers TSO but no
# UDP-tunnel segmentation, so a packet that kept the tunnel's GSO bits is
# cut into segments before mice0 sees it, one encapsulation each.
netns_create mo_t
ip link add e1 netns mo_r type veth peer name e0 netns mo_t
$R ip addr add 10.99.24.1/24 dev e1; $R ip link set e1 up
ip netns exec mo_t ip addr add 10.99.24.2/24 dev e0; ip netns exec mo_t ip link set e0 up
ip netns exec mo_t $MICE -j attach --addr 0.0.0.0 --port 4191 > "$T/t.a4" 2>&1 &
wait_until 10 grep -q attached "$T/t.a4" || fail attach-t "$(cat "$T/t.a4")"
ip netns exec mo_t sh -c "ip link add mice0 type mice && ip addr add 10.200.0.3/32 dev mice0 &&
	ip link set mice0 up && ip route add 10.200.0.1/32 dev mice0"
ip netns exec mo_t $MICE pair set 1 sock "$(sock_id "$T/t.a4")" remote 10.99.24.1 port 4191 \
	dev mice0 prefix 10.200.0.1/32 prefix 10.200.0.2/32
$R sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
	net.ipv4.conf.mice0.send_redirects=0
$R ip route add 10.200.0.3/32 dev mice0
$R $MICE pair set 1 sock "$(sock_id "$T/r.a4")" remote 10.99.21.1 port 4191
$R $MICE pair set 2 sock "$(sock_id "$T/r.a4")" remote 10.99.24.2 port 4191 dev mice0 \
	prefix 10.200.0.3/32
$L $MICE pair set 1 sock "$(sock_id "$T/l.a4")" remote 10.99.21.2 port 4191 \
	prefix 10.200.0.2/32 prefix fd00:200::2/128 prefix 10.200.0.3/32
$L ip route add 10.200.0.3/32 dev mice0
# R's packets toward T: the tx counter of its peer T (ACKs go to L).
to_t() { $R $MICE -j pair show | jq -r '.[] | select(.peer == 2) | .tx.packets'; }
out0=$(tcp_mib mo_l OutSegs) fw0=$(to_t)
xfer mo_l mo_t TCP4:10.200.0.3 5006 && pass relay-tcp-bytes-verified ||
	fail relay-tcp-bytes-verified "$(stat -c %s "$T/dst" 2>/dev/null || echo 0) of $SIZE octets arrived"
out=$(($(tcp_mib mo_l OutSegs) - out0)) fw=$(($(to_t) - fw0))
# Whole, R's mice0 gets far fewer packets than L's TCP segments; cut, as
# many.
[ $((fw * 2)) -lt "$out" ] && pass relay-forwards-gso-whole ||
	fail relay-forwards-gso-whole "R's mice0 sent $fw packets to T for $out segments"
echo "    relay: L sent $out segments, R's mice0 sent $fw packets to T"

# --- TCP into a data path with admission on, max_packet 1500 ---------------
# Back on the IPv4 outer path; the veth hands R TSO-sized packets, which the
# gate check sees before decapsulation.
for h in l r; do
	peer=$([ $h = l ] && echo 2 || echo 1)
	ip netns exec mo_$h $MICE pair set 1 sock "$(sock_id "$T/$h.a4")" remote 10.99.21.$peer port 4191
done
$R $MICE gate mode enforce --datapath on &&
	$R $MICE gate add 60 --proto tcp --src 10.200.0.1/32 --dst 10.200.0.2/32 --dport 5002 \
		--rate 100000000 --burst 4000000 --max-packet 1500 &&
	$R $MICE gate commit 60 --flow tcp,10.200.0.1,5003,10.200.0.2,5002 &&
	pass dp-tcp-gate-committed || fail dp-tcp-gate-committed
xfer mo_l mo_r TCP4:10.200.0.2 5002 5003 && pass dp-tcp-through-gate ||
	fail dp-tcp-through-gate "$(stat -c %s "$T/dst" 2>/dev/null || echo 0) of $SIZE octets arrived"
g=$($R $MICE -j gate show 60)
check_eq dp-tcp-no-size-drops 0 "$(jq -r '.[0].dropped.size.packets' <<< "$g")"
check_eq dp-tcp-no-rate-drops 0 "$(jq -r '.[0].dropped.rate.packets' <<< "$g")"
p=$(jq -r '.[0].packets' <<< "$g")
[ "${p:-0}" -ge $((SIZE / 1500)) ] && pass dp-gate-counts-segments ||
	fail dp-gate-counts-segments "$p packets for $SIZE octets"
echo "    $($R $MICE gate show 60)"
$R $MICE gate mode --datapath off

# --- a forwarding gateway with GRO on its policed interface ---------------
# client mo_c 10.99.22.2 -> gateway mo_g (policing gc, GRO on) -> mo_s 10.99.23.2
for n in mo_c mo_g mo_s; do netns_create $n; done
veth_pair mo_g gc mo_c c0 22
veth_pair mo_g gs mo_s s0 23
$C ip route add default via 10.99.22.1
ip netns exec mo_s ip route add default via 10.99.23.1
$G sysctl -qw net.ipv4.ip_forward=1
$G ethtool -K gc gro on >/dev/null 2>&1 && $G ethtool -k gc | grep -q "^generic-receive-offload: on" &&
	pass gateway-gro-on || fail gateway-gro-on "$($G ethtool -k gc | grep receive-offload)"
$G $MICE gate mode enforce --dev gc &&
	$G $MICE gate add 80 --proto tcp --src 10.99.22.2/32 --dst 10.99.23.2/32 --dport 5004 \
		--rate 100000000 --burst 4000000 --max-packet 1500 &&
	$G $MICE gate commit 80 --flow tcp,10.99.22.2,5005,10.99.23.2,5004 &&
	pass fwd-tcp-gate-committed || fail fwd-tcp-gate-committed
b0=$($G awk '$1 == "drop" && $2 == "data_policed" { print $3 }' /proc/net/mice/stats)
xfer mo_c mo_s TCP4:10.99.23.2 5004 5005 && pass fwd-tcp-through-gate ||
	fail fwd-tcp-through-gate "$(stat -c %s "$T/dst" 2>/dev/null || echo 0) of $SIZE octets arrived"
g=$($G $MICE -j gate show 80)
check_eq fwd-tcp-no-size-drops 0 "$(jq -r '.[0].dropped.size.packets' <<< "$g")"
check_eq fwd-tcp-no-rate-drops 0 "$(jq -r '.[0].dropped.rate.packets' <<< "$g")"
check_eq fwd-no-policed-drops-in-netns-stats "${b0:-0}" \
	"$($G awk '$1 == "drop" && $2 == "data_policed" { print $3 }' /proc/net/mice/stats)"
p=$(jq -r '.[0].packets' <<< "$g")
[ "${p:-0}" -ge $((SIZE / 1500)) ] && pass fwd-gate-counts-segments ||
	fail fwd-gate-counts-segments "$p packets for $SIZE octets"
echo "    $($G $MICE gate show 80)"
echo "    mice0 at the end: tx_errors $(devstat mo_l mice0 tx_errors)," \
	"tx_carrier_errors $(devstat mo_l mice0 tx_carrier_errors)"

summary
