#!/bin/bash
# Guest test: media admission gates (seed 001 s.6.2, RFC 3313;
# docs/gates.md). Topology: client ns -> gateway ns (forwarding, mice
# polices FORWARD on its client-side interface) -> server ns.
#   - no gate: the UDP media flow is dropped (enforce) and counted;
#   - a gate committed by the CLI with the 5-tuple, and one committed by a
#     self-verifying token (mice token mint + mice gate key set): the flow
#     passes and the receiver measures the envelope (+-5%) while the sender
#     sends twice as fast;
#   - expired, forged and wrong-flow tokens are refused with their errno
#     and extack message; closing a gate stops the flow at once; idle and
#     lifetime timers close gates; the gate limit gives ENOSPC; changes
#     need CAP_NET_ADMIN; monitor mode counts and passes; IPv6;
#   - 50 000 gates list exactly once through /proc (also in 300-byte reads)
#     and through a GATE_GET dump;
#   - rmmod with gates, traffic and a half-read /proc/net/mice/gates (the
#     harness checks dmesg).
set -u
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh
require_vm

MICE=${MICE_AGENT:-$(pwd)/agent/mice}
FLOW=$(pwd)/build/tools/flowgen
PROBE=$(pwd)/build/tools/gateprobe
T=$(mktemp -d)
C="ip netns exec mg_c"
G="ip netns exec mg_g"
S="ip netns exec mg_s"

teardown() {
	kill -9 $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	for n in mg_c mg_g mg_s mg_l mg_r mg_x; do ip netns del $n 2>/dev/null; done
	rm -rf "$T"
}
trap teardown EXIT

check_eq() { [ "$2" = "$3" ] && pass "$1" || fail "$1" "expected '$2', got '$3'"; }
# within NAME MEASURED TARGET PERCENT
within() {
	if awk -v m="$2" -v t="$3" -v p="$4" 'BEGIN { d = m - t; if (d < 0) d = -d; exit !(d <= t * p / 100) }'; then
		pass "$1"
		echo "    $1: measured $2, envelope $3"
	else
		fail "$1" "measured $2, envelope $3 (+-$4%)"
	fi
}
stat_drop() { $G awk -v r="$1" '$1 == "drop" && $2 == r { print $3 }' /proc/net/mice/stats; }
gate_json() { $G $MICE -j gate show "$1" 2>/dev/null | jq -r ".[0] | $2"; }
# expect_fail NAME EXIT-CODE PATTERN CMD...: CMD fails with EXIT-CODE and
# its stderr matches PATTERN (errno text and the kernel's extack message).
expect_fail() {
	local name=$1 code=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq "$code" ] && printf '%s' "$out" | grep -q -- "$pat"; then
		pass "$name"
		echo "    $name: $out"
	else
		fail "$name" "exit $rc (want $code), output: $out"
	fi
}
# measure NAME SPORT DPORT SEND-RATE SECONDS: runs a flow, prints the rate
# the server measured after a 1 s warmup.
measure() {
	local sport=$1 dport=$2 rate=$3 secs=$4
	$S timeout $((secs + 25)) $FLOW recv --port "$dport" --seconds "$secs" --warmup 1 \
		> "$T/recv.$dport" 2>&1 &
	local rpid=$!
	sleep 0.3
	$C timeout $((secs + 20)) $FLOW send --to 10.2.0.2 --port "$dport" --sport "$sport" \
		--size 472 --rate "$rate" --seconds $((secs + 2)) > "$T/send.$dport" 2>&1
	wait $rpid
	sed -n 's/.* rate \([0-9]*\).*/\1/p' "$T/recv.$dport"
}

# --- topology -------------------------------------------------------------
for n in mg_c mg_g mg_s; do
	ip netns add $n && ip -n $n link set lo up
done
ip link add c0 netns mg_c type veth peer name gc netns mg_g
ip link add s0 netns mg_s type veth peer name gs netns mg_g
$C ip addr add 10.1.0.2/24 dev c0; $C ip -6 addr add fd01::2/64 dev c0 nodad
$G ip addr add 10.1.0.1/24 dev gc; $G ip -6 addr add fd01::1/64 dev gc nodad
$G ip addr add 10.2.0.1/24 dev gs; $G ip -6 addr add fd02::1/64 dev gs nodad
$S ip addr add 10.2.0.2/24 dev s0; $S ip -6 addr add fd02::2/64 dev s0 nodad
for x in "$C ip link set c0 up" "$G ip link set gc up" "$G ip link set gs up" "$S ip link set s0 up"; do
	$x
