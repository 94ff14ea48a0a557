#!/bin/bash
# Host test (no kernel module needed): relayed candidates through the Home
# Agent (seed 004 s.1.1 item 3, s.3) and Home Agent to Home Agent
# signalling, with L and R each behind a symmetric NAT (nftables
# masquerade fully-random: a new random port for every destination, and
# only replies from that destination let in), where no direct or
# server-reflexive pair can work:
#   1. one HA for both: the pair selected on each side uses a relayed
#      candidate, the HA's status shows the relay bound and forwarding;
#   2. L registered at HA1, R at HA2: the offer and answer go L -> HA1 ->
#      HA2 -> R and back, and again a relayed pair is selected;
#   3. an HA refuses an offer from a host that is neither registered nor
#      one of its peer HAs.
# Only addresses of namespaces created here (10.99.8-10.x). Bounded in time.
set -u
cd "$(dirname "$0")/../.."
. tests/netns/topo.sh
MICE=$(pwd)/agent/mice
T=$(mktemp -d)
P=0 F=0
pass() { P=$((P + 1)); echo "PASS: $1"; }
fail() { F=$((F + 1)); echo "FAIL: $1: ${2:-failed}"; }
NS="mr_ha1 mr_ha2 mr_l mr_r mr_nl mr_nr mr_x"
[ "$(id -u)" = 0 ] || { echo "FAIL: root: needs root for namespaces"; exit 1; }
[ -x "$MICE" ] || { echo "FAIL: build: $MICE missing (make)"; exit 1; }
command -v jq > /dev/null || { echo "FAIL: jq: missing"; exit 1; }

