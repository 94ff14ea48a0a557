#!/bin/bash
# Host test (no kernel module needed): the M-ICE agents end to end in
# network namespaces. A Home Agent on a "public" segment runs the STUN
# server and relays the offer/answer (seed 004 s.3); two mobile nodes
# gather, register, exchange the MIP-ICE option, run the checks and select
# a pair (s.7, s.8):
#   1. L and R on the public segment with the HA: a host-host pair;
#   2. L and R each behind an endpoint-independent NAT (nftables
#      masquerade): a server-reflexive pair through both NATs;
#   1b. L without a STUN server: host candidates only, the same pair;
#   3. a wrong pre-shared key: the offer is refused, nothing is checked
#      (seed 004 s.14);
#   4. the mobility case: L's address changes; it re-gathers once the new
#      address has a route to the HA, restarts ICE with a subsequent offer
#      (s.9) and selects a new pair;
#   5. L and R behind the same NAT: the host/host pair wins;
#   6. 40 ms ± 10 ms delay and 10% loss (tc netem) on both NATs' public
#      links: a pair is still selected.
# Throughout, L proposes Ta 5 ms and R 20 ms; both pace by 20 (RFC 8445
# s.14.2).
# Only addresses of namespaces created here (10.99.x.x). Bounded in time.
set -u
cd "$(dirname "$0")/../.."
. tests/netns/topo.sh
MICE=$(pwd)/agent/mice
T=$(mktemp -d)
P=0 F=0
pass() { P=$((P + 1)); echo "PASS: $1"; }
fail() { F=$((F + 1)); echo "FAIL: $1: ${2:-failed}"; }
NS="md_ha md_l md_r md_nl md_nr"
[ "$(id -u)" = 0 ] || { echo "FAIL: root: needs root for namespaces"; exit 1; }
[ -x "$MICE" ] || { echo "FAIL: build: $MICE missing (make)"; exit 1; }