done
$C ip route add default via 10.1.0.1; $C ip -6 route add default via fd01::1
$S ip route add default via 10.2.0.1; $S ip -6 route add default via fd02::1
$G sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ns_ping mg_c 10.2.0.2 && pass forwarding-before-policing || fail forwarding-before-policing

# Gate events, seen from the gateway's namespace.
$G $MICE -j gate monitor > "$T/events" 2>&1 &
sleep 0.3

# --- enforce on the client-side interface: no gate, no media ---------------
$G $MICE gate mode enforce --dev gc && pass mode-enforce || fail mode-enforce
$G grep -q "^mode enforce .*interfaces [0-9]*:up" /proc/net/mice/gates && pass proc-mode ||
	fail proc-mode "$($G head -1 /proc/net/mice/gates)"
before=$(stat_drop data_no_gate)
r=$(measure 5004 6000 100000 2)
check_eq no-gate-flow-dropped 0 "$r"
dropped=$(( $(stat_drop data_no_gate) - before ))
sent=$(awk '{ print $2 }' "$T/send.6000")
[ "$dropped" -ge "$sent" ] && [ "$sent" -gt 100 ] && pass no-gate-drops-counted ||
	fail no-gate-drops-counted "sent $sent, counted $dropped"
ns_ping mg_c 10.2.0.2 && fail icmp-needs-a-gate "ping passed" || pass icmp-needs-a-gate
grep -q '"event":"gate-denied".*"reason":"data_no_gate".*"flow":"udp,10.1.0.2,5004,10.2.0.2,6000"' "$T/events" &&
	pass event-denied || fail event-denied "$(head -3 "$T/events")"
# 16 per second at most: the flow and the ping lasted about 7 s.
denied=$(grep -c gate-denied "$T/events")
[ "$denied" -le 128 ] && [ "$denied" -lt "$sent" ] && pass denied-events-rate-limited || fail denied-events-rate-limited "$denied events"

# --- a gate committed by the operator with the 5-tuple ---------------------
# --idle 0: the cases below take minutes on a loaded TCG guest, longer than
# the default idle timeout, and gate-del needs the gate still there
$G $MICE gate add 1 --proto udp --src 10.1.0.2/32 --dst 10.2.0.2/32 --dport 6000 \
	--rate 50000 --burst 3000 --idle 0 && pass gate-add || fail gate-add
check_eq gate-authorized authorized "$(gate_json 1 .state)"
expect_fail commit-wrong-flow 1 "Cannot assign requested address: flow is outside the gate's classifier" \
	$G $MICE gate commit 1 --flow udp,10.1.0.9,5004,10.2.0.2,6000
$G $MICE gate commit 1 --flow udp,10.1.0.2,5004,10.2.0.2,6000 && pass gate-commit || fail gate-commit
check_eq gate-committed committed "$(gate_json 1 .state)"
expect_fail commit-twice 1 "already committed" \
	$G $MICE gate commit 1 --flow udp,10.1.0.2,5004,10.2.0.2,6000
grep -q '"event":"gate-committed","id":1' "$T/events" && pass event-committed ||
	fail event-committed "$(grep -v denied "$T/events")"
r=$(measure 5004 6000 100000 4)
within cli-gate-rate-at-2x "${r:-0}" 50000 5
[ "$(gate_json 1 .dropped.rate.packets)" -gt 0 ] && pass policed-drops-counted ||
	fail policed-drops-counted "$($G $MICE gate show 1)"
[ "$(stat_drop data_policed)" -gt 0 ] && pass policed-in-netns-stats || fail policed-in-netns-stats
$G awk '$1 == 1 && $2 == "committed"' /proc/net/mice/gates | grep -q "10.1.0.2:5004>10.2.0.2:6000" &&
	pass proc-gates-flow || fail proc-gates-flow "$($G cat /proc/net/mice/gates)"
