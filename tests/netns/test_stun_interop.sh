#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# STUN interop of the mice Binding client and server (seed 004 s.1.1,
# s.14.2; RFC 8489) against coturn 4.6 (Debian package coturn), through a
# masquerading NAT, with every datagram checked by Wireshark's dissector.
#
# Topology (namespaces made here, addresses in 10.99.x.x only):
#
#   [cl] 10.99.1.2 --- 10.99.1.1 [nat] 10.99.2.1 --- 10.99.2.2 [srv]
#                       nftables masquerade of 10.99.1.0/24 to
#                       10.99.2.1, source ports 40000-40999
#
#   srv runs coturn (`turnserver --stun-only`) on 10.99.2.2:3478 and
#   `mice stun-server` on 10.99.2.2:3479; tshark captures on srv's link.
#
# Checks:
#  a) `mice stun` against coturn from nat (no NAT on the path: the mapped
#     address is the local one) and from cl (through the NAT: the NAT's
#     address and a port in the masquerade range, not the local port);
#  b) coturn's turnutils_stunclient against `mice stun-server`, direct and
#     through the NAT: it reports the same mapped address; and
#     `mice stun` against `mice stun-server` through the NAT;
#  c) tshark decodes the capture: STUN packets seen, Binding requests and
#     success responses among them, XOR-MAPPED-ADDRESS decoded to the
#     expected address, and no packet marked malformed.
#
# Needs root. Prints PASS/FAIL lines, ends with "N passed, N failed",
# exits non-zero on any failure (77 when a tool is missing). Bounded: every
# command runs under timeout(1). MICE overrides the binary (default
# ./agent/mice, built by `make`).
set -u
cd "$(dirname "$0")/../.."
MICE=${MICE:-$PWD/agent/mice}
pass=0
fails=0
PASS() { echo "PASS: $1"; pass=$((pass + 1)); }
FAIL() { echo "FAIL: $1: $2"; fails=$((fails + 1)); }

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root (network namespaces)"; exit 77
fi
for t in ip nft turnserver turnutils_stunclient tshark timeout; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed (see mk/daemon.deps)"; exit 77; }
done
if [ ! -x "$MICE" ]; then
	echo "FAIL: build: $MICE missing (run make)"; echo "0 passed, 1 failed"; exit 1
fi
if ! "$MICE" help 2>&1 | grep -q 'stun-server'; then
	echo "FAIL: build: $MICE has no stun/stun-server commands"
	echo "0 passed, 1 failed"; exit 1
fi

S=$$
CL=mice-cl-$S NAT=mice-nat-$S SRV=mice-srv-$S
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for n in $CL $NAT $SRV; do ip netns del $n 2>/dev/null; done
	[ -n "${KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT

setup() {
	ip netns add $CL && ip netns add $NAT && ip netns add $SRV || return 1
	ip link add vc$S netns $CL type veth peer name vn1$S netns $NAT || return 1
	ip link add vn2$S netns $NAT type veth peer name vs$S netns $SRV || return 1
	ip -n $CL addr add 10.99.1.2/24 dev vc$S
	ip -n $NAT addr add 10.99.1.1/24 dev vn1$S
	ip -n $NAT addr add 10.99.2.1/24 dev vn2$S
	ip -n $SRV addr add 10.99.2.2/24 dev vs$S
	for n in $CL $NAT $SRV; do ip -n $n link set lo up; done
	ip -n $CL link set vc$S up
	ip -n $NAT link set vn1$S up
	ip -n $NAT link set vn2$S up
	ip -n $SRV link set vs$S up
	ip -n $CL route add default via 10.99.1.1
	# srv has no route back to 10.99.1.0/24: only NATed traffic works.
	ip netns exec $NAT sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip netns exec $NAT nft -f - <<-EOF || return 1
	table ip micenat {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			ip saddr 10.99.1.0/24 oifname "vn2$S" meta l4proto udp masquerade to :40000-40999
		}
	}
	EOF
}

if ! setup 2>"$TMP/setup.err"; then
	FAIL setup "$(head -3 "$TMP/setup.err")"
	echo "$pass passed, $fails failed"; exit 1
fi

# Capture everything on srv's link.
ip netns exec $SRV timeout 60 tshark -q -i vs$S -w "$TMP/cap.pcapng" \
	-f udp >"$TMP/tshark.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
	grep -q "Capturing on" "$TMP/tshark.log" 2>/dev/null && break; sleep 0.1
done