(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/psk")
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/badpsk")

# public segment 10.99.5.0/24: HA .1, NAT L .2, NAT R .3, (case 1) L .11 R .12
topo_init md_br $NS
topo_plug md_ha 10.99.5.1/24

topo_ha_conf "$T/ha.conf" 10.99.5.1
topo_mn_conf "$T/l.conf" 10.99.5.1 R "$T/psk" kernel off
# the move below checks that L waits for the route: no fallback meanwhile
printf '[timers]\nregather-fallback-ms 10000\nta-ms 5\n' >> "$T/l.conf"
topo_mn_conf "$T/r.conf" 10.99.5.1 L "$T/psk" kernel off
# L proposes Ta 5 ms, R 20: both must pace by 20 (RFC 8445 s.14.2)
printf '[timers]\nta-ms 20\n' >> "$T/r.conf"
topo_mn_conf "$T/lbad.conf" 10.99.5.1 R "$T/badpsk" kernel off

ip netns exec md_ha $MICE daemon -c "$T/ha.conf" > "$T/ha.log" 2>&1 &
wait_for "$T/ha.log" "start" 5 || fail ha-start "$(cat "$T/ha.log")"

# run_pair TAG L-CONF: starts R then L (L connects), waits for both to select.
run_pair() {
	ip netns exec md_r $MICE daemon -c "$T/r.conf" --name R > "$T/$1.r" 2>&1 &
	rpid=$!
	ip netns exec md_l $MICE daemon -c "$2" --name L --connect R > "$T/$1.l" 2>&1 &
	lpid=$!
}
stop_pair() { kill $lpid $rpid 2>/dev/null; wait $lpid $rpid 2>/dev/null; }

# --- 1. no NAT -----------------------------------------------------------
topo_plug md_l 10.99.5.11/24 pl
topo_plug md_r 10.99.5.12/24 pr
run_pair nonat "$T/l.conf"
if wait_for "$T/nonat.l" "^t=.* selected" 15 && wait_for "$T/nonat.r" "^t=.* selected" 10; then
	pass nonat-selected
	grep -q "selected local 10.99.5.11:4191 remote 10.99.5.12:4191 (host/host)" "$T/nonat.l" &&
		pass nonat-host-host-pair || fail nonat-host-host-pair "$(grep selected "$T/nonat.l")"
else
	fail nonat-selected "$(tail -5 "$T/nonat.l"; tail -5 "$T/nonat.r"; tail -5 "$T/ha.log")"
fi
grep -q "pacing Ta 20 ms: ours 5, R's 20$" "$T/nonat.l" &&
	grep -q "pacing Ta 20 ms: ours 20, L's 5$" "$T/nonat.r" &&
	pass ta-is-the-larger-proposal || fail ta-is-the-larger-proposal "$(grep -h pacing "$T/nonat.l" "$T/nonat.r")"
grep -q "relay offer L -> R" "$T/ha.log" && grep -q "relay answer R -> L" "$T/ha.log" &&
	pass ha-relayed-offer-and-answer || fail ha-relayed-offer-and-answer "$(cat "$T/ha.log")"
grep -q "candidate srflx 10.99.5.11:4191" "$T/nonat.l" && pass srflx-from-ha-stun ||
	fail srflx-from-ha-stun "$(grep candidate "$T/nonat.l")"
# seed 004 s.1.5: the check passwords come from the MIKEY TGK in the offer
grep -q "mikey I_MESSAGE .* AES-CM-128" "$T/nonat.l" && grep -q "mikey TGK from L accepted" "$T/nonat.r" &&
	pass mikey-keys-the-checks || fail mikey-keys-the-checks "$(grep -i mikey "$T/nonat.l" "$T/nonat.r")"
# `mice status`: the session, its candidates and check list, over the control socket
ip netns exec md_l $MICE status L > "$T/status" 2>&1
[ "$(jq -r '.sessions[0].state' "$T/status")" = completed ] &&
[ "$(jq -r '.sessions[0].selected.remote' "$T/status")" = "10.99.5.12:4191" ] &&
[ "$(jq '[.sessions[0].pairs[] | select(.state == "succeeded")] | length' "$T/status")" -ge 1 ] &&
[ "$(jq '.candidates[0].address' -r "$T/status")" = 10.99.5.11:4191 ] &&
	pass status-shows-session || fail status-shows-session "$(cat "$T/status")"
ip netns exec md_ha $MICE status > "$T/hastatus" 2>&1
[ "$(jq '.registrations | length' "$T/hastatus")" = 2 ] && pass ha-status-registrations ||
	fail ha-status-registrations "$(cat "$T/hastatus")"
stop_pair

# --- 3. wrong key: refused, never checked --------------------------------------
run_pair badkey "$T/lbad.conf"
if wait_for "$T/badkey.r" "drop.*offer from L: authenticator does not match" 10; then
	pass wrong-key-offer-refused
else
	fail wrong-key-offer-refused "$(tail -5 "$T/badkey.r")"
fi
sleep 1
grep -q "selected" "$T/badkey.r" "$T/badkey.l" && fail wrong-key-no-checks "a pair was selected" ||
	pass wrong-key-no-checks
stop_pair

# --- 1b. no STUN server configured: host candidates only, still an offer ------
grep -v '^stun-server' "$T/l.conf" > "$T/lnostun.conf"
run_pair nostun "$T/lnostun.conf"
if wait_for "$T/nostun.l" "^t=.* selected local 10.99.5.11:4191 remote 10.99.5.12:4191 (host/host)" 15 &&
   ! grep -q "candidate srflx" "$T/nostun.l"; then
	pass no-stun-server-host-pair
else
	fail no-stun-server-host-pair "$(tail -6 "$T/nostun.l")"
fi
stop_pair

# --- 2. both behind endpoint-independent NATs -----------------------------------
ip -n md_l link del pl; ip -n md_r link del pr
topo_nat md_nl 10.99.5.2 md_l 10.99.6.1 10.99.6.2 eim
topo_nat md_nr 10.99.5.3 md_r 10.99.7.1 10.99.7.2 eim
run_pair nat "$T/l.conf"
if wait_for "$T/nat.l" "^t=.* selected" 20 && wait_for "$T/nat.r" "^t=.* selected" 10; then
	pass nat-selected
	grep "selected" "$T/nat.l" | tail -1 | grep -q "remote 10.99.5.3:[0-9]* (.*/srflx)\|remote 10.99.5.3:[0-9]* (.*/prflx)" &&
		pass nat-srflx-pair-through-both-nats || fail nat-srflx-pair-through-both-nats "$(grep selected "$T/nat.l")"
	grep -q "candidate srflx 10.99.5.2:" "$T/nat.l" && pass nat-srflx-is-the-nat ||
		fail nat-srflx-is-the-nat "$(grep candidate "$T/nat.l")"
else
	fail nat-selected "$(tail -8 "$T/nat.l"; tail -5 "$T/nat.r")"
fi

# --- 4. mobility: L's address changes --------------------------------------------
# the next restart's MIKEY message and agent are made ahead, once a pair is up
wait_for "$T/nat.l" "standby MIKEY I_MESSAGE .* made for the next ICE restart" 5 ||
	fail standby-made-ahead "$(tail -4 "$T/nat.l")"
mark=$(wc -l < "$T/nat.l")
ip -n md_l addr del 10.99.6.2/24 dev eth0
ip -n md_l addr add 10.99.6.3/24 dev eth0
# L re-gathers once the new address routes to the HA (seed 004 s.9), not
# on a fixed delay: nothing before the default route, at once after it.
sleep 0.2
early=$(grep -c "candidate host 10.99.6.3" "$T/nat.l")
ip -n md_l route add default via 10.99.6.1 2>/dev/null
if [ "$early" = 0 ] &&
     wait_for "$T/nat.l" "address ready: a route to 10.99.5.1:4191 from 10.99.6.3" 5 &&
     ! grep -q "gathering anyway" "$T/nat.l"; then
	pass move-regathers-on-route
else
	fail move-regathers-on-route "$(grep -E "address|candidate host" "$T/nat.l" | tail -6)"
fi
if wait_for "$T/nat.l" "address" 5 && wait_for "$T/nat.r" "ice-restart" 15; then
	pass move-triggers-subsequent-offer
else
	fail move-triggers-subsequent-offer "$(tail -8 "$T/nat.l")"
fi
if wait_for "$T/nat.l" "candidate host 10.99.6.3" 5 &&
   [ "$(grep -c "^t=.* selected" "$T/nat.l")" -ge 2 ] ||
   (sleep 10; [ "$(grep -c "^t=.* selected" "$T/nat.l")" -ge 2 ]); then
	pass move-new-pair-selected
else
	fail move-new-pair-selected "$(tail -8 "$T/nat.l")"
fi
# After the move L offers at once with its host and relayed candidates: the
# HA vouches for the address it saw the offer come from (option 252, under
# R's MN-HA key) and R checks toward it; the srflx answer comes later.
after=$(tail -n +"$((mark + 1))" "$T/nat.l")
if echo "$after" | grep -q "made ahead" &&
   echo "$after" | grep -A1 "offer-early not waiting for the srflx answer" |
	grep -q "offer-sent to R .* 2 candidates" &&
   [ "$(echo "$after" | grep -n "offer-sent" | head -1 | cut -d: -f1)" -lt \
     "$(echo "$after" | grep -n "candidate srflx 10.99.5.2" | head -1 | cut -d: -f1)" ]; then
	pass move-offer-before-srflx
else
	fail move-offer-before-srflx "$(echo "$after" | head -12)"
fi
obs=$(grep -o "remote srflx 10.99.5.2:[0-9]* of L, as our home agent saw it" "$T/nat.r" |
	tail -1 | cut -d' ' -f3)
if [ -n "$obs" ] && grep "selected" "$T/nat.r" | tail -1 | grep -q "remote $obs (srflx/srflx)" &&
   grep -q "relay offer L -> R .*, observed address vouched for" "$T/ha.log"; then
	pass move-peer-checks-observed-address
else
	fail move-peer-checks-observed-address "$(grep -E "remote srflx|selected" "$T/nat.r")"
fi
stop_pair

# --- 6. delay and loss (tc netem) on the NAT's public side ---------------------
# The dev/CI kernels may lack sch_netem; the VM suite (a real Debian kernel)
# runs this script too, so the case is covered there.
if ip netns exec md_nl tc qdisc add dev pub root netem delay 40ms 10ms loss 10% 2>/dev/null &&
   ip netns exec md_nr tc qdisc add dev pub root netem delay 40ms 10ms loss 10% 2>/dev/null; then
	run_pair netem "$T/l.conf"
	if wait_for "$T/netem.l" "^t=.* selected" 60 && wait_for "$T/netem.r" "^t=.* selected" 10; then
		pass netem-delay-loss-selected
		grep "selected" "$T/netem.l" | sed 's/^/    /'
	else
		fail netem-delay-loss-selected "$(tail -6 "$T/netem.l"; tail -4 "$T/netem.r")"
	fi
	stop_pair
	ip netns exec md_nl tc qdisc del dev pub root 2>/dev/null
	ip netns exec md_nr tc qdisc del dev pub root 2>/dev/null
else
	echo "SKIP: netem-delay-loss-selected: this kernel has no sch_netem (the VM suite runs it)"
	ip netns exec md_nl tc qdisc del dev pub root 2>/dev/null
fi

# --- 5. same NAT: both behind NAT L on one private segment --------------------
# R moves next to L (10.99.6.4 behind NAT L): the host/host pair wins.
ip -n md_r link del eth0
ip link add eth1 netns md_nl type veth peer name eth0 netns md_r
# the NAT's inside becomes a bridge holding L's and R's links
ip -n md_nl link add sn type bridge && ip -n md_nl link set sn up
ip -n md_nl link set in master sn 2>/dev/null
ip -n md_nl link set eth1 master sn && ip -n md_nl link set eth1 up
ip -n md_nl addr flush dev in; ip -n md_nl addr add 10.99.6.1/24 dev sn
ip -n md_r addr add 10.99.6.4/24 dev eth0; ip -n md_r link set eth0 up
ip -n md_r route add default via 10.99.6.1
run_pair samenat "$T/l.conf"
if wait_for "$T/samenat.l" "^t=.* selected" 20; then
	grep "selected" "$T/samenat.l" | tail -1 | grep -q "remote 10.99.6.4:4191 (host/host)" &&
		pass same-nat-host-pair || fail same-nat-host-pair "$(grep selected "$T/samenat.l")"
else
	fail same-nat-host-pair "$(tail -6 "$T/samenat.l"; tail -4 "$T/samenat.r")"
fi
stop_pair

echo "$P passed, $F failed"
[ "$F" = 0 ]
