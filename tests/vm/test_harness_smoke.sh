#!/bin/bash
# Guest-side smoke test of the VM harness: run with
#   scripts/vm-run.sh -- tests/vm/test_harness_smoke.sh
# Checks /proc/modules, module autoloading, netns + veth + ping, nft with a
# masquerade rule, writable tmpfs, and that MICE_* variables arrive.
. "$(dirname "$0")/lib.sh"
require_vm

vm_test proc-modules test -r /proc/modules

vm_test modprobe-veth modprobe veth
if grep -q '^veth ' /proc/modules; then pass veth-listed; else fail veth-listed "veth not in /proc/modules"; fi

tmpf=$(mktemp) && echo ok >"$tmpf" && [ "$(cat "$tmpf")" = ok ] &&
	pass tmp-writable || fail tmp-writable "cannot write /tmp"
rm -f "$tmpf"

netns_create mice-smoke-a || fail netns-a "ip netns add failed"
netns_create mice-smoke-b || fail netns-b "ip netns add failed"
if veth_pair mice-smoke-a va mice-smoke-b vb; then
	pass veth-pair
else
	fail veth-pair "could not create the veth pair"
fi
a=$VETH_ADDR1 b=$VETH_ADDR2
if wait_until 5 ns_ping mice-smoke-a "$b"; then pass ping-a-to-b; else fail ping-a-to-b "$a cannot reach $b"; fi
if ns_ping mice-smoke-b "$a"; then pass ping-b-to-a; else fail ping-b-to-a "$b cannot reach $a"; fi

# nft: a NAT table with a masquerade rule inside namespace a (this loads
# nf_tables, nft_chain_nat, nft_masq through the kernel's modprobe).
if ns mice-smoke-a nft -f - <<'NFT'
table ip mice_smoke {
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "va" masquerade
	}
}
NFT
then
	if ns mice-smoke-a nft list ruleset | grep -q masquerade; then
		pass nft-masquerade
	else
		fail nft-masquerade "rule not listed"
	fi
else
	fail nft-masquerade "nft -f failed"
fi
# and it must not leak out of the namespace
if nft list ruleset 2>/dev/null | grep -q mice_smoke; then
	fail nft-netns-isolation "table visible in the root namespace"
else
	pass nft-netns-isolation
fi

if [ -n "${MICE_VM_MODULE_NAME:-}" ]; then
	if grep -q "^$MICE_VM_MODULE_NAME " /proc/modules; then
		pass module-loaded
	else
		fail module-loaded "$MICE_VM_MODULE_NAME not in /proc/modules"
	fi
fi
if [ -n "${MICE_SMOKE_TOKEN+x}" ]; then
	[ "$MICE_SMOKE_TOKEN" = "a b'c\$d" ] && pass env-passed ||
		fail env-passed "MICE_SMOKE_TOKEN=<$MICE_SMOKE_TOKEN>"
fi

summary