# A committed gate keeps its classifier's prefixes only as the flow's
# addresses cut to the prefix lengths (kmod/gate.h): show must give back
# exactly the prefixes it was added with, on and off byte boundaries.
cls_json() { gate_json "$1" '"\(.src) \(.dst) \(.sport) \(.dport)"'; }
$G $MICE gate add 3 --proto udp --src 10.1.0.0/20 --dst 10.2.0.0/23 --sport 5000-5999 \
	--dport 6100-6199 --rate 50000 --burst 3000 &&
	$G $MICE gate add 4 --proto udp --src fd01::/61 --dst fd02::/64 --rate 50000 --burst 3000 &&
	before3=$(cls_json 3) && before4=$(cls_json 4) &&
	$G $MICE gate commit 3 --flow udp,10.1.15.254,5999,10.2.1.255,6100 &&
	$G $MICE gate commit 4 --flow udp,fd01::7:ffff:1,5004,fd02::2,6000 &&
	[ "$(gate_json 3 .state) $(gate_json 4 .state)" = "committed committed" ] &&
	[ "$before3" = "10.1.0.0/20 10.2.0.0/23 5000-5999 6100-6199" ] &&
	[ "$(cls_json 3)" = "$before3" ] && [ "$(cls_json 4)" = "$before4" ] &&
	$G awk '$1 == 4' /proc/net/mice/gates | grep -q " fd01::/61 fd02::/64 " &&
	pass committed-keeps-classifier ||
	fail committed-keeps-classifier "3: $before3 -> $(cls_json 3); 4: $before4 -> $(cls_json 4)"
$G $MICE gate del 3; $G $MICE gate del 4
# Another source port is another flow: no gate.
r=$(measure 5099 6000 100000 1)
check_eq other-sport-not-admitted 0 "$r"

# --- self-verifying tokens ------------------------------------------------------
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/key")
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/otherkey")
CLS="--proto udp --src 10.1.0.2/32 --dst 10.2.0.2/32 --dport 6002"
mint() { $MICE token mint --key-file "$1" --gate-id "$2" $3 $CLS --rate 40000 --burst 3000; }
tok=$(mint "$T/key" 10 "--expires 300")
expect_fail token-without-key 1 "no token key" \
	$G $MICE gate commit --token "$tok" $CLS --flow udp,10.1.0.2,5006,10.2.0.2,6002
$G $MICE gate key set --key-file "$T/key" && pass key-set || fail key-set
# Forged: one hex digit of the tag flipped.
last=${tok: -1}; flip=$([ "$last" = 0 ] && echo 1 || echo 0)
expect_fail token-forged 1 "Key was rejected by service: token tag mismatch" \
	$G $MICE gate commit --token "${tok%?}$flip" $CLS --flow udp,10.1.0.2,5006,10.2.0.2,6002
expect_fail token-wrong-key 1 "token tag mismatch" \
	$G $MICE gate commit --token "$(mint "$T/otherkey" 10 "--expires 300")" $CLS \
	--flow udp,10.1.0.2,5006,10.2.0.2,6002
expect_fail token-expired 1 "Key has expired: token expired" \
	$G $MICE gate commit --token "$(mint "$T/key" 10 "--expires-at $(($(date +%s) - 5))")" \
	$CLS --flow udp,10.1.0.2,5006,10.2.0.2,6002
expect_fail token-wrong-flow 1 "Cannot assign requested address: flow is outside the gate's classifier" \
	$G $MICE gate commit --token "$tok" $CLS --flow udp,10.1.0.2,5006,10.2.0.2,6003
expect_fail token-other-classifier 1 "classifier does not match the token" \
	$G $MICE gate commit --token "$tok" --proto udp --src 10.1.0.0/24 --dst 10.2.0.2/32 \
	--dport 6002 --flow udp,10.1.0.2,5006,10.2.0.2,6002
check_eq refused-tokens-leave-no-gate 0 "$($G $MICE -j gate show | jq '[.[] | select(.id == 10)] | length')"
$G $MICE gate commit --token "$tok" $CLS --flow udp,10.1.0.2,5006,10.2.0.2,6002 &&
	pass token-commit || fail token-commit
