#!/bin/bash
# Guest test: attaching the module to an agent socket and demultiplexing
# by seed 004 s.12. Runs inside the VM with kmod/mice.ko loaded.
#
# Namespaces: "a" runs the agent (10.99.1.1, fd99:1::1), "b" sends
# (10.99.1.2, fd99:1::2), over one veth pair.
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

MICE=./agent/mice
SEND=./build/tools/sendpkt
PROBE=./build/tools/nlprobe
T=$(mktemp -d)
A="ip netns exec mice_a"
B="ip netns exec mice_b"

setup() {
	ip netns add mice_a && ip netns add mice_b || return 1
	ip link add va netns mice_a type veth peer name vb netns mice_b
	$A ip link set lo up; $B ip link set lo up
	$A ip addr add 10.99.1.1/24 dev va
	$B ip addr add 10.99.1.2/24 dev vb
	$A ip addr add fd99:1::1/64 dev va nodad
	$B ip addr add fd99:1::2/64 dev vb nodad
	$A ip link set va up; $B ip link set vb up
}

teardown() {
	kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	ip netns del mice_a 2>/dev/null
	ip netns del mice_b 2>/dev/null
	rm -rf "$T"
}
trap teardown EXIT

# wait_for FILE PATTERN: up to 10 s for PATTERN to appear in FILE.
wait_for() {
	local i
	for i in $(seq 100); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# proc_count CLASS|REASON FIELD: a number from /proc/net/mice/stats in ns a.
proc_stat() {
	$A awk -v k="$1" -v n="$2" '$1" "$2 == k { print $n }' /proc/net/mice/stats
}

setup || { fail setup "cannot create namespaces"; summary; exit 1; }

# --- IPv4: every class, byte for byte -------------------------------------
$A $MICE -j monitor --timeout 30 > "$T/events" 2>"$T/monitor.err" &
mon=$!
sleep 0.5
$A $MICE -j attach --addr 10.99.1.1 --port 4191 --count 3 --timeout 20 \
	> "$T/agent" 2>"$T/agent.err" &
agent=$!
wait_for "$T/agent" '"attached"' || fail attach-v4 "no attached line: $(cat "$T/agent.err")"

# Dropped kinds first: once the agent has its 3 packets it closes the socket,
# and the veth delivers in order, so everything before was classified.
$B $SEND --to 10.99.1.1 --port 4191 --sport 5555 \
	ipv4 ipv6 garbage stun-nofp stun-badfp stun mh mh-ambiguous > "$T/sent"
wait $agent
rc=$?
[ $rc = 0 ] && pass agent-received-3 || fail agent-received-3 "agent rc $rc: $(cat "$T/agent.err")"

# The agent must see exactly STUN, MH and the ambiguous MH, unchanged.
expect=$(awk '$1 == "stun" || $1 == "mh" || $1 == "mh-ambiguous" { print $2 }' "$T/sent")
got=$(grep '"packet"' "$T/agent" | sed 's/.*"hex":"\([0-9a-f]*\)".*/\1/')
[ "$expect" = "$got" ] && pass delivered-byte-for-byte ||
	fail delivered-byte-for-byte "expected [$expect] got [$got]"
grep '"packet"' "$T/agent" | grep -q '"from":"10.99.1.2","port":5555' &&
	pass source-preserved || fail source-preserved "$(head -3 "$T/agent")"
# seed 004 s.12: the MH whose checksum and data equal the cookie is MIP
grep '"hex":"3b0305002112a442' "$T/agent" | grep -q '"class":"mip"' &&
	pass ambiguous-mh-is-mip || fail ambiguous-mh-is-mip "$(cat "$T/agent")"

# Exact counters, bytes computed from what was sent.
bytes() { awk -v k="$1" '$1 == k { print length($2) / 2 }' "$T/sent"; }
sum() { local s=0 k; for k; do s=$((s + $(bytes $k))); done; echo $s; }
check_eq() {	# NAME EXPECTED ACTUAL
	[ "$2" = "$3" ] && pass "$1" || fail "$1" "expected $2, got $3"
}
check_eq proc-rx-stun   "1 $(sum stun)" "$(proc_stat 'rx stun' 3) $(proc_stat 'rx stun' 4)"
check_eq proc-rx-mip    "2 $(sum mh mh-ambiguous)" "$(proc_stat 'rx mip' 3) $(proc_stat 'rx mip' 4)"
check_eq proc-rx-data   "2 $(sum ipv4 ipv6)" "$(proc_stat 'rx data' 3) $(proc_stat 'rx data' 4)"
check_eq proc-rx-invalid "3 $(sum garbage stun-nofp stun-badfp)" \
	"$(proc_stat 'rx invalid' 3) $(proc_stat 'rx invalid' 4)"
check_eq proc-drop-no-pair 2 "$(proc_stat 'drop data_no_pair' 3)"
check_eq proc-drop-unknown 1 "$(proc_stat 'drop unknown' 3)"
check_eq proc-drop-no-fingerprint 1 "$(proc_stat 'drop stun_no_fingerprint' 3)"
check_eq proc-drop-bad-fingerprint 1 "$(proc_stat 'drop stun_fingerprint' 3)"

# The same numbers over genetlink (mice show -j), not from /proc.
$A $MICE -j show stats > "$T/show"
js() { jq -r "$1" "$T/show"; }
check_eq show-rx-stun "1 $(sum stun)" "$(js '.stats.rx.stun.packets') $(js '.stats.rx.stun.bytes')"
check_eq show-rx-mip  "2 $(sum mh mh-ambiguous)" "$(js '.stats.rx.mip.packets') $(js '.stats.rx.mip.bytes')"
check_eq show-rx-data "2 $(sum ipv4 ipv6)" "$(js '.stats.rx.data.packets') $(js '.stats.rx.data.bytes')"
check_eq show-rx-invalid 3 "$(js '.stats.rx.invalid.packets')"
check_eq show-drop-no-pair 2 "$(js '.stats.drop.data_no_pair.packets')"
check_eq show-sockets-after-close 0 "$(js '.stats.sockets')"

# Events: attach, five rate-limited drops, detach because the agent closed.
sleep 0.5
kill $mon 2>/dev/null; wait $mon 2>/dev/null
check_eq event-attach 1 "$(grep -c '"event":"attach"' "$T/events")"
check_eq event-drops 5 "$(grep -c '"event":"drop"' "$T/events")"
grep '"event":"drop"' "$T/events" | grep -q '"reason":"stun_fingerprint","from":"10.99.1.2","port":5555' &&
	pass event-drop-fields || fail event-drop-fields "$(cat "$T/events")"
grep '"event":"detach"' "$T/events" | grep -q '"cause":"closed"' &&
	pass event-detach-closed || fail event-detach-closed "$(cat "$T/events")"

# --- IPv6 socket ----------------------------------------------------------
$A $MICE -j attach --addr fd99:1::1 --port 4192 --count 1 --timeout 20 \
	> "$T/agent6" 2>"$T/agent6.err" &
agent=$!
wait_for "$T/agent6" '"attached"' || fail attach-v6 "$(cat "$T/agent6.err")"
$A cat /proc/net/mice/sockets > "$T/sockets6"
grep -q '^[0-9]* inet6 fd99:1::1 4192 ' "$T/sockets6" && pass proc-sockets-v6 ||
	fail proc-sockets-v6 "$(cat "$T/sockets6")"
$B $SEND --to fd99:1::1 --port 4192 ipv4 garbage stun > "$T/sent6"
wait $agent && pass agent6-received || fail agent6-received "$(cat "$T/agent6.err")"
check_eq v6-delivered "$(awk '$1 == "stun" { print $2 }' "$T/sent6")" \
	"$(sed -n 's/.*"packet".*"hex":"\([0-9a-f]*\)".*/\1/p' "$T/agent6")"

# --- detach by command restores a plain UDP socket --------------------------
$A $MICE -j attach --addr 10.99.1.1 --port 4193 --count 1 --timeout 20 \
	> "$T/agent7" 2>"$T/agent7.err" &
agent=$!
wait_for "$T/agent7" '"attached"'
id=$(sed -n 's/.*"attached","id":\([0-9]*\).*/\1/p' "$T/agent7")
$A $MICE detach "$id" && pass detach-command || fail detach-command "id '$id'"
$B $SEND --to 10.99.1.1 --port 4193 ipv4 > /dev/null
wait $agent && grep -q '"class":"data"' "$T/agent7" && pass detached-socket-is-plain ||
	fail detached-socket-is-plain "$(cat "$T/agent7" "$T/agent7.err")"

# --- errors -----------------------------------------------------------------
$A setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	$MICE attach --port 5000 --timeout 1 2>"$T/eperm"
rc=$?
[ $rc = 4 ] && grep -q "permission denied" "$T/eperm" && pass attach-eperm ||
	fail attach-eperm "rc $rc: $(cat "$T/eperm")"
$A $MICE attach --port 70000 2>"$T/badport"
rc=$?
[ $rc = 2 ] && grep -q -- "--port" "$T/badport" && pass bad-argument-named ||
	fail bad-argument-named "rc $rc: $(cat "$T/badport")"
$A $MICE attach --port 4194 --timeout 5 >"$T/holder" 2>&1 &
holder=$!
wait_for "$T/holder" "attached"
$A $MICE attach --port 4194 --timeout 1 2>"$T/inuse"
rc=$?
kill $holder; wait $holder	# attach-limit below counts from zero
[ $rc = 1 ] && grep -q "already in use" "$T/inuse" && pass port-in-use ||
	fail port-in-use "rc $rc: $(cat "$T/inuse" "$T/holder")"
for c in attach-no-sock attach-empty-nest attach-fd-u16 attach-unknown-attr \
	 attach-sock-not-nested attach-tcp attach-v6-dual-stack attach-not-socket \
	 attach-bad-fd attach-twice attach-limit detach-id-zero detach-unknown-id \
	 stats-with-attr unknown-command; do
	out=$($A $PROBE $c 2>&1) && pass "netlink-$c" || fail "netlink-$c" "$out"
done

summary
