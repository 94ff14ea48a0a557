#!/bin/bash
# Attacks on the Home Agent's relay (docs/security.md, "The Home Agent's
# relay"). One HA (kernel off) serving node N, keyed, and taking open
# registrations too. The attacker sends from N's registered address and
# port (as a host that holds it after N moved, or the NAT in front of N
# would), from elsewhere, or is an open node itself. Each test shows that
# the attack changes nothing: N's relay binding and counters in
# `mice status` stay as they were, and a UDP listener where the datagram
# would land receives nothing.
#
# Namespaces ar_*, addresses 10.99.20.0/24 (public) and 10.99.21.0/24
# (the HA's LAN). MICE=PATH runs another build of the daemon (to show the
# attacks working on the code before the fix).
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
command -v jq > /dev/null || { echo "FAIL: jq: missing"; exit 1; }
command -v socat > /dev/null || { echo "FAIL: socat: missing"; exit 1; }

HA=10.99.20.1 NODE=10.99.20.2 TGT=10.99.20.7 X=10.99.20.9 LAN=10.99.21.1
topo_init ar_br ar_ha ar_n ar_t ar_x ar_o ar_lan
topo_plug ar_ha $HA/24
topo_plug ar_n $NODE/24
topo_plug ar_t $TGT/24
topo_plug ar_x $X/24
topo_plug ar_o 10.99.20.5/24
# the HA's LAN, behind it
ip link add lan netns ar_ha type veth peer name eth0 netns ar_lan
ip -n ar_ha addr add $LAN/24 dev lan && ip -n ar_ha link set lan up
ip -n ar_lan addr add 10.99.21.2/24 dev eth0 && ip -n ar_lan link set eth0 up
# multicast leaves the HA through its public interface, so that a relay
# that forwarded it would reach the listener in ar_t
ip -n ar_ha route add 224.0.0.0/4 dev pub
ip -n ar_t route add 224.0.0.0/4 dev pub

