#!/bin/bash
# Guest test: the kernel data path. Two hosts L and R on a shared segment,
# each with an agent socket attached and a mice0 device; pairs installed
# by hand (what the daemon does after nomination, seed 004 s.8). Then:
# ping and a TCP transfer across the tunnel, exact counters, IPv6-in-IPv4,
# an atomic pair replacement to an IPv6 outer path (IPv4-in-IPv6),
# injection from a non-validated source and a wrong inner source, MTU,
# killing the agent, deleting the device and unloading, all under traffic.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

MICE=$(pwd)/agent/mice
SEND=$(pwd)/build/tools/sendpkt
T=$(mktemp -d)
L="ip netns exec mice_l"
R="ip netns exec mice_r"
X="ip netns exec mice_x"

teardown() {
	kill -9 $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	for ns in mice_l mice_r mice_x; do ip netns del $ns 2>/dev/null; done
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
check_eq() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "expected '$2', got '$3'"; }
sock_id() { sed -n 's/.*"attached","id":\([0-9]*\).*/\1/p' "$1"; }
pair_field() {	# NS PEER JQ-PATH
	ip netns exec "$1" $MICE -j pair show | jq -r ".[] | select(.peer == $2) | $3"
}

# A bridge joins the three hosts' veths: L 10.99.4.1, R .2, attacker X .3.
ip link add mice_br type bridge && ip link set mice_br up
for h in l r x; do
	ip netns add mice_$h
	ip link add v$h type veth peer name eth0 netns mice_$h
	ip link set v$h master mice_br up
	ip netns exec mice_$h ip link set lo up
	ip netns exec mice_$h ip link set eth0 up
done
on_cleanup ip link del mice_br
$L ip addr add 10.99.4.1/24 dev eth0; $R ip addr add 10.99.4.2/24 dev eth0
$X ip addr add 10.99.4.3/24 dev eth0
$L ip addr add fd99:4::1/64 dev eth0 nodad; $R ip addr add fd99:4::2/64 dev eth0 nodad

# Agent sockets: IPv4 port 4191 and IPv6 port 4192 on each host.
agents=
for h in l r; do
	ip netns exec mice_$h $MICE -j attach --addr 0.0.0.0 --port 4191 > "$T/$h.a4" 2>&1 &
	agents="$agents $!"
	ip netns exec mice_$h $MICE -j attach --addr :: --port 4192 > "$T/$h.a6" 2>&1 &
	agents="$agents $!"
done
for f in l.a4 l.a6 r.a4 r.a6; do
	wait_for "$T/$f" attached || fail "attach-$f" "$(cat "$T/$f")"
done
agent_l4=$($L pgrep -f "attach --addr 0.0.0.0 --port 4191" | head -1)

# Tunnel devices with inner addresses 10.200.0.{1,2} and fd00:200::{1,2}.
for h in l r; do
	n=$([ $h = l ] && echo 1 || echo 2) o=$([ $h = l ] && echo 2 || echo 1)
	ns="ip netns exec mice_$h"
	$ns ip link add mice0 type mice || fail create-device "ip link add type mice"
	$ns ip addr add 10.200.0.$n/32 dev mice0
	$ns ip -6 addr add fd00:200::$n/128 dev mice0 nodad
	$ns ip link set mice0 up
	$ns ip route add 10.200.0.$o/32 dev mice0
	$ns ip -6 route add fd00:200::$o/128 dev mice0
done
$L ip -d link show mice0 | grep -q "mice" && pass device-created || fail device-created "$($L ip -d link show mice0)"

$L $MICE -j monitor > "$T/events" 2>&1 &
sleep 0.3

# Before any pair: the tunnel drops (no peer), encapsulated data is refused.
$L ping -c 1 -W 1 10.200.0.2 >/dev/null 2>&1 && fail no-pair-no-path "ping worked" || pass no-pair-no-path

$L $MICE pair set 1 sock "$(sock_id "$T/l.a4")" remote 10.99.4.2 port 4191 dev mice0 \
	prefix 10.200.0.2/32 prefix fd00:200::2/128 && pass pair-set-l || fail pair-set-l