check_eq token-gate-verified true "$(gate_json 10 .verified)"
check_eq token-envelope 40000 "$(gate_json 10 .rate)"
expect_fail token-replay 1 "token already used (replay)" \
	$G $MICE gate commit --token "$tok" $CLS --flow udp,10.1.0.2,5007,10.2.0.2,6002
r=$(measure 5006 6002 80000 4)
within token-gate-rate-at-2x "${r:-0}" 40000 5
# Replay cache: the same token cannot commit again, even once its gate is
# gone, until it expires.
$G $MICE gate del 10
expect_fail token-replay-after-close 1 "token already used (replay)" \
	$G $MICE gate commit --token "$tok" $CLS --flow udp,10.1.0.2,5006,10.2.0.2,6002
$G $MICE gate commit --token "$(mint "$T/key" 10 "--expires 300")" $CLS \
	--flow udp,10.1.0.2,5006,10.2.0.2,6002 && pass fresh-token-same-gate-id ||
	fail fresh-token-same-gate-id
# A gate added first, committed later by a token naming it.
$G $MICE gate add 11 $CLS --rate 1 --burst 1 && \
	$G $MICE gate commit 11 --token "$(mint "$T/key" 11 "--expires 300")" \
	--flow udp,10.1.0.2,5008,10.2.0.2,6002 && pass token-commits-added-gate ||
	fail token-commits-added-gate
check_eq token-envelope-replaces 40000 "$(gate_json 11 .rate)"
expect_fail token-for-other-id 1 "another gate ID" \
	$G $MICE gate commit 12 --token "$(mint "$T/key" 13 "--expires 300")" \
	$CLS --flow udp,10.1.0.2,5009,10.2.0.2,6002

# --- an opaque token stored with the gate (RFC 3313 style) --------------------
$G $MICE gate add 20 --proto udp --dport 6004 --token 00c0ffee --rate 10000 --burst 2000
expect_fail opaque-token-wrong 1 "token does not match the gate's" \
	$G $MICE gate commit 20 --token 00c0fffe --flow udp,10.1.0.2,5010,10.2.0.2,6004
$G $MICE gate commit 20 --token 00C0FFEE --flow udp,10.1.0.2,5010,10.2.0.2,6004 2>/dev/null &&
	fail opaque-token-exact "case-changed token accepted" || pass opaque-token-exact
$G $MICE gate commit 20 --token 00c0ffee --flow udp,10.1.0.2,5010,10.2.0.2,6004 &&
	pass opaque-token-commit || fail opaque-token-commit

# --- closing a gate stops the flow at once -----------------------------------
$S timeout 30 $FLOW recv --port 6000 --seconds 2 --warmup 2 > "$T/recv.close" 2>&1 &
rpid=$!
sleep 0.3
$C timeout 30 $FLOW send --to 10.2.0.2 --port 6000 --sport 5004 --size 472 \
	--rate 40000 --seconds 5 > /dev/null 2>&1 &
spid=$!
sleep 1
$G $MICE gate del 1 && pass gate-del || fail gate-del
wait $rpid
after=$(sed -n 's/.* rate \([0-9]*\).*/\1/p' "$T/recv.close")
before=$(awk '{ print $2 }' "$T/recv.close")
[ "${after:-1}" = 0 ] && [ "${before:-0}" -gt 10 ] && pass close-stops-flow ||
	fail close-stops-flow "$(cat "$T/recv.close")"
grep -q '"event":"gate-closed","id":1.*"cause":"command"' "$T/events" && pass event-closed ||
	fail event-closed
expect_fail del-unknown 1 "No such file or directory: no gate with this ID" $G $MICE gate del 1
wait $spid

# --- timers --------------------------------------------------------------------
$G $MICE gate add 30 --proto udp --dport 6010 --rate 10000 --burst 2000 --idle 2
$G $MICE gate commit 30 --flow udp,10.1.0.2,5010,10.2.0.2,6010
$G $MICE gate add 31 --proto udp --dport 6011 --rate 10000 --burst 2000 --lifetime 1
wait_until 6 sh -c "! $G $MICE gate show 30 >/dev/null 2>&1" && pass idle-timeout-closes ||
	fail idle-timeout-closes "$($G $MICE gate show 30 2>&1)"