# coturn: STUN only, no auth, no TLS, logs to a file.
ip netns exec $SRV timeout 60 turnserver -n --stun-only --no-cli \
	--listening-ip 10.99.2.2 --listening-port 3478 --no-tls --no-dtls \
	--pidfile "$TMP/turn.pid" --log-file "$TMP/turn.log" --simple-log \
	>"$TMP/turn.out" 2>&1 &
PIDS+=($!)
# mice's server: it exits after the 5 answers the checks below expect.
ip netns exec $SRV timeout 60 "$MICE" stun-server --addr 10.99.2.2 \
	--port 3479 --count 5 --timeout 50 >"$TMP/miceserver.out" 2>&1 &
MSPID=$!
PIDS+=($MSPID)

wait_udp() {	# NS PORT
	for _ in $(seq 50); do
		ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
wait_udp $SRV 3478 || FAIL coturn-start "turnserver not listening: $(tail -3 "$TMP/turn.out")"
wait_udp $SRV 3479 || FAIL mice-server-start "$(cat "$TMP/miceserver.out")"

jfield() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\)\"\{0,1\}.*/\1/p"; }

# ---- a) mice stun -> coturn ----
out=$(ip netns exec $NAT timeout 10 "$MICE" stun 10.99.2.2:3478 \
	--local 10.99.2.1:5001 --timeout 5 -j 2>&1)
m=$(jfield mapped <<<"$out")
if [ "$m" = "10.99.2.1:5001" ]; then
	PASS "mice-stun-vs-coturn-direct"
else
	FAIL "mice-stun-vs-coturn-direct" "want 10.99.2.1:5001, got '$out'"
fi
sw=$(jfield software <<<"$out")
case "$sw" in
*Coturn*|*coturn*) PASS "coturn-answered (SOFTWARE '$sw')" ;;
*) FAIL "coturn-answered" "SOFTWARE '$sw' does not name coturn" ;;
esac

out=$(ip netns exec $CL timeout 10 "$MICE" stun 10.99.2.2:3478 \
	--local 10.99.1.2:5002 --timeout 5 -j 2>&1)
ma=$(jfield mapped_address <<<"$out")
mp=$(jfield mapped_port <<<"$out")
nat=$(jfield nat <<<"$out")
if [ "$ma" = 10.99.2.1 ] && [ -n "$mp" ] && [ "$mp" -ge 40000 ] &&
   [ "$mp" -le 40999 ] && [ "$nat" = true ]; then
	PASS "mice-stun-vs-coturn-through-nat (mapped $ma:$mp, local 5002)"
else
	FAIL "mice-stun-vs-coturn-through-nat" "want 10.99.2.1:40000-40999, got '$out'"
fi

# ---- b) turnutils_stunclient -> mice stun-server ----
# It prints the mapped address as "UDP reflexive addr: IP:PORT".
stunclient() {	# NS LOCAL
	ip netns exec "$1" timeout 10 turnutils_stunclient -p 3479 -L "$2" \
		10.99.2.2 2>&1
}
out=$(stunclient $NAT 10.99.2.1)
r=$(sed -n 's/.*UDP reflexive addr: *\([0-9.]*\):\([0-9]*\).*/\1/p' <<<"$out" | head -1)
if [ "$r" = 10.99.2.1 ]; then
	PASS "stunclient-vs-mice-server-direct"
else
	FAIL "stunclient-vs-mice-server-direct" "want 10.99.2.1, got: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
fi
out=$(stunclient $CL 10.99.1.2)
r=$(sed -n 's/.*UDP reflexive addr: *\([0-9.]*\):\([0-9]*\).*/\1:\2/p' <<<"$out" | head -1)
case "$r" in
10.99.2.1:4[0-9][0-9][0-9][0-9]) PASS "stunclient-vs-mice-server-through-nat ($r)" ;;
*) FAIL "stunclient-vs-mice-server-through-nat" "want 10.99.2.1:40000-40999, got: $(tr '\n' ' ' <<<"$out" | cut -c1-300)" ;;
esac

out=$(ip netns exec $CL timeout 10 "$MICE" stun 10.99.2.2:3479 \
	--local 10.99.1.2:5003 --timeout 5 -j 2>&1)
ma=$(jfield mapped_address <<<"$out")
sw=$(jfield software <<<"$out")
if [ "$ma" = 10.99.2.1 ] && [ "$sw" = mice ]; then
	PASS "mice-stun-vs-mice-server-through-nat"
else
	FAIL "mice-stun-vs-mice-server-through-nat" "got '$out'"
fi

# Garbage gets no answer (discarded, RFC 8489 s.6.3); a Binding request
# with an unknown comprehension-required attribute (0x0033) gets 420 with
# UNKNOWN-ATTRIBUTES (s.6.3.1); then a normal query is still answered.
ip netns exec $NAT timeout 5 bash -c \
	'printf "not stun at all" > /dev/udp/10.99.2.2/3479' 2>/dev/null