$R $MICE pair set 1 sock "$(sock_id "$T/r.a4")" remote 10.99.4.1 port 4191 dev mice0 \
	prefix 10.200.0.1/32 prefix fd00:200::1/128 && pass pair-set-r || fail pair-set-r

# --- ping with exact counters ------------------------------------------------
$L ping -c 5 -i 0.2 -W 2 10.200.0.2 > "$T/ping" 2>&1 && pass ping-v4-over-tunnel ||
	fail ping-v4-over-tunnel "$(tail -3 "$T/ping")"
check_eq r-rx-packets 5 "$(pair_field mice_r 1 .rx.packets)"
check_eq r-rx-bytes 420 "$(pair_field mice_r 1 .rx.bytes)"	# 5 x 84
check_eq r-tx-packets 5 "$(pair_field mice_r 1 .tx.packets)"
check_eq l-rx-packets 5 "$(pair_field mice_l 1 .rx.packets)"
check_eq proc-pairs-agrees 5 "$($R awk '$1 == 1 { print $6 }' /proc/net/mice/pairs)"
check_eq r-dev-rx-packets 5 "$($R cat /sys/class/net/mice0/statistics/rx_packets)"
$R awk '$1 == 1' /proc/net/mice/pairs | grep -q "10.99.4.1 4191" && pass proc-pairs-remote ||
	fail proc-pairs-remote "$($R cat /proc/net/mice/pairs)"
check_eq event-pair-up 1 "$(grep -c '"event":"pair-up"' "$T/events")"

# --- IPv6 inner over the IPv4 outer path --------------------------------------
$L ping -6 -c 3 -i 0.2 -W 2 fd00:200::2 > "$T/ping6" 2>&1 && pass ping-v6-in-v4 ||
	fail ping-v6-in-v4 "$(tail -3 "$T/ping6")"

# --- TCP transfer, every byte checked -----------------------------------------
head -c 3000000 /dev/urandom > "$T/src"
$R timeout 60 socat -u TCP-LISTEN:5001,reuseaddr OPEN:"$T/dst",creat,trunc &
srv=$!
for _ in $(seq 100); do $R ss -ltn | grep -q ':5001 ' && break; sleep 0.1; done
$L timeout 60 socat -u OPEN:"$T/src" TCP:10.200.0.2:5001 && wait $srv
check_eq tcp-bytes-verified "$(sha256sum < "$T/src")" "$(sha256sum < "$T/dst" 2>/dev/null)"

# --- large packets: fragments without DF, the right error with DF -------------
$L ping -c 2 -i 0.2 -W 2 -s 3000 10.200.0.2 > /dev/null 2>&1 && pass large-ping-fragmented ||
	fail large-ping-fragmented
$L ping -c 1 -W 2 -M do -s 1500 10.200.0.2 > "$T/mtu" 2>&1
grep -qi "too long\|mtu" "$T/mtu" && pass df-over-mtu-refused || fail df-over-mtu-refused "$(cat "$T/mtu")"
$L ping -c 1 -W 2 -M do -s 1400 10.200.0.2 > /dev/null 2>&1 && pass df-under-mtu-passes ||
	fail df-under-mtu-passes

# --- injection (seed 004 s.14) -------------------------------------------------
before=$($L awk '$1 == "drop" && $2 == "data_no_pair" { print $3 }' /proc/net/mice/stats)
$X $SEND --to 10.99.4.1 --port 4191 --count 10 --quiet ipv4 ipv6
after=$($L awk '$1 == "drop" && $2 == "data_no_pair" { print $3 }' /proc/net/mice/stats)
check_eq injection-unknown-source-dropped 20 "$((after - before))"
# A validated pair whose peer owns 10.201.0.0/24 must not accept 10.0.0.1.
$L $MICE pair set 2 sock "$(sock_id "$T/l.a4")" remote 10.99.4.3 port 5555 dev mice0 \
	prefix 10.201.0.0/24
