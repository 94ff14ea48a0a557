#!/bin/bash
# Attack suite, host (no kernel module): the mobile node's sessions
# (docs/security.md "The mobile node's sessions"). A Home Agent serves L,
# R and M on one public segment; R offers to L and their session completes
# (L is the responder, so the offers go to L). An attacker X on the same
# segment, the registered node M and replays of R's own messages then try
# to close, replace or restart L's session. Each attack must leave L's
# session (peer, state, role, selected pair, ufrag, remote ufrag), R's
# session and both logs (no state-change line) as they were:
#   spoofed-offer-from-elsewhere, spoofed-offer-from-peer-ha-address,
#   spoofed-answer, offer-naming-another-configured-peer (wrong key, then
#   M's right key: refused while the session with R lives),
#   restart-offer-that-fails-mikey (R's key, a MIKEY part that fails),
#   replayed-offer (R's offer of an earlier exchange, after a restart).
# Forged messages come from tests/tools/sigforge; the Home Agent's source
# address is spoofed with IP_TRANSPARENT. Captures by tshark in L's
# namespace. Only 10.99.41.0/24, namespaces as_*. Bounded in time.
set -u
cd "$(dirname "$0")/../.."
. tests/netns/topo.sh
MICE=$(pwd)/agent/mice
FORGE=$(pwd)/build/tools/sigforge
P=0 F=0
pass() { P=$((P + 1)); echo "PASS: $1"; }
fail() { F=$((F + 1)); echo "FAIL: $1: ${2:-failed}"; }
[ "$(id -u)" = 0 ] || { echo "FAIL: root: needs root for namespaces"; exit 1; }
[ -x "$MICE" ] || { echo "FAIL: build: $MICE missing (make)"; exit 1; }
[ -x "$FORGE" ] || { echo "FAIL: build: $FORGE missing (make tools)"; exit 1; }
command -v tshark > /dev/null || { echo "FAIL: tshark: needed for the captures"; exit 1; }
umask 077
T=$(mktemp -d)

HA=10.99.41.1 L=10.99.41.11 R=10.99.41.12 M=10.99.41.13 X=10.99.41.66
key() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$1"; }
key "$T/psk_lr"; key "$T/psk_lm"; key "$T/bad"

topo_init as_br as_ha as_l as_r as_m as_x
topo_plug as_ha $HA/24
topo_plug as_l $L/24
topo_plug as_r $R/24
topo_plug as_m $M/24
topo_plug as_x $X/24
TOPO_NODES="L R M" topo_ha_conf "$T/ha.conf" $HA
topo_mn_conf "$T/l.conf" $HA R "$T/psk_lr" kernel off
printf '[peer M]\ncredentials psk-file %s\n' "$T/psk_lm" >> "$T/l.conf"
topo_mn_conf "$T/r.conf" $HA L "$T/psk_lr" kernel off
topo_mn_conf "$T/m.conf" $HA L "$T/psk_lm" kernel off
topo_mn_conf "$T/mbad.conf" $HA L "$T/bad" kernel off

# everything that reaches L's agent port, for the replay below
ip netns exec as_l tshark -q -i pub -w "$T/l.pcap" -f "udp dst port 4191" \
	> "$T/tshark.log" 2>&1 &
wait_for "$T/tshark.log" "Capturing on" 10 || fail capture "$(cat "$T/tshark.log")"

ip netns exec as_ha $MICE daemon -c "$T/ha.conf" > "$T/ha.log" 2>&1 &
wait_for "$T/ha.log" "start" 5 || fail ha-start "$(cat "$T/ha.log")"
ip netns exec as_l $MICE daemon -c "$T/l.conf" --name L > "$T/l.log" 2>&1 &
start_r() {
	ip netns exec as_r $MICE daemon -c "$T/r.conf" --name R --connect L \
		>> "$T/r.log" 2>&1 &
	rpid=$!
}
t_start=$(date +%s)
start_r
if ! wait_for "$T/l.log" "^t=.* selected" 15 || ! wait_for "$T/r.log" "^t=.* selected" 10; then
	fail session-l-r-selected "$(tail -5 "$T/l.log"; tail -5 "$T/r.log"; tail -5 "$T/ha.log")"
	echo "$P passed, $F failed"
	exit 1
fi
sleep 1		# the last checks and the answer's retransmissions settle