ip netns exec $NAT timeout 5 bash -c \
	'printf "\x00\x01\x00\x04\x21\x12\xa4\x42TIDTIDTIDTID\x00\x33\x00\x00" > /dev/udp/10.99.2.2/3479' 2>/dev/null
sleep 0.2
out=$(ip netns exec $NAT timeout 10 "$MICE" stun 10.99.2.2:3479 \
	--local 10.99.2.1:5004 --timeout 5 -j 2>&1)
if [ "$(jfield mapped <<<"$out")" = 10.99.2.1:5004 ]; then
	PASS "mice-server-survives-garbage"
else
	FAIL "mice-server-survives-garbage" "got '$out'"
fi

wait $MSPID 2>/dev/null
st=$(grep '^received' "$TMP/miceserver.out")
if [ "$st" = "received 6 success 4 err400 0 err420 1 discarded 1 ignored 0 rate-limited 0 too-big 0" ]; then
	PASS "mice-server-counters ($st)"
else
	FAIL "mice-server-counters" "$(tr '\n' ' ' < "$TMP/miceserver.out")"
fi

# ---- c) tshark on the capture ----
sleep 0.5
kill "${PIDS[0]}" 2>/dev/null
wait "${PIDS[0]}" 2>/dev/null
TS=(tshark -r "$TMP/cap.pcapng" -d udp.port==3479,stun)
n_stun=$("${TS[@]}" -Y stun 2>/dev/null | wc -l)
n_req=$("${TS[@]}" -Y 'stun.type == 0x0001' 2>/dev/null | wc -l)
n_ok=$("${TS[@]}" -Y 'stun.type == 0x0101' 2>/dev/null | wc -l)
bad=$("${TS[@]}" -Y 'stun && (_ws.malformed || _ws.expert.severity >= error)' 2>"$TMP/ts.err")
rc=$?
if [ $rc != 0 ]; then
	bad="tshark failed ($rc): $(grep -v 'Running as user' "$TMP/ts.err" | head -3)"
fi
if [ "$n_stun" -ge 10 ] && [ "$n_req" -ge 5 ] && [ "$n_ok" -ge 5 ]; then
	PASS "tshark-sees-stun ($n_stun packets, $n_req requests, $n_ok success responses)"
else
	FAIL "tshark-sees-stun" "$n_stun packets, $n_req requests, $n_ok responses"
fi
if [ -z "$bad" ]; then
	PASS "tshark-no-malformed"
else
	FAIL "tshark-no-malformed" "$(head -5 <<<"$bad")"
fi
# The mice server's answers decode to the client's (NATed) address.
xm=$("${TS[@]}" -Y 'stun.type == 0x0101 && udp.srcport == 3479' \
	-T fields -e stun.att.ipv4 2>/dev/null | sort -u | tr '\n' ' ')
if [ "$xm" = "10.99.2.1 " ]; then
	PASS "tshark-xor-mapped-address (decoded $xm)"
else
	FAIL "tshark-xor-mapped-address" "decoded '$xm', want 10.99.2.1"
fi
# The 420 answer: error class 4 number 20, listing 0x0033.
e=$("${TS[@]}" -Y 'stun.type == 0x0111 && udp.srcport == 3479' -T fields \
	-e stun.att.error.class -e stun.att.error -e stun.att.unknown 2>/dev/null)
if [ "$e" = "$(printf '4\t20\t0x0033')" ]; then
	PASS "tshark-420-unknown-attributes"
else
	FAIL "tshark-420-unknown-attributes" "decoded '$e'"
fi
# FINGERPRINT is present and Wireshark agrees with it on our packets.
fp=$("${TS[@]}" -Y 'udp.srcport == 3479 && stun && !stun.att.crc32' 2>/dev/null | wc -l)
if [ "$fp" = 0 ]; then
	PASS "tshark-fingerprint-on-every-mice-answer"
else
	FAIL "tshark-fingerprint-on-every-mice-answer" "$fp answers without it"
fi

crc=$("${TS[@]}" -V -Y 'stun && (udp.port == 3479 || frame.len == 78)' 2>/dev/null | grep -c 'CRC-32 Status: Good')
crcbad=$("${TS[@]}" -V 2>/dev/null | grep -c 'CRC-32 Status: Bad')
if [ "$crc" -ge 7 ] && [ "$crcbad" = 0 ]; then
	PASS "tshark-fingerprint-crc-good ($crc checked)"
else
	FAIL "tshark-fingerprint-crc-good" "$crc good, $crcbad bad"
fi

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