wait_until 4 sh -c "! $G $MICE gate show 31 >/dev/null 2>&1" && pass lifetime-expires ||
	fail lifetime-expires
sleep 0.3
grep -q '"event":"gate-closed","id":30.*"cause":"idle"' "$T/events" && pass event-idle ||
	fail event-idle
grep -q '"event":"gate-expired","id":31' "$T/events" && pass event-expired || fail event-expired

# --- limits and permissions -------------------------------------------------
n=$($G $MICE -j gate show | jq length)
$G $MICE gate mode --max-gates $((n + 2))
$G $MICE gate add 40 --rate 1 --burst 1 && $G $MICE gate add 41 --rate 1 --burst 1 &&
	pass gates-up-to-limit || fail gates-up-to-limit
expect_fail gate-limit 1 "No space left on device: gate table full" \
	$G $MICE gate add 42 --rate 1 --burst 1
$G $MICE gate mode --max-gates 1024
$G $MICE gate add 42 --rate 1 --burst 1 && pass limit-raised || fail limit-raised
expect_fail gate-id-exists 1 "File exists: a gate with this ID exists" $G $MICE gate add 42 --rate 1 --burst 1
expect_fail maxp-over-burst 1 "max packet exceeds the burst" \
	$G $MICE gate add 43 --rate 1 --burst 10 --max-packet 11
if command -v setpriv >/dev/null; then
	UNPRIV="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
	expect_fail eperm-add 4 "permission denied" $G $UNPRIV $MICE gate add 50 --rate 1 --burst 1
	expect_fail eperm-del 4 "permission denied" $G $UNPRIV $MICE gate del 42
	expect_fail eperm-commit 4 "permission denied" $G $UNPRIV $MICE gate commit 40 \
		--flow udp,10.1.0.2,1,10.2.0.2,1
	expect_fail eperm-key 4 "permission denied" $G $UNPRIV $MICE gate key set --key-file - < "$T/key"
	expect_fail eperm-mode 4 "permission denied" $G $UNPRIV $MICE gate mode monitor
	# State is for the administrator too (docs/netlink.md).
	expect_fail eperm-read 4 "permission denied" $G $UNPRIV $MICE gate show 42
else
	skip eperm "no setpriv"
fi

# --- listing many gates ------------------------------------------------------
# /proc and GATE_GET dumps resume their walk of the GateID table where the
# last read stopped (kmod/gate.c, kmod/gate_nl.c): every gate exactly once,
# also through 300-byte reads.
ip netns add mg_many
MANY="ip netns exec mg_many"
NMANY=50000
$MANY $MICE gate mode --max-gates $NMANY &&
	$MANY ./build/tools/gatebatch add --count $NMANY --first-id 1000 > "$T/many" 2>&1 ||
	fail many-gates-added "$(cat "$T/many")"
$MANY cat /proc/net/mice/gates > "$T/many.proc"
$MANY dd if=/proc/net/mice/gates bs=300 status=none > "$T/many.small"
ids() { awk 'NR > 2 { print $1 }' "$1" | sort -n | uniq | wc -l; }
[ "$(wc -l < "$T/many.proc")" = $((NMANY + 2)) ] && [ "$(ids "$T/many.proc")" = $NMANY ] &&
	[ "$(ids "$T/many.small")" = $NMANY ] && [ "$(wc -l < "$T/many.small")" = $((NMANY + 2)) ] &&
	pass proc-lists-every-gate-once ||
	fail proc-lists-every-gate-once "$(wc -l < "$T/many.proc") lines, $(ids "$T/many.proc") ids; small reads: $(wc -l < "$T/many.small") lines"
$MANY $MICE -j gate show > "$T/many.json"
[ "$(jq length "$T/many.json")" = $NMANY ] &&
	[ "$(jq '[.[].id] | unique | length' "$T/many.json")" = $NMANY ] &&
	pass dump-lists-every-gate-once ||
	fail dump-lists-every-gate-once "$(jq length "$T/many.json") gates, $(jq '[.[].id] | unique | length' "$T/many.json") ids"
ip netns del mg_many