# The session as `mice status` shows it (L's, then R's).
session() {
	local out

	out=$(ip netns exec "as_${1,,}" $MICE status "$1" 2>&1)
	echo "$out" | jq -c '.sessions[0] |
		{peer, state, role, ufrag, remote_ufrag, selected: .selected.remote}' 2>/dev/null ||
		echo "status $1: $out"
}
# Lines that say a session moved.
STATE_RE='offer-received|answer-received|answer-sent|ice-restart|mikey|selected|checks-early|session'
baseline() {
	base_l=$(session L)
	base_r=$(session R)
	mark_l=$(wc -l < "$T/l.log")
	mark_r=$(wc -l < "$T/r.log")
}
new_lines() { tail -n +"$(($2 + 1))" "$1"; }
# unchanged NAME: L's and R's sessions and logs are as at the baseline.
unchanged() {
	local now_l now_r moved

	sleep 0.5
	now_l=$(session L)
	now_r=$(session R)
	moved=$( (new_lines "$T/l.log" "$mark_l"; new_lines "$T/r.log" "$mark_r") |
		grep -E "^t=[^ ]* ($STATE_RE)")
	if [ "$now_l" = "$base_l" ] && [ "$now_r" = "$base_r" ] && [ -z "$moved" ] &&
	   echo "$base_l" | grep -q '"state":"completed"'; then
		pass "$1"
	else
		fail "$1" "L was $base_l, now $now_l; R was $base_r, now $now_r; log: $moved"
	fi
}
# saw LOG PATTERN: the attack reached the agent (its drop line), since the mark.
saw() {
	local m=$mark_l

	[ "$1" = r ] && m=$mark_r
	for _ in $(seq 30); do
		new_lines "$T/$1.log" "$m" | grep -qE "$2" && return 0
		sleep 0.1
	done
	echo "    (no line matching '$2' in $1's log)"
	return 1
}
forge() { ip netns exec as_x "$FORGE" "$@"; }
# AS_ONLY="WORD..." runs only those attacks (elsewhere ha-address answer
# peer-wrong-key peer-right-key mikey replay), each on a fresh session: on
# code where one attack works, the later ones would see its damage.
want() { [ -z "${AS_ONLY:-}" ] || [[ " $AS_ONLY " == *" $1 "* ]]; }

baseline
echo "    L's session: $base_l"
[ "$(echo "$base_l" | jq -r .ufrag)" != null ] ||
	fail status-shows-ufrag "$base_l"

# --- spoofed offers, from elsewhere and from the HA's address --------------
# naming R (the session's peer) and M (another configured peer), not
# knowing either key
if want elsewhere; then
forge offer --from R --to L --key-file "$T/bad" --ufrag evil0001 \
	--cand $X:5000 --dst $L:4191
forge offer --from M --to L --key-file "$T/bad" --ufrag evil0002 \
	--cand $X:5000 --dst $L:4191
saw l "offer from $X:[0-9]*, not our home agent" && unchanged spoofed-offer-from-elsewhere-changes-nothing ||
	fail spoofed-offer-from-elsewhere-changes-nothing "never reached L"
fi

if want ha-address; then
baseline
forge offer --from R --to L --key-file "$T/bad" --ufrag evil0003 \
	--cand $X:5000 --src $HA:4191 --dst $L:4191
forge offer --from M --to L --key-file "$T/bad" --ufrag evil0004 \
	--cand $X:5000 --src $HA:4191 --dst $L:4191
saw l "offer from M: authenticator does not match" &&
	unchanged spoofed-offer-from-peer-ha-address-changes-nothing ||
	fail spoofed-offer-from-peer-ha-address-changes-nothing "never reached L"
fi

# --- spoofed answers ---------------------------------------------------------
if want answer; then
baseline
for who in R M; do
	forge answer --from $who --to L --key-file "$T/bad" --ufrag evil0005 \
		--cand $X:5000 --dst $L:4191
	forge answer --from $who --to L --key-file "$T/bad" --ufrag evil0006 \
		--cand $X:5000 --src $HA:4191 --dst $L:4191
	# and to R, the initiator, which would take an answer
	forge answer --from L --to R --key-file "$T/bad" --ufrag evil0007 \
		--cand $X:5000 --src $HA:4191 --dst $R:4191
done
saw r "answer from L: authenticator does not match" &&
	unchanged spoofed-answer-changes-nothing ||
	fail spoofed-answer-changes-nothing "never reached R"