(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/psk")


# public segment 10.99.8.0/24: HA1 .1, NAT L .2, NAT R .3, HA2 .4, X .9
topo_init mr_br $NS
topo_plug mr_ha1 10.99.8.1/24
topo_plug mr_ha2 10.99.8.4/24
topo_plug mr_x 10.99.8.9/24

topo_nat mr_nl 10.99.8.2 mr_l 10.99.9.1 10.99.9.2 symmetric
topo_nat mr_nr 10.99.8.3 mr_r 10.99.10.1 10.99.10.2 symmetric


# the srflx candidate is learnt but useless: prove the NAT is symmetric,
# i.e. one inside port shows as two source ports at two destinations
nat_is_symmetric() {	# INNER-NS
	ip netns exec mr_ha1 timeout 4 socat -u UDP-RECVFROM:5001 \
		SYSTEM:"echo \$SOCAT_PEERPORT > $T/sym1" 2>/dev/null &
	ip netns exec mr_ha2 timeout 4 socat -u UDP-RECVFROM:5001 \
		SYSTEM:"echo \$SOCAT_PEERPORT > $T/sym2" 2>/dev/null &
	sleep 0.5
	echo x | ip netns exec "$1" socat -u - UDP-SENDTO:10.99.8.1:5001,sourceport=6000
	echo x | ip netns exec "$1" socat -u - UDP-SENDTO:10.99.8.4:5001,sourceport=6000
	wait
	local p1 p2
	p1=$(cat "$T/sym1" 2>/dev/null) p2=$(cat "$T/sym2" 2>/dev/null)
	echo "    source port 6000 seen as $p1 and $p2"
	[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" != "$p2" ]
}

# run_pair TAG L-CONF R-CONF
run_pair() {
	ip netns exec mr_r $MICE daemon -c "$3" --name R > "$T/$1.r" 2>&1 &
	rpid=$!
	ip netns exec mr_l $MICE daemon -c "$2" --name L --connect R > "$T/$1.l" 2>&1 &
	lpid=$!
}
stop_pair() { kill $lpid $rpid 2>/dev/null; wait $lpid $rpid 2>/dev/null; }

nat_is_symmetric mr_l && pass nat-is-symmetric ||
	fail nat-is-symmetric "not two different mapped ports"

# --- 1. both symmetric, one HA: a relayed pair -------------------------------
topo_ha_conf "$T/ha1.conf" 10.99.8.1
ip netns exec mr_ha1 $MICE daemon -c "$T/ha1.conf" > "$T/ha1.log" 2>&1 &
ha1=$!
wait_for "$T/ha1.log" "start" 5 || fail ha1-start "$(cat "$T/ha1.log")"
topo_mn_conf "$T/l1.conf" 10.99.8.1 R "$T/psk" kernel off
topo_mn_conf "$T/r1.conf" 10.99.8.1 L "$T/psk" kernel off
# R first, with `mice monitor --daemon R` attached before L offers
ip netns exec mr_r $MICE daemon -c "$T/r1.conf" --name R > "$T/one.r" 2>&1 &
rpid=$!
wait_for "$T/one.r" "registered" 5
ip netns exec mr_r $MICE monitor --daemon R --timeout 40 > "$T/mon.txt" 2>&1 &
ip netns exec mr_r $MICE -j monitor --daemon R --timeout 40 > "$T/mon.json" 2>&1 &
wait_for "$T/mon.json" '"event":"monitor"' 5 && wait_for "$T/mon.txt" " monitor attached" 5 ||
	fail monitor-attach "$(cat "$T/mon.txt" "$T/mon.json")"
ip netns exec mr_l $MICE daemon -c "$T/l1.conf" --name L --connect R > "$T/one.l" 2>&1 &
lpid=$!
if wait_for "$T/one.l" "^t=.* selected" 30 && wait_for "$T/one.r" "^t=.* selected" 10; then
	pass symmetric-pair-selected
	grep -q "candidate relay 10.99.8.1:" "$T/one.l" && pass relay-candidate-gathered ||
		fail relay-candidate-gathered "$(grep candidate "$T/one.l")"
	# seed 004 s.1.1: both NATs symmetric, so only a relayed candidate works
	sel_l=$(grep "^t=.* selected" "$T/one.l" | tail -1)
	sel_r=$(grep "^t=.* selected" "$T/one.r" | tail -1)
	echo "    L: ${sel_l#* }"; echo "    R: ${sel_r#* }"
	echo "$sel_l" | grep -q "(relay/\|/relay)" && echo "$sel_r" | grep -q "(relay/\|/relay)" &&
		pass selected-pair-is-relayed || fail selected-pair-is-relayed "$sel_l / $sel_r"
	sleep 1
	ip netns exec mr_ha1 $MICE status > "$T/ha1.status"
	jq -e '[.registrations[] | select(.relay_bound != null)] | length >= 1' "$T/ha1.status" > /dev/null &&
		pass relay-bound-for-media || fail relay-bound-for-media "$(cat "$T/ha1.status")"
	jq -e '[.registrations[].relayed_in] | add > 0' "$T/ha1.status" > /dev/null &&
	jq -e '[.registrations[].relayed_out] | add > 0' "$T/ha1.status" > /dev/null &&
		pass ha-relayed-checks-both-ways || fail ha-relayed-checks-both-ways "$(cat "$T/ha1.status")"
	# consent freshness keeps flowing through the relay (RFC 7675, 5 s)
	before=$(jq '[.registrations[].relayed_in] | add' "$T/ha1.status")
	sleep 6
	ip netns exec mr_ha1 $MICE status > "$T/ha1.status2"
	after=$(jq '[.registrations[].relayed_in] | add' "$T/ha1.status2")
	[ "$after" -gt "$before" ] && pass consent-through-relay ||
		fail consent-through-relay "relayed_in $before -> $after"
	# RFC 8445 pair states and the nomination, as `mice monitor` shows them
	grep -q "^t=.* pair [0-9]* waiting -> in-progress local .* remote " "$T/mon.txt" &&
	grep -q "^t=.* pair [0-9]* .* -> succeeded local 10.99.8.1:[0-9]* remote .* (relay/" "$T/mon.txt" &&
	grep -q "^t=.* nominated local .*relay" "$T/mon.txt" &&
	grep -q "^t=.* selected local " "$T/mon.txt" &&
		pass monitor-shows-pair-states-and-nomination ||
		fail monitor-shows-pair-states-and-nomination "$(head -20 "$T/mon.txt")"
	jq -e -s '[.[] | select(.event == "pair")] | length > 1' "$T/mon.json" > /dev/null &&
	jq -e -s '[.[] | select(.event == "selected")] | length >= 1' "$T/mon.json" > /dev/null &&
		pass monitor-json || fail monitor-json "$(head -5 "$T/mon.json")"
	# bad input to the control socket and to the CLI is refused by name
	reply=$(printf 'bogus\n' | timeout 5 socat - UNIX-CONNECT:/run/mice/R.ctl 2>&1)
	out=$($MICE monitor --daemon a/b 2>&1); rc=$?
	[ "$reply" = "error: unknown request (expected status or monitor)" ] &&
	[ $rc = 2 ] && echo "$out" | grep -q "invalid value 'a/b' for --daemon" &&
		pass control-bad-request-refused ||
		fail control-bad-request-refused "reply '$reply', monitor rc $rc: $out"
	ip netns exec mr_l $MICE status L > "$T/l.status"
	[ "$(jq -r '.sessions[0].state' "$T/l.status")" = completed ] &&
		pass session-completed || fail session-completed "$(cat "$T/l.status")"
else
	fail symmetric-pair-selected "$(tail -8 "$T/one.l"; tail -5 "$T/one.r"; tail -5 "$T/ha1.log")"
fi
stop_pair

# --- 3. an offer from a stranger is refused ----------------------------------------
# a well-formed offer L -> R (the fuzz corpus's) from X, which is neither
# L's registered address nor a peer HA of HA1
ip netns exec mr_x socat -u FILE:tests/fuzz/corpus/sigmsg/offer \
	UDP-SENDTO:10.99.8.1:4191,sourceport=4191
wait_for "$T/ha1.log" "drop offer from unregistered L at 10.99.8.9:4191" 5 &&
	pass stranger-offer-refused || fail stranger-offer-refused "$(tail -5 "$T/ha1.log")"
# --- 4. registrations are authenticated (RFC 4285 MN-HA key) -----------------
grep -q "registered L at .* (authenticated)" "$T/ha1.log" &&
grep -q "registered R at .* (authenticated)" "$T/ha1.log" &&
	pass registrations-authenticated || fail registrations-authenticated "$(grep registered "$T/ha1.log")"
# X claims to be L with a key of its own: refused, and L's binding stays
(umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$T/x.key")
sed "s|^home-agent-key .*|home-agent-key $T/x.key|" "$T/l1.conf" > "$T/x.conf"
ip netns exec mr_x $MICE daemon -c "$T/x.conf" --name L --timeout 3 > "$T/x.log" 2>&1
grep -q "refused our registration: status 146, authentication failed" "$T/x.log" &&
grep -q "registration of L from 10.99.8.9:4191 refused, status 146" "$T/ha1.log" &&
	! grep -q "^t=[0-9.]* registered L at 10.99.8.9" "$T/ha1.log" &&
	pass wrong-key-registration-refused ||
	fail wrong-key-registration-refused "$(tail -3 "$T/x.log"; grep -i "refused\|registered" "$T/ha1.log")"
# ... with no key at all
grep -v "^home-agent-key" "$T/l1.conf" > "$T/x2.conf"
ip netns exec mr_x $MICE daemon -c "$T/x2.conf" --name L --timeout 3 > "$T/x2.log" 2>&1
grep -q "no home-agent-key: registrations are not signed" "$T/x2.log" &&
grep -q "refused our registration: status 146" "$T/x2.log" &&
	pass unsigned-registration-refused || fail unsigned-registration-refused "$(tail -3 "$T/x2.log")"
# ... and a name that is no [node] of this home agent
ip netns exec mr_x $MICE daemon -c "$T/l1.conf" --name M --timeout 3 > "$T/x3.log" 2>&1
grep -q "refused our registration: status 129, administratively prohibited" "$T/x3.log" &&
	pass unknown-node-refused || fail unknown-node-refused "$(tail -3 "$T/x3.log")"
# a key file that is not there stops the daemon at start, by name
sed "s|^home-agent-key .*|home-agent-key $T/missing.key|" "$T/l1.conf" > "$T/x4.conf"
out=$(ip netns exec mr_x $MICE daemon -c "$T/x4.conf" --name L --timeout 3 2>&1); rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "home-agent-key $T/missing.key: No such file or directory" &&
	pass missing-key-file-refused || fail missing-key-file-refused "rc $rc: $out"
kill $ha1 2>/dev/null; wait $ha1 2>/dev/null

# --- 2. L at HA1, R at HA2: HA to HA signalling, relayed pair ----------------------
topo_ha_conf "$T/ha1.conf" 10.99.8.1 R 10.99.8.4
topo_ha_conf "$T/ha2.conf" 10.99.8.4 L 10.99.8.1
ip netns exec mr_ha1 $MICE daemon -c "$T/ha1.conf" > "$T/ha1b.log" 2>&1 &
ip netns exec mr_ha2 $MICE daemon -c "$T/ha2.conf" > "$T/ha2.log" 2>&1 &
wait_for "$T/ha1b.log" "start" 5 && wait_for "$T/ha2.log" "start" 5 ||
	fail ha-start "$(cat "$T/ha1b.log" "$T/ha2.log")"
topo_mn_conf "$T/l2.conf" 10.99.8.1 R "$T/psk" kernel off
topo_mn_conf "$T/r2.conf" 10.99.8.4 L "$T/psk" kernel off
run_pair two "$T/l2.conf" "$T/r2.conf"
if wait_for "$T/two.l" "^t=.* selected" 30 && wait_for "$T/two.r" "^t=.* selected" 10; then
	pass two-has-pair-selected
	grep -q "relay offer L -> R .* to its home agent" "$T/ha1b.log" &&
	grep -q "relay offer L -> R (10.99.8.1:4191 -> " "$T/ha2.log" &&
	grep -q "relay answer R -> L .* to its home agent" "$T/ha2.log" &&
	grep -q "relay answer R -> L (10.99.8.4:4191 -> " "$T/ha1b.log" &&
		pass offer-answer-through-both-has ||
		fail offer-answer-through-both-has "$(grep relay "$T/ha1b.log" "$T/ha2.log")"
	sel_l=$(grep "^t=.* selected" "$T/two.l" | tail -1)
	echo "    L: ${sel_l#* }"
	echo "$sel_l" | grep -q "(relay/\|/relay)" && pass two-has-relayed-pair ||
		fail two-has-relayed-pair "$sel_l"
else
	fail two-has-pair-selected "$(tail -8 "$T/two.l"; tail -5 "$T/two.r"; tail -5 "$T/ha1b.log"; tail -5 "$T/ha2.log")"
fi
stop_pair

echo "$P passed, $F failed"
[ "$F" = 0 ]
