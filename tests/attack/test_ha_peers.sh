#!/bin/bash
# Attacks between Home Agents (docs/security.md, "Between Home Agents").
# HA1 serves R and M; HA2 serves L; the two share a key (ha-key-file).
# The attacker sends from HA2's address (a host that holds it, or spoofs
# it on the path), or is a node itself. Each test shows that the attack
# changes nothing: HA1 relays nothing to R, R takes no offer and adds no
# candidate, and a UDP listener at the victim address V, toward which a
# forged message would make R check, receives nothing. Then the positive
# case: with the shared key, an offer and answer go L -> HA2 -> HA1 -> R
# and back, and the pair is selected.
#
# Namespaces ah_*, addresses 10.99.22.0/24. MICE=PATH runs another build
# of the daemon (to show the attacks working on the code before the fix).
set -u
cd "$(dirname "$0")/../.."
. tests/netns/topo.sh
MICE=${MICE:-$(pwd)/agent/mice}
FORGE=$(pwd)/build/tools/relayforge
T=$(mktemp -d)
P=0 F=0
pass() { P=$((P + 1)); echo "PASS: $1"; }
fail() { F=$((F + 1)); echo "FAIL: $1: ${2:-failed}"; }
[ "$(id -u)" = 0 ] || { echo "FAIL: root: needs root for namespaces"; exit 1; }
[ -x "$MICE" ] || { echo "FAIL: build: $MICE missing (make)"; exit 1; }
[ -x "$FORGE" ] || { echo "FAIL: build: $FORGE missing (make tools)"; exit 1; }
command -v socat > /dev/null || { echo "FAIL: socat: missing"; exit 1; }

HA1=10.99.22.1 L=10.99.22.2 R=10.99.22.3 HA2=10.99.22.4 M=10.99.22.5 V=10.99.22.7
topo_init ah_br ah_ha1 ah_ha2 ah_l ah_r ah_m ah_v
topo_plug ah_ha1 $HA1/24
topo_plug ah_ha2 $HA2/24
topo_plug ah_l $L/24
topo_plug ah_r $R/24
topo_plug ah_m $M/24
topo_plug ah_v $V/24