# --- strict per-command policies, each rejection with an extack message ------
for c in del-with-rate add-id-zero add-no-burst add-host-bits add-port-range \
	add-token-not-hex add-token-too-long commit-mixed-family commit-flow-dir \
	commit-not-nested key-short key-del-with-attr mode-bad-dir mode-no-such-if \
	mode-max-gates-zero mode-if-twice; do
	vm_test "policy-$c" $G $PROBE "$c"
	$G $PROBE "$c" | sed 's/^/    /'
done

# --- the token key derived from a group key the operator sets ------------------
# (policy point and gateways share the group key; agent/groupkey.c)
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/group")
$G $MICE gate key set --group-key-file "$T/group" && pass group-key-set || fail group-key-set
gtok=$($MICE token mint --group-key-file "$T/group" --gate-id 70 --expires 300 $CLS --rate 40000 --burst 3000)
expect_fail token-under-raw-group-key 1 "token tag mismatch" \
	$G $MICE gate commit --token "$($MICE token mint --key-file "$T/group" --gate-id 71 --expires 300 \
	$CLS --rate 40000 --burst 3000)" $CLS --flow udp,10.1.0.2,5008,10.2.0.2,6002
$G $MICE gate commit --token "$gtok" $CLS --flow udp,10.1.0.2,5009,10.2.0.2,6002 &&
	pass group-key-token-commits || fail group-key-token-commits
$G $MICE gate key set --key-file "$T/key"

# --- token presentation over STUN (seed 001 s.5.2, s.6; docs/gates.md) --------
# The user agent sends its token on the very flow it wants admitted: a STUN
# Binding request from its media port to the gateway's port. The gateway
# agent commits the gate to that flow in the kernel, or answers why not.
$G $MICE gate serve --addr 10.1.0.1 --port 4300 --timeout 60 > "$T/serve" 2>&1 &
wait_until 5 grep -q serving "$T/serve"
PCLS="--proto udp --src 10.1.0.2/32 --dst 10.2.0.2/32 --dport 6040"
$G $MICE gate add 80 $PCLS --rate 40000 --burst 3000
ptok=$($MICE token mint --key-file "$T/key" --gate-id 80 --expires 300 $PCLS --rate 40000 --burst 3000)
expect_fail present-expired 1 "refused: 403 .*expired" \
	$C $MICE gate present --token "$($MICE token mint --key-file "$T/key" --gate-id 80 \
	--expires-at $(($(date +%s) - 5)) $PCLS --rate 40000 --burst 3000)" \
	--gateway 10.1.0.1:4300 --sport 5041 --dest 10.2.0.2:6040
expect_fail present-forged 1 "refused: 403 .*tag mismatch" \
	$C $MICE gate present --token "${ptok%?}$([ "${ptok: -1}" = 0 ] && echo 1 || echo 0)" \
	--gateway 10.1.0.1:4300 --sport 5041 --dest 10.2.0.2:6040
expect_fail present-wrong-flow 1 "refused: 403 .*outside" \
	$C $MICE gate present --token "$ptok" --gateway 10.1.0.1:4300 --sport 5041 \
	--dest 10.2.0.2:6041
$C $MICE gate present --token "$ptok" --gateway 10.1.0.1:4300 --sport 5040 \
	--dest 10.2.0.2:6040 > "$T/present" 2>&1 && grep -q admitted "$T/present" &&
	pass present-admitted || fail present-admitted "$(cat "$T/present" "$T/serve")"
check_eq presented-gate-committed "udp,10.1.0.2,5040,10.2.0.2,6040" "$(gate_json 80 .flow)"
r=$(measure 5040 6040 80000 2)
[ "${r:-0}" -gt 0 ] && pass presented-flow-flows || fail presented-flow-flows "rate ${r:-0}"

# --- IPv6 ------------------------------------------------------------------------
$G $MICE gate add 60 --proto udp --src fd01::2/128 --dport 6020 --rate 100000 --burst 5000
$G $MICE gate commit 60 --flow udp,fd01::2,5020,fd02::2,6020 && pass gate-commit-v6 ||
	fail gate-commit-v6