fi

# --- M, registered at the same HA, offers to L ------------------------------
if want peer-wrong-key; then
# with a wrong key: L verifies under M's key before anything else
baseline
ip netns exec as_m $MICE daemon -c "$T/mbad.conf" --name M --connect L > "$T/mbad.log" 2>&1 &
mpid=$!
saw l "offer from M: authenticator does not match"
kill $mpid; wait $mpid 2>/dev/null
unchanged offer-naming-another-configured-peer-wrong-key-changes-nothing
fi

if want peer-right-key; then
# with M's right key: authenticated, but L has a live session with R, and
# holds one session at a time (docs/signalling.md): refused, nothing moves
baseline
ip netns exec as_m $MICE daemon -c "$T/m.conf" --name M --connect L > "$T/m.log" 2>&1 &
mpid=$!
if saw l "offer from M refused: the session with R is live"; then
	pass offer-from-another-peer-refused-while-session-lives
else
	fail offer-from-another-peer-refused-while-session-lives "$(new_lines "$T/l.log" "$mark_l" | tail -5)"
fi
kill $mpid; wait $mpid 2>/dev/null
unchanged offer-naming-another-configured-peer-right-key-changes-nothing
fi

# --- R's offers as captured ---------------------------------------------------
# offers (Binding Updates, MH type 5) from the HA's address, in order
offers() {
	tshark -r "$T/l.pcap" -Y "ip.src==$HA && udp.srcport==4191" \
		-T fields -e udp.payload 2>/dev/null | grep -E '^....05'
}
first_offer=$(offers | head -1)
echo "$first_offer" | xxd -r -p > "$T/offer1.bin"
[ -s "$T/offer1.bin" ] || fail capture "no offer from R captured"

# --- a restart offer under R's key whose MIKEY part fails ----------------------
# (a fresh timestamp and sequence number, a new ufrag: a restart as far as
# everything but MIKEY goes)
if want mikey; then
baseline
ufrag=$(echo "$base_l" | jq -r .ufrag)
sleep 1
ip netns exec as_x "$FORGE" offer --from R --to L --key-file "$T/psk_lr" \
	--seq 30000 --ufrag restart1 --cand $X:5000 --src $HA:4191 --dst $L:4191
saw l "MIKEY I_MESSAGE from R refused" &&
	unchanged restart-offer-that-fails-mikey-changes-nothing ||
	fail restart-offer-that-fails-mikey-changes-nothing "never reached MIKEY"
# R's offer of this exchange again (as its retransmissions are): the same
# answer as before the failed restart, and nothing else moves
baseline
forge resend --in "$T/offer1.bin" --src $HA:4191 --dst $L:4191
if saw l "answer-sent to R via the home agent: ufrag $ufrag,"; then
	pass retransmitted-offer-gets-the-same-answer
else
	fail retransmitted-offer-gets-the-same-answer "$(new_lines "$T/l.log" "$mark_l" | tail -4)"
fi
mark_l=$(wc -l < "$T/l.log")
unchanged retransmitted-offer-changes-nothing-else
fi

# --- a restart, then R's offer of the earlier exchange replayed ---------------
# R starts over (a new session, new ufrag, new MIKEY): L restarts ICE
kill $rpid; wait $rpid 2>/dev/null
nsel=$(grep -c "^t=.* selected" "$T/l.log")
start_r
for _ in $(seq 150); do
	[ "$(grep -c "^t=.* selected" "$T/l.log")" -gt "$nsel" ] && break
	sleep 0.1
done
if [ "$(grep -c "^t=.* selected" "$T/l.log")" -gt "$nsel" ] && grep -q "ice-restart" "$T/l.log"; then
	pass restart-after-the-attacks-completes
else
	fail restart-after-the-attacks-completes "$(tail -6 "$T/l.log")"
fi
sleep 1
if want replay; then
baseline
forge resend --in "$T/offer1.bin" --src $HA:4191 --dst $L:4191
# the replay must still be within the timestamp window to test anything
age=$(( $(date +%s) - t_start ))
saw l "offer from R: |I_MESSAGE from R refused" && unchanged replayed-offer-changes-nothing ||
	fail replayed-offer-changes-nothing "never reached L"
fi
echo "    (replayed about ${age}s after the first exchange began; the window is 60 s)"

kill $rpid 2>/dev/null
echo "$P passed, $F failed"
[ "$F" = 0 ]