(umask 077
 od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$T/psk"
 od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$T/wrong.key")
TOPO_NODES="L R M" topo_ha_conf "$T/ha1.conf" $HA1 L $HA2
TOPO_NODES="L R" topo_ha_conf "$T/ha2.conf" $HA2 R $HA1
MNHA=$(topo_mnha_key "$T") HAHA=$(topo_haha_key "$T")
topo_mn_conf "$T/r.conf" $HA1 L "$T/psk" kernel off
printf '[peer M]\ncredentials psk-file %s\n' "$T/psk" >> "$T/r.conf"
topo_mn_conf "$T/l.conf" $HA2 R "$T/psk" kernel off

ip netns exec ah_ha1 $MICE daemon -c "$T/ha1.conf" > "$T/ha1.log" 2>&1 &
wait_for "$T/ha1.log" "start" 5 || { fail ha1-start "$(cat "$T/ha1.log")"; exit 1; }
start_r() {
	ip netns exec ah_r $MICE daemon -c "$T/r.conf" --name R > "$T/r.log" 2>&1 &
	rpid=$!
	wait_for "$T/r.log" "registered" 5 || fail r-registers "$(tail -3 "$T/r.log")"
}
start_r
# listen PORT TAG: a UDP listener at V appending to $T/got.TAG
listen() {
	: > "$T/got.$2"
	ip netns exec ah_v timeout 60 socat -u UDP4-RECV:"$1",bind=$V,reuseaddr \
		OPEN:"$T/got.$2",append &
	sleep 0.3
}
got() { wc -c < "$T/got.$1"; }
# from HA2's address and port (HA2's daemon is not running yet)
as_ha2() { ip netns exec ah_ha2 "$FORGE" --ha $HA1:4191 --from $HA2:4191 "$@"; }
relays() { grep -c "relay offer L -> R" "$T/ha1.log"; }

# --- forged-ha-to-ha-offer ------------------------------------------------------
# From HA2's address, an offer L -> R (end to end valid: the attacker may
# be L itself) with a candidate at V: without a hop authenticator, then
# with one under a wrong key. HA1 forwards neither; R takes neither.
listen 9001 offer
as_ha2 --psk "$T/psk" --cand $V:9001 offer L R sleep 200 \
	--psk "$T/psk" --cand $V:9001 --key "$T/wrong.key" offer L R > /dev/null
sleep 2
if [ "$(relays)" = 0 ] && ! grep -q "offer-received\|drop offer from L" "$T/r.log" &&
   [ "$(got offer)" = 0 ] &&
   grep -q "drop offer L -> R from home agent $HA2:4191: no hop authenticator" "$T/ha1.log" &&
   grep -q "drop offer L -> R from home agent $HA2:4191: hop authenticator does not match" "$T/ha1.log"; then
	pass forged-ha-to-ha-offer-changes-nothing
else
	fail forged-ha-to-ha-offer-changes-nothing "HA1 relayed $(relays), V got $(got offer) bytes; $(grep -i "offer" "$T/ha1.log" "$T/r.log" | tail -4)"
fi

# --- forged-observed-address ---------------------------------------------------
# (a) from HA2's address without the key: an observed-address option
# naming V, which HA1 would vouch for under R's key.
listen 9002 obs
as_ha2 --psk "$T/psk" --cand $L:4191 --observed $V:9002 offer L R > /dev/null
sleep 2
if [ "$(relays)" = 0 ] && ! grep -q "remote srflx $V" "$T/r.log" && [ "$(got obs)" = 0 ]; then
	pass forged-observed-address-from-peer-ha-changes-nothing
else
	fail forged-observed-address-from-peer-ha-changes-nothing "HA1 relayed $(relays), V got $(got obs) bytes; $(grep "srflx\|offer" "$T/r.log" | tail -3)"
fi
# (b) from a node, M (registered at HA1, signing its hop), naming V as
# its observed address: HA1 replaces it with the address it saw.
listen 9003 obsm
ip netns exec ah_m "$FORGE" --ha $HA1:4191 --from $M:4191 --key "$MNHA" register M \
	--psk "$T/psk" --cand $M:4191 --observed $V:9003 --key "$MNHA" offer M R > "$T/m.out"
sleep 2
if grep -q "relay offer M -> R .*observed address vouched for" "$T/ha1.log" &&
   grep -q "remote srflx $M:4191 of M\|offer-received from M" "$T/r.log" &&
   ! grep -q "remote srflx $V" "$T/r.log" && [ "$(got obsm)" = 0 ]; then
	pass forged-observed-address-from-node-changes-nothing
else
	fail forged-observed-address-from-node-changes-nothing "V got $(got obsm) bytes; $(cat "$T/m.out"; grep "M" "$T/ha1.log" | tail -2; grep "srflx\|offer\|drop" "$T/r.log" | tail -3)"
fi

# --- spoofed-node-offer ------------------------------------------------------
# From M's registered address (another host holds it now), an offer M -> R
# that is end-to-end valid but carries no hop authenticator under M's
# MN-HA key: HA1 forwards nothing of a keyed node's without one.
listen 9004 node
mrelays=$(grep -c "relay offer M -> R" "$T/ha1.log")
ip netns exec ah_m "$FORGE" --ha $HA1:4191 --from $M:4191 \
	--psk "$T/psk" --cand $V:9004 offer M R > /dev/null
sleep 2
if [ "$(grep -c "relay offer M -> R" "$T/ha1.log")" = "$mrelays" ] && [ "$(got node)" = 0 ] &&
   grep -q "drop offer M -> R from $M:4191: no hop authenticator" "$T/ha1.log"; then
	pass spoofed-node-offer-changes-nothing
else
	fail spoofed-node-offer-changes-nothing "HA1 relayed $mrelays, then $(grep -c "relay offer M -> R" "$T/ha1.log"); V got $(got node) bytes"
fi

# --- replayed-ha-to-ha-message -------------------------------------------------
# An offer HA2 really signed (the key shared with HA1) is relayed once;
# the same datagram again from HA2's address is not.
kill $rpid; wait $rpid 2>/dev/null
start_r
as_ha2 --psk "$T/psk" --cand $HA2:5555 --key "$HAHA" --write "$T/signed" offer L R > /dev/null
wait_for "$T/r.log" "offer-received from L" 5
first=$(relays)
as_ha2 file "$T/signed" sleep 200 file "$T/signed" > /dev/null
sleep 1
if [ "$first" = 1 ] && [ "$(relays)" = 1 ] &&
   grep -q "drop offer L -> R from home agent $HA2:4191: sequence number already seen (replay)" "$T/ha1.log"; then
	pass replayed-ha-to-ha-message-changes-nothing
else
	fail replayed-ha-to-ha-message-changes-nothing "relayed $first, then $(relays); $(grep "L -> R" "$T/ha1.log" | tail -3)"
fi
kill $rpid; wait $rpid 2>/dev/null

# --- the positive case: two HAs with a shared key --------------------------------
ip netns exec ah_ha2 $MICE daemon -c "$T/ha2.conf" > "$T/ha2.log" 2>&1 &
wait_for "$T/ha2.log" "start" 5 || fail ha2-start "$(cat "$T/ha2.log")"
start_r
ip netns exec ah_l $MICE daemon -c "$T/l.conf" --name L --connect R > "$T/l.log" 2>&1 &
if wait_for "$T/l.log" "^t=.* selected" 20 && wait_for "$T/r.log" "^t=.* selected" 10 &&
   grep -q "relay offer L -> R .* to its home agent" "$T/ha2.log" &&
   grep -q "relay answer R -> L .* to its home agent" "$T/ha1.log" &&
   grep -q "relay offer L -> R ($HA2:4191 -> " "$T/ha1.log"; then
	pass keyed-has-relay-offer-answer-and-pair-selected
else
	fail keyed-has-relay-offer-answer-and-pair-selected "$(tail -4 "$T/l.log"; tail -3 "$T/r.log"; tail -3 "$T/ha1.log"; tail -3 "$T/ha2.log")"
fi

echo "$P passed, $F failed"
[ "$F" = 0 ]