$S timeout 20 $FLOW recv --port 6020 --seconds 1 --warmup 0 > "$T/recv.v6" &
rpid=$!
sleep 0.3
$C $FLOW send --to fd02::2 --port 6020 --sport 5020 --size 200 --rate 20000 --seconds 1.5 >/dev/null
$C $FLOW send --to fd02::2 --port 6021 --sport 5020 --size 200 --rate 20000 --seconds 0.5 >/dev/null
wait $rpid
[ "$(gate_json 60 .packets)" -gt 50 ] && [ "$(awk '{ print $2 }' "$T/recv.v6")" -gt 50 ] &&
	pass v6-flow-admitted || fail v6-flow-admitted "$(cat "$T/recv.v6")"

# --- monitor mode: no gate, counted and passed ---------------------------------
$G $MICE gate mode monitor && pass mode-monitor || fail mode-monitor
mon0=$($G awk 'NR == 1 { print $10 }' /proc/net/mice/gates)
r=$(measure 5030 6030 20000 1)
mon1=$($G awk 'NR == 1 { print $10 }' /proc/net/mice/gates)
[ "${r:-0}" -gt 15000 ] && pass monitor-passes || fail monitor-passes "rate $r"
[ $((mon1 - mon0)) -gt 50 ] && pass monitor-counts || fail monitor-counts "$mon0 -> $mon1"
ns_ping mg_c 10.2.0.2 && pass monitor-passes-icmp || fail monitor-passes-icmp

# --- key removal ------------------------------------------------------------------
$G $MICE gate key del && pass key-del || fail key-del
expect_fail key-del-twice 1 "no token key is set" $G $MICE gate key del

# --- the mice data path (mice_dev_rcv) with admission on ---------------------
# Hosts L and R joined by a veth, agent sockets attached, mice0 tunnels and
# pairs as in test_datapath.sh; R turns admission on for its data path.
# Tunnelled packets arrive in clumps under TCG: the burst is 0.6 s of rate
# so clumping does not eat the envelope (the warmup drains it first).
L="ip netns exec mg_l"
R="ip netns exec mg_r"
for n in mg_l mg_r; do ip netns add $n && ip -n $n link set lo up; done
ip link add e0 netns mg_l type veth peer name e0 netns mg_r
$L ip addr add 10.99.7.1/24 dev e0; $L ip link set e0 up
$R ip addr add 10.99.7.2/24 dev e0; $R ip link set e0 up
sock_id() { sed -n 's/.*"attached","id":\([0-9]*\).*/\1/p' "$1"; }
dp_agents=
for h in l r; do
	ip netns exec mg_$h $MICE -j attach --addr 0.0.0.0 --port 4191 > "$T/$h.att" 2>&1 &
	dp_agents="$dp_agents $!"
done
wait_until 10 grep -q attached "$T/l.att" && wait_until 10 grep -q attached "$T/r.att" &&
	pass dp-attached || fail dp-attached "$(cat "$T/l.att" "$T/r.att")"
for h in l r; do
	me=$([ $h = l ] && echo 1 || echo 2) peer=$([ $h = l ] && echo 2 || echo 1)
	x="ip netns exec mg_$h"
	$x ip link add mice0 type mice
	$x ip addr add 10.200.0.$me/32 dev mice0
	$x ip link set mice0 up
	$x ip route add 10.200.0.$peer/32 dev mice0
	$x $MICE pair set 1 sock "$(sock_id "$T/$h.att")" remote 10.99.7.$peer port 4191 \
		dev mice0 prefix 10.200.0.$peer/32
done
$L ping -c 1 -W 2 10.200.0.2 >/dev/null 2>&1 && pass dp-tunnel-up || fail dp-tunnel-up
$R $MICE gate mode enforce --datapath on && pass dp-admission-on || fail dp-admission-on
dp_drop() { $R awk -v r="$1" '$1 == "drop" && $2 == r { print $3 }' /proc/net/mice/stats; }
b0=$(dp_drop data_no_gate)
$R timeout 20 $FLOW recv --port 7000 --seconds 1 --warmup 0 --first-wait 4 > "$T/recv.dp0" &
rpid=$!
sleep 0.3
$L $FLOW send --to 10.200.0.2 --port 7000 --sport 7001 --size 172 --rate 20000 --seconds 1.5 >/dev/null
wait $rpid
check_eq dp-no-gate-dropped "packets 0" "$(grep -o 'packets [0-9]*' "$T/recv.dp0")"
[ $(( $(dp_drop data_no_gate) - b0 )) -gt 100 ] && pass dp-no-gate-counted ||
	fail dp-no-gate-counted "$b0 -> $(dp_drop data_no_gate)"
