#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-candidate gathering and the address watcher (agent/gather.c) on real
# rtnetlink, in a network namespace made here: `mice gather` lists the
# usable addresses (RFC 8445 s.5.1.1.1: no loopback, no tentative,
# deprecated and link-local only on request), ranks interfaces as told
# (--if-order), and `mice gather --watch` reports address add/del events,
# including the "DAD finished" RTM_NEWADDR that makes a tentative IPv6
# address usable (the mobility trigger, seed 004 s.9).
#
# Needs root. Prints PASS/FAIL lines, ends with "N passed, N failed",
# exits non-zero on failure (77 when a tool is missing). MICE overrides the
# binary (default ./agent/mice).
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
for t in ip timeout; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
if [ ! -x "$MICE" ] || ! "$MICE" help 2>&1 | grep -q 'gather'; then
	echo "FAIL: build: $MICE missing or without the gather command"
	echo "0 passed, 1 failed"; exit 1
fi

N=mice-ga-$$
P=mice-gp-$$
TMP=$(mktemp -d)
WPID=
cleanup() {
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null
	wait 2>/dev/null
	ip netns del $N 2>/dev/null
	ip netns del $P 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
nsx() { ip netns exec $N "$@"; }

ip netns add $N && ip netns add $P || { echo "FAIL: setup: netns"; echo "0 passed, 1 failed"; exit 1; }
ip -n $N link set lo up
ip -n $N link add ga0 type veth peer name gp0 netns $P
ip -n $N link add gb0 type veth peer name gq0 netns $P
ip -n $P link set gp0 up
ip -n $P link set gq0 up
ip -n $N link set ga0 up
ip -n $N link set gb0 up
ip -n $N addr add 10.99.5.1/24 dev ga0
ip -n $N addr add 10.99.6.1/24 dev gb0
ip -n $N addr add 2001:db8:99:5::1/64 dev ga0 nodad
ip -n $N addr add 2001:db8:99:6::1/64 dev gb0 nodad preferred_lft 0

out=$(nsx timeout 10 "$MICE" gather --port 4191 2>&1)
lp() {	# local-pref of ADDR in $out
	sed -n "s/^host $1 port 4191 dev [^ ]* local-pref \([0-9]*\) .*/\1/p" <<<"$out"
}
if [ -n "$(lp 10.99.5.1)" ] && [ -n "$(lp 10.99.6.1)" ] &&
   [ -n "$(lp 2001:db8:99:5::1)" ]; then
	PASS "gather-lists-addresses"
else
	FAIL "gather-lists-addresses" "$(tr '\n' ' ' <<<"$out")"
fi
if grep -Eq '^host (127\.|::1 |fe80)' <<<"$out"; then
	FAIL "gather-skips-loopback-and-link-local" "$(tr '\n' ' ' <<<"$out")"
else
	PASS "gather-skips-loopback-and-link-local"
fi
if [ -z "$(lp 2001:db8:99:6::1)" ]; then
	PASS "gather-skips-deprecated"
else
	FAIL "gather-skips-deprecated" "2001:db8:99:6::1 listed"
fi
# ga0 has the lower ifindex: ranked first by default, second when told.
a=$(lp 10.99.5.1) b=$(lp 10.99.6.1)
if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt "$b" ]; then
	PASS "gather-ranks-by-ifindex ($a > $b)"
else
	FAIL "gather-ranks-by-ifindex" "ga0 $a, gb0 $b"
fi
out=$(nsx timeout 10 "$MICE" gather --port 4191 --if-order gb0,ga0 2>&1)
a=$(lp 10.99.5.1) b=$(lp 10.99.6.1)
if [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ]; then
	PASS "gather-if-order ($b > $a)"
else
	FAIL "gather-if-order" "ga0 $a, gb0 $b"
fi
# Link-local addresses are tentative until their DAD ends (~1 s).
for _ in $(seq 50); do
	[ "$(nsx ip -6 addr show scope link | grep -c 'inet6 fe80')" = 2 ] &&
	! nsx ip -6 addr show | grep -q tentative && break
	sleep 0.1
done
out=$(nsx timeout 10 "$MICE" gather --port 4191 --deprecated --linklocal 2>&1)
if [ -n "$(lp 2001:db8:99:6::1)" ] && grep -q '^host fe80' <<<"$out"; then
	PASS "gather-deprecated-and-link-local-on-request"
else
	FAIL "gather-deprecated-and-link-local-on-request" "$(tr '\n' ' ' <<<"$out")"
fi
out=$(nsx timeout 10 "$MICE" gather -j --no-ipv6 2>&1)
if grep -q '"address":"10.99.5.1"' <<<"$out" && ! grep -q inet6 <<<"$out"; then
	PASS "gather-json-ipv4-only"
else
	FAIL "gather-json-ipv4-only" "$out"
fi

# ---- the watcher ----
nsx sysctl -qw net.ipv6.conf.ga0.dad_transmits=1
# Runs 5 s: the IPv6 DAD below takes about 1 s.
nsx timeout 20 "$MICE" gather --watch --timeout 5 \
	>"$TMP/watch.out" 2>&1 &
WPID=$!
for _ in $(seq 50); do grep -q watching "$TMP/watch.out" 2>/dev/null && break; sleep 0.1; done
nsx ip addr add 10.99.7.1/24 dev ga0
nsx ip addr del 10.99.7.1/24 dev ga0
nsx ip addr add 2001:db8:99:7::1/64 dev ga0	# with DAD: tentative first
wait $WPID
rc=$?
WPID=
w=$(cat "$TMP/watch.out")
if grep -q '^add 10.99.7.1/24 dev ga0 usable' <<<"$w" &&
   grep -q '^del 10.99.7.1/24 dev ga0' <<<"$w"; then
	PASS "watch-ipv4-add-del"
else
	FAIL "watch-ipv4-add-del" "$(tr '\n' ' ' <<<"$w")"
fi
if grep -q '^add 2001:db8:99:7::1/64 dev ga0 unusable: tentative' <<<"$w" &&
   grep -q '^add 2001:db8:99:7::1/64 dev ga0 usable' <<<"$w" && [ $rc = 0 ]; then
	PASS "watch-ipv6-dad-completes"
else
	FAIL "watch-ipv6-dad-completes" "rc $rc: $(tr '\n' ' ' <<<"$w")"
fi

echo "$pass passed, $fails failed"
[ "$fails" = 0 ]