(umask 077
 od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$T/n.key"
 od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$T/wrong.key")
printf '[agent]\nrole ha\nlisten %s:4191\nregistration open\nkernel off\n[node N]\nkey-file %s\n' \
	$HA "$T/n.key" > "$T/ha.conf"
ip netns exec ar_ha $MICE daemon -c "$T/ha.conf" > "$T/ha.log" 2>&1 &
wait_for "$T/ha.log" "start" 5 || { fail ha-start "$(cat "$T/ha.log")"; exit 1; }

# forge NS ARGS...: relayforge toward the HA from N's address and port
forge() { local ns=$1; shift; ip netns exec "$ns" "$FORGE" --ha $HA:4191 "$@"; }
asn() { forge ar_n --from $NODE:4191 "$@"; }
# N registers (signed): the relay it gets
asn --key "$T/n.key" register N > "$T/reg.out"
RELAY=$(sed -n 's/^registered status 0 relay \(.*\)$/\1/p' "$T/reg.out")
[ -n "$RELAY" ] && [ "$RELAY" != none ] || { fail n-registers "$(cat "$T/reg.out" "$T/ha.log")"; exit 1; }
echo "    N's relay: $RELAY"

status() {	# the JSON of N's registration
	ip netns exec ar_ha $MICE status ha | jq -c '.registrations[] | select(.name == "'"${1:-N}"'")'
}
# listen NS ADDR PORT TAG [membership]: a UDP listener appending to $T/got.TAG
listen() {
	local opt="UDP4-RECV:$3,bind=$2,reuseaddr"

	[ -n "${5:-}" ] && opt="UDP4-RECV:$3,reuseaddr,ip-add-membership=$2:pub"
	: > "$T/got.$4"
	ip netns exec "$1" timeout 60 socat -u "$opt" OPEN:"$T/got.$4",append &
	sleep 0.3
}
got() { wc -c < "$T/got.$1"; }
same_status() {	# TAG BEFORE: N's relay state is unchanged
	local now
	now=$(status)
	[ "$now" = "$2" ] || { echo "    $1: status $2 -> $now"; return 1; }
}

# --- spoofed-relay-bind ------------------------------------------------------
# From N's registered address (N has moved on; the attacker holds it now):
# a bind unsigned, then one signed with a wrong key; then raw media, which
# a bound relay would send on to the bound peer.
listen ar_t $TGT 9001 bind
before=$(status)
asn --bind send $TGT:9001 sleep 100 --key "$T/wrong.key" --bind send $TGT:9001 \
	sleep 100 media spoofed-media > /dev/null
sleep 0.5
# the drops counter moves (documented); nothing else may
if [ "$(echo "$before" | jq 'del(.relay_drops)')" = "$(status | jq 'del(.relay_drops)')" ] &&
   [ "$(got bind)" = 0 ] && ! status | jq -e '.relay_bound' > /dev/null; then
	pass spoofed-relay-bind-changes-nothing
else
	fail spoofed-relay-bind-changes-nothing "status $before -> $(status), target got $(got bind) bytes"
fi

# --- spoofed-permission -------------------------------------------------------
# Unsigned and wrong-key Sends with DATA toward the target: nothing is sent,
# and no permission lets the target's datagrams back in toward N.
listen ar_t $TGT 9002 perm
before=$(status)
asn send $TGT:9002 sleep 100 --key "$T/wrong.key" send $TGT:9002 > /dev/null
sleep 0.3
ip netns exec ar_t socat -u - UDP4-SENDTO:"$RELAY",sourceport=9012 < tests/fuzz/corpus/stun/mi_sha256_request
sleep 0.5
now=$(status)
if [ "$(got perm)" = 0 ] &&
   [ "$(echo "$now" | jq .relayed_out)" = "$(echo "$before" | jq .relayed_out)" ] &&
   [ "$(echo "$now" | jq .relayed_in)" = "$(echo "$before" | jq .relayed_in)" ]; then
	pass spoofed-permission-changes-nothing
else
	fail spoofed-permission-changes-nothing "status $before -> $now, target got $(got perm) bytes"
fi

# --- replayed-signed-send ---------------------------------------------------
# A Send N really signed goes once; the same datagram again (from N's
# address) goes nowhere.
listen ar_t $TGT 9003 replay
asn --key "$T/n.key" --data "replayed-probe" --write "$T/signed" send $TGT:9003 > /dev/null
sleep 0.3
first=$(got replay) before=$(status)
asn file "$T/signed" sleep 100 file "$T/signed" > /dev/null
sleep 0.5
if [ "$first" = 14 ] && [ "$(got replay)" = 14 ] &&
   [ "$(status | jq .relayed_out)" = "$(echo "$before" | jq .relayed_out)" ]; then
	pass replayed-signed-send-changes-nothing
else
	fail replayed-signed-send-changes-nothing "first $first bytes, after the replays $(got replay); status $before -> $(status)"
fi

# --- relay-to-loopback, relay-to-ha-lan, relay-to-multicast -------------------------
# N itself (signed, fresh) asks its relay for the HA's loopback, an address
# of the HA's LAN interface, its listen address, a multicast group: a bind
# then media, and a Send with DATA. None is sent, none is bound.
dest_test() {	# NAME DEST LISTEN-NS LISTEN-ADDR [membership]
	local port=${2##*:}

	listen "$3" "$4" "$port" "$1" "${5:-}"
	before=$(status)
	asn --key "$T/n.key" --bind send "$2" sleep 100 media to-"$1" sleep 100 \
		--key "$T/n.key" --data to-"$1" send "$2" > /dev/null
	sleep 0.5
	now=$(status)
	if [ "$(got "$1")" = 0 ] && ! echo "$now" | jq -e .relay_bound > /dev/null &&
	   [ "$(echo "$now" | jq .relayed_out)" = "$(echo "$before" | jq .relayed_out)" ]; then
		pass "$1-changes-nothing"
	else
		fail "$1-changes-nothing" "status $before -> $now, listener got $(got "$1") bytes"
	fi
}
dest_test relay-to-loopback 127.0.0.1:9004 ar_ha 127.0.0.1
dest_test relay-to-ha-lan $LAN:9005 ar_ha $LAN
dest_test relay-to-ha-listen-address $HA:9006 ar_ha $HA
dest_test relay-to-multicast 239.1.2.3:9007 ar_t 239.1.2.3 membership
grep -q "drop relay frame from N to 127.0.0.1:9004: toward a loopback" "$T/ha.log" &&
grep -q "drop relay frame from N to $LAN:9005: toward an address of the home agent's host" "$T/ha.log" &&
grep -q "drop relay frame from N to 239.1.2.3:9007: toward a multicast address" "$T/ha.log" &&
	pass relay-refusals-logged-by-reason || fail relay-refusals-logged-by-reason "$(grep 'drop relay' "$T/ha.log" | tail -5)"

# --- relay-to-unpermitted-address -------------------------------------------
# N binds the target (signed: the one peer it permits). X, which N never
# permitted, sends STUN and media to N's relay: nothing reaches N.
asn --key "$T/n.key" --bind send $TGT:9008 > /dev/null
sleep 0.3
listen ar_n $NODE 4191 unperm
before=$(status)
ip netns exec ar_x socat -u - UDP4-SENDTO:"$RELAY",sourceport=9008 < tests/fuzz/corpus/stun/mi_sha256_request
echo media-from-x | ip netns exec ar_x socat -u - UDP4-SENDTO:"$RELAY",sourceport=9008
sleep 0.5
now=$(status)
if [ "$(got unperm)" = 0 ] &&
   [ "$(echo "$now" | jq .relayed_in)" = "$(echo "$before" | jq .relayed_in)" ] &&
   [ "$(echo "$now" | jq -r .relay_bound)" = "$TGT:9008" ]; then
	pass relay-to-unpermitted-address-changes-nothing
else
	fail relay-to-unpermitted-address-changes-nothing "status $before -> $now; N got $(got unperm) bytes"
fi
kill %?unperm 2>/dev/null

# --- open-registration-gets-no-relay ------------------------------------------
# M has no [node] section: registration open lets it in, but it gets no
# relay, and its Sends go nowhere (an open relay is what it would be).
listen ar_t $TGT 9009 open
forge ar_o --from 10.99.20.5:4191 register M > "$T/regm.out"
forge ar_o --from 10.99.20.5:4191 --bind send $TGT:9009 sleep 100 send $TGT:9009 \
	sleep 100 media open-media > /dev/null
sleep 0.5
if grep -q "^registered status 0 relay none$" "$T/regm.out" && [ "$(got open)" = 0 ] &&
   [ "$(status M | jq -r '.relay // "none"')" = none ]; then
	pass open-registration-gets-no-relay
else
	fail open-registration-gets-no-relay "$(cat "$T/regm.out"), status $(status M), target got $(got open) bytes"
fi

# the legitimate path still works: N's own signed Send reaches the target
listen ar_t $TGT 9010 legit
asn --key "$T/n.key" --data legit send $TGT:9010 > /dev/null
sleep 0.5
[ "$(got legit)" = 5 ] && pass signed-send-is-relayed ||
	fail signed-send-is-relayed "target got $(got legit) bytes; $(tail -3 "$T/ha.log")"

echo "$P passed, $F failed"
[ "$F" = 0 ]