$X $SEND --to 10.99.4.1 --port 4191 --sport 5555 --count 7 --quiet ipv4
check_eq injection-inner-source-dropped 7 \
	"$($L awk '$1 == "drop" && $2 == "data_inner_source" { print $3 }' /proc/net/mice/stats)"
$L $MICE pair del 2 && pass pair-del || fail pair-del

# --- atomic replacement onto an IPv6 outer path (IPv4-in-IPv6) -----------------
$L ping -i 0.05 -w 3 -W 1 10.200.0.2 > "$T/pingrep" 2>&1 &
pinger=$!
sleep 1
t0=$(date +%s%N)
$L $MICE pair set 1 sock "$(sock_id "$T/l.a6")" remote fd99:4::2 port 4192 && pass replace-l ||
	fail replace-l
$R $MICE pair set 1 sock "$(sock_id "$T/r.a6")" remote fd99:4::1 port 4192 && pass replace-r ||
	fail replace-r
t1=$(date +%s%N)
wait $pinger
# The old pair keeps receiving for a grace time (make before break), so
# only echo requests sent while L already used the new path and R did not
# yet know it can be lost: at most the pings of the t0..t1 window, +1.
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$T/pingrep")
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$T/pingrep")
window=$(( (t1 - t0) / 50000000 + 1 ))
echo "    replacement: sent ${sent:-?} received ${got:-?}; switch window $(( (t1 - t0) / 1000000 )) ms = $window pings"
[ -n "$sent" ] && [ -n "$got" ] && [ $((sent - got)) -le "$window" ] &&
	pass ping-survives-replacement ||
	fail ping-survives-replacement "lost $((${sent:-0} - ${got:-0})) > window $window"
check_eq replaced-remote "fd99:4::2" "$(pair_field mice_l 1 .remote)"
$L ping -c 3 -i 0.2 -W 2 10.200.0.2 >/dev/null 2>&1 && pass ping-v4-in-v6 || fail ping-v4-in-v6
grep -q '"event":"pair-replaced"' "$T/events" && pass event-pair-replaced ||
	fail event-pair-replaced "$(cat "$T/events")"

# --- the agent killed under traffic: the path goes, the peer stays ------------
$L $MICE pair set 1 sock "$(sock_id "$T/l.a4")" remote 10.99.4.2 port 4191
$L ping -f -w 3 10.200.0.2 >/dev/null 2>&1 &
sleep 1
kill -9 "$agent_l4"
sleep 0.5
check_eq pair-path-flushed-on-agent-death null "$(pair_field mice_l 1 .remote)"
check_eq peer-kept 1 "$(pair_field mice_l 1 .peer)"
grep '"event":"pair-down"' "$T/events" | grep -q '"cause":"socket"' && pass event-pair-down-socket ||
	fail event-pair-down-socket "$(cat "$T/events")"

# --- device deleted under traffic ---------------------------------------------
$R ping -f -w 3 10.200.0.1 >/dev/null 2>&1 &
sleep 0.5
$R ip link del mice0 && pass device-del-under-traffic || fail device-del-under-traffic
check_eq peers-gone-with-device 0 "$($R $MICE -j pair show | jq length)"

# --- rmmod with a device, peers and traffic (sockets: refused) ----------------
$L ping -f -w 5 10.200.0.2 >/dev/null 2>&1 &
$X $SEND --to 10.99.4.1 --port 4192 --count 1000000 --quiet ipv4 >/dev/null 2>&1 &
sleep 1
# Attached sockets pin the module: refused until the agents close them.
! rmmod mice 2>/dev/null && pass rmmod-refused-with-sockets ||
	fail rmmod-refused-with-sockets "rmmod succeeded with sockets attached"
kill $agents 2>/dev/null; wait $agents 2>/dev/null
rmmod mice && pass rmmod-with-device-and-traffic || fail rmmod-with-device-and-traffic
$L ip link show mice0 >/dev/null 2>&1 && fail device-gone-after-rmmod || pass device-gone-after-rmmod

summary