$R $MICE gate add 70 --proto udp --src 10.200.0.1/32 --dport 7000 --rate 20000 --burst 12000
$R $MICE gate commit 70 --flow udp,10.200.0.1,7001,10.200.0.2,7000 && pass dp-gate-commit ||
	fail dp-gate-commit
$R timeout 30 $FLOW recv --port 7000 --seconds 3 --warmup 1.5 > "$T/recv.dp1" &
rpid=$!
sleep 0.3
$L timeout 20 $FLOW send --to 10.200.0.2 --port 7000 --sport 7001 --size 172 --rate 40000 \
	--seconds 5 > "$T/send.dp1"
wait $rpid
r=$(sed -n 's/.* rate \([0-9]*\).*/\1/p' "$T/recv.dp1")
# The tunnel path under TCG delivers in clumps (two emulated CPUs shared by
# sender, softirq and receiver): the envelope is checked to 10% here; the
# forwarding-path checks above hold the issue's 5%.
within dp-gate-rate-at-2x "${r:-0}" 20000 10
echo "    sender: $(cat "$T/send.dp1"); receiver: $(tail -1 "$T/recv.dp1")"
echo "    $($R $MICE gate show 70)"
[ "$(dp_drop data_policed)" -gt 0 ] && pass dp-policed-counted || fail dp-policed-counted
$R $MICE gate mode --datapath off
$L ping -c 1 -W 2 10.200.0.2 >/dev/null 2>&1 && pass dp-admission-off || fail dp-admission-off

# --- a namespace with gates, a key, the hook and traffic goes away ------------
ip netns add mg_x && ip -n mg_x link set lo up
X="ip netns exec mg_x"
ip link add x0 netns mg_x type veth peer name x1 netns mg_x
$X ip addr add 10.9.0.1/24 dev x0; $X ip link set x0 up; $X ip link set x1 up
$X $MICE gate mode enforce --dev x1 --datapath on &&
	$X $MICE gate key set --key-file "$T/key" &&
	$X $MICE gate add 1 --proto udp --rate 1000 --burst 1000 &&
	$X $MICE gate add 2 --rate 1000 --burst 1000 &&
	$X $MICE gate commit 1 --flow udp,10.9.0.1,1,10.9.0.2,2 && pass netns-gates-set ||
	fail netns-gates-set
$X timeout 10 $FLOW send --to 10.9.0.2 --port 2 --sport 1 --size 100 --rate 100000 \
	--seconds 5 >/dev/null 2>&1 &
sleep 0.5
ip netns del mg_x && pass netns-del-with-gates || fail netns-del-with-gates
sleep 1

# --- rmmod with gates and traffic ------------------------------------------------
$G $MICE gate mode enforce
$G $MICE gate key set --key-file "$T/key"
$C timeout 30 $FLOW send --to 10.2.0.2 --port 6002 --sport 5006 --size 472 --rate 200000 \
	--seconds 20 >/dev/null 2>&1 &
$C timeout 30 $FLOW send --to 10.2.0.2 --port 6009 --sport 5006 --size 100 --rate 200000 \
	--seconds 20 >/dev/null 2>&1 &
$R $MICE gate mode --datapath on
$L timeout 30 $FLOW send --to 10.200.0.2 --port 7000 --sport 7001 --size 172 --rate 100000 \
	--seconds 20 >/dev/null 2>&1 &
# a reader with /proc/net/mice/gates open, half read, across the unload
$G sh -c 'exec 9< /proc/net/mice/gates; head -c 100 <&9 >/dev/null; sleep 3' &
reader=$!
sleep 1
# Attached sockets pin the module (rmmod: EBUSY): the agents close theirs.
kill $dp_agents; wait $dp_agents 2>/dev/null
rmmod mice && pass rmmod-with-gates-and-traffic || fail rmmod-with-gates-and-traffic
[ -e /proc/net/mice ] && fail proc-gone-after-rmmod || pass proc-gone-after-rmmod
wait $reader
ns_ping mg_c 10.2.0.2 && pass forwarding-after-rmmod || fail forwarding-after-rmmod

summary
